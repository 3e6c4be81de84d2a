//! Claim checks at an injected time: each rejection has its own error, and leeway lets the
//! same token through.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use castellan_jose::{Expectations, JoseError, KeyAlgorithm, Signer, VerifyKey, verify};
use common::{AUDIENCE, ISSUER, NOW, claims, expect, signer};
use serde_json::{Value, json};

fn ed_key() -> (Signer, VerifyKey) {
    let (signer, jwk, _) = signer(KeyAlgorithm::Ed25519, "k");
    (signer, VerifyKey::from_jwk(&jwk).unwrap())
}

/// Signs `claims()` with `changes` applied (a `null` removes the member).
fn token_with(signer: &Signer, changes: Value) -> String {
    let mut claims = claims();
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    signer.sign(Some("JWT"), &claims).unwrap()
}

fn with_leeway(leeway: i64) -> Expectations {
    Expectations { leeway, ..expect() }
}

#[test]
fn valid_token_passes() {
    let (signer, key) = ed_key();
    assert_eq!(
        verify(&token_with(&signer, json!({})), &key, &expect()).unwrap(),
        claims()
    );
}

#[test]
fn expired_token_is_refused_unless_within_leeway() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"exp": NOW - 30}));
    assert_eq!(verify(&token, &key, &expect()), Err(JoseError::Expired));
    assert_eq!(
        verify(&token, &key, &with_leeway(29)),
        Err(JoseError::Expired)
    );
    assert!(verify(&token, &key, &with_leeway(31)).is_ok());
    // exp is the first instant the token is no longer valid.
    let edge = token_with(&signer, json!({"exp": NOW}));
    assert_eq!(verify(&edge, &key, &expect()), Err(JoseError::Expired));
    let later = Expectations {
        now: NOW - 1,
        ..expect()
    };
    assert!(verify(&edge, &key, &later).is_ok());
}

#[test]
fn future_nbf_is_refused_unless_within_leeway() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"nbf": NOW + 60}));
    assert_eq!(verify(&token, &key, &expect()), Err(JoseError::NotYetValid));
    assert_eq!(
        verify(&token, &key, &with_leeway(59)),
        Err(JoseError::NotYetValid)
    );
    assert!(verify(&token, &key, &with_leeway(60)).is_ok());
}

#[test]
fn future_iat_is_refused_unless_within_leeway() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"iat": NOW + 20}));
    assert_eq!(verify(&token, &key, &expect()), Err(JoseError::NotYetValid));
    assert!(verify(&token, &key, &with_leeway(20)).is_ok());
}

#[test]
fn old_iat_is_refused_unless_within_leeway() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"iat": NOW - 3_700}));
    let max_hour = Expectations {
        max_iat_age: Some(3_600),
        ..expect()
    };
    assert_eq!(verify(&token, &key, &max_hour), Err(JoseError::TooOld));
    assert!(
        verify(
            &token,
            &key,
            &Expectations {
                leeway: 100,
                ..max_hour.clone()
            }
        )
        .is_ok()
    );
    assert!(
        verify(&token, &key, &expect()).is_ok(),
        "no age limit unless asked"
    );

    let no_iat = token_with(&signer, json!({"iat": null}));
    assert!(matches!(
        verify(&no_iat, &key, &max_hour),
        Err(JoseError::Malformed(_))
    ));
}

#[test]
fn wrong_issuer_is_refused() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"iss": "https://evil.example"}));
    assert_eq!(verify(&token, &key, &expect()), Err(JoseError::WrongIssuer));
    let missing = token_with(&signer, json!({"iss": null}));
    assert_eq!(
        verify(&missing, &key, &expect()),
        Err(JoseError::WrongIssuer)
    );
    let not_a_string = token_with(&signer, json!({"iss": [ISSUER]}));
    assert_eq!(
        verify(&not_a_string, &key, &expect()),
        Err(JoseError::WrongIssuer)
    );
    assert!(
        verify(
            &token,
            &key,
            &Expectations {
                issuer: None,
                ..expect()
            }
        )
        .is_ok()
    );
}

#[test]
fn wrong_audience_is_refused_in_string_and_array_form() {
    let (signer, key) = ed_key();
    let wrong_string = token_with(&signer, json!({"aud": "client-2"}));
    assert_eq!(
        verify(&wrong_string, &key, &expect()),
        Err(JoseError::WrongAudience)
    );
    let wrong_array = token_with(&signer, json!({"aud": ["client-2", "client-3"]}));
    assert_eq!(
        verify(&wrong_array, &key, &expect()),
        Err(JoseError::WrongAudience)
    );
    let missing = token_with(&signer, json!({"aud": null}));
    assert_eq!(
        verify(&missing, &key, &expect()),
        Err(JoseError::WrongAudience)
    );
    let empty = token_with(&signer, json!({"aud": []}));
    assert_eq!(
        verify(&empty, &key, &expect()),
        Err(JoseError::WrongAudience)
    );

    let right_array = token_with(&signer, json!({"aud": ["client-2", AUDIENCE]}));
    assert!(verify(&right_array, &key, &expect()).is_ok());
    assert!(
        verify(
            &wrong_string,
            &key,
            &Expectations {
                audience: None,
                ..expect()
            }
        )
        .is_ok()
    );
}

#[test]
fn exp_is_required_only_when_asked() {
    let (signer, key) = ed_key();
    let token = token_with(&signer, json!({"exp": null}));
    assert!(matches!(
        verify(&token, &key, &expect()),
        Err(JoseError::Malformed(_))
    ));
    let optional = Expectations {
        require_exp: false,
        ..expect()
    };
    assert!(verify(&token, &key, &optional).is_ok());
}

#[test]
fn non_numeric_dates_are_malformed() {
    let (signer, key) = ed_key();
    for change in [
        json!({"exp": "tomorrow"}),
        json!({"nbf": true}),
        json!({"iat": {}}),
    ] {
        let token = token_with(&signer, change.clone());
        let result = verify(&token, &key, &expect());
        assert!(
            matches!(result, Err(JoseError::Malformed(_))),
            "{change}: {result:?}"
        );
    }
}

#[test]
fn fractional_dates_are_read() {
    let (signer, key) = ed_key();
    let expired = token_with(&signer, json!({"exp": (NOW as f64) - 0.5}));
    assert_eq!(verify(&expired, &key, &expect()), Err(JoseError::Expired));
    let valid = token_with(
        &signer,
        json!({"exp": (NOW as f64) + 10.5, "iat": (NOW as f64) - 0.5}),
    );
    assert!(verify(&valid, &key, &expect()).is_ok());
}

#[test]
fn verification_uses_the_injected_time_only() {
    let (signer, key) = ed_key();
    // Issued and expiring in 1970: only valid if `now` is taken from the caller.
    let token = token_with(&signer, json!({"iat": 1_000, "exp": 2_000}));
    let then = Expectations {
        now: 1_500,
        ..expect()
    };
    assert!(verify(&token, &key, &then).is_ok());
    assert_eq!(verify(&token, &key, &expect()), Err(JoseError::Expired));
}

#[test]
fn expectations_at_has_safe_defaults() {
    let at = Expectations::at(NOW);
    assert_eq!(at.now, NOW);
    assert_eq!(at.leeway, 0);
    assert!(at.require_exp && at.issuer.is_none() && at.audience.is_none());
    assert!(at.max_iat_age.is_none());
}
