//! `weakref::finalize`: call a function when an object dies.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::rc::{self, Rc};

use crate::any::AnyCc;
use crate::any_weak::AnyWeak;
use crate::collector::report_unraisable;
use crate::gc::AsObject;

/// A finalizer's function.
type Func = Box<dyn FnOnce()>;

/// The registry of live finalizers, by creation index: what keeps a
/// finalizer alive when its handle is dropped, as Python's
/// `finalize._registry`. Never destroyed (no drop), so that it is usable
/// from the thread's exit hook whatever order thread-locals go in.
struct Registry {
    live: RefCell<BTreeMap<u64, Rc<Entry>>>,
    next_index: Cell<u64>,
}

thread_local! {
    static REGISTRY: ManuallyDrop<Registry> = const {
        ManuallyDrop::new(Registry { live: RefCell::new(BTreeMap::new()), next_index: Cell::new(0) })
    };
}

/// One finalizer.
struct Entry {
    index: u64,
    func: RefCell<Option<Func>>,
    atexit: Cell<bool>,
    /// The weak reference whose callback fires the finalizer; also how
    /// `peek` reaches the object.
    watch: RefCell<Option<AnyWeak>>,
}

impl Entry {
    /// Unregisters the finalizer and hands back its function, once.
    fn take(&self) -> Option<Func> {
        let func = self.func.borrow_mut().take()?;
        let entry = REGISTRY.with(|r| r.live.borrow_mut().remove(&self.index));
        // Dropping the weak reference outside any borrow: its callback can
        // no longer fire, and its drop may free the watched block.
        let watch = self.watch.borrow_mut().take();
        drop(watch);
        drop(entry);
        Some(func)
    }
}

/// A handle to a finalizer made by [`finalize`]: Python's
/// `weakref.finalize` object.
///
/// Dropping the handle does not cancel the finalizer: the thread's
/// registry keeps it until it runs or is detached, as in Python. Clones
/// are handles to the same finalizer.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use cyclegc::{weakref, Cc};
///
/// let ran = Rc::new(Cell::new(false));
/// let flag = ran.clone();
/// let obj = Cc::new(vec![1, 2, 3]);
/// let f = weakref::finalize(&obj, move || flag.set(true));
/// let g = f.clone();
/// drop(f); // not a cancellation
/// drop(obj);
/// assert!(ran.get());
/// assert!(!g.alive()); // every handle sees it has run
/// ```
#[derive(Clone)]
pub struct Finalizer {
    entry: Rc<Entry>,
}

/// Calls `func` once, when `obj`'s object dies (its last strong handle goes,
/// or a collection frees it), or at the latest when
/// [`run_exit_finalizers`] runs: at the exit of the thread that made it,
/// behind the default feature `atexit`, or when called. Python's
/// `weakref.finalize(obj, func)`.
///
/// `func` must not own a strong handle to the object (nor anything that
/// leads to one): the object would then never die, and the finalizer
/// would only run at exit. As Python's docs warn, capture what the cleanup
/// needs, not the object.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use cyclegc::{weakref, Cc};
///
/// let closed = Rc::new(Cell::new(false));
/// let flag = closed.clone();
/// let file = Cc::new(String::from("data.txt"));
/// let f = weakref::finalize(&file, move || flag.set(true));
/// assert!(f.alive());
/// drop(file);
/// assert!(closed.get());
/// assert!(!f.alive());
/// ```
#[doc(alias = "weakref.finalize")]
pub fn finalize(obj: &impl AsObject, func: impl FnOnce() + 'static) -> Finalizer {
    let index = REGISTRY.with(|r| {
        let i = r.next_index.get();
        r.next_index.set(i + 1);
        i
    });
    let entry = Rc::new(Entry {
        index,
        func: RefCell::new(Some(Box::new(func))),
        atexit: Cell::new(true),
        watch: RefCell::new(None),
    });
    let on_death = Rc::downgrade(&entry);
    let watch = crate::object::any_of(obj).downgrade_with_callback(move |_| fire(&on_death));
    *entry.watch.borrow_mut() = Some(watch);
    REGISTRY.with(|r| r.live.borrow_mut().insert(index, entry.clone()));
    // Even without the `atexit` feature: at thread exit the registry's
    // leftovers are dropped there.
    crate::collector::register_thread_exit_hook();
    Finalizer { entry }
}

/// The watched object died: run the finalizer if it is still registered.
fn fire(entry: &rc::Weak<Entry>) {
    if let Some(entry) = entry.upgrade() {
        if let Some(func) = entry.take() {
            func();
        }
    }
}

impl Finalizer {
    /// Whether the finalizer is still registered (not yet run or detached).
    ///
    /// ```
    /// use cyclegc::{weakref, Cc};
    /// let obj = Cc::new(1);
    /// let f = weakref::finalize(&obj, || {});
    /// assert!(f.alive());
    /// drop(obj); // runs it
    /// assert!(!f.alive());
    ///
    /// let obj = Cc::new(2);
    /// let g = weakref::finalize(&obj, || {});
    /// g.detach();
    /// assert!(!g.alive());
    /// ```
    pub fn alive(&self) -> bool {
        self.entry.func.borrow().is_some()
    }

    /// Runs the finalizer now if it is alive; returns whether it ran. It
    /// never runs again afterwards.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use cyclegc::{weakref, Cc};
    /// let hits = Rc::new(Cell::new(0));
    /// let h = hits.clone();
    /// let obj = Cc::new(0u8);
    /// let f = weakref::finalize(&obj, move || h.set(h.get() + 1));
    /// assert!(f.call());
    /// assert!(!f.call());
    /// drop(obj);
    /// assert_eq!(hits.get(), 1);
    /// ```
    pub fn call(&self) -> bool {
        match self.entry.take() {
            Some(func) => {
                func();
                true
            }
            None => false,
        }
    }

    /// Unregisters the finalizer and returns its function without calling
    /// it, if it was alive.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use cyclegc::{weakref, Cc};
    ///
    /// let ran = Rc::new(Cell::new(false));
    /// let flag = ran.clone();
    /// let obj = Cc::new(String::from("tmp"));
    /// let f = weakref::finalize(&obj, move || flag.set(true));
    /// let func = f.detach().expect("it was alive");
    /// assert!(f.detach().is_none()); // once only
    /// drop(obj);
    /// assert!(!ran.get()); // detached: the object's death does not call it
    /// func(); // the caller may still run it
    /// assert!(ran.get());
    /// ```
    pub fn detach(&self) -> Option<Box<dyn FnOnce()>> {
        self.entry.take()
    }

    /// The object, if the finalizer is alive and the object too. Python's
    /// `peek()` also returns the function and its arguments; here they are
    /// in the closure, which [`detach`](Finalizer::detach) hands back.
    ///
    /// ```
    /// use cyclegc::{weakref, Cc};
    /// let obj = Cc::new(5_u32);
    /// let f = weakref::finalize(&obj, || {});
    /// let seen = f.peek().unwrap();
    /// assert_eq!(seen.id(), Cc::id(&obj));
    /// assert_eq!(seen.downcast_ref::<u32>(), Some(&5));
    /// drop((seen, obj));
    /// assert!(f.peek().is_none());
    /// ```
    pub fn peek(&self) -> Option<AnyCc> {
        if !self.alive() {
            return None;
        }
        self.entry.watch.borrow().as_ref()?.upgrade()
    }

    /// Whether [`run_exit_finalizers`] runs this finalizer (the default).
    ///
    /// ```
    /// use cyclegc::{weakref, Cc};
    /// let obj = Cc::new(1);
    /// let f = weakref::finalize(&obj, || {});
    /// assert!(f.atexit());
    /// ```
    pub fn atexit(&self) -> bool {
        self.entry.atexit.get()
    }

    /// Sets whether [`run_exit_finalizers`] runs this finalizer. One that
    /// does not stays registered, and still runs if its object dies.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use cyclegc::{weakref, Cc};
    ///
    /// let ran = Rc::new(RefCell::new(Vec::new()));
    /// let (r1, r2) = (ran.clone(), ran.clone());
    /// let (log, cache) = (Cc::new(1), Cc::new(2));
    /// let flush = weakref::finalize(&log, move || r1.borrow_mut().push("flush log"));
    /// let evict = weakref::finalize(&cache, move || r2.borrow_mut().push("evict cache"));
    /// evict.set_atexit(false); // pointless at exit
    ///
    /// weakref::run_exit_finalizers();
    /// assert_eq!(*ran.borrow(), ["flush log"]);
    /// assert!(!flush.alive() && evict.alive());
    /// drop(cache);
    /// assert_eq!(*ran.borrow(), ["flush log", "evict cache"]);
    /// # drop(log);
    /// ```
    pub fn set_atexit(&self, atexit: bool) {
        self.entry.atexit.set(atexit)
    }
}

impl fmt::Debug for Finalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finalizer")
            .field("alive", &self.alive())
            .field("atexit", &self.atexit())
            .finish()
    }
}

/// Runs every live finalizer whose `atexit` is true, newest first, as
/// Python does at interpreter exit; finalizers that these register run too.
/// A panicking finalizer is reported on standard error and the others
/// still run.
///
/// Behind the default feature `atexit`, it runs by itself when the thread
/// that made the finalizers exits (for the main thread: when the program
/// exits), before the thread's last collection.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use cyclegc::{weakref, Cc};
///
/// let order = Rc::new(RefCell::new(Vec::new()));
/// let obj = Cc::new(1);
/// let (o1, o2) = (order.clone(), order.clone());
/// let _f1 = weakref::finalize(&obj, move || o1.borrow_mut().push("f1"));
/// let _f2 = weakref::finalize(&obj, move || o2.borrow_mut().push("f2"));
/// weakref::run_exit_finalizers();
/// assert_eq!(*order.borrow(), ["f2", "f1"]);
/// ```
#[doc(alias = "atexit")]
pub fn run_exit_finalizers() {
    loop {
        let next = REGISTRY.with(|r| {
            r.live
                .borrow()
                .values()
                .rev()
                .find(|e| e.atexit.get() && e.func.borrow().is_some())
                .cloned()
        });
        let Some(entry) = next else { break };
        let Some(func) = entry.take() else { continue };
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(func)) {
            let at = Rc::as_ptr(&entry) as usize;
            report_unraisable(format_args!("<finalize object at {at:#x}>"), &payload);
        }
    }
}

/// At thread exit, after the exit finalizers: drops what is left of the
/// registry (finalizers whose `atexit` is false), so their functions are
/// not leaked.
pub(crate) fn drop_remaining_finalizers() {
    let rest = REGISTRY.with(|r| std::mem::take(&mut *r.live.borrow_mut()));
    for entry in rest.values() {
        drop(entry.watch.borrow_mut().take());
    }
    drop(rest);
}
