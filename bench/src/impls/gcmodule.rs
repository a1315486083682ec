//! gcmodule 0.3 (thread-local `Cc`): `Trace` written by hand for the
//! self-referential node types with `is_type_tracked` returning `true`, as
//! its docs prescribe for recursive types, derived for the leaf;
//! `collect_thread_cycles` collects. gcmodule never collects on its own.

use std::cell::RefCell;

use gcmodule::{collect_thread_cycles, Cc, Trace, Tracer};

use super::common::Collector;
use crate::probe::Canary;

impl Trace for Canary {
    fn is_type_tracked() -> bool {
        false
    }
}

impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
    fn is_type_tracked() -> bool {
        true
    }
}

impl Trace for RingNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.next.trace(tracer);
    }
    fn is_type_tracked() -> bool {
        true
    }
}

impl Trace for DenseNode {
    fn trace(&self, tracer: &mut Tracer) {
        self.edges.trace(tracer);
    }
    fn is_type_tracked() -> bool {
        true
    }
}

pub struct Gcmodule;

impl Collector for Gcmodule {
    #[inline]
    fn collect() {
        collect_thread_cycles();
    }
}

super::common::subject! {
    Gcmodule { handle: Cc, cell: RefCell, leaf: #[derive(Trace)] }
}
