//! `ttx`: tabletop exercises as code. This binary parses arguments, calls the engine and
//! prints; everything else lives in the `ttx-engine` crate.

// A lock guard kept alive across a call that locks again, or across an await, hung the
// whole web console once (issue 27); these make the pattern a build error.
#![deny(clippy::await_holding_lock, clippy::significant_drop_in_scrutinee)]

mod actions_cmd;
mod attack_cmd;
mod exit;
mod invite_cmd;
mod journal_cmd;
mod lsp;
mod new_cmd;
mod output;
mod program_cmd;
mod publish_cmd;
mod report_cmd;
mod run_cmd;
mod schema_cmd;
mod serve;
mod show_cmd;
mod simulate_cmd;
mod terminal;
mod validate_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ttx_engine::authoring::schema::FileKind;

/// Tabletop exercises as code: author, validate and preview incident scenarios.
#[derive(Parser)]
#[command(name = "ttx", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check scenario, architecture, roster, program and decisions files; every problem
    /// at once, as `file:line:col`.
    Validate {
        /// Files or folders; without any, everything ttx.yaml names.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Treat warnings as errors (exit 1 when there are any).
        #[arg(long)]
        deny_warnings: bool,
        /// Read every file as this kind instead of telling it from the file's keys.
        #[arg(long, value_parser = ["program", "architecture", "roster", "scenario", "decisions", "profile"])]
        kind: Option<String>,
        /// Also simulate every valid scenario N times with each built-in profile, and warn
        /// about injects that never fire and expectations that never apply.
        #[arg(long, value_name = "N")]
        simulate: Option<u64>,
    },
    /// Preview a scenario for the facilitator: the MSEL timeline, decisions,
    /// expectations and questions.
    Show {
        /// The scenario file.
        scenario: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Play a scenario many times with synthetic rooms (profiles): how often each inject
    /// fires and each hidden truth is drawn, what is never reached, ratings and findings.
    Simulate(simulate_cmd::SimulateArgs),
    /// Start a new scenario bound to the program's architecture and roster.
    #[command(subcommand)]
    New(new_cmd::NewCommand),
    /// Run an exercise into a journal: the console on a terminal, commands on a pipe, or a
    /// recorded decisions sheet.
    Run(run_cmd::RunArgs),
    /// Run an exercise as `ttx run` does, and serve it to every participant's browser: a
    /// page per role and person, observers, the room's screen and the facilitator.
    Serve(serve::ServeArgs),
    /// The after-action report and improvement plan of an exercise, from its journal.
    Report(report_cmd::ReportArgs),
    /// The program's action-item ledger: list, show, set, import tracker updates, add
    /// an exercise's items.
    Actions(actions_cmd::ActionsArgs),
    /// The exercise program: status (cadence, completion, repeat findings, trends) and
    /// the dashboard.
    Program(program_cmd::ProgramArgs),
    /// Invitations for everyone the roster assigns to the scenario's roles: an
    /// iCalendar event and a ready e-mail each, with their join link.
    Invite(invite_cmd::InviteArgs),
    /// The ATT&CK technique catalog: `update` rewrites MITRE's STIX release as the
    /// catalog a program pins in ttx.yaml.
    #[command(subcommand)]
    Attack(attack_cmd::AttackCommand),
    /// Anonymized findings for the whole organisation, as Markdown and HTML; nothing is
    /// written if a roster identifier or configured pattern survives.
    Publish(publish_cmd::PublishArgs),
    /// Check a journal: its hash chain, that replaying its inputs reproduces it, and that
    /// it still holds what the ledger (and, with --head, a receipt) saw.
    Verify {
        /// The journal.
        journal: PathBuf,
        /// The head of the receipt `end` printed: the journal must still hold that event.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
    /// Rebuild an exercise from its journal and print where it ended.
    Replay {
        /// The journal.
        journal: PathBuf,
    },
    /// A language server for the author's editor, on standard input and output: the
    /// checks of `ttx validate` as they type, completion, go to definition, references,
    /// rename, hover, outline and quick fixes (see docs/authoring.md).
    Lsp,
    /// Print the JSON Schema of a file kind, for editors and other tools.
    Schema {
        /// program, architecture, roster, scenario, decisions or profile.
        #[arg(value_parser = ["program", "architecture", "roster", "scenario", "decisions", "profile"])]
        kind: String,
    },
}

/// How to print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// For people.
    Text,
    /// For tools.
    Json,
}

/// A closed pipe on standard output (`ttx schema scenario | head -5`) ends ttx quietly,
/// as it ends any Unix filter; Rust's default (ignore SIGPIPE, then panic in `println!`)
/// printed a panic. The consoles of `run` and `serve` keep going instead: their transcript
/// is best effort, the journal is the record, and a server must not die with its pipe.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up, before any
    // thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The language server writes to its client's pipe too: a client that goes away ends
    // it through a failed write, not a signal.
    if !matches!(
        cli.command,
        Command::Run(_) | Command::Serve(_) | Command::Lsp
    ) {
        quiet_on_closed_pipe();
    }
    let code = match cli.command {
        Command::Validate {
            paths,
            format,
            deny_warnings,
            kind,
            simulate,
        } => validate_cmd::run(
            &paths,
            validate_cmd::Settings {
                format,
                deny_warnings,
                kind: kind.as_deref().and_then(FileKind::from_name),
                simulate,
            },
        ),
        Command::Show { scenario, format } => show_cmd::run(&scenario, format),
        Command::Simulate(args) => simulate_cmd::run(args),
        Command::Schema { kind } => schema_cmd::run(&kind),
        Command::Run(args) => run_cmd::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Actions(args) => actions_cmd::run(args),
        Command::New(command) => new_cmd::run(command),
        Command::Program(args) => program_cmd::run(args),
        Command::Attack(command) => attack_cmd::run(command),
        Command::Invite(args) => invite_cmd::run(args),
        Command::Publish(args) => publish_cmd::run(args),
        Command::Verify { journal, head } => journal_cmd::verify(&journal, head.as_deref()),
        Command::Replay { journal } => journal_cmd::replay(&journal),
        Command::Lsp => lsp::run(),
    };
    code.into()
}
