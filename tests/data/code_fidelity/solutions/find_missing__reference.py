def find_missing(xs, n):
    for i, x in enumerate(xs, 1):
        if x != i:
            return i
    return n
