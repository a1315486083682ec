//! The objects of the `weakref` module, and `super()`: thin wrappers
//! around cyclegc's weak references, weak containers and finalizers.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use cyclegc::weakref::{Finalizer, WeakKeyDictionary, WeakSet, WeakValueDictionary};
use cyclegc::{AnyWeak, Cc, Trace};

use super::{Key, Name, PyClass, Value};

/// `weakref.ref(obj[, callback])`.
#[derive(Trace)]
pub struct PyWeakRef {
    /// The referent.
    pub target: AnyWeak,
    /// The callback, called with this object when the referent dies.
    pub callback: RefCell<Option<Value>>,
}

/// `weakref.WeakValueDictionary()`.
#[derive(Trace)]
pub struct PyWeakValueDict(pub RefCell<WeakValueDictionary<Key, dyn Any>>);

/// `weakref.WeakKeyDictionary()`.
#[derive(Trace)]
pub struct PyWeakKeyDict(pub RefCell<WeakKeyDictionary<dyn Any, Value>>);

/// `weakref.WeakSet()`.
#[derive(Trace)]
pub struct PyWeakSet(pub RefCell<WeakSet<dyn Any>>);

/// What a `weakref.finalize` calls: the function, its arguments.
pub type FinalizeCall = (Value, Vec<Value>, Vec<(Name, Value)>);

/// `weakref.finalize(obj, func, *args, **kwargs)`.
///
/// cyclegc's [`Finalizer`] runs the call; the function and arguments are
/// kept here too, to give them back from `detach()` and `peek()`. They are
/// held by the finalizer registry (as in CPython), outside the collector's
/// sight: a root.
#[derive(Trace)]
pub struct PyFinalize {
    /// cyclegc's finalizer.
    #[trace(skip)]
    pub finalizer: Finalizer,
    /// The call, until it runs or is detached.
    #[trace(skip)]
    pub call: Rc<RefCell<Option<FinalizeCall>>>,
}

/// `super()`: `obj` seen from the class after `class` in its MRO.
#[derive(Trace)]
pub struct PySuper {
    /// The class whose method called `super()`.
    pub class: Cc<PyClass>,
    /// The object (`self`).
    pub obj: Value,
}
