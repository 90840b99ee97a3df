//! `ttx run`, `ttx verify`, `ttx replay`: golden journals of the recorded sessions, the
//! console on a pipe, script errors that do not stop an exercise, and tampering caught.

use std::path::{Path, PathBuf};

use crate::support::{Ttx, root};

/// A journal path under `dir` (relative to the repository), removed first.
pub fn fresh_journal(dir: &str, name: &str) -> (PathBuf, String) {
    let rel = format!("journals/{name}.jsonl");
    let abs = root().join(dir).join(&rel);
    let _ = std::fs::remove_file(&abs);
    let _ = std::fs::remove_file(abs.with_extension("jsonl.lock"));
    let _ = std::fs::remove_file(abs.with_extension("jsonl.torn"));
    (abs, rel)
}

fn sessions() -> Vec<PathBuf> {
    ttx_engine::authoring::project::yaml_files(&root().join("examples/acme/sessions"))
}

#[test]
fn each_recorded_session_gives_its_golden_journal_every_time() {
    assert!(sessions().len() >= 3);
    for sheet in sessions() {
        let stem = sheet.file_stem().unwrap().to_str().unwrap().to_string();
        let sheet_rel = format!("sessions/{stem}.yaml");
        let mut journals = Vec::new();
        for round in 0..2 {
            let (abs, rel) = fresh_journal("examples/acme", &format!("golden-{stem}-{round}"));
            Ttx::new()
                .cwd("examples/acme")
                .args(["run", "--decisions", &sheet_rel, "--journal", &rel])
                .run()
                .code(0)
                .stdout_has("exercise ends");
            journals.push(std::fs::read_to_string(&abs).unwrap());
            Ttx::new()
                .cwd("examples/acme")
                .args(["verify", &rel])
                .run()
                .code(0)
                .stdout_has("replay reproduces every event");
        }
        assert_eq!(journals[0], journals[1], "{stem}: two runs differ");
        insta::assert_snapshot!(format!("journal-{stem}"), journals[0]);
    }
}

#[test]
fn the_sessions_end_in_visibly_different_places() {
    let mut outcomes = Vec::new();
    for sheet in sessions() {
        let stem = sheet.file_stem().unwrap().to_str().unwrap().to_string();
        let (abs, _) = play_session(&stem, &format!("outcome-{stem}"));
        let text = std::fs::read_to_string(abs).unwrap();
        let truth = text
            .lines()
            .find(|l| l.contains("\"what\":\"pick of 3\""))
            .and_then(|l| l.split("\"result\":\"").nth(1))
            .map(|r| r.split('"').next().unwrap().to_string())
            .unwrap();
        let chased_herring = text.contains("\"decision\":\"purge_cdn_cache\"");
        let press = text.contains("\"inject\":\"fraud-press\"");
        outcomes.push((truth, chased_herring, press));
    }
    let truths: std::collections::HashSet<_> = outcomes.iter().map(|o| o.0.clone()).collect();
    assert_eq!(truths.len(), 3, "three hidden truths: {outcomes:?}");
    assert!(
        outcomes.iter().any(|o| o.1 && o.2),
        "one session chases the red herring and meets the press: {outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|o| !o.1 && !o.2),
        "one session contains in time: {outcomes:?}"
    );
}

/// Issue 27: a script error's event named the scenario by its path from the folder the
/// exercise ran in, so `verify` (and report, resume, actions add) from any other folder
/// said the journal differed from a replay.
#[test]
fn a_journal_with_a_script_error_verifies_from_any_folder() {
    let (abs, _) = fresh_journal("tests/run", "script-errors-elsewhere");
    let out = Ttx::new()
        .cwd(root())
        .args([
            "run",
            "tests/run/script-errors.yaml",
            "--seed",
            "3",
            "--now",
            "2026-01-01T00:00:00Z",
            "--journal",
            &abs.display().to_string(),
        ])
        .stdin("decide ic arm\ndecide ic empty_pick\nend\n")
        .run();
    out.code(0);
    let journal = std::fs::read_to_string(&abs).unwrap();
    assert!(
        journal.contains("\"at\":\"script-errors.yaml:"),
        "the event names the file, not the folder it was run from:\n{journal}"
    );
    let folders = [
        root(),
        root().join("tests/run"),
        abs.parent().unwrap().to_path_buf(),
        std::env::temp_dir(),
    ];
    for cwd in &folders {
        Ttx::new()
            .cwd(cwd)
            .args(["verify", &abs.display().to_string()])
            .run()
            .code(0);
    }
    // A journal written before the fix, with the path as it was typed, still verifies.
    let mut prev = ttx_engine::exercise::journal::GENESIS.to_string();
    let mut old = String::new();
    for line in journal.lines() {
        let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
        if value["event"]["type"] == "script_error" {
            let at = value["event"]["at"].as_str().unwrap().to_string();
            value["event"]["at"] = serde_json::json!(format!("../../tests/run/{at}"));
        }
        value["prev"] = serde_json::json!(prev);
        let text = serde_json::to_string(&value).unwrap();
        prev = ttx_engine::exercise::journal::sha256_hex(text.as_bytes());
        old.push_str(&text);
        old.push('\n');
    }
    std::fs::write(&abs, old).unwrap();
    Ttx::new()
        .cwd(std::env::temp_dir())
        .args(["verify", &abs.display().to_string()])
        .run()
        .code(0);
}

#[test]
fn script_errors_are_journaled_and_the_exercise_goes_on() {
    let (abs, rel) = fresh_journal("tests/run", "script-errors");
    let commands = "decide ic arm\ndecide ic spin\ndecide ic recurse\ndecide ic grow\ndecide ic empty_pick\nadvance 10m\ndecide ic fine\nend\n";
    let out = Ttx::new()
        .cwd("tests/run")
        .args([
            "run",
            "script-errors.yaml",
            "--seed",
            "3",
            "--now",
            "2026-01-01T00:00:00Z",
            "--journal",
            &rel,
        ])
        .stdin(commands)
        .run();
    out.code(0).stdout_has("exercise ends");
    let journal = std::fs::read_to_string(abs).unwrap();
    assert_eq!(journal.matches("\"type\":\"script_error\"").count(), 4);
    assert!(
        journal.contains("script-errors.yaml:30:37"),
        "errors carry file:line:col"
    );
    insta::assert_snapshot!("journal-script-errors", journal);
}

#[test]
fn the_console_on_a_pipe_refuses_what_the_scenario_forbids_and_views_per_role() {
    let (_, rel) = fresh_journal("examples/acme", "console-pipe");
    let commands = "decide comms block_refunds\nadvance 5m\nview oncall\ndecide oncall block_refunds high re=spike : kill switch\nnotify oncall ic : paging\nstatus\nbogus\nquit\n";
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "../../scenarios/payments-credential-leak.yaml",
            "--seed",
            "2",
            "--now",
            "2026-01-01T00:00:00Z",
            "--journal",
            &rel,
        ])
        .stdin(commands)
        .run();
    out.code(1)
        .stdout_has("! role `comms` may not take `block_refunds` (the scenario allows: oncall, ic)")
        .stdout_has("--- what oncall has seen ---")
        .stdout_has("[0:04:00] pager from CDN status feed (reliability B): ALERT cdn: elevated 5xx in eu-west")
        .stdout_has("✓ oncall decided block_refunds (high): kill switch")
        .stdout_has("! unknown command `bogus`")
        .stdout_has("[0:05:00 running] next inject 0:08:00")
        .stderr_has("continue it with `ttx run --resume");
    let view = out
        .stdout
        .split("--- what oncall has seen ---")
        .nth(1)
        .unwrap();
    let view = view.split("ok").next().unwrap();
    assert!(
        !view.contains("red herring"),
        "a role's view hides facilitator marks:\n{view}"
    );
}

/// Plays a recorded acme session into a fresh journal; returns (absolute, acme-relative).
pub fn play_session(stem: &str, name: &str) -> (PathBuf, String) {
    play_sheet("sessions", stem, name)
}

/// Plays `FOLDER/STEM.yaml` of the Acme program into `journals/NAME.jsonl`.
pub fn play_sheet(folder: &str, stem: &str, name: &str) -> (PathBuf, String) {
    let (abs, rel) = fresh_journal("examples/acme", name);
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "--decisions",
            &format!("{folder}/{stem}.yaml"),
            "--journal",
            &rel,
        ])
        .run()
        .code(0);
    (abs, rel)
}

fn run_textbook(name: &str) -> (PathBuf, String) {
    play_session("2026-05-14-textbook", name)
}

fn rewrite(path: &Path, f: impl FnOnce(Vec<String>) -> Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines = f(text.lines().map(str::to_string).collect());
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn verify_catches_an_edited_byte_and_reordered_lines() {
    let (abs, rel) = run_textbook("verify-edit");
    let mut edited = 0;
    rewrite(&abs, |mut l| {
        edited = l.iter().position(|x| x.contains("Kill switch")).unwrap();
        l[edited] = l[edited].replace("Kill switch", "Kill switcH");
        l
    });
    // The edited line's own hash changes, so the line after it no longer links.
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(1)
        .stderr_has(&format!(":{}: the hash chain is broken", edited + 2));

    let (abs, rel) = run_textbook("verify-reorder");
    rewrite(&abs, |mut l| {
        l.swap(5, 6);
        l
    });
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(1)
        .stderr_has("hash chain is broken");
}

#[test]
fn verify_catches_a_replay_that_differs_even_with_a_valid_chain() {
    // Rewrite the journal with a different seed in its start event and a rebuilt chain:
    // the chain holds, but replaying the inputs no longer gives the recorded draws.
    let (abs, rel) = run_textbook("verify-replay");
    let text = std::fs::read_to_string(&abs).unwrap();
    let mut prev = ttx_engine::exercise::journal::GENESIS.to_string();
    let mut out = String::new();
    for line in text.lines() {
        let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
        if value["event"]["type"] == "start" {
            value["event"]["seed"] = serde_json::json!(8);
        }
        value["prev"] = serde_json::json!(prev);
        let new = serde_json::to_string(&value).unwrap();
        prev = ttx_engine::exercise::journal::sha256_hex(new.as_bytes());
        out.push_str(&new);
        out.push('\n');
    }
    std::fs::write(&abs, out).unwrap();
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(1)
        .stderr_has("the journal differs from a replay of its inputs at event");
}

#[test]
fn verify_refuses_a_scenario_that_changed_since_the_exercise() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("changed-scenario");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("s.yaml");
    std::fs::copy(root().join("tests/run/script-errors.yaml"), &scenario).unwrap();
    Ttx::new()
        .cwd(&dir)
        .args(["run", "s.yaml", "--seed", "1", "--journal", "j.jsonl"])
        .stdin("end\n")
        .run()
        .code(0);
    Ttx::new()
        .cwd(&dir)
        .args(["verify", "j.jsonl"])
        .run()
        .code(0);
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace("Still going", "Changed");
    std::fs::write(&scenario, text).unwrap();
    Ttx::new()
        .cwd(&dir)
        .args(["verify", "j.jsonl"])
        .run()
        .code(1)
        .stderr_has("has changed since the exercise started");
}

#[test]
fn replay_prints_the_exercise_and_where_it_ended() {
    let (_, rel) = run_textbook("replay");
    let out = Ttx::new().cwd("examples/acme").args(["replay", &rel]).run();
    out.code(0)
        .stdout_has("✓ ic decided declare_incident")
        .stdout_has("[1:35:00 ended]\n");
}

#[test]
fn a_second_writer_is_refused_by_the_lock() {
    let (abs, rel) = run_textbook("locked");
    std::fs::write(
        abs.with_extension("jsonl.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    Ttx::new()
        .cwd("examples/acme")
        .args(["run", "--resume", &rel])
        .run()
        .code(1)
        .stderr_has("is being written by another ttx");
    let _ = std::fs::remove_file(abs.with_extension("jsonl.lock"));
}

#[test]
fn a_sheet_with_errors_is_refused_before_anything_is_journaled() {
    let out = Ttx::new()
        .args([
            "run",
            "--decisions",
            "tests/bad/decisions/wrong-references.yaml",
            "--journal",
            "target/never.jsonl",
        ])
        .run();
    out.code(1)
        .stderr_has("wrong-references.yaml:4:43: error[role-cannot-decide]")
        .stderr_has("fix them before playing it");
    assert!(!root().join("target/never.jsonl").exists());
}

#[test]
fn a_torn_last_line_fails_verify_until_resume_sets_it_aside() {
    let (abs, rel) = fresh_journal("examples/acme", "torn");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "../../scenarios/payments-credential-leak.yaml",
            "--seed",
            "5",
            "--now",
            "2026-01-01T00:00:00Z",
            "--journal",
            &rel,
        ])
        .stdin("advance 5m\n")
        .run()
        .code(0);
    let mut text = std::fs::read_to_string(&abs).unwrap();
    text.push_str("{\"v\":1,\"seq\":99,\"at\":300,\"wall\":\"2026-01-01T00:0");
    std::fs::write(&abs, text).unwrap();
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(1)
        .stderr_has("the last line is cut short");
    Ttx::new()
        .cwd("examples/acme")
        .args(["run", "--resume", &rel])
        .stdin("end\n")
        .run()
        .code(0)
        .stderr_has("warning: the last line of");
    assert!(
        std::fs::read_to_string(abs.with_extension("jsonl.torn"))
            .unwrap()
            .contains("\"seq\":99")
    );
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(0);
}

#[test]
fn a_sheet_journals_into_its_own_programs_folder_from_anywhere() {
    // Regression: ttx.yaml was looked for above the lexical parents of `../..` paths.
    let out = Ttx::new()
        .args([
            "run",
            "--decisions",
            "examples/acme/sessions/2026-11-12-processor-incident.yaml",
        ])
        .run();
    out.code(0)
        .stderr_has("journal: examples/acme/journals/2026-11-12-payments-credential-leak");
    let written = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("journal: "))
        .unwrap()
        .trim()
        .to_string();
    std::fs::remove_file(root().join(written)).unwrap();
}

/// `end` gives a receipt, the journal's last line hash and length; `verify --head` proves a
/// journal still holds it. Regression: a journal with its last lines cut off verified as
/// intact; now the receipt refuses it, and without one `verify` says it did not end.
#[test]
fn the_receipt_of_end_catches_a_journal_cut_at_a_line_boundary() {
    let (abs, rel) = fresh_journal("examples/acme", "receipt");
    let played = Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "--decisions",
            "sessions/2026-05-14-textbook.yaml",
            "--journal",
            &rel,
            // Not the exercise the ledger tracks (whose anchor would catch the cut first).
            "--seed",
            "99",
        ])
        .run();
    played.code(0);
    let head = played
        .stdout
        .split("receipt: 41 events, head ")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .expect("end prints a receipt")
        .to_string();
    assert_eq!(head.len(), 64, "{head}");
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel, "--head", &head])
        .run()
        .code(0)
        .stdout_has("the receipt's 41 events are here unchanged");
    rewrite(&abs, |l| l[..l.len() - 15].to_vec());
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel])
        .run()
        .code(0)
        .stdout_has("not ended: 26 events");
    Ttx::new()
        .cwd("examples/acme")
        .args(["verify", &rel, "--head", &head])
        .run()
        .code(1)
        .stderr_has("this journal does not hold the receipt's last event");
}

/// Regression: a line on a pipe was read whole however long (a pasted file, a stream
/// without newlines), and a note of any size went into the journal. The engine takes
/// lines of at most 64 KiB and refuses longer ones, saying how long they were.
#[test]
fn an_overlong_line_is_refused_and_never_journaled() {
    let (abs, rel) = fresh_journal("examples/acme", "overlong");
    let note = "x".repeat(100_000);
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "../../scenarios/payments-credential-leak.yaml",
            "--journal",
            &rel,
        ])
        .stdin(&format!("note {note}\nnote a short one\n"))
        .run();
    out.code(1)
        .stdout_has("a line is at most 64 KiB and this one is longer");
    let journal = std::fs::read_to_string(&abs).unwrap();
    assert!(
        journal.contains("a short one"),
        "the next line still went in"
    );
    assert!(
        !journal.contains(&note[..1000]),
        "the overlong note was journaled"
    );
}

/// The second edition's moves through the CLI: a scribe's sheet with an option, three
/// searches ten minutes apart and a restore the scenario's script ends the exercise with;
/// the journal verifies, the option is journaled, and the report names the wrong option
/// in the scenario's words.
#[test]
fn a_sheet_plays_options_repeated_moves_and_a_scripted_end() {
    let (abs, rel) = fresh_journal("tests/run", "ransom-moves");
    Ttx::new()
        .cwd("tests/run")
        .args([
            "run",
            "--decisions",
            "ransom-moves-sheet.yaml",
            "--journal",
            &rel,
        ])
        .run()
        .code(0);
    let journal = std::fs::read_to_string(&abs).unwrap();
    assert!(journal.contains(r#""option":"pay""#), "{journal}");
    assert_eq!(journal.matches(r#""inject":"clue""#).count(), 3);
    assert!(journal.contains(r#""type":"ended""#), "{journal}");
    Ttx::new()
        .cwd("tests/run")
        .args(["verify", &rel])
        .run()
        .code(0)
        .stdout_has("replay reproduces every event");
    let md = abs.with_extension("md");
    Ttx::new()
        .cwd("tests/run")
        .args(["report", &rel, "-o", md.to_str().unwrap()])
        .run()
        .code(0);
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(
        report.contains("Chose to pay the ransom without the insurer's consent."),
        "{report}"
    );
    assert!(
        report.contains("Answer the extortion: Pay the ransom"),
        "{report}"
    );
    assert!(
        report.contains("The scenario ended the exercise: the file server is restored"),
        "{report}"
    );
    let _ = std::fs::remove_file(md);
}

#[test]
fn the_end_line_counts_the_whole_hot_wash_of_a_sheet() {
    // Regression (issue 24): a sheet's three `improve` entries were followed by "1
    // strength(s), 0 area(s) for improvement": only the `end` entry's lists were counted.
    let (_, rel) = fresh_journal("examples/acme", "end-count");
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "--decisions",
            "sessions/2025-05-20-first-run.yaml",
            "--journal",
            &rel,
        ])
        .run();
    out.code(0)
        .stdout_has("[1:40:00] exercise ends: 1 strength(s), 3 area(s) for improvement");
    // The replay says the same.
    Ttx::new()
        .cwd("examples/acme")
        .args(["replay", &rel])
        .run()
        .code(0)
        .stdout_has("exercise ends: 1 strength(s), 3 area(s) for improvement");
}
