//! `pyrun FILE.py`, `pyrun -c CODE`, `pyrun -`: runs a Python program on
//! cyclegc (see the `cyclegc_py` crate docs).

use std::io::Read;
use std::process::ExitCode;

/// The interpreter thread's stack: deep enough for Python's 1000 frames of
/// recursion in a debug build, reserved (not committed) up front.
const STACK_SIZE: usize = 1 << 30;

fn usage() -> ExitCode {
    eprintln!("usage: pyrun FILE.py | pyrun -c CODE | pyrun -");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (source, filename) = match args.first().map(String::as_str) {
        Some("-c") => match args.get(1) {
            Some(code) => (code.clone(), "<string>".to_string()),
            None => return usage(),
        },
        Some("-") => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("pyrun: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
            (s, "<stdin>".to_string())
        }
        Some(path) if !path.starts_with('-') => match std::fs::read_to_string(path) {
            Ok(s) => (s, path.to_string()),
            Err(e) => {
                eprintln!("pyrun: can't open file '{path}': {e}");
                return ExitCode::from(2);
            }
        },
        _ => return usage(),
    };
    let worker = std::thread::Builder::new()
        .name("pyrun".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            // Never expected: a Rust panic is an interpreter bug; report it
            // as an internal error rather than abort with a Rust message.
            std::panic::catch_unwind(|| cyclegc_py::run_main(&source, &filename)).unwrap_or_else(|_| {
                eprintln!("pyrun: internal error");
                70
            })
        });
    let status = match worker.map(|h| h.join()) {
        Ok(Ok(status)) => status,
        _ => 70,
    };
    ExitCode::from(status.clamp(0, 255) as u8)
}
