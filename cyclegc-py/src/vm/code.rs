//! Code objects: a function's body with the result of the scope analysis
//! (which names are local, global, shared with nested functions through
//! cells, or free), done once per `def` site, as CPython's symtable does
//! at compile time.

use std::collections::HashSet as StdHashSet;
use std::hash::BuildHasherDefault;

use rustpython_parser::ast::{self, Expr, Stmt};

use crate::object::{FxHasher, Name};

/// A set of names, hashed as cheaply as the frames' maps are: name
/// resolution asks these sets on every access of a global from a function.
pub type HashSet<K> = StdHashSet<K, BuildHasherDefault<FxHasher>>;

/// The body of a function.
pub enum Body {
    /// A `def`'s statements.
    Stmts(Vec<Stmt>),
    /// A `lambda`'s expression.
    Expr(Box<Expr>),
}

/// One parameter.
pub struct Param {
    /// Its name.
    pub name: Name,
    /// Whether it has a default value.
    pub has_default: bool,
}

/// A function's compiled form.
pub struct Code {
    /// `__name__`.
    pub name: Name,
    /// Positional parameters (positional-only ones included).
    pub params: Vec<Param>,
    /// `*args`.
    pub vararg: Option<Name>,
    /// Keyword-only parameters.
    pub kwonly: Vec<Param>,
    /// `**kwargs`.
    pub kwarg: Option<Name>,
    /// The body.
    pub body: Body,
    /// The names and how each is bound.
    pub scope: Scope,
    /// The line of the `def` or `lambda`.
    pub line: u32,
}

/// Where the names of a scope live.
#[derive(Default)]
pub struct Scope {
    /// Names bound in the scope (parameters included).
    pub locals: HashSet<Name>,
    /// Names declared `global`.
    pub globals: HashSet<Name>,
    /// Locals that nested functions use: they live in cells.
    pub cellvars: HashSet<Name>,
    /// Names used here or in nested scopes that an enclosing function may
    /// bind (`nonlocal` ones included).
    pub free: HashSet<Name>,
}

impl Scope {
    /// Whether `name` lives in a cell of this frame (own or inherited).
    pub fn is_cell(&self, name: &str) -> bool {
        self.cellvars.contains(name) || (self.free.contains(name) && !self.locals.contains(name))
    }
}

impl Code {
    /// Compiles a function with these parameters and body.
    pub fn new(name: &str, args: &ast::Arguments, body: Body, line: u32) -> Code {
        let param = |a: &ast::ArgWithDefault| Param {
            name: a.def.arg.as_str().into(),
            has_default: a.default.is_some(),
        };
        let params: Vec<Param> = args.posonlyargs.iter().chain(&args.args).map(param).collect();
        let kwonly: Vec<Param> = args.kwonlyargs.iter().map(param).collect();
        let vararg: Option<Name> = args.vararg.as_ref().map(|a| a.arg.as_str().into());
        let kwarg: Option<Name> = args.kwarg.as_ref().map(|a| a.arg.as_str().into());
        let mut an = Analysis::default();
        for p in params.iter().chain(&kwonly) {
            an.bound.insert(p.name.clone());
        }
        an.bound.extend(vararg.iter().cloned());
        an.bound.extend(kwarg.iter().cloned());
        match &body {
            Body::Stmts(stmts) => an.stmts(stmts),
            Body::Expr(e) => an.expr(e),
        }
        let scope = an.finish(true);
        Code {
            name: name.into(),
            params,
            vararg,
            kwonly,
            kwarg,
            body,
            scope,
            line,
        }
    }
}

/// Analyses a class body: its free names, for the enclosing function's
/// cells.
pub fn class_scope(body: &[Stmt]) -> Scope {
    let mut an = Analysis::default();
    an.stmts(body);
    an.finish(false)
}

/// The symtable walk of one scope.
#[derive(Default)]
struct Analysis {
    bound: HashSet<Name>,
    used: HashSet<Name>,
    globals: HashSet<Name>,
    nonlocals: HashSet<Name>,
    /// Free names of nested scopes.
    child_free: HashSet<Name>,
}

impl Analysis {
    fn finish(self, is_function: bool) -> Scope {
        let mut scope = Scope::default();
        for name in &self.bound {
            if !self.globals.contains(name) && !self.nonlocals.contains(name) {
                scope.locals.insert(name.clone());
            }
        }
        for name in self.child_free {
            if is_function && scope.locals.contains(&name) {
                scope.cellvars.insert(name);
            } else if !self.globals.contains(&name) {
                scope.free.insert(name);
            }
        }
        for name in self.nonlocals {
            scope.free.insert(name);
        }
        // Names read but not bound here may be an enclosing function's
        // (a class body's too); at run time those that no enclosing
        // function has are globals.
        for name in self.used {
            if !scope.locals.contains(&name) && !self.globals.contains(&name) {
                scope.free.insert(name);
            }
        }
        scope.globals = self.globals;
        scope
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn store(&mut self, target: &Expr) {
        match target {
            Expr::Name(n) => {
                self.bound.insert(n.id.as_str().into());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.store(e)),
            Expr::List(t) => t.elts.iter().for_each(|e| self.store(e)),
            Expr::Starred(s) => self.store(&s.value),
            other => self.expr(other),
        }
    }

    fn nested(&mut self, scope: Scope) {
        self.child_free.extend(scope.free);
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::FunctionDef(f) => {
                self.bound.insert(f.name.as_str().into());
                f.decorator_list.iter().for_each(|e| self.expr(e));
                self.arguments(&f.args);
                let code = Code::new(&f.name, &f.args, Body::Stmts(Vec::new()), 0);
                let mut an = Analysis {
                    bound: code.params.iter().map(|p| p.name.clone()).collect(),
                    ..Analysis::default()
                };
                an.bound.extend(code.kwonly.iter().map(|p| p.name.clone()));
                an.bound.extend(code.vararg.iter().cloned());
                an.bound.extend(code.kwarg.iter().cloned());
                an.stmts(&f.body);
                let scope = an.finish(true);
                self.nested(scope);
            }
            Stmt::ClassDef(c) => {
                self.bound.insert(c.name.as_str().into());
                c.bases.iter().for_each(|e| self.expr(e));
                c.decorator_list.iter().for_each(|e| self.expr(e));
                self.nested(class_scope(&c.body));
            }
            Stmt::Return(r) => r.value.iter().for_each(|e| self.expr(e)),
            Stmt::Delete(d) => d.targets.iter().for_each(|e| self.store(e)),
            Stmt::Assign(a) => {
                a.targets.iter().for_each(|e| self.store(e));
                self.expr(&a.value);
            }
            Stmt::AugAssign(a) => {
                self.store(&a.target);
                self.expr(&a.target);
                self.expr(&a.value);
            }
            Stmt::AnnAssign(a) => {
                self.store(&a.target);
                a.value.iter().for_each(|e| self.expr(e));
            }
            Stmt::For(f) => {
                self.store(&f.target);
                self.expr(&f.iter);
                self.stmts(&f.body);
                self.stmts(&f.orelse);
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.stmts(&w.body);
                self.stmts(&w.orelse);
            }
            Stmt::If(i) => {
                self.expr(&i.test);
                self.stmts(&i.body);
                self.stmts(&i.orelse);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                    item.optional_vars.iter().for_each(|e| self.store(e));
                }
                self.stmts(&w.body);
            }
            Stmt::Raise(r) => {
                r.exc.iter().for_each(|e| self.expr(e));
                r.cause.iter().for_each(|e| self.expr(e));
            }
            Stmt::Try(t) => {
                self.stmts(&t.body);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    h.type_.iter().for_each(|e| self.expr(e));
                    if let Some(n) = &h.name {
                        self.bound.insert(n.as_str().into());
                    }
                    self.stmts(&h.body);
                }
                self.stmts(&t.orelse);
                self.stmts(&t.finalbody);
            }
            Stmt::Assert(a) => {
                self.expr(&a.test);
                a.msg.iter().for_each(|e| self.expr(e));
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let name = a.asname.as_ref().unwrap_or(&a.name);
                    let first = name.split('.').next().unwrap_or(name);
                    self.bound.insert(first.into());
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    self.bound
                        .insert(a.asname.as_ref().unwrap_or(&a.name).as_str().into());
                }
            }
            Stmt::Global(g) => {
                self.globals
                    .extend(g.names.iter().map(|n| Name::from(n.as_str())));
            }
            Stmt::Nonlocal(g) => {
                self.nonlocals
                    .extend(g.names.iter().map(|n| Name::from(n.as_str())));
            }
            Stmt::Expr(e) => self.expr(&e.value),
            _ => {}
        }
    }

    fn arguments(&mut self, args: &ast::Arguments) {
        for a in args.posonlyargs.iter().chain(&args.args).chain(&args.kwonlyargs) {
            a.default.iter().for_each(|e| self.expr(e));
        }
    }

    fn comprehension(&mut self, generators: &[ast::Comprehension], elts: &[&Expr]) {
        // The comprehension's own targets are its locals; everything else
        // it reads comes from this scope.
        let mut inner = Analysis::default();
        for (i, g) in generators.iter().enumerate() {
            if i == 0 {
                self.expr(&g.iter);
            } else {
                inner.expr(&g.iter);
            }
            inner.store(&g.target);
            g.ifs.iter().for_each(|e| inner.expr(e));
        }
        elts.iter().for_each(|e| inner.expr(e));
        for name in inner.used {
            if !inner.bound.contains(&name) {
                self.used.insert(name);
            }
        }
        for name in inner.child_free {
            if !inner.bound.contains(&name) {
                self.child_free.insert(name);
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Name(n) => {
                self.used.insert(n.id.as_str().into());
            }
            Expr::NamedExpr(n) => {
                self.store(&n.target);
                self.expr(&n.value);
            }
            Expr::Lambda(l) => {
                self.arguments(&l.args);
                let code = Code::new("<lambda>", &l.args, Body::Expr(l.body.clone()), 0);
                self.nested(code.scope);
            }
            Expr::ListComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::GeneratorExp(c) => self.comprehension(&c.generators, &[&c.elt]),
            Expr::DictComp(c) => self.comprehension(&c.generators, &[&c.key, &c.value]),
            Expr::BoolOp(b) => b.values.iter().for_each(|e| self.expr(e)),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::UnaryOp(u) => self.expr(&u.operand),
            Expr::IfExp(i) => {
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Dict(d) => {
                d.keys.iter().flatten().for_each(|e| self.expr(e));
                d.values.iter().for_each(|e| self.expr(e));
            }
            Expr::Set(s) => s.elts.iter().for_each(|e| self.expr(e)),
            Expr::Compare(c) => {
                self.expr(&c.left);
                c.comparators.iter().for_each(|e| self.expr(e));
            }
            Expr::Call(c) => {
                self.expr(&c.func);
                c.args.iter().for_each(|e| self.expr(e));
                c.keywords.iter().for_each(|k| self.expr(&k.value));
            }
            Expr::FormattedValue(f) => {
                self.expr(&f.value);
                f.format_spec.iter().for_each(|e| self.expr(e));
            }
            Expr::JoinedStr(j) => j.values.iter().for_each(|e| self.expr(e)),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(s) => {
                self.expr(&s.value);
                self.expr(&s.slice);
            }
            Expr::Starred(s) => self.expr(&s.value),
            Expr::List(l) => l.elts.iter().for_each(|e| self.expr(e)),
            Expr::Tuple(l) => l.elts.iter().for_each(|e| self.expr(e)),
            Expr::Slice(s) => {
                s.lower.iter().for_each(|e| self.expr(e));
                s.upper.iter().for_each(|e| self.expr(e));
                s.step.iter().for_each(|e| self.expr(e));
            }
            _ => {}
        }
    }
}
