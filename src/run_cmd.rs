//! `ttx run`: plays a scenario into a journal, from the console, from commands on a pipe,
//! or from a scribe's decisions sheet; `--resume` continues a journal after a crash. Every
//! command goes through the engine's command layer (`ttx_engine::exercise::facilitation`);
//! this file only reads lines, prints what the engine says, and sets the exit code.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ttx_engine::authoring::load::{self, Loaded};
use ttx_engine::authoring::model::architecture::Architecture;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::model::sheet::DecisionsSheet;
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES;
use ttx_engine::authoring::validate;
use ttx_engine::exercise::command;
use ttx_engine::exercise::driver::{Driver, Setup, TICK};
use ttx_engine::exercise::facilitation::{Facilitation, Open, Opened, Response, Shown, Verdict};
use ttx_engine::exercise::journal::WallClock;
use ttx_engine::exercise::realtime::{ManualClock, SystemClock};
use ttx_engine::exercise::session::{self, Session, SessionError};
use ttx_engine::exercise::state::{Compiled, Files};
use ttx_engine::exercise::status_line::{Mode, Status};
use ttx_engine::program::record::RecordError;

use crate::exit::Exit;
use crate::output;
use crate::terminal::{self, Screen};

/// The options of `ttx run`.
#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub start: StartArgs,
    /// Play a scribe's decisions sheet through the engine.
    #[arg(long, conflicts_with = "resume")]
    pub decisions: Option<PathBuf>,
}

/// How an exercise starts or resumes: the options `ttx run` and `ttx serve` share.
#[derive(clap::Args)]
pub struct StartArgs {
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
    /// Continue an exercise from its journal after a crash or a quit.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Show the hidden truth on the screen from the start: draws, red-herring marks, held
    /// injects, expectations that depend on the truth (`truth on` in the console). Off by
    /// default, because the facilitator's screen is often projected.
    #[arg(long)]
    pub truth: bool,
    /// Do not fsync each event (faster, not crash-safe; for benchmarks).
    #[arg(long, hide = true)]
    pub no_fsync: bool,
}

fn fail(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}

/// Validates a scenario against the program chosen for the run and loads it, printing its
/// problems when it has any. The scripts are compiled where the exercise will live
/// ([`Compiled::new`]).
pub fn load_valid(path: &Path, program: Option<&ProgramDir>) -> Result<Loaded<Scenario>, Exit> {
    crate::validate_cmd::valid_scenario_in(path, program, "before running it")
}

/// Compiles a validated scenario's scripts.
pub fn compile(loaded: Loaded<Scenario>) -> Result<Compiled, Exit> {
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

/// The roster of a program, when it has one that loads (it was validated with the
/// program; a roster that does not load only means participants are not checked).
fn roster_of(program: Option<&ProgramDir>) -> Option<Roster> {
    let p = program?;
    load::load_file::<Roster>(FileKind::Roster, &p.roster_path(), p.max_file_bytes())
        .ok()
        .map(|l| l.value)
}

/// An exercise ready to open: the validated scenario, how to open its journal, and the
/// roster its participants are checked against.
pub struct Prepared {
    /// The validated scenario (compiled where the exercise will live).
    pub loaded: Loaded<Scenario>,
    /// How the session opens.
    pub open: Open,
    /// The program's roster, when it has one.
    pub roster: Option<Roster>,
    /// The runbook steps the scenario's expectations cite, from the program's runbooks.
    pub runbook_steps: Vec<ttx_engine::authoring::runbook::Cited>,
}

/// The runbook steps `s` cites, read from the program's architecture and runbook files.
fn runbook_steps(
    s: &Scenario,
    program: Option<&ProgramDir>,
    architecture: Option<&Architecture>,
) -> Vec<ttx_engine::authoring::runbook::Cited> {
    let Some(p) = program else {
        return Vec::new();
    };
    let path = p.architecture_path();
    let loaded;
    let arch = match architecture {
        Some(a) => a,
        None => {
            match load::load_file::<Architecture>(FileKind::Architecture, &path, p.max_file_bytes())
            {
                Ok(l) => {
                    loaded = l.value;
                    &loaded
                }
                Err(_) => return Vec::new(),
            }
        }
    };
    ttx_engine::authoring::runbook::cited(s, arch, path.parent().unwrap_or(Path::new(".")))
}

fn wall_of(args: &StartArgs) -> Result<Option<ttx_engine::jiff::Timestamp>, Exit> {
    match &args.now {
        Some(text) => match text.parse::<ttx_engine::jiff::Timestamp>() {
            Ok(t) => Ok(Some(t)),
            Err(_) => Err(fail(format!(
                "`{text}` is not a timestamp; write it like 2026-05-14T14:00:00Z"
            ))),
        },
        None => Ok(None),
    }
}

/// Validates and prepares the exercise `args` name: a new one from a scenario, or one
/// resumed from its journal.
pub fn prepare(args: &StartArgs) -> Result<Prepared, Exit> {
    let wall = wall_of(args)?;
    if let Some(journal) = &args.resume {
        return prepare_resume(journal, args, wall);
    }
    let Some(scenario_path) = &args.scenario else {
        return Err(fail("name a scenario, or a journal with --resume"));
    };
    if !scenario_path.is_file() {
        return Err(fail(format!("`{}` is not a file", scenario_path.display())));
    }
    let program = program_near(scenario_path);
    let loaded = load_valid(scenario_path, program.as_ref())?;
    let seed = args.seed.unwrap_or_else(random_seed);
    let journal = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&loaded.value, program.as_ref(), wall));
    let files = pin_files(scenario_path, program.as_ref(), &journal).map_err(fail)?;
    let runbook_steps = runbook_steps(&loaded.value, program.as_ref(), None);
    Ok(Prepared {
        runbook_steps,
        loaded,
        open: Open::Begin {
            seed,
            files,
            journal,
            fsync: !args.no_fsync,
            wall: wall.map_or(WallClock::System, WallClock::Pinned),
        },
        roster: roster_of(program.as_ref()),
    })
}

/// Runs `ttx run`.
pub fn run(run: RunArgs) -> Exit {
    let RunArgs {
        start: args,
        decisions,
    } = run;
    if args.resume.is_none() && decisions.is_none() && args.scenario.is_none() {
        return fail(
            "name a scenario, or a decisions sheet with --decisions, or a journal with --resume",
        );
    }
    if args.resume.is_some() || decisions.is_none() {
        return match prepare(&args) {
            Ok(p) => console(p, args.truth),
            Err(code) => code,
        };
    }
    let wall = match wall_of(&args) {
        Ok(w) => w,
        Err(code) => return code,
    };
    if let Some(path) = &decisions {
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
    let sheet = match &decisions {
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
    let program = match &decisions {
        Some(sheet) => program_near(sheet),
        None => program_near(&scenario_path),
    };
    let loaded = match load_valid(&scenario_path, program.as_ref()) {
        Ok(l) => l,
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
        .unwrap_or_else(|| default_journal(&loaded.value, program.as_ref(), wall));
    let files = match pin_files(&scenario_path, program.as_ref(), &journal) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let clock = wall.map_or(WallClock::System, WallClock::Pinned);
    let roster = roster_of(program.as_ref());
    let Some((path, l)) = sheet else {
        return fail("a decisions sheet is needed here");
    };
    let compiled = match compile(loaded) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let session = match Session::begin(&compiled, seed, files, &journal, !args.no_fsync, clock) {
        Ok((s, first)) => (s, first),
        Err(e) => return fail(e),
    };
    play_sheet(session, roster, &path, &l, args.truth)
}

/// Plays a scribe's sheet through the command layer, as a console would type it; a
/// refusal points at the sheet's entry.
fn play_sheet(
    (session, first): (Session<'_>, Vec<ttx_engine::exercise::event::Timed>),
    roster: Option<Roster>,
    path: &Path,
    sheet: &Loaded<DecisionsSheet>,
    truth: bool,
) -> Exit {
    eprintln!(
        "journal: {}",
        ttx_engine::authoring::paths::display_path(session.path()).display()
    );
    let mut f = Facilitation::new(session, roster, Box::new(ManualClock::default()), truth);
    let mut screen = Screen::Plain;
    show(&mut screen, &f.opening(first));
    for (pos, command) in command::sheet_commands(sheet) {
        let r = f.execute(command);
        show(&mut screen, &r);
        match r.verdict {
            Verdict::Refused(why) => {
                eprintln!(
                    "error: {}:{pos}: the engine refused this entry: {why}",
                    path.display()
                );
                return Exit::Problems;
            }
            Verdict::Stopped(e) => {
                stopped(&e, f.journal());
                return Exit::Usage;
            }
            _ => {}
        }
    }
    screen.say(&f.status().to_string());
    Exit::Ok
}

/// The exercise stops because the journal cannot be written (a full disk, say): what
/// happened, that nothing acknowledged is lost, and how to go on.
fn stopped(error: &str, journal: &Path) {
    eprintln!(
        "error: {error}\n  the exercise stopped: the journal holds every event acknowledged before this one; free space (or fix the disk), then continue with `ttx run --resume {}`",
        journal.display()
    );
}

fn prepare_resume(
    journal: &Path,
    args: &StartArgs,
    wall: Option<ttx_engine::jiff::Timestamp>,
) -> Result<Prepared, Exit> {
    // Read back as every command reads a journal back (its pins, its scenario, the
    // ledger's anchor); the session reads it again under its lock before appending.
    let record = ttx_engine::program::record::Record::open(journal).map_err(|e| match e {
        // A journal that does not read or does not start an exercise is the wrong
        // `--resume` argument.
        e @ (RecordError::Journal(_)
        | RecordError::Session(SessionError::Empty(_) | SessionError::NoStart(_))) => fail(e),
        e => crate::journal_cmd::refused(e),
    })?;
    let contents = &record.contents;
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
    let runbook_steps = runbook_steps(
        record.compiled.scenario(),
        record.program.as_ref(),
        record.architecture.as_ref(),
    );
    Ok(Prepared {
        runbook_steps,
        // Compiled again where the exercise will live (a compiled scenario stays on its
        // thread).
        loaded: record.compiled.loaded,
        open: Open::Resume {
            journal: journal.to_path_buf(),
            fsync: !args.no_fsync,
            wall: clock,
        },
        roster: record.roster,
    })
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

/// What the console's loop waits for.
pub enum Input {
    /// A line typed or piped.
    Line(String),
    /// What a followed clock brought while nobody typed.
    Update(Box<(Response, Status)>),
    /// Standard input closed (end of the pipe, Ctrl-D).
    Closed,
    /// The process is asked to stop (SIGINT, SIGTERM to a server).
    Stop,
}

/// What the console has seen so far, for its exit code and last words.
struct Tally {
    refused: bool,
    ended: bool,
}

impl Tally {
    fn new(opened: &Opened) -> Tally {
        Tally {
            refused: false,
            ended: opened.status.mode == Mode::Ended,
        }
    }

    /// Prints a response, notes what it says; `Some(exit)` when the console must stop.
    fn take(
        &mut self,
        screen: &mut Screen,
        r: &Response,
        status: Option<&Status>,
        typed: bool,
        journal: &Path,
    ) -> Option<Option<Exit>> {
        show(screen, r);
        let was_ended = self.ended;
        self.ended |= r.events.iter().any(|t| {
            matches!(
                t.event,
                ttx_engine::exercise::event::Event::End { .. }
                    | ttx_engine::exercise::event::Event::Ended { .. }
            )
        });
        if status.is_some() && self.ended && !was_ended {
            screen.say("`quit` leaves the console");
        }
        match &r.verdict {
            Verdict::Ok if typed => {
                screen.say(&r.verdict.acknowledgement().unwrap_or_default());
                if let Some(s) = status {
                    screen.say(&s.to_string());
                }
            }
            Verdict::Ok | Verdict::Answered => {
                if let Some(s) = status.filter(|_| !typed) {
                    screen.say(&s.to_string());
                }
            }
            Verdict::Refused(_) => {
                self.refused = true;
                screen.say(&r.verdict.acknowledgement().unwrap_or_default());
            }
            Verdict::Quit => return Some(None),
            Verdict::Stopped(e) => {
                stopped(e, journal);
                return Some(Some(Exit::Usage));
            }
        }
        None
    }

    /// The exit code once the console ends, with the hint to resume an open exercise.
    fn finish(&self, exit: Option<Exit>, journal: &Path, interactive: bool, cmd: &str) -> Exit {
        if let Some(code) = exit {
            return code;
        }
        if !self.ended {
            eprintln!(
                "the exercise is not ended; continue it with `{cmd} --resume {}`",
                journal.display()
            );
        }
        if self.refused && !interactive {
            Exit::Problems
        } else {
            Exit::Ok
        }
    }
}

/// The console. On a terminal (line editing, history, completion by position, the clock
/// in the prompt, colour) the exercise lives on its own thread behind the engine's
/// [`Driver`], so a followed clock can deliver while the line editor waits. On a pipe it
/// lives on this thread: lines arrive from a reader thread and the followed clock is
/// looked at between them, one thread hop per command instead of two.
fn console(p: Prepared, truth: bool) -> Exit {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let resuming = matches!(p.open, Open::Resume { .. });
    let (tx, rx) = mpsc::channel::<Input>();
    if interactive {
        let (mut driver, opened) = match spawn_driver(p, truth, tx.clone(), None) {
            Ok(d) => d,
            Err(code) => return code,
        };
        let exit = drive(&driver, opened, (tx, rx), resuming, Hold::No, None);
        driver.stop();
        return exit;
    }
    let mut compiled = match compile(p.loaded) {
        Ok(c) => c,
        Err(code) => return code,
    };
    compiled.quote_runbooks(p.runbook_steps);
    let (mut f, opened) = match Facilitation::open(
        &compiled,
        p.open,
        p.roster,
        Box::new(SystemClock::new()),
        truth,
    ) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Problems;
        }
    };
    announce(&opened, resuming);
    pipe_lines(tx);
    let mut screen = Screen::Plain;
    let mut tally = Tally::new(&opened);
    opening(&mut screen, &opened, tally.ended);
    let journal = opened.journal;
    let exit = loop {
        let (r, typed) = match rx.recv_timeout(TICK) {
            Ok(Input::Line(line)) => (f.line(&line), true),
            Ok(Input::Closed | Input::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                break None;
            }
            Ok(Input::Update(..)) => continue,
            Err(mpsc::RecvTimeoutError::Timeout) => match f.tick() {
                Some(r) => (r, false),
                None => continue,
            },
        };
        if let Some(stop) = tally.take(&mut screen, &r, None, typed, &journal) {
            break stop;
        }
    };
    tally.finish(exit, &journal, false, "ttx run")
}

/// What the console says when the journal is open.
fn announce(opened: &Opened, resuming: bool) {
    for w in &opened.warnings {
        eprintln!("warning: {w}");
    }
    if resuming {
        eprintln!(
            "resumed {} at {}",
            opened.journal.display(),
            opened.status.now
        );
    } else {
        eprintln!(
            "journal: {}",
            ttx_engine::authoring::paths::display_path(&opened.journal).display()
        );
    }
}

/// Starts the exercise thread for a prepared exercise: what a followed clock brings goes
/// to `updates` as [`Input::Update`], and `watch` (a server) hears of every event.
pub fn spawn_driver(
    p: Prepared,
    truth: bool,
    updates: mpsc::Sender<Input>,
    watch: Option<ttx_engine::exercise::driver::Watcher>,
) -> Result<(Driver, Opened), Exit> {
    let Prepared {
        loaded,
        open,
        roster,
        runbook_steps,
    } = p;
    Driver::spawn_watched(
        move || {
            let mut compiled = Compiled::new(loaded).map_err(|diags| {
                output::print_diagnostics(&diags, &Default::default());
                "the scenario's scripts do not compile".to_string()
            })?;
            compiled.quote_runbooks(runbook_steps);
            Ok(Setup {
                compiled,
                open,
                roster,
                clock: Box::new(SystemClock::new()),
                truth,
            })
        },
        move |r, s| {
            let _ = updates.send(Input::Update(Box::new((r, s))));
        },
        watch,
    )
    .map_err(|e| {
        eprintln!("error: {e}");
        Exit::Problems
    })
}

/// Whether the console holds on when standard input closes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The console ends when its input does.
    No,
    /// A server on a pipe: it goes on serving until it is stopped ([`Input::Stop`]).
    UntilStopped,
}

impl Hold {
    fn command(self) -> &'static str {
        match self {
            Hold::No => "ttx run",
            Hold::UntilStopped => "ttx serve",
        }
    }
}

/// A front end's own console commands (`links` of a server): the text to show for a line
/// it handles, `None` for a line that goes to the engine.
pub type Local<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The console over an exercise thread: on a terminal with the line editor, on a pipe
/// line by line. Returns the exit code once the console ends; the caller stops the driver.
pub fn drive(
    driver: &Driver,
    opened: Opened,
    (tx, rx): (mpsc::Sender<Input>, mpsc::Receiver<Input>),
    resuming: bool,
    hold: Hold,
    local: Option<Local<'_>>,
) -> Exit {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    announce(&opened, resuming);
    let (mut screen, prompts) = if interactive {
        let Some((prompts, printer)) = terminal::start(opened.vocabulary.clone(), tx) else {
            eprintln!("error: cannot start the line editor on this terminal");
            return Exit::Usage;
        };
        (
            Screen::Terminal(printer, output::stdout_color()),
            Some(prompts),
        )
    } else {
        pipe_lines(tx);
        (Screen::Plain, None)
    };
    let mut tally = Tally::new(&opened);
    opening(&mut screen, &opened, tally.ended);
    let ready = |s: &Status| {
        if let Some(p) = &prompts {
            let _ = p.send(format!("ttx {}> ", s.now));
        }
    };
    if interactive {
        screen.say("type `help` for commands; Tab completes commands and ids");
        screen.say(&opened.status.to_string());
        ready(&opened.status);
    }
    let journal = opened.journal;
    let mut open = true;
    let exit = loop {
        let Ok(input) = rx.recv() else { break None };
        // A front end's own command (a server's `links`) is answered here, once.
        if let Input::Line(line) = &input
            && let Some(text) = local.and_then(|l| l(line))
        {
            for l in text.lines() {
                screen.say(l);
            }
            if let Some(s) = driver.status() {
                ready(&s);
            }
            continue;
        }
        let (r, status, typed) = match input {
            Input::Line(line) => match driver.line(&line) {
                Some(r) => (r, interactive.then(|| driver.status()).flatten(), true),
                None => break Some(Exit::Usage),
            },
            Input::Update(update) => {
                let (r, s) = *update;
                (r, interactive.then_some(s), false)
            }
            // A server on a pipe outlives its input; at a terminal, Ctrl-D leaves as
            // `quit` does.
            Input::Closed if hold == Hold::UntilStopped && !interactive => {
                if open {
                    open = false;
                    eprintln!("standard input closed; still serving (stop with Ctrl-C)");
                }
                continue;
            }
            Input::Closed | Input::Stop => break None,
        };
        if let Some(stop) = tally.take(&mut screen, &r, status.as_ref(), typed, &journal) {
            break stop;
        }
        if let Some(s) = status.as_ref().filter(|_| typed) {
            ready(s);
        }
    };
    tally.finish(exit, &journal, interactive, hold.command())
}

/// Lines from standard input on a thread, so the clock can follow real time meanwhile.
fn pipe_lines(tx: mpsc::Sender<Input>) {
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Some(line) = bounded_line(&mut stdin) {
            if tx.send(Input::Line(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(Input::Closed);
    });
}

/// The next line of `input` without its newline, holding at most one byte more than the
/// engine takes (so it refuses an overlong line, with its length) however long the line
/// is; `None` at the end or on a read error.
fn bounded_line(input: &mut impl BufRead) -> Option<String> {
    use std::io::Read;
    let limit = ttx_engine::exercise::facilitation::MAX_INPUT_BYTES as u64 + 1;
    let mut buf = Vec::new();
    let n = input
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut buf)
        .ok()?;
    if n == 0 {
        return None;
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() as u64 == limit {
        // Skip the rest of the overlong line without keeping it.
        let mut rest = Vec::new();
        while let Ok(k) = input.by_ref().take(1 << 16).read_until(b'\n', &mut rest) {
            if k == 0 || rest.last() == Some(&b'\n') {
                break;
            }
            rest.clear();
        }
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// What the screen shows when the console opens.
fn opening(screen: &mut Screen, opened: &Opened, ended: bool) {
    show(screen, &opened.response);
    if ended {
        screen.say(&format!(
            "the exercise has already ended; only {} are still taken",
            ttx_engine::exercise::event::Event::after_end()
        ));
    }
}

/// Prints what the engine says the facilitator's screen shows.
fn show(screen: &mut Screen, r: &Response) {
    for s in &r.shown {
        match s {
            Shown::Event(t, line) => screen.event(t, line),
            Shown::Notice(text) => {
                for line in text.lines() {
                    screen.notice(line);
                }
            }
            Shown::Text(text) => screen.say(text),
        }
    }
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

fn default_journal(
    s: &Scenario,
    program: Option<&ProgramDir>,
    wall: Option<ttx_engine::jiff::Timestamp>,
) -> PathBuf {
    let dir = program.map_or_else(|| PathBuf::from("journals"), ProgramDir::journals_path);
    let date = wall
        .unwrap_or_else(ttx_engine::jiff::Timestamp::now)
        .strftime("%Y-%m-%d")
        .to_string();
    let stem = format!("{date}-{}", s.id.as_str());
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
