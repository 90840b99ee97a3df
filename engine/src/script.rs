//! Scenario scripts and conditions (rhai): the sandboxed engine, and compiling every
//! script at load time so a typo is a load error with its position in the YAML file.

use rhai::packages::Package;
use rhai::{AST, Engine, Scope};

use crate::source::{Pos, SourceFile};

/// The variable every script and condition sees: the exercise's mutable state.
pub const STATE: &str = "state";

/// Functions the engine provides to scripts, beyond rhai's basic packages.
pub const BUILTIN_FUNCTIONS: &[&str] = &["pick", "chance", "roll"];

/// Limits of the sandbox. Scripts are shared between teams and organisations, so they are
/// untrusted: each limit turns a runaway script into an error instead of a hang.
pub mod limits {
    /// Operations per call.
    pub const MAX_OPERATIONS: u64 = 100_000;
    /// Nested function calls.
    pub const MAX_CALL_LEVELS: usize = 16;
    /// Expression nesting (statements, functions).
    pub const MAX_EXPR_DEPTH: usize = 32;
    /// Characters in one string.
    pub const MAX_STRING_SIZE: usize = 16 * 1024;
    /// Elements in one array.
    pub const MAX_ARRAY_SIZE: usize = 1_000;
    /// Entries in one map.
    pub const MAX_MAP_SIZE: usize = 1_000;
}

/// Builds the hardened engine: no packages but those scenarios need, no `eval`, no
/// modules, strict variables, and limits on everything that can grow.
pub fn sandbox() -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(rhai::packages::CorePackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::LogicPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::ArithmeticPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicStringPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicArrayPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicMapPackage::new().as_shared_module());
    engine.register_global_module(rhai::packages::BasicMathPackage::new().as_shared_module());
    engine.disable_symbol("eval");
    engine.set_strict_variables(true);
    engine.set_max_operations(limits::MAX_OPERATIONS);
    engine.set_max_call_levels(limits::MAX_CALL_LEVELS);
    engine.set_max_expr_depths(limits::MAX_EXPR_DEPTH, limits::MAX_EXPR_DEPTH);
    engine.set_max_string_size(limits::MAX_STRING_SIZE);
    engine.set_max_array_size(limits::MAX_ARRAY_SIZE);
    engine.set_max_map_size(limits::MAX_MAP_SIZE);
    engine
}

/// A script that does not compile, with the position inside the script.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptError {
    /// rhai's message.
    pub message: String,
    /// 1-based line inside the script.
    pub line: usize,
    /// 1-based column inside the script.
    pub col: usize,
    /// Whether it is an unknown variable (as opposed to a syntax error).
    pub undefined_variable: bool,
}

fn scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push(STATE, rhai::Map::new());
    scope
}

/// The kind of text being compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    /// Statements (setup, effects).
    Script,
    /// One expression that yields `true` or `false` (`when:` conditions).
    Condition,
}

/// Compiles a script or condition with `state` in scope.
pub fn compile(engine: &Engine, text: &str, kind: ScriptKind) -> Result<AST, ScriptError> {
    let scope = scope();
    let result = match kind {
        ScriptKind::Script => engine.compile_with_scope(&scope, text),
        ScriptKind::Condition => engine.compile_expression_with_scope(&scope, text),
    };
    result.map_err(|e| {
        let pos = e.position();
        let undefined_variable = matches!(e.err_type(), rhai::ParseErrorType::VariableUndefined(_));
        let message = match e.err_type() {
            rhai::ParseErrorType::VariableUndefined(name) => {
                format!("undefined variable `{name}`")
            }
            rhai::ParseErrorType::Reserved(word) if word == "eval" => {
                "`eval` is not allowed in scenario scripts".to_string()
            }
            other => other.to_string(),
        };
        ScriptError {
            message,
            line: pos.line().unwrap_or(1),
            col: pos.position().unwrap_or(1),
            undefined_variable,
        }
    })
}

/// Maps a position inside a script to the position in the YAML file, given the position
/// of the scalar that holds the script. Handles block scalars (`|`, `>`), quoted and plain
/// scalars.
pub fn position_in_file(source: &SourceFile, scalar: Pos, line: usize, col: usize) -> Pos {
    let text = &source.text;
    let first = text[scalar.offset.min(text.len())..].chars().next();
    let (file_line, file_col) = match first {
        Some('|') | Some('>') => {
            let content_line = scalar.line + line as u32;
            let indent = (content_line..content_line + 50)
                .map(|l| source.line_text(l))
                .find(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .unwrap_or(0);
            (content_line, indent as u32 + col as u32)
        }
        Some('"') | Some('\'') if line == 1 => (scalar.line, scalar.col + col as u32),
        _ if line == 1 => (scalar.line, scalar.col + col as u32 - 1),
        _ => {
            let l = scalar.line + line as u32 - 1;
            let indent = source.line_text(l).len() - source.line_text(l).trim_start().len();
            (l, indent as u32 + col as u32)
        }
    };
    let line_start = source.line_start(file_line);
    let offset = line_start
        + source
            .line_text(file_line)
            .char_indices()
            .nth(file_col.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(0);
    Pos {
        line: file_line,
        col: file_col,
        offset,
        len: 1,
    }
}

/// The `state.NAME` properties a text reads and assigns, found lexically (outside string
/// literals), so a condition that reads a property no script ever sets can be reported.
pub fn state_properties(text: &str) -> (Vec<(String, usize)>, Vec<String>) {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' || b == b'`' {
            quote = Some(b);
            i += 1;
            continue;
        }
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.');
        if boundary && bytes[i..].starts_with(b"state.") {
            let start = i + STATE.len() + 1;
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |n| start + n);
            if end > start {
                let name = text[start..end].to_string();
                let rest = text[end..].trim_start();
                let assigns = rest.starts_with('=') && !rest.starts_with("==");
                if assigns {
                    writes.push(name);
                } else {
                    reads.push((name, i));
                }
            }
            i = end;
            continue;
        }
        i += 1;
    }
    (reads, writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_and_scripts_compile_with_state_in_scope() {
        let engine = sandbox();
        compile(&engine, "state.truth == \"x\"", ScriptKind::Condition).unwrap();
        compile(
            &engine,
            "let t = pick([1, 2]); state.t = t;",
            ScriptKind::Script,
        )
        .unwrap();
    }

    #[test]
    fn undefined_variables_are_errors_with_a_position() {
        let engine = sandbox();
        let err = compile(&engine, "state.a = 1;\nstat.b = 2;", ScriptKind::Script).unwrap_err();
        assert!(err.undefined_variable, "{err:?}");
        assert_eq!((err.line, err.col), (2, 1));
    }

    #[test]
    fn eval_is_refused() {
        let engine = sandbox();
        let err = compile(&engine, "eval(\"1\")", ScriptKind::Script).unwrap_err();
        assert!(err.message.contains("eval"), "{err:?}");
    }

    #[test]
    fn block_scalar_positions_map_into_the_file() {
        let src = SourceFile::new("s.yaml", "id: x\nsetup: |\n  let a = 1;\n  state.b = c;\n");
        let pipe = src.text.find('|').unwrap();
        let pos = position_in_file(&src, src.pos_at(pipe, 1), 2, 11);
        assert_eq!((pos.line, pos.col), (4, 13));
    }

    #[test]
    fn non_ascii_text_outside_strings_is_no_problem() {
        // Regression: the scanner once sliced the text at a byte inside `é`.
        let (reads, _) = state_properties("// café\nstate.é = 1; state.a == 2");
        assert_eq!(reads.len(), 1);
    }

    #[test]
    fn finds_state_reads_and_writes() {
        let (reads, writes) = state_properties("state.a = state.b == \"state.c\"; if !state.d {}");
        let names: Vec<_> = reads.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(writes, ["a"]);
    }
}
