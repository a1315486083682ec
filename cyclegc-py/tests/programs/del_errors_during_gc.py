import gc
class A:
    def __del__(self):
        print("A.__del__", type(self).__name__)
        raise RuntimeError("in del during gc")
a = A()
a.self = a
del a
print(gc.collect())
def bad_cb(phase, info):
    raise ValueError("cb " + phase)
gc.callbacks.append(bad_cb)
gc.collect()
gc.callbacks.clear()
print("after")
class W:
    def __init__(self):
        self.junk = [W.__new__ if False else None for _ in range(3)]
    def __del__(self):
        # allocate a lot while finalizing
        x = [[i] for i in range(2000)]
        print("allocated in __del__", len(x))
w = W()
w.me = w
del w
gc.collect()
print("done")
