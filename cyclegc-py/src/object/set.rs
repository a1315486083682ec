//! `set`.

use std::cell::RefCell;

use cyclegc::{Cc, Trace};

use super::Set;
use super::{Args, Key, Value};
use crate::vm::methods::arg;
use crate::vm::{PyResult, Vm};

/// A Python set (iterates in insertion order, where CPython's order
/// follows the hashes).
#[derive(Trace)]
pub struct PySet {
    /// The elements.
    pub items: RefCell<Set<Key>>,
}

impl PySet {
    /// A set of `items`.
    pub fn new(items: Set<Key>) -> PySet {
        PySet {
            items: RefCell::new(items),
        }
    }
}

/// Calls method `name` of a set.
pub fn call_method(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
    let Value::Set(s) = obj else {
        return Ok(Value::none());
    };
    let other_set = |v: &Value| -> PyResult<Set<Key>> {
        let mut out = Set::default();
        for x in vm.collect(v)? {
            out.insert(vm.key(x)?);
        }
        Ok(out)
    };
    Ok(match name {
        "add" => {
            let k = vm.key(arg(vm, &args, 0, name)?)?;
            s.items.borrow_mut().insert(k);
            Value::none()
        }
        "discard" | "remove" => {
            let kv = arg(vm, &args, 0, name)?;
            let k = vm.key(kv.clone())?;
            let old = s.items.borrow_mut().shift_take(&k);
            if old.is_none() && name == "remove" {
                return Err(vm.err_args("KeyError", vec![kv]));
            }
            drop(old);
            Value::none()
        }
        "pop" => {
            let first = s.items.borrow_mut().shift_remove_index(0);
            match first {
                Some(k) => k.value,
                None => return Err(vm.err("KeyError", "'pop from an empty set'")),
            }
        }
        "clear" => {
            let old = std::mem::take(&mut *s.items.borrow_mut());
            drop(old);
            Value::none()
        }
        "update" => {
            for a in &args.pos {
                let o = other_set(a)?;
                s.items.borrow_mut().extend(o);
            }
            Value::none()
        }
        "copy" => Value::Set(Cc::new(PySet::new(s.items.borrow().clone()))),
        "union" | "intersection" | "difference" => {
            let mut cur = s.items.borrow().clone();
            for a in &args.pos {
                let o = other_set(a)?;
                cur = match name {
                    "union" => cur.union(&o).cloned().collect(),
                    "intersection" => cur.intersection(&o).cloned().collect(),
                    _ => cur.difference(&o).cloned().collect(),
                };
            }
            Value::Set(Cc::new(PySet::new(cur)))
        }
        "issubset" | "issuperset" | "isdisjoint" => {
            let o = other_set(&arg(vm, &args, 0, name)?)?;
            let cur = s.items.borrow();
            Value::bool(match name {
                "issubset" => cur.is_subset(&o),
                "issuperset" => cur.is_superset(&o),
                _ => cur.is_disjoint(&o),
            })
        }
        _ => {
            return Err(vm.err(
                "AttributeError",
                format!("'set' object has no attribute '{name}'"),
            ))
        }
    })
}
