//! The Markdown tables and JSON lines of a run.

use std::fmt::Write;

use crate::impls::Impl;
use crate::runner::{Cell, Results};
use crate::workload::{Verdict, Workload};

/// A figure for a table: three significant digits or so.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.01 || a == 0.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1e}")
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Median(v) => number(*v),
        Cell::Failed(v) => format!("**{}**", v.label()),
        Cell::NotApplicable => "n/a".into(),
        Cell::Skipped => "—".into(),
    }
}

/// The sizes of a row, for its label: `1e6`, `1e5 + 4 edges`, ...
fn size_label(r: &Results, w: Workload) -> String {
    let Some(s) = r.sizes.get(&w) else {
        return String::new();
    };
    let short = |n: usize| {
        if n >= 1000 && n.is_power_of_two() {
            format!("2^{}", n.trailing_zeros())
        } else if n >= 1000 && n % 10usize.pow(n.ilog10()) == 0 {
            let e = n.ilog10();
            let m = n / 10usize.pow(e);
            if m == 1 {
                format!("1e{e}")
            } else {
                format!("{m}e{e}")
            }
        } else {
            n.to_string()
        }
    };
    match w {
        Workload::CloneDrop => format!("{} pairs", short(s.n)),
        Workload::Dense => format!("{} nodes × 4 edges", short(s.n)),
        Workload::YoungWithBigOld | Workload::YoungEmptyOld => {
            format!("{} old, {} × {} young", short(s.n), s.iters, s.batch)
        }
        Workload::HeaderBytes | Workload::HeaderBytesLeaf => format!("{} objects", short(s.n)),
        _ => format!("{} nodes", short(s.n)),
    }
}

pub fn markdown(r: &Results) -> String {
    let mut out = String::new();
    let impls = &r.impls;
    let _ = writeln!(
        out,
        "### Medians of {} round{} ({}), ns per op; header rows in bytes per object\n",
        r.rounds,
        if r.rounds == 1 { "" } else { "s" },
        if r.quick { "--quick sizes" } else { "full sizes" }
    );
    let head: Vec<&str> = impls.iter().map(|i| i.name()).collect();
    let _ = writeln!(out, "| workload | size | unit | {} |", head.join(" | "));
    let _ = writeln!(out, "|---|---|---|{}", "---:|".repeat(impls.len()));
    for &w in &r.workloads {
        let cells: Vec<String> = impls.iter().map(|&i| cell_text(r.cell(w, i))).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            w.name(),
            size_label(r, w),
            w.unit(),
            cells.join(" | ")
        );
    }

    let others: Vec<Impl> = impls.iter().copied().filter(|&i| i != Impl::Cyclegc).collect();
    if impls.contains(&Impl::Cyclegc) && !others.is_empty() {
        let _ = writeln!(
            out,
            "\n### Ratios cyclegc ÷ other (below 1: cyclegc faster or smaller)\n"
        );
        let head: Vec<&str> = others.iter().map(|i| i.name()).collect();
        let _ = writeln!(out, "| workload | {} |", head.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(others.len()));
        for &w in &r.workloads {
            let cells: Vec<String> = others
                .iter()
                .map(|&i| match r.ratio(w, i) {
                    Some(x) => format!("{}×", number(x)),
                    None => "—".into(),
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", w.name(), cells.join(" | "));
        }
    }

    let notes = notes(r);
    if !notes.is_empty() {
        let _ = writeln!(out);
        for n in notes {
            let _ = writeln!(out, "- {n}");
        }
    }
    out
}

/// What failed and why, and what was skipped.
pub fn notes(r: &Results) -> Vec<String> {
    let mut notes = Vec::new();
    for &w in &r.workloads {
        for &i in &r.impls {
            if let Cell::Failed(v) = r.cell(w, i) {
                let why = match v {
                    Verdict::Leaked { expected, got, when } => {
                        format!("{got} of {expected} objects freed ({when} the measured part)")
                    }
                    Verdict::Broken { expected, got, when } => {
                        format!("{got} objects freed where {expected} should have been ({when} the measured part)")
                    }
                    Verdict::Crashed(why) => why.clone(),
                    Verdict::Timeout => "did not finish in time".into(),
                    _ => continue,
                };
                notes.push(format!("{} `{}`: {}: {}", i.name(), w.name(), v.label(), why));
            }
        }
    }
    for &i in &r.impls {
        let big = r.value(Workload::YoungWithBigOld, i);
        let empty = r.value(Workload::YoungEmptyOld, i);
        if let (Some(big), Some(empty)) = (big, empty) {
            notes.push(format!(
                "{}: `young_with_big_old` ÷ `young_empty_old` = {} (a young collection's cost with a big old generation)",
                i.name(),
                number(big / empty)
            ));
        }
    }
    if r.impls.contains(&Impl::Cpython) {
        match &r.python {
            Some(v) => notes.push(format!("cpython: {v} (`python3`, bench/python/workloads.py)")),
            None => notes.push("cpython: skipped, no `python3` on PATH".into()),
        }
    }
    notes
}

/// One JSON object per line and cell: `ns_per_op` or `bytes`, or `status`
/// for a cell that leaked, broke, crashed or timed out. Cells that do not
/// apply are left out.
pub fn json_lines(r: &Results) -> String {
    let mut out = String::new();
    for &w in &r.workloads {
        for &i in &r.impls {
            let body = match r.cell(w, i) {
                Cell::Median(v) => {
                    let key = if w.is_bytes() { "bytes" } else { "ns_per_op" };
                    format!("\"{key}\": {}", json_number(*v))
                }
                Cell::Failed(v) => format!("\"status\": \"{}\"", v.label()),
                Cell::NotApplicable | Cell::Skipped => continue,
            };
            let _ = writeln!(
                out,
                "{{\"workload\": \"{}\", \"impl\": \"{}\", {body}}}",
                w.name(),
                i.name()
            );
        }
    }
    out
}

fn json_number(v: f64) -> String {
    if !v.is_finite() {
        return "null".into();
    }
    let rounded = (v * 1000.0).round() / 1000.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Sizes;
    use std::collections::HashMap;
    use std::time::Duration;

    fn results() -> Results {
        let mut cells = HashMap::new();
        cells.insert((Workload::Ring, Impl::Cyclegc), Cell::Median(20.0));
        cells.insert((Workload::Ring, Impl::Gc), Cell::Median(80.0));
        cells.insert((Workload::Ring, Impl::Rc), Cell::NotApplicable);
        cells.insert(
            (Workload::Ring, Impl::Dumpster),
            Cell::Failed(Verdict::Crashed("killed by SIGSEGV (11)".into())),
        );
        cells.insert((Workload::HeaderBytes, Impl::Cyclegc), Cell::Median(32.0));
        Results {
            workloads: vec![Workload::Ring, Workload::HeaderBytes],
            impls: vec![Impl::Cyclegc, Impl::Rc, Impl::Dumpster, Impl::Gc],
            cells,
            sizes: [(Workload::Ring, Sizes::nodes(1_000_000))].into_iter().collect(),
            rounds: 3,
            quick: false,
            python: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn json_lines_have_the_documented_shape() {
        let text = json_lines(&results());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"workload": "ring", "impl": "cyclegc", "ns_per_op": 20}"#,
                r#"{"workload": "ring", "impl": "dumpster", "status": "crashed"}"#,
                r#"{"workload": "ring", "impl": "gc", "ns_per_op": 80}"#,
                r#"{"workload": "header_bytes", "impl": "cyclegc", "bytes": 32}"#,
            ]
        );
    }

    #[test]
    fn markdown_shows_medians_ratios_and_failures() {
        let md = markdown(&results());
        assert!(
            md.contains("| ring | 1e6 nodes | ns/node | 20.0 | n/a | **crashed** | 80.0 |"),
            "{md}"
        );
        assert!(md.contains("| ring | — | — | 0.25× |"), "{md}");
        assert!(md.contains("dumpster `ring`: crashed: killed by SIGSEGV"), "{md}");
    }
}
