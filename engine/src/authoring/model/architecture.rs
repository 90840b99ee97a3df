//! The architecture file: the organisation's own systems, who owns them, what data they
//! hold, and the runbooks that say how to operate them in an incident.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;
use crate::authoring::spanned::Sp;

/// An organisation's system model, the thing scenarios bind to.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// Components: services, datastores, queues, SaaS, vendors, identity providers.
    pub components: Vec<Component>,
    /// Trust boundaries, each a set of components inside it.
    #[serde(default)]
    pub trust_boundaries: Vec<TrustBoundary>,
    /// Data flows between components.
    #[serde(default)]
    pub data_flows: Vec<DataFlow>,
    /// Runbooks that expectations refer to, by id.
    #[serde(default)]
    pub runbooks: Vec<Runbook>,
}

/// One component of the architecture.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Unique id, used by scenarios (`requires: {db: {component: payments-db}}`).
    pub id: Sp<Id>,
    /// Human name; the id when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// What sort of thing it is; scenarios select by kind.
    pub kind: Sp<ComponentKind>,
    /// The owning team's id in the roster.
    pub team: Sp<Id>,
    /// Classes of data it stores or processes, such as `pii`, `payment`, `secrets`.
    #[serde(default)]
    pub data: Vec<Sp<String>>,
    /// How much the business depends on it.
    #[serde(default)]
    pub criticality: Criticality,
    /// Free tags scenarios can select by, such as `payments` or `customer-facing`.
    #[serde(default)]
    pub tags: Vec<Sp<String>>,
    /// A sentence on what it does.
    #[serde(default)]
    pub description: Option<String>,
    /// What watches it and would raise the alarm (`Datadog APM`, `CloudTrail to the
    /// SIEM`): a scenario drafted from intel names it as the source of the injects about
    /// this component.
    #[serde(default)]
    pub monitoring: Option<String>,
}

/// The kinds of component a scenario can select.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    /// A service the organisation runs.
    Service,
    /// A database or other store of record.
    Datastore,
    /// A queue or stream.
    Queue,
    /// A cache.
    Cache,
    /// Object or file storage, including backups.
    Storage,
    /// Software bought as a service (email, CRM, ticketing).
    Saas,
    /// A third party the organisation depends on (payment processor, CDN).
    Vendor,
    /// An identity provider or directory.
    Identity,
    /// Network infrastructure (load balancers, VPN, DNS).
    Network,
    /// Build and deployment pipelines.
    Pipeline,
    /// Laptops and other endpoints.
    Endpoint,
}

impl ComponentKind {
    /// The lower-case name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Service => "service",
            ComponentKind::Datastore => "datastore",
            ComponentKind::Queue => "queue",
            ComponentKind::Cache => "cache",
            ComponentKind::Storage => "storage",
            ComponentKind::Saas => "saas",
            ComponentKind::Vendor => "vendor",
            ComponentKind::Identity => "identity",
            ComponentKind::Network => "network",
            ComponentKind::Pipeline => "pipeline",
            ComponentKind::Endpoint => "endpoint",
        }
    }
}

/// How much the business depends on a component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Nice to have.
    Low,
    /// The default.
    #[default]
    Medium,
    /// An outage hurts customers.
    High,
    /// An outage stops the business.
    Critical,
}

/// A trust boundary and the components inside it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustBoundary {
    /// Unique id.
    pub id: Sp<Id>,
    /// Human name.
    #[serde(default)]
    pub name: Option<String>,
    /// Ids of the components inside the boundary.
    pub components: Vec<Sp<Id>>,
}

/// Data moving from one component to another.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataFlow {
    /// The sending component.
    pub from: Sp<Id>,
    /// The receiving component.
    pub to: Sp<Id>,
    /// Classes of data that flow.
    #[serde(default)]
    pub data: Vec<Sp<String>>,
    /// Protocol or mechanism, e.g. `https`, `sftp`, `kafka`.
    #[serde(default)]
    pub protocol: Option<String>,
}

/// A runbook that an expectation can cite.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    /// Unique id; expectations write `runbook: ID` or `runbook: ID#section`.
    pub id: Sp<Id>,
    /// Human title.
    pub title: String,
    /// Path to the runbook, relative to the architecture file.
    #[serde(default)]
    pub path: Option<String>,
    /// URL of the runbook in a wiki.
    #[serde(default)]
    pub url: Option<String>,
}
