//! The tour: the scenarios of the Python article cyclegc started from
//! ("Handling Circular References and Memory Leaks in Python with weakref
//! and gc Modules"), retold in Rust.
//!
//! Run it with `cargo run --release --example tour`. Every scenario prints
//! a `## N. title` heading, then what each call really returns, then where
//! the article's claimed output (its `# -> ...` comments) differs from what
//! actually happens, and why.
//!
//! The mapping from Python to Rust:
//!
//! | Python                          | Rust                                            |
//! | ------------------------------- | ----------------------------------------------- |
//! | `obj1 = MyClass()`              | `let obj1 = Cc::new(MyClass { .. })`            |
//! | `obj1.other = obj2`             | `*obj1.other.borrow_mut() = Some(obj2.clone())` |
//! | `del obj1`                      | `drop(obj1)`                                    |
//! | `weakref.ref(obj1)`             | `Cc::downgrade(&obj1)`                          |
//! | `weakref.ref(obj, callback)`    | `Cc::downgrade_with_callback(&obj, callback)`   |
//! | `weakref.WeakValueDictionary()` | `weakref::WeakValueDictionary::new()`           |
//! | `gc.get_referrers(obj)`         | `gc::referrers(&obj)`                           |
//! | `gc.collect()`, `gc.collect(2)` | `gc::collect()`, `gc::collect_generation(2)`    |
//! | `gc.get_count()`                | `gc::count()`                                   |
//! | `gc.get_threshold()`            | `gc::threshold()`                               |
//! | `gc.set_threshold(5)`           | `gc::set_threshold(5, 10, 10)`                  |
//! | `gc.get_stats()`                | `gc::stats()`                                   |
//! | `gc.get_referents(obj1)`        | `gc::referents(&obj1)`                          |
//! | `gc.disable()`, `gc.enable()`   | `gc::disable()`, `gc::enable()`                 |
//! | `gc.set_debug(gc.DEBUG_LEAK)`   | `gc::set_debug(DebugFlags::LEAK)`               |
//! | `gc.garbage`                    | `gc::garbage()`, `gc::clear_garbage()`          |

use std::cell::RefCell;
use std::fmt::Debug;
use std::io::Write;
use std::rc::Rc;

use cyclegc::gc::{self, DebugFlags, GenerationStats};
use cyclegc::weakref::WeakValueDictionary;
use cyclegc::{AnyCc, Cc, Trace, Weak};

/// The article's class:
///
/// ```python
/// class MyClass:
///     def __init__(self):
///         self.other = None
/// ```
///
/// `other` is a `RefCell` because, as with `Rc`, interior mutability is
/// the user's: a `Cc` hands out shared references only. The `name` is not
/// in the Python class; it is there so that the `Drop` below can say which
/// object is being freed.
#[derive(Trace)]
struct MyClass {
    name: String,
    other: RefCell<Option<Cc<MyClass>>>,
}

impl MyClass {
    /// `MyClass()`: a new object whose `other` is `None`.
    fn new(name: &str) -> Cc<MyClass> {
        Cc::new(MyClass {
            name: name.to_string(),
            other: RefCell::new(None),
        })
    }
}

/// Prints when a value is really freed: by reference counting (at once) or
/// by the cycle collector. It reads only its own fields: in a collected
/// cycle, the `other` object may already be gone.
impl Drop for MyClass {
    fn drop(&mut self) {
        println!("    ({} freed)", self.name);
    }
}

/// ```python
/// obj1 = MyClass()
/// obj2 = MyClass()
/// obj1.other = obj2
/// obj2.other = obj1
/// ```
fn two_object_cycle(name1: &str, name2: &str) -> (Cc<MyClass>, Cc<MyClass>) {
    let obj1 = MyClass::new(name1);
    let obj2 = MyClass::new(name2);
    *obj1.other.borrow_mut() = Some(obj2.clone());
    *obj2.other.borrow_mut() = Some(obj1.clone());
    (obj1, obj2)
}

/// Python's repr of an object, `<tour::MyClass object at 0x55…>`: the
/// `Debug` of a type-erased handle, the kind `gc::referents` returns.
fn repr(obj: &Cc<MyClass>) -> AnyCc {
    AnyCc::from(obj.clone())
}

fn heading(n: u32, title: &str) {
    println!("\n## {n}. {title}\n");
}

/// A statement, printed before it runs (so that what it frees is printed
/// after it).
fn step(statement: &str) {
    println!("{statement}");
}

/// An expression, printed with what it gave.
fn show(expr: &str, value: impl Debug) {
    println!("{expr:<36} -> {value:?}");
}

/// Where the article's claimed output is not what happens.
fn differs(article: &str, reality: &str) {
    println!("\n  article: {article}");
    println!("  reality: {reality}");
}

const REFERENTS_DIFFER: &str =
    "obj1 refers to obj2, so its referents list obj2 (and obj2's list obj1), before\n           \
     a collection and after: get_referents tells what an object refers to, not what\n           \
     was collected. CPython 3.11 prints\n           \
     [<__main__.MyClass object at 0x…>, <class '__main__.MyClass'>]:\n           \
     a Python object also refers to its class, which a Rust value does not have.";

/// The same, in short, for the scenarios after 3.
const REFERENTS_DIFFER_AGAIN: &str =
    "as in 3: obj1 refers to obj2, so its referents list obj2 (CPython's also list\n           \
     the class, <class '__main__.MyClass'>).";

/// `(collections, collected)` of each generation, gained since `before`:
/// the change in `gc::stats()`.
fn stats_since(before: [GenerationStats; 3]) -> [(usize, usize); 3] {
    let now = gc::stats();
    [0, 1, 2].map(|g| {
        (
            now[g].collections - before[g].collections,
            now[g].collected - before[g].collected,
        )
    })
}

/// Scenario 1: a weak reference, before and after the strong one is dropped.
fn scenario_1() {
    heading(1, "Create a weak reference");
    let obj = MyClass::new("obj");
    step("let weak = Cc::downgrade(&obj)");
    let weak = Cc::downgrade(&obj); // ref = weakref.ref(obj)
    show("weak.upgrade()", weak.upgrade().map(AnyCc::from)); // print(ref())
    step("drop(obj)");
    drop(obj); // del obj: the last strong handle goes, the object is freed at once
    show("weak.upgrade()", weak.upgrade().map(AnyCc::from));

    // With a callback, Python's weakref.ref(obj, callback): it runs when the
    // object dies, with every weak reference to it already dead.
    println!();
    let obj = MyClass::new("obj");
    step("let watched = Cc::downgrade_with_callback(&obj, |w| ...)");
    let watched = Cc::downgrade_with_callback(&obj, |w| {
        println!(
            "    (callback: the weak reference gives {:?})",
            w.upgrade().map(AnyCc::from)
        );
    });
    step("drop(obj)");
    drop(obj);
    show("watched.upgrade()", watched.upgrade().map(AnyCc::from));
    differs(
        "print(ref())  # -> <__main__.MyClass object at 0x...>, then None",
        "the same, as CPython's real output shows. In Rust, upgrade() gives an\n           \
         Option<Cc<MyClass>>: Some while a strong handle exists, None after.",
    );
}

/// A cache entry: Python's `MyClass(key)` of scenario 2.
#[derive(Trace)]
struct Cached {
    key: String,
}

/// Scenario 2: a `WeakValueDictionary` as a cache, before and after a value dies.
fn scenario_2() {
    heading(2, "Use WeakValueDictionary as a cache");
    let mut cache: WeakValueDictionary<String, Cached> = WeakValueDictionary::new();
    let obj1 = Cc::new(Cached { key: "obj1".into() });
    let obj2 = Cc::new(Cached { key: "obj2".into() });
    step("cache.insert(obj1.key.clone(), &obj1); cache.insert(obj2.key.clone(), &obj2)");
    cache.insert(obj1.key.clone(), &obj1);
    cache.insert(obj2.key.clone(), &obj2);
    show("cache.get(\"obj1\")", cache.get("obj1").map(AnyCc::from));
    show("cache.len()", cache.len());
    step("drop(obj1)");
    drop(obj1); // del obj1: the cache does not keep it alive
    show("cache.get(\"obj1\")", cache.get("obj1").map(AnyCc::from));
    show("cache.len()", cache.len());
    show("cache.keys()", cache.keys().collect::<Vec<_>>());
    step("drop(obj2)");
    drop(obj2);
    show("cache.is_empty()", cache.is_empty());
    differs(
        "print(cache.get(\"obj1\"))  # -> <__main__.MyClass object at 0x...>, then None",
        "the same. An entry disappears with its value; len() counts live entries only.",
    );
}

/// Scenario 3: a two-object cycle, `gc.collect()`, and what each object refers to.
fn scenario_3() {
    heading(3, "Manually trigger garbage collection");
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("obj1", repr(&obj1));
    show("obj2", repr(&obj2));
    // Both objects still have names (local variables), so the collector
    // finds them reachable and frees nothing.
    show("gc::collect()", gc::collect());
    show("gc::referents(&obj1)", gc::referents(&obj1));
    show("gc::referents(&obj2)", gc::referents(&obj2));
    differs("print(gc.get_referents(obj1))  # -> []", REFERENTS_DIFFER);

    // What the article is after: once the names are gone, only the cycle
    // keeps the two objects alive, and only the collector can free them.
    // A weak reference watches them without keeping them alive.
    println!();
    let weak = Cc::downgrade(&obj1);
    step("drop(obj1); drop(obj2)");
    drop(obj1); // del obj1
    drop(obj2); // del obj2
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    show("gc::collect()", gc::collect());
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
}

/// Scenario 4: `gc.garbage`, empty unless `DebugFlags::SAVEALL` asks the
/// collector to keep what it finds instead of freeing it.
fn scenario_4() {
    heading(4, "Find cyclic references using gc");
    // The article's program: a cycle whose objects still have names, a
    // collection, and a loop over gc.garbage.
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("gc::collect()", gc::collect());
    show("gc::garbage()", gc::garbage());
    differs(
        "for obj in cycle: print(obj)   (implied: the cycle's two objects)",
        "CPython 3.11 prints nothing: gc.garbage is empty. obj1 and obj2 still have\n           \
         names, so they are not garbage; and even garbage does not go to gc.garbage\n           \
         since Python 3.4 (PEP 442): the collector frees it, and gc.garbage receives\n           \
         only what it cannot free (none in cyclegc) or, under DEBUG_SAVEALL,\n           \
         everything it finds.",
    );

    // Dropped, the cycle is garbage; still nothing in gc::garbage(): the
    // collector frees it.
    println!();
    step("drop(obj1); drop(obj2)");
    drop(obj1);
    drop(obj2);
    show("gc::collect()", gc::collect());
    show("gc::garbage()", gc::garbage());

    // With SAVEALL the collector keeps what it finds, alive and intact, in
    // gc::garbage(), in the order found: the way to look at a leak.
    println!();
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("obj1", repr(&obj1));
    show("obj2", repr(&obj2));
    let weak = Cc::downgrade(&obj1);
    step("gc::set_debug(DebugFlags::SAVEALL)");
    gc::set_debug(DebugFlags::SAVEALL);
    step("drop(obj1); drop(obj2)");
    drop(obj1);
    drop(obj2);
    show("gc::collect()", gc::collect());
    step("for obj in gc::garbage() { println!(\"{obj:?}\") }");
    for obj in gc::garbage() {
        println!("    {obj:?}");
    }
    // Alive, but found unreachable: weak references to them are cleared,
    // as CPython clears them.
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    // An `AnyCc` is a handle of any type; downcast it back to read it:
    // the saved objects are intact, links included.
    for (i, obj) in gc::garbage().into_iter().enumerate() {
        let obj: Cc<MyClass> = obj.downcast().expect("a MyClass");
        let other = obj.other.borrow().as_ref().map(|o| o.name.clone());
        show(
            &format!("garbage[{i}] as MyClass: name, other"),
            (&obj.name, other.unwrap_or_default()),
        );
    }

    // Done looking: stop saving, let the list go, and the next collection
    // frees the cycle.
    println!();
    step("gc::set_debug(DebugFlags::empty()); gc::clear_garbage()");
    gc::set_debug(DebugFlags::empty());
    gc::clear_garbage();
    show("gc::collect()", gc::collect());
    show("gc::garbage()", gc::garbage());
}

/// Scenario 5: automatic collection off; the cycle is dropped; an explicit collect
/// still frees it.
fn scenario_5() {
    heading(5, "Disable automatic garbage collection");
    gc::disable();
    show("gc::disable(); gc::is_enabled()", gc::is_enabled());
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    let weak = Cc::downgrade(&obj1);
    step("drop(obj1); drop(obj2)");
    drop(obj1); // del obj1
    drop(obj2); // del obj2
    show("gc::count()", gc::count());

    // Python's `lists = [[] for _ in range(1000)]`: 1000 more tracked
    // objects (a Vec that can hold a `Cc` is tracked, like a Python list).
    // count.0 passes the threshold of 700, but with automatic collection
    // off no collection runs.
    let before = gc::stats();
    step("let lists = 1000 × Cc::new(Vec::new())");
    let lists: Vec<Cc<Vec<Cc<MyClass>>>> = (0..1000).map(|_| Cc::new(Vec::new())).collect();
    show("gc::count()", gc::count());
    show("collections meanwhile", stats_since(before)[0].0);
    step("drop(lists)"); // all freed at once by reference counting
    drop(lists);
    show("gc::count()", gc::count());

    // The cycle is still there; an explicit collection always works.
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    show("gc::collect()", gc::collect());
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    gc::enable();
    show("gc::enable(); gc::is_enabled()", gc::is_enabled());

    differs(
        "print(gc.get_referents(obj1))  # -> []   (after del obj1)",
        "CPython stops there: NameError: name 'obj1' is not defined. In Rust,\n           \
         gc::referents(&obj1) after drop(obj1) does not compile (E0382: borrow of\n           \
         moved value): the borrow checker forbids using a dropped handle. To see\n           \
         whether the object is gone, the tour keeps a Weak and upgrades it.",
    );
}

/// Where the collector's debug lines go in the tour: a buffer, printed to
/// standard output, so that they appear in the tour's output in order. By
/// default (`gc::set_debug_output(std::io::stderr())`) they go to standard
/// error, as CPython's do.
#[derive(Clone, Default)]
struct DebugLines(Rc<RefCell<Vec<u8>>>);

impl Write for DebugLines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl DebugLines {
    /// Prints the lines captured since the last call, indented.
    fn print(&self) {
        let bytes = std::mem::take(&mut *self.0.borrow_mut());
        let text = String::from_utf8_lossy(&bytes);
        println!("  debug output (standard error by default):");
        if text.is_empty() {
            println!("    (none)");
        }
        for line in text.lines() {
            println!("    {line}");
        }
    }
}

/// Scenario 6: `DebugFlags::LEAK`, and the `gc:` lines it really prints.
fn scenario_6() {
    heading(6, "Set debugging flags for gc");
    let lines = DebugLines::default();
    gc::set_debug_output(lines.clone());
    // The article's program: LEAK, "run code that may create cycles"
    // (there is none), collect, print gc.garbage.
    step("gc::set_debug(DebugFlags::LEAK)");
    gc::set_debug(DebugFlags::LEAK);
    show("gc::debug()", gc::debug());
    show("gc::collect()", gc::collect());
    show("gc::garbage()", gc::garbage());
    lines.print();
    differs(
        "print(gc.garbage)   (no output claimed)",
        "CPython 3.11 prints [] and then, on standard error, over 5000 lines like\n           \
         gc: collectable <module 0x…> and <dict 0x…>. None of them come from the\n           \
         program's gc.collect(), which found nothing: they come from the\n           \
         interpreter's own collection at shutdown, which runs with the flags still\n           \
         set and reports the modules and functions torn down. A Rust program has no\n           \
         interpreter to tear down: cyclegc prints lines only for what the program's\n           \
         own collections find. So, below, a cycle to find.",
    );

    // LEAK = COLLECTABLE | UNCOLLECTABLE | SAVEALL: a line per unreachable
    // object (its type and its id, the address in its repr), and the
    // objects kept in gc::garbage(). STATS adds the counts and the time.
    println!();
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("obj1", repr(&obj1));
    show("obj2", repr(&obj2));
    step("drop(obj1); drop(obj2)");
    drop(obj1);
    drop(obj2);
    step("gc::set_debug(DebugFlags::LEAK | DebugFlags::STATS)");
    gc::set_debug(DebugFlags::LEAK | DebugFlags::STATS);
    show("gc::collect()", gc::collect());
    lines.print();
    show("gc::garbage()", gc::garbage());
    println!(
        "\n  (UNCOLLECTABLE would print `gc: uncollectable <...>` for objects the collector\n   \
         cannot free; cyclegc frees every cycle, so it never prints one. The elapsed\n   \
         time differs from run to run.)"
    );

    // Back to the defaults: no flags, lines to standard error, the saved
    // objects let go and freed.
    println!();
    step("gc::set_debug(DebugFlags::empty()); gc::set_debug_output(std::io::stderr())");
    gc::set_debug(DebugFlags::empty());
    gc::set_debug_output(std::io::stderr());
    step("gc::clear_garbage()");
    gc::clear_garbage();
    show("gc::collect()", gc::collect());
}

/// Scenario 7: breaking a cycle by hand (clearing a field) versus letting the
/// collector do it.
fn scenario_7() {
    heading(7, "Manually clear references");
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("obj2", repr(&obj2));
    show("gc::collect()", gc::collect());
    show("gc::collect()", gc::collect());
    show("gc::referents(&obj1)", gc::referents(&obj1));
    differs(
        "print(gc.get_referents(obj1))  # -> []",
        "the article collects twice but clears nothing, so obj1 still refers to obj2.\n           \
         The list is empty only once the reference is cleared by hand, as below.",
    );

    // By hand: `obj1.other = None` breaks the cycle, and reference counting
    // frees both objects the moment the last name goes; the collector has
    // nothing left to do.
    println!();
    step("*obj1.other.borrow_mut() = None");
    *obj1.other.borrow_mut() = None;
    show("gc::referents(&obj1)", gc::referents(&obj1));
    step("drop(obj1)"); // still alive: obj2.other refers to it
    drop(obj1);
    step("drop(obj2)"); // frees obj2, whose `other` frees obj1
    drop(obj2);
    show("gc::collect()", gc::collect());

    // Left to the collector: the cycle outlives its names until a
    // collection finds it.
    println!();
    let (obj3, obj4) = two_object_cycle("obj3", "obj4");
    step("drop(obj3); drop(obj4)   (obj3 <-> obj4, not cleared)");
    drop(obj3);
    drop(obj4);
    show("gc::collect()", gc::collect());
}

/// Scenario 8: a low threshold, and automatic collection firing as objects are
/// allocated.
fn scenario_8() {
    heading(8, "Adjust garbage-collection thresholds");
    // Python's `gc.set_threshold(5)` keeps the other two thresholds; the
    // Rust function takes all three.
    let (_, t1, t2) = gc::threshold();
    gc::set_threshold(5, t1, t2);
    show("gc::set_threshold(5, 10, 10)", gc::threshold());

    // "Run code that may create cycles": four two-object cycles, each
    // dropped at once. Every allocation adds 1 to count.0; the one that
    // takes it past 5 (b3, the 6th) first runs a collection of generation
    // 0, which frees the cycles already dropped.
    let before = gc::stats();
    for i in 1..=4 {
        step(&format!("cycle a{i} <-> b{i}, then drop both"));
        let (a, b) = two_object_cycle(&format!("a{i}"), &format!("b{i}"));
        drop((a, b));
        show("gc::count()", gc::count());
    }
    show("automatic collections of gen. 0", stats_since(before)[0].0);
    show("gc::collect()", gc::collect());

    gc::set_threshold(700, t1, t2);
    show("gc::set_threshold(700, 10, 10)", gc::threshold());
    differs(
        "(no output claimed; CPython prints nothing either)",
        "the threshold works: a collection ran by itself inside the allocation\n           \
         that took count.0 past 5, freeing a1, b1, a2, b2; gc::collect() then freed\n           \
         the two cycles made after it.",
    );
}

/// Scenario 9: a full collection, and how objects move through the generations.
fn scenario_9() {
    heading(9, "Perform generational collection");
    let before = gc::stats();
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    show("gc::count()", gc::count());
    // Collects generations 0, 1 and 2. Both objects survive (they have
    // names) and move to generation 2, the oldest.
    show("gc::collect_generation(2)", gc::collect_generation(2));
    show("gc::count()", gc::count());
    show("gc::referents(&obj1)", gc::referents(&obj1));
    show("gc::referents(&obj2)", gc::referents(&obj2));
    differs("print(gc.get_referents(obj1))  # -> []", REFERENTS_DIFFER_AGAIN);

    // Generations at work: the dropped cycle lives in generation 2, so
    // collections of the younger generations do not look at it. Each
    // collection of generation g resets count.g and adds 1 to count.(g+1).
    println!();
    let weak = Cc::downgrade(&obj1);
    step("drop(obj1); drop(obj2)");
    drop(obj1);
    drop(obj2);
    show("gc::collect_generation(0)", gc::collect_generation(0));
    show("gc::count()", gc::count());
    show("gc::collect_generation(1)", gc::collect_generation(1));
    show("gc::count()", gc::count());
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    show("gc::collect_generation(2)", gc::collect_generation(2));
    show("weak.upgrade().is_some()", weak.upgrade().is_some());
    show("gc::stats() (collections, collected)", stats_since(before));
}

/// Scenario 10: another threshold, then an explicit collection.
fn scenario_10() {
    heading(10, "Change the collection threshold and run collection");
    let (_, t1, t2) = gc::threshold();
    gc::set_threshold(10, t1, t2);
    show("gc::set_threshold(10, 10, 10)", gc::threshold());
    let (obj1, obj2) = two_object_cycle("obj1", "obj2");
    // Two allocations stay under the threshold of 10: no automatic
    // collection; the explicit one finds both objects reachable.
    show("gc::count()", gc::count());
    show("gc::collect()", gc::collect());
    show("gc::referents(&obj1)", gc::referents(&obj1));
    show("gc::referents(&obj2)", gc::referents(&obj2));
    differs("print(gc.get_referents(obj1))  # -> []", REFERENTS_DIFFER_AGAIN);

    println!();
    step("drop(obj1); drop(obj2)");
    drop(obj1);
    drop(obj2);
    show("gc::collect()", gc::collect());
    gc::set_threshold(700, t1, t2);
    show("gc::set_threshold(700, 10, 10)", gc::threshold());
}

/// A widget of the leak hunt: a parent holds its children; each child also
/// holds its parent, through `parent` (the bug) or `parent_weak` (the fix).
#[derive(Trace)]
struct Widget {
    name: String,
    children: RefCell<Vec<Cc<Widget>>>,
    parent: RefCell<Option<Cc<Widget>>>,
    parent_weak: RefCell<Weak<Widget>>,
}

impl Widget {
    fn new(name: &str) -> Cc<Widget> {
        Cc::new(Widget {
            name: name.to_string(),
            children: RefCell::new(Vec::new()),
            parent: RefCell::new(None),
            parent_weak: RefCell::new(Weak::new()),
        })
    }
}

/// Builds a window with two buttons and drops it, keeping only a weak
/// reference to see whether it was freed. `strong_parent` is the bug.
fn build_window(strong_parent: bool) -> Weak<Widget> {
    let window = Widget::new("window");
    for name in ["ok", "cancel"] {
        let button = Widget::new(name);
        if strong_parent {
            *button.parent.borrow_mut() = Some(window.clone());
        } else {
            *button.parent_weak.borrow_mut() = Cc::downgrade(&window);
        }
        window.children.borrow_mut().push(button);
    }
    Cc::downgrade(&window)
}

/// The leak hunt: a small object graph with a hidden cycle, found with
/// `gc::referrers` and a search for a cycle through `gc::referents`, and
/// fixed with a `Weak`.
fn leak_hunt() {
    println!("\n## Leak hunt: a hidden cycle, found and fixed\n");
    // Hunt with automatic collection off, as in a program that leaks
    // faster than the collector runs, or with Rc, where nothing would free it.
    gc::disable();
    step("let window = build_window(true)  // the window is dropped inside");
    let leaked = build_window(true);
    show("window still alive", leaked.upgrade().is_some());
    let suspect = leaked.upgrade().expect("the window leaked");
    let holders: Vec<String> = gc::referrers(&suspect).iter().map(name_of).collect();
    show("who refers to it: gc::referrers", holders);
    show(
        "a path back to it: gc::referents",
        cycle_through(&AnyCc::from(suspect.clone())).join(" -> "),
    );
    drop(suspect);
    println!("the fix: a child keeps a Weak to its parent");
    step("let window = build_window(false)");
    let fixed = build_window(false);
    show("window still alive", fixed.upgrade().is_some());
    gc::enable();
    show("gc::collect() (frees the leaked one)", gc::collect());
    show("leaked window still alive", leaked.upgrade().is_some());
}

/// A widget's name, or the type of any other object.
fn name_of(obj: &AnyCc) -> String {
    match obj.clone().downcast::<Widget>() {
        Ok(widget) => widget.name.clone(),
        Err(other) => other.type_name().to_string(),
    }
}

/// A shortest path from `start` back to itself through `gc::referents`
/// (a breadth-first search), as the names on it; empty if there is none.
fn cycle_through(start: &AnyCc) -> Vec<String> {
    let mut queue = std::collections::VecDeque::from([vec![start.clone()]]);
    let mut seen = std::collections::HashSet::from([start.id()]);
    while let Some(path) = queue.pop_front() {
        let last = path.last().expect("paths are never empty");
        for next in gc::referents(last) {
            if AnyCc::ptr_eq(&next, start) {
                return path.iter().chain([&next]).map(name_of).collect();
            }
            if seen.insert(next.id()) {
                let mut longer = path.clone();
                longer.push(next);
                queue.push_back(longer);
            }
        }
    }
    Vec::new()
}

/// Between scenarios: the previous one left no garbage behind, automatic
/// collection on, the default thresholds, no debug flag and nothing in
/// `gc::garbage()`, so that each scenario starts
/// from `gc::count() == (0, 0, 0)` and prints the same numbers every run.
fn check_clean() {
    assert_eq!(gc::collect(), 0, "a scenario left a cycle behind");
    assert!(gc::is_enabled(), "a scenario left automatic collection off");
    assert_eq!(
        gc::threshold(),
        (700, 10, 10),
        "a scenario changed the thresholds"
    );
    assert_eq!(gc::debug(), DebugFlags::empty(), "a scenario left debug flags on");
    assert!(
        gc::garbage().is_empty(),
        "a scenario left objects in gc::garbage()"
    );
}

fn main() {
    println!("# cyclegc tour: the article's scenarios in Rust");
    println!("(addresses and elapsed times differ from run to run; everything else is the same)");
    // One function per scenario of the article, in its order.
    let scenarios: &[fn()] = &[
        scenario_1,
        scenario_2,
        scenario_3,
        scenario_4,
        scenario_5,
        scenario_6,
        scenario_7,
        scenario_8,
        scenario_9,
        scenario_10,
        leak_hunt,
    ];
    for scenario in scenarios {
        check_clean();
        scenario();
    }
    check_clean();
}
