class Point:
    count = 0

    def __init__(self, x, y=0):
        self.x = x
        self.y = y
        Point.count += 1

    def __repr__(self):
        return f"Point({self.x}, {self.y})"

    def norm2(self):
        return self.x * self.x + self.y * self.y


p = Point(3, 4)
q = Point(1)
print(p, q, p.norm2(), Point.count)
print(type(p).__name__, isinstance(p, Point), isinstance(3, Point))
print(hasattr(p, "x"), hasattr(p, "z"), getattr(p, "z", "default"))
setattr(p, "z", 9)
print(p.z, Point.__name__, Point.__qualname__)
print([Point(i, i) for i in range(3)])
