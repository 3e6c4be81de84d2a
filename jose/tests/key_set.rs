//! Choosing the key from a JWK set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use castellan_jose::{JoseError, KeyAlgorithm, RsaHasher, verify_with_set};
use common::{ES256, assemble, claims, expect, parts, rsa, signer, unb64};
use p256::pkcs8::DecodePrivateKey as _;
use serde_json::json;

#[test]
fn picks_the_key_by_kid() {
    let (first, first_jwk, _) = signer(KeyAlgorithm::Ed25519, "first");
    let (second, second_jwk, _) = signer(KeyAlgorithm::Ed25519, "second");
    let (_, rsa_jwk, _) = signer(rsa(RsaHasher::Sha256), "rsa");
    let set = [rsa_jwk, first_jwk, second_jwk];
    for signer in [&first, &second] {
        let token = signer.sign(None, &claims()).unwrap();
        assert_eq!(verify_with_set(&token, &set, &expect()).unwrap(), claims());
    }
}

#[test]
fn a_token_under_another_keys_kid_fails() {
    let (first, _, _) = signer(KeyAlgorithm::Ed25519, "first");
    let (_, second_jwk, _) = signer(KeyAlgorithm::Ed25519, "second");
    let token = first.sign(None, &claims()).unwrap();
    let p = parts(&token);
    let relabelled = assemble(
        &json!({"alg": "EdDSA", "kid": "second"}),
        &claims(),
        &unb64(&p[2]),
    );
    assert_eq!(
        verify_with_set(&relabelled, &[second_jwk], &expect()),
        Err(JoseError::BadSignature)
    );
}

#[test]
fn unknown_kid_is_reported() {
    let (signer, _, _) = signer(KeyAlgorithm::Ed25519, "gone");
    let (_, other, _) = common::signer(KeyAlgorithm::Ed25519, "current");
    let token = signer.sign(None, &claims()).unwrap();
    assert_eq!(
        verify_with_set(&token, &[other], &expect()),
        Err(JoseError::UnknownKey)
    );
    assert_eq!(
        verify_with_set(&token, &[], &expect()),
        Err(JoseError::UnknownKey)
    );
}

#[test]
fn without_kid_the_single_fitting_key_is_used() {
    let (signer, jwk, der) = signer(ES256, "ec");
    let (_, rsa_jwk, _) = common::signer(rsa(RsaHasher::Sha256), "rsa");
    let (_, ed_jwk, _) = common::signer(KeyAlgorithm::Ed25519, "ed");
    let token = signer.sign(None, &claims()).unwrap();
    let p = parts(&token);
    let no_kid = assemble(&json!({"alg": "ES256"}), &claims(), &unb64(&p[2]));
    // The signature covered a header with a kid, so re-sign without one.
    let private = p256::SecretKey::from_pkcs8_der(&der).unwrap();
    let signing_key = p256::ecdsa::SigningKey::from(private);
    let input = no_kid.rsplit_once('.').unwrap().0.to_owned();
    let signature: p256::ecdsa::Signature =
        p256::ecdsa::signature::Signer::sign(&signing_key, input.as_bytes());
    let no_kid = format!("{input}.{}", common::b64(signature.to_bytes()));

    let set = [rsa_jwk.clone(), jwk.clone(), ed_jwk];
    assert_eq!(verify_with_set(&no_kid, &set, &expect()).unwrap(), claims());

    // Two keys fit ES256: ambiguous, so no key is chosen.
    let (_, other_ec, _) = common::signer(ES256, "ec2");
    let ambiguous = [rsa_jwk.clone(), jwk, other_ec];
    assert_eq!(
        verify_with_set(&no_kid, &ambiguous, &expect()),
        Err(JoseError::UnknownKey)
    );
    // No key fits.
    assert_eq!(
        verify_with_set(&no_kid, &[rsa_jwk], &expect()),
        Err(JoseError::UnknownKey)
    );
}

#[test]
fn forbidden_algorithms_fail_before_key_lookup() {
    let (_, jwk, _) = signer(KeyAlgorithm::Ed25519, "k");
    for alg in ["none", "HS256"] {
        let token = assemble(&json!({"alg": alg, "kid": "k"}), &claims(), b"sig");
        let result = verify_with_set(&token, std::slice::from_ref(&jwk), &expect());
        assert!(
            matches!(result, Err(JoseError::UnsupportedAlgorithm(_))),
            "{alg}"
        );
    }
}

#[test]
fn kid_naming_a_key_of_another_type_is_refused() {
    let (_, ed_jwk, _) = signer(KeyAlgorithm::Ed25519, "shared");
    let (es, _, _) = common::signer(ES256, "shared");
    let token = es.sign(None, &claims()).unwrap();
    let result = verify_with_set(&token, &[ed_jwk], &expect());
    assert!(
        matches!(result, Err(JoseError::UnsupportedAlgorithm(_))),
        "{result:?}"
    );
}
