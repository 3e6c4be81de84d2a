//! Decisions about a human user's TOTP generator (RFC 6238): registration, its verification,
//! removal, and the outcome of a code check at login with lockout and replay protection.
//!
//! The codes themselves are computed at the edge (the writer, with its clock); these decisions
//! get the time step a code matched, if any.

use super::decide::require_human;
use super::login::{LoginBlocked, blocked_error};
use super::{OtpState, User, UserEvent, UserState};
use crate::error::DomainError;
use crate::event::Decision;

fn no_otp() -> DomainError {
    DomainError::not_found("USER-0040", "The user has no TOTP generator")
}

/// Registers a new (unverified) generator. A verified one must be removed first; an unverified
/// one is replaced.
pub fn add_otp(state: &User, sealed_secret: String) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    if state.otp.as_ref().is_some_and(|otp| otp.verified) {
        return Err(DomainError::already_exists(
            "USER-0041",
            "The user already has a TOTP generator",
        ));
    }
    if sealed_secret.is_empty() {
        return Err(DomainError::invalid("USER-0042", "The secret is missing"));
    }
    Ok(Decision::of(UserEvent::OtpAdded { sealed_secret }))
}

/// The generator a check or verification needs: its sealed secret. `verified` selects a
/// registered-and-verified generator (login) or a pending one (registration).
pub fn otp_secret(state: &User, verified: bool) -> Result<&str, DomainError> {
    require_human(state)?;
    match &state.otp {
        Some(OtpState {
            sealed_secret,
            verified: is_verified,
        }) if *is_verified == verified => Ok(sealed_secret),
        Some(_) if verified => Err(DomainError::precondition(
            "USER-0043",
            "The TOTP registration is not verified",
        )),
        Some(_) => Err(DomainError::precondition(
            "USER-0044",
            "The TOTP registration is already verified",
        )),
        None => Err(no_otp()),
    }
}

/// Confirms the registration with a code: `sealed_secret` is the secret the code was checked
/// against (it must still be the pending one), `correct` the result of the check.
pub fn verify_otp(
    state: &User,
    sealed_secret: &str,
    correct: bool,
) -> Result<Decision<UserEvent>, DomainError> {
    let pending = otp_secret(state, false)?;
    if !crate::ct_eq(pending, sealed_secret) {
        return Err(DomainError::precondition(
            "USER-0045",
            "The TOTP registration changed meanwhile",
        ));
    }
    if !correct {
        return Err(DomainError::invalid("USER-0046", "The code is not valid"));
    }
    Ok(Decision::of(UserEvent::OtpVerified {}))
}

pub fn remove_otp(state: &User) -> Result<Decision<UserEvent>, DomainError> {
    require_human(state)?;
    if state.otp.is_none() {
        return Err(no_otp());
    }
    Ok(Decision::of(UserEvent::OtpRemoved {}))
}

/// What a TOTP check decided: the events to record and whether the code was accepted.
#[derive(Debug)]
pub struct OtpCheckOutcome {
    pub decision: Decision<UserEvent>,
    pub accepted: bool,
    /// This wrong code reached the lockout limit and locked the user.
    pub locked_now: bool,
}

/// Records a TOTP check at login. `matched_step` is the time step the code matched (None: it
/// matched none); a step at or before the last accepted one is a replay and fails like a wrong
/// code. `max_attempts` is the lockout setting `max_otp_attempts` (0: never lock); the failure
/// that reaches it locks the user in the same append.
pub fn check_otp(
    state: &User,
    matched_step: Option<i64>,
    max_attempts: u32,
) -> Result<OtpCheckOutcome, DomainError> {
    otp_secret(state, true)?;
    match state.state {
        UserState::Locked => return Err(blocked_error(LoginBlocked::Locked)),
        UserState::Inactive => return Err(blocked_error(LoginBlocked::Inactive)),
        _ => {}
    }
    let fresh = matched_step.filter(|step| state.otp_last_step.is_none_or(|last| *step > last));
    if let Some(step) = fresh {
        return Ok(OtpCheckOutcome {
            decision: Decision::of(UserEvent::OtpCheckSucceeded { step }),
            accepted: true,
            locked_now: false,
        });
    }
    let mut decision = Decision::of(UserEvent::OtpCheckFailed {});
    let locked_now = max_attempts > 0 && state.otp_failures.saturating_add(1) >= max_attempts;
    if locked_now {
        decision.events.push(UserEvent::Locked {});
    }
    Ok(OtpCheckOutcome {
        decision,
        accepted: false,
        locked_now,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::clock::Timestamp;
    use crate::event::{Aggregate, EventMeta};
    use crate::user::UserKind;

    fn meta() -> EventMeta {
        EventMeta {
            sequence: 1,
            created_at: Timestamp(1),
            resource_owner: "org".into(),
            position: crate::Position(1),
        }
    }

    fn apply(user: &mut User, decision: &Decision<UserEvent>) {
        for event in &decision.events {
            user.apply(event, &meta());
        }
    }

    fn human() -> User {
        User {
            kind: UserKind::Human,
            state: UserState::Active,
            ..User::default()
        }
    }

    fn with_verified_otp() -> User {
        let mut user = human();
        let decided = add_otp(&user, "sealed-1".into()).unwrap();
        apply(&mut user, &decided);
        let decided = verify_otp(&user, "sealed-1", true).unwrap();
        apply(&mut user, &decided);
        user
    }

    #[test]
    fn registration_is_verified_with_a_correct_code_of_the_pending_secret() {
        let mut user = human();
        let decided = add_otp(&user, "sealed-1".into()).unwrap();
        apply(&mut user, &decided);
        assert_eq!(
            user.otp,
            Some(OtpState {
                sealed_secret: "sealed-1".into(),
                verified: false
            })
        );
        // An unverified registration is replaced by a new one.
        let decided = add_otp(&user, "sealed-2".into()).unwrap();
        apply(&mut user, &decided);
        assert_eq!(user.otp.as_ref().unwrap().sealed_secret, "sealed-2");
        // A code checked against the replaced secret does not verify the new one.
        assert_eq!(
            verify_otp(&user, "sealed-1", true).unwrap_err().kind,
            ErrorKind::FailedPrecondition
        );
        assert_eq!(
            verify_otp(&user, "sealed-2", false).unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
        // A pending registration is no second factor yet.
        assert!(check_otp(&user, Some(1), 3).is_err());
        let decided = verify_otp(&user, "sealed-2", true).unwrap();
        apply(&mut user, &decided);
        assert!(user.otp.as_ref().unwrap().verified);
        assert!(verify_otp(&user, "sealed-2", true).is_err());
    }

    #[test]
    fn a_verified_generator_must_be_removed_before_another_is_added() {
        let mut user = with_verified_otp();
        assert_eq!(
            add_otp(&user, "sealed-3".into()).unwrap_err().kind,
            ErrorKind::AlreadyExists
        );
        let decided = remove_otp(&user).unwrap();
        apply(&mut user, &decided);
        assert_eq!(user.otp, None);
        assert_eq!(remove_otp(&user).unwrap_err().kind, ErrorKind::NotFound);
        assert!(add_otp(&user, "sealed-3".into()).is_ok());
    }

    #[test]
    fn totp_is_for_existing_humans_only() {
        assert!(add_otp(&User::default(), "s".into()).is_err());
        let machine = User {
            kind: UserKind::Machine,
            state: UserState::Active,
            ..User::default()
        };
        assert!(add_otp(&machine, "s".into()).is_err());
        assert!(add_otp(&human(), String::new()).is_err());
    }

    #[test]
    fn wrong_codes_lock_at_the_limit_and_a_correct_one_resets_the_count() {
        let mut user = with_verified_otp();
        let first = check_otp(&user, None, 3).unwrap();
        assert!(!first.accepted && !first.locked_now);
        apply(&mut user, &first.decision);
        let second = check_otp(&user, None, 3).unwrap();
        apply(&mut user, &second.decision);
        assert_eq!(user.otp_failures, 2);
        let ok = check_otp(&user, Some(100), 3).unwrap();
        assert!(ok.accepted);
        assert_eq!(
            ok.decision.events,
            vec![UserEvent::OtpCheckSucceeded { step: 100 }]
        );
        apply(&mut user, &ok.decision);
        assert_eq!((user.otp_failures, user.otp_last_step), (0, Some(100)));
        for _ in 0..2 {
            let failed = check_otp(&user, None, 3).unwrap();
            assert!(!failed.locked_now);
            apply(&mut user, &failed.decision);
        }
        let third = check_otp(&user, None, 3).unwrap();
        assert!(third.locked_now);
        assert_eq!(
            third.decision.events,
            vec![UserEvent::OtpCheckFailed {}, UserEvent::Locked {}]
        );
        apply(&mut user, &third.decision);
        assert_eq!(user.state, UserState::Locked);
        assert_eq!(
            check_otp(&user, Some(200), 3).unwrap_err().kind,
            ErrorKind::FailedPrecondition
        );
        // Unlocking forgets the failures.
        user.apply(&UserEvent::Unlocked {}, &meta());
        assert_eq!(user.otp_failures, 0);
        assert!(!check_otp(&user, None, 0).unwrap().locked_now);
    }

    #[test]
    fn a_time_step_is_accepted_once() {
        let mut user = with_verified_otp();
        let ok = check_otp(&user, Some(50), 0).unwrap();
        apply(&mut user, &ok.decision);
        let replay = check_otp(&user, Some(50), 0).unwrap();
        assert!(!replay.accepted);
        assert_eq!(replay.decision.events, vec![UserEvent::OtpCheckFailed {}]);
        // An earlier step (still inside the skew window) is a replay too.
        assert!(!check_otp(&user, Some(49), 0).unwrap().accepted);
        assert!(check_otp(&user, Some(51), 0).unwrap().accepted);
    }

    #[test]
    fn removing_the_generator_forgets_its_state() {
        let mut user = with_verified_otp();
        let decided = check_otp(&user, Some(7), 0).unwrap().decision;
        apply(&mut user, &decided);
        let decided = check_otp(&user, None, 0).unwrap().decision;
        apply(&mut user, &decided);
        let decided = remove_otp(&user).unwrap();
        apply(&mut user, &decided);
        assert_eq!(
            (user.otp.clone(), user.otp_failures, user.otp_last_step),
            (None, 0, None)
        );
    }
}
