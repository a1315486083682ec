import gc


class Marker:
    pass


m = Marker()
print(any(o is m for o in gc.get_objects()))
print(sum(1 for o in gc.get_objects() if isinstance(o, Marker)))
gc.collect()
print(any(o is m for o in gc.get_objects(2)), any(o is m for o in gc.get_objects(0)))
