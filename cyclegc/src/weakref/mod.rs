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
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use cyclegc::{weakref, Cc};
//!
//! let events = Rc::new(RefCell::new(Vec::new()));
//! let (e1, e2) = (events.clone(), events.clone());
//!
//! let image = Cc::new(vec![0_u8; 1024]);
//! let mut cache = weakref::WeakValueDictionary::new();
//! cache.insert("logo.png", &image);
//! let watch = Cc::downgrade_with_callback(&image, move |_| e1.borrow_mut().push("weakref callback"));
//! weakref::finalize(&image, move || e2.borrow_mut().push("finalize"));
//! assert_eq!(weakref::getweakrefcount(&image), 3); // the cache's, `watch` and the finalizer's
//!
//! drop(image);
//! assert!(cache.get("logo.png").is_none());
//! assert!(watch.upgrade().is_none());
//! // callbacks run newest first, as in CPython: `finalize` registered its own last
//! assert_eq!(*events.borrow(), ["finalize", "weakref callback"]);
//! ```

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
    crate::object::live_weak_handles(crate::object::block_of(obj))
}

/// The weak references to `obj`, one per reference with an identity, as
/// Python's `weakref.getweakrefs(obj)` lists its weakref objects: one for
/// each reference made with a callback (its clones are one reference),
/// and one standing for all the plain [`Weak`](crate::Weak) handles if
/// there are any (in CPython, `weakref.ref(obj)` without a callback is one
/// shared object). Cleared references (of an object kept alive by
/// `SAVEALL` or resurrected) are not listed.
///
/// The [`AnyWeak`](crate::AnyWeak)s returned are new handles: while you
/// hold them, [`getweakrefcount`] counts them too.
///
/// ```
/// use cyclegc::{weakref, Cc};
/// let obj = Cc::new(String::from("o"));
/// assert!(weakref::getweakrefs(&obj).is_empty());
/// let plain = (Cc::downgrade(&obj), Cc::downgrade(&obj));
/// let with_cb = Cc::downgrade_with_callback(&obj, |_| {});
/// let refs = weakref::getweakrefs(&obj);
/// assert_eq!(refs.len(), 2); // the callback one, and the plain ones
/// assert!(refs.iter().all(|r| r.id() == Some(Cc::id(&obj))));
/// # drop((plain, with_cb));
/// ```
#[doc(alias = "weakref.getweakrefs")]
pub fn getweakrefs(obj: &impl AsObject) -> Vec<crate::AnyWeak> {
    let block = crate::object::block_of(obj);
    let live = crate::object::live_weak_handles(block);
    if live == 0 {
        return Vec::new();
    }
    let any = crate::object::any_of(obj);
    let epoch = crate::weak::Weak::<crate::any_weak::Opaque>::current_epoch(block);
    let with_callbacks = crate::collector::callback_refs(block, epoch);
    let plain = live.saturating_sub(with_callbacks.iter().sum::<usize>());
    let mut refs: Vec<_> = with_callbacks.iter().map(|_| any.downgrade()).collect();
    if plain > 0 {
        refs.insert(0, any.downgrade());
    }
    refs
}
