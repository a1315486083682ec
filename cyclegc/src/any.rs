//! `AnyCc`: a strong handle to an object of any type.

use std::any::{Any, TypeId};
use std::fmt;
use std::ptr::NonNull;

use crate::any_weak::AnyWeak;
use crate::cc::Cc;
use crate::raw::{vtable_of, CcBlock, Counts, GcPtr, VTable};
use crate::trace::Trace;

/// A type-erased strong handle, what the introspection functions of
/// [`gc`](crate::gc) return. It keeps its object alive like a [`Cc`].
///
/// Its `Debug` prints like Python's repr of an object:
///
/// ```
/// use cyclegc::{AnyCc, Cc};
/// let any = AnyCc::from(Cc::new(5_i32));
/// assert!(format!("{any:?}").starts_with("<i32 object at 0x"));
/// assert_eq!(any.type_name(), "i32");
/// let back: Cc<i32> = any.downcast().unwrap();
/// assert_eq!(*back, 5);
/// ```
pub struct AnyCc {
    pub(crate) ptr: NonNull<Counts>,
    pub(crate) vtable: &'static VTable,
}

impl AnyCc {
    /// Makes a new handle to a live block, adding a strong count.
    pub(crate) fn from_raw_clone(ptr: NonNull<Counts>, vtable: &'static VTable) -> AnyCc {
        // SAFETY: callers pass a block that a live handle (or the collector)
        // keeps allocated and whose object is alive.
        unsafe { ptr.as_ref() }.inc_strong();
        AnyCc { ptr, vtable }
    }

    /// Makes a new handle to a tracked object that a list of the collector
    /// holds, adding a strong count.
    pub(crate) fn from_tracked(p: GcPtr) -> AnyCc {
        AnyCc::from_raw_clone(p.as_counts(), p.vtable())
    }

    /// The name of the object's type, as `std::any::type_name` gives it.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let objs = [AnyCc::from(Cc::new(1_u64)), AnyCc::from(Cc::new(String::new()))];
    /// let names: Vec<&str> = objs.iter().map(AnyCc::type_name).collect();
    /// assert_eq!(names, ["u64", "alloc::string::String"]);
    /// ```
    pub fn type_name(&self) -> &'static str {
        (self.vtable.type_name)()
    }

    /// A number unique among live objects, equal to [`Cc::id`] of the same
    /// object: Python's `id(obj)`.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let cc = Cc::new(7_i32);
    /// let any = AnyCc::from(cc.clone());
    /// assert_eq!(any.id(), Cc::id(&cc));
    /// assert_ne!(any.id(), AnyCc::from(Cc::new(7_i32)).id());
    /// ```
    pub fn id(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Whether the object's type is `T`.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let any = AnyCc::from(Cc::new(2.5_f64));
    /// assert!(any.is::<f64>());
    /// assert!(!any.is::<f32>());
    /// let text = AnyCc::from(Cc::<str>::from("unsized too"));
    /// assert!(text.is::<str>());
    /// ```
    pub fn is<T: ?Sized + 'static>(&self) -> bool {
        (self.vtable.type_id)() == TypeId::of::<T>()
    }

    /// A typed handle to the object, or `self` back if its type is not `T`.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let any = AnyCc::from(Cc::new(String::from("s")));
    /// let any = any.downcast::<i32>().unwrap_err();
    /// assert_eq!(*any.downcast::<String>().unwrap(), "s");
    /// ```
    pub fn downcast<T: Trace>(self) -> Result<Cc<T>, AnyCc> {
        if self.is::<T>() {
            let ptr = self.ptr;
            std::mem::forget(self);
            // SAFETY: the type matches, so the block is a `CcBlock<T>`, and
            // the strong count of `self` moves to the new handle.
            Ok(unsafe { Cc::from_counted(ptr.cast::<CcBlock<T>>()) })
        } else {
            Err(self)
        }
    }

    /// A reference to the value if its type is `T`, without taking a new
    /// handle. `None` also when the collector has dropped the value (a
    /// handle kept by a `Drop` of a collected cycle).
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let any = AnyCc::from(Cc::new(vec![1, 2]));
    /// assert_eq!(any.downcast_ref::<Vec<i32>>(), Some(&vec![1, 2]));
    /// assert_eq!(any.downcast_ref::<String>(), None);
    /// ```
    pub fn downcast_ref<T: Trace>(&self) -> Option<&T> {
        // SAFETY: the handle keeps the block allocated.
        let counts = unsafe { self.ptr.as_ref() };
        if !self.is::<T>() || counts.value_dropped() {
            return None;
        }
        // SAFETY: the type matches and the value is alive while `self` is.
        Some(unsafe { &*CcBlock::value_ptr(self.ptr.cast::<CcBlock<T>>()) })
    }

    /// The object as a `Cc<dyn Any>`, a typed handle that any object fits
    /// (the weak containers hold objects of many types as `dyn Any`);
    /// `None` for a slice or `str` object, which cannot be a `dyn Any`.
    ///
    /// ```
    /// use std::any::Any;
    /// use cyclegc::{weakref::WeakSet, AnyCc, Cc};
    /// let objs = [AnyCc::from(Cc::new(1_u8)), AnyCc::from(Cc::new(String::new()))];
    /// let mut set: WeakSet<dyn Any> = WeakSet::new();
    /// for o in &objs {
    ///     set.insert(&o.to_dyn_any().unwrap());
    /// }
    /// assert_eq!(set.len(), 2);
    /// assert!(set.contains(&objs[1]));
    /// let s: cyclegc::Cc<dyn Any> = objs[1].to_dyn_any().unwrap();
    /// assert!(s.is::<String>());
    /// ```
    pub fn to_dyn_any(&self) -> Option<Cc<dyn Any>> {
        let cast = self.vtable.as_dyn_any?;
        // SAFETY: the handle keeps the object alive; the strong count added
        // is the new handle's, whose pointer has the concrete type's
        // `Any` metadata.
        unsafe {
            self.ptr.as_ref().inc_strong();
            Some(Cc::from_counted(cast(self.ptr)))
        }
    }

    /// A weak handle to the object: Python's `weakref.ref(obj)` for an
    /// object of any type.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let obj = AnyCc::from(Cc::new(3_i32));
    /// let w = obj.downgrade();
    /// assert!(w.upgrade().is_some());
    /// drop(obj);
    /// assert!(w.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> AnyWeak {
        AnyWeak::downgrade(self.ptr)
    }

    /// A weak handle with a callback: Python's `weakref.ref(obj, callback)`
    /// for an object of any type; see [`Cc::downgrade_with_callback`] for
    /// when and how the callback runs.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use cyclegc::{AnyCc, Cc};
    ///
    /// let died = Rc::new(Cell::new(false));
    /// let flag = died.clone();
    /// let obj = AnyCc::from(Cc::new(String::from("x")));
    /// let w = obj.downgrade_with_callback(move |w| {
    ///     assert!(w.upgrade().is_none());
    ///     flag.set(true);
    /// });
    /// drop(obj);
    /// assert!(died.get());
    /// # drop(w);
    /// ```
    pub fn downgrade_with_callback(&self, callback: impl FnOnce(&AnyWeak) + 'static) -> AnyWeak {
        AnyWeak::downgrade_with_callback(self.ptr, callback)
    }

    /// Whether two handles point to the same object. `==` on `AnyCc`
    /// compares the same way, as Python's default `==` compares identity.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let cc = Cc::new(1_u8);
    /// let a = AnyCc::from(cc.clone());
    /// assert!(AnyCc::ptr_eq(&a, &AnyCc::from(cc)));
    /// assert!(!AnyCc::ptr_eq(&a, &AnyCc::from(Cc::new(1_u8)))); // equal values, two objects
    /// ```
    pub fn ptr_eq(this: &AnyCc, other: &AnyCc) -> bool {
        this.ptr == other.ptr
    }

    /// The number of strong handles to the object, typed or not.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let cc = Cc::new(());
    /// let any = AnyCc::from(cc.clone());
    /// assert_eq!(AnyCc::strong_count(&any), 2); // `cc` and `any`
    /// drop(cc);
    /// assert_eq!(AnyCc::strong_count(&any), 1);
    /// ```
    pub fn strong_count(this: &AnyCc) -> usize {
        // SAFETY: the handle keeps the block allocated.
        unsafe { this.ptr.as_ref() }.strong.get() as usize
    }
}

impl<T: ?Sized + 'static> From<Cc<T>> for AnyCc {
    /// The same object, type-erased (also from a `Cc<dyn Trait>`: the
    /// concrete type is the block's).
    fn from(cc: Cc<T>) -> AnyCc {
        let ptr = cc.block();
        std::mem::forget(cc);
        AnyCc {
            ptr,
            // SAFETY: the handle's strong count keeps the block allocated.
            vtable: unsafe { vtable_of(ptr) },
        }
    }
}

impl Clone for AnyCc {
    fn clone(&self) -> AnyCc {
        AnyCc::from_raw_clone(self.ptr, self.vtable)
    }
}

impl Drop for AnyCc {
    fn drop(&mut self) {
        // SAFETY: the handle keeps the block allocated.
        if unsafe { self.ptr.as_ref() }.dec_strong() == 0 {
            // SAFETY: that was the last strong handle; the vtable is the block's.
            unsafe { (self.vtable.release)(self.ptr) }
        }
    }
}

impl fmt::Debug for AnyCc {
    /// `<type::Name object at 0x…>`, as Python prints an object; the name
    /// is the value's [`Trace::class_name`] (the Rust type's, by default).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: the handle keeps the block allocated.
        let name = if unsafe { self.ptr.as_ref() }.value_dropped() {
            self.type_name().to_owned()
        } else {
            // SAFETY: the value is alive (checked above).
            unsafe { (self.vtable.class_name)(self.ptr) }
        };
        write!(f, "<{name} object at {:#x}>", self.id())
    }
}

impl PartialEq for AnyCc {
    /// Identity, as Python's default `==`.
    fn eq(&self, other: &AnyCc) -> bool {
        AnyCc::ptr_eq(self, other)
    }
}

impl Eq for AnyCc {}

impl std::hash::Hash for AnyCc {
    /// By identity, consistent with `==`.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state)
    }
}
