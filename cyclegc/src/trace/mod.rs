//! The `Trace` trait: how the collector sees the handles inside a value.

mod ext;
mod impls;

use std::borrow::Cow;
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
    /// header is 16 bytes, as an `Rc`'s, with no entry in a generation
    /// list, and they cost the collector nothing.
    /// `gc::is_tracked` says `false` for them.
    ///
    /// The derive computes it from the field types; a hand-written impl
    /// says `true` only for a type that can own no `Cc` whatever its
    /// values, and for a generic wrapper passes its parameter's on.
    ///
    /// ```
    /// use cyclegc::{gc, Cc, Trace, Tracer};
    ///
    /// /// An index into a table kept outside the heap: it owns no `Cc`.
    /// struct Handle(u32);
    /// // SAFETY: owns no `Cc`, so visiting nothing is exact, and it can
    /// // never own one, so it is a leaf.
    /// unsafe impl Trace for Handle {
    ///     const IS_LEAF: bool = true;
    ///     fn trace(&self, _: &mut Tracer<'_>) {}
    /// }
    ///
    /// #[derive(Trace)]
    /// struct Pair<T> { left: T, right: T }
    ///
    /// assert!(<Pair<Handle> as Trace>::IS_LEAF);
    /// assert!(!<Pair<Cc<Handle>> as Trace>::IS_LEAF);
    /// assert!(!gc::is_tracked(&Cc::new(Pair { left: Handle(1), right: Handle(2) })));
    /// let h = Cc::new(Handle(0));
    /// assert!(gc::is_tracked(&Cc::new(Pair { left: h.clone(), right: h })));
    /// ```
    const IS_LEAF: bool = false;

    /// Visits every [`Cc`] that `self` owns, each once: calls
    /// [`Tracer::visit`] for a `Cc` held directly, and `trace` of each
    /// field that holds handles in a container with a `Trace` impl (which
    /// then visits them). The collector calls it; you write it, or, better,
    /// derive it.
    ///
    /// [`gc::referents`](crate::gc::referents) shows what it visits:
    ///
    /// ```
    /// use cyclegc::{gc, Cc, Trace, Tracer};
    ///
    /// /// A value with a label that is no business of the collector's.
    /// struct Labeled<T> {
    ///     label: &'static str,
    ///     value: T,
    /// }
    ///
    /// // SAFETY: the only handles a `Labeled` owns are those in `value`,
    /// // whose own impl visits each once; `label` owns none. It is a leaf
    /// // exactly when `T` is.
    /// unsafe impl<T: Trace> Trace for Labeled<T> {
    ///     const IS_LEAF: bool = T::IS_LEAF;
    ///     fn trace(&self, tracer: &mut Tracer<'_>) {
    ///         self.value.trace(tracer);
    ///     }
    /// }
    ///
    /// let (a, b) = (Cc::new(1), Cc::new(2));
    /// let both = Cc::new(Labeled { label: "both", value: vec![a.clone(), b.clone()] });
    /// let ids: Vec<usize> = gc::referents(&both).iter().map(|o| o.id()).collect();
    /// assert_eq!(ids, [Cc::id(&a), Cc::id(&b)]);
    /// assert_eq!(both.label, "both");
    /// ```
    fn trace(&self, tracer: &mut Tracer<'_>);

    /// Whether the type has a [`Finalize`] impl to call; set by
    /// `#[trace(finalize)]`.
    #[doc(hidden)]
    const __FINALIZE: bool = false;

    /// The name of this object's type as the `gc` module shows it: in
    /// `DebugFlags::COLLECTABLE` lines and in the repr of an [`AnyCc`]
    /// (Python's `type(obj).__name__`). The default is the Rust type's
    /// name; an interpreter returns its class's name, with
    /// `#[trace(class_name = path)]` on a derived type (`path` is a
    /// function of `&Self` returning a `&str` or a `String`).
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc, Trace};
    ///
    /// #[derive(Trace)]
    /// #[trace(class_name = Instance::class)]
    /// struct Instance {
    ///     class: String,
    /// }
    /// impl Instance {
    ///     fn class(&self) -> &str {
    ///         &self.class
    ///     }
    /// }
    ///
    /// let obj = AnyCc::from(Cc::new(Instance { class: "Point".into() }));
    /// assert!(format!("{obj:?}").starts_with("<Point object at 0x"));
    /// assert_eq!(Trace::class_name(&*Cc::new(1_u8)), "u8");
    /// ```
    fn class_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(std::any::type_name::<Self>())
    }

    /// Calls the type's [`Finalize`] impl; written by `#[trace(finalize)]`.
    #[doc(hidden)]
    fn __finalize(&self) {}

    /// Whether this value has a finalizer to run ([`Finalize::has_finalizer`]);
    /// written by `#[trace(finalize)]`.
    #[doc(hidden)]
    fn __has_finalizer(&self) -> bool {
        true
    }

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
    ///
    /// When the last handle goes, the finalizer runs first, while weak
    /// references still upgrade; then they are cleared, then `Drop` runs:
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use cyclegc::{Cc, Finalize, Trace, Weak};
    ///
    /// thread_local!(static LOG: RefCell<Vec<&'static str>> = RefCell::new(Vec::new()));
    /// fn log(event: &'static str) {
    ///     LOG.with(|l| l.borrow_mut().push(event));
    /// }
    ///
    /// #[derive(Trace)]
    /// #[trace(finalize)]
    /// struct Conn {
    ///     me: RefCell<Weak<Conn>>,
    /// }
    /// impl Finalize for Conn {
    ///     fn finalize(&self) {
    ///         let alive = self.me.borrow().upgrade().is_some();
    ///         log(if alive { "finalize (weak still upgrades)" } else { "finalize" });
    ///     }
    /// }
    /// impl Drop for Conn {
    ///     fn drop(&mut self) {
    ///         log(if self.me.borrow().upgrade().is_some() { "drop (weak upgrades)" } else { "drop" });
    ///     }
    /// }
    ///
    /// let conn = Cc::new(Conn { me: RefCell::new(Weak::new()) });
    /// *conn.me.borrow_mut() = Cc::downgrade(&conn);
    /// drop(conn);
    /// LOG.with(|l| assert_eq!(*l.borrow(), ["finalize (weak still upgrades)", "drop"]));
    /// ```
    fn finalize(&self) {}

    /// Runs once before the value is dropped, with the object's own handle
    /// (which the finalizer may clone and keep: that resurrects the
    /// object). The default calls [`finalize`](Finalize::finalize).
    ///
    /// An object pool: a buffer that dies goes back to the pool instead
    /// of being freed. Its finalizer ran once, so the second time it dies
    /// it is freed.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use cyclegc::{gc, Cc, Finalize, Trace};
    ///
    /// #[derive(Trace)]
    /// #[trace(finalize)]
    /// struct Buffer {
    ///     bytes: RefCell<Vec<u8>>,
    ///     // a tracked type: a leaf object's finalizer runs at each death
    ///     owner: Option<Cc<Buffer>>,
    /// }
    ///
    /// thread_local!(static POOL: RefCell<Vec<Cc<Buffer>>> = RefCell::new(Vec::new()));
    ///
    /// impl Finalize for Buffer {
    ///     fn finalize_cc(this: &Cc<Buffer>) {
    ///         this.bytes.borrow_mut().clear();
    ///         POOL.with(|p| p.borrow_mut().push(this.clone())); // resurrects it
    ///     }
    /// }
    ///
    /// let buf = Cc::new(Buffer { bytes: RefCell::new(b"data".to_vec()), owner: None });
    /// let id = Cc::id(&buf);
    /// drop(buf); // last handle: the finalizer puts it in the pool
    ///
    /// let again = POOL.with(|p| p.borrow_mut().pop()).unwrap();
    /// assert_eq!(Cc::id(&again), id); // the same object, alive
    /// assert!(again.bytes.borrow().is_empty());
    /// assert!(gc::is_finalized(&again));
    /// drop(again); // finalized already: freed this time
    /// assert!(POOL.with(|p| p.borrow().is_empty()));
    /// ```
    fn finalize_cc(this: &Cc<Self>)
    where
        Self: Sized,
    {
        this.finalize()
    }

    /// Whether this value has a finalizer to run; the default is `true`.
    /// A type whose values differ (an interpreter's instances, of which
    /// only those of a class with `__del__` have one) says `false` for the
    /// others: the collector then neither calls them nor marks them
    /// finalized (`gc::is_finalized` stays `false`), as CPython does for
    /// an object whose type has no `tp_finalize`.
    ///
    /// ```
    /// use std::cell::{Cell, RefCell};
    /// use cyclegc::{gc, Cc, Finalize, Trace};
    ///
    /// #[derive(Trace)]
    /// #[trace(finalize)]
    /// struct Instance {
    ///     has_del: bool,
    ///     me: RefCell<Option<Cc<Instance>>>,
    /// }
    ///
    /// thread_local!(static DELS: Cell<u32> = const { Cell::new(0) });
    ///
    /// impl Finalize for Instance {
    ///     fn has_finalizer(&self) -> bool {
    ///         self.has_del
    ///     }
    ///     fn finalize(&self) {
    ///         DELS.with(|d| d.set(d.get() + 1));
    ///     }
    /// }
    ///
    /// for has_del in [true, false] {
    ///     let obj = Cc::new(Instance { has_del, me: RefCell::new(None) });
    ///     *obj.me.borrow_mut() = Some(obj.clone());
    ///     drop(obj);
    ///     assert_eq!(gc::collect(), 1);
    /// }
    /// assert_eq!(DELS.with(Cell::get), 1); // only the one with `__del__`
    /// ```
    fn has_finalizer(&self) -> bool {
        true
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
/// The collector passes one to every `trace` call; its public uses are
/// [`Tracer::visit`] for each owned [`Cc`], [`Tracer::visit_any`] for each
/// owned [`AnyCc`], and [`Tracer::untraceable`] when the value cannot be
/// read right now. A field whose type has a `Trace` impl is traced by
/// calling that impl (`self.field.trace(tracer)`), which visits what it
/// holds; that is also how a `Weak` field is reported (it visits nothing,
/// but the collector needs it for the weak reference's callback).
///
/// You need a `Tracer` only for a hand-written `unsafe impl Trace`: for a
/// container whose storage the derive cannot see through, such as this
/// fixed-capacity vector of handles kept in uninitialised slots.
///
/// ```
/// use std::cell::RefCell;
/// use std::mem::MaybeUninit;
/// use cyclegc::{gc, Cc, Trace, Tracer};
///
/// /// Up to four handles, inline; only the first `len` slots are
/// /// initialised.
/// struct Inline4<T: 'static> {
///     slots: [MaybeUninit<Cc<T>>; 4],
///     len: usize,
/// }
///
/// impl<T> Inline4<T> {
///     fn new() -> Self {
///         Inline4 { slots: [const { MaybeUninit::uninit() }; 4], len: 0 }
///     }
///     fn push(&mut self, cc: Cc<T>) {
///         assert!(self.len < 4, "Inline4 is full");
///         self.slots[self.len].write(cc);
///         self.len += 1;
///     }
///     fn as_slice(&self) -> &[Cc<T>] {
///         // SAFETY: the first `len` slots are initialised.
///         unsafe { std::slice::from_raw_parts(self.slots.as_ptr().cast(), self.len) }
///     }
/// }
///
/// impl<T> Drop for Inline4<T> {
///     fn drop(&mut self) {
///         for slot in &mut self.slots[..self.len] {
///             // SAFETY: initialised, and dropped once, here.
///             unsafe { slot.assume_init_drop() }
///         }
///     }
/// }
///
/// // SAFETY: the handles an `Inline4` owns are exactly those in its first
/// // `len` slots; `trace` visits each of them once, and nothing else (the
/// // uninitialised slots are never read). It holds `Cc`s, so it is not a
/// // leaf (the default `IS_LEAF = false`).
/// unsafe impl<T: 'static> Trace for Inline4<T> {
///     fn trace(&self, tracer: &mut Tracer<'_>) {
///         for cc in self.as_slice() {
///             tracer.visit(cc);
///         }
///     }
/// }
///
/// #[derive(Trace)]
/// struct Node {
///     edges: RefCell<Inline4<Node>>,
/// }
///
/// let a = Cc::new(Node { edges: RefCell::new(Inline4::new()) });
/// let b = Cc::new(Node { edges: RefCell::new(Inline4::new()) });
/// a.edges.borrow_mut().push(b.clone());
/// b.edges.borrow_mut().push(a.clone());
/// b.edges.borrow_mut().push(b.clone());
/// assert_eq!(gc::referents(&b).len(), 2); // what `trace` visits
///
/// drop((a, b));
/// assert_eq!(gc::collect(), 2); // the collector saw the cycle through the slots
/// ```
///
/// Visiting a handle twice, or one the value does not own, would make
/// the collector think the object holds more references than it does,
/// and free objects that are still in use (their next dereference then
/// panics; memory is never read after it is freed). Missing one only keeps
/// objects alive: a cycle through it is never freed.
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
    ///
    /// `overdrawn` records an object whose `gc_refs` went below zero: more
    /// visits than strong handles, which only a `Trace` impl that breaks
    /// its contract can cause.
    SubtractRefs {
        gen_limit: u32,
        roots: usize,
        overdrawn: Option<GcPtr>,
    },
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
    /// `leaves` counts the visits to each leaf object (by address): one
    /// that the garbage alone holds is garbage too, and so are the weak
    /// references inside it.
    MarkTrashWeakrefs {
        epoch: u64,
        leaves: std::collections::HashMap<usize, u32>,
    },
}

impl<'a> Tracer<'a> {
    pub(crate) fn new(mode: Mode<'a>) -> Tracer<'a> {
        Tracer {
            mode,
            untraceable: false,
        }
    }

    /// Reports one `Cc` owned by the value being traced. Call it once for
    /// every `Cc` the value owns directly (not behind a container with a
    /// `Trace` impl of its own: trace the container instead), leaf or not:
    /// [`gc::referents`](crate::gc::referents) lists leaf objects too.
    ///
    /// A struct whose fields are visited by hand:
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use cyclegc::{gc, Cc, Trace, Tracer};
    ///
    /// #[derive(Trace)]
    /// struct Grammar {
    ///     parsers: RefCell<Vec<Cc<Parser>>>,
    /// }
    ///
    /// struct Parser {
    ///     grammar: Cc<Grammar>,     // owned: visited
    ///     keywords: Vec<Cc<str>>,   // owned, in a container: traced
    ///     scratch: Vec<u8>,         // owns no `Cc`: nothing to do
    /// }
    ///
    /// // SAFETY: a `Parser` owns the handle in `grammar`, visited once here,
    /// // and those in `keywords`, which `Vec`'s impl visits once each;
    /// // `scratch` owns none.
    /// unsafe impl Trace for Parser {
    ///     fn trace(&self, tracer: &mut Tracer<'_>) {
    ///         tracer.visit(&self.grammar);
    ///         self.keywords.trace(tracer);
    ///     }
    /// }
    ///
    /// let grammar = Cc::new(Grammar { parsers: RefCell::new(Vec::new()) });
    /// let parser = Cc::new(Parser {
    ///     grammar: grammar.clone(),
    ///     keywords: vec![Cc::from("if"), Cc::from("else")],
    ///     scratch: Vec::with_capacity(64),
    /// });
    /// grammar.parsers.borrow_mut().push(parser.clone());
    /// assert_eq!(gc::referents(&parser).len(), 3); // the grammar and two keywords
    /// assert!(parser.scratch.is_empty());
    ///
    /// drop((grammar, parser));
    /// assert_eq!(gc::collect(), 2); // the grammar-parser cycle
    /// ```
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

    /// Reports one type-erased handle owned by the value being traced; the
    /// [`AnyCc`] counterpart of [`Tracer::visit`], with the same contract.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use cyclegc::{gc, AnyCc, Cc, Trace, Tracer};
    ///
    /// /// An interpreter's frame: its function, and locals of any type.
    /// struct Frame {
    ///     function: Cc<String>,
    ///     locals: RefCell<Vec<AnyCc>>,
    /// }
    ///
    /// // SAFETY: a `Frame` owns `function`, visited once, and the handles
    /// // in `locals`, each visited once. While `locals` is mutably borrowed
    /// // it cannot be read, and the collector is told so.
    /// unsafe impl Trace for Frame {
    ///     fn trace(&self, tracer: &mut Tracer<'_>) {
    ///         tracer.visit(&self.function);
    ///         match self.locals.try_borrow() {
    ///             Ok(locals) => locals.iter().for_each(|obj| tracer.visit_any(obj)),
    ///             Err(_) => tracer.untraceable(),
    ///         }
    ///     }
    /// }
    ///
    /// let frame = Cc::new(Frame { function: Cc::new("main".into()), locals: RefCell::new(Vec::new()) });
    /// frame.locals.borrow_mut().push(AnyCc::from(Cc::new(42_i64)));
    /// frame.locals.borrow_mut().push(AnyCc::from(frame.clone())); // a local that is the frame
    /// let types: Vec<&str> = gc::referents(&frame).iter().map(AnyCc::type_name).collect();
    /// assert_eq!(types.len(), 3);
    /// assert_eq!(types[1], "i64");
    ///
    /// drop(frame);
    /// assert_eq!(gc::collect(), 1);
    /// ```
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
        if let Mode::MarkTrashWeakrefs { epoch, .. } = self.mode {
            weak.mark_trash(epoch);
        }
    }

    /// Says that the value cannot be traced right now, as `RefCell`'s impl
    /// does while the cell is mutably borrowed. The collector then treats
    /// the object as referenced from outside for this collection, so
    /// nothing it might own is freed. Call it from a `Trace` impl of your
    /// own cell type.
    ///
    /// A cycle through the value then survives that collection and is
    /// found by a later one. `gc::referents` sees nothing in it meanwhile.
    ///
    /// ```
    /// use std::cell::{Cell, UnsafeCell};
    /// use std::ops::{Deref, DerefMut};
    /// use cyclegc::{gc, Cc, Trace, Tracer};
    ///
    /// /// A cell with a lock: one guard at a time gives `&mut T`.
    /// struct Lock<T> {
    ///     locked: Cell<bool>,
    ///     value: UnsafeCell<T>,
    /// }
    /// struct Guard<'a, T>(&'a Lock<T>);
    ///
    /// impl<T> Lock<T> {
    ///     fn new(value: T) -> Self {
    ///         Lock { locked: Cell::new(false), value: UnsafeCell::new(value) }
    ///     }
    ///     fn lock(&self) -> Guard<'_, T> {
    ///         assert!(!self.locked.replace(true), "already locked");
    ///         Guard(self)
    ///     }
    /// }
    /// impl<T> Deref for Guard<'_, T> {
    ///     type Target = T;
    ///     // SAFETY: the guard is the only way to the value while it lives.
    ///     fn deref(&self) -> &T { unsafe { &*self.0.value.get() } }
    /// }
    /// impl<T> DerefMut for Guard<'_, T> {
    ///     // SAFETY: as for `deref`.
    ///     fn deref_mut(&mut self) -> &mut T { unsafe { &mut *self.0.value.get() } }
    /// }
    /// impl<T> Drop for Guard<'_, T> {
    ///     fn drop(&mut self) { self.0.locked.set(false) }
    /// }
    ///
    /// // SAFETY: visits what the value owns, through its impl, when the
    /// // value can be read; while a guard holds `&mut T`, reading it would
    /// // alias that borrow, so the collector is told it cannot trace.
    /// unsafe impl<T: Trace> Trace for Lock<T> {
    ///     const IS_LEAF: bool = T::IS_LEAF;
    ///     fn trace(&self, tracer: &mut Tracer<'_>) {
    ///         if self.locked.get() {
    ///             tracer.untraceable();
    ///         } else {
    ///             // SAFETY: unlocked, and no guard can be made during `trace`.
    ///             unsafe { &*self.value.get() }.trace(tracer);
    ///         }
    ///     }
    /// }
    ///
    /// #[derive(Trace)]
    /// struct Node {
    ///     edges: Lock<Vec<Cc<Node>>>,
    /// }
    ///
    /// let a = Cc::new(Node { edges: Lock::new(Vec::new()) });
    /// let b = Cc::new(Node { edges: Lock::new(vec![a.clone()]) });
    /// {
    ///     let mut edges = a.edges.lock();
    ///     edges.push(b.clone());
    ///     assert!(gc::referents(&a).is_empty()); // locked: nothing to see
    ///     assert_eq!(gc::collect(), 0); // safe: the locked value is not read
    ///     assert_eq!(edges.len(), 1);
    /// }
    /// assert_eq!(gc::referents(&a).len(), 1);
    /// drop((a, b));
    /// assert_eq!(gc::collect(), 2);
    /// ```
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
            Mode::MarkTrashWeakrefs { leaves, .. } => *leaves.entry(ptr.as_ptr() as usize).or_default() += 1,
            Mode::SubtractRefs { .. } | Mode::MarkReachable { .. } | Mode::MarkInPlace { .. } => {}
        }
    }

    /// After the garbage was traced in `MarkTrashWeakrefs` mode: traces
    /// the leaf objects that only the garbage holds (every strong handle
    /// was visited), whose weak references are trash as well.
    pub(crate) fn mark_trash_in_leaves(&mut self) {
        let Mode::MarkTrashWeakrefs { leaves, .. } = &mut self.mode else {
            return;
        };
        let owned: Vec<NonNull<Counts>> = std::mem::take(leaves)
            .into_iter()
            .filter_map(|(addr, visits)| {
                let p = NonNull::new(addr as *mut Counts)?;
                // SAFETY: the garbage holds handles to it (it was visited),
                // so the block is allocated and the value alive.
                (unsafe { p.as_ref() }.strong.get() == visits).then_some(p)
            })
            .collect();
        for p in owned {
            // SAFETY: as above; a leaf value owns no `Cc`, so tracing it
            // visits weak references only.
            unsafe { (vtable_of(p).trace)(p, self) };
        }
    }

    #[inline]
    fn visit_tracked(&mut self, p: GcPtr) {
        match &mut self.mode {
            Mode::SubtractRefs {
                gen_limit,
                roots,
                overdrawn,
            } => {
                let h = p.header();
                let f = h.flags.get();
                if f & flags::COLLECTING != 0 {
                    // A `gc_refs` below zero can only come from a `Trace`
                    // impl that visits too much; wrapping makes the object
                    // look referenced from outside, which is the safe side,
                    // and the collector reports it (`subtract_refs`).
                    let before = h.slot.get();
                    h.slot.set(before.wrapping_sub(1));
                    match before {
                        1 => *roots -= 1,
                        0 => {
                            *roots += 1;
                            overdrawn.get_or_insert(p);
                        }
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
