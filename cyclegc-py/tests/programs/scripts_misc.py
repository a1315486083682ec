x = 10
def show():
    print(x)
def change():
    global x
    x = 20
show()
change()
show()
data = {"b": [3, 1], "a": [2]}
for key in sorted(data):
    data[key].sort()
    print(key, data[key])
words = "the quick brown fox jumps over the lazy dog".split()
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
print(max(words, key=len), min(words, key=len), sorted(words, key=len, reverse=True)[:2])
matrix = [[1, 2, 3], [4, 5, 6]]
print([list(row) for row in zip(*matrix)])
print(", ".join(f"{w}={n}" for w, n in counts.items() if n > 1))
i = 0
while True:
    i += 1
    if i >= 3:
        break
print(i, [n for n in range(20) if all(n % d for d in range(2, n)) and n > 1])
a = b = []
a.append(1)
print(b, a is b)
t = 1, 2
print(t, type(t).__name__)
print(*[1, 2, 3], sep=" | ")
