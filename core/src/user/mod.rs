//! The user aggregate: human and machine users, their lifecycle (active, inactive, locked,
//! removed), usernames, profile, email and phone (with verification codes), passwords, metadata,
//! and machine credentials (personal access tokens, client secret).
//!
//! Event types follow ZITADEL's where one exists (`user.human.added`, `user.locked`, ...).
//! Secrets never appear in events: passwords, codes and client secrets as PHC hashes, tokens as
//! SHA-256. Hashing and code checks happen at the edge; the decisions here get their outcome.

mod credentials;
mod decide;
mod login;
mod otp;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::event::{Aggregate, EventMeta, EventPayload};

pub use credentials::*;
pub use decide::*;
pub use login::*;
pub use otp::*;
pub use validate::{
    validate_email, validate_password, validate_password_against, validate_phone, validate_username,
};

pub const AGGREGATE_TYPE: &str = "user";
/// Usernames are unique per instance (ZITADEL's default, `UserLoginMustBeDomain: false`); the
/// ledger stores the claim lower-cased, so uniqueness is case-insensitive.
pub const UNIQUE_USERNAME: &str = "username";
/// Usernames unique per org only (domain settings `UserLoginMustBeDomain`): the claimed value is
/// `<org id>:<username>`.
pub const UNIQUE_ORG_USERNAME: &str = "org_username";
pub const MAX_USERNAME_LEN: usize = 200;
pub const MAX_METADATA_KEY_LEN: usize = 200;
pub const MAX_METADATA_VALUE_LEN: usize = 500_000;
/// How long verification, reset and invite codes stay valid (microseconds): one hour.
pub const CODE_LIFETIME_MICROS: i64 = 3_600_000_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanProfile {
    pub given_name: String,
    pub family_name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub nick_name: String,
    #[serde(default)]
    pub preferred_language: String,
}

/// What a verification code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    Email,
    Phone,
    PasswordReset,
    Invite,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum UserEvent {
    #[serde(rename = "user.human.added")]
    HumanAdded {
        username: String,
        profile: HumanProfile,
        email: String,
        email_verified: bool,
        /// A PHC string (argon2id); never the password itself.
        password_hash: Option<String>,
        password_change_required: bool,
    },
    #[serde(rename = "user.machine.added")]
    MachineAdded {
        username: String,
        name: String,
        description: String,
    },
    #[serde(rename = "user.personal.access.token.added")]
    PersonalAccessTokenAdded {
        token_id: String,
        /// SHA-256 of the token, hex. The token itself is shown once and never stored.
        token_hash: String,
        expiration: Option<Timestamp>,
    },
    #[serde(rename = "user.personal.access.token.removed")]
    PersonalAccessTokenRemoved {
        token_id: String,
        token_hash: String,
    },
    /// The username is unique within its org only (the domain settings required login names
    /// with the org's domain when the user was created); follows `user.*.added`.
    #[serde(rename = "user.username.org.scoped")]
    UsernameOrgScoped { org_id: String },
    #[serde(rename = "user.username.changed")]
    UsernameChanged {
        username: String,
        old_username: String,
    },
    #[serde(rename = "user.human.profile.changed")]
    ProfileChanged { profile: HumanProfile },
    #[serde(rename = "user.human.email.changed")]
    EmailChanged { email: String },
    #[serde(rename = "user.human.email.verified")]
    EmailVerified {},
    #[serde(rename = "user.human.phone.changed")]
    PhoneChanged { phone: String },
    #[serde(rename = "user.human.phone.verified")]
    PhoneVerified {},
    #[serde(rename = "user.human.phone.removed")]
    PhoneRemoved {},
    /// A verification, password-reset or invite code; only its PHC hash is kept.
    #[serde(rename = "user.human.code.added")]
    CodeAdded {
        purpose: CodePurpose,
        code_hash: String,
        expires_at: Timestamp,
        /// The code was handed to the caller rather than sent.
        returned: bool,
        /// For a code to send: the code sealed with the instance's master key, for the
        /// notifier to open and mail. `None` when the code was returned (or for events written
        /// before codes were sent).
        #[serde(default)]
        sealed_code: Option<String>,
        /// The link template the message carries (`{{.Code}}`, `{{.UserID}}`, `{{.OrgID}}`);
        /// `None` means the hosted login's page.
        #[serde(default)]
        url_template: Option<String>,
    },
    #[serde(rename = "user.human.invite.code.verified")]
    InviteCodeVerified {},
    #[serde(rename = "user.human.password.changed")]
    PasswordChanged {
        password_hash: String,
        change_required: bool,
    },
    /// A login proved the password (the failure count starts again).
    #[serde(rename = "user.human.password.check.succeeded")]
    PasswordCheckSucceeded {},
    /// A login gave a wrong password; enough of them in a row lock the user (lockout settings).
    #[serde(rename = "user.human.password.check.failed")]
    PasswordCheckFailed {},
    /// The stored hash was replaced by one of the current algorithm and cost after a successful
    /// check (the password itself did not change, so its age does not either).
    #[serde(rename = "user.human.password.hash.updated")]
    PasswordHashUpdated { password_hash: String },
    /// A TOTP generator was registered (not yet verified); the secret is sealed by the edge
    /// with the master key, the user id bound as associated data.
    #[serde(rename = "user.human.mfa.otp.added")]
    OtpAdded { sealed_secret: String },
    /// The registration was confirmed with a code: TOTP is now a second factor of the user.
    #[serde(rename = "user.human.mfa.otp.verified")]
    OtpVerified {},
    #[serde(rename = "user.human.mfa.otp.removed")]
    OtpRemoved {},
    /// A login proved a TOTP code of time step `step` (seconds since the epoch / 30); a code of
    /// this step or an earlier one is not accepted again.
    #[serde(rename = "user.human.mfa.otp.check.succeeded")]
    OtpCheckSucceeded { step: i64 },
    /// A login gave a wrong (or replayed) TOTP code; enough in a row lock the user.
    #[serde(rename = "user.human.mfa.otp.check.failed")]
    OtpCheckFailed {},
    #[serde(rename = "user.machine.changed")]
    MachineChanged {
        name: String,
        description: String,
        jwt_access_token: bool,
    },
    #[serde(rename = "user.machine.secret.set")]
    SecretSet { secret_hash: String },
    #[serde(rename = "user.machine.secret.removed")]
    SecretRemoved {},
    /// A JWT-profile key of a machine user: only the public half is kept.
    #[serde(rename = "user.machine.key.added")]
    KeyAdded {
        key_id: String,
        /// SPKI PEM.
        public_key: String,
        expiration: Timestamp,
    },
    #[serde(rename = "user.machine.key.removed")]
    KeyRemoved { key_id: String },
    #[serde(rename = "user.deactivated")]
    Deactivated {},
    #[serde(rename = "user.reactivated")]
    Reactivated {},
    #[serde(rename = "user.locked")]
    Locked {},
    #[serde(rename = "user.unlocked")]
    Unlocked {},
    #[serde(rename = "user.removed")]
    Removed { username: String },
    /// `value` is base64 (standard alphabet), as ZITADEL stores metadata.
    #[serde(rename = "user.metadata.set")]
    MetadataSet { key: String, value: String },
    #[serde(rename = "user.metadata.removed")]
    MetadataRemoved { key: String },
}

impl EventPayload for UserEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserKind {
    #[default]
    Unspecified,
    Human,
    Machine,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserState {
    #[default]
    Unspecified,
    Active,
    Inactive,
    Locked,
    Removed,
}

/// The user's TOTP generator: the sealed secret and whether its registration was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpState {
    pub sealed_secret: String,
    pub verified: bool,
}

/// A pending code: its hash and when it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCode {
    pub code_hash: String,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    /// The owning org (the resource owner of the user's events).
    pub org_id: String,
    pub kind: UserKind,
    pub state: UserState,
    pub username: String,
    pub profile: HumanProfile,
    pub email: String,
    pub email_verified: bool,
    pub phone: String,
    pub phone_verified: bool,
    pub password_hash: Option<String>,
    pub password_change_required: bool,
    pub machine_name: String,
    pub machine_description: String,
    pub jwt_access_token: bool,
    pub secret_hash: Option<String>,
    pub codes: BTreeMap<CodePurpose, PendingCode>,
    pub metadata: BTreeMap<String, String>,
    /// Token id → (hash, expiration).
    pub tokens: BTreeMap<String, (String, Option<Timestamp>)>,
    /// Key id → expiration.
    pub keys: BTreeMap<String, Timestamp>,
    /// Key id → public key (SPKI PEM), for the JWT profile grant.
    pub public_keys: BTreeMap<String, String>,
    /// Set when the username is unique within this org only (see [`UNIQUE_ORG_USERNAME`]).
    pub username_org: Option<String>,
    /// Wrong passwords given since the last correct one (lockout).
    pub password_failures: u32,
    /// When the password was last set (password expiry).
    pub password_changed_at: Option<Timestamp>,
    /// The TOTP generator, registered or verified.
    pub otp: Option<OtpState>,
    /// Wrong TOTP codes given since the last correct one (lockout).
    pub otp_failures: u32,
    /// The time step of the last accepted TOTP code (no step is accepted twice).
    pub otp_last_step: Option<i64>,
}

impl User {
    /// The unique claim that holds `username` for this user: per org or per instance.
    pub fn username_claim(&self, username: &str) -> (&'static str, String) {
        username_claim(self.username_org.as_deref(), username)
    }
}

/// The unique claim for `username`, scoped to `org` when usernames are unique per org.
pub fn username_claim(org: Option<&str>, username: &str) -> (&'static str, String) {
    match org {
        Some(org) => (UNIQUE_ORG_USERNAME, format!("{org}:{username}")),
        None => (UNIQUE_USERNAME, username.to_owned()),
    }
}

impl Aggregate for User {
    type Event = UserEvent;

    fn apply(&mut self, event: &UserEvent, meta: &EventMeta) {
        if self.org_id.is_empty() {
            self.org_id.clone_from(&meta.resource_owner);
        }
        match event {
            UserEvent::HumanAdded {
                username,
                profile,
                email,
                email_verified,
                password_hash,
                password_change_required,
            } => {
                self.kind = UserKind::Human;
                self.state = UserState::Active;
                self.username.clone_from(username);
                self.profile = profile.clone();
                self.email.clone_from(email);
                self.email_verified = *email_verified;
                self.password_hash.clone_from(password_hash);
                self.password_change_required = *password_change_required;
                self.password_changed_at = password_hash.as_ref().map(|_| meta.created_at);
            }
            UserEvent::MachineAdded {
                username,
                name,
                description,
            } => {
                self.kind = UserKind::Machine;
                self.state = UserState::Active;
                self.username.clone_from(username);
                self.machine_name.clone_from(name);
                self.machine_description.clone_from(description);
            }
            UserEvent::PersonalAccessTokenAdded {
                token_id,
                token_hash,
                expiration,
            } => {
                self.tokens
                    .insert(token_id.clone(), (token_hash.clone(), *expiration));
            }
            UserEvent::PersonalAccessTokenRemoved { token_id, .. } => {
                self.tokens.remove(token_id);
            }
            UserEvent::UsernameChanged { username, .. } => self.username.clone_from(username),
            UserEvent::UsernameOrgScoped { org_id } => self.username_org = Some(org_id.clone()),
            UserEvent::ProfileChanged { profile } => self.profile = profile.clone(),
            UserEvent::EmailChanged { email } => {
                self.email.clone_from(email);
                self.email_verified = false;
                self.codes.remove(&CodePurpose::Email);
            }
            UserEvent::EmailVerified {} => {
                self.email_verified = true;
                self.codes.remove(&CodePurpose::Email);
            }
            UserEvent::PhoneChanged { phone } => {
                self.phone.clone_from(phone);
                self.phone_verified = false;
                self.codes.remove(&CodePurpose::Phone);
            }
            UserEvent::PhoneVerified {} => {
                self.phone_verified = true;
                self.codes.remove(&CodePurpose::Phone);
            }
            UserEvent::PhoneRemoved {} => {
                self.phone.clear();
                self.phone_verified = false;
                self.codes.remove(&CodePurpose::Phone);
            }
            UserEvent::CodeAdded {
                purpose,
                code_hash,
                expires_at,
                ..
            } => {
                self.codes.insert(
                    *purpose,
                    PendingCode {
                        code_hash: code_hash.clone(),
                        expires_at: *expires_at,
                    },
                );
            }
            UserEvent::InviteCodeVerified {} => {
                self.codes.remove(&CodePurpose::Invite);
                self.email_verified = true;
            }
            UserEvent::PasswordChanged {
                password_hash,
                change_required,
            } => {
                self.password_hash = Some(password_hash.clone());
                self.password_change_required = *change_required;
                self.codes.remove(&CodePurpose::PasswordReset);
                self.password_changed_at = Some(meta.created_at);
                self.password_failures = 0;
            }
            UserEvent::PasswordCheckSucceeded {} => self.password_failures = 0,
            UserEvent::PasswordCheckFailed {} => {
                self.password_failures = self.password_failures.saturating_add(1);
            }
            UserEvent::PasswordHashUpdated { password_hash } => {
                self.password_hash = Some(password_hash.clone());
            }
            UserEvent::OtpAdded { sealed_secret } => {
                self.otp = Some(OtpState {
                    sealed_secret: sealed_secret.clone(),
                    verified: false,
                });
            }
            UserEvent::OtpVerified {} => {
                if let Some(otp) = &mut self.otp {
                    otp.verified = true;
                }
            }
            UserEvent::OtpRemoved {} => {
                self.otp = None;
                self.otp_failures = 0;
                self.otp_last_step = None;
            }
            UserEvent::OtpCheckSucceeded { step } => {
                self.otp_failures = 0;
                self.otp_last_step = Some(*step);
            }
            UserEvent::OtpCheckFailed {} => {
                self.otp_failures = self.otp_failures.saturating_add(1);
            }
            UserEvent::MachineChanged {
                name,
                description,
                jwt_access_token,
            } => {
                self.machine_name.clone_from(name);
                self.machine_description.clone_from(description);
                self.jwt_access_token = *jwt_access_token;
            }
            UserEvent::SecretSet { secret_hash } => self.secret_hash = Some(secret_hash.clone()),
            UserEvent::SecretRemoved {} => self.secret_hash = None,
            UserEvent::KeyAdded {
                key_id,
                expiration,
                public_key,
            } => {
                self.keys.insert(key_id.clone(), *expiration);
                self.public_keys.insert(key_id.clone(), public_key.clone());
            }
            UserEvent::KeyRemoved { key_id } => {
                self.keys.remove(key_id);
                self.public_keys.remove(key_id);
            }
            UserEvent::Deactivated {} => self.state = UserState::Inactive,
            UserEvent::Reactivated {} => self.state = UserState::Active,
            UserEvent::Unlocked {} => {
                self.state = UserState::Active;
                self.password_failures = 0;
                self.otp_failures = 0;
            }
            UserEvent::Locked {} => self.state = UserState::Locked,
            UserEvent::Removed { .. } => {
                self.state = UserState::Removed;
                self.tokens.clear();
                self.keys.clear();
                self.public_keys.clear();
                self.metadata.clear();
                self.codes.clear();
                self.otp = None;
            }
            UserEvent::MetadataSet { key, value } => {
                self.metadata.insert(key.clone(), value.clone());
            }
            UserEvent::MetadataRemoved { key } => {
                self.metadata.remove(key);
            }
        }
    }
}

impl User {
    /// The user exists and is not removed.
    pub fn exists(&self) -> bool {
        !matches!(self.state, UserState::Unspecified | UserState::Removed)
    }
}

#[cfg(test)]
mod tests;
