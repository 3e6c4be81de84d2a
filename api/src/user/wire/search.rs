//! `ListUsers`: the request with its (nestable) search queries, and the response.

use serde::{Deserialize, Serialize};

use super::{User, UserFieldName, UserState, UserType};
use crate::proto::json::{ListDetails, ListQuery, TextQueryMethod};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListUsersRequest {
    pub query: Option<ListQuery>,
    pub sorting_column: UserFieldName,
    /// All must match.
    pub queries: Vec<SearchQuery>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListUsersResponse {
    pub details: ListDetails,
    #[serde(skip_serializing_if = "UserFieldName::is_default")]
    pub sorting_column: UserFieldName,
    pub result: Vec<User>,
}

/// A text comparison: the value under the query's own field name, and the method.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TextQuery {
    #[serde(alias = "userName", alias = "givenName", alias = "firstName")]
    #[serde(alias = "lastName", alias = "nickName", alias = "displayName")]
    #[serde(alias = "emailAddress", alias = "number", alias = "loginName")]
    pub value: String,
    pub method: TextQueryMethod,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateQuery {
    pub state: UserState,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TypeQuery {
    #[serde(rename = "type")]
    pub kind: UserType,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InUserIdsQuery {
    pub user_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InUserEmailsQuery {
    pub user_emails: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrganizationIdQuery {
    pub organization_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueryList {
    pub queries: Vec<SearchQuery>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NotQuery {
    pub query: Option<Box<SearchQuery>>,
}

/// Mirrors `zitadel.user.v2.SearchQuery` (oneof `query`: exactly one member).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchQuery {
    pub user_name_query: Option<TextQuery>,
    pub first_name_query: Option<TextQuery>,
    pub last_name_query: Option<TextQuery>,
    pub nick_name_query: Option<TextQuery>,
    pub display_name_query: Option<TextQuery>,
    pub email_query: Option<TextQuery>,
    pub phone_query: Option<TextQuery>,
    pub state_query: Option<StateQuery>,
    pub type_query: Option<TypeQuery>,
    pub login_name_query: Option<TextQuery>,
    pub in_user_ids_query: Option<InUserIdsQuery>,
    pub in_user_emails_query: Option<InUserEmailsQuery>,
    pub organization_id_query: Option<OrganizationIdQuery>,
    pub or_query: Option<QueryList>,
    pub and_query: Option<QueryList>,
    pub not_query: Option<NotQuery>,
    pub metadata_key_filter: Option<serde_json::Value>,
    pub metadata_value_filter: Option<serde_json::Value>,
}
