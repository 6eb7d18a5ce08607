def find_missing(xs, n):
    for i, x in enumerate(xs):
        if x != i:
            return i
    return n
