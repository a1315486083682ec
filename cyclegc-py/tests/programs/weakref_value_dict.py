import weakref


class Obj:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"Obj({self.name!r})"


cache = weakref.WeakValueDictionary()
a = Obj("a")
b = Obj("b")
cache["a"] = a
cache["b"] = b
print(len(cache), sorted(cache.keys()), cache["a"], cache.get("b"), "a" in cache)
del a
print(len(cache), sorted(cache.keys()), cache.get("a"), cache.get("a", "gone"), "a" in cache)
try:
    cache["a"]
except KeyError as e:
    print("KeyError:", e)
for k in cache:
    print("key", k)
print(sorted(cache.items(), key=lambda kv: kv[0]), list(cache.values()))
print(cache.setdefault("c", b), cache.pop("c"), len(cache))
del cache["b"]
print(len(cache))
