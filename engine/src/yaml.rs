//! YAML reading: one bounded parse of a file into a [`Node`] tree that remembers where every
//! value came from. Everything after (schema checks, typed model, semantic checks) works
//! from this tree, so a file is parsed once.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::DuplicateKeyPolicy;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Pos, SourceFile};

/// Deepest nesting of YAML collections ttx accepts; real files use fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// Most nodes in one file; the largest shipped scenario has a few thousand.
pub const MAX_NODES: usize = 200_000;
/// Most alias expansions in one file, the guard against "billion laughs".
pub const MAX_ALIASES: usize = 1_000;

/// A YAML value with its position in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts, and its length in bytes when known.
    pub pos: Pos,
}

/// The value of a [`Node`], resolved with YAML's core schema.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// A short name of the value's type, for messages ("a list", "a number").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// The node's string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Looks up `key` in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key node of `key` in a mapping node (to point at the key rather than its value).
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, _)| k),
            _ => None,
        }
    }

    /// The text of a scalar as it stands in the file (so `1.10` stays `1.10`).
    pub fn raw<'a>(&self, source: &'a str) -> Option<&'a str> {
        source.get(self.pos.offset..self.pos.offset + self.pos.len)
    }

    /// Converts the tree to JSON for schema validation; keys that are not strings are
    /// written as their YAML text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (key_text(k), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Follows a JSON-pointer-like path of keys and indexes, returning the deepest node
    /// reached (so an error inside a missing part still points somewhere useful).
    pub fn at_path<I, S>(&self, segments: I) -> &Node
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut node = self;
        for seg in segments {
            let seg = seg.as_ref();
            let next = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| key_text(k) == seg)
                    .map(|(_, v)| v),
                Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }
}

/// The text of a mapping key as used in paths and messages.
pub fn key_text(key: &Node) -> String {
    match &key.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Seq(_) | Value::Map(_) => "<complex key>".into(),
    }
}

/// Parses a file into a tree, with ttx's limits on depth, size and aliases, and with
/// duplicate keys refused. Returns a diagnostic pointing at the problem otherwise.
pub fn parse(source: &SourceFile) -> Result<Node, Diagnostic> {
    if source.text.trim().is_empty() {
        return Err(Diagnostic::error(
            &source.path,
            Pos::START,
            Code::EmptyFile,
            "the file is empty",
        )
        .with_help("a ttx file is a YAML mapping; see docs/format.md for the keys of each kind"));
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            max_documents: 1,
        },
        duplicate_keys: DuplicateKeyPolicy::Error,
        strict_booleans: true,
        with_snippet: false,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 16,
        },
    };
    let docs: Result<Vec<Node>, _> =
        serde_saphyr::from_multiple_with_options(&source.text, options);
    match docs {
        Ok(mut docs) if docs.len() == 1 => Ok(docs.remove(0)),
        Ok(docs) if docs.is_empty() => Err(Diagnostic::error(
            &source.path,
            Pos::START,
            Code::EmptyFile,
            "the file holds no YAML document",
        )),
        Ok(_) => Err(multiple_documents(source)),
        Err(e) => Err(syntax_error(source, &e)),
    }
}

fn multiple_documents(source: &SourceFile) -> Diagnostic {
    let at = source
        .text
        .match_indices("\n---")
        .nth(usize::from(source.text.starts_with("---")))
        .map(|(i, _)| i + 1)
        .unwrap_or(0);
    Diagnostic::error(
        &source.path,
        source.pos_at(at, 3),
        Code::MultipleDocuments,
        "the file holds more than one YAML document",
    )
    .with_help("put each scenario, architecture or roster in a file of its own")
}

fn syntax_error(source: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    let pos = error
        .location()
        .map(|loc| {
            let line = loc.line() as u32;
            let col = loc.column() as u32;
            let offset = loc
                .span()
                .byte_offset()
                .map(|o| o as usize)
                .unwrap_or_else(|| offset_of(source, line, col));
            Pos {
                line: line.max(1),
                col: col.max(1),
                offset,
                len: 1,
            }
        })
        .unwrap_or(Pos::START);
    let text = error.without_snippet().to_string();
    let message = text
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string();
    if message.contains("budget breached")
        || message.contains("recursion limit")
        || message.contains("alias replay limit")
    {
        return budget_error(source, pos, &message);
    }
    if let Some(key) = message.split("duplicate mapping key: ").nth(1) {
        let key = key.split(',').next().unwrap_or(key).trim();
        return Diagnostic::error(
            &source.path,
            pos,
            Code::DuplicateKey,
            format!("the key `{key}` appears twice in this mapping"),
        )
        .with_help("each key may appear once in a mapping; remove or rename one of them");
    }
    let lower = message.to_lowercase();
    let (code, help) = if lower.contains("duplicate") {
        (
            Code::DuplicateKey,
            "each key may appear once in a mapping; remove or rename one of them",
        )
    } else if lower.contains("budget")
        || lower.contains("limit")
        || lower.contains("alias")
        || lower.contains("depth")
        || lower.contains("nesting")
    {
        (
            Code::YamlLimit,
            "ttx refuses YAML this deep, large or alias-heavy; write the file out plainly",
        )
    } else if lower.contains("multiple documents") || lower.contains("more than one document") {
        (
            Code::MultipleDocuments,
            "put each scenario, architecture or roster in a file of its own",
        )
    } else {
        (
            Code::YamlSyntax,
            "check indentation and quoting near this position; strings with `: ` or `#` need quotes",
        )
    };
    Diagnostic::error(
        &source.path,
        pos,
        code,
        format!("invalid YAML: {}", strip_location_suffix(&message)),
    )
    .with_help(help)
}

/// Explains which of ttx's YAML limits a file broke, in the author's terms.
fn budget_error(source: &SourceFile, pos: Pos, message: &str) -> Diagnostic {
    let what = if message.contains("Documents") {
        return multiple_documents(source);
    } else if message.contains("Depth") || message.contains("recursion limit") {
        format!("the YAML is nested more than {MAX_DEPTH} levels deep")
    } else if message.contains("Alias")
        || message.contains("alias")
        || message.contains("RecordedAnchor")
    {
        format!(
            "the YAML expands aliases (`*name`) more than ttx allows ({MAX_ALIASES} aliases, 100000 replayed nodes); this is how \"billion laughs\" files exhaust memory"
        )
    } else if message.contains("Nodes") || message.contains("Events") {
        format!("the YAML has more than {MAX_NODES} values")
    } else if message.contains("ScalarBytes") || message.contains("InputBytes") {
        if source.text.contains('*') {
            "the YAML expands to more text than ttx allows; aliases (`*name`) repeat their anchor's text each time, which is how \"billion laughs\" files exhaust memory".to_string()
        } else {
            "the YAML text is larger than ttx allows".to_string()
        }
    } else {
        format!(
            "the YAML exceeds a limit ({})",
            message.trim_start_matches("budget breached: ")
        )
    };
    Diagnostic::error(&source.path, pos, Code::YamlLimit, what)
        .with_help("ttx refuses YAML this deep, large or alias-heavy; write the file out plainly")
}

/// serde-saphyr appends "at line X column Y"; the header already carries the position.
fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

fn offset_of(source: &SourceFile, line: u32, col: u32) -> usize {
    let start = source.line_start(line);
    let line_text = source.line_text(line);
    start
        + line_text
            .char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(line_text.len())
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<Value>::deserialize(deserializer)?;
        let loc = spanned.referenced;
        let span = loc.span();
        Ok(Node {
            value: spanned.value,
            pos: Pos {
                line: loc.line() as u32,
                col: loc.column() as u32,
                offset: span.byte_offset().unwrap_or(0) as usize,
                len: span.byte_len().unwrap_or(0) as usize,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, Diagnostic> {
        parse(&SourceFile::new("t.yaml", text))
    }

    #[test]
    fn nodes_carry_positions() {
        let node = parse_str("id: x\nroles:\n  ic: {title: Incident commander}\n").unwrap();
        let title = node.at_path(["roles", "ic", "title"]);
        assert_eq!(title.as_str(), Some("Incident commander"));
        assert_eq!((title.pos.line, title.pos.col), (3, 15));
        let key = node.key_node("roles").unwrap();
        assert_eq!((key.pos.line, key.pos.col), (2, 1));
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse_str("id: a\ntitle: t\nid: b\n").unwrap_err();
        assert_eq!(err.code, Code::DuplicateKey, "{err:?}");
        assert_eq!(err.pos.line, 3);
    }

    #[test]
    fn empty_and_multi_document_files_are_explained() {
        assert_eq!(parse_str("  \n").unwrap_err().code, Code::EmptyFile);
        let err = parse_str("id: a\n---\nid: b\n").unwrap_err();
        assert_eq!(err.code, Code::MultipleDocuments, "{err:?}");
    }

    #[test]
    fn alias_bombs_hit_a_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse_str(&text).unwrap_err();
        assert_eq!(err.code, Code::YamlLimit, "{err:?}");
    }

    #[test]
    fn deep_nesting_hits_a_limit() {
        let text = format!("a: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_str(&text).unwrap_err();
        assert_eq!(err.code, Code::YamlLimit, "{err:?}");
    }
}
