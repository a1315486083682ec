import weakref


class Res:
    pass


def cleanup(name, suffix="!"):
    print("cleanup", name + suffix)
    return name


r = Res()
f = weakref.finalize(r, cleanup, "r")
print(f.alive, f.atexit)
del r
print(f.alive)
r2 = Res()
f2 = weakref.finalize(r2, cleanup, "r2", suffix="?")
print(f2() , f2.alive, f2())
r3 = Res()
f3 = weakref.finalize(r3, cleanup, "r3")
obj, func, args, kwargs = f3.detach()
print(obj is r3, func is cleanup, args, kwargs, f3.alive)
r4 = Res()
r5 = Res()
weakref.finalize(r4, cleanup, "at exit 4")
weakref.finalize(r5, cleanup, "at exit 5")
f6 = weakref.finalize(r5, cleanup, "not at exit")
f6.atexit = False
print("end of program")
