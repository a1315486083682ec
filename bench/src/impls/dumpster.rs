//! dumpster 2 (`dumpster::unsync`): `Gc` with `#[derive(Trace)]`,
//! `RefCell` for mutable edges, `unsync::collect` to collect. Its
//! automatic collection (`default_collect_condition`) is on, except while
//! a collection-timed workload builds its heap.

use std::cell::RefCell;
use std::hint::black_box;
use std::mem::size_of;

use dumpster::unsync::{collect, default_collect_condition, set_collect_condition, CollectInfo, Gc};
use dumpster::{Trace, TraceWith, Visitor};

use super::Subject;
use crate::probe::{self, Canary, Outcome, Timer};

// SAFETY: a `Canary` owns no `Gc`.
unsafe impl<V: Visitor> TraceWith<V> for Canary {
    fn accept(&self, _: &mut V) -> Result<(), ()> {
        Ok(())
    }
}

#[derive(Trace, Default)]
struct Node {
    next: Option<Gc<Node>>,
    canary: Canary,
}

#[derive(Trace, Default)]
struct Leaf {
    value: u64,
    canary: Canary,
}

#[derive(Trace)]
struct RingNode {
    next: RefCell<Option<Gc<RingNode>>>,
    canary: Canary,
}

impl RingNode {
    fn new(next: Option<Gc<RingNode>>) -> RingNode {
        RingNode {
            next: RefCell::new(next),
            canary: Canary,
        }
    }
}

#[derive(Trace, Default)]
struct DenseNode {
    edges: RefCell<Vec<Gc<DenseNode>>>,
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

fn never_collect(_: &CollectInfo) -> bool {
    false
}

pub struct Dumpster;

impl Subject for Dumpster {
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
        set_collect_condition(never_collect);
        drop(build_ring(n));
        set_collect_condition(default_collect_condition);
        let t = Timer::start();
        collect();
        Some(t.stop(n as u64))
    }

    fn dense(n: usize) -> Option<Outcome> {
        set_collect_condition(never_collect);
        let nodes: Vec<Gc<DenseNode>> = (0..n).map(|_| Gc::new(DenseNode::default())).collect();
        for (i, j) in probe::dense_edges(n, 4) {
            nodes[i].edges.borrow_mut().push(nodes[j].clone());
        }
        drop(nodes);
        set_collect_condition(default_collect_condition);
        let t = Timer::start();
        collect();
        Some(t.stop(n as u64))
    }

    fn live_scan(n: usize, touch: bool) -> Option<Outcome> {
        set_collect_condition(never_collect);
        let root = build_ring(n);
        if touch {
            drop(root.clone());
        }
        set_collect_condition(default_collect_condition);
        let t = Timer::start();
        collect();
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
        collect();
    }
}
