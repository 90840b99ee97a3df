//! The README's first command and its tour, walked literally in a copy of the repository:
//! `scripts/example.sh` (with this build's binary), then every line of the tour's code
//! block in order, each as the shell runs it with `ttx` on the PATH. Only two things differ
//! from a person at a terminal: the live console reads no input (so it stops at once, its
//! journal unended, as when the facilitator quits), and the web console listens on a free
//! loopback port and is stopped with SIGTERM once it serves. So the tour cannot rot.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::served::free_port;
use crate::support::{copy_tree, root};

/// The commands of the README's tour, with their comments taken off.
fn tour_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let tour = readme
        .split("\n## A tour\n")
        .nth(1)
        .expect("the README has a tour");
    let block = tour
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the tour has a code block");
    block
        .lines()
        .map(|l| l.split(" # ").next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A shell command's exit code and output, bounded in time (generously: a slow machine is
/// not a failure, a command that never ends is).
fn shell(line: &str, cwd: &Path, path: &str) -> (Option<i32>, String) {
    let mut child = Command::new("sh")
        .args(["-c", line])
        .current_dir(cwd)
        .env("PATH", path)
        .env_remove("TTX_NOW")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(900);
    let out = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// `ttx serve …` on a free loopback port: waits until it serves and has written its links,
/// then stops it as Ctrl-C would, and returns its exit code and output.
fn serve(line: &str, cwd: &Path, path: &str, links: &Path) -> (Option<i32>, String) {
    let port = free_port();
    let mut child = Command::new("sh")
        .args(["-c", &format!("exec {line} --bind 127.0.0.1:{port}")])
        .current_dir(cwd)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(links.is_file() && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()) {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn the_first_command_and_the_readme_tour_work_as_written_in_a_fresh_copy() {
    let copy = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tour");
    let _ = std::fs::remove_dir_all(&copy);
    for part in ["examples", "scenarios", "scripts", "docs"] {
        copy_tree(&root().join(part), &copy.join(part));
    }
    // What a fresh clone has: no journals (git ignores them).
    for program in std::fs::read_dir(copy.join("examples")).unwrap() {
        let _ = std::fs::remove_dir_all(program.unwrap().path().join("journals"));
    }
    let ttx = PathBuf::from(env!("CARGO_BIN_EXE_ttx"));
    let bin = ttx.parent().unwrap().display().to_string();
    let path = format!("{bin}:{}", std::env::var("PATH").unwrap_or_default());

    let (code, out) = shell(
        &format!("TTX={} ./scripts/example.sh", ttx.display()),
        &copy,
        &path,
    );
    assert_eq!(code, Some(0), "the first command failed:\n{out}");
    let html = copy.join("examples/acme/journals/example-aar.html");
    assert!(
        out.contains(&format!("open file://{}", html.display())),
        "the first command does not say where to open the report:\n{out}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Executive summary") && page.contains("Appendix A: Improvement plan"));

    let mut cwd = copy.clone();
    let commands = tour_commands();
    assert!(commands.len() > 10, "the tour is short: {commands:?}");
    for line in &commands {
        if let Some(dir) = line.strip_prefix("cd ") {
            cwd = cwd.join(dir);
            continue;
        }
        let (code, out) = if line.starts_with("ttx serve ") {
            serve(line, &cwd, &path, &cwd.join("journals/links.json"))
        } else {
            shell(line, &cwd, &path)
        };
        assert_eq!(
            code,
            Some(0),
            "`{line}` failed in {}:\n{out}",
            cwd.display()
        );
    }
    for written in [
        "examples/acme/aar.html",
        "examples/acme/program.html",
        "examples/acme/findings/index.html",
        "scenarios/ransomware-orders-db.yaml",
    ] {
        assert!(
            copy.join(written).is_file(),
            "the tour did not write {written}"
        );
    }
}
