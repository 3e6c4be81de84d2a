//! Organization metadata RPCs (`zitadel.org.v2` + `zitadel.metadata.v2`).

use serde::{Deserialize, Serialize};

use super::common::{
    Oneof, OneofError, PaginationRequest, PaginationResponse, ProtoTimestamp, TextFilterMethod,
    bytes_b64, null_as_default,
};
use super::organization::DeletionDateResponse;

/// Mirrors `zitadel.org.v2.Metadata` (an entry to set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// 1–200 chars.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub key: String,
    /// bytes (base64 on the wire), 1–500000 bytes.
    #[serde(default, with = "bytes_b64", skip_serializing_if = "Vec::is_empty")]
    pub value: Vec<u8>,
}

/// Mirrors `zitadel.metadata.v2.Metadata` (a stored entry, as listed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataEntry {
    #[serde(
        default,
        alias = "creation_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(
        default,
        alias = "change_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub change_date: Option<ProtoTimestamp>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub key: String,
    /// bytes (base64 on the wire).
    #[serde(default, with = "bytes_b64", skip_serializing_if = "Vec::is_empty")]
    pub value: Vec<u8>,
}

/// Mirrors `zitadel.metadata.v2.MetadataSearchFilter` (oneof `filter`, one member).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataSearchFilter {
    /// oneof `filter`.
    #[serde(default, alias = "key_filter", skip_serializing_if = "Option::is_none")]
    pub key_filter: Option<MetadataKeyFilter>,
}

impl MetadataSearchFilter {
    /// The `filter` member (a oneof with a single member cannot conflict today).
    pub fn filter(&self) -> Result<Option<&MetadataKeyFilter>, OneofError> {
        Oneof::new("zitadel.metadata.v2.MetadataSearchFilter", "filter")
            .member("keyFilter", self.key_filter.as_ref())
            .finish()
    }
}

/// Mirrors `zitadel.metadata.v2.MetadataKeyFilter`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataKeyFilter {
    /// Up to 200 chars.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub key: String,
    #[serde(default, skip_serializing_if = "TextFilterMethod::is_default")]
    pub method: TextFilterMethod,
}

/// Mirrors `zitadel.org.v2.SetOrganizationMetadataRequest` (adds or overwrites by key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetOrganizationMetadataRequest {
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
        skip_serializing_if = "Vec::is_empty"
    )]
    pub metadata: Vec<Metadata>,
}

/// Mirrors `zitadel.org.v2.SetOrganizationMetadataResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetOrganizationMetadataResponse {
    #[serde(default, alias = "set_date", skip_serializing_if = "Option::is_none")]
    pub set_date: Option<ProtoTimestamp>,
}

/// Mirrors `zitadel.org.v2.ListOrganizationMetadataRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationMetadataRequest {
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
    pub filters: Vec<MetadataSearchFilter>,
}

impl ListOrganizationMetadataRequest {
    /// Checks every nested oneof.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.filters.iter().try_for_each(|f| f.filter().map(|_| ()))
    }
}

/// Mirrors `zitadel.org.v2.ListOrganizationMetadataResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationMetadataResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationResponse>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub metadata: Vec<MetadataEntry>,
}

/// Mirrors `zitadel.org.v2.DeleteOrganizationMetadataRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteOrganizationMetadataRequest {
    /// REST: path parameter.
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    /// REST (`DELETE`, no body): repeated query parameter `keys`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub keys: Vec<String>,
}

/// Mirrors `zitadel.org.v2.DeleteOrganizationMetadataResponse`.
pub type DeleteOrganizationMetadataResponse = DeletionDateResponse;
