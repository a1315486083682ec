//! Ports of CPython's `Lib/test/test_gc.py` for the introspection half of
//! the `gc` module (debug flags, `gc.garbage`, referents and referrers,
//! `get_objects`, `freeze`, `get_stats`, `gc.callbacks`), and tests of what
//! the issue adds on top: the exact `gc:` debug lines, failing and
//! panicking debug writers, panicking and nested callbacks, and the promise
//! that looking at the heap never changes what a collection finds.
//!
//! How Python maps to Rust here (as in `test_gc.rs`):
//! - a list is a `Cc<List>` = `Cc<RefCell<Vec<AnyCc>>>`; `l is x` is
//!   `AnyCc::ptr_eq` or a comparison of ids (`AnyCc::id` == `Cc::id` == `id()`);
//! - an instance is a struct with `RefCell` fields; `__del__` is `Drop`;
//! - `gc.set_debug(gc.DEBUG_SAVEALL)` is `gc::set_debug(DebugFlags::SAVEALL)`;
//!   `gc.garbage` is `gc::garbage()` (a copy of the list's handles), and
//!   `gc.garbage[:] = []` is `gc::clear_garbage()`;
//! - `gc.callbacks.append(cb)` is `gc::add_callback(cb)`, the phase strings
//!   `"start"`/`"stop"` are `Phase::Start`/`Phase::Stop`, the info dict is a
//!   `CallbackInfo`;
//! - a `ValueError` or `TypeError` is a panic or a compile error.
//!
//! cyclegc has no legacy `tp_del` finalizers, so nothing is ever
//! "uncollectable": every `uncollectable` count is 0, and the tests that
//! need uncollectable objects use `SAVEALL`, the other way objects land in
//! `gc.garbage` (said where it happens). Every test runs on its own thread,
//! so on its own collector; each starts with [`fresh`] anyway.

use std::any::type_name;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::panic;
use std::rc::Rc;

use cyclegc::gc::{self, CallbackInfo, DebugFlags, GenerationStats, Phase};
use cyclegc::{AnyCc, Cc, Trace, Weak};

mod common;
// [`Node`] and [`Payload`] count their drops.
use common::{count_drop, drops, panic_message, reset_drops};

// ---- support ----------------------------------------------------------------

/// A Python list.
type List = RefCell<Vec<AnyCc>>;

fn new_list() -> Cc<List> {
    Cc::new(RefCell::new(Vec::new()))
}

/// `l = []; l.append(l)`.
fn self_list() -> Cc<List> {
    let l = new_list();
    l.borrow_mut().push(AnyCc::from(l.clone()));
    l
}

/// An instance with one attribute, `next`, that counts its drops.
#[derive(Trace)]
struct Node {
    name: &'static str,
    next: RefCell<Option<Cc<Node>>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        count_drop();
    }
}

fn node(name: &'static str) -> Cc<Node> {
    Cc::new(Node {
        name,
        next: RefCell::new(None),
    })
}

/// `a.next = b; b.next = a`.
fn cycle2(a: &'static str, b: &'static str) -> (Cc<Node>, Cc<Node>) {
    let (x, y) = (node(a), node(b));
    *x.next.borrow_mut() = Some(y.clone());
    *y.next.borrow_mut() = Some(x.clone());
    (x, y)
}

/// A leaf value (untracked: it can hold no `Cc`) that counts its drops.
#[derive(Trace)]
struct Payload {
    text: &'static str,
}

impl Drop for Payload {
    fn drop(&mut self) {
        count_drop();
    }
}

/// A clean collector: no debug flags, debug lines to standard error, no
/// saved garbage, automatic collection on with CPython 3.12's thresholds,
/// counts `(0, 0, 0)`, and (each test having its own thread) no object.
fn fresh() {
    gc::set_debug(DebugFlags::empty());
    gc::set_debug_output(io::stderr());
    gc::clear_garbage();
    gc::enable();
    gc::set_threshold(700, 10, 10);
    gc::collect();
    assert_eq!(gc::count(), (0, 0, 0));
    assert!(
        gc::objects(None).is_empty(),
        "a test thread starts with no object"
    );
    assert_eq!(gc::freeze_count(), 0);
    reset_drops();
}

fn ids(objs: &[AnyCc]) -> Vec<usize> {
    objs.iter().map(AnyCc::id).collect()
}

fn id_set(objs: &[AnyCc]) -> HashSet<usize> {
    objs.iter().map(AnyCc::id).collect()
}

fn contains_id(objs: &[AnyCc], id: usize) -> bool {
    objs.iter().any(|o| o.id() == id)
}

/// A debug writer that keeps what it is given, for the tests to read.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Installs a new capture as the debug output.
    fn install() -> Capture {
        let c = Capture::default();
        gc::set_debug_output(c.clone());
        c
    }

    /// The lines written so far (each ended by `\n`), emptying the buffer.
    fn take_lines(&self) -> Vec<String> {
        let bytes = std::mem::take(&mut *self.0.borrow_mut());
        let text = String::from_utf8(bytes).expect("debug output is UTF-8");
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "a partial line: {text:?}"
        );
        text.lines().map(str::to_string).collect()
    }
}

/// `gc: collectable <{type} {addr:#x}>`, the line `DEBUG_COLLECTABLE` prints.
fn collectable_line<T>(id: usize) -> String {
    format!("gc: collectable <{} {:#x}>", type_name::<T>(), id)
}

/// Checks a `gc: done, N unreachable, 0 uncollectable, X.XXXXs elapsed`
/// line and returns the elapsed seconds.
fn check_done_line(line: &str, unreachable: usize) -> f64 {
    let words: Vec<&str> = line.split(' ').collect();
    assert_eq!(words.len(), 8, "{line:?}");
    let unreachable = unreachable.to_string();
    assert_eq!(
        words[..6],
        [
            "gc:",
            "done,",
            unreachable.as_str(),
            "unreachable,",
            "0",
            "uncollectable,"
        ],
        "{line:?}"
    );
    assert_eq!(words[7], "elapsed", "{line:?}");
    let seconds = words[6].strip_suffix('s').expect("seconds end with 's'");
    let (whole, frac) = seconds.split_once('.').expect("seconds have a decimal point");
    assert!(
        !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()),
        "{line:?}"
    );
    assert!(
        frac.len() == 4 && frac.bytes().all(|b| b.is_ascii_digit()),
        "4 decimals: {line:?}"
    );
    let value: f64 = seconds.parse().expect("a number");
    assert!((0.0..60.0).contains(&value), "{line:?}");
    value
}

// ---- gc.garbage and DEBUG_SAVEALL -------------------------------------------

// CPython: test_gc.py::test_saveall
// `L = []; L.append(L); del L` under DEBUG_SAVEALL: `gc.garbage` holds
// exactly `L` (same id). Here the list also holds a leaf `Payload`, which
// counts drops: it shows that the saved list is intact, and when it is
// finally freed (a leaf is untracked, so the collections still count 1).
#[test]
fn test_saveall() {
    fresh();
    // First make sure we don't save away other stuff that just happens to
    // be waiting for collection.
    assert!(gc::garbage().is_empty());

    let l = self_list();
    l.borrow_mut()
        .push(AnyCc::from(Cc::new(Payload { text: "payload" })));
    let id_l = Cc::id(&l);
    let weak: Weak<List> = Cc::downgrade(&l);

    let debug = gc::debug();
    gc::set_debug(debug | DebugFlags::SAVEALL);
    drop(l);
    assert_eq!(gc::collect(), 1);
    gc::set_debug(debug);

    let garbage = gc::garbage();
    assert_eq!(garbage.len(), 1);
    assert_eq!(garbage[0].id(), id_l);
    assert_eq!(garbage[0].type_name(), type_name::<List>());
    // Still alive, but its weak references were cleared all the same.
    assert!(weak.upgrade().is_none());
    assert_eq!(drops(), 0);
    assert!(gc::is_tracked(&garbage[0]));

    // Downcast back: intact and readable.
    let back: Cc<List> = garbage[0].clone().downcast().expect("a list");
    assert_eq!(Cc::id(&back), id_l);
    {
        let items = back.borrow();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id(), id_l);
        let payload: Cc<Payload> = items[1].clone().downcast().expect("the payload");
        assert_eq!(payload.text, "payload");
    }
    // gc.garbage is one list: another look gives the same objects.
    assert_eq!(ids(&gc::garbage()), [id_l]);
    // Held by the garbage list (and our handles), so a collection keeps it.
    assert_eq!(gc::collect(), 0);
    drop((garbage, back));
    assert_eq!(gc::collect(), 0);
    assert_eq!(drops(), 0);

    // `obj = gc.garbage.pop()`, and then the list goes: freed by the next collection.
    gc::clear_garbage();
    assert!(gc::garbage().is_empty());
    assert_eq!(gc::collect(), 1);
    assert_eq!(drops(), 1, "the payload went with the list");
    assert!(gc::objects(None).is_empty());
}

/// `SAVEALL` keeps the unreachable objects in the order the collection found
/// them (the order of its generation list), every one of them, not only the
/// cycle members: an acyclic object that hangs from a cycle is unreachable too.
#[test]
fn saveall_keeps_every_unreachable_object_in_the_order_found() {
    fresh();
    let (a, b) = cycle2("a", "b");
    let holder = self_list();
    let tail = node("tail"); // acyclic, held by the self-loop only
    holder.borrow_mut().push(AnyCc::from(tail.clone()));
    let order = ids(&gc::objects(Some(0)));
    assert_eq!(
        id_set_of(&order),
        id_set_of(&[Cc::id(&a), Cc::id(&b), Cc::id(&holder), Cc::id(&tail)])
    );
    drop((a, b, holder, tail));

    gc::set_debug(DebugFlags::SAVEALL);
    assert_eq!(gc::collect_generation(0), 4);
    gc::set_debug(DebugFlags::empty());
    assert_eq!(ids(&gc::garbage()), order);
    assert_eq!(drops(), 0);
    // Saved objects go on to the next generation, as survivors do.
    assert_eq!(id_set(&gc::objects(Some(1))), id_set_of(&order));
    assert!(gc::objects(Some(0)).is_empty());

    gc::clear_garbage();
    assert_eq!(gc::collect(), 4);
    assert_eq!(drops(), 3, "three Nodes (the list counts no drop)");
}

fn id_set_of(ids: &[usize]) -> HashSet<usize> {
    ids.iter().copied().collect()
}

/// A saved object lives on: a weak reference made *after* the collection
/// works (CPython clears the weak references that exist when the collection
/// runs; `weakref.ref(obj)` on an object of `gc.garbage` afterwards gives a
/// live reference).
#[test]
fn a_weak_reference_made_after_saveall_saved_the_object_upgrades() {
    fresh();
    let l = self_list();
    let old_weak = Cc::downgrade(&l);
    drop(l);
    gc::set_debug(DebugFlags::SAVEALL);
    assert_eq!(gc::collect(), 1);
    gc::set_debug(DebugFlags::empty());
    let saved: Cc<List> = gc::garbage()[0].clone().downcast().unwrap();
    assert!(
        old_weak.upgrade().is_none(),
        "the weak reference of the collection time is cleared"
    );
    let new_weak = Cc::downgrade(&saved);
    assert!(
        new_weak.upgrade().is_some(),
        "a weak reference made after the collection to a live object must upgrade"
    );
    assert_eq!(new_weak.strong_count(), Cc::strong_count(&saved));
    gc::clear_garbage();
    drop(saved);
    assert_eq!(gc::collect(), 1);
}

/// `clear_garbage` frees at once what reference counting can free: saved
/// objects whose cycle was broken by hand meanwhile.
#[test]
fn clear_garbage_frees_at_once_what_refcounting_can() {
    fresh();
    let (a, b) = cycle2("a", "b");
    drop((a, b));
    gc::set_debug(DebugFlags::SAVEALL);
    assert_eq!(gc::collect(), 2);
    gc::set_debug(DebugFlags::empty());
    {
        let first: Cc<Node> = gc::garbage()[0].clone().downcast().unwrap();
        // `del obj.next`: the cycle is broken while the objects are saved.
        first.next.borrow_mut().take();
    }
    assert_eq!(drops(), 0);
    gc::clear_garbage();
    assert_eq!(drops(), 2, "freed by reference counting, no collection needed");
    assert_eq!(gc::collect(), 0);
}

// ---- get_referents / get_referrers ------------------------------------------

/// A struct whose fields own handles of every kind.
#[derive(Trace)]
struct Fields {
    first: Cc<Node>,
    maybe: Option<Cc<String>>,
    many: Vec<AnyCc>,
    weak: Weak<Node>,
    pair: (Cc<i64>, i64),
    text: String,
}

// CPython: test_gc.py::test_get_referents
// The list/tuple/dict part is ported in `test_gc.rs`; this extends it to what
// a Rust object holds: the referents of a struct are the `Cc`s its `trace`
// visits, in field order, `Weak` fields and plain data excluded, through
// `&Cc<T>` or `&AnyCc` alike; the handles returned are strong.
#[test]
fn test_get_referents() {
    fresh();
    let n = node("n");
    let s = Cc::new(String::from("s"));
    let x = Cc::new(1_i64);
    let l = new_list();
    let f = Cc::new(Fields {
        first: n.clone(),
        maybe: Some(s.clone()),
        many: vec![AnyCc::from(l.clone()), AnyCc::from(x.clone())],
        weak: Cc::downgrade(&n),
        pair: (x.clone(), 7),
        text: "plain".into(),
    });
    let expected = [Cc::id(&n), Cc::id(&s), Cc::id(&l), Cc::id(&x), Cc::id(&x)];
    let got = gc::referents(&f);
    assert_eq!(ids(&got), expected);
    assert_eq!(got[0].type_name(), type_name::<Node>());
    assert_eq!(ids(&gc::referents(&AnyCc::from(f.clone()))), expected);
    // Strong handles: each adds one to its object's count while held.
    assert_eq!(Cc::strong_count(&n), 3);
    assert_eq!(Cc::strong_count(&x), 5);
    drop(got);
    assert_eq!(Cc::strong_count(&n), 2);
    assert_eq!(Cc::strong_count(&x), 3);
    assert_eq!(f.text, "plain");
    assert_eq!(f.pair.1, 7);
    assert!(f.weak.upgrade().is_some());

    // An empty container, a struct with nothing traced, a leaf.
    assert!(gc::referents(&l).is_empty());
    assert!(gc::referents(&n).is_empty());
    assert!(gc::referents(&s).is_empty());
    // A self-loop refers to itself.
    let me = self_list();
    assert_eq!(ids(&gc::referents(&me)), [Cc::id(&me)]);
    me.borrow_mut().clear();
}

/// A struct that refers to a leaf through a field.
#[derive(Trace)]
struct Holder {
    field: Cc<String>,
    other: Option<Cc<Node>>,
}

/// A tracked struct with a weak reference to a leaf, which does not make it
/// a referrer.
#[derive(Trace)]
struct WeakHolder {
    weak: Weak<String>,
    list: Cc<List>,
}

// CPython: test_gc.py (no test of its own: `get_referrers` is only exercised
// by test_get_objects_during_gc). Every tracked object whose `trace` visits
// the target is found, once, whatever holds it: a list of `AnyCc`, a typed
// `Vec`, a struct field, a map value, a tuple; of a leaf object (untracked
// itself) as of a tracked one; through `&Cc<T>` or `&AnyCc`.
#[test]
fn referrers_finds_every_referrer_once() {
    fresh();
    let s = Cc::new(String::from("shared")); // a leaf: untracked
    assert!(!gc::is_tracked(&s));
    let list = new_list();
    list.borrow_mut().push(AnyCc::from(s.clone()));
    let typed: Cc<RefCell<Vec<Cc<String>>>> = Cc::new(RefCell::new(vec![s.clone(), s.clone()]));
    let holder = Cc::new(Holder {
        field: s.clone(),
        other: None,
    });
    let map: Cc<RefCell<HashMap<i32, Cc<String>>>> = Cc::new(RefCell::new(HashMap::from([(1, s.clone())])));
    let tuple: Cc<(i32, Cc<String>)> = Cc::new((0, s.clone()));
    // Not referrers: an unrelated list, a list holding a referrer, a weak holder.
    let unrelated = new_list();
    unrelated
        .borrow_mut()
        .push(AnyCc::from(Cc::new(String::from("shared"))));
    let outer = new_list();
    outer.borrow_mut().push(AnyCc::from(list.clone()));
    let weak_holder = Cc::new(WeakHolder {
        weak: Cc::downgrade(&s),
        list: unrelated.clone(),
    });

    let expected = HashSet::from([
        Cc::id(&list),
        Cc::id(&typed),
        Cc::id(&holder),
        Cc::id(&map),
        Cc::id(&tuple),
    ]);
    let found = gc::referrers(&s);
    assert_eq!(found.len(), 5, "each referrer once: {found:?}");
    assert_eq!(id_set(&found), expected);
    assert_eq!(id_set(&gc::referrers(&AnyCc::from(s.clone()))), expected);
    // The handles are strong and typed: downcast one back.
    let back: Cc<Holder> = found
        .iter()
        .find(|o| o.is::<Holder>())
        .cloned()
        .unwrap()
        .downcast()
        .unwrap();
    assert!(Cc::ptr_eq(&back, &holder));
    drop((found, back));

    // Referrers of tracked objects.
    assert_eq!(ids(&gc::referrers(&list)), [Cc::id(&outer)]);
    assert_eq!(ids(&gc::referrers(&unrelated)), [Cc::id(&weak_holder)]);
    assert!(gc::referrers(&outer).is_empty());
    let me = self_list();
    assert_eq!(ids(&gc::referrers(&me)), [Cc::id(&me)]);
    me.borrow_mut().clear();
    // Referrers in every generation.
    gc::collect_generation(0); // everything to generation 1
    let young = new_list();
    young.borrow_mut().push(AnyCc::from(s.clone()));
    let mut expected = expected;
    expected.insert(Cc::id(&young));
    assert_eq!(id_set(&gc::referrers(&s)), expected);
    gc::collect(); // generation 2
    assert_eq!(id_set(&gc::referrers(&s)), expected);
}

// The permanent generation is not searched, as CPython's `get_referrers`
// (it walks generations 0-2 only).
#[test]
fn referrers_skip_the_permanent_generation() {
    fresh();
    let s = Cc::new(String::from("x"));
    let frozen = new_list();
    frozen.borrow_mut().push(AnyCc::from(s.clone()));
    gc::freeze();
    let young = new_list();
    young.borrow_mut().push(AnyCc::from(s.clone()));
    assert_eq!(ids(&gc::referrers(&s)), [Cc::id(&young)]);
    gc::unfreeze();
    assert_eq!(
        id_set(&gc::referrers(&s)),
        HashSet::from([Cc::id(&frozen), Cc::id(&young)])
    );
}

/// Builds the same heap on every call (cycles, chains, a self-loop with a
/// tail, live and dead objects), then runs collections; with `inspect`,
/// calls every introspection function on every object in between, dropping
/// what they return. Returns everything observable.
fn heap_walk(inspect: bool) -> Vec<String> {
    fresh();
    let mut seen = Vec::new();
    let look = |seen: &mut Vec<String>| {
        if inspect {
            let all = gc::objects(None);
            for o in &all {
                drop(gc::referrers(o));
                drop(gc::referents(o));
            }
            for g in 0..3 {
                drop(gc::objects(Some(g)));
            }
            drop(all);
        }
        seen.push(format!(
            "count {:?} objects {} drops {} stats {:?}",
            gc::count(),
            gc::objects(None).len(),
            drops(),
            gc::stats()
        ));
    };
    let (a, b) = cycle2("a", "b");
    let (live1, live2) = cycle2("live1", "live2");
    let selfie = node("self");
    let tail = node("tail");
    *selfie.next.borrow_mut() = Some(selfie.clone());
    let list = self_list();
    list.borrow_mut().push(AnyCc::from(tail.clone()));
    list.borrow_mut()
        .push(AnyCc::from(Cc::new(Payload { text: "p" })));
    let weak_a = Cc::downgrade(&a);
    let weak_tail = Cc::downgrade(&tail);
    look(&mut seen);
    drop((a, b, tail));
    look(&mut seen);
    seen.push(format!("collect(0) -> {}", gc::collect_generation(0)));
    look(&mut seen);
    drop((selfie, list));
    look(&mut seen);
    seen.push(format!("collect(1) -> {}", gc::collect_generation(1)));
    look(&mut seen);
    drop(live1);
    look(&mut seen);
    seen.push(format!("collect() -> {}", gc::collect()));
    look(&mut seen);
    seen.push(format!(
        "weak a {} tail {} live2 count {}",
        weak_a.upgrade().is_some(),
        weak_tail.upgrade().is_some(),
        Cc::strong_count(&live2)
    ));
    drop(live2);
    seen.push(format!("collect() -> {}", gc::collect()));
    look(&mut seen);
    seen
}

// The issue: "make sure that calling them never changes what a later
// collection finds". Two threads (two collectors) build the same heap; one
// calls `objects`, `referrers` and `referents` on everything between
// collections. Counts, drops, stats and collection results must agree.
#[test]
fn looking_at_the_heap_does_not_change_what_collections_find() {
    let plain = std::thread::spawn(|| heap_walk(false)).join().unwrap();
    let inspected = std::thread::spawn(|| heap_walk(true)).join().unwrap();
    assert_eq!(plain, inspected);
    // And the walk itself did what it should.
    assert!(plain.contains(&"collect(0) -> 2".to_string()), "{plain:#?}");
    assert!(plain.contains(&"collect(1) -> 3".to_string()), "{plain:#?}");
}

// ---- get_objects ------------------------------------------------------------

// CPython: test_gc.py::test_get_objects (3.12 split version)
// `gc.collect(); l = []; l.append(l)`: `l` is in `gc.get_objects()`. Leaf
// objects are untracked and never listed; the handles are strong, so held
// garbage is not collected.
#[test]
fn test_get_objects() {
    fresh();
    let l = self_list();
    assert!(gc::objects(None).iter().any(|e| e.id() == Cc::id(&l)));
    let leaf = Cc::new(String::from("leaf"));
    assert!(!contains_id(&gc::objects(None), Cc::id(&leaf)));
    assert_eq!(ids(&gc::objects(None)), [Cc::id(&l)]);

    // Holding what get_objects returned keeps dropped garbage alive.
    let id_l = Cc::id(&l);
    drop(l);
    let held = gc::objects(None);
    assert_eq!(ids(&held), [id_l]);
    assert_eq!(gc::collect(), 0);
    drop(held);
    assert_eq!(gc::collect(), 1);
    assert!(gc::objects(None).is_empty());
}

fn in_generation(id: usize, g: usize) -> bool {
    contains_id(&gc::objects(Some(g)), id)
}

// CPython: test_gc.py::test_get_objects_generations (3.12; the 3.9-3.11
// test_get_objects): `l` trickles from generation 0 to 1 (`collect(0)`), to
// 2 (`collect(1)`), and stays in 2 (`collect(2)`); `gc.get_objects(generation=g)`
// is `gc::objects(Some(g))`.
#[test]
fn test_get_objects_generations() {
    fresh();
    let l = self_list();
    let id = Cc::id(&l);
    let where_ = || [0, 1, 2].map(|g| in_generation(id, g));
    assert_eq!(where_(), [true, false, false]);
    gc::collect_generation(0);
    assert_eq!(where_(), [false, true, false]);
    gc::collect_generation(1);
    assert_eq!(where_(), [false, false, true]);
    gc::collect_generation(2);
    assert_eq!(where_(), [false, false, true]);
    l.borrow_mut().clear();
    drop(l);
    assert_eq!(gc::collect(), 0, "freed by reference counting once cleared");
    assert!(gc::objects(None).is_empty());
}

fn expect_invalid_generation(g: usize) {
    let payload = panic::catch_unwind(|| gc::objects(Some(g))).expect_err("must panic");
    let msg = panic_message(&*payload);
    assert!(msg.contains("invalid generation"), "{msg:?}");
}

// CPython: test_gc.py::test_get_objects_arguments
// `get_objects()` equals `get_objects(generation=None)`, which is the union
// of generations 0, 1 and 2; 1000 raises ValueError (here: a panic with
// `invalid generation`, for 3 as well). -1000, "1" and 1.234 cannot be
// written: `Option<usize>` rejects them at compile time.
#[test]
fn test_get_objects_arguments() {
    fresh();
    let old = self_list();
    gc::collect(); // generation 2
    let mid = new_list();
    gc::collect_generation(0); // generation 1
    let young = new_list();
    let all = gc::objects(None);
    assert_eq!(all.len(), 3);
    let mut union = Vec::new();
    for g in 0..3 {
        union.extend(gc::objects(Some(g)));
    }
    assert_eq!(union.len(), all.len());
    assert_eq!(id_set(&union), id_set(&all));
    assert_eq!(
        id_set(&all),
        HashSet::from([Cc::id(&old), Cc::id(&mid), Cc::id(&young)])
    );
    expect_invalid_generation(3);
    expect_invalid_generation(1000);
    expect_invalid_generation(usize::MAX);
    old.borrow_mut().clear();
}

// CPython: test_gc.py::test_get_objects_during_gc (gh-125859)
// Inside `__del__` during a collection, `gc.get_objects()` does not contain
// the object being collected and `gc.get_referrers(self) == []`. The object
// is the same self-loop (`obj.cycle = obj`): its `Drop` reaches itself
// through `self.cycle` (passing that handle is fine; it never dereferences
// it). A second, two-object cycle checks the same of a sibling; a live
// object shows that `objects` and `referrers` still see the rest.
#[derive(Trace)]
struct GetObjectsOnDel {
    links: RefCell<Vec<Cc<GetObjectsOnDel>>>,
    own_id: Cell<usize>,
}

/// What one `Drop` saw: its own id, then for itself and each link whether
/// `objects(None)` listed it and how many referrers it had, and whether
/// the live witness was listed.
#[derive(Debug, PartialEq)]
struct Seen {
    own_id: usize,
    listed: Vec<(usize, bool, usize)>,
    witness_listed: bool,
    witness_referrers: usize,
}

thread_local! {
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
    static WITNESS: Cell<usize> = const { Cell::new(0) };
    static WITNESS_CHILD: RefCell<Option<Cc<String>>> = const { RefCell::new(None) };
}

impl Drop for GetObjectsOnDel {
    fn drop(&mut self) {
        let objs = gc::objects(None);
        let mut listed = vec![(
            self.own_id.get(),
            contains_id(&objs, self.own_id.get()),
            usize::MAX,
        )];
        for l in self.links.get_mut().iter() {
            listed.push((Cc::id(l), contains_id(&objs, Cc::id(l)), gc::referrers(l).len()));
        }
        let witness_listed = contains_id(&objs, WITNESS.with(Cell::get));
        let child = WITNESS_CHILD.with(|c| c.borrow().clone()).unwrap();
        let witness_referrers = gc::referrers(&child).len();
        SEEN.with(|s| {
            s.borrow_mut().push(Seen {
                own_id: self.own_id.get(),
                listed,
                witness_listed,
                witness_referrers,
            })
        });
    }
}

fn on_del() -> Cc<GetObjectsOnDel> {
    let o = Cc::new(GetObjectsOnDel {
        links: RefCell::new(Vec::new()),
        own_id: Cell::new(0),
    });
    o.own_id.set(Cc::id(&o));
    o
}

#[test]
fn test_get_objects_during_gc() {
    fresh();
    let child = Cc::new(String::from("child"));
    let witness = new_list();
    witness.borrow_mut().push(AnyCc::from(child.clone()));
    WITNESS.with(|w| w.set(Cc::id(&witness)));
    WITNESS_CHILD.with(|c| *c.borrow_mut() = Some(child.clone()));

    // obj = GetObjectsOnDel(); obj.cycle = obj; del obj
    let obj = on_del();
    obj.links.borrow_mut().push(obj.clone());
    let id_obj = Cc::id(&obj);
    drop(obj);
    assert_eq!(gc::collect(), 1);
    let seen = SEEN.with(|s| s.take());
    assert_eq!(
        seen,
        [Seen {
            own_id: id_obj,
            listed: vec![(id_obj, false, usize::MAX), (id_obj, false, 0)],
            witness_listed: true,
            witness_referrers: 1,
        }]
    );

    // A two-object cycle: each sees itself and its sibling gone from both.
    let (a, b) = (on_del(), on_del());
    a.links.borrow_mut().push(b.clone());
    b.links.borrow_mut().push(a.clone());
    let (id_a, id_b) = (Cc::id(&a), Cc::id(&b));
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    let mut seen = SEEN.with(|s| s.take());
    seen.sort_by_key(|s| s.own_id);
    let mut expected = vec![
        Seen {
            own_id: id_a,
            listed: vec![(id_a, false, usize::MAX), (id_b, false, 0)],
            witness_listed: true,
            witness_referrers: 1,
        },
        Seen {
            own_id: id_b,
            listed: vec![(id_b, false, usize::MAX), (id_a, false, 0)],
            witness_listed: true,
            witness_referrers: 1,
        },
    ];
    expected.sort_by_key(|s| s.own_id);
    assert_eq!(seen, expected);
    WITNESS_CHILD.with(|c| c.borrow_mut().take());
    drop((witness, child));
}

// ---- freeze -----------------------------------------------------------------

// CPython: test_gc.py::test_freeze
// `gc.freeze()` makes `get_freeze_count() > 0`, `gc.unfreeze()` makes it 0.
// Extended with what the permanent generation means: its objects (here a
// live list and a dropped cycle) are in no generation that `objects` lists
// or a collection examines, so the frozen cycle is not collected; after
// `unfreeze` they are in generation 2, and the cycle is collected.
#[test]
fn test_freeze() {
    fresh();
    let keep = new_list();
    let (a, b) = cycle2("frozen a", "frozen b");
    let weak = Cc::downgrade(&a);
    drop((a, b));
    assert_eq!(gc::count().0, 3);
    gc::freeze();
    assert_eq!(gc::freeze_count(), 3);
    assert_eq!(gc::count().0, 0, "freeze resets count.0");
    assert!(gc::objects(None).is_empty());
    assert!(gc::is_tracked(&keep), "frozen objects are still tracked");
    assert_eq!(gc::collect(), 0);
    assert_eq!(gc::collect_generation(0), 0);
    assert!(weak.upgrade().is_some());
    assert_eq!(drops(), 0);

    // New objects are not frozen.
    let young = new_list();
    assert_eq!(ids(&gc::objects(None)), [Cc::id(&young)]);
    assert_eq!(gc::freeze_count(), 3);

    gc::unfreeze();
    assert_eq!(gc::freeze_count(), 0);
    let gen2 = id_set(&gc::objects(Some(2)));
    assert_eq!(gen2.len(), 3, "the three frozen objects");
    assert!(gen2.contains(&Cc::id(&keep)));
    assert_eq!(ids(&gc::objects(Some(0))), [Cc::id(&young)]);
    // Generation 2 is only examined by a full collection.
    assert_eq!(gc::collect_generation(1), 0);
    assert!(weak.upgrade().is_some());
    assert_eq!(gc::collect(), 2);
    assert!(weak.upgrade().is_none());
    assert_eq!(drops(), 2);
}

// ---- get_stats --------------------------------------------------------------

fn collections(st: &[GenerationStats; 3]) -> [usize; 3] {
    st.map(|s| s.collections)
}

// CPython: test_gc.py::test_get_stats
// Three entries with exactly the keys collections, collected, uncollectable
// (here: an exhaustive destructuring of `GenerationStats`); with automatic
// collection off, `collect(0)` adds 1 to generation 0's collections only,
// `collect(2)` to generation 2's only. Extended with `collect(1)` and exact
// `collected` deltas.
#[test]
fn test_get_stats() {
    fresh();
    let stats = gc::stats();
    assert_eq!(stats.len(), 3);
    for st in stats {
        let GenerationStats {
            collections,
            collected,
            uncollectable,
        } = st;
        assert_eq!(uncollectable, 0);
        assert!(collected <= collections * 1000);
    }
    gc::disable();
    let old = gc::stats();
    let (a, b) = cycle2("a", "b");
    drop((a, b));
    assert_eq!(gc::collect_generation(0), 2);
    let new = gc::stats();
    assert_eq!(
        collections(&new),
        [old[0].collections + 1, old[1].collections, old[2].collections]
    );
    assert_eq!(new[0].collected, old[0].collected + 2);
    assert_eq!(
        (new[1].collected, new[2].collected),
        (old[1].collected, old[2].collected)
    );

    let me = self_list();
    drop(me);
    assert_eq!(gc::collect_generation(2), 1);
    let new = gc::stats();
    assert_eq!(
        collections(&new),
        [old[0].collections + 1, old[1].collections, old[2].collections + 1]
    );
    assert_eq!(new[2].collected, old[2].collected + 1);

    assert_eq!(gc::collect_generation(1), 0);
    let new = gc::stats();
    assert_eq!(
        collections(&new),
        [
            old[0].collections + 1,
            old[1].collections + 1,
            old[2].collections + 1
        ]
    );
    assert!(new.iter().all(|s| s.uncollectable == 0));
    gc::enable();
}

// ---- is_finalized -----------------------------------------------------------

// CPython: test_gc.py::test_is_finalized, first half: an object that was
// never finalized (and an untracked one) is not. For a type without a
// finalizer it is always false, even for objects SAVEALL kept.
#[test]
fn is_finalized_is_false_without_finalizers() {
    fresh();
    assert!(!gc::is_finalized(&Cc::new(3)));
    let l = self_list();
    assert!(!gc::is_finalized(&l));
    assert!(!gc::is_finalized(&AnyCc::from(l.clone())));
    drop(l);
    gc::set_debug(DebugFlags::SAVEALL);
    gc::collect();
    gc::set_debug(DebugFlags::empty());
    assert!(!gc::is_finalized(&gc::garbage()[0]));
    gc::clear_garbage();
    assert_eq!(gc::collect(), 1);
}

// ---- debug output -----------------------------------------------------------

#[test]
fn debug_flags_round_trip_and_leak_is_the_three_flags() {
    fresh();
    assert_eq!(gc::debug(), DebugFlags::empty());
    assert_eq!(
        DebugFlags::LEAK,
        DebugFlags::COLLECTABLE | DebugFlags::UNCOLLECTABLE | DebugFlags::SAVEALL
    );
    assert_eq!(
        [
            DebugFlags::STATS,
            DebugFlags::COLLECTABLE,
            DebugFlags::UNCOLLECTABLE,
            DebugFlags::SAVEALL,
            DebugFlags::LEAK
        ]
        .map(|f| f.bits()),
        [1, 2, 4, 32, 38],
        "CPython's values"
    );
    gc::set_debug(DebugFlags::STATS | DebugFlags::SAVEALL);
    assert_eq!(gc::debug(), DebugFlags::STATS | DebugFlags::SAVEALL);
    gc::set_debug(DebugFlags::empty());
    assert_eq!(gc::debug(), DebugFlags::empty());
}

// DEBUG_STATS: four lines per collection, CPython's words, with the sizes of
// the generations and of the permanent generation before the collection.
#[test]
fn stats_lines_give_the_generation_sizes_and_the_result() {
    fresh();
    let frozen = new_list();
    gc::freeze(); // permanent: 1
    let old: Vec<Cc<List>> = (0..3).map(|_| new_list()).collect();
    gc::collect(); // generation 2: 3
    let mid: Vec<Cc<List>> = (0..2).map(|_| new_list()).collect();
    gc::collect_generation(0); // generation 1: 2
    let young: Vec<Cc<List>> = (0..2).map(|_| new_list()).collect();
    let (a, b) = cycle2("a", "b");
    drop((a, b)); // generation 0: 4, two of them garbage

    let out = Capture::install();
    gc::set_debug(DebugFlags::STATS);
    assert_eq!(gc::collect(), 2);
    let lines = out.take_lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert_eq!(lines[0], "gc: collecting generation 2...");
    assert_eq!(lines[1], "gc: objects in each generation: 4 2 3");
    assert_eq!(lines[2], "gc: objects in permanent generation: 1");
    check_done_line(&lines[3], 2);

    // Everything survived into generation 2.
    assert_eq!(gc::collect_generation(0), 0);
    let lines = out.take_lines();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert_eq!(lines[0], "gc: collecting generation 0...");
    assert_eq!(lines[1], "gc: objects in each generation: 0 0 7");
    assert_eq!(lines[2], "gc: objects in permanent generation: 1");
    check_done_line(&lines[3], 0);

    // STATS alone prints no collectable line, and nothing once turned off.
    gc::set_debug(DebugFlags::empty());
    let me = self_list();
    drop(me);
    assert_eq!(gc::collect(), 1);
    assert!(out.take_lines().is_empty());
    gc::unfreeze();
    drop((frozen, old, mid, young));
}

// DEBUG_COLLECTABLE: one `gc: collectable <Type 0x…>` line per unreachable
// object, with the full type name and the object's id; leaf objects that
// hang from the garbage are untracked, not "found", and not printed.
#[test]
fn collectable_lines_name_each_unreachable_object() {
    fresh();
    let out = Capture::install();
    let (a, b) = cycle2("a", "b");
    let l = self_list();
    l.borrow_mut()
        .push(AnyCc::from(Cc::new(Payload { text: "leaf" })));
    let live = self_list(); // reachable: not printed
    let mut expected = vec![
        collectable_line::<Node>(Cc::id(&a)),
        collectable_line::<Node>(Cc::id(&b)),
        collectable_line::<List>(Cc::id(&l)),
    ];
    assert!(
        expected[0].starts_with("gc: collectable <gc_api::Node 0x"),
        "{}",
        expected[0]
    );
    drop((a, b, l));
    gc::set_debug(DebugFlags::COLLECTABLE);
    assert_eq!(gc::collect(), 3);
    gc::set_debug(DebugFlags::empty());
    let mut lines = out.take_lines();
    lines.sort();
    expected.sort();
    assert_eq!(lines, expected);
    assert_eq!(drops(), 3, "freed (two Nodes and the payload), not saved");
    assert!(gc::garbage().is_empty());
    live.borrow_mut().clear();
}

// DEBUG_LEAK = COLLECTABLE | UNCOLLECTABLE | SAVEALL: collectable lines, in
// the order found (the order of `gc.garbage`), and the objects are saved.
// UNCOLLECTABLE prints nothing: nothing is uncollectable in cyclegc.
#[test]
fn leak_prints_collectable_lines_and_saves_the_objects() {
    fresh();
    let out = Capture::install();
    let (a, b) = cycle2("a", "b");
    let weak = Cc::downgrade(&a);
    drop((a, b));
    gc::set_debug(DebugFlags::LEAK);
    assert_eq!(gc::debug(), DebugFlags::LEAK);
    assert_eq!(gc::collect(), 2);
    let garbage = gc::garbage();
    assert_eq!(garbage.len(), 2);
    let expected: Vec<String> = garbage.iter().map(|o| collectable_line::<Node>(o.id())).collect();
    assert_eq!(out.take_lines(), expected);
    assert!(weak.upgrade().is_none());
    assert_eq!(drops(), 0);
    let names: Vec<&str> = garbage
        .iter()
        .map(|o| o.clone().downcast::<Node>().unwrap().name)
        .collect();
    assert_eq!(id_set_of(&ids(&garbage)).len(), 2);
    assert!(names == ["a", "b"] || names == ["b", "a"], "{names:?}");

    // Still LEAK: the saved objects are held by gc.garbage, so reachable.
    assert_eq!(gc::collect(), 0);
    assert!(out.take_lines().is_empty());
    drop(garbage);
    gc::set_debug(DebugFlags::empty());
    gc::clear_garbage();
    assert_eq!(gc::collect(), 2);
    assert_eq!(drops(), 2);
    assert!(out.take_lines().is_empty());
}

/// A debug writer that fails every write.
struct Failing;

impl Write for Failing {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::other("disk full"))
    }
}

/// A debug writer that accepts nothing (`write_fmt` turns it into an error).
struct Zero;

impl Write for Zero {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Ok(0)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_debug_writer_does_not_break_a_collection() {
    fresh();
    gc::set_debug(DebugFlags::STATS | DebugFlags::COLLECTABLE);
    gc::set_debug_output(Failing);
    let (a, b) = cycle2("a", "b");
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    assert_eq!(drops(), 2);
    gc::set_debug_output(Zero);
    let me = self_list();
    drop(me);
    assert_eq!(gc::collect_generation(0), 1);
    assert_eq!(gc::collect(), 0);
    assert!(gc::objects(None).is_empty());
    gc::set_debug(DebugFlags::empty());
}

/// A debug writer that panics.
struct Exploding;

impl Write for Exploding {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        panic!("the debug writer exploded");
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_panicking_debug_writer_lets_the_collection_finish_then_resumes() {
    fresh();
    gc::set_debug(DebugFlags::STATS | DebugFlags::COLLECTABLE);
    gc::set_debug_output(Exploding);
    let (a, b) = cycle2("a", "b");
    let weak = Cc::downgrade(&a);
    drop((a, b));
    let before = gc::stats();
    let payload = panic::catch_unwind(gc::collect).expect_err("the writer panics");
    assert_eq!(panic_message(&*payload), "the debug writer exploded");
    // The collection was complete: garbage freed, stats updated.
    assert!(weak.upgrade().is_none());
    assert_eq!(drops(), 2);
    let after = gc::stats();
    assert_eq!(after[2].collections, before[2].collections + 1);
    assert_eq!(after[2].collected, before[2].collected + 2);
    assert_eq!(gc::count(), (0, 0, 0));
    // And the collector works afterwards (the re-entrancy guard is reset).
    let out = Capture::install();
    let (c, d) = cycle2("c", "d");
    drop((c, d));
    assert_eq!(gc::collect(), 2);
    assert_eq!(out.take_lines().len(), 6, "4 stats lines and 2 collectable lines");
    gc::set_debug(DebugFlags::empty());
}

// ---- callbacks (CPython's GCCallbackTests) ----------------------------------

type Visits = Rc<RefCell<Vec<(u8, Phase, CallbackInfo)>>>;

/// GCCallbackTests.setUp/tearDown: automatic collection off, no debug
/// flags, `cb1` and `cb2` registered, each logging `(n, phase, info)`.
struct CallbackTest {
    visit: Visits,
    ids: [gc::CallbackId; 2],
}

impl CallbackTest {
    fn set_up() -> CallbackTest {
        fresh();
        gc::disable();
        gc::set_debug(DebugFlags::empty());
        let visit: Visits = Rc::default();
        let (v1, v2) = (visit.clone(), visit.clone());
        let ids = [
            gc::add_callback(move |phase, info| v1.borrow_mut().push((1, phase, *info))),
            gc::add_callback(move |phase, info| v2.borrow_mut().push((2, phase, *info))),
        ];
        CallbackTest { visit, ids }
    }

    /// `preclean`: collect whatever is left, then forget the visits.
    fn preclean(&self) {
        gc::collect();
        gc::clear_garbage();
        gc::collect();
        self.visit.borrow_mut().clear();
    }

    fn take(&self) -> Vec<(u8, Phase, CallbackInfo)> {
        std::mem::take(&mut *self.visit.borrow_mut())
    }
}

impl Drop for CallbackTest {
    fn drop(&mut self) {
        for id in self.ids {
            assert!(gc::remove_callback(id));
        }
        gc::set_debug(DebugFlags::empty());
        gc::enable();
        gc::clear_garbage();
        gc::collect();
    }
}

fn info(generation: usize, collected: usize) -> CallbackInfo {
    CallbackInfo {
        generation,
        collected,
        uncollectable: 0,
    }
}

// CPython: GCCallbackTests::test_collect
// One `gc.collect()`: each callback is called exactly twice, once with
// "start" and once with "stop", and every info has generation, collected,
// uncollectable. Here exactly: the order is cb1, cb2 at Start, then cb1,
// cb2 at Stop; Start infos say 0 collected, Stop infos the 2 objects of
// the cycle collected, and nothing is uncollectable.
#[test]
fn test_collect() {
    let t = CallbackTest::set_up();
    t.preclean();
    let (a, b) = cycle2("a", "b");
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    let visit = t.take();
    let n: Vec<u8> = visit.iter().map(|v| v.0).collect();
    assert_eq!(n.iter().filter(|&&i| i == 1).count(), 2);
    assert_eq!(n.iter().filter(|&&i| i == 2).count(), 2);
    let phases: Vec<Phase> = visit.iter().map(|v| v.1).collect();
    assert_eq!(phases.iter().filter(|&&p| p == Phase::Start).count(), 2);
    assert_eq!(phases.iter().filter(|&&p| p == Phase::Stop).count(), 2);
    assert_eq!(
        visit,
        [
            (1, Phase::Start, info(2, 0)),
            (2, Phase::Start, info(2, 0)),
            (1, Phase::Stop, info(2, 2)),
            (2, Phase::Stop, info(2, 2)),
        ]
    );
}

// CPython: GCCallbackTests::test_collect_generation
// `gc.collect(2)`: every info says generation 2; extended to `collect(0)` and
// `collect(1)` (`gc::collect_generation`), and to plain `gc::collect()`.
#[test]
fn test_collect_generation() {
    let t = CallbackTest::set_up();
    t.preclean();
    for (g, run) in [
        (2, gc::collect as fn() -> usize),
        (2, || gc::collect_generation(2)),
        (1, || gc::collect_generation(1)),
        (0, || gc::collect_generation(0)),
    ] {
        run();
        let visit = t.take();
        assert_eq!(visit.len(), 4);
        for v in visit {
            assert_eq!(v.2.generation, g, "{v:?}");
        }
    }
}

/// CPython's `Uncollectable`: an object created with a partner that points
/// back (a two-object cycle).
#[derive(Trace)]
struct Uncollectable {
    partner: RefCell<Option<Cc<Uncollectable>>>,
}

impl Uncollectable {
    /// `Uncollectable()`: the object and its partner.
    fn new() -> Cc<Uncollectable> {
        let me = Cc::new(Uncollectable {
            partner: RefCell::new(None),
        });
        let partner = Cc::new(Uncollectable {
            partner: RefCell::new(Some(me.clone())),
        });
        *me.partner.borrow_mut() = Some(partner);
        me
    }
}

/// CPython's `C1055820`: `self.i = i; self.loop = self`.
#[derive(Trace)]
struct C1055820 {
    i: i64,
    loop_: RefCell<Option<Cc<C1055820>>>,
}

impl C1055820 {
    fn new(i: i64) -> Cc<C1055820> {
        let c = Cc::new(C1055820 {
            i,
            loop_: RefCell::new(None),
        });
        *c.loop_.borrow_mut() = Some(c.clone());
        c
    }
}

fn stop_infos(visit: &[(u8, Phase, CallbackInfo)]) -> Vec<CallbackInfo> {
    visit.iter().filter(|v| v.1 == Phase::Stop).map(|v| v.2).collect()
}

// CPython: GCCallbackTests::test_collect_garbage
// CPython makes two `Uncollectable()` pairs (legacy `tp_del` objects, which
// its gc cannot free: they go to `gc.garbage` and count as uncollectable)
// and a `C1055820(666)` self-loop (collected); after `gc.garbage[:] = []`
// (one pair still referenced by a local in later versions, CPython-NOTES §4
// item 30) the next collection's stop info says collected 0, and its
// `cleanup` callback breaks the `Uncollectable` partners.
//
// cyclegc has no legacy finalizers: the way objects land in `gc.garbage`
// here is SAVEALL, and what SAVEALL keeps counts as collected (as CPython
// counts it too). So: under SAVEALL, the two pairs and the self-loop (5
// objects) are all saved: the Stop infos say collected 5, uncollectable 0,
// and `gc::garbage()` holds 4 `Uncollectable`s and the `C1055820`. Then the
// test does the `cleanup` by hand, breaking the cycles of everything saved
// except one pair, which a local keeps; `clear_garbage` frees the broken
// ones at once by reference counting, and the next collection's Stop infos
// say collected 0: nothing is left to find. Dropping the local makes the
// last pair garbage: collected 2, saved again; cleared, it is freed.
#[test]
fn test_collect_garbage() {
    let t = CallbackTest::set_up();
    t.preclean();
    gc::set_debug(DebugFlags::SAVEALL);
    let u1 = Uncollectable::new();
    let u2 = Uncollectable::new();
    let c = C1055820::new(666);
    let (id_u1, id_u2, id_c) = (Cc::id(&u1), Cc::id(&u2), Cc::id(&c));
    drop((u1, u2, c));
    assert_eq!(gc::collect(), 5);
    let visit = t.take();
    assert_eq!(visit.len(), 4);
    for v in &visit {
        if v.1 == Phase::Start {
            assert_eq!(v.2, info(2, 0));
        }
    }
    assert_eq!(stop_infos(&visit), [info(2, 5), info(2, 5)]);

    // We should now have the Uncollectables (and the C1055820) in gc.garbage.
    let garbage = gc::garbage();
    assert_eq!(garbage.len(), 5);
    assert_eq!(garbage.iter().filter(|e| e.is::<Uncollectable>()).count(), 4);
    let saved_c: Vec<Cc<C1055820>> = garbage
        .iter()
        .filter_map(|e| e.clone().downcast::<C1055820>().ok())
        .collect();
    assert_eq!(saved_c.len(), 1);
    assert_eq!((Cc::id(&saved_c[0]), saved_c[0].i), (id_c, 666));
    let ids_now = id_set(&garbage);
    assert!(ids_now.contains(&id_u1) && ids_now.contains(&id_u2));

    // One pair stays referenced by a local; the other cycles are broken.
    let kept: Cc<Uncollectable> = garbage
        .iter()
        .find(|e| e.id() == id_u1)
        .cloned()
        .unwrap()
        .downcast()
        .unwrap();
    let kept_partner = Cc::id(kept.partner.borrow().as_ref().unwrap());
    for e in &garbage {
        if e.id() == id_u1 || e.id() == kept_partner {
            continue;
        }
        if let Ok(u) = e.clone().downcast::<Uncollectable>() {
            u.partner.borrow_mut().take();
        }
    }
    saved_c[0].loop_.borrow_mut().take();
    drop((garbage, saved_c));
    assert_eq!(gc::objects(None).len(), 5, "all still held by gc.garbage");
    gc::clear_garbage();
    assert_eq!(gc::objects(None).len(), 2, "the broken ones were freed at once");

    assert_eq!(gc::collect(), 0);
    let visit = t.take();
    assert_eq!(stop_infos(&visit), [info(2, 0), info(2, 0)]);
    assert!(gc::garbage().is_empty());

    // The kept pair, once the local goes, is garbage like the rest was.
    drop(kept);
    assert_eq!(gc::collect(), 2);
    assert_eq!(stop_infos(&t.take()), [info(2, 2), info(2, 2)]);
    assert_eq!(gc::garbage().len(), 2);
    gc::set_debug(DebugFlags::empty());
    gc::clear_garbage();
    assert_eq!(gc::collect(), 2);
    assert!(gc::objects(None).is_empty());
}

// A `gc.collect()` from inside a callback returns 0 at once (CPython-NOTES
// §4 item 31, verified on CPython): the nested call is not a collection and
// is not counted in the stats.
#[test]
fn a_collect_inside_a_callback_returns_zero() {
    fresh();
    let results = Rc::new(RefCell::new(Vec::new()));
    let r = results.clone();
    let id = gc::add_callback(move |phase, _| {
        r.borrow_mut()
            .push((phase, gc::collect(), gc::collect_generation(0)));
    });
    let (a, b) = cycle2("a", "b");
    drop((a, b));
    let before = gc::stats();
    assert_eq!(gc::collect(), 2);
    assert_eq!(*results.borrow(), [(Phase::Start, 0, 0), (Phase::Stop, 0, 0)]);
    assert_eq!(
        collections(&gc::stats()),
        [
            before[0].collections,
            before[1].collections,
            before[2].collections + 1
        ]
    );
    assert!(gc::remove_callback(id));
}

// A panicking callback (CPython: an exception goes to the unraisable hook
// and the collection continues): the other callbacks run, in both phases,
// the garbage is freed, and only then does `collect` resume the first panic.
// The collector works afterwards.
#[test]
fn a_panicking_callback_does_not_abort_the_collection() {
    fresh();
    let log: Rc<RefCell<Vec<(u8, Phase, CallbackInfo)>>> = Rc::default();
    let (l1, l3) = (log.clone(), log.clone());
    let id1 = gc::add_callback(move |phase, info| l1.borrow_mut().push((1, phase, *info)));
    let id2 = gc::add_callback(|phase, _| panic!("callback 2 failed at {phase:?}"));
    let id3 = gc::add_callback(move |phase, info| l3.borrow_mut().push((3, phase, *info)));
    let (a, b) = cycle2("a", "b");
    let weak = Cc::downgrade(&a);
    drop((a, b));
    let before = gc::stats();

    let payload = panic::catch_unwind(gc::collect).expect_err("callback 2 panics");
    assert_eq!(
        panic_message(&*payload),
        "callback 2 failed at Start",
        "the first panic"
    );
    assert_eq!(
        *log.borrow(),
        [
            (1, Phase::Start, info(2, 0)),
            (3, Phase::Start, info(2, 0)),
            (1, Phase::Stop, info(2, 2)),
            (3, Phase::Stop, info(2, 2)),
        ]
    );
    assert!(weak.upgrade().is_none());
    assert_eq!(drops(), 2);
    assert_eq!(gc::stats()[2].collections, before[2].collections + 1);

    // Afterwards: the collector works, with the panicking callback still there...
    log.borrow_mut().clear();
    let me = self_list();
    drop(me);
    let payload = panic::catch_unwind(|| gc::collect_generation(0)).expect_err("still panics");
    assert_eq!(panic_message(&*payload), "callback 2 failed at Start");
    assert_eq!(log.borrow().len(), 4);
    assert_eq!(log.borrow()[3], (3, Phase::Stop, info(0, 1)));
    // ... and without it.
    assert!(gc::remove_callback(id2));
    log.borrow_mut().clear();
    let (c, d) = cycle2("c", "d");
    drop((c, d));
    assert_eq!(gc::collect(), 2);
    assert_eq!(stop_infos(&log.borrow()), [info(2, 2), info(2, 2)]);
    assert!(gc::remove_callback(id1));
    assert!(gc::remove_callback(id3));
}

#[test]
fn removing_an_unknown_or_removed_callback_does_nothing() {
    fresh();
    let log: Rc<RefCell<Vec<u8>>> = Rc::default();
    let (l1, l2) = (log.clone(), log.clone());
    let id1 = gc::add_callback(move |_, _| l1.borrow_mut().push(1));
    let id2 = gc::add_callback(move |_, _| l2.borrow_mut().push(2));
    assert_ne!(id1, id2);
    assert!(gc::remove_callback(id1));
    assert!(!gc::remove_callback(id1), "already removed");
    gc::collect();
    assert_eq!(*log.borrow(), [2, 2]);
    assert!(gc::remove_callback(id2));
    assert!(!gc::remove_callback(id2));
    assert!(!gc::remove_callback(id1));
    gc::collect();
    assert_eq!(*log.borrow(), [2, 2]);
    // Ids are not reused: a new callback does not answer to an old id.
    let l3 = log.clone();
    let id3 = gc::add_callback(move |_, _| l3.borrow_mut().push(3));
    assert_ne!(id3, id1);
    assert_ne!(id3, id2);
    assert!(!gc::remove_callback(id1));
    gc::collect();
    assert_eq!(*log.borrow(), [2, 2, 3, 3]);
    assert!(gc::remove_callback(id3));
}

// A `CallbackId` is a plain `Copy + Send` value, so it can reach another
// thread, whose collector never issued it: there it is an unknown id, and
// removing it must do nothing and return false.
#[test]
fn a_callback_id_from_another_thread_is_unknown_here() {
    fresh();
    let log: Rc<RefCell<Vec<u8>>> = Rc::default();
    let l = log.clone();
    let here = gc::add_callback(move |_, _| l.borrow_mut().push(1));
    let there = std::thread::spawn(|| gc::add_callback(|_, _| {})).join().unwrap();
    assert!(
        !gc::remove_callback(there),
        "an id issued by another thread's collector removed a callback of this thread"
    );
    gc::collect();
    assert_eq!(*log.borrow(), [1, 1], "this thread's callback must still run");
    assert!(gc::remove_callback(here));
}

// Callbacks run in the order added, for automatic collections too.
#[test]
fn callbacks_run_in_the_order_added_for_automatic_collections_too() {
    fresh();
    let log: Rc<RefCell<Vec<(u8, Phase, usize)>>> = Rc::default();
    let ids: Vec<gc::CallbackId> = (1..=3)
        .map(|k| {
            let l = log.clone();
            gc::add_callback(move |phase, info| l.borrow_mut().push((k, phase, info.generation)))
        })
        .collect();
    gc::set_threshold(3, 10, 10);
    let mut keep = Vec::new();
    for _ in 0..3 {
        keep.push(new_list());
    }
    assert!(log.borrow().is_empty(), "count.0 is 3, not above the threshold");
    keep.push(new_list()); // count.0 = 4 > 3: a collection of generation 0
    assert_eq!(
        *log.borrow(),
        [
            (1, Phase::Start, 0),
            (2, Phase::Start, 0),
            (3, Phase::Start, 0),
            (1, Phase::Stop, 0),
            (2, Phase::Stop, 0),
            (3, Phase::Stop, 0),
        ]
    );
    assert_eq!(gc::stats()[0].collections, 1);
    gc::set_threshold(700, 10, 10);
    for id in ids {
        assert!(gc::remove_callback(id));
    }
}

// A callback sees the heap as it is before (Start) and after (Stop) the
// collection: `objects` lists the garbage at Start, not at Stop.
#[test]
fn callbacks_can_look_at_the_heap() {
    fresh();
    let seen: Rc<RefCell<Vec<(Phase, usize)>>> = Rc::default();
    let s = seen.clone();
    let id = gc::add_callback(move |phase, _| s.borrow_mut().push((phase, gc::objects(None).len())));
    let (a, b) = cycle2("a", "b");
    let live = new_list();
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    assert_eq!(*seen.borrow(), [(Phase::Start, 3), (Phase::Stop, 1)]);
    assert!(gc::remove_callback(id));
    drop(live);
}

// Regression (issue 9, bug 5): a panic in a gc callback during the
// automatic collection an allocation started left `Cc::new` with that
// panic: the new value was never dropped and stayed tracked forever. Now
// the panic is reported and swallowed (SPEC §5.3) and `Cc::new` returns.
#[test]
fn an_automatic_collection_that_panics_does_not_lose_the_new_object() {
    #[derive(Trace)]
    struct Counted {
        _peer: RefCell<Option<Cc<Counted>>>,
        flag: Rc<Cell<u32>>,
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            self.flag.set(self.flag.get() + 1);
        }
    }
    let drops = Rc::new(Cell::new(0));
    let id = gc::add_callback(|phase, _| {
        if phase == gc::Phase::Start {
            panic!("callback failed");
        }
    });
    gc::set_threshold(1, 10, 10);
    let mut kept = Vec::new();
    for _ in 0..5 {
        // every allocation past the first runs a collection that panics
        kept.push(Cc::new(Counted {
            _peer: RefCell::new(None),
            flag: drops.clone(),
        }));
    }
    assert!(gc::stats()[0].collections >= 2);
    gc::remove_callback(id);
    gc::set_threshold(700, 10, 10);
    assert_eq!(kept.len(), 5);
    drop(kept);
    assert_eq!(drops.get(), 5, "every new object was freed");
    assert!(gc::objects(None).is_empty());
}

// Regression (issue 9, bug 9): while a `RefCell` in an object was mutably
// borrowed, `gc::referents` and `gc::referrers` silently missed its edges.
// Now the answer says it is incomplete.
#[test]
fn referents_and_referrers_say_when_an_object_could_not_be_read() {
    #[derive(Trace)]
    struct Node {
        next: RefCell<Option<Cc<Node>>>,
    }
    let b = Cc::new(Node {
        next: RefCell::new(None),
    });
    let a = Cc::new(Node {
        next: RefCell::new(Some(b.clone())),
    });
    let other = Cc::new(Node {
        next: RefCell::new(None),
    });
    assert!(gc::referents(&a).is_complete());
    assert_eq!(gc::referrers(&b).len(), 1);
    assert!(gc::referrers(&b).is_complete());
    {
        let _busy = a.next.borrow_mut();
        let found = gc::referents(&a);
        assert!(found.is_empty() && !found.is_complete());
        let found = gc::referrers(&b);
        assert!(found.is_empty() && !found.is_complete());
        assert!(format!("{found:?}").ends_with("(incomplete)"));
        // an object that is not in the way gives a complete answer
        assert!(gc::referents(&other).is_complete());
    }
    let mut g = Cc::new(Node {
        next: RefCell::new(Some(b.clone())),
    });
    {
        let _lent = Cc::get_mut(&mut g).unwrap();
        assert!(
            !gc::referrers(&b).is_complete(),
            "a get_mut guard hides its value too"
        );
    }
    assert_eq!(gc::referrers(&b).len(), 2);
}

// An interpreter names its objects' types itself: `Trace::class_name`
// (here through `#[trace(class_name = ...)]`) is what the
// `DEBUG_COLLECTABLE` lines and `AnyCc`'s repr show.
#[test]
fn collectable_lines_and_reprs_use_the_objects_own_class_name() {
    #[derive(Trace)]
    #[trace(class_name = PyObj::class)]
    struct PyObj {
        class: &'static str,
        me: RefCell<Option<Cc<PyObj>>>,
    }
    impl PyObj {
        fn class(&self) -> &str {
            self.class
        }
    }
    let lines = Rc::new(RefCell::new(Vec::<u8>::new()));
    struct Sink(Rc<RefCell<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let obj = Cc::new(PyObj {
        class: "C",
        me: RefCell::new(None),
    });
    assert!(format!("{:?}", AnyCc::from(obj.clone())).starts_with("<C object at 0x"));
    *obj.me.borrow_mut() = Some(obj.clone());
    let addr = Cc::id(&obj);
    drop(obj);
    gc::set_debug_output(Sink(lines.clone()));
    gc::set_debug(DebugFlags::COLLECTABLE);
    assert_eq!(gc::collect(), 1);
    gc::set_debug(DebugFlags::empty());
    let text = String::from_utf8(lines.borrow().clone()).unwrap();
    assert_eq!(text, format!("gc: collectable <C {addr:#x}>\n"));
}

// `gc::untrack` / `gc::track`: CPython's PyObject_GC_UnTrack/Track, which an
// interpreter uses for containers of atomic values.
#[test]
fn an_untracked_object_is_left_out_of_collections_until_tracked_again() {
    #[derive(Trace)]
    struct Node {
        next: RefCell<Option<Cc<Node>>>,
    }
    let a = Cc::new(Node {
        next: RefCell::new(None),
    });
    *a.next.borrow_mut() = Some(a.clone());
    let count = gc::count().0;
    assert!(gc::untrack(&a));
    assert!(!gc::untrack(&a), "already untracked");
    assert_eq!(gc::count().0, count - 1);
    assert!(!gc::is_tracked(&a));
    assert!(!gc::objects(None).iter().any(|o| o.id() == Cc::id(&a)));
    let w = Cc::downgrade(&a);
    drop(a);
    assert_eq!(
        gc::collect(),
        0,
        "an untracked cycle is invisible to the collector"
    );
    let a = w.upgrade().unwrap();
    assert!(gc::track(&a));
    assert!(gc::is_tracked(&a));
    drop(a);
    assert_eq!(gc::collect(), 1);
    assert!(w.upgrade().is_none());
    // leaves are never tracked, so neither call does anything
    let leaf = Cc::new(5);
    assert!(!gc::untrack(&leaf) && !gc::track(&leaf));
}
