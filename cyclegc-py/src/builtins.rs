//! The `builtins` namespace: `print`, `len`, `sorted`... and the built-in
//! classes, whose calls (`int("5")`, `list(it)`) [`construct`] handles.

use std::collections::VecDeque;
use std::io::Write;

use cyclegc::Cc;

use crate::object::class::Builtin;
use crate::object::iter::IterState;
use crate::object::{Args, PyBuiltin, PyClass, PyDict, PyInstance, PyIter, PyRange, PySet, Value};
use crate::object::{Map, Set};
use crate::vm::{PyResult, Vm};

/// Makes a built-in function value.
pub fn function(name: &str, func: crate::object::function::BuiltinFn) -> Value {
    Value::Builtin(Cc::new(PyBuiltin {
        name: name.into(),
        bound: None,
        func,
    }))
}

/// Fills the `builtins` namespace.
pub fn install(vm: &Vm) {
    let mut b = vm.builtins.borrow_mut();
    for (name, class) in &vm.types.by_name {
        let public = matches!(
            *name,
            "object"
                | "type"
                | "int"
                | "bool"
                | "float"
                | "str"
                | "list"
                | "tuple"
                | "dict"
                | "set"
                | "range"
        ) || class.builtin == Builtin::Exception;
        if public {
            b.insert((*name).into(), Value::Class(class.clone()));
        }
    }
    for name in ["staticmethod", "classmethod", "property", "NotImplementedType"] {
        let class = Cc::new(PyClass {
            name: name.into(),
            qualname: name.into(),
            module: "builtins".into(),
            dict: Default::default(),
            bases: vec![vm.types.object.clone()],
            mro: vec![vm.types.object.clone()],
            builtin: Builtin::Other,
            attr_hint: Default::default(),
        });
        if name == "NotImplementedType" {
            b.insert(
                "NotImplemented".into(),
                Value::Instance(Cc::new(PyInstance::new(class))),
            );
        } else {
            b.insert(name.into(), Value::Class(class));
        }
    }
    let fns: &[(&str, crate::object::function::BuiltinFn)] = &[
        ("print", print),
        ("len", len),
        ("id", id),
        ("repr", repr),
        ("sorted", sorted),
        ("sum", sum),
        ("min", min),
        ("max", max),
        ("enumerate", enumerate),
        ("zip", zip),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("hasattr", hasattr),
        ("getattr", getattr),
        ("setattr", setattr),
        ("delattr", delattr),
        ("hex", hex),
        ("oct", oct),
        ("bin", bin),
        ("abs", abs),
        ("iter", iter),
        ("next", next),
        ("any", any),
        ("all", all),
        ("reversed", reversed),
        ("map", map),
        ("filter", filter),
        ("round", round),
        ("divmod", divmod),
        ("pow", pow),
        ("chr", chr),
        ("ord", ord),
        ("callable", callable),
        ("hash", hash),
        ("format", format),
        ("super", super_),
        ("vars", vars),
        ("exit", exit),
        ("quit", exit),
    ];
    for (name, f) in fns {
        b.insert((*name).into(), function(name, *f));
    }
}

fn arg(vm: &Vm, b: &PyBuiltin, args: &Args, i: usize) -> PyResult<Value> {
    args.pos.get(i).cloned().ok_or_else(|| {
        vm.type_error(format!(
            "{}() takes at least {} argument{} ({} given)",
            b.name,
            i + 1,
            if i == 0 { "" } else { "s" },
            args.pos.len()
        ))
    })
}

fn exactly(vm: &Vm, b: &PyBuiltin, args: &Args, n: usize) -> PyResult<()> {
    if args.pos.len() != n {
        let what = if n == 1 {
            "exactly one argument".to_string()
        } else {
            format!("exactly {n} arguments")
        };
        return Err(vm.type_error(format!("{}() takes {what} ({} given)", b.name, args.pos.len())));
    }
    Ok(())
}

/// Where `print(..., file=f)` writes.
enum Stream {
    Stdout,
    Stderr,
}

fn stream_of(v: &Value) -> Option<Stream> {
    let Value::Instance(i) = v else { return None };
    match i.get_attr("_fd")?.as_int()? {
        1 => Some(Stream::Stdout),
        2 => Some(Stream::Stderr),
        _ => None,
    }
}

/// Writes text to stdout (buffered) or stderr.
pub fn write_stream(vm: &Vm, file: Option<&Value>, text: &str) -> PyResult<()> {
    let stream = match file {
        None => Stream::Stdout,
        Some(f) if f.is_none() => Stream::Stdout,
        Some(f) => match stream_of(f) {
            Some(s) => s,
            None => {
                vm.call_method(f, "write", vec![Value::str(text)])?;
                return Ok(());
            }
        },
    };
    match stream {
        Stream::Stdout => {
            if let Ok(mut out) = vm.out.try_borrow_mut() {
                let _ = out.write_all(text.as_bytes());
            }
        }
        Stream::Stderr => {
            vm.flush_stdout();
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
    Ok(())
}

fn print(vm: &Vm, _b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
    let sep = args.take_kw("sep");
    let end = args.take_kw("end");
    let file = args.take_kw("file");
    let flush = args.take_kw("flush");
    if let Some((k, _)) = args.kw.first() {
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for print()")));
    }
    let text_of = |v: Option<Value>, default: &str| -> PyResult<String> {
        match v {
            None => Ok(default.into()),
            Some(v) if v.is_none() => Ok(default.into()),
            Some(v) => v
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| vm.type_error(format!("sep must be None or a string, not {}", v.type_name()))),
        }
    };
    let sep = text_of(sep, " ")?;
    let end = text_of(end, "\n")?;
    let mut s = String::new();
    for (i, v) in args.pos.iter().enumerate() {
        if i > 0 {
            s.push_str(&sep);
        }
        s.push_str(&vm.to_str(v)?);
    }
    s.push_str(&end);
    write_stream(vm, file.as_ref(), &s)?;
    if flush.is_some_and(|f| vm.truthy(&f).unwrap_or(false)) {
        vm.flush_stdout();
    }
    Ok(Value::none())
}

fn len(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    Ok(Value::int(vm.len(&args.pos[0])? as i64))
}

fn id(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    Ok(Value::int(args.pos[0].id() as i64))
}

fn repr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    Ok(Value::str(&vm.repr(&args.pos[0])?))
}

fn sorted(vm: &Vm, b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
    let key = args.take_kw("key");
    let reverse = match args.take_kw("reverse") {
        Some(r) => vm.truthy(&r)?,
        None => false,
    };
    exactly(vm, b, &args, 1)?;
    let items = vm.collect(&args.pos[0])?;
    match vm.sort_values(items, key.as_ref(), reverse) {
        Ok(items) => Ok(Value::list(items)),
        Err((_, e)) => Err(e),
    }
}

fn sum(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let items = vm.collect(&arg(vm, b, &args, 0)?)?;
    let mut total = args.pos.get(1).cloned().unwrap_or_else(|| Value::int(0));
    for x in items {
        total = vm.binary_op(rustpython_parser::ast::Operator::Add, &total, &x)?;
    }
    Ok(total)
}

fn min_max(vm: &Vm, b: &PyBuiltin, mut args: Args, want_less: bool) -> PyResult<Value> {
    let key = args.take_kw("key");
    let default = args.take_kw("default");
    let items = if args.pos.len() == 1 {
        vm.collect(&args.pos[0])?
    } else {
        args.pos
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => Err(vm.value_error(format!("{}() arg is an empty sequence", b.name))),
        };
    }
    let keyed = |v: &Value| -> PyResult<Value> {
        match &key {
            Some(k) if !k.is_none() => vm.call(k, Args::new(vec![v.clone()])),
            _ => Ok(v.clone()),
        }
    };
    let mut best = items[0].clone();
    let mut best_key = keyed(&best)?;
    for x in items.into_iter().skip(1) {
        let k = keyed(&x)?;
        let op = if want_less {
            rustpython_parser::ast::CmpOp::Lt
        } else {
            rustpython_parser::ast::CmpOp::Gt
        };
        if vm.compare(op, &k, &best_key)? {
            best = x;
            best_key = k;
        }
    }
    Ok(best)
}

fn min(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    min_max(vm, b, args, true)
}

fn max(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    min_max(vm, b, args, false)
}

fn buffer(kind: &'static str, items: Vec<Value>) -> Value {
    Value::Iter(Cc::new(PyIter::new(
        kind,
        IterState::Buffer(VecDeque::from(items)),
    )))
}

fn enumerate(vm: &Vm, b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
    let start = args.take_kw("start").or_else(|| args.pos.get(1).cloned());
    let start = start.and_then(|s| s.as_int()).unwrap_or(0);
    let items = vm.collect(&arg(vm, b, &args, 0)?)?;
    let out = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| Value::tuple(vec![Value::int(start.wrapping_add(i as i64)), v]))
        .collect();
    Ok(buffer("enumerate", out))
}

fn zip(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let mut lists = Vec::new();
    for a in &args.pos {
        lists.push(vm.collect(a)?);
    }
    let n = lists.iter().map(Vec::len).min().unwrap_or(0);
    let out = (0..n)
        .map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect()))
        .collect();
    Ok(buffer("zip", out))
}

fn map(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let f = arg(vm, b, &args, 0)?;
    let mut lists = Vec::new();
    for a in &args.pos[1..] {
        lists.push(vm.collect(a)?);
    }
    let n = lists.iter().map(Vec::len).min().unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(vm.call(&f, Args::new(lists.iter().map(|l| l[i].clone()).collect()))?);
    }
    Ok(buffer("map", out))
}

fn filter(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let f = arg(vm, b, &args, 0)?;
    let items = vm.collect(&arg(vm, b, &args, 1)?)?;
    let mut out = Vec::new();
    for x in items {
        let keep = if f.is_none() {
            vm.truthy(&x)?
        } else {
            let r = vm.call(&f, Args::new(vec![x.clone()]))?;
            vm.truthy(&r)?
        };
        if keep {
            out.push(x);
        }
    }
    Ok(buffer("filter", out))
}

fn reversed(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let mut items = vm.collect(&arg(vm, b, &args, 0)?)?;
    items.reverse();
    Ok(buffer("list_reverseiterator", items))
}

fn class_spec(vm: &Vm, spec: &Value, name: &str) -> PyResult<Vec<Cc<PyClass>>> {
    match spec {
        Value::Class(c) => Ok(vec![c.clone()]),
        Value::Tuple(t) => {
            let mut out = Vec::new();
            for s in t.0.iter() {
                out.extend(class_spec(vm, s, name)?);
            }
            Ok(out)
        }
        _ => Err(vm.type_error(format!(
            "{name}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 2)?;
    let classes = class_spec(vm, &args.pos[1], "isinstance")?;
    Ok(Value::bool(
        classes.iter().any(|c| vm.isinstance(&args.pos[0], c)),
    ))
}

fn issubclass(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 2)?;
    let Value::Class(c) = &args.pos[0] else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    let classes = class_spec(vm, &args.pos[1], "issubclass")?;
    Ok(Value::bool(classes.iter().any(|k| PyClass::is_subclass(c, k))))
}

fn attr_name(vm: &Vm, v: &Value) -> PyResult<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| vm.type_error(format!("attribute name must be string, not '{}'", v.type_name())))
}

fn hasattr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    match vm.getattr(&args.pos[0], &name) {
        Ok(_) => Ok(Value::bool(true)),
        Err(e) if vm.is_instance_of(&e, "AttributeError") => Ok(Value::bool(false)),
        Err(e) => Err(e),
    }
}

fn getattr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let obj = arg(vm, b, &args, 0)?;
    let name = attr_name(vm, &arg(vm, b, &args, 1)?)?;
    match vm.getattr(&obj, &name) {
        Ok(v) => Ok(v),
        Err(e) if vm.is_instance_of(&e, "AttributeError") && args.pos.len() > 2 => Ok(args.pos[2].clone()),
        Err(e) => Err(e),
    }
}

fn setattr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 3)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.setattr(&args.pos[0], &name, args.pos[2].clone())?;
    Ok(Value::none())
}

fn delattr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 2)?;
    let name = attr_name(vm, &args.pos[1])?;
    vm.delattr(&args.pos[0], &name)?;
    Ok(Value::none())
}

fn int_arg(vm: &Vm, v: &Value) -> PyResult<i64> {
    v.as_int().ok_or_else(|| {
        vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })
}

fn radix(vm: &Vm, b: &PyBuiltin, args: Args, prefix: &str) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    let n = int_arg(vm, &args.pos[0])?;
    let mag = n.unsigned_abs();
    let digits = match prefix {
        "0x" => format!("{mag:x}"),
        "0o" => format!("{mag:o}"),
        _ => format!("{mag:b}"),
    };
    Ok(Value::str(&format!(
        "{}{prefix}{digits}",
        if n < 0 { "-" } else { "" }
    )))
}

fn hex(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    radix(vm, b, args, "0x")
}

fn oct(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    radix(vm, b, args, "0o")
}

fn bin(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    radix(vm, b, args, "0b")
}

fn abs(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    match &args.pos[0] {
        Value::Float(f) => Ok(Value::float(f.0.abs())),
        v => match v.as_int() {
            Some(i) => Ok(Value::int(i.checked_abs().ok_or_else(|| vm.overflow())?)),
            None => vm.call_dunder(v, "__abs__", vec![]).unwrap_or_else(|| {
                Err(vm.type_error(format!("bad operand type for abs(): '{}'", v.type_name())))
            }),
        },
    }
}

fn iter(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    vm.iter(&args.pos[0])
}

fn next(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let it = arg(vm, b, &args, 0)?;
    match vm.next(&it)? {
        Some(v) => Ok(v),
        None => match args.pos.get(1) {
            Some(d) => Ok(d.clone()),
            None => Err(vm.err("StopIteration", "")),
        },
    }
}

fn any(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    for x in vm.collect(&args.pos[0])? {
        if vm.truthy(&x)? {
            return Ok(Value::bool(true));
        }
    }
    Ok(Value::bool(false))
}

fn all(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    for x in vm.collect(&args.pos[0])? {
        if !vm.truthy(&x)? {
            return Ok(Value::bool(false));
        }
    }
    Ok(Value::bool(true))
}

fn round(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let x = arg(vm, b, &args, 0)?;
    let digits = args
        .pos
        .get(1)
        .filter(|d| !d.is_none())
        .map(|d| int_arg(vm, d))
        .transpose()?;
    match (&x, digits) {
        (Value::Float(f), None) => {
            let r = round_half_even(f.0);
            if !r.is_finite() || r.abs() > 9.2e18 {
                return Err(vm.err("OverflowError", "cannot convert float infinity to integer"));
            }
            Ok(Value::int(r as i64))
        }
        (Value::Float(f), Some(d)) => {
            let d = d.clamp(-308, 308);
            let m = 10f64.powi(d as i32);
            let s = format!("{:.*}", d.max(0) as usize, f.0);
            let v: f64 = s.parse().unwrap_or(round_half_even(f.0 * m) / m);
            Ok(Value::float(v))
        }
        (v, _) => match v.as_int() {
            Some(i) => Ok(Value::int(i)),
            None => Err(vm.type_error(format!("type {} doesn't define __round__ method", v.type_name()))),
        },
    }
}

fn round_half_even(f: f64) -> f64 {
    let r = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        r
    }
}

fn divmod(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 2)?;
    use rustpython_parser::ast::Operator;
    let q = vm.binary_op(Operator::FloorDiv, &args.pos[0], &args.pos[1])?;
    let r = vm.binary_op(Operator::Mod, &args.pos[0], &args.pos[1])?;
    Ok(Value::tuple(vec![q, r]))
}

fn pow(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let x = arg(vm, b, &args, 0)?;
    let y = arg(vm, b, &args, 1)?;
    if let Some(m) = args.pos.get(2) {
        let (mut base, mut e, m) = (
            int_arg(vm, &x)? as i128,
            int_arg(vm, &y)?,
            int_arg(vm, m)? as i128,
        );
        if m == 0 {
            return Err(vm.value_error("pow() 3rd argument cannot be 0"));
        }
        let mut r: i128 = 1;
        base = base.rem_euclid(m);
        while e > 0 {
            if e & 1 == 1 {
                r = (r * base).rem_euclid(m);
            }
            base = (base * base).rem_euclid(m);
            e >>= 1;
        }
        return Ok(Value::int(r as i64));
    }
    vm.binary_op(rustpython_parser::ast::Operator::Pow, &x, &y)
}

fn chr(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    let i = int_arg(vm, &args.pos[0])?;
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::str(c.encode_utf8(&mut [0; 4]))),
        None => Err(vm.value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    let s = args.pos[0].as_str().unwrap_or("");
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => Ok(Value::int(c as i64)),
        _ => Err(vm.type_error(format!(
            "ord() expected a character, but string of length {} found",
            s.chars().count()
        ))),
    }
}

fn callable(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    Ok(Value::bool(match &args.pos[0] {
        Value::Function(_)
        | Value::Builtin(_)
        | Value::BoundMethod(_)
        | Value::Class(_)
        | Value::WeakRef(_)
        | Value::Finalize(_) => true,
        Value::Instance(i) => i.class.lookup("__call__").is_some(),
        _ => false,
    }))
}

fn hash(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    exactly(vm, b, &args, 1)?;
    if let Some(r) = vm.call_dunder(&args.pos[0], "__hash__", vec![]) {
        return r;
    }
    let h = crate::object::dict::hash_value(&args.pos[0])
        .map_err(|t| vm.type_error(format!("unhashable type: '{t}'")))?;
    Ok(Value::int(h as i64))
}

fn format(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let v = arg(vm, b, &args, 0)?;
    let spec = args
        .pos
        .get(1)
        .and_then(|s| s.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(Value::str(&vm.format_value(&v, &spec)?))
}

fn super_(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    match (args.pos.first(), args.pos.get(1)) {
        (Some(Value::Class(c)), Some(obj)) => Ok(Value::Super(Cc::new(crate::object::PySuper {
            class: c.clone(),
            obj: obj.clone(),
        }))),
        _ => Err(vm.err("RuntimeError", "super(): no arguments")),
    }
}

fn vars(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let obj = arg(vm, b, &args, 0)?;
    vm.getattr(&obj, "__dict__")
}

fn exit(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    Err(vm.err_args("SystemExit", args.pos))
}

/// Calls a built-in class: `int(x)`, `list(it)`, `type(obj)`...
pub fn construct(vm: &Vm, class: &Cc<PyClass>, mut args: Args) -> PyResult<Value> {
    let first = args.pos.first().cloned();
    let name = &*class.name;
    match class.builtin {
        Builtin::Int => {
            let base = args.take_kw("base").or_else(|| args.pos.get(1).cloned());
            match (first, base) {
                (None, _) => Ok(Value::int(0)),
                (Some(v), Some(base)) => {
                    let base = int_arg(vm, &base)?;
                    let s = v
                        .as_str()
                        .ok_or_else(|| vm.type_error("int() can't convert non-string with explicit base"))?;
                    parse_int(vm, s, base as u32)
                }
                (Some(Value::Float(f)), None) => {
                    if !f.0.is_finite() {
                        return Err(vm.err("OverflowError", "cannot convert float infinity to integer"));
                    }
                    let t = f.0.trunc();
                    if t.abs() >= 9.2e18 {
                        return Err(vm.overflow());
                    }
                    Ok(Value::int(t as i64))
                }
                (Some(Value::Str(s)), None) => parse_int(vm, s.as_str(), 10),
                (Some(v), None) => match v.as_int() {
                    Some(i) => Ok(Value::int(i)),
                    None => vm.call_dunder(&v, "__int__", vec![]).unwrap_or_else(|| {
                        Err(vm.type_error(format!(
                            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                            v.type_name()
                        )))
                    }),
                },
            }
        }
        Builtin::Float => match first {
            None => Ok(Value::float(0.0)),
            Some(Value::Float(f)) => Ok(Value::float(f.0)),
            Some(Value::Str(s)) => {
                let t = s.as_str().trim();
                let parsed = match t.to_ascii_lowercase().as_str() {
                    "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                    "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                    "nan" | "+nan" | "-nan" => Some(f64::NAN),
                    _ => t.replace('_', "").parse::<f64>().ok(),
                };
                parsed.map(Value::float).ok_or_else(|| {
                    vm.value_error(format!(
                        "could not convert string to float: {}",
                        vm.repr(&Value::Str(s.clone())).unwrap_or_default()
                    ))
                })
            }
            Some(v) => match v.as_int() {
                Some(i) => Ok(Value::float(i as f64)),
                None => Err(vm.type_error(format!(
                    "float() argument must be a string or a real number, not '{}'",
                    v.type_name()
                ))),
            },
        },
        Builtin::Str => match first {
            None => Ok(Value::str("")),
            Some(v) => Ok(Value::str(&vm.to_str(&v)?)),
        },
        Builtin::Bool => match first {
            None => Ok(Value::bool(false)),
            Some(v) => Ok(Value::bool(vm.truthy(&v)?)),
        },
        Builtin::List => match first {
            None => Ok(Value::list(Vec::new())),
            Some(v) => Ok(Value::list(vm.collect(&v)?)),
        },
        Builtin::Tuple => match first {
            None => Ok(Value::tuple(Vec::new())),
            Some(Value::Tuple(t)) => Ok(Value::Tuple(t)),
            Some(v) => Ok(Value::tuple(vm.collect(&v)?)),
        },
        Builtin::Set => {
            let mut set = Set::default();
            if let Some(v) = first {
                for x in vm.collect(&v)? {
                    set.insert(vm.key(x)?);
                }
            }
            Ok(Value::Set(Cc::new(PySet::new(set))))
        }
        Builtin::Dict => {
            let mut map = Map::default();
            if let Some(v) = first {
                match &v {
                    Value::Dict(d) => map = d.map.borrow().clone(),
                    other => {
                        for item in vm.collect(other)? {
                            let kv = vm.collect(&item)?;
                            if kv.len() != 2 {
                                return Err(vm.value_error(format!(
                                    "dictionary update sequence element #0 has length {}; 2 is required",
                                    kv.len()
                                )));
                            }
                            map.insert(vm.key(kv[0].clone())?, kv[1].clone());
                        }
                    }
                }
            }
            for (k, v) in args.kw {
                map.insert(vm.key(Value::str(&k))?, v);
            }
            Ok(Value::Dict(Cc::new(PyDict {
                map: std::cell::RefCell::new(map),
            })))
        }
        Builtin::Range => {
            let ints: Vec<i64> = args.pos.iter().map(|v| int_arg(vm, v)).collect::<PyResult<_>>()?;
            let (start, stop, step) = match ints[..] {
                [stop] => (0, stop, 1),
                [start, stop] => (start, stop, 1),
                [start, stop, step] => (start, stop, step),
                _ => {
                    return Err(
                        vm.type_error(format!("range expected at most 3 arguments, got {}", ints.len()))
                    )
                }
            };
            if step == 0 {
                return Err(vm.value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Cc::new(PyRange { start, stop, step })))
        }
        Builtin::Type => match args.pos.len() {
            1 => Ok(Value::Class(vm.type_of(&args.pos[0]))),
            _ => Err(vm.unsupported("type() with three arguments")),
        },
        _ => match name {
            "staticmethod" | "classmethod" | "property" => {
                let inst = PyInstance::new(class.clone());
                let _ = inst.set_attr("__func__", first.unwrap_or_else(Value::none));
                if name == "property" {
                    vm.setattr_hooks.set(true);
                    let _ = inst.set_attr("fset", args.pos.get(1).cloned().unwrap_or_else(Value::none));
                }
                Ok(Value::Instance(Cc::new(inst)))
            }
            _ => Err(vm.type_error(format!("cannot create '{name}' instances"))),
        },
    }
}

fn parse_int(vm: &Vm, s: &str, base: u32) -> PyResult<Value> {
    let t = s.trim().replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    let digits = match base {
        16 => digits
            .trim_start_matches("0x")
            .trim_start_matches("0X")
            .to_string(),
        8 => digits
            .trim_start_matches("0o")
            .trim_start_matches("0O")
            .to_string(),
        2 => digits
            .trim_start_matches("0b")
            .trim_start_matches("0B")
            .to_string(),
        _ => digits,
    };
    let bad = || {
        vm.value_error(format!(
            "invalid literal for int() with base {base}: {}",
            crate::object::string::str_repr(s)
        ))
    };
    if digits.is_empty() || !(2..=36).contains(&base) {
        return Err(bad());
    }
    match u64::from_str_radix(&digits, base) {
        Ok(m) => {
            let v = if neg { -(m as i128) } else { m as i128 };
            i64::try_from(v).map(Value::int).map_err(|_| vm.overflow())
        }
        Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => Err(vm.overflow()),
        Err(_) => Err(bad()),
    }
}
