//! Benchmark of `ttx validate` over a library of 1,000 scenarios made from the shipped
//! ones, against the floor: reading and parsing the same files into a generic YAML value
//! (ttx's tree of values with positions) with the same parser, and nothing else. Prints
//! both, their ratio, and where the time goes.
//!
//!     cargo bench --bench validate
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const COPIES: usize = 1_000;
const RUNS: usize = 5;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lib = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-library");
    let files = generate(&root, &lib);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "library: {} scenarios, {:.1} MiB, in {}",
        files.len(),
        bytes as f64 / (1024.0 * 1024.0),
        lib.display()
    );

    let ttx = env!("CARGO_BIN_EXE_ttx");
    let validate = best_of(|| {
        let out = Command::new(ttx)
            .args(["validate", "--deny-warnings", "scenarios"])
            .current_dir(&lib)
            .output()
            .expect("ttx runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let floor = best_of(|| parse_only(&files, threads, parse_tree));
    let rows = [
        (
            format!("ttx validate, whole process, {threads} threads"),
            validate,
        ),
        (
            "floor: read + parse into ttx's spanned tree".to_string(),
            floor,
        ),
    ];
    for (label, time) in rows {
        println!("{label:<52} {:>8.1} ms", ms(time));
    }
    println!(
        "{:<52} {:>8.2}",
        "ratio validate / floor",
        ms(validate) / ms(floor)
    );
    phases(&files);
    sheets(ttx, &lib, &files[0]);
}

/// A decisions sheet of 16,000 entries, in time order and with every entry out of order
/// (16,000 diagnostics): the diagnostics' cost must stay linear (issue 27: 4.6 s against
/// 0.1 s in order, each diagnostic counting lines from the top of the file).
fn sheets(ttx: &str, lib: &Path, scenario: &Path) {
    const ENTRIES: usize = 16_000;
    let write = |name: &str, at: &dyn Fn(usize) -> usize| {
        let mut text = format!("scenario: {}\nentries:\n", scenario.display());
        for i in 0..ENTRIES {
            text.push_str(&format!("  - {{at: {}s, note: entry {i}}}\n", at(i)));
        }
        let path = lib.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let in_order = write("sheet-in-order.yaml", &|i| i);
    let reversed = write("sheet-out-of-order.yaml", &|i| ENTRIES - i);
    let run = |sheet: &Path, ok: bool| {
        best_of(|| {
            let out = Command::new(ttx)
                .args(["validate", &sheet.display().to_string()])
                .output()
                .expect("ttx runs");
            assert_eq!(out.status.success(), ok);
        })
    };
    let (a, b) = (run(&in_order, true), run(&reversed, false));
    println!(
        "{:<52} {:>8.1} ms",
        "sheet of 16,000 entries in order",
        ms(a)
    );
    println!(
        "{:<52} {:>8.1} ms",
        "sheet of 16,000 entries out of order (15,999 errors)",
        ms(b)
    );
    println!(
        "{:<52} {:>8.2}",
        "ratio out of order / in order",
        ms(b) / ms(a)
    );
}

/// Where the time goes, on one thread, in process: the parse into the spanned tree, the
/// schema check, the typed model, and the semantic checks (rhai compiles included).
fn phases(files: &[PathBuf]) {
    use ttx_engine::{
        authoring::check, authoring::load, authoring::schema, authoring::script,
        authoring::source::SourceFile, authoring::spanned, authoring::yaml,
    };
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|f| SourceFile::read(f, 4 << 20).unwrap())
        .collect();
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let mut nodes = Vec::new();
    let parse = time(&mut || nodes = sources.iter().map(|s| yaml::parse(s).unwrap()).collect());
    let schema_check = time(&mut || {
        for (s, n) in sources.iter().zip(&nodes) {
            assert!(schema::check(schema::FileKind::Scenario, s, n).is_empty());
        }
    });
    let mut typed = Vec::new();
    let typed_time = time(&mut || {
        typed = sources
            .iter()
            .zip(&nodes)
            .map(|(s, n)| {
                spanned::from_node::<ttx_engine::authoring::model::scenario::Scenario>(n, &s.text)
                    .unwrap()
            })
            .collect()
    });
    let engine = script::sandbox();
    let loaded: Vec<_> = sources
        .into_iter()
        .zip(nodes)
        .zip(typed)
        .map(|((source, node), value)| load::Loaded {
            source,
            node,
            value,
            diagnostics: Vec::new(),
        })
        .collect();
    let checks = time(&mut || {
        for l in &loaded {
            std::hint::black_box(check::scenario::check(l, Default::default(), &engine));
        }
    });
    println!(
        "phases on 1 thread: parse into spanned tree {:.0} ms, schema check {:.0} ms, typed model {:.0} ms, semantic checks and scripts {:.0} ms",
        ms(parse),
        ms(schema_check),
        ms(typed_time),
        ms(checks)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn best_of(mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Reads and parses every file with `parse`, on as many threads as `ttx validate` uses.
fn parse_only(files: &[PathBuf], threads: usize, parse: fn(&Path)) {
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in files.chunks(chunk) {
            s.spawn(move || part.iter().for_each(|f| parse(f)));
        }
    });
}

/// The floor: the YAML parser ttx uses, into its generic tree of values with positions.
fn parse_tree(path: &Path) {
    let source = ttx_engine::authoring::source::SourceFile::read(path, 4 << 20).unwrap();
    std::hint::black_box(ttx_engine::authoring::yaml::parse(&source).unwrap());
}

/// Writes a program folder with acme's architecture and roster and 1,000 scenarios, each a
/// shipped scenario under a new id.
fn generate(root: &Path, lib: &Path) -> Vec<PathBuf> {
    let scenarios = lib.join("scenarios");
    let _ = std::fs::remove_dir_all(lib);
    std::fs::create_dir_all(&scenarios).unwrap();
    for f in ["architecture.yaml", "roster.yaml"] {
        std::fs::copy(root.join("examples/acme").join(f), lib.join(f)).unwrap();
    }
    std::fs::create_dir_all(lib.join("runbooks")).unwrap();
    for entry in std::fs::read_dir(root.join("examples/acme/runbooks"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(entry.path(), lib.join("runbooks").join(entry.file_name())).unwrap();
    }
    std::fs::write(
        lib.join("ttx.yaml"),
        "org: Bench\narchitecture: architecture.yaml\nroster: roster.yaml\nscenarios: [scenarios]\n",
    )
    .unwrap();
    let shipped: Vec<(String, String)> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .unwrap()
                .trim()
                .to_string();
            (id, text)
        })
        .collect();
    (0..COPIES)
        .map(|i| {
            let (id, text) = &shipped[i % shipped.len()];
            let new_id = format!("{id}-{i:04}");
            let path = scenarios.join(format!("{new_id}.yaml"));
            std::fs::write(
                &path,
                text.replacen(&format!("id: {id}"), &format!("id: {new_id}"), 1),
            )
            .unwrap();
            path
        })
        .collect()
}
