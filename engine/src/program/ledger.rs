//! The action-item ledger: one append-only, hash-chained JSONL file in the program folder.
//! An exercise enters once (its journal's first line identifies it), each of its action
//! items enters with it, and every later change is an appended update saying who and
//! when. Nothing is overwritten: an item's state is the fold of its entries.
//!
//! Writers take an exclusive lock on the file itself (`flock`, released by the kernel when
//! a process dies, so a crash leaves no stale lock), read the ledger under the lock, decide
//! what to append from what is there, append and fsync. Two processes updating at once
//! therefore serialise and neither change is lost.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::assessment::report::Report;
use crate::authoring::model::Priority;
use crate::authoring::model::scenario::Element;
use crate::exercise::chain::{self, Link};
use crate::exercise::journal::{JournalError, sha256_hex};

/// The ledger format version this ttx writes and reads.
pub const LEDGER_VERSION: u32 = 1;

/// The ledger as a kind of chained file.
pub const KIND: chain::Kind = chain::Kind {
    line: "ledger entry",
    file: "ledger",
    version: LEDGER_VERSION,
};

/// One line of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Ledger format version.
    pub v: u32,
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// When it was recorded, RFC 3339.
    pub at: String,
    /// Who recorded it.
    pub by: String,
    /// SHA-256 (hex) of the previous line's bytes.
    pub prev: String,
    /// What was recorded.
    pub event: LedgerEvent,
}

impl Link for Entry {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn prev(&self) -> &str {
        &self.prev
    }
}

/// What a ledger line records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// An exercise entered the program.
    Exercise(ExerciseRecord),
    /// An action item entered, with its exercise.
    Item(ItemRecord),
    /// A change to an item.
    Update(Update),
}

/// An exercise as the program remembers it: enough for status, trends and repeat findings
/// without its journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseRecord {
    /// Exercise id: the journal's file name without extension, made unique in the ledger.
    pub id: String,
    /// The journal, relative to the ledger's folder.
    pub journal: String,
    /// SHA-256 of the journal's first line: the exercise's identity.
    pub journal_sha256: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario version.
    pub version: String,
    /// Day of the exercise, YYYY-MM-DD.
    pub date: String,
    /// Every objective's rating (the facilitator's override where there was one).
    pub objectives: Vec<RatingRecord>,
    /// Decision latencies in seconds, one per inject and role.
    pub latencies: Vec<u64>,
    /// The anchor: the hash of the journal's last line when it was entered, which the
    /// chain alone cannot prove (a journal cut at a line boundary still chains).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_head: Option<String>,
    /// How many events the journal had when it was entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_events: Option<u64>,
    /// When it was entered (the ledger line's time), filled in when the ledger is read.
    #[serde(skip)]
    pub entered_at: String,
}

/// An objective's rating in one exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRecord {
    /// Objective id.
    pub objective: String,
    /// Capability.
    pub capability: String,
    /// P, S, M or U; none when no expectation applied.
    pub rating: Option<String>,
}

/// An action item as it entered the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRecord {
    /// Ledger id: the report's id, with a letter when an earlier exercise of the same
    /// scenario in the same half-year already used it (`2026H1-PAYMENTS-B01`).
    pub id: String,
    /// The exercise it came from.
    pub exercise: String,
    /// Its id in that exercise's report.
    pub report_id: String,
    /// Finding kind, e.g. `late`, `handoff_gap`.
    pub kind: String,
    /// The expectation it is a gap in, if any.
    pub expectation: Option<String>,
    /// The role concerned, if any.
    pub role: Option<String>,
    /// Capability, if any.
    pub capability: Option<String>,
    /// The finding.
    pub finding: String,
    /// The corrective action.
    pub action: String,
    /// Owning team.
    pub owner: String,
    /// Point of contact.
    pub poc: String,
    /// Priority.
    pub priority: Priority,
    /// POETE element.
    pub element: Element,
    /// Start date (the exercise day), YYYY-MM-DD.
    pub start: String,
    /// Due date, YYYY-MM-DD.
    pub due: String,
}

/// The states of an action item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
    /// Decided against, with a reason in the note.
    WontFix,
}

impl Status {
    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Done => "done",
            Status::WontFix => "wont-fix",
        }
    }

    /// Reads a status as an issue tracker writes it: `Done`, `Closed`, `In Progress`,
    /// `To Do`, `Won't Do`…
    pub fn from_tracker(text: &str) -> Option<Status> {
        let t: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        Some(match t.as_str() {
            "open" | "todo" | "new" | "backlog" | "reopened" | "selectedfordevelopment" => {
                Status::Open
            }
            "inprogress" | "inreview" | "started" | "doing" | "blocked" => Status::InProgress,
            "done" | "closed" | "resolved" | "fixed" | "complete" | "completed" => Status::Done,
            "wontfix" | "wontdo" | "declined" | "rejected" | "cancelled" | "canceled" => {
                Status::WontFix
            }
            _ => return None,
        })
    }

    /// Whether the item still needs work.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::InProgress)
    }
}

/// A change to an item; fields left out are unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// The item.
    pub id: String,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Evidence, a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// New owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// New due date, YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The day the change happened, YYYY-MM-DD (may be earlier than it was recorded).
    pub on: String,
}

impl Update {
    /// Whether applying it to `item` would change anything.
    pub fn changes(&self, item: &Item) -> bool {
        self.status.is_some_and(|s| s != item.status)
            || self
                .note
                .as_ref()
                .is_some_and(|n| Some(n) != item.note.as_ref())
            || self
                .evidence
                .as_ref()
                .is_some_and(|e| !item.evidence.contains(e))
            || self.owner.as_ref().is_some_and(|o| *o != item.owner)
            || self
                .due
                .as_ref()
                .is_some_and(|d| *d != item.due.to_string())
    }
}

/// An action item now: its record folded with its updates.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// As it entered.
    #[serde(flatten)]
    pub record: ItemRecord,
    /// Current status.
    pub status: Status,
    /// Current owner.
    #[serde(rename = "current_owner")]
    pub owner: String,
    /// Current due date.
    #[serde(rename = "current_due", serialize_with = "as_display")]
    pub due: Date,
    /// The day it was last set to done, while it is done.
    #[serde(serialize_with = "opt_display")]
    pub done_on: Option<Date>,
    /// The latest note.
    pub note: Option<String>,
    /// Evidence links, in the order given.
    pub evidence: Vec<String>,
    /// The ledger lines that concern it (its entry, then its updates).
    #[serde(skip)]
    pub history: Vec<usize>,
}

fn as_display<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn opt_display<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

impl Item {
    /// Open or in progress, and past its due date on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.due < today
    }
}

/// The program's state: the fold of the ledger.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Exercises, by date (then by entry order).
    pub exercises: Vec<ExerciseRecord>,
    /// Items, in entry order.
    pub items: IndexMap<String, Item>,
}

/// Why the ledger could not be read or written, or a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The chain or the file is damaged.
    #[error(transparent)]
    Chain(#[from] JournalError),
    /// A line that reads but makes no sense in order (e.g. an update of an unknown item).
    #[error("{path}:{line}: {message}")]
    Inconsistent {
        /// The ledger.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The change was refused; nothing was written.
    #[error("{0}")]
    Refused(String),
}

fn parse_date(text: &str) -> Option<Date> {
    text.parse().ok()
}

impl State {
    /// Folds ledger entries into the program's state.
    pub fn fold(entries: &[Entry], path: &Path) -> Result<State, LedgerError> {
        let mut state = State::default();
        for (n, entry) in entries.iter().enumerate() {
            let bad = |message: String| LedgerError::Inconsistent {
                path: path.to_path_buf(),
                line: n + 1,
                message,
            };
            match &entry.event {
                LedgerEvent::Exercise(x) => {
                    if parse_date(&x.date).is_none() {
                        return Err(bad(format!("`{}` is not a date", x.date)));
                    }
                    state.exercises.push(ExerciseRecord {
                        entered_at: entry.at.clone(),
                        ..x.clone()
                    });
                }
                LedgerEvent::Item(i) => {
                    if state.items.contains_key(&i.id) {
                        return Err(bad(format!("item `{}` entered twice", i.id)));
                    }
                    let due = parse_date(&i.due)
                        .ok_or_else(|| bad(format!("`{}` is not a date", i.due)))?;
                    state.items.insert(
                        i.id.clone(),
                        Item {
                            record: i.clone(),
                            status: Status::Open,
                            owner: i.owner.clone(),
                            due,
                            done_on: None,
                            note: None,
                            evidence: Vec::new(),
                            history: vec![n],
                        },
                    );
                }
                LedgerEvent::Update(u) => {
                    let on = parse_date(&u.on)
                        .ok_or_else(|| bad(format!("`{}` is not a date", u.on)))?;
                    let item = state
                        .items
                        .get_mut(&u.id)
                        .ok_or_else(|| bad(format!("an update of unknown item `{}`", u.id)))?;
                    if let Some(s) = u.status {
                        item.status = s;
                        item.done_on = (s == Status::Done).then_some(on);
                    }
                    if let Some(note) = &u.note {
                        item.note = Some(note.clone());
                    }
                    if let Some(e) = &u.evidence
                        && !item.evidence.contains(e)
                    {
                        item.evidence.push(e.clone());
                    }
                    if let Some(o) = &u.owner {
                        item.owner = o.clone();
                    }
                    if let Some(d) = &u.due {
                        item.due =
                            parse_date(d).ok_or_else(|| bad(format!("`{d}` is not a date")))?;
                    }
                    item.history.push(n);
                }
            }
        }
        // Stable: exercises entered out of order still list by date.
        state.exercises.sort_by(|a, b| a.date.cmp(&b.date));
        Ok(state)
    }

    /// The items of one exercise.
    pub fn items_of<'a>(&'a self, exercise: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .values()
            .filter(move |i| i.record.exercise == exercise)
    }

    /// The exercise a journal (by the hash of its first line) entered as, if it did.
    pub fn exercise_by_journal(&self, first_line_sha256: &str) -> Option<&ExerciseRecord> {
        self.exercises
            .iter()
            .find(|x| x.journal_sha256 == first_line_sha256)
    }
}

/// The ledger read back.
#[derive(Debug)]
pub struct Ledger {
    /// Its path.
    pub path: PathBuf,
    /// Its lines.
    pub entries: Vec<Entry>,
    /// The state they fold to.
    pub state: State,
    /// A torn last line (a writer crashed before acknowledging it), if any.
    pub torn: Option<String>,
    /// The hash of its last complete line (all zeros for an empty ledger).
    pub head: String,
}

impl Ledger {
    /// Reads a ledger; a missing file is an empty ledger.
    pub fn read(path: &Path) -> Result<Ledger, LedgerError> {
        let bytes = match crate::authoring::file::read_bounded(
            path,
            crate::exercise::chain::MAX_CHAINED_BYTES,
        ) {
            Ok(b) => b,
            Err(crate::authoring::file::ReadError::Io { source, .. })
                if source.kind() == io::ErrorKind::NotFound =>
            {
                Vec::new()
            }
            Err(e) => {
                return Err(JournalError::from(e).into());
            }
        };
        let contents = chain::parse::<Entry>(&bytes, path, KIND)?;
        let state = State::fold(&contents.lines, path)?;
        Ok(Ledger {
            path: path.to_path_buf(),
            entries: contents.lines,
            state,
            torn: contents.torn,
            head: contents.last_hash,
        })
    }
}

/// Who records a change and when.
#[derive(Clone, Debug)]
pub struct Stamp {
    /// RFC 3339, whole seconds.
    pub at: String,
    /// Who.
    pub by: String,
}

/// What a write did.
#[derive(Debug)]
pub struct Written<T> {
    /// What the caller's decision returned.
    pub value: T,
    /// How many lines were appended.
    pub appended: usize,
    /// Warnings (a torn line set aside).
    pub warnings: Vec<String>,
}

/// Appends to the ledger under an exclusive lock: reads the ledger as it is now, lets
/// `decide` choose the events from that state (or refuse), appends them in one write and
/// fsyncs. A failed write is cut back so the ledger never holds half a change.
pub fn transact<T>(
    path: &Path,
    stamp: &Stamp,
    decide: impl FnOnce(&State) -> Result<(Vec<LedgerEvent>, T), LedgerError>,
) -> Result<Written<T>, LedgerError> {
    let io = |source: io::Error| -> LedgerError {
        JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file: File = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    // Held until `file` drops; the kernel releases it if this process dies.
    file.lock().map_err(io)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io)?;
    let contents = chain::parse::<Entry>(&bytes, path, KIND)?;
    let mut warnings = Vec::new();
    if let Some(torn) = &contents.torn {
        warnings.push(chain::set_aside(path, torn)?);
        file.set_len(contents.good_len).map_err(io)?;
    }
    let state = State::fold(&contents.lines, path)?;
    let (events, value) = decide(&state)?;
    let mut buf = String::new();
    let mut prev = contents.last_hash.clone();
    for (n, event) in events.iter().enumerate() {
        let entry = Entry {
            v: LEDGER_VERSION,
            seq: (contents.lines.len() + n) as u64,
            at: stamp.at.clone(),
            by: stamp.by.clone(),
            prev,
            event: event.clone(),
        };
        let text = serde_json::to_string(&entry).map_err(|e| io(io::Error::other(e)))?;
        prev = sha256_hex(text.as_bytes());
        buf.push_str(&text);
        buf.push('\n');
    }
    if !buf.is_empty() {
        file.seek(io::SeekFrom::Start(contents.good_len))
            .map_err(io)?;
        let written = file
            .write_all(buf.as_bytes())
            .and_then(|()| file.sync_data());
        if let Err(e) = written {
            // All or nothing: cut back to where the ledger was (best effort on a full disk).
            let _ = file.set_len(contents.good_len);
            let _ = file.sync_data();
            return Err(io(e));
        }
    }
    Ok(Written {
        value,
        appended: events.len(),
        warnings,
    })
}

/// How one exercise entered the ledger.
#[derive(Debug)]
pub struct Entered {
    /// The exercise id in the ledger.
    pub exercise: String,
    /// Report id → ledger id, for every item.
    pub ids: Vec<(String, String)>,
    /// False when it was already there (nothing appended).
    pub new: bool,
}

/// The ids an exercise's action items have in the ledger, report id → ledger id: those it
/// was entered with (`true`), or those entering it now would give (`false`: another
/// exercise of the same scenario entered first would move them). One allocation for the
/// report, the ledger, the dashboard and publications, so an id means one item
/// everywhere.
pub fn ids_for(
    state: &State,
    report: &Report,
    first_line_sha256: &str,
) -> (Vec<(String, String)>, bool) {
    if let Some(x) = state.exercise_by_journal(first_line_sha256) {
        let ids = state
            .items_of(&x.id)
            .map(|i| (i.record.report_id.clone(), i.record.id.clone()))
            .collect();
        return (ids, true);
    }
    let ids = report
        .assessed_ids
        .iter()
        .map(|id| (id.clone(), ledger_id(state, id)))
        .collect();
    (ids, false)
}

/// The events that enter an exercise and its action items, decided against the current
/// state: nothing when the journal entered before; a unique exercise id; ledger ids that
/// do not collide with an earlier exercise's.
impl ExerciseRecord {
    /// Whether a journal, by the hashes of its lines, still holds the line the ledger saw
    /// last when it entered the exercise; `None` for an exercise entered before anchors.
    pub fn anchor_holds(&self, hashes: &[String]) -> Option<bool> {
        let (head, events) = (self.journal_head.as_ref()?, self.journal_events?);
        let last = usize::try_from(events).ok()?.checked_sub(1)?;
        Some(hashes.get(last) == Some(head))
    }
}

/// A journal as it was when it entered the ledger: its last line's hash and its length.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// SHA-256 of the last line.
    pub head: String,
    /// Number of events.
    pub events: u64,
}

impl Anchor {
    /// The anchor of a journal read back.
    pub fn of(contents: &crate::exercise::journal::Contents) -> Anchor {
        Anchor {
            head: contents.last_hash.clone(),
            events: contents.lines.len() as u64,
        }
    }
}

/// The identity of a journal's exercise: the SHA-256 of its first line.
pub fn identity_of(contents: &crate::exercise::journal::Contents) -> String {
    contents.hashes.first().cloned().unwrap_or_default()
}

pub fn enter_events(
    state: &State,
    report: &Report,
    journal: &str,
    journal_stem: &str,
    first_line_sha256: &str,
    anchor: &Anchor,
) -> (Vec<LedgerEvent>, Entered) {
    let (ids, entered) = ids_for(state, report, first_line_sha256);
    if let Some(x) = state
        .exercise_by_journal(first_line_sha256)
        .filter(|_| entered)
    {
        return (
            Vec::new(),
            Entered {
                exercise: x.id.clone(),
                ids,
                new: false,
            },
        );
    }
    let mut id = journal_stem.to_string();
    let mut n = 1;
    while state.exercises.iter().any(|x| x.id == id) {
        n += 1;
        id = format!("{journal_stem}-{n}");
    }
    let o = &report.exercise;
    let mut events = vec![LedgerEvent::Exercise(ExerciseRecord {
        id: id.clone(),
        journal: journal.to_string(),
        journal_sha256: first_line_sha256.to_string(),
        scenario: o.scenario.clone(),
        title: o.title.clone(),
        version: o.version.clone(),
        date: o.date.clone(),
        objectives: report
            .objectives
            .iter()
            .map(|r| RatingRecord {
                objective: r.id.clone(),
                capability: r.capability.clone(),
                rating: r.rating.clone(),
            })
            .collect(),
        latencies: report.latency.iter().map(|l| l.latency.as_secs()).collect(),
        journal_head: Some(anchor.head.clone()),
        journal_events: Some(anchor.events),
        entered_at: String::new(),
    })];
    for ((item, row), (report_id, ledger_id)) in
        report.action_items.iter().zip(&report.findings).zip(&ids)
    {
        let f = &row.finding;
        events.push(LedgerEvent::Item(ItemRecord {
            id: ledger_id.clone(),
            exercise: id.clone(),
            report_id: report_id.clone(),
            kind: serde_json::to_value(&f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            expectation: f.expectation.clone(),
            role: f.role.clone(),
            capability: item.capability.clone(),
            finding: item.finding.clone(),
            action: item.action.clone(),
            owner: item.owner.clone(),
            poc: item.poc.clone(),
            priority: item.priority,
            element: item.element,
            start: item.start.clone(),
            due: item.due.clone(),
        }));
    }
    (
        events,
        Entered {
            exercise: id,
            ids,
            new: true,
        },
    )
}

/// The ledger id for a report id: the same, unless earlier exercises already used its
/// prefix (`2026H1-PAYMENTS-`), in which case the n-th exercise gets the n-th letter.
fn ledger_id(state: &State, report_id: &str) -> String {
    let Some((prefix, number)) = report_id.rsplit_once('-') else {
        return report_id.to_string();
    };
    let earlier: std::collections::HashSet<&str> = state
        .items
        .values()
        .filter(|i| {
            i.record
                .report_id
                .rsplit_once('-')
                .is_some_and(|(p, _)| p == prefix)
        })
        .map(|i| i.record.exercise.as_str())
        .collect();
    match earlier.len() {
        0 => report_id.to_string(),
        n => {
            let letter = char::from(b'A' + (n.min(25)) as u8);
            format!("{prefix}-{letter}{number}")
        }
    }
}

/// The items as CSV: the report's improvement-plan columns, current values, plus the
/// exercise, note and evidence; `ttx actions import` reads it back.
pub fn items_csv(items: &[&Item]) -> String {
    let mut header = crate::assessment::report::PLAN_COLUMNS.to_vec();
    header.extend(["exercise", "note", "evidence"]);
    crate::assessment::report::csv_table(
        &header,
        items.iter().map(|i| {
            let r = &i.record;
            vec![
                r.id.clone(),
                r.capability.clone().unwrap_or_default(),
                r.finding.clone(),
                r.action.clone(),
                r.element.as_str().to_string(),
                i.owner.clone(),
                r.poc.clone(),
                r.priority.as_str().to_string(),
                r.start.clone(),
                i.due.to_string(),
                i.status.as_str().to_string(),
                r.exercise.clone(),
                i.note.clone().unwrap_or_default(),
                i.evidence.join(" "),
            ]
        }),
    )
}

/// A row of an issue tracker's CSV export: the id and whatever columns it has.
#[derive(Debug)]
pub struct TrackerRow {
    /// Line in the file.
    pub line: u64,
    /// The item id.
    pub id: String,
    /// `status`, if the column is there and filled in.
    pub status: Option<String>,
    /// `note`.
    pub note: Option<String>,
    /// `evidence`.
    pub evidence: Option<String>,
    /// `owner`.
    pub owner: Option<String>,
    /// `due`.
    pub due: Option<String>,
}

/// Reads a tracker's CSV export: a header with `id` and at least one of `status`,
/// `owner`, `due`, `note`, `evidence` (any case; other columns are ignored). Errors read
/// `LINE: message`.
pub fn tracker_rows(text: &str) -> Result<Vec<TrackerRow>, String> {
    let mut reader = ::csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("1: {e}"))?
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let id = col("id").ok_or(
        "1: no `id` column; the CSV needs `id` and `status` columns (as `ttx report --format csv` and `ttx actions list --format csv` write them)",
    )?;
    let cols = ["status", "note", "evidence", "owner", "due"].map(col);
    if cols.iter().all(Option::is_none) {
        return Err(
            "1: no column to import; give a `status` column (and optionally owner, due, note, evidence)"
                .into(),
        );
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("{line}: {e}")
        })?;
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(|v| crate::assessment::report::from_spreadsheet(v.trim()).to_string())
                .filter(|v| !v.is_empty())
        };
        rows.push(TrackerRow {
            line: record.position().map_or(0, |p| p.line()),
            id: get(Some(id)).unwrap_or_default(),
            status: get(cols[0]),
            note: get(cols[1]),
            evidence: get(cols[2]),
            owner: get(cols[3]),
            due: get(cols[4]),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ttx-ledger-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("ledger.jsonl")
    }

    fn stamp() -> Stamp {
        Stamp {
            at: "2026-06-01T09:00:00Z".into(),
            by: "test".into(),
        }
    }

    fn item(id: &str, exercise: &str) -> LedgerEvent {
        LedgerEvent::Item(ItemRecord {
            id: id.into(),
            exercise: exercise.into(),
            report_id: id.into(),
            kind: "late".into(),
            expectation: Some("declare".into()),
            role: Some("ic".into()),
            capability: Some("Operational Coordination".into()),
            finding: "late".into(),
            action: "fix".into(),
            owner: "Security".into(),
            poc: "Dana".into(),
            priority: Priority::High,
            element: Element::Planning,
            start: "2026-05-30".into(),
            due: "2026-06-13".into(),
        })
    }

    fn update(id: &str, status: Status) -> LedgerEvent {
        LedgerEvent::Update(Update {
            id: id.into(),
            status: Some(status),
            on: "2026-06-10".into(),
            ..Update::default()
        })
    }

    #[test]
    fn updates_fold_and_history_is_kept() {
        let path = tmp("fold");
        transact(&path, &stamp(), |_| {
            Ok((
                vec![
                    item("2026H1-X-01", "e1"),
                    update("2026H1-X-01", Status::InProgress),
                ],
                (),
            ))
        })
        .unwrap();
        transact(&path, &stamp(), |s| {
            assert_eq!(s.items["2026H1-X-01"].status, Status::InProgress);
            Ok((vec![update("2026H1-X-01", Status::Done)], ()))
        })
        .unwrap();
        let l = Ledger::read(&path).unwrap();
        let i = &l.state.items["2026H1-X-01"];
        assert_eq!(i.status, Status::Done);
        assert_eq!(i.done_on, Some("2026-06-10".parse().unwrap()));
        assert_eq!(i.history, vec![0, 1, 2]);
    }

    #[test]
    fn a_refusal_writes_nothing() {
        let path = tmp("refuse");
        let r: Result<Written<()>, _> =
            transact(&path, &stamp(), |_| Err(LedgerError::Refused("no".into())));
        assert!(r.is_err());
        assert_eq!(std::fs::read(&path).unwrap().len(), 0);
    }

    #[test]
    fn an_update_of_an_unknown_item_is_inconsistent() {
        let path = tmp("unknown");
        transact(&path, &stamp(), |_| {
            Ok((vec![update("nope", Status::Done)], ()))
        })
        .unwrap();
        let err = Ledger::read(&path).unwrap_err();
        assert!(
            err.to_string()
                .contains(":1: an update of unknown item `nope`"),
            "{err}"
        );
    }

    #[test]
    fn a_torn_line_is_set_aside_by_the_next_writer() {
        let path = tmp("torn");
        transact(&path, &stamp(), |_| Ok((vec![item("A-01", "e1")], ()))).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"v\":1,\"seq\":1,\"at\":\"20").unwrap();
        drop(f);
        let l = Ledger::read(&path).unwrap();
        assert!(l.torn.is_some());
        let w = transact(&path, &stamp(), |_| {
            Ok((vec![update("A-01", Status::Done)], ()))
        })
        .unwrap();
        assert!(w.warnings[0].contains("cut short"), "{:?}", w.warnings);
        let l = Ledger::read(&path).unwrap();
        assert!(l.torn.is_none());
        assert_eq!(l.entries.len(), 2);
    }

    #[test]
    fn a_later_exercise_of_the_same_half_gets_a_letter() {
        let path = tmp("letters");
        transact(&path, &stamp(), |_| {
            Ok((vec![item("2026H1-PAY-01", "e1")], ()))
        })
        .unwrap();
        let l = Ledger::read(&path).unwrap();
        assert_eq!(ledger_id(&l.state, "2026H1-PAY-01"), "2026H1-PAY-B01");
        assert_eq!(ledger_id(&l.state, "2026H2-PAY-01"), "2026H2-PAY-01");
    }

    #[test]
    fn tracker_statuses_read() {
        assert_eq!(
            Status::from_tracker("In Progress"),
            Some(Status::InProgress)
        );
        assert_eq!(Status::from_tracker("Won't Do"), Some(Status::WontFix));
        assert_eq!(Status::from_tracker("Closed"), Some(Status::Done));
        assert_eq!(Status::from_tracker("To Do"), Some(Status::Open));
        assert_eq!(Status::from_tracker("maybe"), None);
    }
}
