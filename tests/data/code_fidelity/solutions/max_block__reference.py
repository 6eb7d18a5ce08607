import sys

data = sys.stdin.read().split()
xs = list(map(int, data[1:1 + int(data[0])]))
best, cur = xs[0], xs[0]
for x in xs[1:]:
    cur = max(x, cur + x)
    best = max(best, cur)
print(best)
