//! `ttx serve` over HTTP: every route and every refusal, the role scoping searched for
//! leaks in every response, the links, resume after `kill -9`, and a web-played journal
//! that is the same as a piped one.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES;

use crate::served::{Served, command, form, get, ids, stream, stream_at};
use crate::support::{Ttx, root};

fn scenario() -> Scenario {
    load::load_file::<Scenario>(
        FileKind::Scenario,
        &root().join("scenarios/payments-credential-leak.yaml"),
        DEFAULT_MAX_FILE_BYTES,
    )
    .expect("the scenario loads")
    .value
}

fn ok(s: &Served, token: &str, line: &str) -> String {
    let r = command(s, token, line);
    assert_eq!(r.status, 200, "`{line}` answered {}: {}", r.status, r.body);
    assert!(
        r.body.starts_with("ok") || !r.body.starts_with('!'),
        "{}",
        r.body
    );
    r.body
}

/// The nonce of the first form on a page.
fn nonce(page: &str) -> String {
    let at = page.find("name=\"nonce\" value=\"").expect("a form nonce") + 20;
    page[at..at + 32].to_string()
}

#[test]
fn the_links_file_is_private_and_names_every_audience() {
    let s = Served::start("links");
    let l = &s.links;
    for k in ["facilitator", "observer", "room"] {
        let url = l[k]["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/join/", s.base)), "{url}");
        assert!(url.ends_with(l[k]["token"].as_str().unwrap()));
        assert_eq!(l[k]["token"].as_str().unwrap().len(), 32, "128 bits as hex");
    }
    let roles: HashSet<&str> = l["roles"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        roles,
        HashSet::from(["ic", "oncall", "pm", "comms", "legal"])
    );
    assert!(
        l["people"]["raj-patel"]["token"].is_string(),
        "people from the roster's assignments"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["links.json", "j.jsonl.keys"] {
            let mode = std::fs::metadata(s.dir.join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f} is private");
        }
    }
    let keys = std::fs::read_to_string(s.dir.join("j.jsonl.keys")).unwrap();
    for t in [s.token(&["facilitator"]), s.token(&["roles", "oncall"])] {
        assert!(
            !keys.contains(&t),
            "only hashes are kept beside the journal"
        );
    }
    // Standard error is a pipe here, as under a service manager or `2>serve.log`: no
    // token reaches it, only where the links are (issue 27).
    let err = s.stderr();
    for t in [s.token(&["facilitator"]), s.token(&["roles", "oncall"])] {
        assert!(!err.contains(&t), "a token on stderr:\n{err}");
    }
    assert!(!err.contains("/join/"), "{err}");
    assert!(
        err.contains("join links written to") && err.contains("links.json"),
        "{err}"
    );
}

/// Without `--links` and off a terminal, the links go to a private file beside the
/// journal, so they are neither lost nor logged.
#[test]
fn off_a_terminal_the_links_go_to_a_private_file_beside_the_journal() {
    let dir = crate::served::fresh_dir("links-beside");
    let journal = dir.join("j.jsonl");
    let port = crate::served::free_port();
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "serve",
            crate::served::SCENARIO,
            "--journal",
            journal.to_str().unwrap(),
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .stdin("quit\n")
        .run();
    let file = dir.join("j.jsonl.links.json");
    let links: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let token = links["facilitator"]["token"].as_str().unwrap();
    assert!(
        !out.stderr.contains(token) && !out.stdout.contains(token),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&file.display().to_string()),
        "{}",
        out.stderr
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn every_route_answers_and_every_refusal_says_why() {
    let s = Served::start("routes");
    let oncall = s.token(&["roles", "oncall"]);
    // No link yet.
    let r = get(&s, "/", None);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Open your join link"), "{}", r.body);
    // A link of another exercise (or a guess).
    let r = get(&s, "/", Some("0123456789abcdef0123456789abcdef"));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("belongs to another exercise"), "{}", r.body);
    let r = get(&s, "/join/0123456789abcdef0123456789abcdef", None);
    assert_eq!(r.status, 401);
    // Nothing there, no listing.
    for path in ["/nothing", "/static/", "/static/../Cargo.toml", "/join/"] {
        let r = get(&s, path, None);
        assert_eq!(r.status, 404, "{path}");
    }
    // The join link sets a strict, script-proof cookie and moves on without the token.
    let r = get(&s, &format!("/join/{oncall}"), None);
    assert_eq!(r.status, 200);
    let cookie = r.header("set-cookie").expect("a cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(r.body.contains("url=/\""), "moves on to / : {}", r.body);
    assert_eq!(
        r.header("referrer-policy"),
        Some("no-referrer"),
        "the token never leaves in a referrer"
    );
    assert!(
        !r.body.contains(&oncall),
        "the page does not repeat the token"
    );
    // The page, with the policy that allows no inline script.
    let r = get(&s, "/", Some(&oncall));
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("cannot render"), "{}", r.body);
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    assert!(!r.body.contains("<script>"), "no inline script");
    assert!(
        r.body.contains("Playing On-call engineer") || r.body.contains("(oncall)"),
        "{}",
        r.body
    );
    for asset in ["/static/serve.css", "/static/serve.js"] {
        assert_eq!(get(&s, asset, None).status, 200, "{asset}");
    }
    // The stream needs a token too.
    let r = get(&s, "/api/events", None);
    assert_eq!(r.status, 401);
    // The command API: the acknowledgement, or the console's refusal.
    let f = s.token(&["facilitator"]);
    assert!(ok(&s, &f, "advance 5m").starts_with("ok"));
    let r = command(&s, &f, "advance soon");
    assert_eq!(r.status, 422);
    assert!(
        r.body.starts_with("! advance takes a duration"),
        "{}",
        r.body
    );
    let r = command(&s, &f, "");
    assert_eq!(r.status, 400);
    let r = command(&s, &f, "status");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("0:05:00"), "{}", r.body);
}

#[test]
fn a_hostile_participant_is_refused_and_nothing_is_journaled() {
    let s = Served::start("hostile");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let raj = s.token(&["people", "raj-patel"]);
    ok(&s, &f, "advance 10m");
    let before = s.journal_len();
    let refused = |r: crate::served::Reply, status: u16, says: &str| {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(r.body.contains(says), "expected `{says}` in {}", r.body);
    };
    // Another role's move, the facilitator's commands, a person it is not.
    refused(
        command(&s, &oncall, "decide ic declare_incident"),
        403,
        "another role's move",
    );
    refused(
        command(&s, &oncall, "notify ic oncall : forged"),
        403,
        "another role's move",
    );
    refused(
        command(&s, &oncall, "advance 30m"),
        403,
        "a participant's link may",
    );
    refused(
        command(&s, &oncall, "note : mine"),
        403,
        "a participant's link may",
    );
    refused(command(&s, &oncall, "end"), 403, "a participant's link may");
    refused(
        command(&s, &oncall, "truth"),
        403,
        "a participant's link may",
    );
    refused(
        command(&s, &raj, "decide oncall investigate_ci by=chloe-martin"),
        403,
        "you speak as raj-patel",
    );
    refused(
        command(&s, &oncall, "strength : we did well"),
        409,
        "hot wash is not open",
    );
    refused(
        command(&s, &oncall, "answer 1 : yes"),
        409,
        "not on the screen",
    );
    let observer = s.token(&["observer"]);
    refused(
        command(&s, &observer, "decide oncall investigate_ci"),
        403,
        "read-only",
    );
    refused(
        command(&s, &s.token(&["room"]), "note : x"),
        403,
        "read-only",
    );
    // A forged role in a form is not read: the link's role decides.
    let page = get(&s, "/", Some(&oncall)).body;
    let r = form(
        &s,
        &oncall,
        Some(&s.base),
        &[
            ("kind", "decide"),
            ("role", "ic"),
            ("decision", "declare_incident"),
            ("nonce", &nonce(&page)),
        ],
    );
    assert_eq!(
        r.status, 422,
        "oncall may not take ic's decision: {}",
        r.body
    );
    assert!(r.body.contains("declare_incident"), "{}", r.body);
    // A browser post from another site, or with no origin: refused (CSRF).
    let page = get(&s, "/", Some(&oncall)).body;
    for origin in [Some("http://evil.example"), None] {
        let r = form(
            &s,
            &oncall,
            origin,
            &[
                ("kind", "action"),
                ("text", "forged"),
                ("nonce", &nonce(&page)),
            ],
        );
        assert_eq!(r.status, 403, "{origin:?}: {}", r.body);
        assert!(r.body.contains("did not come from a page of this exercise"));
    }
    // A form without its nonce, then a replayed one.
    let r = form(
        &s,
        &oncall,
        Some(&s.base),
        &[("kind", "action"), ("text", "x")],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        s.journal_len(),
        before,
        "nothing of the refusals was journaled"
    );
    let page = get(&s, "/", Some(&oncall)).body;
    let n = nonce(&page);
    let fields = [
        ("kind", "action"),
        ("text", "we page the DBA"),
        ("nonce", n.as_str()),
    ];
    let r = form(&s, &oncall, Some(&s.base), &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(s.journal_len(), before + 1);
    let r = form(&s, &oncall, Some(&s.base), &fields);
    assert_eq!(r.status, 409, "a replay: {}", r.body);
    assert!(r.body.contains("already sent"));
    assert_eq!(s.journal_len(), before + 1, "the replay journaled nothing");
    // A megabyte of rationale.
    let status = crate::served::oversized_command(&s, &oncall, 1 << 20);
    assert!(
        status.contains(" 413 "),
        "a megabyte is refused before it is read: {status}"
    );
    assert_eq!(s.journal_len(), before + 1);
    // A flood: the burst passes, then the link is slowed down.
    let mut limited = 0;
    for _ in 0..60 {
        if command(&s, &oncall, "view oncall").status == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0, "a flood meets the rate limit");
    // A cookie from another exercise opens nothing here.
    let other = Served::start("hostile-other");
    let stolen = other.token(&["roles", "oncall"]);
    assert_eq!(get(&s, "/", Some(&stolen)).status, 401);
    assert_eq!(
        command(&s, &stolen, "decide oncall investigate_ci").status,
        401
    );
    assert_eq!(s.journal_len(), before + 1);
}

/// Everything each audience can receive: its page, its stream from the start, and its
/// answers from the command API.
fn everything(s: &Served, token: &str) -> String {
    let mut all = get(s, "/", Some(token)).body;
    all.push_str(&stream(
        s,
        token,
        "?after=0",
        None,
        Duration::from_millis(800),
    ));
    all.push_str(&stream(s, token, "", None, Duration::from_millis(300)));
    assert!(!all.contains("cannot render"), "a template failed: {all}");
    all
}

#[test]
fn a_role_receives_nothing_another_role_was_sent_and_no_page_but_the_facilitators_holds_a_secret() {
    let s = Served::start("scoping");
    let sc = scenario();
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let ic = s.token(&["roles", "ic"]);
    for line in [
        "advance 10m",
        "note : the facilitator thinks oncall is chasing the CDN",
        "inject pm : the CFO is on the phone",
        "ask 1",
        "advance 15m",
    ] {
        ok(&s, &f, line);
    }
    ok(
        &s,
        &oncall,
        "decide oncall investigate_ci high : it looks like CI",
    );
    ok(&s, &oncall, "notify oncall ic : it is a leaked key");
    ok(
        &s,
        &ic,
        "decide ic declare_incident : we call it a SEV2 now",
    );
    ok(&s, &f, "advance 30m");
    let journal = s.journal();
    let mut secrets: Vec<String> = vec![
        "red herring".into(),
        "red_herring".into(),
        "draw (".into(),
        "script (".into(),
    ];
    secrets.push("the facilitator thinks oncall is chasing the CDN".into());
    for i in &sc.injects {
        if let Some(n) = &i.notes {
            secrets.push(n.trim().to_string());
        }
    }
    for e in &sc.expectations {
        if let Some(c) = &e.corrective_action {
            secrets.push(c.trim().to_string());
        }
    }
    let revealed: HashSet<String> = journal
        .iter()
        .filter(|l| l["event"]["type"] == "reveal")
        .map(|l| l["event"]["fact"].as_str().unwrap().to_string())
        .collect();
    for (id, fact) in &sc.facts {
        secrets.push(id.to_string());
        if !revealed.contains(id.as_str()) {
            secrets.push(fact.text.trim().to_string());
        }
    }
    for l in journal.iter().filter(|l| l["event"]["type"] == "draw") {
        secrets.push(format!("-> {}", l["event"]["result"].as_str().unwrap()));
    }
    // What was sent to whom.
    let mut sent: Vec<(Vec<String>, String)> = Vec::new();
    for l in &journal {
        let e = &l["event"];
        let to = |v: &Value| -> Vec<String> {
            match v {
                Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                Value::String(s) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        match e["type"].as_str().unwrap() {
            "deliver" | "ad_hoc_inject" | "reveal" => {
                sent.push((to(&e["to"]), e["text"].as_str().unwrap().to_string()))
            }
            "notify" => sent.push((
                vec![
                    e["from"].as_str().unwrap().into(),
                    e["to"].as_str().unwrap().into(),
                ],
                e["text"].as_str().unwrap_or("").to_string(),
            )),
            "decision" => sent.push((
                vec![e["by"].as_str().unwrap().into()],
                e["rationale"].as_str().unwrap_or("").to_string(),
            )),
            _ => {}
        }
    }
    assert!(sent.len() > 6, "the exercise sent things to several roles");
    for (role, _) in &sc.roles {
        let role = role.as_str();
        let text = everything(&s, &s.token(&["roles", role]));
        let api = command(&s, &s.token(&["roles", role]), &format!("view {role}")).body;
        for t in [&text, &api] {
            for secret in &secrets {
                assert!(
                    !t.contains(secret.as_str()),
                    "{role} receives the secret `{secret}`"
                );
            }
            for (to, words) in &sent {
                let mine = to.iter().any(|r| r == role);
                let also_mine = sent
                    .iter()
                    .any(|(t2, w2)| w2 == words && t2.iter().any(|r| r == role));
                if !mine && !also_mine && !words.is_empty() {
                    assert!(
                        !t.contains(&html_escape(words)) && !t.contains(words.as_str()),
                        "{role} receives `{words}`, sent to {to:?}"
                    );
                }
            }
        }
    }
    let oncall_text = everything(&s, &oncall);
    assert!(
        oncall_text.contains("ALERT cdn"),
        "on-call sees its own injects"
    );
    assert!(
        oncall_text.contains("nine days ago"),
        "and what its decision revealed"
    );
    for audience in [["observer"], ["room"]] {
        let text = everything(&s, &s.token(&audience));
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{audience:?} receives the secret `{secret}`"
            );
        }
    }
    let observer = everything(&s, &s.token(&["observer"]));
    assert!(observer.contains("ALERT cdn") && observer.contains("the CFO is on the phone"));
    let room = everything(&s, &s.token(&["room"]));
    assert!(
        !room.contains("ALERT cdn"),
        "the room sees only what was sent to everyone"
    );
    assert!(
        room.contains(sc.questions[0].ask.trim()),
        "the room shows the question"
    );
    // The facilitator sees the truth only when revealed.
    let plain = get(&s, "/", Some(&f)).body;
    assert!(!plain.contains("[red herring]") && !plain.contains("draw ("));
    let truth = get(&s, "/?truth=1", Some(&f)).body;
    assert!(
        truth.contains("[red herring]") && truth.contains("draw ("),
        "{truth}"
    );
    assert!(
        truth.contains("Unrelated to refunds"),
        "the notes, behind the toggle"
    );
}

fn html_escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

#[test]
fn a_stream_resumes_with_exactly_what_it_missed_and_links_survive_kill_9() {
    let mut s = Served::start("resume");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    ok(&s, &f, "advance 5m");
    let first = stream(&s, &oncall, "?after=0", None, Duration::from_millis(500));
    let seen = ids(&first);
    assert!(!seen.is_empty(), "{first}");
    let last = *seen.last().unwrap();
    ok(&s, &oncall, "decide oncall investigate_ci : CI");
    ok(&s, &f, "advance 15m");
    let acknowledged = s.journal_len();
    s.kill9();
    s.resume();
    assert!(s.stderr().contains("keep working"), "{}", s.stderr());
    assert_eq!(
        s.journal_len(),
        acknowledged,
        "nothing acknowledged was lost"
    );
    // The same link, and the browser's Last-Event-ID: exactly the items after it.
    let again = stream(&s, &oncall, "", Some(last), Duration::from_millis(500));
    let missed = ids(&again);
    let everything = ids(&stream(
        &s,
        &oncall,
        "?after=0",
        None,
        Duration::from_millis(500),
    ));
    let expected: Vec<u64> = everything.iter().copied().filter(|i| *i > last).collect();
    assert_eq!(missed, expected, "{again}");
    assert!(!missed.is_empty());
    assert!(again.contains("Search CI configuration"), "{again}");
    ok(&s, &f, "end");
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
    let j = s.dir.join("j.jsonl");
    Ttx::new()
        .args(["verify", j.to_str().unwrap()])
        .run()
        .code(0);
    assert!(
        !s.dir.join("j.jsonl.lock").exists(),
        "the journal was closed"
    );
}

#[test]
fn links_stop_at_end_and_the_debrief_stays_for_facilitator_and_observer() {
    let mut s = Served::start("end");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let raj = s.token(&["people", "raj-patel"]);
    // A person's join feeds the roll call.
    assert_eq!(get(&s, &format!("/join/{raj}"), None).status, 200);
    assert!(s.journal().iter().any(|l| l["event"]["type"] == "present"
        && l["event"]["person"] == "raj-patel"
        && l["event"]["role"] == "oncall"));
    ok(&s, &f, "hotwash");
    ok(&s, &oncall, "strength : the pager worked");
    ok(&s, &f, "ask 2");
    ok(&s, &oncall, "answer 2 : the processor's status page lags");
    s.type_line("end");
    s.close_stdin();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !s.journal().iter().any(|l| l["event"]["type"] == "end") {
        assert!(
            std::time::Instant::now() < deadline,
            "end from the console is journaled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The journal line is written before the server's pages hear of it (the exercise thread
    // fsyncs, then tells the hub): the links stop a moment later, not in the same instant.
    while get(&s, "/", Some(&oncall)).status != 410 {
        assert!(
            std::time::Instant::now() < deadline,
            "a role's link stops once the end is journaled"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        command(&s, &oncall, "decide oncall investigate_ci").status,
        410
    );
    assert_eq!(get(&s, "/", Some(&s.token(&["room"]))).status, 410);
    assert_eq!(
        get(&s, "/", Some(&f)).status,
        200,
        "the facilitator's debrief"
    );
    assert_eq!(
        get(&s, "/", Some(&s.token(&["observer"]))).status,
        200,
        "the observer's debrief"
    );
    assert!(
        ok(&s, &f, "note : debrief went well").starts_with("ok"),
        "notes still go in after end"
    );
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
    assert!(s.stderr().contains("still serving"), "{}", s.stderr());
}

#[test]
fn a_journal_played_over_the_web_is_the_journal_of_the_same_commands_on_a_pipe() {
    let lines = [
        "advance 10m",
        "decide oncall investigate_ci high re=spike : CI",
        "notify oncall ic : leaked key",
        "advance 10m",
        "decide ic declare_incident : SEV2",
        "ask 1",
        "answer 1 : we would block refunds",
        "hotwash",
        "strength : fast paging",
        "end",
    ];
    let mut s = Served::start("same-journal");
    let f = s.token(&["facilitator"]);
    for l in lines {
        ok(&s, &f, l);
    }
    assert_eq!(s.terminate(), Some(0));
    let web = std::fs::read_to_string(s.dir.join("j.jsonl")).unwrap();
    let dir = crate::served::fresh_dir("same-journal-pipe");
    let piped = dir.join("j.jsonl");
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "run",
            crate::served::SCENARIO,
            "--seed",
            "7",
            "--now",
            "2026-05-14T14:00:00Z",
            "--journal",
            piped.to_str().unwrap(),
        ])
        .stdin(&(lines.join("\n") + "\n"))
        .run()
        .code(0);
    let piped = std::fs::read_to_string(&piped).unwrap();
    // Both journals sit at the same depth, so even the start event's relative scenario
    // path is the same: byte for byte.
    assert_eq!(web, piped, "the web and the pipe journal the same bytes");
    let j = s.dir.join("j.jsonl");
    Ttx::new()
        .args(["verify", j.to_str().unwrap()])
        .run()
        .code(0);
}

#[test]
fn the_console_beside_the_server_shows_the_links_and_a_qr_code_for_a_phone() {
    let mut s = Served::start("console");
    let raj = s.links["people"]["raj-patel"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    s.type_line("links");
    s.until_stdout(&raj);
    s.type_line("links raj-patel");
    let out = s.until_stdout("raj-patel as oncall: ");
    assert!(
        out.contains('\u{2588}') || out.contains('\u{2580}') || out.contains('\u{2584}'),
        "a QR code in block characters:\n{out}"
    );
    s.type_line("links nobody");
    s.until_stdout("no link named `nobody`");
    // The console is the engine's: a command typed here reaches every page.
    s.type_line("inject oncall : typed at the console");
    let oncall = s.token(&["roles", "oncall"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !get(&s, "/", Some(&oncall))
        .body
        .contains("typed at the console")
    {
        assert!(std::time::Instant::now() < deadline, "{}", s.stdout());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_port_in_use_or_a_bad_address_is_a_clear_error_before_any_journal_is_written() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = crate::served::fresh_dir("port-in-use");
    let journal = dir.join("j.jsonl");
    let bind = format!("127.0.0.1:{port}");
    let out = Ttx::new()
        .cwd("examples/acme")
        .args([
            "serve",
            crate::served::SCENARIO,
            "--journal",
            journal.to_str().unwrap(),
            "--bind",
            &bind,
        ])
        .stdin("status\n")
        .run();
    out.code(2)
        .stderr_has("cannot listen on 127.0.0.1:")
        .stderr_has("choose another address with --bind");
    // One clear error, and nothing of a console that never started (issue 27).
    assert_eq!(out.stderr.trim_end().lines().count(), 1, "{}", out.stderr);
    assert!(
        !out.stderr.contains("still serving") && out.stdout.is_empty(),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(
        !journal.exists(),
        "no journal for an exercise that never started"
    );
    Ttx::new()
        .cwd("examples/acme")
        .args([
            "serve",
            crate::served::SCENARIO,
            "--journal",
            journal.to_str().unwrap(),
            "--public-url",
            "ttx.example.org",
        ])
        .run()
        .code(2)
        .stderr_has("write it like https://ttx.example.org");
    Ttx::new()
        .args(["serve"])
        .run()
        .code(2)
        .stderr_has("name a scenario, or a journal with --resume");
    drop(taken);
}

#[test]
fn every_form_of_every_page_posts_its_command() {
    let s = Served::start("forms");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let post = |token: &str, fields: &[(&str, &str)]| {
        let page = get(&s, "/", Some(token)).body;
        let n = nonce(&page);
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("nonce", &n));
        form(&s, token, Some(&s.base), &all)
    };
    let done = |r: crate::served::Reply| assert_eq!(r.status, 303, "{}", r.body);
    done(post(&f, &[("kind", "advance"), ("by", "10m")]));
    done(post(
        &f,
        &[
            ("kind", "inject"),
            ("to", "oncall"),
            ("to", "ic"),
            ("text", "the board wants an update"),
        ],
    ));
    done(post(&f, &[("kind", "note"), ("text", "slow start")]));
    done(post(
        &f,
        &[
            ("kind", "rate"),
            ("objective", "detect"),
            ("rating", "s"),
            ("reason", "paged late"),
        ],
    ));
    done(post(&f, &[("kind", "line"), ("line", "ask 1")]));
    done(post(
        &f,
        &[("kind", "line"), ("line", "hotwash"), ("truth", "1")],
    ));
    // A query answers on the page; a refusal says why, with the console's words.
    let r = post(&f, &[("kind", "line"), ("line", "questions")]);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("class=\"message answer\"") && r.body.contains("[due]"),
        "{}",
        r.body
    );
    let r = post(&f, &[("kind", "advance"), ("by", "soon")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("advance takes a duration"), "{}", r.body);
    let r = post(&f, &[("kind", "teleport")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("not something this page sends"),
        "{}",
        r.body
    );
    done(post(
        &oncall,
        &[
            ("kind", "decide"),
            ("decision", "investigate_ci"),
            ("confidence", "medium"),
            ("re", "spike"),
            ("rationale", "a fork?"),
        ],
    ));
    done(post(
        &oncall,
        &[("kind", "action"), ("text", "paged the DBA")],
    ));
    done(post(
        &oncall,
        &[("kind", "notify"), ("to", "ic"), ("text", "possible SEV2")],
    ));
    done(post(
        &oncall,
        &[
            ("kind", "answer"),
            ("question", "1"),
            ("text", "the IC decides"),
        ],
    ));
    done(post(
        &oncall,
        &[("kind", "strength"), ("text", "the pager worked")],
    ));
    done(post(
        &oncall,
        &[
            ("kind", "improve"),
            ("text", "page the IC sooner"),
            ("owner", "payments"),
            ("action", "add the IC to the refund alert"),
        ],
    ));
    let r = post(
        &oncall,
        &[("kind", "improve"), ("text", "x"), ("owner", "paymnets")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("did you mean"), "{}", r.body);
    let r = post(
        &oncall,
        &[
            ("kind", "decide"),
            ("decision", "investigate_ci"),
            ("confidence", "sure"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("not a confidence"), "{}", r.body);
    let events: Vec<Value> = s
        .journal()
        .into_iter()
        .map(|l| l["event"].clone())
        .collect();
    let has = |want: Value| {
        assert!(
            events
                .iter()
                .any(|e| want.as_object().unwrap().iter().all(|(k, v)| &e[k] == v)),
            "the journal has {want}"
        )
    };
    has(serde_json::json!({"type": "advance", "to": 600}));
    has(
        serde_json::json!({"type": "ad_hoc_inject", "to": ["oncall", "ic"], "text": "the board wants an update"}),
    );
    has(serde_json::json!({"type": "note", "text": "slow start"}));
    has(
        serde_json::json!({"type": "rate", "objective": "detect", "rating": "S", "reason": "paged late"}),
    );
    has(serde_json::json!({"type": "ask", "question": 1}));
    has(serde_json::json!({"type": "hot_wash"}));
    has(
        serde_json::json!({"type": "decision", "by": "oncall", "decision": "investigate_ci", "confidence": "medium", "prompted_by": "spike", "rationale": "a fork?"}),
    );
    has(serde_json::json!({"type": "decision", "by": "oncall", "action": "paged the DBA"}));
    has(
        serde_json::json!({"type": "notify", "from": "oncall", "to": "ic", "text": "possible SEV2"}),
    );
    has(serde_json::json!({"type": "answer", "question": 1, "text": "the IC decides"}));
    has(serde_json::json!({"type": "strength", "text": "the pager worked"}));
    has(
        serde_json::json!({"type": "improve", "text": "page the IC sooner", "owner": "payments", "action": "add the IC to the refund alert"}),
    );
}

/// A scenario in modules over the web: the facilitator's page offers the next module, opening
/// it journals its briefing and story time, and every role's page shows both.
#[test]
fn a_module_opens_from_the_facilitators_page_and_every_role_reads_its_briefing() {
    let mut s = Served::start_with("modules", "../../scenarios/saas-vendor-breach.yaml");
    let f = s.token(&["facilitator"]);
    let legal = s.token(&["roles", "legal"]);
    let page = get(&s, "/", Some(&f)).body;
    assert!(
        page.contains(r#"value="open scoping">Open Module 2: Scoping, the next day"#),
        "the facilitator's page offers the next module"
    );
    ok(&s, &f, "open scoping");
    let opened = s
        .journal()
        .into_iter()
        .find(|l| l["event"]["type"] == "module_opened" && l["event"]["module"] == "scoping")
        .expect("the module's opening is journaled");
    assert_eq!(opened["event"]["story"], "Day 2, 11:00");
    let role = get(&s, "/", Some(&legal)).body;
    assert!(role.contains("Module 2: Scoping, the next day"), "{role}");
    assert!(role.contains("module · story Day 2, 11:00"), "{role}");
    assert!(
        !role.contains("Open Module"),
        "only the facilitator opens modules"
    );
    assert_eq!(
        command(&s, &legal, "open clock").status,
        403,
        "a role's link cannot open a module"
    );
    assert!(
        !s.journal()
            .iter()
            .any(|l| l["event"]["type"] == "open" && l["event"]["module"] == "clock"),
        "nothing is journaled for the refused open"
    );
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
}

#[test]
fn links_are_revoked_and_reissued_at_the_console_and_on_the_facilitators_page() {
    let mut s = Served::start("revoke");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let raj = s.token(&["people", "raj-patel"]);
    let observer = s.token(&["observer"]);
    let origin = s.base.clone();
    assert_eq!(get(&s, "/", Some(&oncall)).status, 200);
    // An open stream of a link ends when the link is revoked.
    let watching = {
        let (port, observer) = (s.port, observer.clone());
        std::thread::spawn(move || stream_at(port, &observer, "", None, Duration::from_secs(8)))
    };
    std::thread::sleep(Duration::from_millis(500));

    // At the console.
    s.type_line("links revoke oncall");
    s.until_stdout("the link of oncall (role link) is revoked");
    s.type_line("links revoke observer");
    s.until_stdout("the link of observer is revoked");
    let gone = get(&s, "/", Some(&oncall));
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert!(gone.body.contains("revoked"), "{}", gone.body);
    assert_eq!(
        command(&s, &oncall, "decide oncall investigate_ci").status,
        410
    );
    assert_eq!(get(&s, &format!("/join/{oncall}"), None).status, 410);
    s.type_line("links revoke oncall");
    s.until_stdout("`oncall` was revoked; `links reissue oncall` gives them a new one");
    s.type_line("links revoke facilitator");
    s.until_stdout("the facilitator's link cannot be revoked");
    let streamed = watching.join().unwrap();
    assert!(streamed.contains("event: revoked"), "{streamed}");
    // The links file no longer holds the revoked tokens.
    let file = std::fs::read_to_string(s.dir.join("links.json")).unwrap();
    assert!(
        !file.contains(&oncall) && !file.contains(&observer),
        "{file}"
    );

    // On the facilitator's page: a participant may not, the facilitator may.
    let page = get(&s, "/", Some(&f)).body;
    assert!(
        page.contains("value=\"person:raj-patel\""),
        "the page lists the links"
    );
    let reissue_raj = |n: &str| {
        [
            ("kind", "link".to_string()),
            ("name", "person:raj-patel".to_string()),
            ("change", "reissue".to_string()),
            ("nonce", n.to_string()),
        ]
    };
    let post = |token: &str, fields: &[(&str, String)]| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form(&s, token, Some(&origin), &pairs)
    };
    let raj_page = get(&s, "/", Some(&raj)).body;
    let refused = post(&raj, &reissue_raj(&nonce(&raj_page)));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let done = post(&f, &reissue_raj(&nonce(&page)));
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("is issued anew"), "{}", done.body);
    assert_eq!(get(&s, "/", Some(&raj)).status, 410, "the old link is gone");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.dir.join("links.json")).unwrap()).unwrap();
    let new_raj = file["people"]["raj-patel"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_raj, raj);
    assert!(
        done.body.contains(&new_raj),
        "the page shows the new link once"
    );
    assert_eq!(get(&s, &format!("/join/{new_raj}"), None).status, 200);

    // Journaled as events without the token, and the journal still verifies.
    let journal = std::fs::read_to_string(s.dir.join("j.jsonl")).unwrap();
    for t in [&oncall, &observer, &raj, &new_raj] {
        assert!(!journal.contains(t.as_str()), "a token in the journal");
    }
    let changes: Vec<(String, String)> = s
        .journal()
        .iter()
        .filter(|l| l["event"]["type"] == "link")
        .map(|l| {
            (
                l["event"]["link"].as_str().unwrap().to_string(),
                l["event"]["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("oncall".to_string(), "revoked".to_string()),
            ("observer".to_string(), "revoked".to_string()),
            ("raj-patel".to_string(), "reissued".to_string()),
        ]
    );

    // After kill -9 and --resume, the revocations stand and the new link works.
    s.kill9();
    s.resume();
    assert_eq!(get(&s, "/", Some(&oncall)).status, 410);
    assert_eq!(get(&s, "/", Some(&raj)).status, 410);
    assert_eq!(get(&s, &format!("/join/{new_raj}"), None).status, 200);
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
    let j = s.dir.join("j.jsonl");
    Ttx::new()
        .args(["verify", j.to_str().unwrap()])
        .run()
        .code(0);
}

/// The conversation over the web console's command endpoint: each role speaks only as
/// itself, and each page (role, observer, room) shows only the channels it reads.
#[test]
fn each_page_shows_only_the_conversation_its_audience_reads() {
    let s = Served::start("conversation");
    let f = s.token(&["facilitator"]);
    let ic = s.token(&["roles", "ic"]);
    let oncall = s.token(&["roles", "oncall"]);
    let legal = s.token(&["roles", "legal"]);
    ok(&s, &oncall, "say oncall war : refund errors climbing");
    ok(
        &s,
        &ic,
        "dm ic comms : hold the statement until legal has read it",
    );
    ok(&s, &legal, "private legal : is the 72-hour clock running?");
    ok(&s, &f, "reply legal : not until the incident is declared");
    ok(&s, &oncall, "forward oncall spike ic : is this ours?");
    // Another role's voice is refused, with the reason, and nothing is journaled.
    let before = s.journal().len();
    let r = command(&s, &oncall, "dm ic comms : sneaky");
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("speaks as oncall"), "{}", r.body);
    assert_eq!(s.journal().len(), before);
    let page = |path: &[&str]| get(&s, "/", Some(&s.token(path))).body;
    let war = "refund errors climbing";
    let dm = "hold the statement until legal has read it";
    let line = "is the 72-hour clock running?";
    let answer = "not until the incident is declared";
    let forward = "is this ours?";
    let cases: [(&[&str], &[&str], &[&str]); 6] = [
        (&["roles", "ic"], &[war, dm, forward], &[line, answer]),
        (&["roles", "comms"], &[war, dm], &[line, answer, forward]),
        (&["roles", "legal"], &[war, line, answer], &[dm, forward]),
        (&["roles", "pm"], &[war], &[dm, line, answer, forward]),
        (&["observer"], &[war], &[dm, line, answer, forward]),
        (&["room"], &[], &[war, dm, line, answer, forward]),
    ];
    for (who, shown, hidden) in cases {
        let body = page(who);
        for t in shown {
            assert!(body.contains(t), "{who:?} is shown {t:?}");
        }
        for t in hidden {
            assert!(!body.contains(t), "{who:?} must not see {t:?}");
        }
    }
    let facilitator = page(&["facilitator"]);
    for t in [war, dm, line, answer, forward] {
        assert!(facilitator.contains(t), "the facilitator sees {t:?}");
    }
}

/// A role's page talks (issue 25): the Talk card's forms say something in the war room, in
/// a direct message, on the private line, ask a character and pass an inject on, each as
/// the link's role; what arrived stands before the moves on the page; and what the form
/// says goes only where its channel reaches.
#[test]
fn a_role_page_talks_asks_a_character_and_forwards_from_its_forms() {
    let s = Served::start_with(
        "talk-forms",
        "../../scenarios/checkout-outage-ask-around.yaml",
    );
    let oncall = s.token(&["roles", "oncall"]);
    let page = get(&s, "/", Some(&oncall)).body;
    // The feed comes before the moves (a phone and a screen reader read it first).
    let feed = page.find("id=\"feed\"").expect("a feed");
    let talk = page.find("<h2>Talk</h2>").expect("a Talk card");
    assert!(feed < talk, "the feed stands before the moves");
    assert!(
        page.contains("<option value=\"char:sam\">ask Sam Okoro"),
        "characters to ask"
    );
    let send = |fields: &[(&str, &str)]| {
        let page = get(&s, "/", Some(&oncall)).body;
        let mut all = fields.to_vec();
        let n = nonce(&page);
        all.push(("nonce", &n));
        let r = form(&s, &oncall, Some(&s.base), &all);
        assert_eq!(r.status, 303, "{fields:?}: {}", r.body);
    };
    send(&[
        ("kind", "say"),
        ("to", "war"),
        ("text", "checkout failing, looking"),
    ]);
    send(&[
        ("kind", "say"),
        ("to", "ic"),
        ("re", "failing"),
        ("text", "a third of checkouts fail"),
    ]);
    send(&[
        ("kind", "say"),
        ("to", "white"),
        ("text", "can I page the db team?"),
    ]);
    send(&[
        ("kind", "say"),
        ("to", "char:logs"),
        ("text", "what errors are in the logs?"),
    ]);
    send(&[
        ("kind", "forward"),
        ("re", "failing"),
        ("to", "comms"),
        ("text", "FYI"),
    ]);
    // The role's own players' channel: several engineers on one on-call link.
    assert!(page.contains("<option value=\"team:oncall\">the players of your role (team channel)"));
    send(&[
        ("kind", "say"),
        ("to", "team:oncall"),
        ("text", "I take the logs, you take the dashboards"),
    ]);
    let said: Vec<Value> = s
        .journal()
        .into_iter()
        .map(|l| l["event"].clone())
        .filter(|e| e["type"] == "message")
        .collect();
    let channels: Vec<&str> = said
        .iter()
        .map(|m| m["channel"].as_str().unwrap())
        .collect();
    assert_eq!(
        channels,
        [
            "war",
            "dm:ic+oncall",
            "private:oncall",
            "char:logs+oncall",
            "char:logs+oncall",
            "dm:comms+oncall",
            "team:oncall"
        ],
        "{said:#?}"
    );
    assert!(
        said.iter()
            .all(|m| m["from"] == "oncall" || m["from"] == "logs")
    );
    // The log search answered by itself (an automatic reply), to oncall only.
    assert_eq!(said[4]["auto"], true, "{}", said[4]);
    assert_eq!(said[5]["forward"], true);
    let text_of = |path: &[&str]| get(&s, "/", Some(&s.token(path))).body;
    let comms = text_of(&["roles", "comms"]);
    assert!(comms.contains("checkout failing, looking") && comms.contains("FYI"));
    for hidden in [
        "a third of checkouts fail",
        "can I page the db team?",
        "what errors are in the logs?",
        "I take the logs, you take the dashboards",
    ] {
        assert!(!comms.contains(hidden), "comms must not read {hidden:?}");
    }
    let ic = text_of(&["roles", "ic"]);
    assert!(ic.contains("a third of checkouts fail"));
    assert!(
        ic.contains("oncall · direct message to ic"),
        "the meta names the recipient"
    );
    assert!(!ic.contains("what errors are in the logs?"));
    // The facilitator's page lists a question to a character with the replies offered,
    // each one button away; sending one answers it and takes it off the list.
    send(&[
        ("kind", "say"),
        ("to", "char:sam"),
        ("text", "did your deploy change anything?"),
    ]);
    let f = s.token(&["facilitator"]);
    let page = get(&s, "/", Some(&f)).body;
    assert!(
        page.contains("Asked of characters"),
        "the facilitator sees the question"
    );
    assert!(
        page.contains("value=\"as sam oncall deploy-was-harmless\""),
        "a reply one click away"
    );
    let r = form(
        &s,
        &f,
        Some(&s.base),
        &[
            ("kind", "line"),
            ("line", "as sam oncall deploy-was-harmless"),
            ("nonce", &nonce(&page)),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let answered = s
        .journal()
        .into_iter()
        .map(|l| l["event"].clone())
        .any(|e| {
            e["type"] == "message" && e["from"] == "sam" && e["reply"] == "deploy-was-harmless"
        });
    assert!(answered, "the reply is journaled as the character's");
    assert!(!get(&s, "/", Some(&f)).body.contains("Asked of characters"));
    assert!(
        !text_of(&["roles", "ic"]).contains("nothing functional"),
        "the answer is oncall's"
    );
    assert!(text_of(&["roles", "oncall"]).contains("nothing functional"));
    // A form may not speak for another role: the link's role is the speaker, whatever the
    // form says, and a direct message to oneself is refused.
    let page = get(&s, "/", Some(&oncall)).body;
    let r = form(
        &s,
        &oncall,
        Some(&s.base),
        &[
            ("kind", "say"),
            ("to", "oncall"),
            ("text", "me"),
            ("nonce", &nonce(&page)),
        ],
    );
    assert_ne!(r.status, 303, "{}", r.body);
}

/// Issue 30: the facilitator's page quotes the organisation's runbook step as an
/// expectation citing it falls due, and no participant's page does.
#[test]
fn the_facilitator_s_page_quotes_the_runbook_as_an_expectation_falls_due() {
    let s = Served::start("runbook-steps");
    let f = s.token(&["facilitator"]);
    let step = "Suspected security incidents under investigation";
    assert!(!get(&s, "/", Some(&f)).body.contains(step));
    let r = command(&s, &f, "advance 12m");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("declare (ic) falls due by 0:20:00; runbook incident-severity#sev2 says"),
        "{}",
        r.body
    );
    let page = get(&s, "/", Some(&f)).body;
    assert!(page.contains("Falling due: your runbooks say"), "{page}");
    assert!(page.contains(step));
    let ic = get(&s, "/", Some(&s.token(&["roles", "ic"]))).body;
    assert!(
        !ic.contains(step),
        "a role's page shows the facilitator's runbook notes"
    );
}
