//! `ttx run`: plays a scenario into a journal, from the console, from commands on a pipe,
//! or from a scribe's decisions sheet; `--resume` continues a journal after a crash.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::model::sheet::{Confidence, DecisionsSheet};
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES;
use ttx_engine::authoring::validate;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::journal::WallClock;
use ttx_engine::exercise::session::{self, Session};
use ttx_engine::exercise::state::{Compiled, Files};

use crate::console;
use crate::exit::Exit;
use crate::output;
use crate::terminal::{self, Screen};

/// The options of `ttx run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The scenario (optional with --decisions or --resume).
    pub scenario: Option<PathBuf>,
    /// Seed of every random draw (random when omitted; always journaled).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Pin the wall clock to this start time (RFC 3339), e.g. to enter a paper exercise
    /// afterwards; makes the journal byte-identical for the same inputs.
    #[arg(long)]
    pub now: Option<String>,
    /// Journal file (default: journals/DATE-SCENARIO.jsonl in the program folder).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Play a scribe's decisions sheet through the engine.
    #[arg(long, conflicts_with = "resume")]
    pub decisions: Option<PathBuf>,
    /// Continue an exercise from its journal after a crash or a quit.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Do not fsync each event (faster, not crash-safe; for benchmarks).
    #[arg(long, hide = true)]
    pub no_fsync: bool,
}

fn fail(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}

/// Validates and compiles a scenario, printing its problems when it has any.
pub fn compile(path: &Path, program: Option<&ProgramDir>) -> Result<Compiled, Exit> {
    let report = validate::validate(&[path.to_path_buf()], program, Some(FileKind::Scenario));
    if report.errors() > 0 {
        output::print_diagnostics(&report.diagnostics, &report.sources);
        eprintln!("the scenario has errors; fix them before running it");
        return Err(Exit::Problems);
    }
    let max = program.map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
    let loaded = load::load_file::<Scenario>(FileKind::Scenario, path, max).map_err(|f| {
        let sources = f.source.into_iter().map(|s| (s.path.clone(), s)).collect();
        output::print_diagnostics(&f.diagnostics, &sources);
        Exit::Problems
    })?;
    Compiled::new(loaded).map_err(|diags| {
        output::print_diagnostics(&diags, &Default::default());
        Exit::Problems
    })
}

fn program_near(path: &Path) -> Option<ProgramDir> {
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    project::find_program(&dir)
        .or_else(|| project::find_program(Path::new(".")))
        .and_then(|p| ProgramDir::load(&p).ok())
}

/// Runs `ttx run`.
pub fn run(args: RunArgs) -> Exit {
    let wall = match &args.now {
        Some(text) => match text.parse::<ttx_engine::jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                return fail(format!(
                    "`{text}` is not a timestamp; write it like 2026-05-14T14:00:00Z"
                ));
            }
        },
        None => None,
    };
    if let Some(journal) = &args.resume {
        return resume(journal, &args, wall);
    }
    if let Some(path) = &args.decisions {
        // The sheet is checked against its scenario first, so a scribe's mistake is
        // reported at its line rather than as a refusal halfway through the exercise.
        let program = program_near(path);
        let report = validate::validate(
            std::slice::from_ref(path),
            program.as_ref(),
            Some(FileKind::Decisions),
        );
        if report.errors() > 0 {
            output::print_diagnostics(&report.diagnostics, &report.sources);
            eprintln!("the decisions sheet has errors; fix them before playing it");
            return Exit::Problems;
        }
    }
    let sheet = match &args.decisions {
        Some(path) => match load::load_file::<DecisionsSheet>(
            FileKind::Decisions,
            path,
            DEFAULT_MAX_FILE_BYTES,
        ) {
            Ok(l) => Some((path.clone(), l)),
            Err(f) => {
                let sources = f.source.into_iter().map(|s| (s.path.clone(), s)).collect();
                output::print_diagnostics(&f.diagnostics, &sources);
                return Exit::Problems;
            }
        },
        None => None,
    };
    let scenario_path = match (&args.scenario, &sheet) {
        (Some(p), _) => p.clone(),
        (None, Some((path, l))) => {
            let program = program_near(path);
            let max = program
                .as_ref()
                .map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
            match validate::sheet_scenario(l, program.as_ref(), max) {
                Some((p, _)) => p,
                None => {
                    return fail(format!(
                        "cannot find the scenario `{}` that {} names",
                        l.value.scenario.as_str(),
                        path.display()
                    ));
                }
            }
        }
        (None, None) => {
            return fail(
                "name a scenario, or a decisions sheet with --decisions, or a journal with --resume",
            );
        }
    };
    if !scenario_path.is_file() {
        return fail(format!("`{}` is not a file", scenario_path.display()));
    }
    // A sheet belongs to the program it is filed in; a scenario may live in a shared library.
    let program = match &args.decisions {
        Some(sheet) => program_near(sheet),
        None => program_near(&scenario_path),
    };
    let compiled = match compile(&scenario_path, program.as_ref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let wall = wall.or_else(|| {
        sheet
            .as_ref()
            .and_then(|(_, l)| l.value.started.as_ref())
            .and_then(|s| s.parse::<ttx_engine::jiff::Timestamp>().ok())
    });
    let seed = args
        .seed
        .or_else(|| sheet.as_ref().and_then(|(_, l)| l.value.seed))
        .unwrap_or_else(random_seed);
    let journal = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&compiled, program.as_ref(), wall));
    let files = match pin_files(&scenario_path, program.as_ref(), &journal) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let clock = wall.map_or(WallClock::System, WallClock::Pinned);
    let (mut session, first) =
        match Session::begin(&compiled, seed, files, &journal, !args.no_fsync, clock) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
    eprintln!(
        "journal: {}",
        ttx_engine::authoring::paths::display_path(session.path()).display()
    );
    print_events(&first);
    match sheet {
        Some((_, l)) => play_sheet(&mut session, &l.value),
        None => console_loop(&mut session),
    }
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

fn default_journal(
    c: &Compiled,
    program: Option<&ProgramDir>,
    wall: Option<ttx_engine::jiff::Timestamp>,
) -> PathBuf {
    let dir = program.map_or_else(|| PathBuf::from("journals"), ProgramDir::journals_path);
    let date = wall
        .unwrap_or_else(ttx_engine::jiff::Timestamp::now)
        .strftime("%Y-%m-%d")
        .to_string();
    let stem = format!("{date}-{}", c.scenario().id.as_str());
    let mut path = dir.join(format!("{stem}.jsonl"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.jsonl"));
        n += 1;
    }
    path
}

fn pin_files(
    scenario: &Path,
    program: Option<&ProgramDir>,
    journal: &Path,
) -> std::io::Result<Files> {
    let journal_abs = ttx_engine::authoring::paths::normalize(journal);
    Ok(Files {
        scenario: session::file_ref(scenario, &journal_abs)?,
        architecture: program
            .map(|p| session::file_ref(&p.architecture_path(), &journal_abs))
            .transpose()?,
        roster: program
            .map(|p| session::file_ref(&p.roster_path(), &journal_abs))
            .transpose()?,
    })
}

fn print_events(events: &[Timed]) {
    let mut out = std::io::stdout().lock();
    for e in events {
        let _ = writeln!(out, "{}", console::line(e));
    }
    let _ = out.flush();
}

/// The exercise stops because the journal cannot be written (a full disk, say): what
/// happened, that nothing acknowledged is lost, and how to go on.
fn stopped(error: &str, journal: &Path) {
    eprintln!(
        "error: {error}\n  the exercise stopped: the journal holds every event acknowledged before this one; free space (or fix the disk), then continue with `ttx run --resume {}`",
        journal.display()
    );
}

fn play_sheet(session: &mut Session<'_>, sheet: &DecisionsSheet) -> Exit {
    for input in session::sheet_inputs(sheet) {
        match session.apply(input) {
            Ok(events) => print_events(&events),
            Err(e @ ttx_engine::exercise::session::SessionError::Refused(_)) => {
                eprintln!("error: {e}");
                return Exit::Problems;
            }
            Err(e) => {
                stopped(&e.to_string(), session.path());
                return Exit::Usage;
            }
        }
    }
    println!("{}", console::status(&session.exercise, None));
    Exit::Ok
}

fn resume(journal: &Path, args: &RunArgs, wall: Option<ttx_engine::jiff::Timestamp>) -> Exit {
    let contents = match ttx_engine::exercise::journal::read(journal) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (scenario, _) = match session::start_of(&contents.lines, journal) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Err(e) = session::check_pinned(&scenario, journal) {
        eprintln!("error: {e}");
        return Exit::Problems;
    }
    let scenario_path = session::resolve(&scenario, journal);
    let program = program_near(&scenario_path);
    let compiled = match compile(&scenario_path, program.as_ref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // A pinned journal keeps its pinned clock: the start time is the first line's wall
    // time, so resumed lines stay deterministic.
    let first_wall = contents
        .lines
        .first()
        .and_then(|l| l.wall.parse::<ttx_engine::jiff::Timestamp>().ok());
    let clock = match (wall, first_wall) {
        (Some(t), _) => WallClock::Pinned(t),
        (None, Some(t)) if args.now.is_none() && looks_pinned(&contents.lines) => {
            WallClock::Pinned(t)
        }
        _ => WallClock::System,
    };
    let (mut session, written, warnings) =
        match Session::resume(&compiled, journal, !args.no_fsync, clock) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Problems;
            }
        };
    for w in warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "resumed {} at {}",
        journal.display(),
        session.exercise.now()
    );
    print_events(&written);
    if session.exercise.ended() {
        eprintln!("the exercise has already ended");
        return Exit::Ok;
    }
    console_loop(&mut session)
}

/// Whether every wall time equals the first plus the scenario time (a pinned journal).
fn looks_pinned(lines: &[ttx_engine::exercise::journal::Line]) -> bool {
    let Some(first) = lines
        .first()
        .and_then(|l| l.wall.parse::<ttx_engine::jiff::Timestamp>().ok())
    else {
        return false;
    };
    lines.iter().all(|l| {
        l.wall.parse::<ttx_engine::jiff::Timestamp>().ok()
            == first
                .checked_add(ttx_engine::jiff::SignedDuration::from_secs(
                    l.at.as_secs() as i64
                ))
                .ok()
    })
}

const HELP: &str = "commands:
  advance DURATION          move the clock (e.g. advance 5m)
  next                      move the clock to the next inject
  follow PACE | follow off  let the clock follow real time (1x, 2x, 10x)
  decide ROLE DECISION [low|medium|high] [re=INJECT] [by=PERSON] [: rationale]
  action ROLE [: text]      a decision not in the catalog
  notify FROM TO [: text]   a notification or handoff
  note : text               a facilitator's note
  inject ROLE[,ROLE] : text an ad-hoc inject
  view ROLE                 what that role has seen (to project or send)
  decisions                 the catalog: who may take what
  rate OBJECTIVE P|S|M|U : reason    override an objective's computed rating
  pause [: reason] | resume [: reason]
  strength : text | improve : text    hot-wash notes for the end
  end                       end the exercise with the hot wash
  status | help | quit      (quit leaves the exercise open to --resume)";

/// The console: commands from a terminal (line editing, history, completion, status in
/// the prompt, colour) or from a pipe.
fn console_loop(session: &mut Session<'_>) -> Exit {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let prompt = Arc::new(Mutex::new(String::from("ttx> ")));
    let (rx, mut screen) = match interactive
        .then(|| terminal::start(completion(session), Arc::clone(&prompt)))
        .flatten()
    {
        Some((rx, printer)) => (rx, Screen::Terminal(printer, output::stdout_color())),
        None => (pipe_lines(), Screen::Plain),
    };
    let mut hot_wash = (Vec::new(), Vec::new());
    let mut following: Option<(f64, Instant, SimTime)> = None;
    let mut refused = false;
    if interactive {
        screen.say("type `help` for commands; Tab completes commands and ids");
    }
    let mut changed = true;
    loop {
        if interactive && changed {
            screen.say(&console::status(&session.exercise, following.map(|f| f.0)));
            if let Ok(mut p) = prompt.lock() {
                *p = format!("ttx {}> ", session.exercise.now());
            }
        }
        changed = false;
        let line = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some((pace, since, base)) = following
                    && !session.exercise.paused()
                {
                    let elapsed = since.elapsed().as_secs_f64() * pace;
                    let to = base.after(SimDuration::from_secs(elapsed as u64));
                    if to > session.exercise.now()
                        && session.exercise.next_due().is_some_and(|t| t <= to)
                    {
                        match session.apply(Event::Advance { to }) {
                            Ok(events) => show(&mut screen, &events),
                            Err(e) => eprintln!("error: {e}"),
                        }
                        changed = true;
                    }
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        changed = true;
        match command(
            session,
            line.trim(),
            &mut hot_wash,
            &mut following,
            &mut screen,
        ) {
            Step::Continue => {}
            Step::Refused(message) => {
                refused = true;
                screen.say(&format!("! {message}"));
            }
            Step::Quit => break,
            Step::Failed(e) => {
                stopped(&e, session.path());
                return Exit::Usage;
            }
        }
        if session.exercise.ended() {
            break;
        }
    }
    if !session.exercise.ended() {
        eprintln!(
            "the exercise is not ended; continue it with `ttx run --resume {}`",
            session.path().display()
        );
    }
    if refused && !interactive {
        Exit::Problems
    } else {
        Exit::Ok
    }
}

/// Lines from standard input on a thread, so the clock can follow real time meanwhile.
fn pipe_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn completion(session: &Session<'_>) -> terminal::Completion {
    let s = session.exercise.compiled().scenario();
    let mut words: Vec<String> = s.roles.keys().map(|k| k.to_string()).collect();
    words.extend(s.decisions.keys().map(|k| k.to_string()));
    words.extend(s.injects.iter().map(|i| i.id.to_string()));
    words.extend(s.objectives.iter().map(|o| o.id.to_string()));
    words.extend(["low", "medium", "high", "off", "1x", "2x", "10x"].map(String::from));
    let commands = [
        "advance",
        "next",
        "follow",
        "decide",
        "action",
        "notify",
        "note",
        "inject",
        "view",
        "decisions",
        "pause",
        "resume",
        "rate",
        "strength",
        "improve",
        "end",
        "status",
        "help",
        "quit",
    ];
    terminal::Completion {
        commands: commands.map(String::from).to_vec(),
        words,
    }
}

fn show(screen: &mut Screen, events: &[Timed]) {
    for e in events {
        screen.event(e, &console::line(e));
    }
}

enum Step {
    Continue,
    Refused(String),
    Quit,
    Failed(String),
}

/// Splits `head : text` at the first ` : ` or leading `:`.
fn split_text(rest: &str) -> (&str, Option<String>) {
    match rest.split_once(':') {
        Some((head, text)) => (
            head.trim(),
            Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        ),
        None => (rest.trim(), None),
    }
}

fn command(
    session: &mut Session<'_>,
    line: &str,
    hot_wash: &mut (Vec<String>, Vec<String>),
    following: &mut Option<(f64, Instant, SimTime)>,
    screen: &mut Screen,
) -> Step {
    if line.is_empty() || line.starts_with('#') {
        return Step::Continue;
    }
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let (head, text) = split_text(rest);
    let args: Vec<&str> = head.split_whitespace().collect();
    let now = session.exercise.now();
    let input = match word {
        "help" | "?" => {
            screen.say(HELP);
            return Step::Continue;
        }
        "status" => {
            println!(
                "{}",
                console::status(&session.exercise, following.map(|f| f.0))
            );
            return Step::Continue;
        }
        "quit" | "exit" => return Step::Quit,
        "view" => {
            let Some(role) = args.first() else {
                return Step::Refused("view which role? e.g. `view oncall`".into());
            };
            if !session
                .exercise
                .compiled()
                .scenario()
                .roles
                .contains_key(*role)
            {
                return Step::Refused(format!("no role `{role}` in this scenario"));
            }
            screen.say(&format!("--- what {role} has seen ---"));
            for l in console::view(&session.exercise, role) {
                screen.say(&l);
            }
            return Step::Continue;
        }
        "decisions" => {
            for (id, d) in &session.exercise.compiled().scenario().decisions {
                let by: Vec<&str> = d.by.iter().map(|r| r.as_str()).collect();
                screen.say(&format!("{id:<24} by {}", by.join(", ")));
            }
            return Step::Continue;
        }
        "follow" => {
            match args.first().map(|p| p.trim_end_matches('x')) {
                Some("off") => *following = None,
                Some(p) => match p.parse::<f64>() {
                    Ok(pace) if pace > 0.0 && pace <= 100.0 => {
                        *following = Some((pace, Instant::now(), now))
                    }
                    _ => {
                        return Step::Refused(
                            "follow takes a pace such as 1x, 2x or 10x, or `off`".into(),
                        );
                    }
                },
                None => {
                    return Step::Refused(
                        "follow takes a pace such as 1x, 2x or 10x, or `off`".into(),
                    );
                }
            }
            return Step::Continue;
        }
        "strength" | "improve" => {
            let Some(t) = text.or_else(|| (!head.is_empty()).then(|| head.to_string())) else {
                return Step::Refused(format!("`{word} : text`"));
            };
            if word == "strength" {
                &mut hot_wash.0
            } else {
                &mut hot_wash.1
            }
            .push(t);
            return Step::Continue;
        }
        "advance" => match args.first().map(|d| d.parse::<SimDuration>()) {
            Some(Ok(d)) => Event::Advance { to: now.after(d) },
            _ => return Step::Refused("advance takes a duration such as 5m or 1h30m".into()),
        },
        "next" => match session.exercise.next_due() {
            Some(t) => Event::Advance { to: t },
            None => return Step::Refused("no inject is pending".into()),
        },
        "decide" => {
            let [role, decision, options @ ..] = args.as_slice() else {
                return Step::Refused(
                    "decide ROLE DECISION [low|medium|high] [re=INJECT] [by=PERSON] [: rationale]"
                        .into(),
                );
            };
            let mut confidence = None;
            let mut prompted_by = None;
            let mut participant = None;
            for o in options {
                match *o {
                    "low" => confidence = Some(Confidence::Low),
                    "medium" => confidence = Some(Confidence::Medium),
                    "high" => confidence = Some(Confidence::High),
                    _ if o.starts_with("re=") => prompted_by = Some(o[3..].to_string()),
                    _ if o.starts_with("by=") => participant = Some(o[3..].to_string()),
                    other => return Step::Refused(format!("`{other}` is not an option of decide")),
                }
            }
            Event::Decision {
                by: role.to_string(),
                decision: Some(decision.to_string()),
                action: None,
                participant,
                rationale: text,
                confidence,
                prompted_by,
            }
        }
        "action" => {
            let [role] = args.as_slice() else {
                return Step::Refused("action ROLE : what they did".into());
            };
            let Some(action) = text else {
                return Step::Refused("action ROLE : what they did".into());
            };
            Event::Decision {
                by: role.to_string(),
                decision: None,
                action: Some(action),
                participant: None,
                rationale: None,
                confidence: None,
                prompted_by: None,
            }
        }
        "notify" => {
            let [from, to] = args.as_slice() else {
                return Step::Refused("notify FROM TO [: what was said]".into());
            };
            Event::Notify {
                from: from.to_string(),
                to: to.to_string(),
                text,
            }
        }
        "note" => match text.or_else(|| (!head.is_empty()).then(|| head.to_string())) {
            Some(t) => Event::Note { text: t },
            None => return Step::Refused("note : text".into()),
        },
        "inject" => {
            let (Some(roles), Some(t)) = (args.first(), text) else {
                return Step::Refused("inject ROLE[,ROLE] : text".into());
            };
            Event::AdHocInject {
                to: roles.split(',').map(str::to_string).collect(),
                text: t,
            }
        }
        "rate" => {
            let ([objective, rating], Some(reason)) = (args.as_slice(), text) else {
                return Step::Refused("rate OBJECTIVE P|S|M|U : reason".into());
            };
            Event::Rate {
                objective: objective.to_string(),
                rating: rating.to_uppercase(),
                reason,
            }
        }
        "pause" => Event::Pause { reason: text },
        "resume" => Event::Resume { reason: text },
        "end" => Event::End {
            strengths: std::mem::take(&mut hot_wash.0),
            improvements: std::mem::take(&mut hot_wash.1),
        },
        other => return Step::Refused(format!("unknown command `{other}`; type `help`")),
    };
    match session.apply(input) {
        Ok(events) => {
            show(screen, &events);
            screen.say("ok");
            Step::Continue
        }
        Err(ttx_engine::exercise::session::SessionError::Refused(r)) => Step::Refused(r.0),
        Err(e) => Step::Failed(e.to_string()),
    }
}
