//! Runs every measurement in a child process and gathers the medians.
//!
//! Each (implementation, workload, round) is one fresh process: the bench
//! binary itself re-executed with [`CHILD_FLAG`], or `python3` running
//! `bench/python/workloads.py`. A crash or a stack overflow of one peer
//! then costs only its own cell, and glibc malloc starts every measurement
//! from the same state. Rounds go workload by workload, every
//! implementation in turn (in an order rotated each round), so that drift
//! on a shared machine hits all columns alike.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::impls::Impl;
use crate::probe;
use crate::workload::{Sizes, Verdict, Workload};

/// The hidden first argument of a child process:
/// `bench --child IMPL WORKLOAD N ITERS BATCH`.
pub const CHILD_FLAG: &str = "--child";

/// The Python side of the harness, passed to `python3 -c`.
pub const PYTHON_SCRIPT: &str = include_str!("../python/workloads.py");

pub struct Options {
    pub quick: bool,
    pub rounds: usize,
    pub workloads: Vec<Workload>,
    pub impls: Vec<Impl>,
    pub timeout: Duration,
    /// Progress lines on stderr.
    pub verbose: bool,
}

/// What a column shows for one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Median of the rounds.
    Median(f64),
    /// A round leaked, broke, crashed or timed out: its verdict.
    Failed(Verdict),
    NotApplicable,
    /// Not run (python3 missing).
    Skipped,
}

pub struct Results {
    pub workloads: Vec<Workload>,
    pub impls: Vec<Impl>,
    pub cells: HashMap<(Workload, Impl), Cell>,
    /// Sizes used, per workload.
    pub sizes: HashMap<Workload, Sizes>,
    pub rounds: usize,
    pub quick: bool,
    /// `Python 3.11.7`, or `None` when there is no python3.
    pub python: Option<String>,
    pub elapsed: Duration,
}

impl Results {
    pub fn cell(&self, w: Workload, i: Impl) -> &Cell {
        self.cells.get(&(w, i)).unwrap_or(&Cell::NotApplicable)
    }

    pub fn value(&self, w: Workload, i: Impl) -> Option<f64> {
        match self.cell(w, i) {
            Cell::Median(v) => Some(*v),
            _ => None,
        }
    }

    /// cyclegc ÷ `other`, when both have a figure.
    pub fn ratio(&self, w: Workload, other: Impl) -> Option<f64> {
        let (a, b) = (self.value(w, Impl::Cyclegc)?, self.value(w, other)?);
        (b > 0.0).then(|| a / b)
    }
}

/// `python3 --version`, or `None` when it cannot be run.
pub fn python_version() -> Option<String> {
    let out = Command::new("python3")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(if text.is_empty() {
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    } else {
        text
    })
}

pub fn run_all(opts: &Options) -> Results {
    let started = Instant::now();
    let python = if opts.impls.contains(&Impl::Cpython) {
        python_version()
    } else {
        None
    };
    let mut samples: HashMap<(Workload, Impl), Vec<Verdict>> = HashMap::new();
    for round in 0..opts.rounds {
        if opts.verbose {
            eprintln!(
                "round {}/{} ({:.0?} so far)",
                round + 1,
                opts.rounds,
                started.elapsed()
            );
        }
        for &w in &opts.workloads {
            // Byte counts do not vary between runs.
            if w.is_bytes() && round > 0 {
                continue;
            }
            let sizes = w.sizes(opts.quick);
            let mut order = opts.impls.clone();
            let len = order.len().max(1);
            order.rotate_left(round % len);
            for imp in order {
                if !imp.applies_to(w) || (imp == Impl::Cpython && python.is_none()) {
                    continue;
                }
                let runs = samples.entry((w, imp)).or_default();
                // Once a peer failed a workload, its cell shows the failure;
                // rerunning it only costs time.
                if runs.iter().any(|v| !matches!(v, Verdict::Ok(_))) {
                    continue;
                }
                let v = measure(imp, w, sizes, opts.timeout);
                if opts.verbose && !matches!(v, Verdict::Ok(_)) {
                    eprintln!("  {} {}: {}", imp.name(), w.name(), v.to_line());
                }
                runs.push(v);
            }
        }
    }

    let mut cells = HashMap::new();
    for &w in &opts.workloads {
        for &imp in &opts.impls {
            let cell = if !imp.applies_to(w) {
                Cell::NotApplicable
            } else if imp == Impl::Cpython && python.is_none() {
                Cell::Skipped
            } else {
                summarise(samples.get(&(w, imp)).map(Vec::as_slice).unwrap_or(&[]))
            };
            cells.insert((w, imp), cell);
        }
    }
    Results {
        workloads: opts.workloads.clone(),
        impls: opts.impls.clone(),
        cells,
        sizes: opts.workloads.iter().map(|&w| (w, w.sizes(opts.quick))).collect(),
        rounds: opts.rounds,
        quick: opts.quick,
        python,
        elapsed: started.elapsed(),
    }
}

/// The median of the rounds, or the first failure.
pub fn summarise(runs: &[Verdict]) -> Cell {
    if let Some(bad) = runs.iter().find(|v| !matches!(v, Verdict::Ok(_))) {
        return Cell::Failed(bad.clone());
    }
    let mut values: Vec<f64> = runs
        .iter()
        .filter_map(|v| match v {
            Verdict::Ok(x) => Some(*x),
            _ => None,
        })
        .collect();
    if values.is_empty() {
        return Cell::Skipped;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Cell::Median(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// One measurement in a fresh process.
pub fn measure(imp: Impl, w: Workload, s: Sizes, timeout: Duration) -> Verdict {
    let args = [
        w.name().to_string(),
        s.n.to_string(),
        s.iters.to_string(),
        s.batch.to_string(),
    ];
    let mut cmd = if imp == Impl::Cpython {
        let mut c = Command::new("python3");
        c.arg("-c").arg(PYTHON_SCRIPT);
        c
    } else {
        let exe = match std::env::current_exe() {
            Ok(exe) => exe,
            Err(e) => return Verdict::Crashed(format!("cannot find the bench binary: {e}")),
        };
        let mut c = Command::new(exe);
        c.arg(CHILD_FLAG).arg(imp.name());
        c
    };
    cmd.args(args);
    run_child(cmd, timeout)
}

/// Runs `cmd`, which prints one verdict line on stdout, and turns a crash,
/// a missing line or a timeout into the matching verdict.
pub fn run_child(mut cmd: Command, timeout: Duration) -> Verdict {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Verdict::Crashed(format!("cannot start: {e}")),
    };
    // Drain both pipes while waiting, so that a chatty child cannot block.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            Ok(None) => {
                // Only this child, by its own handle.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(e) => return Verdict::Crashed(format!("wait failed: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let Some(status) = status else {
        return Verdict::Timeout;
    };
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
    match (status.success(), line.and_then(Verdict::from_line)) {
        (true, Some(v)) => v,
        (true, None) => Verdict::Crashed(format!("no result line; {}", stderr_hint(&stderr))),
        (false, _) => Verdict::Crashed(format!("{}; {}", describe(status), stderr_hint(&stderr))),
    }
}

/// The line of a child's stderr that says most about why it died.
fn stderr_hint(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let telling = ["overflowed its stack", "panicked", "Error", "error", "fatal"];
    lines
        .iter()
        .find(|l| telling.iter().any(|t| l.contains(t)))
        .or(lines.last())
        .map(|l| l.chars().take(200).collect())
        .unwrap_or_else(|| "no stderr".to_string())
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        let name = match sig {
            4 => "SIGILL",
            6 => "SIGABRT",
            7 => "SIGBUS",
            9 => "SIGKILL",
            11 => "SIGSEGV",
            _ => "signal",
        };
        format!("killed by {name} ({sig})")
    } else {
        format!("exit status {}", status.code().unwrap_or(-1))
    }
}

/// The child side: runs one workload of one Rust implementation on a
/// thread with a big stack and prints its verdict line.
pub fn child_main(args: &[String]) -> Result<(), String> {
    let [imp, w, n, iters, batch] = args else {
        return Err(format!("usage: bench {CHILD_FLAG} IMPL WORKLOAD N ITERS BATCH"));
    };
    let imp = Impl::from_name(imp).ok_or_else(|| format!("unknown implementation {imp}"))?;
    let w = Workload::from_name(w).ok_or_else(|| format!("unknown workload {w}"))?;
    let num = |s: &String| s.parse::<usize>().map_err(|e| format!("bad number {s}: {e}"));
    let s = Sizes {
        n: num(n)?,
        iters: num(iters)?,
        batch: num(batch)?,
    };
    let verdict = match probe::on_big_stack(move || imp.run_here(w, s)) {
        Ok(v) => v,
        Err(panic) => Verdict::Crashed(format!("panicked: {panic}")),
    };
    println!("{}", verdict.to_line());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn a_child_result_line_is_read() {
        let v = run_child(sh("echo noise >&2; echo 'ok 12.5'"), Duration::from_secs(10));
        assert_eq!(v, Verdict::Ok(12.5));
        let v = run_child(sh("echo 'leaked 10 3 after'"), Duration::from_secs(10));
        assert_eq!(
            v,
            Verdict::Leaked {
                expected: 10,
                got: 3,
                when: "after"
            }
        );
    }

    #[test]
    fn a_child_killed_by_a_signal_is_reported_as_crashed() {
        let v = run_child(
            sh("echo \"thread 'w' has overflowed its stack\" >&2; kill -SEGV $$"),
            Duration::from_secs(10),
        );
        let Verdict::Crashed(why) = v else { panic!("{v:?}") };
        assert!(
            why.contains("SIGSEGV") && why.contains("overflowed its stack"),
            "{why}"
        );
    }

    #[test]
    fn a_child_without_a_result_line_is_reported_as_crashed() {
        let v = run_child(
            sh("echo 'panicked at boom' >&2; exit 101"),
            Duration::from_secs(10),
        );
        assert!(
            matches!(&v, Verdict::Crashed(why) if why.contains("exit status 101")),
            "{v:?}"
        );
        let v = run_child(sh("true"), Duration::from_secs(10));
        assert!(
            matches!(&v, Verdict::Crashed(why) if why.contains("no result line")),
            "{v:?}"
        );
    }

    #[test]
    fn a_child_that_hangs_is_reported_as_timeout() {
        let t = Instant::now();
        let v = run_child(sh("exec sleep 30"), Duration::from_millis(200));
        assert_eq!(v, Verdict::Timeout);
        assert!(t.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn median_and_failures() {
        assert_eq!(
            summarise(&[Verdict::Ok(3.0), Verdict::Ok(1.0), Verdict::Ok(2.0)]),
            Cell::Median(2.0)
        );
        assert_eq!(
            summarise(&[Verdict::Ok(4.0), Verdict::Ok(1.0)]),
            Cell::Median(2.5)
        );
        assert_eq!(
            summarise(&[Verdict::Ok(1.0), Verdict::Timeout]),
            Cell::Failed(Verdict::Timeout)
        );
    }

    /// The Python script builds the same `dense` graph, and its workloads
    /// verify at small sizes (skipped without python3).
    #[test]
    fn python_script_agrees_with_the_rust_side() {
        if python_version().is_none() {
            eprintln!("python3 not found: skipped");
            return;
        }
        let out = Command::new("python3")
            .args(["-c", PYTHON_SCRIPT, "rng", "3"])
            .output()
            .unwrap();
        let mut rng = probe::SplitMix64::new(probe::SplitMix64::SEED);
        let want: Vec<String> = (0..3).map(|_| rng.next_u64().to_string()).collect();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), want.join(" "));
        for w in Workload::ALL {
            let s = match w {
                Workload::YoungWithBigOld => Sizes::young(3000, 3, 10),
                Workload::YoungEmptyOld => Sizes::young(0, 3, 10),
                _ => Sizes::nodes(3000),
            };
            let v = measure(Impl::Cpython, w, s, Duration::from_secs(60));
            assert!(matches!(v, Verdict::Ok(_)), "cpython {}: {v:?}", w.name());
        }
    }
}
