//! The object behind any handle: what the `gc` and `weakref` functions
//! that take "an object" accept ([`AsObject`]), and the two raw accessors
//! they need, kept here so that those modules need no `unsafe`.

use crate::any::AnyCc;
use crate::cc::Cc;
use std::ptr::NonNull;

use crate::raw::{vtable_of, Counts, GcPtr};

mod sealed {
    use std::ptr::NonNull;

    use crate::raw::{Counts, VTable};

    /// A borrowed, type-erased view of one object.
    pub struct ObjRef {
        pub(crate) ptr: NonNull<Counts>,
        pub(crate) vtable: &'static VTable,
    }

    pub trait Sealed {
        fn obj_ref(&self) -> ObjRef;
    }
}

/// A handle the `gc` functions accept as an object: [`Cc<T>`] or [`AnyCc`].
///
/// The trait is sealed: those two are all there is. Name it to write
/// functions of your own that take either.
///
/// ```
/// use cyclegc::gc::{self, AsObject};
/// use cyclegc::{AnyCc, Cc};
///
/// /// How many objects hold `obj`.
/// fn fan_in(obj: &impl AsObject) -> usize {
///     gc::referrers(obj).len()
/// }
///
/// let shared = Cc::new(1);
/// let holders = Cc::new(vec![shared.clone(), shared.clone()]);
/// assert_eq!(fan_in(&shared), 1); // one object, even if it holds two handles
/// assert_eq!(fan_in(&AnyCc::from(shared)), 1);
/// # drop(holders);
/// ```
pub trait AsObject: sealed::Sealed {}

impl<T: ?Sized + 'static> sealed::Sealed for Cc<T> {
    fn obj_ref(&self) -> sealed::ObjRef {
        let ptr = self.block();
        sealed::ObjRef {
            ptr,
            // SAFETY: the handle keeps its block allocated.
            vtable: unsafe { vtable_of(ptr) },
        }
    }
}

impl<T: ?Sized + 'static> AsObject for Cc<T> {}

impl sealed::Sealed for AnyCc {
    fn obj_ref(&self) -> sealed::ObjRef {
        sealed::ObjRef {
            ptr: self.ptr,
            vtable: self.vtable,
        }
    }
}

impl AsObject for AnyCc {}

/// The block of the object behind a handle (kept allocated by the handle
/// while it is borrowed).
pub(crate) fn block_of(obj: &impl AsObject) -> NonNull<Counts> {
    obj.obj_ref().ptr
}

/// A new strong handle to the object behind a handle.
pub(crate) fn any_of(obj: &impl AsObject) -> AnyCc {
    let o = obj.obj_ref();
    AnyCc::from_raw_clone(o.ptr, o.vtable)
}

/// The tracked object behind a handle, if its type is tracked at all.
pub(crate) fn tracked(obj: &impl AsObject) -> Option<GcPtr> {
    let o = obj.obj_ref();
    // SAFETY: the handle keeps its block allocated, and a non-leaf block is
    // a tracked one.
    (!o.vtable.is_leaf).then(|| unsafe { GcPtr::new(o.ptr) })
}

/// The number of `Weak` handles to the object at `block` that still work:
/// those made before a collection cleared its weak references (under
/// `SAVEALL`, or before a finalizer resurrected it) do not count.
pub(crate) fn live_weak_handles(block: NonNull<Counts>) -> usize {
    // SAFETY: the caller's handle keeps the block allocated.
    let counts = unsafe { block.as_ref() };
    let handles = counts.weak_count() as usize - 1;
    if handles == 0 || !counts.is_tracked() {
        return handles;
    }
    handles - crate::collector::stale_weaks(block)
}
