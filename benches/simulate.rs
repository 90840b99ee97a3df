//! Benchmark of `ttx simulate`: simulated runs per second of the largest shipped scenario
//! with the `textbook` profile, on 1 and on 2 threads, and the floor: replaying only the
//! scripts and conditions those runs evaluate (with the state each one saw), on one thread.
//! Prints runs/s, the speed-up from 1 to 2 threads, and the ratio of run cost to floor.
//! Then how the cost of one run grows with the scenario: generated scenarios of 16, 1,000
//! and 10,000 injects (half timed, half following the one before), per run and per inject
//! (linear when the per-inject figure stays flat). And a row per library scenario: runs/s
//! on 1 and 2 threads and the run cost against its floor.
//!
//!     cargo bench --bench simulate
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ttx_engine::authoring::model::profile::Profile;
use ttx_engine::authoring::script::ScriptHost;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::simulation::{self, Options};

const RUNS: u64 = 40_000;
const TRACED: u64 = 4_000;
const TRIES: usize = 3;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (path, source) = largest(&root);
    let textbook = Profile::built_in("textbook").unwrap();
    let scenario = simulation::compile(&source).unwrap();
    println!(
        "scenario: {} ({} injects, {} decisions, {} expectations), profile textbook",
        path.display(),
        scenario.scenario().injects.len(),
        scenario.scenario().decisions.len(),
        scenario.scenario().expectations.len()
    );

    let mut per_thread = Vec::new();
    for threads in [1, 2] {
        let rate = runs_per_second(&source, &textbook, RUNS, threads);
        let secs = RUNS as f64 / rate;
        per_thread.push(rate);
        println!(
            "simulate, {threads} thread{}: {:>9.0} runs/s ({RUNS} runs in {:.3} s, {:.1} µs per run)",
            if threads == 1 { " " } else { "s" },
            rate,
            secs,
            secs * 1e6 / RUNS as f64
        );
    }
    println!(
        "speed-up 1 → 2 threads: {:.2}x",
        per_thread[1] / per_thread[0]
    );

    let (floor_per_run, evaluations) = floor(&source, &textbook, TRACED);
    let run_cost = 1.0 / per_thread[0];
    println!(
        "floor (scripts and conditions only, 1 thread): {:.1} µs per run ({evaluations} evaluations per run)",
        floor_per_run * 1e6,
    );
    println!("run cost / floor: {:.2}x", run_cost / floor_per_run);

    library(&root, &textbook);

    let mut per_inject = Vec::new();
    for injects in [16usize, 1_000, 10_000] {
        let source = SourceFile::new(format!("generated-{injects}.yaml"), generated(injects));
        let runs = (200_000 / injects as u64).clamp(10, 4_000);
        let run = 1.0 / runs_per_second(&source, &textbook, runs, 1);
        per_inject.push(run / injects as f64);
        println!(
            "{injects:>6} injects: {:>10.1} µs per run, {:.2} µs per inject ({runs} runs)",
            run * 1e6,
            run * 1e6 / injects as f64
        );
    }
    let (lo, hi) = per_inject
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    println!(
        "per-inject cost, largest / smallest across 16..10,000 injects: {:.2}x",
        hi / lo
    );
}

/// Simulated runs per second of `runs` runs of one profile on `threads` threads (the
/// best of a few tries).
fn runs_per_second(source: &SourceFile, profile: &Profile, runs: u64, threads: usize) -> f64 {
    let opts = Options {
        runs,
        seed: 1,
        threads,
        counterfactuals: 0,
    };
    let secs = best_of(|| {
        simulation::simulate(source, std::slice::from_ref(profile), opts, &|_| {}).unwrap();
    });
    runs as f64 / secs
}

/// The floor of a scenario's runs: every evaluation of `runs` runs, replayed on one host
/// with the state each one saw; seconds per run, and evaluations per run.
fn floor(source: &SourceFile, profile: &Profile, runs: u64) -> (f64, u64) {
    let trace = simulation::trace(source, profile, 1, runs).unwrap();
    let host = ScriptHost::new(1);
    let secs = best_of(|| {
        for e in &trace {
            if e.script {
                let mut state = e.state.clone();
                let _ = host.run(&e.ast, &mut state);
            } else {
                let _ = host.condition(&e.ast, &e.state);
            }
            host.take_draws();
        }
    });
    (secs / runs as f64, trace.len() as u64 / runs)
}

/// A row per library scenario: runs/s on 1 and 2 threads and the run cost against the
/// floor on one thread (the targets: at least 10,000 runs/s on two threads, at most 2x).
fn library(root: &std::path::Path, profile: &Profile) {
    const LIBRARY_RUNS: u64 = 10_000;
    println!(
        "\n{:<40} {:>12} {:>12} {:>10}",
        "library scenario (textbook)", "runs/s, 1 t", "runs/s, 2 t", "/ floor"
    );
    for path in ttx_engine::authoring::project::yaml_files(&root.join("scenarios")) {
        let source = SourceFile::read(&path, 4 << 20).unwrap();
        let rate = |threads| runs_per_second(&source, profile, LIBRARY_RUNS, threads);
        let (one, two) = (rate(1), rate(2));
        let (floor_per_run, _) = floor(&source, profile, LIBRARY_RUNS / 10);
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        println!(
            "{name:<40} {one:>12.0} {two:>12.0} {:>9.2}x",
            (1.0 / one) / floor_per_run
        );
    }
    println!();
}

/// A scenario of `n` injects: even ones timed two seconds apart, odd ones five seconds
/// after the one before; two roles, a decision that follows the first inject and one
/// expectation.
fn generated(n: usize) -> String {
    let mut y = String::from(
        "id: generated\ntitle: Generated\nversion: 1.0.0\nsummary: Many injects.\nduration: 8h\n\
         roles:\n  ic: {title: IC}\n  oncall: {title: On-call}\n\
         objectives:\n  - {id: detect, text: Detect, capability: detection}\ninjects:\n",
    );
    for i in 0..n {
        let to = if i % 3 == 0 { "ic" } else { "oncall" };
        if i % 2 == 0 {
            y.push_str(&format!(
                "  - {{id: i{i}, at: {}s, to: [{to}], text: Report {i}}}\n",
                i * 2
            ));
        } else {
            y.push_str(&format!(
                "  - {{id: i{i}, after: {{inject: i{}, delay: 5s}}, to: [{to}], text: Report {i}}}\n",
                i - 1
            ));
        }
    }
    y.push_str(
        "decisions:\n  declare: {by: [ic]}\n\
         expectations:\n  - {id: declare-fast, role: ic, decision: declare, within: 20m, after: i0, objective: detect, element: Planning}\n",
    );
    y
}

/// The shipped scenario with the most injects (then the largest file).
fn largest(root: &std::path::Path) -> (PathBuf, SourceFile) {
    let mut best: Option<(usize, u64, PathBuf)> = None;
    for path in ttx_engine::authoring::project::yaml_files(&root.join("scenarios")) {
        let source = SourceFile::read(&path, 4 << 20).unwrap();
        let Ok(c) = simulation::compile(&source) else {
            continue;
        };
        let key = (c.scenario().injects.len(), source.text.len() as u64);
        if best.as_ref().is_none_or(|(n, b, _)| key > (*n, *b)) {
            best = Some((key.0, key.1, path));
        }
    }
    let path = best.expect("a shipped scenario").2;
    let source = SourceFile::read(&path, 4 << 20).unwrap();
    (
        path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
        source,
    )
}

fn best_of(mut f: impl FnMut()) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..TRIES {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed());
    }
    best.as_secs_f64()
}
