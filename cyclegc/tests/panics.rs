//! Panics in user code while the collector works (SPEC §5.3), and a
//! thread's exit (SPEC §8), as a matrix: each place user code can panic
//! ([`Site`]) against each thing that runs it ([`When`]).
//!
//! For every cell that makes sense, the panic goes where SPEC §5.3 says
//! (resumed after the work is done, reported and swallowed, or dropped at
//! thread exit), everything that was to be freed is freed exactly once,
//! and the collector stays usable. The cells that make no sense are listed
//! by [`expect`] with the reason.
//!
//! Then two neighbours of the matrix: handles kept in other thread-locals
//! that are dropped before or after the collector's teardown (rust-gc
//! #102), and `Drop`s that allocate new cycles or call `gc::collect()`
//! while the collector is at work (dumpster #48, #50).
//!
//! Drops are logged in an `Arc<Mutex<_>>` rather than in `common`'s
//! thread-local counter, which a thread's exit destroys before the last
//! collection runs.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;

use cyclegc::gc::{self, CallbackId, DebugFlags, Phase};
use cyclegc::{Cc, Finalize, Trace, Tracer, Weak};

mod common;
use common::panic_message;

// ---- the matrix ------------------------------------------------------------

/// Where user code panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    /// A value's `Drop`.
    Drop,
    /// `Finalize::finalize`.
    Finalize,
    /// The callback of `Cc::downgrade_with_callback`.
    WeakCallback,
    /// A `gc::add_callback` callback, at `Phase::Start`.
    GcCallback,
    /// The writer of `gc::set_debug_output`, with `DebugFlags::STATS`.
    DebugWriter,
    /// A hand-written `Trace::trace`.
    Trace,
}

const SITES: [Site; 6] = [
    Site::Drop,
    Site::Finalize,
    Site::WeakCallback,
    Site::GcCallback,
    Site::DebugWriter,
    Site::Trace,
];

/// What runs the user code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    /// The last handle of an acyclic chain is dropped.
    RefcountDeath,
    /// `gc::collect()` finds a garbage cycle.
    Collect,
    /// `Cc::new` crosses the threshold and collects a garbage cycle.
    Automatic,
    /// A thread exits leaving a garbage cycle: its last collection.
    ThreadExit,
}

/// What happens to the panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Resumed to the caller once the work is done.
    Resumed,
    /// Reported on standard error (`Exception ignored in: ...`) and
    /// swallowed.
    Reported,
    /// Caught at the thread's exit: the thread ends normally.
    Swallowed,
    /// The combination cannot happen.
    Skip(&'static str),
}

fn expect(site: Site, when: When) -> Expect {
    match (site, when) {
        (Site::GcCallback | Site::DebugWriter, When::RefcountDeath) => {
            Expect::Skip("a refcount death runs no collection: no callback, no debug line")
        }
        (Site::Trace, When::RefcountDeath) => Expect::Skip("a refcount death traces nothing"),
        // SPEC §6: a weak callback's panic is reported and the others
        // run, wherever the referent dies (as CPython's
        // PyErr_WriteUnraisable), even in an explicit collection.
        (Site::WeakCallback, _) => Expect::Reported,
        (_, When::Automatic) => Expect::Reported,
        (_, When::ThreadExit) => Expect::Swallowed,
        (_, When::RefcountDeath | When::Collect) => Expect::Resumed,
    }
}

// ---- the objects -------------------------------------------------------------

/// The ids of the victims dropped, in order, and a [`PANICKED`] for each
/// panic of user code; shared with other threads.
type Dropped = Arc<Mutex<Vec<usize>>>;

/// The entry of a [`Dropped`] log that records a panic.
const PANICKED: usize = usize::MAX;

/// Panics at `site`, logging it first.
fn bang(log: &Dropped, site: Site) -> ! {
    log.lock().unwrap().push(PANICKED);
    panic!("{}", message(site));
}

/// A tracked object that panics where it is told to.
#[derive(Trace)]
#[trace(finalize)]
struct Victim {
    id: usize,
    links: Links,
    #[trace(skip)]
    bomb: Cell<Option<Site>>,
    #[trace(skip)]
    dropped: Dropped,
}

/// A victim's edges, traced by hand so that the trace can panic.
struct Links {
    edges: RefCell<Vec<Cc<Victim>>>,
    /// Panics in the next trace (once), logging it there.
    armed: RefCell<Option<Dropped>>,
}

// SAFETY: visits each `Cc` in `edges` once (through `RefCell<Vec<_>>`'s
// impl); a panic before visiting anything visits nothing, twice nothing.
unsafe impl Trace for Links {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(log) = self.armed.take() {
            bang(&log, Site::Trace);
        }
        self.edges.trace(tracer);
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        self.dropped.lock().unwrap().push(self.id);
        if self.bomb.get() == Some(Site::Drop) {
            bang(&self.dropped, Site::Drop);
        }
    }
}

impl Finalize for Victim {
    fn finalize(&self) {
        if self.bomb.get() == Some(Site::Finalize) {
            bang(&self.dropped, Site::Finalize);
        }
    }
}

fn victim(dropped: &Dropped, id: usize) -> Cc<Victim> {
    Cc::new(Victim {
        id,
        links: Links {
            edges: RefCell::new(Vec::new()),
            armed: RefCell::new(None),
        },
        bomb: Cell::new(None),
        dropped: dropped.clone(),
    })
}

/// Victims `0..n`, each linked to the next, the last back to the first
/// if `cyclic`.
fn victims(dropped: &Dropped, n: usize, cyclic: bool) -> Vec<Cc<Victim>> {
    let vs: Vec<_> = (0..n).map(|i| victim(dropped, i)).collect();
    for i in 0..n - usize::from(!cyclic) {
        vs[i].links.edges.borrow_mut().push(vs[(i + 1) % n].clone());
    }
    vs
}

/// The victims dropped so far, sorted.
fn sorted(dropped: &Dropped) -> Vec<usize> {
    let mut d = dropped.lock().unwrap().clone();
    d.retain(|&id| id != PANICKED);
    d.sort_unstable();
    d
}

/// How many times user code panicked so far.
fn panics(log: &Dropped) -> usize {
    log.lock().unwrap().iter().filter(|&&id| id == PANICKED).count()
}

/// Checks that `site` panicked: once, or once per debug line.
fn assert_panicked(site: Site, log: &Dropped) {
    let n = panics(log);
    if site == Site::DebugWriter {
        assert!(n >= 1, "{site:?} never panicked");
    } else {
        assert_eq!(n, 1, "{site:?} panicked {n} times");
    }
}

/// A debug writer that panics at every write. It owns its log, so that
/// LeakSanitizer sees it if the collector never drops it.
struct PanickingWriter(Dropped);

impl Write for PanickingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        bang(&self.0, Site::DebugWriter);
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What arming a site left behind, to undo once the cell is checked.
#[derive(Default)]
struct Armed {
    /// The weak reference whose callback panics: it must outlive the
    /// referent for its callback to run.
    weak: Option<Weak<Victim>>,
    callback: Option<CallbackId>,
    debug_output: bool,
}

impl Drop for Armed {
    fn drop(&mut self) {
        if let Some(id) = self.callback.take() {
            gc::remove_callback(id);
        }
        if self.debug_output {
            gc::set_debug(DebugFlags::empty());
            gc::set_debug_output(io::stderr());
        }
    }
}

/// Makes `site` panic the next time `target` dies or is traced, or the
/// next collection runs.
fn arm(site: Site, target: &Cc<Victim>) -> Armed {
    let mut armed = Armed::default();
    let log = target.dropped.clone();
    match site {
        Site::Drop | Site::Finalize => target.bomb.set(Some(site)),
        Site::Trace => *target.links.armed.borrow_mut() = Some(log),
        Site::WeakCallback => {
            armed.weak = Some(Cc::downgrade_with_callback(target, move |_| bang(&log, site)));
        }
        Site::GcCallback => {
            armed.callback = Some(gc::add_callback(move |phase, _| {
                if phase == Phase::Start {
                    bang(&log, site);
                }
            }));
        }
        Site::DebugWriter => {
            gc::set_debug_output(PanickingWriter(log));
            gc::set_debug(DebugFlags::STATS);
            armed.debug_output = true;
        }
    }
    armed
}

/// The message a site's panic carries.
fn message(site: Site) -> String {
    format!("{site:?} panics")
}

/// Automatic collection off, nothing left from before on this thread.
fn fresh() {
    gc::disable();
    gc::collect();
    assert!(gc::objects(None).is_empty(), "the thread starts empty");
}

/// The collector works after whatever happened: a full collection runs,
/// frees a new cycle, and leaves nothing behind.
fn assert_collector_works() {
    assert_eq!(gc::collect(), 0, "nothing left to find");
    assert!(gc::objects(None).is_empty(), "{:?}", gc::objects(None));
    assert_eq!(gc::count(), (0, 0, 0));
    let dropped = Dropped::default();
    drop(victims(&dropped, 2, true));
    assert_eq!(gc::count().0, 2);
    assert_eq!(gc::collect(), 2);
    assert_eq!(sorted(&dropped), [0, 1]);
    assert_eq!(gc::count(), (0, 0, 0));
}

// ---- running a cell ----------------------------------------------------------

/// How many victims each cell makes; the middle one panics.
const N: usize = 3;

/// Runs the cell `(site, when)` on this thread (a new one for
/// `ThreadExit`) and checks it.
fn run_cell(site: Site, when: When) {
    let expected = expect(site, when);
    if let Expect::Skip(why) = expected {
        panic!("({site:?}, {when:?}) is not a cell: {why}");
    }
    match when {
        When::RefcountDeath => refcount_death(site, expected),
        When::Collect => explicit_collect(site, expected),
        When::Automatic => automatic_collect(site),
        When::ThreadExit => thread_exit(site),
    }
}

/// Checks the outcome of running user code that may panic.
fn check_outcome(site: Site, expected: Expect, outcome: std::thread::Result<()>) {
    match (expected, outcome) {
        (Expect::Resumed, Err(payload)) => assert_eq!(panic_message(&*payload), message(site)),
        (Expect::Resumed, Ok(())) => panic!("{site:?}: the panic was not resumed"),
        (_, Ok(())) => {}
        (_, Err(payload)) => panic!("{site:?}: the panic escaped: {}", panic_message(&*payload)),
    }
}

fn refcount_death(site: Site, expected: Expect) {
    fresh();
    let dropped = Dropped::default();
    let mut chain = victims(&dropped, N, false);
    let armed = arm(site, &chain[1]);
    let head = chain.remove(0);
    drop(chain);
    let outcome = panic::catch_unwind(AssertUnwindSafe(move || drop(head)));
    check_outcome(site, expected, outcome);
    assert_panicked(site, &dropped);
    assert_eq!(sorted(&dropped), [0, 1, 2], "the whole chain, each once");
    if let Some(weak) = &armed.weak {
        assert!(weak.upgrade().is_none());
    }
    drop(armed);
    assert_collector_works();
}

fn explicit_collect(site: Site, expected: Expect) {
    fresh();
    let dropped = Dropped::default();
    let ring = victims(&dropped, N, true);
    let armed = arm(site, &ring[1]);
    drop(ring);
    let before = gc::stats()[2];
    let outcome = panic::catch_unwind(gc::collect).map(|found| {
        assert_eq!(found, N, "{site:?}: the return value when nothing propagates");
    });
    check_outcome(site, expected, outcome);
    assert_panicked(site, &dropped);
    if site == Site::Trace {
        // The collection could not see the graph, so it freed nothing and
        // put every object back; the next one (the trace panics once) frees
        // the ring.
        assert_eq!(sorted(&dropped), []);
        assert_eq!(gc::objects(None).len(), N);
        assert_eq!(gc::collect(), N);
    } else {
        assert_eq!(gc::stats()[2].collections, before.collections + 1);
        assert_eq!(gc::stats()[2].collected, before.collected + N);
    }
    assert_eq!(sorted(&dropped), [0, 1, 2], "the whole ring, each once");
    drop(armed);
    assert_collector_works();
}

fn automatic_collect(site: Site) {
    fresh();
    let dropped = Dropped::default();
    let ring = victims(&dropped, N, true);
    let armed = arm(site, &ring[1]);
    drop(ring);
    gc::enable();
    // The next tracked allocation makes count.0 exceed the threshold.
    gc::set_threshold(gc::count().0, 10, 10);
    let before = gc::stats()[0];
    let new_dropped = Dropped::default();
    let new = panic::catch_unwind(|| victim(&new_dropped, 99))
        .unwrap_or_else(|p| panic!("{site:?}: Cc::new panicked: {}", panic_message(&*p)));
    gc::disable();
    assert_eq!(new.id, 99, "Cc::new returns its own value");
    assert_panicked(site, &dropped);
    if site == Site::Trace {
        assert_eq!(
            sorted(&dropped),
            [],
            "a collection that could not trace frees nothing"
        );
        assert_eq!(gc::objects(None).len(), N + 1);
        drop(new);
        assert_eq!(gc::collect(), N);
    } else {
        assert_eq!(gc::stats()[0].collections, before.collections + 1);
        assert_eq!(gc::stats()[0].collected, before.collected + N);
        assert!(gc::objects(None).iter().any(|o| o.id() == Cc::id(&new)));
        drop(new);
    }
    assert_eq!(sorted(&new_dropped), [99], "the new object was not leaked");
    assert_eq!(sorted(&dropped), [0, 1, 2], "the whole ring, each once");
    drop(armed);
    assert_collector_works();
}

thread_local! {
    /// Keeps the armed weak reference of a `ThreadExit` cell past the
    /// collector's last collection: the thread touches it before it uses
    /// the collector, and thread-locals are destroyed in the reverse order
    /// of their first use.
    static KEEP_WEAK: RefCell<Option<Weak<Victim>>> = const { RefCell::new(None) };
}

/// What a [`Probe`] saw of the collector after its teardown: the tracked
/// objects, what a full collection found, and the counts.
type Seen = Arc<Mutex<Option<(usize, usize, (usize, usize, usize))>>>;

/// Looks at the collector when its thread-local is destroyed.
struct Probe(Seen);

impl Drop for Probe {
    fn drop(&mut self) {
        let objects = gc::objects(None).len();
        let found = gc::collect();
        *self.0.lock().unwrap() = Some((objects, found, gc::count()));
    }
}

thread_local! {
    static PROBE: RefCell<Option<Probe>> = const { RefCell::new(None) };
}

fn thread_exit(site: Site) {
    let dropped = Dropped::default();
    let seen = Seen::default();
    let (in_thread, probe) = (dropped.clone(), Probe(seen.clone()));
    let joined = thread::spawn(move || {
        // Destroyed last, after the collector's teardown.
        PROBE.with(|p| *p.borrow_mut() = Some(probe));
        KEEP_WEAK.with(|_| ());
        gc::disable();
        let ring = victims(&in_thread, N, true);
        let mut armed = arm(site, &ring[1]);
        drop(ring);
        KEEP_WEAK.with(|k| *k.borrow_mut() = armed.weak.take());
        // The callback and the debug writer stay for the last collection;
        // the collector's teardown is what frees them.
        std::mem::forget(armed);
    })
    .join();
    assert!(joined.is_ok(), "{site:?}: the thread's exit panicked");
    if site == Site::GcCallback {
        // The exit collects until a collection finds nothing (drops may
        // make new garbage): the callback runs, and panics, at each.
        assert!(panics(&dropped) >= 1, "{site:?} never panicked");
    } else {
        assert_panicked(site, &dropped);
    }
    assert_eq!(sorted(&dropped), [0, 1, 2], "the last collection freed the ring");
    let seen = *seen.lock().unwrap();
    assert_eq!(
        seen,
        Some((0, 0, (0, 0, 0))),
        "{site:?}: after the teardown, nothing tracked, a collection works"
    );
}

/// Cells that fail today because of a bug in the library: their tests
/// are ignored, and the standard error test leaves them out.
const KNOWN_BUGS: [(Site, When); 3] = [
    (Site::GcCallback, When::ThreadExit),
    (Site::DebugWriter, When::ThreadExit),
    (Site::Trace, When::ThreadExit),
];

/// One test per cell of the matrix.
macro_rules! cells {
    ($($(#[$attr:meta])* $name:ident: $site:ident at $when:ident;)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                run_cell(Site::$site, When::$when);
            }
        )*
    };
}

cells! {
    drop_at_refcount_death: Drop at RefcountDeath;
    drop_in_collect: Drop at Collect;
    drop_in_automatic_collection: Drop at Automatic;
    drop_at_thread_exit: Drop at ThreadExit;

    finalize_at_refcount_death: Finalize at RefcountDeath;
    finalize_in_collect: Finalize at Collect;
    finalize_in_automatic_collection: Finalize at Automatic;
    finalize_at_thread_exit: Finalize at ThreadExit;

    weak_callback_at_refcount_death: WeakCallback at RefcountDeath;
    weak_callback_in_collect: WeakCallback at Collect;
    weak_callback_in_automatic_collection: WeakCallback at Automatic;
    weak_callback_at_thread_exit: WeakCallback at ThreadExit;

    gc_callback_in_collect: GcCallback at Collect;
    gc_callback_in_automatic_collection: GcCallback at Automatic;
    gc_callback_at_thread_exit: GcCallback at ThreadExit;

    debug_writer_in_collect: DebugWriter at Collect;
    debug_writer_in_automatic_collection: DebugWriter at Automatic;
    debug_writer_at_thread_exit: DebugWriter at ThreadExit;

    trace_in_collect: Trace at Collect;
    trace_in_automatic_collection: Trace at Automatic;
    trace_at_thread_exit: Trace at ThreadExit;
}

#[test]
fn the_matrix_skips_exactly_the_cells_that_cannot_happen() {
    let skipped: Vec<(Site, When)> = SITES
        .into_iter()
        .flat_map(|s| WHENS.into_iter().map(move |w| (s, w)))
        .filter(|&(s, w)| matches!(expect(s, w), Expect::Skip(_)))
        .collect();
    assert_eq!(
        skipped,
        [
            (Site::GcCallback, When::RefcountDeath),
            (Site::DebugWriter, When::RefcountDeath),
            (Site::Trace, When::RefcountDeath),
        ]
    );
}

// ---- what standard error says ----------------------------------------------

const CHILD_TEST: &str = "child_runs_the_cell_named_in_its_environment";
const CHILD_ENV: &str = "CYCLEGC_PANICS_CELL";

const WHENS: [When; 4] = [
    When::RefcountDeath,
    When::Collect,
    When::Automatic,
    When::ThreadExit,
];

/// Every cell of the matrix but the known bugs.
fn cells() -> impl Iterator<Item = (Site, When)> {
    SITES
        .into_iter()
        .flat_map(|s| WHENS.into_iter().map(move |w| (s, w)))
        .filter(|&(s, w)| !matches!(expect(s, w), Expect::Skip(_)) && !KNOWN_BUGS.contains(&(s, w)))
}

/// In a child process started by [`run_child`]: runs the cell that the
/// environment names.
#[test]
fn child_runs_the_cell_named_in_its_environment() {
    let Ok(name) = std::env::var(CHILD_ENV) else {
        return;
    };
    if name == "several" {
        several_panics(When::Automatic);
        return;
    }
    let (site, when) = cells()
        .find(|cell| format!("{cell:?}") == name)
        .unwrap_or_else(|| panic!("no cell {name}"));
    run_cell(site, when);
}

/// Runs the cell `(site, when)` in a child process (this test binary
/// again) and returns its standard error: the reports of automatic
/// collections go to the process's real standard error, which only
/// another process can read.
fn run_child(site: Site, when: When) -> String {
    run_child_named(&format!("{:?}", (site, when)))
}

/// [`run_child`] for the scenario `name`.
fn run_child_named(name: &str) -> String {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stderr
}

/// The `Exception ignored in:` reports in `stderr`, each with the line
/// that follows it (`panic: <message>`).
fn reports(stderr: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let what = line.strip_prefix("Exception ignored in: ")?;
            let message = lines.get(i + 1).copied().unwrap_or("");
            Some((what.to_string(), message.to_string()))
        })
        .collect()
}

// SPEC §5.3: an automatic collection reports each panic as CPython
// reports an exception in `__del__` there; a weak callback's panic is
// reported wherever it happens (SPEC §6); a panic resumed to its caller is
// not reported; a thread's exit reports nothing and does not abort.
#[test]
fn each_cell_reports_on_standard_error_what_spec_says() {
    for (site, when) in cells() {
        let stderr = run_child(site, when);
        let reports = reports(&stderr);
        let cell = format!("({site:?}, {when:?})\n{stderr}");
        assert!(!stderr.contains("fatal runtime error"), "{cell}");
        match (expect(site, when), site) {
            (Expect::Reported, Site::WeakCallback) => {
                assert_eq!(reports.len(), 1, "{cell}");
                let (what, message) = &reports[0];
                assert!(
                    what.starts_with("<weak reference callback for <panics::Victim object at 0x")
                        && what.ends_with(">>"),
                    "{cell}"
                );
                assert_eq!(message, "panic: WeakCallback panics", "{cell}");
            }
            (Expect::Reported, _) => {
                // A panicking debug writer panics once per line: each is
                // reported, not only the first.
                let n = if site == Site::DebugWriter { 4 } else { 1 };
                assert_eq!(reports.len(), n, "{cell}");
                for (what, panic) in &reports {
                    assert_eq!(what, "<automatic garbage collection of generation 0>", "{cell}");
                    assert_eq!(*panic, format!("panic: {}", message(site)), "{cell}");
                }
            }
            (Expect::Resumed | Expect::Swallowed, _) => assert_eq!(reports, [], "{cell}"),
            (Expect::Skip(_), _) => unreachable!(),
        }
    }
}

/// A gc callback, a finalizer and a `Drop` all panic in one collection,
/// in that order; returns nothing when `when` is `Automatic` (the
/// panics go to standard error), else checks that the first is resumed.
fn several_panics(when: When) {
    fresh();
    let dropped = Dropped::default();
    let ring = victims(&dropped, N, true);
    let armed = arm(Site::GcCallback, &ring[0]);
    ring[1].bomb.set(Some(Site::Finalize));
    ring[2].bomb.set(Some(Site::Drop));
    drop(ring);
    match when {
        When::Collect => {
            let payload = panic::catch_unwind(gc::collect).expect_err("three panics");
            assert_eq!(panic_message(&*payload), message(Site::GcCallback), "the first");
        }
        When::Automatic => {
            gc::enable();
            gc::set_threshold(gc::count().0, 10, 10);
            let new = victim(&dropped, 99);
            gc::disable();
            drop(new);
        }
        _ => unreachable!(),
    }
    assert_eq!(panics(&dropped), 3);
    let everything: &[usize] = if when == When::Automatic {
        &[0, 1, 2, 99]
    } else {
        &[0, 1, 2]
    };
    assert_eq!(sorted(&dropped), everything);
    drop(armed);
    assert_collector_works();
}

#[test]
fn of_several_panics_in_a_collection_the_first_is_resumed() {
    several_panics(When::Collect);
}

#[test]
fn of_several_panics_in_an_automatic_collection_each_is_reported() {
    let stderr = run_child_named("several");
    let reports: Vec<String> = reports(&stderr).into_iter().map(|(_, panic)| panic).collect();
    assert_eq!(
        reports,
        [
            "panic: GcCallback panics",
            "panic: Finalize panics",
            "panic: Drop panics"
        ],
        "{stderr}"
    );
}

// ---- handles that outlive the collector's teardown (rust-gc #102) -------------

/// What another thread-local holds at a thread's exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kept {
    /// A `Cc` to a tracked object outside any cycle.
    Cc,
    /// An `AnyCc` to a tracked object outside any cycle.
    AnyCc,
    /// A `Weak` to a member of a garbage cycle.
    Weak,
    /// A `Weak` with a callback to a member of a garbage cycle.
    WeakWithCallback,
    /// A `WeakValueDictionary` of a live object and a garbage cycle.
    WeakValueDictionary,
    /// A `weakref::finalize` `Finalizer` (and its object, which it must
    /// not keep alive itself), of each `atexit` setting.
    Finalizer,
}

/// Which of two thread-locals holds it: one first used before the
/// collector, so destroyed after the collector's teardown (thread-locals
/// go in the reverse order of their first use), or one first used after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    FirstUsedBeforeTheCollector,
    FirstUsedAfterTheCollector,
}

thread_local! {
    static EARLY: RefCell<Vec<Box<dyn std::any::Any>>> = const { RefCell::new(Vec::new()) };
    static LATE: RefCell<Vec<Box<dyn std::any::Any>>> = const { RefCell::new(Vec::new()) };
}

/// Makes what `kind` keeps, with victims logging to `dropped` and
/// callbacks and finalizer functions logging to `ran`.
fn keep(kind: Kept, dropped: &Dropped, ran: &Arc<Mutex<Vec<&'static str>>>) -> Vec<Box<dyn std::any::Any>> {
    let ran = ran.clone();
    match kind {
        Kept::Cc => vec![Box::new(victim(dropped, 0))],
        Kept::AnyCc => vec![Box::new(cyclegc::AnyCc::from(victim(dropped, 0)))],
        Kept::Weak => vec![Box::new(Cc::downgrade(&victims(dropped, 2, true)[0]))],
        Kept::WeakWithCallback => {
            let ring = victims(dropped, 2, true);
            let weak = Cc::downgrade_with_callback(&ring[0], move |w| {
                assert!(w.upgrade().is_none());
                ran.lock().unwrap().push("weak callback");
            });
            vec![Box::new(weak)]
        }
        Kept::WeakValueDictionary => {
            let ring = victims(dropped, 2, true);
            let live = victim(dropped, 2);
            let mut dict = cyclegc::weakref::WeakValueDictionary::new();
            dict.insert("ring", &ring[0]);
            dict.insert("live", &live);
            vec![Box::new(dict), Box::new(live)]
        }
        Kept::Finalizer => {
            let obj = victim(dropped, 0);
            let at_exit = ran.clone();
            let f1 =
                cyclegc::weakref::finalize(&obj, move || at_exit.lock().unwrap().push("atexit finalizer"));
            let f2 = cyclegc::weakref::finalize(&obj, move || ran.lock().unwrap().push("finalizer"));
            f2.set_atexit(false);
            vec![Box::new(f1), Box::new(f2), Box::new(obj)]
        }
    }
}

/// A thread keeps `kind` in a thread-local used in `order` and exits;
/// returns the victims dropped and what the callbacks logged.
fn exit_keeping(kind: Kept, order: Order) -> (Vec<usize>, Vec<&'static str>) {
    let dropped = Dropped::default();
    let ran = Arc::new(Mutex::new(Vec::new()));
    let (in_dropped, in_ran) = (dropped.clone(), ran.clone());
    thread::spawn(move || {
        if order == Order::FirstUsedBeforeTheCollector {
            EARLY.with(|_| ());
        }
        gc::disable();
        let kept = keep(kind, &in_dropped, &in_ran);
        match order {
            Order::FirstUsedBeforeTheCollector => EARLY.with(|e| e.borrow_mut().extend(kept)),
            Order::FirstUsedAfterTheCollector => LATE.with(|l| l.borrow_mut().extend(kept)),
        }
    })
    .join()
    .unwrap_or_else(|p| panic!("({kind:?}, {order:?}): {}", panic_message(&*p)));
    let ran = ran.lock().unwrap().clone();
    (sorted(&dropped), ran)
}

/// Checks what [`exit_keeping`] found for `kind` kept in `order`.
fn check_exit_keeping(kind: Kept, order: Order) {
    let (dropped, ran) = exit_keeping(kind, order);
    let cell = format!("({kind:?}, {order:?})");
    match kind {
        Kept::Cc | Kept::AnyCc => assert_eq!(dropped, [0], "{cell}"),
        Kept::Weak => assert_eq!(dropped, [0, 1], "{cell}"),
        Kept::WeakWithCallback => {
            assert_eq!(dropped, [0, 1], "{cell}");
            // A callback runs only if its weak reference is still alive
            // when the referent dies (SPEC §6).
            let expected: &[&str] = match order {
                Order::FirstUsedBeforeTheCollector => &["weak callback"],
                Order::FirstUsedAfterTheCollector => &[],
            };
            assert_eq!(ran, expected, "{cell}");
        }
        Kept::WeakValueDictionary => assert_eq!(dropped, [0, 1, 2], "{cell}"),
        Kept::Finalizer => {
            assert_eq!(dropped, [0], "{cell}");
            // Still alive at the teardown: the exit hook runs the `atexit`
            // one and drops the other's function. Gone before it: both ran
            // when the object died, newest first.
            let expected: &[&str] = match order {
                Order::FirstUsedBeforeTheCollector => &["atexit finalizer"],
                Order::FirstUsedAfterTheCollector => &["finalizer", "atexit finalizer"],
            };
            assert_eq!(ran, expected, "{cell}");
        }
    }
}

// SPEC §8: a handle kept in another thread-local may be dropped before or
// after the collector's teardown. Either way the thread exits normally,
// nothing touches freed memory (AddressSanitizer, in CI), and here nothing
// is lost either: the garbage cycles go in the teardown's collection, the
// rest when the thread-local lets go of it.
macro_rules! exits_keeping {
    ($($(#[$attr:meta])* $name:ident: $kind:ident in $order:ident;)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                check_exit_keeping(Kept::$kind, Order::$order);
            }
        )*
    };
}

exits_keeping! {
    cc_dropped_before_the_teardown: Cc in FirstUsedAfterTheCollector;
    cc_dropped_after_the_teardown: Cc in FirstUsedBeforeTheCollector;
    any_cc_dropped_before_the_teardown: AnyCc in FirstUsedAfterTheCollector;
    any_cc_dropped_after_the_teardown: AnyCc in FirstUsedBeforeTheCollector;
    weak_dropped_before_the_teardown: Weak in FirstUsedAfterTheCollector;
    weak_dropped_after_the_teardown: Weak in FirstUsedBeforeTheCollector;
    weak_with_callback_dropped_before_the_teardown: WeakWithCallback in FirstUsedAfterTheCollector;
    weak_with_callback_dropped_after_the_teardown: WeakWithCallback in FirstUsedBeforeTheCollector;
    weak_value_dictionary_dropped_before_the_teardown: WeakValueDictionary in FirstUsedAfterTheCollector;
    weak_value_dictionary_dropped_after_the_teardown: WeakValueDictionary in FirstUsedBeforeTheCollector;
    finalizer_dropped_before_the_teardown: Finalizer in FirstUsedAfterTheCollector;
    finalizer_dropped_after_the_teardown: Finalizer in FirstUsedBeforeTheCollector;
}

// ---- drops that allocate or collect (dumpster #48, #50) -----------------------

/// What a [`Spawner`] does as it is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnDrop {
    Nothing,
    /// Makes a new garbage cycle of two spawners that do nothing.
    SpawnCycle,
    /// Calls `gc::collect()` and logs what it returned.
    Collect,
}

/// A node that runs its [`OnDrop`] when dropped.
#[derive(Trace)]
struct Spawner {
    peer: RefCell<Option<Cc<Spawner>>>,
    #[trace(skip)]
    on_drop: OnDrop,
    #[trace(skip)]
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Spawner {
    fn drop(&mut self) {
        let entry = match self.on_drop {
            OnDrop::Nothing => "drop".to_string(),
            OnDrop::SpawnCycle => {
                drop(spawner_ring(&self.log, 2, OnDrop::Nothing));
                "spawned a cycle".to_string()
            }
            OnDrop::Collect => format!("collect -> {}", gc::collect()),
        };
        self.log.lock().unwrap().push(entry);
    }
}

/// `n` spawners in a ring, each doing `on_drop`.
fn spawner_ring(log: &Arc<Mutex<Vec<String>>>, n: usize, on_drop: OnDrop) -> Vec<Cc<Spawner>> {
    let ring: Vec<_> = (0..n)
        .map(|_| {
            Cc::new(Spawner {
                peer: RefCell::new(None),
                on_drop,
                log: log.clone(),
            })
        })
        .collect();
    for i in 0..n {
        *ring[i].peer.borrow_mut() = Some(ring[(i + 1) % n].clone());
    }
    ring
}

/// The log so far, emptying it, sorted.
fn take_sorted(log: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    let mut entries = std::mem::take(&mut *log.lock().unwrap());
    entries.sort();
    entries
}

#[test]
fn cycles_made_by_drops_during_a_collection_are_found_by_the_next_one() {
    fresh();
    let log = Arc::default();
    drop(spawner_ring(&log, 3, OnDrop::SpawnCycle));
    assert_eq!(gc::collect(), 3, "the ring, not what its drops made");
    assert_eq!(take_sorted(&log), ["spawned a cycle"; 3]);
    assert_eq!(gc::objects(None).len(), 6, "three new cycles, tracked");
    assert_eq!(gc::collect(), 6);
    assert_eq!(take_sorted(&log), ["drop"; 6]);
    assert_collector_works();
}

#[test]
fn cycles_made_by_drops_during_an_automatic_collection_are_found_later() {
    fresh();
    let log = Arc::default();
    drop(spawner_ring(&log, 3, OnDrop::SpawnCycle));
    gc::enable();
    // The drops allocate 6 objects during the collection, past the
    // threshold again: no collection starts inside the running one.
    gc::set_threshold(3, 10, 10);
    let kept = spawner_ring(&log, 1, OnDrop::Nothing);
    gc::disable();
    assert_eq!(take_sorted(&log), ["spawned a cycle"; 3]);
    assert_eq!(gc::objects(None).len(), 7, "three new cycles and the new object");
    drop(kept);
    assert_eq!(gc::collect(), 7);
    assert_eq!(take_sorted(&log), ["drop"; 7]);
    assert_collector_works();
}

#[test]
fn a_collect_called_by_a_drop_during_a_collection_returns_0_and_the_collection_finishes() {
    fresh();
    let log = Arc::default();
    drop(spawner_ring(&log, 2, OnDrop::Collect));
    assert_eq!(gc::collect(), 2);
    assert_eq!(take_sorted(&log), ["collect -> 0", "collect -> 0"]);
    assert_collector_works();
}

// A refcount death is not a collection: a drop there may run a full one,
// which finds the garbage made before, while the chain is being freed.
#[test]
fn a_collect_called_by_a_drop_at_a_refcount_death_runs_and_the_chain_is_freed() {
    fresh();
    let log = Arc::default();
    drop(spawner_ring(&log, 2, OnDrop::Nothing));
    let chain = spawner_ring(&log, 3, OnDrop::Collect);
    *chain[2].peer.borrow_mut() = None; // a chain 0 -> 1 -> 2
    drop(chain);
    let entries = take_sorted(&log);
    // The first drop's collection freed the old ring; the others found
    // nothing.
    assert_eq!(
        entries,
        ["collect -> 0", "collect -> 0", "collect -> 2", "drop", "drop"]
    );
    assert_collector_works();
}

#[test]
fn cycles_made_by_drops_at_thread_exit_are_not_leaked() {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let in_thread = log.clone();
    thread::spawn(move || {
        gc::disable();
        drop(spawner_ring(&in_thread, 3, OnDrop::SpawnCycle));
    })
    .join()
    .expect("the thread's exit does not panic");
    let entries = take_sorted(&log);
    assert_eq!(entries.iter().filter(|e| *e == "spawned a cycle").count(), 3);
    assert_eq!(entries.iter().filter(|e| *e == "drop").count(), 6, "{entries:?}");
}
