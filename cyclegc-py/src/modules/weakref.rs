//! Python's `weakref` module over [`cyclegc::weakref`]: `ref` is a
//! cyclegc weak handle (with cyclegc's callback), the three weak
//! containers are cyclegc's, and `finalize` is cyclegc's `Finalizer`.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use cyclegc::weakref::{WeakKeyDictionary, WeakSet, WeakValueDictionary};
use cyclegc::{AnyCc, Cc, Weak};

use crate::builtins::function;
use crate::object::native::FinalizeCall;
use crate::object::{
    Args, PyBuiltin, PyFinalize, PyWeakKeyDict, PyWeakRef, PyWeakSet, PyWeakValueDict, Value,
};
use crate::vm::{current, PyResult, Vm};

thread_local! {
    /// What the last `weakref.finalize` call returned, for `f()`.
    static LAST_RESULT: RefCell<Option<Value>> = const { RefCell::new(None) };
    /// Set once the exit finalizers ran: as in CPython, no
    /// `weakref.finalize` runs after that (objects freed at shutdown).
    static SHUT_DOWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs the pending `weakref.finalize` calls whose `atexit` is set
/// (newest first), then disables the rest, as CPython's
/// `weakref.finalize._exitfunc`.
pub fn run_exit_finalizers() {
    cyclegc::weakref::run_exit_finalizers();
    SHUT_DOWN.with(|s| s.set(true));
}

/// The result of the finalizer call that just ran, if any.
pub fn take_last_result() -> Option<Value> {
    LAST_RESULT.with(|r| r.borrow_mut().take())
}

/// Builds the module.
pub fn make_module(vm: &Vm) -> Value {
    let fns: &[(&str, crate::object::function::BuiltinFn)] = &[
        ("ref", weak_ref),
        ("ReferenceType", weak_ref),
        ("getweakrefcount", getweakrefcount),
        ("getweakrefs", getweakrefs),
        ("WeakValueDictionary", weak_value_dictionary),
        ("WeakKeyDictionary", weak_key_dictionary),
        ("WeakSet", weak_set),
        ("finalize", finalize),
    ];
    let entries = fns.iter().map(|(n, f)| (*n, function(n, *f))).collect();
    vm.new_module("weakref", entries)
}

/// The referent as a `Cc<dyn Any>`, what cyclegc's containers hold, or
/// Python's `TypeError` for objects that cannot be weakly referenced.
fn weakrefable(vm: &Vm, obj: &Value) -> PyResult<Cc<dyn Any>> {
    if !obj.is_weakrefable() {
        return Err(vm.type_error(format!(
            "cannot create weak reference to '{}' object",
            obj.type_name()
        )));
    }
    obj.to_any()
        .to_dyn_any()
        .ok_or_else(|| vm.type_error("cannot create weak reference to this object"))
}

fn to_value(cc: Cc<dyn Any>) -> Option<Value> {
    Value::from_any(AnyCc::from(cc))
}

fn weak_ref(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let Some(obj) = args.pos.first() else {
        return Err(vm.type_error("__new__ expected at least 1 argument, got 0"));
    };
    let callback = args.pos.get(1).cloned().filter(|c| !c.is_none());
    weakrefable(vm, obj)?;
    let any = obj.to_any();
    let id = obj.id();
    if callback.is_none() {
        // CPython shares one callback-less reference per object.
        let existing = vm.weakrefs.borrow().get(&id).and_then(|refs| {
            refs.iter().filter_map(Weak::upgrade).find(|r| {
                r.callback.borrow().is_none() && r.target.upgrade().is_some_and(|t| AnyCc::ptr_eq(&t, &any))
            })
        });
        if let Some(r) = existing {
            return Ok(Value::WeakRef(r));
        }
    }
    let has_callback = callback.is_some();
    let wr = Cc::new_cyclic(|me: &Weak<PyWeakRef>| {
        let target = if has_callback {
            let me = me.clone();
            any.downgrade_with_callback(move |_| fire_callback(&me))
        } else {
            any.downgrade()
        };
        PyWeakRef {
            target,
            callback: RefCell::new(callback),
        }
    });
    let mut table = vm.weakrefs.borrow_mut();
    let refs = table.entry(id).or_default();
    refs.retain(|r| r.upgrade().is_some_and(|r| r.target.upgrade().is_some()));
    refs.push(Cc::downgrade(&wr));
    drop(table);
    Ok(Value::WeakRef(wr))
}

/// A referent died: call the Python callback with the weakref object.
fn fire_callback(me: &Weak<PyWeakRef>) {
    let Some(wr) = me.upgrade() else { return };
    let Some(vm) = current() else { return };
    if vm.finalizing.get() {
        return;
    }
    let cb = wr.callback.borrow().clone();
    if let Some(cb) = cb {
        if let Err(e) = vm.call(&cb, Args::new(vec![Value::WeakRef(wr.clone())])) {
            vm.report_unraisable(&cb, &e);
        }
    }
}

fn getweakrefcount(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let obj = args
        .pos
        .first()
        .ok_or_else(|| vm.type_error("getweakrefcount() takes exactly one argument (0 given)"))?;
    Ok(Value::int(cyclegc::weakref::getweakrefcount(&obj.to_any()) as i64))
}

fn getweakrefs(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let obj = args
        .pos
        .first()
        .ok_or_else(|| vm.type_error("getweakrefs() takes exactly one argument (0 given)"))?;
    let any = obj.to_any();
    let refs: Vec<Value> = vm
        .weakrefs
        .borrow()
        .get(&obj.id())
        .map(|refs| {
            refs.iter()
                .filter_map(Weak::upgrade)
                .filter(|r| r.target.upgrade().is_some_and(|t| AnyCc::ptr_eq(&t, &any)))
                .map(Value::WeakRef)
                .collect()
        })
        .unwrap_or_default();
    let mut refs = refs;
    refs.reverse();
    Ok(Value::list(refs))
}

fn weak_value_dictionary(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let d = Value::WeakValueDict(Cc::new(PyWeakValueDict(RefCell::new(WeakValueDictionary::new()))));
    if let Some(init) = args.pos.first() {
        for (k, v) in vm.mapping_items(init)? {
            setitem(vm, &d, k, v)?;
        }
    }
    for (k, v) in args.kw {
        setitem(vm, &d, Value::str(&k), v)?;
    }
    Ok(d)
}

fn weak_key_dictionary(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let d = Value::WeakKeyDict(Cc::new(PyWeakKeyDict(RefCell::new(WeakKeyDictionary::new()))));
    if let Some(init) = args.pos.first() {
        for (k, v) in vm.mapping_items(init)? {
            setitem(vm, &d, k, v)?;
        }
    }
    Ok(d)
}

fn weak_set(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let s = Cc::new(PyWeakSet(RefCell::new(WeakSet::new())));
    if let Some(init) = args.pos.first() {
        for x in vm.collect(init)? {
            let cc = weakrefable(vm, &x)?;
            s.0.borrow_mut().insert(&cc);
        }
    }
    Ok(Value::WeakSet(s))
}

fn finalize(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    if args.pos.len() < 2 {
        return Err(vm.type_error(format!(
            "finalize.__init__() missing {} required positional argument{}",
            2 - args.pos.len(),
            if args.pos.len() == 1 { "" } else { "s" }
        )));
    }
    let mut pos = args.pos;
    let obj = pos.remove(0);
    let func = pos.remove(0);
    weakrefable(vm, &obj)?;
    let call: Rc<RefCell<Option<FinalizeCall>>> = Rc::new(RefCell::new(Some((func, pos, args.kw))));
    let pending = call.clone();
    let finalizer = cyclegc::weakref::finalize(&obj.to_any(), move || run_finalize(&pending));
    Ok(Value::Finalize(Cc::new(PyFinalize { finalizer, call })))
}

/// Runs a `weakref.finalize` call: at the referent's death, when called,
/// or at exit.
fn run_finalize(call: &Rc<RefCell<Option<FinalizeCall>>>) {
    let taken = call.borrow_mut().take();
    let Some((func, pos, kw)) = taken else { return };
    if SHUT_DOWN.with(std::cell::Cell::get) {
        return;
    }
    let Some(vm) = current() else { return };
    match vm.call(&func, Args { pos, kw }) {
        Ok(v) => LAST_RESULT.with(|r| *r.borrow_mut() = Some(v)),
        Err(e) => vm.report_unraisable(&func, &e),
    }
}

/// `obj[key]` of a weak dictionary.
pub fn getitem(vm: &Vm, obj: &Value, idx: &Value) -> PyResult<Value> {
    let found = lookup(vm, obj, idx)?;
    found.ok_or_else(|| vm.err_args("KeyError", vec![idx.clone()]))
}

fn lookup(vm: &Vm, obj: &Value, idx: &Value) -> PyResult<Option<Value>> {
    Ok(match obj {
        Value::WeakValueDict(d) => {
            let k = vm.key(idx.clone())?;
            let found = d.0.borrow().get(&k);
            found.and_then(to_value)
        }
        Value::WeakKeyDict(d) => {
            if !idx.is_weakrefable() {
                return Ok(None);
            }
            let found = d.0.borrow().get(&idx.to_any()).cloned();
            found
        }
        _ => None,
    })
}

/// `obj[key] = value` of a weak dictionary.
pub fn setitem(vm: &Vm, obj: &Value, idx: Value, v: Value) -> PyResult<()> {
    match obj {
        Value::WeakValueDict(d) => {
            let k = vm.key(idx)?;
            let cc = weakrefable(vm, &v)?;
            let old = d.0.borrow_mut().insert(k, &cc);
            drop(old);
        }
        Value::WeakKeyDict(d) => {
            let cc = weakrefable(vm, &idx)?;
            let old = d.0.borrow_mut().insert(&cc, v);
            drop(old);
        }
        _ => {}
    }
    Ok(())
}

/// `del obj[key]` of a weak dictionary.
pub fn delitem(vm: &Vm, obj: &Value, idx: &Value) -> PyResult<()> {
    let removed = remove(vm, obj, idx)?;
    match removed {
        Some(v) => {
            drop(v);
            Ok(())
        }
        None => Err(vm.err_args("KeyError", vec![idx.clone()])),
    }
}

fn remove(vm: &Vm, obj: &Value, idx: &Value) -> PyResult<Option<Value>> {
    Ok(match obj {
        Value::WeakValueDict(d) => {
            let k = vm.key(idx.clone())?;
            let old = d.0.borrow_mut().remove(&k);
            old.and_then(to_value)
        }
        Value::WeakKeyDict(d) => {
            if !idx.is_weakrefable() {
                return Ok(None);
            }
            let old = d.0.borrow_mut().remove(&idx.to_any());
            old
        }
        _ => None,
    })
}

/// `item in obj` for the weak containers.
pub fn contains(vm: &Vm, obj: &Value, item: &Value) -> PyResult<bool> {
    Ok(match obj {
        Value::WeakSet(s) => item.is_weakrefable() && s.0.borrow().contains(&item.to_any()),
        _ => lookup(vm, obj, item)?.is_some(),
    })
}

/// The keys (or, for a `WeakSet`, the elements) that are still alive.
pub fn iter_items(_vm: &Vm, obj: &Value) -> PyResult<Vec<Value>> {
    Ok(match obj {
        Value::WeakValueDict(d) => d.0.borrow().keys().map(|k| k.value.clone()).collect(),
        Value::WeakKeyDict(d) => d.0.borrow().keys().filter_map(to_value).collect(),
        Value::WeakSet(s) => s.0.borrow().iter().filter_map(to_value).collect(),
        _ => Vec::new(),
    })
}

fn pairs(obj: &Value) -> Vec<(Value, Value)> {
    match obj {
        Value::WeakValueDict(d) => {
            d.0.borrow()
                .iter()
                .filter_map(|(k, v)| Some((k.value.clone(), to_value(v)?)))
                .collect()
        }
        Value::WeakKeyDict(d) => {
            d.0.borrow()
                .iter()
                .filter_map(|(k, v)| Some((to_value(k)?, v.clone())))
                .collect()
        }
        _ => Vec::new(),
    }
}

fn bound(name: &str, obj: &Value) -> Value {
    Value::Builtin(Cc::new(PyBuiltin {
        name: name.into(),
        bound: Some(obj.clone()),
        func: method_trampoline,
    }))
}

fn method_trampoline(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    match &b.bound {
        Some(obj) => call_method(vm, obj, &b.name, args),
        None => Ok(Value::none()),
    }
}

/// Attributes of the weakref module's objects.
pub fn attribute(_vm: &Vm, obj: &Value, name: &str) -> Option<Value> {
    let methods: &[&str] = match obj {
        Value::WeakValueDict(_) | Value::WeakKeyDict(_) => &[
            "get",
            "keys",
            "values",
            "items",
            "pop",
            "setdefault",
            "update",
            "clear",
            "copy",
        ],
        Value::WeakSet(_) => &["add", "discard", "remove", "clear", "copy"],
        Value::Finalize(f) => {
            return match name {
                "alive" => Some(Value::bool(f.finalizer.alive())),
                "atexit" => Some(Value::bool(f.finalizer.atexit())),
                "detach" | "peek" => Some(bound(name, obj)),
                _ => None,
            }
        }
        Value::WeakRef(w) => {
            return match name {
                "__callback__" => Some(w.callback.borrow().clone().unwrap_or_else(Value::none)),
                _ => None,
            }
        }
        _ => return None,
    };
    methods.contains(&name).then(|| bound(name, obj))
}

/// Calls a method of a weakref-module object.
pub fn call_method(vm: &Vm, obj: &Value, name: &str, args: Args) -> PyResult<Value> {
    let a0 = args.pos.first().cloned();
    let a1 = args.pos.get(1).cloned();
    let missing = || vm.type_error(format!("{name}() missing required argument"));
    match (obj, name) {
        (Value::Finalize(f), "detach" | "peek") => {
            let Some(target) = f.finalizer.peek().and_then(Value::from_any) else {
                return Ok(Value::none());
            };
            if !f.finalizer.alive() {
                return Ok(Value::none());
            }
            let call = if name == "detach" {
                drop(f.finalizer.detach());
                f.call.borrow_mut().take()
            } else {
                f.call.borrow().clone()
            };
            Ok(match call {
                Some((func, pos, kw)) => {
                    let d = crate::object::PyDict::new();
                    for (k, v) in kw {
                        let _ = d.set_str(&k, v);
                    }
                    Value::tuple(vec![target, func, Value::tuple(pos), Value::Dict(Cc::new(d))])
                }
                None => Value::none(),
            })
        }
        (Value::WeakSet(s), _) => {
            let item = a0.ok_or_else(missing);
            match name {
                "add" => {
                    let cc = weakrefable(vm, &item?)?;
                    s.0.borrow_mut().insert(&cc);
                }
                "discard" | "remove" => {
                    let item = item?;
                    let removed = item.is_weakrefable() && s.0.borrow_mut().remove(&item.to_any());
                    if !removed && name == "remove" {
                        return Err(vm.err_args("KeyError", vec![item]));
                    }
                }
                "clear" => s.0.borrow_mut().clear(),
                _ => return Err(vm.unsupported(&format!("WeakSet.{name}"))),
            }
            Ok(Value::none())
        }
        (_, "get") => Ok(lookup(vm, obj, &a0.ok_or_else(missing)?)?
            .or(a1)
            .unwrap_or_else(Value::none)),
        (_, "keys") => Ok(Value::list(pairs(obj).into_iter().map(|(k, _)| k).collect())),
        (_, "values") => Ok(Value::list(pairs(obj).into_iter().map(|(_, v)| v).collect())),
        (_, "items") => Ok(Value::list(
            pairs(obj)
                .into_iter()
                .map(|(k, v)| Value::tuple(vec![k, v]))
                .collect(),
        )),
        (_, "pop") => {
            let k = a0.ok_or_else(missing)?;
            match remove(vm, obj, &k)? {
                Some(v) => Ok(v),
                None => a1.ok_or_else(|| vm.err_args("KeyError", vec![k])),
            }
        }
        (_, "setdefault") => {
            let k = a0.ok_or_else(missing)?;
            if let Some(v) = lookup(vm, obj, &k)? {
                return Ok(v);
            }
            let v = a1.unwrap_or_else(Value::none);
            setitem(vm, obj, k, v.clone())?;
            Ok(v)
        }
        (_, "update") => {
            if let Some(other) = a0 {
                for (k, v) in vm.mapping_items(&other)? {
                    setitem(vm, obj, k, v)?;
                }
            }
            Ok(Value::none())
        }
        (Value::WeakValueDict(d), "clear") => {
            let old = std::mem::take(&mut *d.0.borrow_mut());
            drop(old);
            Ok(Value::none())
        }
        (Value::WeakKeyDict(d), "clear") => {
            let old = std::mem::take(&mut *d.0.borrow_mut());
            drop(old);
            Ok(Value::none())
        }
        _ => Err(vm.err(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", obj.type_name()),
        )),
    }
}
