import weakref
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
first = Noisy("first")
second = Noisy("second")
_private = Noisy("_private")
holder = [Noisy("in list")]
def cleanup():
    print("finalize at exit")
weakref.finalize(first, cleanup)
print("end of program")
