//! Every file under `tests/bad/` is a broken input with its expected diagnostics as a
//! reviewed snapshot. Files in `tests/bad/KIND/` are checked alone as that kind; files in
//! `tests/bad/acme/` are checked inside the acme example program (against its architecture
//! and roster). Adding a case is adding a file.

use std::path::Path;

use crate::support::{Ttx, root};

#[test]
fn bad_inputs_give_clear_errors() {
    insta::glob!("../bad", "**/*.yaml", |path| {
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        let output = if folder == "acme" {
            let kind = name.split('-').next().unwrap();
            let rel = path.strip_prefix(root()).unwrap();
            let arg = Path::new("../..").join(rel);
            Ttx::new()
                .cwd("examples/acme")
                .args([
                    "validate",
                    "--deny-warnings",
                    "--kind",
                    kind,
                    arg.to_str().unwrap(),
                ])
                .run()
        } else {
            Ttx::new()
                .cwd(path.parent().unwrap())
                .args(["validate", "--deny-warnings", "--kind", folder, name])
                .run()
        };
        assert!(
            output.code == 1 || output.code == 2,
            "{name}: expected exit 1 or 2, got {}\n{}",
            output.code,
            output.stderr
        );
        assert!(
            output.stderr.contains(&format!("{name}:")),
            "{name}: no diagnostic names the file:\n{}",
            output.stderr
        );
        insta::assert_snapshot!(output.transcript());
    });
}

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-generated");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_file_over_the_size_limit_is_refused_without_reading_it_all() {
    let mut text = b"id: big\nsummary: \"".to_vec();
    text.extend(std::iter::repeat_n(b'x', 64 * 1024 * 1024));
    text.extend(b"\"\n");
    let path = tmp("huge-scalar.yaml", &text);
    Ttx::new()
        .args(["validate", path.to_str().unwrap()])
        .run()
        .code(1)
        .stderr_has("error[file-too-large]: file is larger than the limit of 4194304 bytes");
}

#[test]
fn a_hundred_thousand_levels_of_nesting_hit_the_depth_limit() {
    let depth = 100_000;
    let text = format!(
        "id: deep\nsummary: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = tmp("deep.yaml", text.as_bytes());
    Ttx::new()
        .args(["validate", "--kind", "scenario", path.to_str().unwrap()])
        .run()
        .code(1)
        .stderr_has("error[yaml-limit]: the YAML is nested more than 64 levels deep");
}

#[test]
fn a_bom_with_crlf_line_endings_is_read_like_any_other_file() {
    let scenario =
        std::fs::read_to_string(root().join("tests/bad/scenario/warnings-only.yaml")).unwrap();
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(scenario.replace('\n', "\r\n").as_bytes());
    let path = tmp("bom-crlf.yaml", &bytes);
    let out = Ttx::new().args(["validate", path.to_str().unwrap()]).run();
    out.code(0).stderr_has("0 errors, 3 warnings");
}
