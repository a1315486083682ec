def f():
    raise ValueError("deep")
def g():
    try:
        f()
    except ValueError as e:
        print("caught", e)
        raise e
try:
    g()
except ValueError:
    print("again")
try:
    try:
        f()
    except ValueError:
        raise
except ValueError as e:
    print("bare raise kept", e)
g()
