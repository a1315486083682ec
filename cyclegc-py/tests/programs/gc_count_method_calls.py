import gc
class C:
    def m(self):
        return 1
c = C()
l = []
gc.collect()
before = gc.get_count()
for i in range(50):
    c.m()
    l.append(i)
print(gc.get_count()[0] - before[0])
