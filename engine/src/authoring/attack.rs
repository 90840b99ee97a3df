//! The bundled MITRE ATT&CK enterprise technique catalog, used to check the technique ids a
//! scenario cites. Regenerate the data with `scripts/attack-catalog.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

const CATALOG: &str = include_str!("../../data/attack-enterprise.tsv");

/// The enterprise tactics in kill-chain order, from reconnaissance to impact.
pub const TACTICS: &[&str] = &[
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
];

/// Whether MITRE still maintains a technique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In use.
    Active,
    /// Replaced by another technique.
    Revoked,
    /// Withdrawn without a replacement.
    Deprecated,
}

/// One technique of the catalog.
#[derive(Clone, Debug)]
pub struct Technique {
    /// `T1078.004`.
    pub id: &'static str,
    /// `Cloud Accounts`.
    pub name: &'static str,
    /// Tactics (kill-chain phases), e.g. `initial-access`.
    pub tactics: Vec<&'static str>,
    /// Active, revoked or deprecated.
    pub status: Status,
    /// For a revoked technique, the one that replaces it.
    pub replaced_by: Option<&'static str>,
}

/// The catalog, parsed once.
pub fn catalog() -> &'static HashMap<&'static str, Technique> {
    static MAP: OnceLock<HashMap<&'static str, Technique>> = OnceLock::new();
    MAP.get_or_init(|| {
        CATALOG
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let id = cols.next()?;
                let name = cols.next()?;
                let tactics = cols.next()?.split(',').filter(|t| !t.is_empty()).collect();
                let status = match cols.next()? {
                    "revoked" => Status::Revoked,
                    "deprecated" => Status::Deprecated,
                    _ => Status::Active,
                };
                let replaced_by = cols.next().filter(|r| !r.is_empty());
                Some((
                    id,
                    Technique {
                        id,
                        name,
                        tactics,
                        status,
                        replaced_by,
                    },
                ))
            })
            .collect()
    })
}

/// What is wrong with citing technique `id`, if anything: revoked (an error naming
/// MITRE's replacement), deprecated (a warning), or unknown (an error naming the nearest
/// current technique). The one rule for a scenario's `threats.attack`, an inject's
/// `technique` and the intel a scenario is drafted from.
pub fn problem(
    id: &str,
) -> Option<(
    crate::authoring::diagnostic::Severity,
    crate::authoring::diagnostic::Code,
    String,
    Option<String>,
)> {
    use crate::authoring::diagnostic::{Code, Severity};
    match technique(id) {
        Some(t) if t.status == Status::Active => None,
        Some(t) if t.status == Status::Revoked => {
            let help = t
                .replaced_by
                .and_then(technique)
                .map(|r| {
                    format!(
                        "MITRE replaced it with `{}` ({}); cite that instead",
                        r.id, r.name
                    )
                })
                .unwrap_or_else(|| "cite a current technique instead".into());
            Some((
                Severity::Error,
                Code::RevokedTechnique,
                format!("ATT&CK technique `{id}` ({}) is revoked", t.name),
                Some(help),
            ))
        }
        Some(t) => Some((
            Severity::Warning,
            Code::RevokedTechnique,
            format!("ATT&CK technique `{id}` ({}) is deprecated", t.name),
            Some(
                "MITRE withdrew it without a replacement; cite a current technique or remove it"
                    .into(),
            ),
        )),
        None => Some((
            Severity::Error,
            Code::UnknownTechnique,
            format!("`{id}` is not an ATT&CK enterprise technique"),
            nearest_active(id)
                .map(|t| format!("the nearest current technique is `{}` ({})", t.id, t.name)),
        )),
    }
}

/// Looks a technique up by id.
pub fn technique(id: &str) -> Option<&'static Technique> {
    catalog().get(id)
}

/// The active technique nearest to an unknown id: its parent technique for an unknown
/// sub-technique, else the active id with the smallest edit distance.
pub fn nearest_active(id: &str) -> Option<&'static Technique> {
    let cat = catalog();
    if let Some((parent, _)) = id.split_once('.')
        && let Some(t) = cat.get(parent).filter(|t| t.status == Status::Active)
    {
        return Some(t);
    }
    let upper = id.to_uppercase();
    if let Some(t) = cat
        .get(upper.as_str())
        .filter(|t| t.status == Status::Active)
    {
        return Some(t);
    }
    cat.values()
        .filter(|t| t.status == Status::Active)
        .min_by_key(|t| (strsim::levenshtein(&upper, t.id), t.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_active_revoked_and_deprecated_techniques() {
        let t = technique("T1078.004").unwrap();
        assert_eq!(t.name, "Cloud Accounts");
        assert!(t.tactics.contains(&"initial-access"));
        let revoked = technique("T1002").unwrap();
        assert_eq!(revoked.status, Status::Revoked);
        assert_eq!(revoked.replaced_by, Some("T1560"));
        assert_eq!(technique("T1026").unwrap().status, Status::Deprecated);
        assert!(catalog().len() > 800);
    }

    #[test]
    fn suggests_the_parent_of_an_unknown_subtechnique() {
        assert_eq!(nearest_active("T1078.999").unwrap().id, "T1078");
        assert_eq!(nearest_active("t1078").unwrap().id, "T1078");
    }
}
