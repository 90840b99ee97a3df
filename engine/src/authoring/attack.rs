//! The MITRE ATT&CK enterprise technique catalog, used to check the technique ids a
//! scenario cites: the bundled one (regenerate it with `ttx attack update`, or
//! `scripts/attack-catalog.py`), or the one a program pins in `ttx.yaml` (`attack:`).

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

/// The catalog a program pinned (`attack:` in `ttx.yaml`), set once before the catalog is
/// first read; the bundled one otherwise.
static PINNED: OnceLock<Pinned> = OnceLock::new();

struct Pinned {
    text: &'static str,
    from: String,
}

/// Which catalog the checks use: its version and where it came from, e.g. `ATT&CK
/// Enterprise 18.1 (bundled)`.
pub fn described() -> String {
    let (text, from) = match PINNED.get() {
        Some(p) => (p.text, p.from.as_str()),
        None => (CATALOG, "bundled"),
    };
    match version_of(text) {
        Some(v) => format!("ATT&CK Enterprise {v} ({from})"),
        None => format!("ATT&CK Enterprise ({from})"),
    }
}

/// The version a catalog's header names (`# version: 18.1`).
pub fn version_of(text: &str) -> Option<&str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# version:"))
        .map(str::trim)
}

/// Makes `text` (a catalog in the bundled format, from `from`) the one every check uses
/// from now on. Refused when it has no technique, or when the catalog was already read or
/// pinned (one process checks against one catalog).
pub fn pin(text: String, from: String) -> Result<(), String> {
    if !is_catalog(&text) {
        return Err(format!(
            "{from} has no technique rows; write it with `ttx attack update enterprise-attack.json -o FILE`"
        ));
    }
    // Leaked: the catalog lives as long as the process, as the bundled one does.
    let text: &'static str = Box::leak(text.into_boxed_str());
    if CATALOG_MAP.get().is_some() {
        return Err("the ATT&CK catalog was read before the program pinned its own".into());
    }
    PINNED
        .set(Pinned { text, from })
        .map_err(|_| "an ATT&CK catalog is already pinned".to_string())
}

/// The largest catalog a program may pin: the bundled one is under 64 KiB.
pub const MAX_CATALOG_BYTES: u64 = 4 << 20;

/// [`pin`]s the catalog file at `path` (shown as `path` relative to the working folder);
/// pinning the same file again is no change.
pub fn pin_file(path: &std::path::Path) -> Result<(), String> {
    let shown = crate::authoring::paths::display_path(path)
        .display()
        .to_string();
    if PINNED.get().is_some_and(|p| p.from == shown) {
        return Ok(());
    }
    let bytes =
        crate::authoring::file::read_bounded(path, MAX_CATALOG_BYTES).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| format!("`{shown}` is not UTF-8 text"))?;
    pin(text, shown)
}

/// Whether `text` is a catalog in the bundled format: at least one technique row.
pub fn is_catalog(text: &str) -> bool {
    rows(text).any(|r| r.id.starts_with('T'))
}

static CATALOG_MAP: OnceLock<HashMap<&'static str, Technique>> = OnceLock::new();

/// The catalog, parsed once: the program's pinned one, or the bundled one.
pub fn catalog() -> &'static HashMap<&'static str, Technique> {
    CATALOG_MAP.get_or_init(|| parse(PINNED.get().map_or(CATALOG, |p| p.text)))
}

/// A catalog's rows (`id, name, tactics, status, replaced_by`, tab-separated; `#` lines
/// are comments), each borrowing from the text: the one reading of the format, for the
/// catalog itself and for [`is_catalog`].
fn rows(text: &str) -> impl Iterator<Item = Row<'_>> {
    text.lines()
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
            Some(Row {
                id,
                name,
                tactics,
                status,
                replaced_by,
            })
        })
}

/// One row of a catalog, borrowed from its text.
struct Row<'t> {
    id: &'t str,
    name: &'t str,
    tactics: Vec<&'t str>,
    status: Status,
    replaced_by: Option<&'t str>,
}

/// The catalog of a text that lives as long as the process.
fn parse(text: &'static str) -> HashMap<&'static str, Technique> {
    rows(text)
        .map(|r| {
            (
                r.id,
                Technique {
                    id: r.id,
                    name: r.name,
                    tactics: r.tactics,
                    status: r.status,
                    replaced_by: r.replaced_by,
                },
            )
        })
        .collect()
}

/// Why MITRE's STIX data did not become a catalog.
#[derive(Debug, thiserror::Error)]
pub enum NotACatalog {
    /// Not JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json says.
        message: String,
    },
    /// JSON, but no STIX bundle of attack patterns.
    #[error("{0}")]
    Shape(String),
}

/// A catalog in the bundled format from MITRE's `enterprise-attack.json` STIX bundle: every
/// `attack-pattern` with a `mitre-attack` technique id, its name, its tactics (the
/// `mitre-attack` kill-chain phases), revoked (with the `revoked-by` replacement) or
/// deprecated; its version from the bundle's `x-mitre-collection`.
pub fn from_stix(text: &str, source_name: &str) -> Result<(String, usize), NotACatalog> {
    use serde_json::Value;
    let bundle: Value = serde_json::from_str(text).map_err(|e| NotACatalog::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if bundle.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(NotACatalog::Shape(
            "not a STIX bundle (`\"type\": \"bundle\"`); give MITRE's enterprise-attack.json"
                .into(),
        ));
    }
    let objects = bundle
        .get("objects")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let external_id = |o: &Value| {
        o.get("external_references")?
            .as_array()?
            .iter()
            .find(|r| r.get("source_name").and_then(Value::as_str) == Some("mitre-attack"))
            .and_then(|r| str_of(r, "external_id"))
            .filter(|id| id.starts_with('T'))
    };
    let mut by_stix: HashMap<&str, String> = HashMap::new();
    let mut rows = Vec::new();
    for o in objects {
        if o.get("type").and_then(Value::as_str) != Some("attack-pattern") {
            continue;
        }
        let Some(id) = external_id(o) else { continue };
        if let Some(stix_id) = o.get("id").and_then(Value::as_str) {
            by_stix.insert(stix_id, id.clone());
        }
        let tactics: Vec<String> = o
            .get("kill_chain_phases")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|p| p.get("kill_chain_name").and_then(Value::as_str) == Some("mitre-attack"))
            .filter_map(|p| str_of(p, "phase_name"))
            .collect();
        let flag = |k: &str| o.get(k).and_then(Value::as_bool) == Some(true);
        let status = if flag("revoked") {
            "revoked"
        } else if flag("x_mitre_deprecated") {
            "deprecated"
        } else {
            "active"
        };
        let name = str_of(o, "name")
            .unwrap_or_default()
            .replace(['\t', '\n'], " ");
        rows.push((
            id,
            name,
            tactics.join(","),
            status,
            o.get("id").and_then(Value::as_str),
        ));
    }
    if rows.is_empty() {
        return Err(NotACatalog::Shape(
            "the bundle has no attack-pattern with a mitre-attack technique id; give MITRE's enterprise-attack.json".into(),
        ));
    }
    let mut revoked_by: HashMap<&str, &str> = HashMap::new();
    for r in objects {
        if r.get("type").and_then(Value::as_str) == Some("relationship")
            && r.get("relationship_type").and_then(Value::as_str) == Some("revoked-by")
            && let (Some(from), Some(to)) = (
                r.get("source_ref").and_then(Value::as_str),
                r.get("target_ref").and_then(Value::as_str),
            )
        {
            revoked_by.insert(from, to);
        }
    }
    let version = objects
        .iter()
        .find(|o| o.get("type").and_then(Value::as_str) == Some("x-mitre-collection"))
        .and_then(|c| str_of(c, "x_mitre_version"));
    rows.sort();
    rows.dedup_by(|a, b| a.0 == b.0);
    let mut out = String::new();
    out.push_str(&format!(
        "# MITRE ATT&CK(R) Enterprise techniques, from {source_name} (ttx attack update).\n"
    ));
    out.push_str(
        "# (c) The MITRE Corporation. Reproduced and distributed under the ATT&CK Terms of Use:\n",
    );
    out.push_str("# https://attack.mitre.org/resources/terms-of-use/\n");
    if let Some(v) = &version {
        out.push_str(&format!("# version: {v}\n"));
    }
    out.push_str("# id\tname\ttactics\tstatus\treplaced_by\n");
    let count = rows.len();
    for (id, name, tactics, status, stix_id) in &rows {
        let replaced = stix_id
            .and_then(|s| revoked_by.get(s))
            .and_then(|t| by_stix.get(t))
            .map_or("", String::as_str);
        out.push_str(&format!("{id}\t{name}\t{tactics}\t{status}\t{replaced}\n"));
    }
    Ok((out, count))
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
