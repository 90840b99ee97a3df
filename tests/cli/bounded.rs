//! Every file ttx reads goes through one bounded reader: a journal is untrusted, and the
//! paths it pins (its scenario, architecture and roster) are followed by `verify`,
//! `replay`, `report` and `run --resume`; a template is named by whoever runs the report.
//! A device, a FIFO, a folder or a huge file in their place is refused at once, with the
//! journal line that pointed there, never read without end or waited on.

use std::path::{Path, PathBuf};

use crate::run::play_session;
use crate::support::Ttx;

/// The journal with its start event pinning `path` as its scenario, the hash chain
/// recomputed (a forger can do that; only the bounds stand in the way).
fn pinned_to(journal: &Path, path: &str) {
    let text = std::fs::read_to_string(journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let old = start["event"]["scenario"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    lines[0] = lines[0].replace(
        &format!("\"path\":\"{old}\""),
        &format!("\"path\":\"{path}\""),
    );
    for n in 1..lines.len() {
        let prev = ttx_engine::exercise::journal::sha256_hex(lines[n - 1].as_bytes());
        let at = lines[n].find("\"prev\":\"").unwrap() + 8;
        lines[n].replace_range(at..at + 64, &prev);
    }
    std::fs::write(journal, lines.join("\n") + "\n").unwrap();
}

/// A FIFO, a folder and a file larger than any limit, in a fresh folder.
fn hostile_files(name: &str) -> Vec<(&'static str, PathBuf)> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bounded")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("folder.yaml")).unwrap();
    // Sparse: 300 MiB on paper, nothing on disk.
    let huge = dir.join("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(300 << 20)
        .unwrap();
    let fifo = dir.join("fifo.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut files = vec![
        ("a device", PathBuf::from("/dev/zero")),
        ("a folder", dir.join("folder.yaml")),
        ("a huge file", huge),
    ];
    if made {
        files.push(("a FIFO", fifo));
    }
    files
}

#[test]
fn a_journal_pinning_a_device_fifo_folder_or_huge_file_is_refused_by_every_command() {
    for (what, file) in hostile_files("pinned") {
        let (abs, rel) = play_session("2026-05-14-textbook", "bounded-pin");
        pinned_to(&abs, file.to_str().unwrap());
        for args in [
            vec!["verify", rel.as_str()],
            vec!["replay", rel.as_str()],
            vec!["report", "--no-ledger", rel.as_str()],
            vec!["run", "--resume", rel.as_str()],
        ] {
            let out = Ttx::new().cwd("examples/acme").args(&args).stdin("").run();
            assert_eq!(
                out.code, 1,
                "{} with {what} pinned: {}",
                args[0], out.stderr
            );
            assert!(
                out.stderr.contains(":1: the start event pins")
                    && out.stderr.contains(file.to_str().unwrap()),
                "{} with {what} pinned does not name the journal line: {}",
                args[0],
                out.stderr
            );
        }
    }
}

#[test]
fn a_template_that_is_a_device_fifo_folder_or_huge_file_is_refused() {
    let (_, rel) = play_session("2026-05-14-textbook", "bounded-template");
    for (what, file) in hostile_files("template") {
        let out = Ttx::new()
            .cwd("examples/acme")
            .args(["report", "--no-ledger", &rel, "--template"])
            .args([file.to_str().unwrap()])
            .run();
        assert_eq!(out.code, 2, "--template {what}: {}", out.stderr);
        assert!(
            out.stderr.contains("error: the template:")
                && (out.stderr.contains("not a regular file")
                    || out.stderr.contains("larger than the limit")),
            "--template {what}: {}",
            out.stderr
        );
    }
}
