//! The journal and ledger readers: any bytes, read as a hash-chained journal and as a
//! ledger, and a ledger that reads folded into the program's state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ttx_engine::{exercise::chain, exercise::journal, program::ledger};

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.jsonl");
    let _ = chain::parse::<journal::Line>(data, path, journal::KIND);
    if let Ok(c) = chain::parse::<ledger::Entry>(data, path, ledger::KIND)
        && let Ok(state) = ledger::State::fold(&c.lines, path)
    {
        let today = "2026-11-28".parse().unwrap();
        let _ = ttx_engine::program::status::status("org", &state, "6mo", Some(6), today);
    }
});
