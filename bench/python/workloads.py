"""The bench workloads on CPython, for the `cpython` column of `cargo run -p bench`.

The harness runs this file as `python3 -c <source> WORKLOAD N ITERS BATCH`, one
fresh interpreter per measurement, and reads one line from stdout, the same
protocol as its own child processes:

    ok VALUE                      ns per op, or bytes per object
    leaked EXPECTED GOT WHEN      fewer objects freed than should have been
    broken EXPECTED GOT WHEN      live objects freed

The shapes are those of the Rust workloads (bench/src/impls/mod.rs), with a
`__slots__` node (16-byte PyGC_Head + 16-byte object header + one slot).
What was freed is checked with `gc.collect()`'s count of unreachable objects
and with `sys.getallocatedblocks()`. `python3 -c <source> rng K` prints the
first K numbers of the generator of `dense`, to check that both sides build
the same graph.
"""

import gc
import sys
import time

M64 = (1 << 64) - 1
SEED = 0x005E_EDCC_2024


class Node:
    __slots__ = ("next",)

    def __init__(self, next):
        self.next = next


class DenseNode:
    __slots__ = ("edges",)

    def __init__(self):
        self.edges = []


def splitmix64(seed):
    """SplitMix64, as bench/src/probe.rs."""
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def build_ring(n):
    """n nodes, each pointing at the one made before it, the first at the last."""
    first = Node(None)
    prev = first
    for _ in range(1, n):
        prev = Node(prev)
    first.next = prev
    return first


def tolerance(n):
    """Blocks the interpreter itself may allocate or free meanwhile."""
    return 200 + n // 100


def check_blocks(baseline, n, when):
    """`leaked` when more than a tolerance of blocks are still allocated."""
    extra = sys.getallocatedblocks() - baseline
    if extra > tolerance(n):
        return "leaked %d %d %s" % (n, max(0, n - extra), when)
    return None


def alloc_drop(n, _iters, _batch):
    gc.collect()
    baseline = sys.getallocatedblocks()
    t0 = time.perf_counter_ns()
    head = None
    for _ in range(n):
        head = Node(head)
    del head
    elapsed = time.perf_counter_ns() - t0
    return check_blocks(baseline, n, "after") or "ok %r" % (elapsed / n)


def clone_drop(n, _iters, _batch):
    handle = Node(None)
    refs = sys.getrefcount(handle)
    t0 = time.perf_counter_ns()
    for _ in range(n):
        c = handle
        del c
    elapsed = time.perf_counter_ns() - t0
    if sys.getrefcount(handle) != refs:
        return "leaked 1 0 after"
    return "ok %r" % (elapsed / n)


def ring(n, _iters, _batch):
    gc.disable()
    gc.collect()
    baseline = sys.getallocatedblocks()
    build_ring(n)  # the ring is garbage as soon as this returns
    t0 = time.perf_counter_ns()
    found = gc.collect()
    elapsed = time.perf_counter_ns() - t0
    if found < n:
        return "leaked %d %d after" % (n, found)
    if found > n:
        return "broken %d %d after" % (n, found)
    return check_blocks(baseline, n, "total") or "ok %r" % (elapsed / n)


def dense(n, _iters, _batch):
    gc.disable()
    gc.collect()
    baseline = sys.getallocatedblocks()
    nodes = [DenseNode() for _ in range(n)]
    rng = splitmix64(SEED)
    for node in nodes:
        edges = node.edges
        for _ in range(4):
            edges.append(nodes[next(rng) % n])
    del nodes, node, edges
    t0 = time.perf_counter_ns()
    gc.collect()
    elapsed = time.perf_counter_ns() - t0
    return check_blocks(baseline, n, "after") or "ok %r" % (elapsed / n)


def live_scan(n, _iters, _batch):
    gc.disable()
    gc.collect()
    root = build_ring(n)
    t0 = time.perf_counter_ns()
    found = gc.collect()
    elapsed = time.perf_counter_ns() - t0
    if found:
        return "broken 0 %d after" % found
    del root
    found = gc.collect()
    if found != n:
        return "leaked %d %d total" % (n, found)
    return "ok %r" % (elapsed / n)


def young(n_old, iters, batch):
    gc.disable()
    old = build_ring(n_old) if n_old else None
    gc.collect()  # the old ring now lives in the oldest generation
    total = 0
    for _ in range(iters):
        chain = old
        for _ in range(batch):
            chain = Node(chain)
        t0 = time.perf_counter_ns()
        found = gc.collect(0)
        total += time.perf_counter_ns() - t0
        if found:
            return "broken 0 %d after" % found
        chain = None
    del old
    found = gc.collect()
    if found != n_old:
        return "leaked %d %d total" % (n_old, found)
    return "ok %r" % (total / iters)


def header_bytes(n, make, payload):
    """Requested bytes per object beyond the payload, as tracemalloc counts them."""
    import tracemalloc

    gc.disable()
    objects = [None] * n
    objects[0] = make(0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(1, n):
        objects[i] = make(i)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return "ok %r" % ((after - before) / (n - 1) - payload)


WORKLOADS = {
    "alloc_drop": alloc_drop,
    "clone_drop": clone_drop,
    "ring": ring,
    "dense": dense,
    "live_scan": live_scan,
    # No candidate roots in CPython: a full collection always scans.
    "live_scan_untouched": live_scan,
    "young_with_big_old": young,
    "young_empty_old": young,
    # A tracked node: one 8-byte slot. A leaf: a float, 8 bytes of payload.
    "header_bytes": lambda n, _i, _b: header_bytes(n, lambda i: Node(None), 8),
    "header_bytes_leaf": lambda n, _i, _b: header_bytes(n, lambda i: i + 0.5, 8),
}


def main(argv):
    if argv[0] == "rng":
        rng = splitmix64(int(argv[2]) if len(argv) > 2 else SEED)
        print(" ".join(str(next(rng)) for _ in range(int(argv[1]))))
        return
    name, n, iters, batch = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    print(WORKLOADS[name](n, iters, batch), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
