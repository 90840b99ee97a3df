//! `ttx validate [PATH...]`.

use std::path::{Path, PathBuf};

use ttx_engine::authoring::load::{self, Loaded};
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES;
use ttx_engine::authoring::validate;

use crate::Format;
use crate::exit::Exit;
use crate::output;

/// How to validate and report.
#[derive(Clone, Copy)]
pub struct Settings {
    /// Output format.
    pub format: Format,
    /// Fail on warnings.
    pub deny_warnings: bool,
    /// Read every file as this kind.
    pub kind: Option<FileKind>,
    /// Simulate each valid scenario this many times per built-in profile.
    pub simulate: Option<u64>,
}

/// Validates the given files or folders (or the whole program) and prints every problem.
pub fn run(paths: &[PathBuf], settings: Settings) -> Exit {
    let Settings {
        format,
        deny_warnings,
        kind,
        simulate,
    } = settings;
    for p in paths {
        if !p.exists() {
            eprintln!("error: `{}` does not exist", p.display());
            return Exit::Usage;
        }
    }
    let start = paths
        .first()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let found = project::find_program(&start).or_else(|| project::find_program(Path::new(".")));
    let program = found.as_deref().and_then(|p| ProgramDir::load(p).ok());
    if paths.is_empty() && program.is_none() {
        match found {
            Some(path) => {
                // ttx.yaml itself is broken: validate it alone so its problems are shown.
                return run(&[path], settings);
            }
            None => {
                eprintln!(
                    "error: no ttx.yaml in this folder or above it\n\
                     help: run ttx inside a program folder, or name files: `ttx validate scenario.yaml`"
                );
                return Exit::Usage;
            }
        }
    }
    let mut report = validate::validate(paths, program.as_ref(), kind);
    if let Some(runs) = simulate.filter(|n| *n > 0) {
        simulate_scenarios(&mut report, kind, runs);
    }
    match format {
        Format::Json => {
            let json = serde_json::json!({
                "files": report.files,
                "attack_catalog": report.attack,
                "errors": report.errors(),
                "warnings": report.warnings(),
                "diagnostics": report.diagnostics.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Text => {
            output::print_diagnostics(&report.diagnostics, &report.sources);
            if let Some(catalog) = &report.attack {
                eprintln!("technique ids checked against {catalog}");
            }
            eprintln!(
                "checked {} file{}: {} error{}, {} warning{}",
                report.files,
                plural(report.files),
                report.errors(),
                plural(report.errors()),
                report.warnings(),
                plural(report.warnings())
            );
        }
    }
    if report.errors() > 0 || (deny_warnings && report.warnings() > 0) {
        Exit::Problems
    } else {
        Exit::Ok
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Adds the coverage warnings of a simulation of every scenario that validated without
/// errors.
fn simulate_scenarios(report: &mut validate::Report, kind: Option<FileKind>, runs: u64) {
    let mut files: Vec<&PathBuf> = report.sources.keys().collect();
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let clean = !report.diagnostics.iter().any(|d| {
            &d.file == path && d.severity == ttx_engine::authoring::diagnostic::Severity::Error
        });
        let source = &report.sources[path];
        let Some(node) = clean
            .then(|| ttx_engine::authoring::yaml::parse(source).ok())
            .flatten()
        else {
            continue;
        };
        let is_scenario = kind
            .unwrap_or_else(|| load::detect_kind(path, Some(&node)).unwrap_or(FileKind::Program))
            == FileKind::Scenario;
        if !is_scenario {
            continue;
        }
        if let Ok(l) = load::load_tree::<Scenario>(FileKind::Scenario, source.clone(), node) {
            found.extend(crate::simulate_cmd::coverage_warnings(
                &l.source, &l.value, runs,
            ));
        }
    }
    report.diagnostics.extend(found);
    ttx_engine::authoring::diagnostic::sort(&mut report.diagnostics);
}

/// Validates a scenario in its program (architecture, roster) and loads it, for commands
/// that need a valid scenario (`show`, `simulate`); on problems, prints them, says what
/// fixing them allows (`purpose`, e.g. "to preview it") and returns the exit code.
pub fn valid_scenario(path: &Path, purpose: &str) -> Result<Loaded<Scenario>, Exit> {
    if !path.is_file() {
        eprintln!("error: `{}` is not a file", path.display());
        return Err(Exit::Usage);
    }
    let start = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let program = project::find_program(&start).and_then(|p| ProgramDir::load(&p).ok());
    valid_scenario_in(path, program.as_ref(), purpose)
}

/// [`valid_scenario`] against a program the caller chose (`ttx run` plays a sheet against
/// the program the sheet is filed in).
pub fn valid_scenario_in(
    path: &Path,
    program: Option<&ProgramDir>,
    purpose: &str,
) -> Result<Loaded<Scenario>, Exit> {
    let report = validate::validate(&[path.to_path_buf()], program, Some(FileKind::Scenario));
    if report.errors() > 0 {
        output::print_diagnostics(&report.diagnostics, &report.sources);
        eprintln!("the scenario has errors; fix them {purpose}");
        return Err(Exit::Problems);
    }
    let max = program.map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
    load::load_file::<Scenario>(FileKind::Scenario, path, max).map_err(|f| {
        let sources = f.source.into_iter().map(|s| (s.path.clone(), s)).collect();
        output::print_diagnostics(&f.diagnostics, &sources);
        Exit::Problems
    })
}
