//! The facilitator's command language, one grammar for every front end: the terminal
//! console, commands on a pipe, a scribe's decisions sheet (turned into the same
//! commands) and the web console. A line parses into a typed [`Command`], or into
//! a refusal that says how to write it; completion offers what fits at the cursor.

use crate::authoring::duration::SimDuration;
use crate::authoring::load::Loaded;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Scenario;
use crate::authoring::model::sheet::{Confidence, DecisionsSheet, Entry};
use crate::authoring::source::Pos;
use crate::exercise::channel::{Channel, Message};
use crate::exercise::clock::SimTime;
use crate::exercise::event::Improvement;

/// A catalog decision as the room took it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decide {
    /// The role that decided.
    pub role: String,
    /// The catalog decision.
    pub decision: String,
    /// The option it was taken with, for a decision with options.
    pub option: Option<String>,
    /// How sure the room was.
    pub confidence: Option<Confidence>,
    /// The inject that prompted it.
    pub prompted_by: Option<String>,
    /// The roster person who spoke for the role.
    pub participant: Option<String>,
    /// Why, in the room's words.
    pub rationale: Option<String>,
}

/// One command of the facilitator, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Move the clock forward by a duration.
    Advance(SimDuration),
    /// Move the clock forward to a time (a sheet entry's `at`).
    AdvanceTo(SimTime),
    /// Move the clock to the next inject that will really be delivered.
    Next,
    /// Move the clock one turn (a scenario played in turns).
    Step,
    /// Let the clock follow real time at a pace, or stop following (`None`).
    Follow(Option<f64>),
    /// A catalog decision.
    Decide(Decide),
    /// A decision that is not in the catalog.
    Action {
        /// The role.
        role: String,
        /// What they did.
        text: String,
        /// The roster person who spoke for the role.
        participant: Option<String>,
        /// Why (a sheet may say).
        rationale: Option<String>,
        /// How sure (a sheet may say).
        confidence: Option<Confidence>,
        /// The inject that prompted it (a sheet may say).
        prompted_by: Option<String>,
    },
    /// A notification or handoff between roles.
    Notify {
        /// The role that informs.
        from: String,
        /// The role informed.
        to: String,
        /// What was said.
        text: Option<String>,
    },
    /// Something said in the room's conversation, or an inject forwarded (see
    /// [`crate::exercise::channel`]).
    Say(Message),
    /// A facilitator's note.
    Note(String),
    /// A join link revoked or issued anew, as the front end that keeps the links did it
    /// (the engine journals it; the tokens are the front end's and never journaled).
    Link {
        /// Whose link.
        link: String,
        /// What was done.
        change: crate::exercise::event::LinkChange,
    },
    /// An ad-hoc inject to some roles.
    Inject {
        /// The roles.
        to: Vec<String>,
        /// What they hear.
        text: String,
    },
    /// Override an objective's computed rating.
    Rate {
        /// Objective id.
        objective: String,
        /// P, S, M or U.
        rating: String,
        /// Why.
        reason: String,
    },
    /// Pause the exercise.
    Pause(Option<String>),
    /// Resume it.
    Resume(Option<String>),
    /// A hot-wash strength, journaled when said.
    Strength(String),
    /// A hot-wash area for improvement, journaled when said.
    Improve(Improvement),
    /// The roll call: someone is here, perhaps playing a role.
    Present {
        /// Roster person id.
        person: String,
        /// Role.
        role: Option<String>,
    },
    /// The roll call: someone is not here.
    Absent(String),
    /// The room's answer to a discussion question (numbered from 1).
    Answer {
        /// Question number.
        question: usize,
        /// The answer.
        text: String,
    },
    /// Put discussion question N on every screen.
    Ask(usize),
    /// Put message N of the journal (a message of the conversation) on the room's screen.
    Screen(usize),
    /// Open the next module.
    Open(String),
    /// Open the hot wash to the participants' pages.
    HotWash,
    /// End the exercise; a sheet brings its hot wash along.
    End {
        /// Strengths from a sheet.
        strengths: Vec<String>,
        /// Improvements from a sheet.
        improvements: Vec<String>,
    },
    /// What a role has seen (safe to project or send).
    View(String),
    /// The decision catalog.
    Decisions,
    /// The discussion questions, which are due and what was answered.
    Questions,
    /// List the questions put to characters and the replies each is offered now.
    Replies,
    /// The hidden truth once (`None`), or shown inline from now on or not.
    Truth(Option<bool>),
    /// The status line.
    Status,
    /// The command list.
    Help,
    /// Leave the console; the exercise stays open to `--resume`.
    Quit,
}

impl Command {
    /// Whether the command only asks (nothing is journaled, the clock does not move).
    pub fn is_query(&self) -> bool {
        matches!(
            self,
            Command::View(_)
                | Command::Decisions
                | Command::Questions
                | Command::Replies
                | Command::Truth(_)
                | Command::Status
                | Command::Help
                | Command::Quit
        )
    }
}

/// The command list the console prints for `help`.
pub const HELP: &str = "commands:
  advance DURATION          move the clock (e.g. advance 5m); `advance` alone: one turn
  open MODULE               open the scenario's next module (its briefing, its injects)
  next                      move the clock to the next inject that will be delivered
  follow PACE | follow off  let the clock follow real time (1x, 2x, 10x)
  pause [: reason] | resume [: reason]
  decide ROLE DECISION [OPTION] [low|medium|high] [re=INJECT] [by=PERSON] [: rationale]
  action ROLE [by=PERSON] : text    a decision not in the catalog
  notify FROM TO [: text]   a notification or handoff
  say ROLE|white war [re=ID] [by=PERSON] : text    speak in the war room
  say ROLE|white team TEAM [re=ID] [by=PERSON] : text    speak in a team's channel
  dm FROM TO [re=ID] [by=PERSON] : text      a direct message between two roles
  private ROLE [re=ID] [by=PERSON] : text    ROLE's private line to the facilitator
  reply ROLE [re=ID] : text  the facilitator answers on ROLE's private line
  forward FROM INJECT TO [by=PERSON] [: comment]    pass an inject on to a role
  ask ROLE CHARACTER [by=PERSON] : question    ROLE asks a character of the scenario
  as CHARACTER ROLE [REPLY] [: text]    answer as the character (a scripted reply, or your words)
  replies                   questions put to characters, and the replies offered now
  inject ROLE[,ROLE] : text an ad-hoc inject
  note : text               a facilitator's note
  present PERSON [ROLE] | absent PERSON    the roll call
  questions                 the discussion questions, due and answered
  ask N                     put question N on every screen (web console)
  answer N : text           the room's answer to question N
  strength : text           the hot wash, journaled as it is said
  improve OWNER [objective=ID] : observation [=> corrective action]
                            OWNER: a role (its team) or a roster team
  screen N                  put message N (#N in the feed) on the room's screen
  hotwash                   open the hot wash on the participants' pages
  rate OBJECTIVE P|S|M|U : reason    override an objective's computed rating
  end                       end the exercise (rate, hot wash, answers and notes still go in)
  view ROLE                 what that role has seen (safe to project or send)
  decisions                 the catalog: who may take what
  truth [on|off]            the hidden truth: draws, held injects, conditional expectations
  status | help | quit      (quit leaves the exercise open to --resume)";

/// The command words, in the order `help` lists them.
pub const WORDS: &[&str] = &[
    "advance",
    "next",
    "open",
    "follow",
    "pause",
    "resume",
    "decide",
    "action",
    "notify",
    "say",
    "dm",
    "private",
    "reply",
    "forward",
    "as",
    "replies",
    "inject",
    "note",
    "present",
    "absent",
    "questions",
    "ask",
    "answer",
    "strength",
    "improve",
    "hotwash",
    "screen",
    "rate",
    "end",
    "view",
    "decisions",
    "truth",
    "status",
    "help",
    "quit",
];

/// Splits `head : text` at the first `:`.
fn split_text(rest: &str) -> (&str, Option<String>) {
    match rest.split_once(':') {
        Some((head, text)) => (
            head.trim(),
            Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        ),
        None => (rest.trim(), None),
    }
}

/// `say`, `dm`, `private`, `reply` and `forward`: who speaks, where, and what. The
/// channel is named by the word (a channel's journal name has a `:`, which on a console
/// line starts the text).
fn conversation(word: &str, args: &[&str], text: Option<String>) -> Result<Command, String> {
    let form = match word {
        "say" => "say ROLE war|team TEAM [re=ID] [by=PERSON] : text",
        "dm" => "dm FROM TO [re=ID] [by=PERSON] : text",
        "private" => "private ROLE [re=ID] [by=PERSON] : text",
        "reply" => "reply ROLE [re=ID] : text",
        "ask" => "ask ROLE CHARACTER [by=PERSON] : question",
        "as" => "as CHARACTER ROLE [REPLY] [re=ID] [: text]",
        _ => "forward FROM INJECT TO [by=PERSON] [: comment]",
    };
    let (words, options): (Vec<&str>, Vec<&str>) = args.iter().partition(|a| !a.contains('='));
    let mut re = None;
    let mut participant = None;
    for o in options {
        match o.split_once('=') {
            Some(("re", id)) if word != "forward" && !id.is_empty() => re = Some(id.to_string()),
            Some(("by", person)) if !person.is_empty() => participant = Some(person.to_string()),
            _ => {
                return Err(format!(
                    "`{o}` is not understood by {word}; {}",
                    usage::<()>(form).unwrap_err()
                ));
            }
        }
    }
    let said = |text: Option<String>| text.ok_or_else(|| usage::<()>(form).unwrap_err());
    let mut reply = None;
    let (from, channel, text, forward) = match (word, words.as_slice()) {
        ("ask", [role, character]) => (
            role,
            Channel::Character(character.to_string(), role.to_string()),
            said(text)?,
            false,
        ),
        ("as", [character, role, rest @ ..]) if rest.len() <= 1 && participant.is_none() => {
            reply = rest.first().map(|r| r.to_string());
            let text = match (&reply, text) {
                // A scripted reply sent as it stands: the engine gives its text.
                (Some(_), None) => String::new(),
                (_, t) => said(t)?,
            };
            (
                character,
                Channel::Character(character.to_string(), role.to_string()),
                text,
                false,
            )
        }
        ("say", [from, "war"]) => (from, Channel::War, said(text)?, false),
        ("say", [from, "team", team]) => {
            (from, Channel::Team(team.to_string()), said(text)?, false)
        }
        ("say", [_, other, ..]) if *other != "team" => {
            return Err(format!(
                "`say` speaks in the war room (`say ROLE war : text`) or a team's channel (`say ROLE team TEAM : text`), not `{other}`; for one role use `dm FROM TO : text`, for the facilitator `private ROLE : text`"
            ));
        }
        ("reply", [role]) if participant.is_none() => (
            &crate::exercise::channel::WHITE_CELL,
            Channel::Private(role.to_string()),
            said(text)?,
            false,
        ),
        ("dm", [from, to]) => (from, Channel::direct(from, to), said(text)?, false),
        ("private", [role]) => (role, Channel::Private(role.to_string()), said(text)?, false),
        ("forward", [from, inject, to]) => {
            re = Some(inject.to_string());
            (
                from,
                Channel::direct(from, to),
                text.unwrap_or_default(),
                true,
            )
        }
        _ => return usage(form),
    };
    Ok(Command::Say(Message {
        from: from.to_string(),
        participant,
        channel,
        text,
        re,
        forward,
        reply,
        reliability: None,
        auto: false,
    }))
}

fn usage<T>(form: &str) -> Result<T, String> {
    Err(format!("write it as `{form}`"))
}

/// Parses one line. Blank lines and `#` comments are `None`; a line that is not a
/// command is refused with how to write it.
pub fn parse(line: &str) -> Result<Option<Command>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let (head, text) = split_text(rest);
    let args: Vec<&str> = head.split_whitespace().collect();
    // `note hello` and `note : hello` both work for the free-text commands.
    let free_text = || {
        text.clone()
            .or_else(|| (!head.is_empty()).then(|| head.to_string()))
    };
    let command = match word {
        "help" | "?" => Command::Help,
        "status" => Command::Status,
        "quit" | "exit" => Command::Quit,
        "decisions" => Command::Decisions,
        "questions" => Command::Questions,
        "replies" => Command::Replies,
        "view" => match args.as_slice() {
            [role] => Command::View(role.to_string()),
            _ => return usage("view ROLE"),
        },
        "truth" => match args.as_slice() {
            [] => Command::Truth(None),
            ["on"] => Command::Truth(Some(true)),
            ["off"] => Command::Truth(Some(false)),
            _ => return usage("truth [on|off]"),
        },
        "follow" => match args.as_slice() {
            ["off"] => Command::Follow(None),
            [pace] => match pace.trim_end_matches('x').parse::<f64>() {
                Ok(p) if p > 0.0 && p <= 100.0 => Command::Follow(Some(p)),
                _ => return Err("follow takes a pace such as 1x, 2x or 10x, or `off`".into()),
            },
            _ => return Err("follow takes a pace such as 1x, 2x or 10x, or `off`".into()),
        },
        "advance" => match args.as_slice() {
            // One turn, in a scenario played in turns (the engine refuses it elsewhere).
            [] => Command::Step,
            [d] => match d.parse::<SimDuration>() {
                Ok(d) => Command::Advance(d),
                Err(_) => return Err("advance takes a duration such as 5m or 1h30m".into()),
            },
            _ => return Err("advance takes a duration such as 5m or 1h30m".into()),
        },
        "next" => Command::Next,
        "open" => match args.as_slice() {
            [module] if text.is_none() => Command::Open(module.to_string()),
            _ => return usage("open MODULE"),
        },
        "decide" => {
            let form = "decide ROLE DECISION [OPTION] [low|medium|high] [re=INJECT] [by=PERSON] [: rationale]";
            let [role, decision, options @ ..] = args.as_slice() else {
                return usage(form);
            };
            let mut d = Decide {
                role: role.to_string(),
                decision: decision.to_string(),
                option: None,
                confidence: None,
                prompted_by: None,
                participant: None,
                rationale: text,
            };
            for o in options {
                match *o {
                    "low" => d.confidence = Some(Confidence::Low),
                    "medium" => d.confidence = Some(Confidence::Medium),
                    "high" => d.confidence = Some(Confidence::High),
                    _ if o.starts_with("re=") => d.prompted_by = Some(o[3..].to_string()),
                    _ if o.starts_with("by=") => d.participant = Some(o[3..].to_string()),
                    // The one bare word is the decision's option; the engine checks it
                    // against the catalog (with a did-you-mean).
                    other if d.option.is_none() && !other.contains('=') => {
                        d.option = Some(other.to_string())
                    }
                    other => {
                        return Err(format!(
                            "`{other}` is not understood by decide (one option at most); {}",
                            usage::<()>(form).unwrap_err()
                        ));
                    }
                }
            }
            Command::Decide(d)
        }
        "action" => {
            let form = "action ROLE [by=PERSON] : what they did";
            let (role, participant) = match args.as_slice() {
                [role] => (role, None),
                [role, by] if by.starts_with("by=") => (role, Some(by[3..].to_string())),
                _ => return usage(form),
            };
            let Some(text) = text else { return usage(form) };
            Command::Action {
                role: role.to_string(),
                text,
                participant,
                rationale: None,
                confidence: None,
                prompted_by: None,
            }
        }
        "notify" => match args.as_slice() {
            [from, to] => Command::Notify {
                from: from.to_string(),
                to: to.to_string(),
                text,
            },
            _ => return usage("notify FROM TO [: what was said]"),
        },
        "say" | "dm" | "private" | "reply" | "forward" => {
            return conversation(word, &args, text).map(Some);
        }
        "note" => match free_text() {
            Some(t) => Command::Note(t),
            None => return usage("note : text"),
        },
        "inject" => match (args.as_slice(), text) {
            ([roles], Some(t)) => Command::Inject {
                to: roles
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect(),
                text: t,
            },
            _ => return usage("inject ROLE[,ROLE] : text"),
        },
        "rate" => match (args.as_slice(), text) {
            ([objective, rating], Some(reason)) => Command::Rate {
                objective: objective.to_string(),
                rating: rating.to_uppercase(),
                reason,
            },
            _ => return usage("rate OBJECTIVE P|S|M|U : reason"),
        },
        "pause" => Command::Pause(free_text()),
        "resume" => Command::Resume(free_text()),
        "strength" => match free_text() {
            Some(t) => Command::Strength(t),
            None => return usage("strength : what went well"),
        },
        "improve" => improvement(&args, text.clone(), free_text())?,
        "present" => match args.as_slice() {
            [person] => Command::Present {
                person: person.to_string(),
                role: None,
            },
            [person, role] => Command::Present {
                person: person.to_string(),
                role: Some(role.to_string()),
            },
            _ => return usage("present PERSON [ROLE]"),
        },
        "absent" => match args.as_slice() {
            [person] => Command::Absent(person.to_string()),
            _ => return usage("absent PERSON"),
        },
        "answer" => match (args.as_slice(), text) {
            ([n], Some(t)) => match n.trim_start_matches(['q', 'Q']).parse::<usize>() {
                Ok(question) => Command::Answer { question, text: t },
                Err(_) => return usage("answer N : what the room said (N from `questions`)"),
            },
            _ => return usage("answer N : what the room said (N from `questions`)"),
        },
        "ask" => match args.as_slice() {
            [n] if text.is_none() => match n.trim_start_matches(['q', 'Q']).parse::<usize>() {
                Ok(question) => Command::Ask(question),
                Err(_) => {
                    return usage("ask N (N from `questions`), or `ask ROLE CHARACTER : question`");
                }
            },
            // A role's question to a character of the scenario.
            _ => return conversation(word, &args, text).map(Some),
        },
        "as" => return conversation(word, &args, text).map(Some),
        "screen" => match args.as_slice() {
            [n] if text.is_none() => match n.trim_start_matches('#').parse::<usize>() {
                Ok(seq) => Command::Screen(seq),
                Err(_) => return usage("screen N (N is the message's #N in the feed)"),
            },
            _ => return usage("screen N (N is the message's #N in the feed)"),
        },
        "hotwash" | "hot-wash" => Command::HotWash,
        "end" => Command::End {
            strengths: Vec::new(),
            improvements: Vec::new(),
        },
        other => {
            return Err(
                match crate::authoring::suggest::did_you_mean(other, WORDS.iter().copied()) {
                    Some(near) => {
                        format!("unknown command `{other}` (did you mean `{near}`?); type `help`")
                    }
                    None => format!("unknown command `{other}`; type `help`"),
                },
            );
        }
    };
    Ok(Some(command))
}

/// `improve OWNER [objective=ID] : observation [=> corrective action]`; `improve : text`
/// and `improve text` (no owner) are taken too, and warned about at `end`.
fn improvement(
    args: &[&str],
    text: Option<String>,
    free: Option<String>,
) -> Result<Command, String> {
    let form = "improve OWNER [objective=ID] [re=EXPECTATION] : what should get better [=> corrective action]";
    // With a `:` the words before it are the owner and options; without one they are
    // the observation itself (`improve the pager was slow`).
    let head = text.is_some();
    let Some(words) = text.or(free) else {
        return usage(form);
    };
    let mut re = None;
    let (owner, objective) = if head {
        let mut owner = None;
        let mut objective = None;
        for a in args {
            if let Some(r) = a.strip_prefix("re=") {
                re = Some(r.to_string());
                continue;
            }
            match a.strip_prefix("objective=") {
                Some(o) => objective = Some(o.to_string()),
                None if owner.is_none() => owner = Some(a.to_string()),
                None => {
                    return Err(format!(
                        "`{a}`: an improvement has one owner; {}",
                        usage::<()>(form).unwrap_err()
                    ));
                }
            }
        }
        (owner, objective)
    } else {
        (None, None)
    };
    let (text, action) = match words.split_once("=>") {
        Some((t, a)) => (t.trim().to_string(), Some(a.trim().to_string())),
        None => (words.trim().to_string(), None),
    };
    Ok(Command::Improve(Improvement {
        text,
        owner,
        action: action.filter(|a| !a.is_empty()),
        objective,
        re,
    }))
}

/// The commands a decisions sheet records, in order, each with the position of its entry
/// (for a refusal at `file:line:col`). An entry's `at` moves the clock first.
pub fn sheet_commands(loaded: &Loaded<DecisionsSheet>) -> Vec<(Pos, Command)> {
    let positions = crate::authoring::check::sheet::entry_positions(loaded);
    let mut out = Vec::new();
    let mut clock = SimTime::START;
    for (i, entry) in loaded.value.entries.iter().enumerate() {
        let pos = positions.get(i).copied().unwrap_or(Pos::START);
        if let Some(at) = &entry.at {
            let t = SimTime::from_offset(at.value);
            if t > clock {
                out.push((pos, Command::AdvanceTo(t)));
                clock = t;
            }
        }
        if let Some(command) = entry_command(entry, &mut clock) {
            out.push((pos, command));
        }
    }
    out
}

fn entry_command(e: &Entry, clock: &mut SimTime) -> Option<Command> {
    let role = || e.by.as_ref().map(|b| b.to_string()).unwrap_or_default();
    let participant = e.participant.as_ref().map(|p| p.to_string());
    if let Some(d) = &e.decision {
        return Some(Command::Decide(Decide {
            role: role(),
            decision: d.to_string(),
            option: e.option.as_ref().map(|o| o.to_string()),
            confidence: e.confidence,
            prompted_by: e.prompted_by.as_ref().map(|p| p.to_string()),
            participant,
            rationale: e.rationale.clone(),
        }));
    }
    if let Some(text) = &e.action {
        return Some(Command::Action {
            role: role(),
            text: text.clone(),
            participant,
            rationale: e.rationale.clone(),
            confidence: e.confidence,
            prompted_by: e.prompted_by.as_ref().map(|p| p.to_string()),
        });
    }
    if let Some(n) = &e.notify {
        return Some(Command::Notify {
            from: n.from.to_string(),
            to: n.to.to_string(),
            text: n.text.clone(),
        });
    }
    if let Some(m) = &e.message {
        // A channel that does not read was named at its place by validation; the engine
        // refuses what remains.
        return Some(Command::Say(Message {
            from: m.from.to_string(),
            participant,
            channel: m.channel.parse().unwrap_or_default(),
            text: m.text.clone(),
            re: m.re.clone(),
            forward: m.forward,
            reply: m.reply.as_ref().map(|r| r.to_string()),
            ..Message::default()
        }));
    }
    if let Some(text) = &e.note {
        return Some(Command::Note(text.clone()));
    }
    if let Some(i) = &e.inject {
        return Some(Command::Inject {
            to: i.to.iter().map(|r| r.to_string()).collect(),
            text: i.text.clone(),
        });
    }
    if let Some(d) = &e.advance {
        *clock = clock.after(d.value);
        return Some(Command::AdvanceTo(*clock));
    }
    if let Some(reason) = &e.pause {
        return Some(Command::Pause(Some(reason.clone())));
    }
    if let Some(reason) = &e.resume {
        return Some(Command::Resume(Some(reason.clone())));
    }
    if let Some(r) = &e.rate {
        return Some(Command::Rate {
            objective: r.objective.to_string(),
            rating: format!("{:?}", r.rating),
            reason: r.reason.clone(),
        });
    }
    if let Some(text) = &e.strength {
        return Some(Command::Strength(text.clone()));
    }
    if let Some(text) = &e.improve {
        return Some(Command::Improve(Improvement {
            text: text.clone(),
            owner: e.owner.as_ref().map(|o| o.to_string()),
            action: e.corrective_action.clone(),
            objective: e.objective.as_ref().map(|o| o.to_string()),
            re: e.re.as_ref().map(|r| r.to_string()),
        }));
    }
    if let Some(p) = &e.present {
        return Some(Command::Present {
            person: p.person.to_string(),
            role: p.role.as_ref().map(|r| r.to_string()),
        });
    }
    if let Some(person) = &e.absent {
        return Some(Command::Absent(person.to_string()));
    }
    if let Some(m) = &e.open {
        return Some(Command::Open(m.to_string()));
    }
    if let Some(a) = &e.answer {
        return Some(Command::Answer {
            question: a.question,
            text: a.text.clone(),
        });
    }
    e.end.as_ref().map(|h| Command::End {
        strengths: h.strengths.clone(),
        improvements: h.improvements.clone(),
    })
}

/// The ids a front end completes, by position (see [`Vocabulary::complete`]). Plain data,
/// so a terminal thread can hold it while the exercise lives on another.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    roles: Vec<String>,
    decisions: Vec<(String, Vec<String>)>,
    options: Vec<(String, Vec<String>)>,
    injects: Vec<String>,
    objectives: Vec<String>,
    modules: Vec<String>,
    people: Vec<String>,
    questions: usize,
    /// Characters, each with its replies' ids.
    characters: Vec<(String, Vec<String>)>,
    /// Teams, each with its roles' ids.
    teams: Vec<(String, Vec<String>)>,
}

impl Vocabulary {
    /// The ids of a scenario and roster.
    pub fn new(s: &Scenario, roster: Option<&Roster>) -> Vocabulary {
        Vocabulary {
            roles: s.roles.keys().map(|k| k.to_string()).collect(),
            decisions: s
                .decisions
                .iter()
                .map(|(id, d)| (id.to_string(), d.by.iter().map(|r| r.to_string()).collect()))
                .collect(),
            options: s
                .decisions
                .iter()
                .map(|(id, d)| {
                    (
                        id.to_string(),
                        d.options.keys().map(|k| k.to_string()).collect(),
                    )
                })
                .collect(),
            injects: s.injects.iter().map(|i| i.id.to_string()).collect(),
            objectives: s.objectives.iter().map(|o| o.id.to_string()).collect(),
            modules: s.modules.iter().map(|m| m.id.to_string()).collect(),
            people: roster.map_or_else(Vec::new, |r| {
                r.people.iter().map(|p| p.id.to_string()).collect()
            }),
            questions: s.questions.len(),
            characters: s
                .characters
                .iter()
                .map(|(id, c)| {
                    (
                        id.to_string(),
                        c.replies.iter().map(|r| r.id.to_string()).collect(),
                    )
                })
                .collect(),
            teams: s
                .teams
                .iter()
                .map(|(id, t)| {
                    (
                        id.to_string(),
                        t.roles.iter().map(|r| r.to_string()).collect(),
                    )
                })
                .collect(),
        }
    }

    /// What completes at the cursor: where the word starts, and the candidates that fit
    /// there (`decide <role> <a decision that role may take>`), each ending in a space
    /// when it finishes a word.
    pub fn complete(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let mut pos = pos.min(line.len());
        while !line.is_char_boundary(pos) {
            pos -= 1;
        }
        let before = &line[..pos];
        let start = before.rfind([' ', ',', '=']).map_or(0, |i| i + 1);
        let word = &before[start..];
        let head = &before[..start];
        let words: Vec<&str> = head.split_whitespace().collect();
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let pool: Vec<String> = if head.ends_with("by=") {
            self.people.clone()
        } else if head.ends_with("re=") {
            self.injects.clone()
        } else {
            match words.as_slice() {
                [] => list(WORDS),
                [
                    "decide" | "action" | "view" | "notify" | "inject" | "dm" | "private" | "reply"
                    | "forward",
                ]
                | ["notify" | "dm", _]
                | ["forward", _, _] => self.roles.clone(),
                ["say"] => {
                    let mut pool = self.roles.clone();
                    pool.push(crate::exercise::channel::WHITE_CELL.to_string());
                    pool
                }
                ["say", _] => list(&["war", "team"]),
                // The teams the speaker is in, then its own players' channel.
                ["say", from, "team"] => {
                    let mut pool: Vec<String> = self
                        .teams
                        .iter()
                        .filter(|(_, roles)| {
                            *from == crate::exercise::channel::WHITE_CELL
                                || roles.iter().any(|r| r == from)
                        })
                        .map(|(t, _)| t.clone())
                        .collect();
                    if self.roles.iter().any(|r| r == from) {
                        pool.push(from.to_string());
                    }
                    pool
                }
                ["forward", _] => self.injects.clone(),
                ["ask"] => {
                    let mut pool: Vec<String> =
                        (1..=self.questions).map(|n| n.to_string()).collect();
                    pool.extend(self.roles.iter().cloned());
                    pool
                }
                ["ask", role] if self.roles.iter().any(|r| r == role) => {
                    self.characters.iter().map(|(c, _)| c.clone()).collect()
                }
                ["as"] => self.characters.iter().map(|(c, _)| c.clone()).collect(),
                ["as", _] => self.roles.clone(),
                ["as", character, _] => self
                    .characters
                    .iter()
                    .find(|(c, _)| c == character)
                    .map(|(_, replies)| replies.clone())
                    .unwrap_or_default(),
                ["decide", role] => self
                    .decisions
                    .iter()
                    .filter(|(_, by)| by.iter().any(|r| r == role))
                    .map(|(id, _)| id.clone())
                    .collect(),
                ["decide", _, decision] => {
                    let mut pool: Vec<String> = self
                        .options
                        .iter()
                        .find(|(id, _)| id == decision)
                        .map(|(_, o)| o.clone())
                        .unwrap_or_default();
                    pool.extend(list(&["low", "medium", "high", "re=", "by="]));
                    pool
                }
                ["decide", _, _, ..] => list(&["low", "medium", "high", "re=", "by="]),
                ["action", _] => list(&["by="]),
                ["present" | "absent"] => self.people.clone(),
                ["present", _] => self.roles.clone(),
                ["rate"] => self.objectives.clone(),
                ["open"] => self.modules.clone(),
                ["rate", _] => list(&["P", "S", "M", "U"]),
                ["answer"] => (1..=self.questions).map(|n| n.to_string()).collect(),
                ["follow"] => list(&["1x", "2x", "10x", "off"]),
                ["truth"] => list(&["on", "off"]),
                _ => Vec::new(),
            }
        };
        let candidates = pool
            .into_iter()
            .filter(|w| w.starts_with(word))
            .map(|w| if w.ends_with('=') { w } else { format!("{w} ") })
            .collect();
        (start, candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Command {
        parse(line).unwrap().unwrap()
    }

    #[test]
    fn every_command_word_parses_or_explains_itself() {
        for word in WORDS {
            // Either a command, or a refusal saying how to write it: never a panic.
            match parse(word) {
                Ok(Some(_)) => {}
                Ok(None) => panic!("`{word}` parsed as nothing"),
                Err(e) => assert!(e.contains(word) || e.contains("follow"), "{word}: {e}"),
            }
        }
        assert_eq!(parse("  # a comment").unwrap(), None);
    }

    #[test]
    fn decide_takes_its_options_in_any_order() {
        let Command::Decide(d) =
            parsed("decide ic declare_incident by=priya-nair high re=spike : fraud first")
        else {
            panic!()
        };
        assert_eq!(d.role, "ic");
        assert_eq!(d.participant.as_deref(), Some("priya-nair"));
        assert_eq!(d.prompted_by.as_deref(), Some("spike"));
        assert_eq!(d.confidence, Some(Confidence::High));
        assert_eq!(d.rationale.as_deref(), Some("fraud first"));
        // One bare word is the option (the engine checks it); a second is refused.
        let Command::Decide(d) = parsed("decide ic ransom refuse high") else {
            panic!()
        };
        assert_eq!(d.option.as_deref(), Some("refuse"));
        assert_eq!(d.confidence, Some(Confidence::High));
        let bad = parse("decide ic declare_incident loud louder").unwrap_err();
        assert!(bad.contains("`louder` is not understood"), "{bad}");
    }

    #[test]
    fn a_misspelt_command_gets_a_suggestion() {
        let e = parse("decdie ic x").unwrap_err();
        assert!(e.contains("did you mean `decide`"), "{e}");
    }

    #[test]
    fn hot_wash_roll_call_and_answers_parse() {
        assert_eq!(
            parsed("improve : the status page took 40 minutes"),
            Command::Improve(Improvement::text("the status page took 40 minutes"))
        );
        assert_eq!(
            parsed("improve the pager was slow"),
            Command::Improve(Improvement::text("the pager was slow"))
        );
        assert_eq!(
            parsed(
                "improve comms objective=communicate : the holding statement took 40 minutes => pre-approve a holding statement"
            ),
            Command::Improve(Improvement {
                text: "the holding statement took 40 minutes".into(),
                owner: Some("comms".into()),
                action: Some("pre-approve a holding statement".into()),
                objective: Some("communicate".into()),
                re: None,
            })
        );
        assert!(
            parse("improve comms legal : x")
                .unwrap_err()
                .contains("one owner")
        );
        assert!(parse("improve").unwrap_err().contains("improve OWNER"));
        assert_eq!(
            parsed("present priya-nair ic"),
            Command::Present {
                person: "priya-nair".into(),
                role: Some("ic".into())
            }
        );
        assert_eq!(
            parsed("answer 2 : legal first"),
            Command::Answer {
                question: 2,
                text: "legal first".into()
            }
        );
        assert!(parse("answer two : x").is_err());
    }
}
