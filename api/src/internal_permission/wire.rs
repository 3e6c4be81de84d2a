//! Proto-JSON wire types of `zitadel.internal_permission.v2.InternalPermissionService`.

use serde::{Deserialize, Serialize};

use crate::proto::json::{PaginationRequest, PaginationResponse, TextFilterMethod, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;

proto_enum! {
    /// Mirrors `zitadel.internal_permission.v2.AdministratorFieldName` (sorting column).
    pub enum AdministratorFieldName = "zitadel.internal_permission.v2.AdministratorFieldName" {
        Unspecified = 0 => "ADMINISTRATOR_FIELD_NAME_UNSPECIFIED",
        UserId = 1 => "ADMINISTRATOR_FIELD_NAME_USER_ID",
        CreationDate = 2 => "ADMINISTRATOR_FIELD_NAME_CREATION_DATE",
        ChangeDate = 3 => "ADMINISTRATOR_FIELD_NAME_CHANGE_DATE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.filter.v2.TimestampFilterMethod`.
    pub enum TimestampFilterMethod = "zitadel.filter.v2.TimestampFilterMethod" {
        Equals = 0 => "TIMESTAMP_FILTER_METHOD_EQUALS",
        After = 1 => "TIMESTAMP_FILTER_METHOD_AFTER",
        AfterOrEquals = 2 => "TIMESTAMP_FILTER_METHOD_AFTER_OR_EQUALS",
        Before = 3 => "TIMESTAMP_FILTER_METHOD_BEFORE",
        BeforeOrEquals = 4 => "TIMESTAMP_FILTER_METHOD_BEFORE_OR_EQUALS",
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectGrant {
    pub project_id: String,
    pub organization_id: String,
}

/// Mirrors `ResourceType` (and `ResourceFilter`, which has the same members): a oneof.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceType {
    pub instance: Option<bool>,
    pub organization_id: Option<String>,
    pub project_id: Option<String>,
    pub project_grant: Option<ProjectGrant>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdministratorRequest {
    pub user_id: String,
    pub resource: Option<ResourceType>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAdministratorResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAdministratorResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteAdministratorResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InIdsFilter {
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdFilter {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimestampFilter {
    pub timestamp: Option<ProtoTimestamp>,
    pub method: TimestampFilterMethod,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleFilter {
    pub role_key: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextFilter {
    pub display_name: String,
    pub preferred_login_name: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FilterList {
    pub queries: Vec<AdministratorSearchFilter>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NotFilter {
    pub query: Option<Box<AdministratorSearchFilter>>,
}

/// Mirrors `AdministratorSearchFilter` (a oneof: exactly one member set).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdministratorSearchFilter {
    pub and: Option<FilterList>,
    pub or: Option<FilterList>,
    pub not: Option<NotFilter>,
    pub change_date: Option<TimestampFilter>,
    pub creation_date: Option<TimestampFilter>,
    pub in_user_ids_filter: Option<InIdsFilter>,
    pub resource: Option<ResourceType>,
    pub role: Option<RoleFilter>,
    pub user_display_name: Option<TextFilter>,
    pub user_organization_id: Option<IdFilter>,
    pub user_preferred_login_name: Option<TextFilter>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListAdministratorsRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: AdministratorFieldName,
    pub filters: Vec<AdministratorSearchFilter>,
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
pub struct Organization {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
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
pub struct Administrator {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub user: User,
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_grant: Option<ProjectGrant>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAdministratorsResponse {
    pub pagination: PaginationResponse,
    pub administrators: Vec<Administrator>,
}
