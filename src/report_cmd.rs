//! `ttx report JOURNAL`: the after-action report and improvement plan.

use std::path::{Path, PathBuf};

use ttx_engine::assess;
use ttx_engine::event::Event;
use ttx_engine::load;
use ttx_engine::model::program::Sla;
use ttx_engine::model::roster::Roster;
use ttx_engine::project::{self, ProgramDir};
use ttx_engine::report::{self, Format};
use ttx_engine::schema::FileKind;
use ttx_engine::session;

use crate::exit::Exit;
use crate::journal_cmd;

/// The options of `ttx report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The journal of the exercise.
    pub journal: PathBuf,
    /// md, html, json or csv.
    #[arg(long, default_value = "md", value_parser = ["md", "html", "json", "csv"])]
    pub format: String,
    /// A minijinja template to use instead of the default (md and html).
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// List participants' names in an attendance section.
    #[arg(long)]
    pub names: bool,
}

/// Assesses the journal and renders the report.
pub fn run(args: ReportArgs) -> Exit {
    let format = match args.format.as_str() {
        "html" => Format::Html,
        "json" => Format::Json,
        "csv" => Format::Csv,
        _ => Format::Md,
    };
    if args.template.is_some() && matches!(format, Format::Json | Format::Csv) {
        eprintln!(
            "error: --template applies to the md and html formats; json and csv have fixed, documented shapes"
        );
        return Exit::Usage;
    }
    let template = match &args.template {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some((path.display().to_string(), text)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return Exit::Usage;
            }
        },
        None => None,
    };
    let journal = args.journal.clone();
    journal_cmd::rebuild_and(&journal, |ex, lines, _, _| {
        let program = project::find_program(journal.parent().unwrap_or(Path::new(".")))
            .and_then(|p| ProgramDir::load(&p).ok());
        let roster = pinned_roster(lines, &journal).or_else(|| {
            program
                .as_ref()
                .and_then(|p| {
                    load::load_file::<Roster>(
                        FileKind::Roster,
                        &p.roster_path(),
                        p.max_file_bytes(),
                    )
                    .ok()
                })
                .map(|l| l.value)
        });
        let date = lines
            .first()
            .and_then(|l| l.wall.get(..10))
            .and_then(|d| d.parse::<ttx_engine::jiff::civil::Date>().ok())
            .unwrap_or_default();
        let sla = program
            .as_ref()
            .map_or_else(Sla::default, |p| p.program.value.sla.clone());
        let assessment = assess::assess(
            ex,
            &assess::Context {
                roster: roster.as_ref(),
                sla,
                date,
            },
        );
        for w in &assessment.warnings {
            eprintln!("warning: {w}");
        }
        let inputs = report::Inputs {
            lines,
            org: program
                .as_ref()
                .map_or_else(String::new, |p| p.program.value.org.clone()),
            roster: roster.as_ref(),
            names: args.names,
        };
        let built = report::build(ex, &assessment, &inputs);
        let rendered = match report::render(
            &built,
            format,
            template.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        ) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: template {e}");
                return Exit::Problems;
            }
        };
        match &args.output {
            Some(path) => match std::fs::write(path, rendered) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    Exit::Ok
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    Exit::Usage
                }
            },
            None => {
                print!("{rendered}");
                Exit::Ok
            }
        }
    })
}

/// The roster the journal pinned, if it is still there unchanged.
fn pinned_roster(lines: &[ttx_engine::journal::Line], journal: &Path) -> Option<Roster> {
    let Some(Event::Start {
        roster: Some(pinned),
        ..
    }) = lines.first().map(|l| &l.event)
    else {
        return None;
    };
    session::check_pinned(pinned, journal).ok()?;
    let path = session::resolve(pinned, journal);
    load::load_file::<Roster>(
        FileKind::Roster,
        &path,
        ttx_engine::source::DEFAULT_MAX_FILE_BYTES,
    )
    .ok()
    .map(|l| l.value)
}
