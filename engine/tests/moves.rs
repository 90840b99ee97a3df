//! The second edition's moves on tests/run/ransom-moves.yaml: decisions with options,
//! limits, cooldowns and a `when`, injects after each taking, shared functions, text that
//! names state, a script that ends the exercise, and expectations that accept any of
//! several roles, decisions or options and name a wrong one as a finding.

mod support;

use std::path::{Path, PathBuf};

use support::{at, context, decide, files};
use ttx_engine::assessment::assess::{self, FindingKind, Outcome};
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::profile::Profile;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::state::{Compiled, Exercise};
use ttx_engine::simulation::{self, Options};

fn path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/run/ransom-moves.yaml")
}

fn compiled() -> &'static Compiled {
    let loaded = load::load_file::<Scenario>(FileKind::Scenario, &path(), 4 << 20).unwrap();
    Box::leak(Box::new(Compiled::new(loaded).unwrap()))
}

fn delivered<'a>(log: &'a [Timed], inject: &str) -> Vec<&'a str> {
    log.iter()
        .filter_map(|t| match &t.event {
            Event::Deliver {
                inject: i, text, ..
            } if i == inject => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn refused(ex: &mut Exercise<'_>, input: Event) -> String {
    let before = ex.log().len();
    let why = ex.apply(input).expect_err("refused").0;
    assert_eq!(ex.log().len(), before, "a refusal records nothing");
    why
}

#[test]
fn a_decision_with_options_is_taken_with_one_and_its_effect_sees_it() {
    let c = compiled();
    let (mut ex, _) = Exercise::start(c, 3, files("ransom-moves.yaml"));
    let why = refused(&mut ex, decide("ic", "ransom", None));
    assert!(why.contains("pay, refuse, negotiate"), "{why}");
    let why = refused(&mut ex, decide("ic", "ransom", Some("paay")));
    assert!(why.contains("did you mean `pay`"), "{why}");
    let why = refused(&mut ex, decide("oncall", "search_shares", Some("pay")));
    assert!(why.contains("has no options"), "{why}");
    ex.apply(decide("exec", "ransom", Some("refuse"))).unwrap();
    let line = serde_json::to_string(&ex.log().last().unwrap().event).unwrap();
    assert!(line.contains(r#""option":"refuse""#), "{line}");
    // A decision without an option keeps the first edition's line: no `option` key.
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    let plain = ex
        .log()
        .iter()
        .find_map(|t| match &t.event {
            e @ Event::Decision {
                decision: Some(d), ..
            } if d == "search_shares" => Some(serde_json::to_string(e).unwrap()),
            _ => None,
        })
        .unwrap();
    assert!(!plain.contains("option"), "{plain}");
    let a = assess::assess(&ex, &context());
    let answer = &a.expectations[0];
    assert_eq!(
        answer.outcome,
        Outcome::Met,
        "exec is one of the roles it accepts"
    );
    assert_eq!(answer.option.as_deref(), Some("refuse"));
}

#[test]
fn a_repeatable_search_keeps_its_limit_and_cooldown_and_its_clue_follows_each_use() {
    let c = compiled();
    let (mut ex, _) = Exercise::start(c, 3, files("ransom-moves.yaml"));
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    ex.apply(at(5)).unwrap();
    let why = refused(&mut ex, decide("oncall", "search_shares", None));
    assert!(why.contains("taken again at 0:10:00"), "{why}");
    ex.apply(at(10)).unwrap();
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    ex.apply(at(20)).unwrap();
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    ex.apply(at(30)).unwrap();
    let why = refused(&mut ex, decide("oncall", "search_shares", None));
    assert!(why.contains("3 times, its limit"), "{why}");
    // One clue after each search, each naming the state of its moment.
    let clues = delivered(ex.log(), "clue");
    assert_eq!(clues.len(), 3, "{clues:?}");
    assert!(clues[0].starts_with("Search 1 turned up"), "{clues:?}");
    assert!(clues[2].starts_with("Search 3 turned up"), "{clues:?}");
    assert_eq!(ex.uses_of("search_shares"), 3);
}

#[test]
fn a_gated_decision_opens_when_its_condition_holds_and_a_script_can_end_the_exercise() {
    let c = compiled();
    let (mut ex, _) = Exercise::start(c, 3, files("ransom-moves.yaml"));
    let why = refused(&mut ex, decide("oncall", "restore", None));
    assert!(why.contains("not open now"), "{why}");
    // Two searches find two clues (a shared function counts them): restore opens.
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    ex.apply(at(10)).unwrap();
    ex.apply(decide("oncall", "search_shares", None)).unwrap();
    let events = ex.apply(decide("ic", "restore", None)).unwrap();
    assert!(
        events.iter().any(
            |t| matches!(&t.event, Event::Ended { reason, .. } if reason.contains("restored"))
        ),
        "{events:?}"
    );
    assert!(ex.ended());
    let why = refused(&mut ex, decide("exec", "ransom", Some("refuse")));
    assert!(why.contains("has ended"), "{why}");
}

#[test]
fn a_wrong_option_is_a_finding_in_the_scenarios_words_with_its_corrective_action() {
    let c = compiled();
    let (mut ex, _) = Exercise::start(c, 3, files("ransom-moves.yaml"));
    ex.apply(decide("ic", "ransom", Some("pay"))).unwrap();
    ex.apply(Event::End {
        strengths: Vec::new(),
        improvements: Vec::new(),
    })
    .unwrap();
    let a = assess::assess(&ex, &context());
    assert_eq!(
        a.expectations[0].outcome,
        Outcome::WrongOption {
            option: "pay".into()
        }
    );
    let f = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::WrongOption)
        .unwrap();
    assert_eq!(
        f.observation,
        "Chose to pay the ransom without the insurer's consent."
    );
    assert!(
        f.action.starts_with("Write the ransom decision"),
        "{}",
        f.action
    );
    assert!(
        f.analysis.contains("“Refuse to pay” (`refuse`)"),
        "{}",
        f.analysis
    );
    // A wrong option counts as missed in the rating.
    assert_eq!(
        a.objectives[0].rating,
        Some(ttx_engine::assessment::assess::Rating::U)
    );
}

#[test]
fn the_simulation_repeats_moves_and_chooses_options_as_its_profile_says() {
    let source = SourceFile::read(&path(), 4 << 20).unwrap();
    let profile = |text: &str| {
        load::load_source::<Profile>(FileKind::Profile, SourceFile::new("p.yaml", text))
            .unwrap()
            .value
    };
    let once = profile(
        "name: once\ndecisions:\n  search_shares: {probability: 1, delay: {min: 1m, max: 2m}, uses: 1}\n",
    );
    let thrice = profile(
        "name: thrice\ninvestigations: {probability: 1, delay: {min: 1m, max: 2m}}\ndecisions:\n  search_shares: {probability: 1, delay: {min: 1m, max: 2m}, uses: 3}\n  ransom: {probability: 1, delay: {min: 1m, max: 2m}, options: {pay: 1}}\n",
    );
    let opts = Options {
        runs: 100,
        seed: 1,
        threads: 1,
        counterfactuals: 0,
    };
    let tallies = simulation::simulate(&source, &[once, thrice], opts, &|_| {}).unwrap();
    let clue = |t: &simulation::Tally| t.injects.iter().find(|i| i.id == "clue").unwrap().fired;
    assert!(clue(&tallies[0]) > 0 && clue(&tallies[1]) > 0);
    let answer = |t: &simulation::Tally| t.expectations[0].clone();
    // The textbook room chooses an accepted option; the room told to pay always pays.
    assert_eq!(answer(&tallies[0]).met, 100);
    assert_eq!(answer(&tallies[1]).missed, 100);
    // Three searches reveal the entry point far more often than one (chance 0.5 each).
    let never =
        |t: &simulation::Tally| t.findings.get("fact_never_uncovered").copied().unwrap_or(0);
    assert!(
        never(&tallies[1]) * 3 < never(&tallies[0]),
        "once: {}, thrice: {}",
        never(&tallies[0]),
        never(&tallies[1])
    );
}

/// Regression: a run whose script ends the exercise early (the card game's containment)
/// once looped for ever, planning moves the ended exercise's clock could never reach.
#[test]
fn a_game_that_ends_early_is_simulated_to_its_end() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/intrusion-card-hunt.yaml");
    let source = SourceFile::read(&path, 4 << 20).unwrap();
    let textbook = Profile::built_in("textbook").unwrap();
    let opts = Options {
        runs: 60,
        seed: 1,
        threads: 1,
        counterfactuals: 0,
    };
    let tallies = simulation::simulate(&source, &[textbook], opts, &|_| {}).unwrap();
    let contained = tallies[0]
        .injects
        .iter()
        .find(|i| i.id == "contained-note")
        .unwrap()
        .fired;
    // The textbook room keeps playing procedures until containment opens, most runs.
    assert!(contained > 30, "contained in {contained} of 60 runs");
}
