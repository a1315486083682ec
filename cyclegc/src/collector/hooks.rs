//! What a collection tells the outside: debug lines (`gc::set_debug`) and
//! callbacks (`gc::add_callback`). Both run user code (a writer, a
//! closure), so both catch its panics for the collection to resume later.

use std::fmt;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;

use super::{Panic, State};
use crate::gc::{CallbackInfo, DebugFlags, Phase};

/// A `gc::add_callback` callback.
pub(crate) type Callback = Rc<dyn Fn(Phase, &CallbackInfo)>;

/// The first panic of the user code a collection runs; later ones are
/// dropped, as CPython reports only the first exception. An automatic
/// collection has no caller to resume a panic in: it reports each one on
/// standard error instead and swallows it (SPEC §5.3).
#[derive(Default)]
pub(crate) struct FirstPanic {
    first: Option<Panic>,
    mode: PanicMode,
}

/// What a collection does with the panics of the user code it runs.
#[derive(Default)]
enum PanicMode {
    /// Keeps the first, to resume it (an explicit collection).
    #[default]
    Resume,
    /// Reports each (an automatic collection of this generation).
    Report(usize),
    /// Drops each (at thread exit: nobody is left to tell).
    Swallow,
}

impl FirstPanic {
    /// For an automatic collection of generation `generation`.
    pub(crate) fn reporting(generation: usize) -> FirstPanic {
        FirstPanic {
            first: None,
            mode: PanicMode::Report(generation),
        }
    }

    /// For the collections of a thread's exit.
    pub(crate) fn swallowing() -> FirstPanic {
        FirstPanic {
            first: None,
            mode: PanicMode::Swallow,
        }
    }

    /// Runs `f`, keeping its panic if it is the first.
    pub(crate) fn catch(&mut self, f: impl FnOnce()) {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
            self.keep(payload);
        }
    }

    /// Keeps `payload` if no panic was kept before (or reports it, in an
    /// automatic collection).
    pub(crate) fn keep(&mut self, payload: Panic) {
        match self.mode {
            PanicMode::Resume => {
                self.first.get_or_insert(payload);
            }
            PanicMode::Report(g) => report_automatic(g, &payload),
            PanicMode::Swallow => {}
        }
    }

    /// Resumes the kept panic, if any.
    pub(crate) fn resume(self) {
        if let Some(payload) = self.first {
            panic::resume_unwind(payload);
        }
    }
}

impl State {
    /// Whether `gc::set_debug` turned `flag` on.
    pub(crate) fn debugging(&self, flag: DebugFlags) -> bool {
        DebugFlags::from_bits_retain(self.debug.get()).contains(flag)
    }

    /// Writes one debug line to the debug output. A write error is ignored
    /// and a panicking writer is caught: neither may break a collection.
    /// The writer is taken out while it writes, so it may itself call the
    /// `gc` functions (even `set_debug_output`).
    pub(crate) fn debug_line(&self, panics: &mut FirstPanic, line: fmt::Arguments<'_>) {
        let taken = self.debug_output.borrow_mut().take();
        match taken {
            None => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            Some(mut writer) => {
                panics.catch(|| {
                    let _ = writer.write_fmt(format_args!("{line}\n"));
                });
                let mut slot = self.debug_output.borrow_mut();
                if slot.is_none() {
                    *slot = Some(writer);
                }
            }
        }
    }

    /// Calls every callback with `phase`, in the order they were added.
    /// Callbacks added or removed meanwhile take effect from the next call.
    pub(crate) fn run_callbacks(&self, phase: Phase, info: &CallbackInfo, panics: &mut FirstPanic) {
        let callbacks: Vec<Callback> = self.callbacks.borrow().iter().map(|(_, cb)| cb.clone()).collect();
        for callback in callbacks {
            panics.catch(|| callback(phase, info));
        }
    }
}

/// Reports a panic of user code run by an automatic collection of
/// generation `g`, as CPython reports an exception in `__del__` there.
pub(crate) fn report_automatic(g: usize, payload: &Panic) {
    super::report_unraisable(
        format_args!("<automatic garbage collection of generation {g}>"),
        payload,
    );
}
