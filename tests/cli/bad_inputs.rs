//! Every file under `tests/bad/` is a broken input with its expected diagnostics as a
//! reviewed snapshot. YAML files in `tests/bad/KIND/` are checked alone as that kind; files
//! in `tests/bad/acme/` are checked inside the acme example program (against its
//! architecture and roster); `journal/*.jsonl` go through `ttx verify`, `ledger/*.jsonl`
//! through `ttx program status` of a program that names them, `template/*.j2` through
//! `ttx report --template` of tests/fixtures/good.jsonl (tests/fixtures/make-bad.py writes
//! the journals and ledgers). Every case must exit 1 or 2, say where, never panic, and stay
//! under 2 s of CPU and 256 MiB of memory. Adding a case is adding a file.

use std::path::Path;

use crate::support::{Ttx, root};

#[test]
fn bad_inputs_give_clear_errors() {
    insta::glob!("../bad", "**/*.yaml", |path| {
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let output = if folder == "acme" {
            let kind = name.split('-').next().unwrap();
            let rel = path.strip_prefix(root()).unwrap();
            let arg = Path::new("../..").join(rel);
            Ttx::new()
                .cwd("examples/acme")
                .args([
                    "validate",
                    "--deny-warnings",
                    "--kind",
                    kind,
                    arg.to_str().unwrap(),
                ])
                .run()
        } else {
            Ttx::new()
                .cwd(path.parent().unwrap())
                .args(["validate", "--deny-warnings", "--kind", folder, name])
                .run()
        };
        check(name, &output);
        insta::assert_snapshot!(output.transcript());
    });
}

/// Exit 1 or 2, a message that names the file, and the resource bounds.
fn check(name: &str, output: &crate::support::Output) {
    assert!(
        output.code == 1 || output.code == 2,
        "{name}: expected exit 1 or 2, got {}\n{}",
        output.code,
        output.stderr
    );
    assert!(
        output.stderr.contains(&format!("{name}:")) || output.stderr.contains(&format!("{name} ")),
        "{name}: no message names the file:\n{}",
        output.stderr
    );
    output.within_bounds(name);
}

#[test]
fn broken_journals_are_refused_with_their_line() {
    insta::glob!("../bad/journal", "*.jsonl", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let output = Ttx::new()
            .cwd("tests/bad/journal")
            .args(["verify", name])
            .run();
        check(name, &output);
        insta::assert_snapshot!(output.transcript());
    });
    // The journal they are made from verifies: the cases break one thing each.
    Ttx::new()
        .cwd("tests/fixtures")
        .args(["verify", "good.jsonl"])
        .run()
        .code(0);
}

#[test]
fn broken_ledgers_are_refused_with_their_line() {
    let acme = root().join("examples/acme");
    insta::glob!("../bad/ledger", "*.jsonl", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("bad-ledger")
            .join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(path, dir.join(name)).unwrap();
        std::fs::write(
            dir.join("ttx.yaml"),
            format!(
                "org: Test\narchitecture: {}\nroster: {}\nscenarios: []\nledger: {name}\n",
                acme.join("architecture.yaml").display(),
                acme.join("roster.yaml").display()
            ),
        )
        .unwrap();
        let output = Ttx::new()
            .cwd(&dir)
            .args(["program", "status", "--as-of", "2026-11-28"])
            .run();
        check(name, &output);
        let transcript = output
            .transcript()
            .replace(&dir.display().to_string(), "PROGRAM");
        insta::assert_snapshot!(transcript);
    });
}

#[test]
fn hostile_templates_stop_with_their_line() {
    insta::glob!("../bad/template", "*.j2", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let output = Ttx::new()
            .cwd("tests/bad/template")
            .args([
                "report",
                "--no-ledger",
                "../../fixtures/good.jsonl",
                "--template",
                name,
            ])
            .run();
        check(name, &output);
        // Regression (issue 27): the output bound's error said line 0.
        assert!(
            !output.stderr.contains(&format!("{name}:0")),
            "{name}: an error at line 0:\n{}",
            output.stderr
        );
        insta::assert_snapshot!(output.transcript());
    });
}

#[test]
fn the_corpus_covers_every_kind_the_tool_reads() {
    let mut count = 0;
    for kind in [
        "scenario",
        "architecture",
        "roster",
        "program",
        "decisions",
        "journal",
        "ledger",
        "template",
    ] {
        let n = std::fs::read_dir(root().join("tests/bad").join(kind))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(n >= 2, "tests/bad/{kind} has {n} cases");
        count += n;
    }
    count += std::fs::read_dir(root().join("tests/bad/acme"))
        .unwrap()
        .count();
    assert!(count >= 50, "the bad-input corpus has {count} files");
}

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-generated");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_all() {
    // Written a MiB at a time: a test that held 64 MiB would inflate the peak memory
    // measured for every ttx spawned meanwhile (a spawned child starts in this process's
    // memory), and fail other tests' bounds.
    let path = tmp("huge-scalar.yaml", b"id: big\nsummary: \"");
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..64 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"\n").unwrap();
    }
    Ttx::new()
        .args(["validate", path.to_str().unwrap()])
        .run()
        .code(1)
        .stderr_has("error[file-too-large]: file is larger than the limit of 4194304 bytes")
        .within_bounds("a 64 MiB scalar");
}

#[test]
fn a_hundred_thousand_levels_of_nesting_hit_the_depth_limit() {
    let depth = 100_000;
    let text = format!(
        "id: deep\nsummary: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = tmp("deep.yaml", text.as_bytes());
    Ttx::new()
        .args(["validate", "--kind", "scenario", path.to_str().unwrap()])
        .run()
        .code(1)
        .stderr_has("error[yaml-limit]: the YAML is nested more than 64 levels deep")
        .within_bounds("100,000 levels of nesting");
}

#[test]
fn a_bom_with_crlf_line_endings_is_read_like_any_other_file() {
    let scenario =
        std::fs::read_to_string(root().join("tests/bad/scenario/warnings-only.yaml")).unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(scenario.replace('\n', "\r\n").as_bytes());
    let path = tmp("bom-crlf.yaml", &bytes);
    let out = Ttx::new().args(["validate", path.to_str().unwrap()]).run();
    out.code(0).stderr_has("0 errors, 3 warnings");
}
