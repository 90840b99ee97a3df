//! Invitations to an exercise (`ttx invite`): who is invited (every person the roster
//! assigns to a role of the scenario, and the observers named), and the iCalendar event
//! (RFC 5545) and message text each receives. What an invitation says is public: the
//! scenario's title, the role the person plays and its description, when and how long,
//! and their join link. Never the scenario's summary, injects, facts or truth, which are
//! the facilitator's.

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::authoring::duration::SimDuration;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Scenario;

/// One person invited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    /// Roster person id.
    pub person: String,
    /// Their name.
    pub name: String,
    /// Their e-mail address, when the roster has one.
    pub email: Option<String>,
    /// The role they play (`observer` for an observer).
    pub role: String,
    /// The role's title as the room knows it.
    pub role_title: String,
    /// What the role does in this scenario, when the scenario says.
    pub role_description: Option<String>,
    /// Their join link, when the exercise has been started with `ttx serve`.
    pub link: Option<String>,
}

/// The exercise an invitation is for.
#[derive(Clone, Debug)]
pub struct Meeting {
    /// The organisation.
    pub org: String,
    /// The scenario's id.
    pub scenario: String,
    /// The scenario's title.
    pub title: String,
    /// When it starts.
    pub start: Timestamp,
    /// How long it is booked for.
    pub duration: SimDuration,
    /// Who sends the invitation: the facilitator's address.
    pub organizer: String,
    /// And their name, when given.
    pub organizer_name: Option<String>,
    /// When the invitations are written (DTSTAMP).
    pub stamp: Timestamp,
}

/// The role id observers are invited as.
pub const OBSERVER: &str = "observer";

/// Everyone invited, in the scenario's role order then the roster's people order, then the
/// observers named; a person who plays two roles is invited once, as the first.
pub fn invitees(
    s: &Scenario,
    roster: &Roster,
    observers: &[String],
) -> Result<Vec<Invitee>, String> {
    let mut out: Vec<Invitee> = Vec::new();
    let person = |id: &str| roster.people.iter().find(|p| p.id.as_str() == id);
    for (role, r) in &s.roles {
        let Some(assignment) = roster.roles.get(role.as_str()) else {
            continue;
        };
        for id in &assignment.people {
            let Some(p) = person(id.as_str()) else {
                continue;
            };
            if out.iter().any(|i| i.person == p.id.as_str()) {
                continue;
            }
            out.push(Invitee {
                person: p.id.to_string(),
                name: p.name.clone(),
                email: p.email.clone(),
                role: role.to_string(),
                role_title: r.title.clone(),
                role_description: r.description.as_ref().map(|d| d.trim().to_string()),
                link: None,
            });
        }
    }
    for id in observers {
        let Some(p) = person(id) else {
            let known: Vec<&str> = roster.people.iter().map(|p| p.id.as_str()).collect();
            return Err(
                match crate::authoring::suggest::did_you_mean(id, known.iter().copied()) {
                    Some(near) => format!("no person `{id}` in the roster; did you mean `{near}`?"),
                    None => format!(
                        "no person `{id}` in the roster; observers are named by roster person id"
                    ),
                },
            );
        };
        if !out.iter().any(|i| i.person == p.id.as_str()) {
            out.push(Invitee {
                person: p.id.to_string(),
                name: p.name.clone(),
                email: p.email.clone(),
                role: OBSERVER.into(),
                role_title: "Observer".into(),
                role_description: Some(
                    "You watch what the roles see and do, read-only, and take part in the hot wash."
                        .into(),
                ),
                link: None,
            });
        }
    }
    Ok(out)
}

/// What the invitation says, as plain text: the message body and the event's description.
pub fn text(m: &Meeting, who: &Invitee) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "{},\n", who.name);
    let _ = writeln!(
        t,
        "you are invited to a tabletop exercise{}: {}.\n",
        if m.org.is_empty() {
            String::new()
        } else {
            format!(" at {}", m.org)
        },
        m.title.trim()
    );
    let _ = writeln!(t, "You play: {} ({}).", who.role_title, who.role);
    if let Some(d) = &who.role_description {
        let _ = writeln!(t, "{d}");
    }
    let _ = writeln!(
        t,
        "\nWhen: {} (UTC), for {}.",
        m.start.strftime("%Y-%m-%d %H:%M"),
        m.duration
    );
    match &who.link {
        Some(link) => {
            let _ = writeln!(
                t,
                "Your link: {link}\nIt is yours alone: do not forward it. Open it at the start; it works on a phone too."
            );
        }
        None => {
            let _ = writeln!(
                t,
                "Your link: the facilitator sends it when the exercise starts."
            );
        }
    }
    let _ = writeln!(
        t,
        "\nThere is nothing to prepare: the scenario unfolds in the room. Come as you would to a real incident, with the tools and contacts you would use. What you decide is recorded to improve our plans, not to grade people."
    );
    t
}

/// The invitation as an iCalendar object (RFC 5545, `METHOD:REQUEST`): one event with a
/// stable UID (the same invitation written again updates the same event), the person as
/// the attendee, and [`text`] as its description.
pub fn ics(m: &Meeting, who: &Invitee) -> String {
    let start = m.start.strftime("%Y%m%dT%H%M%SZ").to_string();
    let end = m
        .start
        .checked_add(jiff::SignedDuration::from_secs(m.duration.as_secs() as i64))
        .unwrap_or(m.start)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//ttx//tabletop exercises//EN".into(),
        "METHOD:REQUEST".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}-{}-{}@ttx", m.scenario, start, who.person),
        format!("DTSTAMP:{}", m.stamp.strftime("%Y%m%dT%H%M%SZ")),
        format!("DTSTART:{start}"),
        format!("DTEND:{end}"),
        format!(
            "SUMMARY:{}",
            escape(&format!("Tabletop exercise: {}", m.title.trim()))
        ),
        format!("DESCRIPTION:{}", escape(&text(m, who))),
        match &m.organizer_name {
            Some(name) => format!("ORGANIZER;CN={}:mailto:{}", param(name), m.organizer),
            None => format!("ORGANIZER:mailto:{}", m.organizer),
        },
    ];
    if let Some(email) = &who.email {
        lines.push(format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}",
            param(&who.name)
        ));
    }
    if let Some(link) = &who.link {
        lines.push(format!("URL:{link}"));
    }
    lines.extend(["END:VEVENT".to_string(), "END:VCALENDAR".into()]);
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// A TEXT value with RFC 5545's escapes: backslash, semicolon, comma and newline.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_end().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted, without the characters a quoted value may not hold.
fn param(text: &str) -> String {
    format!("\"{}\"", text.replace(['"', '\r', '\n'], ""))
}

/// A content line folded at 75 octets (never inside a UTF-8 character), CRLF-terminated.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn text_values_escape_what_rfc_5545_reserves() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }
}
