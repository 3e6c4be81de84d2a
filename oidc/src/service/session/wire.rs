//! Proto-JSON wire types of `zitadel.session.v2.SessionService` (`session_service.proto`,
//! `session.proto`). Requests are normalized before decoding (JSON names, no nulls), so every
//! field defaults.

use std::collections::BTreeMap;

use castellan_api::proto::json::int64;
use castellan_api::proto::{Details, ListDetails, ListQuery, ProtoDuration, ProtoTimestamp};
use castellan_api::proto_enum;
use serde::{Deserialize, Serialize};

proto_enum! {
    /// Mirrors `zitadel.session.v2.SessionFieldName` (sorting column).
    pub enum SessionFieldName = "zitadel.session.v2.SessionFieldName" {
        Unspecified = 0 => "SESSION_FIELD_NAME_UNSPECIFIED",
        CreationDate = 1 => "SESSION_FIELD_NAME_CREATION_DATE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.v1.TimestampQueryMethod`.
    pub enum TimestampQueryMethod = "zitadel.v1.TimestampQueryMethod" {
        Equals = 0 => "TIMESTAMP_QUERY_METHOD_EQUALS",
        Greater = 1 => "TIMESTAMP_QUERY_METHOD_GREATER",
        GreaterOrEquals = 2 => "TIMESTAMP_QUERY_METHOD_GREATER_OR_EQUALS",
        Less = 3 => "TIMESTAMP_QUERY_METHOD_LESS",
        LessOrEquals = 4 => "TIMESTAMP_QUERY_METHOD_LESS_OR_EQUALS",
    }
}

impl TimestampQueryMethod {
    pub fn matches(self, value: i64, reference: i64) -> bool {
        match self {
            Self::Equals => value == reference,
            Self::Greater => value > reference,
            Self::GreaterOrEquals => value >= reference,
            Self::Less => value < reference,
            Self::LessOrEquals => value <= reference,
        }
    }
}

/// `CheckUser`: a oneof of `userId` and `loginName`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckUser {
    pub user_id: Option<String>,
    pub login_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckPassword {
    pub password: String,
}

/// `CheckTOTP`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckTotp {
    pub code: String,
}

/// `Checks`. Only `user`, `password` and `totp` are supported; the others are kept as raw JSON so that
/// the handler can name the one it does not support.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Checks {
    pub user: Option<CheckUser>,
    pub password: Option<CheckPassword>,
    pub web_auth_n: Option<serde_json::Value>,
    pub idp_intent: Option<serde_json::Value>,
    pub totp: Option<CheckTotp>,
    pub otp_sms: Option<serde_json::Value>,
    pub otp_email: Option<serde_json::Value>,
    pub recovery_code: Option<serde_json::Value>,
}

impl Checks {
    /// The proto names of the checks that are set but not supported.
    pub fn unsupported(&self) -> Vec<&'static str> {
        [
            ("web_auth_n", self.web_auth_n.is_some()),
            ("idp_intent", self.idp_intent.is_some()),
            ("otp_sms", self.otp_sms.is_some()),
            ("otp_email", self.otp_email.is_some()),
            ("recovery_code", self.recovery_code.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// `RequestChallenges` (`webAuthN`, `otpSms`, `otpEmail`): none is supported yet.
pub type RequestChallenges = BTreeMap<String, serde_json::Value>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderValues {
    pub values: Vec<String>,
}

/// `UserAgent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAgent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, HeaderValues>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateSessionRequest {
    pub checks: Option<Checks>,
    /// `map<string, bytes>`: base64 values.
    pub metadata: BTreeMap<String, String>,
    pub challenges: RequestChallenges,
    pub user_agent: Option<UserAgent>,
    pub lifetime: Option<ProtoDuration>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionResponse {
    pub details: Details,
    pub session_id: String,
    pub session_token: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetSessionRequest {
    pub session_id: String,
    pub session_token: String,
    pub checks: Option<Checks>,
    pub metadata: BTreeMap<String, String>,
    pub challenges: RequestChallenges,
    pub lifetime: Option<ProtoDuration>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetSessionResponse {
    pub details: Details,
    pub session_token: String,
}

/// The request of GetSession and DeleteSession.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIdRequest {
    pub session_id: String,
    pub session_token: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteSessionResponse {
    pub details: Details,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFactor {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<ProtoTimestamp>,
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub login_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
}

/// `PasswordFactor`, `TOTPFactor` and the other factors that only carry a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedFactor {
    pub verified_at: ProtoTimestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Factors {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserFactor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<VerifiedFactor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp: Option<VerifiedFactor>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    pub creation_date: ProtoTimestamp,
    pub change_date: ProtoTimestamp,
    #[serde(with = "int64")]
    pub sequence: u64,
    pub factors: Factors,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<UserAgent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetSessionResponse {
    pub session: Session,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdsQuery {
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdQuery {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreatorQuery {
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserAgentQuery {
    pub fingerprint_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreationDateQuery {
    pub creation_date: Option<ProtoTimestamp>,
    pub method: TimestampQueryMethod,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExpirationDateQuery {
    pub expiration_date: Option<ProtoTimestamp>,
    pub method: TimestampQueryMethod,
}

/// `SearchQuery`: a oneof, exactly one member set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchQuery {
    pub ids_query: Option<IdsQuery>,
    pub user_id_query: Option<IdQuery>,
    pub creation_date_query: Option<CreationDateQuery>,
    pub creator_query: Option<CreatorQuery>,
    pub user_agent_query: Option<UserAgentQuery>,
    pub expiration_date_query: Option<ExpirationDateQuery>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListSessionsRequest {
    pub query: Option<ListQuery>,
    pub queries: Vec<SearchQuery>,
    pub sorting_column: SessionFieldName,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSessionsResponse {
    pub details: ListDetails,
    pub sessions: Vec<Session>,
}
