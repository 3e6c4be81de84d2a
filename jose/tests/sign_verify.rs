//! Round trips: generate, sign, export the JWK, verify with it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use castellan_jose::{
    JoseError, Jwk, KeyAlgorithm, RsaBits, RsaHasher, Signer, VerifyKey, generate, jwks, peek,
    verify,
};
use common::{ES256, ES384, b64, claims, expect, rsa, signer, unb64};
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;

fn round_trip(alg: KeyAlgorithm, kty: &str) {
    let (signer, jwk, _) = signer(alg, "kid-1");
    assert_eq!(jwk.kty, kty);
    assert_eq!(jwk.kid.as_deref(), Some("kid-1"));
    assert_eq!(jwk.key_use.as_deref(), Some("sig"));
    assert_eq!(jwk.alg.as_deref(), Some(alg.jws_alg()));
    assert_eq!(signer.public_jwk(), &jwk);
    assert_eq!(signer.jws_alg(), alg.jws_alg());
    assert_eq!(signer.kid(), "kid-1");

    let token = signer.sign(Some("JWT"), &claims()).unwrap();
    let seen = peek(&token).unwrap();
    assert_eq!(seen.header.alg, alg.jws_alg());
    assert_eq!(seen.header.kid.as_deref(), Some("kid-1"));
    assert_eq!(seen.header.typ.as_deref(), Some("JWT"));

    // Only what is published: the JWK goes through JSON text, as a relying party sees it.
    let published = serde_json::to_string(&jwks(std::slice::from_ref(&jwk))).unwrap();
    let set: serde_json::Value = serde_json::from_str(&published).unwrap();
    let exported: Jwk = serde_json::from_value(set["keys"][0].clone()).unwrap();
    let key = VerifyKey::from_jwk(&exported).unwrap();
    assert_eq!(verify(&token, &key, &expect()).unwrap(), claims());

    // A different key of the same kind does not verify it.
    let (_, other, _) = common::signer(alg, "kid-1");
    let other = VerifyKey::from_jwk(&other).unwrap();
    assert_eq!(
        verify(&token, &other, &expect()),
        Err(JoseError::BadSignature)
    );
}

#[test]
fn rs256_round_trip() {
    round_trip(rsa(RsaHasher::Sha256), "RSA");
}

#[test]
fn rs384_round_trip() {
    round_trip(rsa(RsaHasher::Sha384), "RSA");
}

#[test]
fn rs512_round_trip() {
    round_trip(rsa(RsaHasher::Sha512), "RSA");
}

#[test]
fn es256_round_trip() {
    round_trip(ES256, "EC");
}

#[test]
fn es384_round_trip() {
    round_trip(ES384, "EC");
}

#[test]
fn eddsa_round_trip() {
    round_trip(KeyAlgorithm::Ed25519, "OKP");
}

#[test]
fn larger_rsa_keys_have_the_requested_modulus() {
    for (bits, expected) in [(RsaBits::B3072, 3072), (RsaBits::B4096, 4096)] {
        let alg = KeyAlgorithm::Rsa {
            bits,
            hasher: RsaHasher::Sha256,
        };
        let generated = generate(&alg, "big").unwrap();
        let private = rsa::RsaPrivateKey::from_pkcs8_der(&generated.private_pkcs8_der).unwrap();
        assert_eq!(private.n().bits(), expected);
        let n = generated.public_jwk.n.as_deref().unwrap();
        assert_eq!(base64_len(n), expected / 8);
    }
}

fn base64_len(text: &str) -> usize {
    unb64(text).len()
}

#[test]
fn ec_and_okp_jwks_have_their_curve_members() {
    let p256 = generate(&ES256, "a").unwrap().public_jwk;
    assert_eq!(p256.crv.as_deref(), Some("P-256"));
    assert_eq!(base64_len(p256.x.as_deref().unwrap()), 32);
    assert_eq!(base64_len(p256.y.as_deref().unwrap()), 32);
    assert!(p256.n.is_none() && p256.e.is_none());

    let p384 = generate(&ES384, "b").unwrap().public_jwk;
    assert_eq!(p384.crv.as_deref(), Some("P-384"));
    assert_eq!(base64_len(p384.y.as_deref().unwrap()), 48);

    let ed = generate(&KeyAlgorithm::Ed25519, "c").unwrap().public_jwk;
    let json = serde_json::to_value(&ed).unwrap();
    assert_eq!(json["crv"], "Ed25519");
    assert!(json.get("y").is_none() && json.get("n").is_none());
    assert_eq!(base64_len(ed.x.as_deref().unwrap()), 32);
}

#[test]
fn jwk_round_trips_through_serde() {
    let (_, jwk, _) = signer(rsa(RsaHasher::Sha256), "serde");
    let text = serde_json::to_string(&jwk).unwrap();
    assert!(text.contains("\"use\":\"sig\""));
    let back: Jwk = serde_json::from_str(&text).unwrap();
    assert_eq!(back, jwk);
}

#[test]
fn typ_is_left_out_when_not_given() {
    let (signer, _, _) = signer(KeyAlgorithm::Ed25519, "k");
    let token = signer.sign(None, &claims()).unwrap();
    assert_eq!(peek(&token).unwrap().header.typ, None);
    let header = common::parts(&token)[0].clone();
    let header: serde_json::Value = serde_json::from_slice(&unb64(&header)).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "EdDSA", "kid": "k"}));
}

#[test]
fn signer_refuses_a_key_of_another_kind() {
    let ed = generate(&KeyAlgorithm::Ed25519, "k").unwrap();
    for alg in [rsa(RsaHasher::Sha256), ES256, ES384] {
        let result = Signer::from_pkcs8_der(&ed.private_pkcs8_der, &alg, "k");
        assert!(matches!(result, Err(JoseError::InvalidKey(_))), "{alg:?}");
    }
    let p256 = generate(&ES256, "k").unwrap();
    let result = Signer::from_pkcs8_der(&p256.private_pkcs8_der, &ES384, "k");
    assert!(matches!(result, Err(JoseError::InvalidKey(_))));
    assert!(matches!(
        Signer::from_pkcs8_der(b"junk", &KeyAlgorithm::Ed25519, "k"),
        Err(JoseError::InvalidKey(_))
    ));
}

#[test]
fn claims_must_be_an_object() {
    let (signer, _, _) = signer(KeyAlgorithm::Ed25519, "k");
    let result = signer.sign(None, &serde_json::json!(["not", "claims"]));
    assert!(matches!(result, Err(JoseError::Malformed(_))));
}

#[test]
fn debug_output_hides_private_keys() {
    let generated = generate(&KeyAlgorithm::Ed25519, "k").unwrap();
    let signer =
        Signer::from_pkcs8_der(&generated.private_pkcs8_der, &KeyAlgorithm::Ed25519, "k").unwrap();
    let der_bytes = format!("{:?}", generated.private_pkcs8_der.as_slice());
    for shown in [format!("{generated:?}"), format!("{signer:?}")] {
        assert!(!shown.contains(&der_bytes), "{shown}");
        assert!(!shown.contains(&b64(generated.private_pkcs8_der.as_slice())));
    }
}
