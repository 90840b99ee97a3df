//! `ttx report`: golden reports of every recorded session in every format, escaping,
//! determinism, untrusted templates, and a screenshot of the HTML in headless Chromium.

use crate::run::{fresh_journal, play_session, play_sheet};
use crate::support::{Ttx, root};

fn report(rel: &str, format: &str) -> String {
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", rel, "--format", format])
        .run();
    out.code(0);
    out.stdout.clone()
}

#[test]
fn every_session_has_golden_reports_in_every_format() {
    for sheet in ttx_engine::authoring::project::yaml_files(&root().join("examples/acme/sessions"))
    {
        let stem = sheet.file_stem().unwrap().to_str().unwrap().to_string();
        let (_, rel) = play_session(&stem, &format!("report-{stem}"));
        for format in ["md", "json", "csv", "html"] {
            let text = report(&rel, format);
            assert_eq!(
                text,
                report(&rel, format),
                "{stem} {format}: two renders differ"
            );
            insta::assert_snapshot!(format!("report-{stem}.{format}"), text);
        }
        let json: serde_json::Value = serde_json::from_str(&report(&rel, "json")).unwrap();
        assert_eq!(json["version"], 1);
        for item in json["action_items"].as_array().unwrap() {
            for key in [
                "id", "finding", "action", "owner", "poc", "priority", "element", "due", "status",
            ] {
                assert!(item.get(key).is_some(), "{stem}: action item lacks {key}");
            }
            assert_eq!(item["due"].as_str().unwrap().len(), 10);
        }
        assert!(
            json["objectives"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o.get("id").is_some() && o.get("rating").is_some())
        );
    }
}

#[test]
fn reports_are_blameless_unless_names_are_asked_for() {
    let (_, rel) = play_session("2026-05-14-textbook", "report-names");
    let plain = report(&rel, "md");
    assert!(
        !plain.contains("Raj Patel"),
        "a participant's name leaked into the report"
    );
    assert!(!plain.contains("Participants"));
    // Regression: the improvement plan named each team's point of contact without
    // `--names`, against SECURITY.md.
    for format in ["md", "html", "json", "csv"] {
        let text = report(&rel, format);
        assert!(
            !text.contains("Dana Okafor") && !text.contains("Helen Brooks"),
            "a point of contact's name in the {format} report without --names"
        );
    }
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--names"])
        .run();
    out.code(0)
        .stdout_has("## Appendix D: Participants")
        .stdout_has("- Raj Patel")
        .stdout_has("| Security Engineering | Dana Okafor |");
}

#[test]
fn markup_from_the_room_is_escaped_in_html() {
    let (_, rel) = fresh_journal("examples/acme", "report-markup");
    let commands = "decide ic declare_incident high : <script>alert('x')</script> & <b>bold</b>\nnote : <img src=x onerror=alert(1)>\nend\n";
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "../../scenarios/payments-credential-leak.yaml",
            "--seed",
            "3",
            "--journal",
            &rel,
        ])
        .stdin(commands)
        .run()
        .code(0);
    let html = report(&rel, "html");
    assert!(
        !html.contains("<script>alert"),
        "a rationale's markup was rendered"
    );
    assert!(!html.contains("<img src=x"), "a note's markup was rendered");
    assert!(html.contains("&lt;script&gt;alert("));
    let md = report(&rel, "md");
    assert!(
        !md.contains("<img src=x"),
        "markdown tables escape markup too"
    );
    // Regression: outside tables (the hot wash, strengths, findings) the Markdown report
    // carried raw tags from the room.
    let (_, rel) = fresh_journal("examples/acme", "report-markup-lists");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "../../scenarios/payments-credential-leak.yaml",
            "--journal",
            &rel,
        ])
        .stdin("end\nstrength : <script>alert(2)</script> kept calm\n")
        .run()
        .code(0);
    let md = report(&rel, "md");
    assert!(!md.contains("<script>"), "{md}");
    assert!(
        md.contains("- &lt;script>alert(2)&lt;/script> kept calm"),
        "{md}"
    );
}

#[test]
fn templates_are_untrusted_bounded_and_errors_name_the_file_and_line() {
    let (_, rel) = play_session("2026-05-14-textbook", "report-templates");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let custom = write(
        "ok.md.j2",
        "{{ exercise.scenario }}: {{ action_items | length }} items\n",
    );
    Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--template", &custom])
        .run()
        .code(0)
        .stdout_has("payments-credential-leak: 2 items");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "report",
            "--no-ledger",
            &rel,
            "--format",
            "json",
            "--template",
            &custom,
        ])
        .run()
        .code(2)
        .stderr_has("--template applies to the md and html formats");
    let undefined = write("undefined.md.j2", "line one\n{{ exercise.nope.deeper }}\n");
    Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--template", &undefined])
        .run()
        .code(1)
        .stderr_has("undefined.md.j2:2:");
    let endless = write(
        "endless.md.j2",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    );
    Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--template", &endless])
        .run()
        .code(1)
        .stderr_has("fuel");
}

#[test]
fn the_html_report_renders_as_a_page_in_headless_chromium() {
    let (_, rel) = play_session("2026-05-14-slow-red-herring", "report-screenshot");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "report",
            "--no-ledger",
            &rel,
            "--format",
            "html",
            "-o",
            html.to_str().unwrap(),
        ])
        .run()
        .code(0);
    crate::support::screenshot_is_a_page(&html);
}

/// Regression: a journal kept outside the program folder gave a report that did not know
/// the organisation and began its header with "· ".
#[test]
fn a_journal_kept_outside_the_program_still_names_the_organisation() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("outside-program");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("textbook.jsonl");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            "--decisions",
            "sessions/2026-05-14-textbook.yaml",
            "--journal",
        ])
        .args([journal.to_str().unwrap()])
        .run()
        .code(0);
    for format in ["md", "html"] {
        let out = Ttx::new()
            .cwd(&dir)
            .args(["report", journal.to_str().unwrap(), "--format", format])
            .run();
        out.code(0);
        assert!(
            out.stdout
                .contains("Acme Outfitters · exercise of 2026-05-14"),
            "{format}: {}",
            &out.stdout[..out.stdout.len().min(600)]
        );
        assert!(!out.stdout.lines().any(|l| l.trim_start().starts_with("· ")));
    }
}

/// Every kind of text the room types, each naming a roster person the way a room writes
/// one: a name, an email in angle brackets, a handle, a name run together, an accented
/// name typed in ASCII.
const ROOM_SHEET: &str = r#"scenario: ../../../scenarios/payments-credential-leak.yaml
seed: 7
started: 2026-06-02T13:00:00Z
entries:
  - at: 5m
    decision: declare_incident
    by: ic
    rationale: Raj Patel saw the refunds first and told <dana.okafor@acme.example> and ops@vendor.example.
  - at: 7m
    action: Asked Will Ortega to freeze the refund worker
    by: oncall
    rationale: ping @priya when done
  - at: 8m
    note: ChloeMartin paged the IC from db-01.pay.acme.internal (10.20.4.17)
  - at: 9m
    notify: {from: oncall, to: ic, text: "Tomas Silva says the purge did nothing"}
  - at: 10m
    inject: {to: [pm], text: "Mei Lin from finance calls about the ledger"}
  - pause: Helen Brooks joined the call
  - resume: back after Helen's briefing
  - answer: {question: 1, text: "Sam Whitaker said the IC decides"}
  - improve: Nobody told Aisha Rahman until late
    owner: legal
    corrective_action: Give Aisha Rahman's deputy the processor call
  - end:
      strengths:
        - Grace Mensah found the kill switch
  - rate: {objective: detect, rating: P, reason: "Ivan Petrov's query settled it"}
"#;

/// Names, emails and handles of the roster in `ROOM_SHEET`, as written there.
const ROOM_NAMES: &[&str] = &[
    "Raj Patel",
    "dana.okafor",
    "Will Ortega",
    "@priya",
    "ChloeMartin",
    "Tomas Silva",
    "Mei Lin",
    "Helen",
    "Sam Whitaker",
    "Aisha Rahman",
    "Grace Mensah",
    "Ivan Petrov",
];

#[test]
fn room_text_is_scrubbed_without_names_and_verbatim_with_them() {
    let (sheet, _) = fresh_journal("examples/acme", "room-names");
    let sheet = sheet.with_extension("yaml");
    std::fs::write(&sheet, ROOM_SHEET).unwrap();
    // The sheet stands in the shipped program's folder, where `ttx validate` counts it:
    // gone when the test ends, pass or fail (regression: a failed run left it behind and
    // broke the file counts of unrelated tests).
    let _gone = RemovedAtEnd(sheet.clone());
    let (_, rel) = play_sheet("journals", "room-names", "room-names");
    for format in ["md", "html", "json", "csv"] {
        let text = report(&rel, format);
        for name in ROOM_NAMES {
            assert!(
                !text.contains(name),
                "{name} is in the {format} report without --names"
            );
        }
        // Hosts and addresses stay: the report does not leave the organisation. (The
        // CSV is the plan alone, which has no note.)
        assert!(
            format == "csv" || text.contains("db-01.pay.acme.internal (10.20.4.17)"),
            "{format}"
        );
    }
    let md = report(&rel, "md");
    for scrubbed in [
        // A roster person's email and handle are that person; anyone else's are numbered.
        "[oncall] saw the refunds first and told",
        "[ic]> and [email 1].",
        "[oncall] paged the IC",
        "Asked [oncall] to freeze the refund worker",
        "ping [sre] when done",
        "[exec] joined the call",
        // Two roles (legal, vendor-mgmt): no one role to name her by.
        "Nobody told [person 1] until late",
        "[it] found the kill switch",
        "[comms] said the IC decides",
    ] {
        assert!(md.contains(scrubbed), "{scrubbed} not in:\n{md}");
    }
    let named = Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--names", "--format", "json"])
        .run();
    named.code(0);
    for name in ROOM_NAMES {
        assert!(
            named.stdout.contains(name),
            "{name} is missing from the report with --names"
        );
    }
}

/// A file removed when dropped, also when the test panics.
struct RemovedAtEnd(std::path::PathBuf);

impl Drop for RemovedAtEnd {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_journal_cut_short_is_reported_on_what_it_acknowledged_and_says_so() {
    // Regression (issue 27): a report of a journal with a torn last line was written
    // with exit 0 and no word about it.
    let (abs, rel) = play_session("2026-05-14-textbook", "report-torn");
    let mut text = std::fs::read_to_string(&abs).unwrap();
    text.push_str("{\"seq\":999,\"at\":");
    std::fs::write(&abs, text).unwrap();
    let md = abs.with_extension("md");
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "-o"])
        .args([md.to_str().unwrap()])
        .run();
    out.code(1).stderr_has(&format!(
        "warning: {rel}: the journal is not complete: its last line is cut short (a crash); the report covers the events before it; `ttx run --resume {rel}` completes the journal"
    ));
    let written = std::fs::read_to_string(&md).unwrap();
    assert!(
        written
            .contains("> **The journal is not complete:** its last line is cut short (a crash)."),
        "{written}"
    );
    // Everything acknowledged before the tear is there, up to the end.
    assert!(written.contains("| end | facilitator | The exercise ended; hot wash. |"));
    let json = Ttx::new()
        .cwd("examples/acme")
        .args(["report", "--no-ledger", &rel, "--format", "json"])
        .run();
    json.code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["exercise"]["incomplete"],
        "its last line is cut short (a crash)"
    );
    std::fs::remove_file(&md).unwrap();
}

#[test]
fn a_template_of_ones_own_may_include_the_shared_stylesheet() {
    let (_, rel) = play_session("2026-05-14-textbook", "report-own-style");
    let dir = root().join("examples/acme/journals");
    let template = dir.join("own-style.html.j2");
    std::fs::write(
        &template,
        "<style>{% include \"ttx.css\" %}h1 { color: teal; }</style><h1>{{ exercise.title }}</h1>\n",
    )
    .unwrap();
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "report",
            "--no-ledger",
            &rel,
            "--format",
            "html",
            "--template",
            "journals/own-style.html.j2",
        ])
        .run();
    out.code(0)
        .stdout_has("body { font: 15px/1.45 system-ui, sans-serif;")
        .stdout_has("h1 { color: teal; }</style><h1>Leaked payments credential");
    // The stylesheet's own comment is a template comment: no page carries it.
    assert!(!out.stdout.contains("shares"), "{}", out.stdout);
    std::fs::remove_file(&template).unwrap();
}
