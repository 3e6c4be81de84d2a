//! Decisions a login makes about a user: the outcome of a password check, lockout after too many
//! wrong passwords, the upgrade of an old hash, and whether the password has expired.

use super::decide::require_human;
use super::{User, UserEvent, UserState};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::Decision;

/// Why a user may not log in, whatever the password. Callers that must not reveal which users
/// exist (the hosted login) show the same message for all of these as for a wrong password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginBlocked {
    Locked,
    Inactive,
    NoPassword,
}

/// Whether a human user can log in with a password at all.
pub fn login_blocked(state: &User) -> Result<Option<LoginBlocked>, DomainError> {
    require_human(state)?;
    Ok(match state.state {
        UserState::Locked => Some(LoginBlocked::Locked),
        UserState::Inactive => Some(LoginBlocked::Inactive),
        _ if state.password_hash.is_none() => Some(LoginBlocked::NoPassword),
        _ => None,
    })
}

/// What a password check decided: the events to record and whether the password was accepted.
#[derive(Debug)]
pub struct PasswordCheckOutcome {
    pub decision: Decision<UserEvent>,
    pub accepted: bool,
    /// The check locked the user (this wrong password reached the lockout limit).
    pub locked_now: bool,
}

/// Records a password check. `correct` is the verification result; `rehashed` is a new hash of
/// the same password when the stored one used an old algorithm or cost; `max_attempts` is the
/// lockout setting (0: never lock). A wrong password that reaches the limit locks the user in the
/// same append, so concurrent attempts cannot overshoot it.
pub fn check_password(
    state: &User,
    correct: bool,
    rehashed: Option<String>,
    max_attempts: u32,
) -> Result<PasswordCheckOutcome, DomainError> {
    if let Some(blocked) = login_blocked(state)? {
        return Err(blocked_error(blocked));
    }
    let mut decision = Decision::default();
    if correct {
        // Only a reset of the failure count is written: concurrent logins of one user must not
        // contend for the user's aggregate (the session records the login).
        if state.password_failures > 0 {
            decision.events.push(UserEvent::PasswordCheckSucceeded {});
        }
        if let Some(password_hash) = rehashed {
            decision
                .events
                .push(UserEvent::PasswordHashUpdated { password_hash });
        }
        return Ok(PasswordCheckOutcome {
            decision,
            accepted: true,
            locked_now: false,
        });
    }
    decision.events.push(UserEvent::PasswordCheckFailed {});
    let failures = state.password_failures.saturating_add(1);
    let locked_now = max_attempts > 0 && failures >= max_attempts;
    if locked_now {
        decision.events.push(UserEvent::Locked {});
    }
    Ok(PasswordCheckOutcome {
        decision,
        accepted: false,
        locked_now,
    })
}

pub fn blocked_error(blocked: LoginBlocked) -> DomainError {
    match blocked {
        LoginBlocked::Locked => DomainError::precondition("USER-0101", "User is locked"),
        LoginBlocked::Inactive => DomainError::precondition("USER-0102", "User is not active"),
        LoginBlocked::NoPassword => {
            DomainError::precondition("USER-0103", "User has no password set")
        }
    }
}

/// Whether the password is older than `max_age_days` (password expiry settings; 0: never).
pub fn password_expired(state: &User, max_age_days: u32, now: Timestamp) -> bool {
    if max_age_days == 0 {
        return false;
    }
    let Some(changed) = state.password_changed_at else {
        return false;
    };
    let max_age = i64::from(max_age_days).saturating_mul(86_400_000_000);
    now.0.saturating_sub(changed.0) > max_age
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::event::{Aggregate, EventMeta};
    use crate::user::{HumanProfile, UserKind};

    fn human(failures: u32) -> User {
        User {
            kind: UserKind::Human,
            state: UserState::Active,
            password_hash: Some("$argon2id$x".into()),
            password_failures: failures,
            profile: HumanProfile::default(),
            ..User::default()
        }
    }

    fn meta(at: i64) -> EventMeta {
        EventMeta {
            sequence: 1,
            created_at: Timestamp(at),
            resource_owner: "org".into(),
            position: crate::Position(1),
        }
    }

    #[test]
    fn wrong_passwords_lock_at_the_limit_and_not_before() {
        let first = check_password(&human(0), false, None, 3).unwrap();
        assert!(!first.accepted && !first.locked_now);
        assert_eq!(
            first.decision.events,
            vec![UserEvent::PasswordCheckFailed {}]
        );
        let third = check_password(&human(2), false, None, 3).unwrap();
        assert!(third.locked_now);
        assert_eq!(
            third.decision.events,
            vec![UserEvent::PasswordCheckFailed {}, UserEvent::Locked {}]
        );
        let unlimited = check_password(&human(100), false, None, 0).unwrap();
        assert!(!unlimited.locked_now);
    }

    #[test]
    fn a_correct_password_writes_nothing_when_there_is_nothing_to_reset() {
        let outcome = check_password(&human(0), true, None, 3).unwrap();
        assert!(outcome.accepted);
        assert!(outcome.decision.events.is_empty());
    }

    #[test]
    fn a_correct_password_resets_the_count_and_can_upgrade_the_hash() {
        let outcome = check_password(&human(2), true, Some("$argon2id$new".into()), 3).unwrap();
        assert!(outcome.accepted);
        let mut user = human(2);
        for event in &outcome.decision.events {
            user.apply(event, &meta(5));
        }
        assert_eq!(user.password_failures, 0);
        assert_eq!(user.password_hash.as_deref(), Some("$argon2id$new"));
    }

    #[test]
    fn locked_inactive_and_passwordless_users_cannot_log_in() {
        let mut locked = human(0);
        locked.state = UserState::Locked;
        assert_eq!(login_blocked(&locked).unwrap(), Some(LoginBlocked::Locked));
        assert!(check_password(&locked, true, None, 3).is_err());
        let mut inactive = human(0);
        inactive.state = UserState::Inactive;
        assert_eq!(
            login_blocked(&inactive).unwrap(),
            Some(LoginBlocked::Inactive)
        );
        let mut none = human(0);
        none.password_hash = None;
        assert_eq!(
            login_blocked(&none).unwrap(),
            Some(LoginBlocked::NoPassword)
        );
        assert!(login_blocked(&User::default()).is_err());
    }

    #[test]
    fn unlocking_forgets_the_failures() {
        let mut user = human(0);
        for event in [
            UserEvent::PasswordCheckFailed {},
            UserEvent::PasswordCheckFailed {},
        ] {
            user.apply(&event, &meta(1));
        }
        assert_eq!(user.password_failures, 2);
        user.apply(&UserEvent::Locked {}, &meta(2));
        user.apply(&UserEvent::Unlocked {}, &meta(3));
        assert_eq!(user.password_failures, 0);
        assert_eq!(user.state, UserState::Active);
    }

    #[test]
    fn passwords_expire_after_the_maximum_age() {
        let day = 86_400_000_000;
        let mut user = human(0);
        user.password_changed_at = Some(Timestamp(0));
        assert!(!password_expired(&user, 0, Timestamp(1000 * day)));
        assert!(!password_expired(&user, 30, Timestamp(30 * day)));
        assert!(password_expired(&user, 30, Timestamp(30 * day + 1)));
    }
}
