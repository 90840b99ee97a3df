//! What a change to an action item may say, the one rule for every front end that changes
//! the ledger (`ttx actions set`, a tracker's import, and the chat bridges to come): its
//! owner is a roster team (by id or name), its due date a date, its status one of the
//! ledger's, its evidence an http(s) link or plain text.

use jiff::civil::Date;

use crate::authoring::model::roster::Roster;
use crate::authoring::suggest::did_you_mean;
use crate::program::ledger::{Item, Status, Update};

/// A team named by id or name, as its name; unknown teams are refused with a suggestion.
pub fn team_name(roster: Option<&Roster>, given: &str) -> Result<String, String> {
    let Some(roster) = roster else {
        return Ok(given.to_string());
    };
    if let Some(t) = roster
        .teams
        .iter()
        .find(|t| t.id.as_str() == given || t.name.eq_ignore_ascii_case(given))
    {
        return Ok(t.name.clone());
    }
    if given == "UNASSIGNED" {
        return Ok(given.to_string());
    }
    let names: Vec<&str> = roster.teams.iter().map(|t| t.name.as_str()).collect();
    let hint = did_you_mean(given, names.iter().copied())
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    Err(format!(
        "`{given}` is not a team in the roster; {hint}teams: {}",
        names.join(", ")
    ))
}

/// Whether an item's owner is the team `wanted` names (by id or name, any case).
pub fn matches_owner(item: &Item, wanted: &str, roster: Option<&Roster>) -> bool {
    let name = roster
        .and_then(|r| r.teams.iter().find(|t| t.id.as_str() == wanted))
        .map_or(wanted, |t| t.name.as_str());
    item.owner.eq_ignore_ascii_case(name)
}

/// The fields of a change, as given.
pub struct Change {
    /// open, in-progress, done or wont-fix.
    pub status: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// An http(s) link or plain text.
    pub evidence: Option<String>,
    /// A roster team, by id or name.
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    pub due: Option<String>,
}

/// A change made into an update of item `id` on day `on`, or everything wrong with it.
pub fn to_update(
    roster: Option<&Roster>,
    id: String,
    c: Change,
    on: Date,
) -> Result<Update, Vec<String>> {
    let mut problems = Vec::new();
    let status = c.status.as_deref().map(|s| {
        Status::from_tracker(s).unwrap_or_else(|| {
            problems.push(format!(
                "status `{s}` is not one of open, in-progress, done, wont-fix"
            ));
            Status::Open
        })
    });
    let owner = c.owner.as_deref().filter(|o| !o.is_empty()).map(|o| {
        team_name(roster, o).unwrap_or_else(|e| {
            problems.push(e);
            String::new()
        })
    });
    let due = c
        .due
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| match d.parse::<Date>() {
            Ok(date) => date.to_string(),
            Err(_) => {
                problems.push(format!("due `{d}` is not a date; write YYYY-MM-DD"));
                String::new()
            }
        });
    let evidence = c.evidence.filter(|e| !e.is_empty());
    if let Some(why) = evidence.as_deref().and_then(evidence_problem) {
        problems.push(why);
    }
    let note = c.note.filter(|n| !n.trim().is_empty());
    if status.is_none() && owner.is_none() && due.is_none() && evidence.is_none() && note.is_none()
    {
        problems
            .push("nothing to change; give --status, --note, --evidence, --owner or --due".into());
    }
    if problems.is_empty() {
        Ok(Update {
            id,
            status,
            note,
            evidence,
            owner,
            due,
            on: on.to_string(),
        })
    } else {
        Err(problems)
    }
}

/// What is wrong with an evidence value, if anything. Evidence is an http(s) link or
/// plain text ("SEC-311, closed by the CAB"); a link of any other scheme (`javascript:`,
/// `data:`, `file:`) is refused, because evidence ends up in pages people click.
pub fn evidence_problem(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        return (rest.is_empty() || text.chars().any(char::is_whitespace)).then(|| {
            format!(
                "evidence `{text}` is not a whole link; give a URL such as https://tracker.example/SEC-123 (no spaces)"
            )
        });
    }
    // `scheme:` followed by something other than a space: a link of another kind.
    let (head, tail) = text.split_once(':')?;
    let scheme = head.starts_with(|c: char| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
    (scheme && !tail.is_empty() && !tail.starts_with(char::is_whitespace)).then(|| {
        format!(
            "evidence `{text}` is a `{}:` link; only http(s) links or plain text are taken (write `{head}: …` with a space if it is text)",
            head.to_ascii_lowercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_an_http_link_or_plain_text() {
        assert_eq!(evidence_problem("https://tracker.example/SEC-311"), None);
        assert_eq!(evidence_problem("SEC-311, closed by the CAB"), None);
        assert_eq!(evidence_problem("note: see the CAB minutes"), None);
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "https://",
            "https://a b",
        ] {
            assert!(evidence_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_change_says_everything_wrong_with_it_at_once() {
        let change = Change {
            status: Some("finished".into()),
            note: None,
            evidence: Some("javascript:x".into()),
            owner: None,
            due: Some("soon".into()),
        };
        let on: Date = "2026-06-01".parse().unwrap();
        let problems = to_update(None, "X-01".into(), change, on).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let fine = Change {
            status: Some("done".into()),
            note: None,
            evidence: Some("https://t.example/1".into()),
            owner: Some("Security".into()),
            due: None,
        };
        let u = to_update(None, "X-01".into(), fine, on).unwrap();
        assert_eq!(u.status, Some(Status::Done));
        assert_eq!(u.owner.as_deref(), Some("Security"));
    }
}
