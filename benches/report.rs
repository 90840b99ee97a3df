//! Benchmark of assessment and reporting: builds a 10,000-event journal, then for each
//! format reads it back, replays it, assesses it and renders the report, printing the
//! time and the peak memory (resident set) of that work.
//!
//!     cargo bench --bench report
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ttx_engine::assessment::assess;
use ttx_engine::assessment::report::{self, Format};
use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::authoring::model::program::Sla;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, FileRef};
use ttx_engine::exercise::journal::{self, WallClock};
use ttx_engine::exercise::session::{self, Session};
use ttx_engine::exercise::state::{Compiled, Files};

fn compiled(root: &Path) -> Compiled {
    let path = root.join("scenarios/payments-credential-leak.yaml");
    Compiled::new(
        ttx_engine::authoring::load::load_file::<Scenario>(FileKind::Scenario, &path, 4 << 20)
            .unwrap(),
    )
    .unwrap()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn reset_peak() {
    // Linux: writing 5 to clear_refs resets the peak resident set size.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-report");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.jsonl");
    {
        let c = compiled(&root);
        let files = Files {
            scenario: FileRef {
                path: "s.yaml".into(),
                sha256: String::new(),
            },
            architecture: None,
            roster: None,
        };
        let (mut session, _) = Session::begin(
            &c,
            9,
            files,
            &path,
            false,
            WallClock::Pinned("2026-05-14T14:00:00Z".parse().unwrap()),
        )
        .unwrap();
        let mut i = 0u64;
        while journal::read(&path).map_or(0, |c| c.lines.len()) < 10_000 && i < 100_000 {
            for _ in 0..500 {
                i += 1;
                let input = match i % 4 {
                    0 => Event::Advance {
                        to: SimTime::from_offset(SimDuration::from_secs(i)),
                    },
                    1 => Event::Note {
                        text: format!("observation {i} <b>markup</b>"),
                    },
                    2 => Event::Notify {
                        from: "ic".into(),
                        to: "comms".into(),
                        text: Some(format!("update {i}")),
                    },
                    _ => Event::Decision {
                        by: "oncall".into(),
                        decision: Some("investigate_ci".into()),
                        action: None,
                        option: None,
                        participant: None,
                        rationale: Some(format!("look again {i}")),
                        confidence: None,
                        prompted_by: Some("spike".into()),
                    },
                };
                session.apply(input).unwrap();
            }
        }
        session
            .apply(Event::End {
                strengths: vec!["a".into()],
                improvements: vec!["b".into()],
            })
            .unwrap();
    }
    let events = journal::read(&path).unwrap().lines.len();
    println!(
        "journal: {events} events, {} KiB",
        std::fs::metadata(&path).unwrap().len() / 1024
    );

    let c = compiled(&root);
    for (name, format) in [
        ("md", Format::Md),
        ("html", Format::Html),
        ("json", Format::Json),
        ("csv", Format::Csv),
    ] {
        reset_peak();
        let start = Instant::now();
        let contents = journal::read(&path).unwrap();
        let (ex, _) = session::rebuild(&c, &contents.lines, &path).unwrap();
        let date = "2026-05-14".parse().unwrap();
        let a = assess::assess(
            &ex,
            &assess::Context {
                roster: None,
                sla: Sla::default(),
                date,
            },
        );
        let inputs = report::Inputs {
            lines: &contents.lines,
            org: "Bench".into(),
            roster: None,
            names: false,
            runbooks: None,
        };
        let r = report::build(&ex, &a, &inputs);
        let out = report::render(&r, format, None).unwrap();
        let elapsed = start.elapsed();
        println!(
            "{name:<5} read + replay + assess + render: {:>7.1} ms, peak resident {:>6.1} MiB, output {} KiB",
            elapsed.as_secs_f64() * 1000.0,
            peak_rss_kib() as f64 / 1024.0,
            out.len() / 1024
        );
    }
}
