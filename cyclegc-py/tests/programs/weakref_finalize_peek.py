import weakref


class Res:
    pass


def close(tag):
    print("closing", tag)


r = Res()
f = weakref.finalize(r, close, "r")
obj, func, args, kwargs = f.peek()
print(obj is r, func is close, args, kwargs, f.alive)
del obj
print(f.detach() is not None, f.alive, f.peek(), f.detach())
del r
print("nothing ran")
r2 = Res()
g = weakref.finalize(r2, close, "r2")
print(g(), g.alive, g.peek())
