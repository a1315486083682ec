a = []
a.append(a)
b = []
b.append(b)
print(a, repr(a))
d = {}
d["self"] = d
print(d)
try:
    print(a == b)
except RecursionError as e:
    print("RecursionError", e)
try:
    print({1: a} == {1: b})
except RecursionError as e:
    print("RecursionError", e)
print(a == a, [1, [2, {3: (4,)}]] == [1, [2, {3: (4,)}]], {1: [1]} == {1: [2]})
