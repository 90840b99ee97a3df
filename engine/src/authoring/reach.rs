//! Where an ATT&CK technique lands in an organisation: the kinds of component it can
//! touch, and the tags and data classes that make a component of that kind the likelier
//! target. A scenario drafted from intel binds each technique's inject to a component of
//! the program's architecture this way (`T1078.004 Cloud Accounts` to the identity
//! provider, `T1552.001 Credentials In Files` to the repositories and CI).
//!
//! The table is read most specific first: the sub-technique, then its parent technique,
//! then the technique's first tactic. It is the documented mapping of docs/authoring.md;
//! what it misses (techniques that land outside the organisation, such as
//! reconnaissance) binds to nothing, and the author is told.

use crate::authoring::attack;
use crate::authoring::model::architecture::{Architecture, Component, ComponentKind};

use ComponentKind::{
    Datastore, Endpoint, Identity, Network, Pipeline, Saas, Service, Storage, Vendor,
};

/// Where one technique (or tactic) lands.
#[derive(Debug, PartialEq, Eq)]
pub struct Reach {
    /// A technique id (`T1552.001`, `T1078`) or a tactic (`credential-access`).
    pub key: &'static str,
    /// The kinds of component it touches, likeliest first.
    pub kinds: &'static [ComponentKind],
    /// Tags or data classes that mark the likelier target among those kinds.
    pub marks: &'static [&'static str],
}

const fn r(
    key: &'static str,
    kinds: &'static [ComponentKind],
    marks: &'static [&'static str],
) -> Reach {
    Reach { key, kinds, marks }
}

/// The mapping, most specific first within each group.
pub const TABLE: &[Reach] = &[
    // Identities and the accounts they hold.
    r(
        "T1078.004",
        &[Identity, Saas],
        &["cloud", "sso", "idp", "aws", "azure", "gcp"],
    ),
    r("T1078", &[Identity], &["sso", "idp", "directory"]),
    r("T1110", &[Identity], &["sso", "idp"]),
    r("T1556", &[Identity], &["sso", "idp"]),
    r("T1098", &[Identity], &["sso", "idp", "directory"]),
    r("T1136", &[Identity], &["directory"]),
    r("T1621", &[Identity], &["mfa", "sso"]),
    r("T1528", &[Identity, Saas], &["oauth", "sso"]),
    r("T1539", &[Identity, Service], &["sso", "customer-facing"]),
    r("T1003", &[Identity, Endpoint], &["directory"]),
    r("T1555", &[Endpoint, Identity], &["secrets"]),
    r("T1087", &[Identity], &["directory"]),
    r("T1069", &[Identity], &["directory"]),
    r("T1482", &[Identity], &["directory"]),
    // Secrets in code, pipelines and storage.
    r(
        "T1552.001",
        &[Pipeline, Storage],
        &["ci", "repository", "source", "secrets"],
    ),
    r("T1552", &[Pipeline, Storage, Datastore], &["secrets"]),
    r(
        "T1195",
        &[Pipeline, Vendor],
        &["dependencies", "ci", "build"],
    ),
    r("T1199", &[Vendor, Saas], &["support", "msp", "managed"]),
    // The way in.
    r("T1566", &[Saas, Endpoint], &["email", "mail"]),
    r("T1204", &[Endpoint], &[]),
    r(
        "T1190",
        &[Service, Network],
        &["customer-facing", "public", "internet-facing", "api"],
    ),
    r("T1133", &[Network, Identity], &["vpn", "remote-access"]),
    r("T1189", &[Endpoint], &[]),
    // On the hosts.
    r("T1059", &[Endpoint, Service], &[]),
    r("T1053", &[Endpoint, Service], &[]),
    r("T1047", &[Endpoint], &[]),
    r("T1543", &[Endpoint, Service], &[]),
    r("T1547", &[Endpoint], &[]),
    r("T1021", &[Endpoint, Network], &["vpn"]),
    r("T1570", &[Endpoint], &[]),
    r("T1018", &[Network, Identity], &["directory"]),
    r(
        "T1070",
        &[Service, Endpoint],
        &["logging", "siem", "monitoring"],
    ),
    r(
        "T1562",
        &[Service, Endpoint],
        &["logging", "siem", "monitoring", "edr"],
    ),
    // The data.
    r("T1530", &[Storage], &["backups", "documents", "exports"]),
    r(
        "T1213",
        &[Saas],
        &["wiki", "docs", "crm", "ticketing", "support"],
    ),
    r("T1114", &[Saas], &["email", "mail"]),
    r("T1005", &[Endpoint], &[]),
    r("T1074", &[Storage, Endpoint], &[]),
    r("T1560", &[Storage, Endpoint], &[]),
    r(
        "T1041",
        &[Datastore, Storage],
        &["pii", "payment", "customer", "cardholder"],
    ),
    r(
        "T1048",
        &[Datastore, Storage],
        &["pii", "payment", "customer", "cardholder"],
    ),
    r(
        "T1567",
        &[Datastore, Storage],
        &["pii", "payment", "customer", "cardholder"],
    ),
    r("T1537", &[Storage, Datastore], &["backups", "pii"]),
    r("T1565", &[Datastore], &["payment", "ledger"]),
    // Impact.
    r(
        "T1486",
        &[Datastore, Storage],
        &["system-of-record", "pii", "payment"],
    ),
    r(
        "T1485",
        &[Datastore, Storage],
        &["system-of-record", "backups"],
    ),
    r("T1490", &[Storage], &["backups", "backup"]),
    r("T1489", &[Service], &["customer-facing"]),
    r("T1498", &[Network, Service], &["cdn", "customer-facing"]),
    r("T1499", &[Service, Network], &["customer-facing", "cdn"]),
    r("T1496", &[Service, Pipeline], &[]),
    r("T1657", &[Service], &["payments", "refunds"]),
    // The tactic, when the technique is not in the table.
    r(
        "initial-access",
        &[Service, Identity],
        &["customer-facing", "sso"],
    ),
    r("execution", &[Endpoint, Service], &[]),
    r("persistence", &[Endpoint, Identity], &[]),
    r("privilege-escalation", &[Endpoint, Identity], &[]),
    r("defense-evasion", &[Endpoint, Service], &[]),
    r("credential-access", &[Identity], &["sso", "directory"]),
    r("discovery", &[Identity, Network], &["directory"]),
    r("lateral-movement", &[Endpoint, Network], &[]),
    r(
        "collection",
        &[Datastore, Storage, Saas],
        &["pii", "customer"],
    ),
    r("command-and-control", &[Network], &[]),
    r(
        "exfiltration",
        &[Datastore, Storage],
        &["pii", "payment", "customer"],
    ),
    r(
        "impact",
        &[Datastore, Service],
        &["system-of-record", "customer-facing"],
    ),
];

/// The entry for a technique: its own, its parent's, or its first tactic's; none for a
/// technique that lands outside the organisation (reconnaissance, resource development).
pub fn of(technique: &str) -> Option<&'static Reach> {
    let parent = technique.split('.').next().unwrap_or(technique);
    let find = |key: &str| TABLE.iter().find(|r| r.key == key);
    find(technique).or_else(|| find(parent)).or_else(|| {
        attack::technique(technique)?
            .tactics
            .iter()
            .find_map(|t| find(t))
    })
}

/// A component a technique lands on, and the selector that names it by kind and one of
/// its marks (so the scenario fits any organisation with such a component).
#[derive(Clone, Debug)]
pub struct Target<'a> {
    /// The component of the architecture.
    pub component: &'a Component,
    /// The selector, as YAML: `{kind: identity, tags: [sso]}`.
    pub selector: String,
}

/// Where `technique` lands in `arch`: the first component of its likeliest kind that
/// carries one of its marks (as a tag or a data class), else the most critical of that
/// kind, trying each kind in turn.
pub fn target<'a>(technique: &str, arch: &'a Architecture) -> Option<Target<'a>> {
    let reach = of(technique)?;
    for kind in reach.kinds {
        let of_kind: Vec<&Component> = arch
            .components
            .iter()
            .filter(|c| *c.kind == *kind)
            .collect();
        for mark in reach.marks {
            if let Some(c) = of_kind
                .iter()
                .find(|c| c.tags.iter().any(|t| t.as_str() == *mark))
            {
                return Some(Target {
                    component: c,
                    selector: format!("{{kind: {}, tags: [{mark}]}}", kind.as_str()),
                });
            }
            if let Some(c) = of_kind
                .iter()
                .find(|c| c.data.iter().any(|d| d.as_str() == *mark))
            {
                return Some(Target {
                    component: c,
                    selector: format!("{{kind: {}, data: [{mark}]}}", kind.as_str()),
                });
            }
        }
        if let Some(c) = of_kind.iter().max_by_key(|c| c.criticality as u8) {
            return Some(Target {
                component: c,
                selector: format!("{{kind: {}}}", kind.as_str()),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_a_current_technique_or_a_tactic_and_none_repeats() {
        // Reconnaissance and resource development land outside the organisation: no entry.
        let tactics = &attack::TACTICS[2..];
        assert_eq!(tactics[0], "initial-access");
        for (i, r) in TABLE.iter().enumerate() {
            assert!(
                tactics.contains(&r.key)
                    || attack::technique(r.key).is_some_and(|t| t.status == attack::Status::Active),
                "`{}` is neither a tactic nor a current technique",
                r.key
            );
            assert!(!r.kinds.is_empty(), "{}", r.key);
            assert!(
                TABLE[..i].iter().all(|o| o.key != r.key),
                "`{}` twice",
                r.key
            );
        }
    }

    #[test]
    fn the_most_specific_entry_wins() {
        assert_eq!(of("T1078.004").unwrap().key, "T1078.004");
        assert_eq!(of("T1078.003").unwrap().key, "T1078");
        // Not in the table: its tactic's entry.
        assert_eq!(of("T1583.001"), None, "resource development lands outside");
        assert_eq!(of("T1027").unwrap().key, "defense-evasion");
    }
}
