class AppError(Exception):
    pass


class NotFound(AppError):
    def __init__(self, key):
        super().__init__(f"missing {key}")
        self.key = key


def find(d, k):
    try:
        return d[k]
    except KeyError:
        raise NotFound(k)


try:
    find({}, "a")
except AppError as e:
    print("caught", type(e).__name__, e, e.key, e.args)

for expr in ["1/0", "[][3]", "{}['k']", "int('x')", "None.attr", "undefined_name", "len(5)"]:
    try:
        eval_result = None
        if expr == "1/0":
            1 / 0
        elif expr == "[][3]":
            [][3]
        elif expr == "{}['k']":
            {}["k"]
        elif expr == "int('x')":
            int("x")
        elif expr == "None.attr":
            None.attr
        elif expr == "undefined_name":
            undefined_name
        else:
            len(5)
    except Exception as e:
        print(type(e).__name__ + ":", e)

try:
    try:
        raise ValueError("inner")
    finally:
        print("finally runs")
except ValueError as e:
    print("outer caught", repr(e))


def f():
    try:
        return "from try"
    finally:
        print("cleanup")


print(f())
try:
    assert 1 + 1 == 3, "math is broken"
except AssertionError as e:
    print("assert:", e)
try:
    raise KeyError("k")
except (TypeError, KeyError) as e:
    print("tuple match", repr(e), str(e))
else:
    print("no")
