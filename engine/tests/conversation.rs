//! The room's conversation on the record (issue 25, channels and messages): what each
//! audience reads of the war room, direct messages and private lines; a forward that
//! makes an inject seen; what the engine refuses; and a journal of messages that replays.
//! The shipped payments scenario (seed 7) and Acme's roster, driven through the console's
//! command layer.

mod support;

use std::path::{Path, PathBuf};

use support::{ok, read_by, refused};
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::channel::Message;
use ttx_engine::exercise::command::Command;
use ttx_engine::exercise::event::Event;
use ttx_engine::exercise::facilitation::{Facilitation, Verdict};
use ttx_engine::exercise::journal::{self};
use ttx_engine::exercise::session::{self};
use ttx_engine::exercise::state::Compiled;
use ttx_engine::exercise::view::{self, Audience, SeenKind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compiled() -> &'static Compiled {
    let loaded = load::load_file::<Scenario>(
        FileKind::Scenario,
        &root().join("scenarios/payments-credential-leak.yaml"),
        4 << 20,
    )
    .unwrap();
    Box::leak(Box::new(Compiled::new(loaded).unwrap()))
}

fn start(name: &str) -> (Facilitation<'static>, PathBuf, &'static Compiled) {
    let c = compiled();
    let roster = load::load_file::<Roster>(
        FileKind::Roster,
        &root().join("examples/acme/roster.yaml"),
        4 << 20,
    )
    .unwrap()
    .value;
    let (f, path) = support::facilitate(c, "conversation", name, 7, Some(roster));
    (f, path, c)
}

#[test]
fn each_audience_reads_its_channels_and_nothing_else() {
    let (mut f, path, c) = start("visibility");
    ok(
        &mut f,
        "say oncall war by=raj-patel : seeing refund errors on the dashboard",
    );
    ok(
        &mut f,
        "dm ic comms : hold every statement until legal has seen it",
    );
    ok(
        &mut f,
        "private legal : is the 72-hour clock already running?",
    );
    ok(&mut f, "reply legal : not until the incident is declared");
    let war = "seeing refund errors on the dashboard";
    let dm = "hold every statement until legal has seen it";
    let line = "is the 72-hour clock already running?";
    let answer = "not until the incident is declared";
    let roles: Vec<String> = c.scenario().roles.keys().map(|k| k.to_string()).collect();
    for role in &roles {
        let read = read_by(&f, c, Audience::Role(role.clone()));
        let reads = |t: &str| read.iter().any(|r| r == t);
        assert!(reads(war), "{role} reads the war room");
        assert_eq!(
            reads(dm),
            role == "ic" || role == "comms",
            "{role} and the direct message"
        );
        assert_eq!(
            reads(line),
            role == "legal",
            "{role} and legal's private line"
        );
        assert_eq!(
            reads(answer),
            role == "legal",
            "{role} and the facilitator's answer"
        );
    }
    let observer = read_by(&f, c, Audience::Observer);
    assert!(observer.iter().any(|t| t == war));
    assert!(!observer.iter().any(|t| t == dm || t == line || t == answer));
    let room = read_by(&f, c, Audience::Room);
    assert!(
        !room
            .iter()
            .any(|t| [war, dm, line, answer].contains(&t.as_str()))
    );
    // Who spoke, as each party reads it.
    let ic = view::seen_by(
        f.exercise().log(),
        c.scenario(),
        Audience::Role("comms".into()),
    );
    let said = ic.iter().find(|s| s.text == dm).unwrap();
    assert!(matches!(&said.kind, SeenKind::Said { from, .. } if from == "ic"));
    assert_eq!(
        said.to_string().split_once("] ").unwrap().1,
        format!("ic to comms: {dm}")
    );
    // On the record, and replayed as it was.
    let lines = journal::read(&path).unwrap().lines;
    let messages = lines
        .iter()
        .filter(|l| matches!(l.event, Event::Message(_)))
        .count();
    assert_eq!(messages, 4);
    let (_, missing) = session::rebuild(c, &lines, &path).unwrap();
    assert!(missing.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(
            r#""type":"message","from":"oncall","participant":"raj-patel","channel":"war""#
        ),
        "{text}"
    );
    assert!(text.contains(r#""channel":"dm:comms+ic""#), "{text}");
}

#[test]
fn a_forward_makes_the_inject_seen_by_its_recipient() {
    // support-tickets reaches pm at 12m; processor-says-fine reaches oncall at 15m and
    // contradicts it. Oncall is told of the contradiction only if pm forwarded the tickets.
    let conflicts = |forward: bool| {
        let (mut f, _, c) = start(if forward { "forward" } else { "no-forward" });
        ok(&mut f, "advance 13m");
        if forward {
            ok(
                &mut f,
                "forward pm support-tickets oncall : are these yours?",
            );
        }
        ok(&mut f, "advance 3m");
        let oncall = view::seen_by(
            f.exercise().log(),
            c.scenario(),
            Audience::Role("oncall".into()),
        );
        let tickets = oncall.iter().find(|s| {
            matches!(&s.kind, SeenKind::Said { forward: true, re: Some(i), .. } if i == "support-tickets")
        });
        assert_eq!(tickets.is_some(), forward);
        if let Some(t) = tickets {
            assert!(
                matches!(&t.kind, SeenKind::Said { quote: Some(q), .. } if q.contains("refunds they never asked for")),
                "{t:?}"
            );
        }
        oncall
            .iter()
            .find_map(|s| match &s.kind {
                SeenKind::Inject {
                    inject,
                    conflicts_with,
                    ..
                } if inject == "processor-says-fine" => Some(conflicts_with.clone()),
                _ => None,
            })
            .expect("the status page reached oncall")
    };
    assert_eq!(conflicts(true), ["support-tickets"]);
    assert!(conflicts(false).is_empty());
}

#[test]
fn what_cannot_be_said_is_refused_with_the_reason() {
    let (mut f, path, _) = start("refusals");
    let before = journal::read(&path).unwrap().lines.len();
    assert!(refused(&mut f, "forward oncall support-tickets ic").contains("has not seen"));
    // What no console line can say but a front end might send.
    let say = |from: &str, channel: &str| {
        Command::Say(Message {
            from: from.into(),
            participant: None,
            channel: channel.parse().unwrap(),
            text: "psst".into(),
            re: None,
            forward: false,
            ..Default::default()
        })
    };
    let why = |r: ttx_engine::exercise::facilitation::Response| match r.verdict {
        Verdict::Refused(why) => why,
        other => panic!("not refused: {other:?}"),
    };
    assert!(why(f.execute(say("legal", "dm:comms+ic"))).contains("said by one of them"));
    assert!(why(f.execute(say("pm", "private:legal"))).contains("private line of legal"));
    assert!(why(f.execute(say("white", "dm:comms+ic"))).contains("private line"));
    assert!(refused(&mut f, "say ic lobby : hi").contains("war room"));
    assert!(refused(&mut f, "dm ic comsm : hi").contains("did you mean `comms`"));
    assert!(refused(&mut f, "say ic war re=spkie : hi").contains("did you mean `spike`"));
    assert!(refused(&mut f, "say ic war re=#1 : hi").contains("no message #1"));
    assert!(refused(&mut f, "dm ic comms").contains("write it as `dm FROM TO"));
    let long = "x".repeat(4097);
    assert!(refused(&mut f, &format!("say ic war : {long}")).contains("at most 4096 bytes"));
    assert_eq!(
        journal::read(&path).unwrap().lines.len(),
        before,
        "nothing refused is journaled"
    );
    // An answer to a message names it by its place in the journal.
    ok(&mut f, "say ic war : who owns the refund service?");
    let seq = journal::read(&path).unwrap().lines.len() - 1;
    ok(
        &mut f,
        &format!("say pm war re=#{seq} : payments platform team"),
    );
}
