//! Organization lifecycle RPCs and the `ListOrganizations` search queries.

use serde::{Deserialize, Serialize};

use super::admin::{Admin, CreatedAdmin};
use super::common::{
    Details, ListDetails, ListQuery, Oneof, OneofError, TextQueryMethod, null_as_default,
    proto_enum,
};
pub use crate::proto::{ChangeDateResponse, DeletionDateResponse};

proto_enum! {
    /// Mirrors `zitadel.org.v2.OrganizationState`.
    pub enum OrganizationState = "zitadel.org.v2.OrganizationState" {
        Unspecified = 0 => "ORGANIZATION_STATE_UNSPECIFIED",
        Active = 1 => "ORGANIZATION_STATE_ACTIVE",
        Inactive = 2 => "ORGANIZATION_STATE_INACTIVE",
        Removed = 3 => "ORGANIZATION_STATE_REMOVED",
    }
}

proto_enum! {
    /// Mirrors `zitadel.org.v2.OrganizationFieldName` (sorting column).
    pub enum OrganizationFieldName = "zitadel.org.v2.OrganizationFieldName" {
        Unspecified = 0 => "ORGANIZATION_FIELD_NAME_UNSPECIFIED",
        Name = 1 => "ORGANIZATION_FIELD_NAME_NAME",
        CreationDate = 2 => "ORGANIZATION_FIELD_NAME_CREATION_DATE",
    }
}

/// Mirrors `zitadel.org.v2.Organization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub id: String,
    /// Creation/change date, sequence and resource owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
    #[serde(default, skip_serializing_if = "OrganizationState::is_default")]
    pub state: OrganizationState,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    #[serde(
        default,
        alias = "primary_domain",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub primary_domain: String,
}

// ---------------------------------------------------------------------------
// AddOrganization
// ---------------------------------------------------------------------------

/// Mirrors `zitadel.org.v2.AddOrganizationRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddOrganizationRequest {
    /// Required, unique within the instance (1–200 chars).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// Admins to add; may be empty.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub admins: Vec<Admin>,
    /// Optional caller-chosen organization ID.
    #[serde(
        default,
        alias = "organization_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub organization_id: Option<String>,
    /// Deprecated alias of `organization_id` (which wins if both are set).
    #[serde(default, alias = "org_id", skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
}

impl AddOrganizationRequest {
    /// The requested organization ID: `organization_id`, else the deprecated `org_id`.
    pub fn requested_organization_id(&self) -> Option<&str> {
        self.organization_id.as_deref().or(self.org_id.as_deref())
    }

    /// Checks every nested oneof.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.admins.iter().try_for_each(Admin::validate_oneofs)
    }
}

/// Mirrors `zitadel.org.v2.AddOrganizationResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddOrganizationResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
    #[serde(
        default,
        alias = "created_admins",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub created_admins: Vec<CreatedAdmin>,
}

// ---------------------------------------------------------------------------
// UpdateOrganization / DeleteOrganization / DeactivateOrganization / ActivateOrganization
// ---------------------------------------------------------------------------

/// Mirrors `zitadel.org.v2.UpdateOrganizationRequest` (renames the organization).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationRequest {
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
    pub name: String,
}

/// Mirrors `zitadel.org.v2.UpdateOrganizationResponse`.
pub type UpdateOrganizationResponse = ChangeDateResponse;

/// Request carrying only `organization_id`; shared shape of
/// `zitadel.org.v2.{Delete,Deactivate,Activate}OrganizationRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationIdRequest {
    /// REST: path parameter.
    #[serde(
        default,
        alias = "organization_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub organization_id: String,
}

/// Mirrors `zitadel.org.v2.DeleteOrganizationRequest`.
pub type DeleteOrganizationRequest = OrganizationIdRequest;
/// Mirrors `zitadel.org.v2.DeactivateOrganizationRequest`.
pub type DeactivateOrganizationRequest = OrganizationIdRequest;
/// Mirrors `zitadel.org.v2.ActivateOrganizationRequest`.
pub type ActivateOrganizationRequest = OrganizationIdRequest;

/// Mirrors `zitadel.org.v2.DeleteOrganizationResponse`.
pub type DeleteOrganizationResponse = DeletionDateResponse;

/// Mirrors `zitadel.org.v2.DeactivateOrganizationResponse`.
pub type DeactivateOrganizationResponse = ChangeDateResponse;
/// Mirrors `zitadel.org.v2.ActivateOrganizationResponse`.
pub type ActivateOrganizationResponse = ChangeDateResponse;

// ---------------------------------------------------------------------------
// ListOrganizations
// ---------------------------------------------------------------------------

/// Mirrors `zitadel.org.v2.ListOrganizationsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationsRequest {
    /// Offset, limit and order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<ListQuery>,
    #[serde(
        default,
        alias = "sorting_column",
        skip_serializing_if = "OrganizationFieldName::is_default"
    )]
    pub sorting_column: OrganizationFieldName,
    /// All queries must match (AND).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub queries: Vec<SearchQuery>,
}

impl ListOrganizationsRequest {
    /// Checks every nested oneof.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.queries
            .iter()
            .try_for_each(SearchQuery::validate_oneofs)
    }
}

/// Mirrors `zitadel.org.v2.ListOrganizationsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOrganizationsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ListDetails>,
    #[serde(
        default,
        alias = "sorting_column",
        skip_serializing_if = "OrganizationFieldName::is_default"
    )]
    pub sorting_column: OrganizationFieldName,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub result: Vec<Organization>,
}

/// Mirrors `zitadel.org.v2.SearchQuery`.
///
/// `query` oneof (required by ZITADEL's validation): exactly one member should be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    /// oneof `query`.
    #[serde(default, alias = "name_query", skip_serializing_if = "Option::is_none")]
    pub name_query: Option<OrganizationNameQuery>,
    /// oneof `query`.
    #[serde(
        default,
        alias = "domain_query",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_query: Option<OrganizationDomainQuery>,
    /// oneof `query`.
    #[serde(
        default,
        alias = "state_query",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_query: Option<OrganizationStateQuery>,
    /// oneof `query`.
    #[serde(default, alias = "id_query", skip_serializing_if = "Option::is_none")]
    pub id_query: Option<OrganizationIdQuery>,
    /// oneof `query`.
    #[serde(
        default,
        alias = "default_query",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_query: Option<DefaultOrganizationQuery>,
}

/// The member set in [`SearchQuery`]'s `query` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchQueryKind<'a> {
    Name(&'a OrganizationNameQuery),
    Domain(&'a OrganizationDomainQuery),
    State(&'a OrganizationStateQuery),
    Id(&'a OrganizationIdQuery),
    Default(&'a DefaultOrganizationQuery),
}

impl SearchQuery {
    /// The `query` member, or an error if several are set.
    pub fn query(&self) -> Result<Option<SearchQueryKind<'_>>, OneofError> {
        Oneof::new("zitadel.org.v2.SearchQuery", "query")
            .member(
                "nameQuery",
                self.name_query.as_ref().map(SearchQueryKind::Name),
            )
            .member(
                "domainQuery",
                self.domain_query.as_ref().map(SearchQueryKind::Domain),
            )
            .member(
                "stateQuery",
                self.state_query.as_ref().map(SearchQueryKind::State),
            )
            .member("idQuery", self.id_query.as_ref().map(SearchQueryKind::Id))
            .member(
                "defaultQuery",
                self.default_query.as_ref().map(SearchQueryKind::Default),
            )
            .finish()
    }

    /// Errors if more than one member of `query` is set.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.query().map(|_| ())
    }
}

/// Mirrors `zitadel.org.v2.OrganizationNameQuery`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationNameQuery {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    #[serde(default, skip_serializing_if = "TextQueryMethod::is_default")]
    pub method: TextQueryMethod,
}

/// Mirrors `zitadel.org.v2.OrganizationDomainQuery` (also used by `DomainSearchFilter`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDomainQuery {
    /// Any domain of the organization, not only the primary one.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub domain: String,
    #[serde(default, skip_serializing_if = "TextQueryMethod::is_default")]
    pub method: TextQueryMethod,
}

/// Mirrors `zitadel.org.v2.OrganizationStateQuery`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationStateQuery {
    #[serde(default, skip_serializing_if = "OrganizationState::is_default")]
    pub state: OrganizationState,
}

/// Mirrors `zitadel.org.v2.OrganizationIDQuery`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationIdQuery {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub id: String,
}

/// Mirrors `zitadel.org.v2.DefaultOrganizationQuery` (empty: selects the default org).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]

pub struct DefaultOrganizationQuery {}
