import weakref


class Item:
    def __init__(self, n):
        self.n = n


s = weakref.WeakSet()
items = [Item(i) for i in range(4)]
for it in items:
    s.add(it)
print(len(s), items[0] in s, sorted(x.n for x in s))
items.pop()
items.pop(0)
print(len(s), sorted(x.n for x in s))
s.discard(items[0])
print(len(s), items[0] in s)
