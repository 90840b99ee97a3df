//! `ttx simulate SCENARIO`: Monte Carlo play-throughs with synthetic rooms, for authors.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use ttx_engine::authoring::diagnostic::Diagnostic;
use ttx_engine::authoring::load::{self, Loaded};
use ttx_engine::authoring::model::profile::{self, Profile};
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::{DEFAULT_MAX_FILE_BYTES, SourceFile};
use ttx_engine::simulation::{self, Options, Tally, thousands};

use crate::Format;
use crate::exit::Exit;
use crate::output::{self, table};

/// Arguments of `ttx simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// Runs per profile.
    #[arg(long, default_value_t = 1000)]
    runs: u64,
    /// The seed of the whole simulation: the same seed gives the same figures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A built-in profile (textbook, slow, distracted, random) or a profile file; repeat
    /// for several. Without it, all four built-in profiles.
    #[arg(long = "profile", value_name = "NAME|FILE")]
    profiles: Vec<String>,
    /// Worker threads; by default one per core. The figures do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How many runs of each profile are replayed without each decision the room took, to
/// measure what the decision changes: enough for a stable figure, bounded so a large
/// `--runs` does not cost ten times as much.
const COUNTERFACTUAL_RUNS: u64 = 500;

/// Validates the scenario, loads the profiles, plays the runs and prints the tallies.
pub fn run(args: SimulateArgs) -> Exit {
    if args.runs == 0 {
        eprintln!("error: --runs must be at least 1");
        return Exit::Usage;
    }
    let scenario = match crate::validate_cmd::valid_scenario(&args.scenario, "to simulate it") {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let profiles = match load_profiles(&args.profiles, &scenario) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let threads = args.threads.unwrap_or_else(default_threads).max(1);
    let opts = Options {
        runs: args.runs,
        seed: args.seed,
        threads,
        counterfactuals: args.runs.min(COUNTERFACTUAL_RUNS),
    };
    let total = args.runs * profiles.len() as u64;
    let bar = progress_bar(total, threads);
    let result = simulation::simulate(&scenario.source, &profiles, opts, &|done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let tallies = match result {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Problems;
        }
    };
    let warnings = simulation::coverage(&scenario.source, &scenario.value, &tallies);
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "scenario": scenario.value.id.as_str(),
                "version": scenario.value.version.as_str(),
                "seed": args.seed,
                "runs_per_profile": args.runs,
                "profiles": tallies,
                "warnings": warnings.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Text => {
            print!("{}", render(&scenario.value, &profiles, &tallies, &args));
            let sources = [(scenario.source.path.clone(), scenario.source.clone())]
                .into_iter()
                .collect();
            output::print_diagnostics(&warnings, &sources);
            if !warnings.is_empty() {
                eprintln!(
                    "{} warning{} from {} runs",
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" },
                    thousands(total)
                );
            }
        }
    }
    Exit::Ok
}

/// One thread per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn progress_bar(total: u64, threads: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{wide_bar}} {{human_pos}}/{{human_len}} runs, {{eta}} left ({threads} thread{})",
        if threads == 1 { "" } else { "s" }
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// The profiles named on the command line: built-in names or profile files, checked
/// against the scenario.
fn load_profiles(names: &[String], scenario: &Loaded<Scenario>) -> Result<Vec<Profile>, Exit> {
    if names.is_empty() {
        return Ok(Profile::all_built_in());
    }
    let mut out = Vec::new();
    for name in names {
        if let Some(p) = Profile::built_in(name) {
            out.push(p);
            continue;
        }
        let path = Path::new(name);
        if !path.is_file() {
            let hint = ttx_engine::authoring::suggest::did_you_mean(
                name,
                profile::BUILT_IN.iter().copied(),
            )
            .map_or(String::new(), |s| format!(" Did you mean `{s}`?"));
            eprintln!(
                "error: `{name}` is neither a built-in profile nor a file.{hint}\n\
                 help: the built-in profiles are {}; or give the path of a profile file (`ttx schema profile`)",
                profile::BUILT_IN.join(", ")
            );
            return Err(Exit::Usage);
        }
        let loaded =
            match load::load_file::<Profile>(FileKind::Profile, path, DEFAULT_MAX_FILE_BYTES) {
                Ok(l) => l,
                Err(f) => {
                    let sources = f.source.into_iter().map(|s| (s.path.clone(), s)).collect();
                    output::print_diagnostics(&f.diagnostics, &sources);
                    return Err(Exit::Problems);
                }
            };
        let mut problems: Vec<Diagnostic> = loaded.diagnostics.clone();
        problems.extend(ttx_engine::authoring::check::profile::check(
            &loaded,
            Some(&scenario.value),
        ));
        if !problems.is_empty() {
            ttx_engine::authoring::diagnostic::sort(&mut problems);
            let sources = [(loaded.source.path.clone(), loaded.source.clone())]
                .into_iter()
                .collect();
            output::print_diagnostics(&problems, &sources);
            eprintln!("the profile has errors; fix them to simulate with it");
            return Err(Exit::Problems);
        }
        if out.iter().any(|p: &Profile| p.name == loaded.value.name) {
            eprintln!(
                "error: two profiles are named `{}`; give each a name of its own",
                loaded.value.name
            );
            return Err(Exit::Usage);
        }
        out.push(loaded.value);
    }
    Ok(out)
}

/// A share of runs: `-` for none, `<1%` for a few, else whole percent.
fn share(n: u64, runs: u64) -> String {
    if n == 0 || runs == 0 {
        "-".into()
    } else if n * 100 < runs {
        "<1%".into()
    } else {
        format!("{}%", (n * 100 + runs / 2) / runs)
    }
}

/// A table row: an indented id, then each count as a share of the runs.
fn shares(id: &str, counts: &[u64], runs: u64) -> Vec<String> {
    std::iter::once(format!("  {id}"))
        .chain(counts.iter().map(|n| share(*n, runs)))
        .collect()
}

/// The text report: what happened in the runs, profile by profile.
fn render(s: &Scenario, profiles: &[Profile], tallies: &[Tally], args: &SimulateArgs) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {} run{} per profile, seed {}\n",
        s.id.as_str(),
        s.version.as_str(),
        thousands(args.runs),
        if args.runs == 1 { "" } else { "s" },
        args.seed
    );
    let names: Vec<&str> = tallies.iter().map(|t| t.profile.as_str()).collect();

    if let Some(first) = tallies.first().filter(|t| !t.truths.is_empty()) {
        let _ = writeln!(out, "HIDDEN TRUTH (the setup's draws)");
        let mut rows = Vec::new();
        for (n, truth) in first.truths.iter().enumerate() {
            let mut results: Vec<&String> = tallies
                .iter()
                .filter_map(|t| t.truths.get(n))
                .flat_map(|t| t.results.keys())
                .collect();
            results.sort();
            results.dedup();
            for (k, result) in results.into_iter().enumerate() {
                let label = if k == 0 {
                    format!("{}. {}", n + 1, truth.what)
                } else {
                    String::new()
                };
                let mut row = vec![label, result.clone()];
                row.extend(tallies.iter().map(|t| {
                    let count = t
                        .truths
                        .get(n)
                        .and_then(|x| x.results.get(result))
                        .copied()
                        .unwrap_or(0);
                    share(count, t.runs)
                }));
                rows.push(row);
            }
        }
        let mut header = vec!["DRAW", "RESULT"];
        header.extend(names.iter().copied());
        table(&mut out, &header, &rows);
        out.push('\n');
    }

    let _ = writeln!(out, "INJECTS (share of runs in which each fired)");
    let rows: Vec<Vec<String>> = s
        .injects
        .iter()
        .enumerate()
        .map(|(i, inject)| {
            let mut row = vec![inject.id.to_string()];
            row.extend(tallies.iter().map(|t| share(t.injects[i].fired, t.runs)));
            row
        })
        .collect();
    let mut header = vec!["INJECT"];
    header.extend(names.iter().copied());
    table(&mut out, &header, &rows);

    for (p, t) in profiles.iter().zip(tallies) {
        let _ = writeln!(
            out,
            "\nPROFILE {} ({} runs){}",
            t.profile,
            thousands(t.runs),
            p.description
                .as_deref()
                .map_or(String::new(), |d| format!(": {d}"))
        );
        let rows: Vec<Vec<String>> = t
            .expectations
            .iter()
            .map(|e| {
                shares(
                    &e.id,
                    &[e.met, e.late, e.other_role, e.missed, e.not_applicable],
                    t.runs,
                )
            })
            .collect();
        table(
            &mut out,
            &[
                "  EXPECTATION",
                "MET",
                "LATE",
                "OTHER ROLE",
                "MISSED",
                "NOT APPLICABLE",
            ],
            &rows,
        );
        let rows: Vec<Vec<String>> = t
            .objectives
            .iter()
            .map(|o| shares(&o.id, &[o.p, o.s, o.m, o.u, o.unrated], t.runs))
            .collect();
        table(
            &mut out,
            &["  OBJECTIVE", "P", "S", "M", "U", "UNRATED"],
            &rows,
        );
        let total = t.total_findings();
        let fewest = t.findings_per_run.keys().next().copied().unwrap_or(0);
        let most = t.findings_per_run.keys().last().copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "  Findings: {} per run ({fewest} to {most})",
            per_run(total, t.runs)
        );
        let mut kinds: Vec<(&String, &u64)> = t.findings.iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (kind, n) in kinds {
            let _ = writeln!(out, "    {:<32} {} per run", kind, per_run(*n, t.runs));
        }
        let movers = movers(t);
        if !movers.is_empty() {
            let _ = writeln!(
                out,
                "  Decisions that most change the outcome (findings per run without each, in the runs that took it):"
            );
            for m in movers.iter().take(3) {
                let _ = writeln!(
                    out,
                    "    {:<32} {:+.2} without it  ({:.2} with, {:.2} without, over {} replayed runs; taken in {} of runs)",
                    m.id,
                    m.without - m.with,
                    m.with,
                    m.without,
                    thousands(m.replayed),
                    share(m.taken, t.runs)
                );
            }
        }
    }
    out
}

fn per_run(n: u64, runs: u64) -> String {
    format!("{:.2}", n as f64 / runs.max(1) as f64)
}

/// What leaving a decision out changed, over the runs replayed without it.
struct Mover {
    id: String,
    taken: u64,
    replayed: u64,
    with: f64,
    without: f64,
}

/// Decisions the room took in some replayed run, by how much leaving them out changes the
/// findings per run (largest change first, ties in catalog order).
fn movers(t: &Tally) -> Vec<Mover> {
    let mut out: Vec<Mover> = t
        .decisions
        .iter()
        .filter(|d| d.replayed > 0)
        .map(|d| Mover {
            id: d.id.clone(),
            taken: d.taken,
            replayed: d.replayed,
            with: d.replayed_findings_with as f64 / d.replayed as f64,
            without: d.replayed_findings_without as f64 / d.replayed as f64,
        })
        .filter(|m| m.without != m.with)
        .collect();
    out.sort_by(|a, b| {
        (b.without - b.with)
            .abs()
            .total_cmp(&(a.without - a.with).abs())
    });
    out
}

/// The coverage warnings `ttx validate --simulate N` adds for one scenario file: N runs of
/// each built-in profile, seed 1.
pub fn coverage_warnings(source: &SourceFile, scenario: &Scenario, runs: u64) -> Vec<Diagnostic> {
    let profiles = Profile::all_built_in();
    let opts = Options {
        runs,
        seed: 1,
        threads: default_threads(),
        counterfactuals: 0,
    };
    match simulation::simulate(source, &profiles, opts, &|_| {}) {
        Ok(tallies) => simulation::coverage(source, scenario, &tallies),
        Err(_) => Vec::new(),
    }
}
