//! A closed pipe on standard output: a filter (`ttx schema scenario | head -5`) ends
//! quietly; a console goes on, because the journal, not the transcript, is the record.

use std::path::Path;

use crate::support::root;

/// Regression: `ttx schema scenario | head -5` panicked with "failed printing to stdout:
/// Broken pipe". A closed pipe ends ttx quietly, like any Unix filter. The pipe is made
/// small (4 KiB), so ttx is still writing when the reader goes away.
#[test]
fn a_closed_pipe_ends_ttx_quietly() {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::process::{Command, Stdio};
    for args in [
        &["schema", "scenario"][..],
        &["show", "scenarios/ransomware-core-datastore.yaml"],
    ] {
        let (mut reader, writer) = std::io::pipe().unwrap();
        // SAFETY: fcntl on a pipe this test owns.
        unsafe {
            libc::fcntl(reader.as_raw_fd(), libc::F_SETPIPE_SZ, 4096);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args(args)
            .current_dir(root())
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        reader.read_exact(&mut first).unwrap();
        drop(reader); // `head` has what it wanted and goes away
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert!(status.code() != Some(101), "{args:?} ended in a panic");
    }
}

/// The console's transcript is best effort: a closed pipe on its output does not stop an
/// exercise, and everything typed is journaled.
#[test]
fn a_console_whose_output_pipe_closed_still_journals_everything() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("closed-pipe");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("j.jsonl");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args([
            "run",
            "scenarios/payments-credential-leak.yaml",
            "--seed",
            "7",
            "--journal",
        ])
        .arg(&journal)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"advance 5m\nnote : nobody reads this\nend\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("nobody reads this") && text.contains("\"type\":\"end\""));
}
