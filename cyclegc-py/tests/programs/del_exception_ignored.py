class Bad:
    def __del__(self):
        raise ValueError("oops in __del__")


b = Bad()
del b
print("program goes on")
