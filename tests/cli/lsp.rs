//! `ttx lsp` spoken to as an editor speaks to it: a process on stdin and stdout, JSON-RPC
//! in `Content-Length` frames. Every test works on its own copy of the Acme program and
//! the scenario library, edits only the server's buffers, and bounds each wait.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::lsp_client::{Client, at, position, uri};
use crate::support::{Ttx, copy_tree, root};

fn ttx() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ttx"))
}

/// A copy of the Acme program (without its journals) and the library it names.
fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let acme = dir.join("examples/acme");
    std::fs::create_dir_all(&acme).unwrap();
    for file in ["ttx.yaml", "architecture.yaml", "roster.yaml"] {
        std::fs::copy(root().join("examples/acme").join(file), acme.join(file)).unwrap();
    }
    for folder in ["runbooks", "sessions", "library-sessions", "profiles"] {
        copy_tree(
            &root().join("examples/acme").join(folder),
            &acme.join(folder),
        );
    }
    copy_tree(&root().join("scenarios"), &dir.join("scenarios"));
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The diagnostics as (line, character, end line, end character, code, message).
fn summary(diagnostics: &[Value]) -> Vec<(u64, u64, u64, u64, String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `ttx validate --format json` diagnostics as the server gives them: 0-based line and
/// column, code, and the message with its help after it.
fn as_served<'a>(diagnostics: impl Iterator<Item = &'a Value>) -> Vec<(u64, u64, String, String)> {
    diagnostics
        .map(|d| {
            let message = match d["help"].as_str() {
                Some(h) => format!("{}\nhelp: {h}", d["message"].as_str().unwrap()),
                None => d["message"].as_str().unwrap().to_string(),
            };
            (
                d["line"].as_u64().unwrap() - 1,
                d["column"].as_u64().unwrap() - 1,
                d["code"].as_str().unwrap().to_string(),
                message,
            )
        })
        .collect()
}

/// The labels of a completion answer.
fn labels(answer: &Value) -> Vec<String> {
    answer["result"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

const LEAK: &str = "scenarios/payments-credential-leak.yaml";

#[test]
fn diagnostics_are_validates_at_the_token_and_an_edit_clears_them() {
    let dir = workspace("diagnostics");
    let path = dir.join(LEAK);
    let good = read(&path);
    // Three mistakes of three checks: an undefined role, a tag no component of Acme's
    // architecture carries, a misspelt key.
    let bad = good
        .replacen("to: [oncall]", "to: [oncal]", 1)
        .replacen("tags: [refunds]", "tags: [refundz]", 1)
        .replacen(
            "  - id: cdn-noise\n    at:",
            "  - id: cdn-noise\n    att:",
            1,
        );
    assert_ne!(bad, good);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &bad);
    let found = summary(&c.diagnostics(&doc, 1));

    // The same problems `ttx validate` reports for the saved file, at the same places.
    std::fs::write(&path, &bad).unwrap();
    let out = Ttx::new()
        .cwd(dir.join("examples/acme"))
        .args([
            "validate",
            "--format",
            "json",
            "../../scenarios/payments-credential-leak.yaml",
        ])
        .run();
    std::fs::write(&path, &good).unwrap();
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let validated = as_served(json["diagnostics"].as_array().unwrap().iter());
    let served: Vec<(u64, u64, String, String)> = found
        .iter()
        .map(|(l, ch, _, _, code, m)| (*l, *ch, code.clone(), m.clone()))
        .collect();
    assert_eq!(served, validated);
    assert!(served.len() >= 3, "{served:#?}");

    // Exact to the token: the role's range is `oncal`, nothing more.
    let oncal = bad.find("[oncal]").unwrap() + 1;
    let start = position(&bad, oncal);
    let role = found
        .iter()
        .find(|d| d.5.starts_with("undefined role `oncal`"))
        .expect("the undefined role");
    assert_eq!(
        (role.0, role.1),
        (
            start["line"].as_u64().unwrap(),
            start["character"].as_u64().unwrap()
        )
    );
    assert_eq!((role.2, role.3 - role.1), (role.0, 5));
    assert!(
        role.5.ends_with("help: did you mean `oncall`?"),
        "{}",
        role.5
    );
    assert!(
        found.iter().any(|d| d.4 == "unmatched-component"),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d.4 == "unknown-key" && d.5.contains("`att`"))
    );

    // Put right in the buffer (not saved): the diagnostics clear.
    c.change(&doc, 2, &good);
    assert_eq!(c.diagnostics(&doc, 2), Vec::<Value>::new());
    let (status, stderr) = shutdown(c);
    assert!(status.success(), "{stderr}");
}

fn shutdown(mut c: Client) -> (std::process::ExitStatus, String) {
    let answer = c.request("shutdown", Value::Null);
    assert_eq!(answer["result"], Value::Null, "{answer}");
    c.notify("exit", Value::Null);
    c.finish()
}

#[test]
fn a_quick_fix_puts_the_did_you_mean_in_place() {
    let dir = workspace("quick-fix");
    let path = dir.join(LEAK);
    let bad = read(&path).replacen("to: [oncall]", "to: [oncal]", 1);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &bad);
    let diagnostics = c.diagnostics(&doc, 1);
    let role = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("undefined role"))
        .unwrap()
        .clone();
    let answer = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": role["range"], "context": {"diagnostics": [role]}}),
    );
    let action = &answer["result"][0];
    assert_eq!(action["title"], "Change to `oncall`");
    let edit = &action["edit"]["changes"][&doc][0];
    assert_eq!(edit["newText"], "oncall");
    assert_eq!(edit["range"], role["range"]);
}

#[test]
fn completion_lists_roles_and_this_architectures_selectors() {
    let dir = workspace("completion");
    let path = dir.join(LEAK);
    let text = read(&path)
        .replacen("to: [oncall]", "to: [oncall, ]", 1)
        .replacen("tags: [refunds]", "tags: [refunds, ]", 1)
        .replacen("data: [payment]", "data: [payment, p]", 1);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);

    let roles = labels(&c.request("textDocument/completion", at(&doc, &text, "to: [oncall, ")));
    assert_eq!(roles, ["comms", "ic", "legal", "oncall", "pm"]);

    let tags = labels(&c.request(
        "textDocument/completion",
        at(&doc, &text, "tags: [refunds, "),
    ));
    let architecture = read(&dir.join("examples/acme/architecture.yaml"));
    assert!(
        tags.contains(&"pci".to_string()) && tags.contains(&"refunds".to_string()),
        "{tags:?}"
    );
    for tag in &tags {
        assert!(
            architecture.contains(tag.as_str()),
            "{tag} is not in the architecture"
        );
    }

    // Data classes, with what is typed so far replaced.
    let answer = c.request(
        "textDocument/completion",
        at(&doc, &text, "data: [payment, p"),
    );
    let data = labels(&answer);
    assert!(
        data.contains(&"pii".to_string()) && data.contains(&"payment".to_string()),
        "{data:?}"
    );
    assert!(
        !data.contains(&"pci".to_string()),
        "a tag is not a data class: {data:?}"
    );
    let edit = &answer["result"]["items"][0]["textEdit"]["range"];
    let typed = text.find("data: [payment, p").unwrap() + "data: [payment, ".len();
    assert_eq!(edit["start"], position(&text, typed));

    // A runbook's sections, from its Markdown headings.
    let answer = c.request(
        "textDocument/completion",
        at(&doc, &text, "runbook: incident-severity#"),
    );
    assert_eq!(
        labels(&answer),
        ["incident-severity-levels", "sev1", "sev2"]
    );

    // A runbook's sections, from its Markdown headings.
    let answer = c.request(
        "textDocument/completion",
        at(&doc, &text, "runbook: incident-severity#"),
    );
    assert_eq!(
        labels(&answer),
        ["incident-severity-levels", "sev1", "sev2"]
    );

    // ATT&CK ids come with their names.
    let attack = c.request("textDocument/completion", at(&doc, &text, "attack: ["));
    let items = attack["result"]["items"].as_array().unwrap();
    let valid = items.iter().find(|i| i["label"] == "T1078.004").unwrap();
    assert!(
        valid["detail"]
            .as_str()
            .unwrap()
            .starts_with("Cloud Accounts"),
        "{valid}"
    );
}

#[test]
fn definition_references_hover_and_outline() {
    let dir = workspace("navigation");
    let path = dir.join(LEAK);
    let text = read(&path);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);

    // `after: {inject: spike}` goes to `- id: spike`.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "after: {inject: sp"),
    );
    let target = &answer["result"][0];
    assert_eq!(target["uri"], doc);
    let def = text.find("- id: spike").unwrap() + "- id: ".len();
    assert_eq!(target["range"]["start"], position(&text, def));
    assert_eq!(target["range"]["end"], position(&text, def + "spike".len()));

    // A decision named in an expectation goes to the decision.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "decision: declare_inc"),
    );
    let def = text.find("\n  declare_incident:").unwrap() + 3;
    assert_eq!(answer["result"][0]["range"]["start"], position(&text, def));

    // A runbook goes to the architecture.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "runbook: incident-sev"),
    );
    // … and to its Markdown file, at the section after `#`.
    let runbook = dir.join("examples/acme/runbooks/incident-severity.md");
    let md = read(&runbook);
    let section = &answer["result"][1];
    assert_eq!(section["uri"], uri(&runbook), "{answer}");
    let sev2 = md.find("## SEV2").unwrap() + "## ".len();
    assert_eq!(section["range"]["start"], position(&md, sev2));
    let target = answer["result"][0]["uri"].as_str().unwrap();
    assert!(
        target.ends_with("examples/acme/architecture.yaml"),
        "{answer}"
    );

    // The references of a decision include the sessions that record it.
    let answer = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": doc}, "position": at(&doc, &text, "  block_ref")["position"], "context": {"includeDeclaration": true}}),
    );
    let files: Vec<&str> = answer["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    assert!(files.iter().any(|f| f.contains("/sessions/")), "{files:?}");
    assert!(files.contains(&doc.as_str()));

    // Hover over an inject's name: its text and time.
    let answer = c.request("textDocument/hover", at(&doc, &text, "after: {inject: sp"));
    let shown = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.starts_with("**inject `spike`**"), "{shown}");
    assert!(shown.contains("refund volume 14x baseline"), "{shown}");
    assert!(shown.contains("at: `0m`"), "{shown}");
    // An inject that follows another: when it comes, as `ttx show` tells it.
    let answer = c.request("textDocument/hover", at(&doc, &text, "- id: canary-d"));
    let shown = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("comes: `0:25:00 (spike +25m)`"), "{shown}");
    // Over a technique: its name and tactics.
    let answer = c.request("textDocument/hover", at(&doc, &text, "attack: [T1"));
    let shown = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("Tactics:"), "{shown}");

    // The outline: the MSEL's injects under `injects`, with when and to whom.
    let answer = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    let sections = answer["result"].as_array().unwrap();
    let injects = sections.iter().find(|s| s["name"] == "injects").unwrap();
    let first = &injects["children"][0];
    assert_eq!(first["name"], "spike");
    assert!(
        first["detail"]
            .as_str()
            .unwrap()
            .starts_with("0:00:00 → [oncall]"),
        "{first}"
    );
    assert!(sections.iter().any(|s| s["name"] == "decisions"));
    // Each inject's range is its whole entry: from its `id` to the line before the next.
    let second = &injects["children"][1];
    let end = first["range"]["end"]["line"].as_u64().unwrap();
    assert!(end > first["selectionRange"]["start"]["line"].as_u64().unwrap());
    assert!(
        end < second["range"]["start"]["line"].as_u64().unwrap(),
        "{first} {second}"
    );
}

#[test]
fn rename_changes_the_scenario_and_the_sessions_that_name_it() {
    let dir = workspace("rename");
    let path = dir.join(LEAK);
    let text = read(&path);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);
    let here = at(&doc, &text, "  block_ref");

    let prepared = c.request("textDocument/prepareRename", here.clone());
    assert_eq!(prepared["result"]["placeholder"], "block_refunds");

    let mut params = here.clone();
    params["newName"] = json!("pause_refunds");
    let answer = c.request("textDocument/rename", params);
    let changes = answer["result"]["changes"]
        .as_object()
        .unwrap_or_else(|| panic!("{answer}"));
    // Every id occurrence, and nothing else: the scenario's, and each session's.
    let mut expected = vec![(uri(&path), text.matches("block_refunds").count())];
    for session in std::fs::read_dir(dir.join("examples/acme/sessions")).unwrap() {
        let session = session.unwrap().path();
        let n = read(&session).matches("decision: block_refunds").count();
        if n > 0 {
            expected.push((uri(&session), n));
        }
    }
    expected.sort();
    let mut got: Vec<(String, usize)> = changes
        .iter()
        .map(|(u, edits)| (u.clone(), edits.as_array().unwrap().len()))
        .collect();
    got.sort();
    assert_eq!(got, expected);
    assert!(got.len() >= 3);
    for edits in changes.values() {
        for e in edits.as_array().unwrap() {
            assert_eq!(e["newText"], "pause_refunds");
        }
    }

    // A name that is not an id, and one that is taken, are refused with a reason.
    let mut params = here.clone();
    params["newName"] = json!("Pause Refunds");
    let answer = c.request("textDocument/rename", params);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not an id"),
        "{answer}"
    );
    let mut params = here;
    params["newName"] = json!("rotate_api_key");
    let answer = c.request("textDocument/rename", params);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{answer}"
    );
}

#[test]
fn editing_the_architecture_rechecks_the_open_scenarios_that_bind_to_it() {
    let dir = workspace("architecture");
    let scenario = dir.join(LEAK);
    let arch = dir.join("examples/acme/architecture.yaml");
    let mut c = Client::start(&ttx(), &dir, 0);
    let s = c.open(&scenario, &read(&scenario));
    assert_eq!(c.diagnostics(&s, 1), Vec::<Value>::new());
    let arch_text = read(&arch);
    let a = c.open(&arch, &arch_text);
    c.diagnostics(&a, 1);
    // No component of kind `pipeline` any more, unsaved.
    let edited = arch_text.replace("kind: pipeline", "kind: service");
    assert_ne!(edited, arch_text);
    c.change(&a, 2, &edited);
    // The scenario is published again (its own version unchanged) with what changed.
    let again = c.wait(|v| {
        v["method"] == "textDocument/publishDiagnostics"
            && v["params"]["uri"] == s
            && v["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
    });
    let found = summary(again["params"]["diagnostics"].as_array().unwrap());
    assert!(
        found
            .iter()
            .any(|d| d.4 == "unmatched-component" && d.5.contains("build")),
        "{found:#?}"
    );
}

#[test]
fn a_file_outside_any_program_is_checked_alone() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-alone");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("loose.yaml");
    let text = read(&root().join(LEAK)).replacen("to: [oncall]", "to: [oncal]", 1);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);
    let found = summary(&c.diagnostics(&doc, 1));
    assert!(
        found
            .iter()
            .any(|d| d.5.starts_with("undefined role `oncal`")),
        "{found:#?}"
    );
    // Nothing is said about an architecture it does not have.
    assert!(
        !found.iter().any(|d| d.4 == "unmatched-component"),
        "{found:#?}"
    );
    // Navigation works inside it, and a program id goes nowhere.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "after: {inject: sp"),
    );
    assert_eq!(answer["result"].as_array().unwrap().len(), 1);
}

#[test]
fn a_file_of_4_mib_is_checked_and_one_past_the_limit_is_refused() {
    let dir = workspace("large");
    let path = dir.join("scenarios/large.yaml");
    let limit = 4 * 1024 * 1024;
    let (mut text, n) = crate::lsp_client::grown(&read(&root().join(LEAK)), "oncall", limit - 100);
    // Exactly at the limit: a comment fills what is left.
    text.push('#');
    text.push_str(&"-".repeat(limit - text.len()));
    assert_eq!(text.len(), limit);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);
    let started = std::time::Instant::now();
    let found = summary(&c.diagnostics(&doc, 1));
    eprintln!(
        "{n} injects, {} bytes: diagnostics in {:?}",
        text.len(),
        started.elapsed()
    );
    // Checked whole: the filler is never-firing-free, so only what the checks say of a
    // long MSEL (nothing about its size) comes back.
    assert!(
        found
            .iter()
            .all(|d| !matches!(d.4.as_str(), "file-too-large" | "yaml-limit")),
        "{:#?}",
        &found[..found.len().min(5)]
    );
    // The server still answers at once after it.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "after: {inject: sp"),
    );
    assert_eq!(answer["result"].as_array().unwrap().len(), 1);

    text.push('-');
    c.change(&doc, 2, &text);
    let found = summary(&c.diagnostics(&doc, 2));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0, found[0].1, found[0].4.as_str()),
        (0, 0, "file-too-large")
    );
}

/// Closes `doc`, shuts the server down and reads everything it sent: the diagnostics
/// published on `doc`, in order.
fn close_and_shut_down(c: &mut Client, doc: &str) -> Vec<Value> {
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    let answer = c.request("shutdown", json!(null));
    assert!(answer["error"].is_null(), "{answer}");
    c.notify("exit", json!(null));
    c.drain();
    c.notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == doc)
        .map(|n| n["params"].clone())
        .collect()
}

/// Regression: a close that was still waiting for the debounce when `shutdown` came was
/// never handed to the checker, so the file kept its last diagnostics (seen as a flaky
/// failure of the test below on a loaded machine). The close now goes out with shutdown.
#[test]
fn a_close_waiting_for_the_debounce_at_shutdown_still_clears_the_file() {
    let dir = workspace("close-at-shutdown");
    let path = dir.join("scenarios/mistyped.yaml");
    let mistyped = read(&root().join(LEAK)).replacen("to: [oncall]", "to: [oncal]", 1);
    // Ten seconds of debounce: nothing the test sends is checked before shutdown but by it.
    let mut c = Client::start(&ttx(), &dir, 10_000);
    let doc = c.open(&path, &mistyped);
    let published = close_and_shut_down(&mut c, &doc);
    let last = published.last().expect("the close is published");
    assert!(last["version"].is_null(), "{last}");
    assert_eq!(last["diagnostics"], json!([]));
    let (status, stderr) = c.finish();
    assert!(status.success(), "{stderr}");
}

/// Checks run on their own thread: changes sent during a check of a large file are
/// checked at their latest version, no file's diagnostics go back to an older version, and
/// a file closed while it is checked ends with its diagnostics cleared.
#[test]
fn changes_and_a_close_during_a_check_end_at_the_latest_text() {
    let dir = workspace("during");
    let path = dir.join("scenarios/large.yaml");
    let (text, _) = crate::lsp_client::grown(&read(&root().join(LEAK)), "oncall", 2 * 1024 * 1024);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);
    // Versions 2..=6 one after another, the last with a mistyped recipient; the server is
    // checking one of them while the next arrive.
    let mistyped = text.replacen("to: [oncall]", "to: [oncal]", 1);
    for version in 2..=6 {
        c.change(&doc, version, if version == 6 { &mistyped } else { &text });
    }
    let found = summary(&c.diagnostics(&doc, 6));
    assert!(
        found.iter().any(|d| d.4 == "undefined-reference"),
        "{found:#?}"
    );
    // A change and its close at once: whatever the checker was doing, the file ends clear.
    c.change(&doc, 7, &mistyped);
    let published = close_and_shut_down(&mut c, &doc);
    let versions: Vec<i64> = published
        .iter()
        .filter_map(|p| p["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    let last = published.last().expect("published");
    assert!(last["version"].is_null(), "{last}");
    assert_eq!(last["diagnostics"], json!([]));
    let (status, stderr) = c.finish();
    assert!(status.success(), "{stderr}");
}

#[test]
fn malformed_json_rpc_is_answered_and_the_server_goes_on() {
    let dir = workspace("malformed");
    let mut c = Client::start(&ttx(), &dir, 0);
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let answer = c.wait(|v| v.get("error").is_some() && v["id"].is_null());
    assert_eq!(answer["error"]["code"], -32700);
    // JSON, but not a message.
    c.send_raw(b"Content-Length: 10\r\n\r\n{\"foo\": 1}");
    let answer = c.wait(|v| v.get("error").is_some() && v["id"].is_null());
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    // A request with parameters of the wrong shape gets an error of its own.
    let answer = c.request("textDocument/hover", json!({"textDocument": 7}));
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let answer = c.request("no/such", json!({}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    // Still serving.
    let path = dir.join(LEAK);
    let doc = c.open(&path, &read(&path));
    assert_eq!(c.diagnostics(&doc, 1), Vec::<Value>::new());
    // A header that cannot be read ends the connection, quietly.
    c.send_raw(b"Content-Lenght 12\r\n\r\n");
    let (status, stderr) = c.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("malformed header"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_client_that_disconnects_ends_the_server_without_a_panic() {
    let dir = workspace("disconnect");
    let mut c = Client::start(&ttx(), &dir, 10_000);
    let path = dir.join(LEAK);
    c.open(&path, &read(&path));
    c.hang_up();
    let (status, stderr) = c.finish();
    // Gone without `shutdown`: exit 1, as the protocol asks, and nothing on stderr.
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut c = Client::spawn(&ttx());
    let answer = c.request("textDocument/hover", json!({}));
    assert_eq!(answer["error"]["code"], -32002, "{answer}");
}

#[test]
fn a_decisions_sheet_completes_and_resolves_from_its_scenario_and_the_roster() {
    let dir = workspace("sheet");
    let sheet = dir.join("examples/acme/sessions/2026-05-14-textbook.yaml");
    let scenario = dir.join(LEAK);
    let text = read(&sheet)
        .replacen("    by: ic\n", "    by: \n", 1)
        .replacen("participant: dana-okafor", "participant: r", 1);
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&sheet, &text);
    let roles = labels(&c.request("textDocument/completion", at(&doc, &text, "    by: ")));
    assert_eq!(roles, ["comms", "ic", "legal", "oncall", "pm"]);
    let people = c.request("textDocument/completion", at(&doc, &text, "participant: r"));
    let raj = people["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "raj-patel")
        .unwrap_or_else(|| panic!("{people}"));
    assert_eq!(raj["detail"], "Raj Patel");

    // A decision in the sheet goes to the scenario; hover says who may take it.
    let answer = c.request(
        "textDocument/definition",
        at(&doc, &text, "decision: block_ref"),
    );
    assert_eq!(answer["result"][0]["uri"], uri(&scenario));
    let answer = c.request("textDocument/hover", at(&doc, &text, "decision: block_ref"));
    let shown = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.starts_with("**decision `block_refunds`**"), "{shown}");
    assert!(shown.contains("by: `[oncall, ic]`"), "{shown}");

    // The sheet is checked against the scenario as the editor holds it: renaming the
    // decision there, unsaved, makes the sheet's entries undefined.
    let s = c.open(
        &scenario,
        &read(&scenario).replace("block_refunds", "pause_refunds"),
    );
    c.diagnostics(&s, 1);
    let again = c.wait(|v| {
        v["method"] == "textDocument/publishDiagnostics"
            && v["params"]["uri"] == doc
            && v["params"]["diagnostics"].as_array().is_some_and(|d| {
                d.iter()
                    .any(|d| d["message"].as_str().unwrap().contains("block_refunds"))
            })
    });
    let found = summary(again["params"]["diagnostics"].as_array().unwrap());
    assert!(
        found
            .iter()
            .any(|d| d.5.starts_with("undefined decision `block_refunds`")
                && d.5.contains("pause_refunds")),
        "{found:#?}"
    );
}

#[test]
fn an_architecture_that_does_not_load_is_noted_on_the_program_file() {
    let dir = workspace("broken-architecture");
    let arch = dir.join("examples/acme/architecture.yaml");
    let program = dir.join("examples/acme/ttx.yaml");
    std::fs::write(
        &arch,
        read(&arch).replacen("kind: service", "kind: servise", 1),
    )
    .unwrap();
    let scenario = dir.join(LEAK);
    let mut c = Client::start(&ttx(), &dir, 0);
    c.open(&scenario, &read(&scenario));
    // Published on ttx.yaml, which is not open, as `ttx validate` reports it there.
    let noted = c.wait(|v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri(&program)
    });
    let found = summary(noted["params"]["diagnostics"].as_array().unwrap());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].4, "program");
    assert!(
        found[0].5.starts_with("the architecture file") && found[0].5.contains("1 problem(s)"),
        "{found:#?}"
    );
    let key = read(&program).find("architecture: ").unwrap();
    assert_eq!(
        json!({"line": found[0].0, "character": found[0].1}),
        position(&read(&program), key + "architecture: ".len())
    );
}

/// Every shipped file and every bad input, opened in one server: the diagnostics are
/// exactly what `ttx validate --format json` says of the file, from where the server puts
/// it (the program above it, or Acme for the shared library), and no request at any place
/// of any file fails.
#[test]
fn every_shipped_file_and_bad_input_gets_validates_diagnostics_and_answers_everywhere() {
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    let acme = root().join("examples/acme");
    for dir in [
        "examples/acme",
        "examples/acme/sessions",
        "examples/acme/library-sessions",
        "examples/acme/profiles",
        "examples/northwind",
        "scenarios",
        "tests/bad/acme",
    ] {
        // Where `ttx validate` finds the program the server finds: the one above the
        // file; for the shared library, Acme's (the first program of the workspace that
        // names it); for the bad inputs, none.
        let cwd = match dir {
            "examples/northwind" => root().join(dir),
            "tests/bad/acme" => root().join(dir),
            _ => acme.clone(),
        };
        for f in crate::lsp_client::yaml_files(&root().join(dir)) {
            files.push((f, cwd.clone()));
        }
    }
    for kind in [
        "scenario",
        "architecture",
        "roster",
        "program",
        "decisions",
        "profile",
    ] {
        let dir = root().join("tests/bad").join(kind);
        for f in crate::lsp_client::yaml_files(&dir) {
            files.push((f, dir.clone()));
        }
    }
    assert!(files.len() >= 90, "{}", files.len());
    let mut c = Client::start(&ttx(), &root(), 0);
    let mut compared = 0;
    for (path, cwd) in &files {
        // A file that is not UTF-8 text cannot travel in JSON; `ttx validate` refuses it.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if text.contains('\0') {
            continue;
        }
        let doc = c.open(path, &text);
        let served: Vec<(u64, u64, String, String)> = summary(&c.diagnostics(&doc, 1))
            .into_iter()
            .map(|(l, ch, _, _, code, m)| (l, ch, code, m))
            .collect();
        let out = Ttx::new()
            .cwd(cwd)
            .args(["validate", "--format", "json", path.to_str().unwrap()])
            .run();
        let json: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: {e}: {}", path.display(), out.stdout));
        let canonical = std::fs::canonicalize(path).unwrap();
        let validated = as_served(json["diagnostics"].as_array().unwrap().iter().filter(|d| {
            std::fs::canonicalize(cwd.join(d["file"].as_str().unwrap()))
                .is_ok_and(|f| f == canonical)
        }));
        // Outside any program, the server checks only what has a ttx kind's keys at the
        // top: an editor hands it every YAML file. The bad inputs without them are checked
        // with `--kind`, and an editor would not know them for ttx's.
        let outside = path.starts_with(root().join("tests/bad"));
        let keyed = [
            "injects",
            "roles",
            "objectives",
            "decisions",
            "components",
            "teams",
            "people",
            "entries",
            "org",
            "expected",
            "red_herrings",
            "handoffs",
            "investigations",
        ]
        .iter()
        .any(|k| text.lines().any(|l| l.starts_with(&format!("{k}:"))));
        if outside && !keyed {
            assert_eq!(served, [], "{}", path.display());
        } else {
            assert_eq!(served, validated, "{}", path.display());
        }
        compared += 1;

        // Every 97th byte: hover, definition, references, completion; and the outline.
        let mut offset = 0;
        while offset < text.len() {
            while !text.is_char_boundary(offset) {
                offset += 1;
            }
            let here = json!({"textDocument": {"uri": doc}, "position": position(&text, offset)});
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/completion",
            ] {
                let answer = c.request(method, here.clone());
                assert!(
                    answer.get("error").is_none(),
                    "{method} at {} {offset}: {answer}",
                    path.display()
                );
            }
            let mut refs = here.clone();
            refs["context"] = json!({"includeDeclaration": true});
            let answer = c.request("textDocument/references", refs);
            assert!(answer.get("error").is_none(), "{answer}");
            offset += 97;
        }
        let answer = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": doc}}),
        );
        assert!(answer.get("error").is_none(), "{answer}");
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc}}),
        );
    }
    assert!(compared >= 80, "{compared}");
    let (status, stderr) = shutdown(c);
    assert!(status.success(), "{stderr}");
}

#[test]
fn incremental_changes_count_columns_in_utf16() {
    let dir = workspace("incremental");
    let path = dir.join(LEAK);
    // A line of text with characters outside ASCII, one of them outside the BMP, before
    // the mistake on the same line.
    let bad = read(&path).replacen(
        "    to: [oncall]\n",
        "    to: [oncal]  # Chloé 😀 said so\n",
        1,
    );
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &bad);
    assert!(
        summary(&c.diagnostics(&doc, 1))
            .iter()
            .any(|d| d.5.starts_with("undefined role `oncal`"))
    );
    // Insert the missing `l`, and change the emoji after it, in one notification.
    let at_l = bad.find("oncal]").unwrap() + "oncal".len();
    let emoji = bad.find('😀').unwrap();
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": doc, "version": 2},
            "contentChanges": [
                {"range": {"start": position(&bad, emoji), "end": position(&bad, emoji + '😀'.len_utf8())}, "text": "🙂"},
                {"range": {"start": position(&bad, at_l), "end": position(&bad, at_l)}, "text": "l"},
            ],
        }),
    );
    assert_eq!(c.diagnostics(&doc, 2), Vec::<Value>::new());
    // The server's text is the edited one: the definition of `oncall` is found from the
    // corrected line, at the column an editor counts.
    let fixed = bad.replacen("oncal]", "oncall]", 1).replacen('😀', "🙂", 1);
    let answer = c.request("textDocument/definition", at(&doc, &fixed, "to: [oncal"));
    let def = fixed.find("  oncall:").unwrap() + 2;
    assert_eq!(answer["result"][0]["range"]["start"], position(&fixed, def));
}

#[test]
fn yaml_that_is_not_ttxs_gets_no_diagnostics() {
    let dir = workspace("other-yaml");
    let mut c = Client::start(&ttx(), &dir, 0);
    // A CI workflow beside the library, and one in a hidden folder of the program.
    let workflow = "name: ci\non: [push]\njobs:\n  test: {runs-on: ubuntu-latest}\n";
    for path in [
        dir.join("ci.yml"),
        dir.join("examples/acme/.github/workflows/ci.yml"),
    ] {
        let doc = c.open(&path, workflow);
        assert_eq!(
            c.diagnostics(&doc, 1),
            Vec::<Value>::new(),
            "{}",
            path.display()
        );
    }
    // A file in the program's folder is the program's, as for `ttx validate`.
    let doc = c.open(&dir.join("examples/acme/notes.yaml"), workflow);
    let found = summary(&c.diagnostics(&doc, 1));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].4, "wrong-root");
}

#[test]
fn a_library_scenario_is_checked_against_every_program_that_names_it() {
    let dir = workspace("two-programs");
    let northwind = dir.join("examples/northwind");
    std::fs::create_dir_all(&northwind).unwrap();
    for file in ["ttx.yaml", "architecture.yaml", "roster.yaml"] {
        std::fs::copy(
            root().join("examples/northwind").join(file),
            northwind.join(file),
        )
        .unwrap();
    }
    let path = dir.join(LEAK);
    // Acme tags its checkout `pci`; Northwind has no such tag.
    let text = read(&path).replacen(
        "checkout: {kind: service, tags: [payments, customer-facing]}",
        "checkout: {kind: service, tags: [payments, customer-facing, pci]}",
        1,
    );
    let mut c = Client::start(&ttx(), &dir, 0);
    let doc = c.open(&path, &text);
    let found = summary(&c.diagnostics(&doc, 1));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].4, "unmatched-component");
    let first_line = found[0].5.lines().next().unwrap();
    assert!(
        first_line.contains(" (in program Northwind Clinics Cloud, ")
            && first_line.ends_with("examples/northwind/ttx.yaml)"),
        "{first_line}"
    );
}
