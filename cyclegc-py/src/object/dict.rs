//! `dict` (insertion-ordered, as Python's) and the hashable [`Key`].

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use cyclegc::{Cc, Trace};
use indexmap::Equivalent;

use super::iter::IterState;
use super::Map;
use super::{Args, PyIter, Value};
use crate::vm::methods::arg;
use crate::vm::{PyResult, Vm};

/// A Python dict. As with lists, never hold a borrow of `map` across a
/// call into Python code or the drop of a `Value`.
#[derive(Trace)]
pub struct PyDict {
    /// The entries, in insertion order.
    pub map: RefCell<Map<Key, Value>>,
}

impl PyDict {
    /// An empty dict.
    pub fn new() -> PyDict {
        PyDict {
            map: RefCell::new(Map::default()),
        }
    }

    /// The value for a str key.
    pub fn get_str(&self, name: &str) -> Option<Value> {
        self.map.borrow().get(&StrKey::new(name)).cloned()
    }

    /// Sets a str key; returns the old value for the caller to drop.
    #[must_use]
    pub fn set_str(&self, name: &str, value: Value) -> Option<Value> {
        let mut map = self.map.borrow_mut();
        // Rebinding an existing name (a global in a loop) makes no str.
        if let Some(slot) = map.get_mut(&StrKey::new(name)) {
            return Some(std::mem::replace(slot, value));
        }
        map.insert(Key::for_str(name), value)
    }

    /// Removes a str key; returns the old value for the caller to drop.
    #[must_use]
    pub fn remove_str(&self, name: &str) -> Option<Value> {
        self.map.borrow_mut().shift_remove(&StrKey::new(name))
    }

    /// The entries, cloned.
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.map
            .borrow()
            .iter()
            .map(|(k, v)| (k.value.clone(), v.clone()))
            .collect()
    }

    /// The keys, cloned.
    pub fn keys(&self) -> Vec<Value> {
        self.map.borrow().keys().map(|k| k.value.clone()).collect()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    /// Whether the dict is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for PyDict {
    fn default() -> Self {
        PyDict::new()
    }
}

/// A hashable value with its hash: the key of dicts and sets. Equality and
/// hashing are Python's for numbers (`1 == 1.0 == True`), strs, tuples and
/// `None`, and identity for every other object.
#[derive(Clone, Trace)]
pub struct Key {
    hash: u64,
    /// The key object.
    pub value: Value,
}

impl Key {
    /// The key for `value`, or the type name of an unhashable value.
    pub fn new(value: Value) -> Result<Key, &'static str> {
        let hash = hash_value(&value)?;
        Ok(Key { hash, value })
    }

    /// The key for a str.
    pub fn for_str(s: &str) -> Key {
        Key {
            hash: hash_str(s),
            value: Value::str(s),
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.hash == other.hash && values_equal(&self.value, &other.value)
    }
}

impl Eq for Key {}

/// Looks a str key up without making a str object.
pub struct StrKey<'a> {
    s: &'a str,
    hash: u64,
}

impl<'a> StrKey<'a> {
    /// The lookup key for `s`.
    pub fn new(s: &'a str) -> StrKey<'a> {
        StrKey { s, hash: hash_str(s) }
    }
}

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        key.value.as_str() == Some(self.s)
    }
}

/// FNV-1a: deterministic, so a program's dict and set order is the same
/// on every run.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Python's `hash()` for the built-in hashable types; identity for
/// instances and other objects; `Err(type name)` for lists, dicts, sets.
pub fn hash_value(v: &Value) -> Result<u64, &'static str> {
    Ok(match v {
        Value::Int(i) => i.0 as u64,
        Value::Bool(b) => u64::from(b.0),
        Value::Float(f) => {
            let f = f.0;
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                f as i64 as u64
            } else {
                f.to_bits()
            }
        }
        Value::Str(s) => hash_str(s.as_str()),
        Value::None(_) => 0x5a5a_1234,
        Value::Tuple(t) => {
            let mut h: u64 = 0x345678;
            for item in t.0.iter() {
                h = (h ^ hash_value(item)?).wrapping_mul(1000003);
            }
            h
        }
        Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::WeakValueDict(_) | Value::WeakKeyDict(_) => {
            return Err(v.builtin_type_name())
        }
        other => (other.id() >> 4) as u64,
    })
}

/// Python's `==` for the types that have a built-in equality (numbers,
/// strs, tuples, lists, dicts, sets, `None`); identity otherwise.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Int(_) | Bool(_), Int(_) | Bool(_)) => a.as_int() == b.as_int(),
        (Float(x), Float(y)) => x.0 == y.0,
        (Float(x), Int(_) | Bool(_)) => Some(x.0) == b.as_int().map(|i| i as f64),
        (Int(_) | Bool(_), Float(y)) => a.as_int().map(|i| i as f64) == Some(y.0),
        (Str(x), Str(y)) => x.as_str() == y.as_str(),
        (Tuple(x), Tuple(y)) => {
            x.0.len() == y.0.len()
                && x.0
                    .iter()
                    .zip(y.0.iter())
                    .all(|(p, q)| p.is(q) || values_equal(p, q))
        }
        (List(x), List(y)) => {
            let (x, y) = (x.snapshot(), y.snapshot());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| p.is(q) || values_equal(p, q))
        }
        (Dict(x), Dict(y)) => {
            let (x, y) = (x.map.borrow(), y.map.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| v.is(w) || values_equal(v, w)))
        }
        (Set(x), Set(y)) => {
            let (x, y) = (x.items.borrow(), y.items.borrow());
            x.len() == y.len() && x.iter().all(|k| y.contains(k))
        }
        _ => a.is(b),
    }
}

/// Calls method `name` of a dict.
pub fn call_method(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
    let Value::Dict(d) = obj else {
        return Ok(Value::none());
    };
    let view = |kind: &'static str, items: Vec<Value>| {
        Value::Iter(Cc::new(PyIter::new(kind, IterState::View(items))))
    };
    Ok(match name {
        "get" => {
            let k = vm.key(arg(vm, &args, 0, name)?)?;
            let found = d.map.borrow().get(&k).cloned();
            found.unwrap_or_else(|| args.pos.get(1).cloned().unwrap_or_else(Value::none))
        }
        "keys" => view("dict_keys", d.keys()),
        "values" => view("dict_values", d.map.borrow().values().cloned().collect()),
        "items" => view(
            "dict_items",
            d.items()
                .into_iter()
                .map(|(k, v)| Value::tuple(vec![k, v]))
                .collect(),
        ),
        "pop" => {
            let kv = arg(vm, &args, 0, name)?;
            let k = vm.key(kv.clone())?;
            let found = d.map.borrow_mut().shift_remove(&k);
            match (found, args.pos.get(1)) {
                (Some(v), _) => v,
                (None, Some(default)) => default.clone(),
                (None, None) => return Err(vm.err_args("KeyError", vec![kv])),
            }
        }
        "popitem" => {
            let last = d.map.borrow_mut().pop();
            match last {
                Some((k, v)) => Value::tuple(vec![k.value, v]),
                None => return Err(vm.err("KeyError", "'popitem(): dictionary is empty'")),
            }
        }
        "setdefault" => {
            let k = vm.key(arg(vm, &args, 0, name)?)?;
            let existing = d.map.borrow().get(&k).cloned();
            match existing {
                Some(v) => v,
                None => {
                    let v = args.pos.get(1).cloned().unwrap_or_else(Value::none);
                    d.map.borrow_mut().insert(k, v.clone());
                    v
                }
            }
        }
        "update" => {
            let mut pairs = Vec::new();
            if let Some(other) = args.pos.first() {
                match other {
                    Value::Dict(o) => pairs.extend(o.items()),
                    other => {
                        for item in vm.collect(other)? {
                            let kv = vm.collect(&item)?;
                            if kv.len() != 2 {
                                return Err(
                                    vm.value_error("dictionary update sequence element has wrong length")
                                );
                            }
                            pairs.push((kv[0].clone(), kv[1].clone()));
                        }
                    }
                }
            }
            for (k, v) in args.kw {
                pairs.push((Value::str(&k), v));
            }
            for (k, v) in pairs {
                let k = vm.key(k)?;
                let old = d.map.borrow_mut().insert(k, v);
                drop(old);
            }
            Value::none()
        }
        "clear" => {
            let old = std::mem::take(&mut *d.map.borrow_mut());
            drop(old);
            Value::none()
        }
        "copy" => {
            let m = d.map.borrow().clone();
            Value::Dict(Cc::new(PyDict { map: RefCell::new(m) }))
        }
        _ => {
            return Err(vm.err(
                "AttributeError",
                format!("'dict' object has no attribute '{name}'"),
            ))
        }
    })
}
