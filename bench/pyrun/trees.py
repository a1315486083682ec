class Tree:
    def __init__(self, parent, depth):
        self.parent = parent
        if depth > 0:
            self.left = Tree(self, depth - 1)
            self.right = Tree(self, depth - 1)
        else:
            self.left = None
            self.right = None

def count(t):
    if t is None:
        return 0
    return 1 + count(t.left) + count(t.right)

total = 0
for _ in range(20):
    t = Tree(None, 14)
    total += count(t)
    t = None
print(total)
