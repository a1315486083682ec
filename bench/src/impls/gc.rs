//! gc 0.5 (rust-gc): `Gc` with `#[derive(Trace, Finalize)]`, `GcCell` for
//! mutable edges (rust-gc requires it: a `RefCell` cannot root and unroot
//! what it holds), `force_collect` to collect. A mark-and-sweep collector:
//! nothing is freed until a collection, which also runs on its own as
//! allocation grows (not configurable without an unstable feature).

// gc_derive 0.5 wraps its impls in a `const _` block, which this lint flags.
#![allow(non_local_definitions)]

use gc::{force_collect, Finalize, Gc, GcCell, Trace};

use super::common::Collector;
use crate::probe::Canary;

impl Finalize for Canary {}

// SAFETY: a `Canary` owns no `Gc`.
unsafe impl Trace for Canary {
    gc::unsafe_empty_trace!();
}

pub struct RustGc;

impl Collector for RustGc {
    /// `alloc_drop` includes the collection that frees the chain: without
    /// it nothing is freed.
    const DROP_FREES: bool = false;

    #[inline]
    fn collect() {
        force_collect();
    }
}

super::common::subject! {
    RustGc { handle: Gc, cell: GcCell, nodes: #[derive(Trace, Finalize)] }
}
