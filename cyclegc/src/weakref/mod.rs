//! Python's `weakref` module: weak references with callbacks, finalizers,
//! and containers that hold their objects weakly.
//!
//! - [`Cc::downgrade_with_callback`](crate::Cc::downgrade_with_callback) is
//!   `weakref.ref(obj, callback)`; [`Weak`](crate::Weak) is the reference.
//! - [`finalize`] is `weakref.finalize`: call a function when an object
//!   dies, or at the latest when the thread exits.
//! - [`getweakrefcount`] counts the weak handles to an object.
//! - [`WeakValueDictionary`], [`WeakKeyDictionary`] and [`WeakSet`] are
//!   containers whose entries vanish when their objects die.

mod finalize;
pub mod key_dict;
mod pending;
pub mod value_dict;
pub mod weak_set;

pub(crate) use finalize::drop_remaining_finalizers;
pub use finalize::{finalize, run_exit_finalizers, Finalizer};
pub use key_dict::WeakKeyDictionary;
pub use value_dict::WeakValueDictionary;
pub use weak_set::WeakSet;

use crate::gc::AsObject;

/// The number of live weak handles to `obj`: Python's
/// `weakref.getweakrefcount(obj)` (clones of a `Weak` count one each).
///
/// ```
/// use cyclegc::{weakref, Cc};
/// let obj = Cc::new(1);
/// assert_eq!(weakref::getweakrefcount(&obj), 0);
/// let w = Cc::downgrade(&obj);
/// let w2 = w.clone();
/// assert_eq!(weakref::getweakrefcount(&obj), 2);
/// drop((w, w2));
/// assert_eq!(weakref::getweakrefcount(&obj), 0);
/// ```
#[doc(alias = "weakref.getweakrefcount")]
pub fn getweakrefcount(obj: &impl AsObject) -> usize {
    let counts = crate::object::counts_of(obj);
    counts.weak_count() as usize - 1
}
