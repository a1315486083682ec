//! Instances of classes defined in Python: attributes inline, as CPython
//! 3.11 keeps them, so `gc.get_referents(obj)` is the attribute values and
//! then the class.

use std::cell::RefCell;

use cyclegc::{Cc, Finalize, Trace};

use super::{Name, PyClass, Value};
use crate::vm::TbEntry;

/// An instance of a Python class (exceptions included).
///
/// Its finalizer is `__del__`: cyclegc calls it once, when the last
/// reference goes or, in a garbage cycle, before anything of the cycle is
/// freed (PEP 442); `__del__` gets the object itself and may resurrect it.
#[derive(Trace)]
#[trace(finalize, class_name = PyInstance::class_name)]
pub struct PyInstance {
    /// Attribute values by name, in the order they were first set.
    pub attrs: RefCell<Vec<(Name, Value)>>,
    /// `type(obj)`.
    pub class: Cc<PyClass>,
    /// `args` of an exception instance.
    pub exc_args: RefCell<Option<Value>>,
    /// The traceback of an exception instance once caught (its
    /// `__traceback__`), innermost frame first: `raise e` goes on from it.
    #[trace(skip)]
    pub traceback: RefCell<Vec<TbEntry>>,
}

impl PyInstance {
    /// `type(obj).__name__`: what the `gc` module's debug lines and the
    /// objects that `gc` functions return show as its type.
    pub fn class_name(&self) -> &str {
        &self.class.name
    }

    /// An instance of `class` without attributes.
    pub fn new(class: Cc<PyClass>) -> PyInstance {
        PyInstance {
            attrs: RefCell::new(Vec::with_capacity(class.attr_hint.get())),
            class,
            exc_args: RefCell::new(None),
            traceback: RefCell::new(Vec::new()),
        }
    }

    /// The attribute `name`, if set on the instance.
    pub fn get_attr(&self, name: &str) -> Option<Value> {
        self.attrs
            .borrow()
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.clone())
    }

    /// Sets an attribute; returns the old value for the caller to drop
    /// after the borrow (its `__del__` may read this object).
    #[must_use]
    pub fn set_attr(&self, name: &str, value: Value) -> Option<Value> {
        let mut attrs = self.attrs.borrow_mut();
        match attrs.iter_mut().find(|(k, _)| &**k == name) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                // The name is copied only when the attribute is new.
                attrs.push((Name::from(name), value));
                if attrs.len() > self.class.attr_hint.get() {
                    self.class.attr_hint.set(attrs.len());
                }
                None
            }
        }
    }

    /// Removes an attribute; returns it for the caller to drop.
    #[must_use]
    pub fn del_attr(&self, name: &str) -> Option<Value> {
        let mut attrs = self.attrs.borrow_mut();
        let i = attrs.iter().position(|(k, _)| &**k == name)?;
        Some(attrs.remove(i).1)
    }
}

impl Finalize for PyInstance {
    /// Only an instance of a class with `__del__` has a finalizer, as in
    /// CPython (whose other instances have no `tp_finalize`).
    fn has_finalizer(&self) -> bool {
        self.class.lookup("__del__").is_some()
    }

    fn finalize_cc(this: &Cc<PyInstance>) {
        crate::vm::run_del(this);
    }
}
