import gc

events = []


def cb(phase, info):
    events.append((phase, info["generation"], info["collected"], info["uncollectable"]))


gc.collect()
gc.callbacks.append(cb)


class C:
    pass


a = C()
a.me = a
del a
gc.collect()
gc.callbacks.remove(cb)
gc.collect()
print(events)
print(len(gc.callbacks))
