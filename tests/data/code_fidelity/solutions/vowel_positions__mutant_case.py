def vowel_positions(s):
    return sum(c in 'AEIOUaeiou' for c in s[::2])
