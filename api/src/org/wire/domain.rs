//! Organization domain RPCs.

use serde::{Deserialize, Serialize};

use super::common::{
    Oneof, OneofError, PaginationRequest, PaginationResponse, ProtoTimestamp, null_as_default,
    proto_enum,
};
use super::organization::{ChangeDateResponse, DeletionDateResponse, OrganizationDomainQuery};

proto_enum! {
    /// Mirrors `zitadel.org.v2.DomainValidationType`.
    pub enum DomainValidationType = "zitadel.org.v2.DomainValidationType" {
        Unspecified = 0 => "DOMAIN_VALIDATION_TYPE_UNSPECIFIED",
        /// A file hosted on the domain.
        Http = 1 => "DOMAIN_VALIDATION_TYPE_HTTP",
        /// A TXT record in the domain's DNS.
        Dns = 2 => "DOMAIN_VALIDATION_TYPE_DNS",
    }
}

proto_enum! {
    /// Mirrors `zitadel.org.v2.DomainFieldName` (sorting column).
    pub enum DomainFieldName = "zitadel.org.v2.DomainFieldName" {
        Unspecified = 0 => "DOMAIN_FIELD_NAME_UNSPECIFIED",
        Name = 1 => "DOMAIN_FIELD_NAME_NAME",
        CreationDate = 2 => "DOMAIN_FIELD_NAME_CREATION_DATE",
    }
}

/// Mirrors `zitadel.org.v2.Domain`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    /// Fully qualified domain name.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub domain: String,
    #[serde(
        default,
        alias = "is_verified",
        deserialize_with = "null_as_default",
        skip_serializing_if = "super::common::is_false"
    )]
    pub is_verified: bool,
    /// Whether this is the organization's primary ("Organization Domain").
    #[serde(
        default,
        alias = "is_primary",
        deserialize_with = "null_as_default",
        skip_serializing_if = "super::common::is_false"
    )]
    pub is_primary: bool,
    #[serde(
        default,
        alias = "validation_type",
        skip_serializing_if = "DomainValidationType::is_default"
    )]
    pub validation_type: DomainValidationType,
}

/// Request carrying `organization_id` and `domain`; shared shape of `zitadel.org.v2.`
/// `{Add,Delete,Verify}OrganizationDomainRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDomainRequest {
    /// REST: path parameter.
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    /// REST: body field, or query parameter `domain` for `DELETE`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub domain: String,
}

/// Mirrors `zitadel.org.v2.AddOrganizationDomainRequest`.
pub type AddOrganizationDomainRequest = OrganizationDomainRequest;
/// Mirrors `zitadel.org.v2.DeleteOrganizationDomainRequest`.
pub type DeleteOrganizationDomainRequest = OrganizationDomainRequest;
/// Mirrors `zitadel.org.v2.VerifyOrganizationDomainRequest`.
pub type VerifyOrganizationDomainRequest = OrganizationDomainRequest;

/// Mirrors `zitadel.org.v2.AddOrganizationDomainResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddOrganizationDomainResponse {
    #[serde(
        default,
        alias = "creation_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_date: Option<ProtoTimestamp>,
}

/// Mirrors `zitadel.org.v2.DeleteOrganizationDomainResponse`.
pub type DeleteOrganizationDomainResponse = DeletionDateResponse;
/// Mirrors `zitadel.org.v2.VerifyOrganizationDomainResponse`.
pub type VerifyOrganizationDomainResponse = ChangeDateResponse;

/// Mirrors `zitadel.org.v2.ListOrganizationDomainsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationDomainsRequest {
    /// REST: path parameter.
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationRequest>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub filters: Vec<DomainSearchFilter>,
    #[serde(
        default,
        alias = "sorting_column",
        skip_serializing_if = "DomainFieldName::is_default"
    )]
    pub sorting_column: DomainFieldName,
}

impl ListOrganizationDomainsRequest {
    /// Checks every nested oneof.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.filters.iter().try_for_each(|f| f.filter().map(|_| ()))
    }
}

/// Mirrors `zitadel.org.v2.ListOrganizationDomainsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationDomainsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationResponse>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub domains: Vec<Domain>,
}

/// Mirrors `zitadel.org.v2.DomainSearchFilter` (oneof `filter`, currently one member).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainSearchFilter {
    /// oneof `filter`.
    #[serde(
        default,
        alias = "domain_filter",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_filter: Option<OrganizationDomainQuery>,
}

impl DomainSearchFilter {
    /// The `filter` member (a oneof with a single member cannot conflict today).
    pub fn filter(&self) -> Result<Option<&OrganizationDomainQuery>, OneofError> {
        Oneof::new("zitadel.org.v2.DomainSearchFilter", "filter")
            .member("domainFilter", self.domain_filter.as_ref())
            .finish()
    }
}

/// Mirrors `zitadel.org.v2.GenerateOrganizationDomainValidationRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateOrganizationDomainValidationRequest {
    /// REST: path parameter.
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub domain: String,
    /// Must not be `UNSPECIFIED` (ZITADEL validation).
    #[serde(default, skip_serializing_if = "DomainValidationType::is_default")]
    pub r#type: DomainValidationType,
}

/// Mirrors `zitadel.org.v2.GenerateOrganizationDomainValidationResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateOrganizationDomainValidationResponse {
    /// Token to publish in DNS or as a file.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub token: String,
    /// Where the token must be served for the HTTP challenge.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub url: String,
}
