//! The decisions-sheet reader: any bytes, read as a scribe's sheet, checked, and every
//! diagnostic rendered against its source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ttx_engine::authoring::schema::FileKind;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.yaml");
    let (diagnostics, source) =
        ttx_engine::authoring::validate::check_bytes(path, data.to_vec(), Some(FileKind::Decisions));
    for d in &diagnostics {
        let _ = d.render(source.as_ref(), false);
    }
});
