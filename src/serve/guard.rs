//! Who is asking. A request carries its link's token as a bearer header (scripts, bots) or
//! as the cookie the join link set (browsers); a browser's state-changing request must
//! also come from this server's own origin. What a caller may do is the engine's rule
//! ([`ttx_engine::exercise::caller::Caller::permit`]), judged where the command is carried out; this module only turns
//! its refusals into HTTP answers.

use axum::http::{HeaderMap, StatusCode, header};
use ttx_engine::exercise::caller::{Denial, Denied};

use super::hub::State;
use super::links::{self, Grant, Keys, Lookup};

/// The cookie a join link sets.
pub const COOKIE: &str = "ttx";

/// The holder of a known link, as a request presented it.
#[derive(Clone, Debug)]
pub struct Holder {
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
pub fn caller(keys: &Keys, headers: &HeaderMap) -> Result<Holder, Refusal> {
    let Some((token, by_cookie)) = presented(headers) else {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "Open your join link",
            "This page needs the join link the facilitator sent you. Open it once; this browser then remembers it.",
        ));
    };
    match keys.lookup(&token) {
        Lookup::Granted(grant) => Ok(Holder {
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
    caller: &Holder,
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
/// the facilitator's and the observer's stay for the debrief (the engine's rule,
/// [`ttx_engine::exercise::caller::Caller::still_open`]).
pub fn still_open(grant: &Grant, st: &State) -> Result<(), Refusal> {
    grant.caller().still_open(st.ended).map_err(refusal)
}

/// The engine's refusal of a caller as an HTTP answer: 403 for what is not theirs to do,
/// 409 for what is not for now, 410 for a link that has closed.
pub fn refusal(d: Denied) -> Refusal {
    let (status, title) = match d.denial {
        Denial::Forbidden => (StatusCode::FORBIDDEN, "Not yours to do"),
        Denial::NotNow => (StatusCode::CONFLICT, "Not now"),
        Denial::Closed => (StatusCode::GONE, "The exercise has ended"),
    };
    Refusal::new(status, title, d.reason)
}
