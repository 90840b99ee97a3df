//! `ttx new scenario ID [--from FILE]`: a scenario to start from, bound to the program's
//! architecture and roster, placeholders left as validation warnings. FILE is another
//! scenario to base it on, or threat intelligence to draft it from (a STIX bundle, an
//! ATT&CK Navigator layer, a list of technique ids).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ttx_engine::authoring::model::architecture::Architecture;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::scaffold;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::authoring::validate;
use ttx_engine::authoring::{intel, load};

use crate::exit::Exit;

/// What `ttx new` makes.
#[derive(clap::Subcommand)]
pub enum NewCommand {
    /// A new scenario file.
    Scenario {
        /// The scenario id: lower-case letters, digits and `-`, e.g. ransomware-orders-db.
        id: String,
        /// Start from this scenario, or draft it from this threat intelligence: a STIX 2.1
        /// bundle or an ATT&CK Navigator layer (JSON), or a list of technique ids.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Where to write it (default: ID.yaml in the program's first scenario folder).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

/// Writes the new scenario and says how to go on.
pub fn run(command: NewCommand) -> Exit {
    let NewCommand::Scenario { id, from, output } = command;
    let valid_id = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        eprintln!(
            "error: `{id}` is not a scenario id; use lower-case letters, digits and `-`, starting with a letter, e.g. ransomware-orders-db"
        );
        return Exit::Usage;
    }
    let program = project::find_program(Path::new(".")).and_then(|p| ProgramDir::load(&p).ok());
    let path = output.unwrap_or_else(|| {
        let folder = program
            .as_ref()
            .and_then(|p| {
                p.program
                    .value
                    .scenarios
                    .iter()
                    .map(|s| p.resolve(s))
                    .find(|d| d.is_dir())
            })
            .unwrap_or_else(|| PathBuf::from("."));
        folder.join(format!("{id}.yaml"))
    });
    if path.exists() {
        eprintln!(
            "error: {} exists; ttx does not overwrite it (choose another id or -o PATH)",
            path.display()
        );
        return Exit::Usage;
    }
    let max = program.as_ref().map_or(
        ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES,
        ProgramDir::max_file_bytes,
    );
    let arch = program.as_ref().and_then(|p| {
        load::load_file::<Architecture>(FileKind::Architecture, &p.architecture_path(), max)
            .ok()
            .map(|l| l.value)
    });
    let roster = program.as_ref().and_then(|p| {
        load::load_file::<Roster>(FileKind::Roster, &p.roster_path(), max)
            .ok()
            .map(|l| l.value)
    });
    let text = match &from {
        Some(f) if is_scenario(f) => match crate::output::read_text(f, max) {
            Ok(t) => scaffold::from_scenario(&id, &t, &f.display().to_string()),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        },
        Some(f) => {
            let text = match crate::output::read_text(f, intel::MAX_INTEL_BYTES) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!(
                        "error: {e}\n  = help: intel is read up to {} MiB; export only the report or group you draft from, not a whole ATT&CK release",
                        intel::MAX_INTEL_BYTES >> 20
                    );
                    return Exit::Usage;
                }
            };
            let source = SourceFile::new(f, text);
            let read = match intel::read(&source) {
                Ok(i) => i,
                Err(intel::Unread(problems)) => {
                    let sources = HashMap::from([(source.path.clone(), source)]);
                    crate::output::print_diagnostics(&problems, &sources);
                    eprintln!("error: no scenario drafted from {}", f.display());
                    return Exit::Problems;
                }
            };
            let (text, unbound) = scaffold::from_intel(
                &id,
                &schema_ref(&path),
                &read,
                arch.as_ref(),
                roster.as_ref(),
            );
            eprintln!(
                "drafting from the {} `{}`: {} technique(s)",
                read.format.name(),
                read.name,
                read.techniques.len()
            );
            if arch.is_none() {
                eprintln!(
                    "warning: no architecture to bind the injects to; run in a program folder (ttx.yaml) to bind them"
                );
            }
            for w in &unbound {
                eprintln!("warning: {w}");
            }
            text
        }
        None => scaffold::new_scenario(&id, &schema_ref(&path), arch.as_ref(), roster.as_ref()),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return Exit::Usage;
    }
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return Exit::Usage;
    }
    let report = validate::validate(
        std::slice::from_ref(&path),
        program.as_ref(),
        Some(FileKind::Scenario),
    );
    let shown = ttx_engine::authoring::paths::display_path(&path);
    eprintln!(
        "wrote {}: {} error(s), {} warning(s) to resolve; `ttx validate --deny-warnings {}` passes when it is finished",
        shown.display(),
        report.errors(),
        report.warnings(),
        shown.display()
    );
    if report.errors() > 0 {
        return Exit::Problems;
    }
    Exit::Ok
}

/// Whether `--from` names a scenario (YAML) rather than intel.
fn is_scenario(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Where editors find the scenario schema: this repository's docs/schemas when the file
/// is inside it, else a file `ttx schema scenario` can write next to it.
fn schema_ref(path: &Path) -> String {
    let dir = ttx_engine::authoring::paths::normalize(path.parent().unwrap_or(Path::new(".")));
    for ancestor in dir.ancestors() {
        let schema = ancestor.join("docs/schemas/scenario.schema.json");
        if schema.is_file() {
            return ttx_engine::exercise::session::relative_to(&schema, &dir);
        }
    }
    "scenario.schema.json  (write it with `ttx schema scenario > scenario.schema.json`)".into()
}
