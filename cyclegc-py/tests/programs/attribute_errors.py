class C:
    x = 1


c = C()
print(c.x)
try:
    c.missing
except AttributeError as e:
    print(e)
try:
    C.missing
except AttributeError as e:
    print(e)
try:
    (1).foo
except AttributeError as e:
    print(e)
try:
    "s".nope()
except AttributeError as e:
    print(e)
c.y = 2
del c.y
try:
    del c.y
except AttributeError as e:
    print(e)
try:
    C(1)
except TypeError as e:
    print(e)


def f(a, b, c=3):
    return a + b + c


for call in [lambda: f(1), lambda: f(1, 2, 3, 4), lambda: f(1, 2, d=4), lambda: f(1, 2, a=1)]:
    try:
        call()
    except TypeError as e:
        print(e)
nothing = None
try:
    nothing()
except TypeError as e:
    print(e)
try:
    [1] + (2,)
except TypeError as e:
    print(e)
try:
    "a" + 1
except TypeError as e:
    print(e)
try:
    {[]: 1}
except TypeError as e:
    print(e)
try:
    a, b = [1, 2, 3]
except ValueError as e:
    print(e)
try:
    a, b, c = [1]
except ValueError as e:
    print(e)
try:
    import nosuchmodule
except ImportError as e:
    print(type(e).__name__, e)
