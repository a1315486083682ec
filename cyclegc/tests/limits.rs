//! Limits: many allocations under automatic collection in bounded memory,
//! and reference counts that cannot wrap around.
//!
//! Both kinds of test run in a child process (this test binary again,
//! with an environment variable naming the scenario): the peak memory of
//! a process is only meaningful when nothing else runs in it, and a count
//! overflow must abort the process, which only another one can watch.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};
use std::time::Instant;

use cyclegc::{gc, Cc, Trace, Weak};

// ---- child processes ---------------------------------------------------------

const CHILD_ENV: &str = "CYCLEGC_LIMITS_CHILD";

/// Runs the test `test` of this binary in a child process with
/// [`CHILD_ENV`] set to `scenario`, and returns how it ended.
fn run_child(test: &str, scenario: &str) -> Output {
    // Without ASan's quarantine, freed memory is given back at once, so
    // that the child's peak memory is the program's, not the sanitizer's.
    let asan = match std::env::var("ASAN_OPTIONS") {
        Ok(options) => format!("{options}:quarantine_size_mb=0"),
        Err(_) => "quarantine_size_mb=0".to_string(),
    };
    Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, scenario)
        .env("ASAN_OPTIONS", asan)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the test binary runs")
}

/// The scenario this process runs, if it is a child.
fn scenario() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---- many allocations ------------------------------------------------------------

thread_local! {
    /// Nodes alive now, and the most ever alive at once.
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

/// Counts itself among the live nodes while it exists.
struct Live;

impl Live {
    fn new() -> Live {
        let live = LIVE.with(|l| {
            l.set(l.get() + 1);
            l.get()
        });
        PEAK.with(|p| p.set(p.get().max(live)));
        Live
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.with(|l| l.set(l.get() - 1));
    }
}

fn live() -> usize {
    LIVE.with(Cell::get)
}

/// The peak of live nodes since the last call, which resets it.
fn take_peak() -> usize {
    PEAK.with(|p| p.replace(live()))
}

#[derive(Trace)]
struct Node {
    next: RefCell<Option<Cc<Node>>>,
    /// Where weak references point from, so that clearing them is part
    /// of the work.
    back: RefCell<Option<Weak<Node>>>,
    #[trace(skip)]
    _live: Live,
}

fn node() -> Cc<Node> {
    Cc::new(Node {
        next: RefCell::new(None),
        back: RefCell::new(None),
        _live: Live::new(),
    })
}

/// `n` nodes in a ring; returns the first.
fn ring(n: usize) -> Cc<Node> {
    let first = node();
    let mut last = first.clone();
    for _ in 1..n {
        let next = node();
        *last.next.borrow_mut() = Some(next.clone());
        *next.back.borrow_mut() = Some(Cc::downgrade(&last));
        last = next;
    }
    *last.next.borrow_mut() = Some(first.clone());
    first
}

/// Tracked allocations per round of [`churn`].
const PER_ROUND: usize = 10;
/// Live 2-cycles that [`churn`] keeps, replacing one each round: they live
/// `WINDOW` rounds, long enough to reach the old generations, and die there.
const WINDOW: usize = 1_000;

/// Allocates `rounds * PER_ROUND` tracked objects with automatic collection
/// on, dropping each as garbage of one kind or another: cycles that die
/// young, acyclic chains that reference counting frees, cycles that die
/// old. Calls `at_tenth` once after a tenth of the rounds.
fn churn(rounds: usize, mut at_tenth: impl FnMut()) {
    let mut window: VecDeque<Cc<Node>> = VecDeque::with_capacity(WINDOW);
    for round in 0..rounds {
        if round == rounds / 10 {
            at_tenth();
        }
        drop(ring(3)); // 3: a young cycle
        let chain = node(); // 2: an acyclic chain, freed by refcount
        *chain.next.borrow_mut() = Some(node());
        drop(chain);
        drop(ring(1)); // 1: a self-loop
        drop(Cc::new(round as u64)); // untracked: not an allocation here
        if window.len() == WINDOW {
            window.pop_front(); // an old cycle becomes garbage
        }
        window.push_back(ring(2)); // 2
        let pair = ring(2); // 2: a cycle that a live one points into
        *window[round % window.len()].back.borrow_mut() = Some(Cc::downgrade(&pair));
        drop(pair);
    }
    drop(window);
}

/// The peak resident memory of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("a VmHWM line");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Whether this test binary was built with a sanitizer (CI's
/// AddressSanitizer run sets it in `RUSTFLAGS`, which rustc inherits).
const SANITIZED: bool = match option_env!("RUSTFLAGS") {
    Some(flags) => contains(flags.as_bytes(), b"-Zsanitizer"),
    None => false,
};

const fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        let mut j = 0;
        while j < needle.len() && haystack[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            return true;
        }
        i += 1;
    }
    false
}

/// Rounds of [`churn`] for `allocations` allocations, or a tenth of them
/// under AddressSanitizer, four times slower than a debug build.
fn rounds(allocations: usize) -> usize {
    if SANITIZED {
        allocations / 10 / PER_ROUND
    } else {
        allocations / PER_ROUND
    }
}

/// Runs [`churn`] under `threshold` in this (child) process and prints
/// what it measured; asserts the bounds.
fn churn_and_measure(allocations: usize, threshold: (usize, usize, usize)) {
    gc::set_threshold(threshold.0, threshold.1, threshold.2);
    gc::enable();
    let rounds = rounds(allocations);
    let started = Instant::now();
    let mut early = (0, 0);
    churn(rounds, || early = (take_peak(), peak_rss_kib()));
    let (late_peak, late_rss) = (take_peak(), peak_rss_kib());
    let elapsed = started.elapsed();
    let stats = gc::stats();
    println!(
        "allocations={} threshold={threshold:?} peak_live_first_tenth={} peak_live_rest={late_peak} \
         vmhwm_kib_first_tenth={} vmhwm_kib_end={late_rss} collections={:?} elapsed={elapsed:?}",
        rounds * PER_ROUND,
        early.0,
        early.1,
        stats.map(|s| s.collections),
    );
    // Every generation was collected automatically, the oldest included.
    assert!(stats.iter().all(|s| s.collections > 0), "{stats:?}");
    // Live objects stay below a bound that does not depend on the number
    // of allocations: the window, plus the garbage of the allocations
    // between two full collections, which come every t0 * t1 * t2 of them.
    let bound = 2 * WINDOW + threshold.0 * threshold.1 * threshold.2;
    assert!(
        late_peak <= bound,
        "{late_peak} nodes alive at once, over {bound}"
    );
    // Nine tenths of the allocations (hundreds of MiB) added at most
    // 16 MiB to the peak memory after the first tenth.
    assert!(
        late_rss < early.1 + 16 * 1024,
        "peak memory went from {} KiB to {late_rss} KiB",
        early.1
    );
    gc::disable();
    gc::collect();
    assert_eq!(live(), 0, "everything dropped in the end");
    assert!(gc::objects(None).is_empty());
}

/// Runs [`churn_and_measure`] for `allocations` allocations under
/// `threshold` in a child process that the test `test` starts, and prints
/// the child's measurements.
fn check_churn(test: &str, allocations: usize, threshold: (usize, usize, usize)) {
    if scenario().is_some() {
        churn_and_measure(allocations, threshold);
        return;
    }
    let out = run_child(test, "churn");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    let at = stdout.find("allocations=").expect("the child's measurements");
    println!("{}", stdout[at..].lines().next().unwrap());
}

// 10^7 allocations: about 15 s of CPU in a debug build, 6 s optimized.
#[test]
fn ten_million_allocations_under_threshold_100_5_5_run_in_bounded_memory() {
    check_churn(
        "ten_million_allocations_under_threshold_100_5_5_run_in_bounded_memory",
        10_000_000,
        (100, 5, 5),
    );
}

// Here two million in a debug build (about 3 s of CPU), ten million
// optimized: with the default-like thresholds a full collection comes
// every 70,000 allocations or more (the long-lived heuristic may wait
// longer), so two million still make over a dozen.
#[test]
fn millions_of_allocations_under_threshold_700_10_10_run_in_bounded_memory() {
    let allocations = if cfg!(debug_assertions) {
        2_000_000
    } else {
        10_000_000
    };
    check_churn(
        "millions_of_allocations_under_threshold_700_10_10_run_in_bounded_memory",
        allocations,
        (700, 10, 10),
    );
}

// ---- reference count overflow ------------------------------------------------------

/// Whether the overflow tests run: always in an optimized build (a few
/// seconds), and in a debug build only when asked for, with
/// `CYCLEGC_OVERFLOW_TESTS=1`: there the 2^32 clones of the strong test
/// take about four minutes, the weak test over half a minute, and both
/// twice that under AddressSanitizer.
fn overflow_tests_run() -> bool {
    !cfg!(debug_assertions) || std::env::var_os("CYCLEGC_OVERFLOW_TESTS").is_some()
}

/// Checks that the child that ran `scenario` (a loop that makes 2^32 - 1
/// more handles to one object, then prints `survived`) was stopped
/// before the count wrapped: aborted as `Rc` aborts, or failed with a
/// panic; never went on, never crashed on freed memory.
fn check_overflow_stops_the_process(test: &str, scenario: &str) {
    if !overflow_tests_run() {
        println!("skipped in a debug build: set CYCLEGC_OVERFLOW_TESTS=1 to run it");
        return;
    }
    let started = Instant::now();
    let out = run_child(test, scenario);
    let elapsed = started.elapsed();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    println!("{scenario}: {} after {elapsed:?}", out.status);
    assert!(!stdout.contains("survived"), "the count wrapped\n{stdout}");
    let aborted = out.status.signal() == Some(6); // SIGABRT
    let panicked = out.status.code() == Some(101) && stdout.contains("panicked");
    assert!(
        aborted || panicked,
        "{}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
}

#[test]
fn strong_count_overflow_aborts_instead_of_wrapping() {
    const NAME: &str = "strong_count_overflow_aborts_instead_of_wrapping";
    if scenario().as_deref() == Some("strong") {
        let leaf = Cc::new(0u8);
        for _ in 0..u32::MAX {
            std::mem::forget(leaf.clone());
        }
        println!("survived: strong count {}", Cc::strong_count(&leaf));
        return;
    }
    check_overflow_stops_the_process(NAME, "strong");
}

#[test]
fn weak_count_overflow_aborts_instead_of_wrapping() {
    const NAME: &str = "weak_count_overflow_aborts_instead_of_wrapping";
    if scenario().as_deref() == Some("weak") {
        let leaf = Cc::new(0u8);
        for _ in 0..u32::MAX {
            std::mem::forget(Cc::downgrade(&leaf));
        }
        println!("survived: weak count {}", Cc::weak_count(&leaf));
        return;
    }
    check_overflow_stops_the_process(NAME, "weak");
}
