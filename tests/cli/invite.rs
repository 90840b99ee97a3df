//! `ttx invite` (issue 28, invitations): an iCalendar event and an e-mail per person the
//! roster assigns to the scenario's roles, read back with real parsers (the `icalendar`
//! crate's RFC 5545 parser and `mail-parser`), carrying each person's join link and none
//! of the scenario's secrets, byte for byte the same when written again.

use std::path::Path;

use mail_parser::MimeHeaders;

use crate::program::copy_of_history;
use crate::support::Ttx;

const SCENARIO: &str = "../../scenarios/payments-credential-leak.yaml";

fn invite(acme: &Path, out: &str, extra: &[&str]) -> crate::support::Output {
    let mut args = vec![
        "invite",
        SCENARIO,
        "--at",
        "2026-12-10T15:00:00+01:00",
        "--from",
        "Dana Okafor <dana.okafor@acme.example>",
        "-o",
        out,
    ];
    args.extend_from_slice(extra);
    Ttx::new()
        .cwd(acme)
        .env("TTX_NOW", "2026-12-01T09:00:00Z")
        .args(args)
        .run()
}

/// One property of an event: its name, its parameters (key, value), its value.
type Prop = (String, Vec<(String, String)>, String);

/// The properties of the one event of an iCalendar file.
fn event(ics: &str) -> Vec<Prop> {
    let unfolded = icalendar::parser::unfold(ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("RFC 5545");
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name == "METHOD")
        .map(|p| p.val.to_string());
    assert_eq!(method.as_deref(), Some("REQUEST"));
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 1);
    events[0]
        .properties
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.params
                    .iter()
                    .map(|q| {
                        (
                            q.key.to_string(),
                            q.val.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                        )
                    })
                    .collect(),
                p.val.to_string(),
            )
        })
        .collect()
}

fn value(props: &[Prop], name: &str) -> String {
    props
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, _, v)| v.clone())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn every_player_gets_an_event_and_an_email_with_their_link_and_no_secret() {
    let acme = copy_of_history("invite");
    std::fs::write(
        acme.join("links.json"),
        r#"{"facilitator": {"url": "http://127.0.0.1:7878/join/F", "token": "F"},
            "observer": {"url": "http://127.0.0.1:7878/join/O", "token": "O"},
            "room": {"url": "http://127.0.0.1:7878/join/R", "token": "R"},
            "roles": {"oncall": {"url": "http://127.0.0.1:7878/join/ONCALL", "token": "ONCALL"}},
            "people": {"raj-patel": {"url": "http://127.0.0.1:7878/join/RAJ", "token": "RAJ"}}}"#,
    )
    .unwrap();
    invite(
        &acme,
        "invitations",
        &["--links", "links.json", "--observer", "lucia-romero"],
    )
    .code(0)
    .stderr_has("wrote 9 invitation(s) and 9 e-mail(s) to invitations");
    let dir = acme.join("invitations");
    let scenario = std::fs::read_to_string(acme.join(SCENARIO)).unwrap();
    let loaded: serde_json::Value = {
        // The scenario's secrets: its summary and every inject's and fact's text.
        let doc: serde_json::Value = serde_json::to_value(
            ttx_engine::authoring::load::load_source::<
                ttx_engine::authoring::model::scenario::Scenario,
            >(
                ttx_engine::authoring::schema::FileKind::Scenario,
                ttx_engine::authoring::source::SourceFile::new("s.yaml", scenario),
            )
            .unwrap()
            .value,
        )
        .unwrap();
        doc
    };
    let mut secrets: Vec<String> = vec![loaded["summary"].as_str().unwrap().trim().to_string()];
    for i in loaded["injects"].as_array().unwrap() {
        secrets.push(i["text"].as_str().unwrap().to_string());
    }
    for f in loaded["facts"].as_object().unwrap().values() {
        secrets.push(f["text"].as_str().unwrap().to_string());
    }
    for (person, role, link) in [
        (
            "raj-patel",
            "On-call engineer (payments)",
            "http://127.0.0.1:7878/join/RAJ",
        ),
        (
            "chloe-martin",
            "On-call engineer (payments)",
            "http://127.0.0.1:7878/join/ONCALL",
        ),
        ("lucia-romero", "Observer", "http://127.0.0.1:7878/join/O"),
        ("aisha-rahman", "Legal and privacy", ""),
    ] {
        let ics = std::fs::read_to_string(dir.join(format!("{person}.ics"))).unwrap();
        assert!(
            ics.lines().all(|l| l.len() <= 76),
            "lines fold at 75 octets"
        );
        let props = event(&ics);
        assert_eq!(value(&props, "DTSTART"), "20261210T140000Z");
        assert_eq!(
            value(&props, "DTEND"),
            "20261210T163000Z",
            "the scenario's 2h and 30 minutes"
        );
        assert_eq!(
            value(&props, "ORGANIZER"),
            "mailto:dana.okafor@acme.example"
        );
        let attendee = props.iter().find(|(n, _, _)| n == "ATTENDEE").unwrap();
        assert!(attendee.2.ends_with("@acme.example"), "{attendee:?}");
        let description = value(&props, "DESCRIPTION");
        assert!(
            description.contains(&format!("You play: {role}")),
            "{description}"
        );
        if link.is_empty() {
            assert!(description.contains("the facilitator sends it when the exercise starts"));
        } else {
            assert!(description.contains(link), "{description}");
            assert_eq!(value(&props, "URL"), link);
        }
        for secret in &secrets {
            let head: String = secret.chars().take(40).collect();
            assert!(
                !ics.replace("\r\n ", "").contains(&head),
                "{person}'s invitation holds `{head}`"
            );
        }
        // The e-mail, read back.
        let raw = std::fs::read(dir.join(format!("{person}.eml"))).unwrap();
        let mail = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("RFC 5322");
        assert!(
            mail.subject()
                .unwrap()
                .starts_with("Invitation: tabletop exercise, Leaked payments credential")
        );
        let to = mail.to().unwrap().first().unwrap();
        assert!(to.address().unwrap().ends_with("@acme.example"));
        assert_eq!(
            mail.from().unwrap().first().unwrap().address(),
            Some("dana.okafor@acme.example")
        );
        let body = mail.body_text(0).unwrap();
        assert!(body.contains(&format!("You play: {role}")), "{body}");
        let calendar = mail
            .attachments()
            .find(|a| a.is_content_type("text", "calendar"))
            .expect("a text/calendar part");
        let attached = String::from_utf8(calendar.contents().to_vec()).unwrap();
        assert_eq!(value(&event(&attached), "UID"), value(&props, "UID"));
    }
    // Written again, the same bytes: the same invitation updates the same event.
    invite(
        &acme,
        "again",
        &["--links", "links.json", "--observer", "lucia-romero"],
    )
    .code(0);
    for f in std::fs::read_dir(&dir).unwrap() {
        let f = f.unwrap();
        let again = std::fs::read(acme.join("again").join(f.file_name())).unwrap();
        assert!(
            std::fs::read(f.path()).unwrap() == again,
            "{:?} differs",
            f.file_name()
        );
    }
}

#[test]
fn bad_invitations_are_refused_with_the_fix() {
    let acme = copy_of_history("invite-bad");
    Ttx::new()
        .cwd(&acme)
        .args(["invite", SCENARIO, "--at", "next tuesday", "-o", "x"])
        .run()
        .code(2)
        .stderr_has("--at `next tuesday` is not a time; write RFC 3339");
    invite(&acme, "x", &["--observer", "lucia-romer"])
        .code(2)
        .stderr_has("no person `lucia-romer` in the roster; did you mean `lucia-romero`?");
    invite(&acme, "x", &["--duration", "soon"])
        .code(2)
        .stderr_has("--duration `soon` is not a duration");
    assert!(
        !acme.join("x").exists(),
        "nothing is written for a refused invitation"
    );
}
