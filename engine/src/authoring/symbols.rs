//! What names what: the ids each kind of ttx file defines and the ids it refers to, found
//! in the file's YAML tree through one table of places ([`PLACES`]). The editor's
//! navigation (definition, references, rename, outline) and its completion both read the
//! same table, so an id the server can jump to is an id it can complete, and back.
//!
//! The index works on the tree, not the typed model, so it still answers while a file is
//! half-written and its schema check fails. A list where one id is expected is looked into
//! (`to: ic` and `to: [ic, cfo]` are the same place), as the formats allow "one or a list"
//! almost everywhere.

use std::collections::HashMap;

use crate::authoring::schema::FileKind;
use crate::authoring::source::Pos;
use crate::authoring::yaml::{Node, Value, key_text};

/// A kind of thing an id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// A scenario role (`roles:`).
    Role,
    /// A scenario module (`modules:`).
    Module,
    /// An objective.
    Objective,
    /// A fact a decision can reveal.
    Fact,
    /// A character of the scenario the players may ask.
    Character,
    /// An inject of the MSEL.
    Inject,
    /// A decision.
    Decision,
    /// One option of a decision; its scope is the decision.
    Option,
    /// An expectation.
    Expectation,
    /// An architecture component.
    Component,
    /// A tag some architecture component carries.
    Tag,
    /// A data class some architecture component holds.
    DataClass,
    /// A kind of component (`service`, `datastore`…).
    ComponentKind,
    /// A trust boundary of the architecture.
    TrustBoundary,
    /// A runbook of the architecture.
    Runbook,
    /// A roster team.
    Team,
    /// A roster person.
    Person,
    /// A MITRE ATT&CK technique.
    Technique,
}

/// The file kind whose files define a kind of id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    /// The scenario (for a decisions sheet: the scenario it names).
    Scenario,
    /// The program's architecture.
    Architecture,
    /// The program's roster.
    Roster,
    /// ttx's own catalog (ATT&CK), not a file of the program.
    Catalog,
}

impl SymbolKind {
    /// The noun used in messages and hovers.
    pub fn noun(self) -> &'static str {
        match self {
            SymbolKind::Role => "role",
            SymbolKind::Module => "module",
            SymbolKind::Objective => "objective",
            SymbolKind::Fact => "fact",
            SymbolKind::Character => "character",
            SymbolKind::Inject => "inject",
            SymbolKind::Decision => "decision",
            SymbolKind::Option => "option",
            SymbolKind::Expectation => "expectation",
            SymbolKind::Component => "component",
            SymbolKind::Tag => "tag",
            SymbolKind::DataClass => "data class",
            SymbolKind::ComponentKind => "component kind",
            SymbolKind::TrustBoundary => "trust boundary",
            SymbolKind::Runbook => "runbook",
            SymbolKind::Team => "team",
            SymbolKind::Person => "person",
            SymbolKind::Technique => "ATT&CK technique",
        }
    }

    /// Where ids of this kind are defined.
    pub fn home(self) -> Home {
        match self {
            SymbolKind::Role
            | SymbolKind::Module
            | SymbolKind::Objective
            | SymbolKind::Fact
            | SymbolKind::Character
            | SymbolKind::Inject
            | SymbolKind::Decision
            | SymbolKind::Option
            | SymbolKind::Expectation => Home::Scenario,
            SymbolKind::Component
            | SymbolKind::Tag
            | SymbolKind::DataClass
            | SymbolKind::ComponentKind
            | SymbolKind::TrustBoundary
            | SymbolKind::Runbook => Home::Architecture,
            SymbolKind::Team | SymbolKind::Person => Home::Roster,
            SymbolKind::Technique => Home::Catalog,
        }
    }

    /// Whether an id of this kind is a name the author chose, and so may be renamed. Tags,
    /// data classes and kinds are shared words; techniques are MITRE's.
    pub fn renamable(self) -> bool {
        !matches!(
            self,
            SymbolKind::Tag
                | SymbolKind::DataClass
                | SymbolKind::ComponentKind
                | SymbolKind::Technique
        )
    }
}

/// Whether a place defines an id or refers to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// The id is given its meaning here.
    Definition,
    /// The id is named here.
    Reference,
}

/// One place in a file kind where an id stands. `path` is the keys from the top of the
/// file, `*` for any key, and a last `{}` when the mapping's key itself is the id.
pub struct Place {
    /// The kind of file.
    pub file: FileKind,
    /// The keys leading to it.
    pub path: &'static str,
    /// What the id names.
    pub kind: SymbolKind,
    /// What else it may name where an id of either kind belongs (an expectation's
    /// `informed_by` names an inject or a fact): the index names it by the kind the file
    /// defines it as, and completion offers both.
    pub or: Option<SymbolKind>,
    /// Defined or named.
    pub usage: Use,
}

const fn def(file: FileKind, path: &'static str, kind: SymbolKind) -> Place {
    Place {
        file,
        path,
        kind,
        or: None,
        usage: Use::Definition,
    }
}

const fn re(file: FileKind, path: &'static str, kind: SymbolKind) -> Place {
    Place {
        file,
        path,
        kind,
        or: None,
        usage: Use::Reference,
    }
}

const fn re_either(file: FileKind, path: &'static str, kind: SymbolKind, or: SymbolKind) -> Place {
    Place {
        file,
        path,
        kind,
        or: Some(or),
        usage: Use::Reference,
    }
}

use FileKind::{Architecture as A, Decisions as D, Roster as R, Scenario as S};
use SymbolKind as K;

/// Every place an id stands, in every kind of file.
pub const PLACES: &[Place] = &[
    // A scenario's own ids.
    def(S, "roles.{}", K::Role),
    def(S, "modules.id", K::Module),
    def(S, "objectives.id", K::Objective),
    def(S, "facts.{}", K::Fact),
    def(S, "characters.{}", K::Character),
    def(S, "injects.id", K::Inject),
    def(S, "decisions.{}", K::Decision),
    def(S, "decisions.*.options.{}", K::Option),
    def(S, "expectations.id", K::Expectation),
    // … and what it names.
    re(S, "threats.attack", K::Technique),
    re(S, "architecture.requires.*.component", K::Component),
    re(S, "architecture.requires.*.kind", K::ComponentKind),
    re(S, "architecture.requires.*.tags", K::Tag),
    re(S, "architecture.requires.*.data", K::DataClass),
    re(S, "objectives.module", K::Module),
    re(S, "injects.module", K::Module),
    re(S, "injects.after.inject", K::Inject),
    re(S, "injects.after.decision", K::Decision),
    re(S, "injects.to", K::Role),
    re(S, "injects.conflicts_with", K::Inject),
    re(S, "injects.from", K::Character),
    re(S, "injects.technique", K::Technique),
    re(S, "characters.*.replies.after", K::Inject),
    re(S, "characters.*.replies.reveals.fact", K::Fact),
    re(S, "teams.*.roles", K::Role),
    re(S, "decisions.*.by", K::Role),
    re(S, "decisions.*.reveals.fact", K::Fact),
    re(S, "decisions.*.requires_handoff.from", K::Role),
    re(S, "decisions.*.requires_handoff.to", K::Role),
    re(S, "expectations.role", K::Role),
    re(S, "expectations.decision", K::Decision),
    re(S, "expectations.option", K::Option),
    re(S, "expectations.wrong_options.{}", K::Option),
    re(S, "expectations.module", K::Module),
    re(S, "expectations.after", K::Inject),
    re(S, "expectations.objective", K::Objective),
    re(S, "expectations.runbook", K::Runbook),
    re_either(S, "expectations.informed_by", K::Inject, K::Fact),
    re(S, "questions.module", K::Module),
    re(S, "questions.after", K::Inject),
    // A decisions sheet names its scenario's ids and the roster's people.
    re(D, "entries.decision", K::Decision),
    re(D, "entries.option", K::Option),
    re(D, "entries.by", K::Role),
    re(D, "entries.participant", K::Person),
    re(D, "entries.prompted_by", K::Inject),
    re(D, "entries.notify.from", K::Role),
    re(D, "entries.notify.to", K::Role),
    re(D, "entries.inject.to", K::Role),
    re(D, "entries.open", K::Module),
    re(D, "entries.objective", K::Objective),
    re(D, "entries.rate.objective", K::Objective),
    re(D, "entries.re", K::Expectation),
    re(D, "entries.present.person", K::Person),
    re(D, "entries.present.role", K::Role),
    re(D, "entries.absent", K::Person),
    // The architecture.
    def(A, "components.id", K::Component),
    def(A, "components.tags", K::Tag),
    def(A, "components.data", K::DataClass),
    def(A, "components.kind", K::ComponentKind),
    def(A, "trust_boundaries.id", K::TrustBoundary),
    def(A, "runbooks.id", K::Runbook),
    re(A, "components.team", K::Team),
    re(A, "trust_boundaries.components", K::Component),
    re(A, "data_flows.from", K::Component),
    re(A, "data_flows.to", K::Component),
    re(A, "data_flows.data", K::DataClass),
    // The roster.
    def(R, "teams.id", K::Team),
    def(R, "people.id", K::Person),
    re(R, "teams.poc", K::Person),
    re(R, "people.team", K::Team),
    re(R, "roles.{}", K::Role),
    re(R, "roles.*.team", K::Team),
    re(R, "roles.*.people", K::Person),
];

/// The place at `path` (keys from the top of the file) in a file of `file`'s kind;
/// `is_key` when the id is the last key itself rather than its value.
pub fn place_at(file: FileKind, path: &[&str], is_key: bool) -> Option<&'static Place> {
    // Runs for every node of a file the index walks: compared segment by segment, with
    // nothing allocated.
    PLACES.iter().find(|p| {
        if p.file != file || p.path.ends_with("{}") != is_key {
            return false;
        }
        let mut segs = p.path.split('.');
        path.iter().all(|k| {
            segs.next()
                .is_some_and(|s| s == "*" || s == "{}" || s == *k)
        }) && segs.next().is_none()
    })
}

/// One id standing in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// What it names.
    pub kind: SymbolKind,
    /// The id as written (a runbook's without its `#section`).
    pub name: String,
    /// For an option, the decision it belongs to.
    pub scope: Option<String>,
    /// Where the id's text stands (inside any quotes).
    pub pos: Pos,
    /// Defined or named here.
    pub usage: Use,
    /// The other kind it may name, until the index settles which (see [`Place::or`]).
    pub(crate) or: Option<SymbolKind>,
}

impl Symbol {
    /// Whether `other` names the same thing (kind, id and scope).
    pub fn same_as(&self, other: &Symbol) -> bool {
        self.kind == other.kind && self.name == other.name && self.scope == other.scope
    }
}

/// Every id a file of `file`'s kind defines or names, in file order.
pub fn index(file: FileKind, root: &Node, text: &str) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    let mut maps = Vec::new();
    walk(file, root, text, &mut path, &mut maps, &mut out);
    // An id where either of two kinds belongs is the kind the file defines it as.
    let defined: Vec<(SymbolKind, String)> = out
        .iter()
        .filter(|s| s.usage == Use::Definition)
        .map(|s| (s.kind, s.name.clone()))
        .collect();
    for s in &mut out {
        if let Some(or) = s.or.take()
            && defined.iter().any(|(k, n)| *k == or && *n == s.name)
        {
            s.kind = or;
        }
    }
    out.sort_by_key(|s| s.pos.offset);
    out
}

fn walk<'n>(
    file: FileKind,
    node: &'n Node,
    text: &str,
    path: &mut Vec<String>,
    maps: &mut Vec<&'n Node>,
    out: &mut Vec<Symbol>,
) {
    match &node.value {
        Value::Map(entries) => {
            maps.push(node);
            for (k, v) in entries {
                let key = key_text(k);
                path.push(key);
                let keys: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(place) = place_at(file, &keys, true) {
                    push(place, k, text, &keys, maps, out);
                }
                walk(file, v, text, path, maps, out);
                path.pop();
            }
            maps.pop();
        }
        Value::Seq(items) => {
            for item in items {
                walk(file, item, text, path, maps, out);
            }
        }
        Value::Str(_) | Value::Int(_) => {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            if let Some(place) = place_at(file, &keys, false) {
                push(place, node, text, &keys, maps, out);
            }
        }
        _ => {}
    }
}

fn push(
    place: &Place,
    node: &Node,
    text: &str,
    keys: &[&str],
    maps: &[&Node],
    out: &mut Vec<Symbol>,
) {
    let Some(mut pos) = name_pos(node, text) else {
        return;
    };
    let Some(mut name) = text
        .get(pos.offset..pos.offset + pos.len)
        .map(str::to_string)
    else {
        return;
    };
    if place.kind == SymbolKind::Runbook
        && let Some((id, _)) = name.split_once('#')
    {
        pos.len = id.len();
        name = id.to_string();
    }
    let scope = (place.kind == SymbolKind::Option)
        .then(|| option_scope(place, keys, maps))
        .flatten();
    out.push(Symbol {
        kind: place.kind,
        name,
        scope,
        pos,
        usage: place.usage,
        or: place.or,
    });
}

/// Where a scalar's own text stands: inside quotes, and only when the written text is the
/// value (no escapes, no folding), so an edit there changes exactly the id.
pub fn name_pos(node: &Node, text: &str) -> Option<Pos> {
    let raw = node.raw(text)?;
    let value = match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        _ => return None,
    };
    let quoted = raw.len() >= 2
        && (raw.starts_with('"') && raw.ends_with('"')
            || raw.starts_with('\'') && raw.ends_with('\''));
    let (offset, inner) = if quoted {
        (node.pos.offset + 1, &raw[1..raw.len() - 1])
    } else {
        (node.pos.offset, raw)
    };
    (inner == value && !value.is_empty()).then_some(Pos {
        offset,
        len: inner.len(),
        col: node.pos.col + u32::from(quoted),
        ..node.pos
    })
}

/// The decision an option belongs to: the `decisions.NAME` it is defined under, or the
/// `decision:` beside it (an expectation's, a sheet entry's).
fn option_scope(place: &Place, keys: &[&str], maps: &[&Node]) -> Option<String> {
    if place.usage == Use::Definition {
        return keys.get(1).map(|s| s.to_string());
    }
    maps.iter().rev().find_map(|m| {
        let d = m.get("decision")?;
        match &d.value {
            Value::Str(s) => Some(s.clone()),
            Value::Seq(items) => items.first().and_then(|i| i.as_str()).map(str::to_string),
            _ => None,
        }
    })
}

/// The mapping a definition stands in (an inject's, a decision's value), for hovers and
/// outlines: the innermost mapping holding the definition at `offset`, or, for an id that
/// is a key (`roles.ic`), that key's value.
pub fn owner_of(root: &Node, offset: usize) -> Option<&Node> {
    owners_where(root, |at| at == offset).get(&offset).copied()
}

/// [`owner_of`] for every place in one walk of the tree, by byte offset: for an outline,
/// which asks it of every definition of a file.
pub fn owners(root: &Node) -> HashMap<usize, &Node> {
    owners_where(root, |_| true)
}

/// [`owners`] of the places `wanted` accepts only: a completion list asks it of the ids of
/// one kind, and a 4 MiB scenario has a hundred thousand other places.
pub fn owners_where(root: &Node, wanted: impl Fn(usize) -> bool) -> HashMap<usize, &Node> {
    let mut keys = HashMap::new();
    let mut values = HashMap::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    if wanted(k.pos.offset) {
                        keys.insert(k.pos.offset, v);
                    }
                    // The id is this entry's value, or one item of its list (a tag).
                    let items = match &v.value {
                        Value::Seq(items) => items.as_slice(),
                        _ => std::slice::from_ref(v),
                    };
                    for i in items {
                        if wanted(i.pos.offset) {
                            values.insert(i.pos.offset, n);
                        }
                        // Inside its opening quote.
                        if matches!(i.value, Value::Str(_)) && wanted(i.pos.offset + 1) {
                            values.insert(i.pos.offset + 1, n);
                        }
                    }
                    stack.push(v);
                }
            }
            Value::Seq(items) => stack.extend(items),
            _ => {}
        }
    }
    // An id that is a key is owned by its value, before any mapping it stands in.
    values.extend(keys);
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::source::SourceFile;
    use crate::authoring::yaml;

    fn symbols(kind: FileKind, text: &str) -> Vec<(SymbolKind, String, Use, Option<String>)> {
        let node = yaml::parse(&SourceFile::new("f.yaml", text)).unwrap();
        index(kind, &node, text)
            .into_iter()
            .map(|s| (s.kind, s.name, s.usage, s.scope))
            .collect()
    }

    #[test]
    fn informed_by_names_an_inject_or_a_fact_as_the_file_defines_it() {
        let found = symbols(
            FileKind::Scenario,
            "facts:\n  scope: {text: t}\ninjects:\n  - id: leak\nexpectations:\n  - id: e\n    informed_by: [leak, scope, nowhere]\n",
        );
        let refs: Vec<_> = found
            .iter()
            .filter(|(_, _, u, _)| *u == Use::Reference)
            .map(|(k, n, _, _)| (*k, n.as_str()))
            .collect();
        assert_eq!(
            refs,
            [
                (SymbolKind::Inject, "leak"),
                (SymbolKind::Fact, "scope"),
                (SymbolKind::Inject, "nowhere")
            ]
        );
    }

    #[test]
    fn one_id_or_a_list_are_the_same_place() {
        let found = symbols(
            FileKind::Scenario,
            "roles:\n  ic: {title: IC}\ninjects:\n  - id: a\n    to: ic\n  - id: \"b\"\n    to: [ic, cfo]\n    after: {inject: a}\n",
        );
        let names: Vec<_> = found
            .iter()
            .map(|(k, n, u, _)| format!("{k:?}:{n}:{u:?}"))
            .collect();
        assert_eq!(
            names,
            [
                "Role:ic:Definition",
                "Inject:a:Definition",
                "Role:ic:Reference",
                "Inject:b:Definition",
                "Role:ic:Reference",
                "Role:cfo:Reference",
                "Inject:a:Reference",
            ]
        );
    }

    #[test]
    fn options_are_scoped_by_their_decision() {
        let found = symbols(
            FileKind::Scenario,
            "decisions:\n  ransom:\n    options: {pay: Pay, refuse: Refuse}\nexpectations:\n  - id: e\n    decision: ransom\n    option: refuse\n    wrong_options: {pay: Paying}\n",
        );
        let options: Vec<_> = found
            .iter()
            .filter(|(k, ..)| *k == SymbolKind::Option)
            .map(|(_, n, u, s)| (n.as_str(), *u, s.as_deref()))
            .collect();
        assert_eq!(
            options,
            [
                ("pay", Use::Definition, Some("ransom")),
                ("refuse", Use::Definition, Some("ransom")),
                ("refuse", Use::Reference, Some("ransom")),
                ("pay", Use::Reference, Some("ransom")),
            ]
        );
    }

    #[test]
    fn a_runbook_reference_is_its_id_without_the_section() {
        let text = "expectations:\n  - id: e\n    runbook: ir#contain\n";
        let node = yaml::parse(&SourceFile::new("f.yaml", text)).unwrap();
        let s = &index(FileKind::Scenario, &node, text)[1];
        assert_eq!((s.kind, s.name.as_str()), (SymbolKind::Runbook, "ir"));
        assert_eq!(&text[s.pos.offset..s.pos.offset + s.pos.len], "ir");
    }
}
