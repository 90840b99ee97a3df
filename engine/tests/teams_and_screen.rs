//! Team channels, the room's screen and quoted answers (issue 25): a team's channel is
//! read by its roles and the observer and by no other role; a role's own players have
//! `team:ROLE`; only members and the facilitator speak in it; the room's screen shows a
//! message only when the facilitator puts it there, and then every role has what it
//! quotes; an answer to `#N` quotes message N to a reader who read it, and to nobody else.

mod support;

use support::{ok, read_by, refused};
use ttx_engine::assessment::knowledge::{How, Knowledge};
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::authoring::{check, load};
use ttx_engine::exercise::caller::{Caller, Denial};
use ttx_engine::exercise::command::{Command, Vocabulary};
use ttx_engine::exercise::event::Event;
use ttx_engine::exercise::facilitation::Facilitation;
use ttx_engine::exercise::state::Compiled;
use ttx_engine::exercise::view::{self, Audience, SeenKind};

const SCENARIO: &str = r#"
id: teams
title: Teams
version: 1.0.0
summary: Checkout is down.
duration: 1h
roles:
  oncall: {title: On-call}
  ic: {title: IC}
  comms: {title: Comms}
  legal: {title: Legal}
teams:
  tech: {name: Technical responders, roles: [oncall, ic]}
  business: {name: Business side, roles: [comms, legal]}
objectives:
  - {id: restore, text: Restore, capability: recovery}
injects:
  - {id: alert, at: 0m, to: [oncall], text: "Checkout 5xx at 40%"}
"#;

fn start(name: &str) -> (Facilitation<'static>, std::path::PathBuf, &'static Compiled) {
    let c = support::compiled_from(SCENARIO);
    let (f, path) = support::facilitate(c, "teams", name, 3, None);
    (f, path, c)
}

/// The journal place (`#N`) of the message saying `text`.
fn seq_of(f: &Facilitation<'_>, text: &str) -> usize {
    f.exercise()
        .log()
        .iter()
        .position(|t| matches!(&t.event, Event::Message(m) if m.text == text))
        .unwrap()
}

#[test]
fn a_team_channel_is_read_by_its_roles_and_the_observer_only() {
    let (mut f, _, c) = start("reach");
    ok(&mut f, "say oncall team tech : the pool is exhausted");
    ok(&mut f, "say legal team business : no personal data so far");
    ok(
        &mut f,
        "say ic team ic : I take the bridge call, you watch the queue",
    );
    let tech = "the pool is exhausted".to_string();
    let business = "no personal data so far".to_string();
    let own = "I take the bridge call, you watch the queue".to_string();
    let ic = read_by(&f, c, Audience::Role("ic".into()));
    assert!(ic.contains(&tech) && ic.contains(&own) && !ic.contains(&business));
    let comms = read_by(&f, c, Audience::Role("comms".into()));
    assert!(comms.contains(&business) && !comms.contains(&tech) && !comms.contains(&own));
    let oncall = read_by(&f, c, Audience::Role("oncall".into()));
    assert!(oncall.contains(&tech) && !oncall.contains(&own));
    let observer = read_by(&f, c, Audience::Observer);
    assert!(observer.contains(&tech) && observer.contains(&business));
    assert!(read_by(&f, c, Audience::Room).is_empty());
    // The reader is told where it was said, by the team's name.
    let seen = view::seen_by(
        f.exercise().log(),
        c.scenario(),
        Audience::Role("ic".into()),
    );
    assert!(seen.iter().any(|s| matches!(&s.kind,
        SeenKind::Said { place, .. } if place == "team channel (Technical responders)")));
}

#[test]
fn only_a_team_s_roles_and_the_facilitator_speak_in_its_channel() {
    let (mut f, _, _) = start("refused");
    let why = refused(&mut f, "say comms team tech : can I listen in?");
    assert!(
        why.contains("comms is not in team tech; its channel is for oncall, ic"),
        "{why}"
    );
    let why = refused(&mut f, "say ic team tehc : typo");
    assert!(
        why.contains("team `tehc`") && why.contains("did you mean `tech`"),
        "{why}"
    );
    // A role's own players' channel is that role's alone.
    let why = refused(&mut f, "say oncall team ic : hello");
    assert!(why.contains("oncall is not in team ic"), "{why}");
    ok(
        &mut f,
        "say white team business : statement draft due at 10:30",
    );
}

#[test]
fn the_console_completes_a_speaker_s_teams() {
    let c = support::compiled_from(SCENARIO);
    let v = Vocabulary::new(c.scenario(), None);
    let (_, words) = v.complete("say legal ", 10);
    assert!(words.iter().any(|w| w.trim() == "team"), "{words:?}");
    let (_, teams) = v.complete("say legal team ", 15);
    let teams: Vec<&str> = teams.iter().map(|t| t.trim()).collect();
    assert_eq!(teams, ["business", "legal"]);
}

#[test]
fn a_scenario_s_teams_are_checked() {
    let bad = SCENARIO.replace(
        "business: {name: Business side, roles: [comms, legal]}",
        "business: {name: Business side, roles: [comms, lgeal, comms]}\n  ic: {name: Clash, roles: [ic]}",
    );
    let loaded =
        load::load_source::<Scenario>(FileKind::Scenario, SourceFile::new("s.yaml", &bad)).unwrap();
    let ctx = check::scenario::Context {
        architecture: None,
        roster: None,
        runbooks: None,
    };
    let text = check::scenario::check(&loaded, ctx, &ttx_engine::authoring::script::sandbox())
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("undefined role `lgeal`"), "{text}");
    assert!(text.contains("duplicate role id `comms`"), "{text}");
    assert!(text.contains("team `ic` has the name of a role"), "{text}");
}

#[test]
fn the_room_screen_shows_a_message_only_once_the_facilitator_puts_it_there() {
    let (mut f, path, c) = start("screen");
    ok(
        &mut f,
        "dm oncall ic re=alert : 5xx is the pool, not the CDN",
    );
    let n = seq_of(&f, "5xx is the pool, not the CDN");
    assert!(read_by(&f, c, Audience::Room).is_empty());
    assert!(
        !read_by(&f, c, Audience::Role("comms".into()))
            .contains(&"5xx is the pool, not the CDN".into())
    );
    // A role's link may not put anything on the screen.
    let log = f.exercise().log();
    let denied = Caller::Role("oncall".into())
        .permit(log, Command::Screen(n))
        .unwrap_err();
    assert_eq!(denied.denial, Denial::Forbidden);
    let why = refused(&mut f, "screen 0");
    assert!(why.contains("no message #0 to put on the screen"), "{why}");
    ok(&mut f, &format!("screen #{n}"));
    let room = view::seen_by(f.exercise().log(), c.scenario(), Audience::Room);
    let shown = room.last().unwrap();
    assert_eq!(shown.text, "5xx is the pool, not the CDN");
    assert!(matches!(&shown.kind, SeenKind::Said { place, .. } if place == "on the room screen"));
    // Every role has what it quoted from then on, comms by the screen.
    let roles = ["oncall", "ic", "comms", "legal"];
    let k = Knowledge::of(f.exercise().log(), &roles, &c.scenario().teams);
    assert_eq!(
        k.of_role("alert", "comms").unwrap().how,
        How::Quoted {
            from: "oncall".into()
        }
    );
    // The screen is an input of the journal: it replays to the same events.
    support::replays_the_same(c, &path, &f);
}

#[test]
fn an_answer_quotes_the_message_it_answers_to_a_reader_who_read_it() {
    let (mut f, _, c) = start("quote");
    ok(&mut f, "say oncall team tech : is the CDN alert related?");
    let n = seq_of(&f, "is the CDN alert related?");
    ok(
        &mut f,
        &format!("say ic war re=#{n} : not related, the CDN is green"),
    );
    let quote_for = |audience: Audience| {
        view::seen_by(f.exercise().log(), c.scenario(), audience)
            .into_iter()
            .find_map(|s| match s.kind {
                SeenKind::Said { quote, .. } if s.text == "not related, the CDN is green" => {
                    Some(quote)
                }
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(
        quote_for(Audience::Role("oncall".into())).as_deref(),
        Some("oncall: is the CDN alert related?")
    );
    // Comms reads the war room but not the technical team's channel: no quote.
    assert_eq!(quote_for(Audience::Role("comms".into())), None);
    // An answer about an inject quotes it to a role it reached, not to others.
    ok(&mut f, "say oncall war re=alert : this is what we see");
    let inject_quote = |role: &str| {
        view::seen_by(
            f.exercise().log(),
            c.scenario(),
            Audience::Role(role.into()),
        )
        .into_iter()
        .find_map(|s| match s.kind {
            SeenKind::Said { quote, .. } if s.text == "this is what we see" => Some(quote),
            _ => None,
        })
        .unwrap()
    };
    assert_eq!(
        inject_quote("oncall").as_deref(),
        Some("Checkout 5xx at 40%")
    );
    assert_eq!(inject_quote("legal"), None);
}
