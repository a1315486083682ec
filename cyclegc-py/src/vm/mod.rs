//! The evaluator: the interpreter's state ([`Vm`]), calls, and the entry
//! point [`run_main`].

mod attr;
pub mod code;
pub mod error;
mod eval;
mod exec;
pub mod format;
pub mod frame;
pub mod methods;
pub mod ops;
mod sort;
mod subscript;
pub mod traceback;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::Write;
use std::rc::Rc;

use cyclegc::Cc;
use rustpython_parser::ast;

pub use error::{ExecResult, Flow, PyErr, PyResult, TbEntry};

use crate::object::class::Builtin;
use crate::object::{
    Args, FxHasher, Map, Name, PyBoundMethod, PyCell, PyClass, PyDict, PyFunction, PyInstance, PyList,
    PyModule, Value,
};
use code::{Body, Code};
use frame::{Frame, FrameKind, Locals};

/// A frame's cells by name.
type Cells = HashMap<Name, Cc<PyCell>>;

/// CPython's default recursion limit.
pub const RECURSION_LIMIT: usize = 1000;

/// The built-in classes.
pub struct Types {
    /// `object`.
    pub object: Cc<PyClass>,
    /// `type`.
    pub type_: Cc<PyClass>,
    /// Built-in classes by name (`int`, `list`, `ValueError`...).
    pub by_name: HashMap<&'static str, Cc<PyClass>>,
}

/// The interpreter: everything a running program shares. All of it is
/// behind `Cell`/`RefCell`, borrowed briefly, because Python code can run
/// anywhere (a `__del__` when a value drops, a weakref callback, a gc
/// callback in an allocation) and re-enter the interpreter.
pub struct Vm {
    /// The built-in classes.
    pub types: Types,
    /// The `builtins` namespace.
    pub builtins: RefCell<HashMap<Name, Value, BuildHasherDefault<FxHasher>>>,
    /// Imported modules by name.
    pub modules: RefCell<HashMap<Name, Value>>,
    /// The `__main__` module's globals.
    pub main_globals: Cc<PyDict>,
    /// Python frames now running.
    pub depth: Cell<usize>,
    /// Nesting of expression evaluation and repr (against Rust stack
    /// overflow).
    pub nesting: Cell<usize>,
    next_frame: Cell<u64>,
    /// The program's file name, as tracebacks show it.
    pub filename: Rc<str>,
    source: Rc<str>,
    line_starts: Vec<usize>,
    code_cache: RefCell<HashMap<usize, Rc<Code>>>,
    /// Buffered standard output.
    pub out: RefCell<std::io::BufWriter<std::io::Stdout>>,
    /// The exceptions being handled (innermost last), for bare `raise`.
    pub handling: RefCell<Vec<Box<PyErr>>>,
    /// Objects whose repr is being computed (for `[...]`).
    pub repr_active: RefCell<Vec<usize>>,
    /// Set at shutdown: finalizers and callbacks no longer run Python code.
    pub finalizing: Cell<bool>,
    /// Set once a `property` exists or a class defines `__setattr__`:
    /// until then `obj.name = v` on an instance needs no class lookups
    /// (a program without either stores attributes at list speed).
    pub setattr_hooks: Cell<bool>,
    /// `gc.garbage`.
    pub gc_garbage: Cc<PyList>,
    /// `gc.callbacks`.
    pub gc_callbacks: Cc<PyList>,
    /// Python weakref objects by referent id, for `weakref.getweakrefs`
    /// and to share one callback-less `ref` per object, as CPython does.
    pub weakrefs: RefCell<HashMap<usize, Vec<cyclegc::Weak<crate::object::PyWeakRef>>>>,
}

thread_local! {
    static VM: RefCell<Option<Rc<Vm>>> = const { RefCell::new(None) };
}

/// The running interpreter, for code that cyclegc calls back (finalizers,
/// weak reference and gc callbacks). `None` before start and after
/// shutdown.
pub fn current() -> Option<Rc<Vm>> {
    VM.try_with(|v| v.borrow().clone()).ok().flatten()
}

/// The finalizer of every instance: calls its class's `__del__`, if any,
/// with the object itself (PEP 442: it may resurrect it). An exception is
/// reported as CPython does (`Exception ignored in: ...`) and swallowed.
pub fn run_del(this: &Cc<PyInstance>) {
    let Some(vm) = current() else { return };
    if vm.finalizing.get() {
        return;
    }
    let Some(del) = this.class.lookup("__del__") else {
        return;
    };
    let obj = Value::Instance(this.clone());
    if let Err(e) = vm.call(&del, Args::new(vec![obj])) {
        vm.report_unraisable(&del, &e);
    }
}

impl Vm {
    fn new(filename: &str, source: &str) -> Vm {
        let types = make_types();
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        let vm = Vm {
            types,
            builtins: RefCell::new(HashMap::default()),
            modules: RefCell::new(HashMap::new()),
            main_globals: Cc::new(PyDict::new()),
            depth: Cell::new(0),
            nesting: Cell::new(0),
            next_frame: Cell::new(1),
            filename: filename.into(),
            source: source.into(),
            line_starts,
            code_cache: RefCell::new(HashMap::new()),
            out: RefCell::new(std::io::BufWriter::new(std::io::stdout())),
            handling: RefCell::new(Vec::new()),
            repr_active: RefCell::new(Vec::new()),
            finalizing: Cell::new(false),
            setattr_hooks: Cell::new(false),
            gc_garbage: Cc::new(PyList::new(Vec::new())),
            gc_callbacks: Cc::new(PyList::new(Vec::new())),
            weakrefs: RefCell::new(HashMap::new()),
        };
        crate::builtins::install(&vm);
        let _ = vm.main_globals.set_str("__name__", Value::str("__main__"));
        vm
    }

    /// The line (1-based) of a byte offset into the source.
    pub fn line_of(&self, offset: impl Into<u32>) -> u32 {
        let offset = offset.into() as usize;
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// The text of line `line`, without its newline.
    pub fn source_line(&self, line: u32) -> Option<&str> {
        let start = *self.line_starts.get(line.checked_sub(1)? as usize)?;
        let rest = self.source.get(start..)?;
        Some(rest.split('\n').next().unwrap_or("").trim_end_matches('\r'))
    }

    pub(crate) fn next_frame_id(&self) -> u64 {
        let id = self.next_frame.get();
        self.next_frame.set(id + 1);
        id
    }

    /// A new exception of the built-in class `class` with message `msg`.
    pub fn err(&self, class: &str, msg: impl Into<String>) -> Box<PyErr> {
        let msg: String = msg.into();
        let args = if msg.is_empty() {
            vec![]
        } else {
            vec![Value::str(&msg)]
        };
        self.err_args(class, args)
    }

    /// A new exception of the built-in class `class` with these args.
    pub fn err_args(&self, class: &str, args: Vec<Value>) -> Box<PyErr> {
        let class = self
            .types
            .by_name
            .get(class)
            .cloned()
            .unwrap_or_else(|| self.types.object.clone());
        PyErr::new(self.new_exception(&class, args))
    }

    /// `TypeError(msg)`.
    pub fn type_error(&self, msg: impl Into<String>) -> Box<PyErr> {
        self.err("TypeError", msg)
    }

    /// `ValueError(msg)`.
    pub fn value_error(&self, msg: impl Into<String>) -> Box<PyErr> {
        self.err("ValueError", msg)
    }

    /// `OverflowError` for an int result past 64 bits.
    pub fn overflow(&self) -> Box<PyErr> {
        self.err("OverflowError", "integer overflow: pyrun's ints are 64-bit")
    }

    /// `NotImplementedError: <what> is not supported by pyrun`.
    pub fn unsupported(&self, what: &str) -> Box<PyErr> {
        self.err("NotImplementedError", format!("{what} is not supported by pyrun"))
    }

    /// An exception instance of `class` with `args`.
    pub fn new_exception(&self, class: &Cc<PyClass>, args: Vec<Value>) -> Cc<PyInstance> {
        let inst = PyInstance::new(class.clone());
        *inst.exc_args.borrow_mut() = Some(Value::tuple(args));
        Cc::new(inst)
    }

    /// The class of any value.
    pub fn type_of(&self, v: &Value) -> Cc<PyClass> {
        let name = match v {
            Value::Instance(i) => return i.class.clone(),
            Value::Class(_) => return self.types.type_.clone(),
            Value::WeakRef(_) => "ReferenceType",
            other => other.builtin_type_name(),
        };
        match self.types.by_name.get(name) {
            Some(c) => c.clone(),
            None => self.types.object.clone(),
        }
    }

    /// Whether `v` is an instance of `class` (or a subclass).
    pub fn isinstance(&self, v: &Value, class: &Cc<PyClass>) -> bool {
        if class.builtin == Builtin::Int && matches!(v, Value::Bool(_)) {
            return true;
        }
        PyClass::is_subclass(&self.type_of(v), class)
    }

    /// The code object of a `def` or `lambda` site, compiled on first use.
    fn code_for(&self, key: usize, make: impl FnOnce() -> Code) -> Rc<Code> {
        if let Some(c) = self.code_cache.borrow().get(&key) {
            return c.clone();
        }
        let code = Rc::new(make());
        self.code_cache.borrow_mut().insert(key, code.clone());
        code
    }

    /// Calls any callable.
    pub fn call(&self, f: &Value, mut args: Args) -> PyResult<Value> {
        match f {
            Value::Function(func) => self.call_function(func, args),
            Value::Builtin(b) => (b.func)(self, b, args),
            Value::BoundMethod(m) => {
                args.pos.insert(0, m.obj.clone());
                self.call(&m.func, args)
            }
            Value::Class(c) => self.instantiate(c, args),
            Value::Instance(i) => match i.class.lookup("__call__") {
                Some(call) => {
                    args.pos.insert(0, f.clone());
                    self.call(&call, args)
                }
                None => Err(self.type_error(format!("'{}' object is not callable", i.class.name))),
            },
            Value::WeakRef(w) => {
                if !args.pos.is_empty() || !args.kw.is_empty() {
                    return Err(self.type_error(format!(
                        "weakref() takes no keyword arguments; expected 0 arguments, got {}",
                        args.pos.len()
                    )));
                }
                Ok(w.target
                    .upgrade()
                    .and_then(Value::from_any)
                    .unwrap_or_else(Value::none))
            }
            Value::Finalize(fin) => {
                drop(crate::modules::weakref::take_last_result());
                if fin.finalizer.call() {
                    Ok(self.finalize_result())
                } else {
                    Ok(Value::none())
                }
            }
            other => Err(self.type_error(format!("'{}' object is not callable", other.type_name()))),
        }
    }

    fn finalize_result(&self) -> Value {
        crate::modules::weakref::take_last_result().unwrap_or_else(Value::none)
    }

    /// Calls a method of `obj` by name.
    pub fn call_method(&self, obj: &Value, name: &str, args: Vec<Value>) -> PyResult<Value> {
        let f = self.getattr(obj, name)?;
        self.call(&f, Args::new(args))
    }

    /// Calls `obj.name(...)` if the class defines it: for dunder hooks.
    pub fn call_dunder(&self, obj: &Value, name: &str, args: Vec<Value>) -> Option<PyResult<Value>> {
        let Value::Instance(i) = obj else { return None };
        let f = i.class.lookup(name)?;
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(obj.clone());
        all.extend(args);
        Some(self.call(&f, Args::new(all)))
    }

    /// Creates an instance of `class` and runs its `__init__`.
    pub fn instantiate(&self, class: &Cc<PyClass>, args: Args) -> PyResult<Value> {
        if class.is_builtin() && class.builtin != Builtin::Exception && class.builtin != Builtin::Object {
            return crate::builtins::construct(self, class, args);
        }
        if class.builtin == Builtin::Object && class.is_builtin() {
            return Err(self.unsupported("instances of object()"));
        }
        let inst = PyInstance::new(class.clone());
        if class.builtin == Builtin::Exception {
            *inst.exc_args.borrow_mut() = Some(Value::tuple(args.pos.clone()));
        }
        let obj = Value::Instance(Cc::new(inst));
        match class.lookup("__init__") {
            Some(init) => {
                let mut all = args;
                all.pos.insert(0, obj.clone());
                let r = self.call(&init, all)?;
                if !r.is_none() {
                    return Err(
                        self.type_error(format!("__init__() should return None, not '{}'", r.type_name()))
                    );
                }
            }
            None => {
                if class.builtin != Builtin::Exception && (!args.pos.is_empty() || !args.kw.is_empty()) {
                    return Err(self.type_error(format!("{}() takes no arguments", class.name)));
                }
            }
        }
        Ok(obj)
    }

    /// Calls a function defined in Python.
    pub fn call_function(&self, func: &Cc<PyFunction>, args: Args) -> PyResult<Value> {
        let depth = self.depth.get();
        if depth >= RECURSION_LIMIT {
            return Err(self.err("RecursionError", "maximum recursion depth exceeded"));
        }
        let code = func.code.clone();
        let (locals, cells) = self.bind_args(func, &code, args)?;
        let frame = Frame {
            kind: FrameKind::Function,
            code: Some(code.clone()),
            locals: RefCell::new(locals),
            globals: func.globals.clone(),
            cells,
            parent: None,
            id: self.next_frame_id(),
            name: code.name.clone(),
            qualname: func.qualname.clone(),
            line: Cell::new(code.line),
            class: func.class.borrow().clone(),
        };
        self.depth.set(depth + 1);
        let result = match &code.body {
            Body::Stmts(stmts) => match self.exec_block(&frame, stmts) {
                Ok(()) => Ok(Value::none()),
                Err(Flow::Return(v)) => Ok(v),
                Err(Flow::Raise(e)) => Err(e),
                Err(Flow::Break | Flow::Continue) => Ok(Value::none()),
            },
            Body::Expr(e) => self.eval(&frame, e).map_err(|mut err| {
                self.add_traceback(&frame, &mut err);
                err
            }),
        };
        self.depth.set(depth);
        // The frame's locals go now, before the caller goes on: a local
        // that was the last reference runs its `__del__` here, as in
        // CPython.
        let locals = std::mem::take(&mut *frame.locals.borrow_mut());
        drop(locals);
        result
    }

    /// Adds `frame` to the traceback of `err` (once per frame).
    pub fn add_traceback(&self, frame: &Frame<'_>, err: &mut PyErr) {
        if err.last_frame != frame.id {
            err.last_frame = frame.id;
            err.tb.push(TbEntry {
                line: frame.line.get(),
                name: frame.name.clone(),
            });
        }
    }

    /// Binds call arguments to parameters, CPython's messages included.
    fn bind_args(&self, func: &Cc<PyFunction>, code: &Code, args: Args) -> PyResult<(Locals, Cells)> {
        let n = code.params.len();
        // The common call: exactly the positional parameters, no
        // keywords, no cells; nothing to check, nothing to allocate but
        // the locals.
        if args.pos.len() == n
            && args.kw.is_empty()
            && code.vararg.is_none()
            && code.kwarg.is_none()
            && code.kwonly.is_empty()
            && func.closure.is_empty()
            && code.scope.cellvars.is_empty()
        {
            let mut locals = Locals::with_capacity(n + 2);
            for (p, v) in code.params.iter().zip(args.pos) {
                drop(locals.insert(p.name.clone(), v));
            }
            return Ok((locals, HashMap::new()));
        }
        let mut slots: Vec<Option<Value>> = vec![None; n];
        let mut kwslots: Vec<Option<Value>> = vec![None; code.kwonly.len()];
        let given = args.pos.len();
        let mut extra = Vec::new();
        for (i, v) in args.pos.into_iter().enumerate() {
            if i < n {
                slots[i] = Some(v);
            } else {
                extra.push(v);
            }
        }
        let qual = &func.qualname;
        if !extra.is_empty() && code.vararg.is_none() {
            let required = code.params.iter().filter(|p| !p.has_default).count();
            let takes = if required == n {
                format!("{n} positional argument{}", if n == 1 { "" } else { "s" })
            } else {
                format!("from {required} to {n} positional arguments")
            };
            let was = if given == 1 { "was" } else { "were" };
            return Err(self.type_error(format!("{qual}() takes {takes} but {given} {was} given")));
        }
        let kwargs_dict = code.kwarg.as_ref().map(|_| Cc::new(PyDict::new()));
        for (k, v) in args.kw {
            if let Some(i) = code.params.iter().position(|p| p.name == k) {
                if slots[i].is_some() {
                    return Err(self.type_error(format!("{qual}() got multiple values for argument '{k}'")));
                }
                slots[i] = Some(v);
            } else if let Some(i) = code.kwonly.iter().position(|p| p.name == k) {
                kwslots[i] = Some(v);
            } else if let Some(d) = &kwargs_dict {
                let _ = d.set_str(&k, v);
            } else {
                return Err(self.type_error(format!("{qual}() got an unexpected keyword argument '{k}'")));
            }
        }
        let first_default = n - func.defaults.len().min(n);
        let mut missing = Vec::new();
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot.is_none() {
                if i >= first_default {
                    *slot = Some(func.defaults[i - first_default].clone());
                } else {
                    missing.push(format!("'{}'", code.params[i].name));
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.type_error(format!(
                "{qual}() missing {} required positional argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                join_names(&missing)
            )));
        }
        for (i, slot) in kwslots.iter_mut().enumerate() {
            if slot.is_none() {
                let name = &code.kwonly[i].name;
                match func.kwdefaults.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => *slot = Some(v.clone()),
                    None => {
                        return Err(self.type_error(format!(
                            "{qual}() missing 1 required keyword-only argument: '{name}'"
                        )))
                    }
                }
            }
        }
        let mut locals = Locals::with_capacity(n + 2);
        let mut cells: HashMap<Name, Cc<PyCell>> = HashMap::new();
        for (name, cell) in &func.closure {
            cells.insert(name.clone(), cell.clone());
        }
        for name in &code.scope.cellvars {
            cells.insert(name.clone(), Cc::new(PyCell(RefCell::new(None))));
        }
        let mut bind = |name: &Name, v: Value| match cells.get(name) {
            Some(cell) => *cell.0.borrow_mut() = Some(v),
            None => drop(locals.insert(name.clone(), v)),
        };
        for (p, v) in code.params.iter().zip(slots) {
            bind(&p.name, v.unwrap_or_else(Value::none));
        }
        if let Some(name) = &code.vararg {
            bind(name, Value::tuple(extra));
        }
        for (p, v) in code.kwonly.iter().zip(kwslots) {
            bind(&p.name, v.unwrap_or_else(Value::none));
        }
        if let (Some(name), Some(d)) = (&code.kwarg, kwargs_dict) {
            bind(name, Value::Dict(d));
        }
        Ok((locals, cells))
    }

    /// A bound method of `obj`.
    pub fn bind_method(&self, func: Value, obj: Value) -> Value {
        Value::BoundMethod(Cc::new(PyBoundMethod { func, obj }))
    }

    /// Reports an exception nobody can catch (in `__del__`, a weakref or
    /// gc callback), as CPython's `Exception ignored in: <obj>`.
    pub fn report_unraisable(&self, context: &Value, err: &PyErr) {
        let what = self.repr(context).unwrap_or_else(|_| "<object>".into());
        self.report_unraisable_str(&what, err);
    }

    /// [`Vm::report_unraisable`] with the context already a string.
    pub fn report_unraisable_str(&self, what: &str, err: &PyErr) {
        let text = traceback::format_exception(self, err);
        self.flush_stdout();
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "Exception ignored in: {what}\n{text}");
    }

    /// Flushes buffered standard output (before anything goes to standard
    /// error, so that the two keep their order on a terminal).
    pub fn flush_stdout(&self) {
        if let Ok(mut out) = self.out.try_borrow_mut() {
            let _ = out.flush();
        }
    }

    /// Imports a built-in module.
    pub fn import(&self, name: &str) -> PyResult<Value> {
        if let Some(m) = self.modules.borrow().get(name) {
            return Ok(m.clone());
        }
        let module = match name {
            "gc" => crate::modules::gc::make_module(self),
            "weakref" => crate::modules::weakref::make_module(self),
            "sys" => crate::modules::sys::make_module(self),
            _ => {
                let e = self.err("ModuleNotFoundError", format!("No module named '{name}'"));
                return Err(e);
            }
        };
        self.modules.borrow_mut().insert(name.into(), module.clone());
        Ok(module)
    }

    /// A new module object.
    pub fn new_module(&self, name: &str, entries: Vec<(&str, Value)>) -> Value {
        let dict = Cc::new(PyDict::new());
        let _ = dict.set_str("__name__", Value::str(name));
        let module = Value::Module(Cc::new(PyModule {
            name: name.into(),
            dict: dict.clone(),
        }));
        for (k, v) in entries {
            // A module's functions refer to their module, as CPython's do
            // (`m_self`): module, dict and functions form a cycle that the
            // shutdown collection frees.
            let v = match v {
                Value::Builtin(b) if b.bound.is_none() => Value::Builtin(Cc::new(crate::object::PyBuiltin {
                    name: b.name.clone(),
                    bound: Some(module.clone()),
                    func: b.func,
                })),
                other => other,
            };
            let _ = dict.set_str(k, v);
        }
        module
    }

    /// Runs the `__main__` module.
    fn run_module(&self, suite: &[ast::Stmt]) -> PyResult<()> {
        let frame = Frame {
            kind: FrameKind::Module,
            code: None,
            locals: RefCell::new(Locals::default()),
            globals: self.main_globals.clone(),
            cells: HashMap::new(),
            parent: None,
            id: self.next_frame_id(),
            name: "<module>".into(),
            qualname: "".into(),
            line: Cell::new(1),
            class: None,
        };
        self.depth.set(1);
        let r = self.exec_block(&frame, suite);
        self.depth.set(0);
        match r {
            Ok(()) | Err(Flow::Return(_) | Flow::Break | Flow::Continue) => Ok(()),
            Err(Flow::Raise(e)) => Err(e),
        }
    }

    /// CPython's interpreter shutdown: `weakref.finalize` objects run
    /// (newest first), the module's globals are cleared in insertion order (running
    /// the `__del__` of what they held), and a last collection runs, with
    /// its `DEBUG_*` output.
    fn shutdown(&self) {
        crate::modules::weakref::run_exit_finalizers();
        self.flush_stdout();
        for k in self.main_globals.keys() {
            if let Some(name) = k.as_str() {
                if name == "__builtins__" {
                    continue;
                }
                let old = self.main_globals.set_str(name, Value::none());
                drop(old);
            }
        }
        let old = std::mem::take(&mut *self.main_globals.map.borrow_mut());
        drop(old);
        let modules = std::mem::take(&mut *self.modules.borrow_mut());
        drop(modules);
        // Builtins stay until the last collection: a `__del__` run by it
        // may still print.
        cyclegc::gc::collect();
        self.flush_stdout();
        self.finalizing.set(true);
        let builtins = std::mem::take(&mut *self.builtins.borrow_mut());
        drop(builtins);
        cyclegc::gc::set_debug(cyclegc::gc::DebugFlags::empty());
    }
}

fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        _ => {
            let (last, init) = names.split_last().unwrap_or((&names[0], &[]));
            format!("{}, and {last}", init.join(", "))
        }
    }
}

/// Builds the built-in classes: the types and the exception hierarchy.
fn make_types() -> Types {
    fn class(name: &str, bases: &[&Cc<PyClass>], builtin: Builtin) -> Cc<PyClass> {
        let mut mro: Vec<Cc<PyClass>> = Vec::new();
        for b in bases {
            mro.push((*b).clone());
            for c in &b.mro {
                if !mro.iter().any(|m| Cc::ptr_eq(m, c)) {
                    mro.push(c.clone());
                }
            }
        }
        Cc::new(PyClass {
            name: name.into(),
            qualname: name.into(),
            module: "builtins".into(),
            dict: RefCell::new(Map::default()),
            bases: bases.iter().map(|b| (*b).clone()).collect(),
            mro,
            builtin,
            attr_hint: Default::default(),
        })
    }
    let object = class("object", &[], Builtin::Object);
    let type_ = class("type", &[&object], Builtin::Type);
    let mut by_name = HashMap::new();
    by_name.insert("object", object.clone());
    by_name.insert("type", type_.clone());
    let int = class("int", &[&object], Builtin::Int);
    by_name.insert("bool", class("bool", &[&int], Builtin::Bool));
    by_name.insert("int", int);
    for (name, b) in [
        ("float", Builtin::Float),
        ("str", Builtin::Str),
        ("list", Builtin::List),
        ("tuple", Builtin::Tuple),
        ("dict", Builtin::Dict),
        ("set", Builtin::Set),
        ("range", Builtin::Range),
        ("NoneType", Builtin::NoneType),
        ("function", Builtin::Function),
    ] {
        by_name.insert(name, class(name, &[&object], b));
    }
    for name in [
        "builtin_function_or_method",
        "method",
        "module",
        "cell",
        "ReferenceType",
        "WeakValueDictionary",
        "WeakKeyDictionary",
        "WeakSet",
        "finalize",
        "super",
        "list_iterator",
        "tuple_iterator",
        "str_ascii_iterator",
        "str_iterator",
        "range_iterator",
        "dict_keyiterator",
        "dict_keys",
        "dict_values",
        "dict_items",
        "generator",
        "enumerate",
        "zip",
        "map",
        "filter",
        "list_reverseiterator",
        "set_iterator",
    ] {
        by_name.insert(name, class(name, &[&object], Builtin::Other));
    }
    let base = class("BaseException", &[&object], Builtin::Exception);
    by_name.insert("BaseException", base.clone());
    let hierarchy: &[(&'static str, &'static str)] = &[
        ("Exception", "BaseException"),
        ("SystemExit", "BaseException"),
        ("KeyboardInterrupt", "BaseException"),
        ("GeneratorExit", "BaseException"),
        ("ArithmeticError", "Exception"),
        ("ZeroDivisionError", "ArithmeticError"),
        ("OverflowError", "ArithmeticError"),
        ("LookupError", "Exception"),
        ("KeyError", "LookupError"),
        ("IndexError", "LookupError"),
        ("NameError", "Exception"),
        ("UnboundLocalError", "NameError"),
        ("TypeError", "Exception"),
        ("ValueError", "Exception"),
        ("AttributeError", "Exception"),
        ("AssertionError", "Exception"),
        ("RuntimeError", "Exception"),
        ("MemoryError", "Exception"),
        ("SystemError", "Exception"),
        ("RecursionError", "RuntimeError"),
        ("NotImplementedError", "RuntimeError"),
        ("StopIteration", "Exception"),
        ("ImportError", "Exception"),
        ("ModuleNotFoundError", "ImportError"),
        ("ReferenceError", "Exception"),
        ("SyntaxError", "Exception"),
        ("Warning", "Exception"),
        ("UserWarning", "Warning"),
        ("DeprecationWarning", "Warning"),
        ("RuntimeWarning", "Warning"),
    ];
    for (name, parent) in hierarchy {
        let parent = by_name[parent].clone();
        by_name.insert(name, class(name, &[&parent], Builtin::Exception));
    }
    Types {
        object,
        type_,
        by_name,
    }
}

/// Parses and runs a program as `__main__`, then shuts the interpreter
/// down as CPython does; returns the process exit status (1 after an
/// uncaught exception).
pub fn run_main(source: &str, filename: &str) -> i32 {
    let vm = Rc::new(Vm::new(filename, source));
    VM.with(|v| *v.borrow_mut() = Some(vm.clone()));
    crate::modules::gc::install_hooks();
    // CPython 3.11's thresholds (cyclegc's default first threshold is
    // 3.13's 2000).
    cyclegc::gc::set_threshold(700, 10, 10);
    let status = match rustpython_parser::parse(source, rustpython_parser::Mode::Module, filename) {
        Err(e) => {
            traceback::print_syntax_error(&vm, &e);
            1
        }
        Ok(ast::Mod::Module(m)) => match vm.run_module(&m.body) {
            Ok(()) => 0,
            Err(e) => {
                if is_system_exit(&vm, &e) {
                    system_exit_status(&vm, &e)
                } else {
                    vm.flush_stdout();
                    let text = traceback::format_exception(&vm, &e);
                    let _ = std::io::stderr().write_all(text.as_bytes());
                    1
                }
            }
        },
        Ok(_) => 1,
    };
    vm.shutdown();
    VM.with(|v| *v.borrow_mut() = None);
    status
}

fn is_system_exit(vm: &Vm, e: &PyErr) -> bool {
    vm.types
        .by_name
        .get("SystemExit")
        .is_some_and(|c| PyClass::is_subclass(&e.exc.class, c))
}

fn system_exit_status(vm: &Vm, e: &PyErr) -> i32 {
    let args = e.exc.exc_args.borrow().clone();
    let code = match args {
        Some(Value::Tuple(t)) => t.0.first().cloned(),
        _ => None,
    };
    match code {
        None => 0,
        Some(v) if v.is_none() => 0,
        Some(v) => match v.as_int() {
            Some(i) => i as i32,
            None => {
                vm.flush_stdout();
                let s = vm.to_str(&v).unwrap_or_default();
                eprintln!("{s}");
                1
            }
        },
    }
}
