//! The methods of the built-in types (`list.append`, `str.split`,
//! `dict.get`...): looked up by name, bound to their object as a
//! `builtin_function_or_method`, as CPython's are.

use cyclegc::Cc;

use super::{PyResult, Vm};
use crate::object::iter::IterState;
use crate::object::{dict, list, set, string, tuple, Args, PyBuiltin, PyClass, Value};

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
            let _ = new.set_attr("__func__", prop.get_attr("__func__").unwrap_or_else(Value::none));
            let _ = new.set_attr("fset", f);
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
        Value::Str(s) => string::call_method(vm, s.as_str(), name, args),
        Value::List(_) => list::call_method(vm, obj, name, args),
        Value::Dict(_) => dict::call_method(vm, obj, name, args),
        Value::Set(_) => set::call_method(vm, obj, name, args),
        Value::Tuple(t) => {
            let items = t.0.to_vec();
            tuple::call_method(vm, &items, "tuple", name, args)
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

/// Positional argument `i` of a method call, or CPython's `TypeError`.
pub(crate) fn arg(vm: &Vm, args: &Args, i: usize, method: &str) -> PyResult<Value> {
    args.pos.get(i).cloned().ok_or_else(|| {
        vm.type_error(format!(
            "{method}() takes at least {} argument{} ({} given)",
            i + 1,
            if i == 0 { "" } else { "s" },
            args.pos.len()
        ))
    })
}

/// A str argument, or CPython's `TypeError`.
pub(crate) fn str_arg(vm: &Vm, v: &Value, method: &str) -> PyResult<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| vm.type_error(format!("{method}() argument must be str, not {}", v.type_name())))
}
