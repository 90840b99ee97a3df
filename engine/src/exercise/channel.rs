//! What the room says: a message, in one of the [`Channel`]s of
//! [`crate::authoring::model::channel`].

use serde::{Deserialize, Serialize};

pub use crate::authoring::model::channel::{Channel, UnknownChannel};
pub use crate::authoring::model::scenario::WHITE_CELL;

/// Something said in the room's conversation: in the war room, a direct message between
/// two roles, or on a role's private line to the facilitator. A forward is a direct
/// message that passes an inject on: its recipient has then seen that inject, as if it had
/// been delivered to them. The journal's `message` event and the `say` command.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The role that speaks, or `white` for the facilitator (the white cell).
    pub from: String,
    /// The roster person who spoke for the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    /// Where it was said.
    pub channel: Channel,
    /// What was said (a forward's comment, which may be empty).
    pub text: String,
    /// What it answers or forwards: an inject id, or `#SEQ`, an earlier message's place
    /// in the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re: Option<String>,
    /// Whether it forwards the inject `re` names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forward: bool,
    /// For a character's answer: the scripted reply it gives (its text may be edited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// For a character's answer: how reliable the character is (A to F).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliability: Option<String>,
    /// Sent by the engine, an automatic scripted reply: an output of the journal, which a
    /// replay makes again, not an input.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto: bool,
}
