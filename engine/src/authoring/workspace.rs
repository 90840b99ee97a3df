//! An author's workspace as an editor holds it: the files open in the editor (their
//! unsaved text wins over the disk), the programs they belong to, and what is kept loaded
//! between keystrokes. It answers the editor's questions — the diagnostics of a file (the
//! checks of `ttx validate`, against the program's architecture and roster as the editor
//! holds them), the id under the cursor, its definition, references and renaming, a hover,
//! an outline, completion — for every front end that speaks to an editor (`ttx lsp`).
//!
//! Work is kept by text: a file's tree and index, a program's `ttx.yaml`, its architecture
//! and roster are loaded again only when their text changed, so a keystroke in a scenario
//! parses that scenario and nothing else.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::authoring::attack;
use crate::authoring::complete::{self, Expected};
use crate::authoring::diagnostic::Diagnostic;
use crate::authoring::load;
use crate::authoring::model::Id;
use crate::authoring::paths::normalize;
use crate::authoring::project::{self, ProgramDir};
use crate::authoring::runbook::{self, anchor};
use crate::authoring::schema::FileKind;
use crate::authoring::source::{DEFAULT_MAX_FILE_BYTES, Pos, SourceFile};
use crate::authoring::symbols::{self, Home, Symbol, SymbolKind, Use};
use crate::authoring::validate::{self, Context, Files};
use crate::authoring::yaml::{self, Node, Value, key_text};

/// A place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file (absolute, normalised).
    pub path: PathBuf,
    /// Where in it.
    pub pos: Pos,
}

/// One completion the editor can offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The text inserted.
    pub label: String,
    /// A short description (an inject's text, a technique's name).
    pub detail: String,
}

/// The completions at a cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completions {
    /// Byte offset where the replaced word starts (the cursor is its end).
    pub start: usize,
    /// What may go there.
    pub candidates: Vec<Candidate>,
}

/// One entry of a file's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineItem {
    /// The id, or the section's key.
    pub name: String,
    /// What it is, when it is an id.
    pub kind: Option<SymbolKind>,
    /// A line about it (an inject's time and recipients).
    pub detail: String,
    /// Where its whole entry stands.
    pub range: Pos,
    /// Where its id stands.
    pub selection: Pos,
    /// The ids of a section.
    pub children: Vec<OutlineItem>,
}

/// Why a rename cannot be done.
#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    /// Nothing renamable under the cursor.
    #[error("there is no id here that can be renamed")]
    NothingHere,
    /// A shared word, not an author's id.
    #[error("a {0} is not an id of this program, so it cannot be renamed here")]
    NotRenamable(&'static str),
    /// The new name is not an id.
    #[error(
        "`{0}` is not an id: use lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit"
    )]
    BadName(String),
    /// The new name is taken.
    #[error("a {0} `{1}` already exists")]
    Taken(&'static str, String),
}

/// A runbook's Markdown file: its path, text, and where each heading's text stands.
struct RunbookFile {
    path: PathBuf,
    source: SourceFile,
    headings: Vec<(usize, usize)>,
}

/// A file's tree and ids, kept while its text stays the same.
pub struct Parsed {
    text: String,
    kind: Option<FileKind>,
    tree: Option<Node>,
    symbols: Vec<Symbol>,
    /// A scenario's injects' times as `ttx show` gives them (`0:35:00 (spike +25m)`),
    /// worked out when first asked for; empty while the scenario does not load.
    timings: OnceLock<Arc<HashMap<String, String>>>,
}

impl Parsed {
    /// The text of a top-level key's scalar value.
    fn top_str(&self, key: &str) -> Option<&str> {
        self.tree.as_ref()?.get(key)?.as_str()
    }
}

/// Files' trees and ids, shared by the workspaces of one editor session (the language
/// server's request thread and its check thread): a text parsed by one is not parsed
/// again by the other. The lock is held only to look an entry up or put one in, never
/// while a file is parsed.
#[derive(Clone, Default)]
pub struct Parses(Arc<Mutex<HashMap<PathBuf, Arc<Parsed>>>>);

impl Parses {
    fn get(&self, path: &Path) -> Option<Arc<Parsed>> {
        // A panic elsewhere while the lock was held leaves the map as it was: go on.
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(path).cloned()
    }

    fn put(&self, path: &Path, parsed: Arc<Parsed>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(path.to_path_buf(), parsed);
    }
}

/// Above this size, a completion in a file whose new text is not parsed yet lists the ids
/// of its last parse rather than hold the editor for the parse (about 15 ms a MiB here):
/// the check thread parses the new text within the debounce time.
const STALE_COMPLETION_BYTES: usize = 1024 * 1024;

/// A program's `ttx.yaml` and the architecture and roster checks are made against.
struct ProgramCache {
    text: String,
    program: Arc<ProgramDir>,
    context: Option<CachedContext>,
}

/// A program's context, the texts it was loaded from, and the notes of `ttx.yaml` about
/// an architecture or roster that does not load.
struct CachedContext {
    architecture: String,
    roster: String,
    context: Arc<Context>,
    notes: Vec<Diagnostic>,
}

/// The editor's workspace.
pub struct Workspace {
    open: HashMap<PathBuf, String>,
    programs_known: Vec<PathBuf>,
    parsed: Parses,
    programs: HashMap<PathBuf, ProgramCache>,
    engine: rhai::Engine,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// The open files first, then the disk: what validation reads through.
struct Overlay<'a>(&'a HashMap<PathBuf, String>);

impl Files for Overlay<'_> {
    fn read(&self, path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        match self.0.get(&normalize(path)) {
            Some(text) => Ok(SourceFile::new(path, text.clone())),
            None => SourceFile::read(path, max_bytes),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.contains_key(&normalize(path)) || path.is_file()
    }
}

impl Workspace {
    /// An empty workspace with its own script sandbox.
    pub fn new() -> Self {
        Self::sharing(Parses::default())
    }

    /// An empty workspace that keeps its files' trees and ids in `parses`, with the other
    /// workspaces given the same.
    pub fn sharing(parses: Parses) -> Self {
        Workspace {
            open: HashMap::new(),
            programs_known: Vec::new(),
            parsed: parses,
            programs: HashMap::new(),
            engine: crate::authoring::script::sandbox(),
        }
    }

    /// Learns the programs (`ttx.yaml` files) under an editor's workspace folder, so a
    /// scenario that lives outside its program's folder (a shared library the program
    /// names) is still checked against that program.
    pub fn add_folder(&mut self, folder: &Path) {
        // Bounded, so a workspace opened on a home folder does not stall the editor.
        const MOST_FOLDERS: usize = 5_000;
        let mut stack = vec![(normalize(folder), 0)];
        let mut visited = 0;
        while let Some((dir, depth)) = stack.pop() {
            visited += 1;
            if visited > MOST_FOLDERS {
                break;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == "target" || name == "node_modules" {
                    continue;
                }
                // Links are not followed: a link to a parent folder would loop.
                if entry.file_type().is_ok_and(|t| t.is_dir()) && depth < 4 {
                    stack.push((path, depth + 1));
                } else if name == crate::authoring::model::program::PROGRAM_FILE
                    && !self.programs_known.contains(&path)
                {
                    self.programs_known.push(path);
                }
            }
        }
        self.programs_known.sort();
    }

    /// The editor opened or changed a file: its text is now `text`.
    pub fn set_text(&mut self, path: &Path, text: String) {
        self.open.insert(normalize(path), text);
    }

    /// The editor closed a file: the disk holds its text again.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(&normalize(path));
    }

    /// The files open in the editor.
    pub fn open_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.open.keys().cloned().collect();
        files.sort();
        files
    }

    /// The text of an open file.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(&normalize(path)).map(String::as_str)
    }

    /// The open files a change to `path` may change the diagnostics of: itself, and every
    /// other open file of the same program (its architecture, roster and `ttx.yaml` bind
    /// them all; a scenario binds its sheets).
    pub fn affected_by(&mut self, path: &Path) -> Vec<PathBuf> {
        let path = normalize(path);
        let program = self.program_file(&path);
        let mut out = vec![path.clone()];
        for other in self.open_files() {
            if other != path && program.is_some() && self.program_file(&other) == program {
                out.push(other);
            }
        }
        out
    }

    /// Every diagnostic `ttx validate` gives this open file, inside its program. A YAML
    /// file that is not ttx's (see [`Workspace::is_ttx_file`]) gets none.
    pub fn diagnostics(&mut self, path: &Path) -> Vec<Diagnostic> {
        let path = normalize(path);
        let Some(text) = self.open.get(&path).cloned() else {
            return Vec::new();
        };
        // The programs are looked up once: each lookup reads their `ttx.yaml` and lists
        // their libraries.
        let mut programs = self
            .program_files(&path)
            .into_iter()
            .map(|file| self.load_program(&file))
            .collect::<Vec<_>>()
            .into_iter();
        let program = programs.next().flatten();
        if !self.is_ttx_file_in(&path, program.as_deref()) {
            return Vec::new();
        }
        let max = program
            .as_deref()
            .map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
        if text.len() as u64 > max {
            // What `ttx validate` says of the file once saved; the buffer is not parsed.
            return vec![crate::authoring::file::too_large(&path, max)];
        }
        // A library scenario shared by several programs is read, loaded and checked once
        // for what does not depend on the program, and against each program's
        // architecture and roster for what does.
        let mut programs_in = Vec::new();
        for p in std::iter::once(program).chain(programs.flatten().map(Some)) {
            let (context, notes) = match p.as_deref() {
                Some(p) => self.context(p),
                None => (Arc::new(Context::default()), Vec::new()),
            };
            programs_in.push((context, notes, p));
        }
        let each = {
            let ins: Vec<validate::In<'_>> = programs_in
                .iter()
                .map(|(c, _, p)| (&**c, p.as_deref()))
                .collect();
            let source = SourceFile::new(&path, text);
            validate::check_source_in(source, None, max, &ins, &self.engine, &Overlay(&self.open)).0
        };
        let mut diagnostics = Vec::new();
        for (i, (mut found, (_, notes, p))) in each.into_iter().zip(programs_in).enumerate() {
            // The program file itself carries its notes about the architecture and roster.
            found.extend(notes);
            found.retain(|d| normalize(&d.file) == path);
            if i == 0 {
                diagnostics = found;
                continue;
            }
            // What only another program's architecture or roster finds is said with its
            // name.
            let Some(other) = p else { continue };
            let org = other.program.value.org.clone();
            let shown = crate::authoring::paths::display_path(&other.program.source.path);
            for mut d in found {
                if !diagnostics.iter().any(|known| known == &d) {
                    d.message = format!("{} (in program {org}, {})", d.message, shown.display());
                    diagnostics.push(d);
                }
            }
        }
        crate::authoring::diagnostic::sort(&mut diagnostics);
        diagnostics.dedup();
        diagnostics
    }

    /// Whether an editor's YAML file is one of ttx's, so its diagnostics are wanted: a file
    /// `ttx validate` checks when run on the program (one the program names, or one in its
    /// folder outside hidden folders), or, outside any program, a file with the keys of a
    /// ttx kind. An editor hands every YAML file to the server; a CI workflow or a compose
    /// file outside a program must not be told it is not a scenario.
    pub fn is_ttx_file(&mut self, path: &Path) -> bool {
        let path = normalize(path);
        let program = self.program(&path);
        self.is_ttx_file_in(&path, program.as_deref())
    }

    /// [`Workspace::is_ttx_file`] for a file of `program` (the first it belongs to).
    fn is_ttx_file_in(&mut self, path: &Path, program: Option<&ProgramDir>) -> bool {
        if let Some(program) = program {
            let named = [
                program.program.source.path.clone(),
                program.architecture_path(),
                program.roster_path(),
            ]
            .into_iter()
            .chain(program.scenario_paths())
            .any(|p| normalize(&p) == path);
            let inside = path
                .strip_prefix(normalize(&program.root))
                .is_ok_and(|rest| {
                    !rest
                        .components()
                        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                });
            if named || inside {
                return true;
            }
        }
        const KEYS: &[&str] = &[
            "injects",
            "roles",
            "objectives",
            "decisions",
            "components",
            "teams",
            "people",
            "entries",
            "org",
            "expected",
            "red_herrings",
            "handoffs",
            "investigations",
        ];
        let Some(parsed) = self.parsed(path) else {
            return false;
        };
        match &parsed.tree {
            Some(tree) => KEYS.iter().any(|k| tree.get(k).is_some()),
            // A file that does not parse is ttx's when one of those keys starts a line.
            None => parsed.text.lines().any(|line| {
                KEYS.iter().any(|k| {
                    line.strip_prefix(k)
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
            }),
        }
    }

    /// The id at byte `offset` of `path`.
    pub fn symbol_at(&mut self, path: &Path, offset: usize) -> Option<Symbol> {
        let parsed = self.parsed(&normalize(path))?;
        parsed
            .symbols
            .iter()
            .find(|s| s.pos.offset <= offset && offset <= s.pos.offset + s.pos.len)
            .cloned()
    }

    /// Where the id at `offset` is defined.
    pub fn definition(&mut self, path: &Path, offset: usize) -> Vec<Location> {
        let path = normalize(path);
        let Some(symbol) = self.symbol_at(&path, offset) else {
            return Vec::new();
        };
        let mut out = self.definitions_of(&path, &symbol);
        // A runbook named in a scenario is also its Markdown file, at the section named
        // after `#` (or its top).
        if symbol.kind == SymbolKind::Runbook
            && symbol.usage == Use::Reference
            && let Some(RunbookFile {
                path: file,
                source,
                headings,
            }) = self.runbook_headings(&path, &symbol.name)
        {
            let section = self.text(&path).and_then(|t| {
                let rest = t
                    .get(symbol.pos.offset + symbol.pos.len..)?
                    .strip_prefix('#')?;
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']'))
                    .unwrap_or(rest.len());
                Some(rest[..end].to_string())
            });
            let heading = headings.iter().find(|(offset, len)| {
                section.as_deref() == Some(&anchor(&source.text[*offset..offset + len]))
            });
            let (offset, len) = heading.copied().unwrap_or((0, 0));
            out.push(Location {
                path: file,
                pos: crate::authoring::source::pos_in(&source.text, offset, len),
            });
        }
        out
    }

    /// Where `symbol`, as the file at `path` names it, is defined: in its home files.
    fn definitions_of(&mut self, path: &Path, symbol: &Symbol) -> Vec<Location> {
        self.definitions_in(path, symbol, Self::parsed)
    }

    /// [`Workspace::definitions_of`] in each home's last parse when it is a large file
    /// not parsed since it changed: for a hover's text, not for a place to go to.
    fn definitions_listed(&mut self, path: &Path, symbol: &Symbol) -> Vec<Location> {
        self.definitions_in(path, symbol, Self::parsed_for_listing)
    }

    fn definitions_in(
        &mut self,
        path: &Path,
        symbol: &Symbol,
        parse: fn(&mut Self, &Path) -> Option<Arc<Parsed>>,
    ) -> Vec<Location> {
        let mut out = Vec::new();
        for home in self.homes(path, symbol.kind) {
            if let Some(parsed) = parse(self, &home) {
                out.extend(
                    parsed
                        .symbols
                        .iter()
                        .filter(|s| s.usage == Use::Definition && s.same_as(symbol))
                        .map(|s| Location {
                            path: home.clone(),
                            pos: s.pos,
                        }),
                );
            }
        }
        out
    }

    /// Every place the id at `offset` stands, in the files that can name it; with
    /// `definitions`, where it is defined too.
    pub fn references(&mut self, path: &Path, offset: usize, definitions: bool) -> Vec<Location> {
        let path = normalize(path);
        let Some(symbol) = self.symbol_at(&path, offset) else {
            return Vec::new();
        };
        self.occurrences(&path, &symbol, definitions, true)
    }

    fn occurrences(
        &mut self,
        path: &Path,
        symbol: &Symbol,
        definitions: bool,
        with_roster: bool,
    ) -> Vec<Location> {
        let mut out = Vec::new();
        for file in self.family(path, symbol.kind, with_roster) {
            if let Some(parsed) = self.parsed(&file) {
                out.extend(
                    parsed
                        .symbols
                        .iter()
                        .filter(|s| s.same_as(symbol))
                        .filter(|s| definitions || s.usage == Use::Reference)
                        .map(|s| Location {
                            path: file.clone(),
                            pos: s.pos,
                        }),
                );
            }
        }
        out
    }

    /// The edits that rename the id at `offset` to `new_name`: in the file that defines
    /// it and every file of the program that names it (a scenario's sessions name its
    /// roles, decisions and injects). A roster's `roles:` are shared by every scenario of
    /// the program, so renaming one scenario's role leaves the roster as it is.
    pub fn rename(
        &mut self,
        path: &Path,
        offset: usize,
        new_name: &str,
    ) -> Result<Vec<Location>, RenameError> {
        let path = normalize(path);
        let symbol = self
            .symbol_at(&path, offset)
            .ok_or(RenameError::NothingHere)?;
        if !symbol.kind.renamable() {
            return Err(RenameError::NotRenamable(symbol.kind.noun()));
        }
        if !Id(new_name.to_string()).is_well_formed() {
            return Err(RenameError::BadName(new_name.to_string()));
        }
        let taken = Symbol {
            name: new_name.to_string(),
            ..symbol.clone()
        };
        if new_name != symbol.name && !self.definitions_of(&path, &taken).is_empty() {
            return Err(RenameError::Taken(symbol.kind.noun(), new_name.to_string()));
        }
        let with_roster = symbol.kind.home() != Home::Scenario;
        Ok(self.occurrences(&path, &symbol, true, with_roster))
    }

    /// What the id at `offset` is, in Markdown, and where the id stands.
    pub fn hover(&mut self, path: &Path, offset: usize) -> Option<(Pos, String)> {
        let path = normalize(path);
        // In a large file just changed, the id under the cursor is read from the lines
        // around it and described from the file's last parse, rather than wait for the
        // new text to be parsed whole.
        let (symbol, defined) = match self.symbol_in_window(&path, offset) {
            Some(symbol) => {
                let defined = self.definitions_listed(&path, &symbol);
                (symbol, defined)
            }
            None => (
                self.symbol_at(&path, offset)?,
                self.definition(&path, offset),
            ),
        };
        if symbol.kind == SymbolKind::Technique {
            return Some((symbol.pos, technique_text(&symbol.name)));
        }
        let mut parts = Vec::new();
        for at in defined {
            let timing = (symbol.kind == SymbolKind::Inject)
                .then(|| self.timings(&at.path).get(&symbol.name).cloned())
                .flatten();
            let Some(parsed) = self.parsed_for_listing(&at.path) else {
                continue;
            };
            let Some(tree) = &parsed.tree else { continue };
            let owner = symbols::owner_of(tree, at.pos.offset);
            parts.push(describe(&symbol, owner, &parsed.text, timing.as_deref()));
            if !matches!(symbol.kind, SymbolKind::Tag | SymbolKind::DataClass) {
                break;
            }
        }
        let text = match symbol.kind {
            SymbolKind::Tag | SymbolKind::DataClass | SymbolKind::ComponentKind => {
                let on: Vec<String> = parts.iter().filter_map(|p| p.owner_id.clone()).collect();
                format!(
                    "**{} `{}`** — on {} component(s): {}",
                    symbol.kind.noun(),
                    symbol.name,
                    on.len(),
                    on.join(", ")
                )
            }
            _ => match parts.into_iter().next() {
                Some(p) => p.text,
                None => format!(
                    "**{} `{}`** — not defined where this file looks for it",
                    symbol.kind.noun(),
                    symbol.name
                ),
            },
        };
        Some((symbol.pos, text))
    }

    /// The outline of a file: its sections (`roles`, `injects`…) and the ids each defines,
    /// an inject with when it comes and to whom.
    pub fn outline(&mut self, path: &Path) -> Vec<OutlineItem> {
        let timings = self.timings(&normalize(path));
        let Some(parsed) = self.parsed(&normalize(path)) else {
            return Vec::new();
        };
        let Some(Node {
            value: Value::Map(entries),
            ..
        }) = &parsed.tree
        else {
            return Vec::new();
        };
        let text = &parsed.text;
        let mut out = Vec::new();
        for (n, (k, v)) in entries.iter().enumerate() {
            let end = entries
                .get(n + 1)
                .map_or(text.len(), |(next, _)| next.pos.offset);
            let start = k.pos.offset;
            let defs: Vec<&Symbol> = parsed
                .symbols
                .iter()
                .filter(|s| s.usage == Use::Definition && (start..end).contains(&s.pos.offset))
                .filter(|s| s.kind != SymbolKind::Option)
                .collect();
            // Each entry reaches to where the next begins, so an editor can fold it and
            // tell which entry the cursor is in.
            let owners = symbols::owners(v);
            let owner = |s: &Symbol| owners.get(&s.pos.offset).copied();
            let starts: Vec<usize> = defs
                .iter()
                .map(|s| owner(s).map_or(s.pos.offset, |o| o.pos.offset.min(s.pos.offset)))
                .collect();
            let children: Vec<OutlineItem> = defs
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let owner = owner(s);
                    let until = starts.get(i + 1).copied().unwrap_or(end);
                    // Without the next list item's `- `.
                    let own = text[starts[i]..until].trim_end();
                    let own = own.strip_suffix('-').unwrap_or(own).trim_end();
                    let until = starts[i] + own.len();
                    OutlineItem {
                        name: s.name.clone(),
                        kind: Some(s.kind),
                        detail: owner.map_or_else(String::new, |o| {
                            summary(s.kind, o, text, timings.get(&s.name).map(String::as_str))
                        }),
                        range: crate::authoring::source::pos_in(
                            text,
                            starts[i],
                            until.max(s.pos.offset + s.pos.len) - starts[i],
                        ),
                        selection: s.pos,
                        children: Vec::new(),
                    }
                })
                .collect();
            if children.is_empty() {
                continue;
            }
            out.push(OutlineItem {
                name: key_text(k),
                kind: None,
                detail: format!("{}", children.len()),
                range: Pos {
                    len: end - start,
                    ..k.pos
                },
                selection: k.pos,
                children,
            });
        }
        out
    }

    /// What may be typed at byte `offset` of an open file.
    pub fn completions(&mut self, path: &Path, offset: usize) -> Option<Completions> {
        let path = normalize(path);
        let text = self.open.get(&path)?.clone();
        let slot = complete::slot_at(&path, &text, offset)?;
        let candidates = match &slot.expected {
            Expected::Duration => durations(self.plays_in_turns(&path)),
            Expected::RunbookSection(id) => self.runbook_sections(&path, id),
            Expected::Symbol(SymbolKind::Technique, _) => attack::catalog()
                .values()
                .filter(|t| t.status == attack::Status::Active)
                .map(|t| Candidate {
                    label: t.id.to_string(),
                    detail: format!("{} ({})", t.name, t.tactics.join(", ")),
                })
                .collect(),
            Expected::Symbol(kind, scope) => self.defined(&path, *kind, scope.as_deref()),
            Expected::Either(kind, or) => {
                let mut both = self.defined(&path, *kind, None);
                both.extend(self.defined(&path, *or, None));
                both
            }
        };
        let mut candidates = candidates;
        candidates.sort_by(|a, b| a.label.cmp(&b.label));
        candidates.dedup_by(|a, b| a.label == b.label);
        Some(Completions {
            start: slot.start,
            candidates,
        })
    }

    /// The ids of `kind` that the file at `path` may name, with a line about each.
    fn defined(&mut self, path: &Path, kind: SymbolKind, scope: Option<&str>) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut count: HashMap<String, usize> = HashMap::new();
        for home in self.homes(path, kind) {
            let Some(parsed) = self.parsed_for_listing(&home) else {
                continue;
            };
            let listed = |s: &&Symbol| {
                s.kind == kind
                    && s.usage == Use::Definition
                    && (scope.is_none() || s.scope.as_deref() == scope)
            };
            let at: HashSet<usize> = parsed
                .symbols
                .iter()
                .filter(listed)
                .map(|s| s.pos.offset)
                .collect();
            let owners = parsed.tree.as_ref().map_or_else(HashMap::new, |t| {
                symbols::owners_where(t, |offset| at.contains(&offset))
            });
            for s in parsed.symbols.iter().filter(listed) {
                *count.entry(s.name.clone()).or_default() += 1;
                let detail = match kind {
                    SymbolKind::Tag | SymbolKind::DataClass | SymbolKind::ComponentKind => {
                        String::new()
                    }
                    _ => owners
                        .get(&s.pos.offset)
                        .map_or_else(String::new, |o| summary(kind, o, &parsed.text, None)),
                };
                out.push(Candidate {
                    label: s.name.clone(),
                    detail,
                });
            }
        }
        // A shared word says how many components carry it; an id's own line is left as it is.
        let shared = matches!(
            kind,
            SymbolKind::Tag | SymbolKind::DataClass | SymbolKind::ComponentKind
        );
        for c in out.iter_mut().filter(|_| shared) {
            if c.detail.is_empty()
                && let Some(n) = count.get(&c.label)
            {
                c.detail = format!("{} on {n} component(s)", kind.noun());
            }
        }
        out
    }

    fn plays_in_turns(&mut self, path: &Path) -> bool {
        let homes = self.homes(path, SymbolKind::Inject);
        homes.iter().any(|h| {
            self.parsed_for_listing(h)
                .is_some_and(|p| p.top_str("clock") == Some("turns"))
        })
    }

    /// The sections (Markdown headings, as link anchors) of the runbook `id`.
    fn runbook_sections(&mut self, path: &Path, id: &str) -> Vec<Candidate> {
        let Some(RunbookFile {
            source, headings, ..
        }) = self.runbook_headings(path, id)
        else {
            return Vec::new();
        };
        headings
            .into_iter()
            .map(|(offset, len)| {
                let h = &source.text[offset..offset + len];
                Candidate {
                    label: anchor(h),
                    detail: h.to_string(),
                }
            })
            .collect()
    }

    /// The Markdown file of the runbook `id` (its `path`, beside the architecture), its
    /// text, and where each heading's text stands in it.
    fn runbook_headings(&mut self, path: &Path, id: &str) -> Option<RunbookFile> {
        let arch = normalize(&self.program(path)?.architecture_path());
        let parsed = self.parsed(&arch)?;
        let tree = parsed.tree.as_ref()?;
        let runbook = parsed
            .symbols
            .iter()
            .find(|s| s.kind == SymbolKind::Runbook && s.name == id && s.usage == Use::Definition)
            .and_then(|s| symbols::owner_of(tree, s.pos.offset))?;
        let file = runbook.get("path").and_then(Node::as_str)?;
        let file = normalize(&arch.parent().unwrap_or(Path::new(".")).join(file));
        let source = SourceFile::read(&file, DEFAULT_MAX_FILE_BYTES).ok()?;
        let headings = runbook::sections(&source.text)
            .into_iter()
            .map(|s| (s.offset, s.heading.len()))
            .collect();
        Some(RunbookFile {
            path: file,
            source,
            headings,
        })
    }

    /// The files that define ids of `kind` for the file at `path`.
    fn homes(&mut self, path: &Path, kind: SymbolKind) -> Vec<PathBuf> {
        // A file's kind does not change with a keystroke: a large file's last parse says it.
        let file_kind = self.parsed_for_listing(path).and_then(|p| p.kind);
        match kind.home() {
            Home::Catalog => Vec::new(),
            Home::Architecture => self
                .program(path)
                .map(|p| vec![normalize(&p.architecture_path())])
                .unwrap_or_default(),
            Home::Roster => self
                .program(path)
                .map(|p| vec![normalize(&p.roster_path())])
                .unwrap_or_default(),
            Home::Scenario => match file_kind {
                Some(FileKind::Scenario) => vec![path.to_path_buf()],
                Some(FileKind::Decisions) => self.sheet_scenario(path).into_iter().collect(),
                Some(FileKind::Roster) => self
                    .program(path)
                    .map(|p| p.scenario_paths().iter().map(|s| normalize(s)).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
        }
    }

    /// The files that may name an id of `kind` defined for the file at `path`: its home,
    /// and for a scenario's ids the program's decisions sheets of that scenario (and, with
    /// `with_roster`, the roster that staffs its roles); for the architecture's and roster's
    /// ids every scenario, sheet, the architecture and the roster of the program.
    fn family(&mut self, path: &Path, kind: SymbolKind, with_roster: bool) -> Vec<PathBuf> {
        let homes = self.homes(path, kind);
        let mut out = homes.clone();
        let program = self.program(path);
        let program_files: Vec<PathBuf> = program.as_deref().map_or_else(Vec::new, |p| {
            let mut files: Vec<PathBuf> = p
                .scenario_paths()
                .into_iter()
                .chain(project::yaml_files(&p.root))
                .map(|f| normalize(&f))
                .collect();
            files.extend(self.open.keys().cloned());
            files
        });
        match kind.home() {
            Home::Catalog => {}
            Home::Scenario => {
                for f in &program_files {
                    if self.parsed(f).and_then(|p| p.kind) == Some(FileKind::Decisions)
                        && self.sheet_scenario(f).is_some_and(|s| homes.contains(&s))
                    {
                        out.push(f.clone());
                    }
                }
                if kind == SymbolKind::Role
                    && with_roster
                    && let Some(p) = &program
                {
                    out.push(normalize(&p.roster_path()));
                }
            }
            Home::Architecture | Home::Roster => {
                if let Some(p) = &program {
                    out.push(normalize(&p.architecture_path()));
                    out.push(normalize(&p.roster_path()));
                }
                out.extend(program_files);
            }
        }
        let mut seen = HashSet::new();
        out.retain(|f| seen.insert(f.clone()));
        out
    }

    /// The scenario a decisions sheet names: a path beside the sheet, or a library id.
    fn sheet_scenario(&mut self, sheet: &Path) -> Option<PathBuf> {
        let named = self.parsed(sheet)?.top_str("scenario")?.to_string();
        let by_path = normalize(&sheet.parent().unwrap_or(Path::new(".")).join(&named));
        if Overlay(&self.open).exists(&by_path) {
            return Some(by_path);
        }
        let program = self.program(sheet)?;
        program
            .scenario_paths()
            .into_iter()
            .map(|p| normalize(&p))
            .find(|p| {
                self.parsed(p)
                    .is_some_and(|s| s.top_str("id") == Some(named.as_str()))
            })
    }

    /// When each inject of the scenario at `path` comes, as the MSEL preview (`ttx show`)
    /// tells it: its earliest time and what it follows.
    fn timings(&mut self, path: &Path) -> Arc<HashMap<String, String>> {
        let Some(parsed) = self.parsed_for_listing(path) else {
            return Arc::default();
        };
        if let Some(t) = parsed.timings.get() {
            return t.clone();
        }
        let timings: HashMap<String, String> = if parsed.kind == Some(FileKind::Scenario) {
            let source = SourceFile::new(path, parsed.text.clone());
            load::load_source::<crate::authoring::model::scenario::Scenario>(
                FileKind::Scenario,
                source,
            )
            .map(|l| {
                crate::authoring::msel::build(&l.value)
                    .injects
                    .into_iter()
                    .map(|i| (i.id, i.timing))
                    .collect()
            })
            .unwrap_or_default()
        } else {
            HashMap::new()
        };
        parsed.timings.get_or_init(|| Arc::new(timings)).clone()
    }

    /// The trees and ids this workspace keeps, to hand to another that should share them.
    pub fn parses(&self) -> Parses {
        self.parsed.clone()
    }

    /// Parses the open file `path` now unless its text is parsed already, so that the
    /// requests that come next find it ready (the language server's check thread calls
    /// this before it checks a file).
    pub fn prepare(&mut self, path: &Path) {
        self.parsed(&normalize(path));
    }

    /// The tree and ids of `path` (open text, else the disk), parsed again only when the
    /// text changed.
    fn parsed(&mut self, path: &Path) -> Option<Arc<Parsed>> {
        // An open file's text is compared where it stands, not copied: this runs several
        // times per request, and a buffer may be 4 MiB.
        let from_disk;
        let text: &str = match self.open.get(path) {
            Some(t) => t,
            None => {
                from_disk = SourceFile::read(path, DEFAULT_MAX_FILE_BYTES).ok()?.text;
                &from_disk
            }
        };
        if let Some(known) = self.parsed.get(path)
            && known.text == text
        {
            return Some(known);
        }
        let source = SourceFile::new(path, text.to_string());
        let tree = yaml::parse(&source).ok();
        let kind = load::detect_kind(path, tree.as_ref());
        let symbols = match (&tree, kind) {
            (Some(t), Some(k)) => symbols::index(k, t, &source.text),
            _ => Vec::new(),
        };
        let parsed = Arc::new(Parsed {
            text: source.text,
            kind,
            tree,
            symbols,
            timings: OnceLock::new(),
        });
        self.parsed.put(path, parsed.clone());
        Some(parsed)
    }

    /// The id at `offset` of a large open file whose text changed since its last parse,
    /// read from the lines around it ([`complete::window`]); `None` when the file is small
    /// or parsed as it stands, or the lines do not tell.
    fn symbol_in_window(&mut self, path: &Path, offset: usize) -> Option<Symbol> {
        let text = self.open.get(path)?;
        if text.len() <= STALE_COMPLETION_BYTES {
            return None;
        }
        let known = self.parsed.get(path)?;
        if known.text == *text {
            return None;
        }
        let window = complete::window(text, offset)?;
        let tree = yaml::parse(&SourceFile::new(path, window.text.clone())).ok()?;
        symbols::index(known.kind?, &tree, &window.text)
            .into_iter()
            .find(|s| s.pos.offset <= window.at && window.at <= s.pos.offset + s.pos.len)
            .and_then(|mut s| {
                s.pos = window.to_file(s.pos)?;
                Some(s)
            })
    }

    /// The ids of `path` for a completion's list: its last parse when the open text is
    /// large and not parsed yet (see [`STALE_COMPLETION_BYTES`]), else its parse now.
    fn parsed_for_listing(&mut self, path: &Path) -> Option<Arc<Parsed>> {
        if let (Some(open), Some(known)) = (self.open.get(path), self.parsed.get(path))
            && open.len() > STALE_COMPLETION_BYTES
        {
            return Some(known);
        }
        self.parsed(path)
    }

    /// The `ttx.yaml` a file belongs to: the nearest above it (open in the editor or on
    /// disk), or the first program of the workspace whose library holds the file.
    fn program_file(&mut self, path: &Path) -> Option<PathBuf> {
        self.program_files(path).into_iter().next()
    }

    /// Every `ttx.yaml` a file belongs to: the nearest above it; or, for a file outside
    /// any program's folder, each program of the workspace whose library holds it (a
    /// library shared by several programs), in path order.
    fn program_files(&mut self, path: &Path) -> Vec<PathBuf> {
        let above = path.ancestors().skip(1).find_map(|dir| {
            let candidate = dir.join(crate::authoring::model::program::PROGRAM_FILE);
            (self.open.contains_key(&candidate) || candidate.is_file()).then_some(candidate)
        });
        if let Some(above) = above {
            return vec![above];
        }
        let known = self.programs_known.clone();
        known
            .into_iter()
            .filter(|program| {
                self.load_program(program)
                    .is_some_and(|p| p.scenario_paths().iter().any(|s| normalize(s) == path))
            })
            .collect()
    }

    /// The program a file belongs to, loaded from its `ttx.yaml` as the editor holds it.
    fn program(&mut self, path: &Path) -> Option<Arc<ProgramDir>> {
        let file = self.program_file(&normalize(path))?;
        self.load_program(&file)
    }

    /// The program of a `ttx.yaml`, loaded again only when its text changed.
    fn load_program(&mut self, file: &Path) -> Option<Arc<ProgramDir>> {
        let source = Overlay(&self.open)
            .read(file, DEFAULT_MAX_FILE_BYTES)
            .ok()?;
        if let Some(cached) = self.programs.get(file)
            && cached.text == source.text
        {
            return Some(cached.program.clone());
        }
        let text = source.text.clone();
        let program = Arc::new(ProgramDir::from_source(file, source).ok()?);
        self.programs.insert(
            file.to_path_buf(),
            ProgramCache {
                text,
                program: program.clone(),
                context: None,
            },
        );
        Some(program)
    }

    /// The architecture and roster of a program as the editor holds them, loaded again
    /// only when one of their texts changed, with the notes `ttx validate` puts in
    /// `ttx.yaml` when one of them does not load (none for a file open in the editor,
    /// whose own diagnostics say what is wrong).
    fn context(&mut self, program: &ProgramDir) -> (Arc<Context>, Vec<Diagnostic>) {
        let max = program.max_file_bytes();
        let files = Overlay(&self.open);
        let text = |path: &Path| {
            files
                .read(path, max)
                .map_or_else(|_| String::new(), |s| s.text)
        };
        let architecture = text(&program.architecture_path());
        let roster = text(&program.roster_path());
        let file = program.program.source.path.clone();
        if let Some(c) = self.programs.get(&file).and_then(|c| c.context.as_ref())
            && c.architecture == architecture
            && c.roster == roster
        {
            return (c.context.clone(), c.notes.clone());
        }
        let open = |path: &Path| self.open.contains_key(&normalize(path));
        let (context, notes) = validate::program_context(program, max, &files, &open);
        let context = Arc::new(context);
        if let Some(cached) = self.programs.get_mut(&file) {
            cached.context = Some(CachedContext {
                architecture,
                roster,
                context: context.clone(),
                notes: notes.clone(),
            });
        }
        (context, notes)
    }

    /// The `ttx.yaml` of the program `path` belongs to and what `ttx validate` notes there
    /// about its architecture and roster: for an editor to show on that file even when it
    /// is not open.
    pub fn program_notes(&mut self, path: &Path) -> Option<(PathBuf, Vec<Diagnostic>)> {
        let program = self.program(path)?;
        let (_, notes) = self.context(&program);
        Some((normalize(&program.program.source.path), notes))
    }
}

fn durations(turns: bool) -> Vec<Candidate> {
    let list: &[(&str, &str)] = if turns {
        &[
            ("1t", "one turn"),
            ("2t", "two turns"),
            ("3t", "three turns"),
            ("5t", "five turns"),
        ]
    } else {
        &[
            ("0m", "at the start"),
            ("5m", "5 minutes"),
            ("10m", "10 minutes"),
            ("15m", "15 minutes"),
            ("30m", "30 minutes"),
            ("45m", "45 minutes"),
            ("1h", "an hour"),
            ("1h30m", "an hour and a half"),
            ("2h", "two hours"),
        ]
    };
    list.iter()
        .map(|(l, d)| Candidate {
            label: l.to_string(),
            detail: d.to_string(),
        })
        .collect()
}

fn technique_text(id: &str) -> String {
    match attack::technique(id) {
        Some(t) => {
            let status = match t.status {
                attack::Status::Active => String::new(),
                _ => format!(
                    "\n\n{:?}{}",
                    t.status,
                    t.replaced_by
                        .map_or_else(String::new, |r| format!(": replaced by `{r}`"))
                ),
            };
            format!(
                "**{} {}** — ATT&CK technique\n\nTactics: {}{status}",
                t.id,
                t.name,
                t.tactics.join(", ")
            )
        }
        None => format!("**{id}** — not in ttx's ATT&CK catalog"),
    }
}

/// The fields shown about each kind of id, in order.
fn fields(kind: SymbolKind) -> &'static [&'static str] {
    match kind {
        SymbolKind::Role => &["title", "required", "description"],
        SymbolKind::Module => &["title", "at", "story", "briefing"],
        SymbolKind::Objective => &["text", "capability", "module"],
        SymbolKind::Fact => &["text"],
        SymbolKind::Character => &["name", "organisation", "via", "reliability"],
        SymbolKind::Inject => &[
            "module", "at", "after", "jitter", "when", "to", "via", "source", "text", "story",
        ],
        SymbolKind::Decision => &[
            "title", "by", "options", "when", "limit", "cooldown", "reveals", "effect",
        ],
        SymbolKind::Option => &[],
        SymbolKind::Expectation => &[
            "role",
            "decision",
            "option",
            "within",
            "after",
            "objective",
            "runbook",
            "priority",
        ],
        SymbolKind::Component => &["name", "kind", "team", "criticality", "data", "tags"],
        SymbolKind::TrustBoundary => &["name", "components"],
        SymbolKind::Runbook => &["title", "path", "url"],
        SymbolKind::Team => &["name", "poc"],
        SymbolKind::Person => &["name", "team", "handle"],
        SymbolKind::Tag
        | SymbolKind::DataClass
        | SymbolKind::ComponentKind
        | SymbolKind::Technique => &[],
    }
}

struct Described {
    text: String,
    /// The id of the mapping that holds a shared word (the component carrying a tag).
    owner_id: Option<String>,
}

fn describe(symbol: &Symbol, owner: Option<&Node>, text: &str, timing: Option<&str>) -> Described {
    let mut out = format!("**{} `{}`**", symbol.kind.noun(), symbol.name);
    let owner_id = owner
        .and_then(|o| o.get("id"))
        .and_then(Node::as_str)
        .map(str::to_string);
    if let Some(owner) = owner {
        // An option's value is its title; a mapping's title or name heads the hover.
        let title = match &owner.value {
            Value::Str(title) => Some(title.clone()),
            _ => ["title", "name"]
                .iter()
                .find_map(|k| owner.get(k).map(|v| flow(v, text))),
        };
        if let Some(title) = title {
            out.push_str(&format!(" — {title}"));
        }
        let mut facts = Vec::new();
        let mut blocks = Vec::new();
        // When an inject comes, worked out as `ttx show` does.
        if let Some(timing) = timing {
            facts.push(format!("comes: `{timing}`"));
        }
        for key in fields(symbol.kind) {
            let Some(value) = owner.get(key) else {
                continue;
            };
            let shown = flow(value, text);
            match *key {
                "title" | "name" => {}
                "effect" | "when" if symbol.kind == SymbolKind::Decision => {
                    blocks.push(format!("{key}:\n```rhai\n{}\n```", shown.trim_end()))
                }
                "text" | "briefing" | "description" => blocks.push(shown),
                _ => facts.push(format!("{key}: `{shown}`")),
            }
        }
        if !facts.is_empty() {
            // Markdown's hard line break keeps the facts one to a line.
            out.push_str(&format!("\n\n{}", facts.join("  \n")));
        }
        for block in blocks {
            out.push_str(&format!("\n\n{block}"));
        }
    }
    Described {
        text: out,
        owner_id,
    }
}

/// A value as one line: scalars as they read, lists and mappings in flow form.
fn flow(node: &Node, text: &str) -> String {
    match &node.value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(_) => node.raw(text).unwrap_or_default().to_string(),
        Value::Str(s) => s.clone(),
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| flow(i, text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), flow(v, text)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// One line about a definition, for outlines and completion lists.
fn summary(kind: SymbolKind, owner: &Node, text: &str, timing: Option<&str>) -> String {
    let get = |k: &str| owner.get(k).map(|v| flow(v, text));
    let short = |s: String| {
        let line = s.lines().next().unwrap_or_default().to_string();
        if line.chars().count() > 60 {
            format!("{}…", line.chars().take(59).collect::<String>())
        } else {
            line
        }
    };
    match kind {
        SymbolKind::Inject => {
            let when = timing
                .map(str::to_string)
                .or_else(|| get("at").map(|a| format!("at {a}")))
                .or_else(|| get("after").map(|a| format!("after {a}")))
                .unwrap_or_default();
            let to = get("to").map(|t| format!(" → {t}")).unwrap_or_default();
            let said = get("text").map(short).unwrap_or_default();
            format!("{when}{to}: {said}")
        }
        SymbolKind::Decision => {
            let by = get("by").map(|b| format!("by {b}")).unwrap_or_default();
            match get("title") {
                Some(t) => format!("{t} ({by})"),
                None => by,
            }
        }
        SymbolKind::Expectation => {
            let who = get("role").unwrap_or_default();
            let what = get("decision").unwrap_or_default();
            let within = get("within")
                .map(|w| format!(" within {w}"))
                .unwrap_or_default();
            format!("{who} → {what}{within}")
        }
        SymbolKind::Option => match &owner.value {
            Value::Str(s) => s.clone(),
            _ => String::new(),
        },
        _ => ["title", "name", "text"]
            .iter()
            .find_map(|k| get(k))
            .map(short)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_without_a_title_is_not_said_to_be_on_components() {
        let mut w = Workspace::new();
        let path = Path::new("/nonexistent-ttx-workspace/s.yaml");
        let text =
            "id: s\nroles:\n  ic: {title: \"\"}\ninjects:\n  - {id: a, at: 0m, to: [], text: x}\n";
        w.set_text(path, text.to_string());
        let at = text.find("to: [").unwrap() + "to: [".len();
        let found = w.completions(path, at).unwrap();
        assert_eq!(
            found.candidates,
            [Candidate {
                label: "ic".into(),
                detail: String::new()
            }]
        );
    }

    #[test]
    fn informed_by_completes_the_injects_and_the_facts() {
        let mut w = Workspace::new();
        let path = Path::new("/nonexistent-ttx-workspace/s.yaml");
        let text = "id: s\nroles:\n  ic: {title: IC}\nfacts:\n  scope: {text: Only payments}\ninjects:\n  - {id: leak, at: 0m, to: [ic], text: x}\nexpectations:\n  - id: e\n    informed_by: []\n";
        w.set_text(path, text.to_string());
        let at = text.find("informed_by: [").unwrap() + "informed_by: [".len();
        let found = w.completions(path, at).unwrap();
        let labels: Vec<&str> = found.candidates.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["leak", "scope"]);
    }

    /// A scenario of more than 1 MiB: a role, a decision, and `n` injects the first of
    /// which the last follows.
    fn large(n: usize) -> String {
        let mut text = String::from(
            "id: big\ntitle: Big\nroles:\n  ic: {title: Incident commander}\ninjects:\n",
        );
        for i in 0..n {
            text.push_str(&format!(
                "  - id: i{i}\n    at: 1m\n    to: [ic]\n    text: \"{}\"\n",
                "words ".repeat(40)
            ));
        }
        text.push_str("  - id: last\n    after: {inject: i0}\n    to: [ic]\n    text: end\n");
        text
    }

    /// A hover in a large file just changed reads the id from the lines around the cursor
    /// and describes it from the last parse: the same answer as after a parse of the new
    /// text, at the new text's place.
    #[test]
    fn a_hover_in_a_large_changed_file_answers_as_a_fresh_parse_would() {
        let path = Path::new("/nonexistent-ttx-workspace/big.yaml");
        let text = large(5_000);
        assert!(text.len() > STALE_COMPLETION_BYTES);
        let mut w = Workspace::new();
        w.set_text(path, text.clone());
        let marker = "after: {inject: ";
        let at = |t: &str| t.find(marker).unwrap() + marker.len() + 1;
        assert!(w.hover(path, at(&text)).is_some());
        // A line typed near the top: every place below moves.
        let edited = text.replacen("title: Big\n", "title: Big\ndescription: moved\n", 1);
        w.set_text(path, edited.clone());
        let windowed = w.hover(path, at(&edited)).expect("a hover");
        assert!(
            w.parsed.get(&normalize(path)).unwrap().text != edited,
            "answered without parsing the new text"
        );
        let mut fresh = Workspace::new();
        fresh.set_text(path, edited.clone());
        let parsed = fresh.hover(path, at(&edited)).expect("a hover");
        assert_eq!(windowed, parsed);
        assert_eq!(&edited[windowed.0.offset..][..2], "i0");
    }
}
