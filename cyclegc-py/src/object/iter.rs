//! Iterators: over lists, tuples, strs, dicts and ranges, and the
//! materialised results of generator expressions, `enumerate`, `zip`...

use std::cell::RefCell;
use std::collections::VecDeque;

use cyclegc::{Cc, Trace};

use super::{PyDict, Value};

/// Where an iterator is.
#[derive(Trace)]
pub enum IterState {
    /// Over a list, tuple or str by index (a list may grow meanwhile).
    Seq {
        /// The sequence.
        seq: Value,
        /// The next index.
        index: usize,
    },
    /// Over a range.
    Range {
        /// The next value.
        next: i64,
        /// Values left.
        left: usize,
        /// The step.
        step: i64,
    },
    /// Over a dict's keys, by position: a change of the dict's size is
    /// an error, as in CPython.
    DictKeys {
        /// The dict.
        dict: Cc<PyDict>,
        /// The next position.
        index: usize,
        /// The dict's size when the iteration started.
        len: usize,
    },
    /// Over precomputed values.
    Buffer(VecDeque<Value>),
    /// A dict view (`keys()`, `values()`, `items()`): iterable again and
    /// again, not itself an iterator.
    View(Vec<Value>),
    /// Exhausted.
    Done,
}

/// An iterator object; `kind` is its Python type name.
#[derive(Trace)]
pub struct PyIter {
    /// The Python type name (`list_iterator`, `generator`, `dict_keys`...).
    pub kind: &'static str,
    /// The state.
    pub state: RefCell<IterState>,
}

impl PyIter {
    /// An iterator of type `kind` in `state`.
    pub fn new(kind: &'static str, state: IterState) -> PyIter {
        PyIter {
            kind,
            state: RefCell::new(state),
        }
    }

    /// The Python type name.
    pub fn type_name(&self) -> &'static str {
        self.kind
    }

    /// Whether this is a dict view rather than an iterator.
    pub fn is_view(&self) -> bool {
        matches!(&*self.state.borrow(), IterState::View(_))
    }

    /// Takes the next element out of a state that needs no Python code.
    ///
    /// No borrow of the state is held while the element is made: making it
    /// may allocate, an allocation may run a collection, and a collection
    /// may run a `__del__` that uses this very iterator.
    pub fn next(&self) -> Option<Value> {
        let position = match &*self.state.borrow() {
            IterState::Seq { seq, index } => Some((seq.clone(), *index)),
            _ => None,
        };
        if let Some((seq, index)) = position {
            let item = match &seq {
                Value::List(l) => l.get(index),
                Value::Tuple(t) => t.0.get(index).cloned(),
                Value::Str(s) => s.char_at(index).map(|c| Value::str(c.encode_utf8(&mut [0; 4]))),
                _ => None,
            };
            let old = {
                let mut st = self.state.borrow_mut();
                match (&item, &mut *st) {
                    (Some(_), IterState::Seq { index: i, .. }) if *i == index => {
                        *i += 1;
                        None
                    }
                    (None, _) => Some(std::mem::replace(&mut *st, IterState::Done)),
                    _ => None,
                }
            };
            drop(old);
            return item;
        }
        let mut st = self.state.borrow_mut();
        match &mut *st {
            IterState::Seq { .. } => None,
            IterState::Range { next, left, step } => {
                if *left == 0 {
                    return None;
                }
                let v = *next;
                *left -= 1;
                *next = next.wrapping_add(*step);
                drop(st);
                Some(Value::int(v))
            }
            IterState::Buffer(items) => {
                let v = items.pop_front();
                drop(st);
                v
            }
            IterState::DictKeys { .. } => None,
            IterState::View(_) | IterState::Done => None,
        }
    }
}
