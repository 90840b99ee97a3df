//! Scenario scripts and conditions (rhai): the sandboxed engine, compiling every script at
//! load time so a typo is a load error with its position in the YAML file, and running
//! them against the exercise state with seeded draws and a deadline.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rhai::packages::Package;
use rhai::{AST, Dynamic, Engine, EvalAltResult, Scope};

use crate::authoring::draw::Dice;
use crate::authoring::source::{Pos, SourceFile};

/// The variable every script and condition sees: the exercise's mutable state.
pub const STATE: &str = "state";

/// Functions the engine provides to scripts, beyond rhai's basic packages.
pub const BUILTIN_FUNCTIONS: &[&str] = &["pick", "chance", "roll", "end_exercise", "delivered"];

/// What a script sees of the moment it runs in, beside `state`: constants in scope.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moment {
    /// Minutes since the start of the exercise (`clock`).
    pub clock: i64,
    /// The role deciding, in an effect or a reveal; empty elsewhere (`role`).
    pub role: String,
    /// The roster person who spoke for the role, when the room said (`person`).
    pub person: String,
    /// The option the decision was taken with; empty without one (`option`).
    pub option: String,
    /// How many times the decision has been taken, this time included (`uses`).
    pub uses: i64,
    /// The module open now; empty before the first or without modules
    /// (`current_module`: `module` is a word rhai keeps for itself).
    pub module: String,
}

/// The names of the [`Moment`] constants, in scope in every script and condition.
pub const MOMENT: &[&str] = &[
    "clock",
    "role",
    "person",
    "option",
    "uses",
    "current_module",
];

impl Moment {
    // Pushed as variables, not constants: rhai's optimizer folds the constants of the
    // compile-time scope into the script, which would freeze them at their defaults.
    fn push(&self, scope: &mut Scope<'_>) {
        scope.push("clock", self.clock);
        scope.push("role", self.role.clone());
        scope.push("person", self.person.clone());
        scope.push("option", self.option.clone());
        scope.push("uses", self.uses);
        scope.push("current_module", self.module.clone());
    }
}

/// Limits of the sandbox. Scripts are shared between teams and organisations, so they are
/// untrusted: each limit turns a runaway script into an error instead of a hang.
pub mod limits {
    /// Operations per call.
    pub const MAX_OPERATIONS: u64 = 100_000;
    /// Nested function calls.
    pub const MAX_CALL_LEVELS: usize = 16;
    /// Expression nesting (statements, functions).
    pub const MAX_EXPR_DEPTH: usize = 32;
    /// Characters in one string.
    pub const MAX_STRING_SIZE: usize = 16 * 1024;
    /// Elements in one array.
    pub const MAX_ARRAY_SIZE: usize = 1_000;
    /// Entries in one map.
    pub const MAX_MAP_SIZE: usize = 1_000;
    /// Wall-clock time one call may take, whatever its operation count.
    pub const DEADLINE: std::time::Duration = std::time::Duration::from_millis(250);
}

/// Builds the hardened engine: no packages but those scenarios need, no `eval`, no
/// modules, strict variables, and limits on everything that can grow.
pub fn sandbox() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(rhai::packages::CorePackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::LogicPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::ArithmeticPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicStringPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicArrayPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicMapPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicMathPackage::new().as_shared_module());
    engine.disable_symbol("eval");
    engine.set_strict_variables(true);
    engine.set_max_operations(limits::MAX_OPERATIONS);
    engine.set_max_call_levels(limits::MAX_CALL_LEVELS);
    engine.set_max_expr_depths(limits::MAX_EXPR_DEPTH, limits::MAX_EXPR_DEPTH);
    engine.set_max_string_size(limits::MAX_STRING_SIZE);
    engine.set_max_array_size(limits::MAX_ARRAY_SIZE);
    engine.set_max_map_size(limits::MAX_MAP_SIZE);
    engine
}

/// Whether a compiled script has statements besides its `fn` definitions (what
/// `functions:` must not have). rhai keeps the statements private, so this runs them on a
/// bare engine that stops at the first operation: nothing runs, and an AST of function
/// definitions alone has no operation to stop at.
pub fn has_statements(ast: &AST) -> bool {
    let mut engine = Engine::new_raw();
    let seen = Rc::new(Cell::new(false));
    let s = Rc::clone(&seen);
    engine.on_progress(move |_| {
        s.set(true);
        Some(Dynamic::UNIT)
    });
    let _ = engine.run_ast(&ast.clone_statements_only());
    seen.get()
}

/// Compiles a scenario's shared `functions:` (`fn` definitions only, which every other
/// script is merged with): the one check of them, for the engine and for `ttx validate`.
/// A syntax error or a statement among the definitions is a diagnostic at its place.
pub fn compile_functions(
    engine: &Engine,
    source: &SourceFile,
    text: Option<&crate::authoring::spanned::Sp<String>>,
) -> Result<Option<AST>, crate::authoring::diagnostic::Diagnostic> {
    use crate::authoring::diagnostic::{Code, Diagnostic};
    let Some(text) = text else {
        return Ok(None);
    };
    let at = |line: usize, col: usize| position_in_file(source, text.pos, line, col);
    let ast = compile(engine, text, ScriptKind::Script).map_err(|e| {
        Diagnostic::error(
            &source.path,
            at(e.line, e.col),
            Code::ScriptSyntax,
            format!("script error: {}", e.message),
        )
    })?;
    if has_statements(&ast) {
        return Err(Diagnostic::error(
            &source.path,
            at(1, 1),
            Code::ScriptSyntax,
            "`functions:` holds only `fn` definitions, but it has statements too",
        )
        .with_help(
            "move statements into `setup` or an effect, and call the functions from there",
        ));
    }
    Ok(Some(ast))
}

/// A script that does not compile, with the position inside the script.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptError {
    /// rhai's message.
    pub message: String,
    /// 1-based line inside the script.
    pub line: usize,
    /// 1-based column inside the script.
    pub col: usize,
    /// Whether it is an unknown variable (as opposed to a syntax error).
    pub undefined_variable: bool,
}

fn scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push(STATE, rhai::Map::new());
    Moment::default().push(&mut scope);
    scope
}

/// The kind of text being compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    /// Statements (setup, effects).
    Script,
    /// One expression that yields `true` or `false` (`when:` conditions).
    Condition,
}

/// Compiles a script or condition with `state` in scope.
pub fn compile(engine: &Engine, text: &str, kind: ScriptKind) -> Result<AST, ScriptError> {
    let scope = scope();
    let result = match kind {
        ScriptKind::Script => engine.compile_with_scope(&scope, text),
        ScriptKind::Condition => engine.compile_expression_with_scope(&scope, text),
    };
    result.map_err(|e| {
        let pos = e.position();
        let undefined_variable = matches!(e.err_type(), rhai::ParseErrorType::VariableUndefined(_));
        let message = match e.err_type() {
            rhai::ParseErrorType::VariableUndefined(name) => {
                format!("undefined variable `{name}`")
            }
            rhai::ParseErrorType::Reserved(word) if word == "eval" => {
                "`eval` is not allowed in scenario scripts".to_string()
            }
            other => other.to_string(),
        };
        ScriptError {
            message,
            line: pos.line().unwrap_or(1),
            col: pos.position().unwrap_or(1),
            undefined_variable,
        }
    })
}

/// Maps a position inside a script to the position in the YAML file, given the position
/// of the scalar that holds the script. Handles block scalars (`|`, `>`), quoted and plain
/// scalars.
pub fn position_in_file(source: &SourceFile, scalar: Pos, line: usize, col: usize) -> Pos {
    let text = &source.text;
    let first = text[scalar.offset.min(text.len())..].chars().next();
    let (file_line, file_col) = match first {
        Some('|') | Some('>') => {
            let content_line = scalar.line + line as u32;
            let indent = (content_line..content_line + 50)
                .map(|l| source.line_text(l))
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .unwrap_or(0);
            (content_line, indent as u32 + col as u32)
        }
        Some('"') | Some('\'') if line == 1 => (scalar.line, scalar.col + col as u32),
        _ if line == 1 => (scalar.line, scalar.col + col as u32 - 1),
        _ => {
            let l = scalar.line + line as u32 - 1;
            let indent = source.line_text(l).len() - source.line_text(l).trim_start().len();
            (l, indent as u32 + col as u32)
        }
    };
    let line_start = source.line_start(file_line);
    let offset = line_start
        + source
            .line_text(file_line)
            .char_indices()
            .nth(file_col.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(0);
    Pos {
        line: file_line,
        col: file_col,
        offset,
        len: 1,
    }
}

/// Where in the file a script's runtime error is: rhai's position inside the script, or,
/// for a value the script stored that state cannot keep, where the script assigns it.
pub fn error_position(
    source: &SourceFile,
    text: &crate::authoring::spanned::Sp<String>,
    e: &RunError,
) -> Pos {
    let (line, col) = e
        .property
        .as_deref()
        .and_then(|name| assigned_at(&text.value, name))
        .map_or((e.line, e.col), |at| line_col_in(&text.value, at));
    position_in_file(source, text.pos, line, col)
}

/// The 1-based line and column of a byte offset in a script's text.
pub fn line_col_in(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A piece of an inject's or fact's text: text as written, a doubled brace standing for
/// one, or a `{state.NAME}` place (with the byte offset of its `{`).
enum Piece<'t> {
    Text(&'t str),
    Place(&'t str, usize),
}

/// Cuts a text into its pieces: the one reading of `{state.NAME}`, `{{` and `}}` that
/// both the check of the names and the delivery use.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut base = 0;
    while let Some(i) = rest.find(['{', '}']) {
        out.push(Piece::Text(&rest[..i]));
        let tail = &rest[i..];
        let taken = if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(Piece::Text(&tail[..1]));
            2
        } else {
            let place = tail
                .strip_prefix("{state.")
                .and_then(|b| b.find('}').map(|end| &b[..end]))
                .filter(|name| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
            match place {
                Some(name) => {
                    out.push(Piece::Place(name, base + i));
                    "{state.".len() + name.len() + 1
                }
                None => {
                    out.push(Piece::Text(&tail[..1]));
                    1
                }
            }
        };
        rest = &tail[taken..];
        base += i + taken;
    }
    out.push(Piece::Text(rest));
    out
}

/// The `{state.NAME}` places in an inject's or fact's text: each name with the byte offset
/// of its `{`. `{{` is a literal brace and starts no place.
pub fn placeholders(text: &str) -> Vec<(String, usize)> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Place(name, at) => Some((name.to_string(), at)),
            Piece::Text(_) => None,
        })
        .collect()
}

/// An inject's or fact's text with each `{state.NAME}` replaced by the value in `state`
/// (text as written, numbers and lists as rhai prints them), and `{{` and `}}` as single
/// braces. A name state does not hold is left as written, so the room sees the gap
/// rather than a blank (validation refuses names no script sets).
pub fn interpolate(text: &str, state: &rhai::Map) -> String {
    if !text.contains('{') && !text.contains('}') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for p in pieces(text) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Place(name, _) => match state.get(name) {
                Some(v) => out.push_str(&v.to_string()),
                None => {
                    out.push_str("{state.");
                    out.push_str(name);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// The `state.NAME` properties a text reads and assigns, found lexically (outside string
/// literals), so a condition that reads a property no script ever sets can be reported.
pub fn state_properties(text: &str) -> (Vec<(String, usize)>, Vec<String>) {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for (name, at, assigns) in state_uses(text) {
        if assigns {
            writes.push(name);
        } else {
            reads.push((name, at));
        }
    }
    (reads, writes)
}

/// Where a text first assigns `state.NAME` (the byte offset of `state`), if it does.
pub fn assigned_at(text: &str, name: &str) -> Option<usize> {
    state_uses(text)
        .into_iter()
        .find(|(n, _, assigns)| *assigns && n == name)
        .map(|(_, at, _)| at)
}

/// Every `state.NAME` in a text: the name, the offset of `state`, whether it is assigned.
fn state_uses(text: &str) -> Vec<(String, usize, bool)> {
    let mut uses = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' || b == b'`' {
            quote = Some(b);
            i += 1;
            continue;
        }
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.');
        if boundary && bytes[i..].starts_with(b"state.") {
            let start = i + STATE.len() + 1;
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |n| start + n);
            if end > start {
                let name = text[start..end].to_string();
                let rest = text[end..].trim_start();
                let assigns = rest.starts_with('=') && !rest.starts_with("==");
                // `state.name(...)` calls a function with `state` as `this`: no property.
                if !rest.starts_with('(') {
                    uses.push((name, i, assigns));
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    uses
}

/// A random draw a script made, for the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    /// What was drawn: `pick of 3`, `chance 0.7`, `roll 6`.
    pub what: String,
    /// The outcome, as text.
    pub result: String,
}

/// A script that failed while running, with its position inside the script.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// What went wrong, e.g. `too many operations`.
    pub message: String,
    /// 1-based line inside the script (1 when unknown).
    pub line: usize,
    /// 1-based column inside the script (1 when unknown).
    pub col: usize,
    /// Whether a sandbox limit stopped it (operations, call depth, sizes, deadline): a
    /// failure whatever the state, unlike a type error on a value another script sets.
    pub limit: bool,
    /// The `state` property at fault, when the error is about what was stored (a
    /// function), so it can be pointed at where the script assigns it.
    pub property: Option<String>,
}

/// The first top-level `state` property that holds a function, looking inside lists and
/// maps.
fn functions_in(state: &rhai::Map) -> Option<String> {
    fn holds(v: &Dynamic) -> bool {
        if v.is_fnptr() {
            return true;
        }
        if let Some(a) = v.read_lock::<rhai::Array>() {
            return a.iter().any(holds);
        }
        if let Some(m) = v.read_lock::<rhai::Map>() {
            return m.values().any(holds);
        }
        false
    }
    state
        .iter()
        .find(|(_, v)| holds(v))
        .map(|(k, _)| k.to_string())
}

/// What running scripts shares with the functions registered in the engine.
struct Shared {
    dice: RefCell<Dice>,
    draws: RefCell<Vec<Draw>>,
    prints: RefCell<Prints>,
    deadline: Cell<Instant>,
    budget: Duration,
    trace: RefCell<Option<Vec<Evaluation>>>,
    ended: RefCell<Option<String>>,
    delivered: RefCell<std::collections::HashSet<String>>,
    moment: RefCell<Moment>,
}

/// The most lines one script call may print into the journal.
pub const MAX_PRINT_LINES: usize = 20;
/// The most bytes one script call may print into the journal.
pub const MAX_PRINT_BYTES: usize = 4096;

/// What one script call printed, within [`MAX_PRINT_LINES`] and [`MAX_PRINT_BYTES`]: a
/// script that prints in a loop cannot flood the journal (each line is an event, fsync'd).
#[derive(Default)]
struct Prints {
    lines: Vec<String>,
    bytes: usize,
    cut_lines: usize,
    cut_bytes: usize,
}

impl Prints {
    fn push(&mut self, text: &str) {
        let room = MAX_PRINT_BYTES - self.bytes;
        if self.lines.len() >= MAX_PRINT_LINES || room == 0 {
            self.cut_lines += 1;
            self.cut_bytes += text.len();
            return;
        }
        let mut end = text.len().min(room);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end < text.len() {
            self.cut_bytes += text.len() - end;
        }
        self.bytes += end;
        self.lines.push(text[..end].to_string());
    }

    /// The lines, with a marker of what was cut at the end, if anything was.
    fn take(&mut self) -> (Vec<String>, bool) {
        let Prints {
            mut lines,
            cut_lines,
            cut_bytes,
            ..
        } = std::mem::take(self);
        let cut = cut_lines > 0 || cut_bytes > 0;
        if cut {
            lines.push(format!(
                "[ttx: {cut_lines} more line(s), {cut_bytes} byte(s) cut: a script call prints at most {MAX_PRINT_LINES} lines and {MAX_PRINT_BYTES} bytes]"
            ));
        }
        (lines, cut)
    }
}

/// One script or condition a host evaluated, with the state it saw: what the simulation
/// benchmark replays to measure the cost of the scripts alone.
#[derive(Clone)]
pub struct Evaluation {
    /// The compiled script.
    pub ast: AST,
    /// The state before it ran.
    pub state: rhai::Map,
    /// A script (setup, effect) rather than a condition.
    pub script: bool,
}

/// Runs compiled scripts and conditions of one exercise: the sandbox plus `pick`,
/// `chance` and `roll` drawing from the exercise's seeded generator, `print` captured for
/// the journal, and a wall-clock deadline per call.
pub struct ScriptHost {
    engine: Engine,
    shared: Rc<Shared>,
}

fn runtime_error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(message.into()),
        rhai::Position::NONE,
    ))
}

impl ScriptHost {
    /// A host whose draws come from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self::with_deadline(seed, limits::DEADLINE)
    }

    /// A host with a custom wall-clock deadline per call.
    pub fn with_deadline(seed: u64, budget: Duration) -> Self {
        let shared = Rc::new(Shared {
            dice: RefCell::new(Dice::new(seed)),
            draws: RefCell::new(Vec::new()),
            prints: RefCell::new(Prints::default()),
            deadline: Cell::new(Instant::now()),
            budget,
            trace: RefCell::new(None),
            ended: RefCell::new(None),
            delivered: RefCell::new(std::collections::HashSet::new()),
            moment: RefCell::new(Moment::default()),
        });
        let mut engine = sandbox();
        let s = Rc::clone(&shared);
        engine.register_fn(
            "pick",
            move |list: rhai::Array| -> Result<Dynamic, Box<EvalAltResult>> {
                if list.is_empty() {
                    return Err(runtime_error("pick() needs a non-empty list"));
                }
                let i = s.dice.borrow_mut().index(list.len());
                let chosen = list[i].clone();
                s.draws.borrow_mut().push(Draw {
                    what: format!("pick of {}", list.len()),
                    result: chosen.to_string(),
                });
                Ok(chosen)
            },
        );
        let s = Rc::clone(&shared);
        let chance = move |p: f64| -> bool {
            let hit = s.dice.borrow_mut().chance(p);
            s.draws.borrow_mut().push(Draw {
                what: format!("chance {p}"),
                result: hit.to_string(),
            });
            hit
        };
        let chance_int = chance.clone();
        engine.register_fn("chance", chance);
        engine.register_fn("chance", move |p: i64| chance_int(p as f64));
        let s = Rc::clone(&shared);
        engine.register_fn(
            "roll",
            move |sides: i64| -> Result<i64, Box<EvalAltResult>> {
                if sides < 1 {
                    return Err(runtime_error("roll() needs at least one side"));
                }
                let n = s.dice.borrow_mut().roll(sides as u64) as i64;
                s.draws.borrow_mut().push(Draw {
                    what: format!("roll {sides}"),
                    result: n.to_string(),
                });
                Ok(n)
            },
        );
        let s = Rc::clone(&shared);
        engine.register_fn("end_exercise", move |reason: &str| {
            s.ended
                .borrow_mut()
                .get_or_insert_with(|| reason.trim().to_string());
        });
        // The moment's constants are resolved when a script reads one, not pushed into every
        // call's scope: most scripts never read them, and a push per call doubled the cost
        // of a simulated run.
        let s = Rc::clone(&shared);
        // rhai marks `on_var` "volatile" (its signature may change), not deprecated.
        #[allow(deprecated)]
        engine.on_var(move |name, _, ctx| {
            // A variable the script declared itself (`let clock = ...`) is its own.
            if ctx.scope().contains(name) {
                return Ok(None);
            }
            let m = s.moment.borrow();
            Ok(match name {
                "clock" => Some(Dynamic::from(m.clock)),
                "role" => Some(Dynamic::from(m.role.clone())),
                "person" => Some(Dynamic::from(m.person.clone())),
                "option" => Some(Dynamic::from(m.option.clone())),
                "uses" => Some(Dynamic::from(m.uses)),
                "current_module" => Some(Dynamic::from(m.module.clone())),
                _ => None,
            })
        });
        let s = Rc::clone(&shared);
        engine.register_fn("delivered", move |inject: &str| {
            s.delivered.borrow().contains(inject)
        });
        let s = Rc::clone(&shared);
        engine.on_print(move |text| s.prints.borrow_mut().push(text));
        let s = Rc::clone(&shared);
        engine.on_debug(move |text, _, _| s.prints.borrow_mut().push(text));
        let s = Rc::clone(&shared);
        engine.on_progress(move |ops| {
            // Reading the clock on every operation would cost more than the script.
            (ops % 256 == 0 && Instant::now() > s.deadline.get())
                .then(|| Dynamic::from("the script ran past its deadline"))
        });
        ScriptHost { engine, shared }
    }

    /// Starts over with a generator seeded with `seed` and nothing collected: what a
    /// simulation does between runs, since building the engine costs more than a run.
    pub fn reseed(&self, seed: u64) {
        *self.shared.dice.borrow_mut() = Dice::new(seed);
        self.shared.draws.borrow_mut().clear();
        self.shared.ended.borrow_mut().take();
        self.shared.delivered.borrow_mut().clear();
        *self.shared.prints.borrow_mut() = Prints::default();
    }

    /// Starts recording every evaluation (for the simulation benchmark's floor).
    pub fn start_trace(&self) {
        *self.shared.trace.borrow_mut() = Some(Vec::new());
    }

    /// The evaluations recorded since `start_trace`, and stops recording.
    pub fn take_trace(&self) -> Vec<Evaluation> {
        self.shared.trace.borrow_mut().take().unwrap_or_default()
    }

    fn record(&self, ast: &AST, state: &rhai::Map, script: bool) {
        if let Some(trace) = self.shared.trace.borrow_mut().as_mut() {
            trace.push(Evaluation {
                ast: ast.clone(),
                state: state.clone(),
                script,
            });
        }
    }

    /// The generator, for draws the engine makes itself (reveal chances, jitter).
    pub fn dice(&self) -> std::cell::RefMut<'_, Dice> {
        self.shared.dice.borrow_mut()
    }

    /// Runs a script (setup or effect) against `state`, which it may change.
    pub fn run(&self, ast: &AST, state: &mut rhai::Map) -> Result<(), RunError> {
        self.run_at(ast, state, &Moment::default())
    }

    /// Runs a script against `state` at a moment (the clock, the deciding role, the option).
    pub fn run_at(&self, ast: &AST, state: &mut rhai::Map, at: &Moment) -> Result<(), RunError> {
        self.record(ast, state, true);
        let mut scope = Scope::new();
        scope.push(STATE, std::mem::take(state));
        self.shared.moment.replace(at.clone());
        self.shared
            .deadline
            .set(Instant::now() + self.shared.budget);
        let result = self.engine.run_ast_with_scope(&mut scope, ast);
        *state = scope.get_value::<rhai::Map>(STATE).unwrap_or_default();
        result.map_err(|e| run_error(&e))?;
        // A function kept in state names code of this one script: every later script would
        // fail calling it ("Function not found: anon$…"). Refuse it where it is stored.
        match functions_in(state) {
            Some(name) => {
                state.remove(name.as_str());
                Err(RunError {
                    message: format!(
                        "`state.{name}` holds a function; state keeps values only (declare shared logic under `functions:` and call it by name)"
                    ),
                    line: 1,
                    col: 1,
                    limit: false,
                    property: Some(name),
                })
            }
            None => Ok(()),
        }
    }

    /// Records that an inject was delivered, for scripts' `delivered("id")`.
    pub fn mark_delivered(&self, inject: &str) {
        self.shared
            .delivered
            .borrow_mut()
            .insert(inject.to_string());
    }

    /// The reason a script gave `end_exercise`, once (and clears it).
    pub fn take_ended(&self) -> Option<String> {
        self.shared.ended.borrow_mut().take()
    }

    /// Evaluates an expression (a report's outcome value) against `state`, as text.
    pub fn value(&self, ast: &AST, state: &rhai::Map) -> Result<String, RunError> {
        let mut scope = Scope::new();
        scope.push_constant(STATE, state.clone());
        self.shared.moment.replace(Moment::default());
        self.shared
            .deadline
            .set(Instant::now() + self.shared.budget);
        self.engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, ast)
            .map(|v| v.to_string())
            .map_err(|e| run_error(&e))
    }

    /// Evaluates a condition against `state`; anything but `true` or `false` is an error.
    pub fn condition(&self, ast: &AST, state: &rhai::Map) -> Result<bool, RunError> {
        self.condition_at(ast, state, &Moment::default())
    }

    /// Evaluates a condition against `state` at a moment.
    pub fn condition_at(
        &self,
        ast: &AST,
        state: &rhai::Map,
        at: &Moment,
    ) -> Result<bool, RunError> {
        self.record(ast, state, false);
        let mut scope = Scope::new();
        scope.push_constant(STATE, state.clone());
        self.shared.moment.replace(at.clone());
        self.shared
            .deadline
            .set(Instant::now() + self.shared.budget);
        let value = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, ast)
            .map_err(|e| run_error(&e))?;
        value.as_bool().map_err(|kind| RunError {
            message: format!("a condition must be true or false, but this one is {kind}"),
            line: 1,
            col: 1,
            limit: false,
            property: None,
        })
    }

    /// The draws scripts made since the last call, in order.
    pub fn take_draws(&self) -> Vec<Draw> {
        std::mem::take(&mut self.shared.draws.borrow_mut())
    }

    /// What scripts printed since the last call, in order, within the bounds: past them a
    /// last line says what was cut.
    pub fn take_prints(&self) -> Vec<String> {
        self.shared.prints.borrow_mut().take().0
    }

    /// Whether what scripts printed since the last call went past the bounds (and clears
    /// it): what `ttx validate` reports.
    pub fn printed_past_bounds(&self) -> bool {
        self.shared.prints.borrow_mut().take().1
    }
}

fn run_error(e: &EvalAltResult) -> RunError {
    let pos = e.position();
    let message = match e {
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!(
                "the script ran more than {} operations",
                limits::MAX_OPERATIONS
            )
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            format!(
                "the script nested calls deeper than {}",
                limits::MAX_CALL_LEVELS
            )
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => format!("{what} grew past the sandbox limit"),
        EvalAltResult::ErrorTerminated(reason, _) => reason.to_string(),
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        other => {
            // The position is given separately; drop rhai's own "(line 1, position 15)".
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(i) if text.ends_with(')') => text[..i].to_string(),
                _ => text,
            }
        }
    };
    RunError {
        message,
        line: pos.line().unwrap_or(1),
        col: pos.position().unwrap_or(1),
        limit: matches!(
            e,
            EvalAltResult::ErrorTooManyOperations(_)
                | EvalAltResult::ErrorStackOverflow(_)
                | EvalAltResult::ErrorDataTooLarge(..)
                | EvalAltResult::ErrorTerminated(..)
        ),
        property: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_and_scripts_compile_with_state_in_scope() {
        let engine = sandbox();
        compile(&engine, "state.truth == \"x\"", ScriptKind::Condition).unwrap();
        compile(
            &engine,
            "let t = pick([1, 2]); state.t = t;",
            ScriptKind::Script,
        )
        .unwrap();
    }

    #[test]
    fn undefined_variables_are_errors_with_a_position() {
        let engine = sandbox();
        let err = compile(&engine, "state.a = 1;\nstat.b = 2;", ScriptKind::Script).unwrap_err();
        assert!(err.undefined_variable, "{err:?}");
        assert_eq!((err.line, err.col), (2, 1));
    }

    #[test]
    fn eval_is_refused() {
        let engine = sandbox();
        let err = compile(&engine, "eval(\"1\")", ScriptKind::Script).unwrap_err();
        assert!(err.message.contains("eval"), "{err:?}");
    }

    #[test]
    fn block_scalar_positions_map_into_the_file() {
        let src = SourceFile::new("s.yaml", "id: x\nsetup: |\n  let a = 1;\n  state.b = c;\n");
        let pipe = src.text.find('|').unwrap();
        let pos = position_in_file(&src, src.pos_at(pipe, 1), 2, 11);
        assert_eq!((pos.line, pos.col), (4, 13));
    }

    #[test]
    fn non_ascii_text_outside_strings_is_no_problem() {
        // Regression: the scanner once sliced the text at a byte inside `é`.
        let (reads, _) = state_properties("// café\nstate.é = 1; state.a == 2");
        assert_eq!(reads.len(), 1);
    }

    #[test]
    fn text_names_state_values_and_keeps_doubled_braces() {
        let mut state = rhai::Map::new();
        state.insert(
            "card".into(),
            Dynamic::from("the seven of clubs".to_string()),
        );
        state.insert("n".into(), Dynamic::from(3_i64));
        assert_eq!(
            interpolate(
                "You drew {state.card} ({state.n}); {{state.card}} {state.gone}",
                &state
            ),
            "You drew the seven of clubs (3); {state.card} {state.gone}"
        );
        let names: Vec<_> = placeholders("a {state.card} {{state.x}} {state.n}")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["card", "n"]);
    }

    #[test]
    fn finds_state_reads_and_writes() {
        let (reads, writes) = state_properties("state.a = state.b == \"state.c\"; if !state.d {}");
        let names: Vec<_> = reads.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(writes, ["a"]);
    }
}

#[cfg(test)]
mod sandbox_tests {
    use super::*;

    fn run(host: &ScriptHost, text: &str) -> Result<rhai::Map, RunError> {
        let ast = compile(&host.engine, text, ScriptKind::Script).map_err(|e| RunError {
            message: e.message,
            line: e.line,
            col: e.col,
            limit: false,
            property: None,
        })?;
        let mut state = rhai::Map::new();
        host.run(&ast, &mut state).map(|_| state)
    }

    #[test]
    fn setup_draws_are_seeded_and_recorded() {
        let script = "state.truth = pick([\"a\", \"b\", \"c\"]); state.lucky = chance(0.5); state.d = roll(6);";
        let draw = |seed| {
            let host = ScriptHost::new(seed);
            let state = run(&host, script).unwrap();
            (state.get("truth").unwrap().to_string(), host.take_draws())
        };
        let (truth, draws) = draw(7);
        assert_eq!(draw(7), (truth.clone(), draws.clone()));
        assert_eq!(draws.len(), 3);
        assert_eq!(draws[0].what, "pick of 3");
        assert_eq!(draws[0].result, truth);
        let truths: std::collections::HashSet<String> = (0..40).map(|s| draw(s).0).collect();
        assert_eq!(truths.len(), 3, "every variant is drawn for some seed");
    }

    #[test]
    fn state_changes_persist_and_print_is_captured() {
        let host = ScriptHost::new(1);
        let mut state = rhai::Map::new();
        let ast = compile(
            &host.engine,
            "state.blocked = true; print(\"blocked\");",
            ScriptKind::Script,
        )
        .unwrap();
        host.run(&ast, &mut state).unwrap();
        assert_eq!(state.get("blocked").unwrap().as_bool(), Ok(true));
        assert_eq!(host.take_prints(), ["blocked"]);
        let cond = compile(&host.engine, "state.blocked", ScriptKind::Condition).unwrap();
        assert_eq!(host.condition(&cond, &state), Ok(true));
    }

    #[test]
    fn a_script_sees_the_moment_unless_it_declares_the_name_itself() {
        let host = ScriptHost::new(1);
        let at = Moment {
            option: "refuse".into(),
            uses: 2,
            ..Moment::default()
        };
        let ast = compile(
            &host.engine,
            "state.a = option; state.n = uses; let option = \"mine\"; state.b = option;",
            ScriptKind::Script,
        )
        .unwrap();
        let mut state = rhai::Map::new();
        host.run_at(&ast, &mut state, &at).unwrap();
        assert_eq!(state["a"].to_string(), "refuse");
        assert_eq!(state["n"].as_int(), Ok(2));
        assert_eq!(state["b"].to_string(), "mine");
    }

    #[test]
    fn an_endless_loop_is_stopped_by_the_operation_limit() {
        let err = run(&ScriptHost::new(1), "loop { }").unwrap_err();
        assert!(err.message.contains("operations"), "{err:?}");
    }

    #[test]
    fn deep_recursion_is_stopped_by_the_call_depth_limit() {
        let err = run(&ScriptHost::new(1), "fn down(n) { down(n + 1) }\ndown(0);").unwrap_err();
        assert!(
            err.message.contains("nested calls") || err.message.contains("deep"),
            "{err:?}"
        );
    }

    #[test]
    fn a_string_that_doubles_forever_hits_the_size_limit() {
        let err = run(&ScriptHost::new(1), "let s = \"ab\"; loop { s += s; }").unwrap_err();
        assert!(
            err.message.contains("grew past the sandbox limit"),
            "{err:?}"
        );
        let err = run(&ScriptHost::new(1), "let a = [1]; loop { a += a; }").unwrap_err();
        assert!(
            err.message.contains("grew past the sandbox limit"),
            "{err:?}"
        );
    }

    #[test]
    fn eval_and_import_do_not_compile() {
        let host = ScriptHost::new(1);
        assert!(
            run(&host, "eval(\"state.x = 1\");")
                .unwrap_err()
                .message
                .contains("eval")
        );
        assert!(run(&host, "import \"os\" as os;").is_err());
    }

    #[test]
    fn a_slow_script_is_stopped_by_the_deadline() {
        let host = ScriptHost::with_deadline(1, Duration::ZERO);
        let err = run(&host, "let n = 0; while n < 50000 { n += 1; }").unwrap_err();
        assert!(err.message.contains("deadline"), "{err:?}");
    }

    #[test]
    fn wrong_argument_types_are_errors_with_a_position() {
        let err = run(&ScriptHost::new(1), "state.a = 1;\nstate.b = pick(3);").unwrap_err();
        assert!(err.message.contains("pick"), "{err:?}");
        assert_eq!(err.line, 2);
        let err = run(&ScriptHost::new(1), "state.c = pick([]);").unwrap_err();
        assert!(err.message.contains("non-empty"), "{err:?}");
    }

    #[test]
    fn a_condition_must_be_boolean() {
        let host = ScriptHost::new(1);
        let cond = compile(&host.engine, "42", ScriptKind::Condition).unwrap();
        let err = host.condition(&cond, &rhai::Map::new()).unwrap_err();
        assert!(err.message.contains("true or false"), "{err:?}");
    }
}
