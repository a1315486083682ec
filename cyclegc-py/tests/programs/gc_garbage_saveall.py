import gc


class C:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"C({self.name})"


gc.collect()
gc.set_debug(gc.DEBUG_SAVEALL)
a = C("a")
b = C("b")
a.other = b
b.other = a
del a, b
print(gc.collect())
print(sorted(repr(o) for o in gc.garbage if isinstance(o, C)))
print(len(gc.garbage))
del gc.garbage[:]
print(gc.garbage)
gc.set_debug(0)
print(gc.collect())
