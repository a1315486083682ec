//! What the harness measures with: drop counters, a counting allocator and
//! timers that remember how many values had been dropped when they started
//! and stopped.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static DROPS: Cell<u64> = const { Cell::new(0) };
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

/// A zero-sized field every benchmark node carries: its `Drop` counts the
/// node's value as dropped, on the current thread.
///
/// Each implementation module gives it that crate's `Trace` (visiting
/// nothing, never tracked), so the node types can derive theirs.
#[derive(Default)]
pub struct Canary;

impl Drop for Canary {
    #[inline]
    fn drop(&mut self) {
        DROPS.with(|d| d.set(d.get() + 1));
    }
}

/// Values dropped on this thread since the last [`reset_drops`].
pub fn drops() -> u64 {
    DROPS.with(Cell::get)
}

pub fn reset_drops() {
    DROPS.with(|d| d.set(0));
}

/// The global allocator: the system's, plus a count of the live bytes
/// requested on the current thread while [`count_bytes`] runs. Requested
/// sizes (`Layout::size`), as `tracemalloc` reports them for CPython, not
/// malloc's rounded-up chunk sizes.
pub struct CountingAlloc;

#[inline]
fn note(delta: i64) {
    // `try_with`: the allocator may be called while this thread's locals
    // are being torn down. Both cells are const-initialised without a
    // destructor, so touching them never allocates.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            LIVE_BYTES.with(|b| b.set(b.get() + delta));
        }
    });
}

// SAFETY: every call is forwarded unchanged to `System`; counting only
// touches thread-local cells.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System.alloc`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as i64));
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Runs `f` and returns, with its result, the net bytes it left allocated
/// on this thread (allocated minus freed).
pub fn count_bytes<R>(f: impl FnOnce() -> R) -> (R, i64) {
    LIVE_BYTES.with(|b| b.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, LIVE_BYTES.with(Cell::get))
}

/// What one run of a workload measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// `nanos` spent on `ops` operations (nodes, pairs, collections).
    Nanos { nanos: u64, ops: u64 },
    /// `bytes` left allocated by `objects` objects of `payload` bytes each.
    Bytes {
        bytes: i64,
        objects: u64,
        payload: usize,
    },
}

impl Measure {
    /// Nanoseconds per op, or bytes per object beyond the payload.
    pub fn value(&self) -> f64 {
        match *self {
            Measure::Nanos { nanos, ops } => nanos as f64 / ops.max(1) as f64,
            Measure::Bytes {
                bytes,
                objects,
                payload,
            } => bytes as f64 / objects.max(1) as f64 - payload as f64,
        }
    }
}

/// A measurement plus the drop count when its measured part began and ended,
/// for [`crate::workload::verify`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub measure: Measure,
    pub drops_before: u64,
    pub drops_after: u64,
}

/// Times one region: `let t = Timer::start(); ...; t.stop(ops)`.
pub struct Timer {
    drops_before: u64,
    start: Instant,
}

impl Timer {
    pub fn start() -> Timer {
        let drops_before = drops();
        Timer {
            drops_before,
            start: Instant::now(),
        }
    }

    pub fn stop(self, ops: u64) -> Outcome {
        let nanos = self.start.elapsed().as_nanos() as u64;
        Outcome {
            measure: Measure::Nanos { nanos, ops },
            drops_before: self.drops_before,
            drops_after: drops(),
        }
    }
}

/// Times several regions and adds them up; the drop counts are those at
/// the start of the first region and the end of the last.
#[derive(Default)]
pub struct Stopwatch {
    nanos: u64,
    drops_before: Option<u64>,
    drops_after: u64,
    running: Option<Instant>,
}

impl Stopwatch {
    pub fn start(&mut self) {
        self.drops_before.get_or_insert_with(drops);
        self.running = Some(Instant::now());
    }

    pub fn stop(&mut self) {
        let started = self.running.take().expect("Stopwatch::stop without start");
        self.nanos += started.elapsed().as_nanos() as u64;
        self.drops_after = drops();
    }

    pub fn outcome(&self, ops: u64) -> Outcome {
        Outcome {
            measure: Measure::Nanos {
                nanos: self.nanos,
                ops,
            },
            drops_before: self.drops_before.unwrap_or(0),
            drops_after: self.drops_after,
        }
    }
}

/// Measures the bytes that `build(n)` leaves allocated for its `n` objects
/// of `payload` bytes each, and returns them with the built structure (for
/// the caller to free, so that the drop count can be verified).
pub fn header_bytes<H>(n: usize, payload: usize, build: impl FnOnce(usize) -> H) -> (Outcome, H) {
    let drops_before = drops();
    let (built, bytes) = count_bytes(|| build(n));
    let outcome = Outcome {
        measure: Measure::Bytes {
            bytes,
            objects: n as u64,
            payload,
        },
        drops_before,
        drops_after: drops(),
    };
    (outcome, built)
}

/// SplitMix64 (Steele, Lea, Flood 2014): the random edges of `dense`. The
/// Python script computes the same sequence, so every implementation
/// builds the same graph.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub const SEED: u64 = 0x005E_EDCC_2024;

    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The edges of `dense`: for each of `n` nodes, in order, `per_node`
/// targets.
pub fn dense_edges(n: usize, per_node: usize) -> impl Iterator<Item = (usize, usize)> {
    let mut rng = SplitMix64::new(SplitMix64::SEED);
    (0..n)
        .flat_map(move |i| (0..per_node).map(move |_| i))
        .map(move |i| (i, rng.below(n)))
}

/// Runs `f` on a thread with a 4 GiB stack (reserved, not committed): `Rc`
/// and several peers drop and trace long chains recursively. Every
/// implementation runs this way, cyclegc included. A panic comes back as
/// its message.
pub fn on_big_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Result<R, String> {
    const STACK: usize = 4 << 30;
    let handle = std::thread::Builder::new()
        .name("bench-worker".into())
        .stack_size(STACK)
        .spawn(f)
        .map_err(|e| format!("cannot spawn the worker thread: {e}"))?;
    handle.join().map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_counts_drops_per_thread() {
        reset_drops();
        drop(vec![Canary, Canary, Canary]);
        assert_eq!(drops(), 3);
        std::thread::spawn(|| drop(Canary)).join().unwrap();
        assert_eq!(drops(), 3);
    }

    #[test]
    fn count_bytes_sees_net_allocation() {
        let (v, bytes) = count_bytes(|| {
            drop(Vec::<u8>::with_capacity(1000));
            Vec::<u64>::with_capacity(16)
        });
        assert_eq!(bytes, 128);
        drop(v);
    }

    #[test]
    fn splitmix_matches_reference_values() {
        // First outputs for seed 0 of the reference implementation.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn big_stack_reports_a_panic() {
        let r: Result<(), String> = on_big_stack(|| panic!("boom"));
        assert_eq!(r.unwrap_err(), "boom");
    }
}
