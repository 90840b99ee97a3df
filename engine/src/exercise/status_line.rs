//! The status line: where an exercise is and what is really pending (the next inject that
//! will be delivered, the time left, the expectations falling due), with what depends on
//! the hidden truth shown only when the facilitator asks for it.

use std::collections::HashSet;
use std::fmt;

use crate::authoring::duration::SimDuration;
use crate::exercise::clock::SimTime;
use crate::exercise::state::Exercise;

/// Whether the exercise runs, follows real time, is paused or has ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// The facilitator moves the clock.
    Running,
    /// The clock follows real time at this pace.
    Following(f64),
    /// Paused.
    Paused,
    /// Ended.
    Ended,
}

/// The status line: where the exercise is and what is really pending.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// Scenario time now (as followed, when following).
    pub now: SimTime,
    /// Running, following, paused or ended.
    pub mode: Mode,
    /// When the next inject that will really be delivered falls due.
    pub next: Option<SimTime>,
    /// Its id, shown only with the truth on (the id can give away what is coming).
    pub next_inject: Option<String>,
    /// Injects held by a false condition, only with the truth on.
    pub held: Vec<String>,
    /// The scenario's planned duration.
    pub planned: SimDuration,
    /// Minutes or turns: how times are told.
    pub pace: crate::authoring::duration::Pace,
    /// Expectations falling due, soonest first: (id, role, deadline). Those that depend on
    /// the hidden truth (a `when` condition) only with the truth on.
    pub due: Vec<(String, String, SimTime)>,
    /// Of those, the ones within [`DUE_SOON`] of their deadline that cite a runbook step
    /// the exercise knows: the organisation's own procedure, quoted as it falls due.
    pub steps: Vec<DueStep>,
    /// Questions to characters no one has answered yet, oldest first, each with the
    /// replies offered now: what the facilitator answers next.
    pub waiting: Vec<Waiting>,
}

/// How close to its deadline an expectation is said to fall due, with its runbook step.
pub const DUE_SOON: SimDuration = SimDuration::from_mins(10);

/// An expectation falling due, and the runbook step it cites.
#[derive(Clone, Debug, PartialEq)]
pub struct DueStep {
    /// The expectation.
    pub expectation: String,
    /// The role it expects.
    pub role: String,
    /// Its deadline.
    pub by: SimTime,
    /// The runbook reference (`ID#section`).
    pub runbook: String,
    /// What the section says.
    pub step: String,
}

/// A role's question to a character, waiting for the facilitator to answer as them.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// Its place in the journal.
    pub seq: usize,
    /// When it was asked.
    pub at: SimTime,
    /// The role that asked.
    pub role: String,
    /// The character asked (id).
    pub character: String,
    /// Their name.
    pub name: String,
    /// What was asked.
    pub question: String,
    /// The replies offered now, those the question mentions first. Their conditions may
    /// follow the hidden truth, so a screen shows them folded.
    pub replies: Vec<Offered>,
}

/// A scripted reply a character may give now.
#[derive(Clone, Debug, PartialEq)]
pub struct Offered {
    /// The reply's id.
    pub id: String,
    /// What it says.
    pub text: String,
    /// Whether it goes out by itself.
    pub auto: bool,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            Mode::Running => "running".to_string(),
            Mode::Following(pace) => format!("running {pace}x"),
            Mode::Paused => "paused".to_string(),
            Mode::Ended => "ended".to_string(),
        };
        use crate::authoring::duration::Pace;
        let turns = self.pace == Pace::Turns;
        let time = |t: SimTime| t.label(self.pace);
        let span = |d: SimDuration| if turns { self.pace.span(d) } else { d.clock() };
        match self.pace {
            Pace::Turns => write!(
                f,
                "[{} of {} {mode}]",
                time(self.now),
                self.planned.as_secs() / 60
            )?,
            Pace::Minutes => write!(f, "[{} {mode}]", self.now)?,
        }
        if self.mode != Mode::Ended {
            match (self.next, &self.next_inject) {
                (Some(t), Some(id)) => write!(f, " next inject {} ({id})", time(t))?,
                (Some(t), None) => write!(f, " next inject {}", time(t))?,
                (None, _) => write!(f, " no inject pending")?,
            }
            let planned = SimTime::from_offset(self.planned);
            if self.now <= planned {
                write!(f, " · {} left", span(planned.since(self.now)))?;
            } else {
                write!(f, " · {} over", span(self.now.since(planned)))?;
            }
        }
        if self.mode == Mode::Ended {
            return Ok(());
        }
        if !self.held.is_empty() {
            write!(f, " · held: {}", self.held.join(", "))?;
        }
        if !self.due.is_empty() {
            let due: Vec<String> = self
                .due
                .iter()
                .take(3)
                .map(|(id, role, t)| format!("{id} ({role}) by {}", time(*t)))
                .collect();
            write!(f, " · due: {}", due.join(", "))?;
        }
        Ok(())
    }
}

/// The status of an exercise at scenario time `now` (ahead of the exercise's clock when
/// a followed clock has moved on), following real time at `pace` or not, with the truth
/// shown or not.
pub fn status_of(ex: &Exercise<'_>, now: SimTime, pace: Option<f64>, truth: bool) -> Status {
    let s = ex.compiled().scenario();
    let mode = if ex.ended() {
        Mode::Ended
    } else if ex.paused() {
        Mode::Paused
    } else if let Some(pace) = pace {
        Mode::Following(pace)
    } else {
        Mode::Running
    };
    let next = ex.next_delivery();
    let due = due(ex, now, truth);
    Status {
        now,
        mode,
        next: next.map(|(t, _)| t),
        next_inject: next
            .filter(|_| truth)
            .map(|(_, i)| s.injects[i].id.to_string()),
        held: if truth {
            ex.held_injects()
                .into_iter()
                .map(|i| s.injects[i].id.to_string())
                .collect()
        } else {
            Vec::new()
        },
        planned: s.duration.value,
        pace: s.clock,
        steps: due_steps(ex, &due, now),
        due,
        waiting: waiting(ex),
    }
}

/// Expectations falling due, soonest first: (id, role, deadline); without the truth,
/// not those whose condition depends on it.
pub fn due(ex: &Exercise<'_>, now: SimTime, truth: bool) -> Vec<(String, String, SimTime)> {
    let conditional: HashSet<&str> = ex
        .compiled()
        .scenario()
        .expectations
        .iter()
        .filter(|e| e.when.is_some())
        .map(|e| e.id.as_str())
        .collect();
    ex.open_expectations()
        .into_iter()
        .filter(|(id, _, t)| *t >= now && (truth || !conditional.contains(id.as_str())))
        .collect()
}

/// Of the expectations falling `due`, those within [`DUE_SOON`] of their deadline that
/// cite a runbook step the exercise knows.
pub fn due_steps(
    ex: &Exercise<'_>,
    due: &[(String, String, SimTime)],
    now: SimTime,
) -> Vec<DueStep> {
    due.iter()
        .filter(|(_, _, by)| by.since(now) <= DUE_SOON)
        .filter_map(|(id, role, by)| {
            let c = ex.compiled().runbook_step(id)?;
            Some(DueStep {
                expectation: id.clone(),
                role: role.clone(),
                by: *by,
                runbook: c.runbook.clone(),
                step: c.step.clone(),
            })
        })
        .collect()
}

/// The questions to characters still waiting, with what each character may answer now:
/// the facilitator's `replies`, the notice when a role asks, and the web page's list.
pub fn waiting(ex: &Exercise<'_>) -> Vec<Waiting> {
    let s = ex.compiled().scenario();
    if s.characters.is_empty() {
        return Vec::new();
    }
    crate::exercise::conversation::questions(ex.log(), ex.now())
        .into_iter()
        .filter(|q| q.answered_at.is_none())
        .filter_map(|q| {
            let c = q.channel.character()?.to_string();
            let replies = ex
                .offered(&c, Some(&q.text))
                .into_iter()
                .map(|r| Offered {
                    id: r.id.to_string(),
                    text: r.text.trim().to_string(),
                    auto: r.auto,
                })
                .collect();
            Some(Waiting {
                seq: q.seq,
                at: q.at,
                role: q.from,
                name: s
                    .characters
                    .get(c.as_str())
                    .map_or_else(|| c.clone(), |x| x.name.clone()),
                character: c,
                question: q.text,
                replies,
            })
        })
        .collect()
}
