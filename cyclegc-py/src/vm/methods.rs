//! The methods of the built-in types (`list.append`, `str.split`,
//! `dict.get`...): looked up by name, bound to their object as a
//! `builtin_function_or_method`, as CPython's are.

use cyclegc::Cc;
use indexmap::IndexSet;

use super::{PyResult, Vm};
use crate::object::iter::IterState;
use crate::object::{Args, PyBuiltin, PyClass, PyDict, PyIter, PySet, Value};

const STR_METHODS: &[&str] = &[
    "upper",
    "lower",
    "join",
    "split",
    "rsplit",
    "format",
    "startswith",
    "endswith",
    "strip",
    "lstrip",
    "rstrip",
    "replace",
    "find",
    "rfind",
    "index",
    "count",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "title",
    "capitalize",
    "zfill",
    "ljust",
    "rjust",
    "center",
    "splitlines",
    "partition",
    "swapcase",
];
const LIST_METHODS: &[&str] = &[
    "append", "pop", "remove", "clear", "extend", "index", "insert", "count", "sort", "reverse", "copy",
];
const DICT_METHODS: &[&str] = &[
    "get",
    "keys",
    "values",
    "items",
    "pop",
    "setdefault",
    "update",
    "clear",
    "copy",
    "popitem",
];
const SET_METHODS: &[&str] = &[
    "add",
    "discard",
    "remove",
    "pop",
    "clear",
    "update",
    "union",
    "intersection",
    "difference",
    "copy",
    "issubset",
    "issuperset",
    "isdisjoint",
];
const TUPLE_METHODS: &[&str] = &["index", "count"];

fn bound(name: &str, obj: &Value) -> Value {
    Value::Builtin(Cc::new(PyBuiltin {
        name: name.into(),
        bound: Some(obj.clone()),
        func: call_method,
    }))
}

impl Vm {
    /// `obj.name` for an object of a built-in type: a bound method, or a
    /// data attribute.
    pub fn method_of(&self, obj: &Value, name: &str) -> Option<Value> {
        let table: &[&str] = match obj {
            Value::Str(_) => STR_METHODS,
            Value::List(_) => LIST_METHODS,
            Value::Dict(_) => DICT_METHODS,
            Value::Set(_) => SET_METHODS,
            Value::Tuple(_) => TUPLE_METHODS,
            Value::Float(f) => {
                return match name {
                    "is_integer" => Some(bound(name, obj)),
                    "real" => Some(Value::float(f.0)),
                    _ => None,
                }
            }
            Value::Int(_) | Value::Bool(_) => {
                return match name {
                    "bit_length" => Some(bound(name, obj)),
                    "real" | "numerator" => Some(Value::int(obj.as_int().unwrap_or(0))),
                    _ => None,
                }
            }
            Value::Range(r) => {
                return match name {
                    "start" => Some(Value::int(r.start)),
                    "stop" => Some(Value::int(r.stop)),
                    "step" => Some(Value::int(r.step)),
                    _ => None,
                }
            }
            Value::WeakValueDict(_)
            | Value::WeakKeyDict(_)
            | Value::WeakSet(_)
            | Value::Finalize(_)
            | Value::WeakRef(_) => return crate::modules::weakref::attribute(self, obj, name),
            Value::Iter(it) if it.kind == "slice" => {
                if let IterState::View(parts) = &*it.state.borrow() {
                    let i = ["start", "stop", "step"].iter().position(|n| *n == name)?;
                    return parts.get(i).cloned();
                }
                return None;
            }
            Value::Cell(c) if name == "cell_contents" => return c.0.borrow().clone(),
            _ => return None,
        };
        table.contains(&name).then(|| bound(name, obj))
    }

    /// `list.append` and the like, looked up on the class: a function
    /// that takes the object as its first argument.
    pub fn unbound_builtin_method(&self, class: &Cc<PyClass>, name: &str) -> Option<Value> {
        let known = match &*class.name {
            "str" => STR_METHODS.contains(&name),
            "list" => LIST_METHODS.contains(&name),
            "dict" => DICT_METHODS.contains(&name),
            "set" => SET_METHODS.contains(&name),
            "tuple" => TUPLE_METHODS.contains(&name),
            _ => false,
        };
        fn unbound(vm: &Vm, b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
            if args.pos.is_empty() {
                return Err(vm.type_error(format!("unbound method {}() needs an argument", b.name)));
            }
            let obj = args.pos.remove(0);
            let m = vm.getattr(&obj, &b.name)?;
            vm.call(&m, args)
        }
        known.then(|| {
            Value::Builtin(Cc::new(PyBuiltin {
                name: name.into(),
                bound: None,
                func: unbound,
            }))
        })
    }

    /// Attributes of instances of built-in classes: exceptions (`args`,
    /// `with_traceback`), `property` (`setter`, `getter`).
    pub fn builtin_instance_attr(&self, obj: &Value, name: &str) -> Option<Value> {
        let Value::Instance(inst) = obj else { return None };
        fn property_setter(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
            let Some(Value::Instance(prop)) = &b.bound else {
                return Err(vm.type_error("setter needs a property"));
            };
            let f = args.pos.into_iter().next().unwrap_or_else(Value::none);
            let class = prop.class.clone();
            let new = crate::object::PyInstance::new(class);
            let _ = new.set_attr(
                &"__func__".into(),
                prop.get_attr("__func__").unwrap_or_else(Value::none),
            );
            let _ = new.set_attr(&"fset".into(), f);
            Ok(Value::Instance(Cc::new(new)))
        }
        if inst.class.is_builtin() && &*inst.class.name == "property" && name == "setter" {
            return Some(Value::Builtin(Cc::new(PyBuiltin {
                name: "setter".into(),
                bound: Some(obj.clone()),
                func: property_setter,
            })));
        }
        if inst.exc_args.borrow().is_some() && name == "with_traceback" {
            fn with_tb(_vm: &Vm, b: &PyBuiltin, _args: Args) -> PyResult<Value> {
                Ok(b.bound.clone().unwrap_or_else(Value::none))
            }
            return Some(Value::Builtin(Cc::new(PyBuiltin {
                name: name.into(),
                bound: Some(obj.clone()),
                func: with_tb,
            })));
        }
        None
    }

    /// `super().__init__` when the next class is a built-in one: for
    /// exceptions it sets `args`, for `object` it does nothing.
    pub fn builtin_init(&self, obj: &Value) -> Value {
        fn init(_vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
            if let Some(Value::Instance(i)) = &b.bound {
                if i.exc_args.borrow().is_some() {
                    let old = crate::object::replace(&i.exc_args, Some(Value::tuple(args.pos)));
                    drop(old);
                }
            }
            Ok(Value::none())
        }
        Value::Builtin(Cc::new(PyBuiltin {
            name: "__init__".into(),
            bound: Some(obj.clone()),
            func: init,
        }))
    }
}

/// Calls a bound method of a built-in type.
fn call_method(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let Some(obj) = &b.bound else {
        return Err(vm.type_error("method called without an object"));
    };
    dispatch(vm, obj, &b.name, args)
}

/// Runs method `name` of a built-in type's object.
fn dispatch(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
    match obj {
        Value::Str(s) => str_method(vm, s.as_str(), name, args),
        Value::List(_) => list_method(vm, obj, name, args),
        Value::Dict(_) => dict_method(vm, obj, name, args),
        Value::Set(_) => set_method(vm, obj, name, args),
        Value::Tuple(t) => {
            let items = t.0.to_vec();
            seq_method(vm, &items, "tuple", name, args)
        }
        Value::Float(f) => Ok(Value::bool(f.0.fract() == 0.0)),
        Value::Int(i) => Ok(Value::int(64 - i.0.unsigned_abs().leading_zeros() as i64)),
        _ => crate::modules::weakref::call_method(vm, obj, name, args),
    }
}

/// The method table of a built-in type's object.
fn method_table(obj: &Value) -> &'static [&'static str] {
    match obj {
        Value::Str(_) => STR_METHODS,
        Value::List(_) => LIST_METHODS,
        Value::Dict(_) => DICT_METHODS,
        Value::Set(_) => SET_METHODS,
        Value::Tuple(_) => TUPLE_METHODS,
        _ => &[],
    }
}

/// Whether `obj.name` is a method of a built-in str, list, dict, set or
/// tuple.
pub fn is_builtin_method(obj: &Value, name: &str) -> bool {
    method_table(obj).contains(&name)
}

impl Vm {
    /// `obj.name(args)` without making the bound method object, when that
    /// is what the attribute would be: a function of the instance's class
    /// or a method of a built-in type (CPython's `LOAD_METHOD`). `None`
    /// when the attribute is something else: the caller looks it up.
    pub fn call_method_fast(
        &self,
        obj: &Value,
        name: &str,
        args: &mut Option<Args>,
    ) -> Option<PyResult<Value>> {
        match obj {
            Value::Instance(inst) => {
                if inst.attrs.borrow().iter().any(|(k, _)| &**k == name) {
                    return None;
                }
                let f @ Value::Function(_) = inst.class.lookup(name)? else {
                    return None;
                };
                let mut args = args.take()?;
                args.pos.insert(0, obj.clone());
                return Some(self.call(&f, args));
            }
            _ if is_builtin_method(obj, name) => {}
            _ => return None,
        }
        let args = args.take()?;
        Some(dispatch(self, obj, name, args))
    }
}

fn arg(vm: &Vm, args: &Args, i: usize, method: &str) -> PyResult<Value> {
    args.pos.get(i).cloned().ok_or_else(|| {
        vm.type_error(format!(
            "{method}() takes at least {} argument{} ({} given)",
            i + 1,
            if i == 0 { "" } else { "s" },
            args.pos.len()
        ))
    })
}

fn str_arg(vm: &Vm, v: &Value, method: &str) -> PyResult<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| vm.type_error(format!("{method}() argument must be str, not {}", v.type_name())))
}

fn str_method(vm: &Vm, s: &str, name: &str, mut args: Args) -> PyResult<Value> {
    let opt_chars =
        |args: &Args| -> Option<String> { args.pos.first().and_then(|v| v.as_str().map(str::to_string)) };
    Ok(match name {
        "upper" => Value::str(&s.to_uppercase()),
        "lower" => Value::str(&s.to_lowercase()),
        "swapcase" => Value::str(
            &s.chars()
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<String>()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect::<String>(),
        ),
        "title" => {
            let mut out = String::new();
            let mut prev_alpha = false;
            for c in s.chars() {
                if prev_alpha {
                    out.extend(c.to_lowercase());
                } else {
                    out.extend(c.to_uppercase());
                }
                prev_alpha = c.is_alphabetic();
            }
            Value::str(&out)
        }
        "capitalize" => {
            let mut cs = s.chars();
            let out = match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => String::new(),
            };
            Value::str(&out)
        }
        "join" => {
            let items = vm.collect(&arg(vm, &args, 0, "join")?)?;
            let mut parts = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(p) => parts.push(p.to_string()),
                    None => {
                        return Err(vm.type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            item.type_name()
                        )))
                    }
                }
            }
            Value::str(&parts.join(s))
        }
        "split" | "rsplit" => {
            let sep = args.take_kw("sep").or_else(|| args.pos.first().cloned());
            let maxsplit = args
                .take_kw("maxsplit")
                .or_else(|| args.pos.get(1).cloned())
                .and_then(|v| v.as_int())
                .unwrap_or(-1);
            let parts: Vec<String> = match sep.as_ref().and_then(|v| v.as_str()) {
                Some("") => return Err(vm.value_error("empty separator")),
                Some(sep) => {
                    if maxsplit < 0 {
                        s.split(sep).map(str::to_string).collect()
                    } else if name == "split" {
                        s.splitn(maxsplit as usize + 1, sep).map(str::to_string).collect()
                    } else {
                        let mut v: Vec<String> = s
                            .rsplitn(maxsplit as usize + 1, sep)
                            .map(str::to_string)
                            .collect();
                        v.reverse();
                        v
                    }
                }
                None => {
                    if maxsplit < 0 {
                        s.split_whitespace().map(str::to_string).collect()
                    } else {
                        let mut out = Vec::new();
                        let mut rest = s.trim_start();
                        while !rest.is_empty() {
                            if out.len() as i64 == maxsplit {
                                out.push(rest.to_string());
                                break;
                            }
                            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                            out.push(rest[..end].to_string());
                            rest = rest[end..].trim_start();
                        }
                        out
                    }
                }
            };
            Value::list(parts.iter().map(|p| Value::str(p)).collect())
        }
        "splitlines" => Value::list(s.lines().map(Value::str).collect()),
        "partition" => {
            let sep = str_arg(vm, &arg(vm, &args, 0, name)?, name)?;
            match s.find(&sep) {
                Some(p) => Value::tuple(vec![
                    Value::str(&s[..p]),
                    Value::str(&sep),
                    Value::str(&s[p + sep.len()..]),
                ]),
                None => Value::tuple(vec![Value::str(s), Value::str(""), Value::str("")]),
            }
        }
        "format" => Value::str(&vm.str_format(s, &args.pos, &args.kw)?),
        "startswith" | "endswith" => {
            let p = arg(vm, &args, 0, name)?;
            let prefixes: Vec<Value> = match &p {
                Value::Tuple(t) => t.0.to_vec(),
                other => vec![other.clone()],
            };
            let mut hit = false;
            for p in &prefixes {
                let p = str_arg(vm, p, name)?;
                hit |= if name == "startswith" {
                    s.starts_with(&p)
                } else {
                    s.ends_with(&p)
                };
            }
            Value::bool(hit)
        }
        "strip" => Value::str(match opt_chars(&args) {
            Some(c) => s.trim_matches(|x| c.contains(x)),
            None => s.trim(),
        }),
        "lstrip" => Value::str(match opt_chars(&args) {
            Some(c) => s.trim_start_matches(|x| c.contains(x)),
            None => s.trim_start(),
        }),
        "rstrip" => Value::str(match opt_chars(&args) {
            Some(c) => s.trim_end_matches(|x| c.contains(x)),
            None => s.trim_end(),
        }),
        "replace" => {
            let old = str_arg(vm, &arg(vm, &args, 0, name)?, name)?;
            let new = str_arg(vm, &arg(vm, &args, 1, name)?, name)?;
            match args.pos.get(2).and_then(|v| v.as_int()) {
                Some(n) if n >= 0 => Value::str(&s.replacen(&old, &new, n as usize)),
                _ => Value::str(&s.replace(&old, &new)),
            }
        }
        "find" | "rfind" | "index" => {
            let sub = str_arg(vm, &arg(vm, &args, 0, name)?, name)?;
            let found = if name == "rfind" {
                s.rfind(&sub)
            } else {
                s.find(&sub)
            };
            match found {
                Some(b) => Value::int(s[..b].chars().count() as i64),
                None if name == "index" => return Err(vm.value_error("substring not found")),
                None => Value::int(-1),
            }
        }
        "count" => {
            let sub = str_arg(vm, &arg(vm, &args, 0, name)?, name)?;
            if sub.is_empty() {
                Value::int(s.chars().count() as i64 + 1)
            } else {
                Value::int(s.matches(&sub).count() as i64)
            }
        }
        "isdigit" => Value::bool(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit())),
        "isalpha" => Value::bool(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalnum" => Value::bool(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "isspace" => Value::bool(!s.is_empty() && s.chars().all(char::is_whitespace)),
        "isupper" => Value::bool(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)),
        "islower" => Value::bool(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)),
        "zfill" => {
            let w = arg(vm, &args, 0, name)?.as_int().unwrap_or(0).max(0) as usize;
            let n = s.chars().count();
            if n >= w {
                Value::str(s)
            } else {
                let (sign, rest) = if s.starts_with(['-', '+']) {
                    s.split_at(1)
                } else {
                    ("", s)
                };
                Value::str(&format!("{sign}{}{rest}", "0".repeat(w - n)))
            }
        }
        "ljust" | "rjust" | "center" => {
            let w = arg(vm, &args, 0, name)?.as_int().unwrap_or(0).max(0) as usize;
            let fill = args
                .pos
                .get(1)
                .and_then(|v| v.as_str().and_then(|f| f.chars().next()))
                .unwrap_or(' ');
            let n = s.chars().count();
            if n >= w {
                Value::str(s)
            } else {
                let pad = w - n;
                let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
                Value::str(&match name {
                    "ljust" => format!("{s}{}", f(pad)),
                    "rjust" => format!("{}{s}", f(pad)),
                    _ => {
                        let left = pad / 2 + (pad & w & 1);
                        format!("{}{s}{}", f(left), f(pad - left))
                    }
                })
            }
        }
        _ => {
            return Err(vm.err(
                "AttributeError",
                format!("'str' object has no attribute '{name}'"),
            ))
        }
    })
}

fn seq_method(vm: &Vm, items: &[Value], tyname: &str, name: &str, args: Args) -> PyResult<Value> {
    let x = arg(vm, &args, 0, name)?;
    match name {
        "count" => {
            let mut n = 0;
            for item in items {
                if item.is(&x) || vm.eq(item, &x)? {
                    n += 1;
                }
            }
            Ok(Value::int(n))
        }
        _ => {
            for (i, item) in items.iter().enumerate() {
                if item.is(&x) || vm.eq(item, &x)? {
                    return Ok(Value::int(i as i64));
                }
            }
            Err(vm.value_error(if tyname == "list" {
                format!("{} is not in list", vm.repr(&x)?)
            } else {
                "tuple.index(x): x not in tuple".to_string()
            }))
        }
    }
}

fn list_method(vm: &Vm, obj: &Value, name: &str, mut args: Args) -> PyResult<Value> {
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
        "index" | "count" => return seq_method(vm, &l.snapshot(), "list", name, args),
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

fn dict_method(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
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
            Value::Dict(Cc::new(PyDict {
                map: std::cell::RefCell::new(m),
            }))
        }
        _ => {
            return Err(vm.err(
                "AttributeError",
                format!("'dict' object has no attribute '{name}'"),
            ))
        }
    })
}

fn set_method(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
    let Value::Set(s) = obj else {
        return Ok(Value::none());
    };
    let other_set = |v: &Value| -> PyResult<IndexSet<crate::object::Key>> {
        let mut out = IndexSet::new();
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

impl Vm {
    /// A stable merge sort by Python's `<` (or by `key(x)`), that reports
    /// the first error instead of panicking on an inconsistent order; on
    /// error the items come back unsorted with the error.
    #[allow(clippy::type_complexity)]
    pub fn sort_values(
        &self,
        items: Vec<Value>,
        key: Option<&Value>,
        reverse: bool,
    ) -> Result<Vec<Value>, (Vec<Value>, Box<super::PyErr>)> {
        let keys: Vec<Value> = match key {
            Some(k) if !k.is_none() => {
                let mut keys = Vec::with_capacity(items.len());
                for x in &items {
                    match self.call(k, Args::new(vec![x.clone()])) {
                        Ok(v) => keys.push(v),
                        Err(e) => return Err((items, e)),
                    }
                }
                keys
            }
            _ => items.clone(),
        };
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let mut err = None;
        let mut less = |a: usize, b: usize| -> bool {
            if err.is_some() {
                return false;
            }
            let (x, y) = if reverse {
                (&keys[b], &keys[a])
            } else {
                (&keys[a], &keys[b])
            };
            match self.compare(rustpython_parser::ast::CmpOp::Lt, x, y) {
                Ok(v) => v,
                Err(e) => {
                    err = Some(e);
                    false
                }
            }
        };
        merge_sort(&mut idx, &mut less);
        if let Some(e) = err {
            return Err((items, e));
        }
        let mut slots: Vec<Option<Value>> = items.into_iter().map(Some).collect();
        Ok(idx
            .into_iter()
            .map(|i| slots[i].take().unwrap_or_else(Value::none))
            .collect())
    }
}

/// A stable merge sort that never panics, whatever `less` says.
fn merge_sort(v: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut buf = v.to_vec();
    let mut width = 1;
    while width < n {
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut a, mut b, mut k) = (i, mid, i);
            while a < mid && b < end {
                if less(v[b], v[a]) {
                    buf[k] = v[b];
                    b += 1;
                } else {
                    buf[k] = v[a];
                    a += 1;
                }
                k += 1;
            }
            buf[k..k + mid - a].copy_from_slice(&v[a..mid]);
            k += mid - a;
            buf[k..k + end - b].copy_from_slice(&v[b..end]);
            i += 2 * width;
        }
        v.copy_from_slice(&buf);
        width *= 2;
    }
}
