//! A wrong `unsafe impl Trace` (SPEC §4): the collector notices a handle
//! visited twice, or one the value does not own, when it makes an object's
//! `gc_refs` go below zero; it then abandons the collection, frees nothing,
//! names the types involved, and stays usable. A handle owned but not
//! visited only keeps objects alive.

mod common;

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use common::panic_message;
use cyclegc::{gc, Cc, Trace, Tracer};

#[derive(Trace)]
struct Target {
    name: &'static str,
    next: RefCell<Option<Cc<Target>>>,
}

fn target(name: &'static str) -> Cc<Target> {
    Cc::new(Target {
        name,
        next: RefCell::new(None),
    })
}

/// Visits its one handle twice.
struct Twice {
    c: Cc<Target>,
}

// SAFETY: deliberately broken: visits `c` twice (what this file tests).
unsafe impl Trace for Twice {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit(&self.c);
        tracer.visit(&self.c);
    }
}

/// Runs `f`, which must panic, and returns the panic's message.
fn panic_of(f: impl FnOnce()) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("should have panicked");
    panic_message(&*payload)
}

#[test]
fn a_handle_visited_twice_is_reported_and_nothing_is_freed() {
    let t = target("kept");
    let holder = Cc::new(Twice { c: t.clone() });
    drop(t); // the holder owns the only handle: 1 strong, 2 visits
    let message = panic_of(|| {
        gc::collect();
    });
    assert!(message.contains("Trace impl broke its contract"), "{message}");
    assert!(message.contains("trace_contract::Twice"), "{message}");
    assert!(message.contains("trace_contract::Target"), "{message}");
    // Nothing was freed: the target is intact.
    assert_eq!(holder.c.name, "kept");
    // The collector is usable: every object is back in a generation, and
    // once the broken object is gone, collections work again.
    assert_eq!(gc::objects(None).len(), 2);
    drop(holder);
    assert!(gc::objects(None).is_empty());
    let a = target("a");
    *a.next.borrow_mut() = Some(a.clone());
    drop(a);
    assert_eq!(gc::collect(), 1);
}

thread_local! {
    static SHARED: RefCell<Option<Cc<Target>>> = const { RefCell::new(None) };
}

/// Visits a handle it does not own: the thread-local's.
struct Borrower;

// SAFETY: deliberately broken: visits a `Cc` it does not own.
unsafe impl Trace for Borrower {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        SHARED.with(|s| {
            if let Some(c) = s.borrow().as_ref() {
                tracer.visit(c);
            }
        });
    }
}

#[test]
fn a_handle_visited_but_not_owned_is_reported_and_nothing_is_freed() {
    SHARED.with(|s| *s.borrow_mut() = Some(target("shared")));
    let borrowers = [Cc::new(Borrower), Cc::new(Borrower)];
    let message = panic_of(|| {
        gc::collect();
    });
    assert!(message.contains("trace_contract::Borrower"), "{message}");
    SHARED.with(|s| assert_eq!(s.borrow().as_ref().unwrap().name, "shared"));
    drop(borrowers);
    SHARED.with(|s| *s.borrow_mut() = None);
    assert!(gc::objects(None).is_empty());
    assert_eq!(gc::collect(), 0);
}

#[test]
fn an_automatic_collection_reports_a_broken_trace_and_the_allocation_goes_on() {
    let t = target("kept");
    let holder = Cc::new(Twice { c: t.clone() });
    drop(t);
    gc::set_threshold(1, 10, 10);
    let fresh = target("fresh"); // runs a collection that meets the broken impl
    let fresh2 = target("fresh2");
    gc::set_threshold(700, 10, 10);
    assert_eq!(
        (fresh.name, fresh2.name, holder.c.name),
        ("fresh", "fresh2", "kept")
    );
}

/// Owns a handle but never visits it.
struct Hider {
    c: RefCell<Option<Cc<Holder>>>,
}

// SAFETY: deliberately incomplete: owns `c` but does not visit it, which
// can only keep objects alive (what this file tests).
unsafe impl Trace for Hider {
    fn trace(&self, _: &mut Tracer<'_>) {}
}

#[derive(Trace)]
struct Holder {
    hider: Cc<Hider>,
}

#[test]
fn a_handle_owned_but_not_visited_only_keeps_its_cycle_alive() {
    let hider = Cc::new(Hider {
        c: RefCell::new(None),
    });
    let holder = Cc::new(Holder { hider: hider.clone() });
    // holder -> hider (visited), hider -> holder (not visited): a cycle
    // the collector cannot see.
    *hider.c.borrow_mut() = Some(holder.clone());
    let w_holder = Cc::downgrade(&holder);
    let w_hider = Cc::downgrade(&hider);
    drop((holder, hider));
    assert_eq!(gc::collect(), 0, "the hidden handle counts as one from outside");
    assert!(w_holder.upgrade().is_some() && w_hider.upgrade().is_some());
    // gc::referrers cannot explain what keeps the holder alive.
    let holder = w_holder.upgrade().unwrap();
    assert!(gc::referrers(&holder).is_empty());
    assert_eq!(Cc::strong_count(&holder), 2);
    drop(holder);
    // Break the hidden cycle by hand, so that nothing leaks.
    let hider = w_hider.upgrade().unwrap();
    drop(hider.c.borrow_mut().take());
    drop(hider);
    assert!(w_holder.upgrade().is_none() && w_hider.upgrade().is_none());
    assert!(gc::objects(None).is_empty());
}
