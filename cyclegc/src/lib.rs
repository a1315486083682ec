//! # cyclegc: Python's memory model for Rust
//!
//! Reference counting that frees acyclic objects at once, a generational
//! cycle collector with the controls and introspection of Python's `gc`
//! module, and weak references.
//!
//! - [`Cc<T>`] is `Rc<T>` that also frees cycles: clone and drop cost what
//!   they cost for `Rc`, and the last handle's drop frees the value at
//!   once. Objects that form cycles are found by CPython's algorithm
//!   (trial deletion over three generations) and freed, automatically as
//!   you allocate, or when you call [`gc::collect`].
//! - [`Weak<T>`] does not keep its object alive.
//! - [`gc`] shows the heap: counts, thresholds, statistics, what an object
//!   refers to, whether it is tracked.
//! - [`Trace`] tells the collector which handles a value owns; derive it.
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
//! One collector runs per thread; handles are neither `Send` nor `Sync`.
//! Nothing recurses in proportion to the data: dropping a chain of ten
//! million objects, or collecting a cycle of that size, runs on an
//! ordinary 8 MiB stack.

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
pub use cc::Cc;
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
#[cfg(feature = "derive")]
pub use cyclegc_derive::Trace;

/// The README's example, compiled and run as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
