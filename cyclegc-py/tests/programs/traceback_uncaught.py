def level3(x):
    return x["missing"]


def level2(x):
    return level3(x)


def level1():
    data = {"present": 1}
    return level2(data)


print("before")
level1()
print("never")
