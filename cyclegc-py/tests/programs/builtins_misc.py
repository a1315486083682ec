import sys
print("to stderr", file=sys.stderr)
sys.stdout.write("written\n")
print(sys.getrefcount(object) > 0)
def f(*args, **kwargs):
    return args, kwargs
print(f(1, 2, *[3, 4], a=1, **{"b": 2}))
print(sorted(["banana", "Apple", "cherry"], key=str.lower))
print(sorted({"b": 2, "a": 1}.items()))
print(list(map(lambda x: x * 2, [1, 2])), list(filter(None, [0, 1, "", "a"])))
print(any([0, 0, 1]), all([]), list(reversed([1, 2, 3])))
x = [1, 2, 3]
x[0] += 10
d = {"a": 1}
d["a"] += 1
print(x, d)
class A:
    pass
a = A()
a.n = 1
a.n += 5
print(a.n, vars(a), a.__dict__)
print(str(A)[:17], repr(A))
print(type(1), type("s"), type([]), type(None), type(A), type(a))
print(int, str, len, print)
print(isinstance(True, int), isinstance(1, (str, int)), isinstance("s", str))
print(1 if [] else 2, [] == [], [1, [2]] == [1, [2]], (1, 2) < (1, 3), "abc" < "abd")
print(chr(65), ord("a"), hash(1) == hash(1.0), callable(len), callable(1))
print(round(3.14159, 2), round(-0.5), 3 // -2, -3 % 5, 2 ** 0.5)
print(f"{3.0}", f"{1e20}", f"{12345.678:.1f}", f"{0.5:.0%}", f"{-3:+d}", f"{7:03}")
print("a,b,,c".split(","), "  x  y ".split(), "a-b-c".rsplit("-", 1), "x".join("abc"))
print(str(True), str(1.0), repr(1.0), repr(-1.5e-10), 1e-4, 0.0001, 123e-10)
print(list(range(0)), list(range(-3)), range(1, 10, 2)[2], len(range(0, 100, 7)))
print(max("hello"), min([3, 1, 2], key=lambda v: -v), sum([0.1] * 10))
s = {3, 1, 2}
print(len(s), 2 in s)
print([i for i in range(10) if i % 3 == 0][-1], {1: 2}.get(3, "x"))
print(dict(a=1, b=2), dict([("x", 1)]), list({"k": 1}), tuple("ab"), set())
print("%5s|%-5s|%05d|%x" % ("a", "b", 42, 255))
print(divmod(-7, 2), abs(-0.0), float("inf"), -float("inf"), 10 ** 18)
print("é".upper(), len("héllo"), "héllo"[1], "héllo"[::-1])
try:
    raise Exception("multi", "args")
except Exception as e:
    print(e, repr(e), e.args)
try:
    raise ValueError
except ValueError as e:
    print(repr(e), str(e) == "")
