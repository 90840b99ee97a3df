//! The organisation's runbooks as files: the Markdown a runbook's `path` names, its
//! sections (headings, by their GitHub-style link anchors, so `runbook: ir#contain-the-host`
//! reads as a link does), and the step a section says (its first paragraph), which
//! `ttx show`, the console and the report quote so the room reads its own procedure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::authoring::model::architecture::Architecture;
use crate::authoring::source::{DEFAULT_MAX_FILE_BYTES, SourceFile};

/// One heading of a runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Its link anchor: `Contain the host` is `contain-the-host`.
    pub anchor: String,
    /// The heading as written.
    pub heading: String,
    /// Where the heading's text starts in the file, in bytes.
    pub offset: usize,
    /// The first paragraph under it, on one line; empty when the heading has none.
    pub step: String,
}

/// A GitHub-style link anchor of a Markdown heading (`Contain the host` →
/// `contain-the-host`).
pub fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The sections of a Markdown text, in order. Lines in fenced code blocks are not
/// headings.
pub fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut fenced = false;
    let mut at = 0;
    // The paragraph being read for the last heading: done once a blank line ends it.
    let mut reading = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        let rest = line.trim_start_matches('#');
        if !fenced && line.starts_with('#') && rest.starts_with(' ') {
            let heading = rest.trim().trim_end_matches('#').trim().to_string();
            out.push(Section {
                anchor: anchor(&heading),
                offset: at + line.find(heading.as_str()).unwrap_or(0),
                heading,
                step: String::new(),
            });
            reading = true;
        } else if reading && let Some(last) = out.last_mut() {
            if trimmed.is_empty() {
                reading = last.step.is_empty();
            } else if !fenced {
                if !last.step.is_empty() {
                    last.step.push(' ');
                }
                last.step.push_str(trimmed);
            }
        }
        at += line.len();
    }
    out
}

/// A runbook's Markdown file, read.
#[derive(Debug)]
pub struct RunbookFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its text.
    pub source: SourceFile,
    /// Its headings.
    pub sections: Vec<Section>,
}

/// The runbooks of an architecture (whose file is in `dir`), each file read at most once
/// however many references name it: a scenario's expectations and a report's findings
/// cite the same few runbooks again and again.
pub struct Runbooks<'a> {
    arch: &'a Architecture,
    dir: &'a Path,
    read: HashMap<String, Option<RunbookFile>>,
}

impl<'a> Runbooks<'a> {
    /// The runbooks of `arch`, none read yet.
    pub fn new(arch: &'a Architecture, dir: &'a Path) -> Runbooks<'a> {
        Runbooks {
            arch,
            dir,
            read: HashMap::new(),
        }
    }

    /// The file of the runbook `id`, when it has a `path` that reads.
    pub fn file(&mut self, id: &str) -> Option<&RunbookFile> {
        let (arch, dir) = (self.arch, self.dir);
        self.read
            .entry(id.to_string())
            .or_insert_with(|| {
                let runbook = arch.runbooks.iter().find(|r| r.id.as_str() == id)?;
                let path = dir.join(runbook.path.as_deref()?);
                let source = SourceFile::read(&path, DEFAULT_MAX_FILE_BYTES).ok()?;
                let sections = sections(&source.text);
                Some(RunbookFile {
                    path,
                    source,
                    sections,
                })
            })
            .as_ref()
    }

    /// The step a runbook reference (`ID` or `ID#section`) says: the section's first
    /// paragraph, or the runbook's first when no section is named.
    pub fn step(&mut self, reference: &str) -> Option<String> {
        let (id, section) = match reference.split_once('#') {
            Some((id, s)) => (id, Some(s)),
            None => (reference, None),
        };
        let f = self.file(id)?;
        let found = match section {
            Some(s) => f.sections.iter().find(|x| x.anchor == s)?,
            None => f.sections.iter().find(|x| !x.step.is_empty())?,
        };
        Some(found.step.clone()).filter(|s| !s.is_empty())
    }
}

/// A runbook step an expectation cites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cited {
    /// The expectation's id.
    pub expectation: String,
    /// The reference as written (`ID#section`).
    pub runbook: String,
    /// What the section says.
    pub step: String,
}

/// The steps the expectations of `s` cite, from the runbook files of `arch` (in `dir`):
/// plain data a live exercise carries, so its screens quote the procedure when an
/// expectation falls due.
pub fn cited(
    s: &crate::authoring::model::scenario::Scenario,
    arch: &Architecture,
    dir: &Path,
) -> Vec<Cited> {
    let mut books = Runbooks::new(arch, dir);
    s.expectations
        .iter()
        .filter_map(|e| {
            let r = e.runbook.as_ref()?;
            Some(Cited {
                expectation: e.id.to_string(),
                runbook: r.to_string(),
                step: books.step(r)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_have_anchors_and_the_first_paragraph_under_them() {
        let text = "# Compromised dependencies\n\nWho runs it.\n\n## SBOM\nQuery the SBOM for the package\nand version.\n\nSecond paragraph.\n\n```\n# not a heading\n```\n## Pin & freeze\n\n### Empty\n";
        let s = sections(text);
        let got: Vec<(&str, &str)> = s
            .iter()
            .map(|x| (x.anchor.as_str(), x.step.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("compromised-dependencies", "Who runs it."),
                ("sbom", "Query the SBOM for the package and version."),
                ("pin--freeze", ""),
                ("empty", ""),
            ]
        );
        assert_eq!(&text[s[1].offset..s[1].offset + 4], "SBOM");
    }
}
