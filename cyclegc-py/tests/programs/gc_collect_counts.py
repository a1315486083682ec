import gc


class C:
    pass


gc.collect()
a = C()
b = C()
a.other = b
b.other = a
del a, b
print("two-object cycle:", gc.collect())
lst = []
lst.append(lst)
del lst
print("self-referencing list:", gc.collect())
x = C()
x.me = x
x.data = [1, 2, 3]
del x
print("instance with a list:", gc.collect())
print("nothing left:", gc.collect())
