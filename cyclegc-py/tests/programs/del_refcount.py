class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("del", self.name)


a = Noisy("a")
print("created a")
del a
print("after del a")
b = Noisy("b")
b = Noisy("b2")
print("after rebinding b")
items = [Noisy("x"), Noisy("y")]
items.pop()
print("after pop")
items.clear()
print("after clear")


def scope():
    local = Noisy("local")
    print("leaving scope")


scope()
print("after scope")
c, d = Noisy("c"), Noisy("d")
del c, d
print("end")
