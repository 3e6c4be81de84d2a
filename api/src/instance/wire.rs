//! Proto-JSON wire types of `zitadel.instance.v2.InstanceService`.

use serde::{Deserialize, Serialize};

use crate::proto::ProtoTimestamp;
use crate::proto::json::{PaginationRequest, PaginationResponse, TextQueryMethod, proto_enum};
pub use crate::proto::{ChangeDateResponse, CreationDateResponse, DeletionDateResponse};

proto_enum! {
    /// Mirrors `zitadel.instance.v2.State`.
    pub enum State = "zitadel.instance.v2.State" {
        Unspecified = 0 => "STATE_UNSPECIFIED",
        Creating = 1 => "STATE_CREATING",
        Running = 2 => "STATE_RUNNING",
        Stopping = 3 => "STATE_STOPPING",
        Stopped = 4 => "STATE_STOPPED",
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDomain {
    pub instance_id: String,
    pub creation_date: Option<ProtoTimestamp>,
    pub domain: String,
    pub primary: bool,
    pub generated: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedDomain {
    pub instance_id: String,
    pub creation_date: Option<ProtoTimestamp>,
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub id: String,
    pub change_date: Option<ProtoTimestamp>,
    pub creation_date: Option<ProtoTimestamp>,
    pub state: State,
    pub name: String,
    pub version: String,
    pub custom_domains: Vec<CustomDomain>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct InstanceIdRequest {
    pub instance_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetInstanceResponse {
    pub instance: Instance,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UpdateInstanceRequest {
    pub instance_id: String,
    pub instance_name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct IdsFilter {
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DomainsFilter {
    pub domains: Vec<String>,
}

/// `Filter` (oneof: `inIdsFilter`, `customDomainsFilter`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct InstanceFilter {
    pub in_ids_filter: Option<IdsFilter>,
    pub custom_domains_filter: Option<DomainsFilter>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ListInstancesRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: Option<serde_json::Value>,
    pub filters: Vec<InstanceFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInstancesResponse {
    pub instances: Vec<Instance>,
    pub pagination: PaginationResponse,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CustomDomainRequest {
    pub instance_id: String,
    pub custom_domain: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TrustedDomainRequest {
    pub instance_id: String,
    pub trusted_domain: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DomainFilter {
    pub domain: String,
    pub method: TextQueryMethod,
}

/// `CustomDomainFilter` / `TrustedDomainFilter` (oneof `filter`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DomainListFilter {
    pub domain_filter: Option<DomainFilter>,
    pub generated_filter: Option<bool>,
    pub primary_filter: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ListDomainsRequest {
    pub instance_id: String,
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: Option<serde_json::Value>,
    pub filters: Vec<DomainListFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListCustomDomainsResponse {
    pub domains: Vec<CustomDomain>,
    pub pagination: PaginationResponse,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTrustedDomainsResponse {
    pub trusted_domain: Vec<TrustedDomain>,
    pub pagination: PaginationResponse,
}
