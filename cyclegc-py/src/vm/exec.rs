//! Statements.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use cyclegc::Cc;
use rustpython_parser::ast::{self, Expr, Ranged, Stmt};

use super::code::{class_scope, Body, Code};
use super::frame::{Frame, FrameKind, Locals};
use super::{ExecResult, Flow, PyErr, PyResult, Vm};
use crate::object::class::Builtin;
use crate::object::{Args, Name, PyClass, PyFunction, Value};

impl Vm {
    /// Runs statements in order.
    pub(crate) fn exec_block(&self, frame: &Frame<'_>, stmts: &[Stmt]) -> ExecResult {
        for s in stmts {
            frame.line.set(self.line_of(s.start()));
            if let Err(flow) = self.exec(frame, s) {
                return Err(match flow {
                    Flow::Raise(mut e) => {
                        self.add_traceback(frame, &mut e);
                        Flow::Raise(e)
                    }
                    other => other,
                });
            }
        }
        Ok(())
    }

    fn exec(&self, frame: &Frame<'_>, s: &Stmt) -> ExecResult {
        match s {
            Stmt::Expr(e) => {
                let v = self.eval(frame, &e.value)?;
                drop(v);
            }
            Stmt::Assign(a) => {
                let v = self.eval(frame, &a.value)?;
                for t in &a.targets {
                    self.assign(frame, t, v.clone())?;
                }
            }
            Stmt::AugAssign(a) => self.aug_assign(frame, a)?,
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let v = self.eval(frame, v)?;
                    self.assign(frame, &a.target, v)?;
                }
            }
            Stmt::If(i) => {
                let t = self.eval(frame, &i.test)?;
                if self.truthy(&t)? {
                    self.exec_block(frame, &i.body)?;
                } else {
                    self.exec_block(frame, &i.orelse)?;
                }
            }
            Stmt::While(w) => loop {
                let t = self.eval(frame, &w.test)?;
                if !self.truthy(&t)? {
                    self.exec_block(frame, &w.orelse)?;
                    break;
                }
                match self.exec_block(frame, &w.body) {
                    Ok(()) | Err(Flow::Continue) => {}
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                }
            },
            Stmt::For(f) => {
                let iterable = self.eval(frame, &f.iter)?;
                let it = self.iter(&iterable)?;
                drop(iterable);
                loop {
                    let Some(item) = self.next(&it)? else {
                        self.exec_block(frame, &f.orelse)?;
                        break;
                    };
                    self.assign(frame, &f.target, item)?;
                    match self.exec_block(frame, &f.body) {
                        Ok(()) | Err(Flow::Continue) => {}
                        Err(Flow::Break) => break,
                        Err(other) => return Err(other),
                    }
                }
            }
            Stmt::Pass(_) => {}
            Stmt::Break(_) => return Err(Flow::Break),
            Stmt::Continue(_) => return Err(Flow::Continue),
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(e) => self.eval(frame, e)?,
                    None => Value::none(),
                };
                return Err(Flow::Return(v));
            }
            Stmt::FunctionDef(f) => {
                let key = f as *const ast::StmtFunctionDef as usize;
                let line = self.line_of(f.range.start());
                let code = self.code_for(key, || {
                    Code::new(&f.name, &f.args, Body::Stmts(f.body.clone()), line)
                });
                let func = self.make_function(frame, code, &f.args)?;
                let mut func = func;
                for d in f.decorator_list.iter().rev() {
                    let dec = self.eval(frame, d)?;
                    func = self.call(&dec, Args::new(vec![func]))?;
                }
                self.store_name(frame, &f.name, func)?;
            }
            Stmt::ClassDef(c) => self.exec_class(frame, c)?,
            Stmt::Delete(d) => {
                for t in &d.targets {
                    self.delete(frame, t)?;
                }
            }
            Stmt::Raise(r) => return Err(Flow::Raise(self.exec_raise(frame, r)?)),
            Stmt::Try(t) => return self.exec_try(frame, t),
            Stmt::Assert(a) => {
                let t = self.eval(frame, &a.test)?;
                if !self.truthy(&t)? {
                    let args = match &a.msg {
                        Some(m) => vec![self.eval(frame, m)?],
                        None => vec![],
                    };
                    return Err(Flow::Raise(self.err_args("AssertionError", args)));
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let m = self.import(&alias.name)?;
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.store_name(frame, name, m)?;
                }
            }
            Stmt::ImportFrom(i) => {
                let modname = i.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                if i.level.is_some_and(|l| l.to_u32() > 0) {
                    return Err(Flow::Raise(self.unsupported("relative import")));
                }
                let m = self.import(modname)?;
                for alias in &i.names {
                    if alias.name.as_str() == "*" {
                        if let Value::Module(md) = &m {
                            for (k, v) in md.dict.items() {
                                if let Some(name) = k.as_str() {
                                    if !name.starts_with('_') {
                                        self.store_name(frame, name, v)?;
                                    }
                                }
                            }
                        }
                        continue;
                    }
                    let v = self.getattr(&m, &alias.name).map_err(|_| {
                        self.err(
                            "ImportError",
                            format!(
                                "cannot import name '{}' from '{modname}' (unknown location)",
                                alias.name
                            ),
                        )
                    })?;
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.store_name(frame, name, v)?;
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::With(w) => return self.exec_with(frame, &w.items, &w.body),
            Stmt::AsyncFunctionDef(_) | Stmt::AsyncFor(_) | Stmt::AsyncWith(_) => {
                return Err(Flow::Raise(self.unsupported("async")))
            }
            Stmt::Match(_) => return Err(Flow::Raise(self.unsupported("match"))),
            Stmt::TryStar(_) => return Err(Flow::Raise(self.unsupported("try/except*"))),
            Stmt::TypeAlias(_) => return Err(Flow::Raise(self.unsupported("type alias"))),
        }
        Ok(())
    }

    /// Makes a function object for `code` defined in `frame`.
    pub(crate) fn make_function(
        &self,
        frame: &Frame<'_>,
        code: std::rc::Rc<Code>,
        args: &ast::Arguments,
    ) -> PyResult<Value> {
        if code_has_yield(&code) {
            return Err(self.unsupported("generator function (yield)"));
        }
        let mut defaults = Vec::new();
        for a in args.posonlyargs.iter().chain(&args.args) {
            if let Some(d) = &a.default {
                defaults.push(self.eval(frame, d)?);
            }
        }
        let mut kwdefaults = Vec::new();
        for a in &args.kwonlyargs {
            if let Some(d) = &a.default {
                kwdefaults.push((Name::from(a.def.arg.as_str()), self.eval(frame, d)?));
            }
        }
        let mut closure = Vec::new();
        for name in &code.scope.free {
            if let Some(cell) = frame.find_cell(name) {
                closure.push((name.clone(), cell));
            }
        }
        let qualname: Name = format!("{}{}", frame.qualprefix(), code.name).into();
        Ok(Value::Function(Cc::new(PyFunction {
            code,
            qualname,
            globals: frame.globals.clone(),
            defaults,
            kwdefaults,
            closure,
            attrs: RefCell::new(Vec::new()),
            class: RefCell::new(None),
        })))
    }

    fn exec_class(&self, frame: &Frame<'_>, c: &ast::StmtClassDef) -> ExecResult {
        if !c.keywords.is_empty() {
            return Err(Flow::Raise(self.unsupported("class keywords (metaclass=...)")));
        }
        let mut bases = Vec::new();
        for b in &c.bases {
            match self.eval(frame, b)? {
                Value::Class(cls) => bases.push(cls),
                other => {
                    return Err(Flow::Raise(
                        self.type_error(format!("bases must be types, not {}", other.type_name())),
                    ))
                }
            }
        }
        let key = c as *const ast::StmtClassDef as usize;
        let scope = self.code_for(key, || {
            let scope = class_scope(&c.body);
            Code {
                name: c.name.as_str().into(),
                params: Vec::new(),
                vararg: None,
                kwonly: Vec::new(),
                kwarg: None,
                body: Body::Stmts(Vec::new()),
                scope,
                line: 0,
            }
        });
        let _ = scope;
        let qualname: Name = format!("{}{}", frame.qualprefix(), c.name).into();
        let body_frame = Frame {
            kind: FrameKind::Class,
            code: None,
            locals: RefCell::new(Locals::default()),
            globals: frame.globals.clone(),
            cells: HashMap::new(),
            parent: Some(frame),
            id: self.next_frame_id(),
            name: c.name.as_str().into(),
            qualname: qualname.clone(),
            line: Cell::new(frame.line.get()),
            class: None,
        };
        let _ = body_frame
            .locals
            .borrow_mut()
            .insert("__module__".into(), Value::str("__main__"));
        let _ = body_frame
            .locals
            .borrow_mut()
            .insert("__qualname__".into(), Value::str(&qualname));
        let r = self.exec_block(&body_frame, &c.body);
        match r {
            Ok(()) => {}
            Err(Flow::Raise(e)) => return Err(Flow::Raise(e)),
            Err(_) => {}
        }
        let ns = std::mem::take(&mut *body_frame.locals.borrow_mut()).into_map();
        if ns.contains_key("__setattr__") {
            self.setattr_hooks.set(true);
        }
        let bases = if bases.is_empty() {
            vec![self.types.object.clone()]
        } else {
            bases
        };
        let mut mro: Vec<Cc<PyClass>> = Vec::new();
        for b in &bases {
            for cls in std::iter::once(b).chain(b.mro.iter()) {
                if !mro.iter().any(|m| Cc::ptr_eq(m, cls)) {
                    mro.push(cls.clone());
                }
            }
        }
        // `object` goes last, as in a C3 linearisation.
        if let Some(i) = mro.iter().position(|m| Cc::ptr_eq(m, &self.types.object)) {
            let o = mro.remove(i);
            mro.push(o);
        }
        let builtin = match bases[0].builtin {
            Builtin::Exception => Builtin::Exception,
            Builtin::Object => Builtin::Object,
            other => {
                if bases[0].is_builtin() {
                    return Err(Flow::Raise(
                        self.unsupported(&format!("subclassing {}", bases[0].name)),
                    ));
                }
                other
            }
        };
        let class = Cc::new(PyClass {
            name: c.name.as_str().into(),
            qualname,
            module: "__main__".into(),
            dict: RefCell::new(ns),
            bases,
            mro,
            builtin,
            attr_hint: Default::default(),
        });
        for v in class.dict.borrow().values() {
            if let Value::Function(f) = v {
                *f.class.borrow_mut() = Some(class.clone());
            }
        }
        let mut value = Value::Class(class);
        for d in c.decorator_list.iter().rev() {
            let dec = self.eval(frame, d)?;
            value = self.call(&dec, Args::new(vec![value]))?;
        }
        self.store_name(frame, &c.name, value)?;
        Ok(())
    }

    fn exec_raise(&self, frame: &Frame<'_>, r: &ast::StmtRaise) -> PyResult<Box<PyErr>> {
        let Some(exc) = &r.exc else {
            return match self.handling.borrow().last() {
                Some(e) => Ok(e.clone()),
                None => Err(self.err("RuntimeError", "No active exception to reraise")),
            };
        };
        let v = self.eval(frame, exc)?;
        let mut err = self.make_exception(v)?;
        if let Some(cause) = &r.cause {
            let c = self.eval(frame, cause)?;
            if !c.is_none() {
                err.cause = Some(self.make_exception(c)?);
            }
        }
        Ok(err)
    }

    /// The exception `raise v` raises: an instance, or a class called with
    /// no arguments.
    pub(crate) fn make_exception(&self, v: Value) -> PyResult<Box<PyErr>> {
        let base = self.types.by_name["BaseException"].clone();
        match &v {
            Value::Instance(i) if PyClass::is_subclass(&i.class, &base) => {
                let mut err = PyErr::new(i.clone());
                err.tb = i.traceback.borrow().clone();
                Ok(err)
            }
            Value::Class(c) if PyClass::is_subclass(c, &base) => {
                match self.instantiate(c, Args::default())? {
                    Value::Instance(i) => Ok(PyErr::new(i)),
                    _ => Err(self.type_error("exceptions must derive from BaseException")),
                }
            }
            _ => Err(self.type_error("exceptions must derive from BaseException")),
        }
    }

    /// Whether the exception matches an `except` clause's class (or tuple).
    fn exception_matches(&self, err: &PyErr, spec: &Value) -> PyResult<bool> {
        match spec {
            Value::Class(c) => Ok(PyClass::is_subclass(&err.exc.class, c)),
            Value::Tuple(t) => {
                for s in t.0.iter() {
                    if self.exception_matches(err, s)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => {
                Err(self.type_error("catching classes that do not inherit from BaseException is not allowed"))
            }
        }
    }

    fn exec_try(&self, frame: &Frame<'_>, t: &ast::StmtTry) -> ExecResult {
        let result = match self.exec_block(frame, &t.body) {
            Err(Flow::Raise(err)) => self.handle(frame, t, err),
            Ok(()) => self.exec_block(frame, &t.orelse),
            other => other,
        };
        if t.finalbody.is_empty() {
            return result;
        }
        let line = frame.line.get();
        match self.exec_block(frame, &t.finalbody) {
            Ok(()) => {
                frame.line.set(line);
                result
            }
            Err(flow) => Err(flow),
        }
    }

    fn handle(&self, frame: &Frame<'_>, t: &ast::StmtTry, err: Box<PyErr>) -> ExecResult {
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            frame.line.set(self.line_of(h.range.start()));
            let matches = match &h.type_ {
                None => true,
                Some(spec) => {
                    let spec = self.eval(frame, spec)?;
                    self.exception_matches(&err, &spec)?
                }
            };
            if !matches {
                continue;
            }
            *err.exc.traceback.borrow_mut() = err.tb.clone();
            if let Some(name) = &h.name {
                self.store_name(frame, name, err.value())?;
            }
            self.handling.borrow_mut().push(err.clone());
            let r = self.exec_block(frame, &h.body);
            let handled = self.handling.borrow_mut().pop();
            let r = match r {
                Err(Flow::Raise(mut new)) => {
                    if !Cc::ptr_eq(&new.exc, &err.exc) && new.context.is_none() {
                        new.context = handled;
                    }
                    Err(Flow::Raise(new))
                }
                other => other,
            };
            if let Some(name) = &h.name {
                let _ = self.delete_name(frame, name);
            }
            return r;
        }
        Err(Flow::Raise(err))
    }

    fn exec_with(&self, frame: &Frame<'_>, items: &[ast::WithItem], body: &[Stmt]) -> ExecResult {
        let Some((item, rest)) = items.split_first() else {
            return self.exec_block(frame, body);
        };
        let mgr = self.eval(frame, &item.context_expr)?;
        let enter = self.call_method(&mgr, "__enter__", vec![])?;
        if let Some(target) = &item.optional_vars {
            self.assign(frame, target, enter)?;
        }
        let r = self.exec_with(frame, rest, body);
        match r {
            Err(Flow::Raise(err)) => {
                let cls = Value::Class(err.exc.class.clone());
                let suppress = self.call_method(&mgr, "__exit__", vec![cls, err.value(), Value::none()])?;
                if self.truthy(&suppress)? {
                    Ok(())
                } else {
                    Err(Flow::Raise(err))
                }
            }
            other => {
                self.call_method(
                    &mgr,
                    "__exit__",
                    vec![Value::none(), Value::none(), Value::none()],
                )?;
                other
            }
        }
    }

    fn aug_assign(&self, frame: &Frame<'_>, a: &ast::StmtAugAssign) -> ExecResult {
        match &*a.target {
            Expr::Name(n) => {
                let cur = self.load_name(frame, &n.id)?;
                let rhs = self.eval(frame, &a.value)?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.store_name(frame, &n.id, v)?;
            }
            Expr::Attribute(at) => {
                let obj = self.eval(frame, &at.value)?;
                let cur = self.getattr(&obj, &at.attr)?;
                let rhs = self.eval(frame, &a.value)?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.setattr(&obj, &at.attr, v)?;
            }
            Expr::Subscript(s) => {
                let obj = self.eval(frame, &s.value)?;
                let idx = self.eval(frame, &s.slice)?;
                let cur = self.getitem(&obj, &idx)?;
                let rhs = self.eval(frame, &a.value)?;
                let v = self.inplace_op(a.op, cur, rhs)?;
                self.setitem(&obj, idx, v)?;
            }
            _ => return Err(Flow::Raise(self.unsupported("this augmented assignment target"))),
        }
        Ok(())
    }

    /// Binds `v` to an assignment target.
    pub(crate) fn assign(&self, frame: &Frame<'_>, target: &Expr, v: Value) -> PyResult<()> {
        match target {
            Expr::Name(n) => self.store_name(frame, &n.id, v),
            Expr::Attribute(a) => {
                let obj = self.eval(frame, &a.value)?;
                self.setattr(&obj, &a.attr, v)
            }
            Expr::Subscript(s) => {
                let obj = self.eval(frame, &s.value)?;
                let idx = self.eval(frame, &s.slice)?;
                self.setitem(&obj, idx, v)
            }
            Expr::Tuple(t) => self.unpack(frame, &t.elts, v),
            Expr::List(t) => self.unpack(frame, &t.elts, v),
            _ => Err(self.unsupported("this assignment target")),
        }
    }

    fn unpack(&self, frame: &Frame<'_>, targets: &[Expr], v: Value) -> PyResult<()> {
        let items = self.collect(&v)?;
        drop(v);
        let star = targets.iter().position(|t| matches!(t, Expr::Starred(_)));
        match star {
            None => {
                if items.len() > targets.len() {
                    return Err(
                        self.value_error(format!("too many values to unpack (expected {})", targets.len()))
                    );
                }
                if items.len() < targets.len() {
                    return Err(self.value_error(format!(
                        "not enough values to unpack (expected {}, got {})",
                        targets.len(),
                        items.len()
                    )));
                }
                for (t, item) in targets.iter().zip(items) {
                    self.assign(frame, t, item)?;
                }
            }
            Some(s) => {
                let after = targets.len() - s - 1;
                if items.len() < targets.len() - 1 {
                    return Err(self.value_error(format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        targets.len() - 1,
                        items.len()
                    )));
                }
                let mut items = items;
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(s);
                for (t, item) in targets[..s].iter().zip(items) {
                    self.assign(frame, t, item)?;
                }
                if let Expr::Starred(st) = &targets[s] {
                    self.assign(frame, &st.value, Value::list(middle))?;
                }
                for (t, item) in targets[s + 1..].iter().zip(tail) {
                    self.assign(frame, t, item)?;
                }
            }
        }
        Ok(())
    }

    fn delete(&self, frame: &Frame<'_>, target: &Expr) -> PyResult<()> {
        match target {
            Expr::Name(n) => self.delete_name(frame, &n.id),
            Expr::Attribute(a) => {
                let obj = self.eval(frame, &a.value)?;
                self.delattr(&obj, &a.attr)
            }
            Expr::Subscript(s) => {
                let obj = self.eval(frame, &s.value)?;
                let idx = self.eval(frame, &s.slice)?;
                self.delitem(&obj, &idx)
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.delete(frame, e)?;
                }
                Ok(())
            }
            Expr::List(t) => {
                for e in &t.elts {
                    self.delete(frame, e)?;
                }
                Ok(())
            }
            _ => Err(self.unsupported("this del target")),
        }
    }

    /// Reads a variable.
    pub(crate) fn load_name(&self, frame: &Frame<'_>, name: &str) -> PyResult<Value> {
        match frame.kind {
            FrameKind::Module => {}
            FrameKind::Function => {
                if let Some(cell) = frame.cells.get(name) {
                    return match &*cell.0.borrow() {
                        Some(v) => Ok(v.clone()),
                        None => Err(self.err(
                            "NameError",
                            format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
                        )),
                    };
                }
                if let Some(v) = frame.locals.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let Some(code) = &frame.code {
                    if code.scope.locals.contains(name) && !code.scope.globals.contains(name) {
                        return Err(self.err(
                            "UnboundLocalError",
                            format!("cannot access local variable '{name}' where it is not associated with a value"),
                        ));
                    }
                }
            }
            FrameKind::Comprehension => {
                if let Some(v) = frame.locals.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let Some(p) = frame.parent {
                    return self.load_name(p, name);
                }
            }
            FrameKind::Class => {
                if let Some(v) = frame.locals.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let Some(cell) = frame.find_cell(name) {
                    if let Some(v) = &*cell.0.borrow() {
                        return Ok(v.clone());
                    }
                }
            }
        }
        if let Some(v) = frame.globals.get_str(name) {
            return Ok(v);
        }
        if let Some(v) = self.builtins.borrow().get(name) {
            return Ok(v.clone());
        }
        Err(self.err("NameError", format!("name '{name}' is not defined")))
    }

    /// Binds a variable.
    pub(crate) fn store_name(&self, frame: &Frame<'_>, name: &str, v: Value) -> PyResult<()> {
        let old = match frame.kind {
            FrameKind::Module => frame.globals.set_str(name, v),
            FrameKind::Function => {
                if let Some(cell) = frame.cells.get(name) {
                    crate::object::replace(&cell.0, Some(v))
                } else if frame
                    .code
                    .as_ref()
                    .is_some_and(|c| c.scope.globals.contains(name))
                {
                    frame.globals.set_str(name, v)
                } else {
                    store_local(frame, name, v)
                }
            }
            FrameKind::Class | FrameKind::Comprehension => store_local(frame, name, v),
        };
        drop(old);
        Ok(())
    }

    /// `del name`.
    pub(crate) fn delete_name(&self, frame: &Frame<'_>, name: &str) -> PyResult<()> {
        let old = match frame.kind {
            FrameKind::Module => frame.globals.remove_str(name),
            FrameKind::Function => {
                if let Some(cell) = frame.cells.get(name) {
                    crate::object::replace(&cell.0, None)
                } else if frame
                    .code
                    .as_ref()
                    .is_some_and(|c| c.scope.globals.contains(name))
                {
                    frame.globals.remove_str(name)
                } else {
                    let old = frame.locals.borrow_mut().shift_remove(name);
                    old
                }
            }
            FrameKind::Class | FrameKind::Comprehension => {
                let old = frame.locals.borrow_mut().shift_remove(name);
                old
            }
        };
        match old {
            Some(v) => {
                drop(v);
                Ok(())
            }
            None => Err(self.err("NameError", format!("name '{name}' is not defined"))),
        }
    }
}

/// Binds a local variable; returns the old value for the caller to drop
/// (after the borrow). Rebinding an existing name allocates nothing.
fn store_local(frame: &Frame<'_>, name: &str, v: Value) -> Option<Value> {
    let mut locals = frame.locals.borrow_mut();
    match locals.get_mut(name) {
        Some(slot) => Some(std::mem::replace(slot, v)),
        None => locals.insert(Name::from(name), v),
    }
}

/// Whether a function body contains `yield` (outside nested functions).
fn code_has_yield(code: &Code) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Await(_) => true,
            Expr::Lambda(_) => false,
            Expr::BinOp(b) => expr(&b.left) || expr(&b.right),
            Expr::Call(c) => expr(&c.func) || c.args.iter().any(expr),
            Expr::Tuple(t) => t.elts.iter().any(expr),
            _ => false,
        }
    }
    fn stmts(ss: &[Stmt]) -> bool {
        ss.iter().any(|s| match s {
            Stmt::Expr(e) => expr(&e.value),
            Stmt::Assign(a) => expr(&a.value),
            Stmt::Return(r) => r.value.as_deref().is_some_and(expr),
            Stmt::If(i) => stmts(&i.body) || stmts(&i.orelse),
            Stmt::While(w) => stmts(&w.body) || stmts(&w.orelse),
            Stmt::For(f) => stmts(&f.body) || stmts(&f.orelse),
            Stmt::Try(t) => stmts(&t.body) || stmts(&t.orelse) || stmts(&t.finalbody),
            Stmt::With(w) => stmts(&w.body),
            _ => false,
        })
    }
    match &code.body {
        Body::Stmts(s) => stmts(s),
        Body::Expr(e) => expr(e),
    }
}
