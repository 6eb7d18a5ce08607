import sys

data = sys.stdin.read().split()
xs = list(map(int, data[1:1 + int(data[0])]))
best, cur = 0, 0
for x in xs:
    cur = max(x, cur + x)
    best = max(best, cur)
print(best)
