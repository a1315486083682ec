//! Traced closures: callbacks whose captured handles the collector sees.
//!
//! [`Closure`] is a `Box<dyn Fn>` for values that live in a [`Cc`](crate::Cc): it
//! owns its captures as one [`Trace`] value, which the collector traces,
//! and calls a plain function with them. [`ClosureMut`] is the `FnMut`
//! counterpart, whose function may change its captures. The signature is
//! a `fn` pointer type ([`Signature`]): `Closure<fn(&Event)>` stands where
//! `Box<dyn Fn(&Event)>` stood.
//!
//! # Closures and callbacks
//!
//! A Rust closure is opaque: nothing outside it can list what it captured,
//! so `Box<dyn Fn(&Event)>` has no `Trace` impl and the field that holds
//! one gets `#[trace(skip)]`. When the closure captured a `Cc`, that
//! handle is a reference the collector cannot see, so it counts as one
//! from outside, and what it points to (with everything that reaches it,
//! and everything it reaches) is never found unreachable. A listener that
//! captures the form it belongs to leaks the form and every node of it:
//! [`gc::collect`](crate::gc::collect) finds nothing, and
//! [`gc::referrers`](crate::gc::referrers) does not list the node that
//! keeps the form alive.
//!
//! ```
//! use std::cell::RefCell;
//! use cyclegc::{gc, Cc, Trace};
//!
//! struct Event;
//!
//! #[derive(Trace)]
//! struct Node {
//!     children: RefCell<Vec<Cc<Node>>>,
//!     #[trace(skip)] // a `Box<dyn Fn>` has no `Trace` impl
//!     listeners: RefCell<Vec<Box<dyn Fn(&Event)>>>,
//! }
//!
//! let node = || Cc::new(Node { children: RefCell::default(), listeners: RefCell::default() });
//! let form = node();
//! let button = node();
//! form.children.borrow_mut().push(button.clone());
//! let captured = form.clone();
//! button.listeners.borrow_mut().push(Box::new(move |_: &Event| {
//!     let _submit_to = &captured;
//! }));
//!
//! let watch = Cc::downgrade(&form);
//! drop((form, button));
//! assert_eq!(gc::collect(), 0); // form -> button -> listener -> form: unseen
//! let form = watch.upgrade().expect("leaked");
//! assert!(gc::referrers(&form).is_empty()); // nothing seems to hold it
//!
//! // Only breaking the cycle by hand frees it.
//! form.children.borrow_mut().clear();
//! drop(form);
//! assert!(watch.upgrade().is_none());
//! ```
//!
//! There are three ways out.
//!
//! **A traced closure.** Give the handles to [`Closure::new`] as its
//! captures, and a function (or a closure that captures nothing) that
//! receives them with the arguments. The collector traces the captures
//! like any other field, so the cycle is found and freed:
//!
//! ```
//! use std::cell::{Cell, RefCell};
//! use cyclegc::{gc, Cc, Closure, Trace};
//!
//! struct Event {
//!     clicks: u32,
//! }
//!
//! /// Was `Box<dyn Fn(&Event)>`. (An alias keeps clippy's
//! /// `type_complexity` quiet, for either.)
//! type Listener = Closure<fn(&Event)>;
//!
//! #[derive(Trace)]
//! struct Node {
//!     clicks: Cell<u32>,
//!     children: RefCell<Vec<Cc<Node>>>,
//!     listeners: RefCell<Vec<Listener>>,
//! }
//!
//! impl Node {
//!     fn new() -> Cc<Node> {
//!         Cc::new(Node { clicks: Cell::new(0), children: RefCell::default(), listeners: RefCell::default() })
//!     }
//!     fn dispatch(&self, event: &Event) {
//!         for listener in self.listeners.borrow().iter() {
//!             listener.call(event);
//!         }
//!     }
//! }
//!
//! let form = Node::new();
//! let button = Node::new();
//! form.children.borrow_mut().push(button.clone());
//! button.listeners.borrow_mut().push(Closure::new(form.clone(), |form, event| {
//!     form.clicks.set(form.clicks.get() + event.clicks);
//! }));
//! button.dispatch(&Event { clicks: 2 });
//! assert_eq!(form.clicks.get(), 2);
//!
//! let watch = Cc::downgrade(&form);
//! drop((form, button));
//! assert_eq!(gc::collect(), 2); // the form and the button
//! assert!(watch.upgrade().is_none());
//! ```
//!
//! **A weak capture.** A listener that holds the form through a
//! [`Weak`](crate::Weak) ([`Cc::downgrade`](crate::Cc::downgrade)) does not own it, so there is
//! no cycle and reference counting frees the form as soon as its last
//! owner lets go; the listener must then cope with finding it gone. This
//! works in a skipped `Box<dyn Fn>` as well as in a `Closure` (a `Weak`
//! capture is `Trace` and visits nothing):
//!
//! ```
//! use std::cell::RefCell;
//! use cyclegc::{gc, Cc, Trace};
//!
//! #[derive(Trace)]
//! struct Node {
//!     name: String,
//!     children: RefCell<Vec<Cc<Node>>>,
//!     #[trace(skip)] // sound: the listeners own no `Cc`
//!     listeners: RefCell<Vec<Box<dyn Fn() -> Option<String>>>>,
//! }
//!
//! let node = |name: &str| Cc::new(Node {
//!     name: name.into(),
//!     children: RefCell::default(),
//!     listeners: RefCell::default(),
//! });
//! let form = node("form");
//! let button = node("button");
//! form.children.borrow_mut().push(button.clone());
//! let weak_form = Cc::downgrade(&form);
//! button.listeners.borrow_mut().push(Box::new(move || weak_form.upgrade().map(|f| f.name.clone())));
//! assert_eq!(button.listeners.borrow()[0](), Some("form".to_string()));
//!
//! drop(form); // no cycle: freed at once
//! assert_eq!(button.listeners.borrow()[0](), None);
//! assert_eq!(gc::collect(), 0);
//! ```
//!
//! **`#[trace(skip)]`, knowingly.** Skipping a field makes it invisible
//! to the collector: a closure there that captures only plain data (or
//! `Weak`s) costs nothing, but any `Cc` it captures keeps its object alive
//! as if from outside, any cycle through it leaks, and
//! [`gc::referents`](crate::gc::referents) and
//! [`gc::referrers`](crate::gc::referrers) do not show it. Nothing checks
//! this; `Closure` turns the same mistake into a compile error.
//!
//! # Why the function is a `fn` pointer
//!
//! A closure that captured a handle itself would bring the leak back, so
//! the function must capture nothing: it is a `fn` pointer, which a fn
//! item or a non-capturing closure becomes and a capturing closure cannot
//! ("closures can only be coerced to `fn` types if they do not capture
//! any variables"). Move what it needs into the captures instead. Because the function's
//! type is spelled out by the signature, a closure's parameter types are
//! inferred wherever the `Closure`'s type is known (a field, a `let` with
//! a type). A fn item needs the signature on the call, as in
//! `Closure::<fn(&Event)>::new(form, on_submit)`: rustc turns it into the
//! `fn` pointer before a `let` or field type has told it the signature.
//!
//! ```
//! use cyclegc::{Cc, Closure};
//!
//! struct Event;
//! fn on_submit(form: &Cc<String>, _: &Event) -> usize {
//!     form.len()
//! }
//!
//! let form = Cc::new(String::from("login"));
//! let by_name = Closure::<fn(&Event) -> usize>::new(form.clone(), on_submit);
//! let by_closure: Closure<fn(&Event) -> usize> = Closure::new(form, |form, event| on_submit(form, event));
//! assert_eq!(by_name.call(&Event), by_closure.call(&Event));
//! ```
//!
//! ```compile_fail,E0308
//! use cyclegc::{Cc, Closure};
//!
//! let form = Cc::new(String::from("form"));
//! let listener: Closure<fn(&u32)> = Closure::new((), move |_, _| {
//!     let _leaked = &form; // a capture the collector cannot see
//! });
//! ```
//!
//! # Sharing and state
//!
//! Each `Closure` owns its captures; to register one closure in several
//! places, put it in a `Cc<Closure<..>>`. A `ClosureMut` keeps state in
//! its captures, which [`ClosureMut::captures`] reads back.

mod closure_mut;
mod signature;

use std::any::{type_name, Any};
use std::fmt;

pub use closure_mut::ClosureMut;
pub use signature::Signature;

use crate::trace::{Trace, Tracer};

/// A traced `Fn`: captures the collector can see, and a function of them
/// and the arguments, called through `&self`.
///
/// `S` is the signature, a `fn` pointer type ([`Signature`]):
/// `Closure<fn(&Event)>`, `Closure<fn(u32, u32) -> u32>`. The captures'
/// and the function's types are erased, so closures that capture
/// different things have the same type and can share a `Vec`.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Closure, Trace};
///
/// #[derive(Trace)]
/// struct Counter {
///     log: RefCell<Vec<String>>,
///     on_add: RefCell<Option<Closure<fn(&str) -> usize>>>,
/// }
///
/// let counter = Cc::new(Counter { log: RefCell::default(), on_add: RefCell::default() });
/// // The closure captures the counter that owns it: a cycle, traced.
/// *counter.on_add.borrow_mut() = Some(Closure::new(counter.clone(), |counter, item| {
///     counter.log.borrow_mut().push(item.to_string());
///     counter.log.borrow().len()
/// }));
/// assert_eq!(counter.on_add.borrow().as_ref().unwrap().call("apple"), 1);
///
/// drop(counter);
/// assert_eq!(gc::collect(), 1);
/// ```
///
/// A value that holds a `Closure` is always tracked: after the erasure,
/// `Trace::IS_LEAF` cannot know whether the captures hold a `Cc`.
pub struct Closure<S: Signature> {
    inner: Box<dyn Captured<S>>,
}

/// The captures and function behind a [`Closure`], with their types erased.
trait Captured<S: Signature> {
    fn call(&self, args: S::Args<'_>) -> S::Output;
    /// Traces the captures, as the `Trace` contract says: each `Cc` once.
    fn trace(&self, tracer: &mut Tracer<'_>);
    fn captures(&self) -> &dyn Any;
    fn captures_mut(&mut self) -> &mut dyn Any;
    fn captures_type(&self) -> &'static str;
}

/// A function over captures of type `C`: what [`Closure::new`] makes.
struct WithCaptures<S: Signature, C> {
    captures: C,
    f: for<'a> fn(&C, S::Args<'a>) -> S::Output,
}

impl<S: Signature, C: Trace> Captured<S> for WithCaptures<S, C> {
    fn call(&self, args: S::Args<'_>) -> S::Output {
        (self.f)(&self.captures, args)
    }
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.captures.trace(tracer);
    }
    fn captures(&self) -> &dyn Any {
        &self.captures
    }
    fn captures_mut(&mut self) -> &mut dyn Any {
        &mut self.captures
    }
    fn captures_type(&self) -> &'static str {
        type_name::<C>()
    }
}

/// A function with no captures: what the `from_fn`s make. Its captures
/// are `()`, as for `Closure::new((), ..)`.
struct NoCaptures<S: Signature> {
    f: for<'a> fn(S::Args<'a>) -> S::Output,
    unit: (),
}

impl<S: Signature> NoCaptures<S> {
    fn new(f: for<'a> fn(S::Args<'a>) -> S::Output) -> NoCaptures<S> {
        NoCaptures { f, unit: () }
    }
}

impl<S: Signature> Captured<S> for NoCaptures<S> {
    fn call(&self, args: S::Args<'_>) -> S::Output {
        (self.f)(args)
    }
    fn trace(&self, _: &mut Tracer<'_>) {}
    fn captures(&self) -> &dyn Any {
        &self.unit
    }
    fn captures_mut(&mut self) -> &mut dyn Any {
        &mut self.unit
    }
    fn captures_type(&self) -> &'static str {
        type_name::<()>()
    }
}

impl<S: Signature> Closure<S> {
    /// A closure that owns `captures` and calls `f` with them and the
    /// arguments.
    ///
    /// `f` captures nothing (see the [module docs](self#why-the-function-is-a-fn-pointer)):
    /// everything it needs comes in through `captures`, which may be any
    /// [`Trace`] value: a `Cc`, a `Weak`, a tuple of them, a struct that
    /// derives `Trace`.
    ///
    /// ```
    /// use cyclegc::{Cc, Closure};
    ///
    /// let base = Cc::new(100);
    /// let limit = 150;
    /// let add: Closure<fn(u32) -> Option<u32>> = Closure::new((base, limit), |(base, limit), x| {
    ///     Some(**base + x).filter(|sum| sum <= limit)
    /// });
    /// assert_eq!(add.call(20), Some(120));
    /// assert_eq!(add.call(80), None);
    /// ```
    pub fn new<C: Trace>(captures: C, f: for<'a> fn(&C, S::Args<'a>) -> S::Output) -> Closure<S> {
        Closure {
            inner: Box::new(WithCaptures { captures, f }),
        }
    }

    /// A closure with no captures, like `Closure::new((), |(), args| f(args))`.
    ///
    /// ```
    /// use cyclegc::Closure;
    ///
    /// let shout: Closure<fn(&str) -> String> = Closure::from_fn(|s| s.to_uppercase());
    /// assert_eq!(shout.call("hi"), "HI");
    ///
    /// // A fn item needs the signature on the call (see the module docs).
    /// let shout = Closure::<fn(&str) -> String>::from_fn(str::to_uppercase);
    /// assert_eq!(shout.call("hi"), "HI");
    /// ```
    pub fn from_fn(f: for<'a> fn(S::Args<'a>) -> S::Output) -> Closure<S> {
        Closure {
            inner: Box::new(NoCaptures::new(f)),
        }
    }

    /// Calls the function with the captures and `args`: `()` for no
    /// argument, the argument itself for one, a tuple for several (see
    /// [`Signature`]).
    ///
    /// ```
    /// use cyclegc::Closure;
    ///
    /// let none: Closure<fn() -> u8> = Closure::new(7u8, |seven, ()| *seven);
    /// let one: Closure<fn(&[u8]) -> usize> = Closure::from_fn(|bytes| bytes.len());
    /// let two: Closure<fn(u8, &mut Vec<u8>)> = Closure::from_fn(|(x, out)| out.push(x));
    ///
    /// let mut out = vec![none.call(())];
    /// two.call((one.call(b"abc") as u8, &mut out));
    /// assert_eq!(out, [7, 3]);
    /// ```
    #[inline]
    pub fn call(&self, args: S::Args<'_>) -> S::Output {
        self.inner.call(args)
    }

    /// The captures, if they are of type `C`.
    ///
    /// ```
    /// use cyclegc::{Cc, Closure};
    ///
    /// let greeting = Cc::new(String::from("hello"));
    /// let greet: Closure<fn() -> usize> = Closure::new(greeting.clone(), |g, ()| g.len());
    /// assert!(Cc::ptr_eq(greet.captures::<Cc<String>>().unwrap(), &greeting));
    /// assert!(greet.captures::<String>().is_none());
    /// ```
    pub fn captures<C: Trace>(&self) -> Option<&C> {
        self.inner.captures().downcast_ref()
    }
}

// SAFETY: a closure owns its captures and nothing else (its function is a
// `fn` pointer, which owns nothing); `Captured::trace` traces exactly the
// captures, through their own impl, so each `Cc` they own is visited once.
unsafe impl<S: Signature> Trace for Closure<S> {
    // Unknowable once the captures' type is erased.
    const IS_LEAF: bool = false;

    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.inner.trace(tracer);
    }
}

/// Shows the signature and the type of the captures (which need not be
/// `Debug`).
///
/// ```
/// use cyclegc::{Cc, Closure};
///
/// let c: Closure<fn(u8)> = Closure::new(Cc::new(1u8), |_, _| {});
/// let shown = format!("{c:?}");
/// assert!(shown.starts_with("Closure<"), "{shown}");
/// assert!(shown.contains("Cc<u8>"), "{shown}");
/// ```
impl<S: Signature> fmt::Debug for Closure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_closure(f, "Closure", type_name::<S>(), self.inner.captures_type())
    }
}

/// `Name<signature> { captures: type }`, for both closure types.
fn debug_closure(f: &mut fmt::Formatter<'_>, name: &str, signature: &str, captures: &str) -> fmt::Result {
    f.debug_struct(&format!("{name}<{signature}>"))
        .field("captures", &format_args!("{captures}"))
        .finish()
}
