//! Where the room talks: the channels a message is said in, as journals and sheets name
//! them, and who may read each. The one rule every front end shows (the console's `view`,
//! the web console's pages and streams, the chat bridges to come).
//!
//! | channel | written as | who reads it |
//! |---|---|---|
//! | the war room | `war` | every role, the observer, the facilitator |
//! | a direct message between two roles | `dm:comms+ic` | those two roles and the facilitator |
//! | a role's private line to the facilitator (the white cell) | `private:ic` | that role and the facilitator |
//! | a role's questions to a character of the scenario, and the character's answers | `char:counsel+legal` | that role and the facilitator (who answers as the character) |
//!
//! The observer reads the war room only, never a direct message or a private line; the
//! room's screen reads nothing of the conversation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a message is said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Channel {
    /// The shared war room: every role.
    #[default]
    War,
    /// A direct message between two roles, named in sorted order so both ends name the
    /// same channel.
    Direct(String, String),
    /// A role's private line to the facilitator.
    Private(String),
    /// A role's conversation with a character of the scenario (character, role): the
    /// role asks, the facilitator answers as the character.
    Character(String, String),
}

impl Channel {
    /// The direct channel between two roles, however they are given.
    pub fn direct(a: &str, b: &str) -> Channel {
        if a <= b {
            Channel::Direct(a.to_string(), b.to_string())
        } else {
            Channel::Direct(b.to_string(), a.to_string())
        }
    }

    /// Whether `role`'s players read this channel.
    pub fn reaches(&self, role: &str) -> bool {
        match self {
            Channel::War => true,
            Channel::Direct(a, b) => a == role || b == role,
            Channel::Private(r) | Channel::Character(_, r) => r == role,
        }
    }

    /// The character the channel is with, if it is a character's.
    pub fn character(&self) -> Option<&str> {
        match self {
            Channel::Character(c, _) => Some(c),
            _ => None,
        }
    }

    /// Whether the observer reads it: the war room only.
    pub fn observed(&self) -> bool {
        matches!(self, Channel::War)
    }

    /// The roles the channel names (none for the war room).
    pub fn roles(&self) -> Vec<&str> {
        match self {
            Channel::War => Vec::new(),
            Channel::Direct(a, b) => vec![a, b],
            Channel::Private(r) | Channel::Character(_, r) => vec![r],
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::War => write!(f, "war"),
            Channel::Direct(a, b) => write!(f, "dm:{a}+{b}"),
            Channel::Private(r) => write!(f, "private:{r}"),
            Channel::Character(c, r) => write!(f, "char:{c}+{r}"),
        }
    }
}

/// A channel name that does not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "no channel `{0}`: a channel is `war`, `dm:ROLE+ROLE` (a direct message), `private:ROLE` (a role's line to the facilitator) or `char:CHARACTER+ROLE` (a role's questions to a character)"
)]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Channel, UnknownChannel> {
        let bad = || UnknownChannel(s.to_string());
        let word = |w: &str| !w.is_empty() && !w.contains(['+', ':', ' ']);
        if s == "war" {
            return Ok(Channel::War);
        }
        if let Some(pair) = s.strip_prefix("dm:") {
            let (a, b) = pair.split_once('+').ok_or_else(bad)?;
            if !word(a) || !word(b) || a == b {
                return Err(bad());
            }
            return Ok(Channel::direct(a, b));
        }
        if let Some(pair) = s.strip_prefix("char:") {
            let (c, r) = pair.split_once('+').ok_or_else(bad)?;
            if !word(c) || !word(r) {
                return Err(bad());
            }
            return Ok(Channel::Character(c.to_string(), r.to_string()));
        }
        if let Some(role) = s.strip_prefix("private:")
            && word(role)
        {
            return Ok(Channel::Private(role.to_string()));
        }
        Err(bad())
    }
}

impl TryFrom<String> for Channel {
    type Error = UnknownChannel;

    fn try_from(s: String) -> Result<Channel, UnknownChannel> {
        s.parse()
    }
}

impl From<Channel> for String {
    fn from(c: Channel) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_a_pair_is_one_channel_either_way() {
        for c in [
            Channel::War,
            Channel::direct("ic", "comms"),
            Channel::Private("legal".into()),
            Channel::Character("counsel".into(), "legal".into()),
        ] {
            assert_eq!(c.to_string().parse::<Channel>(), Ok(c));
        }
        assert_eq!(
            Channel::direct("ic", "comms"),
            Channel::direct("comms", "ic")
        );
        assert_eq!(Channel::direct("ic", "comms").to_string(), "dm:comms+ic");
        for bad in [
            "",
            "wa",
            "dm:ic",
            "dm:ic+ic",
            "dm:+ic",
            "private:",
            "team:sec",
            "char:counsel",
            "char:+ic",
        ] {
            assert!(bad.parse::<Channel>().is_err(), "{bad}");
        }
    }

    #[test]
    fn who_reads_each_channel() {
        let dm = Channel::direct("ic", "comms");
        assert!(dm.reaches("ic") && dm.reaches("comms") && !dm.reaches("legal"));
        assert!(!dm.observed() && Channel::War.observed());
        let line = Channel::Private("legal".into());
        assert!(line.reaches("legal") && !line.reaches("ic") && !line.observed());
    }
}
