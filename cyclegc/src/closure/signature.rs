//! `Signature`: how a traced closure's type says what it takes and returns.

/// The call signature of a [`Closure`](super::Closure) or
/// [`ClosureMut`](super::ClosureMut), named by a function pointer type:
/// `Closure<fn(&Event)>` is what `Box<dyn Fn(&Event)>` was.
///
/// Implemented for `fn(..) -> R` with up to three arguments, each passed
/// by value (`T`), by reference (`&T`) or by mutable reference
/// (`&mut T`); `T` and `R` must be `'static` (a signature is part of a
/// [`Trace`](crate::Trace) type). A call takes the arguments as one value
/// of type [`Args`](Signature::Args), and the function receives them the
/// same way:
///
/// | signature                   | `Args<'a>`                | call                 |
/// |-----------------------------|---------------------------|----------------------|
/// | `fn() -> R`                 | `()`                      | `c.call(())`         |
/// | `fn(&Event)`                | `&'a Event`               | `c.call(&event)`     |
/// | `fn(u32) -> u32`            | `u32`                     | `c.call(7)`          |
/// | `fn(&mut Vec<u8>, u8)`      | `(&'a mut Vec<u8>, u8)`   | `c.call((&mut v, 1))` |
///
/// ```
/// use cyclegc::closure::Closure;
///
/// let push: Closure<fn(&mut Vec<u8>, u8) -> usize> = Closure::from_fn(|(v, x)| {
///     v.push(x);
///     v.len()
/// });
/// let mut v = Vec::new();
/// assert_eq!(push.call((&mut v, 7)), 1);
/// ```
///
/// For another shape (more arguments, or an argument that borrows twice,
/// like `&[&str]`), implement it for a type of your own:
///
/// ```
/// use cyclegc::closure::{Closure, Signature};
///
/// /// `fn(&[&str]) -> usize`, which the impls for `fn` types cannot
/// /// express (the inner `&str` would have to be `'static`).
/// struct Words;
/// impl Signature for Words {
///     type Args<'a> = &'a [&'a str];
///     type Output = usize;
/// }
///
/// let count: Closure<Words> = Closure::from_fn(|words| words.len());
/// let text = String::from("two words");
/// assert_eq!(count.call(&text.split(' ').collect::<Vec<_>>()), 2);
/// ```
pub trait Signature: 'static {
    /// The arguments of one call, for borrows that live for `'a`: `()`
    /// for none, the argument itself for one, a tuple for several.
    ///
    /// ```
    /// use cyclegc::closure::Signature;
    ///
    /// fn args_of<S: Signature>(_: S::Args<'_>) {}
    /// args_of::<fn()>(());
    /// args_of::<fn(&str)>("one argument: itself, not a 1-tuple");
    /// let mut v = vec![1];
    /// args_of::<fn(&mut Vec<u8>, u8) -> usize>((&mut v, 2)); // several: a tuple
    /// ```
    type Args<'a>;
    /// What a call returns.
    ///
    /// ```
    /// use cyclegc::closure::{Closure, Signature};
    ///
    /// fn output_of<S: Signature>(out: S::Output) -> S::Output { out }
    /// assert_eq!(output_of::<fn(u32) -> String>("s".into()), "s");
    /// output_of::<fn(&str)>(()); // no `-> R`: `()`
    ///
    /// let len: Closure<fn(&str) -> usize> = Closure::from_fn(|s| s.len());
    /// let n: <fn(&str) -> usize as Signature>::Output = len.call("four");
    /// assert_eq!(n, 4);
    /// ```
    type Output;
}

/// Implements [`Signature`] for every `fn` pointer type with the arguments
/// `$A...`, each passed by value, by `&` and by `&mut`.
///
/// The accumulators are `[generic params] [fn arguments] [Args<'a> items]`;
/// each item of the last two is parenthesized so that one argument gives
/// `(T)`, the bare type, and not the one-tuple `(T,)`.
macro_rules! signatures {
    ([$($param:tt)*] [$(($($sig:tt)*))*] [$(($($arg:tt)*))*]) => {
        // `fn(A)` and `fn(&A)` differ only in that the second is
        // higher-ranked; rustc keeps accepting this pair (its test
        // `coherence-wasm-bindgen.rs`: wasm-bindgen's closures depend on
        // it) but still lints it as `coherence_leak_check`.
        #[allow(coherence_leak_check)]
        impl<$($param)* R: 'static> Signature for fn($($($sig)*),*) -> R {
            #[allow(unused_parens)] // `(T)` for one argument: see above
            type Args<'a> = ($($($arg)*),*);
            type Output = R;
        }
    };
    ([$($param:tt)*] [$($sig:tt)*] [$($arg:tt)*] $A:ident $($rest:ident)*) => {
        signatures!([$($param)* $A: 'static,] [$($sig)* ($A)] [$($arg)* ($A)] $($rest)*);
        signatures!([$($param)* $A: ?Sized + 'static,] [$($sig)* (&$A)] [$($arg)* (&'a $A)] $($rest)*);
        signatures!(
            [$($param)* $A: ?Sized + 'static,] [$($sig)* (&mut $A)] [$($arg)* (&'a mut $A)] $($rest)*
        );
    };
}

signatures!([] [] []);
signatures!([] [] [] A);
signatures!([] [] [] A B);
signatures!([] [] [] A B C);
