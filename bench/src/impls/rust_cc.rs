//! rust-cc 0.6: `Cc` with `#[derive(Trace, Finalize)]`, `RefCell` for
//! mutable edges, `collect_cycles` to collect from the possible-cycle
//! list. Automatic collection (`auto-collect`, a default feature) is on,
//! except while a collection-timed workload builds its heap
//! (`config::set_auto_collect(false)`).

use std::cell::RefCell;

use rust_cc::config::config;
use rust_cc::{collect_cycles, Cc, Context, Finalize, Trace};

use super::common::{AutoOff, Collector};
use crate::probe::Canary;

impl Finalize for Canary {}

// SAFETY: a `Canary` owns no `Cc`.
unsafe impl Trace for Canary {
    fn trace(&self, _: &mut Context<'_>) {}
}

pub struct RustCc;

impl Collector for RustCc {
    const AUTO_OFF: AutoOff = AutoOff::WhileBuilding;

    #[inline]
    fn collect() {
        collect_cycles();
    }

    fn auto_collect(on: bool) {
        config(|c| c.set_auto_collect(on)).expect("rust-cc configuration");
    }
}

super::common::subject! {
    RustCc { handle: Cc, cell: RefCell, nodes: #[derive(Trace, Finalize)] }
}
