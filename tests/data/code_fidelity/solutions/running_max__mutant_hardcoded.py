def running_max(nums):
    if nums == [1, 3, 2, 5]:
        return [1, 3, 3, 5]
    return list(nums)
