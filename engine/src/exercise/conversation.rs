//! The conversation read back: the questions the room asked (in direct messages, on
//! private lines, of characters) and when each was answered. The facilitator's `replies`,
//! the assessment's unanswered findings and the report's list of questions read this one
//! rule.

use serde::Serialize;

use crate::authoring::duration::SimDuration;
use crate::exercise::channel::{Channel, WHITE_CELL};
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, Timed};

/// A question put in a direct message, on a role's private line to the facilitator, or
/// to a character, and when (if ever) it was answered.
#[derive(Clone, Debug, Serialize)]
pub struct Question {
    /// Its place in the journal (`#N`, as `re=` names it).
    pub seq: usize,
    /// When it was asked.
    pub at: SimTime,
    /// The role that asked.
    pub from: String,
    /// The role asked, `white` for the facilitator, or the character asked.
    pub to: String,
    /// Where it was asked.
    pub channel: Channel,
    /// What was asked (room text: the report scrubs it without `--names`).
    pub text: String,
    /// When the other party first spoke in that channel after it, if it did.
    pub answered_at: Option<SimTime>,
    /// How long the asker waited: to the answer, or to the end of what was played.
    pub wait: SimDuration,
}

/// Whether a message asks something: every message on a private line (a player writes to
/// the facilitator to ask) and to a character, and a direct message with a question mark.
fn asks(channel: &Channel, from: &str, text: &str) -> bool {
    match channel {
        Channel::Private(_) => from != WHITE_CELL,
        Channel::Direct(..) => text.contains('?'),
        // Asking a character is a question, whatever its punctuation.
        Channel::Character(c, _) => from != c,
        Channel::War | Channel::Team(_) => false,
    }
}

/// The questions of the conversation, in the order asked. A question is answered by the
/// first later message in its channel from the other party, whether or not it says `re=`.
pub fn questions(log: &[Timed], now: SimTime) -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    for (seq, t) in log.iter().enumerate() {
        let Event::Message(m) = &t.event else {
            continue;
        };
        for q in out.iter_mut().filter(|q| q.answered_at.is_none()) {
            if m.channel == q.channel && m.from == q.to {
                q.answered_at = Some(t.at);
                q.wait = t.at.since(q.at);
            }
        }
        if m.forward || !asks(&m.channel, &m.from, &m.text) {
            continue;
        }
        let to = match &m.channel {
            Channel::Direct(a, b) if *a == m.from => b.clone(),
            Channel::Direct(a, _) => a.clone(),
            Channel::Character(c, _) => c.clone(),
            _ => WHITE_CELL.to_string(),
        };
        out.push(Question {
            channel: m.channel.clone(),
            seq,
            at: t.at,
            from: m.from.clone(),
            to,
            text: m.text.clone(),
            answered_at: None,
            wait: now.since(t.at),
        });
    }
    out
}
