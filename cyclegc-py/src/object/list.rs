//! `list`: a mutable sequence.

use std::cell::RefCell;

use cyclegc::Trace;

use super::{Args, Value};
use crate::vm::methods::arg;
use crate::vm::{PyResult, Vm};

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

/// Calls method `name` of a list.
pub fn call_method(vm: &Vm, obj: &Value, name: &str, mut args: Args) -> PyResult<Value> {
    let Value::List(l) = obj else {
        return Ok(Value::none());
    };
    match name {
        "append" => {
            let v = arg(vm, &args, 0, name)?;
            l.items.borrow_mut().push(v);
        }
        "extend" => {
            let items = vm.collect(&arg(vm, &args, 0, name)?)?;
            l.items.borrow_mut().extend(items);
        }
        "insert" => {
            let i = arg(vm, &args, 0, name)?.as_int().unwrap_or(0);
            let v = arg(vm, &args, 1, name)?;
            let len = l.len() as i64;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            l.items.borrow_mut().insert(i as usize, v);
        }
        "pop" => {
            let len = l.len();
            if len == 0 {
                return Err(vm.err("IndexError", "pop from empty list"));
            }
            let i = match args.pos.first() {
                Some(v) => v.as_int().unwrap_or(-1),
                None => -1,
            };
            let j = if i < 0 { i + len as i64 } else { i };
            if j < 0 || j >= len as i64 {
                return Err(vm.err("IndexError", "pop index out of range"));
            }
            let v = l.items.borrow_mut().remove(j as usize);
            return Ok(v);
        }
        "remove" => {
            let x = arg(vm, &args, 0, name)?;
            let items = l.snapshot();
            for (i, item) in items.iter().enumerate() {
                if item.is(&x) || vm.eq(item, &x)? {
                    drop(items);
                    let old = l.items.borrow_mut().remove(i);
                    drop(old);
                    return Ok(Value::none());
                }
            }
            return Err(vm.value_error("list.remove(x): x not in list"));
        }
        "clear" => {
            let old = std::mem::take(&mut *l.items.borrow_mut());
            drop(old);
        }
        "index" | "count" => return super::tuple::call_method(vm, &l.snapshot(), "list", name, args),
        "reverse" => l.items.borrow_mut().reverse(),
        "copy" => return Ok(Value::list(l.snapshot())),
        "sort" => {
            let key = args.take_kw("key");
            let reverse = match args.take_kw("reverse") {
                Some(r) => vm.truthy(&r)?,
                None => false,
            };
            let items = std::mem::take(&mut *l.items.borrow_mut());
            let sorted = vm.sort_values(items, key.as_ref(), reverse);
            match sorted {
                Ok(items) => {
                    let old = std::mem::replace(&mut *l.items.borrow_mut(), items);
                    drop(old);
                }
                Err((items, e)) => {
                    let old = std::mem::replace(&mut *l.items.borrow_mut(), items);
                    drop(old);
                    return Err(e);
                }
            }
        }
        _ => {
            return Err(vm.err(
                "AttributeError",
                format!("'list' object has no attribute '{name}'"),
            ))
        }
    }
    Ok(Value::none())
}
