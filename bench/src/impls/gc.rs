//! gc 0.5 (rust-gc): `Gc` with `#[derive(Trace, Finalize)]`, `GcCell` for
//! mutable edges (rust-gc requires it: a `RefCell` cannot root and unroot
//! what it holds), `force_collect` to collect. A mark-and-sweep collector:
//! nothing is freed until a collection, which also runs on its own as
//! allocation grows (not configurable without an unstable feature).

// gc_derive 0.5 wraps its impls in a `const _` block, which this lint flags.
#![allow(non_local_definitions)]

use std::hint::black_box;
use std::mem::size_of;

use gc::{force_collect, Finalize, Gc, GcCell, Trace};

use super::Subject;
use crate::probe::{self, Canary, Outcome, Timer};

impl Finalize for Canary {}

// SAFETY: a `Canary` owns no `Gc`.
unsafe impl Trace for Canary {
    gc::unsafe_empty_trace!();
}

#[derive(Trace, Finalize, Default)]
struct Node {
    next: Option<Gc<Node>>,
    canary: Canary,
}

#[derive(Trace, Finalize, Default)]
struct Leaf {
    value: u64,
    canary: Canary,
}

#[derive(Trace, Finalize)]
struct RingNode {
    next: GcCell<Option<Gc<RingNode>>>,
    canary: Canary,
}

impl RingNode {
    fn new(next: Option<Gc<RingNode>>) -> RingNode {
        RingNode {
            next: GcCell::new(next),
            canary: Canary,
        }
    }
}

#[derive(Trace, Finalize)]
struct DenseNode {
    edges: GcCell<Vec<Gc<DenseNode>>>,
    canary: Canary,
}

fn build_ring(n: usize) -> Gc<RingNode> {
    let first = Gc::new(RingNode::new(None));
    let mut prev = first.clone();
    for _ in 1..n {
        prev = Gc::new(RingNode::new(Some(prev)));
    }
    *first.next.borrow_mut() = Some(prev);
    first
}

pub struct RustGc;

impl Subject for RustGc {
    /// Includes the collection that frees the chain: without it nothing is
    /// freed.
    fn alloc_drop(n: usize) -> Option<Outcome> {
        let t = Timer::start();
        let mut head: Option<Gc<Node>> = None;
        for _ in 0..n {
            head = Some(Gc::new(Node {
                next: head,
                canary: Canary,
            }));
        }
        drop(black_box(head));
        force_collect();
        Some(t.stop(n as u64))
    }

    fn clone_drop(n: usize) -> Option<Outcome> {
        let handle = Gc::new(Node::default());
        let t = Timer::start();
        for _ in 0..n {
            drop(black_box(handle.clone()));
        }
        Some(t.stop(n as u64))
    }

    fn ring(n: usize) -> Option<Outcome> {
        drop(build_ring(n));
        let t = Timer::start();
        force_collect();
        Some(t.stop(n as u64))
    }

    fn dense(n: usize) -> Option<Outcome> {
        let nodes: Vec<Gc<DenseNode>> = (0..n)
            .map(|_| {
                Gc::new(DenseNode {
                    edges: GcCell::new(Vec::new()),
                    canary: Canary,
                })
            })
            .collect();
        for (i, j) in probe::dense_edges(n, 4) {
            nodes[i].edges.borrow_mut().push(nodes[j].clone());
        }
        drop(nodes);
        let t = Timer::start();
        force_collect();
        Some(t.stop(n as u64))
    }

    fn live_scan(n: usize, touch: bool) -> Option<Outcome> {
        let root = build_ring(n);
        if touch {
            drop(root.clone());
        }
        let t = Timer::start();
        force_collect();
        let out = t.stop(n as u64);
        drop(root);
        Some(out)
    }

    fn header_bytes(n: usize, leaf: bool) -> Option<Outcome> {
        Some(if leaf {
            let mut v = Vec::with_capacity(n);
            v.push(Gc::new(Leaf::default()));
            probe::header_bytes(n - 1, size_of::<Leaf>(), move |k| {
                v.extend((0..k).map(|i| {
                    Gc::new(Leaf {
                        value: i as u64,
                        canary: Canary,
                    })
                }));
                v
            })
            .0
        } else {
            let mut v = Vec::with_capacity(n);
            v.push(Gc::new(Node::default()));
            probe::header_bytes(n - 1, size_of::<Node>(), move |k| {
                v.extend((0..k).map(|_| Gc::new(Node::default())));
                v
            })
            .0
        })
    }

    fn collect_all() {
        force_collect();
    }
}
