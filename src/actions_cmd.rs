//! `ttx actions …`: the program's action-item ledger: enter an exercise's items, list,
//! show, change, and import status updates from an issue tracker.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ttx_engine::authoring::diagnostic::Severity;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::suggest::did_you_mean;
use ttx_engine::jiff::civil::Date;
use ttx_engine::program::changes::{self, Change};
use ttx_engine::program::ledger::{
    self, Entered, Item, Ledger, LedgerError, LedgerEvent, Stamp, Update,
};

use crate::exit::Exit;
use crate::journal_cmd;
use crate::output;
use ttx_engine::program::record::{Analysis, Anchored, anchor_verdict};

/// The options of `ttx actions`.
#[derive(clap::Args)]
pub struct ActionsArgs {
    /// The program folder (or its ttx.yaml); found upward from here when left out.
    #[arg(long, global = true)]
    pub program: Option<PathBuf>,
    #[command(subcommand)]
    command: ActionsCommand,
}

#[derive(clap::Subcommand)]
enum ActionsCommand {
    /// List action items with their current status, owner and due date.
    List {
        /// Only items still open or in progress.
        #[arg(long)]
        open: bool,
        /// Only items open or in progress past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only items owned by this team (name or roster id).
        #[arg(long)]
        owner: Option<String>,
        /// Only items of this exercise.
        #[arg(long)]
        exercise: Option<String>,
        /// table, json or csv.
        #[arg(long, default_value = "table", value_parser = ["table", "json", "csv"])]
        format: String,
    },
    /// One item and its full history.
    Show {
        /// The item id, e.g. 2026H1-PAYMENTS-03.
        id: String,
        /// text or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Change an item; the change is appended with who and when, nothing is overwritten.
    Set {
        /// The item id.
        id: String,
        /// open, in-progress, done or wont-fix.
        #[arg(long, value_parser = ["open", "in-progress", "done", "wont-fix"])]
        status: Option<String>,
        /// A note: what was done, or why not.
        #[arg(long)]
        note: Option<String>,
        /// A link to the evidence (a ticket, a pull request, a runbook change).
        #[arg(long)]
        evidence: Option<String>,
        /// Hand the item to another team (name or roster id).
        #[arg(long)]
        owner: Option<String>,
        /// A new due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
        /// The day the change happened, YYYY-MM-DD (default today).
        #[arg(long)]
        on: Option<String>,
        /// Who records it (default $TTX_USER, then $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Apply status updates exported from an issue tracker (CSV with `id` and `status`
    /// columns, optionally `owner`, `due`, `note`, `evidence`); all rows or none.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Match the CSV's ids as this exercise's report ids (for a report's own CSV).
        #[arg(long)]
        exercise: Option<String>,
        /// The day the changes happened, YYYY-MM-DD (default today).
        #[arg(long)]
        on: Option<String>,
        /// Who records them (default $TTX_USER, then $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Check the ledger's hash chain, print its length and head (to compare with one kept
    /// elsewhere, e.g. in git history), and check every tracked journal against the anchor
    /// recorded when it was entered.
    Verify,
    /// Enter the action items of ended exercises (as `ttx report` does); entering twice
    /// changes nothing.
    Add {
        /// Journals of ended exercises.
        #[arg(required = true)]
        journals: Vec<PathBuf>,
        /// Who records them (default $TTX_USER, then $USER).
        #[arg(long)]
        by: Option<String>,
    },
}

/// Runs an `actions` subcommand.
pub fn run(args: ActionsArgs) -> Exit {
    match args.command {
        ActionsCommand::Add { journals, by } => {
            // `--program` is opened (and checked) once; otherwise each journal's own.
            let given = match args.program.as_deref().map(|p| open_program(Some(p))) {
                Some(Ok(p)) => Some(p),
                Some(Err(code)) => return code,
                None => None,
            };
            let mut code = Exit::Ok;
            for journal in journals {
                let analyzed = match journal_cmd::analyze(&journal, false) {
                    Ok(a) => a,
                    Err(e) => {
                        code = worst(code, e);
                        continue;
                    }
                };
                let Some(program) = given.as_ref().or(analyzed.program.as_ref()) else {
                    eprintln!(
                        "error: {}: no ttx.yaml above the journal; name the program with --program",
                        journal.display()
                    );
                    return Exit::Usage;
                };
                if let Err(e) = enter(program, &journal, &analyzed, by.clone()) {
                    code = worst(code, e);
                }
            }
            code
        }
        command => {
            let program = match open_program(args.program.as_deref()) {
                Ok(p) => p,
                Err(e) => return e,
            };
            match command {
                ActionsCommand::List {
                    open,
                    overdue,
                    owner,
                    exercise,
                    format,
                } => list(&program, open, overdue, owner, exercise, &format),
                ActionsCommand::Show { id, format } => show(&program, &id, &format),
                ActionsCommand::Set {
                    id,
                    status,
                    note,
                    evidence,
                    owner,
                    due,
                    on,
                    by,
                } => set(
                    &program,
                    id,
                    Change {
                        status,
                        note,
                        evidence,
                        owner,
                        due,
                    },
                    on,
                    by,
                ),
                ActionsCommand::Import {
                    file,
                    exercise,
                    on,
                    by,
                } => import(&program, &file, exercise, on, by),
                ActionsCommand::Verify => verify(&program),
                ActionsCommand::Add { .. } => unreachable!("handled above"),
            }
        }
    }
}

/// Whether two tracker rows ask for the same change.
fn same_change(a: &ledger::TrackerRow, b: &ledger::TrackerRow) -> bool {
    (&a.status, &a.note, &a.evidence, &a.owner, &a.due)
        == (&b.status, &b.note, &b.evidence, &b.owner, &b.due)
}

/// `ttx actions verify`.
fn verify(program: &ProgramDir) -> Exit {
    let ledger = match read_ledger(program) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let path = program.ledger_path();
    println!(
        "{}: {} lines, hash chain intact, head {}; {} exercise(s), {} action item(s)",
        path.display(),
        ledger.entries.len(),
        ledger.head,
        ledger.state.exercises.len(),
        ledger.state.items.len()
    );
    let base = path.parent().unwrap_or(Path::new("."));
    let mut code = Exit::Ok;
    for x in &ledger.state.exercises {
        let journal = base.join(&x.journal);
        let events = x.journal_events.unwrap_or_default();
        match ttx_engine::exercise::journal::read(&journal) {
            Ok(c) => match anchor_verdict(x, &c) {
                Anchored::NotAnchored => println!(
                    "  {}: entered before ledgers kept anchors; nothing to compare",
                    x.id
                ),
                Anchored::Holds => println!(
                    "  {}: {} holds the {events} events it was entered with",
                    x.id, x.journal
                ),
                Anchored::Broken(why) => {
                    eprintln!("error: {}: {why}", journal.display());
                    code = Exit::Problems;
                }
            },
            Err(e) => println!("  {}: {} cannot be checked here: {e}", x.id, x.journal),
        }
    }
    println!(
        "the chain proves no line was edited or reordered, not that none was cut off the end: compare the head with one kept elsewhere (git log -p {})",
        path.file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
    );
    code
}

fn worst(a: Exit, b: Exit) -> Exit {
    match (a, b) {
        (Exit::Usage, _) | (_, Exit::Usage) => Exit::Usage,
        (Exit::Problems, _) | (_, Exit::Problems) => Exit::Problems,
        _ => Exit::Ok,
    }
}

/// The program named by `--program` (a folder or its ttx.yaml), or found upward from the
/// working folder; its problems are printed.
pub fn open_program(given: Option<&Path>) -> Result<ProgramDir, Exit> {
    let file = match given {
        Some(p) if p.is_dir() => Some(p.join(ttx_engine::authoring::model::program::PROGRAM_FILE)),
        Some(p) => Some(p.to_path_buf()),
        None => project::find_program(Path::new(".")),
    };
    let Some(file) = file.filter(|f| f.is_file()) else {
        eprintln!(
            "error: no ttx.yaml found{}\n  help: run ttx inside a program folder, or name it with --program DIR",
            given.map_or_else(String::new, |g| format!(" at {}", g.display()))
        );
        return Err(Exit::Usage);
    };
    let fail = |diagnostics: &[ttx_engine::authoring::diagnostic::Diagnostic],
                source: Option<ttx_engine::authoring::source::SourceFile>| {
        let sources: HashMap<_, _> = source.map(|s| (s.path.clone(), s)).into_iter().collect();
        output::print_diagnostics(diagnostics, &sources);
        Exit::Problems
    };
    let program = ProgramDir::load(&file).map_err(|f| fail(&f.diagnostics, f.source))?;
    let problems = ttx_engine::authoring::check::program::check(&program.program);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(fail(&problems, Some(program.program.source.clone())));
    }
    Ok(program)
}

/// Now, or `TTX_NOW` (RFC 3339) when set: scripted histories and tests pin it.
pub fn now() -> ttx_engine::jiff::Timestamp {
    std::env::var("TTX_NOW")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(ttx_engine::jiff::Timestamp::now)
}

/// The operating-system user running ttx: `$USER` (or `$USERNAME` on Windows), else the
/// name of the process's user id, else its number: never a made-up name.
fn os_user() -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(u) = env("USER")
        .or_else(|| env("USERNAME"))
        .or_else(|| env("LOGNAME"))
    {
        return u;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The owner of our own /proc entry is the process's user id.
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            let uid = meta.uid();
            let passwd = ttx_engine::authoring::file::read_bounded(
                std::path::Path::new("/etc/passwd"),
                ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES,
            )
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
            let name = passwd.and_then(|p| {
                p.lines().find_map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
                })
            });
            return name.unwrap_or_else(|| format!("uid {uid}"));
        }
    }
    "an unnamed operating-system user".into()
}

/// Today (UTC), or the day of `TTX_NOW`.
pub fn today() -> Date {
    ttx_engine::jiff::tz::Offset::UTC.to_datetime(now()).date()
}

fn stamp(by: Option<String>) -> Stamp {
    let given = |v: Option<String>| v.filter(|b| !b.trim().is_empty());
    let by = given(by)
        .or_else(|| given(std::env::var("TTX_USER").ok()))
        .unwrap_or_else(|| {
            let user = os_user();
            eprintln!(
                "warning: no --by and no TTX_USER: the change is recorded as by `{user}`, the operating-system user; say who with --by NAME or TTX_USER"
            );
            user
        });
    let now = now();
    Stamp {
        at: now
            .round(ttx_engine::jiff::Unit::Second)
            .unwrap_or(now)
            .to_string(),
        by,
    }
}

pub fn read_ledger(program: &ProgramDir) -> Result<Ledger, Exit> {
    let path = program.ledger_path();
    let ledger = Ledger::read(&path).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Problems
    })?;
    if ledger.torn.is_some() {
        eprintln!(
            "warning: {}: the last line is cut short (a writer crashed before acknowledging it); the next change sets it aside in {}.torn",
            path.display(),
            path.display()
        );
    }
    Ok(ledger)
}

fn report_write<T>(result: Result<ledger::Written<T>, LedgerError>) -> Result<T, Exit> {
    match result {
        Ok(w) => {
            for warning in &w.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(w.value)
        }
        Err(LedgerError::Refused(message)) => {
            eprintln!("error: {message}");
            Err(Exit::Problems)
        }
        Err(e @ LedgerError::Chain(ttx_engine::exercise::journal::JournalError::Io { .. })) => {
            eprintln!(
                "error: {e}\n  the ledger is unchanged; free space or fix permissions, then run the command again"
            );
            Err(Exit::Usage)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(Exit::Problems)
        }
    }
}

/// Enters an ended exercise's action items into the program's ledger (once), and says
/// what the ledger holds of it; nothing (`None`) for an exercise that has not ended.
pub fn enter(
    program: &ProgramDir,
    journal: &Path,
    analyzed: &Analysis,
    by: Option<String>,
) -> Result<Option<Entered>, Exit> {
    if !analyzed.report.exercise.ended {
        eprintln!(
            "note: {}: the exercise has not ended; its action items enter the ledger when it has",
            journal.display()
        );
        return Ok(None);
    }
    let path = program.ledger_path();
    let rel = ttx_engine::exercise::session::relative_to(
        journal,
        path.parent().unwrap_or(Path::new(".")),
    );
    let stem = journal
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "exercise".into());
    let result = ledger::transact(&path, &stamp(by), |state| {
        Ok(ledger::enter_events(
            state,
            &analyzed.report,
            &rel,
            &stem,
            &analyzed.identity,
            &analyzed.anchor,
        ))
    });
    let entered: Entered = report_write(result)?;
    let renamed: Vec<String> = entered
        .ids
        .iter()
        .filter(|(r, l)| r != l)
        .map(|(r, l)| format!("{r} → {l}"))
        .collect();
    if entered.new {
        eprintln!(
            "ledger: exercise {} entered with {} action item(s) in {}",
            entered.exercise,
            entered.ids.len(),
            path.display()
        );
        if let Some(first) = renamed.first() {
            eprintln!(
                "ledger: an earlier exercise of this scenario this half-year used the same ids, so these items carry a letter: {first}, and so on (`ttx actions list --exercise {}`)",
                entered.exercise
            );
        }
    } else {
        eprintln!(
            "ledger: exercise {} is already in {}; nothing added",
            entered.exercise,
            path.display()
        );
    }
    Ok(Some(entered))
}

fn roster_of(program: &ProgramDir) -> Option<Roster> {
    load::load_file::<Roster>(
        FileKind::Roster,
        &program.roster_path(),
        program.max_file_bytes(),
    )
    .ok()
    .map(|l| l.value)
}

fn list(
    program: &ProgramDir,
    open: bool,
    overdue: bool,
    owner: Option<String>,
    exercise: Option<String>,
    format: &str,
) -> Exit {
    let ledger = match read_ledger(program) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let today = today();
    let roster = roster_of(program);
    if let Some(x) = &exercise
        && !ledger.state.exercises.iter().any(|e| &e.id == x)
    {
        let ids: Vec<&str> = ledger
            .state
            .exercises
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        eprintln!(
            "error: no exercise `{x}` in the ledger{}",
            did_you_mean(x, ids.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default()
        );
        return Exit::Usage;
    }
    let items: Vec<&Item> = ledger
        .state
        .items
        .values()
        .filter(|i| !open || i.status.is_open())
        .filter(|i| !overdue || i.overdue(today))
        .filter(|i| {
            owner
                .as_deref()
                .is_none_or(|o| changes::matches_owner(i, o, roster.as_ref()))
        })
        .filter(|i| exercise.as_deref().is_none_or(|x| i.record.exercise == x))
        .collect();
    match format {
        "json" => {
            let rows: Vec<serde_json::Value> = items
                .iter()
                .map(|i| {
                    let mut v = serde_json::to_value(i).unwrap_or_default();
                    v["overdue"] = i.overdue(today).into();
                    v
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "version": 1,
                    "today": today.to_string(),
                    "items": rows,
                }))
                .unwrap_or_default()
            );
        }
        "csv" => print!("{}", ledger::items_csv(&items)),
        _ => {
            if items.is_empty() {
                println!("no action items match");
            } else {
                print!("{}", items_table(&items, today));
            }
        }
    }
    Exit::Ok
}

fn items_table(items: &[&Item], today: Date) -> String {
    let rows: Vec<[String; 6]> = items
        .iter()
        .map(|i| {
            let due = if i.overdue(today) {
                format!("{} OVERDUE", i.due)
            } else {
                i.due.to_string()
            };
            [
                i.record.id.clone(),
                i.status.as_str().to_string(),
                i.owner.clone(),
                i.record.priority.as_str().to_string(),
                due,
                clip(&i.record.action, 70),
            ]
        })
        .collect();
    table(
        &["ID", "STATUS", "OWNER", "PRIORITY", "DUE", "ACTION"],
        &rows,
    )
}

/// A plain-text table with columns padded to their widest cell.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (n, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if n + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn find_item<'a>(ledger: &'a Ledger, id: &str) -> Result<&'a Item, Exit> {
    ledger.state.items.get(id).ok_or_else(|| {
        let ids: Vec<&str> = ledger.state.items.keys().map(String::as_str).collect();
        eprintln!(
            "error: no action item `{id}` in {}{}",
            ledger.path.display(),
            did_you_mean(id, ids.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_else(|| "; `ttx actions list` shows them".into())
        );
        Exit::Usage
    })
}

fn show(program: &ProgramDir, id: &str, format: &str) -> Exit {
    let ledger = match read_ledger(program) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let item = match find_item(&ledger, id) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let today = today();
    if format == "json" {
        let history: Vec<&ledger::Entry> =
            item.history.iter().map(|n| &ledger.entries[*n]).collect();
        let mut v = serde_json::to_value(item).unwrap_or_default();
        v["overdue"] = item.overdue(today).into();
        v["history"] = serde_json::to_value(history).unwrap_or_default();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Exit::Ok;
    }
    let r = &item.record;
    println!("{}  {}", r.id, item.status.as_str());
    println!("  exercise:   {} (report id {})", r.exercise, r.report_id);
    println!("  finding:    {}", r.finding);
    println!("  action:     {}", r.action);
    println!("  owner:      {} (POC {})", item.owner, r.poc);
    println!(
        "  priority:   {}, {}",
        r.priority.as_str(),
        r.element.as_str()
    );
    println!(
        "  due:        {}{}",
        item.due,
        if item.overdue(today) {
            " (overdue)"
        } else {
            ""
        }
    );
    if let Some(c) = &r.capability {
        println!("  capability: {c}");
    }
    println!("history:");
    for n in &item.history {
        let e = &ledger.entries[*n];
        let what = match &e.event {
            LedgerEvent::Item(_) => "entered from the exercise's report".to_string(),
            LedgerEvent::Update(u) => describe(u),
            LedgerEvent::Exercise(_) => continue,
        };
        println!("  {}  {}  {what}", e.at, e.by);
    }
    Exit::Ok
}

fn describe(u: &Update) -> String {
    let mut parts = Vec::new();
    if let Some(s) = u.status {
        parts.push(format!("status {}", s.as_str()));
    }
    if let Some(o) = &u.owner {
        parts.push(format!("owner {o}"));
    }
    if let Some(d) = &u.due {
        parts.push(format!("due {d}"));
    }
    if let Some(e) = &u.evidence {
        parts.push(format!("evidence {e}"));
    }
    if let Some(n) = &u.note {
        parts.push(format!("note \"{n}\""));
    }
    format!("{} (on {})", parts.join(", "), u.on)
}

fn day(on: Option<String>) -> Result<Date, Exit> {
    match on {
        None => Ok(today()),
        Some(d) => d.parse().map_err(|_| {
            eprintln!("error: --on `{d}` is not a date; write YYYY-MM-DD");
            Exit::Usage
        }),
    }
}

fn set(
    program: &ProgramDir,
    id: String,
    change: Change,
    on: Option<String>,
    by: Option<String>,
) -> Exit {
    let on = match day(on) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let update = match changes::to_update(roster_of(program).as_ref(), id.clone(), change, on) {
        Ok(u) => u,
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            return Exit::Usage;
        }
    };
    let path = program.ledger_path();
    let result = ledger::transact(&path, &stamp(by), |state| {
        let Some(item) = state.items.get(&update.id) else {
            let ids: Vec<&str> = state.items.keys().map(String::as_str).collect();
            return Err(LedgerError::Refused(format!(
                "no action item `{}` in {}{}",
                update.id,
                path.display(),
                did_you_mean(&update.id, ids.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_else(|| "; `ttx actions list` shows them".into())
            )));
        };
        if !update.changes(item) {
            return Ok((Vec::new(), false));
        }
        Ok((vec![LedgerEvent::Update(update.clone())], true))
    });
    match report_write(result) {
        Ok(true) => {
            println!("{id}: {}", describe(&update));
            Exit::Ok
        }
        Ok(false) => {
            println!("{id}: already so; nothing recorded");
            Exit::Ok
        }
        Err(code) => code,
    }
}

fn import(
    program: &ProgramDir,
    file: &Path,
    exercise: Option<String>,
    on: Option<String>,
    by: Option<String>,
) -> Exit {
    let on = match day(on) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let text = match ttx_engine::authoring::source::SourceFile::read(file, program.max_file_bytes())
    {
        Ok(s) => s.text,
        Err(d) => {
            // A file that is not there is a usage mistake; one whose content is wrong
            // (not UTF-8, too large) is a problem with the input, as for YAML.
            let usage = d.code == ttx_engine::authoring::diagnostic::Code::Io;
            output::print_diagnostics(&[d], &HashMap::new());
            return if usage { Exit::Usage } else { Exit::Problems };
        }
    };
    let rows = match ledger::tracker_rows(&text) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {}:{e}", file.display());
            return Exit::Problems;
        }
    };
    // Read once for every row (it was read once per row).
    let roster = roster_of(program);
    let ledger = match read_ledger(program) {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Some(x) = &exercise
        && !ledger.state.exercises.iter().any(|e| &e.id == x)
    {
        eprintln!("error: no exercise `{x}` in the ledger");
        return Exit::Usage;
    }
    let mut problems = Vec::new();
    // Two rows for one item that say different things: which is meant cannot be known.
    let mut first_row: HashMap<&str, &ledger::TrackerRow> = HashMap::new();
    for row in &rows {
        match first_row.get(row.id.as_str()) {
            Some(earlier) if !same_change(earlier, row) => problems.push(format!(
                "{}:{}: `{}` is also on line {} with other values; keep one row per item",
                file.display(),
                row.line,
                row.id,
                earlier.line
            )),
            Some(_) => {}
            None => {
                first_row.insert(&row.id, row);
            }
        }
    }
    drop(first_row);
    let mut updates = Vec::new();
    for row in rows {
        let line = row.line;
        let given = row.id;
        let id = match &exercise {
            Some(x) => ledger
                .state
                .items_of(x)
                // An older report printed the assessment's ids; a report now prints the
                // ledger's. Either names the item within its exercise.
                .find(|i| i.record.report_id == given || i.record.id == given)
                .map(|i| i.record.id.clone()),
            None => ledger
                .state
                .items
                .contains_key(&given)
                .then(|| given.clone()),
        };
        let Some(id) = id else {
            problems.push(format!(
                "{}:{line}: unknown action item `{given}`{}",
                file.display(),
                exercise
                    .as_deref()
                    .map(|x| format!(" in exercise {x}"))
                    .unwrap_or_default()
            ));
            continue;
        };
        let change = Change {
            status: row.status,
            note: row.note,
            evidence: row.evidence,
            owner: row.owner,
            due: row.due,
        };
        match changes::to_update(roster.as_ref(), id, change, on) {
            Ok(u) => updates.push(u),
            Err(ps) => problems.extend(
                ps.into_iter()
                    .filter(|p| !p.starts_with("nothing to change"))
                    .map(|p| format!("{}:{line}: {p}", file.display())),
            ),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("error: {p}");
        }
        eprintln!("nothing was imported; fix the rows above and import again");
        return Exit::Problems;
    }
    let path = program.ledger_path();
    let total = updates.len();
    let result = ledger::transact(&path, &stamp(by), |state| {
        let mut events = Vec::new();
        for u in &updates {
            let item = state.items.get(&u.id).ok_or_else(|| {
                LedgerError::Refused(format!("item `{}` is no longer in the ledger", u.id))
            })?;
            if u.changes(item) {
                events.push(LedgerEvent::Update(u.clone()));
            }
        }
        let n = events.len();
        Ok((events, n))
    });
    match report_write(result) {
        Ok(changed) => {
            println!(
                "imported {changed} change(s) from {} ({} row(s) already up to date)",
                file.display(),
                total - changed
            );
            Exit::Ok
        }
        Err(code) => code,
    }
}
