//! The typed model of every file kind ttx reads. The same types produce the JSON Schemas
//! (`ttx schema KIND`), so the schema an editor checks against and the loader can never
//! disagree.

pub mod architecture;
pub mod profile;
pub mod program;
pub mod roster;
pub mod scenario;
pub mod sheet;

use std::borrow::Cow;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::authoring::spanned::Sp;

/// The pattern of every id: lower-case letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit, as in `payments-db` or `block_refunds`.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9_.-]*$";

/// An identifier that other parts of a file (or other files) refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl Id {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the id has the documented shape.
    pub fn is_well_formed(&self) -> bool {
        let mut chars = self.0.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "An id: lower-case letters, digits, `-`, `_` and `.`, e.g. `payments-db`."
        })
    }
}

impl std::hash::Hash for Sp<Id> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}

impl Eq for Sp<Id> {}

impl std::borrow::Borrow<str> for Sp<Id> {
    fn borrow(&self) -> &str {
        self.value.as_str()
    }
}

/// How urgent an action item is; the program's SLA maps each to days until due.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Fix now.
    Critical,
    /// Fix this quarter.
    High,
    /// The default.
    #[default]
    Medium,
    /// When convenient.
    Low,
}

impl Priority {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Critical => "critical",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
}
