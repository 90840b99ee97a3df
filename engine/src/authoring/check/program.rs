//! Checks of `ttx.yaml`: the files and folders it names exist, and the cadence reads.

use std::path::Path;

use super::Sink;
use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::load::Loaded;
use crate::authoring::model::program::Program;
use crate::authoring::spanned::Sp;

/// Runs every check of a loaded program; paths are resolved against the file's folder.
pub fn check(loaded: &Loaded<Program>) -> Vec<Diagnostic> {
    let p = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    let root = loaded.source.path.parent().unwrap_or(Path::new("."));
    let mut must_exist = |what: &str, path: &Sp<String>, folder_ok: bool| {
        let full = root.join(path.as_str());
        let ok = if folder_ok {
            full.exists()
        } else {
            full.is_file()
        };
        if !ok {
            sink.error(
                path.pos,
                Code::Program,
                format!("the {what} `{}` does not exist", path.as_str()),
                "paths in ttx.yaml are relative to the folder that holds it".to_string(),
            );
        }
    };
    must_exist("architecture file", &p.architecture, false);
    must_exist("roster file", &p.roster, false);
    for s in &p.scenarios {
        must_exist("scenario path", s, true);
    }
    if let Some(attack) = &p.attack {
        must_exist("ATT&CK catalog", attack, false);
        let readable = crate::authoring::file::read_bounded(
            &root.join(attack.as_str()),
            crate::authoring::attack::MAX_CATALOG_BYTES,
        )
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
        if let Some(text) = readable
            && !crate::authoring::attack::is_catalog(&text)
        {
            sink.error(
                attack.pos,
                Code::Program,
                format!("`{}` is not an ATT&CK catalog", attack.as_str()),
                "write it from MITRE's release with `ttx attack update enterprise-attack.json -o FILE`"
                    .to_string(),
            );
        }
    }
    if cadence_months(&p.cadence).is_err() {
        sink.error(
            p.cadence.pos,
            Code::InvalidValue,
            format!("`{}` is not a cadence", p.cadence.as_str()),
            "write the cadence as a span such as `6mo`, `3mo` or `1y`".to_string(),
        );
    }
    for rule in p.publish.redact.iter().chain(&p.publish.forbid) {
        let everywhere = regex::Regex::new(&rule.pattern)
            .is_ok_and(|r| r.is_match("") || rule.pattern.trim().chars().count() < 2);
        if everywhere {
            sink.error(
                rule.pattern.pos,
                Code::BadPattern,
                format!(
                    "the pattern `{}` matches empty text or a single character, so it would match everywhere",
                    rule.name.as_str()
                ),
                "make the pattern name what it stands for, e.g. 'SEC-[0-9]+'".to_string(),
            );
        }
        if let Err(e) = regex::Regex::new(&rule.pattern) {
            sink.error(
                rule.pattern.pos,
                Code::BadPattern,
                format!("the pattern `{}` is not a regular expression", rule.name.as_str()),
                format!(
                    "{}; patterns use Rust regex syntax, e.g. 'SEC-[0-9]+' or '(?i)project nightjar'",
                    e.to_string().lines().last().unwrap_or("invalid")
                ),
            );
        }
    }
    sink.out
}

/// The cadence in whole months, read with jiff's friendly span format (`6mo`, `1y`).
pub fn cadence_months(text: &str) -> Result<i64, String> {
    let span: jiff::Span = text.parse().map_err(|e: jiff::Error| e.to_string())?;
    let months = i64::from(span.get_years()) * 12 + i64::from(span.get_months());
    let rest = span.get_weeks() != 0
        || span.get_days() != 0
        || span.get_hours() != 0
        || span.get_minutes() != 0;
    if months <= 0 || rest {
        return Err("give a whole number of months or years".into());
    }
    Ok(months)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_read_as_months() {
        assert_eq!(cadence_months("6mo"), Ok(6));
        assert_eq!(cadence_months("1y"), Ok(12));
        assert!(cadence_months("2w").is_err());
        assert!(cadence_months("often").is_err());
    }
}
