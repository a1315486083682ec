//! The workloads, written once for every Rust implementation.
//!
//! An implementation's module supplies only what its crate does its own
//! way: a [`Collector`] (its collect call, whether and how its automatic
//! collection is switched off) and, through [`subject!`], its pointer and
//! cell types and the attributes its node types carry (plus any `Trace`
//! written by hand). [`subject!`] defines the node types, implements
//! [`Heap`] and [`Cyclic`] with them, and implements
//! [`Subject`](super::Subject) with the functions below.
//!
//! The shapes are the same everywhere, so that the numbers compare:
//! - `alloc_drop`: a chain built front to back (`Node { next: Option<Ptr<Node>> }`),
//!   then the head dropped. Timed: building and freeing all of it,
//!   including the collection a tracing collector needs to free anything.
//! - `clone_drop`: `n` times clone one handle to a tracked node and drop
//!   the clone (`black_box` keeps the pair from being optimised away).
//! - `ring`: `n` nodes, each pointing at the one made before it, the first
//!   at the last; the last handle dropped; only the collection timed.
//! - `dense`: `n` nodes with 4 edges each to random nodes
//!   ([`crate::probe::dense_edges`]); the roots dropped, the collection timed.
//! - `live_scan`: a live ring of `n` nodes held by one handle; a full
//!   collection timed, which must free nothing. With `touch`, the handle is
//!   first cloned and the clone dropped, which makes collectors that scan
//!   only from candidate roots (bacon-rajan-cc, dumpster, rust-cc) scan.
//! - `header_bytes`: `n` tracked nodes (or leaf values) held in a
//!   preallocated `Vec`; bytes requested per object beyond
//!   `size_of::<payload>()`.
//! - `young` (cyclegc only, in its module): `n` old live nodes moved to the
//!   oldest generation, then `iters` times: a chain of `batch` young nodes
//!   pointing at the old ring, one timed `collect_generation(0)`, the chain
//!   dropped.
//!
//! Automatic collection, where a crate lets one switch it off, is off
//! while a workload that times an explicit collection builds its heap
//! (see [`AutoOff`]), and on (the default) for `alloc_drop` and
//! `clone_drop`.

use std::hint::black_box;

use crate::probe::{self, Outcome, Timer};

/// What an implementation does its own way, written by hand in its
/// module. `std::rc::Rc`, which has no collector, keeps every default.
pub trait Collector {
    /// Where automatic collection is switched off, with
    /// [`Collector::auto_collect`].
    const AUTO_OFF: AutoOff = AutoOff::Never;
    /// Whether dropping the last handle to an acyclic structure frees it.
    /// If not (rust-gc frees nothing until a collection), `alloc_drop`
    /// also times the collection that frees the chain.
    const DROP_FREES: bool = true;
    /// A full collection.
    fn collect() {}
    /// Switches automatic collection on or off.
    fn auto_collect(_on: bool) {}
}

/// Where an implementation's automatic collection is switched off. It
/// stays on for `alloc_drop` and `clone_drop` everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoOff {
    /// Nowhere: the crate never collects on its own, or cannot be told not
    /// to.
    Never,
    /// While a collection-timed workload builds its heap; back on for the
    /// timed collection.
    WhileBuilding,
    /// For the whole of a collection-timed workload, the timed collection
    /// included, and while `header_bytes` allocates.
    Throughout,
}

/// Handles to an implementation's acyclic node types and how to make them
/// (written by [`subject!`]).
pub trait Heap: Collector {
    /// `Ptr<Node>`, `Node { next: Option<Ptr<Node>> }`: a link of a chain.
    type Node: Clone;
    /// `Ptr<Leaf>`, `Leaf { value: u64 }`.
    type Leaf;
    /// `size_of::<Node>()`, the payload of `header_bytes`.
    const NODE_SIZE: usize;
    /// `size_of::<Leaf>()`, the payload of `header_bytes_leaf`.
    const LEAF_SIZE: usize;
    fn node(next: Option<Self::Node>) -> Self::Node;
    fn leaf(value: u64) -> Self::Leaf;
}

/// Handles to the node types of the workloads with cycles, whose edges sit
/// in the crate's cell type (written by [`subject!`]).
pub trait Cyclic: Heap {
    /// `Ptr<RingNode>`, `RingNode { next: Cell<Option<Ptr<RingNode>>> }`.
    type Ring: Clone;
    /// `Ptr<DenseNode>`, `DenseNode { edges: Cell<Vec<Ptr<DenseNode>>> }`.
    type Dense;
    fn ring_node(next: Option<Self::Ring>) -> Self::Ring;
    /// `*node.next.borrow_mut() = Some(next)`.
    fn set_next(node: &Self::Ring, next: Self::Ring);
    /// A node without edges.
    fn dense_node() -> Self::Dense;
    /// `from.edges.borrow_mut().push(to.clone())`.
    fn add_edge(from: &Self::Dense, to: &Self::Dense);
}

pub fn alloc_drop<H: Heap>(n: usize) -> Option<Outcome> {
    let t = Timer::start();
    let mut head: Option<H::Node> = None;
    for _ in 0..n {
        head = Some(H::node(head));
    }
    drop(black_box(head));
    if !H::DROP_FREES {
        H::collect();
    }
    Some(t.stop(n as u64))
}

pub fn clone_drop<H: Heap>(n: usize) -> Option<Outcome> {
    let handle = H::node(None);
    let t = Timer::start();
    for _ in 0..n {
        drop(black_box(handle.clone()));
    }
    Some(t.stop(n as u64))
}

pub fn header_bytes<H: Heap>(n: usize, leaf: bool) -> Option<Outcome> {
    let off = H::AUTO_OFF == AutoOff::Throughout;
    if off {
        H::auto_collect(false);
    }
    let out = if leaf {
        held(n, H::LEAF_SIZE, |i| H::leaf(i as u64))
    } else {
        held(n, H::NODE_SIZE, |_| H::node(None))
    };
    if off {
        H::auto_collect(true);
    }
    Some(out)
}

/// The bytes that `make(0)`, ..., `make(n - 2)` leave allocated in a `Vec`
/// preallocated for `n`. One more `make(0)` goes in first, uncounted: it
/// sets up whatever per-thread state the crate keeps.
fn held<T>(n: usize, payload: usize, make: impl Fn(usize) -> T) -> Outcome {
    let mut v = Vec::with_capacity(n);
    v.push(make(0));
    probe::header_bytes(n - 1, payload, move |k| {
        v.extend((0..k).map(make));
        v
    })
    .0
}

/// A ring of `n` nodes, each pointing at the one made before it and the
/// first at the last; returns the first.
pub fn build_ring<H: Cyclic>(n: usize) -> H::Ring {
    let first = H::ring_node(None);
    let mut prev = first.clone();
    for _ in 1..n {
        prev = H::ring_node(Some(prev));
    }
    H::set_next(&first, prev);
    first
}

pub fn ring<H: Cyclic>(n: usize) -> Option<Outcome> {
    timed_collection::<H, _>(n, || drop(build_ring::<H>(n)))
}

pub fn dense<H: Cyclic>(n: usize) -> Option<Outcome> {
    timed_collection::<H, _>(n, || {
        let nodes: Vec<H::Dense> = (0..n).map(|_| H::dense_node()).collect();
        for (i, j) in probe::dense_edges(n, 4) {
            H::add_edge(&nodes[i], &nodes[j]);
        }
        drop(nodes);
    })
}

pub fn live_scan<H: Cyclic>(n: usize, touch: bool) -> Option<Outcome> {
    timed_collection::<H, _>(n, || {
        let root = build_ring::<H>(n);
        if touch {
            drop(root.clone());
        }
        root
    })
}

/// Runs `build` with automatic collection off (see [`AutoOff`]), times
/// one full collection of `n` nodes, and drops what `build` returned (a
/// live root) last.
fn timed_collection<H: Collector, K>(n: usize, build: impl FnOnce() -> K) -> Option<Outcome> {
    if H::AUTO_OFF != AutoOff::Never {
        H::auto_collect(false);
    }
    let kept = build();
    if H::AUTO_OFF == AutoOff::WhileBuilding {
        H::auto_collect(true);
    }
    let t = Timer::start();
    H::collect();
    let out = t.stop(n as u64);
    if H::AUTO_OFF == AutoOff::Throughout {
        H::auto_collect(true);
    }
    drop(kept);
    Some(out)
}

/// Defines an implementation's node types, implements [`Heap`] and
/// [`Cyclic`] with them, and [`Subject`](super::Subject) with the
/// functions of this module. The implementation's [`Collector`] is written
/// by hand.
///
/// ```ignore
/// subject! {
///     RustCc {
///         handle: Cc,                        // the crate's pointer type
///         cell: RefCell,                     // its cell for mutable edges; none: no cycles
///         nodes: #[derive(Trace, Finalize)], // attributes of every node type
///         leaf: #[derive(Trace)],            // more attributes of `Leaf` alone
///         young: young,                      // `fn(n_old, iters, batch)`, with generations
///     }
/// }
/// ```
///
/// The node types, each carrying a [`crate::probe::Canary`]:
/// `Node { next: Option<P<Node>> }`, `Leaf { _value: u64 }` and, with a
/// cell type, `RingNode { next: C<Option<P<RingNode>>> }` and
/// `DenseNode { edges: C<Vec<P<DenseNode>>> }`. `nodes: by_hand` instead
/// leaves them to the module, spelled the same way: dumpster's derive
/// refers to `self` with the span of each field name, which does not
/// resolve when the fields come from a macro and the attribute does not.
macro_rules! subject {
    (
        $S:ident {
            handle: $P:ident,
            cell: $C:ident,
            nodes: by_hand
            $(, young: $young:path)?
            $(,)?
        }
    ) => {
        $crate::impls::common::subject!(@heap $S, $P);
        $crate::impls::common::subject!(@cyclic $S, $P, $C);
        $crate::impls::common::subject!(@cyclic_subject $S $(, $young)?);
    };

    (
        $S:ident {
            handle: $P:ident,
            cell: $C:ident
            $(, nodes: #[$all:meta])*
            $(, leaf: #[$leaf:meta])*
            $(, young: $young:path)?
            $(,)?
        }
    ) => {
        $crate::impls::common::subject!(@types $P, [$(#[$all])*], [$(#[$leaf])*]);
        $crate::impls::common::subject!(@cyclic_types $P, $C, [$(#[$all])*]);
        $crate::impls::common::subject!(@heap $S, $P);
        $crate::impls::common::subject!(@cyclic $S, $P, $C);
        $crate::impls::common::subject!(@cyclic_subject $S $(, $young)?);
    };

    ($S:ident { handle: $P:ident $(, nodes: #[$all:meta])* $(,)? }) => {
        $crate::impls::common::subject!(@types $P, [$(#[$all])*], []);
        $crate::impls::common::subject!(@heap $S, $P);

        impl $crate::impls::Subject for $S {
            $crate::impls::common::subject!(@acyclic_workloads);
        }
    };

    (@types $P:ident, [$(#[$all:meta])*], [$(#[$leaf:meta])*]) => {
        $(#[$all])*
        pub struct Node {
            next: Option<$P<Node>>,
            _canary: $crate::probe::Canary,
        }

        $(#[$all])*
        $(#[$leaf])*
        pub struct Leaf {
            _value: u64,
            _canary: $crate::probe::Canary,
        }
    };

    (@cyclic_types $P:ident, $C:ident, [$(#[$all:meta])*]) => {
        $(#[$all])*
        pub struct RingNode {
            next: $C<Option<$P<RingNode>>>,
            _canary: $crate::probe::Canary,
        }

        $(#[$all])*
        pub struct DenseNode {
            edges: $C<Vec<$P<DenseNode>>>,
            _canary: $crate::probe::Canary,
        }
    };

    (@heap $S:ident, $P:ident) => {
        impl $crate::impls::common::Heap for $S {
            type Node = $P<Node>;
            type Leaf = $P<Leaf>;
            const NODE_SIZE: usize = ::std::mem::size_of::<Node>();
            const LEAF_SIZE: usize = ::std::mem::size_of::<Leaf>();

            #[inline]
            fn node(next: Option<$P<Node>>) -> $P<Node> {
                $P::new(Node {
                    next,
                    _canary: $crate::probe::Canary,
                })
            }

            #[inline]
            fn leaf(value: u64) -> $P<Leaf> {
                $P::new(Leaf {
                    _value: value,
                    _canary: $crate::probe::Canary,
                })
            }
        }
    };

    (@cyclic $S:ident, $P:ident, $C:ident) => {
        impl $crate::impls::common::Cyclic for $S {
            type Ring = $P<RingNode>;
            type Dense = $P<DenseNode>;

            #[inline]
            fn ring_node(next: Option<$P<RingNode>>) -> $P<RingNode> {
                $P::new(RingNode {
                    next: $C::new(next),
                    _canary: $crate::probe::Canary,
                })
            }

            #[inline]
            fn set_next(node: &$P<RingNode>, next: $P<RingNode>) {
                *node.next.borrow_mut() = Some(next);
            }

            #[inline]
            fn dense_node() -> $P<DenseNode> {
                $P::new(DenseNode {
                    edges: $C::new(Vec::new()),
                    _canary: $crate::probe::Canary,
                })
            }

            #[inline]
            fn add_edge(from: &$P<DenseNode>, to: &$P<DenseNode>) {
                from.edges.borrow_mut().push(to.clone());
            }
        }
    };

    (@cyclic_subject $S:ident $(, $young:path)?) => {
        impl $crate::impls::Subject for $S {
            $crate::impls::common::subject!(@acyclic_workloads);

            fn ring(n: usize) -> Option<$crate::probe::Outcome> {
                $crate::impls::common::ring::<Self>(n)
            }

            fn dense(n: usize) -> Option<$crate::probe::Outcome> {
                $crate::impls::common::dense::<Self>(n)
            }

            fn live_scan(n: usize, touch: bool) -> Option<$crate::probe::Outcome> {
                $crate::impls::common::live_scan::<Self>(n, touch)
            }

            $(
                fn young(n_old: usize, iters: usize, batch: usize) -> Option<$crate::probe::Outcome> {
                    $young(n_old, iters, batch)
                }
            )?
        }
    };

    (@acyclic_workloads) => {
        fn alloc_drop(n: usize) -> Option<$crate::probe::Outcome> {
            $crate::impls::common::alloc_drop::<Self>(n)
        }

        fn clone_drop(n: usize) -> Option<$crate::probe::Outcome> {
            $crate::impls::common::clone_drop::<Self>(n)
        }

        fn header_bytes(n: usize, leaf: bool) -> Option<$crate::probe::Outcome> {
            $crate::impls::common::header_bytes::<Self>(n, leaf)
        }

        fn collect_all() {
            <Self as $crate::impls::common::Collector>::collect();
        }
    };
}

pub(crate) use subject;
