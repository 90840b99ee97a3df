//! Benchmark of `ttx lsp` on the largest shipped scenario, as an editor drives it: the
//! scenario open in the repository's workspace, where two programs (Acme and Northwind)
//! name the library, so each check is made against both architectures and rosters; then
//! - diagnostics: 200 edits, each a new version of the buffer (a word typed into an
//!   inject's text, every tenth edit a mistyped role); the time from sending the change to
//!   receiving that version's diagnostics (debounce 0, so this is the checks' time plus
//!   the round trip on a pipe);
//! - completion: 200 completion requests at a role position;
//! - definition and hover: 200 each, at an inject's `after:`.
//!
//! Prints p50, p99 and the worst of each.
//!
//!     cargo bench --bench lsp
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

#[path = "../tests/cli/lsp_client.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_client::{Client, at};
use serde_json::json;

const EDITS: usize = 200;
const REQUESTS: usize = 200;

fn largest_scenario(root: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .expect("the library")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).map_or(0, |m| m.len()));
    files.pop().expect("a scenario")
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = largest_scenario(&root);
    let text = std::fs::read_to_string(&path).expect("readable");
    println!(
        "scenario: {} ({} bytes, {} lines), checked against Acme's and Northwind's programs",
        path.strip_prefix(&root).unwrap_or(&path).display(),
        text.len(),
        text.lines().count()
    );
    let mut c = Client::start(Path::new(env!("CARGO_BIN_EXE_ttx")), &root, 0);
    let doc = c.open(&path, &text);
    let first = Instant::now();
    let opened = c.diagnostics(&doc, 1);
    println!(
        "open: first diagnostics in {:.1} ms ({} diagnostics)",
        ms(first.elapsed()),
        opened.len()
    );

    // A word typed into the first inject's text, a letter per edit; every tenth edit a
    // mistyped recipient, which the next edit puts right.
    let anchor = text.find("    text: ").expect("an inject text") + "    text: ".len();
    let role_at = text.find("to: [").expect("a recipient") + "to: [".len();
    let mut times = Vec::with_capacity(EDITS);
    let mut with_errors = 0;
    for i in 0..EDITS {
        let version = i as i64 + 2;
        let mut edited = text.clone();
        let typed: String = "abcdefghij".chars().cycle().take(i % 40 + 1).collect();
        if i % 10 == 9 {
            edited.insert(role_at, 'x');
        }
        edited.insert_str(
            anchor + usize::from(i % 10 == 9 && role_at < anchor),
            &typed,
        );
        let sent = Instant::now();
        c.change(&doc, version, &edited);
        let found = c.diagnostics(&doc, version);
        times.push(sent.elapsed());
        if !found.is_empty() {
            with_errors += 1;
        }
    }
    report(
        &format!("diagnostics after an edit ({EDITS} edits, {with_errors} with a mistake)"),
        &mut times,
    );

    // Back to the shipped text for the requests.
    let version = EDITS as i64 + 2;
    c.change(&doc, version, &text);
    c.diagnostics(&doc, version);
    let probe = &text;
    let mut completion = Vec::new();
    let mut definition = Vec::new();
    let mut hover = Vec::new();
    let after = ["after: {inject: ", "after: {decision: ", "after: "]
        .iter()
        .find(|m| probe.contains(*m))
        .expect("an after");
    for _ in 0..REQUESTS {
        let sent = Instant::now();
        let answer = c.request("textDocument/completion", at(&doc, probe, "to: ["));
        completion.push(sent.elapsed());
        assert!(
            answer["result"]["items"]
                .as_array()
                .is_some_and(|i| !i.is_empty())
        );
        let sent = Instant::now();
        c.request("textDocument/definition", at(&doc, probe, after));
        definition.push(sent.elapsed());
        let sent = Instant::now();
        c.request("textDocument/hover", at(&doc, probe, after));
        hover.push(sent.elapsed());
    }
    report("completion at a role", &mut completion);
    report("definition of an after", &mut definition);
    report("hover over an after", &mut hover);

    // The largest file ttx reads by default: 4 MiB, the scenario with thousands of
    // injects of long text added, one edit.
    let role = text
        .split("to: [")
        .nth(1)
        .and_then(|r| r.split([',', ']']).next())
        .unwrap_or("ic");
    let large = lsp_client::grown(&text, role, 4 * 1024 * 1024 - 16);
    let large_path = path.with_file_name("bench-4mib.yaml");
    let library = doc;
    let doc = c.open(&large_path, &large.0);
    let sent = Instant::now();
    c.diagnostics(&doc, 1);
    let opened = sent.elapsed();
    let edited = large.0.replacen("Routine", "Routinely", 1);
    let sent = Instant::now();
    c.change(&doc, 2, &edited);
    c.diagnostics(&doc, 2);
    println!(
        "a 4 MiB scenario ({} injects): diagnostics on open {:.0} ms, after an edit {:.0} ms",
        large.1,
        ms(opened),
        ms(sent.elapsed())
    );

    // While the 4 MiB scenario is checked after each of 20 edits: hovers over the library
    // scenario, sent one after another until that edit's diagnostics arrive; and the
    // first completion and hover in the 4 MiB scenario itself after each edit, before its
    // new text is parsed.
    let mut during = Vec::new();
    let mut first_in_large = Vec::new();
    let mut hover_in_large = Vec::new();
    let role_in_large = large.0.find("to: [").expect("a recipient") + "to: [".len();
    for round in 0..20 {
        let version = 3 + round;
        let text = if round % 2 == 0 { &large.0 } else { &edited };
        c.change(&doc, version, text);
        let sent = Instant::now();
        let at_role = json!({
            "textDocument": {"uri": doc},
            "position": lsp_client::position(text, role_in_large),
        });
        c.request("textDocument/completion", at_role);
        first_in_large.push(sent.elapsed());
        let sent = Instant::now();
        c.request("textDocument/hover", at(&doc, text, after));
        hover_in_large.push(sent.elapsed());
        let checked = |c: &lsp_client::Client| {
            c.notifications.iter().any(|n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == doc.as_str()
                    && n["params"]["version"] == version
            })
        };
        while !checked(&c) {
            let sent = Instant::now();
            c.request("textDocument/hover", at(&library, probe, after));
            during.push(sent.elapsed());
        }
        c.diagnostics(&doc, version);
    }
    report(
        &format!(
            "hover over the library scenario while the 4 MiB one is checked ({} hovers)",
            during.len()
        ),
        &mut during,
    );
    report(
        "first completion in the 4 MiB scenario after an edit",
        &mut first_in_large,
    );
    report("then a hover in the 4 MiB scenario", &mut hover_in_large);
    let _ = c.request("shutdown", json!(null));
    c.notify("exit", json!(null));
    let _ = c.finish();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    );
}
