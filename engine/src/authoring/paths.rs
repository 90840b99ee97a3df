//! Paths as ttx compares and shows them: lexically normalised and absolute for comparing,
//! relative to the working folder for showing.

use std::path::{Component, Path, PathBuf};

/// Lexically normalises a path (`a/b/../c` to `a/c`), made absolute from the working folder.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The path as a user would type it from the working folder (`../../scenarios/x.yaml`).
pub fn display_path(path: &Path) -> PathBuf {
    let target = normalize(path);
    let cwd = normalize(&std::env::current_dir().unwrap_or_default());
    let t: Vec<_> = target.components().collect();
    let c: Vec<_> = cwd.components().collect();
    let common = t.iter().zip(&c).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return target;
    }
    let mut out = PathBuf::new();
    for _ in common..c.len() {
        out.push("..");
    }
    for part in &t[common..] {
        out.push(part);
    }
    out
}
