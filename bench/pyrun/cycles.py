class Node:
    def __init__(self, name):
        self.name = name
        self.other = None

i = 0
while i < 1000000:
    a = Node(i)
    b = Node(i)
    a.other = b
    b.other = a
    i += 1
print("done")
