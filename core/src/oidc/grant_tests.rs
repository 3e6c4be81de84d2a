#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::Position;

fn meta(at: i64) -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(at),
        resource_owner: "o".into(),
        position: Position(1),
    }
}

fn grant_with_refresh(hash: &str) -> Grant {
    let mut grant = Grant::default();
    let events = [
        GrantEvent::Added {
            grant: Box::new(NewGrant {
                user_id: "u".into(),
                client_id: "c".into(),
                ..NewGrant::default()
            }),
        },
        GrantEvent::RefreshTokenAdded {
            token_hash: hash.into(),
            idle_expiration: Timestamp(100),
            expiration: Timestamp(1000),
        },
    ];
    for event in &events {
        grant.apply(event, &meta(1));
    }
    grant
}

#[test]
fn rotation_makes_the_old_token_a_reuse() {
    let mut grant = grant_with_refresh("one");
    assert_eq!(
        use_refresh_token(&grant, "one", "c", Timestamp(5)).unwrap(),
        RefreshUse::Rotate
    );
    grant.apply(
        &GrantEvent::RefreshTokenAdded {
            token_hash: "two".into(),
            idle_expiration: Timestamp(200),
            expiration: Timestamp(1000),
        },
        &meta(6),
    );
    assert_eq!(
        use_refresh_token(&grant, "one", "c", Timestamp(7)).unwrap(),
        RefreshUse::Reused
    );
    assert_eq!(
        use_refresh_token(&grant, "two", "c", Timestamp(7)).unwrap(),
        RefreshUse::Rotate
    );
    for event in terminate(&grant, "refresh_token_reused").events {
        grant.apply(&event, &meta(8));
    }
    assert!(use_refresh_token(&grant, "two", "c", Timestamp(9)).is_err());
    assert!(terminate(&grant, "again").events.is_empty());
}

#[test]
fn unknown_expired_or_foreign_refresh_tokens_are_invalid() {
    let grant = grant_with_refresh("one");
    assert!(use_refresh_token(&grant, "nope", "c", Timestamp(5)).is_err());
    assert!(use_refresh_token(&grant, "one", "other", Timestamp(5)).is_err());
    assert!(use_refresh_token(&grant, "one", "c", Timestamp(100)).is_err());
    assert!(use_refresh_token(&Grant::default(), "one", "c", Timestamp(5)).is_err());
}

#[test]
fn access_tokens_are_revoked_once() {
    let mut grant = grant_with_refresh("one");
    grant.apply(
        &GrantEvent::AccessTokenAdded {
            token_id: "t".into(),
            token_hash: None,
            scopes: vec![],
            expiration: Timestamp(50),
        },
        &meta(2),
    );
    let decision = revoke_access_token(&grant, "t");
    assert_eq!(decision.events.len(), 1);
    grant.apply(&decision.events[0], &meta(3));
    assert!(revoke_access_token(&grant, "t").events.is_empty());
    assert!(revoke_access_token(&grant, "unknown").events.is_empty());
}

fn target() -> LogoutTarget {
    LogoutTarget {
        uri: "https://rp.test/bcl".into(),
        issuer: "https://id.test".into(),
    }
}

#[test]
fn ending_a_session_grant_requests_one_logout_that_settles_once() {
    let mut grant = grant_with_refresh("one");
    // Without a login session there is no one to log out.
    let decision = end(&grant, "logout", Some(target()));
    assert_eq!(decision.events.len(), 1);
    grant.grant.session_id = Some("s".into());
    assert!(
        settle_logout(&grant, LogoutOutcome::Delivered { attempts: 1 })
            .events
            .is_empty()
    );
    let decision = end(&grant, "logout", Some(target()));
    assert_eq!(
        decision.events,
        vec![
            GrantEvent::Terminated {
                reason: "logout".into()
            },
            GrantEvent::LogoutRequested {
                uri: "https://rp.test/bcl".into(),
                issuer: "https://id.test".into(),
            }
        ]
    );
    for event in &decision.events {
        grant.apply(event, &meta(2));
    }
    assert!(end(&grant, "logout", Some(target())).events.is_empty());
    let failed = LogoutOutcome::Failed {
        attempts: 3,
        error: "refused".into(),
    };
    let decision = settle_logout(&grant, failed.clone());
    assert_eq!(
        decision.events,
        vec![GrantEvent::LogoutFailed {
            attempts: 3,
            error: "refused".into()
        }]
    );
    for event in &decision.events {
        grant.apply(event, &meta(3));
    }
    assert!(settle_logout(&grant, failed).events.is_empty());
    assert!(
        settle_logout(&grant, LogoutOutcome::Delivered { attempts: 4 })
            .events
            .is_empty()
    );
}

#[test]
fn ending_without_a_target_only_terminates() {
    let mut grant = grant_with_refresh("one");
    grant.grant.session_id = Some("s".into());
    assert_eq!(end(&grant, "session_terminated", None).events.len(), 1);
}
