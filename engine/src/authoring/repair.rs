//! Cutting a file's structural problems out of its tree, so the checks of the rest still
//! run: one wrong value must not hide the other mistakes of the file (a bad `chance:` once
//! hid five undefined roles until it was fixed).
//!
//! Nothing is invented: an unknown key, or an optional value of the wrong form, is removed;
//! a required value of the wrong form becomes a neutral value of its type, at the same
//! position, so a check that would trip on the stand-in is not reported (see
//! [`Repaired::covers`]). A file whose problems cannot be cut out that way (a missing key, a
//! root that is not a mapping) is not repaired.

use serde_json::Value as Json;

use crate::authoring::diagnostic::Diagnostic;
use crate::authoring::schema::{self, FileKind, schema_at, segments};
use crate::authoring::source::Pos;
use crate::authoring::yaml::{Node, Value, key_text};

/// A tree with its structural problems cut out, and where the cuts are.
pub struct Repaired {
    /// The tree that now matches the schema.
    pub node: Node,
    cuts: Vec<Pos>,
}

impl Repaired {
    /// Whether a diagnostic points into something that was cut or stood in for: a check
    /// of the repaired tree says nothing about what the author really wrote there.
    pub fn covers(&self, d: &Diagnostic) -> bool {
        self.cuts.iter().any(|c| {
            let end = c.offset + c.len.max(1);
            d.pos.offset >= c.offset && d.pos.offset < end
        })
    }
}

/// At most this many rounds: each round cuts every problem the schema reports, and a cut
/// can only uncover problems further up, never loop.
const ROUNDS: usize = 4;

/// Repairs `root` against `kind`'s schema, or `None` when its problems cannot be cut out.
pub fn repair(kind: FileKind, root: &Node) -> Option<Repaired> {
    if !matches!(root.value, Value::Map(_)) {
        return None;
    }
    let schema = schema::schema(kind);
    let mut node = root.clone();
    let mut cuts = Vec::new();
    for _ in 0..ROUNDS {
        let instance = node.to_json();
        let mut fixes = Vec::new();
        for error in schema::validator(kind).iter_errors(&instance) {
            fixes.push(fix_for(schema, &error)?);
        }
        if fixes.is_empty() {
            return Some(Repaired { node, cuts });
        }
        // Deepest first, and later items before earlier ones, so a removal never shifts
        // the path of a fix still to come.
        fixes.sort_by(|a, b| b.path().cmp(a.path()));
        fixes.dedup_by(|a, b| a.path() == b.path() && a.key() == b.key());
        for fix in fixes {
            apply(&mut node, fix, &mut cuts)?;
        }
    }
    None
}

/// One cut.
enum Fix {
    /// Remove the entry `key` from the mapping at the path.
    RemoveKey(Vec<String>, String),
    /// Remove the value at the path (an optional key, a list item, an entry of a map of ids).
    Remove(Vec<String>),
    /// Replace the value at the path with a neutral value of its type.
    StandIn(Vec<String>, Json),
}

impl Fix {
    fn path(&self) -> &Vec<String> {
        match self {
            Fix::RemoveKey(p, _) | Fix::Remove(p) | Fix::StandIn(p, _) => p,
        }
    }

    fn key(&self) -> Option<&str> {
        match self {
            Fix::RemoveKey(_, k) => Some(k),
            _ => None,
        }
    }
}

fn fix_for(schema: &Json, error: &jsonschema::ValidationError<'_>) -> Option<Fix> {
    use jsonschema::error::ValidationErrorKind as K;
    let inst = segments(error.instance_path());
    match error.kind() {
        // A missing key cannot be cut out: there is nothing to check in its place.
        K::Required { .. } | K::MinItems { .. } | K::MinProperties { .. } => None,
        K::AdditionalProperties { unexpected } => {
            let key = unexpected.first()?.clone();
            Some(Fix::RemoveKey(inst, key))
        }
        _ => {
            let (last, _) = inst.split_last()?;
            let schema_path = segments(error.schema_path());
            // The subschema of the value: the failing keyword's parent.
            let value_path = &schema_path[..schema_path.len().saturating_sub(1)];
            let n = value_path.len();
            let required = n >= 2
                && value_path[n - 2] == "properties"
                && value_path[n - 1] == *last
                && schema_at(schema, &value_path[..n - 2])
                    .and_then(|o| o.get("required"))
                    .and_then(Json::as_array)
                    .is_some_and(|r| r.iter().any(|k| k.as_str() == Some(last)));
            if required {
                Some(Fix::StandIn(
                    inst,
                    stand_in(schema_at(schema, value_path)?)?,
                ))
            } else {
                Some(Fix::Remove(inst))
            }
        }
    }
}

/// A neutral value a subschema accepts: its first allowed value, zero, empty.
fn stand_in(sub: &Json) -> Option<Json> {
    if let Some(c) = sub.get("const") {
        return Some(c.clone());
    }
    if let Some(first) = sub
        .get("enum")
        .and_then(Json::as_array)
        .and_then(|e| e.first())
    {
        return Some(first.clone());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = sub.get(key).and_then(Json::as_array) {
            return branches
                .iter()
                .filter(|b| b.get("type").and_then(Json::as_str) != Some("null"))
                .find_map(stand_in);
        }
    }
    let ty = match sub.get("type") {
        Some(Json::String(t)) => t.as_str(),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).find(|t| *t != "null")?,
        _ => return None,
    };
    match ty {
        "number" | "integer" => Some(sub.get("minimum").cloned().unwrap_or(Json::from(0))),
        "boolean" => Some(Json::Bool(false)),
        "array" => Some(Json::Array(Vec::new())),
        // A string of the wrong form has no neutral value that every pattern accepts;
        // one without a pattern takes the empty string.
        "string" if sub.get("pattern").is_none() => Some(Json::String(String::new())),
        _ => None,
    }
}

fn node_at_mut<'a>(root: &'a mut Node, segs: &[String]) -> Option<&'a mut Node> {
    let mut node = root;
    for seg in segs {
        node = match &mut node.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| key_text(k) == *seg)
                .map(|(_, v)| v)?,
            Value::Seq(items) => items.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn apply(root: &mut Node, fix: Fix, cuts: &mut Vec<Pos>) -> Option<()> {
    match fix {
        Fix::RemoveKey(path, key) => {
            let Value::Map(entries) = &mut node_at_mut(root, &path)?.value else {
                return None;
            };
            let i = entries.iter().position(|(k, _)| key_text(k) == key)?;
            let (k, v) = entries.remove(i);
            cuts.extend([k.pos, v.pos]);
        }
        Fix::Remove(path) => {
            let (last, parent) = path.split_last()?;
            let parent = node_at_mut(root, parent)?;
            // What a check says of the mapping that lost an optional value ("selects
            // nothing") is about the cut too.
            cuts.push(Pos {
                len: 1,
                ..parent.pos
            });
            match &mut parent.value {
                Value::Map(entries) => {
                    let i = entries.iter().position(|(k, _)| key_text(k) == *last)?;
                    let (k, v) = entries.remove(i);
                    cuts.extend([k.pos, v.pos]);
                }
                Value::Seq(items) => {
                    let i = last.parse::<usize>().ok()?;
                    (i < items.len()).then_some(())?;
                    cuts.push(items.remove(i).pos);
                }
                _ => return None,
            }
        }
        Fix::StandIn(path, value) => {
            let node = node_at_mut(root, &path)?;
            cuts.push(node.pos);
            node.value = match value {
                Json::Bool(b) => Value::Bool(b),
                Json::Number(n) => match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None => Value::Float(n.as_f64()?),
                },
                Json::String(s) => Value::Str(s),
                Json::Array(_) => Value::Seq(Vec::new()),
                _ => return None,
            };
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::source::SourceFile;

    fn tree(text: &str) -> Node {
        crate::authoring::yaml::parse(&SourceFile::new("s.yaml", text)).unwrap()
    }

    const BASE: &str = "id: s\ntitle: T\nversion: 1.0.0\nsummary: S\nduration: 1h\nroles: {ic: {title: IC}}\nobjectives: [{id: o, text: O, capability: c}]\ninjects: [{id: a, at: 0m, to: [ic], text: A}]\n";

    #[test]
    fn a_required_value_of_the_wrong_type_stands_in_and_an_unknown_key_goes() {
        let text = format!(
            "{BASE}facts: {{f: {{text: F}}}}\ndecisions:\n  look: {{by: [ic], colour: red, reveals: [{{fact: f, chance: high}}]}}\n"
        );
        let root = tree(&text);
        assert!(!schema::check(FileKind::Scenario, &SourceFile::new("s", &text), &root).is_empty());
        let r = repair(FileKind::Scenario, &root).expect("repairable");
        assert!(
            schema::check(FileKind::Scenario, &SourceFile::new("s", &text), &r.node).is_empty()
        );
        let chance = r
            .node
            .at_path(["decisions", "look", "reveals", "0", "chance"]);
        assert!(
            matches!(chance.value, Value::Float(0.0) | Value::Int(0)),
            "{:?}",
            chance.value
        );
        assert!(
            r.node
                .at_path(["decisions", "look"])
                .key_node("colour")
                .is_none()
        );
    }

    #[test]
    fn a_missing_key_is_not_repaired() {
        let text = BASE.replace("title: T\n", "");
        assert!(repair(FileKind::Scenario, &tree(&text)).is_none());
    }
}
