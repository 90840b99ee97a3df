//! Crash safety: drive `ttx run` through a pipe, kill it with SIGKILL at many points,
//! resume, finish, and check that every acknowledged event survived and that the journal
//! ends byte-identical to an uninterrupted run.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::run::fresh_journal;
use crate::support::{Ttx, root};

const SCENARIO: &str = "../../scenarios/payments-credential-leak.yaml";

/// Each command records exactly one input event, so the journal says how far we got.
const COMMANDS: &[&str] = &[
    "advance 2m",
    "notify oncall ic : paging you, possible SEV2",
    "decide ic declare_incident medium : fraud until proven otherwise",
    "advance 3m",
    "decide oncall investigate_ci low",
    "next",
    "decide oncall block_refunds high re=spike : kill switch",
    "note : the room is calm",
    "advance 10m",
    "decide oncall rotate_api_key",
    "notify ic comms : briefed, no statement yet",
    "decide comms public_statement",
    "advance 30m",
    "decide legal assess_notification",
    "end",
];

/// `ttx run` of the payments scenario, seed 11, pinned clock, into `journal`.
pub fn run_args(journal: &str) -> Vec<String> {
    [
        "run",
        SCENARIO,
        "--seed",
        "11",
        "--now",
        "2026-03-01T10:00:00Z",
        "--journal",
        journal,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub struct Driven {
    /// The running ttx.
    pub child: Child,
    lines: mpsc::Receiver<String>,
}

impl Driven {
    /// `ttx ARGS` in examples/acme with standard input and output on pipes.
    pub fn spawn(args: &[String]) -> Driven {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args(args)
            .current_dir(root().join("examples/acme"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Driven { child, lines }
    }

    /// Reads lines until one is wanted (30 s at most per line).
    pub fn wait_for(&self, want: impl Fn(&str) -> bool) {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .expect("ttx answers");
            if want(&line) {
                return;
            }
        }
    }

    /// Writes one line to standard input.
    pub fn send(&mut self, command: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{command}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
}

/// SplitMix64, so a failing trial can be reproduced from its number.
fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

#[test]
fn killed_at_any_point_resumes_to_the_uninterrupted_journal() {
    let (reference_path, reference_rel) = fresh_journal("examples/acme", "crash-reference");
    Ttx::new()
        .cwd("examples/acme")
        .args(run_args(&reference_rel))
        .stdin(&(COMMANDS.join("\n") + "\n"))
        .run()
        .code(0);
    let reference = std::fs::read(&reference_path).unwrap();

    let mut draw = rng(0x0063_7261_7368);
    for trial in 0..16 {
        let (path, rel) = fresh_journal("examples/acme", &format!("crash-{trial}"));
        let acked = draw(COMMANDS.len() as u64) as usize;
        let mut driven = Driven::spawn(&run_args(&rel));
        driven.wait_for(|l| l.contains("payments-credential-leak 1.2.0 starts"));
        for command in &COMMANDS[..acked] {
            driven.send(command);
            driven.wait_for(|l| l == "ok");
        }
        // Half the time, kill while the next command is being written.
        if acked < COMMANDS.len() && draw(2) == 0 {
            driven.send(COMMANDS[acked]);
            std::thread::sleep(Duration::from_micros(draw(3_000)));
        }
        driven.child.kill().unwrap();
        driven.child.wait().unwrap();

        let journal = ttx_engine::exercise::journal::read(&path).unwrap();
        let inputs = journal.lines.iter().filter(|l| l.event.is_input()).count();
        assert!(
            inputs >= acked,
            "trial {trial}: {acked} commands were acknowledged, the journal holds {inputs}"
        );
        assert!(
            inputs <= acked + 1,
            "trial {trial}: more inputs than were sent"
        );

        let rest = COMMANDS[inputs..].join("\n") + "\n";
        Ttx::new()
            .cwd("examples/acme")
            .args(["run", "--resume", &rel])
            .stdin(&rest)
            .run()
            .code(0);
        let resumed = std::fs::read(&path).unwrap();
        assert!(
            resumed == reference,
            "trial {trial} (killed after {acked} acknowledged commands): the resumed journal differs from an uninterrupted run"
        );
        Ttx::new()
            .cwd("examples/acme")
            .args(["verify", &rel])
            .run()
            .code(0);
    }
}

/// Issue 27: an empty journal (left by a ttx that was killed between creating the file
/// and writing its first event) is refused with what to do, by a resume and a new run.
#[test]
fn an_empty_journal_is_refused_with_what_to_do() {
    let (abs, rel) = fresh_journal("examples/acme", "empty");
    std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
    std::fs::write(&abs, "").unwrap();
    Ttx::new()
        .cwd(root().join("examples/acme"))
        .args(["run", "--resume", &rel])
        .run()
        .code(2)
        .stderr_has("the journal is empty")
        .stderr_has("delete the file and start the exercise again");
    let mut args = run_args(&rel);
    args.retain(|a| a != "--resume");
    Ttx::new()
        .cwd(root().join("examples/acme"))
        .args(&args)
        .stdin("end\n")
        .run()
        .code(1)
        .stderr_has("is empty")
        .stderr_has("delete it, or choose another --journal");
    let _ = std::fs::remove_file(&abs);
}
