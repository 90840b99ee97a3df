//! The roster: teams, people, and who plays which role by default. It is the only file
//! that holds real names; everything else refers to people and teams by id.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;
use crate::authoring::spanned::Sp;

/// Teams, people and default role assignments.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Teams, each owning components and action items.
    pub teams: Vec<Team>,
    /// People who take part in exercises.
    #[serde(default)]
    pub people: Vec<Person>,
    /// Default role assignments: role id to the team (and people) that play it.
    #[serde(default)]
    pub roles: IndexMap<Sp<Id>, RoleAssignment>,
}

/// A team that owns components and action items.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Unique id; architecture components name it as their `team`.
    pub id: Sp<Id>,
    /// Human name.
    pub name: String,
    /// The person id of the team's point of contact for action items.
    pub poc: Sp<Id>,
}

/// A person who takes part in exercises.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Unique id, used in role assignments and decisions sheets.
    pub id: Sp<Id>,
    /// Full name.
    pub name: String,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Chat handle, e.g. `@dana`.
    #[serde(default)]
    pub handle: Option<String>,
    /// Id of the person's team.
    pub team: Sp<Id>,
}

/// Who plays a role unless the facilitator says otherwise.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// The team that owns findings for this role.
    pub team: Sp<Id>,
    /// People who usually play it, by person id.
    #[serde(default)]
    pub people: Vec<Sp<Id>>,
}
