import gc


class C:
    pass


a = C()
b = C()
# CPython visits a list's items last to first, and only the values of a
# dict whose keys are all strs.
print(gc.get_referents([1, "two", a]))
print(gc.get_referents({"k": b}))
print(gc.get_referents((1, a)))
