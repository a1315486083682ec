//! `cargo run --release -p bench`: cyclegc side by side with `Rc`,
//! gcmodule, bacon-rajan-cc, dumpster, gc (rust-gc), rust-cc and CPython,
//! on the workloads of SPEC §10.
//!
//! ```text
//! bench [--quick] [--json] [--only W1,W2] [--impls I1,I2] [--rounds N]
//!       [--plot FILE.svg] [--timeout SECS]
//! ```

mod impls;
mod probe;
mod report;
mod runner;
mod svg;
mod workload;

use std::process::ExitCode;
use std::time::Duration;

use impls::Impl;
use workload::Workload;

#[global_allocator]
static ALLOC: probe::CountingAlloc = probe::CountingAlloc;

const USAGE: &str = "\
usage: bench [OPTIONS]

  --quick            reduced sizes (the whole run in under two minutes)
  --json             one JSON object per line instead of Markdown tables
  --only W[,W...]    only these workloads
  --impls I[,I...]   only these implementations (cyclegc is always useful: ratios are to it)
  --rounds N         rounds per measurement (default 7, 5 with --quick)
  --plot FILE.svg    also write a bar chart of the ratios
  --timeout SECS     per measurement (default 120, 30 with --quick)

workloads: alloc_drop clone_drop ring dense live_scan live_scan_untouched
           young_with_big_old young_empty_old header_bytes header_bytes_leaf
impls:     cyclegc rc gcmodule bacon-rajan-cc dumpster gc rust-cc cpython";

struct Cli {
    quick: bool,
    json: bool,
    only: Option<Vec<Workload>>,
    impls: Option<Vec<Impl>>,
    rounds: Option<usize>,
    plot: Option<String>,
    timeout: Option<u64>,
}

fn parse(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli {
        quick: false,
        json: false,
        only: None,
        impls: None,
        rounds: None,
        plot: None,
        timeout: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag {
            "--quick" => cli.quick = true,
            "--json" => cli.json = true,
            "--only" => cli.only = Some(names(&value()?, "workload", Workload::from_name)?),
            "--impls" => cli.impls = Some(names(&value()?, "implementation", Impl::from_name)?),
            "--rounds" => {
                let n: usize = value()?.parse().map_err(|e| format!("--rounds: {e}"))?;
                cli.rounds = Some(n.max(1));
            }
            "--plot" => cli.plot = Some(value()?),
            "--timeout" => cli.timeout = Some(value()?.parse().map_err(|e| format!("--timeout: {e}"))?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(cli)
}

/// A comma-separated list of names, each parsed by `parse`.
fn names<T>(list: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    list.split(',')
        .map(|n| parse(n.trim()).ok_or(format!("unknown {what} `{n}`")))
        .collect()
}

/// `model name` from /proc/cpuinfo and the number of CPUs.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!(
        "{cpu}, {n} CPUs, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(runner::CHILD_FLAG) {
        return match runner::child_main(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench: {e}");
                ExitCode::from(2)
            }
        };
    }
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("bench: {e}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };

    let opts = runner::Options {
        quick: cli.quick,
        rounds: cli.rounds.unwrap_or(if cli.quick { 5 } else { 7 }),
        workloads: cli.only.unwrap_or_else(|| Workload::ALL.to_vec()),
        impls: cli.impls.unwrap_or_else(|| Impl::ALL.to_vec()),
        timeout: Duration::from_secs(cli.timeout.unwrap_or(if cli.quick { 30 } else { 120 })),
        verbose: true,
    };
    let results = runner::run_all(&opts);

    if cli.json {
        print!("{}", report::json_lines(&results));
    } else {
        let command: Vec<String> = std::iter::once("cargo run --release -p bench --".to_string())
            .chain(args.iter().cloned())
            .collect();
        println!("{}", report::markdown(&results));
        println!(
            "Machine: {}. Command: `{}`. Took {:.0?}.",
            machine(),
            command.join(" "),
            results.elapsed
        );
    }
    if let Some(path) = cli.plot {
        let title = format!(
            "cyclegc ÷ peer, medians of {} rounds{}",
            results.rounds,
            if results.quick { " (--quick)" } else { "" }
        );
        if let Err(e) = std::fs::write(&path, svg::ratio_chart(&results, &title)) {
            eprintln!("bench: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {path}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_parse() {
        let cli = parse(&args(
            "--quick --json --only ring,dense --rounds=7 --plot x.svg --impls cyclegc,gc",
        ))
        .unwrap();
        assert!(cli.quick && cli.json);
        assert_eq!(cli.only, Some(vec![Workload::Ring, Workload::Dense]));
        assert_eq!(cli.impls, Some(vec![Impl::Cyclegc, Impl::Gc]));
        assert_eq!(cli.rounds, Some(7));
        assert_eq!(cli.plot.as_deref(), Some("x.svg"));
        assert!(parse(&args("--only nope")).is_err());
        assert!(parse(&args("--rounds")).is_err());
    }
}
