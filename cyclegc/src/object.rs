//! The object behind any handle: what the `gc` and `weakref` functions
//! that take "an object" accept ([`AsObject`]), and the two raw accessors
//! they need, kept here so that those modules need no `unsafe`.

use crate::any::AnyCc;
use crate::cc::Cc;
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

/// The counts of the object behind a handle.
pub(crate) fn counts_of(obj: &impl AsObject) -> &Counts {
    let o = obj.obj_ref();
    // SAFETY: the handle keeps its block allocated for as long as it is
    // borrowed, which bounds the returned reference.
    unsafe { o.ptr.as_ref() }
}

/// The tracked object behind a handle, if its type is tracked at all.
pub(crate) fn tracked(obj: &impl AsObject) -> Option<GcPtr> {
    let o = obj.obj_ref();
    // SAFETY: the handle keeps its block allocated, and a non-leaf block is
    // a tracked one.
    (!o.vtable.is_leaf).then(|| unsafe { GcPtr::new(o.ptr) })
}
