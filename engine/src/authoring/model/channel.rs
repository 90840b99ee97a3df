//! Where the room talks: the channels a message is said in, as journals and sheets name
//! them, and who may read each. The one rule every front end shows (the console's `view`,
//! the web console's pages and streams, the chat bridges to come).
//!
//! | channel | written as | who reads it |
//! |---|---|---|
//! | the war room | `war` | every role, the observer, the facilitator |
//! | a direct message between two roles | `dm:comms+ic` | those two roles and the facilitator |
//! | a team's channel | `team:tech` (a team of the scenario's `teams:`) or `team:ic` (a role's own players) | the team's roles, the observer, the facilitator |
//! | a role's private line to the facilitator (the white cell) | `private:ic` | that role and the facilitator |
//! | a role's questions to a character of the scenario, and the character's answers | `char:counsel+legal` | that role and the facilitator (who answers as the character) |
//!
//! The observer reads the war room and the team channels, never a direct message, a
//! private line or a character's; the room's screen reads nothing of the conversation
//! unless the facilitator puts a message on it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::scenario::Teams;

/// Where a message is said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Channel {
    /// The shared war room: every role.
    #[default]
    War,
    /// A team's channel: a team of the scenario's `teams:`, or a role's own players when
    /// the id is a role's.
    Team(String),
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

    /// Whether `role`'s players read this channel, the scenario's teams given.
    pub fn reaches(&self, role: &str, teams: &Teams) -> bool {
        match self {
            Channel::War => true,
            Channel::Team(t) => match teams.get(t.as_str()) {
                Some(team) => team.roles.iter().any(|r| r.as_str() == role),
                None => t == role,
            },
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

    /// Whether the observer reads it: the war room and the team channels.
    pub fn observed(&self) -> bool {
        matches!(self, Channel::War | Channel::Team(_))
    }

    /// The roles the channel names (none for the war room or a team's).
    pub fn roles(&self) -> Vec<&str> {
        match self {
            Channel::War | Channel::Team(_) => Vec::new(),
            Channel::Direct(a, b) => vec![a, b],
            Channel::Private(r) | Channel::Character(_, r) => vec![r],
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::War => write!(f, "war"),
            Channel::Team(t) => write!(f, "team:{t}"),
            Channel::Direct(a, b) => write!(f, "dm:{a}+{b}"),
            Channel::Private(r) => write!(f, "private:{r}"),
            Channel::Character(c, r) => write!(f, "char:{c}+{r}"),
        }
    }
}

/// A channel name that does not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "no channel `{0}`: a channel is `war`, `team:TEAM` (a team's, or a role's own players'), `dm:ROLE+ROLE` (a direct message), `private:ROLE` (a role's line to the facilitator) or `char:CHARACTER+ROLE` (a role's questions to a character)"
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
        if let Some(team) = s.strip_prefix("team:")
            && word(team)
        {
            return Ok(Channel::Team(team.to_string()));
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
            Channel::Team("tech".into()),
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
            "team:",
            "team:a+b",
            "char:counsel",
            "char:+ic",
        ] {
            assert!(bad.parse::<Channel>().is_err(), "{bad}");
        }
    }

    #[test]
    fn who_reads_each_channel() {
        let none = Teams::new();
        let dm = Channel::direct("ic", "comms");
        assert!(dm.reaches("ic", &none) && dm.reaches("comms", &none));
        assert!(!dm.reaches("legal", &none));
        assert!(!dm.observed() && Channel::War.observed());
        let line = Channel::Private("legal".into());
        assert!(line.reaches("legal", &none) && !line.reaches("ic", &none));
        assert!(!line.observed());
    }

    #[test]
    fn a_team_channel_reaches_its_roles_or_a_role_its_own_players() {
        use crate::authoring::model::Id;
        use crate::authoring::model::scenario::RoleTeam;
        use crate::authoring::spanned::Sp;
        let id = |s: &str| Sp::unplaced(Id(s.to_string()));
        let teams: Teams = [(
            id("tech"),
            RoleTeam {
                name: "Technical responders".into(),
                roles: vec![id("ic"), id("oncall")],
            },
        )]
        .into_iter()
        .collect();
        let tech = Channel::Team("tech".into());
        assert!(tech.reaches("ic", &teams) && tech.reaches("oncall", &teams));
        assert!(!tech.reaches("comms", &teams) && tech.observed());
        let own = Channel::Team("comms".into());
        assert!(own.reaches("comms", &teams) && !own.reaches("ic", &teams));
    }
}
