//! Operators, truth, comparison, subscripts and iteration.

use std::cmp::Ordering;
use std::collections::VecDeque;

use cyclegc::Cc;
use rustpython_parser::ast::{CmpOp, Operator, UnaryOp};

use super::{PyResult, Vm};
use crate::object::dict::values_equal;
use crate::object::iter::IterState;
use crate::object::{PyIter, PySet, Value};

/// How deep comparisons may recurse into containers.
const COMPARE_NESTING_LIMIT: usize = 2000;

/// The largest sequence a repetition may build (CPython would raise
/// `MemoryError` somewhere around here too, not abort).
const MAX_SIZE: usize = 1 << 32;

fn op_symbol(op: Operator) -> &'static str {
    match op {
        Operator::Add => "+",
        Operator::Sub => "-",
        Operator::Mult => "*",
        Operator::MatMult => "@",
        Operator::Div => "/",
        Operator::Mod => "%",
        Operator::Pow => "** or pow()",
        Operator::LShift => "<<",
        Operator::RShift => ">>",
        Operator::BitOr => "|",
        Operator::BitXor => "^",
        Operator::BitAnd => "&",
        Operator::FloorDiv => "//",
    }
}

fn dunder(op: Operator) -> (&'static str, &'static str) {
    match op {
        Operator::Add => ("__add__", "__radd__"),
        Operator::Sub => ("__sub__", "__rsub__"),
        Operator::Mult => ("__mul__", "__rmul__"),
        Operator::MatMult => ("__matmul__", "__rmatmul__"),
        Operator::Div => ("__truediv__", "__rtruediv__"),
        Operator::Mod => ("__mod__", "__rmod__"),
        Operator::Pow => ("__pow__", "__rpow__"),
        Operator::LShift => ("__lshift__", "__rlshift__"),
        Operator::RShift => ("__rshift__", "__rrshift__"),
        Operator::BitOr => ("__or__", "__ror__"),
        Operator::BitXor => ("__xor__", "__rxor__"),
        Operator::BitAnd => ("__and__", "__rand__"),
        Operator::FloorDiv => ("__floordiv__", "__rfloordiv__"),
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(f.0),
        other => other.as_int().map(|i| i as f64),
    }
}

impl Vm {
    /// `l op r`.
    pub fn binary_op(&self, op: Operator, l: &Value, r: &Value) -> PyResult<Value> {
        use Value::*;
        if let (Some(a), Some(b)) = (l.as_int(), r.as_int()) {
            return self.int_op(op, a, b);
        }
        match (l, r) {
            (Float(_) | Int(_) | Bool(_), Float(_) | Int(_) | Bool(_)) => {
                if let (Some(a), Some(b)) = (as_f64(l), as_f64(r)) {
                    return self.float_op(op, a, b);
                }
            }
            (Str(a), Str(b)) if op == Operator::Add => {
                let mut s = String::with_capacity(a.as_str().len() + b.as_str().len());
                s.push_str(a.as_str());
                s.push_str(b.as_str());
                return Ok(Value::str(&s));
            }
            (Str(s), _) if op == Operator::Mod => return self.percent_format(s.as_str(), r),
            (List(a), List(b)) if op == Operator::Add => {
                let mut items = a.snapshot();
                items.extend(b.snapshot());
                return Ok(Value::list(items));
            }
            (Tuple(a), Tuple(b)) if op == Operator::Add => {
                let mut items = a.0.to_vec();
                items.extend(b.0.iter().cloned());
                return Ok(Value::tuple(items));
            }
            (List(_) | Tuple(_) | Str(_), Int(_) | Bool(_))
            | (Int(_) | Bool(_), List(_) | Tuple(_) | Str(_))
                if op == Operator::Mult =>
            {
                let (seq, n) = if r.as_int().is_some() { (l, r) } else { (r, l) };
                let n = n.as_int().unwrap_or(0).max(0) as usize;
                let len = match seq {
                    Str(s) => s.as_str().len(),
                    List(v) => v.len(),
                    Tuple(t) => t.0.len(),
                    _ => 0,
                };
                if len.checked_mul(n).is_none_or(|total| total > MAX_SIZE) {
                    return Err(self.err("MemoryError", ""));
                }
                return match seq {
                    Str(s) => Ok(Value::str(&s.as_str().repeat(n))),
                    List(v) => {
                        let items = v.snapshot();
                        let mut out = Vec::with_capacity(items.len() * n);
                        for _ in 0..n {
                            out.extend(items.iter().cloned());
                        }
                        Ok(Value::list(out))
                    }
                    Tuple(t) => {
                        let mut out = Vec::with_capacity(t.0.len() * n);
                        for _ in 0..n {
                            out.extend(t.0.iter().cloned());
                        }
                        Ok(Value::tuple(out))
                    }
                    _ => unreachable_value(self),
                };
            }
            (Set(a), Set(b))
                if matches!(
                    op,
                    Operator::BitOr | Operator::BitAnd | Operator::Sub | Operator::BitXor
                ) =>
            {
                let (a, b) = (a.items.borrow().clone(), b.items.borrow().clone());
                let out: crate::object::Set<_> = match op {
                    Operator::BitOr => a.union(&b).cloned().collect(),
                    Operator::BitAnd => a.intersection(&b).cloned().collect(),
                    Operator::Sub => a.difference(&b).cloned().collect(),
                    _ => a.symmetric_difference(&b).cloned().collect(),
                };
                return Ok(Value::Set(Cc::new(PySet::new(out))));
            }
            (Dict(a), Dict(b)) if op == Operator::BitOr => {
                let d = crate::object::PyDict::new();
                {
                    let mut m = d.map.borrow_mut();
                    for (k, v) in a.map.borrow().iter().chain(b.map.borrow().iter()) {
                        m.insert(k.clone(), v.clone());
                    }
                }
                return Ok(Value::Dict(Cc::new(d)));
            }
            _ => {}
        }
        let (name, rname) = dunder(op);
        if let Some(r) = self.call_dunder(l, name, vec![r.clone()]) {
            let v = r?;
            if !self.is_not_implemented(&v) {
                return Ok(v);
            }
        }
        if let Some(res) = self.call_dunder(r, rname, vec![l.clone()]) {
            let v = res?;
            if !self.is_not_implemented(&v) {
                return Ok(v);
            }
        }
        if op == Operator::Add {
            if let Str(_) = l {
                return Err(self.type_error(format!(
                    "can only concatenate str (not \"{}\") to str",
                    r.type_name()
                )));
            }
            if let List(_) = l {
                return Err(self.type_error(format!(
                    "can only concatenate list (not \"{}\") to list",
                    r.type_name()
                )));
            }
        }
        Err(self.type_error(format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            op_symbol(op),
            l.type_name(),
            r.type_name()
        )))
    }

    fn is_not_implemented(&self, v: &Value) -> bool {
        self.builtins
            .borrow()
            .get("NotImplemented")
            .is_some_and(|n| n.is(v))
    }

    /// `l op= r`: in place for lists (`+=` extends the same list).
    pub fn inplace_op(&self, op: Operator, l: Value, r: Value) -> PyResult<Value> {
        if let (Value::List(list), Operator::Add) = (&l, op) {
            let items = self.collect(&r)?;
            list.items.borrow_mut().extend(items);
            return Ok(l);
        }
        let iname = match op {
            Operator::Add => Some("__iadd__"),
            Operator::Sub => Some("__isub__"),
            Operator::Mult => Some("__imul__"),
            _ => None,
        };
        if let Some(name) = iname {
            if let Some(res) = self.call_dunder(&l, name, vec![r.clone()]) {
                return res;
            }
        }
        self.binary_op(op, &l, &r)
    }

    fn int_op(&self, op: Operator, a: i64, b: i64) -> PyResult<Value> {
        let ov = || self.overflow();
        let v = match op {
            Operator::Add => a.checked_add(b).ok_or_else(ov)?,
            Operator::Sub => a.checked_sub(b).ok_or_else(ov)?,
            Operator::Mult => a.checked_mul(b).ok_or_else(ov)?,
            Operator::Div => {
                if b == 0 {
                    return Err(self.err("ZeroDivisionError", "division by zero"));
                }
                return Ok(Value::float(a as f64 / b as f64));
            }
            Operator::FloorDiv => {
                if b == 0 {
                    return Err(self.err("ZeroDivisionError", "integer division or modulo by zero"));
                }
                let q = a.checked_div(b).ok_or_else(ov)?;
                if (a % b != 0) && ((a < 0) != (b < 0)) {
                    q - 1
                } else {
                    q
                }
            }
            Operator::Mod => {
                if b == 0 {
                    return Err(self.err("ZeroDivisionError", "integer modulo by zero"));
                }
                let m = a.checked_rem(b).unwrap_or(0);
                if m != 0 && ((m < 0) != (b < 0)) {
                    m + b
                } else {
                    m
                }
            }
            Operator::Pow => {
                if b < 0 {
                    return Ok(Value::float((a as f64).powf(b as f64)));
                }
                let e = u32::try_from(b).map_err(|_| ov())?;
                a.checked_pow(e).ok_or_else(ov)?
            }
            Operator::LShift => {
                if b < 0 {
                    return Err(self.value_error("negative shift count"));
                }
                if a == 0 {
                    0
                } else if b >= 63 {
                    return Err(ov());
                } else {
                    let r = a << b;
                    if r >> b != a {
                        return Err(ov());
                    }
                    r
                }
            }
            Operator::RShift => {
                if b < 0 {
                    return Err(self.value_error("negative shift count"));
                }
                a >> b.min(63)
            }
            Operator::BitAnd => a & b,
            Operator::BitOr => a | b,
            Operator::BitXor => a ^ b,
            Operator::MatMult => {
                return Err(self.type_error("unsupported operand type(s) for @: 'int' and 'int'"));
            }
        };
        Ok(Value::int(v))
    }

    fn float_op(&self, op: Operator, a: f64, b: f64) -> PyResult<Value> {
        let v = match op {
            Operator::Add => a + b,
            Operator::Sub => a - b,
            Operator::Mult => a * b,
            Operator::Div => {
                if b == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float division by zero"));
                }
                a / b
            }
            Operator::FloorDiv => {
                if b == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float floor division by zero"));
                }
                (a / b).floor()
            }
            Operator::Mod => {
                if b == 0.0 {
                    return Err(self.err("ZeroDivisionError", "float modulo"));
                }
                let m = a % b;
                if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
                    m + b
                } else {
                    m
                }
            }
            Operator::Pow => a.powf(b),
            _ => {
                return Err(self.type_error(format!(
                    "unsupported operand type(s) for {}: 'float' and 'float'",
                    op_symbol(op)
                )))
            }
        };
        Ok(Value::float(v))
    }

    /// `op v`.
    pub fn unary_op(&self, op: UnaryOp, v: &Value) -> PyResult<Value> {
        match op {
            UnaryOp::Not => Ok(Value::bool(!self.truthy(v)?)),
            UnaryOp::USub => match v {
                Value::Float(f) => Ok(Value::float(-f.0)),
                _ => match v.as_int() {
                    Some(i) => Ok(Value::int(i.checked_neg().ok_or_else(|| self.overflow())?)),
                    None => self.call_dunder(v, "__neg__", vec![]).unwrap_or_else(|| {
                        Err(self.type_error(format!("bad operand type for unary -: '{}'", v.type_name())))
                    }),
                },
            },
            UnaryOp::UAdd => match v {
                Value::Float(_) => Ok(v.clone()),
                _ => match v.as_int() {
                    Some(i) => Ok(Value::int(i)),
                    None => {
                        Err(self.type_error(format!("bad operand type for unary +: '{}'", v.type_name())))
                    }
                },
            },
            UnaryOp::Invert => match v.as_int() {
                Some(i) => Ok(Value::int(!i)),
                None => Err(self.type_error(format!("bad operand type for unary ~: '{}'", v.type_name()))),
            },
        }
    }

    /// Python's truth value.
    pub fn truthy(&self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::None(_) => false,
            Value::Bool(b) => b.0,
            Value::Int(i) => i.0 != 0,
            Value::Float(f) => f.0 != 0.0,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Tuple(t) => !t.0.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) => !s.items.borrow().is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__bool__", vec![]) {
                    return self.truthy(&r?);
                }
                if let Some(r) = self.call_dunder(v, "__len__", vec![]) {
                    return Ok(r?.as_int().unwrap_or(0) != 0);
                }
                true
            }
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) | Value::WeakSet(_) => self.len(v)? != 0,
            _ => true,
        })
    }

    /// Runs a comparison that may recurse into containers, counting the
    /// nesting: self-referencing containers raise `RecursionError` as in
    /// CPython instead of overflowing the Rust stack.
    fn nested_compare<T>(&self, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
        let n = self.nesting.get();
        if n > COMPARE_NESTING_LIMIT {
            return Err(self.err("RecursionError", "maximum recursion depth exceeded in comparison"));
        }
        self.nesting.set(n + 1);
        let r = f();
        self.nesting.set(n);
        r
    }

    /// `l == r`.
    pub fn eq(&self, l: &Value, r: &Value) -> PyResult<bool> {
        match (l, r) {
            (Value::List(_) | Value::Tuple(_) | Value::Dict(_), _) => {
                self.nested_compare(|| self.eq_inner(l, r))
            }
            _ => self.eq_inner(l, r),
        }
    }

    fn eq_inner(&self, l: &Value, r: &Value) -> PyResult<bool> {
        if let Value::Instance(_) = l {
            if let Some(res) = self.call_dunder(l, "__eq__", vec![r.clone()]) {
                let v = res?;
                if !self.is_not_implemented(&v) {
                    return self.truthy(&v);
                }
            }
        }
        if let Value::Instance(_) = r {
            if let Some(res) = self.call_dunder(r, "__eq__", vec![l.clone()]) {
                let v = res?;
                if !self.is_not_implemented(&v) {
                    return self.truthy(&v);
                }
            }
        }
        match (l, r) {
            (Value::List(a), Value::List(b)) => self.seq_eq(&a.snapshot(), &b.snapshot()),
            (Value::Tuple(a), Value::Tuple(b)) => self.seq_eq(&a.0, &b.0),
            (Value::Dict(a), Value::Dict(b)) => {
                let (a, b) = (a.items(), b.map.borrow().clone());
                if a.len() != b.len() {
                    return Ok(false);
                }
                for (k, v) in a {
                    let Ok(key) = crate::object::Key::new(k) else {
                        return Ok(false);
                    };
                    match b.get(&key) {
                        Some(w) if v.is(w) || self.eq(&v, w)? => {}
                        _ => return Ok(false),
                    }
                }
                Ok(true)
            }
            _ => Ok(values_equal(l, r)),
        }
    }

    fn seq_eq(&self, a: &[Value], b: &[Value]) -> PyResult<bool> {
        if a.len() != b.len() {
            return Ok(false);
        }
        for (x, y) in a.iter().zip(b) {
            if !x.is(y) && !self.eq(x, y)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Orders two values (`<`), or `TypeError`.
    pub fn cmp(&self, l: &Value, r: &Value, symbol: &str) -> PyResult<Ordering> {
        use Value::*;
        match (l, r) {
            (Int(_) | Bool(_), Int(_) | Bool(_)) => return Ok(l.as_int().cmp(&r.as_int())),
            (Float(_) | Int(_) | Bool(_), Float(_) | Int(_) | Bool(_)) => {
                let (a, b) = (as_f64(l).unwrap_or(0.0), as_f64(r).unwrap_or(0.0));
                return Ok(a.partial_cmp(&b).unwrap_or(Ordering::Equal));
            }
            (Str(a), Str(b)) => return Ok(a.as_str().cmp(b.as_str())),
            (List(a), List(b)) => {
                let (a, b) = (a.snapshot(), b.snapshot());
                return self.nested_compare(|| self.seq_cmp(&a, &b, symbol));
            }
            (Tuple(a), Tuple(b)) => return self.nested_compare(|| self.seq_cmp(&a.0, &b.0, symbol)),
            _ => {}
        }
        if let Some(res) = self.call_dunder(l, "__lt__", vec![r.clone()]) {
            let v = res?;
            if !self.is_not_implemented(&v) {
                if self.truthy(&v)? {
                    return Ok(Ordering::Less);
                }
                return Ok(if self.eq(l, r)? {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                });
            }
        }
        if let Some(res) = self.call_dunder(r, "__gt__", vec![l.clone()]) {
            let v = res?;
            if !self.is_not_implemented(&v) {
                return Ok(if self.truthy(&v)? {
                    Ordering::Less
                } else {
                    Ordering::Greater
                });
            }
        }
        Err(self.type_error(format!(
            "'{symbol}' not supported between instances of '{}' and '{}'",
            l.type_name(),
            r.type_name()
        )))
    }

    fn seq_cmp(&self, a: &[Value], b: &[Value], symbol: &str) -> PyResult<Ordering> {
        for (x, y) in a.iter().zip(b) {
            if !self.eq(x, y)? {
                return self.cmp(x, y, symbol);
            }
        }
        Ok(a.len().cmp(&b.len()))
    }

    /// One comparison of a chain.
    pub fn compare(&self, op: CmpOp, l: &Value, r: &Value) -> PyResult<bool> {
        Ok(match op {
            CmpOp::Eq => self.eq(l, r)?,
            CmpOp::NotEq => {
                if let Some(res) = self.call_dunder(l, "__ne__", vec![r.clone()]) {
                    let v = res?;
                    if !self.is_not_implemented(&v) {
                        return self.truthy(&v);
                    }
                }
                !self.eq(l, r)?
            }
            CmpOp::Is => l.is(r),
            CmpOp::IsNot => !l.is(r),
            CmpOp::In => self.contains(r, l)?,
            CmpOp::NotIn => !self.contains(r, l)?,
            CmpOp::Lt => self.ordered(l, r, "<", "__lt__")? == Some(true),
            CmpOp::LtE => self.ordered(l, r, "<=", "__le__")? == Some(true),
            CmpOp::Gt => self.ordered(l, r, ">", "__gt__")? == Some(true),
            CmpOp::GtE => self.ordered(l, r, ">=", "__ge__")? == Some(true),
        })
    }

    fn ordered(&self, l: &Value, r: &Value, symbol: &str, dunder: &str) -> PyResult<Option<bool>> {
        if let Value::Instance(_) = l {
            if let Some(res) = self.call_dunder(l, dunder, vec![r.clone()]) {
                let v = res?;
                if !self.is_not_implemented(&v) {
                    return Ok(Some(self.truthy(&v)?));
                }
            }
        }
        if let (Value::Set(a), Value::Set(b)) = (l, r) {
            let (a, b) = (a.items.borrow(), b.items.borrow());
            return Ok(Some(match symbol {
                "<=" => a.is_subset(&b),
                "<" => a.is_subset(&b) && a.len() < b.len(),
                ">=" => a.is_superset(&b),
                _ => a.is_superset(&b) && a.len() > b.len(),
            }));
        }
        let nan = matches!((l, r), (Value::Float(f), _) if f.0.is_nan())
            || matches!((l, r), (_, Value::Float(f)) if f.0.is_nan());
        if nan {
            return Ok(Some(false));
        }
        let o = self.cmp(l, r, symbol)?;
        Ok(Some(match symbol {
            "<" => o == Ordering::Less,
            "<=" => o != Ordering::Greater,
            ">" => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }))
    }

    /// `item in container`.
    pub fn contains(&self, container: &Value, item: &Value) -> PyResult<bool> {
        match container {
            Value::Str(s) => match item.as_str() {
                Some(sub) => Ok(s.as_str().contains(sub)),
                None => Err(self.type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    item.type_name()
                ))),
            },
            Value::Dict(d) => {
                let k = self.key(item.clone())?;
                Ok(d.map.borrow().contains_key(&k))
            }
            Value::Set(s) => {
                let k = self.key(item.clone())?;
                Ok(s.items.borrow().contains(&k))
            }
            Value::Range(r) => Ok(match item.as_int() {
                Some(i) => {
                    let (start, stop, step) = (r.start, r.stop, r.step);
                    let inside = if step > 0 {
                        i >= start && i < stop
                    } else {
                        i <= start && i > stop
                    };
                    inside && (i128::from(i) - i128::from(start)) % i128::from(step) == 0
                }
                None => false,
            }),
            Value::Instance(_) => {
                if let Some(r) = self.call_dunder(container, "__contains__", vec![item.clone()]) {
                    return self.truthy(&r?);
                }
                for v in self.collect(container)? {
                    if v.is(item) || self.eq(&v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) | Value::WeakSet(_) => {
                crate::modules::weakref::contains(self, container, item)
            }
            _ => {
                for v in self.collect(container)? {
                    if v.is(item) || self.eq(&v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// `len(v)`.
    pub fn len(&self, v: &Value) -> PyResult<usize> {
        Ok(match v {
            Value::Str(s) => s.char_len(),
            Value::List(l) => l.len(),
            Value::Tuple(t) => t.0.len(),
            Value::Dict(d) => d.len(),
            Value::Set(s) => s.items.borrow().len(),
            Value::Range(r) => r.len(),
            Value::Iter(it) if it.is_view() => match &*it.state.borrow() {
                IterState::View(items) => items.len(),
                _ => 0,
            },
            Value::WeakValueDict(d) => d.0.borrow().len(),
            Value::WeakKeyDict(d) => d.0.borrow().len(),
            Value::WeakSet(s) => s.0.borrow().len(),
            Value::Instance(_) => match self.call_dunder(v, "__len__", vec![]) {
                Some(r) => {
                    let n = r?
                        .as_int()
                        .ok_or_else(|| self.type_error("'__len__' should return an int"))?;
                    usize::try_from(n).map_err(|_| self.value_error("__len__() should return >= 0"))?
                }
                None => {
                    return Err(self.type_error(format!("object of type '{}' has no len()", v.type_name())))
                }
            },
            other => {
                return Err(self.type_error(format!("object of type '{}' has no len()", other.type_name())))
            }
        })
    }

    /// `iter(v)`: an iterator object.
    pub fn iter(&self, v: &Value) -> PyResult<Value> {
        let (kind, state) = match v {
            Value::List(_) => (
                "list_iterator",
                IterState::Seq {
                    seq: v.clone(),
                    index: 0,
                },
            ),
            Value::Tuple(_) => (
                "tuple_iterator",
                IterState::Seq {
                    seq: v.clone(),
                    index: 0,
                },
            ),
            Value::Str(s) => (
                if s.is_ascii() {
                    "str_ascii_iterator"
                } else {
                    "str_iterator"
                },
                IterState::Seq {
                    seq: v.clone(),
                    index: 0,
                },
            ),
            Value::Range(r) => (
                "range_iterator",
                IterState::Range {
                    next: r.start,
                    left: r.len(),
                    step: r.step,
                },
            ),
            Value::Dict(d) => (
                "dict_keyiterator",
                IterState::DictKeys {
                    dict: d.clone(),
                    index: 0,
                    len: d.len(),
                },
            ),
            Value::Set(s) => (
                "set_iterator",
                IterState::Buffer(s.items.borrow().iter().map(|k| k.value.clone()).collect()),
            ),
            Value::Iter(it) => {
                if let IterState::View(items) = &*it.state.borrow() {
                    let items: VecDeque<Value> = items.iter().cloned().collect();
                    return Ok(Value::Iter(Cc::new(PyIter::new(
                        "dict_keyiterator",
                        IterState::Buffer(items),
                    ))));
                }
                return Ok(v.clone());
            }
            Value::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__iter__", vec![]) {
                    return r;
                }
                if let Value::Instance(i) = v {
                    if i.class.lookup("__getitem__").is_some() {
                        let mut out = VecDeque::new();
                        let mut idx = 0;
                        loop {
                            match self.getitem(v, &Value::int(idx)) {
                                Ok(x) => out.push_back(x),
                                Err(e) if self.is_instance_of(&e, "IndexError") => break,
                                Err(e) => return Err(e),
                            }
                            idx += 1;
                        }
                        return Ok(Value::Iter(Cc::new(PyIter::new(
                            "iterator",
                            IterState::Buffer(out),
                        ))));
                    }
                }
                return Err(self.type_error(format!("'{}' object is not iterable", v.type_name())));
            }
            Value::WeakValueDict(_) | Value::WeakKeyDict(_) | Value::WeakSet(_) => {
                let items = crate::modules::weakref::iter_items(self, v)?;
                ("iterator", IterState::Buffer(items.into()))
            }
            other => return Err(self.type_error(format!("'{}' object is not iterable", other.type_name()))),
        };
        Ok(Value::Iter(Cc::new(PyIter::new(kind, state))))
    }

    /// Whether the exception is an instance of the built-in class `name`.
    pub fn is_instance_of(&self, e: &super::PyErr, name: &str) -> bool {
        self.types
            .by_name
            .get(name)
            .is_some_and(|c| crate::object::PyClass::is_subclass(&e.exc.class, c))
    }

    /// `next(it)`, `None` at the end.
    pub fn next(&self, it: &Value) -> PyResult<Option<Value>> {
        match it {
            Value::Iter(i) => {
                let dict_pos = match &*i.state.borrow() {
                    IterState::DictKeys { dict, index, len } => Some((dict.clone(), *index, *len)),
                    _ => None,
                };
                if let Some((dict, index, len)) = dict_pos {
                    if dict.len() != len {
                        let old = crate::object::replace(&i.state, IterState::Done);
                        drop(old);
                        return Err(self.err("RuntimeError", "dictionary changed size during iteration"));
                    }
                    let key = dict.map.borrow().get_index(index).map(|(k, _)| k.value.clone());
                    if let IterState::DictKeys { index: at, .. } = &mut *i.state.borrow_mut() {
                        *at += 1;
                    }
                    return Ok(key);
                }
                Ok(i.next())
            }
            Value::Instance(_) => match self.call_dunder(it, "__next__", vec![]) {
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(e)) if self.is_instance_of(&e, "StopIteration") => Ok(None),
                Some(Err(e)) => Err(e),
                None => Err(self.type_error(format!("'{}' object is not an iterator", it.type_name()))),
            },
            other => Err(self.type_error(format!("'{}' object is not an iterator", other.type_name()))),
        }
    }

    /// All the items of an iterable.
    pub fn collect(&self, v: &Value) -> PyResult<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.snapshot()),
            Value::Tuple(t) => return Ok(t.0.to_vec()),
            _ => {}
        }
        let it = self.iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            out.push(x);
        }
        Ok(out)
    }
}

fn unreachable_value(vm: &Vm) -> PyResult<Value> {
    Err(vm.err("SystemError", "internal error in sequence repetition"))
}
