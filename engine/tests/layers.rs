//! The engine's folders are the stages of the data flow, and the flow goes one way: a
//! stage may use the stages before it, never one after it, and no two modules use each
//! other. This test reads every source file's `crate::` paths and holds both rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages in data-flow order; stages with the same rank must not use each other.
const STAGES: &[(&str, u32)] = &[
    ("authoring", 0),
    ("exercise", 1),
    ("assessment", 2),
    ("program", 3),
    ("simulation", 3),
];

fn rank(stage: &str) -> Option<u32> {
    STAGES.iter().find(|(s, _)| *s == stage).map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to, as `stage::module` (a folder such as `authoring/check`
/// is one module with its files), or `stage` for a stage's own `mod.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    match parts.as_slice() {
        [stage, module, ..] if module != "mod" => format!("{stage}::{module}"),
        [stage, ..] => stage.clone(),
        [] => String::new(),
    }
}

/// Every `crate::a::b` path in the text, with groups (`crate::a::{b, c::d}`) expanded to
/// their first two segments.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        expand(rest, Vec::new(), &mut out);
    }
    out
}

fn expand(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    let mut rest = text;
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                for item in top_level_items(group) {
                    expand(item.trim_start(), path.clone(), out);
                }
                return;
            }
            break;
        }
        path.push(ident.clone());
        rest = &rest[ident.len()..];
        match rest.strip_prefix("::") {
            Some(r) if path.len() < 2 => rest = r,
            _ => break,
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// The comma-separated items of a `{...}` group, up to its closing brace.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = module_of(&src, &file);
        if !from.contains("::") && rank(&from).is_none() {
            continue; // lib.rs
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for path in crate_paths(&text) {
            let to = match path.as_slice() {
                [stage, module, ..] if rank(stage).is_some() => format!("{stage}::{module}"),
                [stage] if rank(stage).is_some() => stage.clone(),
                _ => continue,
            };
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

fn stage(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn no_stage_uses_a_later_one() {
    let mut back_edges = Vec::new();
    for (from, tos) in graph() {
        for to in tos {
            let (a, b) = (stage(&from), stage(&to));
            if a != b && rank(b) >= rank(a) {
                back_edges.push(format!("{from} uses {to}"));
            }
        }
    }
    assert!(
        back_edges.is_empty(),
        "a stage uses a later stage (or a peer):\n{}",
        back_edges.join("\n")
    );
}

#[test]
fn no_two_modules_use_each_other() {
    let edges = graph();
    // Depth-first search for a cycle; report the first one found with its path.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            panic!("modules use each other: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_reader_sees_grouped_and_nested_paths() {
    let paths = crate_paths(
        "use crate::exercise::{journal::Line, state::{Exercise, Files}};\nuse crate::authoring::source::Pos;",
    );
    let flat: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        flat,
        ["exercise::journal", "exercise::state", "authoring::source"]
    );
}

/// Who may do what is the engine's rule (`exercise::caller`), so every front end follows
/// the same one: the binary may say who a caller is, never what they may send. This holds
/// the line where it was drawn (issue 24): no `permit` in `src/`, and the web console's
/// request guard does not look at commands at all.
#[test]
fn the_binary_holds_no_permission_rule_and_opens_no_record_itself() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 10,
        "the binary's sources are at {}",
        src.display()
    );
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            !text.contains("fn permit"),
            "{} defines a permission rule; put it in engine/src/exercise/caller.rs",
            file.display()
        );
    }
    // An exercise on record is opened by engine/src/program/record.rs: the binary does
    // not check pins, replay, judge anchors or give ids itself (issue 24).
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for assembly in [
            "session::rebuild",
            "check_pinned",
            "pin_problem",
            "anchor_holds",
            "ids_for(",
            "journal::read(",
        ] {
            let allowed = assembly == "journal::read(" && file.ends_with("actions_cmd.rs");
            assert!(
                allowed || !text.contains(assembly),
                "{} calls `{assembly}`: reading an exercise back is program::record's (Record::open)",
                file.display()
            );
        }
        assert!(
            file.ends_with("actions_cmd.rs") || !text.contains("Ledger::read"),
            "{} reads the ledger; an exercise's ledger comes with its Record, a program's from actions_cmd::read_ledger",
            file.display()
        );
    }
    let guard = std::fs::read_to_string(src.join("serve/guard.rs")).unwrap();
    assert!(
        !guard.contains("Command"),
        "src/serve/guard.rs judges commands; who may send what is engine/src/exercise/caller.rs's"
    );
}
