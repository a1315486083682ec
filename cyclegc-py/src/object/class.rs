//! Classes: built-in types and classes defined with `class`.

use std::cell::{Cell, RefCell};

use cyclegc::{Cc, Trace};

use super::Map;
use super::{Name, Value};

/// Which built-in type a class object stands for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Builtin {
    /// `object`.
    Object,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `str`.
    Str,
    /// `bool`.
    Bool,
    /// `list`.
    List,
    /// `tuple`.
    Tuple,
    /// `dict`.
    Dict,
    /// `set`.
    Set,
    /// `range`.
    Range,
    /// `type`.
    Type,
    /// `NoneType`.
    NoneType,
    /// `function`.
    Function,
    /// An exception class: instances are [`super::PyInstance`]s.
    Exception,
    /// Any other built-in type, only named.
    Other,
}

/// A class object.
#[derive(Trace)]
pub struct PyClass {
    /// `__name__`.
    pub name: Name,
    /// `__qualname__`.
    pub qualname: Name,
    /// `__module__`.
    pub module: Name,
    /// The class namespace.
    pub dict: RefCell<Map<Name, Value>>,
    /// `__bases__`.
    pub bases: Vec<Cc<PyClass>>,
    /// `__mro__` without the class itself.
    pub mro: Vec<Cc<PyClass>>,
    /// The built-in type it stands for (for user classes: inherited from
    /// the nearest built-in base).
    #[trace(skip)]
    pub builtin: Builtin,
    /// The most attributes an instance of it has had: new instances get
    /// room for that many at once, as CPython sizes an instance's values
    /// from its class, so building one reallocates nothing and wastes no
    /// slack.
    #[trace(skip)]
    pub attr_hint: Cell<usize>,
}

impl PyClass {
    /// Looks `name` up in the class and its bases, in MRO order.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(name) {
            return Some(v.clone());
        }
        for base in &self.mro {
            if let Some(v) = base.dict.borrow().get(name) {
                return Some(v.clone());
            }
        }
        None
    }

    /// Whether `self` is `other` or derives from it.
    pub fn is_subclass(this: &Cc<PyClass>, other: &Cc<PyClass>) -> bool {
        Cc::ptr_eq(this, other)
            || this.mro.iter().any(|c| Cc::ptr_eq(c, other))
            || (other.builtin == Builtin::Object && other.bases.is_empty())
    }

    /// Whether it is a built-in type rather than a class of the program.
    pub fn is_builtin(&self) -> bool {
        &*self.module == "builtins"
    }
}
