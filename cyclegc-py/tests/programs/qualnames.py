def outer():
    def inner():
        pass
    return inner
class C:
    def m(self):
        return [lambda: 0 for _ in range(1)][0]
    class D:
        def n(self):
            pass
print(outer(), C.m, C().m().__qualname__, C.D.n, C.D, C().m)
print([lambda: 0 for _ in range(1)][0].__qualname__)
print((lambda: 0).__qualname__, outer.__name__, C.m.__name__)
