//! Turning request parts into validated, hashed inputs before a command runs (hashing is slow and
//! a command may be planned more than once, so it happens here, once).

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::user::{
    self, CodeDelivery, CodePurpose, HumanProfile, PasswordProof, User, UserEvent,
    validate_password_against,
};
use castellan_jose::MasterKey;
use castellan_writer::secrets;

use super::common::{check_secret, hash_secret, new_code};
use super::wire::{
    EmailVerification, PhoneVerification, ProfileInput, ReturnCode, SendCode, SetHumanEmail,
    SetHumanPhone, SetPasswordInput,
};
use crate::support::oneof;

pub use castellan_core::user::chain;

/// What the notifier's sealed codes are bound to (AES-GCM associated data).
pub const SEALED_CODE_CONTEXT: &[u8] = b"castellan.user.code";

/// A code generated for the request: its hash is stored; the code itself is returned to the
/// caller only when asked to (`returnCode`), and otherwise sealed with the master key into the
/// event so the notifier can mail it.
#[derive(Clone, Debug)]
pub struct NewCode {
    pub purpose: CodePurpose,
    pub code: String,
    pub hash: String,
    pub delivery: CodeDelivery,
}

/// How the caller wants a code to reach the user.
#[derive(Clone, Debug)]
pub enum Wanted {
    /// Hand it back in the response.
    Returned,
    /// Send it, with a link made from this template (or the hosted login's page).
    Sent { url_template: Option<String> },
}

impl Wanted {
    pub fn returned(returned: bool) -> Self {
        if returned {
            Self::Returned
        } else {
            Self::Sent { url_template: None }
        }
    }
}

impl NewCode {
    pub async fn generate(
        purpose: CodePurpose,
        wanted: Wanted,
        key: &MasterKey,
    ) -> Result<Self, DomainError> {
        let (code, hash) = new_code().await?;
        let delivery = match wanted {
            Wanted::Returned => CodeDelivery::Returned,
            Wanted::Sent { url_template } => CodeDelivery::Sent {
                sealed_code: key
                    .encrypt(code.as_bytes(), SEALED_CODE_CONTEXT)
                    .map_err(|e| DomainError::internal("USERAPI-0050", e.to_string()))?,
                url_template,
            },
        };
        Ok(Self {
            purpose,
            code,
            hash,
            delivery,
        })
    }

    pub fn decide(&self, state: &User, now: Timestamp) -> Result<Decision<UserEvent>, DomainError> {
        user::add_code(
            state,
            self.purpose,
            self.hash.clone(),
            self.delivery.clone(),
            now,
        )
    }

    /// The code for the response, if the caller asked for it.
    pub fn shown(&self) -> Option<String> {
        matches!(self.delivery, CodeDelivery::Returned).then(|| self.code.clone())
    }
}

/// `sendCode` / `returnCode` of a code request (at most one; neither means send).
pub async fn code_choice(
    purpose: CodePurpose,
    send: Option<&SendCode>,
    ret: Option<&ReturnCode>,
    key: &MasterKey,
) -> Result<NewCode, DomainError> {
    if send.is_some() && ret.is_some() {
        return Err(DomainError::invalid(
            "USERAPI-0002",
            "set at most one of sendCode and returnCode",
        ));
    }
    let wanted = match ret {
        Some(_) => Wanted::Returned,
        None => Wanted::Sent {
            url_template: send.and_then(|s| s.url_template.clone()),
        },
    };
    NewCode::generate(purpose, wanted, key).await
}

/// A new email and how it is verified: at once (`isVerified`) or by a code.
pub struct EmailInput {
    pub email: String,
    pub verified: bool,
    pub code: Option<NewCode>,
}

pub async fn email_input(
    email: &SetHumanEmail,
    key: &MasterKey,
) -> Result<EmailInput, DomainError> {
    // The API requires an address (only SCIM may provision users without one).
    user::validate_email(&email.email)?;
    let (verified, wanted) = match email.verification().map_err(oneof)? {
        Some(EmailVerification::IsVerified(verified)) => (verified, Wanted::returned(false)),
        Some(EmailVerification::ReturnCode) => (false, Wanted::Returned),
        Some(EmailVerification::SendCode(send)) => (
            false,
            Wanted::Sent {
                url_template: send.url_template.clone(),
            },
        ),
        None => (false, Wanted::returned(false)),
    };
    let code = if verified {
        None
    } else {
        Some(NewCode::generate(CodePurpose::Email, wanted, key).await?)
    };
    Ok(EmailInput {
        email: email.email.clone(),
        verified,
        code,
    })
}

pub struct PhoneInput {
    pub phone: String,
    pub verified: bool,
    pub code: Option<NewCode>,
}

pub async fn phone_input(
    phone: &SetHumanPhone,
    key: &MasterKey,
) -> Result<PhoneInput, DomainError> {
    let (verified, returned) = match phone.verification().map_err(oneof)? {
        Some(PhoneVerification::IsVerified(verified)) => (verified, false),
        Some(PhoneVerification::ReturnCode) => (false, true),
        Some(PhoneVerification::SendCode) | None => (false, false),
    };
    let code = if verified || phone.phone.trim().is_empty() {
        None
    } else {
        Some(NewCode::generate(CodePurpose::Phone, Wanted::returned(returned), key).await?)
    };
    Ok(PhoneInput {
        phone: phone.phone.clone(),
        verified,
        code,
    })
}

/// Email change (and its code) as one decision.
pub fn decide_email(
    state: &User,
    input: &EmailInput,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    let changed = user::change_email(state, &input.email, input.verified)?;
    match &input.code {
        Some(code) if !changed.events.is_empty() || !state.email_verified => {
            chain(state, changed, |s| code.decide(s, now))
        }
        _ => Ok(changed),
    }
}

pub fn decide_phone(
    state: &User,
    input: &PhoneInput,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    if input.phone.trim().is_empty() {
        // An empty phone in an update removes it (if there is one).
        if state.phone.is_empty() {
            return Ok(Decision::default());
        }
        return user::remove_phone(state);
    }
    let changed = user::change_phone(state, &input.phone, input.verified)?;
    match &input.code {
        Some(code) if !changed.events.is_empty() || !state.phone_verified => {
            chain(state, changed, |s| code.decide(s, now))
        }
        _ => Ok(changed),
    }
}

/// How new passwords of an org are checked and hashed.
#[derive(Clone, Debug)]
pub struct PasswordRules {
    pub hasher: secrets::HasherParams,
    /// The org's effective password complexity settings (instance default or org override).
    pub complexity: castellan_core::settings::PasswordComplexityPolicy,
}

/// The password rules of `org_id`.
pub async fn password_rules(
    state: &crate::state::AppState,
    instance_id: &str,
    org_id: &str,
) -> Result<PasswordRules, DomainError> {
    let complexity = castellan_readers::queries::settings::password_complexity(
        state.store(),
        instance_id,
        org_id,
    )
    .await
    .map_err(crate::error::read_error)?;
    Ok(PasswordRules {
        hasher: state.config.password_hasher,
        complexity,
    })
}

/// A new password: its hash, whether it must be changed, and the proof the caller gave.
#[derive(Clone, Debug)]
pub struct PasswordInput {
    pub hash: String,
    pub change_required: bool,
    pub proof: PasswordProof,
    /// The stored hash the proof was checked against (a concurrent change voids the proof).
    pub checked_against: Option<String>,
}

/// Validates and hashes the new password of `input` (plain, checked against the complexity
/// policy, or an imported hash). The proof (current password or code) is checked against
/// `current` (the user as stored), when given.
pub async fn password_input(
    rules: &PasswordRules,
    input: &SetPasswordInput,
    current: Option<&User>,
) -> Result<PasswordInput, DomainError> {
    let params = rules.hasher;
    let (hash, change_required) = match (&input.password, &input.hashed_password) {
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "USERAPI-0003",
                "set only one of password and hashedPassword",
            ));
        }
        (Some(password), None) => {
            validate_password_against(&password.password, &rules.complexity)?;
            (
                hash_secret(params, password.password.clone()).await?,
                password.change_required,
            )
        }
        (None, Some(hashed)) => {
            if !secrets::is_supported_hash(&hashed.hash) {
                return Err(DomainError::invalid(
                    "USERAPI-0004",
                    "hashedPassword must be a bcrypt, argon2, pbkdf2 or scrypt hash",
                ));
            }
            (hashed.hash.clone(), hashed.change_required)
        }
        (None, None) => {
            return Err(DomainError::invalid(
                "USERAPI-0005",
                "a password or hashedPassword is required",
            ));
        }
    };
    proven(
        params,
        hash,
        change_required,
        input.current_password.as_deref(),
        input.verification_code.as_deref(),
        current,
    )
    .await
}

/// Checks the proof for a new password hash.
pub async fn proven(
    params: secrets::HasherParams,
    hash: String,
    change_required: bool,
    current_password: Option<&str>,
    verification_code: Option<&str>,
    current: Option<&User>,
) -> Result<PasswordInput, DomainError> {
    let (proof, checked_against) = match (current_password, verification_code, current) {
        (Some(_), Some(_), _) => {
            return Err(DomainError::invalid(
                "USERAPI-0006",
                "set only one of currentPassword and verificationCode",
            ));
        }
        (Some(password), None, Some(user)) => {
            let stored = user.password_hash.clone();
            let matched = match &stored {
                Some(phc) => {
                    check_secret(params, password.to_owned(), phc.clone())
                        .await?
                        .matched
                }
                None => false,
            };
            (PasswordProof::CurrentPassword(matched), stored)
        }
        (None, Some(code), Some(user)) => {
            let stored = user
                .codes
                .get(&CodePurpose::PasswordReset)
                .map(|c| c.code_hash.clone());
            let matched = match &stored {
                Some(phc) => {
                    check_secret(params, code.trim().to_owned(), phc.clone())
                        .await?
                        .matched
                }
                None => false,
            };
            (PasswordProof::ResetCode(matched), stored)
        }
        _ => (PasswordProof::Administrator, None),
    };
    Ok(PasswordInput {
        hash,
        change_required,
        proof,
        checked_against,
    })
}

pub fn decide_password(
    state: &User,
    input: &PasswordInput,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    let stale = match input.proof {
        PasswordProof::Administrator => false,
        PasswordProof::CurrentPassword(_) => state.password_hash != input.checked_against,
        PasswordProof::ResetCode(_) => {
            state
                .codes
                .get(&CodePurpose::PasswordReset)
                .map(|c| &c.code_hash)
                != input.checked_against.as_ref()
        }
    };
    if stale {
        return Err(DomainError::new(
            castellan_core::ErrorKind::Aborted,
            "USERAPI-0007",
            "The password was changed concurrently; retry",
        ));
    }
    user::set_password(
        state,
        input.hash.clone(),
        input.change_required,
        input.proof,
        now,
    )
}

/// A profile from the request, completed from `current` where a field is not given.
pub fn profile(input: &ProfileInput, current: &HumanProfile) -> HumanProfile {
    let pick = |given: &Option<String>, old: &str| given.clone().unwrap_or_else(|| old.to_owned());
    HumanProfile {
        given_name: pick(&input.given_name, &current.given_name),
        family_name: pick(&input.family_name, &current.family_name),
        // A changed name without a display name gets the default display name again.
        display_name: match &input.display_name {
            Some(name) => name.clone(),
            None if input.given_name.is_some() || input.family_name.is_some() => String::new(),
            None => current.display_name.clone(),
        },
        nick_name: pick(&input.nick_name, &current.nick_name),
        preferred_language: pick(&input.preferred_language, &current.preferred_language),
    }
}
