//! A library scenario that several programs name is checked once for what does not depend
//! on the program (`validate::check_source_in`): what it finds in each program is what
//! checking it in that program alone finds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ttx_engine::authoring::diagnostic::Diagnostic;
use ttx_engine::authoring::project::ProgramDir;
use ttx_engine::authoring::source::{DEFAULT_MAX_FILE_BYTES, SourceFile};
use ttx_engine::authoring::validate::{self, Context, Disk};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn program(name: &str) -> (ProgramDir, Context) {
    let p = ProgramDir::load(&root().join("examples").join(name).join("ttx.yaml")).expect("loads");
    let (ctx, _) = validate::program_context(&p, DEFAULT_MAX_FILE_BYTES, &Disk, &|_| false);
    (p, ctx)
}

fn set(d: &[Diagnostic]) -> BTreeSet<String> {
    d.iter()
        .map(|d| format!("{}:{} {:?} {}", d.pos.line, d.pos.col, d.code, d.message))
        .collect()
}

/// Every library scenario, and one with a requirement only Acme's architecture meets (a
/// datastore of card data).
fn scenarios() -> Vec<SourceFile> {
    let mut out: Vec<SourceFile> = std::fs::read_dir(root().join("scenarios"))
        .expect("the library")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| SourceFile::read(&p, DEFAULT_MAX_FILE_BYTES).expect("readable"))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    let first = &out[0];
    let unmet = first.text.replacen(
        "\narchitecture:\n  requires:\n",
        "\narchitecture:\n  requires:\n    card-data: {kind: datastore, tags: [pci]}\n",
        1,
    );
    assert_ne!(unmet, first.text, "the scenario requires components");
    out.push(SourceFile::new(first.path.clone(), unmet));
    out
}

#[test]
fn each_programs_findings_are_those_of_checking_it_there_alone() {
    let engine = ttx_engine::authoring::script::sandbox();
    let (acme, acme_ctx) = program("acme");
    let (northwind, northwind_ctx) = program("northwind");
    let mut differing = 0;
    for source in scenarios() {
        let alone = |ctx: &Context, p: &ProgramDir| {
            let (d, _) = validate::check_source(
                source.clone(),
                None,
                DEFAULT_MAX_FILE_BYTES,
                ctx,
                Some(p),
                &engine,
                &Disk,
            );
            set(&d)
        };
        let in_acme = alone(&acme_ctx, &acme);
        let in_northwind = alone(&northwind_ctx, &northwind);
        let (each, _) = validate::check_source_in(
            source.clone(),
            None,
            DEFAULT_MAX_FILE_BYTES,
            &[(&acme_ctx, Some(&acme)), (&northwind_ctx, Some(&northwind))],
            &engine,
            &Disk,
        );
        assert_eq!(each.len(), 2);
        let shown = source.path.display();
        assert_eq!(set(&each[0]), in_acme, "{shown} in acme");
        // The second program's are its program-dependent findings: with the first's
        // program-independent ones, they are what checking it there alone finds.
        let independent: BTreeSet<String> = in_acme.intersection(&in_northwind).cloned().collect();
        let second: BTreeSet<String> = set(&each[1]).union(&independent).cloned().collect();
        assert_eq!(second, in_northwind, "{shown} in northwind");
        if in_acme != in_northwind {
            differing += 1;
        }
    }
    assert!(
        differing >= 1,
        "a scenario finds something in one program only"
    );
}
