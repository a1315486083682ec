//! Traced closures (`cyclegc::closure`, issue 8): a DOM whose nodes hold
//! event listeners that capture the form they belong to, so every cycle
//! goes through a closure. With the listeners in a skipped
//! `Box<dyn Fn(&Event)>` the collector cannot see the cycle and the form
//! leaks; with `Closure` it is collected like any other cycle.
//!
//! Every test runs on its own thread, so on its own collector and drop
//! counter, and starts with [`fresh`] anyway.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cyclegc::{gc, AnyCc, Cc, Closure, ClosureMut, Trace, Weak};

mod common;
use common::{count_drop, drops, reset_drops};

// ---- support ----------------------------------------------------------------

/// Automatic collection off (the tests decide when to collect), no
/// leftovers from earlier in the thread, the drop counter at 0.
fn fresh() {
    gc::disable();
    gc::collect();
    assert!(
        gc::objects(None).is_empty(),
        "a test thread starts with no object"
    );
    reset_drops();
}

/// What the listeners receive; never stored, so it needs no `Trace`.
struct Event {
    kind: &'static str,
}

fn click() -> Event {
    Event { kind: "click" }
}

/// An event listener, traced: what [`BoxedListener`] was.
type Listener = Closure<fn(&Event)>;

/// An event listener that the collector cannot see into.
type BoxedListener = Box<dyn Fn(&Event)>;

/// A DOM node whose listeners are traced closures.
#[derive(Trace)]
struct Node {
    name: &'static str,
    children: RefCell<Vec<Cc<Node>>>,
    listeners: RefCell<Vec<Listener>>,
    /// What listeners wrote here, as `"<node>: <event>"`.
    log: RefCell<Vec<String>>,
}

impl Node {
    fn new(name: &'static str) -> Cc<Node> {
        Cc::new(Node {
            name,
            children: RefCell::default(),
            listeners: RefCell::default(),
            log: RefCell::default(),
        })
    }

    fn dispatch(&self, event: &Event) {
        for listener in self.listeners.borrow().iter() {
            listener.call(event);
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        count_drop();
    }
}

/// The same node with its listeners in a skipped `Box<dyn Fn(&Event)>`:
/// what users write when a closure cannot be traced.
#[derive(Trace)]
struct LeakyNode {
    name: &'static str,
    children: RefCell<Vec<Cc<LeakyNode>>>,
    #[trace(skip)]
    listeners: RefCell<Vec<BoxedListener>>,
    log: RefCell<Vec<String>>,
}

impl LeakyNode {
    fn new(name: &'static str) -> Cc<LeakyNode> {
        Cc::new(LeakyNode {
            name,
            children: RefCell::default(),
            listeners: RefCell::default(),
            log: RefCell::default(),
        })
    }

    fn dispatch(&self, event: &Event) {
        for listener in self.listeners.borrow().iter() {
            listener(event);
        }
    }
}

impl Drop for LeakyNode {
    fn drop(&mut self) {
        count_drop();
    }
}

const FIELDS: [&str; 3] = ["name", "email", "submit"];

/// A form with one child per [`FIELDS`] entry; the form and every field
/// listen with a traced closure that captures the form.
fn traced_form() -> Cc<Node> {
    let form = Node::new("form");
    for name in FIELDS {
        let field = Node::new(name);
        field
            .listeners
            .borrow_mut()
            .push(Closure::new((form.clone(), name), |(form, name), event| {
                form.log.borrow_mut().push(format!("{name}: {}", event.kind));
            }));
        form.children.borrow_mut().push(field);
    }
    form.listeners
        .borrow_mut()
        .push(Closure::new(form.clone(), |form, event| {
            form.log
                .borrow_mut()
                .push(format!("{}: {}", form.name, event.kind));
        }));
    form
}

/// [`traced_form`] with skipped boxed listeners.
fn leaky_form() -> Cc<LeakyNode> {
    let form = LeakyNode::new("form");
    for name in FIELDS {
        let field = LeakyNode::new(name);
        let captured = form.clone();
        field.listeners.borrow_mut().push(Box::new(move |event: &Event| {
            captured.log.borrow_mut().push(format!("{name}: {}", event.kind));
        }));
        form.children.borrow_mut().push(field);
    }
    let captured = form.clone();
    form.listeners.borrow_mut().push(Box::new(move |event: &Event| {
        captured
            .log
            .borrow_mut()
            .push(format!("{}: {}", captured.name, event.kind));
    }));
    form
}

/// Weak handles to a form and all its fields.
fn watch<T: Trace>(form: &Cc<T>, children: &RefCell<Vec<Cc<T>>>) -> Vec<Weak<T>> {
    let mut all = vec![Cc::downgrade(form)];
    all.extend(children.borrow().iter().map(Cc::downgrade));
    all
}

/// `T::IS_LEAF`, read at run time so that a wrong value fails one test
/// instead of the build.
fn is_leaf<T: Trace>() -> bool {
    T::IS_LEAF
}

fn alive<T: Trace>(watched: &[Weak<T>]) -> usize {
    watched.iter().filter(|w| w.upgrade().is_some()).count()
}

// ---- the leak, and the fix ------------------------------------------------------

#[test]
fn skipped_boxed_listeners_leak_the_form_and_its_fields() {
    fresh();
    let form = leaky_form();
    for field in form.children.borrow().iter() {
        field.dispatch(&click());
    }
    form.dispatch(&click());
    assert_eq!(
        *form.log.borrow(),
        ["name: click", "email: click", "submit: click", "form: click"]
    );
    let watched = watch(&form, &form.children);

    drop(form);
    assert_eq!(gc::collect(), 0, "the collector cannot see the cycle");
    assert_eq!(alive(&watched), 1 + FIELDS.len(), "the form and its fields leak");
    assert_eq!(drops(), 0);

    let form = watched[0].upgrade().unwrap();
    assert_eq!(
        Cc::strong_count(&form),
        1 + 1 + FIELDS.len(),
        "ours and four listeners'"
    );
    assert!(
        gc::referrers(&form).is_empty(),
        "no owner of the form is visible to the collector"
    );

    // Break the cycle by hand, or it outlives the test.
    form.listeners.borrow_mut().clear();
    for field in form.children.borrow().iter() {
        field.listeners.borrow_mut().clear();
    }
    drop(form);
    assert_eq!(alive(&watched), 0);
    assert_eq!(drops(), 1 + FIELDS.len());
    assert_eq!(gc::collect(), 0);
}

#[test]
fn traced_listeners_are_collected_with_their_cycle() {
    fresh();
    let form = traced_form();
    for field in form.children.borrow().iter() {
        field.dispatch(&click());
    }
    form.dispatch(&click());
    assert_eq!(
        *form.log.borrow(),
        ["name: click", "email: click", "submit: click", "form: click"]
    );
    let watched = watch(&form, &form.children);
    assert_eq!(
        gc::referrers(&form).len(),
        1 + FIELDS.len(),
        "the form and each field refer to the form"
    );

    drop(form);
    assert_eq!(
        alive(&watched),
        1 + FIELDS.len(),
        "a cycle outlives its last owner"
    );
    assert_eq!(drops(), 0);
    assert_eq!(gc::collect(), 1 + FIELDS.len(), "the form and its fields");
    assert_eq!(alive(&watched), 0);
    assert_eq!(drops(), 1 + FIELDS.len(), "every node dropped");
    assert_eq!(gc::collect(), 0);
    assert_eq!(drops(), 1 + FIELDS.len(), "and dropped once");
}

// ---- what the collector sees ---------------------------------------------------

#[test]
fn referents_of_a_node_include_the_handle_its_listener_captured() {
    fresh();
    let form = Node::new("form");
    let field = Node::new("field");
    let other = Node::new("other");
    field.listeners.borrow_mut().push(Closure::new(
        (form.clone(), Cc::downgrade(&other), other.clone()),
        |_, _| {},
    ));

    // Each captured `Cc` once, in the order of the captures; the `Weak` is
    // no referent.
    let referents = gc::referents(&field);
    assert_eq!(referents.len(), 2);
    assert!(AnyCc::ptr_eq(&referents[0], &AnyCc::from(form.clone())));
    assert!(AnyCc::ptr_eq(&referents[1], &AnyCc::from(other.clone())));

    let referrers = gc::referrers(&form);
    assert_eq!(referrers.len(), 1);
    assert!(AnyCc::ptr_eq(&referrers[0], &AnyCc::from(field.clone())));
}

#[test]
fn a_value_holding_a_closure_is_tracked_whatever_it_captures() {
    fresh();
    assert!(!is_leaf::<Closure<fn()>>());
    assert!(!is_leaf::<ClosureMut<fn()>>());
    assert!(gc::is_tracked(&Cc::new(Closure::<fn() -> u8>::new(
        1u8,
        |one, ()| *one
    ))));
    assert!(gc::is_tracked(&Cc::new(ClosureMut::<fn()>::from_fn(|()| {}))));
}

#[test]
fn a_closure_in_a_cc_that_captures_its_own_cc_is_collected() {
    fresh();
    type Slot = RefCell<Option<Closure<fn() -> usize>>>;
    let slot: Cc<Slot> = Cc::new(RefCell::new(None));
    *slot.borrow_mut() = Some(Closure::new(slot.clone(), |slot, ()| Cc::strong_count(slot)));
    assert_eq!(slot.borrow().as_ref().unwrap().call(()), 2);

    let weak = Cc::downgrade(&slot);
    drop(slot);
    assert!(weak.upgrade().is_some());
    assert_eq!(gc::collect(), 1);
    assert!(weak.upgrade().is_none());
}

// ---- weak captures ----------------------------------------------------------------

#[test]
fn a_weak_capture_does_not_keep_its_target_alive() {
    fresh();
    let form = Node::new("form");
    let field = Node::new("field");
    form.children.borrow_mut().push(field.clone());
    field
        .listeners
        .borrow_mut()
        .push(Closure::new(Cc::downgrade(&form), |form, event| {
            if let Some(form) = form.upgrade() {
                form.log.borrow_mut().push(event.kind.to_string());
            }
        }));
    field.dispatch(&click());
    assert_eq!(*form.log.borrow(), ["click"]);
    assert!(gc::referents(&field).is_empty());

    let form_watch = Cc::downgrade(&form);
    drop(form);
    assert!(
        form_watch.upgrade().is_none(),
        "freed by its refcount, no collection needed"
    );
    assert_eq!(drops(), 1);
    field.dispatch(&click()); // finds the form gone
    let listeners = field.listeners.borrow();
    assert!(listeners[0].captures::<Weak<Node>>().unwrap().upgrade().is_none());
    assert_eq!(gc::collect(), 0);
}

#[test]
fn a_weak_callback_captured_by_garbage_does_not_run() {
    fresh();
    let calls = Rc::new(Cell::new(0));
    let form = Node::new("form");
    let field = Node::new("field");
    form.children.borrow_mut().push(field.clone());
    let counter = calls.clone();
    let on_death = Cc::downgrade_with_callback(&form, move |_| counter.set(counter.get() + 1));
    // One listener closes the cycle; the other captures only the weak
    // reference, a leaf that the collector must still be shown.
    let mut listeners = field.listeners.borrow_mut();
    listeners.push(Closure::new(form.clone(), |_, _| {}));
    listeners.push(Closure::new(on_death, |_, _| {}));
    drop(listeners);

    // The weak reference belongs to the garbage, as its referent does:
    // CPython clears such callbacks uncalled, and so must a closure's.
    drop((form, field));
    assert_eq!(gc::collect(), 2);
    assert_eq!(calls.get(), 0);
}

#[test]
fn a_weak_callback_captured_by_a_live_closure_runs() {
    fresh();
    let calls = Rc::new(Cell::new(0));
    let form = Node::new("form");
    let field = Node::new("field");
    let counter = calls.clone();
    let on_death = Cc::downgrade_with_callback(&form, move |_| counter.set(counter.get() + 1));
    field
        .listeners
        .borrow_mut()
        .push(Closure::new(on_death, |_, _| {}));
    drop(form);
    assert_eq!(calls.get(), 1);
    assert_eq!(gc::collect(), 0);
}

// ---- signatures -----------------------------------------------------------------

#[test]
fn closures_return_values() {
    fresh();
    let form = Node::new("form");
    // `true`: handled, stop propagating.
    type Handler = Closure<fn(&Event) -> bool>;
    let handlers: Vec<Handler> = vec![
        Closure::from_fn(|event| event.kind == "key"),
        Closure::new(form.clone(), |form, event| {
            form.log.borrow_mut().push(event.kind.to_string());
            true
        }),
        Closure::from_fn(|_| unreachable!("propagation stopped")),
    ];
    assert!(handlers.iter().any(|h| h.call(&click())));
    assert_eq!(*form.log.borrow(), ["click"]);

    let name_len: Closure<fn() -> usize> = Closure::new(form, |form, ()| form.name.len());
    assert_eq!(name_len.call(()), 4);
}

#[test]
fn closures_take_arguments_by_value_and_by_reference() {
    fresh();
    let prefix = Cc::new(String::from("> "));

    let by_value: Closure<fn(String) -> String> = Closure::new(prefix.clone(), |prefix, mut line| {
        line.insert_str(0, prefix);
        line
    });
    assert_eq!(by_value.call(String::from("hello")), "> hello");

    // A fn item: the signature goes on the call.
    let unsized_ref = Closure::<fn(&str) -> usize>::from_fn(str::len);
    assert_eq!(unsized_ref.call("four"), 4);

    let by_mut_ref: Closure<fn(&mut Vec<String>)> = Closure::new(prefix.clone(), |prefix, out| {
        out.push(prefix.to_string());
    });
    let mut out = Vec::new();
    by_mut_ref.call(&mut out);
    assert_eq!(out, ["> "]);
}

#[test]
fn closures_take_several_arguments() {
    fresh();
    let form = Node::new("form");
    type Append = Closure<fn(&mut Vec<String>, &Event, usize) -> usize>;
    let append: Append = Closure::new(form.clone(), |form, (out, event, times)| {
        for _ in 0..times {
            out.push(format!("{}: {}", form.name, event.kind));
        }
        out.len()
    });
    let mut out = Vec::new();
    assert_eq!(append.call((&mut out, &click(), 2)), 2);
    assert_eq!(out, ["form: click", "form: click"]);

    let add: Closure<fn(u64, u64) -> u64> = Closure::from_fn(|(a, b)| a + b);
    assert_eq!(add.call((40, 2)), 42);
}

// ---- ClosureMut -------------------------------------------------------------------

/// Handles a key press; returns how many keys it has handled.
type KeyHandler = ClosureMut<fn(char) -> usize>;

/// A node with one stateful key handler.
#[derive(Trace)]
struct Input {
    text: RefCell<String>,
    on_key: RefCell<Option<KeyHandler>>,
}

impl Drop for Input {
    fn drop(&mut self) {
        count_drop();
    }
}

#[test]
fn closure_mut_mutates_its_captures() {
    fresh();
    let input = Cc::new(Input {
        text: RefCell::default(),
        on_key: RefCell::new(None),
    });
    // Captures: the input (a cycle) and a count of keys seen, the state.
    *input.on_key.borrow_mut() = Some(ClosureMut::new((input.clone(), 0usize), |(input, keys), key| {
        input.text.borrow_mut().push(key);
        *keys += 1;
        *keys
    }));
    let press = |key| input.on_key.borrow_mut().as_mut().unwrap().call(key);
    assert_eq!(press('h'), 1);
    assert_eq!(press('i'), 2);
    assert_eq!(*input.text.borrow(), "hi");
    let state = input.on_key.borrow();
    let (_, keys) = state.as_ref().unwrap().captures::<(Cc<Input>, usize)>().unwrap();
    assert_eq!(*keys, 2);
    drop(state);

    let watch = Cc::downgrade(&input);
    drop(input);
    assert_eq!(gc::collect(), 1);
    assert!(watch.upgrade().is_none());
    assert_eq!(drops(), 1);
}

#[test]
fn a_closure_turned_closure_mut_keeps_its_captures_traced() {
    fresh();
    let input = Cc::new(Input {
        text: RefCell::default(),
        on_key: RefCell::new(None),
    });
    let echo: Closure<fn(char) -> usize> = Closure::new(input.clone(), |input, key| {
        input.text.borrow_mut().push(key);
        input.text.borrow().len()
    });
    *input.on_key.borrow_mut() = Some(ClosureMut::from(echo));
    assert_eq!(input.on_key.borrow_mut().as_mut().unwrap().call('x'), 1);
    assert_eq!(gc::referents(&input).len(), 1);

    drop(input);
    assert_eq!(gc::collect(), 1);
    assert_eq!(drops(), 1);
}

// ---- calls and collections ----------------------------------------------------------

#[test]
fn a_listener_stored_in_its_cycle_can_run_a_collection() {
    fresh();
    let form = Node::new("form");
    let field = Node::new("field");
    form.children.borrow_mut().push(field.clone());
    field
        .listeners
        .borrow_mut()
        .push(Closure::new(form.clone(), |form, event| {
            // The listeners' `RefCell` is borrowed for this call; the
            // collector reads through the shared borrow and finds the form
            // reachable from the field, which the caller holds.
            assert_eq!(gc::collect(), 0);
            form.log.borrow_mut().push(event.kind.to_string());
        }));
    drop(form);

    field.dispatch(&click());
    let form = field.listeners.borrow()[0]
        .captures::<Cc<Node>>()
        .unwrap()
        .clone();
    assert_eq!(*form.log.borrow(), ["click"]);
    assert_eq!(drops(), 0);

    drop((form, field));
    assert_eq!(gc::collect(), 2);
    assert_eq!(drops(), 2);
}

#[test]
fn a_closure_mut_called_during_a_collection_keeps_its_captures() {
    fresh();
    let input = Cc::new(Input {
        text: RefCell::default(),
        on_key: RefCell::new(None),
    });
    let other = Cc::new(Input {
        text: RefCell::default(),
        on_key: RefCell::new(None),
    });
    // `other` is owned only by `input`'s handler, which is mutably
    // borrowed while it runs: the collector cannot read it then, and
    // must keep everything it might own.
    *input.on_key.borrow_mut() = Some(ClosureMut::new(
        (input.clone(), Some(other.clone())),
        |(_, other), key| {
            assert_eq!(gc::collect(), 0);
            let other = other.as_ref().unwrap();
            other.text.borrow_mut().push(key);
            other.text.borrow().len()
        },
    ));
    let other_watch = Cc::downgrade(&other);
    drop(other);

    assert_eq!(input.on_key.borrow_mut().as_mut().unwrap().call('k'), 1);
    assert_eq!(*other_watch.upgrade().unwrap().text.borrow(), "k");
    assert_eq!(drops(), 0);

    drop(input);
    assert_eq!(gc::collect(), 2, "the input and the one only its handler owned");
    assert_eq!(drops(), 2);
}

// ---- Debug ----------------------------------------------------------------------------

#[test]
fn debug_names_the_closure_and_its_captures_type() {
    fresh();
    let listener: Closure<fn(&Event)> = Closure::new(Node::new("form"), |_, _| {});
    let shown = format!("{listener:?}");
    assert!(shown.starts_with("Closure<"), "{shown}");
    assert!(shown.contains("Event"), "{shown}");
    assert!(shown.contains("Cc<closures::Node>"), "{shown}");

    let counter: ClosureMut<fn()> = ClosureMut::new(0u32, |n, ()| *n += 1);
    let shown = format!("{counter:?}");
    assert!(shown.starts_with("ClosureMut<"), "{shown}");
    assert!(shown.contains("captures: u32"), "{shown}");
}
