//! Robustness: thousands of mutated copies of the shipped files (bytes flipped, lines
//! dropped or repeated, files cut short) go through the whole loader and every check.
//! None may panic; each must either load or explain itself with a diagnostic.

use std::path::{Path, PathBuf};

use ttx_engine::authoring::check;
use ttx_engine::authoring::load::{self, Loaded};
use ttx_engine::authoring::model::{
    architecture::Architecture, roster::Roster, scenario::Scenario, sheet::DecisionsSheet,
};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NASTY: &[&[u8]] = &[
    b"\xff",
    b"\0",
    b"\xc3",
    "é".as_bytes(),
    b"*a",
    b"&a ",
    b"!!str ",
    b"{",
    b"[",
    b"}",
    b"]",
    b": ",
    b"- ",
    b"'",
    b"\"",
    b"\t",
    b"\r\n",
    b"#",
    b"---\n",
    b"|",
    b">",
    b"state.",
    b"0m",
    b"T1002",
    b"~",
    b"1e999",
    b"<<: *a\n",
];

fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] = rng.next() as u8,
            1 => {
                let piece = NASTY[rng.below(NASTY.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
            2 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => bytes.truncate(at),
            4 => {
                let line_start = bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let line_end = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                let line = bytes[line_start..line_end].to_vec();
                bytes.splice(line_start..line_start, line);
            }
            _ => {
                let indent = if rng.below(2) == 0 {
                    b"  ".as_slice()
                } else {
                    b" ".as_slice()
                };
                let line_start = bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                bytes.splice(line_start..line_start, indent.iter().copied());
            }
        }
    }
    bytes
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Loads and checks one mutated file of `kind`; returns whether it loaded.
fn exercise(
    kind: FileKind,
    bytes: Vec<u8>,
    arch: &Architecture,
    roster: &Roster,
    engine: &rhai::Engine,
) -> bool {
    let Ok(source) = SourceFile::from_bytes(PathBuf::from("mutant.yaml"), bytes) else {
        return false;
    };
    let rendered_ok = |diags: &[ttx_engine::authoring::diagnostic::Diagnostic],
                       source: &SourceFile| {
        for d in diags {
            assert!(!d.message.is_empty());
            let _ = d.render(Some(source), false);
        }
    };
    macro_rules! run {
        ($t:ty, $check:expr) => {
            match load::load_source::<$t>(kind, source) {
                Ok(l) => {
                    let l: Loaded<$t> = l;
                    let diags = $check(&l);
                    rendered_ok(&diags, &l.source);
                    true
                }
                Err(f) => {
                    assert!(!f.diagnostics.is_empty(), "a failure without a diagnostic");
                    if let Some(s) = &f.source {
                        rendered_ok(&f.diagnostics, s);
                    }
                    false
                }
            }
        };
    }
    match kind {
        FileKind::Scenario => run!(Scenario, |l: &Loaded<Scenario>| check::scenario::check(
            l,
            check::scenario::Context {
                architecture: Some(arch),
                roster: Some(roster),
                runbooks: None,
            },
            engine
        )),
        FileKind::Architecture => run!(Architecture, |l: &Loaded<Architecture>| {
            check::architecture::check(l, Some(roster))
        }),
        FileKind::Roster => run!(Roster, |l: &Loaded<Roster>| check::roster::check(l)),
        FileKind::Decisions => run!(DecisionsSheet, |l: &Loaded<DecisionsSheet>| {
            check::sheet::check(l, None, Some(roster))
        }),
        FileKind::Program => run!(ttx_engine::authoring::model::program::Program, |l| {
            check::program::check(l)
        }),
        FileKind::Profile => run!(ttx_engine::authoring::model::profile::Profile, |l| {
            check::profile::check(l, None)
        }),
    }
}

#[test]
fn mutated_shipped_files_never_panic() {
    let acme = root().join("examples/acme");
    let arch = load::load_file::<Architecture>(
        FileKind::Architecture,
        &acme.join("architecture.yaml"),
        1 << 22,
    )
    .unwrap()
    .value;
    let roster = load::load_file::<Roster>(FileKind::Roster, &acme.join("roster.yaml"), 1 << 22)
        .unwrap()
        .value;
    let engine = ttx_engine::authoring::script::sandbox();
    let mut inputs: Vec<(FileKind, Vec<u8>)> = vec![
        (
            FileKind::Architecture,
            std::fs::read(acme.join("architecture.yaml")).unwrap(),
        ),
        (
            FileKind::Roster,
            std::fs::read(acme.join("roster.yaml")).unwrap(),
        ),
        (
            FileKind::Program,
            std::fs::read(acme.join("ttx.yaml")).unwrap(),
        ),
    ];
    for f in ttx_engine::authoring::project::yaml_files(&root().join("scenarios")) {
        inputs.push((FileKind::Scenario, std::fs::read(f).unwrap()));
    }
    for f in ttx_engine::authoring::project::yaml_files(&acme.join("sessions")) {
        inputs.push((FileKind::Decisions, std::fs::read(f).unwrap()));
    }
    let mut rng = Rng(0x7478_7474_7874);
    let (mut loaded, mut refused) = (0, 0);
    for round in 0..3_000 {
        let (kind, original) = &inputs[round % inputs.len()];
        let mutant = mutate(&mut rng, original);
        if exercise(*kind, mutant, &arch, &roster, &engine) {
            loaded += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes must occur, or the mutations are too weak (or too strong) to test much.
    assert!(
        loaded > 100 && refused > 100,
        "loaded {loaded}, refused {refused}"
    );
}
