import gc, weakref
class Tree:
    def __init__(self, parent=None):
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)
def build(depth, parent=None):
    node = Tree(parent)
    if depth > 0:
        build(depth - 1, node)
        build(depth - 1, node)
    return node
gc.collect()
root = build(6)
r = weakref.ref(root)
del root
print(r() is not None, gc.collect(), r())
class Cache:
    def __init__(self):
        self.d = weakref.WeakValueDictionary()
    def get(self, k):
        v = self.d.get(k)
        if v is None:
            v = Tree()
            self.d[k] = v
        return v
c = Cache()
t = c.get("a")
print(c.get("a") is t, len(c.d))
del t
print(len(c.d))
print(gc.get_referrers(c.d) == [c] or gc.get_referrers(c.d))
def outer():
    x = Tree()
    x.f = lambda: x
    return weakref.ref(x)
wr = outer()
print(wr() is not None)
gc.collect()
print(wr())
lst = [1, 2, 3]
it = iter(lst)
print(next(it))
lst.append(4)
print(list(it))
