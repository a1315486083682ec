//! Type-erased weak references (`AnyWeak`), the `weakref` functions on any
//! object, weak containers of unsized and mixed types, and the weak counts
//! of objects whose weak references a collection cleared.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt::Display;
use std::rc::Rc;

use cyclegc::weakref::{self, WeakKeyDictionary, WeakSet, WeakValueDictionary};
use cyclegc::{coerce_cc, gc, AnyCc, AnyWeak, Cc, Finalize, Trace};

#[derive(Trace)]
struct Node {
    next: RefCell<Option<Cc<Node>>>,
}

fn cycle() -> (Cc<Node>, Cc<Node>) {
    let a = Cc::new(Node {
        next: RefCell::new(None),
    });
    let b = Cc::new(Node {
        next: RefCell::new(Some(a.clone())),
    });
    *a.next.borrow_mut() = Some(b.clone());
    (a, b)
}

#[test]
fn an_any_weak_upgrades_while_its_object_lives() {
    let obj = AnyCc::from(Cc::new(String::from("x")));
    let w = obj.downgrade();
    assert_eq!(w.strong_count(), 1);
    assert_eq!(w.weak_count(), 1);
    assert_eq!(w.type_name(), Some("alloc::string::String"));
    assert_eq!(w.id(), Some(obj.id()));
    let up = w.upgrade().unwrap();
    assert!(AnyCc::ptr_eq(&up, &obj));
    drop((up, obj));
    assert!(w.upgrade().is_none());
    assert_eq!(w.strong_count(), 0);
    assert!(format!("{w:?}").ends_with("; dead>"), "{w:?}");
    assert_eq!(AnyWeak::new().upgrade(), None::<AnyCc>);
}

#[test]
fn any_weaks_are_equal_and_hash_alike_by_object() {
    let a = AnyCc::from(Cc::new(1_u32));
    let b = AnyCc::from(Cc::new(1_u32));
    let mut set = HashSet::new();
    set.insert(a.downgrade());
    set.insert(a.downgrade());
    set.insert(b.downgrade());
    assert_eq!(set.len(), 2);
    assert!(set.contains(&a.downgrade()));
    assert_ne!(a.downgrade(), b.downgrade());
    let shown = format!("{:?}", a.downgrade());
    assert!(shown.contains("to 'u32' at 0x"), "{shown}");
}

#[test]
fn an_any_weak_callback_fires_when_a_collected_cycle_dies() {
    let (a, b) = cycle();
    let seen = Rc::new(Cell::new(0));
    let s = seen.clone();
    let w = AnyCc::from(a.clone()).downgrade_with_callback(move |w| {
        assert!(w.upgrade().is_none());
        s.set(s.get() + 1);
    });
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    assert_eq!(seen.get(), 1);
    assert!(w.upgrade().is_none());
}

#[test]
fn finalize_accepts_any_object() {
    let ran = Rc::new(Cell::new(0));
    let r = ran.clone();
    let any = AnyCc::from(Cc::new(5_i8));
    let f1 = weakref::finalize(&any, move || r.set(r.get() + 1));
    let r = ran.clone();
    let shape: Cc<dyn Display> = coerce_cc!(Cc::new(2.5_f32));
    let f2 = weakref::finalize(&shape, move || r.set(r.get() + 10));
    assert_eq!(f1.peek().unwrap().id(), any.id());
    drop(any);
    drop(shape);
    assert_eq!(ran.get(), 11);
    assert!(!f1.alive() && !f2.alive());
}

#[test]
fn getweakrefs_lists_one_reference_per_identity() {
    let obj = Cc::new(String::from("o"));
    assert!(weakref::getweakrefs(&obj).is_empty());
    let plain = [Cc::downgrade(&obj), Cc::downgrade(&obj)];
    assert_eq!(weakref::getweakrefs(&obj).len(), 1);
    let cb = Cc::downgrade_with_callback(&obj, |_| {});
    let cb2 = cb.clone();
    let refs = weakref::getweakrefs(&obj);
    assert_eq!(refs.len(), 2);
    assert!(refs
        .iter()
        .all(|r| r.upgrade().is_some_and(|o| o.id() == Cc::id(&obj))));
    drop(refs);
    drop(plain);
    assert_eq!(weakref::getweakrefs(&obj).len(), 1, "only the callback one");
    drop((cb, cb2));
    assert!(weakref::getweakrefs(&obj).is_empty());
}

thread_local! {
    static SAVED: RefCell<Option<Cc<Phoenix>>> = const { RefCell::new(None) };
}

#[derive(Trace)]
#[trace(finalize)]
struct Phoenix {
    me: RefCell<Option<Cc<Phoenix>>>,
}

impl Finalize for Phoenix {
    fn finalize(&self) {
        let me = self.me.borrow().clone();
        SAVED.with(|s| *s.borrow_mut() = me);
    }
}

#[test]
fn weak_counts_leave_out_references_cleared_before_a_resurrection() {
    // CPython: getweakrefcount(saved) is 0 after the collector cleared the
    // weak references and __del__ resurrected the object.
    let p = Cc::new(Phoenix {
        me: RefCell::new(None),
    });
    *p.me.borrow_mut() = Some(p.clone());
    let w = Cc::downgrade(&p);
    let w_cb = Cc::downgrade_with_callback(&p, |_| {});
    let w2 = w.clone();
    drop(p);
    assert_eq!(gc::collect(), 0, "resurrected: nothing freed");
    let saved = SAVED.with(|s| s.borrow_mut().take()).unwrap();
    assert!(w.upgrade().is_none() && w_cb.upgrade().is_none());
    assert_eq!(weakref::getweakrefcount(&saved), 0);
    assert_eq!(Cc::weak_count(&saved), 0);
    assert!(weakref::getweakrefs(&saved).is_empty());
    let w3 = w.clone(); // a clone of a cleared reference is cleared too
    let fresh = Cc::downgrade(&saved);
    assert_eq!(weakref::getweakrefcount(&saved), 1);
    assert_eq!(fresh.weak_count(), 1);
    drop((w, w2, w3, w_cb));
    assert_eq!(weakref::getweakrefcount(&saved), 1);
    *saved.me.borrow_mut() = None;
    drop(saved);
    assert!(fresh.upgrade().is_none());
}

#[test]
fn weak_counts_leave_out_references_cleared_under_saveall() {
    let (a, b) = cycle();
    let w = Cc::downgrade(&a);
    drop((a, b));
    gc::set_debug(gc::DebugFlags::SAVEALL);
    assert_eq!(gc::collect(), 2);
    gc::set_debug(gc::DebugFlags::empty());
    let saved = gc::garbage();
    let a = saved
        .iter()
        .find(|o| {
            o.downcast_ref::<Node>()
                .is_some_and(|n| std::ptr::eq(n, w.as_ptr()))
        })
        .unwrap();
    assert!(w.upgrade().is_none());
    assert_eq!(weakref::getweakrefcount(a), 0);
    drop(saved);
    gc::clear_garbage();
    drop(w);
    assert_eq!(gc::collect(), 2);
}

trait Named {
    fn name(&self) -> String;
}

impl Named for u8 {
    fn name(&self) -> String {
        format!("u8 {self}")
    }
}

impl Named for String {
    fn name(&self) -> String {
        format!("string {self}")
    }
}

#[test]
fn weak_containers_hold_trait_objects_of_many_types() {
    let a: Cc<dyn Named> = coerce_cc!(Cc::new(7_u8));
    let b: Cc<dyn Named> = coerce_cc!(Cc::new(String::from("s")));
    let mut by_name: WeakValueDictionary<&str, dyn Named> = WeakValueDictionary::new();
    by_name.insert("a", &a);
    by_name.insert("b", &b);
    assert_eq!(by_name.get("b").unwrap().name(), "string s");
    let mut seen: WeakSet<dyn Named> = WeakSet::new();
    seen.insert(&a);
    seen.insert(&b);
    let mut notes: WeakKeyDictionary<dyn Named, &str> = WeakKeyDictionary::new();
    notes.insert(&a, "first");
    assert_eq!(notes.get(&a), Some(&"first"));
    drop(a);
    assert_eq!((by_name.len(), seen.len(), notes.len()), (1, 1, 0));
    let names: Vec<String> = seen.iter().map(|n| n.name()).collect();
    assert_eq!(names, ["string s"]);
}

#[test]
fn weak_containers_of_dyn_any_accept_any_object() {
    let objs = [
        AnyCc::from(Cc::new(1_i64)),
        AnyCc::from(Cc::new(Node {
            next: RefCell::new(None),
        })),
    ];
    let mut set: WeakSet<dyn Any> = WeakSet::new();
    let mut keyed: WeakKeyDictionary<dyn Any, usize> = WeakKeyDictionary::new();
    for (i, o) in objs.iter().enumerate() {
        let as_any = o.to_dyn_any().unwrap();
        set.insert(&as_any);
        keyed.insert(&as_any, i);
    }
    // lookups by identity take any handle to the object
    assert!(set.contains(&objs[0]));
    assert_eq!(keyed.get(&objs[1]), Some(&1));
    let typed: Cc<i64> = objs[0].clone().downcast().unwrap();
    assert!(set.contains(&typed));
    assert!(set.iter().any(|o| o.is::<Node>()));
    assert!(AnyCc::from(Cc::new(vec![1])).to_dyn_any().is_some());
    let slice: Cc<[u8]> = Cc::from(vec![1, 2]);
    assert!(
        AnyCc::from(slice).to_dyn_any().is_none(),
        "a slice is not a dyn Any"
    );
    drop(objs);
    drop(typed);
    assert_eq!((set.len(), keyed.len()), (0, 0));
}
