//! `pyrun`'s command line and the behaviours that are pyrun's own (where
//! no CPython output can be the reference): the subset's limits, 64-bit
//! ints, and never crashing.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `pyrun ARGS` with `stdin`: (status, stdout, stderr).
fn pyrun(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyrun"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pyrun starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("pyrun finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dash_c_runs_code_and_dash_reads_stdin() {
    assert_eq!(
        pyrun(&["-c", "print(6 * 7)"], ""),
        (0, "42\n".into(), String::new())
    );
    assert_eq!(
        pyrun(&["-"], "x = 'in'\nprint(x)\n"),
        (0, "in\n".into(), String::new())
    );
}

#[test]
fn an_uncaught_exception_prints_a_traceback_and_exits_with_1() {
    let (status, out, err) = pyrun(&["-c", "print('a')\nx"], "");
    assert_eq!((status, out.as_str()), (1, "a\n"));
    assert_eq!(
        err,
        "Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\n    x\nNameError: name 'x' is not defined\n"
    );
}

#[test]
fn syntax_outside_the_subset_is_not_implemented_with_its_line() {
    let (status, out, err) = pyrun(&["-c", "print('before')\ndef gen():\n    yield 1\n"], "");
    assert_eq!((status, out.as_str()), (1, "before\n"));
    assert!(err.contains("line 2, in <module>"), "{err}");
    assert!(
        err.ends_with("NotImplementedError: generator function (yield) is not supported by pyrun\n"),
        "{err}"
    );
    for (code, what) in [
        ("async def f(): pass", "async"),
        ("match 1:\n    case 1: pass", "match"),
        ("x = b'bytes'", "bytes"),
        ("x = 1j", "complex numbers"),
    ] {
        let (status, _, err) = pyrun(&["-c", code], "");
        assert_eq!(status, 1);
        assert!(
            err.contains(&format!("NotImplementedError: {what} is not supported by pyrun")),
            "{err}"
        );
    }
}

#[test]
fn ints_are_64_bit_and_overflow_is_an_error_not_a_wrap() {
    let (status, out, err) = pyrun(
        &["-c", "print(9223372036854775807)\ntry:\n    9223372036854775807 + 1\nexcept OverflowError as e:\n    print('OverflowError')\nprint(2 ** 64)"],
        "",
    );
    assert_eq!(
        (status, out.as_str()),
        (1, "9223372036854775807\nOverflowError\n")
    );
    assert!(
        err.ends_with("OverflowError: integer overflow: pyrun's ints are 64-bit\n"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let (status, _, err) = pyrun(&["-c", "x = 1\ndef f(:\n"], "");
    assert_eq!(status, 1);
    assert!(err.starts_with("  File \"<string>\", line 2\n"), "{err}");
    assert!(err.contains("SyntaxError"), "{err}");
}

#[test]
fn deep_recursion_and_deep_nesting_never_overflow_the_rust_stack() {
    let (status, _, err) = pyrun(&["-c", "def f(n):\n    return f(n + 1)\nf(0)"], "");
    assert_eq!(status, 1);
    assert!(err.contains("[Previous line repeated 996 more times]"), "{err}");
    assert!(
        err.ends_with("RecursionError: maximum recursion depth exceeded\n"),
        "{err}"
    );
    let deep = format!("x = {}1{}\nprint('ok')", "(".repeat(3000), ")".repeat(3000));
    let (status, _, _) = pyrun(&["-c", &deep], "");
    assert!(status == 0 || status == 1, "status {status}");
    let (status, out, _) = pyrun(
        &[
            "-c",
            "l = []\nfor i in range(100000):\n    l = [l]\nprint(len(l))\ndel l\nprint('freed')",
        ],
        "",
    );
    assert_eq!((status, out.as_str()), (0, "1\nfreed\n"));
}

#[test]
fn bad_input_never_panics() {
    for code in [
        "",
        "\0",
        "(((",
        "class",
        "x = [",
        "1 +",
        "'''",
        "\u{7f}",
        "f(**1)",
        "a, *b, *c = 1, 2",
        "del 1",
    ] {
        let (status, _, err) = pyrun(&["-"], code);
        assert!(status == 0 || status == 1, "status {status} for {code:?}: {err}");
        assert!(!err.contains("panicked"), "{code:?}: {err}");
    }
}
