# a linked structure with parent pointers, freed by the collector
import gc


class Node:
    def __init__(self, value, parent=None):
        self.value = value
        self.parent = parent
        self.children = []

    def add(self, value):
        child = Node(value, self)
        self.children.append(child)
        return child


def build():
    root = Node(0)
    for i in range(1, 4):
        c = root.add(i)
        for j in range(2):
            c.add(i * 10 + j)
    return root


def total(node):
    return node.value + sum(total(c) for c in node.children)


gc.collect()
gc.disable()
r = build()
print(total(r), len(r.children), r.children[0].parent is r)
del r
print("unreachable:", gc.collect())
gc.enable()
found = [o for o in gc.get_objects() if isinstance(o, Node)]
print("Node objects left:", len(found))
