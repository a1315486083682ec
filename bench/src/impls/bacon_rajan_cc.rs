//! bacon-rajan-cc 0.4: `Cc` with `Trace` written by hand (the crate has no
//! derive), `RefCell` for mutable edges, `collect_cycles` to collect from
//! the buffered candidate roots. It never collects on its own.

use std::cell::RefCell;

use bacon_rajan_cc::{collect_cycles, Cc, Trace, Tracer};

use super::common::Collector;
use crate::probe::Canary;

impl Trace for Canary {
    fn trace(&self, _: &mut Tracer) {}
}

impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

impl Trace for Leaf {
    fn trace(&self, _: &mut Tracer) {}
}

impl Trace for RingNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
}

impl Trace for DenseNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.edges.trace(tracer);
    }
}

pub struct BaconRajanCc;

impl Collector for BaconRajanCc {
    #[inline]
    fn collect() {
        collect_cycles();
    }
}

super::common::subject! {
    BaconRajanCc { handle: Cc, cell: RefCell }
}
