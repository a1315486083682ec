//! Expressions.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};

use cyclegc::Cc;
use rustpython_parser::ast::{self, Constant, Expr};

use super::code::{Body, Code};
use super::frame::{Frame, FrameKind, Locals};
use super::{PyResult, Vm};
use crate::object::iter::IterState;
use crate::object::{Args, Key, Name, PyDict, PyIter, PySet, Value};
use crate::object::{Map, Set};

/// Deeper nesting of expressions than this raises `RecursionError`
/// instead of overflowing the Rust stack.
const NESTING_LIMIT: usize = 5000;

impl Vm {
    /// Evaluates an expression.
    pub(crate) fn eval(&self, frame: &Frame<'_>, e: &Expr) -> PyResult<Value> {
        let n = self.nesting.get();
        if n > NESTING_LIMIT {
            return Err(self.err(
                "RecursionError",
                "maximum recursion depth exceeded during compilation",
            ));
        }
        self.nesting.set(n + 1);
        let r = self.eval_inner(frame, e);
        self.nesting.set(n);
        r
    }

    fn eval_inner(&self, frame: &Frame<'_>, e: &Expr) -> PyResult<Value> {
        match e {
            Expr::Constant(c) => self.constant(&c.value),
            Expr::Name(n) => self.load_name(frame, &n.id),
            Expr::BinOp(b) => {
                let l = self.eval(frame, &b.left)?;
                let r = self.eval(frame, &b.right)?;
                self.binary_op(b.op, &l, &r)
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(frame, &u.operand)?;
                self.unary_op(u.op, &v)
            }
            Expr::BoolOp(b) => {
                let mut last = Value::none();
                for (i, v) in b.values.iter().enumerate() {
                    last = self.eval(frame, v)?;
                    if i + 1 == b.values.len() {
                        break;
                    }
                    let t = self.truthy(&last)?;
                    match b.op {
                        ast::BoolOp::And if !t => return Ok(last),
                        ast::BoolOp::Or if t => return Ok(last),
                        _ => {}
                    }
                }
                Ok(last)
            }
            Expr::Compare(c) => {
                let mut left = self.eval(frame, &c.left)?;
                for (op, right) in c.ops.iter().zip(&c.comparators) {
                    let right = self.eval(frame, right)?;
                    if !self.compare(*op, &left, &right)? {
                        return Ok(Value::bool(false));
                    }
                    left = right;
                }
                Ok(Value::bool(true))
            }
            Expr::IfExp(i) => {
                let t = self.eval(frame, &i.test)?;
                if self.truthy(&t)? {
                    self.eval(frame, &i.body)
                } else {
                    self.eval(frame, &i.orelse)
                }
            }
            Expr::Call(c) => self.eval_call(frame, c),
            Expr::Attribute(a) => {
                let obj = self.eval(frame, &a.value)?;
                self.getattr(&obj, &a.attr)
            }
            Expr::Subscript(s) => {
                let obj = self.eval(frame, &s.value)?;
                let idx = self.eval(frame, &s.slice)?;
                self.getitem(&obj, &idx)
            }
            Expr::Slice(s) => {
                let part = |e: &Option<Box<Expr>>| -> PyResult<Value> {
                    match e {
                        Some(e) => self.eval(frame, e),
                        None => Ok(Value::none()),
                    }
                };
                // A slice is a tuple of three tagged by a marker the
                // subscript code recognises.
                let items = vec![part(&s.lower)?, part(&s.upper)?, part(&s.step)?];
                Ok(Value::Iter(Cc::new(PyIter::new("slice", IterState::View(items)))))
            }
            Expr::List(l) => Ok(Value::list(self.eval_elts(frame, &l.elts)?)),
            Expr::Tuple(t) => Ok(Value::tuple(self.eval_elts(frame, &t.elts)?)),
            Expr::Set(s) => {
                let items = self.eval_elts(frame, &s.elts)?;
                let mut set = Set::default();
                for v in items {
                    set.insert(self.key(v)?);
                }
                Ok(Value::Set(Cc::new(PySet::new(set))))
            }
            Expr::Dict(d) => {
                let dict = PyDict::new();
                for (k, v) in d.keys.iter().zip(&d.values) {
                    match k {
                        Some(k) => {
                            let k = self.eval(frame, k)?;
                            let v = self.eval(frame, v)?;
                            let key = self.key(k)?;
                            let old = dict.map.borrow_mut().insert(key, v);
                            drop(old);
                        }
                        None => {
                            let other = self.eval(frame, v)?;
                            for (k, v) in self.mapping_items(&other)? {
                                let key = self.key(k)?;
                                let old = dict.map.borrow_mut().insert(key, v);
                                drop(old);
                            }
                        }
                    }
                }
                Ok(Value::Dict(Cc::new(dict)))
            }
            Expr::ListComp(c) => {
                let mut out = Vec::new();
                self.comprehension(frame, "<listcomp>", &c.generators, &mut |f| {
                    out.push(self.eval(f, &c.elt)?);
                    Ok(())
                })?;
                Ok(Value::list(out))
            }
            Expr::GeneratorExp(c) => {
                let mut out = VecDeque::new();
                self.comprehension(frame, "<genexpr>", &c.generators, &mut |f| {
                    out.push_back(self.eval(f, &c.elt)?);
                    Ok(())
                })?;
                Ok(Value::Iter(Cc::new(PyIter::new(
                    "generator",
                    IterState::Buffer(out),
                ))))
            }
            Expr::SetComp(c) => {
                let mut out = Set::default();
                self.comprehension(frame, "<setcomp>", &c.generators, &mut |f| {
                    let v = self.eval(f, &c.elt)?;
                    out.insert(self.key(v)?);
                    Ok(())
                })?;
                Ok(Value::Set(Cc::new(PySet::new(out))))
            }
            Expr::DictComp(c) => {
                let mut out = Map::default();
                self.comprehension(frame, "<dictcomp>", &c.generators, &mut |f| {
                    let k = self.eval(f, &c.key)?;
                    let v = self.eval(f, &c.value)?;
                    out.insert(self.key(k)?, v);
                    Ok(())
                })?;
                Ok(Value::Dict(Cc::new(PyDict {
                    map: RefCell::new(out),
                })))
            }
            Expr::Lambda(l) => {
                let key = l as *const ast::ExprLambda as usize;
                let line = self.line_of(l.range.start());
                let code = self.code_for(key, || {
                    Code::new("<lambda>", &l.args, Body::Expr(l.body.clone()), line)
                });
                self.make_function(frame, code, &l.args)
            }
            Expr::JoinedStr(j) => {
                let mut s = String::new();
                for part in &j.values {
                    match part {
                        Expr::Constant(c) => {
                            if let Constant::Str(t) = &c.value {
                                s.push_str(t);
                            }
                        }
                        other => {
                            let v = self.eval(frame, other)?;
                            s.push_str(v.as_str().unwrap_or(""));
                        }
                    }
                }
                Ok(Value::str(&s))
            }
            Expr::FormattedValue(f) => {
                let v = self.eval(frame, &f.value)?;
                let v = match f.conversion {
                    ast::ConversionFlag::Repr => Value::str(&self.repr(&v)?),
                    ast::ConversionFlag::Str => Value::str(&self.to_str(&v)?),
                    ast::ConversionFlag::Ascii => Value::str(&self.repr(&v)?),
                    ast::ConversionFlag::None => v,
                };
                let spec = match &f.format_spec {
                    Some(spec) => {
                        let s = self.eval(frame, spec)?;
                        s.as_str().unwrap_or("").to_string()
                    }
                    None => String::new(),
                };
                Ok(Value::str(&self.format_value(&v, &spec)?))
            }
            Expr::NamedExpr(n) => {
                let v = self.eval(frame, &n.value)?;
                let mut target = frame;
                while target.kind == FrameKind::Comprehension {
                    match target.parent {
                        Some(p) => target = p,
                        None => break,
                    }
                }
                self.assign(target, &n.target, v.clone())?;
                Ok(v)
            }
            Expr::Starred(_) => Err(self.err("SyntaxError", "can't use starred expression here")),
            Expr::Yield(_) | Expr::YieldFrom(_) => Err(self.unsupported("yield")),
            Expr::Await(_) => Err(self.unsupported("await")),
        }
    }

    fn constant(&self, c: &Constant) -> PyResult<Value> {
        Ok(match c {
            Constant::None => Value::none(),
            Constant::Bool(b) => Value::bool(*b),
            Constant::Str(s) => Value::str(s),
            Constant::Int(i) => match i64::try_from(i) {
                Ok(i) => Value::int(i),
                Err(_) => return Err(self.overflow()),
            },
            Constant::Float(f) => Value::float(*f),
            Constant::Tuple(items) => {
                let mut out = Vec::new();
                for c in items {
                    out.push(self.constant(c)?);
                }
                Value::tuple(out)
            }
            Constant::Bytes(_) => return Err(self.unsupported("bytes")),
            Constant::Complex { .. } => return Err(self.unsupported("complex numbers")),
            Constant::Ellipsis => return Err(self.unsupported("Ellipsis")),
        })
    }

    /// The elements of a display, `*iterable` spread.
    fn eval_elts(&self, frame: &Frame<'_>, elts: &[Expr]) -> PyResult<Vec<Value>> {
        let mut out = Vec::with_capacity(elts.len());
        for e in elts {
            if let Expr::Starred(s) = e {
                let v = self.eval(frame, &s.value)?;
                out.extend(self.collect(&v)?);
            } else {
                out.push(self.eval(frame, e)?);
            }
        }
        Ok(out)
    }

    /// Runs the loops of a comprehension in a frame of its own, calling
    /// `body` for each innermost iteration.
    fn comprehension(
        &self,
        frame: &Frame<'_>,
        name: &str,
        generators: &[ast::Comprehension],
        body: &mut dyn FnMut(&Frame<'_>) -> PyResult<()>,
    ) -> PyResult<()> {
        let first = self.eval(frame, &generators[0].iter)?;
        let inner = Frame {
            kind: FrameKind::Comprehension,
            code: None,
            locals: RefCell::new(Locals::default()),
            globals: frame.globals.clone(),
            cells: HashMap::new(),
            parent: Some(frame),
            id: self.next_frame_id(),
            name: name.into(),
            qualname: format!("{}{name}", frame.qualprefix()).into(),
            line: Cell::new(frame.line.get()),
            class: frame.class.clone(),
        };
        let r = self.comp_level(&inner, generators, 0, Some(first), body);
        r.map_err(|mut e| {
            self.add_traceback(&inner, &mut e);
            e
        })
    }

    fn comp_level(
        &self,
        frame: &Frame<'_>,
        generators: &[ast::Comprehension],
        level: usize,
        iterable: Option<Value>,
        body: &mut dyn FnMut(&Frame<'_>) -> PyResult<()>,
    ) -> PyResult<()> {
        let Some(g) = generators.get(level) else {
            return body(frame);
        };
        let iterable = match iterable {
            Some(v) => v,
            None => self.eval(frame, &g.iter)?,
        };
        let it = self.iter(&iterable)?;
        'items: while let Some(item) = self.next(&it)? {
            self.assign(frame, &g.target, item)?;
            for cond in &g.ifs {
                let c = self.eval(frame, cond)?;
                if !self.truthy(&c)? {
                    continue 'items;
                }
            }
            self.comp_level(frame, generators, level + 1, None, body)?;
        }
        Ok(())
    }

    fn eval_call(&self, frame: &Frame<'_>, c: &ast::ExprCall) -> PyResult<Value> {
        // `super()` needs the calling frame.
        if let Expr::Name(n) = &*c.func {
            if n.id.as_str() == "super" && c.args.is_empty() && frame.kind == FrameKind::Function {
                if let (Some(class), Some(obj)) = (&frame.class, frame.first_arg()) {
                    return Ok(Value::Super(Cc::new(crate::object::PySuper {
                        class: class.clone(),
                        obj,
                    })));
                }
            }
        }
        // `obj.method(...)`: the object first, the method looked up after
        // the arguments only if it is not a plain method call.
        let (receiver, func) = match &*c.func {
            Expr::Attribute(a) => (Some((self.eval(frame, &a.value)?, a.attr.as_str())), None),
            other => (None, Some(self.eval(frame, other)?)),
        };
        let func = match (func, &receiver) {
            (Some(f), _) => Some(f),
            // Looked up before the arguments are evaluated unless it is a
            // method CPython's LOAD_METHOD would find.
            (None, Some((obj, name))) if !self.is_plain_method(obj, name) => Some(self.getattr(obj, name)?),
            _ => None,
        };
        let mut args = Args::default();
        for a in &c.args {
            if let Expr::Starred(s) = a {
                let v = self.eval(frame, &s.value)?;
                args.pos.extend(self.collect(&v)?);
            } else {
                args.pos.push(self.eval(frame, a)?);
            }
        }
        for k in &c.keywords {
            let v = self.eval(frame, &k.value)?;
            match &k.arg {
                Some(name) => args.kw.push((Name::from(name.as_str()), v)),
                None => {
                    for (k, v) in self.mapping_items(&v)? {
                        match k.as_str() {
                            Some(s) => args.kw.push((Name::from(s), v)),
                            None => return Err(self.type_error("keywords must be strings")),
                        }
                    }
                }
            }
        }
        frame.line.set(self.line_of(c.range.start()));
        match (func, receiver) {
            (Some(f), _) => self.call(&f, args),
            (None, Some((obj, name))) => {
                let mut args = Some(args);
                if let Some(r) = self.call_method_fast(&obj, name, &mut args) {
                    return r;
                }
                let f = self.getattr(&obj, name)?;
                self.call(&f, args.unwrap_or_default())
            }
            (None, None) => Err(self.err("SystemError", "call without a function")),
        }
    }

    /// Whether `obj.name` is a method that `call_method_fast` calls
    /// without a bound method object.
    fn is_plain_method(&self, obj: &Value, name: &str) -> bool {
        match obj {
            Value::Instance(inst) => {
                !inst.attrs.borrow().iter().any(|(k, _)| &**k == name)
                    && matches!(inst.class.lookup(name), Some(Value::Function(_)))
            }
            _ => super::methods::is_builtin_method(obj, name),
        }
    }

    /// The hashable key of a value (`TypeError: unhashable type` if not).
    pub fn key(&self, v: Value) -> PyResult<Key> {
        Key::new(v).map_err(|t| self.type_error(format!("unhashable type: '{t}'")))
    }

    /// The (key, value) pairs of a dict (for `**` and `dict.update`).
    pub fn mapping_items(&self, v: &Value) -> PyResult<Vec<(Value, Value)>> {
        match v {
            Value::Dict(d) => Ok(d.items()),
            other => Err(self.type_error(format!("'{}' object is not a mapping", other.type_name()))),
        }
    }
}
