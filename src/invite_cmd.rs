//! `ttx invite SCENARIO --at WHEN -o DIR`: for every person the roster assigns to a role of
//! the scenario (and the observers named), an iCalendar invitation (`PERSON.ics`) and a
//! ready e-mail carrying it (`PERSON.eml`), with their join link when the exercise was
//! started with `ttx serve --links FILE`. The engine says who is invited and what an
//! invitation may say ([`invitation`]); this writes the files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::jiff::Timestamp;
use ttx_engine::program::invitation::{self, Invitee, Meeting};

use crate::exit::Exit;

/// `ttx invite`'s arguments.
#[derive(clap::Args)]
pub struct InviteArgs {
    /// The scenario to invite to.
    pub scenario: PathBuf,
    /// When it starts, RFC 3339: `2026-12-10T14:00:00Z` or `2026-12-10T15:00:00+01:00`.
    #[arg(long)]
    pub at: String,
    /// How long to book: `90m`, `2h` (default: the scenario's duration plus 30 minutes
    /// for the briefing and the hot wash).
    #[arg(long)]
    pub duration: Option<String>,
    /// The join links `ttx serve --links FILE` wrote: each person gets theirs (or their
    /// role's); without it, the message says the facilitator sends the link.
    #[arg(long)]
    pub links: Option<PathBuf>,
    /// Invite this roster person as an observer too (repeat for several).
    #[arg(long = "observer", value_name = "PERSON")]
    pub observers: Vec<String>,
    /// The facilitator's address the invitations come from.
    #[arg(long, default_value = "facilitator@example.invalid")]
    pub from: String,
    /// The folder to write the files in.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

fn fail(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}

/// Writes the invitations.
pub fn run(args: InviteArgs) -> Exit {
    let start: Timestamp = match args.at.parse() {
        Ok(t) => t,
        Err(_) => {
            return fail(format!(
                "--at `{}` is not a time; write RFC 3339, e.g. 2026-12-10T14:00:00Z",
                args.at
            ));
        }
    };
    let from: Mailbox = match args.from.parse() {
        Ok(m) => m,
        Err(e) => {
            return fail(format!(
                "--from `{}` is not an address ({e}); write `name@example.org` or `Name <name@example.org>`",
                args.from
            ));
        }
    };
    let loaded = match crate::validate_cmd::valid_scenario(&args.scenario, "to invite to it") {
        Ok(l) => l,
        Err(code) => return code,
    };
    let s = &loaded.value;
    let duration = match &args.duration {
        Some(d) => match d.parse::<SimDuration>() {
            Ok(d) if d.as_secs() > 0 => d,
            _ => {
                return fail(format!(
                    "--duration `{d}` is not a duration; write e.g. 90m or 2h"
                ));
            }
        },
        None => s.duration.value.saturating_add(SimDuration::from_mins(30)),
    };
    let Some(program) =
        project::find_program(Path::new(".")).and_then(|p| ProgramDir::load(&p).ok())
    else {
        return fail(
            "no ttx.yaml in this folder or above it: the roster says whom to invite; run ttx invite in a program folder",
        );
    };
    let roster = match load::load_file::<Roster>(
        FileKind::Roster,
        &program.roster_path(),
        program.max_file_bytes(),
    ) {
        Ok(r) => r.value,
        Err(_) => return fail("the program's roster does not load; `ttx validate` says why"),
    };
    let mut invitees = match invitation::invitees(s, &roster, &args.observers) {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    if invitees.is_empty() {
        return fail(
            "the roster assigns nobody to this scenario's roles: list people under `roles:` in the roster",
        );
    }
    if let Some(path) = &args.links {
        match read_links(path) {
            Ok(links) => {
                for i in &mut invitees {
                    i.link = link_for(&links, i);
                }
            }
            Err(e) => return fail(e),
        }
    }
    let meeting = Meeting {
        org: program.program.value.org.clone(),
        scenario: s.id.to_string(),
        title: s.title.clone(),
        start,
        duration,
        organizer: from.email.to_string(),
        organizer_name: from.name.clone(),
        stamp: crate::actions_cmd::now(),
    };
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        return fail(format!("cannot create {}: {e}", args.output.display()));
    }
    let mut mails = 0;
    for who in &invitees {
        let ics = invitation::ics(&meeting, who);
        let ics_path = args.output.join(format!("{}.ics", who.person));
        if let Err(e) = std::fs::write(&ics_path, &ics) {
            return fail(format!("cannot write {}: {e}", ics_path.display()));
        }
        let Some(email) = &who.email else {
            eprintln!(
                "warning: {} ({}) has no e-mail address in the roster: {} only",
                who.name,
                who.person,
                ics_path.display()
            );
            continue;
        };
        let eml = match mail(&meeting, who, email, &ics) {
            Ok(m) => m,
            Err(e) => return fail(format!("{}: {e}", who.person)),
        };
        let eml_path = args.output.join(format!("{}.eml", who.person));
        if let Err(e) = std::fs::write(&eml_path, eml) {
            return fail(format!("cannot write {}: {e}", eml_path.display()));
        }
        mails += 1;
    }
    eprintln!(
        "wrote {} invitation(s) and {mails} e-mail(s) to {}{}",
        invitees.len(),
        args.output.display(),
        if args.links.is_none() {
            " (no --links: each says the facilitator sends the link when the exercise starts)"
        } else {
            ""
        }
    );
    Exit::Ok
}

/// The join links file `ttx serve --links` writes.
fn read_links(path: &Path) -> Result<serde_json::Value, String> {
    let text = crate::output::read_text(path, 4 << 20)?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not the links file `ttx serve --links` writes: {e}",
            path.display()
        )
    })
}

/// A person's own link, else their role's (the observer's for an observer).
fn link_for(links: &serde_json::Value, who: &Invitee) -> Option<String> {
    let url = |v: &serde_json::Value| v.get("url").and_then(|u| u.as_str()).map(str::to_string);
    if who.role == invitation::OBSERVER {
        return links.get("observer").and_then(url);
    }
    links
        .get("people")
        .and_then(|p| p.get(&who.person))
        .and_then(url)
        .or_else(|| {
            links
                .get("roles")
                .and_then(|r| r.get(&who.role))
                .and_then(url)
        })
}

/// The e-mail (RFC 5322) carrying the invitation: the text, and the event as a
/// `text/calendar; method=REQUEST` part calendar clients offer to accept. Its Date,
/// Message-ID and MIME boundary come from the invitation itself, so the same invitation
/// is the same file.
fn mail(m: &Meeting, who: &Invitee, email: &str, ics: &str) -> Result<Vec<u8>, String> {
    let to: Mailbox = format!("{} <{email}>", who.name)
        .parse()
        .map_err(|e| format!("`{email}` is not an address: {e}"))?;
    let from = Mailbox::new(
        m.organizer_name.clone(),
        m.organizer.parse().map_err(|e| format!("{e}"))?,
    );
    let uid = format!(
        "{}-{}-{}",
        m.scenario,
        m.start.strftime("%Y%m%dT%H%M%SZ"),
        who.person
    );
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(m.stamp.as_second().max(0) as u64);
    let calendar = ContentType::parse("text/calendar; charset=utf-8; method=REQUEST")
        .map_err(|e| e.to_string())?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(format!("Invitation: tabletop exercise, {}", m.title.trim()))
        .date(date)
        .message_id(Some(format!("<{uid}@ttx>")))
        .multipart(
            MultiPart::mixed()
                .boundary(format!("ttx-{uid}"))
                .singlepart(SinglePart::plain(invitation::text(m, who)))
                .singlepart(
                    Attachment::new("invitation.ics".into()).body(ics.to_string(), calendar),
                ),
        )
        .map(|message| message.formatted())
        .map_err(|e| e.to_string())
}
