//! The join links: one bearer token per audience (the facilitator, observers, the room,
//! each role, each person the roster assigns to a role). A token is 128 random bits from
//! the operating system; only its SHA-256 is kept, in memory and beside the journal (so
//! the same links work after `--resume`), and a presented token is compared against every
//! kept hash in constant time.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::exercise::chain::sha256_hex;

/// What a link lets its holder see and do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grant {
    /// Everything, every command.
    Facilitator,
    /// Read-only, everything participants may see.
    Observer,
    /// The projector: the clock, what everyone was sent, the question.
    Room,
    /// A role's players.
    Role(String),
    /// One person playing a role: their decisions carry their name.
    Person {
        /// Roster person id.
        person: String,
        /// The role they play.
        role: String,
    },
}

impl Grant {
    /// The role this grant plays, if it is a participant's.
    pub fn role(&self) -> Option<&str> {
        match self {
            Grant::Role(r) | Grant::Person { role: r, .. } => Some(r),
            _ => None,
        }
    }

    /// The person, for a person's link.
    pub fn person(&self) -> Option<&str> {
        match self {
            Grant::Person { person, .. } => Some(person),
            _ => None,
        }
    }

    /// How the facilitator's page names who is connected.
    pub fn label(&self) -> String {
        match self {
            Grant::Facilitator => "facilitator".into(),
            Grant::Observer => "observer".into(),
            Grant::Room => "room screen".into(),
            Grant::Role(r) => format!("{r} (role link)"),
            Grant::Person { person, role } => format!("{person} as {role}"),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Grant::Facilitator => json!({"grant": "facilitator"}),
            Grant::Observer => json!({"grant": "observer"}),
            Grant::Room => json!({"grant": "room"}),
            Grant::Role(r) => json!({"grant": "role", "role": r}),
            Grant::Person { person, role } => {
                json!({"grant": "person", "person": person, "role": role})
            }
        }
    }

    fn from_json(v: &Value) -> Option<Grant> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(match v.get("grant")?.as_str()? {
            "facilitator" => Grant::Facilitator,
            "observer" => Grant::Observer,
            "room" => Grant::Room,
            "role" => Grant::Role(text("role")?),
            "person" => Grant::Person {
                person: text("person")?,
                role: text("role")?,
            },
            _ => return None,
        })
    }
}

/// The kept hashes of an exercise's tokens, and what each grants.
pub struct Keys {
    entries: Vec<([u8; 32], Grant)>,
}

/// Tokens just made, to hand out once: (grant, token).
pub type Issued = Vec<(Grant, String)>;

/// Where the hashes live beside a journal.
pub fn keys_path(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".keys");
    journal.with_file_name(name)
}

/// The SHA-256 of a token, as kept.
pub fn digest(token: &str) -> [u8; 32] {
    let hex = sha256_hex(token.as_bytes());
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh token: 128 bits from the operating system's generator, as 32 hex digits.
fn token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot draw a random token: {e}"))?;
    Ok(hex(&bytes))
}

/// Every grant an exercise hands out: the facilitator, observers, the room, each role of
/// the scenario, and each person the roster assigns to one of those roles.
pub fn grants(s: &Scenario, roster: Option<&Roster>) -> Vec<Grant> {
    let mut out = vec![Grant::Facilitator, Grant::Observer, Grant::Room];
    out.extend(s.roles.keys().map(|r| Grant::Role(r.to_string())));
    if let Some(roster) = roster {
        for (role, a) in &roster.roles {
            if !s.roles.contains_key(role.as_str()) {
                continue;
            }
            for p in &a.people {
                let g = Grant::Person {
                    person: p.to_string(),
                    role: role.to_string(),
                };
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
    }
    out
}

impl Keys {
    /// Makes a token for each grant and keeps their hashes.
    pub fn issue(grants: Vec<Grant>) -> Result<(Keys, Issued), String> {
        let mut entries = Vec::new();
        let mut issued = Vec::new();
        for g in grants {
            let t = token()?;
            entries.push((digest(&t), g.clone()));
            issued.push((g, t));
        }
        Ok((Keys { entries }, issued))
    }

    /// What a presented token grants, comparing it with every kept hash in constant time
    /// (the time taken does not tell how much of a guess was right, or which one matched).
    pub fn grant(&self, token: &str) -> Option<&Grant> {
        let d = digest(token);
        let mut found = None;
        for (h, g) in &self.entries {
            if bool::from(h.ct_eq(&d)) {
                found = Some(g);
            }
        }
        found
    }

    /// Writes the hashes beside the journal, readable by the owner only.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let list: Vec<Value> = self
            .entries
            .iter()
            .map(|(h, g)| {
                let mut v = g.to_json();
                v["sha256"] = Value::String(hex(h));
                v
            })
            .collect();
        let text = serde_json::to_string_pretty(&json!({"v": 1, "keys": list}))
            .map_err(|e| e.to_string())?;
        write_private(path, &(text + "\n"))
    }

    /// Reads the hashes kept beside a journal; `Ok(None)` when there are none (a journal
    /// `ttx run` started).
    pub fn load(path: &Path) -> Result<Option<Keys>, String> {
        use ttx_engine::authoring::file::{ReadError, read_bounded};
        // A keys file holds a hash per link: a megabyte is thousands of links.
        let bytes = match read_bounded(path, 1 << 20) {
            Ok(b) => b,
            Err(ReadError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e.to_string()),
        };
        let bad = || {
            format!(
                "{} is not a ttx keys file; move it away to issue new links",
                path.display()
            )
        };
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let mut entries = Vec::new();
        for k in v.get("keys").and_then(Value::as_array).ok_or_else(bad)? {
            let grant = Grant::from_json(k).ok_or_else(bad)?;
            let h = k.get("sha256").and_then(Value::as_str).ok_or_else(bad)?;
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let mut out = [0u8; 32];
            for (i, b) in out.iter_mut().enumerate() {
                *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
            }
            entries.push((out, grant));
        }
        Ok(Some(Keys { entries }))
    }
}

/// Where the links go when standard error is not a terminal and no `--links` file was
/// named: beside the journal, `JOURNAL.links.json`.
pub fn default_links_path(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".links.json");
    journal.with_file_name(name)
}

/// Writes `text` to `path`, created (or truncated) with mode 0600 where the system has
/// modes: links and their hashes are for the facilitator's eyes.
pub fn write_private(path: &Path, text: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        // An existing file keeps its mode on open; make it private too.
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The join link of a token.
pub fn url(base: &str, token: &str) -> String {
    format!("{}/join/{token}", base.trim_end_matches('/'))
}

/// The links file: `{"facilitator": {"url", "token"}, "observer", "room", "roles": {…},
/// "people": {…}}`.
pub fn links_json(base: &str, issued: &Issued) -> Value {
    let entry = |t: &str| json!({"url": url(base, t), "token": t});
    let mut out = serde_json::Map::new();
    let mut roles = BTreeMap::new();
    let mut people = BTreeMap::new();
    for (g, t) in issued {
        match g {
            Grant::Facilitator => {
                out.insert("facilitator".into(), entry(t));
            }
            Grant::Observer => {
                out.insert("observer".into(), entry(t));
            }
            Grant::Room => {
                out.insert("room".into(), entry(t));
            }
            Grant::Role(r) => {
                roles.insert(r.clone(), entry(t));
            }
            Grant::Person { person, .. } => {
                people.insert(person.clone(), entry(t));
            }
        }
    }
    out.insert("roles".into(), json!(roles));
    out.insert("people".into(), json!(people));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_recognised_by_its_hash_only() {
        let (keys, issued) =
            Keys::issue(vec![Grant::Facilitator, Grant::Role("ic".into())]).expect("tokens");
        assert_eq!(issued.len(), 2);
        assert!(issued.iter().all(|(_, t)| t.len() == 32));
        assert_ne!(issued[0].1, issued[1].1);
        assert_eq!(keys.grant(&issued[1].1), Some(&Grant::Role("ic".into())));
        assert_eq!(keys.grant("0123456789abcdef0123456789abcdef"), None);
        let dir = std::env::temp_dir().join(format!("ttx-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.jsonl.keys");
        keys.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(&issued[0].1),
            "the token itself is never kept"
        );
        let again = Keys::load(&path).unwrap().unwrap();
        assert_eq!(again.grant(&issued[0].1), Some(&Grant::Facilitator));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
