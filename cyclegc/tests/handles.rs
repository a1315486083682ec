//! Handles beyond `Cc::new`: unsized values (`Cc<dyn Trait>`, `Cc<[T]>`,
//! `Cc<str>`), the rest of `Rc`'s API (`get_mut`, `make_mut`, `try_unwrap`,
//! `into_inner`, `unwrap_or_clone`, `new_cyclic`, `pin`, raw pointers) and
//! the sizes of the handles.

mod common;

use std::cell::{Cell, RefCell};
use std::fmt::{Debug, Display};
use std::rc::Rc;

use common::{count_drop, drops, reset_drops};
use cyclegc::{coerce_cc, gc, AnyCc, Cc, Finalize, Trace, Weak};

trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String;
}

/// A tracked shape that can point at other shapes (so it can be in a cycle).
#[derive(Trace)]
struct Group {
    members: RefCell<Vec<Cc<dyn Shape>>>,
    _drop: Dropped,
}

impl Shape for Group {
    fn area(&self) -> f64 {
        self.members.borrow().iter().map(|m| m.area()).sum()
    }
    fn name(&self) -> String {
        format!("group of {}", self.members.borrow().len())
    }
}

/// A leaf shape.
#[derive(Trace)]
struct Square(f64, Dropped);

impl Shape for Square {
    fn area(&self) -> f64 {
        self.0 * self.0
    }
    fn name(&self) -> String {
        "square".into()
    }
}

/// Counts its drop.
#[derive(Trace, Default)]
struct Dropped;

impl Drop for Dropped {
    fn drop(&mut self) {
        count_drop();
    }
}

fn group() -> Cc<Group> {
    Cc::new(Group {
        members: RefCell::new(Vec::new()),
        _drop: Dropped,
    })
}

#[test]
fn a_dyn_handle_calls_the_concrete_value_and_drops_it_once() {
    reset_drops();
    let s: Cc<dyn Shape> = coerce_cc!(Cc::new(Square(3.0, Dropped)));
    assert_eq!(s.area(), 9.0);
    assert_eq!(Cc::type_name(&s), std::any::type_name::<Square>());
    let s2 = s.clone();
    assert_eq!(Cc::strong_count(&s), 2);
    drop(s);
    assert_eq!(drops(), 0);
    drop(s2);
    assert_eq!(drops(), 1);
}

#[test]
fn a_cycle_through_dyn_handles_is_collected() {
    reset_drops();
    let a = group();
    let b = group();
    a.members.borrow_mut().push(coerce_cc!(b.clone()));
    b.members.borrow_mut().push(coerce_cc!(a.clone()));
    b.members
        .borrow_mut()
        .push(coerce_cc!(Cc::new(Square(1.0, Dropped))));
    let watch: Weak<dyn Shape> = Cc::downgrade(&a.members.borrow()[0]);
    assert_eq!(watch.upgrade().unwrap().name(), "group of 2");
    drop((a, b));
    assert!(watch.upgrade().is_some());
    assert_eq!(gc::collect(), 2);
    assert!(watch.upgrade().is_none());
    assert_eq!(drops(), 3);
}

#[test]
fn referents_see_through_dyn_fields_to_the_concrete_objects() {
    let a = group();
    let sq = Cc::new(Square(2.0, Dropped));
    a.members.borrow_mut().push(coerce_cc!(sq.clone()));
    let found = gc::referents(&a);
    assert_eq!(found.len(), 1);
    assert!(AnyCc::ptr_eq(&found[0], &AnyCc::from(sq.clone())));
    assert_eq!(found[0].type_name(), std::any::type_name::<Square>());
    // and the other way: the concrete object is a referrer of the member
    let dyn_a: Cc<dyn Shape> = coerce_cc!(a.clone());
    let inner = Cc::new(RefCell::new(vec![dyn_a]));
    assert!(gc::referrers(&a).iter().any(|r| r.id() == Cc::id(&inner)));
    assert!(gc::is_tracked(&a.members.borrow()[0]) == gc::is_tracked(&sq));
}

#[test]
fn a_dyn_handle_downcasts_to_its_concrete_type_only() {
    let d: Cc<dyn Debug> = coerce_cc!(Cc::new(String::from("s")));
    let d = Cc::downcast::<u32>(d).unwrap_err();
    let s: Cc<String> = Cc::downcast(d).unwrap();
    assert_eq!(*s, "s");
    let shown: Cc<dyn Display> = coerce_cc!(s.clone());
    let any = AnyCc::from(shown);
    assert!(any.is::<String>());
    assert_eq!(any.downcast_ref::<String>().map(String::as_str), Some("s"));
    assert_eq!(Cc::id(&s), any.id());
}

#[derive(Trace)]
#[trace(finalize)]
struct Noisy(Rc<Cell<usize>>);

impl Finalize for Noisy {
    fn finalize(&self) {
        self.0.set(self.0.get() + 1);
    }
}

impl Display for Noisy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "noisy")
    }
}

#[test]
fn a_finalizer_runs_when_the_last_handle_is_a_dyn_one() {
    let runs = Rc::new(Cell::new(0));
    let d: Cc<dyn Display> = coerce_cc!(Cc::new(Noisy(runs.clone())));
    assert_eq!(d.to_string(), "noisy");
    drop(d);
    assert_eq!(runs.get(), 1);
}

#[test]
fn weak_callbacks_fire_for_an_object_held_as_dyn() {
    let fired = Rc::new(Cell::new(false));
    let flag = fired.clone();
    let d: Cc<dyn Display> = coerce_cc!(Cc::new(7_i64));
    let w = Cc::downgrade_with_callback(&d, move |w| {
        assert!(w.upgrade().is_none());
        flag.set(true);
    });
    assert_eq!(w.upgrade().unwrap().to_string(), "7");
    drop(d);
    assert!(fired.get());
}

#[test]
fn slices_of_handles_are_traced_and_collected() {
    reset_drops();
    let holder = group();
    let members: Cc<[Cc<dyn Shape>]> = vec![
        coerce_cc!(holder.clone()),
        coerce_cc!(Cc::new(Square(1.0, Dropped))),
    ]
    .into();
    assert!(gc::is_tracked(&members));
    assert_eq!(gc::referents(&members).len(), 2);
    // close the cycle: holder -> slice (through a dyn wrapper) -> holder
    #[derive(Trace)]
    struct SliceShape(Cc<[Cc<dyn Shape>]>);
    impl Shape for SliceShape {
        fn area(&self) -> f64 {
            self.0.iter().map(|s| s.area()).sum()
        }
        fn name(&self) -> String {
            "slice".into()
        }
    }
    holder
        .members
        .borrow_mut()
        .push(coerce_cc!(Cc::new(SliceShape(members.clone()))));
    let watch = Cc::downgrade(&members);
    drop((holder, members));
    assert!(watch.upgrade().is_some());
    assert_eq!(gc::collect(), 3); // the group, the slice object, the wrapper
    assert!(watch.upgrade().is_none());
    assert_eq!(drops(), 2); // the group's and the square's `Dropped`
}

#[test]
fn leaf_slices_and_strings_are_untracked_and_read_back() {
    let words: Cc<[String]> = ["a", "bb", "ccc"].iter().map(|s| s.to_string()).collect();
    assert!(!gc::is_tracked(&words));
    assert_eq!(words.iter().map(String::len).sum::<usize>(), 6);
    assert_eq!(AnyCc::from(words.clone()).type_name(), "[alloc::string::String]");
    let empty: Cc<[u64]> = Cc::from(Vec::new());
    assert!(empty.is_empty());
    let zsts: Cc<[()]> = Cc::from(vec![(); 1000]);
    assert_eq!(zsts.len(), 1000);
    let s: Cc<str> = Cc::from("héllo");
    assert_eq!(&*s, "héllo");
    let t: Cc<str> = Cc::from(String::from("héllo"));
    assert_eq!(s, t);
    assert_eq!(AnyCc::from(s.clone()).type_name(), "str");
    assert!(AnyCc::from(t.clone()).is::<str>());
    assert_eq!(format!("{s} {t:?}"), "héllo \"héllo\"");
    let w = Cc::downgrade(&s);
    drop((s, t));
    assert!(w.upgrade().is_none());
}

#[test]
fn slices_of_over_aligned_values_keep_their_alignment() {
    #[derive(Trace, Clone, Copy, PartialEq, Debug)]
    #[repr(align(64))]
    struct Wide(u8);
    let v: Cc<[Wide]> = (0..9).map(Wide).collect();
    assert_eq!(v.as_ptr() as usize % 64, 0);
    assert_eq!(v[8], Wide(8));
    let one = Cc::new(Wide(1));
    assert_eq!(Cc::as_ptr(&one) as usize % 64, 0);
    let raw = Cc::into_raw(one);
    let back = unsafe { Cc::from_raw(raw) };
    assert_eq!(*back, Wide(1));
}

#[test]
fn get_mut_needs_the_only_handle_strong_or_weak() {
    let mut a = Cc::new(vec![1]);
    Cc::get_mut(&mut a).unwrap().push(2);
    assert_eq!(*a, [1, 2]);
    let b = a.clone();
    assert!(Cc::get_mut(&mut a).is_none());
    drop(b);
    let w = Cc::downgrade(&a);
    assert!(Cc::get_mut(&mut a).is_none());
    drop(w);
    assert!(Cc::get_mut(&mut a).is_some());
}

#[derive(Trace)]
struct Node {
    next: RefCell<Option<Cc<Node>>>,
    items: Vec<Cc<Node>>,
    _drop: Dropped,
}

fn node() -> Cc<Node> {
    Cc::new(Node {
        next: RefCell::new(None),
        items: Vec::new(),
        _drop: Dropped,
    })
}

#[test]
fn a_collection_during_get_mut_does_not_read_the_lent_value() {
    reset_drops();
    let mut owner = node();
    let child = node();
    // child <-> its own cycle, held only by `owner.items` once we drop ours
    *child.next.borrow_mut() = Some(child.clone());
    {
        let mut guard = Cc::get_mut(&mut owner).unwrap();
        guard.items.push(child.clone());
        drop(child);
        // The collector cannot look inside `owner` now: what it owns is
        // kept, as for a mutably borrowed RefCell.
        assert_eq!(gc::collect(), 0);
        assert!(gc::referents(&guard.items[0]).len() == 1);
    }
    assert_eq!(gc::referents(&owner).len(), 1);
    drop(owner);
    assert_eq!(gc::collect(), 1); // the self-referencing child
    assert_eq!(drops(), 2);
}

#[test]
fn make_mut_clones_a_shared_value_and_detaches_weak_handles() {
    let mut a = Cc::new(String::from("x"));
    let b = a.clone();
    Cc::make_mut(&mut a).push('y');
    assert_eq!((&*a[..].to_string(), &*b[..].to_string()), ("xy", "x"));
    let w = Cc::downgrade(&a);
    Cc::make_mut(&mut a).push('z');
    assert_eq!(*a, "xyz");
    assert!(w.upgrade().is_none(), "weak handles to the old object are dead");
    let id = Cc::id(&a);
    Cc::make_mut(&mut a).push('!');
    assert_eq!(Cc::id(&a), id, "the only handle mutates in place");
}

#[test]
fn try_unwrap_moves_the_value_out_and_kills_weak_handles() {
    reset_drops();
    let fired = Rc::new(Cell::new(0));
    let flag = fired.clone();
    let a = node();
    let w = Cc::downgrade_with_callback(&a, move |_| flag.set(flag.get() + 1));
    let before = gc::count().0;
    let value = Cc::try_unwrap(a).ok().unwrap();
    assert_eq!(gc::count().0 + 1, before, "the object left its generation");
    assert!(w.upgrade().is_none());
    assert_eq!(fired.get(), 1);
    assert_eq!(drops(), 0);
    drop(value);
    assert_eq!(drops(), 1);

    let b = Cc::new(5);
    let b2 = b.clone();
    let b = Cc::try_unwrap(b).unwrap_err();
    assert_eq!(Cc::into_inner(b), None);
    assert_eq!(Cc::into_inner(b2), Some(5));
    assert_eq!(Cc::unwrap_or_clone(Cc::new(vec![3])), [3]);
}

thread_local! {
    static UNWRAPPED: Cell<Option<bool>> = const { Cell::new(None) };
}

/// In a garbage cycle, its `Drop` tries to take its sibling's value.
#[derive(Trace)]
struct Grabby {
    peer: RefCell<Option<Cc<Grabby>>>,
}

impl Drop for Grabby {
    fn drop(&mut self) {
        if let Some(peer) = self.peer.borrow_mut().take() {
            if Cc::strong_count(&peer) == 1 {
                UNWRAPPED.with(|u| u.set(Some(Cc::try_unwrap(peer).is_ok())));
            }
        }
    }
}

#[test]
fn try_unwrap_never_hands_out_a_value_the_collector_owns() {
    let a = Cc::new(Grabby {
        peer: RefCell::new(None),
    });
    let b = Cc::new(Grabby {
        peer: RefCell::new(Some(a.clone())),
    });
    *a.peer.borrow_mut() = Some(b.clone());
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    assert_eq!(UNWRAPPED.with(Cell::get), Some(false));
}

#[derive(Trace)]
struct Gadget {
    me: Weak<Gadget>,
    seen_inside: bool,
    other: RefCell<Option<Cc<Gadget>>>,
}

#[test]
fn new_cyclic_hands_out_a_weak_that_upgrades_once_built() {
    let g = Cc::new_cyclic(|me| Gadget {
        me: me.clone(),
        seen_inside: me.upgrade().is_some(),
        other: RefCell::new(None),
    });
    assert!(!g.seen_inside);
    assert!(Cc::ptr_eq(&g.me.upgrade().unwrap(), &g));
    assert!(gc::is_tracked(&g));
    assert_eq!(Cc::weak_count(&g), 1);
    let w = g.me.clone();
    drop(g);
    assert!(w.upgrade().is_none());
    // a strong self-reference made after construction is a cycle like any
    let g = Cc::new_cyclic(|me| Gadget {
        me: me.clone(),
        seen_inside: false,
        other: RefCell::new(None),
    });
    *g.other.borrow_mut() = g.me.upgrade();
    let w = g.me.clone();
    drop(g);
    assert!(w.upgrade().is_some());
    assert_eq!(gc::collect(), 1);
    assert!(w.upgrade().is_none());
}

#[test]
fn new_cyclic_that_panics_frees_the_block_once_its_weak_handles_go() {
    let kept: RefCell<Option<Weak<Gadget>>> = RefCell::new(None);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Cc::new_cyclic(|me: &Weak<Gadget>| {
            *kept.borrow_mut() = Some(me.clone());
            panic!("no gadget today")
        })
    }));
    assert!(result.is_err());
    let w = kept.borrow_mut().take().unwrap();
    assert!(w.upgrade().is_none());
    drop(w); // frees the block: LeakSanitizer checks it in CI
}

#[test]
fn pin_and_raw_pointers_round_trip() {
    let p = Cc::pin(String::from("pinned"));
    assert_eq!(&**p, "pinned");
    let d: Cc<dyn Display> = coerce_cc!(Cc::new(12_u16));
    let raw = Cc::into_raw(d);
    let d = unsafe { Cc::<dyn Display>::from_raw(raw) };
    assert_eq!(d.to_string(), "12");

    let a = Cc::new(String::from("w"));
    let w = Cc::downgrade(&a);
    assert!(std::ptr::eq(w.as_ptr(), Cc::as_ptr(&a)));
    let raw = Weak::into_raw(w);
    let w = unsafe { Weak::from_raw(raw) };
    assert_eq!(w.upgrade().as_deref().map(String::as_str), Some("w"));
    drop(a);
    let raw = Weak::into_raw(w);
    let w: Weak<String> = unsafe { Weak::from_raw(raw) };
    assert!(w.upgrade().is_none());
    let none: Weak<String> = unsafe { Weak::from_raw(Weak::into_raw(Weak::new())) };
    assert!(none.upgrade().is_none());
}

#[test]
fn handles_are_as_small_as_rcs() {
    use std::mem::size_of;
    assert_eq!(size_of::<Cc<u64>>(), 8);
    assert_eq!(size_of::<Option<Cc<u64>>>(), 8);
    assert_eq!(size_of::<Weak<u64>>(), 16);
    assert_eq!(size_of::<Cc<dyn Shape>>(), 16);
    assert_eq!(size_of::<Cc<str>>(), 16);
}

/// A wrapper with no bound of its own: `Cc<T>` asks for `Trace` only where
/// a value is made.
struct Handle<T> {
    c: Cc<T>,
}

#[test]
fn a_struct_holding_cc_of_t_needs_no_trace_bound() {
    fn make<T: Trace>(v: T) -> Handle<T> {
        Handle { c: Cc::new(v) }
    }
    fn len<T>(h: &Handle<T>) -> usize {
        Cc::strong_count(&h.c)
    }
    let h = make(3_u8);
    assert_eq!(len(&h), 1);
}
