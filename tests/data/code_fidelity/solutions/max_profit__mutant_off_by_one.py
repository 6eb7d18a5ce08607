from typing import List


class Solution:
    def maxProfit(self, prices: List[int]) -> int:
        low, best = float("inf"), 0
        for p in prices[:-1]:
            low = min(low, p)
            best = max(best, p - low)
        return best
