//! dumpster 2 (`dumpster::unsync`): `Gc` with `#[derive(Trace)]`,
//! `RefCell` for mutable edges, `unsync::collect` to collect. Its
//! automatic collection (`default_collect_condition`) is on, except while
//! a collection-timed workload builds its heap.

use std::cell::RefCell;

use dumpster::unsync::{collect, default_collect_condition, set_collect_condition, CollectInfo, Gc};
use dumpster::{Trace, TraceWith, Visitor};

use super::common::{AutoOff, Collector};
use crate::probe::Canary;

// SAFETY: a `Canary` owns no `Gc`.
unsafe impl<V: Visitor> TraceWith<V> for Canary {
    fn accept(&self, _: &mut V) -> Result<(), ()> {
        Ok(())
    }
}

// Spelled out here rather than by `subject!`: see `nodes: by_hand` there.
#[derive(Trace)]
pub struct Node {
    next: Option<Gc<Node>>,
    _canary: Canary,
}

#[derive(Trace)]
pub struct Leaf {
    _value: u64,
    _canary: Canary,
}

#[derive(Trace)]
pub struct RingNode {
    next: RefCell<Option<Gc<RingNode>>>,
    _canary: Canary,
}

#[derive(Trace)]
pub struct DenseNode {
    edges: RefCell<Vec<Gc<DenseNode>>>,
    _canary: Canary,
}

fn never_collect(_: &CollectInfo) -> bool {
    false
}

pub struct Dumpster;

impl Collector for Dumpster {
    const AUTO_OFF: AutoOff = AutoOff::WhileBuilding;

    #[inline]
    fn collect() {
        collect();
    }

    fn auto_collect(on: bool) {
        if on {
            set_collect_condition(default_collect_condition);
        } else {
            set_collect_condition(never_collect);
        }
    }
}

super::common::subject! {
    Dumpster { handle: Gc, cell: RefCell, nodes: by_hand }
}
