import weakref, gc
class Observer:
    def __init__(self, name):
        self.name = name
    def notify(self, event):
        print(self.name, "got", event)
class Subject:
    def __init__(self):
        self.observers = weakref.WeakSet()
    def attach(self, o):
        self.observers.add(o)
    def emit(self, event):
        for o in sorted(self.observers, key=lambda o: o.name):
            o.notify(event)
s = Subject()
a = Observer("a")
b = Observer("b")
s.attach(a)
s.attach(b)
s.emit("first")
del a
s.emit("second")
print(len(s.observers))
registry = weakref.WeakKeyDictionary()
class Widget:
    pass
w = Widget()
registry[w] = {"clicks": 0}
registry[w]["clicks"] += 1
print(registry[w])
del w
gc.collect()
print(len(registry))
def on_death(ref):
    print("dead:", ref() is None)
x = Widget()
r = weakref.ref(x, on_death)
print(weakref.getweakrefcount(x), weakref.getweakrefs(x)[0] is r)
x = None
print("after")
