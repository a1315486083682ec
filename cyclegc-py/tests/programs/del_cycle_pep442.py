import gc


class Node:
    def __init__(self, name):
        self.name = name
        self.peer = None

    def __del__(self):
        # PEP 442: the peer is still intact while finalizers run
        print("del", self.name, "peer", self.peer.name)


gc.disable()
a = Node("a")
b = Node("b")
a.peer = b
b.peer = a
del a, b
print("cycle dropped, nothing freed yet")
print("collected", gc.collect())
print("done")
