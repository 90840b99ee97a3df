//! `ttx serve` keeps answering while it refuses things (issue 27): every refusal the form
//! route `/act` can give, for every kind of caller, through the page's own form path
//! (cookie, origin, nonce), each followed by requests of others that must answer within a
//! deadline; a mixed load of accepted and refused posts for a minute; and SIGTERM and
//! SIGINT stopping the server within seconds whatever it is doing.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::served::{Served, enc};
use crate::support::Ttx;

/// How long any one request may take before the server is called stuck. Generous: a slow
/// machine is not a hung server, and a hung one never answers.
const DEADLINE: Duration = Duration::from_secs(10);

/// A client whose every request gives up at [`DEADLINE`].
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(DEADLINE))
        .build()
        .into()
}

/// Status and body, or a panic saying the server did not answer in time.
fn answer(what: &str, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    match r {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => panic!("{what}: no answer within {DEADLINE:?} ({e})"),
    }
}

fn get(s: &Served, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = agent().get(format!("{}{path}", s.base));
    if let Some(t) = cookie {
        req = req.header("Cookie", format!("ttx={t}"));
    }
    answer(&format!("GET {path}"), req.call())
}

fn post(
    s: &Served,
    cookie: Option<&str>,
    origin: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = agent()
        .post(format!("{}/act", s.base))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if let Some(t) = cookie {
        req = req.header("Cookie", format!("ttx={t}"));
    }
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    answer(&format!("POST /act {fields:?}"), req.send(body))
}

/// The nonce of the first form on a page, if it has one.
fn nonce_of(page: &str) -> Option<String> {
    let at = page.find("name=\"nonce\" value=\"")? + 20;
    page.get(at..at + 32).map(str::to_string)
}

/// The page's own form path: the page (for a fresh nonce), then the post with it.
fn form(s: &Served, token: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let (_, page) = get(s, "/", Some(token));
    let n = nonce_of(&page).unwrap_or_else(|| {
        static MADE: AtomicUsize = AtomicUsize::new(1 << 20);
        format!("{:032x}", MADE.fetch_add(1, Ordering::Relaxed))
    });
    let mut all = fields.to_vec();
    all.push(("nonce", &n));
    post(s, Some(token), Some(&s.base), &all)
}

/// After a refusal: the style sheet, the facilitator's page and the refused caller's
/// own page all answer in time.
fn still_answers(s: &Served, facilitator: &str, caller: &str, after: &str) {
    let (status, _) = get(s, "/static/serve.css", None);
    assert_eq!(status, 200, "the style sheet after {after}");
    let (status, _) = get(s, "/", Some(facilitator));
    assert_eq!(status, 200, "the facilitator's page after {after}");
    let (status, _) = get(s, "/", Some(caller));
    assert!(
        status == 200 || status == 410,
        "the caller's page after {after}: {status}"
    );
}

/// One refusal: what is posted, the status and a phrase of the reason.
struct Refused<'a> {
    fields: &'a [(&'a str, &'a str)],
    status: u16,
    says: &'a str,
}

fn refuse_each(s: &Served, facilitator: &str, who: &str, token: &str, table: &[Refused]) {
    for r in table {
        let before = s.journal_len();
        let (status, body) = form(s, token, r.fields);
        assert_eq!(status, r.status, "{who} {:?}: {body}", r.fields);
        assert!(
            body.contains(r.says),
            "{who} {:?}: expected `{}` in the page:\n{body}",
            r.fields,
            r.says
        );
        assert_eq!(
            s.journal_len(),
            before,
            "{who} {:?} journaled something",
            r.fields
        );
        still_answers(s, facilitator, token, &format!("{who} {:?}", r.fields));
    }
}

#[test]
fn every_refusal_of_the_form_route_answers_and_the_server_goes_on_answering() {
    let mut s = Served::start("form-refusals");
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    let raj = s.token(&["people", "raj-patel"]);
    let observer = s.token(&["observer"]);
    let room = s.token(&["room"]);
    let callers = [
        ("facilitator", f.as_str()),
        ("the observer", observer.as_str()),
        ("the room", room.as_str()),
        ("a role", oncall.as_str()),
        ("a person", raj.as_str()),
    ];

    // What every caller can be refused before its command is read: the form's nonce
    // missing or used twice, another origin or none, a kind no page sends.
    for (n, (who, token)) in callers.into_iter().enumerate() {
        let (status, body) = post(
            &s,
            Some(token),
            Some(&s.base),
            &[("kind", "note"), ("text", "x")],
        );
        assert_eq!(status, 400, "{who} without a nonce: {body}");
        assert!(body.contains("out of date"), "{body}");
        still_answers(&s, &f, token, &format!("{who} without a nonce"));

        let (_, page) = get(&s, "/", Some(token));
        // A read-only page has no form; a made-up nonce is still used only once.
        let n = nonce_of(&page).unwrap_or_else(|| format!("{n:032x}"));
        let fields = [("kind", "teleport"), ("nonce", n.as_str())];
        let (status, body) = post(&s, Some(token), Some(&s.base), &fields);
        assert_eq!(status, 422, "{who}: {body}");
        assert!(body.contains("not something this page sends"), "{body}");
        let (status, body) = post(&s, Some(token), Some(&s.base), &fields);
        assert_eq!(status, 409, "{who} sending a form twice: {body}");
        assert!(body.contains("already sent"), "{body}");
        still_answers(&s, &f, token, &format!("{who} sending a form twice"));

        for origin in [Some("http://evil.example"), None] {
            let (status, body) = post(&s, Some(token), origin, &[("kind", "note"), ("nonce", &n)]);
            assert_eq!(status, 403, "{who} from {origin:?}: {body}");
            assert!(body.contains("did not come from a page"), "{body}");
            still_answers(&s, &f, token, &format!("{who} from {origin:?}"));
        }
    }
    // No link, or a link of another exercise.
    let (status, body) = post(&s, None, Some(&s.base), &[("kind", "note")]);
    assert_eq!(status, 401, "{body}");
    let (status, body) = post(
        &s,
        Some(&"ab".repeat(16)),
        Some(&s.base),
        &[("kind", "note")],
    );
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("does not open this exercise"), "{body}");
    still_answers(&s, &f, &oncall, "a request without a link");

    // What each caller may not do at this moment.
    let read_only = [
        Refused {
            fields: &[("kind", "note"), ("text", "mine")],
            status: 403,
            says: "read-only",
        },
        Refused {
            fields: &[("kind", "strength"), ("text", "hello")],
            status: 403,
            says: "read-only",
        },
        Refused {
            fields: &[("kind", "decide"), ("decision", "investigate_ci")],
            status: 403,
            says: "read-only",
        },
        Refused {
            fields: &[("kind", "line"), ("line", "advance 10m")],
            status: 403,
            says: "read-only",
        },
    ];
    refuse_each(&s, &f, "the observer", &observer, &read_only);
    refuse_each(&s, &f, "the room", &room, &read_only);
    // The links panel's form is the facilitator's alone (the engine's rule, asked before
    // any token changes).
    let link_form = [("kind", "link"), ("name", "oncall"), ("change", "revoke")];
    for (who, token) in &callers[1..] {
        let says = if who.starts_with("the ") {
            "read-only"
        } else {
            "link may decide, act, notify and talk"
        };
        refuse_each(
            &s,
            &f,
            who,
            token,
            &[Refused {
                fields: &link_form,
                status: 403,
                says,
            }],
        );
    }
    let participant = [
        // The reproduction: a stale page's hot-wash form before the hot wash.
        Refused {
            fields: &[("kind", "strength"), ("text", "hello")],
            status: 409,
            says: "hot wash is not open",
        },
        Refused {
            fields: &[("kind", "improve"), ("text", "page sooner")],
            status: 409,
            says: "hot wash is not open",
        },
        Refused {
            fields: &[("kind", "answer"), ("question", "1"), ("text", "yes")],
            status: 409,
            says: "not on the screen",
        },
        Refused {
            fields: &[("kind", "line"), ("line", "decide ic declare_incident")],
            status: 403,
            says: "is another role",
        },
        Refused {
            fields: &[("kind", "line"), ("line", "notify ic oncall : forged")],
            status: 403,
            says: "is another role",
        },
        Refused {
            fields: &[("kind", "line"), ("line", "advance 30m")],
            status: 403,
            says: "link may decide, act, notify and talk",
        },
        Refused {
            fields: &[("kind", "note"), ("text", "mine")],
            status: 403,
            says: "link may decide, act, notify and talk",
        },
        Refused {
            fields: &[
                ("kind", "decide"),
                ("decision", "investigate_ci"),
                ("confidence", "sure"),
            ],
            status: 422,
            says: "not a confidence",
        },
        Refused {
            fields: &[("kind", "decide")],
            status: 422,
            says: "needs a decision",
        },
        Refused {
            fields: &[("kind", "action")],
            status: 422,
            says: "needs what you do",
        },
        Refused {
            fields: &[("kind", "notify"), ("text", "hi")],
            status: 422,
            says: "needs whom to tell",
        },
        Refused {
            fields: &[("kind", "line"), ("line", "decide oncall")],
            status: 422,
            says: "decide",
        },
        // The engine's own refusal, after the permission: no such decision.
        Refused {
            fields: &[("kind", "decide"), ("decision", "teleport_home")],
            status: 422,
            says: "teleport_home",
        },
    ];
    refuse_each(&s, &f, "a role", &oncall, &participant);
    refuse_each(&s, &f, "a person", &raj, &participant);
    refuse_each(
        &s,
        &f,
        "a person",
        &raj,
        &[Refused {
            fields: &[
                ("kind", "line"),
                ("line", "decide oncall investigate_ci by=chloe-martin"),
            ],
            status: 403,
            says: "you speak as raj-patel",
        }],
    );
    refuse_each(
        &s,
        &f,
        "the facilitator",
        &f,
        &[
            Refused {
                fields: &[("kind", "line"), ("line", "quit")],
                status: 403,
                says: "leaves the terminal",
            },
            Refused {
                fields: &[("kind", "advance"), ("by", "soon")],
                status: 422,
                says: "advance takes a duration",
            },
            Refused {
                fields: &[("kind", "line"), ("line", "decide nobody nothing")],
                status: 422,
                says: "nobody",
            },
            Refused {
                fields: &[("kind", "rate"), ("objective", "detect")],
                status: 422,
                says: "needs a reason",
            },
            Refused {
                fields: &[("kind", "link"), ("name", "oncall"), ("change", "burn")],
                status: 422,
                says: "needs `change`: revoke or reissue",
            },
            Refused {
                fields: &[("kind", "link"), ("change", "revoke")],
                status: 422,
                says: "`name`",
            },
            Refused {
                fields: &[("kind", "link"), ("name", "nobody"), ("change", "revoke")],
                status: 409,
                says: "no link named `nobody`",
            },
            Refused {
                fields: &[
                    ("kind", "link"),
                    ("name", "facilitator"),
                    ("change", "reissue"),
                ],
                status: 422,
                says: "reissued at the terminal",
            },
        ],
    );

    // Too many posts at once: the budget runs out, and the server still answers.
    let mut limited = false;
    for _ in 0..40 {
        let (status, _) = post(&s, Some(&oncall), Some(&s.base), &[("kind", "note")]);
        if status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "a participant's burst is limited");
    still_answers(&s, &f, &oncall, "the rate limit");

    // After the end, a participant's stale form meets a closed link.
    s.type_line("end");
    let until = Instant::now() + Duration::from_secs(30);
    while get(&s, "/", Some(&raj)).0 != 410 {
        assert!(Instant::now() < until, "the links close at the end");
        std::thread::sleep(Duration::from_millis(20));
    }
    for (who, token) in [("a person", raj.as_str()), ("the room", room.as_str())] {
        let (status, body) = post(
            &s,
            Some(token),
            Some(&s.base),
            &[("kind", "strength"), ("text", "late")],
        );
        assert_eq!(status, 410, "{who} after the end: {body}");
        assert!(body.contains("has ended"), "{body}");
        still_answers(&s, &f, &observer, &format!("{who} after the end"));
    }
    // Every refusal above left the journal as the accepted inputs made it.
    let out = Ttx::new()
        .args(["verify", &s.dir.join("j.jsonl").display().to_string()])
        .cwd(crate::support::root().join("examples/acme"))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// A form's fields.
type Form = Vec<(&'static str, &'static str)>;

/// Posts from every caller for `run`, half of them refused, while a watcher loads `/`
/// and the style sheet: every request must answer within the deadline.
#[test]
fn a_server_under_accepted_and_refused_posts_from_every_caller_keeps_answering_for_a_minute() {
    let s = Arc::new(Served::start("watchdog"));
    let run = Duration::from_secs(60);
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let f = s.token(&["facilitator"]);
    let callers: Vec<(String, Vec<Form>)> = vec![
        (
            f.clone(),
            vec![
                vec![("kind", "note"), ("text", "load")],
                vec![("kind", "line"), ("line", "quit")],
                vec![("kind", "advance"), ("by", "soon")],
                vec![("kind", "line"), ("line", "status")],
            ],
        ),
        (
            s.token(&["roles", "oncall"]),
            vec![
                vec![("kind", "action"), ("text", "looks at the logs")],
                vec![("kind", "strength"), ("text", "stale page")],
                vec![("kind", "line"), ("line", "decide ic declare_incident")],
                vec![("kind", "answer"), ("question", "9"), ("text", "no")],
            ],
        ),
        (
            s.token(&["people", "raj-patel"]),
            vec![
                vec![("kind", "notify"), ("to", "ic"), ("text", "fyi")],
                vec![
                    ("kind", "line"),
                    ("line", "decide oncall investigate_ci by=chloe-martin"),
                ],
                vec![("kind", "improve"), ("text", "too early")],
            ],
        ),
        (
            s.token(&["observer"]),
            vec![
                vec![("kind", "note"), ("text", "sneaky")],
                vec![("kind", "teleport")],
            ],
        ),
        (
            s.token(&["room"]),
            vec![vec![("kind", "strength"), ("text", "x")]],
        ),
    ];
    let mut threads = Vec::new();
    for (token, forms) in callers {
        let (s, stop, answered, failures) =
            (s.clone(), stop.clone(), answered.clone(), failures.clone());
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let fields = &forms[i % forms.len()];
                i += 1;
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    form(&s, &token, fields)
                })) {
                    Ok((status, _)) if status < 500 => {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok((status, body)) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{fields:?}: {status} {body}")),
                    Err(_) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{fields:?}: no answer in time")),
                }
                // Within the participants' rate (5 a second), so refusals are the form's,
                // not the budget's.
                std::thread::sleep(Duration::from_millis(250));
            }
        }));
    }
    let started = Instant::now();
    let mut pages = 0;
    while started.elapsed() < run {
        let t = Instant::now();
        let (status, _) = get(&s, "/", Some(&f));
        assert_eq!(status, 200);
        let (status, _) = get(&s, "/static/serve.css", None);
        assert_eq!(status, 200);
        assert!(t.elapsed() < DEADLINE, "the pages took {:?}", t.elapsed());
        pages += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("a caller thread");
    }
    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        answered.load(Ordering::Relaxed) > 100,
        "the callers were answered"
    );
    assert!(pages > 50, "the watcher was answered {pages} times");
}

/// Starts a server with a live stream, a half-sent request and posts in flight, sends
/// `signal`, and returns how long it took to stop and its exit code.
fn stop_under_load(name: &str, signal: i32) -> (Duration, Option<i32>, Served) {
    let mut s = Served::start(name);
    let f = s.token(&["facilitator"]);
    let oncall = s.token(&["roles", "oncall"]);
    // A stream that stays open, and a client that sends half a request and waits.
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {f}\r\n\r\n"
    )
    .unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    write!(
        half,
        "POST /api/command HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nadv"
    )
    .unwrap();
    let busy = Arc::new(AtomicBool::new(true));
    let load = {
        let (base, busy) = (s.base.clone(), busy.clone());
        std::thread::spawn(move || {
            while busy.load(Ordering::Relaxed) {
                let _ = agent()
                    .post(format!("{base}/api/command"))
                    .header("Authorization", format!("Bearer {oncall}"))
                    .send("strength : not yet");
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let pid = s.pid().expect("running");
    let t = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(pid as i32, signal);
    }
    let code = s.wait_exit(Duration::from_secs(30));
    let took = t.elapsed();
    busy.store(false, Ordering::Relaxed);
    let _ = load.join();
    drop((stream, half));
    (took, code, s)
}

#[test]
fn sigterm_and_sigint_stop_the_server_within_seconds_and_the_journal_verifies() {
    for (name, signal) in [("sigterm", libc::SIGTERM), ("sigint", libc::SIGINT)] {
        let (took, code, s) = stop_under_load(name, signal);
        let code =
            code.unwrap_or_else(|| panic!("{name}: the server did not stop:\n{}", s.stderr()));
        // The server drains for up to 5 s; a few more for a loaded machine.
        assert!(
            took < Duration::from_secs(15),
            "{name}: stopped after {took:?}"
        );
        assert!(
            code == 0 || code == 2,
            "{name}: exit {code}\n{}",
            s.stderr()
        );
        let out = Ttx::new()
            .args(["verify", &s.dir.join("j.jsonl").display().to_string()])
            .cwd(crate::support::root().join("examples/acme"))
            .run();
        assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
    }
}
