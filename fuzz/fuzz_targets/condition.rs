//! rhai in the sandbox: any text compiled as a `when:` condition and as a script, then run
//! on a small state with the engine's limits (operations, depth, sizes, deadline).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ttx_engine::authoring::script::{ScriptHost, ScriptKind, compile, sandbox};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = sandbox();
    let host = ScriptHost::new(7);
    let mut state = ttx_engine::rhai::Map::new();
    state.insert("truth".into(), "leaked_ci_token".into());
    state.insert("severity".into(), ttx_engine::rhai::Dynamic::from(2_i64));
    if let Ok(ast) = compile(&engine, text, ScriptKind::Condition) {
        let _ = host.condition(&ast, &state);
    }
    if let Ok(ast) = compile(&engine, text, ScriptKind::Script) {
        let _ = host.run(&ast, &mut state);
    }
});
