    out = []
    for x in nums:
        out.append(x if not out else max(out[-1], x))
    return out
