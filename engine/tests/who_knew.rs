//! Who knew what when (issue 25, part 4): the knowledge each role had from deliveries,
//! reveals, forwards and messages, and the findings read from it. Each finding has a
//! journal that shows it and one that does not; the report's Communication section
//! renders the same table, deterministically.

mod support;

use support::{at, context, decide, files};
use ttx_engine::assessment::assess::{self, Assessment, FindingKind};
use ttx_engine::assessment::knowledge::{How, Knowledge};
use ttx_engine::assessment::report::{self, Format, Inputs};
use ttx_engine::exercise::channel::{Channel, Message};
use ttx_engine::exercise::event::Event;
use ttx_engine::exercise::state::{Compiled, Exercise};

const SCENARIO: &str = r#"
id: leak
title: Leak
version: 1.0.0
summary: A key leaks.
duration: 1h
roles:
  oncall: {title: On-call}
  ic: {title: Incident commander}
  comms: {title: Comms}
objectives:
  - {id: contain, text: Contain, capability: containment}
facts:
  scope: {text: Only the payments key leaked}
injects:
  - {id: scan-hit, at: 5m, to: [oncall], text: "Secret scanning found the payments key in a public fork"}
  - {id: noise, at: 6m, to: [comms], text: "A reporter calls"}
decisions:
  investigate: {by: [oncall], reveals: [{fact: scope, chance: 1.0}]}
  rotate: {by: [ic]}
  statement: {by: [comms]}
expectations:
  - {id: rotate-informed, role: ic, decision: rotate, within: 30m, objective: contain, element: Organization, informed_by: [scan-hit]}
  - {id: statement-scoped, role: comms, decision: statement, within: 50m, objective: contain, element: Planning, informed_by: [scope]}
"#;

fn compiled() -> &'static Compiled {
    support::compiled_from(SCENARIO)
}

fn message(from: &str, channel: Channel, text: &str, re: Option<&str>, forward: bool) -> Event {
    Event::Message(Message {
        from: from.into(),
        participant: None,
        channel,
        text: text.into(),
        re: re.map(str::to_string),
        forward,
        ..Default::default()
    })
}

fn inputs_of() -> Inputs<'static> {
    Inputs {
        lines: &[],
        org: "Acme".into(),
        roster: None,
        names: false,
        runbooks: None,
    }
}

fn end() -> Event {
    Event::End {
        strengths: Vec::new(),
        improvements: Vec::new(),
    }
}

/// Plays the inputs and assesses the exercise.
fn play(inputs: Vec<Event>) -> (Exercise<'static>, Assessment) {
    let (mut ex, _) = Exercise::start(compiled(), 1, files("s.yaml"));
    for input in inputs {
        let what = format!("{input:?}");
        ex.apply(input).unwrap_or_else(|r| panic!("{what}: {r}"));
    }
    let a = assess::assess(&ex, &context());
    (ex, a)
}

fn of_kind(a: &Assessment, kind: FindingKind) -> Vec<&str> {
    a.findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.observation.as_str())
        .collect()
}

#[test]
fn deciding_before_the_alert_reached_you_is_a_finding_and_deciding_after_is_not() {
    let forward = || {
        message(
            "oncall",
            Channel::direct("oncall", "ic"),
            "you need this",
            Some("scan-hit"),
            true,
        )
    };
    // The IC rotates at 8m; the on-call engineer forwards the hit only at 12m.
    let (_, a) = play(vec![
        at(8),
        decide("ic", "rotate", None),
        at(12),
        forward(),
        end(),
    ]);
    let uninformed = of_kind(&a, FindingKind::DecidedUninformed);
    assert_eq!(
        uninformed,
        [
            "The ic role took `rotate` at 0:08:00 before it had `scan-hit`, which the oncall role had had since 0:05:00."
        ]
    );
    let f = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::DecidedUninformed)
        .unwrap();
    assert!(
        f.analysis.contains("reached the ic role only at 0:12:00"),
        "{}",
        f.analysis
    );
    assert_eq!(f.expectation.as_deref(), Some("rotate-informed"));

    // Forwarded at 7m, rotated at 8m: informed, no finding.
    let (_, a) = play(vec![
        at(7),
        forward(),
        at(8),
        decide("ic", "rotate", None),
        end(),
    ]);
    assert!(of_kind(&a, FindingKind::DecidedUninformed).is_empty());
    // Said in the war room (quoting the inject) informs every role just the same.
    let (_, a) = play(vec![
        at(7),
        message(
            "oncall",
            Channel::War,
            "key leaked",
            Some("scan-hit"),
            false,
        ),
        at(8),
        decide("ic", "rotate", None),
        end(),
    ]);
    assert!(of_kind(&a, FindingKind::DecidedUninformed).is_empty());
}

#[test]
fn a_fact_that_stays_with_the_role_that_found_it_is_stuck_information() {
    // On-call uncovers the scope at 10m and tells no one; comms never states anything.
    let (_, a) = play(vec![
        at(10),
        decide("oncall", "investigate", None),
        at(60),
        end(),
    ]);
    // The scan hit stays with on-call too, and the IC never rotates: stuck as well.
    assert_eq!(
        of_kind(&a, FindingKind::StuckInformation),
        [
            "`scan-hit` reached the oncall role at 0:05:00 and never reached the ic role, which needed it for `rotate`.",
            "`scope` reached the oncall role at 0:10:00 and never reached the comms role, which needed it for `statement`.",
        ]
    );
    let stuck = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::StuckInformation)
        .unwrap();
    // The fix belongs to the role that held it.
    assert_eq!(stuck.role.as_deref(), Some("oncall"));

    // Said to comms in a direct message: not stuck.
    let (ex, a) = play(vec![
        at(10),
        decide("oncall", "investigate", None),
        at(12),
        message(
            "oncall",
            Channel::direct("oncall", "comms"),
            "only payments",
            Some("scope"),
            false,
        ),
        at(60),
        end(),
    ]);
    assert!(
        !of_kind(&a, FindingKind::StuckInformation)
            .iter()
            .any(|o| o.contains("`scope`"))
    );
    let roles = ["oncall", "ic", "comms"];
    let k = Knowledge::of(ex.log(), &roles, &Default::default());
    let comms = k.of_role("scope", "comms").unwrap();
    assert_eq!(
        comms.how,
        How::Quoted {
            from: "oncall".into()
        }
    );
    assert_eq!(comms.at.to_string(), "0:12:00");
    assert!(k.of_role("scope", "ic").is_none());
}

#[test]
fn a_direct_question_never_answered_is_a_finding_and_one_answered_is_not() {
    let ask = || {
        message(
            "comms",
            Channel::direct("comms", "ic"),
            "can I say it was only payments?",
            None,
            false,
        )
    };
    let (_, a) = play(vec![at(10), ask(), at(40), end()]);
    let unanswered = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Unanswered)
        .expect("an unanswered finding");
    assert_eq!(unanswered.role.as_deref(), Some("ic"));
    assert!(
        unanswered.analysis.contains("waited 30m"),
        "{}",
        unanswered.analysis
    );

    let (_, a) = play(vec![
        at(10),
        ask(),
        at(14),
        message("ic", Channel::direct("comms", "ic"), "not yet", None, false),
        at(40),
        end(),
    ]);
    assert!(of_kind(&a, FindingKind::Unanswered).is_empty());
    // A statement without a question mark asks nothing; a private line the facilitator
    // leaves unanswered is listed in the report, not made an action item.
    let (_, a) = play(vec![
        at(10),
        message(
            "comms",
            Channel::direct("comms", "ic"),
            "drafting now",
            None,
            false,
        ),
        message(
            "comms",
            Channel::Private("comms".into()),
            "is the reporter real",
            None,
            false,
        ),
        at(40),
        end(),
    ]);
    assert!(of_kind(&a, FindingKind::Unanswered).is_empty());
}

#[test]
fn the_report_shows_the_conversation_the_same_way_every_time() {
    let inputs = || {
        vec![
            at(7),
            message(
                "oncall",
                Channel::direct("oncall", "ic"),
                "you need this",
                Some("scan-hit"),
                true,
            ),
            message("ic", Channel::War, "rotating the key now", None, false),
            message(
                "comms",
                Channel::direct("comms", "ic"),
                "what do we say?",
                None,
                false,
            ),
            at(9),
            decide("ic", "rotate", None),
            at(30),
            end(),
        ]
    };
    let render = || {
        let (ex, a) = play(inputs());
        let r = report::build(&ex, &a, &inputs_of());
        report::render(&r, Format::Md, None).unwrap()
    };
    let md = render();
    assert_eq!(md, render(), "the same journal renders the same report");
    let section = md
        .split("### Communication")
        .nth(1)
        .expect("a Communication section")
        .split("\n## ")
        .next()
        .unwrap();
    for want in [
        "| from | oncall | ic | comms | war room | facilitator |",
        "| oncall |  | 1 (1 forward) |  |  |  |",
        "| ic |  |  |  | 1 |  |",
        "| `scan-hit` (inject) | 0:05:00 (delivered) | 0:07:00 (forwarded by oncall) | — |",
        "| `scan-hit` | oncall | ic | 0:07:00 | 2m | forwarded |",
        "| 0:07:00 | comms | ic | what do we say? | never | 23m |",
    ] {
        assert!(section.contains(want), "missing `{want}` in:\n{section}");
    }
    // Nothing said, but the scenario names what its roles need: the section is there,
    // its matrix empty. (A scenario with neither has none: the golden reports.)
    let (ex, a) = play(vec![at(30), end()]);
    let r = report::build(&ex, &a, &inputs_of());
    let c = r
        .communication
        .expect("this scenario names what roles need");
    assert!(c.matrix.is_empty() && c.questions.is_empty());
    // Only what reached someone has a row: the scan hit, not the scope never uncovered.
    assert_eq!(c.knew.len(), 1, "{:?}", c.knew);
}

#[test]
fn a_fact_is_passed_on_by_saying_it_and_only_once_it_is_known() {
    let (mut ex, _) = Exercise::start(compiled(), 1, files("s.yaml"));
    let quote = || {
        message(
            "oncall",
            Channel::War,
            "only payments",
            Some("scope"),
            false,
        )
    };
    let why = ex.apply(quote()).unwrap_err().to_string();
    assert!(why.contains("no delivered inject `scope`"), "{why}");
    ex.apply(at(10)).unwrap();
    ex.apply(decide("oncall", "investigate", None)).unwrap();
    let why = ex
        .apply(message(
            "oncall",
            Channel::direct("oncall", "ic"),
            "",
            Some("scope"),
            true,
        ))
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("pass it on by saying it, with `re=scope`"),
        "{why}"
    );
    ex.apply(quote()).unwrap();
    // Regression: a direct message built by a front end (not parsed from `dm:A+B`) to
    // the speaker itself was journaled; it is refused.
    let why = ex
        .apply(message(
            "oncall",
            Channel::direct("oncall", "oncall"),
            "me",
            None,
            false,
        ))
        .unwrap_err()
        .to_string();
    assert!(why.contains("cannot message itself"), "{why}");
}
