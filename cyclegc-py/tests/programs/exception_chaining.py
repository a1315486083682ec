def parse(s):
    try:
        return int(s)
    except ValueError:
        raise RuntimeError("could not parse " + s)


try:
    parse("x")
except RuntimeError as e:
    print("caught", e)
try:
    raise KeyError("a") from ValueError("b")
except KeyError as e:
    print("from", repr(e))
parse("y")
