print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 7 / 2, 1 / 3)
print(5 & 3, 5 | 3, 5 ^ 3, ~5, 1 << 10, 1024 >> 3)
print(int("42"), int(3.9), int(-3.9), float("2.5"), float(3), round(2.5), round(3.5), round(2.675, 2))
print(abs(-4), abs(-2.5), hex(255), hex(-1), bin(5), oct(8), divmod(17, 5), pow(2, 10, 1000))
print(9223372036854775807, -9223372036854775807 - 1)
print(0.1 + 0.2 == 0.3, 1 == 1.0, True + True, 3 * 1.5, 2 ** -1, 10 / 5)
print(1e300 * 1e10, -1e300 * 1e10, 1.5e-7, 123456789.123)
try:
    print(10 % 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
