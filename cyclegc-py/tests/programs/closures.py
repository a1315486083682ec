def make_counter():
    count = 0

    def inc(step=1):
        nonlocal count
        count += step
        return count

    return inc


c = make_counter()
print(c(), c(), c(10))
adders = [lambda x, n=n: x + n for n in range(3)]
print([f(10) for f in adders])


def outer():
    x = "outer"

    def middle():
        def inner():
            return x

        return inner()

    return middle()


print(outer())
total = 0


def add(n):
    global total
    total += n


add(5)
add(7)
print(total)
print((lambda a, b=2, *args, **kw: (a, b, args, kw))(1, 3, 4, k=5))
