//! How events and the exercise's status read on the facilitator's screen.

use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::state::Exercise;

/// One event as the facilitator sees it (facilitator-only marks included).
pub fn line(t: &Timed) -> String {
    let at = format!("[{}]", t.at);
    match &t.event {
        Event::Start {
            scenario_id,
            scenario_version,
            seed,
            ..
        } => format!("{at} exercise {scenario_id} {scenario_version} starts (seed {seed})"),
        Event::Draw {
            cause,
            what,
            result,
        } => format!("{at}   draw ({cause}): {what} -> {result}"),
        Event::Print { cause, text } => format!("{at}   script ({cause}): {text}"),
        Event::ScriptError {
            cause,
            at: place,
            message,
        } => {
            format!("{at} ✗ script error in {cause} at {place}: {message} (the exercise goes on)")
        }
        Event::Deliver {
            inject,
            to,
            via,
            source,
            reliability,
            red_herring,
            conflicts_with,
            text,
        } => {
            let from = match (source, reliability) {
                (Some(s), Some(r)) => format!(" from {s} ({r})"),
                _ => String::new(),
            };
            let mut marks = String::new();
            if *red_herring {
                marks.push_str(" [red herring]");
            }
            for c in conflicts_with {
                marks.push_str(&format!(" [conflicts with {c}]"));
            }
            format!(
                "{at} → {} by {via}{from}: {text}   ({inject}){marks}",
                to.join(", ")
            )
        }
        Event::Decision {
            by,
            decision,
            action,
            confidence,
            rationale,
            ..
        } => {
            let what = decision
                .clone()
                .or_else(|| action.clone())
                .unwrap_or_default();
            let conf = confidence
                .map(|c| {
                    format!(
                        " ({})",
                        serde_json::to_value(c)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let why = rationale
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!("{at} ✓ {by} decided {what}{conf}{why}")
        }
        Event::Notify { from, to, text } => {
            let text = text.as_ref().map(|t| format!(": {t}")).unwrap_or_default();
            format!("{at} ✓ {from} informed {to}{text}")
        }
        Event::Reveal { fact, to, text, .. } => format!("{at} ! {to} learns {fact}: {text}"),
        Event::Note { text } => format!("{at} note: {text}"),
        Event::AdHocInject { to, text } => format!("{at} → {} (ad hoc): {text}", to.join(", ")),
        Event::Advance { to } => format!("{at} clock moves to {to}"),
        Event::Pause { reason } => format!(
            "{at} paused{}",
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Event::Resume { reason } => format!(
            "{at} resumed{}",
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Event::Rate {
            objective,
            rating,
            reason,
        } => format!("{at} objective {objective} rated {rating} by the facilitator: {reason}"),
        Event::End {
            strengths,
            improvements,
        } => format!(
            "{at} exercise ends: {} strength(s), {} area(s) for improvement",
            strengths.len(),
            improvements.len()
        ),
    }
}

/// What one role has seen so far: its injects, ad-hoc injects, notifications to it and
/// facts it learnt. No facilitator marks, draws or notes.
pub fn view(exercise: &Exercise<'_>, role: &str) -> Vec<String> {
    exercise
        .log()
        .iter()
        .filter_map(|t| {
            let at = format!("[{}]", t.at);
            match &t.event {
                Event::Deliver {
                    to,
                    via,
                    source,
                    reliability,
                    text,
                    ..
                } if to.iter().any(|r| r == role) => {
                    let from = match (source, reliability) {
                        (Some(s), Some(r)) => format!(" from {s} (reliability {r})"),
                        _ => String::new(),
                    };
                    Some(format!("{at} {via}{from}: {text}"))
                }
                Event::AdHocInject { to, text } if to.iter().any(|r| r == role) => {
                    Some(format!("{at} {text}"))
                }
                Event::Notify { from, to, text } if to == role => Some(format!(
                    "{at} from {from}: {}",
                    text.clone().unwrap_or_default()
                )),
                Event::Reveal { to, text, .. } if to == role => {
                    Some(format!("{at} you learn: {text}"))
                }
                _ => None,
            }
        })
        .collect()
}

/// The status line: time, paused or running, next inject, expectations falling due.
pub fn status(exercise: &Exercise<'_>, following: Option<f64>) -> String {
    let mode = if exercise.ended() {
        "ended".to_string()
    } else if exercise.paused() {
        "paused".to_string()
    } else if let Some(pace) = following {
        format!("running {pace}x")
    } else {
        "running".to_string()
    };
    let next = exercise
        .next_due()
        .map(|t| format!("next inject {t}"))
        .unwrap_or_else(|| "no inject pending".into());
    let due: Vec<String> = exercise
        .open_expectations()
        .into_iter()
        .take(3)
        .map(|(id, role, t)| format!("{id} ({role}) by {t}"))
        .collect();
    let due = if due.is_empty() {
        String::new()
    } else {
        format!(" · due: {}", due.join(", "))
    };
    format!("[{} {mode}] {next}{due}", exercise.now())
}
