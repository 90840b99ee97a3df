//! Characters who answer (issue 25, part 2): a role asks a character of the scenario, the
//! facilitator is offered the scripted replies whose conditions hold and answers as the
//! character (a reply as written, edited, or in their own words); an automatic reply goes
//! out by itself; a reply may reveal a fact; the conversation is the asking role's and the
//! facilitator's alone; and a journal of it replays byte for byte.

mod support;

use support::{ok, refused};
use ttx_engine::exercise::caller::Caller;
use ttx_engine::exercise::channel::{Channel, Message};
use ttx_engine::exercise::command::Command;
use ttx_engine::exercise::event::Event;
use ttx_engine::exercise::facilitation::{Facilitation, Shown};
use ttx_engine::exercise::state::{Compiled, Exercise};
use ttx_engine::exercise::view::{self, Audience};

const SCENARIO: &str = r#"
id: outage
title: Outage
version: 1.0.0
summary: Checkout is down.
duration: 1h
roles:
  oncall: {title: On-call}
  legal: {title: Legal}
  ic: {title: IC}
objectives:
  - {id: restore, text: Restore, capability: recovery}
facts:
  bad-deploy: {text: "The 14:02 deploy changed the connection pool size"}
setup: |
  state.breach = false;
characters:
  counsel:
    name: Priya Raman
    organisation: Hart & Lowe
    via: call
    reliability: B
    replies:
      - id: no-breach
        keywords: [hours, deadline]
        text: "No personal data is involved, so there is no notification deadline."
      - id: window
        when: state.breach
        keywords: [hours]
        text: "72 hours from awareness."
      - id: later
        at: 30m
        text: "Call me back after the board meeting."
  teammate:
    name: Sam (last deploy)
    reliability: C
    replies:
      - id: deploy
        auto: true
        keywords: [deploy, change]
        after: alert
        text: "I pushed the pool change at 14:02."
        reveals: [{fact: bad-deploy, chance: 1.0}]
injects:
  - {id: alert, at: 0m, to: [oncall], text: "Checkout 5xx at 40%"}
  - {id: letter, at: 5m, to: [legal], from: counsel, text: "Please keep me posted."}
decisions:
  rollback: {by: [oncall]}
"#;

fn compiled() -> &'static Compiled {
    support::compiled_from(SCENARIO)
}

fn start(name: &str) -> (Facilitation<'static>, std::path::PathBuf, &'static Compiled) {
    let c = compiled();
    let (f, path) = support::facilitate(c, "characters", name, 3, None);
    (f, path, c)
}

fn messages(f: &Facilitation<'_>) -> Vec<Message> {
    f.exercise()
        .log()
        .iter()
        .filter_map(|t| match &t.event {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

fn texts(r: &ttx_engine::exercise::facilitation::Response) -> String {
    r.shown
        .iter()
        .map(|s| match s {
            Shown::Text(t) | Shown::Notice(t) | Shown::Event(_, t) => t.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_facilitator_is_offered_the_replies_that_hold_and_answers_as_the_character() {
    let (mut f, _, _) = start("offered");
    let asked = texts(&ok(
        &mut f,
        "ask legal counsel : how many hours do we have?",
    ));
    // The facilitator's screen offers what may be sent, at once.
    assert!(
        asked.contains("legal asks counsel: how many hours do we have?"),
        "{asked}"
    );
    assert!(
        asked.contains("`as counsel legal no-breach`: No personal data"),
        "{asked}"
    );
    let listed = texts(&ok(&mut f, "replies"));
    assert!(
        listed.contains("legal asks Priya Raman (counsel): how many hours do we have?"),
        "{listed}"
    );
    // `window` waits for a breach and `later` for 30m: neither is offered.
    assert!(listed.contains("`as counsel legal no-breach`"), "{listed}");
    assert!(
        !listed.contains("window") && !listed.contains("later"),
        "{listed}"
    );
    let why = refused(&mut f, "as counsel legal window");
    assert!(why.contains("`window` is not offered now"), "{why}");
    let why = refused(&mut f, "as counsel legal windw");
    assert!(why.contains("did you mean `window`?"), "{why}");
    ok(&mut f, "as counsel legal no-breach");
    let answer = messages(&f).pop().unwrap();
    assert_eq!(answer.from, "counsel");
    assert_eq!(
        answer.channel,
        Channel::Character("counsel".into(), "legal".into())
    );
    assert_eq!(
        answer.text,
        "No personal data is involved, so there is no notification deadline."
    );
    assert_eq!(answer.reliability.as_deref(), Some("B"));
    assert!(!answer.auto);
    assert!(texts(&ok(&mut f, "replies")).contains("no question to a character is waiting"));
    // Edited, or in the facilitator's own words.
    ok(&mut f, "ask legal counsel : and if it were?");
    ok(
        &mut f,
        "as counsel legal no-breach : If it were, 72 hours; I will confirm in writing.",
    );
    assert_eq!(
        messages(&f).pop().unwrap().text,
        "If it were, 72 hours; I will confirm in writing."
    );
    ok(&mut f, "as counsel legal : Let me check with a colleague.");
    let why = refused(&mut f, "ask legal journalist : anything?");
    assert!(why.contains("no character `journalist`"), "{why}");
    // Time brings `later` in.
    ok(&mut f, "advance 30m");
    ok(&mut f, "ask legal counsel : can we talk now?");
    assert!(texts(&ok(&mut f, "replies")).contains("`as counsel legal later`"));
}

#[test]
fn an_automatic_reply_goes_out_by_itself_reveals_its_fact_and_replays() {
    let (mut f, path, c) = start("automatic");
    // Not about the deploy: no automatic reply, the question waits for the facilitator.
    ok(&mut f, "ask oncall teammate : are you around?");
    assert_eq!(messages(&f).len(), 1);
    ok(&mut f, "ask oncall teammate : did anything deploy today?");
    let said = messages(&f);
    let reply = said.last().unwrap();
    assert!(reply.auto, "{reply:?}");
    assert_eq!(reply.text, "I pushed the pool change at 14:02.");
    assert_eq!(reply.reply.as_deref(), Some("deploy"));
    let asked = f
        .exercise()
        .log()
        .iter()
        .rposition(|t| matches!(&t.event, Event::Message(m) if !m.auto))
        .unwrap();
    assert_eq!(reply.re.as_deref(), Some(format!("#{asked}").as_str()));
    let revealed = f.exercise().log().iter().any(|t| {
        matches!(&t.event, Event::Reveal { fact, to, decision, .. }
            if fact == "bad-deploy" && to == "oncall" && decision == "teammate:deploy")
    });
    assert!(
        revealed,
        "the reply reveals the fact to the role that asked"
    );
    // An automatic reply is the engine's: never taken as an input.
    let forged = Event::Message(Message {
        auto: true,
        ..reply.clone()
    });
    let (mut fresh, _) = Exercise::start(c, 3, support::files("s.yaml"));
    let why = fresh.apply(forged).unwrap_err().to_string();
    assert!(why.contains("the engine's to send"), "{why}");
    // The journal replays to the same events.
    support::replays_the_same(c, &path, &f);
}

#[test]
fn a_conversation_with_a_character_is_the_asking_roles_and_the_facilitators() {
    let (mut f, _, c) = start("visibility");
    ok(&mut f, "ask legal counsel : is there a deadline?");
    ok(&mut f, "as counsel legal no-breach");
    let log = f.exercise().log();
    let read = |a: Audience| -> Vec<String> {
        view::seen_by(log, c.scenario(), a)
            .into_iter()
            .map(|s| s.text)
            .collect()
    };
    let legal = read(Audience::Role("legal".into()));
    assert!(
        legal.iter().any(|t| t == "is there a deadline?"),
        "{legal:?}"
    );
    assert!(
        legal.iter().any(|t| t.starts_with("No personal data")),
        "{legal:?}"
    );
    for other in [
        Audience::Role("ic".into()),
        Audience::Role("oncall".into()),
        Audience::Observer,
        Audience::Room,
    ] {
        let seen = read(other.clone());
        assert!(
            !seen
                .iter()
                .any(|t| t.contains("deadline") || t.starts_with("No personal data")),
            "{other:?} read {seen:?}"
        );
    }
    // A role's link asks as itself and never answers as the character.
    let as_counsel = Command::Say(Message {
        from: "counsel".into(),
        participant: None,
        channel: Channel::Character("counsel".into(), "legal".into()),
        text: "72 hours".into(),
        re: None,
        forward: false,
        reply: None,
        reliability: None,
        auto: false,
    });
    let why = Caller::Role("legal".into())
        .permit(log, as_counsel)
        .unwrap_err();
    assert!(why.reason.contains("speaks as legal"), "{}", why.reason);
}

#[test]
fn an_inject_from_a_character_carries_their_name_and_reliability() {
    let (mut f, _, _) = start("from");
    ok(&mut f, "advance 5m");
    let letter = f.exercise().log().iter().find_map(|t| match &t.event {
        Event::Deliver {
            inject,
            source,
            reliability,
            ..
        } if inject == "letter" => Some((source.clone(), reliability.clone())),
        _ => None,
    });
    assert_eq!(
        letter,
        Some((Some("Priya Raman, Hart & Lowe".into()), Some("B".into())))
    );
}
