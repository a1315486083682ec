for i in range(10):
    if i == 2:
        continue
    if i == 6:
        break
    print(i, end=",")
else:
    print("no break")
print()
n = 0
while n < 5:
    n += 1
else:
    print("while done", n)
x = 15
if x < 10:
    print("small")
elif x < 20:
    print("medium")
else:
    print("large")
print("yes" if x > 10 else "no", x > 10 and x < 20, x < 10 or x == 15, not x)
print(1 < 2 < 3, 1 < 3 < 2, 0 or "", [] or [0], None is None, x is not None)
for k in {"b": 1, "a": 2}:
    print(k)
for ch, num in zip("ab", [1, 2]):
    print(ch * num)
