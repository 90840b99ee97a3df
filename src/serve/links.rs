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
use ttx_engine::exercise::caller::Caller;
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
    /// Who this link's holder is to the engine, which decides what they may send.
    pub fn caller(&self) -> Caller {
        match self {
            Grant::Facilitator => Caller::Facilitator,
            Grant::Observer => Caller::Observer,
            Grant::Room => Caller::Room,
            Grant::Role(r) => Caller::Role(r.clone()),
            Grant::Person { person, role } => Caller::Person {
                person: person.clone(),
                role: role.clone(),
            },
        }
    }

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

/// The kept hashes of an exercise's tokens, what each grants, and whether the
/// facilitator revoked it.
#[derive(Clone)]
pub struct Keys {
    entries: Vec<Key>,
}

#[derive(Clone)]
struct Key {
    hash: [u8; 32],
    grant: Grant,
    revoked: bool,
}

/// What a presented token is.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A live link, and what it grants.
    Granted(&'a Grant),
    /// A link the facilitator revoked (or replaced by a new one).
    Revoked,
    /// No link of this exercise.
    Unknown,
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
        let mut keys = Keys {
            entries: Vec::new(),
        };
        let mut issued = Vec::new();
        for g in grants {
            let t = keys.add(g.clone())?;
            issued.push((g, t));
        }
        Ok((keys, issued))
    }

    fn add(&mut self, grant: Grant) -> Result<String, String> {
        let t = token()?;
        self.entries.push(Key {
            hash: digest(&t),
            grant,
            revoked: false,
        });
        Ok(t)
    }

    /// What a presented token is, comparing it with every kept hash in constant time
    /// (the time taken does not tell how much of a guess was right, or which one matched).
    pub fn lookup(&self, token: &str) -> Lookup<'_> {
        let d = digest(token);
        let mut found = Lookup::Unknown;
        for k in &self.entries {
            if bool::from(k.hash.ct_eq(&d)) {
                found = if k.revoked {
                    Lookup::Revoked
                } else {
                    Lookup::Granted(&k.grant)
                };
            }
        }
        found
    }

    /// Whether the token with this hash is a live link.
    pub fn live(&self, hash: &[u8; 32]) -> bool {
        self.entries
            .iter()
            .any(|k| !k.revoked && bool::from(k.hash.ct_eq(hash)))
    }

    /// The grants of the live links, in the order they were issued.
    pub fn grants(&self) -> Vec<&Grant> {
        self.entries
            .iter()
            .filter(|k| !k.revoked)
            .map(|k| &k.grant)
            .collect()
    }

    /// The live link named `name` (see [`name_of`]): its grant, or why there is none.
    pub fn named(&self, name: &str) -> Result<Grant, String> {
        let mut found: Vec<&Grant> = Vec::new();
        let mut revoked = false;
        for k in &self.entries {
            if name_of(&k.grant) == name || qualified_name(&k.grant) == name {
                if k.revoked {
                    revoked = true;
                } else if !found.contains(&&k.grant) {
                    found.push(&k.grant);
                }
            }
        }
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] if revoked => Err(format!(
                "the link of `{name}` was revoked; `links reissue {name}` gives them a new one"
            )),
            [] => {
                let names: Vec<String> = self.grants().into_iter().map(name_of).collect();
                Err(format!(
                    "no link named `{name}`; the links are: {}",
                    names.join(", ")
                ))
            }
            several => {
                let names: Vec<String> = several.iter().map(|g| qualified_name(g)).collect();
                Err(format!(
                    "`{name}` names several links; say which: {}",
                    names.join(", ")
                ))
            }
        }
    }

    /// Revokes the live links of a grant; false if it had none. The facilitator's own
    /// link is never revoked (it would lock the facilitator out): reissue it instead.
    pub fn revoke(&mut self, grant: &Grant) -> Result<(), String> {
        if *grant == Grant::Facilitator {
            return Err(
                "the facilitator's link cannot be revoked (you would lock yourself out); `links reissue facilitator` replaces it"
                    .into(),
            );
        }
        let mut any = false;
        for k in self.entries.iter_mut().filter(|k| k.grant == *grant) {
            any |= !k.revoked;
            k.revoked = true;
        }
        if any {
            Ok(())
        } else {
            Err(format!("the link of {} is already revoked", grant.label()))
        }
    }

    /// Revokes a grant's live links and issues a new one: the new token, to hand out.
    pub fn reissue(&mut self, grant: &Grant) -> Result<String, String> {
        for k in self.entries.iter_mut().filter(|k| k.grant == *grant) {
            k.revoked = true;
        }
        self.add(grant.clone())
    }

    /// Writes the hashes beside the journal, readable by the owner only.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let list: Vec<Value> = self
            .entries
            .iter()
            .map(|k| {
                let mut v = k.grant.to_json();
                v["sha256"] = Value::String(hex(&k.hash));
                if k.revoked {
                    v["revoked"] = Value::Bool(true);
                }
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
            let revoked = match k.get("revoked") {
                None => false,
                Some(v) => v.as_bool().ok_or_else(bad)?,
            };
            entries.push(Key {
                hash: out,
                grant,
                revoked,
            });
        }
        Ok(Some(Keys { entries }))
    }
}

/// The links of a served exercise: the kept hashes, where they are saved, the links
/// file handed out (when there is one), and the tokens this run knows (all of them when
/// it issued them, only those reissued since on `--resume`).
pub struct Book {
    keys: Keys,
    keys_path: PathBuf,
    file: Option<PathBuf>,
    base: String,
    known: Issued,
}

/// A link changed: whose, by the console's name, and the new token of a reissue.
pub struct Changed {
    /// Whose link.
    pub grant: Grant,
    /// The new token, for a reissue: shown to the facilitator once, never journaled.
    pub token: Option<String>,
}

impl Book {
    /// The book of an exercise's links.
    pub fn new(
        keys: Keys,
        keys_path: PathBuf,
        file: Option<PathBuf>,
        base: String,
        known: Issued,
    ) -> Book {
        Book {
            keys,
            keys_path,
            file,
            base,
            known,
        }
    }

    /// The kept hashes.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The tokens this run knows, with their grants.
    pub fn known(&self) -> &Issued {
        &self.known
    }

    /// The address the links name.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The live links the facilitator's page offers to revoke or reissue (every one but
    /// the facilitator's own): the unambiguous name and the label.
    pub fn rows(&self) -> Vec<(String, String)> {
        self.keys
            .grants()
            .into_iter()
            .filter(|g| **g != Grant::Facilitator)
            .map(|g| (qualified_name(g), g.label()))
            .collect()
    }

    /// Revokes or reissues the link named `name`, and saves the hashes before it answers
    /// (a crash after keeps the change); the links file, when there is one, loses the
    /// revoked token and gains the new one.
    pub fn change(
        &mut self,
        name: &str,
        change: ttx_engine::exercise::event::LinkChange,
    ) -> Result<Changed, String> {
        use ttx_engine::exercise::event::LinkChange;
        let grant = self.keys.named(name)?;
        let before = self.keys.clone();
        let token = match change {
            LinkChange::Revoked => {
                self.keys.revoke(&grant)?;
                None
            }
            LinkChange::Reissued => Some(self.keys.reissue(&grant)?),
        };
        if let Err(e) = self.keys.save(&self.keys_path) {
            self.keys = before;
            return Err(format!("{e}; the link was not changed"));
        }
        self.known.retain(|(g, _)| *g != grant);
        if let Some(t) = &token {
            self.known.push((grant.clone(), t.clone()));
        }
        if let Some(file) = self.file.as_ref().filter(|f| f.exists()) {
            let mut v = read_links_file(file).unwrap_or_else(|| json!({}));
            set_link(&mut v, &self.base, &grant, token.as_deref());
            let text = serde_json::to_string_pretty(&v).unwrap_or_default();
            write_private(file, &(text + "\n"))
                .map_err(|e| format!("the link was changed, but {e}"))?;
        }
        Ok(Changed { grant, token })
    }
}

/// A links file as written, if it reads as one (bounded: it is a small file).
fn read_links_file(path: &Path) -> Option<Value> {
    let bytes = ttx_engine::authoring::file::read_bounded(path, 4 << 20).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Puts a grant's link in a links file's JSON (`token: None` takes it out). A file that
/// is not shaped as ttx writes it is made so.
fn set_link(v: &mut Value, base: &str, grant: &Grant, token: Option<&str>) {
    if !v.is_object() {
        *v = json!({});
    }
    let entry = token.map(|t| json!({"url": url(base, t), "token": t}));
    let (group, key) = match grant {
        Grant::Facilitator => (None, "facilitator".to_string()),
        Grant::Observer => (None, "observer".to_string()),
        Grant::Room => (None, "room".to_string()),
        Grant::Role(r) => (Some("roles"), r.clone()),
        Grant::Person { person, .. } => (Some("people"), person.clone()),
    };
    let mut target = v;
    if let Some(group) = group {
        if !target.get(group).is_some_and(Value::is_object) {
            target[group] = json!({});
        }
        target = &mut target[group];
    }
    let Some(map) = target.as_object_mut() else {
        return;
    };
    match entry {
        Some(e) => {
            map.insert(key, e);
        }
        None => {
            map.remove(&key);
        }
    }
}

/// How the console names a link: `facilitator`, `observer`, `room`, a role id or a
/// roster person id.
pub fn name_of(g: &Grant) -> String {
    match g {
        Grant::Facilitator => "facilitator".into(),
        Grant::Observer => "observer".into(),
        Grant::Room => "room".into(),
        Grant::Role(r) => r.clone(),
        Grant::Person { person, .. } => person.clone(),
    }
}

/// The same, never ambiguous: `role:ic`, `person:dana-okafor` (a role and a person may
/// share an id).
pub fn qualified_name(g: &Grant) -> String {
    match g {
        Grant::Role(r) => format!("role:{r}"),
        Grant::Person { person, .. } => format!("person:{person}"),
        g => name_of(g),
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
        assert_eq!(
            keys.lookup(&issued[1].1),
            Lookup::Granted(&Grant::Role("ic".into()))
        );
        assert_eq!(
            keys.lookup("0123456789abcdef0123456789abcdef"),
            Lookup::Unknown
        );
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
        assert_eq!(
            again.lookup(&issued[0].1),
            Lookup::Granted(&Grant::Facilitator)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_revoked_link_is_known_as_revoked_and_a_reissued_one_is_replaced() {
        let grants = vec![
            Grant::Facilitator,
            Grant::Role("ic".into()),
            Grant::Person {
                person: "ic".into(),
                role: "ic".into(),
            },
            Grant::Observer,
        ];
        let (mut keys, issued) = Keys::issue(grants).expect("tokens");
        // A role and a person that share an id need the qualified name.
        let both = keys.named("ic").unwrap_err();
        assert!(
            both.contains("role:ic") && both.contains("person:ic"),
            "{both}"
        );
        let role = keys.named("role:ic").unwrap();
        assert_eq!(role, Grant::Role("ic".into()));
        keys.revoke(&role).unwrap();
        assert_eq!(keys.lookup(&issued[1].1), Lookup::Revoked);
        assert!(!keys.live(&digest(&issued[1].1)));
        assert!(keys.revoke(&role).unwrap_err().contains("already revoked"));
        // Once revoked, the bare name means the person.
        assert_eq!(keys.named("ic").unwrap(), issued[2].0);
        assert!(keys.revoke(&Grant::Facilitator).is_err());
        let fresh = keys.reissue(&Grant::Observer).unwrap();
        assert_eq!(keys.lookup(&issued[3].1), Lookup::Revoked);
        assert_eq!(keys.lookup(&fresh), Lookup::Granted(&Grant::Observer));
        // Saved and loaded, the revocations stand.
        let dir = std::env::temp_dir().join(format!("ttx-revoke-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.jsonl.keys");
        keys.save(&path).unwrap();
        let again = Keys::load(&path).unwrap().unwrap();
        assert_eq!(again.lookup(&issued[1].1), Lookup::Revoked);
        assert_eq!(again.lookup(&issued[3].1), Lookup::Revoked);
        assert_eq!(again.lookup(&fresh), Lookup::Granted(&Grant::Observer));
        assert!(!std::fs::read_to_string(&path).unwrap().contains(&fresh));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_links_file_gains_the_new_link_and_loses_the_revoked_one() {
        let mut v = json!({"roles": {"ic": {"url": "old", "token": "old"}}, "people": "broken"});
        set_link(&mut v, "http://h", &Grant::Role("ic".into()), None);
        assert_eq!(v["roles"], json!({}));
        let p = Grant::Person {
            person: "dana".into(),
            role: "ic".into(),
        };
        set_link(&mut v, "http://h", &p, Some("abc"));
        assert_eq!(v["people"]["dana"]["url"], "http://h/join/abc");
        let mut odd = json!(["not", "an", "object"]);
        set_link(&mut odd, "http://h", &Grant::Room, Some("t"));
        assert_eq!(odd["room"]["token"], "t");
    }
}
