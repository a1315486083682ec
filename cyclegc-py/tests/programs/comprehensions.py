nums = [3, 1, 4, 1, 5, 9, 2, 6]
print([n * n for n in nums if n % 2])
print({n: n * n for n in nums if n > 3})
print(sorted({n % 3 for n in nums}))
print(sum(n for n in nums), max(n for n in nums))
print([(i, j) for i in range(3) for j in range(i)])
print([[x * y for x in range(3)] for y in range(3)])
print(list(enumerate("abc", 1)), list(zip([1, 2, 3], "xy")))
