//! # cyclegc: Python's memory model for Rust
//!
//! Reference counting that frees acyclic objects at once, a generational
//! cycle collector with the controls and introspection of Python's `gc`
//! module, and weak references with the tools of Python's `weakref`
//! module.
//!
//! - [`Cc<T>`] is `Rc<T>` that also frees cycles: clone and drop cost what
//!   they cost for `Rc`, and the last handle's drop frees the value at
//!   once. Objects that form cycles are found by CPython's algorithm
//!   (trial deletion over three generations) and freed, automatically as
//!   you allocate, or when you call [`gc::collect`]. It has the rest of
//!   `Rc`'s API ([`Cc::get_mut`], [`Cc::make_mut`], [`Cc::try_unwrap`],
//!   [`Cc::new_cyclic`], [`Cc::pin`], raw pointers) and unsized values:
//!   `Cc<dyn Trait>` ([`coerce_cc!`]), `Cc<[T]>`, `Cc<str>`.
//! - [`Weak<T>`] does not keep its object alive; [`AnyCc`] and [`AnyWeak`]
//!   hold objects of any type.
//! - [`gc`] shows the heap: counts, thresholds, statistics, what an object
//!   refers to and who refers to it, the garbage a collection found.
//! - [`weakref`]: callbacks, `finalize`, `WeakValueDictionary`,
//!   `WeakKeyDictionary`, `WeakSet`.
//! - [`Trace`] tells the collector which handles a value owns; derive it.
//!   [`Closure`] is a callback whose captured handles the collector sees.
//!
//! ```
//! use std::cell::RefCell;
//! use cyclegc::{gc, Cc, Trace, Weak};
//!
//! #[derive(Trace)]
//! struct Person {
//!     name: String,
//!     friends: RefCell<Vec<Cc<Person>>>,
//! }
//!
//! let alice = Cc::new(Person { name: "alice".into(), friends: RefCell::new(vec![]) });
//! let bob = Cc::new(Person { name: "bob".into(), friends: RefCell::new(vec![alice.clone()]) });
//! alice.friends.borrow_mut().push(bob.clone());
//! let watch: Weak<Person> = Cc::downgrade(&alice);
//!
//! drop(alice);
//! drop(bob);
//! assert!(watch.upgrade().is_some()); // the cycle keeps them alive...
//! assert_eq!(gc::collect(), 2);       // ...until the collector finds it
//! assert!(watch.upgrade().is_none());
//! ```
//!
//! The tour (`cargo run --release --example tour` in the repository) walks
//! through the ten scenarios of the Python article this crate grew from,
//! each with what CPython printed and what the Rust code prints.
//!
//! # Python and Rust, side by side
//!
//! | Python | cyclegc |
//! |---|---|
//! | `obj = C()` | `let obj = Cc::new(C { .. })` |
//! | `other = obj` | `let other = obj.clone()` |
//! | `del obj` | `drop(obj)` |
//! | `id(obj)` | [`Cc::id`] |
//! | `__del__(self)` | [`Finalize`] with `#[trace(finalize)]` ([`Finalize::finalize_cc`] to get `self`) |
//! | `gc.collect()`, `gc.collect(1)` | [`gc::collect`], [`gc::collect_generation`] |
//! | `gc.disable()`, `gc.enable()`, `gc.isenabled()` | [`gc::disable`], [`gc::enable`], [`gc::is_enabled`] |
//! | `gc.get_count()`, `gc.get_threshold()`, `gc.set_threshold(..)` | [`gc::count`], [`gc::threshold`], [`gc::set_threshold`] |
//! | `gc.get_stats()` | [`gc::stats`] |
//! | `gc.set_debug(gc.DEBUG_SAVEALL)`, `gc.garbage` | [`gc::set_debug`]`(DebugFlags::SAVEALL)`, [`gc::garbage`], [`gc::clear_garbage`] |
//! | `gc.get_referents(o)`, `gc.get_referrers(o)` | [`gc::referents`], [`gc::referrers`] |
//! | `gc.get_objects()`, `gc.is_tracked(o)`, `gc.is_finalized(o)` | [`gc::objects`], [`gc::is_tracked`], [`gc::is_finalized`] |
//! | `gc.freeze()`, `gc.unfreeze()`, `gc.get_freeze_count()` | [`gc::freeze`], [`gc::unfreeze`], [`gc::freeze_count`] |
//! | `gc.callbacks.append(cb)` | [`gc::add_callback`] |
//! | `weakref.ref(o)`, `weakref.ref(o, cb)` | [`Cc::downgrade`], [`Cc::downgrade_with_callback`] (any type: [`AnyCc::downgrade`]) |
//! | `r()` | [`Weak::upgrade`] |
//! | `weakref.getweakrefcount(o)`, `weakref.getweakrefs(o)` | [`weakref::getweakrefcount`], [`weakref::getweakrefs`] |
//! | `weakref.finalize(o, f)` | [`weakref::finalize`] |
//! | `weakref.WeakValueDictionary()`, `WeakKeyDictionary()`, `WeakSet()` | [`weakref::WeakValueDictionary`], [`weakref::WeakKeyDictionary`], [`weakref::WeakSet`] |
//!
//! # How it works
//!
//! - **Reference counts first.** Every object lives in a heap block with a
//!   16-byte header: a strong and a weak count (32 bits each), then, for an
//!   object whose type may own a `Cc` (*tracked*), its slot in its
//!   generation's list and a flags word with its generation, state bits and
//!   its type's id; for a *leaf* (a type that can never own a `Cc`, such as
//!   `i64`, `String`, `Vec<u8>`: `Trace::IS_LEAF`, computed by the derive),
//!   a pointer to its type's operations. Leaves are never tracked, as CPython
//!   untracks atomic objects. So every block knows its own type, which is
//!   what lets `Cc<dyn Trait>` and `AnyCc` drop, trace and finalize the
//!   concrete value. The last strong handle's drop frees the value at once.
//! - **CPython's collector** (`Modules/gcmodule.c`) for cycles: tracked
//!   objects sit in three generations; allocating past a threshold runs a
//!   collection, which subtracts the references from inside the collected
//!   generations from each object's strong count (trial deletion). What is
//!   still referenced from outside, and all it reaches, survives and moves
//!   a generation up. The rest is garbage: its weak references are cleared
//!   and their callbacks run, then its finalizers run with all of it
//!   intact, then what a finalizer resurrected is kept, then the values
//!   are dropped.
//! - **Nothing recurses** in proportion to the data: a chain of ten million
//!   objects is freed, and a cycle of that size collected, on an ordinary
//!   8 MiB stack.
//! - **No use after free.** A block is freed only when its last handle,
//!   strong or weak, is gone, so a `Drop` that reaches a sibling the
//!   collector already tore down finds it marked dropped and panics with a
//!   message that names the remedy; it never reads freed memory.
//! - **One collector per thread.** `Cc` is neither `Send` nor `Sync`, like
//!   `Rc`. A thread's leftover cycles are collected when it exits.
//!
//! # Closures and callbacks
//!
//! A `Box<dyn Fn(&Event)>` cannot be traced: a field holding one needs
//! `#[trace(skip)]`, and a `Cc` it captured is invisible to the collector,
//! so a listener that captures the form it belongs to leaks the whole
//! form without a word. There are three ways out: a [`Closure`] (or
//! [`ClosureMut`]), which owns its captures as a traced value and calls a
//! plain `fn` with them; capturing a [`Weak`] instead of a `Cc`; or
//! `#[trace(skip)]` for a closure that owns no `Cc` at all. The
//! [`closure`] module shows the leak and each way out.
//!
//! ```
//! use std::cell::RefCell;
//! use cyclegc::{gc, Cc, Closure, Trace};
//!
//! struct Click;
//!
//! #[derive(Trace)]
//! struct Button {
//!     on_click: RefCell<Vec<Closure<fn(&Click)>>>,
//! }
//!
//! let button = Cc::new(Button { on_click: RefCell::new(vec![]) });
//! // the listener captures its own button: a cycle the collector can see
//! button.on_click.borrow_mut().push(Closure::new(button.clone(), |b, _click| {
//!     assert_eq!(b.on_click.borrow().len(), 1);
//! }));
//! button.on_click.borrow()[0].call(&Click);
//! drop(button);
//! assert_eq!(gc::collect(), 1);
//! ```
//!
//! # Pitfalls
//!
//! - **A `Drop` that reads its siblings.** When a garbage cycle is freed,
//!   its values are dropped one by one; a `Drop` that dereferences another
//!   member may find it gone (it panics, or use [`Cc::try_deref`]). Put
//!   such code in a [`Finalize`] impl: finalizers run while the whole
//!   cycle is intact.
//! - **Skipped fields and closures.** A `Cc` inside a `#[trace(skip)]`
//!   field or a closure is invisible to the collector: a cycle through it
//!   is never freed. Trace it, or make it a `Weak`.
//! - **Allocation may run other objects' code.** [`Cc::new`] of a tracked
//!   object may start an automatic collection, and with it the `Drop`
//!   impls, finalizers and weak callbacks of whatever garbage it finds. A
//!   panic in them is reported on standard error and swallowed (as CPython
//!   does for exceptions in `__del__`); only an explicit [`gc::collect`]
//!   resumes it. Do not hold a `RefCell` borrow across `Cc::new` if a
//!   finalizer could need it, and call [`gc::disable`] around code that
//!   must not be interrupted.
//! - **Interior mutability during a collection.** A `RefCell` that is
//!   mutably borrowed while a collection runs hides its contents: its
//!   object counts as referenced from outside for that collection, so
//!   nothing is freed wrongly, but a cycle through it waits for the next
//!   collection. The same holds for the value behind a [`Cc::get_mut`]
//!   guard.
//!
//! # Feature flags
//!
//! | feature | default | what |
//! |---|---|---|
//! | `derive` | yes | `#[derive(Trace)]`, from the `cyclegc-derive` crate |
//! | `atexit` | yes | run [`weakref::run_exit_finalizers`] when a thread (for the main thread: the program) exits, as Python runs `weakref.finalize` objects at exit |
//! | `hashbrown` | no | `Trace` for `hashbrown`'s `HashMap`, `HashSet`, `HashTable` |
//! | `indexmap` | no | `Trace` for `IndexMap` and `IndexSet` |
//! | `smallvec` | no | `Trace` for `SmallVec` |

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod any;
mod any_weak;
mod cc;
pub mod closure;
mod collector;
pub mod gc;
mod object;
mod raw;
mod trace;
mod weak;
pub mod weakref;

pub use any::AnyCc;
pub use any_weak::AnyWeak;
pub use cc::{Cc, CcMut};
pub use closure::{Closure, ClosureMut};
pub use trace::{Finalize, FinalizeHook, Trace, Tracer};
pub use weak::Weak;

/// Derives [`Trace`](trait@Trace) for a struct or enum.
///
/// - Every field is traced, except those marked `#[trace(skip)]` (for a
///   field that holds no `Cc` and whose type has no `Trace` impl).
/// - Type parameters used in traced fields get a `Trace` bound; those used
///   only in skipped fields or `PhantomData` get none.
/// - `IS_LEAF` is computed from the field types, so a type that can never
///   own a `Cc` is never tracked. Recursive types (`Box<Self>`,
///   `Vec<Self>`) are handled; for mutually recursive ones, add
///   `#[trace(tracked)]` to one of them.
///
/// ```
/// use cyclegc::{Cc, Trace};
///
/// #[derive(Trace)]
/// enum Expr {
///     Num(f64),
///     Add(Box<Expr>, Box<Expr>),
///     Shared(Cc<Expr>),
/// }
/// assert!(!<Expr as Trace>::IS_LEAF);
///
/// #[derive(Trace)]
/// struct Plain { a: u32, b: Vec<String>, next: Option<Box<Plain>> }
/// assert!(<Plain as Trace>::IS_LEAF);
/// ```
///
/// A type that mentions itself with other generic arguments (polymorphic
/// recursion) cannot have its `IS_LEAF` computed; the derive asks for
/// `#[trace(tracked)]`:
///
/// ```compile_fail
/// use cyclegc::{Cc, Trace};
///
/// #[derive(Trace)]
/// struct Poly<T> {
///     v: T,
///     next: Option<Box<Poly<Cc<u8>>>>, // error: add #[trace(tracked)]
/// }
/// ```
#[cfg(feature = "derive")]
pub use cyclegc_derive::Trace;

/// The README's example, compiled and run as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
