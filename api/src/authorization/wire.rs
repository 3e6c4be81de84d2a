//! Proto-JSON wire types of `zitadel.authorization.v2.AuthorizationService`.

use serde::{Deserialize, Serialize};

use crate::proto::json::{PaginationRequest, PaginationResponse, TextFilterMethod, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;
pub use crate::proto::{ChangeDateResponse, DeletionDateResponse};

proto_enum! {
    /// Mirrors `zitadel.authorization.v2.State`.
    pub enum State = "zitadel.authorization.v2.State" {
        Unspecified = 0 => "STATE_UNSPECIFIED",
        Active = 1 => "STATE_ACTIVE",
        Inactive = 2 => "STATE_INACTIVE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.authorization.v2.AuthorizationFieldName` (sorting column).
    pub enum AuthorizationFieldName = "zitadel.authorization.v2.AuthorizationFieldName" {
        Unspecified = 0 => "AUTHORIZATION_FIELD_NAME_UNSPECIFIED",
        CreatedDate = 1 => "AUTHORIZATION_FIELD_NAME_CREATED_DATE",
        ChangedDate = 2 => "AUTHORIZATION_FIELD_NAME_CHANGED_DATE",
        Id = 3 => "AUTHORIZATION_FIELD_NAME_ID",
        UserId = 4 => "AUTHORIZATION_FIELD_NAME_USER_ID",
        ProjectId = 5 => "AUTHORIZATION_FIELD_NAME_PROJECT_ID",
        OrganizationId = 6 => "AUTHORIZATION_FIELD_NAME_ORGANIZATION_ID",
        UserOrganizationId = 7 => "AUTHORIZATION_FIELD_NAME_USER_ORGANIZATION_ID",
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateAuthorizationRequest {
    pub user_id: String,
    pub project_id: String,
    pub organization_id: String,
    pub role_keys: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAuthorizationResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateAuthorizationRequest {
    pub id: String,
    pub role_keys: Vec<String>,
}

/// The request of Delete, Activate and DeactivateAuthorization.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizationIdRequest {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdFilter {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InIdsFilter {
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextQuery {
    pub key: String,
    pub name: String,
    pub display_name: String,
    pub login_name: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateQuery {
    pub state: State,
}

/// Mirrors `AuthorizationsSearchFilter` (a oneof: exactly one member set).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizationsSearchFilter {
    pub authorization_ids: Option<InIdsFilter>,
    pub in_user_ids: Option<InIdsFilter>,
    pub organization_id: Option<IdFilter>,
    pub project_grant_id: Option<IdFilter>,
    pub project_id: Option<IdFilter>,
    pub project_name: Option<TextQuery>,
    pub role_key: Option<TextQuery>,
    pub state: Option<StateQuery>,
    pub user_display_name: Option<TextQuery>,
    pub user_organization_id: Option<IdFilter>,
    pub user_preferred_login_name: Option<TextQuery>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListAuthorizationsRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: AuthorizationFieldName,
    pub filters: Vec<AuthorizationsSearchFilter>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub preferred_login_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub project: Project,
    pub organization: Organization,
    pub user: User,
    pub state: State,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAuthorizationsResponse {
    pub pagination: PaginationResponse,
    pub authorizations: Vec<Authorization>,
}
