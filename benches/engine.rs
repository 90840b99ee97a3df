//! Benchmark of the exercise engine: events per second through the engine and journal,
//! with fsync off and on, and the console's per-command latency (median and p99) with
//! fsync on, measured through a pipe to a real `ttx run`.
//!
//!     cargo bench --bench engine
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, FileRef};
use ttx_engine::exercise::journal::WallClock;
use ttx_engine::exercise::session::Session;
use ttx_engine::exercise::state::{Compiled, Files};

fn inputs() -> Vec<Event> {
    let decide = |by: &str, d: &str| Event::Decision {
        by: by.into(),
        decision: Some(d.into()),
        action: None,
        option: None,
        participant: None,
        rationale: Some("because the room said so".into()),
        confidence: None,
        prompted_by: None,
    };
    let mut out = vec![
        Event::Advance {
            to: SimTime::from_offset(SimDuration::from_mins(2)),
        },
        Event::Notify {
            from: "oncall".into(),
            to: "ic".into(),
            text: Some("paging".into()),
        },
        decide("ic", "declare_incident"),
        decide("oncall", "investigate_ci"),
        decide("oncall", "block_refunds"),
    ];
    // A long exercise: the facilitator notes and moves the clock in small steps, and
    // on-call investigates again and again (each time running its reveal draws).
    for i in 0..3_000u64 {
        out.push(Event::Note {
            text: format!("note {i}"),
        });
        out.push(Event::Advance {
            to: SimTime::from_offset(SimDuration::from_secs(180 + i)),
        });
        out.push(decide("oncall", "investigate_ci"));
    }
    out.push(decide("oncall", "rotate_api_key"));
    out.push(Event::End {
        strengths: vec![],
        improvements: vec![],
    });
    out
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scenario = root.join("scenarios/payments-credential-leak.yaml");
    let loaded =
        ttx_engine::authoring::load::load_file::<Scenario>(FileKind::Scenario, &scenario, 4 << 20)
            .unwrap();
    let compiled = Compiled::new(loaded).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-engine");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files = || Files {
        scenario: FileRef {
            path: "s.yaml".into(),
            sha256: "0".repeat(64),
        },
        architecture: None,
        roster: None,
    };

    for (fsync, runs) in [(false, 5), (true, 1)] {
        let mut events = 0usize;
        let start = Instant::now();
        for run in 0..runs {
            let path = dir.join(format!("{fsync}-{run}.jsonl"));
            let (mut session, first) = Session::begin(
                &compiled,
                run as u64,
                files(),
                &path,
                fsync,
                WallClock::System,
            )
            .unwrap();
            events += first.len();
            let inputs = if fsync {
                inputs()[..300].to_vec()
            } else {
                inputs()
            };
            for input in inputs {
                events += session.apply(input).unwrap().len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "engine + journal, fsync {}: {:>9.0} events/s ({events} events in {:.2} s)",
            if fsync { "on " } else { "off" },
            events as f64 / secs,
            secs
        );
    }

    latency(&root, &dir);
}

/// Per-command latency of the console through a pipe, fsync on: time from writing a
/// command to reading its acknowledgement.
fn latency(root: &Path, dir: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args([
            "run",
            "scenarios/payments-credential-leak.yaml",
            "--seed",
            "1",
            "--journal",
        ])
        .arg(dir.join("latency.jsonl"))
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut samples: Vec<Duration> = Vec::new();
    for i in 0..500 {
        let command = match i % 5 {
            0 => "advance 10s".to_string(),
            1 => "decide oncall investigate_ci low : look again".to_string(),
            2 => "notify ic comms : update".to_string(),
            _ => format!("note : observation {i}"),
        };
        let start = Instant::now();
        writeln!(stdin, "{command}").unwrap();
        stdin.flush().unwrap();
        loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("ttx stopped");
            }
            if line.trim_end() == "ok" {
                break;
            }
        }
        samples.push(start.elapsed());
    }
    drop(stdin);
    let _ = child.wait();
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "console per command, fsync on: median {:.2} ms, p99 {:.2} ms ({} commands)",
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        samples.len()
    );
}
