//! `str`: an immutable leaf object.

use cyclegc::Trace;

use super::{Args, Value};
use crate::vm::methods::{arg, str_arg};
use crate::vm::{PyResult, Vm};

/// A Python str.
#[derive(Trace)]
pub struct PyStr {
    s: Box<str>,
    /// Whether every char is ASCII (indexing is then by byte).
    ascii: bool,
}

impl PyStr {
    /// A str holding `s`.
    pub fn new(s: &str) -> PyStr {
        PyStr {
            s: s.into(),
            ascii: s.is_ascii(),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.s
    }

    /// `len()`: the number of code points.
    pub fn char_len(&self) -> usize {
        if self.ascii {
            self.s.len()
        } else {
            self.s.chars().count()
        }
    }

    /// Whether every char is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// The code point at `i` (already bounds-checked by the caller).
    pub fn char_at(&self, i: usize) -> Option<char> {
        if self.ascii {
            self.s.as_bytes().get(i).map(|&b| b as char)
        } else {
            self.s.chars().nth(i)
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text has a single quote
/// and no double quote; escapes for backslash, the quote, control chars.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (0x80..0xa0).contains(&(c as u32)) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Calls method `name` of a str.
pub fn call_method(vm: &Vm, s: &str, name: &str, mut args: Args) -> PyResult<Value> {
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
