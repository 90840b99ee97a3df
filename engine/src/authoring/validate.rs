//! `ttx validate`: loads files of every kind, checks each alone and against the program's
//! architecture and roster, and gathers every diagnostic, sorted, in one report.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::authoring::paths::{display_path, normalize};

use crate::authoring::check;
use crate::authoring::diagnostic::{self, Code, Diagnostic, Severity};
use crate::authoring::load::{self, Failed, Loaded};
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Scenario;
use crate::authoring::model::sheet::DecisionsSheet;
use crate::authoring::project::{self, ProgramDir};
use crate::authoring::schema::FileKind;
use crate::authoring::source::{DEFAULT_MAX_FILE_BYTES, SourceFile};
use crate::authoring::symbols::{self, SymbolKind, Use};
use crate::authoring::yaml;

/// The outcome of a validation run.
#[derive(Debug, Default)]
pub struct Report {
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every file read, to render snippets.
    pub sources: HashMap<PathBuf, SourceFile>,
    /// How many files were checked.
    pub files: usize,
    /// The ATT&CK catalog technique ids were checked against, when a checked scenario
    /// cites any (`ATT&CK Enterprise 18.1 (bundled)`).
    pub attack: Option<String>,
}

impl Report {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// The architecture and roster scenarios are checked against.
#[derive(Default)]
pub struct Context {
    /// The program's architecture, when it loads.
    pub architecture: Option<Loaded<Architecture>>,
    /// The program's roster, when it loads.
    pub roster: Option<Loaded<Roster>>,
}

/// Where validation reads the files a checked file leads to (the scenario a decisions
/// sheet names): the disk for `ttx validate`, the editor's unsaved buffers first for
/// `ttx lsp`.
pub trait Files: Sync {
    /// The text of `path`, within `max_bytes`.
    fn read(&self, path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic>;
    /// Whether `path` names a file that [`Files::read`] can give.
    fn exists(&self, path: &Path) -> bool;
}

/// The files on disk.
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        SourceFile::read(path, max_bytes)
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// Validates `targets` (files or folders; the whole program when empty). `program` is the
/// program found upward from the working folder, if any. `kind` forces the file kind
/// instead of telling it from each file's keys.
pub fn validate(
    targets: &[PathBuf],
    program: Option<&ProgramDir>,
    kind: Option<FileKind>,
) -> Report {
    let mut report = Report::default();
    let max_bytes = program.map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
    let files = expand_targets(targets, program);
    let targeted = |path: &Path| files.iter().any(|f| normalize(f) == normalize(path));
    let ctx = load_context(program, max_bytes, &Disk, &targeted, &mut report);
    report.files = files.len();

    let results = run_parallel(&files, |path, engine| {
        check_file(path, kind, max_bytes, &ctx, program, engine)
    });
    for (diags, source) in results {
        report.diagnostics.extend(diags);
        if let Some(source) = source {
            report.sources.insert(source.path.clone(), source);
        }
    }
    if let Some(p) = program {
        unexercised_runbooks(p, &ctx, &files, &mut report);
    }
    report.attack = report
        .sources
        .values()
        .any(cites_techniques)
        .then(crate::authoring::attack::described);
    finish(report)
}

/// Whether a checked file is a scenario citing ATT&CK techniques (`threats.attack` or an
/// inject's `technique`).
fn cites_techniques(source: &SourceFile) -> bool {
    (source.text.contains("attack:") || source.text.contains("technique:"))
        && yaml::parse(source)
            .ok()
            .and_then(|n| load::detect_kind(&source.path, Some(&n)))
            == Some(FileKind::Scenario)
}

/// When the whole program is checked (its architecture and every scenario), a warning at
/// each runbook of the architecture that no scenario names: a procedure nobody rehearses.
fn unexercised_runbooks(p: &ProgramDir, ctx: &Context, files: &[PathBuf], report: &mut Report) {
    let Some(arch) = &ctx.architecture else {
        return;
    };
    let checked: HashSet<PathBuf> = files.iter().map(|f| normalize(f)).collect();
    let scenarios = p.scenario_paths();
    if !checked.contains(&normalize(&arch.source.path))
        || scenarios.iter().any(|s| !checked.contains(&normalize(s)))
    {
        return;
    }
    let mut named: HashSet<String> = HashSet::new();
    for path in &scenarios {
        let Some(source) = report.sources.get(path) else {
            continue;
        };
        let Ok(node) = yaml::parse(source) else {
            continue;
        };
        named.extend(
            symbols::index(FileKind::Scenario, &node, &source.text)
                .into_iter()
                .filter(|s| s.kind == SymbolKind::Runbook && s.usage == Use::Reference)
                .map(|s| s.name),
        );
    }
    for r in &arch.value.runbooks {
        if !named.contains(r.id.as_str()) {
            report.diagnostics.push(
                Diagnostic::warning(
                    &arch.source.path,
                    r.id.pos,
                    Code::UnexercisedRunbook,
                    format!(
                        "runbook `{}` is not exercised by any scenario of the program",
                        r.id.as_str()
                    ),
                )
                .with_help(
                    "name it in an expectation (`runbook: ID#section`) of a scenario, so the room rehearses it and the report quotes it",
                ),
            );
        }
    }
}

/// Validates one file's text as `ttx validate FILE --kind KIND` would inside `program`,
/// reading the program's architecture and roster through `files`: the check of a file a
/// command already holds (the scenario a journal pinned, read once for its hash and its
/// model).
pub fn validate_source(
    source: SourceFile,
    kind: FileKind,
    program: Option<&ProgramDir>,
    files: &dyn Files,
) -> Report {
    let mut report = Report {
        files: 1,
        ..Report::default()
    };
    let max_bytes = program.map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
    let checked = normalize(&source.path);
    let targeted = |path: &Path| normalize(path) == checked;
    let ctx = load_context(program, max_bytes, files, &targeted, &mut report);
    let engine = crate::authoring::script::sandbox();
    let (diags, source) =
        check_source(source, Some(kind), max_bytes, &ctx, program, &engine, files);
    report.diagnostics.extend(diags);
    if let Some(source) = source {
        report.sources.insert(source.path.clone(), source);
    }
    finish(report)
}

/// Shows every path as the user would type it, and sorts and dedups the diagnostics.
fn finish(mut report: Report) -> Report {
    for d in &mut report.diagnostics {
        d.file = display_path(&d.file);
    }
    report.sources = report
        .sources
        .into_values()
        .map(|mut s| {
            s.path = display_path(&s.path);
            (s.path.clone(), s)
        })
        .collect();
    diagnostic::sort(&mut report.diagnostics);
    report.diagnostics.dedup();
    report
}

fn expand_targets(targets: &[PathBuf], program: Option<&ProgramDir>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let program_files = |files: &mut Vec<PathBuf>, p: &ProgramDir| {
        files.push(p.program.source.path.clone());
        files.push(p.architecture_path());
        files.push(p.roster_path());
        files.extend(p.scenario_paths());
    };
    // No target inside a program is the program folder itself: the same files as
    // `ttx validate PROGRAM_DIR` from anywhere.
    if targets.is_empty()
        && let Some(p) = program
    {
        program_files(&mut files, p);
        files.extend(project::yaml_files(&p.root));
    }
    for t in targets {
        if t.is_dir() {
            // A program folder means the program: what ttx.yaml names, wherever it lives,
            // and every other YAML file in the folder (recorded sessions, say).
            let is_program_root = program.is_some_and(|p| normalize(&p.root) == normalize(t));
            if let (true, Some(p)) = (is_program_root, program) {
                program_files(&mut files, p);
            }
            files.extend(project::yaml_files(t));
        } else {
            files.push(t.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(normalize(f)));
    files
}

/// The program's architecture and roster read through `files`, with a note in `report`
/// for each that does not load and is not `targeted` (checked itself).
fn load_context(
    program: Option<&ProgramDir>,
    max_bytes: u64,
    files: &dyn Files,
    targeted: &dyn Fn(&Path) -> bool,
    report: &mut Report,
) -> Context {
    let Some(p) = program else {
        return Context::default();
    };
    let (context, notes) = program_context(p, max_bytes, files, targeted);
    report.diagnostics.extend(notes);
    context
}

/// The architecture and roster of `program`, read through `files`, and for each that does
/// not load a note at its key in `ttx.yaml` (unless `targeted` says the file is checked
/// itself, so its own problems are reported).
pub fn program_context(
    p: &ProgramDir,
    max_bytes: u64,
    files: &dyn Files,
    targeted: &dyn Fn(&Path) -> bool,
) -> (Context, Vec<Diagnostic>) {
    let mut notes = Vec::new();
    let mut note_failure = |what: &str, path: &Path, failed: &Failed| {
        if !targeted(path) {
            notes.push(
                Diagnostic::error(
                    &p.program.source.path,
                    p.program
                        .node
                        .get(what)
                        .map_or(crate::authoring::source::Pos::START, |n| n.pos),
                    Code::Program,
                    format!(
                        "the {what} file `{}` has {} problem(s); files were checked without it",
                        display_path(path).display(),
                        failed.diagnostics.len()
                    ),
                )
                .with_help(format!(
                    "run `ttx validate {}`",
                    display_path(path).display()
                )),
            );
        }
    };
    let architecture = match load_through::<Architecture>(
        files,
        FileKind::Architecture,
        &p.architecture_path(),
        max_bytes,
    ) {
        Ok(a) => Some(a),
        Err(f) => {
            note_failure("architecture", &p.architecture_path(), &f);
            None
        }
    };
    let roster = match load_through::<Roster>(files, FileKind::Roster, &p.roster_path(), max_bytes)
    {
        Ok(r) => Some(r),
        Err(f) => {
            note_failure("roster", &p.roster_path(), &f);
            None
        }
    };
    (
        Context {
            architecture,
            roster,
        },
        notes,
    )
}

/// [`load::load_file`], reading through `files`.
pub fn load_through<T: serde::de::DeserializeOwned>(
    files: &dyn Files,
    kind: FileKind,
    path: &Path,
    max_bytes: u64,
) -> Result<Loaded<T>, Failed> {
    let source = files.read(path, max_bytes).map_err(|d| Failed {
        source: None,
        diagnostics: vec![d],
    })?;
    load::load_source(kind, source)
}

/// Runs `work` over `files` on all cores, one sandbox engine per thread, keeping the order.
fn run_parallel<T: Send>(
    files: &[PathBuf],
    work: impl Fn(&Path, &rhai::Engine) -> T + Sync,
) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let work = &work;
                scope.spawn(move || {
                    let engine = crate::authoring::script::sandbox();
                    part.iter().map(|f| work(f, &engine)).collect::<Vec<T>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn check_file(
    path: &Path,
    forced: Option<FileKind>,
    max_bytes: u64,
    ctx: &Context,
    program: Option<&ProgramDir>,
    engine: &rhai::Engine,
) -> (Vec<Diagnostic>, Option<SourceFile>) {
    let source = match SourceFile::read(path, max_bytes) {
        Ok(s) => s,
        Err(d) => return (vec![d], None),
    };
    check_source(source, forced, max_bytes, ctx, program, engine, &Disk)
}

/// Checks one file's text on its own (no program, architecture or roster): the entry point
/// for text that does not come from a file, and for the fuzz targets.
pub fn check_bytes(
    path: &Path,
    bytes: Vec<u8>,
    kind: Option<FileKind>,
) -> (Vec<Diagnostic>, Option<SourceFile>) {
    let source = match SourceFile::from_bytes(path.to_path_buf(), bytes) {
        Ok(s) => s,
        Err(d) => return (vec![d], None),
    };
    let engine = crate::authoring::script::sandbox();
    check_source(
        source,
        kind,
        DEFAULT_MAX_FILE_BYTES,
        &Context::default(),
        None,
        &engine,
        &Disk,
    )
}

/// Checks one file's text as `ttx validate` checks it inside `program`, against `ctx`, and
/// reading what it leads to from `files`: the entry point for an editor's buffers.
pub fn check_source(
    source: SourceFile,
    forced: Option<FileKind>,
    max_bytes: u64,
    ctx: &Context,
    program: Option<&ProgramDir>,
    engine: &rhai::Engine,
    files: &dyn Files,
) -> (Vec<Diagnostic>, Option<SourceFile>) {
    let (mut each, source) =
        check_source_in(source, forced, max_bytes, &[(ctx, program)], engine, files);
    (each.pop().unwrap_or_default(), source)
}

/// A program a file is checked in: the architecture and roster of its context, and the
/// program itself (for the files it names).
pub type In<'a> = (&'a Context, Option<&'a ProgramDir>);

/// [`check_source`] of one file in several programs at once (a library scenario that
/// several programs name, as an editor checks it): the file is read, parsed and loaded
/// once, and the checks that do not depend on the program are made once. The first
/// program's diagnostics are all of them; each other program's are those of the checks
/// its architecture and roster take part in, which may repeat some of the first's.
pub fn check_source_in(
    source: SourceFile,
    forced: Option<FileKind>,
    max_bytes: u64,
    programs: &[In<'_>],
    engine: &rhai::Engine,
    files: &dyn Files,
) -> (Vec<Vec<Diagnostic>>, Option<SourceFile>) {
    let path = source.path.clone();
    let path = path.as_path();
    let node = match yaml::parse(&source) {
        Ok(node) => node,
        Err(d) => return (vec![vec![d]], Some(source)),
    };
    let Some(kind) = forced.or_else(|| load::detect_kind(path, Some(&node))) else {
        let d = if matches!(node.value, yaml::Value::Map(_)) {
            Diagnostic::error(&source.path, node.pos, Code::WrongRoot, "cannot tell what kind of ttx file this is")
                .with_help("a scenario has `id` and `injects`, an architecture `components`, a roster `teams`, a decisions sheet `entries`, a program `org`; or pass `--kind`")
        } else {
            Diagnostic::error(
                &source.path,
                node.pos,
                Code::WrongRoot,
                format!("a ttx file must be a mapping of keys, but this file is {}", node.value.kind_name()),
            )
            .with_help("start the file with its keys, e.g. `id:` for a scenario; run `ttx schema KIND` for all of them")
        };
        return (vec![vec![d]], Some(source));
    };
    let placeholders = check::placeholders(&source.path, &node);
    let (mut each, source) = check_kind(kind, source, node, programs, max_bytes, engine, files);
    if let Some(first) = each.first_mut() {
        first.extend(placeholders);
    }
    (each, source)
}

/// Loads a parsed file as its kind and runs that kind's checks in each program.
fn check_kind(
    kind: FileKind,
    source: SourceFile,
    node: yaml::Node,
    programs: &[In<'_>],
    max_bytes: u64,
    engine: &rhai::Engine,
    files: &dyn Files,
) -> (Vec<Vec<Diagnostic>>, Option<SourceFile>) {
    fn arch(ctx: &Context) -> Option<&Architecture> {
        ctx.architecture.as_ref().map(|a| &a.value)
    }
    fn roster(ctx: &Context) -> Option<&Roster> {
        ctx.roster.as_ref().map(|r| &r.value)
    }
    // A file whose structure is wrong is checked as far as it can be: its structural
    // problems are cut out of the tree (authoring::repair) and the checks run on the rest,
    // so one wrong value does not hide the other mistakes. What the checks say about the
    // cut places is dropped; the structural problems themselves are reported.
    macro_rules! loaded {
        ($t:ty) => {
            match load::load_tree_or_back::<$t>(kind, source, node) {
                Ok(l) => (l, Vec::new(), None),
                Err(back) => {
                    let (f, node) = *back;
                    let Some(r) = crate::authoring::repair::repair(kind, &node) else {
                        return (vec![f.diagnostics], f.source);
                    };
                    let Some(source) = f.source.clone() else {
                        return (vec![f.diagnostics], f.source);
                    };
                    match load::load_tree::<$t>(kind, source, r.node.clone()) {
                        Ok(l) => (l, f.diagnostics, Some(r)),
                        Err(_) => return (vec![f.diagnostics], f.source),
                    }
                }
            }
        };
    }
    // Problems of form that still let the model load come first in the first program's;
    // the checks follow.
    let finish = |l_diags: Vec<Diagnostic>,
                  structural: Vec<Diagnostic>,
                  repaired: Option<crate::authoring::repair::Repaired>,
                  each: Vec<Vec<Diagnostic>>| {
        let mut out: Vec<Vec<Diagnostic>> = Vec::with_capacity(each.len());
        let mut form = Some(concat(structural, l_diags));
        for mut checks in each {
            if let Some(r) = &repaired {
                checks.retain(|d| !r.covers(d));
            }
            out.push(match form.take() {
                Some(form) => concat(form, checks),
                None => checks,
            });
        }
        out
    };
    // The checks of a kind whose checks do not depend on the program: made once.
    let once = |checks: Vec<Diagnostic>| {
        let mut each = vec![checks];
        each.resize_with(programs.len().max(1), Vec::new);
        each
    };
    let none = Context::default();
    let contexts: Vec<&Context> = if programs.is_empty() {
        vec![&none]
    } else {
        programs.iter().map(|(c, _)| *c).collect()
    };
    match kind {
        FileKind::Scenario => {
            let (l, structural, repaired) = loaded!(Scenario);
            let each = contexts
                .iter()
                .enumerate()
                .map(|(i, ctx)| {
                    let context = check::scenario::Context {
                        architecture: arch(ctx),
                        roster: roster(ctx),
                        runbooks: ctx
                            .architecture
                            .as_ref()
                            .map(|a| a.source.path.parent().unwrap_or(Path::new("."))),
                    };
                    if i == 0 {
                        check::scenario::check(&l, context, engine)
                    } else {
                        check::scenario::check_in_context(&l, context)
                    }
                })
                .collect();
            (
                finish(l.diagnostics, structural, repaired, each),
                Some(l.source),
            )
        }
        FileKind::Architecture => {
            let (l, structural, repaired) = loaded!(Architecture);
            let each = contexts
                .iter()
                .map(|ctx| check::architecture::check(&l, roster(ctx)))
                .collect();
            (
                finish(l.diagnostics, structural, repaired, each),
                Some(l.source),
            )
        }
        FileKind::Roster => {
            let (l, structural, repaired) = loaded!(Roster);
            let each = once(check::roster::check(&l));
            (
                finish(l.diagnostics, structural, repaired, each),
                Some(l.source),
            )
        }
        FileKind::Program => {
            let (l, structural, repaired) = loaded!(crate::authoring::model::program::Program);
            let each = once(check::program::check(&l));
            (
                finish(l.diagnostics, structural, repaired, each),
                Some(l.source),
            )
        }
        FileKind::Decisions => {
            // A scribe's sheet gets every problem in one round: when entries are malformed,
            // the rest of the sheet is still checked against its scenario.
            let (l, malformed) =
                match load::load_tree::<DecisionsSheet>(kind, source.clone(), node.clone()) {
                    Ok(l) => (l, Vec::new()),
                    Err(f) => match salvage_sheet(&source, &node, &f.diagnostics) {
                        Some(l) => (l, f.diagnostics),
                        None => return (vec![f.diagnostics], f.source),
                    },
                };
            let each = contexts
                .iter()
                .enumerate()
                .map(|(i, ctx)| {
                    let program = programs.get(i).and_then(|(_, p)| *p);
                    let (scenario, mut checks) =
                        resolve_sheet_scenario(&l, program, max_bytes, files);
                    checks.extend(check::sheet::check(&l, scenario.as_ref(), roster(ctx)));
                    checks
                })
                .collect();
            (finish(l.diagnostics, malformed, None, each), Some(l.source))
        }
        FileKind::Profile => {
            let (l, structural, repaired) = loaded!(crate::authoring::model::profile::Profile);
            let each = once(check::profile::check(&l, None));
            (
                finish(l.diagnostics, structural, repaired, each),
                Some(l.source),
            )
        }
    }
}

/// A decisions sheet with the entries its problems are in left out, when every problem is
/// in an entry (its path is `/entries/N/…`): what the checks of the rest can still run on.
fn salvage_sheet(
    source: &SourceFile,
    node: &yaml::Node,
    problems: &[Diagnostic],
) -> Option<Loaded<DecisionsSheet>> {
    let mut bad = std::collections::HashSet::new();
    for d in problems {
        bad.insert(d.entry_index()?);
    }
    let mut pruned = node.clone();
    let yaml::Value::Map(keys) = &mut pruned.value else {
        return None;
    };
    let (_, entries) = keys
        .iter_mut()
        .find(|(k, _)| k.as_str() == Some("entries"))?;
    let yaml::Value::Seq(items) = &mut entries.value else {
        return None;
    };
    let mut n = 0;
    items.retain(|_| {
        n += 1;
        !bad.contains(&(n - 1))
    });
    load::load_tree::<DecisionsSheet>(FileKind::Decisions, source.clone(), pruned).ok()
}

fn concat(mut first: Vec<Diagnostic>, rest: Vec<Diagnostic>) -> Vec<Diagnostic> {
    first.extend(rest);
    first
}

/// Finds the scenario a decisions sheet names: a path relative to the sheet, or the id of
/// a scenario in the program's library.
pub fn resolve_sheet_scenario(
    sheet: &Loaded<DecisionsSheet>,
    program: Option<&ProgramDir>,
    max_bytes: u64,
    files: &dyn Files,
) -> (Option<Scenario>, Vec<Diagnostic>) {
    if let Some((_, scenario)) = sheet_scenario_in(sheet, program, max_bytes, files) {
        return (Some(scenario), Vec::new());
    }
    let named = &sheet.value.scenario;
    let d = Diagnostic::error(
        &sheet.source.path,
        named.pos,
        Code::UndefinedReference,
        format!("cannot find scenario `{}`, or it does not load", named.as_str()),
    )
    .with_help("name a scenario file relative to this sheet, or the id of a scenario in the program's library; run `ttx validate` on it");
    (None, vec![d])
}

/// The file and model of the scenario a decisions sheet names: a path relative to the
/// sheet, or the id of a scenario in the program's library; `None` when neither loads.
pub fn sheet_scenario(
    sheet: &Loaded<DecisionsSheet>,
    program: Option<&ProgramDir>,
    max_bytes: u64,
) -> Option<(PathBuf, Scenario)> {
    sheet_scenario_in(sheet, program, max_bytes, &Disk)
}

/// [`sheet_scenario`], reading from `files`.
pub fn sheet_scenario_in(
    sheet: &Loaded<DecisionsSheet>,
    program: Option<&ProgramDir>,
    max_bytes: u64,
    files: &dyn Files,
) -> Option<(PathBuf, Scenario)> {
    let load =
        |path: &Path| load_through::<Scenario>(files, FileKind::Scenario, path, max_bytes).ok();
    let by_path = sheet_scenario_path(sheet);
    if files.exists(&by_path) {
        return load(&by_path).map(|l| (by_path, l.value));
    }
    let named = sheet.value.scenario.as_str();
    program?.scenario_paths().into_iter().find_map(|path| {
        let l = load(&path)?;
        (l.value.id.as_str() == named).then_some((path, l.value))
    })
}

/// The file a decisions sheet's `scenario:` names when it is read as a path relative to
/// the sheet.
pub fn sheet_scenario_path(sheet: &Loaded<DecisionsSheet>) -> PathBuf {
    sheet
        .source
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(sheet.value.scenario.as_str())
}
