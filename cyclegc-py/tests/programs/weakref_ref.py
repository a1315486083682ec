import weakref


class C:
    pass


o = C()
r = weakref.ref(o)
print(r() is o, r is weakref.ref(o), weakref.getweakrefcount(o))
log = []


def callback(ref):
    log.append(ref() is None)
    print("callback got the ref:", ref is r2)


r2 = weakref.ref(o, callback)
print(weakref.getweakrefcount(o), len(weakref.getweakrefs(o)))
del o
print(r(), r2(), log)
for bad in [1, "s", [], {}, (1,), None]:
    try:
        weakref.ref(bad)
    except TypeError as e:
        print("TypeError:", e)


def f():
    pass


print(weakref.ref(f)() is f, weakref.ref(C)() is C)
