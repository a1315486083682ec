//! The workloads (rows of the table), the implementations (columns), their
//! sizes, and the verification that a run freed exactly what it should.

use crate::impls::Subject;
use crate::probe::{self, Outcome};

/// One row of the table. `young_*` and `header_bytes*` come in pairs;
/// `live_scan_untouched` is `live_scan` without first touching the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    AllocDrop,
    CloneDrop,
    Ring,
    Dense,
    LiveScan,
    LiveScanUntouched,
    YoungWithBigOld,
    YoungEmptyOld,
    HeaderBytes,
    HeaderBytesLeaf,
}

impl Workload {
    pub const ALL: [Workload; 10] = [
        Workload::AllocDrop,
        Workload::CloneDrop,
        Workload::Ring,
        Workload::Dense,
        Workload::LiveScan,
        Workload::LiveScanUntouched,
        Workload::YoungWithBigOld,
        Workload::YoungEmptyOld,
        Workload::HeaderBytes,
        Workload::HeaderBytesLeaf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::AllocDrop => "alloc_drop",
            Workload::CloneDrop => "clone_drop",
            Workload::Ring => "ring",
            Workload::Dense => "dense",
            Workload::LiveScan => "live_scan",
            Workload::LiveScanUntouched => "live_scan_untouched",
            Workload::YoungWithBigOld => "young_with_big_old",
            Workload::YoungEmptyOld => "young_empty_old",
            Workload::HeaderBytes => "header_bytes",
            Workload::HeaderBytesLeaf => "header_bytes_leaf",
        }
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Whether the result is bytes per object rather than nanoseconds.
    pub fn is_bytes(self) -> bool {
        matches!(self, Workload::HeaderBytes | Workload::HeaderBytesLeaf)
    }

    /// What one op is, for the table.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::AllocDrop | Workload::Ring | Workload::Dense => "ns/node",
            Workload::LiveScan | Workload::LiveScanUntouched => "ns/node",
            Workload::CloneDrop => "ns/pair",
            Workload::YoungWithBigOld | Workload::YoungEmptyOld => "ns/collection",
            Workload::HeaderBytes | Workload::HeaderBytesLeaf => "bytes/object",
        }
    }

    /// The sizes of a full run (SPEC §10) or of `--quick`.
    pub fn sizes(self, quick: bool) -> Sizes {
        let (full, reduced) = match self {
            Workload::AllocDrop => (1_000_000, 200_000),
            Workload::CloneDrop => (10_000_000, 2_000_000),
            Workload::Ring => (1_000_000, 200_000),
            Workload::Dense => (100_000, 20_000),
            Workload::LiveScan | Workload::LiveScanUntouched => (1_000_000, 200_000),
            Workload::YoungWithBigOld => (1_000_000, 200_000),
            Workload::YoungEmptyOld => (0, 0),
            // Powers of two: a side table that grows by doubling is then
            // exactly full, so it shows its per-object cost, not its slack.
            Workload::HeaderBytes | Workload::HeaderBytesLeaf => (1 << 17, 1 << 14),
        };
        let n = if quick { reduced } else { full };
        match self {
            Workload::YoungWithBigOld | Workload::YoungEmptyOld => {
                Sizes::young(n, if quick { 300 } else { 1000 }, YOUNG_BATCH)
            }
            _ => Sizes::nodes(n),
        }
    }

    /// The drop counts a correct run shows (see [`Expect`]).
    pub fn expect(self, s: Sizes) -> Expect {
        let n = s.n as u64;
        match self {
            Workload::AllocDrop => Expect {
                before: Some(0),
                after: Some(n),
                total: n,
            },
            Workload::CloneDrop => Expect {
                before: Some(0),
                after: Some(0),
                total: 1,
            },
            Workload::Ring => Expect {
                before: Some(0),
                after: Some(n),
                total: n,
            },
            // Nodes that nobody points to are freed by reference counting
            // when the roots go, before the timed collection.
            Workload::Dense => Expect {
                before: None,
                after: Some(n),
                total: n,
            },
            Workload::LiveScan | Workload::LiveScanUntouched => Expect {
                before: Some(0),
                after: Some(0),
                total: n,
            },
            Workload::YoungWithBigOld | Workload::YoungEmptyOld => {
                let (iters, batch) = (s.iters as u64, s.batch as u64);
                // During the last collection, the earlier batches are gone
                // and the last one and the old objects are alive.
                Expect {
                    before: Some(0),
                    after: Some(iters.saturating_sub(1) * batch),
                    total: n + iters * batch,
                }
            }
            Workload::HeaderBytes | Workload::HeaderBytesLeaf => Expect {
                before: Some(0),
                after: Some(0),
                total: n,
            },
        }
    }
}

/// Young objects allocated before each `collect_generation(0)`.
pub const YOUNG_BATCH: usize = 100;

/// The sizes of one workload: `n` nodes (pairs for `clone_drop`, old
/// objects for `young_*`); `young_*` also run `iters` collections of
/// `batch` young objects each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub n: usize,
    pub iters: usize,
    pub batch: usize,
}

impl Sizes {
    /// `n` nodes (pairs, objects), for every workload but `young_*`.
    pub fn nodes(n: usize) -> Sizes {
        Sizes {
            n,
            iters: 0,
            batch: 0,
        }
    }

    /// `n` old objects and `iters` collections of `batch` young ones.
    pub fn young(n: usize, iters: usize, batch: usize) -> Sizes {
        Sizes { n, iters, batch }
    }

    #[cfg(test)]
    pub fn tiny(w: Workload) -> Sizes {
        match w {
            Workload::YoungWithBigOld => Sizes::young(50, 4, 5),
            Workload::YoungEmptyOld => Sizes::young(0, 4, 5),
            Workload::CloneDrop => Sizes::nodes(1000),
            _ => Sizes::nodes(64),
        }
    }
}

/// Values dropped (counted by [`probe::Canary`]) when the measured part
/// began, when it ended, and in all once the run cleaned up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    pub before: Option<u64>,
    pub after: Option<u64>,
    pub total: u64,
}

/// The result of one run of one implementation on one workload.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// ns per op, or bytes per object.
    Ok(f64),
    /// Fewer values dropped than should have been.
    Leaked {
        expected: u64,
        got: u64,
        when: &'static str,
    },
    /// More values dropped than should have been: live ones were freed.
    Broken {
        expected: u64,
        got: u64,
        when: &'static str,
    },
    /// The run panicked, died of a signal or exited without a result.
    Crashed(String),
    /// It did not finish in time.
    Timeout,
    /// The implementation cannot run this workload (no generations, no
    /// cycle collector).
    NotApplicable,
}

impl Verdict {
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Ok(_) => "ok",
            Verdict::Leaked { .. } => "leaked",
            Verdict::Broken { .. } => "broken",
            Verdict::Crashed(_) => "crashed",
            Verdict::Timeout => "timeout",
            Verdict::NotApplicable => "n/a",
        }
    }

    /// One line for the child-to-parent protocol (also what the Python
    /// script prints).
    pub fn to_line(&self) -> String {
        match self {
            Verdict::Ok(v) => format!("ok {v}"),
            Verdict::Leaked { expected, got, when } => format!("leaked {expected} {got} {when}"),
            Verdict::Broken { expected, got, when } => format!("broken {expected} {got} {when}"),
            Verdict::Crashed(why) => format!("crashed {}", why.replace('\n', " ")),
            Verdict::Timeout => "timeout".to_string(),
            Verdict::NotApplicable => "n/a".to_string(),
        }
    }

    pub fn from_line(line: &str) -> Option<Verdict> {
        let mut words = line.split_whitespace();
        let kind = words.next()?;
        let mut num = || words.next().and_then(|w| w.parse::<u64>().ok());
        Some(match kind {
            "ok" => Verdict::Ok(line[2..].trim().parse().ok()?),
            "leaked" | "broken" => {
                let (expected, got) = (num()?, num()?);
                let when = match line.split_whitespace().nth(3) {
                    Some("before") => "before",
                    Some("after") => "after",
                    _ => "total",
                };
                if kind == "leaked" {
                    Verdict::Leaked { expected, got, when }
                } else {
                    Verdict::Broken { expected, got, when }
                }
            }
            "crashed" => Verdict::Crashed(line["crashed".len()..].trim().to_string()),
            "timeout" => Verdict::Timeout,
            "n/a" => Verdict::NotApplicable,
            _ => return None,
        })
    }
}

/// Checks the drop counts of a run against what the workload expects.
pub fn verify(expect: Expect, outcome: &Outcome, total: u64) -> Verdict {
    let checks = [
        (expect.before, outcome.drops_before, "before"),
        (expect.after, outcome.drops_after, "after"),
        (Some(expect.total), total, "total"),
    ];
    for (want, got, when) in checks {
        match want {
            Some(expected) if got < expected => return Verdict::Leaked { expected, got, when },
            Some(expected) if got > expected => return Verdict::Broken { expected, got, when },
            _ => {}
        }
    }
    Verdict::Ok(outcome.measure.value())
}

/// Runs workload `w` of implementation `S` on the current thread and
/// verifies it. `S::collect_all` runs after the workload so that anything
/// still uncollected shows as leaked, not as missing.
pub fn run<S: Subject>(w: Workload, s: Sizes) -> Verdict {
    probe::reset_drops();
    let outcome = match w {
        Workload::AllocDrop => S::alloc_drop(s.n),
        Workload::CloneDrop => S::clone_drop(s.n),
        Workload::Ring => S::ring(s.n),
        Workload::Dense => S::dense(s.n),
        Workload::LiveScan => S::live_scan(s.n, true),
        Workload::LiveScanUntouched => S::live_scan(s.n, false),
        Workload::YoungWithBigOld | Workload::YoungEmptyOld => S::young(s.n, s.iters, s.batch),
        Workload::HeaderBytes => S::header_bytes(s.n, false),
        Workload::HeaderBytesLeaf => S::header_bytes(s.n, true),
    };
    let Some(outcome) = outcome else {
        return Verdict::NotApplicable;
    };
    S::collect_all();
    verify(w.expect(s), &outcome, probe::drops())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Measure;

    fn outcome(before: u64, after: u64) -> Outcome {
        Outcome {
            measure: Measure::Nanos { nanos: 1000, ops: 10 },
            drops_before: before,
            drops_after: after,
        }
    }

    #[test]
    fn verify_accepts_exact_counts() {
        let e = Workload::Ring.expect(Sizes::nodes(10));
        assert_eq!(verify(e, &outcome(0, 10), 10), Verdict::Ok(100.0));
    }

    #[test]
    fn verify_reports_a_collection_that_freed_too_little_as_leaked() {
        let e = Workload::Ring.expect(Sizes::nodes(10));
        assert_eq!(
            verify(e, &outcome(0, 9), 10),
            Verdict::Leaked {
                expected: 10,
                got: 9,
                when: "after"
            }
        );
        assert_eq!(
            verify(e, &outcome(0, 10), 9),
            Verdict::Leaked {
                expected: 10,
                got: 9,
                when: "total"
            }
        );
    }

    #[test]
    fn verify_reports_freeing_live_objects_as_broken() {
        let e = Workload::LiveScan.expect(Sizes::nodes(10));
        assert_eq!(
            verify(e, &outcome(0, 3), 10),
            Verdict::Broken {
                expected: 0,
                got: 3,
                when: "after"
            }
        );
    }

    #[test]
    fn verdict_lines_round_trip() {
        for v in [
            Verdict::Ok(12.5),
            Verdict::Leaked {
                expected: 5,
                got: 2,
                when: "after",
            },
            Verdict::Broken {
                expected: 0,
                got: 1,
                when: "before",
            },
            Verdict::Crashed("signal 11 (SIGSEGV)".into()),
            Verdict::Timeout,
            Verdict::NotApplicable,
        ] {
            assert_eq!(Verdict::from_line(&v.to_line()), Some(v));
        }
    }

    #[test]
    fn workload_names_round_trip() {
        for w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name()), Some(w));
        }
    }
}
