//! `std::rc::Rc`: the baseline for the workloads without cycles.

use std::rc::Rc;

use super::common::Collector;

pub struct StdRc;

/// No collector: nothing to collect, nothing to switch off.
impl Collector for StdRc {}

super::common::subject! {
    // Nothing traces the nodes: `next` is only owned, to be dropped.
    StdRc { handle: Rc, nodes: #[allow(dead_code)] }
}
