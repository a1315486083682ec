class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    def __eq__(self, other):
        return isinstance(other, Vec) and (self.x, self.y) == (other.x, other.y)

    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return (self.x, self.y)[i]

    def __contains__(self, v):
        return v in (self.x, self.y)

    def __bool__(self):
        return bool(self.x or self.y)

    def __str__(self):
        return f"<{self.x}, {self.y}>"

    def __repr__(self):
        return f"Vec({self.x}, {self.y})"

    def __call__(self, scale):
        return self * scale


v = Vec(1, 2) + Vec(3, 4)
print(v, repr(v), v * 2, v == Vec(4, 6), v != Vec(0, 0), len(v), v[0], 6 in v)
print(sorted([Vec(2, 1), Vec(1, 5), Vec(1, 2)]), bool(Vec(0, 0)), v(3), list(v))


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n


print(list(Countdown(3)), [x for x in Countdown(2)])
it = iter([10, 20])
print(next(it), next(it), next(it, "end"))
