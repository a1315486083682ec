class Temp:
    scale = "C"

    def __init__(self, c):
        self._c = c

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32

    @fahrenheit.setter
    def fahrenheit(self, f):
        self._c = (f - 32) * 5 / 9

    @staticmethod
    def describe():
        return "temperature"

    @classmethod
    def unit(cls):
        return cls.scale


t = Temp(100)
print(t.fahrenheit, Temp.describe(), t.describe(), Temp.unit(), t.unit())
t.fahrenheit = 32
print(t._c)


def deco(fn):
    def wrapper(*args, **kwargs):
        print("calling", fn.__name__, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper


@deco
def add(a, b=0):
    return a + b


print(add(1, b=2))
