from typing import List


def running_max(nums: List[int]) -> List[int]:
    best = None
    out = []
    for x in nums:
        best = x if best is None else max(best, x)
        out.append(best)
    return out
