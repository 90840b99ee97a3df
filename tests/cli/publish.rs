//! `ttx publish`: the example program's anonymized findings, golden; nobody named; a
//! planted leak refused; organisation patterns and team pseudonyms.

use std::path::{Path, PathBuf};

use crate::program::{copy_of_history, history};
use crate::support::{Ttx, root};

const SESSIONS: [&str; 5] = [
    "2025-05-20-first-run",
    "2025-11-18-second-run",
    "2026-05-14-slow-red-herring",
    "2026-05-14-textbook",
    "2026-11-12-processor-incident",
];

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("publish-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn publish(program: &Path, out: &Path, extra: &[&str]) -> crate::support::Output {
    let journals: Vec<String> = SESSIONS
        .iter()
        .map(|s| format!("journals/{s}.jsonl"))
        .collect();
    Ttx::new()
        .cwd(program)
        .env("TTX_NOW", "2026-11-28T12:00:00Z")
        .args(["publish"])
        .args(&journals)
        .args(["-o", out.to_str().unwrap()])
        .args(extra)
        .run()
}

fn pages(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_example_publication_is_golden_and_names_nobody() {
    let out = out_dir("golden");
    publish(history(), &out, &[])
        .code(0)
        .stderr_has("the leak check found nothing")
        .stderr_has("redactions (for you, not published)");
    let first = pages(&out);
    assert_eq!(first.len(), 12, "index and five exercises, md and html");
    for (name, text) in &first {
        if name.ends_with(".md") {
            insta::assert_snapshot!(format!("publish-{name}"), text);
        }
    }
    let roster = std::fs::read_to_string(root().join("examples/acme/roster.yaml")).unwrap();
    let roster: ttx_engine::authoring::model::roster::Roster =
        ttx_engine::authoring::load::load_source(
            ttx_engine::authoring::schema::FileKind::Roster,
            ttx_engine::authoring::source::SourceFile::new("roster.yaml", roster),
        )
        .unwrap()
        .value;
    for (name, text) in &first {
        let lower = text.to_lowercase();
        for p in &roster.people {
            assert!(
                !lower.contains(&p.name.to_lowercase()),
                "{name} names {}",
                p.name
            );
            assert!(
                !lower.contains(p.id.as_str()),
                "{name} has {}",
                p.id.as_str()
            );
            if let Some(e) = &p.email {
                assert!(!lower.contains(e.as_str()), "{name} has {e}");
            }
        }
    }
    let again = out_dir("golden-again");
    // A second copy of a journal is one exercise, published once.
    publish(history(), &again, &["journals/2026-05-14-textbook.jsonl"])
        .code(0)
        .stderr_has("is a copy of a journal already given");
    assert!(
        pages(&again) == first,
        "two publications of the same journals differ"
    );
}

/// A seed the recorded sessions do not use: an edited session played with it is another
/// exercise (another first line), not the tracked one rewritten.
const ANOTHER_SEED: &str = "99";

/// Plays the textbook session with its first note rewritten into `journals/NAME.jsonl`,
/// as an exercise of its own.
fn play_with_note(dir: &Path, name: &str, note: &str) {
    let sheet = std::fs::read_to_string(dir.join("sessions/2026-05-14-textbook.yaml"))
        .unwrap()
        .replace(
            "note: On-call glanced at the CDN alert",
            &format!("note: {note}"),
        );
    assert!(sheet.contains(note));
    std::fs::write(dir.join(format!("sessions/{name}.yaml")), sheet).unwrap();
    play_as_another(
        dir,
        &format!("sessions/{name}.yaml"),
        &format!("journals/{name}.jsonl"),
    );
}

/// Plays a sheet of the program in `dir` into `journal` as an exercise of its own.
fn play_as_another(dir: &Path, sheet: &str, journal: &str) {
    Ttx::new()
        .cwd(dir)
        .args([
            "run",
            "--decisions",
            sheet,
            "--journal",
            journal,
            "--seed",
            ANOTHER_SEED,
        ])
        .run()
        .code(0);
}

#[test]
fn a_planted_leak_stops_the_publication() {
    let dir = copy_of_history("leak");
    let mut program = std::fs::read_to_string(dir.join("ttx.yaml")).unwrap();
    program.push_str(
        "publish:\n  forbid:\n    - {name: codename, pattern: '(?i)project\\s+nightjar'}\n",
    );
    std::fs::write(dir.join("ttx.yaml"), program).unwrap();
    play_with_note(
        &dir,
        "leak",
        "As in Project Nightjar, on-call glanced at the CDN alert",
    );
    refused(
        &dir,
        "leak",
        "forbidden pattern `codename` survived anonymization: `Project Nightjar`",
    );
}

/// Publishing `journals/NAME.jsonl` is refused for `why`, located in each page, and writes
/// nothing.
fn refused(dir: &Path, name: &str, why: &str) {
    let out = out_dir(name);
    let result = Ttx::new()
        .cwd(dir)
        .args([
            "publish",
            &format!("journals/{name}.jsonl"),
            "-o",
            out.to_str().unwrap(),
        ])
        .run();
    result
        .code(1)
        .stderr_has(why)
        .stderr_has("nothing was written");
    assert!(
        result.stderr.contains(".md:") && result.stderr.contains(".html:"),
        "the leak is located in each page: {}",
        result.stderr
    );
    assert!(!out.exists(), "a refused publication wrote files");
}

/// A name written with a look-alike letter of another script (a Cyrillic `а`) is replaced
/// by the scrubber, which now reduces text as the second check does (issue 27: the
/// second check refused what the scrubber left, and the facilitator had to rewrite it).
#[test]
fn a_look_alike_name_is_scrubbed_as_the_second_check_reads_it() {
    let dir = copy_of_history("second-check");
    play_with_note(
        &dir,
        "second",
        "R\u{0430}j says on-call glanced at the CDN alert",
    );
    let out = out_dir("second-check");
    Ttx::new()
        .cwd(&dir)
        .args(["publish", "journals/second.jsonl", "-o"])
        .args([out.to_str().unwrap()])
        .run()
        .code(0);
    let all = pages(&out);
    assert!(
        all.iter().all(|(_, text)| !text.contains("R\u{0430}j")),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|(_, text)| text.contains("[oncall] says on-call glanced"))
    );
}

#[test]
fn organisation_patterns_and_team_pseudonyms() {
    let dir = copy_of_history("patterns");
    let mut program = std::fs::read_to_string(dir.join("ttx.yaml")).unwrap();
    program.push_str("publish:\n  redact:\n    - {name: ticket, pattern: 'SEC-[0-9]+'}\n");
    std::fs::write(dir.join("ttx.yaml"), program).unwrap();
    let sheet = std::fs::read_to_string(dir.join("sessions/2026-05-14-textbook.yaml"))
        .unwrap()
        .replace(
            "note: On-call glanced at the CDN alert",
            "note: Raj opened SEC-4711 from db-01.pay.acme.internal (10.2.3.4); on-call glanced at the CDN alert",
        );
    std::fs::write(dir.join("sessions/patterns.yaml"), sheet).unwrap();
    play_as_another(&dir, "sessions/patterns.yaml", "journals/patterns.jsonl");
    let out = out_dir("patterns");
    let summary = out.with_extension("json");
    Ttx::new()
        .cwd(&dir)
        .args([
            "publish",
            "journals/patterns.jsonl",
            "--pseudonymize-teams",
            "-o",
        ])
        .args([
            out.to_str().unwrap(),
            "--redactions",
            summary.to_str().unwrap(),
        ])
        .run()
        .code(0);
    let page = pages(&out)
        .into_iter()
        .find(|(n, _)| n.ends_with(".md") && n != "index.md")
        .unwrap()
        .1;
    assert!(
        page.contains("[oncall] opened [ticket 1] from [host 1] ([ip 1])"),
        "{page}"
    );
    for team in [
        "Payments Platform",
        "Security Engineering",
        "Communications",
    ] {
        assert!(!page.contains(team), "team name {team} published");
    }
    assert!(page.contains("(Team B)"), "teams become Team A, B…");
    let redactions = std::fs::read_to_string(&summary).unwrap();
    assert!(
        redactions.contains("SEC-4711") && redactions.contains("\"pseudonym\": \"[ticket 1]\"")
    );
    let summary_inside = |redactions: &str| {
        Ttx::new()
            .cwd(&dir)
            .args([
                "publish",
                "journals/patterns.jsonl",
                "-o",
                out.to_str().unwrap(),
                "--redactions",
                redactions,
            ])
            .run()
            .code(2)
            .stderr_has("must never be published");
    };
    summary_inside(out.join("r.json").to_str().unwrap());
    // Regression: a path that leads into the publication folder through a symbolic link
    // was let through.
    #[cfg(unix)]
    {
        let link = dir.join("private");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&out, &link).unwrap();
        summary_inside("private/r.json");
        assert!(!out.join("r.json").exists());
    }
}

/// Regression: `ttx publish` published an exercise that never ended, with the findings
/// that give its hidden truth away (which inject was the red herring).
#[test]
fn an_exercise_that_never_ended_is_refused_unless_asked_for_and_then_spoils_nothing() {
    let dir = copy_of_history("unfinished");
    // The red-herring session as an exercise the ledger does not track (a cut of a tracked
    // journal is refused as such), stopped before its hot wash and end (a prefix of the
    // chain).
    play_as_another(
        &dir,
        "sessions/2026-05-14-slow-red-herring.yaml",
        "journals/whole.jsonl",
    );
    let journal = std::fs::read_to_string(dir.join("journals/whole.jsonl")).unwrap();
    let cut: String = journal
        .lines()
        .take_while(|l| !l.contains("\"type\":\"improve\"") && !l.contains("\"type\":\"end\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("journals/unfinished.jsonl"), cut).unwrap();
    // The facilitator's own report of it does hold the truth the publication must not.
    Ttx::new()
        .cwd(&dir)
        .args(["report", "journals/unfinished.jsonl"])
        .run()
        .code(0)
        .stdout_has("unrelated to the incident");
    let out = out_dir("unfinished");
    let run = |extra: &[&str]| {
        Ttx::new()
            .cwd(&dir)
            .env("TTX_NOW", "2026-11-28T12:00:00Z")
            .args([
                "publish",
                "journals/unfinished.jsonl",
                "-o",
                out.to_str().unwrap(),
            ])
            .args(extra)
            .run()
    };
    run(&[])
        .code(1)
        .stderr_has("journals/unfinished.jsonl: the exercise never ended")
        .stderr_has("--include-unfinished")
        .stderr_has("nothing was written");
    assert!(!out.exists(), "nothing was written");
    run(&["--include-unfinished"]).code(0);
    let all: String = pages(&out).into_iter().map(|(_, t)| t).collect();
    assert!(all.contains("did not end"), "the publication says so");
    for secret in [
        "cdn-noise`, which was unrelated",
        "unrelated to the incident",
        "could have been uncovered",
    ] {
        assert!(
            !all.contains(secret),
            "an unfinished exercise's truth is published: {secret}"
        );
    }
}

/// `ttx publish` without journals publishes what the ledger tracks, and refuses a journal
/// the ledger names that is missing or is another exercise.
#[test]
fn without_journals_publish_takes_the_exercises_the_ledger_tracks() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("publish-tracked");
    let _ = std::fs::remove_dir_all(&dir);
    crate::support::copy_tree(&root().join("examples/acme"), &dir.join("examples/acme"));
    crate::support::copy_tree(&root().join("scenarios"), &dir.join("scenarios"));
    let acme = dir.join("examples/acme");
    let _ = std::fs::remove_dir_all(acme.join("journals"));
    let out = Ttx::new()
        .cwd(&acme)
        .args(["publish", "-o", "findings"])
        .run();
    out.code(1)
        .stderr_has("the ledger tracks this exercise but its journal is not there")
        .stderr_has("nothing was written");
    assert!(!acme.join("findings").exists());
    let sessions: Vec<_> = ttx_engine::authoring::project::yaml_files(&acme.join("sessions"));
    for sheet in &sessions {
        let name = sheet.file_stem().unwrap().to_str().unwrap();
        Ttx::new()
            .cwd(&acme)
            .args([
                "run",
                "--decisions",
                sheet.to_str().unwrap(),
                "--journal",
                &format!("journals/{name}.jsonl"),
            ])
            .run()
            .code(0);
    }
    Ttx::new()
        .cwd(&acme)
        .args(["publish", "-o", "findings"])
        .run()
        .code(0)
        .stderr_has(&format!("published {} exercise(s)", sessions.len()));
    // Another exercise written over a tracked journal is not published under its items.
    let first = acme.join("journals/2025-05-20-first-run.jsonl");
    std::fs::copy(acme.join("journals/2026-05-14-textbook.jsonl"), &first).unwrap();
    Ttx::new()
        .cwd(&acme)
        .args(["publish", "-o", "findings-2"])
        .run()
        .code(1)
        .stderr_has("not the journal the ledger entered as this exercise");
}

/// A journal named after a person (its file name becomes the exercise's id in the ledger)
/// publishes with the name scrubbed from the page names and text, not refused with advice
/// to rewrite notes that do not hold it.
#[test]
fn an_exercise_id_that_holds_a_name_is_published_scrubbed() {
    let dir = copy_of_history("named-id");
    play_as_another(
        &dir,
        "sessions/2026-05-14-slow-red-herring.yaml",
        "journals/raj-patel-drill.jsonl",
    );
    Ttx::new()
        .cwd(&dir)
        .env("TTX_USER", "test")
        .args(["actions", "add", "journals/raj-patel-drill.jsonl"])
        .run()
        .code(0);
    let out = out_dir("named-id");
    Ttx::new()
        .cwd(&dir)
        .args(["publish", "journals/raj-patel-drill.jsonl", "-o"])
        .args([out.to_str().unwrap()])
        .run()
        .code(0);
    let pages = pages(&out);
    assert!(
        pages
            .iter()
            .any(|(n, _)| n == "2026-05-14-oncall-drill.html")
    );
    for (name, text) in &pages {
        assert!(
            !name.contains("raj") && !text.to_lowercase().contains("raj"),
            "{name}"
        );
    }
}
