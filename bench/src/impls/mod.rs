//! One module per implementation, each saying what its crate does its own
//! way, the way its documentation does things: its pointer and cell types,
//! how its node types get `Trace`, its collect call and the switch for its
//! automatic collection. [`common`] writes every workload once over that,
//! in the same shapes everywhere so that the numbers compare.

pub mod bacon_rajan_cc;
pub mod common;
pub mod cyclegc;
pub mod dumpster;
pub mod gc;
pub mod gcmodule;
pub mod rc;
pub mod rust_cc;

use crate::probe::Outcome;
use crate::workload::{self, Sizes, Verdict, Workload};

/// The workloads of one implementation. `None`: not applicable.
pub trait Subject {
    fn alloc_drop(n: usize) -> Option<Outcome>;
    fn clone_drop(n: usize) -> Option<Outcome>;
    fn ring(_n: usize) -> Option<Outcome> {
        None
    }
    fn dense(_n: usize) -> Option<Outcome> {
        None
    }
    fn live_scan(_n: usize, _touch: bool) -> Option<Outcome> {
        None
    }
    fn young(_n_old: usize, _iters: usize, _batch: usize) -> Option<Outcome> {
        None
    }
    fn header_bytes(n: usize, leaf: bool) -> Option<Outcome>;
    /// The crate's full collection, run after each workload before the
    /// final drop count.
    fn collect_all() {}
}

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Impl {
    Cyclegc,
    Rc,
    Gcmodule,
    BaconRajanCc,
    Dumpster,
    Gc,
    RustCc,
    Cpython,
}

impl Impl {
    pub const ALL: [Impl; 8] = [
        Impl::Cyclegc,
        Impl::Rc,
        Impl::Gcmodule,
        Impl::BaconRajanCc,
        Impl::Dumpster,
        Impl::Gc,
        Impl::RustCc,
        Impl::Cpython,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Impl::Cyclegc => "cyclegc",
            Impl::Rc => "rc",
            Impl::Gcmodule => "gcmodule",
            Impl::BaconRajanCc => "bacon-rajan-cc",
            Impl::Dumpster => "dumpster",
            Impl::Gc => "gc",
            Impl::RustCc => "rust-cc",
            Impl::Cpython => "cpython",
        }
    }

    pub fn from_name(name: &str) -> Option<Impl> {
        Impl::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Whether this implementation has the workload at all: `Rc` has no
    /// collector, and only cyclegc and CPython have generations.
    pub fn applies_to(self, w: Workload) -> bool {
        match w {
            Workload::AllocDrop | Workload::CloneDrop | Workload::HeaderBytes | Workload::HeaderBytesLeaf => {
                true
            }
            Workload::Ring | Workload::Dense | Workload::LiveScan | Workload::LiveScanUntouched => {
                self != Impl::Rc
            }
            Workload::YoungWithBigOld | Workload::YoungEmptyOld => {
                matches!(self, Impl::Cyclegc | Impl::Cpython)
            }
        }
    }

    /// Runs workload `w` in this process, on the current thread (Rust
    /// implementations only).
    pub fn run_here(self, w: Workload, s: Sizes) -> Verdict {
        match self {
            Impl::Cyclegc => workload::run::<cyclegc::Cyclegc>(w, s),
            Impl::Rc => workload::run::<rc::StdRc>(w, s),
            Impl::Gcmodule => workload::run::<gcmodule::Gcmodule>(w, s),
            Impl::BaconRajanCc => workload::run::<bacon_rajan_cc::BaconRajanCc>(w, s),
            Impl::Dumpster => workload::run::<dumpster::Dumpster>(w, s),
            Impl::Gc => workload::run::<gc::RustGc>(w, s),
            Impl::RustCc => workload::run::<rust_cc::RustCc>(w, s),
            Impl::Cpython => Verdict::Crashed("CPython runs through python3, not in process".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::on_big_stack;

    /// Every Rust implementation, every workload, at tiny sizes: frees
    /// exactly what it should, and is n/a exactly where `applies_to` says.
    fn check(imp: Impl) {
        for w in Workload::ALL {
            let s = Sizes::tiny(w);
            let v = on_big_stack(move || imp.run_here(w, s)).unwrap();
            if imp.applies_to(w) {
                assert!(matches!(v, Verdict::Ok(_)), "{} {}: {v:?}", imp.name(), w.name());
            } else {
                assert_eq!(v, Verdict::NotApplicable, "{} {}", imp.name(), w.name());
            }
        }
    }

    macro_rules! free_what_they_should {
        ($($test:ident: $imp:ident),* $(,)?) => {
            $(
                #[test]
                fn $test() {
                    check(Impl::$imp);
                }
            )*
        };
    }

    free_what_they_should! {
        cyclegc_workloads_free_what_they_should: Cyclegc,
        rc_workloads_free_what_they_should: Rc,
        gcmodule_workloads_free_what_they_should: Gcmodule,
        bacon_rajan_cc_workloads_free_what_they_should: BaconRajanCc,
        dumpster_workloads_free_what_they_should: Dumpster,
        gc_workloads_free_what_they_should: Gc,
        rust_cc_workloads_free_what_they_should: RustCc,
    }

    #[test]
    fn header_bytes_of_rc_are_its_two_counts() {
        let s = Sizes::tiny(Workload::HeaderBytes);
        for w in [Workload::HeaderBytes, Workload::HeaderBytesLeaf] {
            assert_eq!(Impl::Rc.run_here(w, s), Verdict::Ok(16.0));
        }
    }

    /// A deliberately broken subject: its workloads forget to free, or free
    /// what is still alive. The verifier must say so.
    struct Leaky;

    impl Subject for Leaky {
        fn alloc_drop(n: usize) -> Option<Outcome> {
            use std::rc::Rc;
            let t = crate::probe::Timer::start();
            let nodes: Vec<_> = (0..n).map(|_| Rc::new(crate::probe::Canary)).collect();
            // Half the nodes are never freed.
            for (i, node) in nodes.into_iter().enumerate() {
                if i % 2 == 0 {
                    std::mem::forget(node);
                }
            }
            Some(t.stop(n as u64))
        }
        fn clone_drop(_n: usize) -> Option<Outcome> {
            None
        }
        fn live_scan(n: usize, _touch: bool) -> Option<Outcome> {
            // "Collects" live objects.
            let nodes: Vec<_> = (0..n).map(|_| crate::probe::Canary).collect();
            let t = crate::probe::Timer::start();
            drop(nodes);
            Some(t.stop(n as u64))
        }
        fn header_bytes(_n: usize, _leaf: bool) -> Option<Outcome> {
            None
        }
    }

    #[test]
    fn a_leaking_workload_is_reported_as_leaked() {
        let s = Sizes::tiny(Workload::AllocDrop);
        let v = workload::run::<Leaky>(Workload::AllocDrop, s);
        assert_eq!(
            v,
            Verdict::Leaked {
                expected: 64,
                got: 32,
                when: "after"
            }
        );
    }

    #[test]
    fn a_workload_freeing_live_objects_is_reported_as_broken() {
        let s = Sizes::tiny(Workload::LiveScan);
        let v = workload::run::<Leaky>(Workload::LiveScan, s);
        assert_eq!(
            v,
            Verdict::Broken {
                expected: 0,
                got: 64,
                when: "after"
            }
        );
    }

    #[test]
    fn a_cycle_left_uncollected_is_reported_as_leaked() {
        /// cyclegc, but its `ring` never collects.
        struct NoCollect;
        impl Subject for NoCollect {
            fn alloc_drop(_: usize) -> Option<Outcome> {
                None
            }
            fn clone_drop(_: usize) -> Option<Outcome> {
                None
            }
            fn ring(n: usize) -> Option<Outcome> {
                let first = common::build_ring::<cyclegc::Cyclegc>(n);
                drop(first);
                let t = crate::probe::Timer::start();
                Some(t.stop(n as u64))
            }
            fn header_bytes(_: usize, _: bool) -> Option<Outcome> {
                None
            }
        }
        let s = Sizes::tiny(Workload::Ring);
        let v = on_big_stack(move || workload::run::<NoCollect>(Workload::Ring, s)).unwrap();
        assert_eq!(
            v,
            Verdict::Leaked {
                expected: 64,
                got: 0,
                when: "after"
            }
        );
    }
}
