//! Threat intelligence a scenario starts from (`ttx new scenario ID --from FILE`): a STIX
//! 2.1 bundle (what CISA advisories, MISP and most intel platforms export), an ATT&CK
//! Navigator layer, or a plain list of technique ids. Read into the techniques it names,
//! in the order it names them, each with what the intel itself says about it (a `uses`
//! relationship's description, a layer's comment), never more; and the intel's own name,
//! id and date for the scenario's references.
//!
//! Every technique id is checked against the ATT&CK catalog the validator uses: an unknown
//! id or a revoked one is an error at its place in the file, with the nearest current
//! technique or MITRE's replacement, exactly as a scenario's `threats.attack`.

use std::path::Path;

use serde_json::Value;

use crate::authoring::attack;
use crate::authoring::diagnostic::{Code, Diagnostic, Severity};
use crate::authoring::source::{Pos, SourceFile, pos_in};

/// The largest intel file read: a whole ATT&CK release is larger and is not intel about
/// one threat (`ttx attack update` reads that).
pub const MAX_INTEL_BYTES: u64 = 16 << 20;

/// What kind of file the intel came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A STIX 2.x bundle.
    Stix,
    /// An ATT&CK Navigator layer.
    Navigator,
    /// Technique ids, one per line or separated by commas or spaces.
    List,
}

impl Format {
    /// How a reader names it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Stix => "STIX bundle",
            Format::Navigator => "ATT&CK Navigator layer",
            Format::List => "list of technique ids",
        }
    }
}

/// A technique the intel names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cited {
    /// The ATT&CK id, `T1566.001`.
    pub id: String,
    /// The tactic the intel files it under, when it says (a layer does).
    pub tactic: Option<String>,
    /// What the intel says about its use, in its own words.
    pub said: Option<String>,
}

/// Intel read from one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intel {
    /// The kind of file.
    pub format: Format,
    /// The report's or layer's name, else the file's.
    pub name: String,
    /// The report's STIX id, the bundle's, or a layer's group id.
    pub id: Option<String>,
    /// When the report was published, as it says (`2020-10-28T00:00:00.000Z`).
    pub date: Option<String>,
    /// The report's or layer's description.
    pub description: Option<String>,
    /// Who uses the techniques: intrusion sets, threat actors, malware and campaigns.
    pub actors: Vec<String>,
    /// The techniques, once each, in the order the intel names them.
    pub techniques: Vec<Cited>,
}

/// Why intel was not read: every problem found, each at its place.
#[derive(Debug)]
pub struct Unread(pub Vec<Diagnostic>);

/// Reads intel from a file's text.
pub fn read(source: &SourceFile) -> Result<Intel, Unread> {
    let path = source.path.as_path();
    let text = source.text.trim_start_matches('\u{feff}');
    let fallback_name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("intel")
        .to_string();
    let at_start = Pos {
        line: 1,
        col: 1,
        offset: 0,
        len: 0,
    };
    let intel = if text.trim_start().starts_with(['{', '[']) {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let offset = offset_of(text, e.line(), e.column());
            Unread(vec![
                Diagnostic::error(
                    path,
                    pos_in(text, offset, 0),
                    Code::InvalidValue,
                    format!("not valid JSON: {e}"),
                )
                .with_help(
                    "intel is a STIX 2.1 bundle or an ATT&CK Navigator layer as JSON, or a plain list of technique ids",
                ),
            ])
        })?;
        if value.get("type").and_then(Value::as_str) == Some("bundle") {
            stix(&value, fallback_name)
        } else if value.get("techniques").is_some_and(Value::is_array) {
            navigator(&value, fallback_name)
        } else {
            return Err(Unread(vec![
                Diagnostic::error(
                    path,
                    at_start,
                    Code::InvalidValue,
                    "this JSON is neither a STIX bundle (`\"type\": \"bundle\"`) nor an ATT&CK Navigator layer (`\"techniques\": [...]`)",
                )
                .with_help("export the report as a STIX 2.1 bundle, or the layer from the Navigator"),
            ]));
        }
    } else {
        list(text, fallback_name)
    };
    let mut intel = intel;
    // A parent technique the intel says nothing about, beside a sub-technique of it that
    // it names, is a layer's heading (the Navigator lists `T1059` above `T1059.001`): the
    // sub-technique is the one played.
    let named: Vec<String> = intel.techniques.iter().map(|t| t.id.clone()).collect();
    intel.techniques.retain(|t| {
        t.said.is_some()
            || t.id.contains('.')
            || !named.iter().any(|n| n.starts_with(&format!("{}.", t.id)))
    });
    let mut problems = Vec::new();
    if intel.techniques.is_empty() {
        problems.push(
            Diagnostic::error(
                path,
                at_start,
                Code::InvalidValue,
                format!(
                    "this {} names no ATT&CK technique",
                    intel.format.name()
                ),
            )
            .with_help(match intel.format {
                Format::Stix => "a scenario is drafted from the bundle's `attack-pattern` objects with a `mitre-attack` external id; this one has none",
                Format::Navigator => "enable or add techniques in the layer before exporting it",
                Format::List => "write technique ids such as T1566.001, one per line",
            }),
        );
    }
    for t in &intel.techniques {
        if let Some(d) = technique_problem(path, text, &t.id) {
            problems.push(d);
        }
    }
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(Unread(problems));
    }
    Ok(intel)
}

/// An unknown or revoked technique id as an error at its first place in the text; a
/// deprecated one is no reason to refuse the intel.
fn technique_problem(path: &Path, text: &str, id: &str) -> Option<Diagnostic> {
    let (severity, code, message, help) = attack::problem(id)?;
    if severity != Severity::Error {
        return None;
    }
    // A list may write ids in lower case: found as written, whatever the case.
    let offset = text
        .to_ascii_uppercase()
        .find(&id.to_ascii_uppercase())
        .unwrap_or(0);
    let d = Diagnostic::error(path, pos_in(text, offset, id.len()), code, message);
    Some(d.with_help_opt(help))
}

/// The byte offset of a 1-based line and column, as serde_json counts them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A technique's ATT&CK id from a STIX object's external references.
fn attack_id(object: &Value) -> Option<String> {
    object
        .get("external_references")?
        .as_array()?
        .iter()
        .find(|r| {
            str_of(r, "source_name").is_some_and(|s| s == "mitre-attack")
                && str_of(r, "external_id").is_some_and(|id| id.starts_with('T'))
        })
        .and_then(|r| str_of(r, "external_id"))
        .map(str::to_string)
}

/// Adds a technique once, keeping the first tactic and joining what is said of it.
fn cite(out: &mut Vec<Cited>, id: &str, tactic: Option<&str>, said: Option<&str>) {
    let said = said.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    match out.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            if c.tactic.is_none() {
                c.tactic = tactic.map(str::to_string);
            }
            if let Some(s) = said
                && c.said.as_deref().is_none_or(|old| !old.contains(&s))
            {
                c.said = Some(match c.said.take() {
                    Some(old) => format!("{old} {s}"),
                    None => s,
                });
            }
        }
        None => out.push(Cited {
            id: id.to_string(),
            tactic: tactic.map(str::to_string),
            said,
        }),
    }
}

fn stix(bundle: &Value, fallback_name: String) -> Intel {
    let objects: &[Value] = bundle
        .get("objects")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let of_type = |t: &'static str| {
        objects
            .iter()
            .filter(move |o| o.get("type").and_then(Value::as_str) == Some(t))
    };
    let report = of_type("report").next();
    // Relationships name their ends by STIX id: looked up, not searched, in a bundle of
    // thousands of objects.
    let mut by_stix_id: std::collections::HashMap<&str, &Value> = Default::default();
    for o in objects {
        if let Some(id) = o.get("id").and_then(Value::as_str) {
            // The first object of an id, as a search would find it.
            by_stix_id.entry(id).or_insert(o);
        }
    }
    let mut techniques = Vec::new();
    // What the intel says a technique is used for: the `uses` relationships, in order.
    for r in of_type("relationship") {
        if str_of(r, "relationship_type") != Some("uses") {
            continue;
        }
        let Some(target) = str_of(r, "target_ref").and_then(|t| by_stix_id.get(t)) else {
            continue;
        };
        if let Some(id) = attack_id(target) {
            cite(&mut techniques, &id, None, str_of(r, "description"));
        }
    }
    // Then every attack pattern, in the bundle's order: a report may list them without
    // relationships. The pattern's own description is MITRE's generic text, not the
    // intel's, so it is not drafted from.
    // A revoked pattern is named too: the catalog check says what replaces it.
    for p in of_type("attack-pattern") {
        if let Some(id) = attack_id(p) {
            cite(&mut techniques, &id, None, None);
        }
    }
    let actors = ["intrusion-set", "threat-actor", "campaign", "malware"]
        .into_iter()
        .flat_map(|t| of_type(t).filter_map(|o| str_of(o, "name")))
        .map(str::to_string)
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    Intel {
        format: Format::Stix,
        name: report
            .and_then(|r| str_of(r, "name"))
            .map_or(fallback_name, str::to_string),
        id: report
            .and_then(|r| str_of(r, "id"))
            .or_else(|| str_of(bundle, "id"))
            .map(str::to_string),
        date: report
            .and_then(|r| str_of(r, "published").or_else(|| str_of(r, "created")))
            .map(str::to_string),
        description: report
            .and_then(|r| str_of(r, "description"))
            .map(str::to_string),
        actors,
        techniques,
    }
}

fn navigator(layer: &Value, fallback_name: String) -> Intel {
    let mut techniques = Vec::new();
    for t in layer
        .get("techniques")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        if t.get("enabled").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let Some(id) = str_of(t, "techniqueID") else {
            continue;
        };
        cite(
            &mut techniques,
            id.trim(),
            str_of(t, "tactic"),
            str_of(t, "comment"),
        );
    }
    let name = str_of(layer, "name").map_or(fallback_name, str::to_string);
    // A group's layer names the group's ATT&CK id in its name: `Wizard Spider (G0102)`.
    let id = name
        .rsplit_once('(')
        .map(|(_, rest)| rest.trim_end_matches(')').trim())
        .filter(|g| g.starts_with('G') && g[1..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string);
    Intel {
        format: Format::Navigator,
        actors: id.as_ref().map_or_else(Vec::new, |_| {
            vec![
                name.rsplit_once('(')
                    .map_or(name.as_str(), |(n, _)| n.trim())
                    .to_string(),
            ]
        }),
        name,
        id,
        date: None,
        description: str_of(layer, "description").map(str::to_string),
        techniques,
    }
}

fn list(text: &str, fallback_name: String) -> Intel {
    let mut techniques = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        for word in line.split([',', ' ', '\t', ';']).map(str::trim) {
            if !word.is_empty() {
                cite(&mut techniques, &word.to_ascii_uppercase(), None, None);
            }
        }
    }
    Intel {
        format: Format::List,
        name: fallback_name,
        id: None,
        date: None,
        description: None,
        actors: Vec::new(),
        techniques,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, text: &str) -> Result<Intel, Unread> {
        read(&SourceFile::new(name, text))
    }

    #[test]
    fn a_list_reads_ids_once_each_in_order() {
        let i = read_text(
            "ids.txt",
            "# from the advisory\nT1566.001, t1059.001\nT1486 T1566.001\n",
        )
        .unwrap();
        let ids: Vec<&str> = i.techniques.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T1566.001", "T1059.001", "T1486"]);
        assert_eq!(i.name, "ids");
    }

    #[test]
    fn a_bundle_takes_the_report_and_what_its_relationships_say() {
        let bundle = r#"{"type": "bundle", "id": "bundle--1", "objects": [
          {"type": "report", "id": "report--9", "name": "AA99-001A", "published": "2026-11-02T00:00:00Z", "description": "An actor phishes."},
          {"type": "intrusion-set", "id": "intrusion-set--1", "name": "Example Spider"},
          {"type": "attack-pattern", "id": "attack-pattern--a", "name": "Phishing", "external_references": [{"source_name": "mitre-attack", "external_id": "T1566"}]},
          {"type": "attack-pattern", "id": "attack-pattern--b", "name": "Ransom", "external_references": [{"source_name": "capec", "external_id": "CAPEC-1"}, {"source_name": "mitre-attack", "external_id": "T1486"}]},
          {"type": "relationship", "relationship_type": "uses", "source_ref": "intrusion-set--1", "target_ref": "attack-pattern--b", "description": "Encrypts the file servers."}
        ]}"#;
        let i = read_text("b.json", bundle).unwrap();
        assert_eq!(i.format, Format::Stix);
        assert_eq!(
            (i.name.as_str(), i.id.as_deref()),
            ("AA99-001A", Some("report--9"))
        );
        assert_eq!(i.date.as_deref(), Some("2026-11-02T00:00:00Z"));
        assert_eq!(i.actors, ["Example Spider"]);
        assert_eq!(
            i.techniques,
            [
                Cited {
                    id: "T1486".into(),
                    tactic: None,
                    said: Some("Encrypts the file servers.".into())
                },
                Cited {
                    id: "T1566".into(),
                    tactic: None,
                    said: None
                }
            ]
        );
    }

    #[test]
    fn a_layer_s_parent_heading_gives_way_to_its_sub_technique() {
        let layer = r#"{"name": "Example (G9999)", "domain": "enterprise-attack", "techniques": [
          {"techniqueID": "T1059", "tactic": "execution", "comment": "", "enabled": true},
          {"techniqueID": "T1059.001", "tactic": "execution", "comment": "Runs PowerShell.", "enabled": true},
          {"techniqueID": "T1486", "tactic": "impact", "comment": "", "enabled": true},
          {"techniqueID": "T1566.001", "tactic": "initial-access", "comment": "", "enabled": false}
        ]}"#;
        let i = read_text("l.json", layer).unwrap();
        let ids: Vec<&str> = i.techniques.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T1059.001", "T1486"]);
        assert_eq!(i.id.as_deref(), Some("G9999"));
        assert_eq!(i.actors, ["Example"]);
        assert_eq!(i.techniques[0].said.as_deref(), Some("Runs PowerShell."));
    }

    #[test]
    fn bad_intel_is_refused_at_its_place() {
        let Unread(d) =
            read_text("b.json", "{\"type\": \"bundle\",\n  \"objects\": [}").unwrap_err();
        assert_eq!(d[0].pos.line, 2, "{d:?}");
        assert!(d[0].message.starts_with("not valid JSON"), "{d:?}");
        let Unread(d) = read_text("b.json", r#"{"type": "bundle", "objects": []}"#).unwrap_err();
        assert!(d[0].message.contains("names no ATT&CK technique"), "{d:?}");
        let Unread(d) = read_text("ids.txt", "T1566\nt9999\n").unwrap_err();
        assert_eq!((d[0].pos.line, d[0].code), (2, Code::UnknownTechnique));
        let Unread(d) = read_text("x.json", r#"{"hello": 1}"#).unwrap_err();
        assert!(d[0].message.contains("neither a STIX bundle"), "{d:?}");
    }
}
