//! The user aggregate, as far as the Foundation needs it: human and machine users created with an
//! organization or at first start, and machine users' personal access tokens (PATs).
//! The full user lifecycle is issue #4.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "user";
/// Usernames are unique per instance (ZITADEL's default, `UserLoginMustBeDomain: false`).
pub const UNIQUE_USERNAME: &str = "username";
pub const MAX_USERNAME_LEN: usize = 200;

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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    pub kind: UserKind,
    pub username: String,
    pub tokens: BTreeMap<String, Option<Timestamp>>,
}

impl Aggregate for User {
    type Event = UserEvent;

    fn apply(&mut self, event: &UserEvent, _meta: &EventMeta) {
        match event {
            UserEvent::HumanAdded { username, .. } => {
                self.kind = UserKind::Human;
                self.username.clone_from(username);
            }
            UserEvent::MachineAdded { username, .. } => {
                self.kind = UserKind::Machine;
                self.username.clone_from(username);
            }
            UserEvent::PersonalAccessTokenAdded {
                token_id,
                expiration,
                ..
            } => {
                self.tokens.insert(token_id.clone(), *expiration);
            }
            UserEvent::PersonalAccessTokenRemoved { token_id, .. } => {
                self.tokens.remove(token_id);
            }
        }
    }
}

pub fn validate_username(username: &str) -> Result<String, DomainError> {
    let trimmed = username.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_USERNAME_LEN {
        return Err(DomainError::invalid(
            "USER-0001",
            format!("Username must be 1 to {MAX_USERNAME_LEN} characters"),
        ));
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err(DomainError::invalid(
            "USER-0002",
            "Username must not contain whitespace",
        ));
    }
    Ok(trimmed.to_owned())
}

/// ZITADEL's default password complexity: at least 8 characters with a lower-case letter, an
/// upper-case letter, a digit and a symbol.
pub fn validate_password(password: &str) -> Result<(), DomainError> {
    let long_enough = password.chars().count() >= 8;
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    if long_enough && lower && upper && digit && symbol {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "USER-0011",
            "Password must have at least 8 characters, with lower- and upper-case letters, a digit and a symbol",
        ))
    }
}

fn validate_email(email: &str) -> Result<String, DomainError> {
    let trimmed = email.trim();
    let valid = trimmed.len() <= 254
        && trimmed.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !trimmed.chars().any(char::is_whitespace);
    if valid {
        Ok(trimmed.to_owned())
    } else {
        Err(DomainError::invalid(
            "USER-0003",
            format!("Invalid email address {email:?}"),
        ))
    }
}

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

pub fn add_human(state: &User, human: NewHuman) -> Result<Decision<UserEvent>, DomainError> {
    if state.kind != UserKind::Unspecified {
        return Err(DomainError::already_exists(
            "USER-0004",
            "User already exists",
        ));
    }
    let username = validate_username(&human.username)?;
    let email = validate_email(&human.email)?;
    let given_name = human.profile.given_name.trim().to_owned();
    let family_name = human.profile.family_name.trim().to_owned();
    if given_name.is_empty() || family_name.is_empty() {
        return Err(DomainError::invalid(
            "USER-0005",
            "Given name and family name are required",
        ));
    }
    let mut profile = human.profile;
    profile.given_name = given_name;
    profile.family_name = family_name;
    if profile.display_name.trim().is_empty() {
        profile.display_name = format!("{} {}", profile.given_name, profile.family_name);
    }
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
    if state.kind != UserKind::Unspecified {
        return Err(DomainError::already_exists(
            "USER-0004",
            "User already exists",
        ));
    }
    let username = validate_username(username)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid(
            "USER-0006",
            "A machine user needs a name",
        ));
    }
    let mut decision = Decision::of(UserEvent::MachineAdded {
        username: username.clone(),
        name: name.to_owned(),
        description: description.to_owned(),
    });
    decision.claim(UNIQUE_USERNAME, &username);
    Ok(decision)
}

pub fn add_personal_access_token(
    state: &User,
    token_id: String,
    token_hash: String,
    expiration: Option<Timestamp>,
    now: Timestamp,
) -> Result<Decision<UserEvent>, DomainError> {
    if state.kind != UserKind::Machine {
        return Err(DomainError::precondition(
            "USER-0007",
            "Personal access tokens are for machine users only",
        ));
    }
    if expiration.is_some_and(|at| at <= now) {
        return Err(DomainError::invalid(
            "USER-0008",
            "Expiration must be in the future",
        ));
    }
    Ok(Decision::of(UserEvent::PersonalAccessTokenAdded {
        token_id,
        token_hash,
        expiration,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(username: &str, email: &str) -> NewHuman {
        NewHuman {
            username: username.into(),
            profile: HumanProfile {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                ..HumanProfile::default()
            },
            email: email.into(),
            ..NewHuman::default()
        }
    }

    #[test]
    fn humans_are_validated_and_claim_their_username() {
        let decision = add_human(&User::default(), human("ada", "ada@example.com")).unwrap();
        assert_eq!(decision.claims[0].unique_type, UNIQUE_USERNAME);
        let UserEvent::HumanAdded { profile, .. } = &decision.events[0] else {
            panic!()
        };
        assert_eq!(profile.display_name, "Ada Lovelace");
        assert_eq!(
            add_human(&User::default(), human("a b", "a@b.c"))
                .unwrap_err()
                .code,
            "USER-0002"
        );
        assert_eq!(
            add_human(&User::default(), human("ada", "nope"))
                .unwrap_err()
                .code,
            "USER-0003"
        );
    }

    #[test]
    fn password_complexity_follows_zitadels_default() {
        assert!(validate_password("Password1!").is_ok());
        for weak in [
            "Pass1!",
            "password1!",
            "PASSWORD1!",
            "Password!!",
            "Password12",
        ] {
            assert_eq!(
                validate_password(weak).unwrap_err().code,
                "USER-0011",
                "{weak}"
            );
        }
    }

    #[test]
    fn only_machines_get_tokens_and_only_for_the_future() {
        let now = Timestamp(1_000);
        assert!(
            add_personal_access_token(&User::default(), "t".into(), "h".into(), None, now).is_err()
        );
        let mut machine = User::default();
        let added = add_machine(&machine, "robot", "Robot", "").unwrap();
        let meta = EventMeta {
            sequence: 1,
            created_at: now,
            resource_owner: "o".into(),
            position: crate::Position(1),
        };
        machine.apply(&added.events[0], &meta);
        assert!(add_personal_access_token(&machine, "t".into(), "h".into(), None, now).is_ok());
        let past = Some(Timestamp(999));
        assert_eq!(
            add_personal_access_token(&machine, "t".into(), "h".into(), past, now)
                .unwrap_err()
                .code,
            "USER-0008"
        );
    }
}
