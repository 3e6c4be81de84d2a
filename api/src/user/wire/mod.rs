//! Proto-JSON wire types of `zitadel.user.v2.UserService`. Requests are normalized before they
//! are decoded (nulls dropped, proto names rewritten to JSON names), so request types only need
//! camelCase names and defaults. Messages shared with the org service's AddHumanUser come from
//! [`crate::org::wire`].

mod requests;
mod search;

pub use requests::*;
pub use search::*;

use serde::Serialize;

use crate::proto::json::{Details, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;

pub use crate::org::wire::{
    AddHumanUserRequest, EmailVerification, Gender, HashedPassword, OrgSelector as OrgSelectorRef,
    Password, PasswordType, PhoneVerification, SendEmailVerificationCode, SetHumanEmail,
    SetHumanPhone, SetHumanProfile,
};
pub use crate::proto::DeletionDateResponse;

proto_enum! {
    /// Mirrors `zitadel.user.v2.UserState`.
    pub enum UserState = "zitadel.user.v2.UserState" {
        Unspecified = 0 => "USER_STATE_UNSPECIFIED",
        Active = 1 => "USER_STATE_ACTIVE",
        Inactive = 2 => "USER_STATE_INACTIVE",
        Deleted = 3 => "USER_STATE_DELETED",
        Locked = 4 => "USER_STATE_LOCKED",
        Initial = 5 => "USER_STATE_INITIAL",
    }
}

proto_enum! {
    /// Mirrors `zitadel.user.v2.Type`.
    pub enum UserType = "zitadel.user.v2.Type" {
        Unspecified = 0 => "TYPE_UNSPECIFIED",
        Human = 1 => "TYPE_HUMAN",
        Machine = 2 => "TYPE_MACHINE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.user.v2.UserFieldName` (sorting column).
    pub enum UserFieldName = "zitadel.user.v2.UserFieldName" {
        Unspecified = 0 => "USER_FIELD_NAME_UNSPECIFIED",
        UserName = 1 => "USER_FIELD_NAME_USER_NAME",
        FirstName = 2 => "USER_FIELD_NAME_FIRST_NAME",
        LastName = 3 => "USER_FIELD_NAME_LAST_NAME",
        NickName = 4 => "USER_FIELD_NAME_NICK_NAME",
        DisplayName = 5 => "USER_FIELD_NAME_DISPLAY_NAME",
        Email = 6 => "USER_FIELD_NAME_EMAIL",
        State = 7 => "USER_FIELD_NAME_STATE",
        Type = 8 => "USER_FIELD_NAME_TYPE",
        CreationDate = 9 => "USER_FIELD_NAME_CREATION_DATE",
    }
}

proto_enum! {
    /// Mirrors `zitadel.user.v2.AccessTokenType`.
    pub enum AccessTokenType = "zitadel.user.v2.AccessTokenType" {
        Bearer = 0 => "ACCESS_TOKEN_TYPE_BEARER",
        Jwt = 1 => "ACCESS_TOKEN_TYPE_JWT",
    }
}

proto_enum! {
    /// Mirrors `zitadel.user.v2.AuthenticationMethodType`.
    pub enum AuthenticationMethodType = "zitadel.user.v2.AuthenticationMethodType" {
        Unspecified = 0 => "AUTHENTICATION_METHOD_TYPE_UNSPECIFIED",
        Password = 1 => "AUTHENTICATION_METHOD_TYPE_PASSWORD",
        Totp = 4 => "AUTHENTICATION_METHOD_TYPE_TOTP",
    }
}

/// Mirrors `zitadel.user.v2.User`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
    pub state: UserState,
    pub username: String,
    pub login_names: Vec<String>,
    pub preferred_login_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<HumanUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineUser>,
}

/// Mirrors `zitadel.user.v2.HumanUser`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanUser {
    pub profile: HumanProfile,
    pub email: HumanEmail,
    pub phone: HumanPhone,
    pub password_change_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<ProtoTimestamp>,
}

/// Mirrors `zitadel.user.v2.HumanProfile`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanProfile {
    pub given_name: String,
    pub family_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: Gender,
}

/// Mirrors `zitadel.user.v2.HumanEmail`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanEmail {
    pub email: String,
    pub is_verified: bool,
}

/// Mirrors `zitadel.user.v2.HumanPhone`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanPhone {
    pub phone: String,
    pub is_verified: bool,
}

/// Mirrors `zitadel.user.v2.MachineUser`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineUser {
    pub name: String,
    pub description: String,
    pub has_secret: bool,
    pub access_token_type: AccessTokenType,
}

/// Responses carrying only `details`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailsResponse {
    pub details: Details,
}

/// Responses carrying `details` and a code returned instead of sent.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeResponse {
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddHumanUserResponse {
    pub user_id: String,
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateHumanUserResponse {
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUserByIdResponse {
    pub details: Details,
    pub user: User,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetDateResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddPersonalAccessTokenResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    pub token_id: String,
    pub token: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddSecretResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    pub client_secret: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInviteCodeResponse {
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListAuthenticationMethodTypesResponse {
    pub details: crate::proto::json::ListDetails,
    pub auth_method_types: Vec<AuthenticationMethodType>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListIdpLinksResponse {
    pub details: crate::proto::json::ListDetails,
    pub result: Vec<serde_json::Value>,
}
