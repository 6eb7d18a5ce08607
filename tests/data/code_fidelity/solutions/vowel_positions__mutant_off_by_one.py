def vowel_positions(s):
    return sum(c in 'AEIOU' for c in s[1::2])
