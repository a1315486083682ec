d = {"a": 1, "b": 2}
for k in d:
    d[k] = d[k] * 10
print(d)
try:
    for k in d:
        d["new"] = 0
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    for k in d:
        del d[k]
except RuntimeError as e:
    print("RuntimeError:", e)
print(d, list(iter({"x": 1})), sorted({"z": 1, "y": 2}))
