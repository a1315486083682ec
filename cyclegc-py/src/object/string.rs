//! `str`: an immutable leaf object.

use cyclegc::Trace;

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
