//! `std::rc::Rc`: the baseline for the workloads without cycles.

use std::hint::black_box;
use std::mem::size_of;
use std::rc::Rc;

use super::Subject;
use crate::probe::{self, Canary, Outcome, Timer};

#[derive(Default)]
struct Node {
    #[allow(dead_code)] // only owned, to be dropped
    next: Option<Rc<Node>>,
    _canary: Canary,
}

#[derive(Default)]
struct Leaf {
    _value: u64,
    _canary: Canary,
}

pub struct StdRc;

impl Subject for StdRc {
    fn alloc_drop(n: usize) -> Option<Outcome> {
        let t = Timer::start();
        let mut head: Option<Rc<Node>> = None;
        for _ in 0..n {
            head = Some(Rc::new(Node {
                next: head,
                _canary: Canary,
            }));
        }
        drop(black_box(head));
        Some(t.stop(n as u64))
    }

    fn clone_drop(n: usize) -> Option<Outcome> {
        let handle = Rc::new(Node::default());
        let t = Timer::start();
        for _ in 0..n {
            drop(black_box(handle.clone()));
        }
        Some(t.stop(n as u64))
    }

    fn header_bytes(n: usize, leaf: bool) -> Option<Outcome> {
        Some(if leaf {
            let mut v = Vec::with_capacity(n);
            v.push(Rc::new(Leaf::default()));
            probe::header_bytes(n - 1, size_of::<Leaf>(), move |k| {
                v.extend((0..k).map(|i| {
                    Rc::new(Leaf {
                        _value: i as u64,
                        _canary: Canary,
                    })
                }));
                v
            })
            .0
        } else {
            let mut v = Vec::with_capacity(n);
            v.push(Rc::new(Node::default()));
            probe::header_bytes(n - 1, size_of::<Node>(), move |k| {
                v.extend((0..k).map(|_| Rc::new(Node::default())));
                v
            })
            .0
        })
    }
}
