//! Decisions about a user: each checks the state and returns the events (and unique-name claims)
//! of one change.

use super::{
    CODE_LIFETIME_MICROS, CodePurpose, HumanProfile, UNIQUE_USERNAME, User, UserEvent, UserKind,
    UserState, validate_email, validate_phone, validate_username,
};
use crate::Position;
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta};

/// The inputs of a new human user; the edge hashes the password before building it.
#[derive(Clone, Debug, Default)]
pub struct NewHuman {
    pub username: String,
    pub profile: HumanProfile,
    pub email: String,
    pub email_verified: bool,
    pub password_hash: Option<String>,
    pub password_change_required: bool,
}

pub fn not_found() -> DomainError {
    DomainError::not_found("USER-0010", "User not found")
}

pub(super) fn require_exists(state: &User) -> Result<(), DomainError> {
    if state.exists() {
        Ok(())
    } else {
        Err(not_found())
    }
}

pub(super) fn require_human(state: &User) -> Result<(), DomainError> {
    require_exists(state)?;
    if state.kind == UserKind::Human {
        Ok(())
    } else {
        Err(DomainError::precondition(
            "USER-0013",
            "This is available for human users only",
        ))
    }
}

pub(super) fn require_machine(state: &User) -> Result<(), DomainError> {
    require_exists(state)?;
    if state.kind == UserKind::Machine {
        Ok(())
    } else {
        Err(DomainError::precondition(
            "USER-0007",
            "This is available for machine users only",
        ))
    }
}

fn require_new(state: &User) -> Result<(), DomainError> {
    if state.kind == UserKind::Unspecified {
        Ok(())
    } else {
        Err(DomainError::already_exists(
            "USER-0004",
            "User already exists",
        ))
    }
}

impl User {
    /// The state after `decision`'s events, to decide a follow-up change in the same command.
    pub fn after(&self, decision: &Decision<UserEvent>) -> User {
        let meta = EventMeta {
            sequence: 0,
            created_at: Timestamp(0),
            resource_owner: String::new(),
            position: Position(0),
        };
        let mut next = self.clone();
        for event in &decision.events {
            next.apply(event, &meta);
        }
        next
    }
}

/// Appends `next` (decided on the state after `first`) to `first`.
pub fn then(mut first: Decision<UserEvent>, next: Decision<UserEvent>) -> Decision<UserEvent> {
    first.merge(next);
    first
}

/// Chains a follow-up decision, decided on the state after `first`.
pub fn chain(
    state: &User,
    first: Decision<UserEvent>,
    next: impl FnOnce(&User) -> Result<Decision<UserEvent>, DomainError>,
) -> Result<Decision<UserEvent>, DomainError> {
    let after = state.after(&first);
    Ok(then(first, next(&after)?))
}

fn clean_profile(profile: HumanProfile) -> Result<HumanProfile, DomainError> {
    let given_name = profile.given_name.trim().to_owned();
    let family_name = profile.family_name.trim().to_owned();
    if given_name.is_empty() || family_name.is_empty() {
        return Err(DomainError::invalid(
            "USER-0005",
            "Given name and family name are required",
        ));
    }
    if given_name.chars().count() > 200 || family_name.chars().count() > 200 {
        return Err(DomainError::invalid(
            "USER-0014",
            "Names must be at most 200 characters",
        ));
    }
    let mut profile = HumanProfile {
        given_name,
        family_name,
        display_name: profile.display_name.trim().to_owned(),
        nick_name: profile.nick_name.trim().to_owned(),
        preferred_language: profile.preferred_language.trim().to_owned(),
    };
    if profile.display_name.is_empty() {
        profile.display_name = format!("{} {}", profile.given_name, profile.family_name);
    }
    Ok(profile)
}

pub fn add_human(state: &User, human: NewHuman) -> Result<Decision<UserEvent>, DomainError> {
    require_new(state)?;
    let username = validate_username(&human.username)?;
    // An empty email is allowed for users provisioned without one (SCIM requires only a user
    // name); the API edges that require an email check it themselves.
    let email = if human.email.trim().is_empty() {
        String::new()
    } else {
        validate_email(&human.email)?
    };
    let profile = clean_profile(human.profile)?;
    let mut decision = Decision::of(UserEvent::HumanAdded {
        username: username.clone(),
        profile,
        email,
        email_verified: human.email_verified,
        password_hash: human.password_hash,
        password_change_required: human.password_change_required,
    });
    decision.claim(UNIQUE_USERNAME, &username);
    Ok(decision)
}

pub fn add_machine(
    state: &User,
    username: &str,
    name: &str,
    description: &str,
) -> Result<Decision<UserEvent>, DomainError> {
    add_machine_with(state, username, name, description, false)
}

/// A machine user; with JWT access tokens, a `user.machine.changed` follows the creation.
pub fn add_machine_with(
    state: &User,
    username: &str,
    name: &str,
    description: &str,
    jwt_access_token: bool,
) -> Result<Decision<UserEvent>, DomainError> {
    require_new(state)?;
    let username = validate_username(username)?;
    let name = validate_machine_name(name)?;
    let description = description.trim().to_owned();
    let mut decision = Decision::of(UserEvent::MachineAdded {
        username: username.clone(),
        name: name.clone(),
        description: description.clone(),
    });
    if jwt_access_token {
        decision.events.push(UserEvent::MachineChanged {
            name,
            description,
            jwt_access_token,
        });
    }
    decision.claim(UNIQUE_USERNAME, &username);
    Ok(decision)
}

/// Makes a new user's username unique within `org_id` only (ZITADEL's `UserLoginMustBeDomain`:
/// login names carry the org's domain, so the same username may exist in another org). Applied
/// to the decision of [`add_human`] or [`add_machine`].
pub fn scope_username_to_org(
    mut decision: Decision<UserEvent>,
    org_id: &str,
) -> Decision<UserEvent> {
    let mut scoped = Vec::with_capacity(decision.claims.len());
    for claim in decision.claims.drain(..) {
        if claim.unique_type == UNIQUE_USERNAME {
            let (unique_type, value) = super::username_claim(Some(org_id), &claim.field);
            scoped.push((unique_type, value));
        } else {
            scoped.push((claim.unique_type, claim.field));
        }
    }
    for (unique_type, value) in scoped {
        decision.claim(unique_type, &value);
    }
    let position = decision
        .events
        .iter()
        .position(|e| {
            matches!(
                e,
                UserEvent::HumanAdded { .. } | UserEvent::MachineAdded { .. }
            )
        })
        .map_or(0, |i| i + 1);
    decision.events.insert(
        position,
        UserEvent::UsernameOrgScoped {
            org_id: org_id.to_owned(),
        },
    );
    decision
}

fn validate_machine_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid(
            "USER-0006",
            "A machine user needs a name of 1 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

/// Renames the user; the old name is released and the new one claimed (unless only its case
/// changes, which keeps the claim).
pub fn change_username(state: &User, username: &str) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    let username = validate_username(username)?;
    if username == state.username {
        return Ok(Decision::default());
    }
    let mut decision = Decision::of(UserEvent::UsernameChanged {
        username: username.clone(),
        old_username: state.username.clone(),
    });
    if username.to_lowercase() != state.username.to_lowercase() {
        let (old_type, old_value) = state.username_claim(&state.username);
        let (new_type, new_value) = state.username_claim(&username);
        decision.release(old_type, &old_value);
        decision.claim(new_type, &new_value);
    }
    Ok(decision)
}

pub fn change_profile(
    state: &User,
    profile: HumanProfile,
) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    let profile = clean_profile(profile)?;
    if profile == state.profile {
        return Ok(Decision::default());
    }
    Ok(Decision::of(UserEvent::ProfileChanged { profile }))
}

/// Sets the email; `verified` marks it verified at once (an administrator's assertion).
pub fn change_email(
    state: &User,
    email: &str,
    verified: bool,
) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    if email.trim().is_empty() {
        // Clearing the address (a provisioned user whose directory entry has none).
        if state.email.is_empty() {
            return Ok(Decision::default());
        }
        return Ok(Decision::of(UserEvent::EmailChanged {
            email: String::new(),
        }));
    }
    let email = validate_email(email)?;
    let mut decision = Decision::default();
    if email != state.email {
        decision.events.push(UserEvent::EmailChanged { email });
        if verified {
            decision.events.push(UserEvent::EmailVerified {});
        }
    } else if verified && !state.email_verified {
        decision.events.push(UserEvent::EmailVerified {});
    }
    Ok(decision)
}

pub fn change_phone(
    state: &User,
    phone: &str,
    verified: bool,
) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    let phone = validate_phone(phone)?;
    let mut decision = Decision::default();
    if phone != state.phone {
        decision.events.push(UserEvent::PhoneChanged { phone });
        if verified {
            decision.events.push(UserEvent::PhoneVerified {});
        }
    } else if verified && !state.phone_verified {
        decision.events.push(UserEvent::PhoneVerified {});
    }
    Ok(decision)
}

pub fn remove_phone(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    if state.phone.is_empty() {
        return Err(DomainError::not_found(
            "USER-0015",
            "The user has no phone number",
        ));
    }
    Ok(Decision::of(UserEvent::PhoneRemoved {}))
}

/// Records a new code (its hash) for `purpose`, valid for [`CODE_LIFETIME_MICROS`].
/// How a new code reaches its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeDelivery {
    /// Handed to the API caller (`returnCode`).
    Returned,
    /// Mailed (or texted) by the notifier: the code sealed with the master key, and the link
    /// template for the message.
    Sent {
        sealed_code: String,
        url_template: Option<String>,
    },
}

pub fn add_code(
    state: &User,
    purpose: CodePurpose,
    code_hash: String,
    delivery: CodeDelivery,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    match purpose {
        CodePurpose::Email | CodePurpose::Invite if state.email_verified => {
            return Err(DomainError::precondition(
                "USER-0016",
                "The email address is already verified",
            ));
        }
        CodePurpose::Phone if state.phone.is_empty() => {
            return Err(DomainError::not_found(
                "USER-0015",
                "The user has no phone number",
            ));
        }
        CodePurpose::Phone if state.phone_verified => {
            return Err(DomainError::precondition(
                "USER-0017",
                "The phone number is already verified",
            ));
        }
        _ => {}
    }
    let (returned, sealed_code, url_template) = match delivery {
        CodeDelivery::Returned => (true, None, None),
        CodeDelivery::Sent {
            sealed_code,
            url_template,
        } => (false, Some(sealed_code), url_template),
    };
    Ok(Decision::of(UserEvent::CodeAdded {
        purpose,
        code_hash,
        expires_at: Timestamp(now.0.saturating_add(CODE_LIFETIME_MICROS)),
        returned,
        sealed_code,
        url_template,
    }))
}

/// The pending code for `purpose`, for the edge to check a presented code against; resending
/// requires one too.
pub fn pending_code(
    state: &User,
    purpose: CodePurpose,
    now: Timestamp,
) -> Result<String, DomainError> {
    require_human(state)?;
    match state.codes.get(&purpose) {
        Some(code) if code.expires_at > now => Ok(code.code_hash.clone()),
        Some(_) => Err(DomainError::precondition(
            "USER-0018",
            "The code has expired",
        )),
        None => Err(DomainError::not_found(
            "USER-0019",
            "No code was requested for this user",
        )),
    }
}

fn wrong_code() -> DomainError {
    DomainError::invalid("USER-0020", "The code is not valid")
}

/// Verifies the email, phone or invite after the edge compared the presented code.
pub fn verify_code(
    state: &User,
    purpose: CodePurpose,
    code_matches: bool,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    pending_code(state, purpose, now)?;
    if !code_matches {
        return Err(wrong_code());
    }
    let event = match purpose {
        CodePurpose::Email => UserEvent::EmailVerified {},
        CodePurpose::Phone => UserEvent::PhoneVerified {},
        CodePurpose::Invite => UserEvent::InviteCodeVerified {},
        CodePurpose::PasswordReset => {
            return Err(DomainError::invalid(
                "USER-0021",
                "A password reset code is used by setting a password",
            ));
        }
    };
    Ok(Decision::of(event))
}

/// How a new password is authorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProof {
    /// An administrator with `user.credential.write` (or a new user).
    Administrator,
    /// The edge checked the current password: did it match?
    CurrentPassword(bool),
    /// The edge checked a password-reset code: did it match?
    ResetCode(bool),
}

pub fn set_password(
    state: &User,
    password_hash: String,
    change_required: bool,
    proof: PasswordProof,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    match proof {
        PasswordProof::Administrator => {}
        PasswordProof::CurrentPassword(matches) => {
            if state.password_hash.is_none() || !matches {
                return Err(DomainError::invalid(
                    "USER-0022",
                    "The current password is not valid",
                ));
            }
        }
        PasswordProof::ResetCode(matches) => {
            pending_code(state, CodePurpose::PasswordReset, now)?;
            if !matches {
                return Err(wrong_code());
            }
        }
    }
    Ok(Decision::of(UserEvent::PasswordChanged {
        password_hash,
        change_required,
    }))
}

pub fn change_machine(
    state: &User,
    name: Option<&str>,
    description: Option<&str>,
    jwt_access_token: Option<bool>,
) -> Result<Decision<UserEvent>, DomainError> {
    require_machine(state)?;
    let name = match name {
        Some(name) => validate_machine_name(name)?,
        None => state.machine_name.clone(),
    };
    let description = description
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| state.machine_description.clone());
    let jwt_access_token = jwt_access_token.unwrap_or(state.jwt_access_token);
    if name == state.machine_name
        && description == state.machine_description
        && jwt_access_token == state.jwt_access_token
    {
        return Ok(Decision::default());
    }
    Ok(Decision::of(UserEvent::MachineChanged {
        name,
        description,
        jwt_access_token,
    }))
}

pub fn deactivate(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if state.state == UserState::Inactive {
        return Err(DomainError::precondition(
            "USER-0024",
            "User is already deactivated",
        ));
    }
    Ok(Decision::of(UserEvent::Deactivated {}))
}

pub fn reactivate(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if state.state != UserState::Inactive {
        return Err(DomainError::precondition(
            "USER-0025",
            "User is not deactivated",
        ));
    }
    Ok(Decision::of(UserEvent::Reactivated {}))
}

pub fn lock(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if state.state != UserState::Active {
        return Err(DomainError::precondition(
            "USER-0026",
            "Only an active user can be locked",
        ));
    }
    Ok(Decision::of(UserEvent::Locked {}))
}

pub fn unlock(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    if state.state != UserState::Locked {
        return Err(DomainError::precondition("USER-0027", "User is not locked"));
    }
    Ok(Decision::of(UserEvent::Unlocked {}))
}

/// DeleteUser: revokes every token and key, frees the username, then removes the user.
pub fn remove(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_exists(state)?;
    let mut decision = Decision::default();
    for (token_id, (token_hash, _)) in &state.tokens {
        decision.events.push(UserEvent::PersonalAccessTokenRemoved {
            token_id: token_id.clone(),
            token_hash: token_hash.clone(),
        });
    }
    for key_id in state.keys.keys() {
        decision.events.push(UserEvent::KeyRemoved {
            key_id: key_id.clone(),
        });
    }
    decision.events.push(UserEvent::Removed {
        username: state.username.clone(),
    });
    let (unique_type, value) = state.username_claim(&state.username);
    decision.release(unique_type, &value);
    Ok(decision)
}
