def down(n):
    return down(n + 1)


try:
    down(0)
except RecursionError as e:
    print("caught:", e)


def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


print(fact(20))
print(fact(500) > 0 if False else "deep ok", fact(5))
down(0)
