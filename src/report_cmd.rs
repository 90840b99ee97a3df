//! `ttx report JOURNAL`: the after-action report and improvement plan.

use std::path::PathBuf;

use ttx_engine::assessment::report::{self, Format};
use ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES;
use ttx_engine::program::anonymize;

use crate::actions_cmd;
use crate::exit::Exit;
use crate::journal_cmd;
use crate::output;

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
    /// Also enter the exercise and its action items into the program's ledger (the same
    /// as `ttx actions add JOURNAL`); a report alone never writes the ledger.
    #[arg(long)]
    pub ledger: bool,
    /// The default since `--ledger` exists; kept so older scripts still run.
    #[arg(long, hide = true, conflicts_with = "ledger")]
    pub no_ledger: bool,
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
        Some(path) => match output::read_text(path, DEFAULT_MAX_FILE_BYTES) {
            Ok(text) => Some((path.display().to_string(), text)),
            Err(e) => {
                eprintln!("error: the template: {e}");
                return Exit::Usage;
            }
        },
        None => None,
    };
    let mut analyzed = match journal_cmd::analyze(&args.journal, args.names) {
        Ok(a) => a,
        Err(code) => return code,
    };
    // With --ledger the exercise enters first, so the report names its items by the ids
    // they were entered with.
    match (&analyzed.program, args.ledger) {
        (Some(program), true) => {
            match actions_cmd::enter(program, &args.journal, &analyzed, None) {
                Ok(Some(entered)) => analyzed
                    .report
                    .use_ids(&entered.ids, report::IdStanding::Ledger),
                Ok(None) => {}
                Err(code) => return code,
            }
        }
        (None, true) => {
            eprintln!(
                "error: no ttx.yaml above {}, so there is no ledger to enter the action items into",
                args.journal.display()
            );
            return Exit::Usage;
        }
        _ => {}
    }
    // Without --names the room's own words follow the publication's rule for people
    // (SECURITY.md: reports are blameless); the ids above were matched on the words as
    // typed.
    if !args.names {
        let words = analyzed
            .architecture
            .as_ref()
            .map(anonymize::architecture_words)
            .unwrap_or_default();
        anonymize::scrub_report(&mut analyzed.report, analyzed.roster.as_ref(), &words);
    }
    // A journal cut short by a crash is reported on what it acknowledged, and said so, in
    // the report and here; the exit code says the journal has a problem (issue 27: it was
    // written with exit 0 and no word).
    if let Some(why) = &analyzed.cut_short {
        let warning = format!(
            "the journal is not complete: {why}; the report covers the events before it; `ttx run --resume {}` completes the journal",
            args.journal.display()
        );
        eprintln!("warning: {}: {warning}", args.journal.display());
        analyzed.report.exercise.incomplete = Some(why.clone());
    }
    let unowned: Vec<&str> = analyzed
        .report
        .action_items
        .iter()
        .filter(|i| i.owner == "UNASSIGNED")
        .map(|i| i.id.as_str())
        .collect();
    if let Some(first) = unowned.first() {
        eprintln!(
            "warning: {} action item(s) have no owner: {}; assign with `ttx actions set {first} --owner TEAM`",
            unowned.len(),
            unowned.join(", ")
        );
    }
    let rendered = match report::render(
        &analyzed.report,
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
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return Exit::Usage;
            }
            eprintln!("wrote {}", path.display());
        }
        None => print!("{rendered}"),
    }
    if analyzed.cut_short.is_some() {
        return Exit::Problems;
    }
    if analyzed.program.is_some()
        && !args.ledger
        && analyzed.report.exercise.ended
        && analyzed.report.ids != report::IdStanding::Ledger
        && !args.no_ledger
    {
        eprintln!(
            "note: the action items are not in the ledger yet, so their ids are provisional; track them with `ttx actions add {}` (or `ttx report --ledger`)",
            args.journal.display()
        );
    }
    Exit::Ok
}
