//! `ClosureMut`: the traced `FnMut`, whose function changes its captures.

use std::any::{type_name, Any};
use std::fmt;

use super::{debug_closure, Captured, Closure, Signature};
use crate::trace::{Trace, Tracer};

/// A traced `FnMut`: captures the collector can see, and a function that
/// may change them, called through `&mut self`.
///
/// Like [`Closure`], but the function receives `&mut C`, so the captures
/// are the closure's state. Stored in a `Cc`, it sits in a `RefCell` to be
/// called; while the cell is borrowed for the call, the collector treats
/// the object as referenced from outside, so a collection that runs
/// during the call frees nothing the closure holds.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{Cc, ClosureMut, Trace};
///
/// #[derive(Trace)]
/// struct Button {
///     on_click: RefCell<ClosureMut<fn(&str) -> u32>>,
/// }
///
/// let button = Button {
///     on_click: RefCell::new(ClosureMut::new(0u32, |clicks, who| {
///         *clicks += 1;
///         println!("{who} clicked ({clicks})");
///         *clicks
///     })),
/// };
/// button.on_click.borrow_mut().call("alice");
/// assert_eq!(button.on_click.borrow_mut().call("bob"), 2);
/// assert_eq!(button.on_click.borrow().captures::<u32>(), Some(&2));
/// ```
pub struct ClosureMut<S: Signature> {
    inner: Box<dyn CapturedMut<S>>,
}

/// The captures and function behind a [`ClosureMut`], with their types
/// erased.
trait CapturedMut<S: Signature> {
    fn call(&mut self, args: S::Args<'_>) -> S::Output;
    /// Traces the captures, as the `Trace` contract says: each `Cc` once.
    fn trace(&self, tracer: &mut Tracer<'_>);
    fn captures(&self) -> &dyn Any;
    fn captures_mut(&mut self) -> &mut dyn Any;
    fn captures_type(&self) -> &'static str;
}

/// A function over mutable captures of type `C`: what
/// [`ClosureMut::new`] makes.
struct WithCapturesMut<S: Signature, C> {
    captures: C,
    f: for<'a> fn(&mut C, S::Args<'a>) -> S::Output,
}

impl<S: Signature, C: Trace> CapturedMut<S> for WithCapturesMut<S, C> {
    fn call(&mut self, args: S::Args<'_>) -> S::Output {
        (self.f)(&mut self.captures, args)
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

/// Any `Closure` is a `ClosureMut` (as an `Fn` is an `FnMut`).
impl<S: Signature, T: Captured<S> + ?Sized> CapturedMut<S> for Box<T> {
    fn call(&mut self, args: S::Args<'_>) -> S::Output {
        (**self).call(args)
    }
    fn trace(&self, tracer: &mut Tracer<'_>) {
        (**self).trace(tracer);
    }
    fn captures(&self) -> &dyn Any {
        (**self).captures()
    }
    fn captures_mut(&mut self) -> &mut dyn Any {
        (**self).captures_mut()
    }
    fn captures_type(&self) -> &'static str {
        (**self).captures_type()
    }
}

impl<S: Signature> ClosureMut<S> {
    /// A closure that owns `captures` and calls `f` with mutable access to
    /// them and the arguments.
    ///
    /// As for [`Closure::new`], `f` captures nothing: it is a `fn` pointer.
    ///
    /// ```
    /// use cyclegc::ClosureMut;
    ///
    /// let mut running_total: ClosureMut<fn(i64) -> i64> = ClosureMut::new(0i64, |total, x| {
    ///     *total += x;
    ///     *total
    /// });
    /// running_total.call(5);
    /// assert_eq!(running_total.call(-2), 3);
    /// ```
    pub fn new<C: Trace>(captures: C, f: for<'a> fn(&mut C, S::Args<'a>) -> S::Output) -> ClosureMut<S> {
        ClosureMut {
            inner: Box::new(WithCapturesMut { captures, f }),
        }
    }

    /// A closure with no captures (so no state of its own), for a place
    /// that takes a `ClosureMut`.
    ///
    /// ```
    /// use cyclegc::ClosureMut;
    ///
    /// let mut handlers: Vec<ClosureMut<fn(&mut Vec<u8>)>> = vec![
    ///     ClosureMut::from_fn(|out| out.push(1)),
    ///     ClosureMut::new(10u8, |next, out| { out.push(*next); *next += 1 }),
    /// ];
    /// let mut out = Vec::new();
    /// for _ in 0..2 {
    ///     for handler in &mut handlers {
    ///         handler.call(&mut out);
    ///     }
    /// }
    /// assert_eq!(out, [1, 10, 1, 11]);
    /// ```
    pub fn from_fn(f: for<'a> fn(S::Args<'a>) -> S::Output) -> ClosureMut<S> {
        ClosureMut::from(Closure::from_fn(f))
    }

    /// Calls the function with the captures and `args`, which are passed
    /// as for [`Closure::call`].
    ///
    /// ```
    /// use cyclegc::ClosureMut;
    ///
    /// let mut fib: ClosureMut<fn() -> u64> = ClosureMut::new((0u64, 1u64), |(a, b), ()| {
    ///     (*a, *b) = (*b, *a + *b);
    ///     *a
    /// });
    /// let first: Vec<u64> = (0..6).map(|_| fib.call(())).collect();
    /// assert_eq!(first, [1, 1, 2, 3, 5, 8]);
    /// ```
    #[inline]
    pub fn call(&mut self, args: S::Args<'_>) -> S::Output {
        self.inner.call(args)
    }

    /// The captures, if they are of type `C`: the closure's state.
    ///
    /// ```
    /// use cyclegc::ClosureMut;
    ///
    /// let mut seen: ClosureMut<fn(&str)> = ClosureMut::new(Vec::<String>::new(), |seen, s| {
    ///     seen.push(s.to_owned())
    /// });
    /// seen.call("a");
    /// seen.call("b");
    /// assert_eq!(seen.captures::<Vec<String>>().unwrap(), &["a", "b"]);
    /// ```
    pub fn captures<C: Trace>(&self) -> Option<&C> {
        self.inner.captures().downcast_ref()
    }

    /// The captures, mutably, if they are of type `C`.
    ///
    /// ```
    /// use cyclegc::ClosureMut;
    ///
    /// let mut count: ClosureMut<fn() -> u32> = ClosureMut::new(0u32, |n, ()| { *n += 1; *n });
    /// count.call(());
    /// *count.captures_mut::<u32>().unwrap() = 10;
    /// assert_eq!(count.call(()), 11);
    /// ```
    pub fn captures_mut<C: Trace>(&mut self) -> Option<&mut C> {
        self.inner.captures_mut().downcast_mut()
    }
}

/// A `Closure` called through `&mut self`: its captures, function and
/// signature are kept.
///
/// ```
/// use cyclegc::{Closure, ClosureMut};
///
/// let double: Closure<fn(u32) -> u32> = Closure::from_fn(|x| 2 * x);
/// let mut as_mut = ClosureMut::from(double);
/// assert_eq!(as_mut.call(21), 42);
/// ```
impl<S: Signature> From<Closure<S>> for ClosureMut<S> {
    fn from(closure: Closure<S>) -> ClosureMut<S> {
        ClosureMut {
            inner: Box::new(closure.inner),
        }
    }
}

// SAFETY: as for `Closure`: a closure owns its captures and nothing else,
// and `CapturedMut::trace` traces exactly the captures, through their own
// impl, so each `Cc` they own is visited once.
unsafe impl<S: Signature> Trace for ClosureMut<S> {
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
/// use cyclegc::ClosureMut;
///
/// let c: ClosureMut<fn()> = ClosureMut::new(vec![1u8], |v, ()| v.push(2));
/// let shown = format!("{c:?}");
/// assert!(shown.starts_with("ClosureMut<"), "{shown}");
/// assert!(shown.contains("Vec<u8>"), "{shown}");
/// ```
impl<S: Signature> fmt::Debug for ClosureMut<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_closure(f, "ClosureMut", type_name::<S>(), self.inner.captures_type())
    }
}
