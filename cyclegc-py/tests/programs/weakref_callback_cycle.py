import gc
import weakref


class Node:
    pass


def gone(ref):
    print("referent gone; ref() is", ref())


gc.disable()
a = Node()
b = Node()
a.b = b
b.a = a
r = weakref.ref(a, gone)
del a, b
print("before collect", r() is not None)
print("collected", gc.collect())
print("after collect", r())
