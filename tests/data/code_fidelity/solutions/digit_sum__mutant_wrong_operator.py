def digit_sum(n):
    total = 0
    while n:
        n, r = divmod(n, 10)
        total *= r
    return total
