//! The scenario file: an incident told as timed injects, the decisions the room can take,
//! and what each role is expected to do by when.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::architecture::ComponentKind;
use super::{Id, Ids, Priority};
use crate::authoring::duration::SimDuration;
use crate::authoring::spanned::Sp;

/// A versioned tabletop scenario.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique id, e.g. `payments-credential-leak`.
    pub id: Sp<Id>,
    /// One-line title.
    pub title: String,
    /// Semantic version of the scenario (`1.2.0`); bump it when injects or expectations change.
    #[schemars(regex(
        pattern = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"
    ))]
    pub version: Sp<String>,
    /// What happens, for the facilitator; a few sentences.
    pub summary: String,
    /// Threat references: ATT&CK techniques and other sources.
    #[serde(default)]
    pub threats: Threats,
    /// How long the exercise runs; no inject or deadline may fall after it.
    pub duration: Sp<SimDuration>,
    /// `turns` for a game played in turns (durations written `3t`; `advance` moves one
    /// turn); minutes by default.
    #[serde(default)]
    pub clock: crate::authoring::duration::Pace,
    /// What the scenario needs from the organisation's architecture.
    #[serde(default)]
    pub architecture: Binding,
    /// The phases of the exercise, in order (a three-module tabletop package); none for a
    /// scenario played in one piece.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// The roles that play, by id.
    pub roles: IndexMap<Sp<Id>, Role>,
    /// Teams of roles that talk among themselves in a channel of their own (`team:ID`),
    /// e.g. the technical responders apart from the business side. Without teams, each
    /// role's players still have `team:ROLE`.
    #[serde(default)]
    pub teams: Teams,
    /// What the exercise tests.
    pub objectives: Vec<Objective>,
    /// Hidden facts that investigative decisions may reveal.
    #[serde(default)]
    pub facts: IndexMap<Sp<Id>, Fact>,
    /// People outside the room the players may ask (outside counsel, the journalist, the
    /// processor's support desk), by id; the facilitator answers as them, from their
    /// scripted replies or in their own words.
    #[serde(default)]
    pub characters: IndexMap<Sp<Id>, Character>,
    /// rhai functions (`fn name(args) { ... }`) every script and condition may call, so
    /// logic is written once instead of in every decision.
    #[serde(default)]
    pub functions: Option<Sp<String>>,
    /// A rhai script run once at the start; it draws the hidden truth into `state`.
    #[serde(default)]
    pub setup: Option<Sp<String>>,
    /// The master scenario events list: what reaches whom, and when.
    pub injects: Vec<Inject>,
    /// The catalog of decisions the room can take.
    #[serde(default)]
    pub decisions: IndexMap<Sp<Id>, Decision>,
    /// What each role should do, by when.
    #[serde(default)]
    pub expectations: Vec<Expectation>,
    /// Discussion prompts for the facilitator.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Outcome values the report shows, each a rhai expression on the state as the
    /// exercise left it (`cards_found: state.found.len()`).
    #[serde(default)]
    pub report: IndexMap<Sp<Id>, Sp<String>>,
}

/// A phase of the exercise: a briefing, its own injects, questions and objectives, opened
/// at a time or by the facilitator.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Module {
    /// Unique id.
    pub id: Sp<Id>,
    /// Title, e.g. `Module 1: Detection`.
    pub title: String,
    /// Read to the room when the module opens.
    #[serde(default)]
    pub briefing: Option<String>,
    /// When it opens, from the start; absent, it opens when the facilitator opens it
    /// (`open ID` in the console).
    #[serde(default)]
    pub at: Option<Sp<SimDuration>>,
    /// The story time when it opens (`72h`: three days into the incident); the story
    /// clock runs on with the session from there.
    #[serde(default)]
    pub story: Option<Sp<SimDuration>>,
    /// How the room is told the story time (`Day 2, 08:00`), instead of `+72h`.
    #[serde(default)]
    pub story_label: Option<String>,
}

/// Threat references.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threats {
    /// MITRE ATT&CK enterprise technique ids, e.g. `T1078.004`.
    #[serde(default)]
    pub attack: Vec<Sp<String>>,
    /// Other references: threat briefs, incident reports, advisories.
    #[serde(default)]
    pub references: Vec<String>,
}

/// How the scenario binds to an architecture.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// Named requirements: each a component id, or a selector by kind, tags and data classes.
    #[serde(default)]
    pub requires: IndexMap<Sp<Id>, Sp<Requirement>>,
}

/// One thing the scenario needs: a component by id, or any component matching a selector.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// A component id; when given, the selector fields must be absent.
    #[serde(default)]
    pub component: Option<Sp<Id>>,
    /// Select components of this kind.
    #[serde(default)]
    pub kind: Option<Sp<ComponentKind>>,
    /// Select components that carry all these tags.
    #[serde(default)]
    pub tags: Vec<Sp<String>>,
    /// Select components that hold all these data classes.
    #[serde(default)]
    pub data: Vec<Sp<String>>,
}

/// A role in the exercise.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Title, e.g. `Incident commander`.
    pub title: String,
    /// Whether the exercise cannot start without someone in this role.
    #[serde(default)]
    pub required: bool,
    /// What the role does in this scenario.
    #[serde(default)]
    pub description: Option<String>,
}

/// The scenario's teams of roles, by id.
pub type Teams = IndexMap<Sp<Id>, RoleTeam>;

/// A team of roles with a channel of its own.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleTeam {
    /// Its name as the room sees it ("Technical responders").
    pub name: String,
    /// The roles in it, by id.
    pub roles: Vec<Sp<Id>>,
}

/// Something the exercise tests, rated P/S/M/U in the report.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Unique id.
    pub id: Sp<Id>,
    /// The module it belongs to, for the report's grouping.
    #[serde(default)]
    pub module: Option<Sp<Id>>,
    /// The objective, e.g. `Recognise fraud versus a defect within 30 minutes`.
    pub text: String,
    /// The capability it exercises, e.g. `detection`, `containment`, `communication`.
    pub capability: Sp<String>,
}

/// A hidden fact, unknown to the room until a decision reveals it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// What the room learns.
    pub text: String,
}

/// One event delivered to some roles: an email, a page, a news story.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// Unique id.
    pub id: Sp<Id>,
    /// The module it belongs to: its `at` then counts from the module's opening, and it is
    /// sent only once the module opens.
    #[serde(default)]
    pub module: Option<Sp<Id>>,
    /// Time from the start of the exercise (or of its module). Give `at` or `after`, not
    /// both.
    #[serde(default)]
    pub at: Option<Sp<SimDuration>>,
    /// Time relative to another inject or to a decision.
    #[serde(default)]
    pub after: Option<Sp<After>>,
    /// Random delay of up to this much, drawn per run, so timing cannot be memorised.
    #[serde(default)]
    pub jitter: Option<Sp<SimDuration>>,
    /// A rhai condition on `state`; the inject is delivered only while it holds.
    #[serde(default)]
    pub when: Option<Sp<String>>,
    /// The roles that receive it.
    pub to: Vec<Sp<Id>>,
    /// The channel it arrives by.
    #[serde(default)]
    pub via: Channel,
    /// The ATT&CK technique it plays out (`T1566.001`), checked like `threats.attack`.
    #[serde(default)]
    pub technique: Option<Sp<String>>,
    /// Who says it, and how reliable they are.
    #[serde(default)]
    pub source: Option<Source>,
    /// The character who sends it: its name and reliability are the inject's source
    /// (unless `source` is given), and the roles may ask them about it.
    #[serde(default)]
    pub from: Option<Sp<Id>>,
    /// What the roles read or hear.
    pub text: String,
    /// Injects this one contradicts.
    #[serde(default)]
    pub conflicts_with: Vec<Sp<Id>>,
    /// Plausible but unrelated; acting on it is a finding. Shown to the facilitator only.
    #[serde(default)]
    pub red_herring: bool,
    /// Notes for the facilitator only.
    #[serde(default)]
    pub notes: Option<String>,
    /// The story time it moves the story to (`72h`), shown with it.
    #[serde(default)]
    pub story: Option<Sp<SimDuration>>,
    /// How the room is told the story time (`72 hours later`), instead of `+72h`.
    #[serde(default)]
    pub story_label: Option<String>,
}

impl Scenario {
    /// Whether the scenario tells story time: a module or an inject sets the story clock.
    pub fn tells_story(&self) -> bool {
        self.modules.iter().any(|m| m.story.is_some())
            || self.injects.iter().any(|i| i.story.is_some())
    }

    /// The position of a module, by id.
    pub fn module_index(&self, id: &str) -> Option<usize> {
        self.modules.iter().position(|m| m.id.as_str() == id)
    }

    /// The roles in a team's channel: a team's of `teams:`, or a role alone for its own
    /// players; none for an id that is neither.
    pub fn team_roles(&self, team: &str) -> Vec<&str> {
        match self.teams.get(team) {
            Some(t) => t.roles.iter().map(|r| r.as_str()).collect(),
            None => self
                .roles
                .get_key_value(team)
                .map(|(r, _)| vec![r.as_str()])
                .unwrap_or_default(),
        }
    }

    /// A team's name as the room sees it: its `name:`, or the role's title for a role's
    /// own players.
    pub fn team_name(&self, team: &str) -> String {
        match (self.teams.get(team), self.roles.get(team)) {
            (Some(t), _) => t.name.clone(),
            (None, Some(r)) => r.title.clone(),
            _ => team.to_string(),
        }
    }

    /// A module's title as shown (trimmed), by id.
    pub fn module_title(&self, id: &str) -> Option<String> {
        self.module_index(id)
            .map(|i| self.modules[i].title.trim().to_string())
    }
}

impl Inject {
    /// The role ids it reaches.
    pub fn audience(&self) -> Vec<String> {
        self.to.iter().map(|r| r.to_string()).collect()
    }

    /// The source's name and reliability letter, when it has a source: its `source`, or
    /// else the character it is `from` (their name, with their organisation when given).
    pub fn source_and_reliability(&self, s: &Scenario) -> (Option<String>, Option<String>) {
        if let Some(src) = &self.source {
            return (
                Some(src.name.clone()),
                Some(src.reliability.as_str().to_string()),
            );
        }
        match self
            .from
            .as_ref()
            .and_then(|c| s.characters.get(c.as_str()))
        {
            Some(c) => (
                Some(match &c.organisation {
                    Some(org) => format!("{}, {org}", c.name),
                    None => c.name.clone(),
                }),
                c.reliability.map(|r| r.as_str().to_string()),
            ),
            None => (None, None),
        }
    }
}

/// Timing relative to another inject or to a decision.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct After {
    /// The inject whose delivery starts the delay.
    #[serde(default)]
    pub inject: Option<Sp<Id>>,
    /// The decision whose first taking starts the delay.
    #[serde(default)]
    pub decision: Option<Sp<Id>>,
    /// How long after.
    #[serde(default)]
    pub delay: Option<Sp<SimDuration>>,
    /// Delivered again after every taking of the decision, not only the first (a clue
    /// card after each search).
    #[serde(default)]
    pub each: Option<Sp<bool>>,
}

/// How an inject reaches the room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Read out by the facilitator (the default).
    #[default]
    Briefing,
    /// A page or alert.
    Pager,
    /// An email.
    Email,
    /// A chat message.
    Chat,
    /// A phone call.
    Call,
    /// A support or service ticket.
    Ticket,
    /// A news story or a journalist's question.
    News,
    /// A social media post.
    Social,
    /// A dashboard or status page.
    Dashboard,
    /// A letter or formal notice.
    Letter,
}

impl Channel {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Briefing => "briefing",
            Channel::Pager => "pager",
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Call => "call",
            Channel::Ticket => "ticket",
            Channel::News => "news",
            Channel::Social => "social",
            Channel::Dashboard => "dashboard",
            Channel::Letter => "letter",
        }
    }
}

/// Where an inject comes from, rated on the NATO Admiralty scale.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Who says it.
    pub name: String,
    /// How reliable the source is: A (reliable) to E (unreliable), F (cannot be judged).
    pub reliability: Reliability,
}

/// Who speaks for the facilitator (the white cell) in the conversation: a name no role or
/// character may take.
pub const WHITE_CELL: &str = "white";

/// Someone outside the room whom the players may ask.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Character {
    /// Their name as the room sees it ("Priya Raman").
    pub name: String,
    /// Who they work for ("Hart & Lowe LLP, outside counsel").
    #[serde(default)]
    pub organisation: Option<String>,
    /// How they are reached.
    #[serde(default)]
    pub via: Channel,
    /// How reliable what they say is, as an inject's source is rated.
    #[serde(default)]
    pub reliability: Option<Reliability>,
    /// What they may answer, offered to the facilitator when a role asks.
    #[serde(default)]
    pub replies: Vec<Reply>,
}

/// A character's scripted answer.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Unique among the character's replies.
    pub id: Sp<Id>,
    /// A rhai condition on `state`: the reply is offered only while it holds.
    #[serde(default)]
    pub when: Option<Sp<String>>,
    /// An inject that must have been delivered before the reply is offered.
    #[serde(default)]
    pub after: Option<Sp<Id>>,
    /// Not offered before this time from the start.
    #[serde(default)]
    pub at: Option<Sp<SimDuration>>,
    /// Words of a question it answers: a question with one of them offers it first, and an
    /// automatic reply needs one (when it has any).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What the character says.
    pub text: String,
    /// Sent by itself, as soon as a role asks a question it answers, instead of waiting for
    /// the facilitator.
    #[serde(default)]
    pub auto: bool,
    /// Facts the answer may bring to light, as a decision's reveals do.
    #[serde(default)]
    pub reveals: Vec<Reveal>,
}

/// Source reliability, NATO Admiralty code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Reliability {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged.
    F,
}

impl Reliability {
    /// The letter.
    pub fn as_str(self) -> &'static str {
        match self {
            Reliability::A => "A",
            Reliability::B => "B",
            Reliability::C => "C",
            Reliability::D => "D",
            Reliability::E => "E",
            Reliability::F => "F",
        }
    }
}

/// A decision the room can take.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Short description shown in the console.
    #[serde(default)]
    pub title: Option<String>,
    /// Roles that may take it.
    pub by: Vec<Sp<Id>>,
    /// The choices it is taken with (pay / refuse / negotiate), id to title; one must be
    /// chosen when it is taken, and effects see it as `option`.
    #[serde(default)]
    pub options: IndexMap<Sp<Id>, String>,
    /// A rhai condition; the decision can be taken only while it holds.
    #[serde(default)]
    pub when: Option<Sp<String>>,
    /// How many times it may be taken in one exercise; no limit when absent, `1` for once.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub limit: Option<Sp<u32>>,
    /// How long after one taking the next may come.
    #[serde(default)]
    pub cooldown: Option<Sp<SimDuration>>,
    /// A rhai script run when it is taken; it may change `state`.
    #[serde(default)]
    pub effect: Option<Sp<String>>,
    /// Hidden facts it may reveal.
    #[serde(default)]
    pub reveals: Vec<Reveal>,
    /// A handoff that must have happened before it is taken, e.g. the IC briefing comms.
    #[serde(default)]
    pub requires_handoff: Option<Handoff>,
}

/// A hidden fact a decision may reveal, with a chance.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reveal {
    /// The fact's id.
    pub fact: Sp<Id>,
    /// Probability between 0 and 1 that taking the decision reveals it.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub chance: f64,
    /// A rhai condition; the fact can be revealed only while it holds.
    #[serde(default)]
    pub when: Option<Sp<String>>,
    /// Adjustments to the chance while a condition holds.
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
}

/// An adjustment to a reveal chance.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// A rhai condition on `state`.
    pub when: Sp<String>,
    /// Added to the chance while the condition holds (negative to lower it).
    #[schemars(range(min = -1.0, max = 1.0))]
    pub add: f64,
}

/// A handoff from one role to another.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    /// The role that must brief.
    pub from: Sp<Id>,
    /// The role that must be briefed.
    pub to: Sp<Id>,
}

/// What a role should do, by when; missing it is a finding.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Unique id.
    pub id: Sp<Id>,
    /// The role expected to act, or a list of roles any of which will do.
    pub role: Ids,
    /// The decision expected, or a list of decisions any of which will do.
    pub decision: Ids,
    /// The option (or any of the options) the decision should be taken with.
    #[serde(default)]
    pub option: Option<Ids>,
    /// Options that are a finding when chosen, each with what the finding says ("Chose to
    /// pay without the insurer's consent").
    #[serde(default)]
    pub wrong_options: IndexMap<Sp<Id>, String>,
    /// Deadline, from the start, its module's opening, or the `after` inject.
    pub within: Sp<SimDuration>,
    /// Which clock `within` is counted on: the session's (default) or the story's (a
    /// 72-hour regulatory window in a tabletop that skips days).
    #[serde(default)]
    pub time: Clock,
    /// The module whose opening starts the deadline (when there is no `after`); it applies
    /// only once the module opens.
    #[serde(default)]
    pub module: Option<Sp<Id>>,
    /// An inject whose delivery starts the deadline; the start of the exercise when absent.
    #[serde(default)]
    pub after: Option<Sp<Id>>,
    /// A rhai condition; the expectation applies only if it held at some point.
    #[serde(default)]
    pub when: Option<Sp<String>>,
    /// The injects or facts the role should have before it decides: taking the decision
    /// before it had one of them (delivered, forwarded or quoted to it, or revealed to
    /// it) is a finding, and so is one that reached another role and never this one.
    #[serde(default)]
    pub informed_by: Vec<Sp<Id>>,
    /// The objective it measures.
    pub objective: Sp<Id>,
    /// The runbook step it follows: a runbook id from the architecture, optionally `#section`.
    #[serde(default)]
    pub runbook: Option<Sp<String>>,
    /// The HSEEP capability element a gap falls under.
    pub element: Element,
    /// Priority of the action item when it is missed.
    #[serde(default)]
    pub priority: Priority,
    /// The corrective action to propose when it is missed or late.
    #[serde(default)]
    pub corrective_action: Option<String>,
}

/// The clock a deadline is counted on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// Session time: the exercise's own clock (the default).
    #[default]
    Session,
    /// Story time: the incident's clock, moved on by modules and injects with `story`.
    Story,
}

/// HSEEP capability elements (POETE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Element {
    /// Plans, policies, procedures, runbooks.
    Planning,
    /// Roles, structure, staffing, leadership.
    Organization,
    /// Tools, systems, access.
    Equipment,
    /// Knowledge and skills.
    Training,
    /// Practice: exercises themselves.
    Exercise,
}

impl Element {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Element::Planning => "Planning",
            Element::Organization => "Organization",
            Element::Equipment => "Equipment",
            Element::Training => "Training",
            Element::Exercise => "Exercise",
        }
    }
}

/// A discussion prompt for the facilitator.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Ask once this module opens (with `at`, that long after it opens).
    #[serde(default)]
    pub module: Option<Sp<Id>>,
    /// Ask after this inject is delivered.
    #[serde(default)]
    pub after: Option<Sp<Id>>,
    /// Or ask at this time.
    #[serde(default)]
    pub at: Option<Sp<SimDuration>>,
    /// The question.
    pub ask: String,
}
