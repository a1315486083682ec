//! cyclegc: `Cc`, `#[derive(Trace)]`, `RefCell` for mutable edges, and the
//! `gc` module's `collect`, `collect_generation`, `disable` and `enable`.

use std::cell::RefCell;
use std::hint::black_box;
use std::mem::size_of;

use cyclegc::{gc, Cc, Trace, Tracer};

use super::Subject;
use crate::probe::{self, Canary, Outcome, Stopwatch, Timer};

// SAFETY: a `Canary` owns no `Cc`.
unsafe impl Trace for Canary {
    const IS_LEAF: bool = true;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

#[derive(Trace, Default)]
struct Node {
    next: Option<Cc<Node>>,
    canary: Canary,
}

#[derive(Trace, Default)]
struct Leaf {
    value: u64,
    canary: Canary,
}

#[derive(Trace, Default)]
pub struct RingNode {
    next: RefCell<Option<Cc<RingNode>>>,
    canary: Canary,
}

impl RingNode {
    fn new(next: Option<Cc<RingNode>>) -> RingNode {
        RingNode {
            next: RefCell::new(next),
            canary: Canary,
        }
    }
}

#[derive(Trace, Default)]
struct DenseNode {
    edges: RefCell<Vec<Cc<DenseNode>>>,
    canary: Canary,
}

/// A ring of `n` nodes, each pointing at the one made before it and the
/// first at the last; returns the first.
pub fn build_ring(n: usize) -> Cc<RingNode> {
    let first = Cc::new(RingNode::new(None));
    let mut prev = first.clone();
    for _ in 1..n {
        prev = Cc::new(RingNode::new(Some(prev)));
    }
    *first.next.borrow_mut() = Some(prev);
    first
}

pub struct Cyclegc;

impl Subject for Cyclegc {
    fn alloc_drop(n: usize) -> Option<Outcome> {
        let t = Timer::start();
        let mut head: Option<Cc<Node>> = None;
        for _ in 0..n {
            head = Some(Cc::new(Node {
                next: head,
                canary: Canary,
            }));
        }
        drop(black_box(head));
        Some(t.stop(n as u64))
    }

    fn clone_drop(n: usize) -> Option<Outcome> {
        let handle = Cc::new(Node::default());
        let t = Timer::start();
        for _ in 0..n {
            drop(black_box(handle.clone()));
        }
        Some(t.stop(n as u64))
    }

    fn ring(n: usize) -> Option<Outcome> {
        gc::disable();
        let first = build_ring(n);
        drop(first);
        let t = Timer::start();
        gc::collect();
        let out = t.stop(n as u64);
        gc::enable();
        Some(out)
    }

    fn dense(n: usize) -> Option<Outcome> {
        gc::disable();
        let nodes: Vec<Cc<DenseNode>> = (0..n).map(|_| Cc::new(DenseNode::default())).collect();
        for (i, j) in probe::dense_edges(n, 4) {
            nodes[i].edges.borrow_mut().push(nodes[j].clone());
        }
        drop(nodes);
        let t = Timer::start();
        gc::collect();
        let out = t.stop(n as u64);
        gc::enable();
        Some(out)
    }

    fn live_scan(n: usize, touch: bool) -> Option<Outcome> {
        gc::disable();
        let root = build_ring(n);
        if touch {
            drop(root.clone());
        }
        let t = Timer::start();
        gc::collect();
        let out = t.stop(n as u64);
        gc::enable();
        drop(root);
        Some(out)
    }

    fn young(n_old: usize, iters: usize, batch: usize) -> Option<Outcome> {
        gc::disable();
        let old = (n_old > 0).then(|| build_ring(n_old));
        gc::collect(); // the old ring now lives in generation 2
        let mut sw = Stopwatch::default();
        for _ in 0..iters {
            let mut chain = old.clone();
            for _ in 0..batch {
                chain = Some(Cc::new(RingNode::new(chain)));
            }
            sw.start();
            gc::collect_generation(0);
            sw.stop();
            drop(chain);
        }
        gc::enable();
        drop(old);
        Some(sw.outcome(iters as u64))
    }

    fn header_bytes(n: usize, leaf: bool) -> Option<Outcome> {
        // All objects stay in generation 0, whose list is then exactly full.
        gc::disable();
        let out = if leaf {
            let mut v = Vec::with_capacity(n);
            v.push(Cc::new(Leaf::default())); // sets up the thread's collector
            probe::header_bytes(n - 1, size_of::<Leaf>(), move |k| {
                v.extend((0..k).map(|i| {
                    Cc::new(Leaf {
                        value: i as u64,
                        canary: Canary,
                    })
                }));
                v
            })
            .0
        } else {
            let mut v = Vec::with_capacity(n);
            v.push(Cc::new(Node::default()));
            probe::header_bytes(n - 1, size_of::<Node>(), move |k| {
                v.extend((0..k).map(|_| Cc::new(Node::default())));
                v
            })
            .0
        };
        gc::enable();
        Some(out)
    }

    fn collect_all() {
        gc::collect();
    }
}
