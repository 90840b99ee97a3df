//! The program folder: finding `ttx.yaml` upward from the working folder, and the paths
//! it names (architecture, roster, scenario library, journals).

use std::path::{Path, PathBuf};

use crate::authoring::load::{self, Failed, Loaded};
use crate::authoring::model::program::{PROGRAM_FILE, Program};
use crate::authoring::schema::FileKind;
use crate::authoring::source::DEFAULT_MAX_FILE_BYTES;

/// Finds `ttx.yaml` in `start` or the nearest folder above it.
pub fn find_program(start: &Path) -> Option<PathBuf> {
    // Walk the real folders above `start`, not the lexical ones of a path with `..` in it.
    let start = crate::authoring::paths::normalize(start);
    start
        .ancestors()
        .map(|dir| dir.join(PROGRAM_FILE))
        .find(|candidate| candidate.is_file())
}

/// A loaded program and the folder it lives in.
#[derive(Debug)]
pub struct ProgramDir {
    /// The folder holding `ttx.yaml`.
    pub root: PathBuf,
    /// The loaded `ttx.yaml`.
    pub program: Loaded<Program>,
}

impl ProgramDir {
    /// Loads the program at `path` (a `ttx.yaml`).
    pub fn load(path: &Path) -> Result<ProgramDir, Failed> {
        let program = load::load_file::<Program>(FileKind::Program, path, DEFAULT_MAX_FILE_BYTES)?;
        let dir = Self::from_loaded(path, program);
        // The program's own ATT&CK catalog, for every check this process makes from now
        // on. A catalog that does not read is the program check's error at its key; the
        // bundled one stays in use.
        if let Some(catalog) = dir.attack_path() {
            let _ = crate::authoring::attack::pin_file(&catalog);
        }
        Ok(dir)
    }

    /// The program whose `ttx.yaml` at `path` holds `source` (an editor's unsaved text).
    pub fn from_source(
        path: &Path,
        source: crate::authoring::source::SourceFile,
    ) -> Result<ProgramDir, Failed> {
        let program = load::load_source::<Program>(FileKind::Program, source)?;
        Ok(Self::from_loaded(path, program))
    }

    fn from_loaded(path: &Path, program: Loaded<Program>) -> ProgramDir {
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        ProgramDir { root, program }
    }

    /// A path named in `ttx.yaml`, resolved against the program folder.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The architecture file.
    pub fn architecture_path(&self) -> PathBuf {
        self.resolve(&self.program.value.architecture)
    }

    /// The ATT&CK catalog the program pins, if it does.
    pub fn attack_path(&self) -> Option<PathBuf> {
        self.program.value.attack.as_ref().map(|a| self.resolve(a))
    }

    /// The roster file.
    pub fn roster_path(&self) -> PathBuf {
        self.resolve(&self.program.value.roster)
    }

    /// The journals folder.
    pub fn journals_path(&self) -> PathBuf {
        self.resolve(&self.program.value.journals)
    }

    /// The action-item ledger.
    pub fn ledger_path(&self) -> PathBuf {
        self.resolve(&self.program.value.ledger)
    }

    /// Largest file to read, from `limits.max_file_bytes`.
    pub fn max_file_bytes(&self) -> u64 {
        self.program.value.limits.max_file_bytes
    }

    /// Every scenario file of the library: the files named, and the YAML files in the
    /// folders named (recursively), in a stable order.
    pub fn scenario_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in &self.program.value.scenarios {
            let path = self.resolve(entry);
            if path.is_dir() {
                out.extend(yaml_files(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}

/// The YAML files under a folder, recursively, sorted; hidden entries are skipped.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml") | Some("yml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
