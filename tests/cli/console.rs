//! The console as a facilitator uses it: on a pipe, on a terminal (a pseudo-terminal from
//! `script`), killed and resumed. Regression tests named after what a real session got
//! wrong.

use std::time::Duration;

use crate::crash::{Driven, run_args};
use crate::run::fresh_journal;
use crate::support::Ttx;

fn console(name: &str, commands: &str) -> (crate::support::Output, String) {
    let (_, rel) = fresh_journal("examples/acme", name);
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(run_args(&rel))
        .stdin(commands)
        .run();
    (out, rel)
}

#[test]
fn status_prints_once() {
    let (out, _) = console("status-once", "advance 5m\nstatus\nquit\n");
    out.code(0);
    let lines = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("[0:05:00 running]"))
        .count();
    assert_eq!(lines, 1, "{}", out.stdout);
}

#[test]
fn commands_after_end_on_a_pipe_are_taken_or_refused_never_dropped() {
    let (out, rel) = console(
        "after-end",
        "advance 10m\nend\nrate detect S : declared, but after the CDN detour\nimprove : the processor contact list is stale\ndecide ic declare_incident\n",
    );
    out.code(1)
        .stdout_has("exercise ends")
        .stdout_has("next: `ttx report journals/after-end.jsonl -o aar.md`")
        .stdout_has("! the exercise has ended; after `end` only rate, strength, improve, answer and note are taken");
    let journal =
        std::fs::read_to_string(crate::support::root().join("examples/acme").join(&rel)).unwrap();
    assert!(
        journal.contains("\"type\":\"rate\""),
        "the rating after end is journaled"
    );
    assert!(journal.contains("the processor contact list is stale"));
    Ttx::new()
        .cwd("examples/acme")
        .args(["report", &rel])
        .run()
        .code(0)
        .stdout_has("| **S** | U | rated by the facilitator: declared, but after the CDN detour |")
        .stdout_has("the processor contact list is stale");
}

/// Starts an exercise into `rel`, sends each line and waits for its `ok`, then kills the
/// process (`kill -9`): what was acknowledged is all the journal can hold.
fn killed_after(rel: &str, lines: &[&str]) {
    let mut driven = Driven::spawn(&run_args(rel));
    driven.wait_for(|l| l.contains("starts"));
    for line in lines {
        driven.send(line);
        driven.wait_for(|l| l == "ok");
    }
    driven.child.kill().unwrap();
    driven.child.wait().unwrap();
}

#[test]
fn hot_wash_lines_survive_kill_9_and_resume() {
    let (_, rel) = fresh_journal("examples/acme", "hot-wash-kill");
    killed_after(
        &rel,
        &[
            "advance 20m",
            "strength : on-call paged the IC within two minutes",
            "improve : nobody owned the status page",
        ],
    );
    Ttx::new()
        .cwd("examples/acme")
        .args(["run", "--resume", &rel])
        .stdin("end\n")
        .run()
        .code(0);
    Ttx::new()
        .cwd("examples/acme")
        .args(["report", &rel])
        .run()
        .code(0)
        .stdout_has("- on-call paged the IC within two minutes")
        .stdout_has("nobody owned the status page");
}

/// Messages acknowledged before a `kill -9` are in the journal once each after `--resume`,
/// and the conversation goes on from there.
#[test]
fn acknowledged_messages_survive_kill_9_and_resume_once_each() {
    let (abs, rel) = fresh_journal("examples/acme", "messages-kill");
    killed_after(
        &rel,
        &[
            "say oncall war : refunds are spiking",
            "dm ic comms : hold any statement",
            "private legal : is the 72-hour clock running?",
            "forward oncall spike ic : is this ours?",
        ],
    );
    Ttx::new()
        .cwd("examples/acme")
        .args(["run", "--resume", &rel])
        .stdin("reply legal : not until the incident is declared\nend\n")
        .run()
        .code(0);
    let journal = std::fs::read_to_string(&abs).unwrap();
    for text in [
        "refunds are spiking",
        "hold any statement",
        "is the 72-hour clock running?",
        "is this ours?",
        "not until the incident is declared",
    ] {
        let times = journal
            .lines()
            .filter(|l| l.contains("\"type\":\"message\"") && l.contains(text))
            .count();
        assert_eq!(times, 1, "{text:?} is journaled {times} times");
    }
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(0)
        .stdout_has("replay reproduces every event");
}

#[test]
fn the_roll_call_is_the_attendance_and_answers_sit_next_to_their_question() {
    let (out, rel) = console(
        "roll-call",
        "present priya-nair ic\npresent raj-patel oncall\npresent Sam\nadvance 5m\ndecide ic declare_incident by=priya-nair\ndecide oncall block_refunds by=will-ortega\nanswer 1 : the IC decides; on-call pages\nend\n",
    );
    out.code(1)
        .stdout_has("! no person `Sam` in the roster (did you mean `sam-whitaker`?)");
    let report = Ttx::new()
        .cwd("examples/acme")
        .args(["report", &rel, "--names"])
        .run();
    report
        .code(0)
        .stdout_has("## 5. Discussion")
        .stdout_has("1. Who decides whether this is a SEV?")
        .stdout_has("   - 0:05:00: the IC decides; on-call pages");
    let attendance = report
        .stdout
        .split("## Appendix D: Participants")
        .nth(1)
        .unwrap();
    assert!(
        attendance.contains("| Priya Nair |") && attendance.contains("| Raj Patel |"),
        "{attendance}"
    );
    assert!(
        !attendance.contains("Will Ortega"),
        "named on a decision is not the roll call:\n{attendance}"
    );
}

/// A program on a pseudo-terminal (`script`), its output collected as it comes, prompts
/// included (they end in no newline).
struct Terminal {
    child: std::process::Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Terminal {
    fn spawn(command: &str) -> Terminal {
        use std::io::Read;
        let mut child = std::process::Command::new("script")
            .args(["-q", "-e", "-c", command, "/dev/null"])
            .current_dir(crate::support::root().join("examples/acme"))
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("`script` (util-linux) runs");
        let mut stdout = child.stdout.take().unwrap();
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = std::sync::Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal { child, output }
    }

    /// Waits until the output holds `text` after byte `from`; returns where it ends. Gives
    /// up after 30 s (a bound on a stuck program, not a timing assertion).
    fn wait_for(&self, text: &str, from: usize) -> usize {
        for _ in 0..1500 {
            let out = self.output.lock().unwrap();
            if let Some(i) = out.get(from..).and_then(|o| o.find(text)) {
                return from + i + text.len();
            }
            drop(out);
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "no `{text}` on the terminal:\n{}",
            self.output.lock().unwrap()
        );
    }

    fn send(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{line}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
}

#[test]
fn the_prompt_shows_the_clock_after_the_command() {
    let (path, rel) = fresh_journal("examples/acme", "prompt");
    let command = format!("{} {}", env!("CARGO_BIN_EXE_ttx"), run_args(&rel).join(" "));
    let mut term = Terminal::spawn(&command);
    // Each line is typed once the editor shows its prompt, as a person would.
    let at = term.wait_for("ttx 0:00:00> ", 0);
    term.send("advance 5m");
    let at = term.wait_for("ok", at);
    let at = term.wait_for("ttx 0:05:00> ", at);
    term.send("status");
    let at = term.wait_for("[0:05:00 running]", at);
    let at = term.wait_for("ttx 0:05:00> ", at);
    let status_lines = term.output.lock().unwrap()[..at]
        .matches("[0:05:00 running]")
        .count();
    // One after `advance` (the status line of a journaled command), one for `status`.
    assert_eq!(status_lines, 2, "{}", term.output.lock().unwrap());
    term.send("quit");
    let _ = term.child.wait();
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_sheet_entry_the_engine_refuses_is_named_by_its_line() {
    let (_, rel) = fresh_journal("tests/run", "advance-while-paused");
    Ttx::new()
        .cwd("tests/run")
        .args(["run", "--decisions", "advance-while-paused.yaml", "--journal", &rel])
        .run()
        .code(1)
        .stderr_has("advance-while-paused.yaml:9:6: error[invalid-value]: the clock moves on here while the exercise is paused (since line 8)")
        .stderr_has("fix them before playing it");
    // `validate` says the same, before anyone plays it.
    Ttx::new()
        .cwd("tests/run")
        .args([
            "validate",
            "--kind",
            "decisions",
            "advance-while-paused.yaml",
        ])
        .run()
        .code(1)
        .stderr_has("advance-while-paused.yaml:9:6: error[invalid-value]");
}

/// The room's conversation at the console: a scribe types what roles say to each other,
/// the journal keeps it, and `view` shows each role only its own channels.
#[test]
fn the_conversation_is_journaled_and_each_role_views_only_its_channels() {
    let (out, rel) = console(
        "conversation",
        "say oncall war : refund errors on the dashboard\n\
         dm ic comms : no statement until legal has read it\n\
         private legal : does the 72-hour clock run yet?\n\
         reply legal : not until the incident is declared\n\
         dm ic comsm : typo\n\
         view comms\n\
         view pm\n\
         quit\n",
    );
    out.code(1)
        .stdout_has("oncall in the war room: refund errors on the dashboard")
        .stdout_has("ic to comms: no statement until legal has read it")
        .stdout_has("legal to the facilitator: does the 72-hour clock run yet?")
        .stdout_has("white to legal (private line): not until the incident is declared")
        .stdout_has("did you mean `comms`");
    let (comms, pm) = out
        .stdout
        .split_once("--- what comms has seen ---")
        .and_then(|(_, rest)| rest.split_once("--- what pm has seen ---"))
        .expect("both views");
    assert!(
        comms.contains("ic to comms: no statement until legal has read it"),
        "{comms}"
    );
    assert!(!comms.contains("72-hour"), "{comms}");
    assert!(pm.contains("oncall in the war room"), "{pm}");
    assert!(
        !pm.contains("no statement") && !pm.contains("72-hour") && !pm.contains("not until"),
        "{pm}"
    );
    let journal =
        std::fs::read_to_string(crate::support::root().join("examples/acme").join(&rel)).unwrap();
    assert_eq!(
        journal.matches("\"type\":\"message\"").count(),
        4,
        "{journal}"
    );
    assert!(journal.contains("\"channel\":\"private:legal\""));
}
