//! YAML reading: one bounded parse of a file into a [`Node`] tree that remembers where every
//! value came from, built from granit-parser's events. Everything after (schema checks,
//! typed model, semantic checks) works from this tree, so a file is parsed once.

use std::collections::HashMap;

use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::source::{Pos, SourceFile};

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
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node of `key` in a mapping node (to point at the key rather than its value).
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(k, _)| k)
    }

    fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)),
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
///
/// The tree is built straight from the events of granit-parser (the YAML parser under
/// serde-saphyr), which gives every node its exact span at no extra cost.
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
    let mut options = granit_parser::Options::default();
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = MAX_DEPTH + 1;
    let parser = granit_parser::Parser::new_from_str_with_options(&source.text, options);
    let mut builder = TreeBuilder {
        source,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        nodes: 0,
        aliases: 0,
        replayed: 0,
    };
    for event in parser {
        let (event, span) = event.map_err(|e| scan_error(source, &e))?;
        builder.event(event, span)?;
    }
    builder.root.ok_or_else(|| {
        Diagnostic::error(
            &source.path,
            Pos::START,
            Code::EmptyFile,
            "the file holds no YAML document",
        )
    })
}

/// Most alias expansions, counted in replayed nodes, in one file.
pub const MAX_REPLAYED_NODES: usize = 100_000;

enum Frame {
    Seq(Node, Vec<Node>, usize),
    Map(
        Node,
        Vec<(Node, Node)>,
        Option<Node>,
        HashMap<String, Pos>,
        usize,
    ),
}

struct TreeBuilder<'a> {
    source: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
    nodes: usize,
    aliases: usize,
    replayed: usize,
}

impl TreeBuilder<'_> {
    fn pos(&self, span: &granit_parser::Span) -> Pos {
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start);
        Pos {
            line: span.start.line() as u32,
            col: span.start.col() as u32 + 1,
            offset: start,
            len: end.saturating_sub(start),
        }
    }

    fn limit(&self, pos: Pos, message: String) -> Diagnostic {
        Diagnostic::error(&self.source.path, pos, Code::YamlLimit, message).with_help(
            "ttx refuses YAML this deep, large or alias-heavy; write the file out plainly",
        )
    }

    fn event(
        &mut self,
        event: granit_parser::Event<'_>,
        span: granit_parser::Span,
    ) -> Result<(), Diagnostic> {
        use granit_parser::Event;
        let pos = self.pos(&span);
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(multiple_documents(self.source, pos));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(pos)?;
                let tagged_str = tag.as_ref().is_some_and(|t| t.to_string().ends_with("str"));
                let value = if style == granit_parser::ScalarStyle::Plain && !tagged_str {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.into_owned())
                };
                self.complete(Node { value, pos }, anchor, 1)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.count(pos)?;
                self.open(pos)?;
                self.stack.push(Frame::Seq(
                    Node {
                        value: Value::Null,
                        pos,
                    },
                    Vec::new(),
                    anchor,
                ));
            }
            Event::MappingStart(_, anchor, _) => {
                self.count(pos)?;
                self.open(pos)?;
                self.stack.push(Frame::Map(
                    Node {
                        value: Value::Null,
                        pos,
                    },
                    Vec::new(),
                    None,
                    HashMap::new(),
                    anchor,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq(mut node, items, anchor)) => {
                        node.value = Value::Seq(items);
                        (node, anchor)
                    }
                    Some(Frame::Map(mut node, entries, _, _, anchor)) => {
                        node.value = Value::Map(entries);
                        (node, anchor)
                    }
                    None => return Ok(()),
                };
                let size = count_nodes(&node);
                self.complete(node, anchor, size)?;
            }
            Event::Alias(id) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    return Err(self.limit(
                        pos,
                        format!("the YAML uses more than {MAX_ALIASES} aliases (`*name`)"),
                    ));
                }
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(Diagnostic::error(
                        &self.source.path,
                        pos,
                        Code::YamlSyntax,
                        "an alias refers to an anchor that is not defined before it",
                    ));
                };
                self.replayed += size;
                if self.replayed > MAX_REPLAYED_NODES {
                    return Err(self.limit(pos, format!("the YAML expands aliases (`*name`) to more than {MAX_REPLAYED_NODES} values; this is how \"billion laughs\" files exhaust memory")));
                }
                self.complete(Node { pos, ..node }, 0, size)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(Diagnostic::error(
                    &self.source.path,
                    pos,
                    Code::YamlSyntax,
                    format!("the alias `*{name}` refers to no anchor `&{name}` defined before it"),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn count(&mut self, pos: Pos) -> Result<(), Diagnostic> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.limit(pos, format!("the YAML has more than {MAX_NODES} values")));
        }
        Ok(())
    }

    fn open(&self, pos: Pos) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.limit(
                pos,
                format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    /// Places a finished node in its parent (or as the root), registering its anchor.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, seen, _)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    let text = key_text(&node);
                    if let Some(first) = seen.insert(text.clone(), node.pos) {
                        return Err(Diagnostic::error(
                            &self.source.path,
                            node.pos,
                            Code::DuplicateKey,
                            format!("the key `{text}` appears twice in this mapping"),
                        )
                        .with_help(format!(
                            "it is already on line {}; each key may appear once in a mapping",
                            first.line
                        )));
                    }
                    *pending = Some(node);
                }
            },
        }
        Ok(())
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| count_nodes(k) + count_nodes(v))
            .sum(),
        _ => 0,
    }
}

/// Resolves a plain scalar with YAML 1.2's core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::Str(text.to_string());
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    } else if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    } else if text
        .bytes()
        .skip(usize::from(matches!(first, b'-' | b'+')))
        .all(|b| b.is_ascii_digit())
    {
        return text.parse::<i64>().map_or_else(
            |_| {
                text.parse::<f64>()
                    .map_or(Value::Str(text.to_string()), Value::Float)
            },
            Value::Int,
        );
    } else if is_core_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn multiple_documents(source: &SourceFile, pos: Pos) -> Diagnostic {
    Diagnostic::error(
        &source.path,
        pos,
        Code::MultipleDocuments,
        "the file holds more than one YAML document",
    )
    .with_help("put each scenario, architecture or roster in a file of its own")
}

fn scan_error(source: &SourceFile, error: &granit_parser::ScanError) -> Diagnostic {
    let mark = error.marker();
    let offset = mark.byte_offset().unwrap_or(0);
    let pos = Pos {
        line: mark.line().max(1) as u32,
        col: mark.col() as u32 + 1,
        offset,
        len: 1,
    };
    let info = error.info();
    let lower = info.to_lowercase();
    if lower.contains("nesting") || lower.contains("recursion") {
        return Diagnostic::error(
            &source.path,
            pos,
            Code::YamlLimit,
            format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
        )
        .with_help("ttx refuses YAML this deep, large or alias-heavy; write the file out plainly");
    }
    Diagnostic::error(
        &source.path,
        pos,
        Code::YamlSyntax,
        format!("invalid YAML: {info}"),
    )
    .with_help(
        "check indentation and quoting near this position; strings with `: ` or `#` need quotes",
    )
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
    fn plain_scalars_follow_the_core_schema() {
        for (text, expected) in [
            ("~", Value::Null),
            ("null", Value::Null),
            ("true", Value::Bool(true)),
            ("False", Value::Bool(false)),
            ("yes", Value::Str("yes".into())),
            ("42", Value::Int(42)),
            ("-7", Value::Int(-7)),
            ("0x1F", Value::Int(31)),
            ("0o17", Value::Int(15)),
            ("0.7", Value::Float(0.7)),
            ("1e3", Value::Float(1000.0)),
            ("1.2.0", Value::Str("1.2.0".into())),
            ("15m", Value::Str("15m".into())),
            ("T1078.004", Value::Str("T1078.004".into())),
            ("-", Value::Str("-".into())),
        ] {
            assert_eq!(resolve_plain(text), expected, "{text}");
        }
        let node = parse_str("a: '42'\nb: !!str 42\nc: 42\n").unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Str("42".into()));
        assert_eq!(node.get("b").unwrap().value, Value::Str("42".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Int(42));
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let node = parse_str("base: &b {x: 1}\ncopy: *b\n").unwrap();
        assert_eq!(
            node.get("copy").unwrap().get("x").unwrap().value,
            Value::Int(1)
        );
        assert_eq!(node.get("copy").unwrap().pos.line, 2);
        let err = parse_str("a: *nothing\n").unwrap_err();
        assert_eq!(err.code, Code::YamlSyntax, "{err:?}");
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
