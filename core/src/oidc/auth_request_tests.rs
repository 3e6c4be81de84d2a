#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::Position;

const VERIFIER: &str = "dBjftJeZ4CVP-mB0unHgL2dVIqNFf9hFS6ufRUsPJ9M";
const CHALLENGE: &str = "07PplxIJs9Wg9a1-R4QnX1IUAVMfm1LJPHDAD4n8GzU";

fn meta(at: i64) -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(at),
        resource_owner: "inst".into(),
        position: Position(1),
    }
}

fn params() -> AuthRequestParams {
    AuthRequestParams {
        client_id: "client".into(),
        redirect_uri: "https://rp/cb".into(),
        scopes: vec!["openid".into()],
        response_type: "code".into(),
        response_mode: "query".into(),
        code_challenge: Some(pkce::challenge(CHALLENGE, Some("S256")).unwrap()),
        ..AuthRequestParams::default()
    }
}

fn authn() -> Authentication {
    Authentication {
        session_id: "s".into(),
        user_id: "u".into(),
        org_id: "o".into(),
        auth_time: Timestamp(5),
        amr: vec!["pwd".into()],
    }
}

fn run(state: &mut AuthRequest, decision: Decision<AuthRequestEvent>, at: i64) {
    for event in &decision.events {
        state.apply(event, &meta(at));
    }
}

fn succeeded() -> AuthRequest {
    let mut state = AuthRequest::default();
    let d = add(&state, params(), Timestamp(1)).unwrap();
    run(&mut state, d, 1);
    let decision = succeed(&state, authn(), Some("hash".into()), Timestamp(10)).unwrap();
    run(&mut state, decision, 10);
    state
}

#[test]
fn a_code_is_exchanged_once_then_replays_name_the_grant() {
    let mut state = succeeded();
    let outcome = exchange_code(
        &state,
        "hash",
        "client",
        Some("https://rp/cb"),
        Some(VERIFIER),
        Timestamp(20),
    )
    .unwrap();
    assert_eq!(outcome, CodeExchange::Accept(authn()));
    state.apply(
        &AuthRequestEvent::CodeExchanged {
            grant_id: "g".into(),
        },
        &meta(21),
    );
    let replay = exchange_code(
        &state,
        "hash",
        "client",
        Some("https://rp/cb"),
        Some(VERIFIER),
        Timestamp(22),
    )
    .unwrap();
    assert_eq!(
        replay,
        CodeExchange::Replayed {
            grant_id: "g".into()
        }
    );
}

#[test]
fn wrong_code_client_redirect_verifier_or_age_fail_alike() {
    let state = succeeded();
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, i64);
    let cases: Vec<Case> = vec![
        ("other", "client", Some("https://rp/cb"), Some(VERIFIER), 20),
        ("hash", "other", Some("https://rp/cb"), Some(VERIFIER), 20),
        (
            "hash",
            "client",
            Some("https://evil/cb"),
            Some(VERIFIER),
            20,
        ),
        ("hash", "client", None, Some(VERIFIER), 20),
        ("hash", "client", Some("https://rp/cb"), None, 20),
        (
            "hash",
            "client",
            Some("https://rp/cb"),
            Some("dBjftJeZ4CVP-mB0unHgL2dVIqNFf9hFS6ufRUsPJ9X"),
            20,
        ),
        (
            "hash",
            "client",
            Some("https://rp/cb"),
            Some(VERIFIER),
            10 + CODE_LIFETIME_MICROS,
        ),
    ];
    for (code, client, redirect, verifier, at) in cases {
        let error = exchange_code(&state, code, client, redirect, verifier, Timestamp(at))
            .expect_err("must fail");
        assert_eq!(error.message, "invalid_grant");
    }
}

#[test]
fn expired_or_finished_requests_cannot_succeed_again() {
    let mut state = AuthRequest::default();
    let d = add(&state, params(), Timestamp(1)).unwrap();
    run(&mut state, d, 1);
    assert!(succeed(&state, authn(), None, Timestamp(1 + LIFETIME_MICROS)).is_err());
    let done = succeeded();
    assert!(succeed(&done, authn(), None, Timestamp(11)).is_err());
    assert!(fail(&done, "denied", Timestamp(11)).is_err());
    assert!(add(&done, params(), Timestamp(11)).is_err());
}
