print("hello", 1, 2.5, None, True, [1, "a"], (1,), {"k": 3})
print("a", "b", sep="-", end="!\n")
print(repr("it's"), repr('say "hi"'), 1e16, 0.1 + 0.2, -0.0, 10 / 4)
x = 7
print(f"x={x} {x * 2:>5} {3.14159:.2f} {x!r} {'s'!r}")
