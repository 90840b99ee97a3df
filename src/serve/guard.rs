//! Who is asking, and what they may do. A request carries its link's token as a bearer
//! header (scripts, bots) or as the cookie the join link set (browsers); a browser's
//! state-changing request must also come from this server's own origin. A participant's
//! token may only take its own role's moves; the facilitator's may send every command.

use axum::http::{HeaderMap, StatusCode, header};
use ttx_engine::exercise::command::{Command, Decide};

use super::hub::State;
use super::links::{self, Grant, Keys, Lookup};

/// The cookie a join link sets.
pub const COOKIE: &str = "ttx";

/// A caller that presented a known token.
#[derive(Clone, Debug)]
pub struct Caller {
    /// What the token grants.
    pub grant: Grant,
    /// The token's hash, for the rate limit.
    pub key: [u8; 32],
    /// Whether the token came in a cookie (a browser) rather than a bearer header.
    pub by_cookie: bool,
}

/// Why a request is turned away: a status and the reason, said plainly.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// A title for the page.
    pub title: &'static str,
    /// What is wrong and what to do.
    pub text: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(status: StatusCode, title: &'static str, text: impl Into<String>) -> Refusal {
        Refusal {
            status,
            title,
            text: text.into(),
        }
    }
}

/// The token a request presents: the bearer header first, then the cookie.
fn presented(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = v.strip_prefix("Bearer ").unwrap_or("").trim();
        return Some((token.to_string(), false));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| (v.trim().to_string(), true))
}

/// Who is asking, or why they may not.
pub fn caller(keys: &Keys, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let Some((token, by_cookie)) = presented(headers) else {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "Open your join link",
            "This page needs the join link the facilitator sent you. Open it once; this browser then remembers it.",
        ));
    };
    match keys.lookup(&token) {
        Lookup::Granted(grant) => Ok(Caller {
            grant: grant.clone(),
            key: links::digest(&token),
            by_cookie,
        }),
        Lookup::Revoked => Err(Refusal::new(
            StatusCode::GONE,
            "This link was revoked",
            "The facilitator revoked this link, so it no longer opens the exercise. Ask them for a new one.",
        )),
        Lookup::Unknown => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "This link does not open this exercise",
            "The link is mistyped, or belongs to another exercise. Ask the facilitator for your link to this one.",
        )),
    }
}

/// A browser's state-changing request must come from a page of this server: its
/// `Origin` must name the host it was sent to (or the public address the server was
/// given). Requests with a bearer header are not sent by browsers on their own, so they
/// need no origin.
pub fn same_origin(
    caller: &Caller,
    headers: &HeaderMap,
    public: Option<&str>,
) -> Result<(), Refusal> {
    if !caller.by_cookie {
        return Ok(());
    }
    let refused = || {
        Refusal::new(
            StatusCode::FORBIDDEN,
            "Sent from somewhere else",
            "This request did not come from a page of this exercise, so it was not carried out. Use the exercise's own page.",
        )
    };
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    let public_host = public.and_then(|p| {
        p.strip_prefix("http://")
            .or_else(|| p.strip_prefix("https://"))
            .map(|h| h.trim_end_matches('/'))
    });
    if !origin_host.is_empty() && (origin_host == host || Some(origin_host) == public_host) {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Whether a grant's links still work: a participant's and the room's stop at `end`;
/// the facilitator's and the observer's stay for the debrief.
pub fn still_open(grant: &Grant, st: &State) -> Result<(), Refusal> {
    if st.ended && !matches!(grant, Grant::Facilitator | Grant::Observer) {
        return Err(Refusal::new(
            StatusCode::GONE,
            "The exercise has ended",
            "Thank you for taking part. This link no longer opens the exercise; the facilitator will share the after-action report.",
        ));
    }
    Ok(())
}

/// What a participant's link may send: its own role's decisions and actions, notices
/// from its role, the answer to the question on the screen, and the hot wash once it is
/// open. A person's link speaks as that person. Everything else is refused with the
/// reason; the facilitator may send every command but `quit`, which belongs to the
/// terminal.
pub fn permit(grant: &Grant, st: &State, command: Command) -> Result<Command, Refusal> {
    let forbidden = |text: String| Refusal::new(StatusCode::FORBIDDEN, "Not yours to do", text);
    let (role, person) = match grant {
        Grant::Facilitator => {
            return match command {
                Command::Quit => Err(forbidden(
                    "`quit` leaves the terminal's console; stop the server there".into(),
                )),
                c => Ok(c),
            };
        }
        Grant::Observer | Grant::Room => {
            return Err(forbidden(
                "this link is read-only: it shows the exercise and sends nothing".into(),
            ));
        }
        Grant::Role(r) => (r.as_str(), None),
        Grant::Person { person, role } => (role.as_str(), Some(person.as_str())),
    };
    let speaks_as = |participant: Option<String>| -> Result<Option<String>, Refusal> {
        match (participant, person) {
            (Some(p), Some(me)) if p != me => Err(forbidden(format!(
                "you speak as {me} on this link, not as {p}"
            ))),
            (p, me) => Ok(p.or(me.map(str::to_string))),
        }
    };
    let not_role = |other: &str| {
        forbidden(format!(
            "this link plays {role}; `{other}` is another role's move"
        ))
    };
    match command {
        Command::Decide(d) if d.role == role => Ok(Command::Decide(Decide {
            participant: speaks_as(d.participant)?,
            ..d
        })),
        Command::Action {
            role: r,
            text,
            participant,
            rationale,
            confidence,
            prompted_by,
        } if r == role => Ok(Command::Action {
            role: r,
            text,
            participant: speaks_as(participant)?,
            rationale,
            confidence,
            prompted_by,
        }),
        Command::Notify { from, to, text } if from == role => {
            Ok(Command::Notify { from, to, text })
        }
        Command::Decide(d) => Err(not_role(&d.role)),
        Command::Action { role: r, .. } => Err(not_role(&r)),
        Command::Notify { from, .. } => Err(not_role(&from)),
        Command::Answer { question, text } => {
            match ttx_engine::exercise::view::current_question(&st.log) {
                Some(n) if n == question => Ok(Command::Answer { question, text }),
                _ => Err(Refusal::new(
                    StatusCode::CONFLICT,
                    "Not the question on the screen",
                    format!("question {question} is not on the screen now; answer the one that is"),
                )),
            }
        }
        c @ (Command::Strength(_) | Command::Improve(_)) => {
            if ttx_engine::exercise::view::hot_wash_open(&st.log) {
                Ok(c)
            } else {
                Err(Refusal::new(
                    StatusCode::CONFLICT,
                    "The hot wash is not open yet",
                    "the hot wash is not open yet; the facilitator opens it, and until then you decide and act",
                ))
            }
        }
        Command::View(r) if r == role => Ok(Command::View(r)),
        Command::Help => Ok(Command::Help),
        _ => Err(forbidden(format!(
            "a participant's link may decide, act and notify as {role}, answer the question on the screen, and add to the hot wash once it is open"
        ))),
    }
}
