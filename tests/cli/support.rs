//! A builder that makes a CLI test a few lines long:
//! `Ttx::new().cwd("examples/acme").args(["validate"]).run().code(0)`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One invocation of the binary.
pub struct Ttx {
    args: Vec<String>,
    cwd: PathBuf,
    stdin: Option<String>,
    env: Vec<(String, String)>,
}

impl Ttx {
    pub fn new() -> Self {
        Ttx {
            args: Vec::new(),
            cwd: root(),
            stdin: None,
            env: Vec::new(),
        }
    }

    /// An environment variable for the run (e.g. `TTX_NOW`).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs in `dir` (relative to the repository root, or absolute).
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = root().join(dir);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// Text piped to standard input.
    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    // The child is reaped by wait4 below, which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    pub fn run(self) -> Output {
        use std::io::{Read, Write};
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args(&self.args)
            .current_dir(&self.cwd)
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ttx runs");
        let read = |mut from: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = from.read_to_end(&mut bytes);
                String::from_utf8_lossy(&bytes).into_owned()
            })
        };
        let stdout = read(Box::new(child.stdout.take().expect("stdout")));
        let stderr = read(Box::new(child.stderr.take().expect("stderr")));
        let mut stdin = child.stdin.take().expect("stdin");
        if let Some(text) = &self.stdin {
            let _ = stdin.write_all(text.as_bytes());
        }
        drop(stdin);
        // wait4 rather than Child::wait: it also gives the child's CPU time and peak memory.
        let mut status = 0;
        // SAFETY: rusage is plain old data; zeroes are a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let pid = child.id() as libc::pid_t;
        // SAFETY: `pid` is our own child, not yet reaped; both pointers are to locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(reaped, pid, "wait4 failed");
        let time = |t: libc::timeval| {
            std::time::Duration::from_secs(t.tv_sec as u64)
                + std::time::Duration::from_micros(t.tv_usec as u64)
        };
        let output = Output {
            code: if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            },
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
            cpu: time(usage.ru_utime) + time(usage.ru_stime),
            max_rss_kib: usage.ru_maxrss as u64,
        };
        assert!(
            !output.stderr.contains("panicked"),
            "ttx {:?} panicked:\n{}",
            self.args,
            output.stderr
        );
        output
    }
}

/// What a run printed and how it exited, and what it cost.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// User plus system CPU time.
    pub cpu: std::time::Duration,
    /// Peak resident memory, KiB.
    pub max_rss_kib: u64,
}

impl Output {
    /// Asserts the bounds every bad input must stay within: 2 s of CPU, 256 MiB resident.
    pub fn within_bounds(&self, case: &str) -> &Self {
        assert!(
            self.cpu < std::time::Duration::from_secs(2),
            "{case}: took {:?} of CPU",
            self.cpu
        );
        assert!(
            self.max_rss_kib < 256 * 1024,
            "{case}: peak memory {} MiB",
            self.max_rss_kib / 1024
        );
        self
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }

    /// The output as one reviewable text: exit code, stdout, stderr.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Renders an HTML file in headless Chromium (1100x1400) and checks the screenshot is a
/// page, not a blank: skipped with a message when Chromium is missing, failed under CI.
pub fn screenshot_is_a_page(html: &Path) {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run does)"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = html.parent().unwrap();
    let png = html.with_extension("png");
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1100,1400",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!(
        (width, height),
        (1100, 1400),
        "the screenshot has the window's size"
    );
    // A blank page compresses to a few kilobytes; text, tables and charts do not.
    assert!(
        bytes.len() > 50_000,
        "{} looks blank ({} bytes)",
        html.display(),
        bytes.len()
    );
}

/// Copies a folder tree (small example programs), following no links.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
