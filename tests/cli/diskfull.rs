//! A full disk: the journal or the ledger cannot be written. The exercise must stop with a
//! clear message and a journal that holds everything acknowledged; a ledger change must be
//! refused whole. The disk is a tiny tmpfs mounted in a private mount namespace
//! (`unshare`), so the test needs no set-up and leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::program::copy_of_history;
use crate::support::{Ttx, root};

/// Runs `script` with `sh` in a private mount namespace; `None` (with a message) where
/// namespaces are not allowed, which CI must allow.
fn in_private_mounts(script: &str, envs: &[(&str, &Path)]) -> Option<std::process::Output> {
    let mut cmd = Command::new("unshare");
    // As root a mount namespace is enough; otherwise map ourselves to root in a user one.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        cmd.args(["--user", "--map-root-user"]);
    }
    cmd.args(["--mount", "--propagation", "private", "sh", "-ec", script]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.env("TTX", env!("CARGO_BIN_EXE_ttx")).output().ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success()
        && (stderr.contains("unshare failed") || stderr.contains("Operation not permitted"))
        && !stderr.contains("ttx")
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must allow mount namespaces for the full-disk tests: {stderr}"
        );
        eprintln!("skipped: no private mount namespace here ({stderr})");
        return None;
    }
    Some(out)
}

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diskfull-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_full_disk_stops_the_exercise_with_everything_acknowledged_kept() {
    let dir = tmp("journal");
    std::fs::copy(
        root().join("tests/fixtures/mini.yaml"),
        dir.join("mini.yaml"),
    )
    .unwrap();
    for sub in ["full", "copy"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let filler = "x".repeat(400);
    let commands: String = (0..200).map(|n| format!("note {n} {filler}\n")).collect();
    std::fs::write(dir.join("commands"), commands + "end\n").unwrap();
    let script = r#"
        mount -t tmpfs -o size=16k tmpfs "$DIR/full"
        cd "$DIR"
        rc=0
        "$TTX" run mini.yaml --seed 5 --journal full/j.jsonl < commands > out.txt 2> err.txt || rc=$?
        echo "$rc" > rc.txt
        cp full/j.jsonl copy/j.jsonl
    "#;
    let Some(out) = in_private_mounts(script, &[("DIR", &dir)]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(read("rc.txt").trim(), "2", "stderr: {}", read("err.txt"));
    let err = read("err.txt");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("the exercise stopped") && err.contains("ttx run --resume"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // Every note the console acknowledged is in the journal.
    let acknowledged = read("out.txt").matches("] note: ").count();
    assert!(acknowledged > 5, "the disk filled too early to tell");
    assert!(acknowledged < 200, "the disk never filled");
    let journal = read("copy/j.jsonl");
    let kept = journal.matches("\"type\":\"note\"").count();
    assert!(
        kept >= acknowledged,
        "{acknowledged} acknowledged, {kept} kept"
    );
    // With space again, the exercise resumes from the journal and completes.
    Ttx::new()
        .cwd(&dir)
        .args(["run", "--resume", "copy/j.jsonl"])
        .stdin("end\n")
        .run()
        .code(0)
        .stdout_has("exercise ends");
    Ttx::new()
        .cwd(&dir)
        .args(["verify", "copy/j.jsonl"])
        .run()
        .code(0);
}

#[test]
fn a_full_disk_refuses_a_ledger_change_whole() {
    let acme = copy_of_history("diskfull-ledger");
    std::fs::create_dir_all(acme.join("full")).unwrap();
    let program = std::fs::read_to_string(acme.join("ttx.yaml")).unwrap();
    std::fs::write(
        acme.join("ttx.yaml"),
        format!("{program}ledger: full/ledger.jsonl\n"),
    )
    .unwrap();
    let note = "n".repeat(6000);
    std::fs::write(acme.join("note.txt"), &note).unwrap();
    let script = r#"
        mount -t tmpfs -o size=32k tmpfs "$DIR/full"
        cp "$DIR/ledger.jsonl" "$DIR/full/ledger.jsonl"
        # Fill what is left of the disk.
        dd if=/dev/zero of="$DIR/full/filler" bs=1k count=64 2>/dev/null || true
        cd "$DIR"
        rc=0
        "$TTX" actions set 2026H1-PAYMENTS-06 --note "$(cat note.txt)" > out.txt 2> err.txt || rc=$?
        echo "$rc" > rc.txt
        cmp ledger.jsonl full/ledger.jsonl > cmp.txt 2>&1 && echo same >> cmp.txt || echo differs >> cmp.txt
    "#;
    let Some(out) = in_private_mounts(script, &[("DIR", &acme)]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(acme.join(f)).unwrap();
    assert_eq!(read("rc.txt").trim(), "2", "stderr: {}", read("err.txt"));
    let err = read("err.txt");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("the ledger is unchanged"), "{err}");
    assert!(
        read("cmp.txt").trim_end().ends_with("same"),
        "the failed change left bytes in the ledger: {}",
        read("cmp.txt")
    );
}
