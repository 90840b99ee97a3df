//! The HTTP routes of `ttx serve`. Every input is a command through the engine's command
//! layer, journaled and fsync'd on the exercise thread before the response says so; a
//! refusal carries the console's reason.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /join/TOKEN` | anyone with a link | sets the cookie, moves on to `/` without the token |
//! | `GET /` | a cookie | the page of that link's audience |
//! | `POST /act` | a cookie + same origin | a form: a move, or a facilitator's command |
//! | `GET /api/events` | cookie or bearer | that link's live stream (server-sent events) |
//! | `POST /api/command` | bearer (or cookie + same origin) | one console line |
//! | `GET /static/…` | anyone | the style sheet and the live-update script |

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use ttx_engine::exercise::caller::{Caller as EngineCaller, Denied};
use ttx_engine::exercise::channel::{self, Channel};
use ttx_engine::exercise::command::{self, Command, Decide};
use ttx_engine::exercise::event::{Event, LinkChange};
use ttx_engine::exercise::facilitation::{Response as Answer, Shown, Verdict};

use super::guard::{self, COOKIE, Holder, Refusal};
use super::hub::{Hub, Message, View};
use super::links::Grant;
use super::pages::{Flash, PageOf};

/// The largest request body taken: a form or a command line is a few KiB at most.
pub const MAX_BODY: usize = 16 * 1024;

/// What every handler shares.
pub struct Ctx {
    /// The hub.
    pub hub: Arc<Hub>,
    /// The public address the links name, when it is not the bind address (a proxy).
    pub public: Option<String>,
}

/// The router.
pub fn router(ctx: Arc<Ctx>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/join/{token}", get(join))
        .route("/act", post(act))
        .route("/api/events", get(events))
        .route("/api/command", post(api_command))
        .route("/static/serve.css", get(css))
        .route("/static/serve.js", get(js))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(announced_length))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(ctx)
}

/// Headers on every response: no script but our own file, no framing, no referrer beyond
/// this server (a browser must still send `Origin` on its posts: with `no-referrer` it
/// sends `null`), nothing cached. A join link's own page sends no referrer at all.
async fn secure_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// A body announced larger than [`MAX_BODY`] is refused before a byte of it is read (a
/// body without a length is cut off at the limit while it is read).
async fn announced_length(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        return refusal_text(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too large",
            format!("a request body may hold at most {} KiB", MAX_BODY / 1024),
        ));
    }
    next.run(request).await
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn refusal_page(ctx: &Ctx, r: Refusal) -> Response {
    html(r.status, ctx.hub.pages().error(r.title, &r.text))
}

fn refusal_text(r: Refusal) -> Response {
    (
        r.status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("! {}\n", r.text),
    )
        .into_response()
}

async fn not_found(State(ctx): State<Arc<Ctx>>) -> Response {
    refusal_page(
        &ctx,
        Refusal::new(
            StatusCode::NOT_FOUND,
            "Nothing here",
            "There is no such page. Open your join link, or go to the exercise's page.",
        ),
    )
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("static/serve.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("static/serve.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    truth: Option<String>,
}

/// A page nonce: random, so a form sent twice (a replay, a double click, a reload that
/// re-posts) is recognised.
fn nonce() -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn person_name<'a>(hub: &'a Hub, grant: &Grant) -> Option<&'a str> {
    let person = grant.person()?;
    hub.roster
        .as_ref()?
        .people
        .iter()
        .find(|p| p.id.as_str() == person)
        .map(|p| p.name.as_str())
}

/// Renders the page of a caller, with a message after a post.
fn render_page(ctx: &Ctx, caller: &Holder, truth: bool, message: Option<Flash>) -> String {
    let hub = &ctx.hub;
    let view = View::of(&caller.grant, truth);
    let items: Vec<Arc<str>> = hub
        .catch_up(&view, None)
        .into_iter()
        .filter_map(|m| match m {
            Message::Item(_, h) => Some(h),
            _ => None,
        })
        .collect();
    let n = nonce();
    hub.read(|st| {
        hub.pages().page(PageOf {
            scenario: &hub.scenario,
            state: st,
            view: &view,
            grant: &caller.grant,
            items,
            nonce: &n,
            message,
            person_name: person_name(hub, &caller.grant),
        })
    })
}

async fn page(
    State(ctx): State<Arc<Ctx>>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let caller = match ctx.hub.caller(&headers) {
        Ok(c) => c,
        Err(r) => return refusal_page(&ctx, r),
    };
    let open = ctx.hub.read(|st| guard::still_open(&caller.grant, st));
    if let Err(r) = open {
        return refusal_page(&ctx, r);
    }
    let truth = q.truth.is_some_and(|t| t == "1") && caller.grant == Grant::Facilitator;
    html(StatusCode::OK, render_page(&ctx, &caller, truth, None))
}

/// A join link: recognise the token, set it as a strict, script-proof cookie, and move on
/// to `/` so the token leaves the address bar (and the history). A person's first join
/// puts them on the roll call.
async fn join(
    State(ctx): State<Arc<Ctx>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut with_token = headers.clone();
    with_token.remove(header::COOKIE);
    with_token.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}"))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer -")),
    );
    let caller = match ctx.hub.caller(&with_token) {
        Ok(c) => c,
        Err(r) => return refusal_page(&ctx, r),
    };
    let present = ctx.hub.read(|st| {
        guard::still_open(&caller.grant, st)?;
        Ok(match &caller.grant {
            Grant::Person { person, role } if !st.ended => {
                let here = st.log.iter().any(|t| {
                    matches!(&t.event, Event::Present { person: p, role: r }
                        if p == person && r.as_deref() == Some(role.as_str()))
                });
                (!here).then(|| Command::Present {
                    person: person.clone(),
                    role: Some(role.clone()),
                })
            }
            _ => None,
        })
    });
    let present = match present {
        Ok(p) => p,
        Err(r) => return refusal_page(&ctx, r),
    };
    if let Some(c) = present {
        // The roll call is best effort: a refusal (a roster that changed) does not keep
        // the person out.
        let _ = execute(&ctx, EngineCaller::Console, c).await;
    }
    let who = match &caller.grant {
        Grant::Person { .. } => person_name(&ctx.hub, &caller.grant)
            .unwrap_or("")
            .to_string(),
        g => g.label(),
    };
    let mut r = html(StatusCode::OK, ctx.hub.pages().join(&who, ""));
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// Runs a command from `caller` on the exercise thread, where the engine judges whether
/// they may send it (journaled and fsync'd before it answers). A caller the engine turns
/// away for who they are or the moment is a refusal (403, 409 or 410); the answer carries
/// the exercise's own refusals.
async fn execute(ctx: &Ctx, caller: EngineCaller, command: Command) -> Result<Answer, Refusal> {
    let Some(driver) = ctx.hub.driver() else {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not running",
            "the exercise is not running",
        ));
    };
    let answer = tokio::task::spawn_blocking(move || driver.execute_as(caller, command))
        .await
        .ok()
        .flatten()
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Stopped",
                "the exercise has stopped; the facilitator resumes it with `ttx serve --resume`",
            )
        })?;
    match (answer.denial, &answer.verdict) {
        (Some(denial), Verdict::Refused(why)) => Err(guard::refusal(Denied {
            denial,
            reason: why.clone(),
        })),
        _ => Ok(answer),
    }
}

/// The checks every post passes: a known token, a link still open, the same origin for
/// a browser, the rate limit.
fn admit(ctx: &Ctx, headers: &HeaderMap) -> Result<Holder, Refusal> {
    let caller = ctx.hub.caller(headers)?;
    ctx.hub.read(|st| guard::still_open(&caller.grant, st))?;
    guard::same_origin(&caller, headers, ctx.public.as_deref())?;
    if !ctx.hub.allow(caller.key, &caller.grant) {
        return Err(Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "this link sent too many requests at once; wait a moment and send it again",
        ));
    }
    Ok(caller)
}

/// The form fields of `/act`, in order (a field may repeat: the roles of an inject).
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The command a form describes. A participant's role and person come from the link,
/// never from the form.
fn form_command(grant: &Grant, f: &Fields) -> Result<Command, String> {
    let text = field(f, "text").map(str::to_string);
    let role = grant.role().unwrap_or("").to_string();
    let need = |what: &str| format!("the form needs {what}");
    Ok(match field(f, "kind").unwrap_or("") {
        "line" => match command::parse(field(f, "line").unwrap_or(""))? {
            Some(c) => c,
            None => return Err(need("a command")),
        },
        "advance" => match command::parse(&format!("advance {}", field(f, "by").unwrap_or("")))? {
            Some(c) => c,
            None => return Err(need("a duration")),
        },
        "decide" => {
            // A decision with options is offered once per option, as `DECISION/OPTION`
            // (ids never hold a `/`).
            let chosen = field(f, "decision").ok_or_else(|| need("a decision"))?;
            let (decision, option) = match chosen.split_once('/') {
                Some((d, o)) => (d.to_string(), Some(o.to_string())),
                None => (chosen.to_string(), None),
            };
            Command::Decide(Decide {
                role,
                decision,
                option,
                confidence: match field(f, "confidence") {
                    None => None,
                    Some("low") => Some(ttx_engine::authoring::model::sheet::Confidence::Low),
                    Some("medium") => Some(ttx_engine::authoring::model::sheet::Confidence::Medium),
                    Some("high") => Some(ttx_engine::authoring::model::sheet::Confidence::High),
                    Some(other) => {
                        return Err(format!(
                            "`{other}` is not a confidence; use low, medium or high"
                        ));
                    }
                },
                prompted_by: field(f, "re").map(str::to_string),
                participant: None,
                rationale: field(f, "rationale").map(str::to_string),
            })
        }
        "action" => Command::Action {
            role,
            text: text.ok_or_else(|| need("what you do"))?,
            participant: None,
            rationale: None,
            confidence: None,
            prompted_by: None,
        },
        // The role's conversation: the war room, a team's channel, a direct message to a
        // role, its private line to the facilitator, or a question to a character (`to`
        // says which).
        "say" => {
            let to = field(f, "to").ok_or_else(|| need("where to say it"))?;
            let channel = match to {
                "war" => Channel::War,
                "white" => Channel::Private(role.clone()),
                other => match (other.strip_prefix("char:"), other.strip_prefix("team:")) {
                    (Some(character), _) => Channel::Character(character.to_string(), role.clone()),
                    (_, Some(team)) => Channel::Team(team.to_string()),
                    _ => Channel::direct(&role, other),
                },
            };
            Command::Say(channel::Message {
                from: role,
                channel,
                text: text.ok_or_else(|| need("what you say"))?,
                re: field(f, "re").map(str::to_string),
                ..channel::Message::default()
            })
        }
        "forward" => {
            let to = field(f, "to").ok_or_else(|| need("whom to pass it to"))?;
            Command::Say(channel::Message {
                channel: Channel::direct(&role, to),
                from: role,
                text: text.unwrap_or_default(),
                re: Some(
                    field(f, "re")
                        .ok_or_else(|| need("the inject to pass on"))?
                        .to_string(),
                ),
                forward: true,
                ..channel::Message::default()
            })
        }
        "notify" => Command::Notify {
            from: role,
            to: field(f, "to")
                .ok_or_else(|| need("whom to tell"))?
                .to_string(),
            text,
        },
        "answer" => Command::Answer {
            question: field(f, "question")
                .and_then(|q| q.parse().ok())
                .ok_or_else(|| need("a question number"))?,
            text: text.ok_or_else(|| need("the answer"))?,
        },
        "strength" => Command::Strength(text.ok_or_else(|| need("what went well"))?),
        "improve" => Command::Improve(ttx_engine::exercise::event::Improvement {
            text: text.ok_or_else(|| need("what should get better"))?,
            owner: field(f, "owner").map(str::to_string),
            action: field(f, "action").map(str::to_string),
            objective: None,
            re: None,
        }),
        "inject" => Command::Inject {
            to: f
                .iter()
                .filter(|(k, v)| k == "to" && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_string())
                .collect(),
            text: text.ok_or_else(|| need("what they hear"))?,
        },
        "note" => Command::Note(text.ok_or_else(|| need("the note"))?),
        "rate" => Command::Rate {
            objective: field(f, "objective")
                .ok_or_else(|| need("an objective"))?
                .to_string(),
            rating: field(f, "rating").unwrap_or("").to_uppercase(),
            reason: field(f, "reason")
                .ok_or_else(|| need("a reason"))?
                .to_string(),
        },
        other => return Err(format!("`{other}` is not something this page sends")),
    })
}

/// What the exercise thread's answer means for a caller: the acknowledgement, and for
/// the facilitator the lines the console would show (participants never see notices:
/// they can hold facilitator notes).
fn lines_for(grant: &Grant, a: &Answer) -> Vec<String> {
    let mut out = Vec::new();
    for s in &a.shown {
        match s {
            Shown::Text(t) => out.push(t.clone()),
            Shown::Notice(t) if *grant == Grant::Facilitator => out.push(t.clone()),
            Shown::Event(_, line) if *grant == Grant::Facilitator => out.push(line.clone()),
            _ => {}
        }
    }
    out
}

/// The facilitator's page revokes or reissues a link (`kind=link`, `change=revoke` or
/// `reissue`, `name=` the link's name): the same as the console's `links revoke NAME`.
async fn link_form(ctx: &Ctx, caller: &Holder, fields: &Fields) -> Result<String, Refusal> {
    let unprocessable =
        |text: String| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "Refused", text);
    let change = match field(fields, "change") {
        Some("revoke") => LinkChange::Revoked,
        Some("reissue") => LinkChange::Reissued,
        _ => {
            return Err(unprocessable(
                "the form needs `change`: revoke or reissue".into(),
            ));
        }
    };
    let name = field(fields, "name")
        .ok_or_else(|| unprocessable("the form needs the link's `name`".into()))?
        .to_string();
    // Whether this caller may is the engine's rule, asked before any token changes.
    let command = Command::Link {
        link: name.clone(),
        change,
    };
    caller
        .grant
        .caller()
        .permit(&[], command)
        .map_err(guard::refusal)?;
    if name == "facilitator" {
        // This browser holds the facilitator's link: replacing it here would lock the page
        // out. The terminal's console can.
        return Err(unprocessable(
            "the facilitator's own link is reissued at the terminal (`links reissue facilitator`), not from the page that uses it".into(),
        ));
    }
    let hub = ctx.hub.clone();
    match tokio::task::spawn_blocking(move || hub.change_link(&name, change)).await {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(why)) => Err(Refusal::new(StatusCode::CONFLICT, "Refused", why)),
        Err(_) => Err(Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed",
            "the link could not be changed; try again at the terminal",
        )),
    }
}

/// A form post from a page.
async fn act(
    State(ctx): State<Arc<Ctx>>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let caller = match admit(&ctx, &headers) {
        Ok(c) => c,
        Err(r) => return refusal_page(&ctx, r),
    };
    let truth = field(&fields, "truth") == Some("1") && caller.grant == Grant::Facilitator;
    let back = |message: Flash, status: StatusCode| {
        html(status, render_page(&ctx, &caller, truth, Some(message)))
    };
    let refused = |text: String| Flash {
        kind: "refused",
        lines: vec![text],
    };
    if caller.by_cookie {
        match field(&fields, "nonce") {
            None => {
                return back(
                    refused(
                        "this form is out of date; it was not sent. Send it again from this page."
                            .into(),
                    ),
                    StatusCode::BAD_REQUEST,
                );
            }
            Some(n) if !ctx.hub.first_use(n) => {
                return back(
                    refused("this form was already sent; what it did is on this page".into()),
                    StatusCode::CONFLICT,
                );
            }
            Some(_) => {}
        }
    }
    if field(&fields, "kind") == Some("link") {
        return match link_form(&ctx, &caller, &fields).await {
            Ok(text) => back(
                Flash {
                    kind: "answer",
                    lines: vec![text],
                },
                StatusCode::OK,
            ),
            Err(r) => back(refused(r.text), r.status),
        };
    }
    let command = match form_command(&caller.grant, &fields) {
        Ok(c) => c,
        Err(why) => return back(refused(why), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let answer = match execute(&ctx, caller.grant.caller(), command).await {
        Ok(a) => a,
        Err(r) => return back(refused(r.text), r.status),
    };
    match &answer.verdict {
        Verdict::Ok => {
            let to = if truth { "/?truth=1" } else { "/" };
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, to)],
                Body::empty(),
            )
                .into_response()
        }
        Verdict::Refused(why) => back(refused(why.clone()), StatusCode::UNPROCESSABLE_ENTITY),
        Verdict::Stopped(e) => back(refused(e.clone()), StatusCode::SERVICE_UNAVAILABLE),
        Verdict::Answered | Verdict::Quit => back(
            Flash {
                kind: "answer",
                lines: lines_for(&caller.grant, &answer),
            },
            StatusCode::OK,
        ),
    }
}

/// One console line over HTTP, for scripts and bots: 200 with `ok` (and, for the
/// facilitator, what the console would show), 4xx with the refusal.
async fn api_command(State(ctx): State<Arc<Ctx>>, headers: HeaderMap, body: String) -> Response {
    let caller = match admit(&ctx, &headers) {
        Ok(c) => c,
        Err(r) => return refusal_text(r),
    };
    let line = body.lines().next().unwrap_or("").to_string();
    let command = match command::parse(&line) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return refusal_text(Refusal::new(
                StatusCode::BAD_REQUEST,
                "Empty",
                "send one console command as the request body, e.g. `decide oncall rotate_keys`",
            ));
        }
        Err(why) => {
            return refusal_text(Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Refused",
                why,
            ));
        }
    };
    let answer = match execute(&ctx, caller.grant.caller(), command).await {
        Ok(a) => a,
        Err(r) => return refusal_text(r),
    };
    let status = match answer.verdict {
        Verdict::Ok | Verdict::Answered | Verdict::Quit => StatusCode::OK,
        Verdict::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Verdict::Stopped(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut text = String::new();
    if let Some(ack) = answer.verdict.acknowledgement() {
        text.push_str(&ack);
        text.push('\n');
    }
    if let Verdict::Stopped(e) = &answer.verdict {
        text.push_str(&format!("! {e}\n"));
    }
    for l in lines_for(&caller.grant, &answer) {
        text.push_str(&l);
        text.push('\n');
    }
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

#[derive(Deserialize)]
struct EventsQuery {
    #[serde(default)]
    after: Option<u64>,
    #[serde(default)]
    truth: Option<String>,
}

/// Closes the connection's count when its stream ends.
struct Presence {
    hub: Arc<Hub>,
    grant: Grant,
}

impl Drop for Presence {
    fn drop(&mut self) {
        self.hub.connection(&self.grant, false);
    }
}

struct Live {
    hub: Arc<Hub>,
    /// The hash of the link's token: a stream ends when its link is revoked.
    key: [u8; 32],
    view: View,
    rx: tokio::sync::broadcast::Receiver<Arc<super::hub::Published>>,
    stopping: tokio::sync::watch::Receiver<bool>,
    backlog: VecDeque<SseEvent>,
    last: Option<u64>,
    closes_at_end: bool,
    done: bool,
    _presence: Presence,
}

impl Live {
    /// Queues messages, skipping items already sent.
    fn queue(&mut self, messages: impl IntoIterator<Item = Message>) {
        for m in messages {
            let e = match m {
                Message::Item(seq, html) => {
                    if self.last.is_some_and(|l| seq <= l) {
                        continue;
                    }
                    self.last = Some(seq);
                    SseEvent::default()
                        .event("item")
                        .id(seq.to_string())
                        .data(&*html)
                }
                Message::Clock(html) => SseEvent::default().event("clock").data(&*html),
                Message::Panel(html) => SseEvent::default().event("panel").data(&*html),
            };
            self.backlog.push_back(e);
        }
    }

    async fn next(mut self) -> Option<(Result<SseEvent, std::convert::Infallible>, Live)> {
        loop {
            if let Some(e) = self.backlog.pop_front() {
                return Some((Ok(e), self));
            }
            if self.done || *self.stopping.borrow() {
                return None;
            }
            tokio::select! {
                got = self.rx.recv() => match got {
                    Ok(p) => {
                        if !self.hub.live(&self.key) {
                            // Revoked: nothing more goes to this link, not even this.
                            self.backlog.push_back(SseEvent::default().event("revoked").data("revoked"));
                            self.done = true;
                            continue;
                        }
                        let msgs = p.per_view.get(&self.view).cloned().unwrap_or_default();
                        self.queue(msgs);
                        if p.ended && self.closes_at_end {
                            self.backlog.push_back(SseEvent::default().event("ended").data("ended"));
                            self.done = true;
                        }
                    }
                    // Too far behind the broadcast: catch up from what the hub keeps.
                    Err(RecvError::Lagged(_)) => {
                        let msgs = self.hub.catch_up(&self.view, self.last);
                        self.queue(msgs);
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.stopping.changed() => return None,
            }
        }
    }
}

/// A link's live stream: what it missed (after `?after=SEQ` or the `Last-Event-ID` a
/// reconnecting browser sends), then everything new, each item with its journal `seq`.
async fn events(
    State(ctx): State<Arc<Ctx>>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Response {
    let caller = match ctx.hub.caller(&headers) {
        Ok(c) => c,
        Err(r) => return refusal_text(r),
    };
    let open = ctx.hub.read(|st| guard::still_open(&caller.grant, st));
    if let Err(r) = open {
        return refusal_text(r);
    }
    let truth = q.truth.is_some_and(|t| t == "1") && caller.grant == Grant::Facilitator;
    let view = View::of(&caller.grant, truth);
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let after = match (q.after, resumed) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    // Subscribe before catching up, so nothing falls between the two.
    let rx = ctx.hub.subscribe();
    ctx.hub.connection(&caller.grant, true);
    let mut live = Live {
        hub: ctx.hub.clone(),
        key: caller.key,
        view: view.clone(),
        rx,
        stopping: ctx.hub.stopping.subscribe(),
        backlog: VecDeque::new(),
        last: after,
        closes_at_end: !matches!(caller.grant, Grant::Facilitator | Grant::Observer),
        done: false,
        _presence: Presence {
            hub: ctx.hub.clone(),
            grant: caller.grant.clone(),
        },
    };
    live.backlog.push_back(
        SseEvent::default()
            .retry(Duration::from_secs(1))
            .comment("ttx"),
    );
    let backlog = ctx.hub.catch_up(&view, after);
    live.queue(backlog);
    let s: std::pin::Pin<
        Box<dyn Stream<Item = Result<SseEvent, std::convert::Infallible>> + Send>,
    > = Box::pin(stream::unfold(live, Live::next));
    Sse::new(s)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
