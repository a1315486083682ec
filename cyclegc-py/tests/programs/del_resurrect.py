import gc

saved = []


class Phoenix:
    def __init__(self):
        self.me = self

    def __del__(self):
        print("__del__ runs once")
        saved.append(self)


p = Phoenix()
del p
print("collected", gc.collect())
print("resurrected:", len(saved), type(saved[0]).__name__)
print("is_finalized", gc.is_finalized(saved[0]))
saved[0].me = None
saved.clear()
print("collected again", gc.collect())
print("end")
