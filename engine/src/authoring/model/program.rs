//! The program file, `ttx.yaml`: one organisation's series of exercises, found upward from
//! the working folder like `Cargo.toml`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Priority;
use crate::authoring::spanned::Sp;

/// The file name ttx looks for.
pub const PROGRAM_FILE: &str = "ttx.yaml";

/// An organisation's exercise program.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// The organisation's name, as shown in reports.
    pub org: String,
    /// Path of the architecture file, relative to `ttx.yaml`.
    pub architecture: Sp<String>,
    /// Path of the roster file, relative to `ttx.yaml`.
    pub roster: Sp<String>,
    /// Scenario files or folders of scenarios, relative to `ttx.yaml`.
    pub scenarios: Vec<Sp<String>>,
    /// Folder for exercise journals, relative to `ttx.yaml`.
    #[serde(default = "default_journals")]
    pub journals: Sp<String>,
    /// The action-item ledger, relative to `ttx.yaml`.
    #[serde(default = "default_ledger")]
    pub ledger: Sp<String>,
    /// Days from the exercise until an action item of each priority is due.
    #[serde(default)]
    pub sla: Sla,
    /// How often the organisation exercises, e.g. `6mo` or `1y`.
    #[serde(default = "default_cadence")]
    pub cadence: Sp<String>,
    /// What `ttx publish` replaces and what it refuses to publish.
    #[serde(default)]
    pub publish: PublishRules,
    /// Input limits.
    #[serde(default)]
    pub limits: Limits,
    /// The ATT&CK catalog the program checks technique ids against, relative to
    /// `ttx.yaml` (written by `ttx attack update`); the bundled one when absent.
    #[serde(default)]
    pub attack: Option<Sp<String>>,
}

fn default_ledger() -> Sp<String> {
    Sp::unplaced("ledger.jsonl".to_string())
}

/// The organisation's own rules for anonymized publications, on top of what ttx always
/// replaces (roster names, emails, handles, hostnames, IP addresses).
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRules {
    /// Patterns replaced by a pseudonym wherever they appear, e.g. ticket numbers or
    /// customer names.
    #[serde(default)]
    pub redact: Vec<NamedPattern>,
    /// Patterns that must never appear in a publication. They are not replaced: if one
    /// survives, `ttx publish` writes nothing and says where, so a person rewrites the text.
    #[serde(default)]
    pub forbid: Vec<NamedPattern>,
}

/// A regular expression with a name used in pseudonyms and messages.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedPattern {
    /// A short name, e.g. `ticket`; redactions read `[ticket 1]`.
    pub name: Sp<super::Id>,
    /// A regular expression (Rust `regex` syntax; `(?i)` for any case).
    pub pattern: Sp<String>,
}

fn default_journals() -> Sp<String> {
    Sp::unplaced("journals".to_string())
}

fn default_cadence() -> Sp<String> {
    Sp::unplaced("6mo".to_string())
}

/// Days until an action item is due, per priority.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Days for critical items.
    #[serde(default = "days::<14>")]
    pub critical: u32,
    /// Days for high-priority items.
    #[serde(default = "days::<30>")]
    pub high: u32,
    /// Days for medium-priority items.
    #[serde(default = "days::<60>")]
    pub medium: u32,
    /// Days for low-priority items.
    #[serde(default = "days::<90>")]
    pub low: u32,
}

const fn days<const N: u32>() -> u32 {
    N
}

impl Default for Sla {
    fn default() -> Self {
        Sla {
            critical: 14,
            high: 30,
            medium: 60,
            low: 90,
        }
    }
}

impl Sla {
    /// Days until due for a priority.
    pub fn days(&self, priority: Priority) -> u32 {
        match priority {
            Priority::Critical => self.critical,
            Priority::High => self.high,
            Priority::Medium => self.medium,
            Priority::Low => self.low,
        }
    }
}

/// Bounds on what ttx will read.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest file ttx reads, in bytes (default 4 MiB).
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
}

fn default_max_file_bytes() -> u64 {
    crate::authoring::source::DEFAULT_MAX_FILE_BYTES
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: default_max_file_bytes(),
        }
    }
}
