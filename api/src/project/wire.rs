//! Proto-JSON wire types of `zitadel.project.v2.ProjectService` (Connect only: the service's
//! protos declare no REST paths).

use serde::{Deserialize, Serialize};

use crate::proto::json::{PaginationRequest, PaginationResponse, TextFilterMethod, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;
pub use crate::proto::{ChangeDateResponse, CreationDateResponse, DeletionDateResponse};

proto_enum! {
    pub enum PrivateLabelingSetting = "zitadel.project.v2.PrivateLabelingSetting" {
        Unspecified = 0 => "PRIVATE_LABELING_SETTING_UNSPECIFIED",
        EnforceProjectResourceOwnerPolicy = 1 => "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY",
        AllowLoginUserResourceOwnerPolicy = 2 => "PRIVATE_LABELING_SETTING_ALLOW_LOGIN_USER_RESOURCE_OWNER_POLICY",
    }
}

proto_enum! {
    pub enum ProjectState = "zitadel.project.v2.ProjectState" {
        Unspecified = 0 => "PROJECT_STATE_UNSPECIFIED",
        Active = 1 => "PROJECT_STATE_ACTIVE",
        Inactive = 2 => "PROJECT_STATE_INACTIVE",
    }
}

proto_enum! {
    pub enum ProjectFieldName = "zitadel.project.v2.ProjectFieldName" {
        Unspecified = 0 => "PROJECT_FIELD_NAME_UNSPECIFIED",
        Id = 1 => "PROJECT_FIELD_NAME_ID",
        CreationDate = 2 => "PROJECT_FIELD_NAME_CREATION_DATE",
        ChangeDate = 3 => "PROJECT_FIELD_NAME_CHANGE_DATE",
        Name = 4 => "PROJECT_FIELD_NAME_NAME",
    }
}

proto_enum! {
    pub enum ProjectRoleFieldName = "zitadel.project.v2.ProjectRoleFieldName" {
        Unspecified = 0 => "PROJECT_ROLE_FIELD_NAME_UNSPECIFIED",
        Key = 1 => "PROJECT_ROLE_FIELD_NAME_KEY",
        CreationDate = 2 => "PROJECT_ROLE_FIELD_NAME_CREATION_DATE",
        ChangeDate = 3 => "PROJECT_ROLE_FIELD_NAME_CHANGE_DATE",
    }
}

proto_enum! {
    pub enum ProjectGrantFieldName = "zitadel.project.v2.ProjectGrantFieldName" {
        Unspecified = 0 => "PROJECT_GRANT_FIELD_NAME_UNSPECIFIED",
        ProjectId = 1 => "PROJECT_GRANT_FIELD_NAME_PROJECT_ID",
        CreationDate = 2 => "PROJECT_GRANT_FIELD_NAME_CREATION_DATE",
        ChangeDate = 3 => "PROJECT_GRANT_FIELD_NAME_CHANGE_DATE",
    }
}

proto_enum! {
    pub enum ProjectGrantState = "zitadel.project.v2.ProjectGrantState" {
        Unspecified = 0 => "PROJECT_GRANT_STATE_UNSPECIFIED",
        Active = 1 => "PROJECT_GRANT_STATE_ACTIVE",
        Inactive = 2 => "PROJECT_GRANT_STATE_INACTIVE",
    }
}

proto_enum! {
    pub enum OrganizationType = "zitadel.project.v2.Type" {
        Unspecified = 0 => "TYPE_UNSPECIFIED",
        Owned = 1 => "OWNED",
        Granted = 2 => "GRANTED",
        OwnedOrGranted = 3 => "OWNED_OR_GRANTED",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateProjectRequest {
    pub organization_id: String,
    pub project_id: Option<String>,
    pub name: String,
    pub project_role_assertion: bool,
    pub authorization_required: bool,
    pub project_access_required: bool,
    pub private_labeling_setting: PrivateLabelingSetting,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProjectResponse {
    pub project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateProjectRequest {
    pub project_id: String,
    pub name: Option<String>,
    pub project_role_assertion: Option<bool>,
    pub authorization_required: Option<bool>,
    pub project_access_required: Option<bool>,
    pub private_labeling_setting: Option<PrivateLabelingSetting>,
}

/// The requests that carry only `projectId`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectIdRequest {
    pub project_id: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub project_id: String,
    pub organization_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub name: String,
    pub state: ProjectState,
    pub project_role_assertion: bool,
    pub authorization_required: bool,
    pub project_access_required: bool,
    pub private_labeling_setting: PrivateLabelingSetting,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetProjectResponse {
    pub project: Project,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectNameFilter {
    pub project_name: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InIdsFilter {
    pub ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectOrganizationIdFilter {
    pub organization_id: String,
    #[serde(rename = "type")]
    pub kind: OrganizationType,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSearchFilter {
    pub project_name_filter: Option<ProjectNameFilter>,
    pub in_project_ids_filter: Option<InIdsFilter>,
    pub organization_id_filter: Option<ProjectOrganizationIdFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListProjectsRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: ProjectFieldName,
    pub filters: Vec<ProjectSearchFilter>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProjectsResponse {
    pub pagination: PaginationResponse,
    pub projects: Vec<Project>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddProjectRoleRequest {
    pub project_id: String,
    pub role_key: String,
    pub display_name: String,
    pub group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateProjectRoleRequest {
    pub project_id: String,
    pub role_key: String,
    pub display_name: Option<String>,
    pub group: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoveProjectRoleRequest {
    pub project_id: String,
    pub role_key: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRole {
    pub project_id: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub display_name: String,
    pub group: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleKeyFilter {
    pub key: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleDisplayNameFilter {
    pub display_name: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectRoleSearchFilter {
    pub role_key_filter: Option<RoleKeyFilter>,
    pub display_name_filter: Option<RoleDisplayNameFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListProjectRolesRequest {
    pub project_id: String,
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: ProjectRoleFieldName,
    pub filters: Vec<ProjectRoleSearchFilter>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProjectRolesResponse {
    pub pagination: PaginationResponse,
    pub project_roles: Vec<ProjectRole>,
}

/// CreateProjectGrant and UpdateProjectGrant.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectGrantRequest {
    pub project_id: String,
    pub granted_organization_id: String,
    pub role_keys: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectGrant {
    pub organization_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub granted_organization_id: String,
    pub granted_organization_name: String,
    pub granted_role_keys: Vec<String>,
    pub project_id: String,
    pub project_name: String,
    pub state: ProjectGrantState,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdFilter {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectGrantSearchFilter {
    pub granted_organization_id_filter: Option<IdFilter>,
    pub in_project_ids_filter: Option<InIdsFilter>,
    pub organization_id_filter: Option<IdFilter>,
    pub project_name_filter: Option<ProjectNameFilter>,
    pub role_key_filter: Option<RoleKeyFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListProjectGrantsRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: ProjectGrantFieldName,
    pub filters: Vec<ProjectGrantSearchFilter>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProjectGrantsResponse {
    pub pagination: PaginationResponse,
    pub project_grants: Vec<ProjectGrant>,
}
