//! Admins of `AddOrganization`, including the embedded `zitadel.user.v2.AddHumanUserRequest`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::common::{Oneof, OneofError, bytes_b64, null_as_default, proto_enum};

/// Mirrors `zitadel.org.v2.AddOrganizationRequest.Admin`.
///
/// `user_type` oneof: `user_id` (existing user) or `human` (user to create).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Admin {
    /// oneof `user_type`.
    #[serde(default, alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// oneof `user_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human: Option<AddHumanUserRequest>,
    /// Org member roles; empty means `ORG_OWNER`.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub roles: Vec<String>,
}

/// The member set in [`Admin`]'s `user_type` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminUserType<'a> {
    UserId(&'a str),
    Human(&'a AddHumanUserRequest),
}

impl Admin {
    /// The `user_type` member, or an error if both are set.
    pub fn user_type(&self) -> Result<Option<AdminUserType<'_>>, OneofError> {
        Oneof::new("zitadel.org.v2.AddOrganizationRequest.Admin", "user_type")
            .member("userId", self.user_id.as_deref().map(AdminUserType::UserId))
            .member("human", self.human.as_ref().map(AdminUserType::Human))
            .finish()
    }

    /// Checks this and all nested oneofs.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        match self.user_type()? {
            Some(AdminUserType::Human(h)) => h.validate_oneofs(),
            _ => Ok(()),
        }
    }
}

/// Mirrors `zitadel.org.v2.AddOrganizationResponse.CreatedAdmin`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedAdmin {
    #[serde(
        default,
        alias = "user_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub user_id: String,
    #[serde(default, alias = "email_code", skip_serializing_if = "Option::is_none")]
    pub email_code: Option<String>,
    #[serde(default, alias = "phone_code", skip_serializing_if = "Option::is_none")]
    pub phone_code: Option<String>,
}

impl fmt::Debug for CreatedAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedAdmin")
            .field("user_id", &self.user_id)
            .field(
                "email_code",
                &self.email_code.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "phone_code",
                &self.phone_code.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Mirrors `zitadel.user.v2.AddHumanUserRequest` (as embedded in an org admin).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddHumanUserRequest {
    /// Optional caller-chosen user ID.
    #[serde(default, alias = "user_id", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Optional username; the email is used if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Target organization (`zitadel.object.v2.Organization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationRef>,
    /// Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<SetHumanProfile>,
    /// Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<SetHumanEmail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<SetHumanPhone>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub metadata: Vec<SetMetadataEntry>,
    /// oneof `password_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// oneof `password_type`.
    #[serde(
        default,
        alias = "hashed_password",
        skip_serializing_if = "Option::is_none"
    )]
    pub hashed_password: Option<HashedPassword>,
    #[serde(
        default,
        alias = "idp_links",
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub idp_links: Vec<IdpLink>,
    /// RFC 6238 secret (HMAC-SHA-1, 30 s step).
    #[serde(
        default,
        alias = "totp_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub totp_secret: Option<String>,
}

impl fmt::Debug for AddHumanUserRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddHumanUserRequest")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("organization", &self.organization)
            .field("profile", &self.profile)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("metadata", &self.metadata)
            .field("password", &self.password)
            .field("hashed_password", &self.hashed_password)
            .field("idp_links", &self.idp_links)
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The member set in [`AddHumanUserRequest`]'s `password_type` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordType<'a> {
    Password(&'a Password),
    Hashed(&'a HashedPassword),
}

impl AddHumanUserRequest {
    /// The `password_type` member, or an error if both are set.
    pub fn password_type(&self) -> Result<Option<PasswordType<'_>>, OneofError> {
        Oneof::new("zitadel.user.v2.AddHumanUserRequest", "password_type")
            .member(
                "password",
                self.password.as_ref().map(PasswordType::Password),
            )
            .member(
                "hashedPassword",
                self.hashed_password.as_ref().map(PasswordType::Hashed),
            )
            .finish()
    }

    /// Checks this and all nested oneofs.
    pub fn validate_oneofs(&self) -> Result<(), OneofError> {
        self.password_type()?;
        if let Some(org) = &self.organization {
            org.org()?;
        }
        if let Some(email) = &self.email {
            email.verification()?;
        }
        if let Some(phone) = &self.phone {
            phone.verification()?;
        }
        Ok(())
    }
}

/// Mirrors `zitadel.object.v2.Organization` (oneof `org`: `org_id` or `org_domain`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRef {
    /// oneof `org`.
    #[serde(default, alias = "org_id", skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// oneof `org`.
    #[serde(default, alias = "org_domain", skip_serializing_if = "Option::is_none")]
    pub org_domain: Option<String>,
}

/// The member set in [`OrganizationRef`]'s `org` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgSelector<'a> {
    Id(&'a str),
    Domain(&'a str),
}

impl OrganizationRef {
    /// The `org` member, or an error if both are set.
    pub fn org(&self) -> Result<Option<OrgSelector<'_>>, OneofError> {
        Oneof::new("zitadel.object.v2.Organization", "org")
            .member("orgId", self.org_id.as_deref().map(OrgSelector::Id))
            .member(
                "orgDomain",
                self.org_domain.as_deref().map(OrgSelector::Domain),
            )
            .finish()
    }
}

proto_enum! {
    /// Mirrors `zitadel.user.v2.Gender`.
    pub enum Gender = "zitadel.user.v2.Gender" {
        Unspecified = 0 => "GENDER_UNSPECIFIED",
        Female = 1 => "GENDER_FEMALE",
        Male = 2 => "GENDER_MALE",
        Diverse = 3 => "GENDER_DIVERSE",
    }
}

/// Mirrors `zitadel.user.v2.SetHumanProfile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetHumanProfile {
    #[serde(
        default,
        alias = "given_name",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub given_name: String,
    #[serde(
        default,
        alias = "family_name",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub family_name: String,
    #[serde(default, alias = "nick_name", skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(
        default,
        alias = "display_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    #[serde(
        default,
        alias = "preferred_language",
        skip_serializing_if = "Option::is_none"
    )]
    pub preferred_language: Option<String>,
    /// proto3 `optional`: emitted when set, even if `GENDER_UNSPECIFIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// Mirrors `zitadel.user.v2.SetHumanEmail`.
///
/// `verification` oneof: `send_code`, `return_code` or `is_verified`; none means a code
/// is sent with the default URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetHumanEmail {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub email: String,
    /// oneof `verification`.
    #[serde(default, alias = "send_code", skip_serializing_if = "Option::is_none")]
    pub send_code: Option<SendEmailVerificationCode>,
    /// oneof `verification`.
    #[serde(
        default,
        alias = "return_code",
        skip_serializing_if = "Option::is_none"
    )]
    pub return_code: Option<ReturnEmailVerificationCode>,
    /// oneof `verification`.
    #[serde(
        default,
        alias = "is_verified",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_verified: Option<bool>,
}

/// The member set in [`SetHumanEmail`]'s `verification` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailVerification<'a> {
    SendCode(&'a SendEmailVerificationCode),
    ReturnCode,
    IsVerified(bool),
}

impl SetHumanEmail {
    /// The `verification` member, or an error if several are set.
    pub fn verification(&self) -> Result<Option<EmailVerification<'_>>, OneofError> {
        Oneof::new("zitadel.user.v2.SetHumanEmail", "verification")
            .member(
                "sendCode",
                self.send_code.as_ref().map(EmailVerification::SendCode),
            )
            .member(
                "returnCode",
                self.return_code
                    .as_ref()
                    .map(|_| EmailVerification::ReturnCode),
            )
            .member(
                "isVerified",
                self.is_verified.map(EmailVerification::IsVerified),
            )
            .finish()
    }
}

/// Mirrors `zitadel.user.v2.SendEmailVerificationCode`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendEmailVerificationCode {
    /// Placeholders: `UserID`, `OrgID`, `Code`.
    #[serde(
        default,
        alias = "url_template",
        skip_serializing_if = "Option::is_none"
    )]
    pub url_template: Option<String>,
}

/// Mirrors `zitadel.user.v2.ReturnEmailVerificationCode` (empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]

pub struct ReturnEmailVerificationCode {}

/// Mirrors `zitadel.user.v2.SetHumanPhone`.
///
/// `verification` oneof: `send_code`, `return_code` or `is_verified`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetHumanPhone {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub phone: String,
    /// oneof `verification`.
    #[serde(default, alias = "send_code", skip_serializing_if = "Option::is_none")]
    pub send_code: Option<SendPhoneVerificationCode>,
    /// oneof `verification`.
    #[serde(
        default,
        alias = "return_code",
        skip_serializing_if = "Option::is_none"
    )]
    pub return_code: Option<ReturnPhoneVerificationCode>,
    /// oneof `verification` (ZITADEL only accepts `true`).
    #[serde(
        default,
        alias = "is_verified",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_verified: Option<bool>,
}

/// The member set in [`SetHumanPhone`]'s `verification` oneof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneVerification {
    SendCode,
    ReturnCode,
    IsVerified(bool),
}

impl SetHumanPhone {
    /// The `verification` member, or an error if several are set.
    pub fn verification(&self) -> Result<Option<PhoneVerification>, OneofError> {
        Oneof::new("zitadel.user.v2.SetHumanPhone", "verification")
            .member(
                "sendCode",
                self.send_code.as_ref().map(|_| PhoneVerification::SendCode),
            )
            .member(
                "returnCode",
                self.return_code
                    .as_ref()
                    .map(|_| PhoneVerification::ReturnCode),
            )
            .member(
                "isVerified",
                self.is_verified.map(PhoneVerification::IsVerified),
            )
            .finish()
    }
}

/// Mirrors `zitadel.user.v2.SendPhoneVerificationCode` (empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]

pub struct SendPhoneVerificationCode {}

/// Mirrors `zitadel.user.v2.ReturnPhoneVerificationCode` (empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]

pub struct ReturnPhoneVerificationCode {}

/// Mirrors `zitadel.user.v2.SetMetadataEntry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetMetadataEntry {
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

/// Mirrors `zitadel.user.v2.Password`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Password {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub password: String,
    #[serde(
        default,
        alias = "change_required",
        deserialize_with = "null_as_default",
        skip_serializing_if = "super::common::is_false"
    )]
    pub change_required: bool,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("password", &"<redacted>")
            .field("change_required", &self.change_required)
            .finish()
    }
}

/// Mirrors `zitadel.user.v2.HashedPassword` (Modular Crypt Format hash).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HashedPassword {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub hash: String,
    #[serde(
        default,
        alias = "change_required",
        deserialize_with = "null_as_default",
        skip_serializing_if = "super::common::is_false"
    )]
    pub change_required: bool,
}

impl fmt::Debug for HashedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashedPassword")
            .field("hash", &"<redacted>")
            .field("change_required", &self.change_required)
            .finish()
    }
}

/// Mirrors `zitadel.user.v2.IDPLink`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdpLink {
    #[serde(
        default,
        alias = "idp_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub idp_id: String,
    /// The user's ID at the identity provider.
    #[serde(
        default,
        alias = "user_id",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub user_id: String,
    #[serde(
        default,
        alias = "user_name",
        deserialize_with = "null_as_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub user_name: String,
}
