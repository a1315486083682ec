//! Subscripts and slices: `obj[i]`, `obj[a:b:c]`, assignment and `del`.

use super::{PyResult, Vm};
use crate::object::iter::IterState;
use crate::object::Value;

/// A resolved slice: start, stop, step over a sequence of some length.
struct Slice {
    start: i64,
    stop: i64,
    step: i64,
}

impl Slice {
    fn indices(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = self.start;
        while (self.step > 0 && i < self.stop) || (self.step < 0 && i > self.stop) {
            out.push(i as usize);
            match i.checked_add(self.step) {
                Some(next) => i = next,
                None => break,
            }
        }
        out
    }
}

impl Vm {
    /// The three parts of a slice value, if `v` is one.
    fn slice_parts(&self, v: &Value) -> Option<Vec<Value>> {
        match v {
            Value::Iter(it) if it.kind == "slice" => match &*it.state.borrow() {
                IterState::View(parts) => Some(parts.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn resolve_slice(&self, parts: &[Value], len: usize) -> PyResult<Slice> {
        let len = len as i64;
        let get = |v: &Value| -> PyResult<Option<i64>> {
            if v.is_none() {
                return Ok(None);
            }
            v.as_int().map(Some).ok_or_else(|| {
                self.type_error("slice indices must be integers or None or have an __index__ method")
            })
        };
        let step = get(&parts[2])?.unwrap_or(1);
        if step == 0 {
            return Err(self.value_error("slice step cannot be zero"));
        }
        let clamp = |v: Option<i64>, default: i64| -> i64 {
            match v {
                None => default,
                Some(i) => {
                    let i = if i < 0 { i + len } else { i };
                    if step > 0 {
                        i.clamp(0, len)
                    } else {
                        i.clamp(-1, len - 1)
                    }
                }
            }
        };
        let (ds, de) = if step > 0 { (0, len) } else { (len - 1, -1) };
        Ok(Slice {
            start: clamp(get(&parts[0])?, ds),
            stop: clamp(get(&parts[1])?, de),
            step,
        })
    }

    fn index(&self, idx: &Value, len: usize, what: &str) -> PyResult<usize> {
        let i = idx.as_int().ok_or_else(|| {
            self.type_error(format!(
                "{what} indices must be integers or slices, not {}",
                idx.type_name()
            ))
        })?;
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(self.err("IndexError", format!("{what} index out of range")));
        }
        Ok(j as usize)
    }

    /// `obj[idx]`.
    pub fn getitem(&self, obj: &Value, idx: &Value) -> PyResult<Value> {
        let slice = self.slice_parts(idx);
        match obj {
            Value::List(l) => {
                let items = l.items.borrow();
                if let Some(parts) = slice {
                    let len = items.len();
                    let out: Vec<Value> = {
                        let s = self.resolve_slice(&parts, len)?;
                        s.indices().into_iter().map(|i| items[i].clone()).collect()
                    };
                    drop(items);
                    return Ok(Value::list(out));
                }
                let i = self.index(idx, items.len(), "list")?;
                Ok(items[i].clone())
            }
            Value::Tuple(t) => {
                if let Some(parts) = slice {
                    let s = self.resolve_slice(&parts, t.0.len())?;
                    return Ok(Value::tuple(
                        s.indices().into_iter().map(|i| t.0[i].clone()).collect(),
                    ));
                }
                let i = self.index(idx, t.0.len(), "tuple")?;
                Ok(t.0[i].clone())
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.as_str().chars().collect();
                if let Some(parts) = slice {
                    let sl = self.resolve_slice(&parts, chars.len())?;
                    let out: String = sl.indices().into_iter().map(|i| chars[i]).collect();
                    return Ok(Value::str(&out));
                }
                let i = self.index(idx, chars.len(), "string")?;
                Ok(Value::str(chars[i].encode_utf8(&mut [0; 4])))
            }
            Value::Range(r) => {
                if let Some(parts) = slice {
                    let s = self.resolve_slice(&parts, r.len())?;
                    let vals: Vec<Value> = s.indices().into_iter().map(|i| Value::int(r.at(i))).collect();
                    return Ok(Value::list(vals));
                }
                let i = self.index(idx, r.len(), "range object")?;
                Ok(Value::int(r.at(i)))
            }
            Value::Dict(d) => {
                let k = self.key(idx.clone())?;
                let found = d.map.borrow().get(&k).cloned();
                match found {
                    Some(v) => Ok(v),
                    None => Err(self.err_args("KeyError", vec![idx.clone()])),
                }
            }
            Value::Instance(_) => match self.call_dunder(obj, "__getitem__", vec![idx.clone()]) {
                Some(r) => r,
                None => Err(self.type_error(format!("'{}' object is not subscriptable", obj.type_name()))),
            },
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) => {
                crate::modules::weakref::getitem(self, obj, idx)
            }
            Value::Class(c) => Ok(Value::Class(c.clone())),
            other => Err(self.type_error(format!("'{}' object is not subscriptable", other.type_name()))),
        }
    }

    /// `obj[idx] = v`.
    pub fn setitem(&self, obj: &Value, idx: Value, v: Value) -> PyResult<()> {
        match obj {
            Value::List(l) => {
                if let Some(parts) = self.slice_parts(&idx) {
                    let new = self.collect(&v)?;
                    let len = l.len();
                    let s = self.resolve_slice(&parts, len)?;
                    let old: Vec<Value> = if s.step == 1 {
                        let stop = s.stop.max(s.start) as usize;
                        l.items.borrow_mut().splice(s.start as usize..stop, new).collect()
                    } else {
                        let idxs = s.indices();
                        if idxs.len() != new.len() {
                            return Err(self.value_error(format!(
                                "attempt to assign sequence of size {} to extended slice of size {}",
                                new.len(),
                                idxs.len()
                            )));
                        }
                        let mut items = l.items.borrow_mut();
                        idxs.into_iter()
                            .zip(new)
                            .map(|(i, x)| std::mem::replace(&mut items[i], x))
                            .collect()
                    };
                    drop(old);
                    return Ok(());
                }
                let len = l.len();
                let i = self.index(&idx, len, "list assignment")?;
                let old = std::mem::replace(&mut l.items.borrow_mut()[i], v);
                drop(old);
                Ok(())
            }
            Value::Dict(d) => {
                let k = self.key(idx)?;
                let old = d.map.borrow_mut().insert(k, v);
                drop(old);
                Ok(())
            }
            Value::Instance(_) => match self.call_dunder(obj, "__setitem__", vec![idx, v]) {
                Some(r) => r.map(drop),
                None => Err(self.type_error(format!(
                    "'{}' object does not support item assignment",
                    obj.type_name()
                ))),
            },
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) => {
                crate::modules::weakref::setitem(self, obj, idx, v)
            }
            other => Err(self.type_error(format!(
                "'{}' object does not support item assignment",
                other.type_name()
            ))),
        }
    }

    /// `del obj[idx]`.
    pub fn delitem(&self, obj: &Value, idx: &Value) -> PyResult<()> {
        match obj {
            Value::List(l) => {
                if let Some(parts) = self.slice_parts(idx) {
                    let s = self.resolve_slice(&parts, l.len())?;
                    let mut idxs = s.indices();
                    idxs.sort_unstable();
                    let old: Vec<Value> = {
                        let mut items = l.items.borrow_mut();
                        idxs.into_iter().rev().map(|i| items.remove(i)).collect()
                    };
                    drop(old);
                    return Ok(());
                }
                let i = self.index(idx, l.len(), "list assignment")?;
                let old = l.items.borrow_mut().remove(i);
                drop(old);
                Ok(())
            }
            Value::Dict(d) => {
                let k = self.key(idx.clone())?;
                let old = d.map.borrow_mut().shift_remove(&k);
                match old {
                    Some(v) => {
                        drop(v);
                        Ok(())
                    }
                    None => Err(self.err_args("KeyError", vec![idx.clone()])),
                }
            }
            Value::Instance(_) => match self.call_dunder(obj, "__delitem__", vec![idx.clone()]) {
                Some(r) => r.map(drop),
                None => Err(self.type_error(format!(
                    "'{}' object does not support item deletion",
                    obj.type_name()
                ))),
            },
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) => {
                crate::modules::weakref::delitem(self, obj, idx)
            }
            other => Err(self.type_error(format!(
                "'{}' object does not support item deletion",
                other.type_name()
            ))),
        }
    }
}
