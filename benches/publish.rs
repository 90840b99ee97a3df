//! Benchmark of a publication's anonymization as the roster grows: for rosters of 10,
//! 1,000 and 15,000 generated people, the scrubber and the second leak check are built,
//! a report-sized text (400 lines of room notes naming people) is scrubbed, and both leak
//! checks read the result. Prints the time and the peak memory (resident set) of each,
//! and the cost per person (issue 27: one regex per identifier cost about 1.5 ms and
//! 180 KB per person).
//!
//!     cargo bench --bench publish
//!
//! Not a test: it never fails on a slow machine, it only prints figures.

use std::time::Instant;

use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::PublishRules;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::program::anonymize::{Options, Scrubber};
use ttx_engine::program::leak_check::Needles;

const FIRST: &[&str] = &[
    "Priya", "Lucía", "Jürgen", "Ivan", "Chloé", "Søren", "Mei", "Omar", "Grace", "Tomás",
];
const LAST: &[&str] = &[
    "Nair", "Romero", "Müller", "Petrov", "Martin", "Åström", "Lin", "Haddad", "Mensah", "O'Brien",
];

fn name(n: usize) -> (String, String) {
    let first = format!("{}{}", FIRST[n % FIRST.len()], suffix(n / 10));
    let last = format!("{}{}", LAST[(n / 7) % LAST.len()], suffix(n / 70));
    (first, last)
}

/// Letters that make each generated name its own (`Priya` + `bq`).
fn suffix(mut n: usize) -> String {
    let mut out = String::new();
    while n > 0 {
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    out
}

fn roster(people: usize) -> Roster {
    let mut yaml =
        String::from("teams:\n  - {id: sec, name: Security Engineering, poc: p0}\npeople:\n");
    for n in 0..people {
        let (first, last) = name(n);
        let login: String = format!("{first}.{last}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect::<String>()
            .to_lowercase();
        yaml.push_str(&format!(
            "  - {{id: p{n}, name: \"{first} {last}\", email: \"{login}@acme.example\", handle: \"@{login}\", team: sec}}\n"
        ));
    }
    yaml.push_str("roles:\n  ic: {team: sec, people: [p0]}\n");
    load::load_source::<Roster>(FileKind::Roster, SourceFile::new("roster.yaml", yaml))
        .expect("the generated roster loads")
        .value
}

fn text(people: usize) -> String {
    let mut out = String::new();
    for line in 0..400 {
        let (first, last) = name((line * 37) % people);
        out.push_str(&format!(
            "0:{:02}:00 {first} paged {last} about the CDN alert; IC asked for the key rotation status\n",
            line % 60
        ));
    }
    out
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    println!("people  build     scrub+check  peak RSS   per person");
    for people in [10, 1_000, 15_000] {
        let roster = roster(people);
        let text = text(people);
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = peak_rss_kib();
        let t = Instant::now();
        let mut scrub = Scrubber::new(
            Some(&roster),
            &PublishRules::default(),
            &[],
            Options::default(),
        )
        .expect("the scrubber builds");
        let second = Needles::new(&roster, &[], false);
        let built = t.elapsed();
        let t = Instant::now();
        let out = scrub.scrub(&text);
        let first_leaks = scrub.leaks(&out);
        let second_leaks = second.find(&out, false);
        let checked = t.elapsed();
        let peak = peak_rss_kib();
        assert!(
            first_leaks.is_empty() && second_leaks.is_empty(),
            "a name survived"
        );
        let total = built + checked;
        println!(
            "{people:>6}  {:>7.1} ms  {:>8.1} ms  {:>6} MiB  {:>6.1} µs, {:.1} KiB",
            built.as_secs_f64() * 1e3,
            checked.as_secs_f64() * 1e3,
            peak / 1024,
            total.as_secs_f64() * 1e6 / people as f64,
            peak.saturating_sub(before.min(peak)) as f64 / people as f64,
        );
    }
}
