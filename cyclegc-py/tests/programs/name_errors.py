def f():
    print(x)
    x = 1


try:
    f()
except UnboundLocalError as e:
    print(type(e).__name__, e)
try:
    print(undefined)
except NameError as e:
    print(e)
y = 1
del y
print(missing_after_del)
