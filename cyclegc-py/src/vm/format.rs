//! `repr()`, `str()`, format specs (f-strings, `format`, `str.format`) and
//! `%` formatting.

use super::{PyResult, Vm};
use crate::object::iter::IterState;
use crate::object::number::float_repr;
use crate::object::string::str_repr;
use crate::object::Value;

impl Vm {
    /// `repr(v)`.
    pub fn repr(&self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None(_) => "None".into(),
            Value::Bool(b) => (if b.0 { "True" } else { "False" }).into(),
            Value::Int(i) => i.0.to_string(),
            Value::Float(f) => float_repr(f.0),
            Value::Str(s) => str_repr(s.as_str()),
            Value::List(l) => return self.repr_container(v, "[", "]", &l.snapshot(), "[...]"),
            Value::Tuple(t) => {
                if t.0.len() == 1 {
                    return Ok(format!("({},)", self.repr(&t.0[0])?));
                }
                return self.repr_container(v, "(", ")", &t.0, "(...)");
            }
            Value::Set(s) => {
                let items: Vec<Value> = s.items.borrow().iter().map(|k| k.value.clone()).collect();
                if items.is_empty() {
                    return Ok("set()".into());
                }
                return self.repr_container(v, "{", "}", &items, "{...}");
            }
            Value::Dict(d) => {
                if !self.repr_enter(v)? {
                    return Ok("{...}".into());
                }
                let r = (|| {
                    let mut parts = Vec::new();
                    for (k, val) in d.items() {
                        parts.push(format!("{}: {}", self.repr(&k)?, self.repr(&val)?));
                    }
                    Ok(format!("{{{}}}", parts.join(", ")))
                })();
                self.repr_leave();
                return r;
            }
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Function(f) => format!("<function {} at {:#x}>", f.qualname, v.id()),
            Value::Builtin(b) => match &b.bound {
                None => format!("<built-in function {}>", b.name),
                Some(Value::Module(_)) => format!("<built-in function {}>", b.name),
                Some(obj) => format!(
                    "<built-in method {} of {} object at {:#x}>",
                    b.name,
                    obj.type_name(),
                    obj.id()
                ),
            },
            Value::BoundMethod(m) => {
                let qual = match &m.func {
                    Value::Function(f) => f.qualname.to_string(),
                    other => self.repr(other)?,
                };
                format!("<bound method {qual} of {}>", self.repr(&m.obj)?)
            }
            Value::Class(c) => {
                if c.is_builtin() {
                    format!("<class '{}'>", c.name)
                } else {
                    format!("<class '{}.{}'>", c.module, c.qualname)
                }
            }
            Value::Instance(i) => {
                if let Some(r) = self.call_dunder(v, "__repr__", vec![]) {
                    let r = r?;
                    return match r.as_str() {
                        Some(s) => Ok(s.to_string()),
                        None => {
                            Err(self
                                .type_error(format!("__repr__ returned non-string (type {})", r.type_name())))
                        }
                    };
                }
                if let Some(args) = i.exc_args.borrow().clone() {
                    let inner = match &args {
                        Value::Tuple(t) if t.0.len() == 1 => self.repr(&t.0[0])?,
                        Value::Tuple(t) if t.0.is_empty() => String::new(),
                        other => {
                            let r = self.repr(other)?;
                            r[1..r.len() - 1].to_string()
                        }
                    };
                    return Ok(format!("{}({inner})", i.class.name));
                }
                if i.class.is_builtin() {
                    return Ok(format!("<{} object at {:#x}>", i.class.name, v.id()));
                }
                format!(
                    "<{}.{} object at {:#x}>",
                    i.class.module,
                    i.class.qualname,
                    v.id()
                )
            }
            Value::Module(m) => match &*m.name {
                "__main__" => format!("<module '{}' from '{}'>", m.name, self.filename),
                _ => format!("<module '{}' (built-in)>", m.name),
            },
            Value::Cell(c) => match &*c.0.borrow() {
                None => format!("<cell at {:#x}: empty>", v.id()),
                Some(x) => format!(
                    "<cell at {:#x}: {} object at {:#x}>",
                    v.id(),
                    x.type_name(),
                    x.id()
                ),
            },
            Value::Iter(it) => match (&*it.state.borrow(), it.kind) {
                (IterState::View(items), "slice") => {
                    let parts: Vec<String> = items.iter().map(|x| self.repr(x)).collect::<PyResult<_>>()?;
                    format!("slice({})", parts.join(", "))
                }
                (IterState::View(items), kind) => {
                    let parts: Vec<String> = items.iter().map(|x| self.repr(x)).collect::<PyResult<_>>()?;
                    format!("{kind}([{}])", parts.join(", "))
                }
                (_, "generator") => format!("<generator object <genexpr> at {:#x}>", v.id()),
                (_, kind) => format!("<{kind} object at {:#x}>", v.id()),
            },
            Value::WeakRef(w) => match w.target.upgrade() {
                Some(t) => {
                    let tv = Value::from_any(t);
                    let name = tv
                        .as_ref()
                        .map(|t| t.type_name())
                        .unwrap_or_else(|| "object".into());
                    let tid = tv.as_ref().map(|t| t.id()).unwrap_or(0);
                    format!("<weakref at {:#x}; to '{name}' at {tid:#x}>", v.id())
                }
                None => format!("<weakref at {:#x}; dead>", v.id()),
            },
            Value::WeakValueDict(_) => format!("<WeakValueDictionary at {:#x}>", v.id()),
            Value::WeakKeyDict(_) => format!("<WeakKeyDictionary at {:#x}>", v.id()),
            Value::WeakSet(_) => {
                let items = crate::modules::weakref::iter_items(self, v)?;
                let parts: Vec<String> = items.iter().map(|x| self.repr(x)).collect::<PyResult<_>>()?;
                format!("{{{}}}", parts.join(", "))
            }
            Value::Finalize(f) => match f.finalizer.peek().and_then(Value::from_any) {
                Some(obj) => format!(
                    "<finalize object at {:#x}; for '{}' at {:#x}>",
                    v.id(),
                    obj.type_name(),
                    obj.id()
                ),
                None => format!("<finalize object at {:#x}; dead>", v.id()),
            },
            Value::Super(s) => format!(
                "<super: <class '{}'>, <{} object>>",
                s.class.name,
                s.obj.type_name()
            ),
        })
    }

    fn repr_enter(&self, v: &Value) -> PyResult<bool> {
        let id = v.id();
        let mut active = self.repr_active.borrow_mut();
        if active.contains(&id) {
            return Ok(false);
        }
        if active.len() > super::RECURSION_LIMIT {
            drop(active);
            return Err(self.err(
                "RecursionError",
                "maximum recursion depth exceeded while getting the repr of an object",
            ));
        }
        active.push(id);
        Ok(true)
    }

    fn repr_leave(&self) {
        self.repr_active.borrow_mut().pop();
    }

    fn repr_container(
        &self,
        v: &Value,
        open: &str,
        close: &str,
        items: &[Value],
        recursive: &str,
    ) -> PyResult<String> {
        if !self.repr_enter(v)? {
            return Ok(recursive.into());
        }
        let r = (|| {
            let mut s = String::from(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&self.repr(item)?);
            }
            s.push_str(close);
            Ok(s)
        })();
        self.repr_leave();
        r
    }

    /// `str(v)`.
    pub fn to_str(&self, v: &Value) -> PyResult<String> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            Value::Instance(i) => {
                if let Some(r) = self.call_dunder(v, "__str__", vec![]) {
                    let r = r?;
                    return match r.as_str() {
                        Some(s) => Ok(s.to_string()),
                        None => {
                            Err(self
                                .type_error(format!("__str__ returned non-string (type {})", r.type_name())))
                        }
                    };
                }
                if let Some(args) = i.exc_args.borrow().clone() {
                    let is_key_error = self
                        .types
                        .by_name
                        .get("KeyError")
                        .is_some_and(|k| crate::object::PyClass::is_subclass(&i.class, k));
                    return match &args {
                        Value::Tuple(t) if t.0.is_empty() => Ok(String::new()),
                        Value::Tuple(t) if t.0.len() == 1 => {
                            if is_key_error {
                                self.repr(&t.0[0])
                            } else {
                                self.to_str(&t.0[0])
                            }
                        }
                        other => self.repr(other),
                    };
                }
                self.repr(v)
            }
            other => self.repr(other),
        }
    }

    /// `format(v, spec)`: the format-spec mini-language for ints, floats
    /// and strs (`[[fill]align][sign][#][0][width][,][.precision][type]`).
    pub fn format_value(&self, v: &Value, spec: &str) -> PyResult<String> {
        if spec.is_empty() {
            return self.to_str(v);
        }
        if let Value::Instance(_) = v {
            if let Some(r) = self.call_dunder(v, "__format__", vec![Value::str(spec)]) {
                return Ok(r?.as_str().unwrap_or("").to_string());
            }
        }
        let spec_chars: Vec<char> = spec.chars().collect();
        let mut i = 0;
        let mut fill = ' ';
        let mut align: Option<char> = None;
        if spec_chars.len() >= 2 && matches!(spec_chars[1], '<' | '>' | '^' | '=') {
            fill = spec_chars[0];
            align = Some(spec_chars[1]);
            i = 2;
        } else if !spec_chars.is_empty() && matches!(spec_chars[0], '<' | '>' | '^' | '=') {
            align = Some(spec_chars[0]);
            i = 1;
        }
        let mut sign = '-';
        if i < spec_chars.len() && matches!(spec_chars[i], '+' | '-' | ' ') {
            sign = spec_chars[i];
            i += 1;
        }
        let mut alt = false;
        if i < spec_chars.len() && spec_chars[i] == '#' {
            alt = true;
            i += 1;
        }
        if i < spec_chars.len() && spec_chars[i] == '0' {
            if align.is_none() {
                fill = '0';
                align = Some('=');
            }
            i += 1;
        }
        let mut width = 0usize;
        while i < spec_chars.len() && spec_chars[i].is_ascii_digit() {
            width = width
                .saturating_mul(10)
                .saturating_add(spec_chars[i].to_digit(10).unwrap_or(0) as usize);
            i += 1;
        }
        let mut grouping = None;
        if i < spec_chars.len() && matches!(spec_chars[i], ',' | '_') {
            grouping = Some(spec_chars[i]);
            i += 1;
        }
        let mut precision: Option<usize> = None;
        if i < spec_chars.len() && spec_chars[i] == '.' {
            i += 1;
            let mut p: usize = 0;
            while i < spec_chars.len() && spec_chars[i].is_ascii_digit() {
                p = p
                    .saturating_mul(10)
                    .saturating_add(spec_chars[i].to_digit(10).unwrap_or(0) as usize);
                i += 1;
            }
            precision = Some(p);
        }
        if width > 1 << 28 || precision.is_some_and(|p| p > 1 << 20) {
            return Err(self.err("MemoryError", ""));
        }
        let ty = spec_chars.get(i).copied();
        if i + 1 < spec_chars.len() {
            return Err(self.value_error("Invalid format specifier"));
        }
        let group = |digits: &str, sep: char| -> String {
            let (int, frac) = match digits.find('.') {
                Some(p) => (&digits[..p], &digits[p..]),
                None => (digits, ""),
            };
            let mut out = String::new();
            for (n, c) in int.chars().enumerate() {
                if n > 0 && (int.len() - n) % 3 == 0 {
                    out.push(sep);
                }
                out.push(c);
            }
            out + frac
        };
        let (body, negative, numeric) = match (v, ty) {
            (Value::Str(s), None | Some('s')) => {
                let mut s = s.as_str().to_string();
                if let Some(p) = precision {
                    s = s.chars().take(p).collect();
                }
                (s, false, false)
            }
            (Value::Int(_) | Value::Bool(_), None | Some('d' | 'x' | 'X' | 'o' | 'b' | 'n')) => {
                let n = v.as_int().unwrap_or(0);
                let mag = n.unsigned_abs();
                let mut s = match ty {
                    Some('x') => format!("{}{mag:x}", if alt { "0x" } else { "" }),
                    Some('X') => format!("{}{mag:X}", if alt { "0X" } else { "" }),
                    Some('o') => format!("{}{mag:o}", if alt { "0o" } else { "" }),
                    Some('b') => format!("{}{mag:b}", if alt { "0b" } else { "" }),
                    _ => mag.to_string(),
                };
                if let Some(g) = grouping {
                    s = group(&s, g);
                }
                (s, n < 0, true)
            }
            (
                Value::Int(_) | Value::Bool(_) | Value::Float(_),
                Some('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%') | None,
            ) => {
                let f = match v {
                    Value::Float(f) => f.0,
                    other => other.as_int().unwrap_or(0) as f64,
                };
                let p = precision.unwrap_or(6);
                let mag = f.abs();
                let mut s = match ty {
                    Some('f' | 'F') => format!("{mag:.p$}"),
                    Some('%') => format!("{:.p$}%", mag * 100.0),
                    Some('e' | 'E') => {
                        let s = format!("{mag:.p$e}");
                        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                        let e: i32 = e.parse().unwrap_or(0);
                        let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                        if ty == Some('E') {
                            s.to_uppercase()
                        } else {
                            s
                        }
                    }
                    Some('g' | 'G') | None => {
                        if ty.is_none() && precision.is_none() {
                            float_repr(mag)
                        } else {
                            general(mag, precision.unwrap_or(6).max(1), alt)
                        }
                    }
                    _ => float_repr(mag),
                };
                if let Some(g) = grouping {
                    s = group(&s, g);
                }
                (
                    s,
                    f.is_sign_negative() && f != 0.0 || (f == 0.0 && f.is_sign_negative()),
                    true,
                )
            }
            _ => {
                return Err(self.value_error(format!(
                    "Unknown format code '{}' for object of type '{}'",
                    ty.unwrap_or('s'),
                    v.type_name()
                )))
            }
        };
        let sign_str = if negative {
            "-"
        } else if numeric && sign == '+' {
            "+"
        } else if numeric && sign == ' ' {
            " "
        } else {
            ""
        };
        let len = body.chars().count() + sign_str.len();
        if len >= width {
            return Ok(format!("{sign_str}{body}"));
        }
        let pad = width - len;
        let padding = |n: usize| -> String { std::iter::repeat_n(fill, n).collect() };
        let align = align.unwrap_or(if numeric { '>' } else { '<' });
        Ok(match align {
            '<' => format!("{sign_str}{body}{}", padding(pad)),
            '^' => format!("{}{sign_str}{body}{}", padding(pad / 2), padding(pad - pad / 2)),
            '=' => format!("{sign_str}{}{body}", padding(pad)),
            _ => format!("{}{sign_str}{body}", padding(pad)),
        })
    }

    /// `str.format(*args, **kwargs)`.
    pub fn str_format(
        &self,
        template: &str,
        args: &[Value],
        kwargs: &[(crate::object::Name, Value)],
    ) -> PyResult<String> {
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        let mut auto = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    let mut depth = 1;
                    for c in chars.by_ref() {
                        if c == '{' {
                            depth += 1;
                        } else if c == '}' {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        field.push(c);
                    }
                    let (name_conv, spec) = match field.find(':') {
                        Some(p) => (&field[..p], &field[p + 1..]),
                        None => (&field[..], ""),
                    };
                    let (name, conv) = match name_conv.find('!') {
                        Some(p) => (&name_conv[..p], Some(&name_conv[p + 1..])),
                        None => (name_conv, None),
                    };
                    let (base, attrs) = match name.find('.') {
                        Some(p) => (&name[..p], Some(&name[p + 1..])),
                        None => (name, None),
                    };
                    let mut value = if base.is_empty() {
                        let v = args.get(auto).cloned();
                        auto += 1;
                        v.ok_or_else(|| {
                            self.err(
                                "IndexError",
                                format!(
                                    "Replacement index {} out of range for positional args tuple",
                                    auto - 1
                                ),
                            )
                        })?
                    } else if let Ok(n) = base.parse::<usize>() {
                        args.get(n).cloned().ok_or_else(|| {
                            self.err(
                                "IndexError",
                                format!("Replacement index {n} out of range for positional args tuple"),
                            )
                        })?
                    } else {
                        kwargs
                            .iter()
                            .find(|(k, _)| &**k == base)
                            .map(|(_, v)| v.clone())
                            .ok_or_else(|| self.err_args("KeyError", vec![Value::str(base)]))?
                    };
                    if let Some(attrs) = attrs {
                        for a in attrs.split('.') {
                            value = self.getattr(&value, a)?;
                        }
                    }
                    let value = match conv {
                        Some("r") => Value::str(&self.repr(&value)?),
                        Some("s") => Value::str(&self.to_str(&value)?),
                        _ => value,
                    };
                    out.push_str(&self.format_value(&value, spec)?);
                }
                '}' => return Err(self.value_error("Single '}' encountered in format string")),
                c => out.push(c),
            }
        }
        Ok(out)
    }

    /// `template % args`.
    pub fn percent_format(&self, template: &str, args: &Value) -> PyResult<Value> {
        let items: Vec<Value> = match args {
            Value::Tuple(t) => t.0.to_vec(),
            other => vec![other.clone()],
        };
        let mut out = String::new();
        let mut it = items.iter();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut spec = String::new();
            let mut conv = None;
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() || c == '%' {
                    conv = Some(c);
                    break;
                }
                spec.push(c);
            }
            let Some(conv) = conv else {
                return Err(self.value_error("incomplete format"));
            };
            if conv == '%' {
                out.push('%');
                continue;
            }
            let v = it
                .next()
                .ok_or_else(|| self.type_error("not enough arguments for format string"))?;
            let (flags, rest) = spec.split_at(
                spec.find(|c: char| c.is_ascii_digit() && c != '0' || c == '.')
                    .unwrap_or(spec.len()),
            );
            let mut fspec = String::new();
            if flags.contains('-') {
                fspec.push('<');
            } else if flags.contains('0') {
                fspec.push('0');
            } else {
                fspec.push('>');
            }
            if flags.contains('+') {
                fspec.insert(0, '+');
            }
            let s = match conv {
                's' => {
                    let s = Value::str(&self.to_str(v)?);
                    self.format_value(&s, &(fspec + rest))?
                }
                'r' => {
                    let s = Value::str(&self.repr(v)?);
                    self.format_value(&s, &(fspec + rest))?
                }
                'd' | 'i' => {
                    let n = match v {
                        Value::Float(f) => Value::int(f.0 as i64),
                        other => other.clone(),
                    };
                    self.format_value(&n, &format!("{fspec}{rest}d"))?
                }
                'f' | 'e' | 'g' | 'x' | 'X' | 'o' => self.format_value(v, &format!("{fspec}{rest}{conv}"))?,
                other => return Err(self.value_error(format!("unsupported format character '{other}'"))),
            };
            out.push_str(&s);
        }
        if it.next().is_some() {
            return Err(self.type_error("not all arguments converted during string formatting"));
        }
        Ok(Value::str(&out))
    }
}

/// The `g` presentation type.
fn general(f: f64, p: usize, alt: bool) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let exp = f.abs().log10().floor() as i32;
    if exp < -4 || exp >= p as i32 {
        let s = format!("{:.*e}", p - 1, f);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if alt { m.to_string() } else { trim_zeros(m) };
        let e: i32 = e.parse().unwrap_or(0);
        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{f:.decimals$}");
        if alt {
            s
        } else {
            trim_zeros(&s)
        }
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}
