import gc


class C:
    pass


gc.collect()
gc.set_debug(gc.DEBUG_COLLECTABLE)
a = C()
a.me = a
del a
gc.collect()
gc.set_debug(0)
print("done")
