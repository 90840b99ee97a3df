//! `ttx schema KIND`.

use ttx_engine::authoring::schema::{self, FileKind};

use crate::exit::Exit;

/// Prints the JSON Schema of a file kind.
pub fn run(kind: &str) -> Exit {
    let Some(kind) = FileKind::from_name(kind) else {
        eprintln!("error: unknown file kind `{kind}`");
        return Exit::Usage;
    };
    match serde_json::to_string_pretty(schema::schema(kind)) {
        Ok(text) => {
            println!("{text}");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: cannot print the schema: {e}");
            Exit::Usage
        }
    }
}
