def digit_sum(n):
    return sum(int(c) for c in str(n)[1:]) if n >= 10 else n
