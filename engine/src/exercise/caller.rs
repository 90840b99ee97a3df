//! Who sends a command, and what they may do: the one rule every front end follows (the
//! console, the pipe, a decisions sheet, the web console, and the chat and mail bridges to
//! come). A front end says who the caller is, from what it trusts (the terminal, a link's
//! token, a roster person mapped from a chat account); the engine decides, with the
//! reason a person reads.
//!
//! | caller | may send |
//! |---|---|
//! | the console (terminal, pipe, sheet) | every command |
//! | the facilitator's link | every command but `quit`, which leaves the terminal's console |
//! | the observer, the room screen | nothing: read-only |
//! | a role's link | its own role's decisions, actions, notifications and messages (war room, its teams' channels, direct messages, its private line, questions to characters, forwards), `view` of its own role, `help`, the answer to the question on the screen, the hot wash once it is open |
//! | a person's link | the same, speaking as that person |
//!
//! After `end`, the links of the roles, the people and the room stop; the facilitator's
//! and the observer's stay for the debrief.

use crate::exercise::channel::Message;
use crate::exercise::command::{Command, Decide};
use crate::exercise::event::Timed;
use crate::exercise::view;

/// Who sends a command.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Caller {
    /// The facilitator at the terminal (the console, a pipe, a decisions sheet).
    Console,
    /// The facilitator from elsewhere (the web console's facilitator link).
    Facilitator,
    /// Read-only: everything participants may see.
    Observer,
    /// The room's screen: read-only.
    Room,
    /// A role's players, as one.
    Role(String),
    /// One person playing a role: what they send carries their name.
    Person {
        /// Roster person id.
        person: String,
        /// The role they play.
        role: String,
    },
}

/// Why a caller may not send a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Not theirs to do, ever (another role's move, a read-only link).
    Forbidden,
    /// Not now: the moment is not right (the hot wash is not open, another question is
    /// on the screen).
    NotNow,
    /// Their link has closed (the exercise ended).
    Closed,
}

/// A caller refused, and the reason, said plainly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// What kind of refusal.
    pub denial: Denial,
    /// What is wrong and what to do.
    pub reason: String,
}

fn denied(denial: Denial, reason: impl Into<String>) -> Denied {
    Denied {
        denial,
        reason: reason.into(),
    }
}

impl Caller {
    /// The role a participant plays.
    pub fn role(&self) -> Option<&str> {
        match self {
            Caller::Role(r) | Caller::Person { role: r, .. } => Some(r),
            _ => None,
        }
    }

    /// Whether the caller may still send and see the exercise: after `end` the links of
    /// the roles, the people and the room close; the facilitator's and the observer's stay
    /// for the debrief.
    pub fn still_open(&self, ended: bool) -> Result<(), Denied> {
        match self {
            Caller::Console | Caller::Facilitator | Caller::Observer => Ok(()),
            _ if ended => Err(denied(
                Denial::Closed,
                "Thank you for taking part. This link no longer opens the exercise; the facilitator will share the after-action report.",
            )),
            _ => Ok(()),
        }
    }

    /// What this caller may send, judged against the exercise's log: the command as it
    /// is carried out (a person's link speaks as that person), or why not.
    pub fn permit(&self, log: &[Timed], command: Command) -> Result<Command, Denied> {
        let forbidden = |text: String| denied(Denial::Forbidden, text);
        let (role, person) = match self {
            Caller::Console => return Ok(command),
            Caller::Facilitator => {
                return match command {
                    Command::Quit => Err(forbidden(
                        "`quit` leaves the terminal's console; stop the server there".into(),
                    )),
                    c => Ok(c),
                };
            }
            Caller::Observer | Caller::Room => {
                return Err(forbidden(
                    "this link is read-only: it shows the exercise and sends nothing".into(),
                ));
            }
            Caller::Role(r) => (r.as_str(), None),
            Caller::Person { person, role } => (role.as_str(), Some(person.as_str())),
        };
        let speaks_as = |participant: Option<String>| -> Result<Option<String>, Denied> {
            match (participant, person) {
                (Some(p), Some(me)) if p != me => Err(forbidden(format!(
                    "you speak as {me} on this link, not as {p}"
                ))),
                (p, me) => Ok(p.or(me.map(str::to_string))),
            }
        };
        let not_role = |other: &str| {
            forbidden(format!(
                "this link plays {role}; `{other}` is another role's move"
            ))
        };
        match command {
            Command::Decide(d) if d.role == role => Ok(Command::Decide(Decide {
                participant: speaks_as(d.participant)?,
                ..d
            })),
            Command::Action {
                role: r,
                text,
                participant,
                rationale,
                confidence,
                prompted_by,
            } if r == role => Ok(Command::Action {
                role: r,
                text,
                participant: speaks_as(participant)?,
                rationale,
                confidence,
                prompted_by,
            }),
            Command::Notify { from, to, text } if from == role => {
                Ok(Command::Notify { from, to, text })
            }
            Command::Say(m) if m.from == role => Ok(Command::Say(Message {
                participant: speaks_as(m.participant.clone())?,
                ..m
            })),
            Command::Say(m) => Err(forbidden(format!(
                "this link speaks as {role}, not as {}",
                m.from
            ))),
            Command::Decide(d) => Err(not_role(&d.role)),
            Command::Action { role: r, .. } => Err(not_role(&r)),
            Command::Notify { from, .. } => Err(not_role(&from)),
            Command::Answer { question, text } => match view::current_question(log) {
                Some(n) if n == question => Ok(Command::Answer { question, text }),
                _ => Err(denied(
                    Denial::NotNow,
                    format!("question {question} is not on the screen now; answer the one that is"),
                )),
            },
            c @ (Command::Strength(_) | Command::Improve(_)) => {
                if view::hot_wash_open(log) {
                    Ok(c)
                } else {
                    Err(denied(
                        Denial::NotNow,
                        "the hot wash is not open yet; the facilitator opens it, and until then you decide and act",
                    ))
                }
            }
            Command::View(r) if r == role => Ok(Command::View(r)),
            Command::Help => Ok(Command::Help),
            _ => Err(forbidden(format!(
                "a participant's link may decide, act, notify and talk as {role}, answer the question on the screen, and add to the hot wash once it is open"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::clock::SimTime;
    use crate::exercise::event::{Event, Improvement};

    fn at(event: Event) -> Timed {
        Timed {
            at: SimTime::START,
            event,
        }
    }

    fn decide(role: &str, participant: Option<&str>) -> Command {
        Command::Decide(Decide {
            role: role.into(),
            decision: "investigate_ci".into(),
            option: None,
            confidence: None,
            prompted_by: None,
            participant: participant.map(str::to_string),
            rationale: None,
        })
    }

    fn war(from: &str, text: &str) -> Command {
        Command::Say(Message {
            from: from.into(),
            participant: None,
            channel: crate::exercise::channel::Channel::War,
            text: text.into(),
            re: None,
            forward: false,
            ..Default::default()
        })
    }

    fn improve() -> Command {
        Command::Improve(Improvement {
            text: "page sooner".into(),
            owner: None,
            action: None,
            objective: None,
            re: None,
        })
    }

    /// Who, which callers, the log they are judged against, and the verdict expected.
    type Case<'a> = (&'a str, Vec<&'a Caller>, &'a [Timed], Option<Denial>);

    /// The whole table: every kind of caller against every kind of command, at a moment
    /// with question 2 on the screen and the hot wash not open, then open.
    #[test]
    fn every_caller_against_every_command() {
        let oncall = Caller::Role("oncall".into());
        let raj = Caller::Person {
            person: "raj-patel".into(),
            role: "oncall".into(),
        };
        let asked = vec![at(Event::Ask { question: 2 })];
        let open = vec![at(Event::Ask { question: 2 }), at(Event::HotWash)];
        let commands: Vec<(&str, Command)> = vec![
            ("decide oncall", decide("oncall", None)),
            ("decide ic", decide("ic", None)),
            (
                "action oncall",
                Command::Action {
                    role: "oncall".into(),
                    text: "page the lead".into(),
                    participant: None,
                    rationale: None,
                    confidence: None,
                    prompted_by: None,
                },
            ),
            (
                "notify oncall ic",
                Command::Notify {
                    from: "oncall".into(),
                    to: "ic".into(),
                    text: None,
                },
            ),
            (
                "notify ic oncall",
                Command::Notify {
                    from: "ic".into(),
                    to: "oncall".into(),
                    text: None,
                },
            ),
            ("say oncall war", war("oncall", "seeing 500s")),
            ("say ic war", war("ic", "all hands")),
            (
                "answer 2",
                Command::Answer {
                    question: 2,
                    text: "yes".into(),
                },
            ),
            (
                "answer 1",
                Command::Answer {
                    question: 1,
                    text: "yes".into(),
                },
            ),
            ("strength", Command::Strength("fast".into())),
            ("improve", improve()),
            ("view oncall", Command::View("oncall".into())),
            ("view ic", Command::View("ic".into())),
            ("help", Command::Help),
            ("note", Command::Note("mine".into())),
            ("advance", Command::Next),
            (
                "end",
                Command::End {
                    strengths: vec![],
                    improvements: vec![],
                },
            ),
            ("quit", Command::Quit),
        ];
        use Denial::*;
        // (command, console, facilitator, observer/room, role or person before the hot
        // wash, role or person once it is open); None: permitted.
        let table: Vec<(&str, [Option<Denial>; 5])> = vec![
            ("decide oncall", [None, None, Some(Forbidden), None, None]),
            (
                "decide ic",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            ("action oncall", [None, None, Some(Forbidden), None, None]),
            (
                "notify oncall ic",
                [None, None, Some(Forbidden), None, None],
            ),
            (
                "notify ic oncall",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            ("say oncall war", [None, None, Some(Forbidden), None, None]),
            (
                "say ic war",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            ("answer 2", [None, None, Some(Forbidden), None, None]),
            (
                "answer 1",
                [None, None, Some(Forbidden), Some(NotNow), Some(NotNow)],
            ),
            (
                "strength",
                [None, None, Some(Forbidden), Some(NotNow), None],
            ),
            ("improve", [None, None, Some(Forbidden), Some(NotNow), None]),
            ("view oncall", [None, None, Some(Forbidden), None, None]),
            (
                "view ic",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            ("help", [None, None, Some(Forbidden), None, None]),
            (
                "note",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            (
                "advance",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            (
                "end",
                [
                    None,
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
            (
                "quit",
                [
                    None,
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                    Some(Forbidden),
                ],
            ),
        ];
        assert_eq!(table.len(), commands.len());
        let verdict = |caller: &Caller, log: &[Timed], c: &Command| {
            caller.permit(log, c.clone()).err().map(|d| d.denial)
        };
        for ((name, command), (row, expected)) in commands.iter().zip(&table) {
            assert_eq!(name, row);
            let cases: [Case<'_>; 5] = [
                ("the console", vec![&Caller::Console], &asked, expected[0]),
                (
                    "the facilitator",
                    vec![&Caller::Facilitator],
                    &asked,
                    expected[1],
                ),
                (
                    "a read-only link",
                    vec![&Caller::Observer, &Caller::Room],
                    &asked,
                    expected[2],
                ),
                (
                    "a participant, hot wash closed",
                    vec![&oncall, &raj],
                    &asked,
                    expected[3],
                ),
                (
                    "a participant, hot wash open",
                    vec![&oncall, &raj],
                    &open,
                    expected[4],
                ),
            ];
            for (who, callers, log, want) in cases {
                for c in callers {
                    assert_eq!(verdict(c, log, command), want, "{name} from {who} ({c:?})");
                }
            }
        }
    }

    #[test]
    fn a_person_speaks_as_themselves_and_the_reasons_are_the_web_consoles() {
        let raj = Caller::Person {
            person: "raj-patel".into(),
            role: "oncall".into(),
        };
        match raj.permit(&[], decide("oncall", None)) {
            Ok(Command::Decide(d)) => assert_eq!(d.participant.as_deref(), Some("raj-patel")),
            other => panic!("{other:?}"),
        }
        let other = raj
            .permit(&[], decide("oncall", Some("chloe-martin")))
            .unwrap_err();
        assert_eq!(
            other.reason,
            "you speak as raj-patel on this link, not as chloe-martin"
        );
        let role = Caller::Role("oncall".into())
            .permit(&[], decide("ic", None))
            .unwrap_err();
        assert_eq!(
            role.reason,
            "this link plays oncall; `ic` is another role's move"
        );
        let wash = raj.permit(&[], improve()).unwrap_err();
        assert!(wash.reason.starts_with("the hot wash is not open yet"));
    }

    #[test]
    fn participant_and_room_links_close_at_the_end_and_the_debrief_stays() {
        for open in [Caller::Console, Caller::Facilitator, Caller::Observer] {
            assert!(open.still_open(true).is_ok(), "{open:?}");
        }
        for closed in [
            Caller::Room,
            Caller::Role("ic".into()),
            Caller::Person {
                person: "p".into(),
                role: "ic".into(),
            },
        ] {
            assert!(closed.still_open(false).is_ok());
            assert_eq!(closed.still_open(true).unwrap_err().denial, Denial::Closed);
        }
    }
}
