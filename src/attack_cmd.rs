//! `ttx attack update FILE`: MITRE's `enterprise-attack.json` STIX bundle rewritten as the
//! catalog the validator checks technique ids against, for a program to pin in
//! `ttx.yaml` (`attack: attack-enterprise.tsv`; loading the program pins it).

use std::path::PathBuf;

use ttx_engine::authoring::attack;

use crate::exit::Exit;

/// The largest STIX bundle read: a whole ATT&CK release is about 50 MiB.
const MAX_BUNDLE_BYTES: u64 = 256 << 20;

/// What `ttx attack` does.
#[derive(clap::Subcommand)]
pub enum AttackCommand {
    /// Rewrite MITRE's enterprise-attack.json STIX bundle as a technique catalog (ids,
    /// names, tactics, revoked with their replacement, deprecated), for `attack:` in
    /// ttx.yaml.
    Update {
        /// MITRE's STIX bundle, e.g. enterprise-attack.json from mitre-attack/attack-stix-data.
        bundle: PathBuf,
        /// Where to write the catalog (default: standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

/// Runs `ttx attack`.
pub fn run(command: AttackCommand) -> Exit {
    let AttackCommand::Update { bundle, output } = command;
    let text = match crate::output::read_text(&bundle, MAX_BUNDLE_BYTES) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let name = bundle
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("the bundle");
    let (catalog, count) = match attack::from_stix(&text, name) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", bundle.display());
            return Exit::Problems;
        }
    };
    let version = attack::version_of(&catalog).map_or_else(String::new, |v| format!(" {v}"));
    match &output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &catalog) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return Exit::Usage;
            }
            eprintln!(
                "wrote {count} techniques of ATT&CK Enterprise{version} to {}; pin it with `attack: {}` in ttx.yaml",
                path.display(),
                path.display()
            );
        }
        None => print!("{catalog}"),
    }
    Exit::Ok
}
