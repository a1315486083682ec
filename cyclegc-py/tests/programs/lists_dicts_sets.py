items = [5, 3, 8]
items.append(1)
items.extend([9, 2])
items.insert(0, 7)
print(items, items.pop(), items.pop(0), items)
items.remove(8)
print(items, items.index(3), len(items), sorted(items), sorted(items, reverse=True))
items.sort(key=lambda v: -v)
print(items, items[1:3], items[-2:], items[::-1])
items[1:3] = ["a", "b", "c"]
del items[0]
print(items)
del items[1:3]
print(items)
items.clear()
print(items)
d = {"a": 1, "b": 2}
d["c"] = 3
print(d, d.get("a"), d.get("z"), d.get("z", 0), list(d.keys()), list(d.values()))
print(list(d.items()), d.pop("b"), d.setdefault("e", 5), d, "a" in d, len(d))
for k, v in d.items():
    print(k, v)
del d["a"]
print(d)
s = {1, 2, 3}
s.add(4)
s.discard(2)
s.discard(99)
print(sorted(s), 3 in s, len(s), sorted(s | {10}), sorted(s & {1, 3}), sorted(s - {1}))
t = (1, 2, 3)
a, b, c = t
first, *rest = [1, 2, 3, 4]
print(a + b + c, first, rest, t[1], t.count(2), t + (4,), (1,) * 3)
print(list(range(5)), list(range(2, 10, 3)), list(range(5, 0, -2)), range(3))
print(min(3, 1, 2), max([4, 9, 1]), sum([1, 2, 3]), min("bca"), max([], default="none"))
