//! The web console in a real browser: headless Chromium driven over WebDriver, the
//! facilitator and two roles each in a browser of their own (own profile, own cookies).
//! The facilitator advances; on-call's page shows the inject without a reload and comms'
//! does not; on-call decides from its page; the facilitator's page and the journal have
//! it; the server is killed and resumed, and the open pages catch up. Screenshots of every
//! page at 1280 and 390 px are kept in `target/tmp/serve/browser/screens/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::served::{Served, command, free_port};

/// Chromium and chromedriver, where Debian puts them.
fn browsers() -> Option<(&'static str, &'static str)> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let driver = ["/usr/bin/chromedriver"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install chromium and chromium-driver (.ci/run does)"
            );
            eprintln!("skipped: apt-get install chromium chromium-driver");
            None
        }
    }
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start(binary: &str) -> Chromedriver {
        let port = free_port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser of its own: a fresh profile, so its cookies are its own.
async fn browser(driver: &Chromedriver, chromium: &str, profile: &Path) -> Client {
    let _ = std::fs::remove_dir_all(profile);
    std::fs::create_dir_all(profile).unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1280,900",
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Waits (bounded, generously: a slow machine is not a failure) until the page's text
/// holds `text`; returns how long it took.
async fn until_text(c: &Client, text: &str) -> Duration {
    let start = Instant::now();
    loop {
        // A page between two loads has no body for a moment: look again.
        let body = match c.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.contains(text) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the page never showed `{text}`:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page's live stream is open.
async fn until_live(c: &Client) {
    let start = Instant::now();
    loop {
        let live = match c.find(Locator::Id("live")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if live == "live" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the live stream never opened (`{live}`)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .expect("a body")
        .text()
        .await
        .unwrap_or_default()
}

/// A mark only this page load carries: still there means the page was not reloaded.
async fn mark(c: &Client) {
    c.execute("window.ttxMark = 42; return 1;", vec![])
        .await
        .expect("a script runs");
}

async fn still_marked(c: &Client) -> bool {
    c.execute("return window.ttxMark || 0;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_i64())
        == Some(42)
}

async fn screenshots(c: &Client, dir: &Path, name: &str) {
    for (w, h) in [(1280u32, 900u32), (390, 844)] {
        c.set_window_size(w, h).await.expect("resize");
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = c.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(dir.join(format!("{name}-{w}.png")), png).unwrap();
    }
    c.set_window_size(1280, 900).await.expect("resize");
}

#[test]
fn facilitator_and_two_roles_play_in_separate_browsers_through_a_kill_and_resume() {
    let Some((chromium, chromedriver)) = browsers() else {
        return;
    };
    let mut s = Served::start("browser");
    let screens: PathBuf = s.dir.join("screens");
    std::fs::create_dir_all(&screens).unwrap();
    let driver = Chromedriver::start(chromedriver);
    let join = |path: &[&str]| format!("{}/join/{}", s.base, s.token(path));
    let (fac_url, oncall_url, comms_url) = (
        join(&["facilitator"]),
        join(&["people", "raj-patel"]),
        join(&["roles", "comms"]),
    );
    let (observer_url, room_url) = (join(&["observer"]), join(&["room"]));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let profiles = s.dir.join("profiles");
    let timings = runtime.block_on(async {
        let fac = browser(&driver, chromium, &profiles.join("facilitator")).await;
        let oncall = browser(&driver, chromium, &profiles.join("oncall")).await;
        let comms = browser(&driver, chromium, &profiles.join("comms")).await;
        for (c, url) in [
            (&fac, &fac_url),
            (&oncall, &oncall_url),
            (&comms, &comms_url),
        ] {
            c.goto(url).await.expect("the join link opens");
            until_live(c).await;
            let address = c.current_url().await.expect("a URL").to_string();
            assert!(
                !address.contains("/join/"),
                "the token left the address bar: {address}"
            );
        }
        until_text(&oncall, "ALERT refund-worker").await;
        assert!(
            text_of(&oncall).await.contains("raj-patel") || text_of(&oncall).await.contains("Raj")
        );
        for c in [&fac, &oncall, &comms] {
            mark(c).await;
        }

        // The facilitator advances from the page; on-call's page shows the CDN alert
        // without a reload, comms' does not.
        let by = fac
            .find(Locator::Id("advance-by"))
            .await
            .expect("the advance field");
        by.clear().await.unwrap();
        by.send_keys("5m").await.unwrap();
        fac.find(Locator::Id("advance-submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let delivered = until_text(&oncall, "ALERT cdn").await;
        assert!(
            still_marked(&oncall).await,
            "on-call's page was not reloaded"
        );
        until_text(&fac, "clock moves to 0:05:00").await;
        // The facilitator's own post reloaded its page; from here it must not reload.
        until_live(&fac).await;
        mark(&fac).await;
        let comms_text = text_of(&comms).await;
        assert!(
            !comms_text.contains("ALERT cdn"),
            "comms sees on-call's inject"
        );
        assert!(!comms_text.contains("ALERT refund-worker"));

        // On-call decides from its page.
        until_live(&oncall).await;
        oncall
            .find(Locator::Id("decision"))
            .await
            .unwrap()
            .select_by_value("investigate_ci")
            .await
            .unwrap();
        oncall
            .find(Locator::Id("rationale"))
            .await
            .unwrap()
            .send_keys("the key could be in a fork")
            .await
            .unwrap();
        oncall
            .find(Locator::Id("decide-submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until_text(&oncall, "Search CI configuration").await;
        let decided = until_text(&fac, "oncall decided investigate_ci").await;
        assert!(
            still_marked(&fac).await,
            "the facilitator's page was not reloaded"
        );
        assert!(!text_of(&comms).await.contains("the key could be in a fork"));

        for (c, name) in [
            (&fac, "facilitator"),
            (&oncall, "participant"),
            (&comms, "participant-comms"),
        ] {
            screenshots(c, &screens, name).await;
        }
        (delivered, decided, fac, oncall, comms)
    });
    let (delivered, decided, fac, oncall, comms) = timings;
    let journal = s.journal();
    assert!(
        journal.iter().any(|l| l["event"]["type"] == "decision"
            && l["event"]["by"] == "oncall"
            && l["event"]["decision"] == "investigate_ci"
            && l["event"]["participant"] == "raj-patel"
            && l["event"]["rationale"] == "the key could be in a fork"),
        "the journal has on-call's decision, said by the person of the link"
    );

    // kill -9, resume on the same port: the open pages reconnect and catch up.
    s.kill9();
    s.resume();
    let f = s.token(&["facilitator"]);
    runtime.block_on(async {
        for c in [&fac, &oncall, &comms] {
            mark(c).await;
            until_live(c).await;
        }
        let r = command(&s, &f, "advance 10m");
        assert_eq!(r.status, 200, "{}", r.body);
        let r = command(&s, &f, "inject comms : a journalist is calling");
        assert_eq!(r.status, 200, "{}", r.body);
        until_text(&oncall, "Payment processor status").await;
        until_text(&comms, "a journalist is calling").await;
        until_text(&fac, "a journalist is calling").await;
        for c in [&fac, &oncall, &comms] {
            assert!(still_marked(c).await, "a page reloaded to catch up");
        }
        assert!(!text_of(&oncall).await.contains("a journalist is calling"));

        let observer = browser(&driver, chromium, &profiles.join("observer")).await;
        observer.goto(&observer_url).await.unwrap();
        until_text(&observer, "a journalist is calling").await;
        let room = browser(&driver, chromium, &profiles.join("room")).await;
        room.goto(&room_url).await.unwrap();
        until_live(&room).await;
        let r = command(&s, &f, "ask 2");
        assert_eq!(r.status, 200, "{}", r.body);
        until_text(&room, "Two sources disagree").await;
        until_text(&oncall, "Two sources disagree").await;
        for (c, name) in [
            (&fac, "facilitator-resumed"),
            (&oncall, "participant-resumed"),
            (&observer, "observer"),
            (&room, "room"),
        ] {
            screenshots(c, &screens, name).await;
        }
        let revealed = format!("{}/?truth=1", s.base);
        fac.goto(&revealed).await.unwrap();
        until_text(&fac, "[red herring]").await;
        screenshots(&fac, &screens, "facilitator-truth").await;
        for c in [fac, oncall, comms, observer, room] {
            let _ = c.close().await;
        }
    });
    println!(
        "browser: the inject reached on-call's page {} ms after the click; the decision reached the facilitator's {} ms after on-call's page showed it",
        delivered.as_millis(),
        decided.as_millis()
    );
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
}

/// What a reader would trip over on the page as it is laid out now: the page scrolling
/// sideways, an id, date or time broken across lines, chart marks on top of each other.
/// With `page_height`, the print rules are in force: also a block the printer may not
/// break that is taller than half a page (it would leave a blank gap before it), and a
/// table whose header row would not repeat on the next page.
const LAYOUT_PROBLEMS: &str = r#"
const pageHeight = arguments[0];
const problems = [];
const doc = document.documentElement;
if (doc.scrollWidth > doc.clientWidth + 1) {
  problems.push(`the page scrolls sideways: ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);
}
// Ids and due dates of the plan, and whatever the template marks as not to be broken.
for (const el of document.querySelectorAll('.nw, table.plan td:first-child, table.plan td:last-child')) {
  const range = document.createRange();
  range.selectNodeContents(el);
  const height = range.getBoundingClientRect().height;
  const line = parseFloat(getComputedStyle(el).lineHeight);
  if (height > line * 1.5) problems.push(`broken across lines: "${el.textContent.trim()}"`);
}
const marks = [...document.querySelectorAll('.chart svg g')].map(g => g.getBoundingClientRect());
for (let i = 0; i < marks.length; i++) {
  for (let j = i + 1; j < marks.length; j++) {
    const a = marks[i], b = marks[j];
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 0.5 && h > 0.5) problems.push(`chart marks ${i + 1} and ${j + 1} overlap`);
  }
}
if (pageHeight) {
  for (const el of document.body.querySelectorAll('*')) {
    const tall = el.getBoundingClientRect().height;
    if (getComputedStyle(el).breakInside === 'avoid' && tall > pageHeight / 2) {
      problems.push(`an unbreakable ${el.tagName.toLowerCase()} of ${Math.round(tall)}px`);
    }
  }
  for (const table of document.querySelectorAll('table')) {
    const first = table.rows[0];
    const header = first && [...first.cells].every(c => c.tagName === 'TH');
    if (header && (first.parentElement.tagName !== 'THEAD'
        || getComputedStyle(first.parentElement).display !== 'table-header-group')) {
      problems.push(`a table whose header does not repeat: "${first.textContent.trim().slice(0, 40)}"`);
    }
  }
}
return problems;
"#;

/// The print rules, in force on the screen: what the printer lays out, to look at and
/// measure (the PDF itself cannot be measured from the page).
const AS_PRINTED: &str = r#"
for (const sheet of document.styleSheets) {
  for (const rule of sheet.cssRules) {
    if (rule.media && rule.media.mediaText === 'print') rule.media.mediaText = 'all';
  }
}
return 1;
"#;

async fn layout_problems(c: &Client, page_height: Option<u32>) -> Vec<String> {
    let found = c
        .execute(LAYOUT_PROBLEMS, vec![json!(page_height)])
        .await
        .expect("the layout check runs");
    serde_json::from_value(found).expect("a list of problems")
}

/// Screenshots of each section of the page, scrolled to it.
async fn section_screenshots(c: &Client, dir: &Path, name: &str) {
    for id in [
        "executive-summary",
        "truth",
        "timeline",
        "expectations",
        "improvement-plan",
    ] {
        c.execute(
            "document.getElementById(arguments[0]).scrollIntoView(); return 1;",
            vec![json!(id)],
        )
        .await
        .expect("the section exists");
        let png = c.screenshot().await.expect("a screenshot");
        std::fs::write(dir.join(format!("{name}-{id}.png")), png).unwrap();
    }
}

/// Counts the pages of a PDF Chromium printed (each page is an object `/Type /Page`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

#[test]
fn the_report_and_the_dashboard_read_on_a_desk_a_phone_and_paper() {
    let Some((chromium, chromedriver)) = browsers() else {
        return;
    };
    let (_, rel) = crate::run::play_session("2026-05-14-slow-red-herring", "report-browser");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    crate::support::Ttx::new()
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
    let dashboard = dir.join("program.html");
    crate::support::Ttx::new()
        .cwd("examples/acme")
        .args([
            "program",
            "report",
            "--as-of",
            "2026-12-01",
            "-o",
            dashboard.to_str().unwrap(),
        ])
        .run()
        .code(0);
    let driver = Chromedriver::start(chromedriver);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let c = browser(&driver, chromium, &dir.join("profile")).await;
        c.goto(&format!("file://{}", html.display())).await.unwrap();
        for (w, h) in [(1280u32, 900u32), (390, 844)] {
            c.set_window_size(w, h).await.expect("resize");
            tokio::time::sleep(Duration::from_millis(150)).await;
            let problems = layout_problems(&c, None).await;
            assert!(problems.is_empty(), "at {w}px: {problems:#?}");
            section_screenshots(&c, &dir, &format!("report-{w}")).await;
        }
        // An A4 page's text is 186 mm (the report's margins are 12 mm) = 703 px wide and
        // 269 mm = 1017 px high; a Letter page's is wider.
        c.execute(AS_PRINTED, vec![]).await.unwrap();
        c.set_window_size(703, 1017).await.expect("resize");
        let scrollbar = c
            .execute(
                "return window.innerWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0) as u32;
        c.set_window_size(703 + scrollbar, 1017)
            .await
            .expect("resize");
        tokio::time::sleep(Duration::from_millis(150)).await;
        let problems = layout_problems(&c, Some(1017)).await;
        assert!(problems.is_empty(), "printed on A4: {problems:#?}");
        section_screenshots(&c, &dir, "report-a4").await;
        c.refresh().await.unwrap();
        for (size, name) in [
            (fantoccini::wd::PrintSize::A4, "a4"),
            (fantoccini::wd::PrintSize::US_LETTER, "letter"),
        ] {
            let config = fantoccini::wd::PrintConfigurationBuilder::default()
                .size(size)
                .build()
                .expect("a print configuration");
            let pdf = c.print(config).await.expect("the page prints");
            assert!(pdf.starts_with(b"%PDF"), "a PDF");
            let pages = pdf_pages(&pdf);
            // The executive summary is a page of its own, the rest follows; a report that
            // printed one page per table (or lost its content) would be far off.
            assert!((3..=16).contains(&pages), "{name}: {pages} pages");
            std::fs::write(dir.join(format!("report-{name}.pdf")), pdf).unwrap();
        }
        // The dashboard: its charts scale to the screen, so the newest exercises are in
        // view on a phone too.
        c.goto(&format!("file://{}", dashboard.display()))
            .await
            .unwrap();
        for (w, h) in [(1280u32, 900u32), (390, 844)] {
            c.set_window_size(w, h).await.expect("resize");
            tokio::time::sleep(Duration::from_millis(150)).await;
            let problems = layout_problems(&c, None).await;
            assert!(problems.is_empty(), "the dashboard at {w}px: {problems:#?}");
            let outside = c
                .execute(
                    "return [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(outside, json!(0), "a dashboard chart runs off a {w}px screen");
            let png = c.screenshot().await.expect("a screenshot");
            std::fs::write(dir.join(format!("dashboard-{w}.png")), png).unwrap();
        }
        let _ = c.close().await;
    });
}

/// Clicks what `css` finds on the page.
async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("`{css}` on the page"))
        .click()
        .await
        .unwrap_or_else(|_| panic!("`{css}` clicks"));
}

/// Fills the Talk card and sends it: `to` is the option's value.
async fn talk(c: &Client, to: &str, text: &str) {
    c.find(Locator::Id("say-to"))
        .await
        .unwrap()
        .select_by_value(to)
        .await
        .unwrap();
    c.find(Locator::Id("say-text"))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
    click(c, "#talk form button[type=submit]").await;
}

/// The journal place of the message saying `text`.
fn message_seq(journal: &[serde_json::Value], text: &str) -> usize {
    journal
        .iter()
        .find(|l| l["event"]["type"] == "message" && l["event"]["text"] == text)
        .and_then(|l| l["seq"].as_u64())
        .unwrap_or_else(|| panic!("no message `{text}` in the journal")) as usize
}

/// Issue 25's room conversation in real browsers: on-call and the IC, each in a browser of
/// their own, talk in the war room and by direct message; an unread count shows on the
/// channel a player is not looking at; on-call answers a message (quoted on the IC's page)
/// and forwards an inject from the feed; on-call asks a character and the facilitator sends
/// a scripted reply with one click; the facilitator puts a message on the room's screen.
/// Comms' page never shows the direct messages. Then messages are posted while the server
/// is killed with `kill -9`: after `--resume` every acknowledged one is in the journal
/// once, and the open pages go on without a reload.
#[test]
fn facilitator_and_two_roles_chat_through_a_kill_and_resume() {
    let Some((chromium, chromedriver)) = browsers() else {
        return;
    };
    let mut s = Served::start_with(
        "browser-chat",
        "../../scenarios/checkout-outage-ask-around.yaml",
    );
    let screens: PathBuf = s.dir.join("screens");
    std::fs::create_dir_all(&screens).unwrap();
    let driver = Chromedriver::start(chromedriver);
    let join = |path: &[&str]| format!("{}/join/{}", s.base, s.token(path));
    let urls = [
        join(&["facilitator"]),
        join(&["roles", "oncall"]),
        join(&["roles", "ic"]),
        join(&["room"]),
    ];
    let comms = s.token(&["roles", "comms"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let profiles = s.dir.join("chat-profiles");
    let pages = runtime.block_on(async {
        let fac = browser(&driver, chromium, &profiles.join("facilitator")).await;
        let oncall = browser(&driver, chromium, &profiles.join("oncall")).await;
        let ic = browser(&driver, chromium, &profiles.join("ic")).await;
        let room = browser(&driver, chromium, &profiles.join("room")).await;
        for (c, url) in [&fac, &oncall, &ic, &room].into_iter().zip(&urls) {
            c.goto(url).await.expect("the join link opens");
            until_live(c).await;
        }
        until_text(&oncall, "31% of synthetic checkouts failing").await;
        mark(&ic).await;

        // The war room: on-call says it, the IC's page shows it without a reload.
        talk(&oncall, "war", "checkout failing for a third, looking").await;
        until_text(&ic, "checkout failing for a third, looking").await;
        assert!(still_marked(&ic).await, "the IC's page was not reloaded");

        // On-call looks at the war room only; the IC's direct message counts as unread
        // on its own channel.
        until_live(&oncall).await;
        click(&oncall, ".channels button[data-channel=\"war\"]").await;
        talk(&ic, "oncall", "is it the CDN alert?").await;
        until_text(&ic, "is it the CDN alert?").await;
        let unread = || async {
            oncall
                .find(Locator::Css(
                    ".channels button[data-channel=\"dm:ic+oncall\"] .unread",
                ))
                .await
                .ok()
        };
        let start = Instant::now();
        let badge = loop {
            if let Some(b) = unread().await {
                break b;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "no unread count");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(badge.text().await.unwrap(), "1");
        click(&oncall, ".channels button[data-channel=\"dm:ic+oncall\"]").await;
        assert!(unread().await.is_none(), "the count clears once read");

        // On-call answers it from the message; the IC reads the answer with the question
        // quoted.
        click(&oncall, "#feed li[data-channel=\"dm:ic+oncall\"] a.move").await;
        let about = oncall
            .find(Locator::Id("say-re"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(
            about.starts_with('#'),
            "the answer is about the message: {about}"
        );
        oncall
            .find(Locator::Id("say-text"))
            .await
            .unwrap()
            .send_keys("no, the CDN blip is static assets only")
            .await
            .unwrap();
        click(&oncall, "#talk form button[type=submit]").await;
        until_text(&ic, "no, the CDN blip is static assets only").await;
        let quoted = ic
            .find(Locator::Css("#feed blockquote"))
            .await
            .expect("a quote")
            .text()
            .await
            .unwrap();
        assert_eq!(quoted, "ic: is it the CDN alert?");

        // A forward from the inject in on-call's feed.
        until_live(&oncall).await;
        click(&oncall, "#feed a.move[data-forward=\"failing\"]").await;
        oncall
            .find(Locator::Id("forward-to"))
            .await
            .unwrap()
            .select_by_value("ic")
            .await
            .unwrap();
        click(&oncall, "#forward button[type=submit]").await;
        until_text(&ic, "forwarded failing").await;
        until_text(&ic, "31% of synthetic checkouts failing").await;

        // On-call asks Sam; the facilitator sends a scripted reply with one click.
        until_live(&oncall).await;
        talk(&oncall, "char:sam", "what did your 14:02 deploy change?").await;
        until_text(&fac, "oncall asks Sam Okoro").await;
        until_live(&fac).await;
        click(&fac, ".card.asked summary").await;
        click(&fac, "button[value=\"as sam oncall deploy-was-harmless\"]").await;
        until_text(&oncall, "It was a config tidy-up, nothing functional").await;
        assert!(
            !text_of(&ic).await.contains("It was a config tidy-up"),
            "the IC reads on-call's conversation with Sam"
        );

        // Nothing of the conversation is on the room's screen until the facilitator puts
        // a message there.
        let room_text = text_of(&room).await;
        assert!(
            !room_text.contains("checkout failing for a third"),
            "{room_text}"
        );
        until_live(&fac).await;
        click(&fac, "#screen summary").await;
        let n = message_seq(&s.journal(), "checkout failing for a third, looking");
        click(&fac, &format!("button[value=\"screen {n}\"]")).await;
        until_text(&room, "checkout failing for a third, looking").await;
        until_text(&room, "on the room screen").await;

        for (c, name) in [
            (&fac, "chat-facilitator"),
            (&oncall, "chat-oncall"),
            (&ic, "chat-ic"),
            (&room, "chat-room"),
        ] {
            screenshots(c, &screens, name).await;
        }
        (fac, oncall, ic, room)
    });
    let comms_page = crate::served::get(&s, "/", Some(&comms)).body;
    for private in [
        "is it the CDN alert?",
        "the CDN blip is static assets only",
        "what did your 14:02 deploy change?",
    ] {
        assert!(!comms_page.contains(private), "comms reads `{private}`");
    }
    assert!(comms_page.contains("checkout failing for a third, looking"));

    // Messages in flight when the server is killed: each acknowledged one is in the
    // journal once after the resume.
    let ic_token = s.token(&["roles", "ic"]);
    let base = s.base.clone();
    let poster = std::thread::spawn(move || {
        let agent = crate::served::agent();
        let mut acknowledged = Vec::new();
        let mut i = 0;
        while i < 400 {
            let text = format!("status {i}");
            let sent = agent
                .post(format!("{base}/api/command"))
                .header("Authorization", format!("Bearer {ic_token}"))
                .send(format!("say ic war : {text}"));
            match sent {
                Ok(r) if r.status() == 200 => {
                    acknowledged.push(text);
                    i += 1;
                }
                // The link's rate limit: a refusal, not lost; wait and say it again.
                Ok(r) if r.status() == 429 => {
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
                _ => break,
            }
        }
        acknowledged
    });
    let start = Instant::now();
    while !s
        .journal()
        .iter()
        .any(|l| l["event"]["text"] == "status 20")
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no status posted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    s.kill9();
    let acknowledged = poster.join().unwrap();
    // `status 20` is journaled; its answer may not have reached the poster before the kill.
    assert!(acknowledged.len() >= 20, "{acknowledged:?}");
    s.resume();
    let journal = s.journal();
    for text in &acknowledged {
        let times = journal
            .iter()
            .filter(|l| l["event"]["type"] == "message" && l["event"]["text"] == *text)
            .count();
        assert_eq!(times, 1, "`{text}` is in the journal {times} times");
    }
    // What was in flight is there once or not at all, never twice.
    let said: Vec<&str> = journal
        .iter()
        .filter_map(|l| l["event"]["text"].as_str())
        .filter(|t| t.starts_with("status "))
        .collect();
    let once: std::collections::BTreeSet<&str> = said.iter().copied().collect();
    assert_eq!(
        once.len(),
        said.len(),
        "a message journaled twice: {said:?}"
    );
    let (fac, oncall, ic, room) = pages;
    let f = s.token(&["facilitator"]);
    runtime.block_on(async {
        for c in [&oncall, &ic] {
            mark(c).await;
            until_live(c).await;
        }
        let r = command(&s, &f, "as sam oncall : I can roll it back in two minutes");
        assert_eq!(r.status, 200, "{}", r.body);
        let r = command(
            &s,
            &s.token(&["roles", "ic"]),
            "say ic war : back after the restart",
        );
        assert_eq!(r.status, 200, "{}", r.body);
        until_text(&oncall, "I can roll it back in two minutes").await;
        until_text(&oncall, "back after the restart").await;
        until_text(&ic, "back after the restart").await;
        for c in [&oncall, &ic] {
            assert!(still_marked(c).await, "a page reloaded to catch up");
        }
        screenshots(&oncall, &screens, "chat-oncall-resumed").await;
        for c in [fac, oncall, ic, room] {
            let _ = c.close().await;
        }
    });
    println!(
        "browser chat: {} messages acknowledged before kill -9, each in the journal once after --resume",
        acknowledged.len()
    );
    assert_eq!(s.terminate(), Some(0), "{}", s.stderr());
}
