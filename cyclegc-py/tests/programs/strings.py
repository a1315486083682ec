s = "Hello, World"
print(s.upper(), s.lower(), s.split(", "), "-".join(["a", "b", "c"]))
print(s.startswith("Hell"), s.endswith("x"), s.find("World"), s.replace("l", "L"))
print("  pad  ".strip() + "|", "x".center(5, "*"), "7".zfill(3), "a b  c".split())
print("{} and {}".format("this", "that"), "{1}{0}".format("a", "b"), "{name}!".format(name="hi"))
print(s[0], s[-1], s[2:5], s[::-1], s[::2], len(s), "lo" in s)
print("%s is %d years and %.1f%%" % ("Tom", 30, 99.5))
print(f"{'left':<8}|{'right':>8}|{'mid':^9}|{42:08.3f}|{255:x}|{1234567:,}")
print(str(12), str(1.5), str(None), repr([1, 'two']), "abc" * 2, "a" < "b")
for ch in "hey":
    print(ch, end=" ")
print()
