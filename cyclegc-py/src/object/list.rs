//! `list`: a mutable sequence.

use std::cell::RefCell;

use cyclegc::Trace;

use super::Value;

/// A Python list. Never hold a borrow of `items` across a call into Python
/// code or a drop of a `Value`: either may run a `__del__` that uses the
/// list.
#[derive(Trace)]
pub struct PyList {
    /// The elements.
    pub items: RefCell<Vec<Value>>,
}

impl PyList {
    /// A list of `items`.
    pub fn new(items: Vec<Value>) -> PyList {
        PyList {
            items: RefCell::new(items),
        }
    }

    /// A copy of the elements (cheap: refcount increments), to iterate
    /// while Python code may change the list.
    pub fn snapshot(&self) -> Vec<Value> {
        self.items.borrow().clone()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `i`, if any.
    pub fn get(&self, i: usize) -> Option<Value> {
        self.items.borrow().get(i).cloned()
    }
}
