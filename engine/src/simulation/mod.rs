//! Monte Carlo play-throughs for authors: a synthetic room (a [`Profile`]) plays a
//! scenario many times through the same engine a live exercise uses, and the runs are
//! tallied: which injects fire, which hidden truths are drawn, which expectations apply and
//! how they turn out, the ratings, the findings, and which decisions move the outcome.
//!
//! Determinism: run `r` of a simulation seeded `s` always plays the exercise seed
//! `mix(s, r)` and the room's own seed derived from it and the profile's name, whatever the
//! thread that plays it; tallies are sums of whole numbers, so the order in which threads
//! add them up cannot change the result.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::assessment::assess::{self, Outcome, Rating};
use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::draw::Dice;
use crate::authoring::duration::SimDuration;
use crate::authoring::model::profile::{Behaviour, From, Profile};
use crate::authoring::model::scenario::Scenario;
use crate::authoring::schema::FileKind;
use crate::authoring::source::SourceFile;
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, FileRef};
use crate::exercise::state::{Compiled, Exercise, Files, Hosts};

/// How many runs, from which seed, on how many threads.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Runs per profile.
    pub runs: u64,
    /// The seed of the whole simulation.
    pub seed: u64,
    /// Worker threads (at least one).
    pub threads: usize,
    /// How many runs per profile (the first ones) are replayed once per decision the room
    /// took, without it, to measure what each decision changes; 0 for none.
    pub counterfactuals: u64,
}

/// Runs are handed to threads in blocks of this many: small enough to keep both cores
/// busy to the end, large enough that the shared counter is not contended.
const BLOCK: u64 = 64;

/// A scenario that failed to load or compile on a worker thread (it loaded on the caller's,
/// so this means the file changed underneath).
#[derive(Debug, thiserror::Error)]
#[error("the scenario no longer loads: {0}")]
pub struct Unloadable(String);

/// Simulates `profiles` on the scenario in `source`, `opts.runs` runs each. `progress` is
/// called on the calling thread with the number of runs done, about ten times a second.
pub fn simulate(
    source: &SourceFile,
    profiles: &[Profile],
    opts: Options,
    progress: &dyn Fn(u64),
) -> Result<Vec<Tally>, Unloadable> {
    let total = opts.runs * profiles.len() as u64;
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let threads = opts.threads.max(1);
    // Woken by each worker as it finishes, so the result is not held until the next
    // progress tick (issue 29: every simulation took a multiple of the 100 ms tick, which
    // hid a fifth of the runs/s of a 10,000-run benchmark).
    let coordinator = std::thread::current();
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<Vec<Tally>, Unloadable>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let wake = Wake(&finished, coordinator.clone());
                let (next, done) = (&next, &done);
                scope.spawn(move || {
                    let _wake = wake;
                    // Scripts are compiled per thread: rhai's compiled scripts are not
                    // shared between threads (and compiling takes milliseconds).
                    let compiled = compile(source)?;
                    let mut player = Player::new(&compiled, profiles);
                    loop {
                        let first = next.fetch_add(BLOCK, Ordering::Relaxed);
                        if first >= total {
                            break;
                        }
                        for unit in first..(first + BLOCK).min(total) {
                            let (p, run) = (unit / opts.runs, unit % opts.runs);
                            player.play(p as usize, opts.seed, run, run < opts.counterfactuals);
                        }
                        done.fetch_add((first + BLOCK).min(total) - first, Ordering::Relaxed);
                    }
                    Ok(player.tallies)
                })
            })
            .collect();
        // Counted by the workers themselves, before they wake this thread: a worker that
        // has woken it may not be `is_finished` yet, and a second wait would be a tick.
        while finished.load(Ordering::Acquire) < threads {
            progress(done.load(Ordering::Relaxed));
            std::thread::park_timeout(Duration::from_millis(100));
        }
        progress(done.load(Ordering::Relaxed));
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(Unloadable("a worker thread panicked".into())))
            })
            .collect()
    });
    let mut sum: Option<Vec<Tally>> = None;
    for r in results {
        let part = r?;
        match &mut sum {
            None => sum = Some(part),
            Some(s) => s.iter_mut().zip(&part).for_each(|(a, b)| a.add(b)),
        }
    }
    Ok(sum.unwrap_or_default())
}

/// Wakes the thread waiting for a worker when the worker ends, however it ends (a
/// scenario that does not compile returns early; a panic unwinds).
struct Wake<'a>(&'a std::sync::atomic::AtomicUsize, std::thread::Thread);

impl Drop for Wake<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
        self.1.unpark();
    }
}

/// Plays `runs` runs of one profile on this thread with every script evaluation recorded:
/// what the benchmark replays to measure the floor (the scripts and conditions alone).
pub fn trace(
    source: &SourceFile,
    profile: &Profile,
    seed: u64,
    runs: u64,
) -> Result<Vec<crate::authoring::script::Evaluation>, Unloadable> {
    let compiled = compile(source)?;
    let profiles = std::slice::from_ref(profile);
    let mut player = Player::new(&compiled, profiles);
    let mut out = Vec::new();
    for run in 0..runs {
        if let Some(h) = &player.hosts {
            h.main.start_trace();
            h.status.start_trace();
        }
        player.play(0, seed, run, false);
        if let Some(h) = &player.hosts {
            out.extend(h.main.take_trace());
            out.extend(h.status.take_trace());
        }
    }
    Ok(out)
}

/// Loads and compiles a scenario from its text.
pub fn compile(source: &SourceFile) -> Result<Compiled, Unloadable> {
    let loaded =
        crate::authoring::load::load_source::<Scenario>(FileKind::Scenario, source.clone())
            .map_err(|f| Unloadable(first_message(&f.diagnostics)))?;
    Compiled::new(loaded).map_err(|d| Unloadable(first_message(&d)))
}

fn first_message(d: &[crate::authoring::diagnostic::Diagnostic]) -> String {
    d.first().map_or_else(String::new, |d| d.message.clone())
}

/// What the runs of one profile came to: counts only, so tallies add up in any order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tally {
    /// The profile's name.
    pub profile: String,
    /// Runs played.
    pub runs: u64,
    /// Per inject, in scenario order.
    pub injects: Vec<InjectTally>,
    /// Per expectation, in scenario order.
    pub expectations: Vec<ExpectationTally>,
    /// Per objective, in scenario order.
    pub objectives: Vec<ObjectiveTally>,
    /// Findings of each kind over all runs.
    pub findings: BTreeMap<String, u64>,
    /// How many runs ended with each number of findings.
    pub findings_per_run: BTreeMap<u32, u64>,
    /// The draws of the setup script (the hidden truth): per draw, in order, what was
    /// drawn and how often each result came up.
    pub truths: Vec<TruthTally>,
    /// Per catalog decision, in scenario order.
    pub decisions: Vec<DecisionTally>,
}

/// How often an inject fired, and why it did not.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InjectTally {
    /// Inject id.
    pub id: String,
    /// Runs in which it was delivered.
    pub fired: u64,
    /// Runs in which it fell due but its condition was false (held to the end).
    pub held: u64,
    /// Runs in which it fell due only after the scenario's end.
    pub too_late: u64,
}

/// How an expectation turned out over the runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExpectationTally {
    /// Expectation id.
    pub id: String,
    /// Met on time by the expected role.
    pub met: u64,
    /// Taken late.
    pub late: u64,
    /// Missed.
    pub missed: u64,
    /// Taken by another role.
    pub other_role: u64,
    /// Never applied (condition never held, or its inject never came).
    pub not_applicable: u64,
}

/// The computed ratings of an objective over the runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ObjectiveTally {
    /// Objective id.
    pub id: String,
    /// Runs rated P, S, M, U, and not rated (no expectation applied).
    pub p: u64,
    /// Runs rated S.
    pub s: u64,
    /// Runs rated M.
    pub m: u64,
    /// Runs rated U.
    pub u: u64,
    /// Runs without a rating.
    pub unrated: u64,
}

/// One draw of the setup script.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TruthTally {
    /// What was drawn, e.g. `pick of 3`.
    pub what: String,
    /// How often each result came up.
    pub results: BTreeMap<String, u64>,
}

/// How often a decision was taken, the findings of runs with and without it, and what
/// taking it changed: the runs in which the room took it, replayed with the same seeds
/// and the same room except that it does not.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DecisionTally {
    /// Decision id.
    pub id: String,
    /// Runs in which it was taken.
    pub taken: u64,
    /// Findings over the runs in which it was taken.
    pub findings_when_taken: u64,
    /// Findings over the runs in which it was not.
    pub findings_when_not: u64,
    /// Runs replayed without it (runs in which it was taken, among the first
    /// `counterfactuals` of the profile).
    pub replayed: u64,
    /// Findings of those runs as played.
    pub replayed_findings_with: u64,
    /// Findings of the same runs replayed without it.
    pub replayed_findings_without: u64,
}

impl DecisionTally {
    /// Findings per run that leaving the decision out adds (negative: it removes them),
    /// when any run was replayed.
    pub fn effect(&self) -> Option<f64> {
        (self.replayed > 0).then(|| {
            (self.replayed_findings_without as f64 - self.replayed_findings_with as f64)
                / self.replayed as f64
        })
    }
}

impl Tally {
    fn new(profile: &Profile, s: &Scenario) -> Tally {
        Tally {
            profile: profile.name.clone(),
            injects: s
                .injects
                .iter()
                .map(|i| InjectTally {
                    id: i.id.to_string(),
                    ..Default::default()
                })
                .collect(),
            expectations: s
                .expectations
                .iter()
                .map(|e| ExpectationTally {
                    id: e.id.to_string(),
                    ..Default::default()
                })
                .collect(),
            objectives: s
                .objectives
                .iter()
                .map(|o| ObjectiveTally {
                    id: o.id.to_string(),
                    ..Default::default()
                })
                .collect(),
            decisions: s
                .decisions
                .keys()
                .map(|d| DecisionTally {
                    id: d.to_string(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Adds another tally of the same profile and scenario.
    pub fn add(&mut self, o: &Tally) {
        self.runs += o.runs;
        for (a, b) in self.injects.iter_mut().zip(&o.injects) {
            a.fired += b.fired;
            a.held += b.held;
            a.too_late += b.too_late;
        }
        for (a, b) in self.expectations.iter_mut().zip(&o.expectations) {
            a.met += b.met;
            a.late += b.late;
            a.missed += b.missed;
            a.other_role += b.other_role;
            a.not_applicable += b.not_applicable;
        }
        for (a, b) in self.objectives.iter_mut().zip(&o.objectives) {
            a.p += b.p;
            a.s += b.s;
            a.m += b.m;
            a.u += b.u;
            a.unrated += b.unrated;
        }
        for (k, n) in &o.findings {
            *self.findings.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &o.findings_per_run {
            *self.findings_per_run.entry(*k).or_default() += n;
        }
        for (i, t) in o.truths.iter().enumerate() {
            for (r, n) in &t.results {
                self.add_truth(i, &t.what, r, *n);
            }
        }
        for (a, b) in self.decisions.iter_mut().zip(&o.decisions) {
            a.taken += b.taken;
            a.findings_when_taken += b.findings_when_taken;
            a.findings_when_not += b.findings_when_not;
            a.replayed += b.replayed;
            a.replayed_findings_with += b.replayed_findings_with;
            a.replayed_findings_without += b.replayed_findings_without;
        }
    }

    /// Counts `n` runs in which the setup's draw number `i` (what) came up `result`.
    fn add_truth(&mut self, i: usize, what: &str, result: &str, n: u64) {
        if self.truths.len() <= i {
            self.truths.push(TruthTally {
                what: what.to_string(),
                results: BTreeMap::new(),
            });
        }
        *self.truths[i]
            .results
            .entry(result.to_string())
            .or_default() += n;
    }

    /// Total findings over all runs.
    pub fn total_findings(&self) -> u64 {
        self.findings.values().sum()
    }
}

/// Warnings for what no run reached, summed over every profile simulated: injects that
/// never fired and expectations that never applied, each with the reason the tallies show.
pub fn coverage(source: &SourceFile, s: &Scenario, tallies: &[Tally]) -> Vec<Diagnostic> {
    let runs: u64 = tallies.iter().map(|t| t.runs).sum();
    if runs == 0 {
        return Vec::new();
    }
    let fired = |i: usize| tallies.iter().map(|t| t.injects[i].fired).sum::<u64>();
    let taken = |d: &str| {
        tallies
            .iter()
            .flat_map(|t| t.decisions.iter())
            .filter(|x| x.id == d)
            .map(|x| x.taken)
            .sum::<u64>()
    };
    let names: Vec<&str> = tallies.iter().map(|t| t.profile.as_str()).collect();
    let played = format!("{} runs ({})", thousands(runs), names.join(", "));
    let mut out = Vec::new();
    let index_of = |id: &str| s.injects.iter().position(|i| i.id.as_str() == id);
    for (i, inject) in s.injects.iter().enumerate() {
        if fired(i) > 0 {
            continue;
        }
        let held: u64 = tallies.iter().map(|t| t.injects[i].held).sum();
        let late: u64 = tallies.iter().map(|t| t.injects[i].too_late).sum();
        let after = inject.after.as_ref();
        let reason = if held > 0 {
            format!(
                "its condition `{}` was false whenever it fell due",
                inject.when.as_deref().map_or("", |w| w.trim())
            )
        } else if late > 0 {
            format!(
                "it fell due only after the scenario's end ({})",
                s.duration.value
            )
        } else if let Some(d) = after.and_then(|a| a.decision.as_ref()) {
            if taken(d.as_str()) == 0 {
                format!("nobody took `{}`, the decision it follows", d.as_str())
            } else {
                format!(
                    "`{}`, the decision it follows, came too late for it",
                    d.as_str()
                )
            }
        } else if let Some(x) = after.and_then(|a| a.inject.as_ref()) {
            format!("`{}`, the inject it follows, never arrived", x.as_str())
        } else {
            "it was never scheduled".to_string()
        };
        out.push(
            Diagnostic::warning(
                &source.path,
                inject.id.pos,
                Code::NotReached,
                format!("inject `{}` never fired in {played}: {reason}", inject.id.as_str()),
            )
            .with_help(
                "make the branch reachable (a decision that sets its condition, a reachable trigger), or remove it",
            ),
        );
    }
    for (e, expectation) in s.expectations.iter().enumerate() {
        let applied: u64 = tallies
            .iter()
            .map(|t| t.runs - t.expectations[e].not_applicable)
            .sum();
        if applied > 0 {
            continue;
        }
        let after_never = expectation
            .after
            .as_ref()
            .and_then(|a| index_of(a.as_str()))
            .filter(|i| fired(*i) == 0);
        let reason = match (after_never, &expectation.when) {
            (Some(i), _) => format!(
                "`{}`, which starts its deadline, never arrived",
                s.injects[i].id.as_str()
            ),
            (None, Some(w)) => format!("its condition `{}` never held", w.trim()),
            (None, None) => "it never applied".to_string(),
        };
        out.push(
            Diagnostic::warning(
                &source.path,
                expectation.id.pos,
                Code::NotReached,
                format!(
                    "expectation `{}` never applied in {played}: {reason}",
                    expectation.id.as_str()
                ),
            )
            .with_help("an expectation that never applies never measures its objective"),
        );
    }
    out
}

/// `12345` as `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The kind a decision belongs to in a profile.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Expected,
    Investigation,
    Other,
}

/// A profile resolved against one scenario: the behaviour of each decision.
struct Room<'p> {
    profile: &'p Profile,
    /// Per decision, in catalog order.
    behaviour: Vec<&'p Behaviour>,
    kind: Vec<Kind>,
    /// Seed salt: the profile's name, hashed.
    salt: u64,
}

impl<'p> Room<'p> {
    fn new(profile: &'p Profile, s: &Scenario) -> Room<'p> {
        let mut behaviour = Vec::new();
        let mut kind = Vec::new();
        for (id, d) in &s.decisions {
            let k = if s
                .expectations
                .iter()
                .any(|e| e.decision.contains(id.as_str()))
            {
                Kind::Expected
            } else if !d.reveals.is_empty() {
                Kind::Investigation
            } else {
                Kind::Other
            };
            let b = profile
                .decisions
                .iter()
                .find(|(d, _)| d.as_str() == id.as_str())
                .map(|(_, b)| b)
                .unwrap_or(match k {
                    Kind::Expected => &profile.expected,
                    Kind::Investigation => &profile.investigations,
                    Kind::Other => &profile.others,
                });
            behaviour.push(b);
            kind.push(k);
        }
        Room {
            profile,
            behaviour,
            kind,
            salt: fnv(profile.name.as_bytes()),
        }
    }
}

/// Something the room will do at a moment.
struct Planned {
    at: SimTime,
    /// Order of planning, to break ties the same way every time.
    seq: u32,
    act: Act,
}

enum Act {
    /// Take catalog decision `decision` (index) as `role`, prompted by an inject (index).
    Decide {
        decision: usize,
        role: String,
        prompted_by: Option<usize>,
        /// How many more times the room takes it after this one.
        again: u32,
    },
    /// Act on a red herring (inject index) as `role`.
    Chase { inject: usize, role: String },
}

/// Plays runs on one thread: the compiled scenario, reusable hosts, one tally per profile.
struct Player<'c, 'p> {
    c: &'c Compiled,
    rooms: Vec<Room<'p>>,
    tallies: Vec<Tally>,
    hosts: Option<Hosts>,
    files: Files,
    context_date: jiff::civil::Date,
}

impl<'c, 'p> Player<'c, 'p> {
    fn new(c: &'c Compiled, profiles: &'p [Profile]) -> Player<'c, 'p> {
        let s = c.scenario();
        Player {
            c,
            rooms: profiles.iter().map(|p| Room::new(p, s)).collect(),
            tallies: profiles.iter().map(|p| Tally::new(p, s)).collect(),
            hosts: Some(Hosts::new(0)),
            files: Files {
                scenario: FileRef {
                    path: c.loaded.source.path.display().to_string(),
                    sha256: String::new(),
                },
                architecture: None,
                roster: None,
            },
            context_date: jiff::civil::date(2026, 1, 1),
        }
    }

    /// Plays run `run` of a profile into its tally; with `counterfactuals`, replays it once
    /// per decision the room took, leaving that decision out.
    fn play(&mut self, profile: usize, seed: u64, run: u64, counterfactuals: bool) {
        let exercise_seed = mix(seed, run);
        let (n, taken) = self.play_one(profile, exercise_seed, None, true);
        if !counterfactuals {
            return;
        }
        for (d, was) in taken.iter().enumerate() {
            if !*was {
                continue;
            }
            let (without, _) = self.play_one(profile, exercise_seed, Some(d), false);
            let t = &mut self.tallies[profile].decisions[d];
            t.replayed += 1;
            t.replayed_findings_with += n;
            t.replayed_findings_without += without;
        }
    }

    fn play_one(
        &mut self,
        profile: usize,
        exercise_seed: u64,
        suppress: Option<usize>,
        record: bool,
    ) -> (u64, Vec<bool>) {
        let hosts = self.hosts.take().unwrap_or_else(|| Hosts::new(0));
        let play = Play {
            c: self.c,
            room: &self.rooms[profile],
            exercise_seed,
            files: &self.files,
            date: self.context_date,
            suppress,
        };
        let tally = record.then(|| &mut self.tallies[profile]);
        let (hosts, n, taken) = play.run(hosts, tally);
        self.hosts = Some(hosts);
        (n, taken)
    }
}

/// One run to play: the scenario, the room, the seed, and a decision the room leaves out.
struct Play<'a, 'p> {
    c: &'a Compiled,
    room: &'a Room<'p>,
    exercise_seed: u64,
    files: &'a Files,
    date: jiff::civil::Date,
    suppress: Option<usize>,
}

impl Play<'_, '_> {
    /// Plays the run and adds it to `tally` when given; returns the hosts for the next run,
    /// the number of findings and which decisions were taken.
    fn run(&self, hosts: Hosts, tally: Option<&mut Tally>) -> (Hosts, u64, Vec<bool>) {
        let Play {
            c,
            room,
            exercise_seed,
            files,
            date,
            suppress,
        } = *self;
        let s = c.scenario();
        let end = SimTime::from_offset(s.duration.value);
        let mut dice = Dice::new(mix(exercise_seed, room.salt));
        let (mut ex, first) = Exercise::start_on(c, exercise_seed, files.clone(), hosts);
        let mut tally = tally;
        if let Some(tally) = tally.as_deref_mut() {
            let setup_draws = first.iter().filter_map(|t| match &t.event {
                Event::Draw {
                    cause,
                    what,
                    result,
                    ..
                } if cause == "setup" => Some((what, result)),
                _ => None,
            });
            for (i, (what, result)) in setup_draws.enumerate() {
                tally.add_truth(i, what, result, 1);
            }
        }

        let mut plans: Vec<Planned> = Vec::new();
        let mut seq = 0u32;
        // A room playing in turns moves on whole turns: a move falls on the turn it is due.
        let turns = s.clock == crate::authoring::duration::Pace::Turns;
        let mut plan = |plans: &mut Vec<Planned>, at: SimTime, act: Act| {
            let at = if turns {
                let turn = crate::authoring::duration::TURN.as_secs();
                SimTime::from_offset(SimDuration::from_secs(at.as_secs().div_ceil(turn) * turn))
            } else {
                at
            };
            plans.push(Planned { at, seq, act });
            seq += 1;
        };
        let mut seen = vec![false; s.injects.len()];
        let mut looked = 0;
        let mut cued = vec![false; s.decisions.len()];
        let mut considered = vec![false; s.expectations.len()];
        let mut taken = vec![false; s.decisions.len()];

        // Decisions played from the start: planned once, now.
        for (d, (id, decision)) in s.decisions.iter().enumerate() {
            let b = room.behaviour[d];
            if b.from != From::Start || !dice.chance(b.probability) {
                continue;
            }
            let role = match s
                .expectations
                .iter()
                .find(|e| e.decision.contains(id.as_str()))
            {
                Some(e) => pick_role(&mut dice, room, e.role.first(), &decision.by),
                None => decision.by[dice.index(decision.by.len())].to_string(),
            };
            let at = SimTime::START.after(delay(&mut dice, b, s.duration.value));
            cued[d] = true;
            plan(
                &mut plans,
                at,
                Act::Decide {
                    decision: d,
                    role,
                    prompted_by: None,
                    again: uses(b, &s.decisions[d]).saturating_sub(1),
                },
            );
        }

        loop {
            // What the room notices: new deliveries cue decisions and red herrings.
            // Only the deliveries since the last look, not every inject again.
            let mut fresh: Vec<(SimTime, usize)> = ex.delivery_order()[looked..]
                .iter()
                .filter(|i| !seen[**i])
                .filter_map(|&i| ex.inject_delivered(i).map(|t| (t, i)))
                .collect();
            looked = ex.delivery_order().len();
            fresh.sort_unstable();
            for (at, i) in fresh {
                seen[i] = true;
                let inject = &s.injects[i];
                if inject.red_herring {
                    let b = &room.profile.red_herrings;
                    if dice.chance(b.probability) {
                        let role = inject.to[dice.index(inject.to.len())].to_string();
                        let when = at.after(delay(&mut dice, b, s.duration.value));
                        plan(&mut plans, when, Act::Chase { inject: i, role });
                    }
                }
                for (d, (_, decision)) in s.decisions.iter().enumerate() {
                    if cued[d] || room.kind[d] == Kind::Expected {
                        continue;
                    }
                    let audience: Vec<&str> = decision
                        .by
                        .iter()
                        .map(|r| r.as_str())
                        .filter(|r| inject.to.iter().any(|t| t.as_str() == *r))
                        .collect();
                    if audience.is_empty() {
                        continue;
                    }
                    cued[d] = true;
                    let b = room.behaviour[d];
                    if !dice.chance(b.probability) {
                        continue;
                    }
                    let role = audience[dice.index(audience.len())].to_string();
                    let when = at.after(delay(&mut dice, b, s.duration.value));
                    plan(
                        &mut plans,
                        when,
                        Act::Decide {
                            decision: d,
                            role,
                            prompted_by: Some(i),
                            again: uses(b, &s.decisions[d]).saturating_sub(1),
                        },
                    );
                }
            }
            // Expectations that now apply: the room that follows them plans their decision.
            for (e, expectation) in s.expectations.iter().enumerate() {
                if considered[e] || !ex.expectation_held(e) {
                    continue;
                }
                let (start, prompted_by) = match &expectation.after {
                    None => (SimTime::START, None),
                    Some(inject) => {
                        let i = s
                            .injects
                            .iter()
                            .position(|x| x.id.as_str() == inject.as_str());
                        match i.and_then(|i| ex.inject_delivered(i).map(|t| (t, i))) {
                            Some((t, i)) => (t, Some(i)),
                            None => continue,
                        }
                    }
                };
                considered[e] = true;
                let Some(d) = s.decisions.get_index_of(expectation.decision.first()) else {
                    continue;
                };
                let b = room.behaviour[d];
                if b.from == From::Start || !dice.chance(b.probability) {
                    continue;
                }
                let by = &s.decisions[d].by;
                let role = pick_role(&mut dice, room, expectation.role.first(), by);
                let when = start
                    .after(delay(&mut dice, b, expectation.within.value))
                    .max(ex.now());
                plan(
                    &mut plans,
                    when,
                    Act::Decide {
                        decision: d,
                        role,
                        prompted_by,
                        again: uses(b, &s.decisions[d]).saturating_sub(1),
                    },
                );
            }

            // A script may end the exercise early: nothing more happens in the run.
            if ex.ended() {
                break;
            }
            let soonest = plans
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| (p.at, p.seq))
                .map(|(n, p)| (n, p.at));
            let due = ex.next_due();
            match soonest {
                Some((n, at)) if at <= end && due.is_none_or(|d| at <= d) => {
                    let p = plans.swap_remove(n);
                    if at > ex.now() {
                        let _ = ex.apply(Event::Advance { to: at });
                    }
                    if let Some((at, next)) =
                        act(s, &mut ex, &mut dice, room, p.act, suppress, &mut taken)
                    {
                        plan(&mut plans, at, next);
                    }
                }
                _ => match due.filter(|d| *d <= end) {
                    Some(d) => {
                        let _ = ex.apply(Event::Advance { to: d });
                    }
                    // Nothing more is coming in this module: the facilitator opens the next
                    // one that waits to be opened (a timed one opens by itself).
                    None if ex.now() < end
                        && ex.next_module().is_some_and(|m| s.modules[m].at.is_none()) =>
                    {
                        let m = ex.next_module().unwrap_or_default();
                        let opened = ex.apply(Event::Open {
                            module: s.modules[m].id.to_string(),
                        });
                        if opened.is_err() {
                            break;
                        }
                    }
                    None => {
                        if ex.now() < end {
                            let _ = ex.apply(Event::Advance { to: end });
                        }
                        break;
                    }
                },
            }
        }
        let _ = ex.apply(Event::End {
            strengths: Vec::new(),
            improvements: Vec::new(),
        });

        let ctx = assess::Context {
            roster: None,
            sla: Default::default(),
            date,
        };
        let a = assess::assess(&ex, &ctx);
        let n = a.findings.len() as u64;
        let Some(tally) = tally else {
            return (ex.into_hosts(), n, taken);
        };
        tally.runs += 1;
        for (i, t) in tally.injects.iter_mut().enumerate() {
            if ex.inject_delivered(i).is_some() {
                t.fired += 1;
            } else if let Some(due) = ex.inject_due(i) {
                if due <= end {
                    t.held += 1;
                } else {
                    t.too_late += 1;
                }
            }
        }
        for (t, r) in tally.expectations.iter_mut().zip(&a.expectations) {
            match r.outcome {
                Outcome::Met => t.met += 1,
                Outcome::Late { .. } => t.late += 1,
                Outcome::Missed | Outcome::Pending | Outcome::WrongOption { .. } => t.missed += 1,
                Outcome::OtherRole { .. } => t.other_role += 1,
                Outcome::NotApplicable => t.not_applicable += 1,
            }
        }
        for (t, o) in tally.objectives.iter_mut().zip(&a.objectives) {
            match o.rating {
                Some(Rating::P) => t.p += 1,
                Some(Rating::S) => t.s += 1,
                Some(Rating::M) => t.m += 1,
                Some(Rating::U) => t.u += 1,
                None => t.unrated += 1,
            }
        }
        for f in &a.findings {
            *tally.findings.entry(kind_name(&f.kind)).or_default() += 1;
        }
        *tally.findings_per_run.entry(n as u32).or_default() += 1;
        for (t, was) in tally.decisions.iter_mut().zip(&taken) {
            if *was {
                t.taken += 1;
                t.findings_when_taken += n;
            } else {
                t.findings_when_not += n;
            }
        }
        (ex.into_hosts(), n, taken)
    }
}

/// Carries out a planned act: the briefing a decision needs (if the room remembers it),
/// then the decision, or the chase of a red herring.
fn act(
    s: &Scenario,
    ex: &mut Exercise<'_>,
    dice: &mut Dice,
    room: &Room<'_>,
    act: Act,
    suppress: Option<usize>,
    taken: &mut [bool],
) -> Option<(SimTime, Act)> {
    match act {
        Act::Decide {
            decision,
            role,
            prompted_by,
            again,
        } => {
            let (id, d) = s.decisions.get_index(decision)?;
            // The briefing's draw is made even for a decision left out, so the room's
            // later draws stay those of the run it is compared with.
            let brief = d.requires_handoff.as_ref().filter(|h| {
                !ex.handed_off(h.from.as_str(), h.to.as_str()) && dice.chance(room.profile.handoffs)
            });
            if suppress == Some(decision) {
                return None;
            }
            if let Some(h) = brief {
                let _ = ex.apply(Event::Notify {
                    from: h.from.to_string(),
                    to: h.to.to_string(),
                    text: None,
                });
            }
            let input = Event::Decision {
                by: role.clone(),
                decision: Some(id.to_string()),
                action: None,
                option: choose_option(ex, dice, room.behaviour[decision], id.as_str()),
                participant: None,
                rationale: None,
                confidence: None,
                prompted_by: prompted_by.map(|i| s.injects[i].id.to_string()),
            };
            let done = ex.apply(input).is_ok();
            if done {
                taken[decision] = true;
            }
            // A decision that is not open yet (its `when`) is tried again a little later, as
            // a room comes back to it; a repeatable move is taken again, `every` apart (or
            // its cooldown). Plans past the end are never carried out.
            // Nothing more once the exercise ended (a script may end it early): the clock
            // no longer moves, so a plan made now would come due again and again.
            if ex.ended() {
                return None;
            }
            let spent = d
                .limit
                .as_ref()
                .is_some_and(|l| ex.uses_of(id.as_str()) >= l.value as usize);
            let retry = !done && !spent && (d.when.is_some() || d.cooldown.is_some());
            ((again > 0 && !spent) || retry).then(|| {
                let every = room.behaviour[decision]
                    .every
                    .as_ref()
                    .map(|e| e.value)
                    .or(d.cooldown.as_ref().map(|c| c.value))
                    .unwrap_or(SimDuration::from_mins(5));
                (
                    ex.now().after(every),
                    Act::Decide {
                        decision,
                        role,
                        prompted_by,
                        again: if done { again - 1 } else { again },
                    },
                )
            })
        }
        Act::Chase { inject, role } => {
            let id = s.injects[inject].id.to_string();
            let _ = ex.apply(Event::Decision {
                by: role,
                decision: None,
                action: Some(format!("Chase `{id}`")),
                option: None,
                participant: None,
                rationale: None,
                confidence: None,
                prompted_by: Some(id),
            });
            None
        }
    }
}

/// How many times the room takes a decision: the behaviour's `uses`, or for a move with a
/// limit above one (a search made each turn) and a behaviour that says nothing, the limit.
fn uses(
    b: &crate::authoring::model::profile::Behaviour,
    d: &crate::authoring::model::scenario::Decision,
) -> u32 {
    match (b.uses, &d.limit) {
        (Some(n), _) => n.max(1),
        (None, Some(limit)) if limit.value > 1 => limit.value,
        (None, _) => 1,
    }
}

/// The option the room takes a decision with: by the behaviour's weights; else one an
/// expectation accepts (and does not name as wrong), with the behaviour's probability;
/// else any. No draw is made for a decision without options, so scenarios without them
/// simulate as they always did.
fn choose_option(
    ex: &Exercise<'_>,
    dice: &mut Dice,
    b: &crate::authoring::model::profile::Behaviour,
    decision: &str,
) -> Option<String> {
    let s = ex.compiled().scenario();
    let d = s.decisions.get(decision)?;
    if d.options.is_empty() {
        return None;
    }
    let ids: Vec<&str> = d.options.keys().map(|k| k.as_str()).collect();
    let weighted: Vec<(&str, f64)> = b
        .options
        .iter()
        .filter(|(o, w)| ids.contains(&o.as_str()) && **w > 0.0)
        .map(|(o, w)| (o.as_str(), *w))
        .collect();
    if !weighted.is_empty() {
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut x = dice.uniform() * total;
        for (o, w) in &weighted {
            if x < *w {
                return Some(o.to_string());
            }
            x -= w;
        }
        return weighted.last().map(|(o, _)| o.to_string());
    }
    let right: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|o| {
            // The expectations that apply in this run (their `when` held): a room that reads
            // the evidence well chooses what they accept.
            s.expectations
                .iter()
                .enumerate()
                .filter(|(i, e)| e.decision.contains(decision) && ex.expectation_held(*i))
                .map(|(_, e)| e)
                .all(|e| {
                    e.option.as_ref().is_none_or(|a| a.contains(o))
                        && !e.wrong_options.contains_key(*o)
                })
        })
        .collect();
    let pool = if !right.is_empty() && dice.chance(b.probability) {
        right
    } else {
        ids
    };
    Some(pool[dice.index(pool.len())].to_string())
}

/// The role that takes an expected decision: the expected one, or, with the profile's
/// `other_role` chance, another role allowed to take it.
fn pick_role(
    dice: &mut Dice,
    room: &Room<'_>,
    expected: &str,
    by: &[crate::authoring::spanned::Sp<crate::authoring::model::Id>],
) -> String {
    let others: Vec<&str> = by
        .iter()
        .map(|r| r.as_str())
        .filter(|r| *r != expected)
        .collect();
    if !others.is_empty() && dice.chance(room.profile.other_role) {
        others[dice.index(others.len())].to_string()
    } else {
        expected.to_string()
    }
}

/// A delay drawn evenly between the behaviour's bounds; a share is of `whole` (the
/// expectation's window, or the scenario's duration for anything played from the start or
/// not expected).
fn delay(dice: &mut Dice, b: &Behaviour, whole: SimDuration) -> SimDuration {
    let lo = b.delay.min.value.resolve(whole);
    let hi = b.delay.max.value.resolve(whole).max(lo);
    lo.saturating_add(dice.jitter(SimDuration::from_secs(hi.as_secs() - lo.as_secs())))
}

fn kind_name(k: &assess::FindingKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// SplitMix64 of `a` and `b`: seeds for runs that do not overlap whatever the run count.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, for salting a room's seed with the profile's name (stable across Rust versions,
/// unlike the standard hasher).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
