//! JSON Schemas for every file kind, generated from the model types, and the structural
//! check of a parsed file against its schema that reports every problem at once.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value as Json;

use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::duration::DURATION_PATTERN;
use crate::authoring::model::ID_PATTERN;
use crate::authoring::model::{architecture, profile, program, roster, scenario, sheet};
use crate::authoring::source::SourceFile;
use crate::authoring::suggest::did_you_mean;
use crate::authoring::yaml::{Node, Value};

/// The kinds of file ttx reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `ttx.yaml`.
    Program,
    /// The architecture file.
    Architecture,
    /// The roster file.
    Roster,
    /// A scenario.
    Scenario,
    /// A scribe's decisions sheet.
    Decisions,
    /// A simulation profile (`ttx simulate --profile FILE`).
    Profile,
}

impl FileKind {
    /// Every kind, in documentation order.
    pub const ALL: [FileKind; 6] = [
        FileKind::Program,
        FileKind::Architecture,
        FileKind::Roster,
        FileKind::Scenario,
        FileKind::Decisions,
        FileKind::Profile,
    ];

    /// The name used on the command line (`ttx schema scenario`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Program => "program",
            FileKind::Architecture => "architecture",
            FileKind::Roster => "roster",
            FileKind::Scenario => "scenario",
            FileKind::Decisions => "decisions",
            FileKind::Profile => "profile",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The JSON Schema of a file kind (draft 2020-12), as `ttx schema KIND` prints it.
pub fn schema(kind: FileKind) -> &'static Json {
    static SCHEMAS: OnceLock<Vec<Json>> = OnceLock::new();
    &SCHEMAS.get_or_init(|| FileKind::ALL.into_iter().map(generate).collect())[kind.index()]
}

fn generate(kind: FileKind) -> Json {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let schema = match kind {
        FileKind::Program => generator.into_root_schema_for::<program::Program>(),
        FileKind::Architecture => generator.into_root_schema_for::<architecture::Architecture>(),
        FileKind::Roster => generator.into_root_schema_for::<roster::Roster>(),
        FileKind::Scenario => generator.into_root_schema_for::<scenario::Scenario>(),
        FileKind::Decisions => generator.into_root_schema_for::<sheet::DecisionsSheet>(),
        FileKind::Profile => generator.into_root_schema_for::<profile::Profile>(),
    };
    let mut json = schema.to_value();
    if let Some(obj) = json.as_object_mut() {
        obj.insert(
            "$id".into(),
            Json::String(format!("https://ttx.invalid/schema/{}.json", kind.as_str())),
        );
        obj.insert(
            "title".into(),
            Json::String(format!("ttx {} file", kind.as_str())),
        );
    }
    json
}

pub(crate) fn validator(kind: FileKind) -> &'static jsonschema::Validator {
    static VALIDATORS: OnceLock<Vec<jsonschema::Validator>> = OnceLock::new();
    &VALIDATORS.get_or_init(|| {
        FileKind::ALL
            .into_iter()
            .map(|k| {
                jsonschema::draft202012::new(schema(k)).unwrap_or_else(|e| {
                    panic!("the generated {} schema is invalid: {e}", k.as_str())
                })
            })
            .collect()
    })[kind.index()]
}

/// Checks a parsed file against its kind's schema and returns every structural problem,
/// each pointing at the key or value at fault.
pub fn check(kind: FileKind, source: &SourceFile, root: &Node) -> Vec<Diagnostic> {
    if !matches!(root.value, Value::Map(_)) {
        return vec![
            Diagnostic::error(
                &source.path,
                root.pos,
                Code::WrongRoot,
                format!(
                    "a {} file must be a mapping of keys, but this file is {}",
                    kind.as_str(),
                    root.value.kind_name()
                ),
            )
            .with_help(format!(
                "start the file with the {} keys, e.g. `{}`; run `ttx schema {}` for all of them",
                kind.as_str(),
                first_required(kind),
                kind.as_str()
            )),
        ];
    }
    let instance = root.to_json();
    let mut out = Vec::new();
    let ctx = Ctx {
        source,
        root,
        schema: schema(kind),
    };
    for error in validator(kind).iter_errors(&instance) {
        let before = out.len();
        ctx.translate(&error, &mut out);
        // Every diagnostic says where in the tree its value is, so a tool can act on it
        // without reading the message (the sheet's salvage, an editor).
        let pointer = error.instance_path().to_string();
        for d in &mut out[before..] {
            d.set_path(pointer.clone());
        }
    }
    out.dedup();
    out
}

fn first_required(kind: FileKind) -> String {
    schema(kind)
        .get("required")
        .and_then(Json::as_array)
        .and_then(|r| r.first())
        .and_then(Json::as_str)
        .map(|k| format!("{k}:"))
        .unwrap_or_default()
}

struct Ctx<'a> {
    source: &'a SourceFile,
    root: &'a Node,
    schema: &'a Json,
}

/// The segments of a JSON pointer (`/injects/3/to` → `injects`, `3`, `to`).
pub(crate) fn segments(location: &jsonschema::paths::Location) -> Vec<String> {
    location
        .as_str()
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `injects[3].source` from `["injects", "3", "source"]`.
fn readable_path(segs: &[String]) -> String {
    let mut out = String::new();
    for s in segs {
        if s.parse::<usize>().is_ok() {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

/// The subschema at a path of segments, if there is one.
pub(crate) fn schema_at<'a>(schema: &'a Json, segs: &[String]) -> Option<&'a Json> {
    segs.iter().try_fold(schema, |node, seg| match node {
        Json::Object(map) => map.get(seg),
        Json::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

impl Ctx<'_> {
    fn translate(&self, error: &jsonschema::ValidationError<'_>, out: &mut Vec<Diagnostic>) {
        let inst = segments(error.instance_path());
        let schema_path = segments(error.schema_path());
        let node = self.root.at_path(&inst);
        let file = &self.source.path;
        let place = if inst.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in `{}`", readable_path(&inst))
        };
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let parent = schema_at(
                    self.schema,
                    &schema_path[..schema_path.len().saturating_sub(1)],
                );
                let allowed: Vec<&str> = parent
                    .and_then(|s| s.get("properties"))
                    .and_then(Json::as_object)
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let keyed_by_id = parent.is_some_and(|s| s.get("patternProperties").is_some());
                for key in unexpected {
                    let at = node.key_node(key).unwrap_or(node);
                    if keyed_by_id {
                        // A map of ids (roles, decisions, facts): a key that does not match is a bad id.
                        out.push(pattern_diagnostic(file, at, key, ID_PATTERN, &place));
                        continue;
                    }
                    let d = Diagnostic::error(
                        file,
                        at.pos,
                        Code::UnknownKey,
                        format!("unknown key `{key}` {place}"),
                    );
                    out.push(match did_you_mean(key, allowed.iter().copied()) {
                        Some(s) => d.with_suggestion(s),
                        None => d.with_help(format!(
                            "the keys allowed here are: {}",
                            allowed.join(", ")
                        )),
                    });
                }
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                let parent = schema_at(
                    self.schema,
                    &schema_path[..schema_path.len().saturating_sub(1)],
                );
                let description = parent
                    .and_then(|s| s.pointer(&format!("/properties/{key}/description")))
                    .and_then(Json::as_str)
                    .map(|d| format!("add `{key}:` here ({})", d.trim_end_matches('.')))
                    .unwrap_or_else(|| format!("add `{key}:` here"));
                out.push(
                    Diagnostic::error(
                        file,
                        node.pos,
                        Code::MissingKey,
                        format!("missing required key `{key}` {place}"),
                    )
                    .with_help(description),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let expects_string = match kind {
                    TypeKind::Single(t) => t.to_string() == "string",
                    TypeKind::Multiple(set) => set.iter().any(|t| t.to_string() == "string"),
                };
                let plain_scalar =
                    matches!(node.value, Value::Bool(_) | Value::Int(_) | Value::Float(_));
                if expects_string && plain_scalar {
                    // A plain `1.10` or `yes` is read as the string written; check that
                    // string against the same subschema so a pattern still applies.
                    self.check_coerced_scalar(node, &schema_path, &inst, out);
                    return;
                }
                let expected = match kind {
                    TypeKind::Single(t) => type_name(&t.to_string()),
                    TypeKind::Multiple(set) => set
                        .iter()
                        .map(|t| type_name(&t.to_string()))
                        .filter(|t| *t != "nothing")
                        .collect::<Vec<_>>()
                        .join(" or "),
                };
                // `1e400` and `.nan` are YAML numbers no file can mean: say so, not
                // "expected a number, found a number".
                let (found, help) = match node.value {
                    Value::Float(f) if f.is_nan() => (
                        "NaN, which is not a number",
                        "write a finite number, such as 0.5".to_string(),
                    ),
                    Value::Float(f) if f.is_infinite() => (
                        "an infinite number (too large to hold)",
                        "write a finite number, such as 0.5".to_string(),
                    ),
                    _ => (node.value.kind_name(), type_help(&expected)),
                };
                out.push(
                    Diagnostic::error(
                        file,
                        node.pos,
                        Code::WrongType,
                        format!("expected {expected} {place}, found {found}"),
                    )
                    .with_help(help),
                );
            }
            ValidationErrorKind::Enum { options } => {
                let choices: Vec<String> = options
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(self.not_one_of(node, &choices, &place));
            }
            ValidationErrorKind::Pattern { pattern } => {
                let text = node.as_str().unwrap_or_default();
                out.push(pattern_diagnostic(file, node, text, pattern, &place));
            }
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
                if !constant_choices(schema_at(self.schema, &schema_path)).is_empty() =>
            {
                let choices = constant_choices(schema_at(self.schema, &schema_path));
                out.push(self.not_one_of(node, &choices, &place));
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                // Explain the branch that came closest, rather than "matches no schema".
                let best = context
                    .iter()
                    .filter(|branch| !branch.is_empty())
                    .min_by_key(|branch| {
                        let only_null = branch.iter().all(|e| matches!(e.kind(), ValidationErrorKind::Type { kind: TypeKind::Single(t) } if t.to_string() == "null"));
                        (only_null, branch.len())
                    });
                match best {
                    Some(branch) => branch.iter().for_each(|e| self.translate(e, out)),
                    None => out.push(Diagnostic::error(
                        file,
                        node.pos,
                        Code::InvalidValue,
                        format!("invalid value {place}"),
                    )),
                }
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => out.push(Diagnostic::error(
                file,
                node.pos,
                Code::InvalidValue,
                format!("the value {place} is below the minimum of {limit}"),
            )),
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => out.push(Diagnostic::error(
                file,
                node.pos,
                Code::InvalidValue,
                format!("the value {place} is above the maximum of {limit}"),
            )),
            ValidationErrorKind::MinLength { .. } => out.push(Diagnostic::error(
                file,
                node.pos,
                Code::InvalidValue,
                format!("the value {place} is too short"),
            )),
            _ => out.push(Diagnostic::error(
                file,
                node.pos,
                Code::InvalidValue,
                format!("{place}: {error}"),
            )),
        }
    }

    fn not_one_of(&self, node: &Node, choices: &[String], place: &str) -> Diagnostic {
        let found = node
            .raw(&self.source.text)
            .map(|r| r.trim().trim_matches(['"', '\'']).to_string())
            .unwrap_or_else(|| node.value.kind_name().to_string());
        let d = Diagnostic::error(
            &self.source.path,
            node.pos,
            Code::InvalidValue,
            format!("`{found}` is not allowed {place}"),
        );
        match did_you_mean(&found, choices.iter().map(String::as_str)) {
            Some(s) => d.with_suggestion(s),
            None => d.with_help(format!("use one of: {}", choices.join(", "))),
        }
    }

    fn check_coerced_scalar(
        &self,
        node: &Node,
        schema_path: &[String],
        inst: &[String],
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(text) = node.raw(&self.source.text) else {
            return;
        };
        let parent = schema_at(
            self.schema,
            &schema_path[..schema_path.len().saturating_sub(1)],
        );
        let Some(pattern) = parent.and_then(|s| s.get("pattern")).and_then(Json::as_str) else {
            return;
        };
        let sub = serde_json::json!({"type": "string", "pattern": pattern});
        let ok = jsonschema::validator_for(&sub)
            .map(|v| v.is_valid(&Json::String(text.to_string())))
            .unwrap_or(true);
        if !ok {
            let place = format!("in `{}`", readable_path(inst));
            out.push(pattern_diagnostic(
                &self.source.path,
                node,
                text,
                pattern,
                &place,
            ));
        }
    }
}

fn pattern_diagnostic(
    file: &std::path::Path,
    node: &Node,
    text: &str,
    pattern: &str,
    place: &str,
) -> Diagnostic {
    let (code, message, help) = if pattern == DURATION_PATTERN {
        (
            Code::BadDuration,
            format!("`{text}` is not a duration"),
            "write durations like `90s`, `15m` or `1h30m` (a bare number has no unit; use `0m` for the start)".to_string(),
        )
    } else if pattern == ID_PATTERN {
        (
            Code::InvalidValue,
            format!("`{text}` is not a valid id"),
            format!(
                "ids use lower-case letters, digits, `-`, `_` and `.`, e.g. `{}`",
                suggest_id(text)
            ),
        )
    } else if pattern.starts_with("^(0|[1-9]") {
        (
            Code::BadVersion,
            format!("`{text}` is not a semantic version"),
            "write the version as MAJOR.MINOR.PATCH, e.g. `1.2.0` (quote it if YAML reads it as a number)".to_string(),
        )
    } else {
        (
            Code::InvalidValue,
            format!("`{text}` does not have the expected form {place}"),
            format!("the value must match the pattern `{pattern}`"),
        )
    };
    Diagnostic::error(file, node.pos, code, message).with_help(help)
}

/// The allowed values of a `oneOf`/`anyOf` whose branches are all constants, as schemars
/// writes documented enums.
fn constant_choices(keyword: Option<&Json>) -> Vec<String> {
    let Some(branches) = keyword.and_then(Json::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for b in branches {
        if let Some(c) = b.get("const").and_then(Json::as_str) {
            out.push(c.to_string());
        } else if let Some(values) = b.get("enum").and_then(Json::as_array) {
            out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
        } else if b.get("type").and_then(Json::as_str) == Some("null") {
            continue;
        } else {
            return Vec::new();
        }
    }
    out
}

/// Whether a structural problem leaves the typed model buildable (a string of the wrong
/// form), so the semantic checks can still run and report everything at once.
pub fn is_leaf_problem(d: &Diagnostic) -> bool {
    matches!(d.code, Code::BadVersion | Code::InvalidValue)
        && d.message.contains("is not a valid id")
        || d.code == Code::BadVersion
}

fn suggest_id(text: &str) -> String {
    let id: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let id = id.trim_matches('-');
    if id.is_empty() {
        "payments-db".into()
    } else {
        id.to_string()
    }
}

fn type_name(t: &str) -> String {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "null" => "nothing",
        other => other,
    }
    .to_string()
}

fn type_help(expected: &str) -> String {
    match expected {
        "a list" => "write a list as `[a, b]` or as lines starting with `- `".into(),
        "a mapping" => "write a mapping as `key: value` lines, indented under this key".into(),
        "a string" => "write text here; quote it if it starts with a special character".into(),
        _ => format!("write {expected} here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_str(kind: FileKind, text: &str) -> Vec<Diagnostic> {
        let src = SourceFile::new("t.yaml", text);
        let node = crate::authoring::yaml::parse(&src).unwrap();
        check(kind, &src, &node)
    }

    #[test]
    fn every_schema_compiles() {
        for kind in FileKind::ALL {
            let _ = validator(kind);
        }
    }

    #[test]
    fn reports_every_unknown_key_with_a_suggestion() {
        let diags = check_str(
            FileKind::Roster,
            "teams:\n  - {id: sec, name: Security, poc: dana, colour: red}\npeeple: []\n",
        );
        let codes: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.pos.line, d.help.clone()))
            .collect();
        assert!(
            codes.contains(&(Code::UnknownKey, 3, Some("did you mean `people`?".into()))),
            "{diags:#?}"
        );
        assert!(
            codes
                .iter()
                .any(|(c, l, _)| *c == Code::UnknownKey && *l == 2),
            "{diags:#?}"
        );
    }

    #[test]
    fn a_diagnostic_carries_its_suggestion_and_the_path_of_its_value() {
        let diags = check_str(
            FileKind::Decisions,
            "scenario: s.yaml\nentries:\n  - {note: fine}\n  - {nte: typo}\n  - {at: soon, note: x}\n",
        );
        let typo = diags
            .iter()
            .find(|d| d.code == Code::UnknownKey)
            .unwrap_or_else(|| panic!("{diags:#?}"));
        assert_eq!(typo.suggestion(), Some("note"));
        assert_eq!(typo.path(), Some("/entries/1"));
        assert_eq!(typo.entry_index(), Some(1));
        let soon = diags
            .iter()
            .find(|d| d.pos.line == 5)
            .unwrap_or_else(|| panic!("{diags:#?}"));
        assert_eq!(soon.entry_index(), Some(2), "{soon:#?}");
        assert!(soon.path().is_some_and(|p| p.starts_with("/entries/2")));
    }

    #[test]
    fn plain_scalars_are_strings_where_strings_belong() {
        let diags = check_str(
            FileKind::Roster,
            "teams:\n  - {id: sec, name: 1984, poc: dana}\n",
        );
        assert!(diags.is_empty(), "{diags:#?}");
    }

    #[test]
    fn a_bare_number_is_not_a_duration() {
        let diags = check_str(
            FileKind::Decisions,
            "scenario: s.yaml\nentries:\n  - {at: 5, note: hi}\n",
        );
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].code, Code::BadDuration);
    }

    #[test]
    fn wrong_root_is_explained() {
        let diags = check_str(FileKind::Scenario, "- a\n- b\n");
        assert_eq!(diags[0].code, Code::WrongRoot);
    }
}
