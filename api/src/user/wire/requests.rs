//! Request messages of the UserService.

use serde::Deserialize;

use super::{Gender, HashedPassword, Password, SetHumanEmail, SetHumanPhone, SetHumanProfile};
use crate::proto::json::{ListQuery, PaginationRequest, bytes_b64};
use crate::proto::timestamp::ProtoTimestamp;

/// Requests that name only a user: Get/Deactivate/Reactivate/Lock/Unlock/DeleteUser, ...
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdRequest {
    pub user_id: String,
}

/// `CreateUserRequest.Human.profile` and `UpdateUserRequest.Human.profile`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProfileInput {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub nick_name: Option<String>,
    pub display_name: Option<String>,
    pub preferred_language: Option<String>,
    pub gender: Option<Gender>,
}

impl From<SetHumanProfile> for ProfileInput {
    fn from(profile: SetHumanProfile) -> Self {
        Self {
            given_name: Some(profile.given_name),
            family_name: Some(profile.family_name),
            nick_name: profile.nick_name,
            display_name: profile.display_name,
            preferred_language: profile.preferred_language,
            gender: profile.gender,
        }
    }
}

/// `zitadel.user.v2.SetPassword`: a new password (plain or hashed) and, when a user changes
/// their own, the proof (current password or reset code).
///
/// `CreateUserRequest.Human.password` is a `Password` in the proto (`{"password": "…",
/// "changeRequired": …}`, as the Node package sends it), while the Python SDK's shared `Human`
/// model wraps it in a `SetPassword` (`{"password": {"password": "…"}}`): both are accepted.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, from = "SetPasswordShapes")]
pub struct SetPasswordInput {
    pub password: Option<Password>,
    pub hashed_password: Option<HashedPassword>,
    pub current_password: Option<String>,
    pub verification_code: Option<String>,
}

/// The two JSON shapes of a human's password (see [`SetPasswordInput`]).
#[derive(Deserialize)]
#[serde(untagged)]
enum SetPasswordShapes {
    Plain {
        password: String,
        #[serde(default, rename = "changeRequired")]
        change_required: bool,
    },
    Wrapped(SetPasswordFields),
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SetPasswordFields {
    password: Option<Password>,
    hashed_password: Option<HashedPassword>,
    current_password: Option<String>,
    verification_code: Option<String>,
}

impl From<SetPasswordShapes> for SetPasswordInput {
    fn from(shapes: SetPasswordShapes) -> Self {
        match shapes {
            SetPasswordShapes::Plain {
                password,
                change_required,
            } => Self {
                password: Some(Password {
                    password,
                    change_required,
                }),
                ..Self::default()
            },
            SetPasswordShapes::Wrapped(fields) => Self {
                password: fields.password,
                hashed_password: fields.hashed_password,
                current_password: fields.current_password,
                verification_code: fields.verification_code,
            },
        }
    }
}

impl std::fmt::Debug for SetPasswordInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetPasswordInput(<redacted>)")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HumanInput {
    pub profile: Option<ProfileInput>,
    pub email: Option<SetHumanEmail>,
    pub phone: Option<SetHumanPhone>,
    pub password: Option<SetPasswordInput>,
    /// CreateUser only: an imported hash (the proto's `password_type` oneof).
    pub hashed_password: Option<HashedPassword>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MachineInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateUserRequest {
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub human: Option<HumanInput>,
    pub machine: Option<MachineInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateUserRequest {
    pub user_id: String,
    pub username: Option<String>,
    pub human: Option<HumanInput>,
    pub machine: Option<MachineInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateHumanUserRequest {
    pub user_id: String,
    pub username: Option<String>,
    pub profile: Option<SetHumanProfile>,
    pub email: Option<SetHumanEmail>,
    pub phone: Option<SetHumanPhone>,
    pub password: Option<SetPasswordInput>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetPasswordRequest {
    pub user_id: String,
    pub new_password: Option<Password>,
    pub current_password: Option<String>,
    pub verification_code: Option<String>,
}

impl std::fmt::Debug for SetPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetPasswordRequest")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// An empty message selecting "return the code" in a oneof.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReturnCode {}

/// `SendPasswordResetLink`, `SendEmailVerificationCode`, `SendInviteCode`: how a code is sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SendCode {
    pub url_template: Option<String>,
    pub notification_type: Option<serde_json::Value>,
    pub application_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordResetRequest {
    pub user_id: String,
    pub send_link: Option<SendCode>,
    pub return_code: Option<ReturnCode>,
}

/// SetEmail and SetPhone: the new value and its verification oneof.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetContactRequest {
    pub user_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub send_code: Option<SendCode>,
    pub return_code: Option<ReturnCode>,
    pub is_verified: Option<bool>,
}

/// Resend/SendEmailCode, ResendPhoneCode, Create/ResendInviteCode.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CodeRequest {
    pub user_id: String,
    pub send_code: Option<SendCode>,
    pub return_code: Option<ReturnCode>,
}

/// VerifyEmail, VerifyPhone, VerifyInviteCode.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyCodeRequest {
    pub user_id: String,
    pub verification_code: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetadataInput {
    pub key: String,
    #[serde(with = "bytes_b64")]
    pub value: Vec<u8>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetUserMetadataRequest {
    pub user_id: String,
    pub metadata: Vec<MetadataInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteUserMetadataRequest {
    pub user_id: String,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListUserMetadataRequest {
    pub user_id: String,
    pub pagination: Option<PaginationRequest>,
    pub filters: Vec<crate::org::wire::MetadataSearchFilter>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddPersonalAccessTokenRequest {
    pub user_id: String,
    pub expiration_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemovePersonalAccessTokenRequest {
    pub user_id: String,
    pub token_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdFilter {
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenSearchFilter {
    pub user_id_filter: Option<IdFilter>,
    pub organization_id_filter: Option<IdFilter>,
    pub token_id_filter: Option<IdFilter>,
    pub created_date_filter: Option<serde_json::Value>,
    pub expiration_date_filter: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListPersonalAccessTokensRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: Option<String>,
    pub filters: Vec<TokenSearchFilter>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListIdpLinksRequest {
    pub user_id: String,
    pub query: Option<ListQuery>,
}
