//! Proto-JSON wire types of `zitadel.group.v2.GroupService` (Connect only: the service's protos
//! declare no REST paths). The membership messages follow the published SDKs' shapes
//! (`AddUsersToGroup`, `RemoveUsersFromGroup`, `ListGroupUsers`).

use serde::{Deserialize, Serialize};

use crate::proto::json::{PaginationRequest, PaginationResponse, TextFilterMethod, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;
pub use crate::proto::{ChangeDateResponse, DeletionDateResponse};

proto_enum! {
    pub enum GroupFieldName = "zitadel.group.v2.FieldName" {
        Unspecified = 0 => "FIELD_NAME_UNSPECIFIED",
        Id = 1 => "FIELD_NAME_ID",
        Name = 2 => "FIELD_NAME_NAME",
        CreationDate = 3 => "FIELD_NAME_CREATION_DATE",
        ChangeDate = 4 => "FIELD_NAME_CHANGE_DATE",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateGroupRequest {
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub id: Option<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroupResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

/// The requests that carry only the group's `id`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupIdRequest {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateGroupRequest {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub organization_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetGroupResponse {
    pub group: Group,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InIdsFilter {
    pub ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdFilter {
    pub id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupNameFilter {
    pub name: String,
    pub method: TextFilterMethod,
}

/// `GroupsSearchFilter`: a oneof.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupsSearchFilter {
    pub group_ids: Option<InIdsFilter>,
    pub name_filter: Option<GroupNameFilter>,
    pub organization_id: Option<IdFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListGroupsRequest {
    pub filters: Vec<GroupsSearchFilter>,
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: GroupFieldName,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListGroupsResponse {
    pub groups: Vec<Group>,
    pub pagination: PaginationResponse,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupUsersRequest {
    pub id: String,
    pub user_ids: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddUsersToGroupResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_user_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
}

/// `GroupUsersSearchFilter`: a oneof.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupUsersSearchFilter {
    pub group_ids: Option<InIdsFilter>,
    pub user_ids: Option<InIdsFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListGroupUsersRequest {
    pub filters: Vec<GroupUsersSearchFilter>,
    pub pagination: Option<PaginationRequest>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMemberUser {
    pub id: String,
    pub preferred_login_name: String,
    pub display_name: String,
    pub organization_id: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupUser {
    pub group_id: String,
    pub organization_id: String,
    pub user: GroupMemberUser,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListGroupUsersResponse {
    pub group_users: Vec<GroupUser>,
    pub pagination: PaginationResponse,
}
