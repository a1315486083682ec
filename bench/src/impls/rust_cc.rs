//! rust-cc 0.6: `Cc` with `#[derive(Trace, Finalize)]`, `RefCell` for
//! mutable edges, `collect_cycles` to collect from the possible-cycle
//! list. Automatic collection (`auto-collect`, a default feature) is on,
//! except while a collection-timed workload builds its heap
//! (`config::set_auto_collect(false)`).

use std::cell::RefCell;
use std::hint::black_box;
use std::mem::size_of;

use rust_cc::config::config;
use rust_cc::{collect_cycles, Cc, Context, Finalize, Trace};

use super::Subject;
use crate::probe::{self, Canary, Outcome, Timer};

impl Finalize for Canary {}

// SAFETY: a `Canary` owns no `Cc`.
unsafe impl Trace for Canary {
    fn trace(&self, _: &mut Context<'_>) {}
}

#[derive(Trace, Finalize, Default)]
struct Node {
    next: Option<Cc<Node>>,
    canary: Canary,
}

#[derive(Trace, Finalize, Default)]
struct Leaf {
    value: u64,
    canary: Canary,
}

#[derive(Trace, Finalize)]
struct RingNode {
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

#[derive(Trace, Finalize, Default)]
struct DenseNode {
    edges: RefCell<Vec<Cc<DenseNode>>>,
    canary: Canary,
}

fn build_ring(n: usize) -> Cc<RingNode> {
    let first = Cc::new(RingNode::new(None));
    let mut prev = first.clone();
    for _ in 1..n {
        prev = Cc::new(RingNode::new(Some(prev)));
    }
    *first.next.borrow_mut() = Some(prev);
    first
}

fn auto_collect(on: bool) {
    config(|c| c.set_auto_collect(on)).expect("rust-cc configuration");
}

pub struct RustCc;

impl Subject for RustCc {
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
        auto_collect(false);
        drop(build_ring(n));
        auto_collect(true);
        let t = Timer::start();
        collect_cycles();
        Some(t.stop(n as u64))
    }

    fn dense(n: usize) -> Option<Outcome> {
        auto_collect(false);
        let nodes: Vec<Cc<DenseNode>> = (0..n).map(|_| Cc::new(DenseNode::default())).collect();
        for (i, j) in probe::dense_edges(n, 4) {
            nodes[i].edges.borrow_mut().push(nodes[j].clone());
        }
        drop(nodes);
        auto_collect(true);
        let t = Timer::start();
        collect_cycles();
        Some(t.stop(n as u64))
    }

    fn live_scan(n: usize, touch: bool) -> Option<Outcome> {
        auto_collect(false);
        let root = build_ring(n);
        if touch {
            drop(root.clone());
        }
        auto_collect(true);
        let t = Timer::start();
        collect_cycles();
        let out = t.stop(n as u64);
        drop(root);
        Some(out)
    }

    fn header_bytes(n: usize, leaf: bool) -> Option<Outcome> {
        Some(if leaf {
            let mut v = Vec::with_capacity(n);
            v.push(Cc::new(Leaf::default()));
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
        })
    }

    fn collect_all() {
        collect_cycles();
    }
}
