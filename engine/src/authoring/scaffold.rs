//! `ttx new scenario`: a scenario file to start from, bound to the program's own
//! architecture and roster, with every field present and a comment on what it is for.
//! What only the author can write is a `TODO`, which `ttx validate` warns about, so
//! `--deny-warnings` keeps an unfinished scenario out of CI.

use std::fmt::Write as _;

use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;

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
    let sel = selectors(arch);
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
    let _ = writeln!(
        s,
        "# The MSEL: what arrives, when, to whom, through which channel, from how reliable a\n\
         # source (A reliable ... F cannot be judged). Add conflicting sources and a red herring.\n\
         injects:\n  - id: first-signal\n    at: 0m\n    to: [{second}]\n    via: pager\n    source: {{name: \"TODO: the monitor or person\", reliability: B}}\n    text: \"TODO: the first signal, as the participant would see it\"\n  - id: pressure\n    at: 20m\n    to: [{first}]\n    via: chat\n    source: {{name: \"TODO: who asks\", reliability: C}}\n    text: \"TODO: a question that forces a decision\"\n    when: \"!state.contained\"\n"
    );
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
        "# Discussion questions for the facilitator, asked after an inject.\nquestions:\n  - after: first-signal\n    ask: {}\n",
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
