//! The bench binary end to end, at small sizes: the child protocol, the
//! JSON lines and the chart.

use std::process::Command;

fn bench(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .output()
        .expect("run bench");
    assert!(
        out.status.success(),
        "bench {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_child_runs_one_verified_workload() {
    let (out, _) = bench(&["--child", "cyclegc", "ring", "1000", "0", "0"]);
    assert!(out.starts_with("ok "), "{out}");
    let (out, _) = bench(&["--child", "dumpster", "live_scan", "1000", "0", "0"]);
    assert!(out.starts_with("ok "), "{out}");
    let (out, _) = bench(&["--child", "rc", "ring", "1000", "0", "0"]);
    assert_eq!(out.trim(), "n/a");
}

#[test]
fn rc_runs_a_deep_chain_on_the_big_stack() {
    // A million-node `Rc` chain drops recursively: this needs the worker
    // thread's big stack.
    let (out, _) = bench(&["--child", "rc", "alloc_drop", "1000000", "0", "0"]);
    assert!(out.starts_with("ok "), "{out}");
}

#[test]
fn json_lines_for_header_bytes() {
    let (out, _) = bench(&[
        "--quick",
        "--json",
        "--only",
        "header_bytes,header_bytes_leaf",
        "--impls",
        "cyclegc,rc",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines.contains(&r#"{"workload": "header_bytes", "impl": "rc", "bytes": 16}"#),
        "{out}"
    );
    assert!(lines
        .iter()
        .all(|l| l.starts_with("{\"workload\": \"header_bytes") && l.contains("\"bytes\": ")));
}

#[test]
fn markdown_and_chart() {
    let svg = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-test-chart.svg");
    let svg_arg = svg.to_str().unwrap();
    let (out, _) = bench(&[
        "--quick",
        "--rounds",
        "2",
        "--only",
        "ring",
        "--impls",
        "cyclegc,gcmodule",
        "--plot",
        svg_arg,
    ]);
    assert!(
        out.contains("| workload | size | unit | cyclegc | gcmodule |"),
        "{out}"
    );
    assert!(out.contains("### Ratios cyclegc ÷ other"), "{out}");
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(chart.starts_with("<svg") && chart.contains("gcmodule"));
}
