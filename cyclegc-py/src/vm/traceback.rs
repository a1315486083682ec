//! CPython's traceback report, and its syntax-error report.

use std::fmt::Write;

use super::{PyErr, Vm};
use crate::object::Value;

/// CPython collapses more than this many identical traceback lines.
const RECURSIVE_CUTOFF: usize = 3;

/// The report of an uncaught exception, as CPython prints it: chained
/// exceptions first, then `Traceback (most recent call last):`, a
/// `File "...", line N, in name` line and the source line per frame, and
/// `Class: message`.
pub fn format_exception(vm: &Vm, err: &PyErr) -> String {
    let mut out = String::new();
    if let Some(cause) = &err.cause {
        out.push_str(&format_exception(vm, cause));
        out.push_str("\nThe above exception was the direct cause of the following exception:\n\n");
    } else if let Some(ctx) = &err.context {
        out.push_str(&format_exception(vm, ctx));
        out.push_str("\nDuring handling of the above exception, another exception occurred:\n\n");
    }
    if !err.tb.is_empty() {
        out.push_str("Traceback (most recent call last):\n");
        let mut last: Option<(u32, &str)> = None;
        let mut count = 0;
        for entry in err.tb.iter().rev() {
            let key = (entry.line, &*entry.name);
            if last == Some(key) {
                count += 1;
            } else {
                if count > RECURSIVE_CUTOFF {
                    repeated(&mut out, count - RECURSIVE_CUTOFF);
                }
                last = Some(key);
                count = 1;
            }
            if count > RECURSIVE_CUTOFF {
                continue;
            }
            let _ = writeln!(
                out,
                "  File \"{}\", line {}, in {}",
                vm.filename, entry.line, entry.name
            );
            if let Some(src) = vm.source_line(entry.line) {
                let src = src.trim();
                if !src.is_empty() {
                    let _ = writeln!(out, "    {src}");
                }
            }
        }
        if count > RECURSIVE_CUTOFF {
            repeated(&mut out, count - RECURSIVE_CUTOFF);
        }
    }
    let class = &err.exc.class;
    let name = if class.is_builtin() || &*class.module == "__main__" {
        class.qualname.to_string()
    } else {
        format!("{}.{}", class.module, class.qualname)
    };
    let msg = vm
        .to_str(&Value::Instance(err.exc.clone()))
        .unwrap_or_else(|_| "<exception str() failed>".into());
    if msg.is_empty() {
        let _ = writeln!(out, "{name}");
    } else {
        let _ = writeln!(out, "{name}: {msg}");
    }
    out
}

fn repeated(out: &mut String, n: usize) {
    let _ = writeln!(
        out,
        "  [Previous line repeated {n} more time{}]",
        if n == 1 { "" } else { "s" }
    );
}

/// A parse error, as CPython reports a `SyntaxError`.
pub fn print_syntax_error(vm: &Vm, e: &rustpython_parser::ParseError) {
    let line = vm.line_of(e.offset);
    let mut out = String::new();
    let _ = writeln!(out, "  File \"{}\", line {line}", vm.filename);
    if let Some(src) = vm.source_line(line) {
        let _ = writeln!(out, "    {}", src.trim());
    }
    let msg = e.error.to_string();
    let (class, msg) = if msg.contains("indent") {
        ("IndentationError", msg)
    } else {
        ("SyntaxError", msg)
    };
    let _ = writeln!(out, "{class}: {msg}");
    vm.flush_stdout();
    eprint!("{out}");
}
