//! `AnyWeak`: a weak handle to an object of any type.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;

use crate::any::AnyCc;
use crate::raw::{vtable_of, CcBlock, Counts};
use crate::trace::{Trace, Tracer};
use crate::weak::Weak;

/// The value type an [`AnyWeak`] sees its object as: nothing. The handle
/// never reads the value; it only needs the block, whose header names the
/// real type.
pub(crate) struct Opaque;

// SAFETY: owns nothing. Only used as the type of weak handles, which never
// reach the value.
unsafe impl Trace for Opaque {
    const IS_LEAF: bool = true;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// A type-erased weak handle: [`Weak`] for an object whose type is not
/// known, made by [`AnyCc::downgrade`] or
/// [`AnyCc::downgrade_with_callback`]; [`AnyWeak::upgrade`] gives an
/// [`AnyCc`]. An interpreter holds its weak references to values of many
/// types this way.
///
/// Two `AnyWeak`s are equal, and hash alike, when they refer to the same
/// object (alive or dead), as two weak references to one object are
/// interchangeable.
///
/// ```
/// use cyclegc::{AnyCc, Cc};
/// let obj = AnyCc::from(Cc::new(String::from("any")));
/// let w = obj.downgrade();
/// assert_eq!(w.upgrade().unwrap().downcast_ref::<String>().unwrap(), "any");
/// assert_eq!(w, obj.downgrade());
/// drop(obj);
/// assert!(w.upgrade().is_none());
/// ```
#[derive(Clone, Default)]
pub struct AnyWeak(Weak<Opaque>);

impl AnyWeak {
    /// A weak handle to nothing: `upgrade` always gives `None`.
    ///
    /// ```
    /// use cyclegc::AnyWeak;
    /// assert!(AnyWeak::new().upgrade().is_none());
    /// ```
    pub const fn new() -> AnyWeak {
        AnyWeak(Weak::new())
    }

    /// A new weak handle to the live object at `block`.
    pub(crate) fn downgrade(block: NonNull<Counts>) -> AnyWeak {
        // SAFETY: the caller's strong handle keeps the block allocated.
        unsafe { block.as_ref() }.inc_weak();
        // SAFETY: the weak count just added is the new handle's; an
        // `Opaque` block pointer is never read through.
        AnyWeak(unsafe { Weak::from_counted(block.cast::<CcBlock<Opaque>>()) })
    }

    /// A new weak handle with a callback to the live object at `block`.
    pub(crate) fn downgrade_with_callback(
        block: NonNull<Counts>,
        callback: impl FnOnce(&AnyWeak) + 'static,
    ) -> AnyWeak {
        let weak = Weak::new_with_callback(block.cast::<CcBlock<Opaque>>(), move |w: &Weak<Opaque>| {
            callback(&AnyWeak(w.clone()))
        });
        AnyWeak(weak)
    }

    /// A strong handle to the object, or `None` if it is dead.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let obj = AnyCc::from(Cc::new(1_u8));
    /// assert!(AnyCc::ptr_eq(&obj.downgrade().upgrade().unwrap(), &obj));
    /// ```
    pub fn upgrade(&self) -> Option<AnyCc> {
        self.0.upgrade().map(AnyCc::from)
    }

    /// The number of strong handles, 0 once the object is dead.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let obj = AnyCc::from(Cc::new(1_u8));
    /// assert_eq!(obj.downgrade().strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.0.strong_count()
    }

    /// The number of weak handles to the object, 0 once it is dead.
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let obj = AnyCc::from(Cc::new(1_u8));
    /// let w = obj.downgrade();
    /// assert_eq!(w.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.0.weak_count()
    }

    /// Whether two weak handles refer to the same object (or both to none).
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let a = AnyCc::from(Cc::new(1_u8));
    /// assert!(a.downgrade().ptr_eq(&a.downgrade()));
    /// ```
    pub fn ptr_eq(&self, other: &AnyWeak) -> bool {
        self.0.ptr_eq(&other.0)
    }

    /// The object's id ([`AnyCc::id`]), alive or dead; `None` for
    /// [`AnyWeak::new`].
    ///
    /// ```
    /// use cyclegc::{AnyCc, AnyWeak, Cc};
    /// let a = AnyCc::from(Cc::new(1_u8));
    /// assert_eq!(a.downgrade().id(), Some(a.id()));
    /// assert_eq!(AnyWeak::new().id(), None);
    /// ```
    pub fn id(&self) -> Option<usize> {
        self.block().map(|p| p.as_ptr() as usize)
    }

    fn block(&self) -> Option<NonNull<Counts>> {
        let p = self.0.as_ptr();
        // A handle to an object: its value pointer is inside the block;
        // `Weak::new`'s is the sentinel.
        (!self.0.ptr_eq(&Weak::new())).then(|| {
            // SAFETY: the weak count keeps the block allocated; the value
            // of an `Opaque` block pointer sits right after the header.
            unsafe { CcBlock::from_sized_value_ptr(p) }.cast::<Counts>()
        })
    }

    /// The name of the object's type, alive or dead; `None` for
    /// [`AnyWeak::new`].
    ///
    /// ```
    /// use cyclegc::{AnyCc, Cc};
    /// let a = AnyCc::from(Cc::new(1_u8));
    /// assert_eq!(a.downgrade().type_name(), Some("u8"));
    /// ```
    pub fn type_name(&self) -> Option<&'static str> {
        // SAFETY: the weak count keeps the block, and so its header, allocated.
        self.block().map(|p| (unsafe { vtable_of(p) }.type_name)())
    }
}

impl PartialEq for AnyWeak {
    /// The same object.
    fn eq(&self, other: &AnyWeak) -> bool {
        self.ptr_eq(other)
    }
}

impl Eq for AnyWeak {}

impl Hash for AnyWeak {
    /// By the object's identity, consistent with `==`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state)
    }
}

impl fmt::Debug for AnyWeak {
    /// As Python prints a weak reference: `<weakref at 0x…; to 'T' at
    /// 0x…>`, or `<weakref at 0x…; dead>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self as *const AnyWeak;
        match (self.upgrade(), self.id()) {
            (Some(obj), _) => write!(
                f,
                "<weakref at {at:p}; to '{}' at {:#x}>",
                obj.type_name(),
                obj.id()
            ),
            _ => write!(f, "<weakref at {at:p}; dead>"),
        }
    }
}

// SAFETY: a weak handle owns no `Cc`; it is reported for its callback.
unsafe impl Trace for AnyWeak {
    const IS_LEAF: bool = true;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit_weak(&self.0);
    }
}
