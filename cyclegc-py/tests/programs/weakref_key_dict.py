import weakref


class Key:
    def __init__(self, name):
        self.name = name


meta = weakref.WeakKeyDictionary()
k1 = Key("one")
k2 = Key("two")
meta[k1] = "first"
meta[k2] = [1, 2]
print(len(meta), meta[k1], meta.get(k2), k1 in meta)
del k1
print(len(meta), [k.name for k in meta], list(meta.values()))
del meta[k2]
print(len(meta))
