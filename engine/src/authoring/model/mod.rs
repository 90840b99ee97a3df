//! The typed model of every file kind ttx reads. The same types produce the JSON Schemas
//! (`ttx schema KIND`), so the schema an editor checks against and the loader can never
//! disagree.

pub mod architecture;
pub mod channel;
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

/// One id or a list of them (`role: ic` or `role: [ic, exec]`): what an expectation accepts
/// ("any of these roles, any of these decisions"). Never empty once loaded.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Ids(pub Vec<Sp<Id>>);

impl Ids {
    /// The first id: the one named when a single id is shown.
    pub fn first(&self) -> &str {
        self.0.first().map_or("", |i| i.as_str())
    }

    /// The ids, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = &Sp<Id>> {
        self.0.iter()
    }

    /// Whether `id` is one of them.
    pub fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|i| i.as_str() == id)
    }

    /// Whether none was written.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `ic`, `ic or exec`, `ic, exec or legal`.
    pub fn either(&self) -> String {
        let ids: Vec<&str> = self.0.iter().map(|i| i.as_str()).collect();
        match ids.split_last() {
            None => String::new(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Either form, with the position of the whole value for the one-id form.
        struct Raw(Vec<Sp<Id>>, bool);
        impl<'de> Deserialize<'de> for Raw {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Raw;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("an id or a list of ids")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Raw, E> {
                        Ok(Raw(vec![Sp::unplaced(Id(v.to_string()))], true))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<Raw, A::Error> {
                        let mut ids = Vec::new();
                        while let Some(id) = seq.next_element::<Sp<Id>>()? {
                            ids.push(id);
                        }
                        Ok(Raw(ids, false))
                    }
                }
                d.deserialize_any(V)
            }
        }
        let raw = Sp::<Raw>::deserialize(deserializer)?;
        let Raw(mut ids, one) = raw.value;
        if one {
            ids[0].pos = raw.pos;
        }
        Ok(Ids(ids))
    }
}

impl JsonSchema for Ids {
    fn schema_name() -> Cow<'static, str> {
        "Ids".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An id, or a list of ids any one of which will do.",
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}, "minItems": 1}
            ]
        })
    }
}

impl fmt::Display for Ids {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.either())
    }
}
