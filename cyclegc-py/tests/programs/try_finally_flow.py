for i in range(3):
    try:
        if i == 1:
            continue
        print("body", i)
    finally:
        print("finally", i)
def f():
    for i in range(3):
        try:
            return i
        finally:
            print("cleanup", i)
print(f())
class Bad:
    def __init__(self):
        raise ValueError("init failed")
try:
    Bad()
except ValueError as e:
    print(e)
errors = [ZeroDivisionError, KeyError, IndexError, AttributeError, NameError, TypeError, ValueError]
print([issubclass(e, Exception) for e in errors], issubclass(KeyError, LookupError))
try:
    {}["x"]
except LookupError as e:
    print(type(e).__name__, e, isinstance(e, KeyError))
e = ValueError("a", 1)
print(e.args, str(e), repr(e))
class MyErr(Exception):
    def __str__(self):
        return "custom message"
try:
    raise MyErr()
except MyErr as err:
    print(err, repr(err))
def gen_error():
    raise MyErr
gen_error()
