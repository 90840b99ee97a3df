//! `ttx new scenario`: a scenario file to start from, bound to the program's own
//! architecture and roster, with every field present and a comment on what it is for.
//! What only the author can write is a `TODO`, which `ttx validate` warns about, so
//! `--deny-warnings` keeps an unfinished scenario out of CI.

use std::fmt::Write as _;

use crate::authoring::attack;
use crate::authoring::intel::{Cited, Intel};
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;
use crate::authoring::reach;

/// The roles a new scenario starts with, in order of preference, when the roster has them.
const PREFERRED_ROLES: &[&str] = &["ic", "oncall", "comms", "legal", "pm", "exec"];

fn yaml_text(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The roles to start with: the preferred ones the roster assigns, else its first four,
/// else a generic pair.
fn roles(roster: Option<&Roster>) -> Vec<String> {
    let Some(r) = roster else {
        return vec!["ic".into(), "oncall".into()];
    };
    let mut out: Vec<String> = PREFERRED_ROLES
        .iter()
        .filter(|p| r.roles.keys().any(|k| k.as_str() == **p))
        .map(|p| p.to_string())
        .take(4)
        .collect();
    if out.len() < 2 {
        out = r.roles.keys().take(4).map(|k| k.to_string()).collect();
    }
    if out.is_empty() {
        out = vec!["ic".into(), "oncall".into()];
    }
    out
}

/// Selectors for up to three components of the architecture: a datastore by data class,
/// a service by tag, a vendor by tag; each matches a real component.
fn selectors(arch: Option<&Architecture>) -> Vec<(String, String, String)> {
    let Some(a) = arch else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for kind in ["datastore", "service", "vendor"] {
        let Some(c) = a.components.iter().find(|c| c.kind.as_str() == kind) else {
            continue;
        };
        let selector = match (c.data.first(), c.tags.first()) {
            (Some(d), _) if kind == "datastore" => {
                format!("{{kind: {kind}, data: [{}]}}", d.as_str())
            }
            (_, Some(t)) => format!("{{kind: {kind}, tags: [{}]}}", t.as_str()),
            _ => format!("{{kind: {kind}}}"),
        };
        let name = match kind {
            "datastore" => "store",
            "service" => "entry",
            _ => "supplier",
        };
        out.push((name.to_string(), selector, c.id.to_string()));
    }
    out
}

/// The text of a new scenario with id `id`.
pub fn new_scenario(
    id: &str,
    schema: &str,
    arch: Option<&Architecture>,
    roster: Option<&Roster>,
) -> String {
    draft(id, schema, arch, roster, None)
}

/// What intel gives a scenario in place of the scaffold's generic parts.
struct Plan {
    title: String,
    summary: String,
    threats: String,
    requires: Vec<(String, String, String)>,
    injects: String,
    first_inject: String,
    duration: String,
}

/// A scenario drafted from threat intelligence: one inject per technique the intel names,
/// in kill-chain order, each bound to the component of `arch` the technique lands on
/// ([`reach`]) and sent to the role whose team owns it; what the intel says about each,
/// in its words, as the facilitator's note. Returns the text and a warning per technique
/// that lands on nothing in the architecture.
pub fn from_intel(
    id: &str,
    schema: &str,
    intel: &Intel,
    arch: Option<&Architecture>,
    roster: Option<&Roster>,
) -> (String, Vec<String>) {
    let roles = roles(roster);
    let mut warnings = Vec::new();
    let mut cited: Vec<(usize, usize, &Cited)> = intel
        .techniques
        .iter()
        .enumerate()
        .map(|(i, c)| (tactic_rank(c), i, c))
        .collect();
    cited.sort_by_key(|(rank, i, _)| (*rank, *i));
    let n = cited.len().max(1) as u64;
    let gap = (120 / n).clamp(5, 10);
    let mut requires: Vec<(String, String, String)> = Vec::new();
    let mut injects = String::new();
    let mut first_inject = String::new();
    let mut ids: Vec<String> = Vec::new();
    for (k, (_, _, c)) in cited.iter().enumerate() {
        let t = attack::technique(&c.id);
        let name = t.map_or("", |t| t.name);
        let mut inject_id = slug(&format!("{} {name}", c.id));
        if ids.contains(&inject_id) {
            inject_id = format!("{inject_id}-{k}");
        }
        ids.push(inject_id.clone());
        if first_inject.is_empty() {
            first_inject = inject_id.clone();
        }
        let target = arch.and_then(|a| reach::target(&c.id, a));
        let (to, source, via, touches) = match &target {
            Some(target) => {
                let comp = target.component;
                let req = match requires.iter().find(|(_, sel, _)| *sel == target.selector) {
                    Some((req, _, _)) => req.clone(),
                    None => {
                        let base = comp.kind.as_str().to_string();
                        let taken = requires
                            .iter()
                            .filter(|(r, _, _)| r.starts_with(&base))
                            .count();
                        let req = if taken == 0 {
                            base
                        } else {
                            format!("{base}-{}", taken + 1)
                        };
                        requires.push((req.clone(), target.selector.clone(), comp.id.to_string()));
                        req
                    }
                };
                let owner = roster
                    .and_then(|r| {
                        r.roles
                            .iter()
                            .find(|(role, a)| {
                                *a.team == *comp.team && roles.iter().any(|x| x == role.as_str())
                            })
                            .map(|(role, _)| role.to_string())
                    })
                    .unwrap_or_else(|| roles.get(1).unwrap_or(&roles[0]).clone());
                let source = match &comp.monitoring {
                    Some(m) => format!("{{name: {}, reliability: B}}", yaml_text(m)),
                    None => format!(
                        "{{name: {}, reliability: B}}",
                        yaml_text(&format!(
                            "TODO: what would see this on {}",
                            comp.id.as_str()
                        ))
                    ),
                };
                let via = match comp.kind.as_str() {
                    "saas" | "vendor" => "email",
                    "endpoint" => "ticket",
                    _ => "pager",
                };
                (
                    owner,
                    source,
                    via,
                    format!("lands on `{req}` (here {})", comp.id.as_str()),
                )
            }
            None => {
                warnings.push(format!(
                    "{} {name} matches nothing in the architecture: the intel names a system you do not have, or the architecture is missing it; its inject goes to {} unbound",
                    c.id, roles[0]
                ));
                (
                    roles[0].clone(),
                    format!(
                        "{{name: {}, reliability: C}}",
                        yaml_text("TODO: who would tell the room")
                    ),
                    "email",
                    "binds to nothing in the architecture".to_string(),
                )
            }
        };
        let said = c
            .said
            .as_deref()
            .map(|s| format!("The intel says: {}", one_line(s)))
            .unwrap_or_else(|| format!("{} names {} without saying more.", intel.name, c.id));
        let _ = write!(
            injects,
            "  # {} {name}: {touches}.\n  - id: {inject_id}\n    at: {}m\n    to: [{to}]\n    via: {via}\n    technique: {}\n    source: {source}\n    text: {}\n    notes: {}\n",
            c.id,
            k as u64 * gap,
            c.id,
            yaml_text(&format!(
                "TODO: what {to} sees when {name} ({}) happens, as they would read it",
                c.id
            )),
            yaml_text(&said),
        );
    }
    let mut references = vec![format!(
        "{}{}{}",
        intel.name,
        intel
            .id
            .as_ref()
            .filter(|i| !intel.name.contains(i.as_str()))
            .map_or(String::new(), |i| format!(" ({i})")),
        intel
            .date
            .as_ref()
            .map_or(String::new(), |d| format!(", {d}"))
    )];
    if !intel.actors.is_empty() {
        references.push(format!("Used by: {}", intel.actors.join(", ")));
    }
    let mut threats = String::from(
        "# ATT&CK techniques the scenario plays out, and the intel it was drafted from.\nthreats:\n  attack:\n",
    );
    for (_, _, c) in &cited {
        let _ = writeln!(threats, "    - {}", c.id);
    }
    threats.push_str("  references:\n");
    for r in &references {
        let _ = writeln!(threats, "    - {}", yaml_text(r));
    }
    let last = (n - 1) * gap;
    let plan = Plan {
        title: format!("TODO: a specific title, drafted from {}", intel.name),
        summary: format!(
            "TODO: two or three sentences for the facilitator. {}",
            intel.description.as_deref().map_or(
                "The intel gives no description.".to_string(),
                |d| format!("The intel: {}", one_line(d))
            )
        ),
        threats,
        requires,
        injects,
        first_inject,
        duration: format!("{}m", (last + 30).div_ceil(10) * 10),
    };
    (draft(id, schema, arch, roster, Some(&plan)), warnings)
}

/// Where a technique stands in the kill chain: the tactic the intel files it under, else
/// its earliest tactic in the catalog.
fn tactic_rank(c: &Cited) -> usize {
    let rank = |t: &str| attack::TACTICS.iter().position(|x| *x == t);
    c.tactic
        .as_deref()
        .and_then(rank)
        .or_else(|| {
            attack::technique(&c.id)?
                .tactics
                .iter()
                .filter_map(|t| rank(t))
                .min()
        })
        .unwrap_or(attack::TACTICS.len())
}

/// An id from free text: lower-case words joined by `-`, at most five words.
fn slug(text: &str) -> String {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect::<Vec<_>>()
        .join("-")
}

/// Text on one line, without the citation markers intel carries.
fn one_line(text: &str) -> String {
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    while let Some(start) = out.find("(Citation:") {
        match out[start..].find(')') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    out.trim().to_string()
}

fn draft(
    id: &str,
    schema: &str,
    arch: Option<&Architecture>,
    roster: Option<&Roster>,
    plan: Option<&Plan>,
) -> String {
    let roles = roles(roster);
    let first = roles[0].clone();
    let second = roles.get(1).cloned().unwrap_or_else(|| first.clone());
    let runbook = arch
        .and_then(|a| a.runbooks.first())
        .map(|r| r.id.to_string());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# yaml-language-server: $schema={schema}\n\
         # A new scenario. Replace every TODO (ttx validate warns about each one, so\n\
         # `ttx validate --deny-warnings` keeps it out of CI until it is finished), then\n\
         # preview it with `ttx show`. docs/authoring.md is the guide, docs/format.md the reference."
    );
    let _ = writeln!(s, "id: {id}");
    match plan {
        Some(p) => {
            let _ = writeln!(s, "title: {}", yaml_text(&p.title));
            let _ = writeln!(s, "version: 0.1.0");
            let _ = writeln!(s, "summary: {}", yaml_text(&p.summary));
            let _ = writeln!(s, "{}", p.threats);
            let _ = writeln!(
                s,
                "# How long the exercise runs; injects and deadlines must fit in it.\nduration: {}\n",
                p.duration
            );
        }
        None => {
            let _ = writeln!(
                s,
                "title: \"TODO: a specific title, e.g. Leaked payments credential, fraudulent refunds\""
            );
            let _ = writeln!(s, "version: 0.1.0");
            let _ = writeln!(
                s,
                "summary: >\n  TODO: two or three sentences for the facilitator: what happens, what is uncertain,\n  what the room has to find out."
            );
            let _ = writeln!(
                s,
                "# ATT&CK techniques the scenario plays out, and where the story comes from.\nthreats:\n  attack: []\n  references:\n    - \"TODO: the incident, threat brief or CISA package this is based on\"\n"
            );
            let _ = writeln!(
                s,
                "# How long the exercise runs; injects and deadlines must fit in it.\nduration: 1h30m\n"
            );
        }
    }
    let sel = plan.map_or_else(|| selectors(arch), |p| p.requires.clone());
    let _ = writeln!(
        s,
        "# The systems the scenario needs, by selector rather than by name, so it fits any\n\
         # organisation that has such components. These match components of your architecture."
    );
    if sel.is_empty() {
        let _ = writeln!(s, "architecture:\n  requires: {{}}\n");
    } else {
        let _ = writeln!(s, "architecture:\n  requires:");
        for (name, selector, component) in &sel {
            let _ = writeln!(s, "    {name}: {selector}   # e.g. {component}");
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "# Who plays: ids from the roster's role assignments, so owners and teams follow."
    );
    let _ = writeln!(s, "roles:");
    for r in &roles {
        let required = if *r == first { ", required: true" } else { "" };
        let _ = writeln!(
            s,
            "  {r}: {{title: \"TODO: the {r} role's title\"{required}}}"
        );
    }
    let _ = writeln!(
        s,
        "\n# What the exercise measures; each objective is rated P, S, M or U from its expectations.\n\
         objectives:\n  - id: detect\n    text: \"TODO: e.g. Recognise the incident and declare within 20 minutes\"\n    capability: detection\n  - id: contain\n    text: \"TODO: e.g. Contain without stopping the business\"\n    capability: containment\n"
    );
    let _ = writeln!(
        s,
        "# Hidden facts the room can uncover by its decisions.\nfacts:\n  cause:\n    text: \"TODO: what is really going on, revealed when the room looks in the right place\"\n"
    );
    let _ = writeln!(
        s,
        "# Runs once at the start: draw the hidden truth so the scenario cannot be memorised.\nsetup: |\n  state.truth = pick([\"variant_a\", \"variant_b\"]);\n  state.contained = false;\n"
    );
    let first_inject = plan.map_or("first-signal", |p| p.first_inject.as_str());
    if let Some(p) = plan {
        let _ = writeln!(
            s,
            "# The MSEL, one inject per technique of the intel, in kill-chain order. Write each\n\
             # text as its role would read it; add conflicting sources and a red herring.\n\
             injects:\n{}",
            p.injects
        );
    }
    if plan.is_none() {
        let _ = writeln!(
            s,
            "# The MSEL: what arrives, when, to whom, through which channel, from how reliable a\n\
         # source (A reliable ... F cannot be judged). Add conflicting sources and a red herring.\n\
         injects:\n  - id: first-signal\n    at: 0m\n    to: [{second}]\n    via: pager\n    source: {{name: \"TODO: the monitor or person\", reliability: B}}\n    text: \"TODO: the first signal, as the participant would see it\"\n  - id: pressure\n    at: 20m\n    to: [{first}]\n    via: chat\n    source: {{name: \"TODO: who asks\", reliability: C}}\n    text: \"TODO: a question that forces a decision\"\n    when: \"!state.contained\"\n"
        );
    }
    let _ = writeln!(
        s,
        "# What the room can decide; effects change state, reveals uncover facts.\n\
         decisions:\n  declare_incident:\n    title: \"TODO: e.g. Declare a SEV2 incident\"\n    by: [{first}]\n  contain:\n    title: \"TODO: the containment step\"\n    by: [{second}]\n    effect: state.contained = true;\n    reveals:\n      - {{fact: cause, chance: 0.8}}\n"
    );
    let runbook_line = runbook.map_or_else(String::new, |r| format!("    runbook: {r}\n"));
    let _ = writeln!(
        s,
        "# What good looks like: who should decide what, by when. A miss becomes an action item\n\
         # with this corrective action, owned by the role's team.\n\
         expectations:\n  - id: declare\n    role: {first}\n    decision: declare_incident\n    within: 20m\n    objective: detect\n{runbook_line}    element: Planning\n    priority: high\n    corrective_action: \"TODO: what to change when this is missed\"\n  - id: contain\n    role: {second}\n    decision: contain\n    within: 45m\n    objective: contain\n    element: Equipment\n    priority: high\n    corrective_action: \"TODO: what to change when this is missed\"\n"
    );
    let _ = write!(
        s,
        "# Discussion questions for the facilitator, asked after an inject.\nquestions:\n  - after: {first_inject}\n    ask: {}\n",
        yaml_text("TODO: e.g. Who decides whether this is an incident?")
    );
    s
}

/// A scenario based on another: the same text with a new id and version 0.1.0, and a
/// comment saying where it came from.
pub fn from_scenario(id: &str, text: &str, from: &str) -> String {
    let mut out = format!("# Based on {from}.\n");
    let mut id_done = false;
    let mut version_done = false;
    for line in text.lines() {
        if !id_done && line.starts_with("id:") {
            out.push_str(&format!("id: {id}\n"));
            id_done = true;
        } else if !version_done && line.starts_with("version:") {
            out.push_str("version: 0.1.0\n");
            version_done = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
