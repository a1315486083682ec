import gc


class C:
    pass


a = C()
b = C()
a.x = 5
a.name = "alpha"
a.other = b
print(gc.get_referents(a))
print(gc.get_referents(b))
print(gc.get_referents(5), gc.get_referents("s"))
holder = [b]
refs = gc.get_referrers(b)
print(any(r is holder for r in refs), any(r is a for r in refs))
