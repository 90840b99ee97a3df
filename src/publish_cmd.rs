//! `ttx publish [JOURNAL...] -o DIR`: anonymized findings for the whole organisation, as
//! Markdown and HTML, written only when the leak check finds nothing. Without journals, the
//! exercises the program's ledger tracks.

use std::path::{Path, PathBuf};

use ttx_engine::authoring::check::program::cadence_months;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::program::anonymize::{Options, Scrubber, component_words};
use ttx_engine::program::leak_check::Needles;
use ttx_engine::program::ledger::State;
use ttx_engine::program::publish::{self, Source};
use ttx_engine::program::status;

use crate::actions_cmd;
use crate::exit::Exit;
use crate::journal_cmd;
use ttx_engine::program::record::Analysis;

/// The options of `ttx publish`.
#[derive(clap::Args)]
pub struct PublishArgs {
    /// Journals of the exercises to publish; none: every exercise the program's ledger
    /// tracks, from the journal it was entered from.
    pub journals: Vec<PathBuf>,
    /// The folder to write the publication to.
    #[arg(short = 'o', long = "output", required = true)]
    pub output: PathBuf,
    /// Replace team names by Team A, Team B…
    #[arg(long)]
    pub pseudonymize_teams: bool,
    /// Write the redaction summary (what was replaced, how often) to this JSON file
    /// instead of standard error; never inside the publication folder.
    #[arg(long)]
    pub redactions: Option<PathBuf>,
    /// The program folder (or its ttx.yaml); by default the one above the first journal.
    #[arg(long)]
    pub program: Option<PathBuf>,
    /// Publish exercises that never ended too (without the findings that would give away
    /// their hidden truth).
    #[arg(long)]
    pub include_unfinished: bool,
}

/// The journals of every exercise the program's ledger tracks, each with the identity it
/// was entered with.
fn tracked_journals(program: Option<&Path>) -> Result<Vec<(PathBuf, String)>, Exit> {
    let program = actions_cmd::open_program(program)?;
    let ledger = actions_cmd::read_ledger(&program)?;
    let base = program
        .ledger_path()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let journals: Vec<(PathBuf, String)> = ledger
        .state
        .exercises
        .iter()
        .map(|x| (base.join(&x.journal), x.journal_sha256.clone()))
        .collect();
    if journals.is_empty() {
        eprintln!(
            "error: the program's ledger tracks no exercise yet; name the journals to publish, or enter them first with `ttx actions add JOURNAL`"
        );
        return Err(Exit::Usage);
    }
    let missing: Vec<&PathBuf> = journals
        .iter()
        .map(|(j, _)| j)
        .filter(|j| !j.is_file())
        .collect();
    if !missing.is_empty() {
        for j in &missing {
            eprintln!(
                "error: {}: the ledger tracks this exercise but its journal is not there; restore it, or name the journals to publish",
                j.display()
            );
        }
        eprintln!("nothing was written");
        return Err(Exit::Problems);
    }
    Ok(journals)
}

/// Builds, checks and writes the publication.
pub fn run(args: PublishArgs) -> Exit {
    if let Some(r) = &args.redactions
        && inside(r, &args.output)
    {
        eprintln!(
            "error: the redaction summary names what was replaced; write it outside {} (it must never be published)",
            args.output.display()
        );
        return Exit::Usage;
    }
    // Each journal with the identity the ledger entered it with, when the ledger named it.
    let journals: Vec<(PathBuf, Option<String>)> = if args.journals.is_empty() {
        match tracked_journals(args.program.as_deref()) {
            Ok(t) => t.into_iter().map(|(j, sha)| (j, Some(sha))).collect(),
            Err(code) => return code,
        }
    } else {
        args.journals.iter().map(|j| (j.clone(), None)).collect()
    };
    let mut analyzed: Vec<Analysis> = Vec::new();
    let mut unfinished: Vec<&Path> = Vec::new();
    for (j, entered) in &journals {
        let analysis = journal_cmd::analyze(j, false);
        // A journal the ledger names must be the one it entered: a later exercise written
        // over the same file would be published under the earlier one's items.
        if let (Ok(a), Some(sha)) = (&analysis, entered)
            && &a.identity != sha
        {
            eprintln!(
                "error: {}: not the journal the ledger entered as this exercise (its first line differs); name the journals to publish instead",
                j.display()
            );
            return Exit::Problems;
        }
        match analysis {
            // Two copies of one journal are one exercise.
            Ok(a) if analyzed.iter().any(|b| b.identity == a.identity) => eprintln!(
                "warning: {} is a copy of a journal already given; published once",
                j.display()
            ),
            Ok(a) => {
                if !a.report.exercise.ended {
                    unfinished.push(j);
                }
                analyzed.push(a)
            }
            Err(code) => return code,
        }
    }
    if !unfinished.is_empty() && !args.include_unfinished {
        for j in &unfinished {
            eprintln!(
                "error: {}: the exercise never ended; end it (`ttx run --resume {}`, then `end`), leave it out, or publish it as it stands with --include-unfinished",
                j.display(),
                j.display()
            );
        }
        eprintln!("nothing was written");
        return Exit::Problems;
    }
    let program = match &args.program {
        Some(p) => match actions_cmd::open_program(Some(p)) {
            Ok(p) => p,
            Err(code) => return code,
        },
        None => match analyzed
            .first()
            .and_then(|a| a.program.as_ref())
            .map(|p| actions_cmd::open_program(Some(&p.root)))
        {
            Some(Ok(p)) => p,
            Some(Err(code)) => return code,
            None => {
                eprintln!(
                    "error: no ttx.yaml above {}; publishing needs the program's roster and rules, name it with --program",
                    journals[0].0.display()
                );
                return Exit::Usage;
            }
        },
    };
    let roster = load::load_file::<Roster>(
        FileKind::Roster,
        &program.roster_path(),
        program.max_file_bytes(),
    )
    .ok()
    .map(|l| l.value);
    let mut rosters: Vec<&Roster> = roster.iter().collect();
    rosters.extend(analyzed.iter().filter_map(|a| a.roster.as_ref()));
    let Some(roster) = rosters.first().copied() else {
        eprintln!(
            "error: the roster cannot be read; without it ttx cannot tell which names to remove, so it publishes nothing"
        );
        return Exit::Problems;
    };
    let components = component_words(&program);
    let p = &program.program.value;
    let mut scrub = match Scrubber::new(
        Some(roster),
        &p.publish,
        &components,
        Options {
            pseudonymize_teams: args.pseudonymize_teams,
            ..Options::default()
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: a publish pattern in ttx.yaml does not compile: {e}");
            return Exit::Problems;
        }
    };
    let ledger = match actions_cmd::read_ledger(&program) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut published = Vec::new();
    let mut in_ledger: Vec<String> = Vec::new();
    for a in &analyzed {
        let exercise = ledger
            .state
            .exercise_by_journal(&a.identity)
            .map(|x| x.id.clone());
        if let Some(x) = &exercise {
            in_ledger.push(x.clone());
        }
        published.push(publish::exercise(
            &Source {
                report: &a.report,
                exercise,
            },
            &ledger.state,
            &mut scrub,
        ));
    }
    if in_ledger.len() < analyzed.len() {
        eprintln!(
            "warning: {} of the journals are not in the program's ledger; their action items show the status of the report (`ttx actions add JOURNAL` tracks them)",
            analyzed.len() - in_ledger.len()
        );
    }
    let state = State {
        exercises: ledger
            .state
            .exercises
            .iter()
            .filter(|x| in_ledger.contains(&x.id))
            .cloned()
            .collect(),
        items: ledger
            .state
            .items
            .iter()
            .filter(|(_, i)| in_ledger.contains(&i.record.exercise))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let status = status::status(
        &p.org,
        &state,
        &p.cadence,
        cadence_months(&p.cadence).ok(),
        actions_cmd::today(),
    );
    let overview = publish::overview(&p.org, published, &status, &mut scrub);
    let pages = match publish::render(&overview) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: template {e}");
            return Exit::Problems;
        }
    };
    let second = Needles::new(roster, &components, args.pseudonymize_teams);
    let leaks = publish::leaks(&pages, &scrub, &second);
    if !leaks.is_empty() {
        for (file, l) in &leaks {
            eprintln!(
                "error: {}:{}:{}: {} survived anonymization: `{}`",
                args.output.join(file).display(),
                l.line,
                l.col,
                l.what,
                l.found
            );
        }
        eprintln!(
            "nothing was written. Rewrite the text it comes from (a note, a rationale, the hot wash, the scenario), or add a `publish.redact` pattern to ttx.yaml, and publish again"
        );
        return Exit::Problems;
    }
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        eprintln!("error: cannot create {}: {e}", args.output.display());
        return Exit::Usage;
    }
    for page in &pages {
        let path = args.output.join(&page.file);
        if let Err(e) = std::fs::write(&path, &page.text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return Exit::Usage;
        }
    }
    let summary = scrub.summary();
    match &args.redactions {
        Some(path) => {
            let json = serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n";
            if let Err(e) = std::fs::write(path, json) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return Exit::Usage;
            }
            eprintln!("redaction summary in {}", path.display());
        }
        None => {
            eprintln!("redactions (for you, not published):");
            if summary.is_empty() {
                eprintln!("  none");
            }
            for r in &summary {
                eprintln!(
                    "  {:<8} {} → {} ({}×)",
                    r.kind, r.original, r.pseudonym, r.count
                );
            }
        }
    }
    eprintln!(
        "published {} exercise(s) as {} pages in {}; the leak check found nothing",
        overview.exercises.len(),
        pages.len(),
        args.output.display()
    );
    Exit::Ok
}

/// Whether `file` would land inside `dir`, following symbolic links (a link to the
/// publication folder, or a folder linked into it, is inside it).
fn inside(file: &Path, dir: &Path) -> bool {
    let file = resolved(file);
    let dir = resolved(dir);
    file.starts_with(dir)
}

/// Where a path that may not exist yet leads: its deepest existing ancestor with links
/// resolved, then the rest of it.
fn resolved(path: &Path) -> PathBuf {
    let path = ttx_engine::authoring::paths::normalize(
        &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    );
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p: PathBuf, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.clone(),
        }
    }
}
