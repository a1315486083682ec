//! `set`.

use std::cell::RefCell;

use cyclegc::Trace;
use indexmap::IndexSet;

use super::Key;

/// A Python set (iterates in insertion order, where CPython's order
/// follows the hashes).
#[derive(Trace)]
pub struct PySet {
    /// The elements.
    pub items: RefCell<IndexSet<Key>>,
}

impl PySet {
    /// A set of `items`.
    pub fn new(items: IndexSet<Key>) -> PySet {
        PySet {
            items: RefCell::new(items),
        }
    }
}
