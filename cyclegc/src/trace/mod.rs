//! The `Trace` trait: how the collector sees the handles inside a value.

mod ext;
mod impls;

use std::ptr::NonNull;

use crate::any::AnyCc;
use crate::cc::Cc;
use crate::raw::{flags, vtable_of, Counts, GcPtr, GenList};
use crate::weak::Weak;

/// A type whose values can live in a [`Cc`] and whose `Cc` fields the
/// cycle collector can find.
///
/// Derive it: `#[derive(Trace)]` writes a correct implementation for
/// structs and enums, generic or not, and computes [`Trace::IS_LEAF`] from
/// the fields. Mark a field `#[trace(skip)]` when it holds no `Cc` and its
/// type has no `Trace` impl.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{Cc, Trace};
///
/// #[derive(Trace)]
/// struct Node {
///     name: String,
///     children: RefCell<Vec<Cc<Node>>>,
///     #[trace(skip)]
///     file: Option<std::fs::File>,
/// }
///
/// assert!(!<Node as Trace>::IS_LEAF);
/// assert!(<String as Trace>::IS_LEAF);
/// ```
///
/// # Safety
///
/// `trace` must call [`Tracer::visit`] exactly once for every `Cc` that
/// `self` owns, directly or through containers it owns, and for no other
/// `Cc`. A `Cc` that is not visited only makes the collector more careful
/// (what it reaches is kept alive); a `Cc` visited twice, or one that
/// `self` does not own, lets it drop values that are still in use. Since
/// cyclegc never frees memory that a handle still points to, the damage
/// stops at a panic on the next dereference, but no correct program relies
/// on that. `IS_LEAF` must be `true` only if no value of the type can ever
/// own a `Cc`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Trace`, so it cannot live in a `Cc` or a traced field",
    label = "not `Trace`",
    note = "for a type of your own, add `#[derive(Trace)]`",
    note = "for a closure, use `cyclegc::Closure` or `cyclegc::ClosureMut`: they hold the captures as a `Trace` value and call a plain `fn` with them",
    note = "for a field that owns no `Cc` (a closure that captures a `cyclegc::Weak` instead of a `Cc`, a file, a socket), add `#[trace(skip)]`",
    note = "a `Cc` inside a skipped field is invisible to the collector: a cycle through it is never freed"
)]
pub unsafe trait Trace: 'static {
    /// `true` when no value of this type can ever own a [`Cc`] (directly or
    /// through owned containers).
    ///
    /// Objects of a leaf type cannot be part of a cycle, so the collector
    /// never tracks them (Python's untracking of atomic objects): their
    /// header is 8 bytes and they cost the collector nothing.
    /// `gc::is_tracked` says `false` for them.
    const IS_LEAF: bool = false;

    /// Visits every [`Cc`] that `self` owns, each once.
    fn trace(&self, tracer: &mut Tracer<'_>);

    /// Whether the type has a [`Finalize`] impl to call; set by
    /// `#[trace(finalize)]`.
    #[doc(hidden)]
    const __FINALIZE: bool = false;

    /// Calls the type's [`Finalize`] impl; written by `#[trace(finalize)]`.
    #[doc(hidden)]
    fn __finalize(&self) {}

    /// Calls the type's [`Finalize::finalize_cc`] with the object's own
    /// handle; written by `#[trace(finalize)]`.
    #[doc(hidden)]
    fn __finalize_cc(this: &Cc<Self>)
    where
        Self: Sized,
    {
        this.__finalize()
    }
}

/// A finalizer: code that runs once before an object's value is dropped,
/// while everything it refers to is still intact (PEP 442).
///
/// Implement it and add `#[trace(finalize)]` beside `#[derive(Trace)]`.
/// `finalize` is called at most once per object (see
/// [`gc::is_finalized`](crate::gc::is_finalized)):
///
/// - when the last strong handle goes, before the value is dropped, while
///   weak references to the object still upgrade;
/// - for a garbage cycle, before *any* value of the garbage is dropped, so
///   every member it reads is intact. This is the place for code that needs
///   its siblings, which a `Drop` impl may find already dropped.
///
/// A finalizer may resurrect objects by storing a handle somewhere
/// reachable; the collector then frees nothing that was resurrected, and
/// the resurrected object's finalizer is not called again. Objects of a
/// leaf type (never tracked) have no such memory, as in CPython: their
/// finalizer runs at each death.
///
/// ```
/// use std::cell::{Cell, RefCell};
/// use cyclegc::{gc, Cc, Finalize, Trace};
///
/// #[derive(Trace)]
/// #[trace(finalize)]
/// struct Node {
///     name: &'static str,
///     peer: RefCell<Option<Cc<Node>>>,
/// }
///
/// thread_local!(static SEEN: RefCell<Vec<String>> = RefCell::new(Vec::new()));
///
/// impl Finalize for Node {
///     fn finalize(&self) {
///         // the peer is still intact here, even inside a garbage cycle
///         let peer = self.peer.borrow().as_ref().map(|p| p.name).unwrap_or("-");
///         SEEN.with(|s| s.borrow_mut().push(format!("{} (peer {peer})", self.name)));
///     }
/// }
///
/// let a = Cc::new(Node { name: "a", peer: RefCell::new(None) });
/// let b = Cc::new(Node { name: "b", peer: RefCell::new(Some(a.clone())) });
/// *a.peer.borrow_mut() = Some(b.clone());
/// drop((a, b));
/// assert_eq!(gc::collect(), 2);
/// SEEN.with(|s| assert_eq!(*s.borrow(), ["a (peer b)", "b (peer a)"]));
/// ```
///
/// # A finalizer that needs its own handle
///
/// Python's `__del__(self)` receives the object, and may store it
/// somewhere (resurrecting it). Implement [`Finalize::finalize_cc`]
/// instead of `finalize` to get the object's own [`Cc`]; clone it to keep
/// the object alive. Inside a garbage cycle this is the only way to reach
/// the object: a `Weak` to it no longer upgrades there.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Finalize, Trace};
///
/// #[derive(Trace)]
/// #[trace(finalize)]
/// struct Phoenix {
///     me: RefCell<Option<Cc<Phoenix>>>,
/// }
///
/// thread_local!(static ASHES: RefCell<Vec<Cc<Phoenix>>> = RefCell::new(Vec::new()));
///
/// impl Finalize for Phoenix {
///     fn finalize_cc(this: &Cc<Phoenix>) {
///         ASHES.with(|a| a.borrow_mut().push(this.clone())); // rises again
///     }
/// }
///
/// let p = Cc::new(Phoenix { me: RefCell::new(None) });
/// *p.me.borrow_mut() = Some(p.clone()); // a cycle
/// drop(p);
/// assert_eq!(gc::collect(), 0); // resurrected: nothing freed
/// let p = ASHES.with(|a| a.borrow_mut().pop()).unwrap();
/// assert!(gc::is_finalized(&p)); // and its finalizer will not run again
/// # *p.me.borrow_mut() = None;
/// ```
///
/// # `#[trace(finalize)]` is required
///
/// The attribute is what makes the collector call the finalizer; without
/// it, an `impl Finalize` does not compile (it would never run):
///
/// ```compile_fail
/// use cyclegc::{Finalize, Trace};
///
/// #[derive(Trace)]
/// struct Forgotten;
///
/// impl Finalize for Forgotten { // error: `Forgotten` ... has no `#[trace(finalize)]`
///     fn finalize(&self) {}
/// }
/// ```
pub trait Finalize: FinalizeHook {
    /// Runs once before the value is dropped; see the trait's docs. The
    /// default does nothing, for a type that implements
    /// [`finalize_cc`](Finalize::finalize_cc) instead.
    fn finalize(&self) {}

    /// Runs once before the value is dropped, with the object's own handle
    /// (which the finalizer may clone and keep: that resurrects the
    /// object). The default calls [`finalize`](Finalize::finalize).
    fn finalize_cc(this: &Cc<Self>)
    where
        Self: Sized,
    {
        this.finalize()
    }
}

/// The link between a type's `Trace` impl and its [`Finalize`] impl:
/// `#[trace(finalize)]` implements it, and you never need to name it. It
/// exists so that an `impl Finalize` without `#[trace(finalize)]`, which
/// the collector would never call, is a compile error instead of a silent
/// no-op.
///
/// ```
/// use cyclegc::{Finalize, FinalizeHook, Trace};
///
/// #[derive(Trace)]
/// #[trace(finalize)]
/// struct Logged;
/// impl Finalize for Logged {}
///
/// fn has_hook<T: FinalizeHook>() {}
/// has_hook::<Logged>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` implements `Finalize`, but its `#[derive(Trace)]` has no `#[trace(finalize)]`",
    label = "this finalizer would never be called",
    note = "add `#[trace(finalize)]` next to `#[derive(Trace)]` on `{Self}`: that is what makes the collector call it"
)]
pub trait FinalizeHook {}

/// What [`Trace::trace`] reports the handles it owns to.
///
/// The collector passes one to every `trace` call; its only public use is
/// [`Tracer::visit`] (and [`Tracer::visit_any`] for type-erased handles).
pub struct Tracer<'a> {
    pub(crate) mode: Mode<'a>,
    /// Set when the value could not be traced this time.
    pub(crate) untraceable: bool,
}

/// Marks `p` `COLLECTING` with `gc_refs` set to `refs`, counting it in
/// `roots` if that is nonzero (referenced from outside, so far).
#[inline]
pub(crate) fn start_gc_refs(p: GcPtr, refs: u32, roots: &mut usize) {
    let h = p.header();
    h.slot.set(refs);
    h.flags.set(h.flags.get() | flags::COLLECTING);
    *roots += usize::from(refs != 0);
}

/// What a trace is for: one mode per collector phase or introspection.
pub(crate) enum Mode<'a> {
    /// `subtract_refs`: every referent inside the generations being
    /// collected loses one `gc_refs`. A referent not yet seen whose
    /// generation is below `gen_limit` is initialised to its strong count
    /// first (0 when the set is already initialised, as for resurrection).
    SubtractRefs { gen_limit: u32, roots: usize },
    /// `move_reachable`: every referent still `COLLECTING` is reachable; it
    /// moves into `target`, whose new tail is traced in turn.
    MarkReachable {
        target: &'a mut GenList,
        target_gen: u32,
    },
    /// `mark_in_place`: every referent still `COLLECTING` is reachable; it
    /// takes the target generation's bits and goes on `stack` to be traced.
    MarkInPlace {
        target_gen: u32,
        stack: Vec<GcPtr>,
        marked: usize,
    },
    /// `gc::referents`: collect a strong handle to every referent.
    Referents(&'a mut Vec<AnyCc>),
    /// `gc::referrers`: does the value refer to `target`?
    FindReferent { target: NonNull<Counts>, found: bool },
    /// Marks the weak references owned by garbage as trash for collection
    /// `epoch`: their callbacks must not run (CPython's `handle_weakrefs`).
    MarkTrashWeakrefs { epoch: u64 },
}

impl<'a> Tracer<'a> {
    pub(crate) fn new(mode: Mode<'a>) -> Tracer<'a> {
        Tracer {
            mode,
            untraceable: false,
        }
    }

    /// Reports one `Cc` owned by the value being traced.
    #[inline]
    pub fn visit<T: ?Sized + 'static>(&mut self, cc: &Cc<T>) {
        let block = cc.block();
        // SAFETY: `cc` is a live handle: its block is allocated.
        if unsafe { block.as_ref() }.is_tracked() {
            // SAFETY: `cc` is a live handle to a tracked block.
            self.visit_tracked(unsafe { GcPtr::new(block) });
        } else {
            self.visit_leaf(block);
        }
    }

    /// Reports one type-erased handle owned by the value being traced.
    #[inline]
    pub fn visit_any(&mut self, obj: &AnyCc) {
        if obj.vtable.is_leaf {
            self.visit_leaf(obj.ptr);
        } else {
            // SAFETY: `obj` is a live handle to a tracked block.
            self.visit_tracked(unsafe { GcPtr::new(obj.ptr) });
        }
    }

    /// Whether containers must visit even elements that can own no `Cc`
    /// (they may own weak references whose callbacks are in question).
    /// The impls of this crate skip leaf elements otherwise.
    #[inline]
    pub(crate) fn wants_leaves(&self) -> bool {
        matches!(self.mode, Mode::MarkTrashWeakrefs { .. })
    }

    /// Reports a weak reference owned by the value being traced.
    #[inline]
    pub(crate) fn visit_weak<T: ?Sized + 'static>(&mut self, weak: &Weak<T>) {
        if let Mode::MarkTrashWeakrefs { epoch } = self.mode {
            weak.mark_trash(epoch);
        }
    }

    /// Says that the value cannot be traced right now, as `RefCell`'s impl
    /// does while the cell is mutably borrowed. The collector then treats
    /// the object as referenced from outside for this collection, so
    /// nothing it might own is freed. Call it from a `Trace` impl of your
    /// own cell type.
    pub fn untraceable(&mut self) {
        self.untraceable = true;
    }

    /// `move_reachable` from one root: moves `p` and everything it reaches
    /// that is still `COLLECTING` into the target generation, tracing the
    /// target's entries from index `traced` on (and advancing it).
    pub(crate) fn mark_reachable_from(&mut self, p: GcPtr, traced: &mut usize) {
        let Mode::MarkReachable { target, target_gen } = &mut self.mode else {
            unreachable!("mark_reachable_from outside move_reachable");
        };
        target.push(p, *target_gen);
        loop {
            let next = match &self.mode {
                Mode::MarkReachable { target, .. } => target.as_slice().get(*traced).copied(),
                _ => None,
            };
            let Some(q) = next else { break };
            *traced += 1;
            q.trace(self);
        }
    }

    /// `mark_in_place` from one root: marks `p` and everything it reaches
    /// that is still `COLLECTING`.
    pub(crate) fn mark_in_place_from(&mut self, p: GcPtr) {
        self.visit_tracked(p);
        loop {
            let next = match &mut self.mode {
                Mode::MarkInPlace { stack, .. } => stack.pop(),
                _ => None,
            };
            let Some(q) = next else { break };
            q.trace(self);
        }
    }

    /// The length of the target generation in `move_reachable`, or how many
    /// objects `mark_in_place` has marked.
    pub(crate) fn marked(&self) -> usize {
        match &self.mode {
            Mode::MarkReachable { target, .. } => target.len(),
            Mode::MarkInPlace { marked, .. } => *marked,
            _ => 0,
        }
    }

    fn visit_leaf(&mut self, ptr: NonNull<Counts>) {
        match &mut self.mode {
            // SAFETY: the handle being visited keeps the block allocated.
            Mode::Referents(out) => out.push(AnyCc::from_raw_clone(ptr, unsafe { vtable_of(ptr) })),
            Mode::FindReferent { target, found } => *found |= ptr == *target,
            Mode::SubtractRefs { .. }
            | Mode::MarkReachable { .. }
            | Mode::MarkInPlace { .. }
            | Mode::MarkTrashWeakrefs { .. } => {}
        }
    }

    #[inline]
    fn visit_tracked(&mut self, p: GcPtr) {
        match &mut self.mode {
            Mode::SubtractRefs { gen_limit, roots } => {
                let h = p.header();
                let f = h.flags.get();
                if f & flags::COLLECTING != 0 {
                    // A `gc_refs` below zero can only come from a `Trace`
                    // impl that visits too much; wrapping makes the object
                    // look referenced from outside, which is the safe side.
                    let before = h.slot.get();
                    h.slot.set(before.wrapping_sub(1));
                    match before {
                        1 => *roots -= 1,
                        0 => *roots += 1,
                        _ => {}
                    }
                } else if flags::generation(f) < *gen_limit {
                    start_gc_refs(p, h.counts.strong.get().wrapping_sub(1), roots);
                }
            }
            Mode::MarkReachable { target, target_gen } => {
                if p.flags() & flags::COLLECTING != 0 {
                    target.push(p, *target_gen);
                }
            }
            Mode::MarkInPlace {
                target_gen,
                stack,
                marked,
            } => {
                let f = p.flags();
                if f & flags::COLLECTING != 0 {
                    let f = f & !(flags::COLLECTING | flags::UNTRACEABLE);
                    p.set_flags(flags::with_generation(f, *target_gen));
                    *marked += 1;
                    stack.push(p);
                }
            }
            Mode::Referents(out) => {
                out.push(AnyCc::from_tracked(p));
            }
            Mode::FindReferent { target, found } => *found |= p.as_counts() == *target,
            Mode::MarkTrashWeakrefs { .. } => {}
        }
    }
}
