//! bacon-rajan-cc 0.4: `Cc` with `Trace` written by hand (the crate has no
//! derive), `RefCell` for mutable edges, `collect_cycles` to collect from
//! the buffered candidate roots. It never collects on its own.

use std::cell::RefCell;
use std::hint::black_box;
use std::mem::size_of;

use bacon_rajan_cc::{collect_cycles, Cc, Trace, Tracer};

use super::Subject;
use crate::probe::{self, Canary, Outcome, Timer};

impl Trace for Canary {
    fn trace(&self, _: &mut Tracer) {}
}

#[derive(Default)]
struct Node {
    next: Option<Cc<Node>>,
    _canary: Canary,
}

impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

#[derive(Default)]
struct Leaf {
    _value: u64,
    _canary: Canary,
}

impl Trace for Leaf {
    fn trace(&self, _: &mut Tracer) {}
}

struct RingNode {
    next: RefCell<Option<Cc<RingNode>>>,
    _canary: Canary,
}

impl RingNode {
    fn new(next: Option<Cc<RingNode>>) -> RingNode {
        RingNode {
            next: RefCell::new(next),
            _canary: Canary,
        }
    }
}

impl Trace for RingNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

#[derive(Default)]
struct DenseNode {
    edges: RefCell<Vec<Cc<DenseNode>>>,
    _canary: Canary,
}

impl Trace for DenseNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.edges.trace(tracer);
    }
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

pub struct BaconRajanCc;

impl Subject for BaconRajanCc {
    fn alloc_drop(n: usize) -> Option<Outcome> {
        let t = Timer::start();
        let mut head: Option<Cc<Node>> = None;
        for _ in 0..n {
            head = Some(Cc::new(Node {
                next: head,
                _canary: Canary,
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
        drop(build_ring(n));
        let t = Timer::start();
        collect_cycles();
        Some(t.stop(n as u64))
    }

    fn dense(n: usize) -> Option<Outcome> {
        let nodes: Vec<Cc<DenseNode>> = (0..n).map(|_| Cc::new(DenseNode::default())).collect();
        for (i, j) in probe::dense_edges(n, 4) {
            nodes[i].edges.borrow_mut().push(nodes[j].clone());
        }
        drop(nodes);
        let t = Timer::start();
        collect_cycles();
        Some(t.stop(n as u64))
    }

    fn live_scan(n: usize, touch: bool) -> Option<Outcome> {
        let root = build_ring(n);
        if touch {
            drop(root.clone());
        }
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
                        _value: i as u64,
                        _canary: Canary,
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
