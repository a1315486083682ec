//! Attribute access: `obj.name`, `obj.name = v`, `del obj.name`.

use cyclegc::Cc;

use super::{PyResult, Vm};
use crate::object::{Name, PyClass, Value};

impl Vm {
    /// `obj.name`.
    pub fn getattr(&self, obj: &Value, name: &str) -> PyResult<Value> {
        match obj {
            Value::Instance(inst) => {
                if let Some(v) = inst.get_attr(name) {
                    return Ok(v);
                }
                if let Some(v) = inst.class.lookup(name) {
                    return self.bind_class_attr(v, obj);
                }
                match name {
                    "__class__" => return Ok(Value::Class(inst.class.clone())),
                    "__dict__" => {
                        let d = crate::object::PyDict::new();
                        for (k, v) in inst.attrs.borrow().iter() {
                            let _ = d.set_str(k, v.clone());
                        }
                        return Ok(Value::Dict(Cc::new(d)));
                    }
                    "args" if inst.exc_args.borrow().is_some() => {
                        return Ok(inst.exc_args.borrow().clone().unwrap_or_else(Value::none))
                    }
                    _ => {}
                }
                if let Some(ga) = inst.class.lookup("__getattr__") {
                    return self.call(&ga, crate::object::Args::new(vec![obj.clone(), Value::str(name)]));
                }
                if let Some(v) = self.builtin_instance_attr(obj, name) {
                    return Ok(v);
                }
                Err(self.err(
                    "AttributeError",
                    format!("'{}' object has no attribute '{name}'", inst.class.name),
                ))
            }
            Value::Class(c) => self.class_getattr(c, name),
            Value::Module(m) => match m.dict.get_str(name) {
                Some(v) => Ok(v),
                None => Err(self.err(
                    "AttributeError",
                    format!("module '{}' has no attribute '{name}'", m.name),
                )),
            },
            Value::Function(f) => match name {
                "__name__" => Ok(Value::str(f.name())),
                "__qualname__" => Ok(Value::str(&f.qualname)),
                "__module__" => Ok(Value::str("__main__")),
                "__globals__" => Ok(Value::Dict(f.globals.clone())),
                "__defaults__" => Ok(if f.defaults.is_empty() {
                    Value::none()
                } else {
                    Value::tuple(f.defaults.clone())
                }),
                "__class__" => Ok(Value::Class(self.type_of(obj))),
                _ => match f.attrs.borrow().iter().find(|(k, _)| &**k == name) {
                    Some((_, v)) => Ok(v.clone()),
                    None => Err(self.no_attr(obj, name)),
                },
            },
            Value::BoundMethod(m) => match name {
                "__self__" => Ok(m.obj.clone()),
                "__func__" => Ok(m.func.clone()),
                "__name__" => self.getattr(&m.func, "__name__"),
                "__qualname__" => self.getattr(&m.func, "__qualname__"),
                _ => self.getattr(&m.func, name),
            },
            Value::Builtin(b) => match name {
                "__name__" => Ok(Value::str(&b.name)),
                "__self__" => Ok(b.bound.clone().unwrap_or_else(Value::none)),
                _ => Err(self.no_attr(obj, name)),
            },
            Value::Super(s) => {
                let cls = &s.obj;
                let mro: Vec<Cc<PyClass>> = match cls {
                    Value::Instance(i) => std::iter::once(i.class.clone())
                        .chain(i.class.mro.iter().cloned())
                        .collect(),
                    Value::Class(c) => std::iter::once(c.clone()).chain(c.mro.iter().cloned()).collect(),
                    _ => Vec::new(),
                };
                let start = mro
                    .iter()
                    .position(|c| Cc::ptr_eq(c, &s.class))
                    .map_or(0, |i| i + 1);
                for c in &mro[start.min(mro.len())..] {
                    if let Some(v) = c.dict.borrow().get(name).cloned() {
                        return self.bind_class_attr(v, &s.obj);
                    }
                    if c.is_builtin() && name == "__init__" {
                        return Ok(self.builtin_init(&s.obj));
                    }
                }
                Err(self.err(
                    "AttributeError",
                    format!("'super' object has no attribute '{name}'"),
                ))
            }
            _ => {
                if name == "__class__" {
                    return Ok(Value::Class(self.type_of(obj)));
                }
                match self.method_of(obj, name) {
                    Some(v) => Ok(v),
                    None => Err(self.no_attr(obj, name)),
                }
            }
        }
    }

    fn no_attr(&self, obj: &Value, name: &str) -> Box<super::PyErr> {
        self.err(
            "AttributeError",
            format!("'{}' object has no attribute '{name}'", obj.type_name()),
        )
    }

    /// What `obj.name` gives for a class attribute `v`: functions become
    /// bound methods; `staticmethod`, `classmethod` and `property` objects
    /// do their thing.
    fn bind_class_attr(&self, v: Value, obj: &Value) -> PyResult<Value> {
        match &v {
            Value::Function(_) => Ok(self.bind_method(v, obj.clone())),
            Value::Instance(wrapper) if wrapper.class.is_builtin() => {
                let inner = wrapper.get_attr("__func__").unwrap_or_else(Value::none);
                match &*wrapper.class.name {
                    "staticmethod" => Ok(inner),
                    "classmethod" => {
                        let cls = match obj {
                            Value::Class(_) => obj.clone(),
                            other => Value::Class(self.type_of(other)),
                        };
                        Ok(self.bind_method(inner, cls))
                    }
                    "property" => {
                        if let Value::Class(_) = obj {
                            return Ok(v.clone());
                        }
                        self.call(&inner, crate::object::Args::new(vec![obj.clone()]))
                    }
                    _ => Ok(v.clone()),
                }
            }
            _ => Ok(v),
        }
    }

    fn class_getattr(&self, c: &Cc<PyClass>, name: &str) -> PyResult<Value> {
        match name {
            "__name__" => return Ok(Value::str(&c.name)),
            "__qualname__" => return Ok(Value::str(&c.qualname)),
            "__module__" => return Ok(Value::str(&c.module)),
            "__mro__" => {
                let mut v = vec![Value::Class(c.clone())];
                v.extend(c.mro.iter().map(|m| Value::Class(m.clone())));
                return Ok(Value::tuple(v));
            }
            "__bases__" => {
                return Ok(Value::tuple(
                    c.bases.iter().map(|b| Value::Class(b.clone())).collect(),
                ))
            }
            "__dict__" => {
                let d = crate::object::PyDict::new();
                for (k, v) in c.dict.borrow().iter() {
                    let _ = d.set_str(k, v.clone());
                }
                return Ok(Value::Dict(Cc::new(d)));
            }
            _ => {}
        }
        if let Some(v) = c.lookup(name) {
            if let Value::Instance(w) = &v {
                if w.class.is_builtin() && &*w.class.name == "classmethod" {
                    return self.bind_class_attr(v.clone(), &Value::Class(c.clone()));
                }
                if w.class.is_builtin() && &*w.class.name == "staticmethod" {
                    return Ok(w.get_attr("__func__").unwrap_or_else(Value::none));
                }
            }
            return Ok(v);
        }
        if c.is_builtin() {
            if let Some(m) = self.unbound_builtin_method(c, name) {
                return Ok(m);
            }
        }
        Err(self.err(
            "AttributeError",
            format!("type object '{}' has no attribute '{name}'", c.name),
        ))
    }

    /// `obj.name = v`.
    pub fn setattr(&self, obj: &Value, name: &str, v: Value) -> PyResult<()> {
        match obj {
            Value::Instance(inst) if !self.setattr_hooks.get() => {
                let old = inst.set_attr(name, v);
                drop(old);
                Ok(())
            }
            Value::Instance(inst) => {
                if let Some(Value::Instance(p)) = inst.class.lookup(name) {
                    if p.class.is_builtin() && &*p.class.name == "property" {
                        return match p.get_attr("fset") {
                            Some(setter) if !setter.is_none() => {
                                self.call(&setter, crate::object::Args::new(vec![obj.clone(), v]))?;
                                Ok(())
                            }
                            _ => Err(self.err("AttributeError", format!("can't set attribute '{name}'"))),
                        };
                    }
                }
                if let Some(sa) = inst.class.lookup("__setattr__") {
                    self.call(
                        &sa,
                        crate::object::Args::new(vec![obj.clone(), Value::str(name), v]),
                    )?;
                    return Ok(());
                }
                let old = inst.set_attr(name, v);
                drop(old);
                Ok(())
            }
            Value::Class(c) => {
                if name == "__setattr__" {
                    self.setattr_hooks.set(true);
                }
                let old = c.dict.borrow_mut().insert(Name::from(name), v);
                drop(old);
                Ok(())
            }
            Value::Function(f) => {
                let old = {
                    let mut attrs = f.attrs.borrow_mut();
                    match attrs.iter_mut().find(|(k, _)| &**k == name) {
                        Some((_, slot)) => Some(std::mem::replace(slot, v)),
                        None => {
                            attrs.push((Name::from(name), v));
                            None
                        }
                    }
                };
                drop(old);
                Ok(())
            }
            Value::Module(m) => {
                let old = m.dict.set_str(name, v);
                drop(old);
                Ok(())
            }
            Value::Finalize(f) if name == "atexit" => {
                let on = self.truthy(&v)?;
                f.finalizer.set_atexit(on);
                Ok(())
            }
            other => {
                let has = self.method_of(other, name).is_some();
                Err(self.err(
                    "AttributeError",
                    if has {
                        format!("'{}' object attribute '{name}' is read-only", other.type_name())
                    } else {
                        format!("'{}' object has no attribute '{name}'", other.type_name())
                    },
                ))
            }
        }
    }

    /// `del obj.name`.
    pub fn delattr(&self, obj: &Value, name: &str) -> PyResult<()> {
        let old = match obj {
            Value::Instance(inst) => inst.del_attr(name),
            Value::Class(c) => {
                let old = c.dict.borrow_mut().shift_remove(name);
                old
            }
            Value::Module(m) => m.dict.remove_str(name),
            _ => None,
        };
        match old {
            Some(v) => {
                drop(v);
                Ok(())
            }
            None => Err(self.no_attr(obj, name)),
        }
    }
}
