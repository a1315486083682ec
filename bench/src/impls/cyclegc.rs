//! cyclegc: `Cc`, `#[derive(Trace)]`, `RefCell` for mutable edges, and the
//! `gc` module's `collect`, `collect_generation`, `disable` and `enable`.

use std::cell::RefCell;

use cyclegc::{gc, Cc, Trace, Tracer};

use super::common::{build_ring, AutoOff, Collector, Cyclic};
use crate::probe::{Canary, Outcome, Stopwatch};

// SAFETY: a `Canary` owns no `Cc`.
unsafe impl Trace for Canary {
    const IS_LEAF: bool = true;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

pub struct Cyclegc;

impl Collector for Cyclegc {
    /// Off for the whole workload: in `header_bytes`, all objects then stay
    /// in generation 0, whose list is exactly full.
    const AUTO_OFF: AutoOff = AutoOff::Throughout;

    #[inline]
    fn collect() {
        gc::collect();
    }

    fn auto_collect(on: bool) {
        if on {
            gc::enable();
        } else {
            gc::disable();
        }
    }
}

super::common::subject! {
    Cyclegc { handle: Cc, cell: RefCell, nodes: #[derive(Trace)], young: young }
}

/// `young_*`, the workloads only a generational collector has.
fn young(n_old: usize, iters: usize, batch: usize) -> Option<Outcome> {
    gc::disable();
    let old = (n_old > 0).then(|| build_ring::<Cyclegc>(n_old));
    gc::collect(); // the old ring now lives in generation 2
    let mut sw = Stopwatch::default();
    for _ in 0..iters {
        let mut chain = old.clone();
        for _ in 0..batch {
            chain = Some(Cyclegc::ring_node(chain));
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
