def running_max(nums):
    out = nums[:1]
    for i in range(1, len(nums) - 1):
        out.append(max(out[-1], nums[i]))
    return out
