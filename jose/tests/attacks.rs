//! Tokens an attacker could present: unsigned, HMAC-signed with a public key, wrong key type,
//! tampered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use castellan_jose::{JoseError, Jwk, KeyAlgorithm, RsaHasher, Signer, VerifyKey, verify};
use common::{ES256, ES384, assemble, b64, claims, expect, parts, rsa, signer};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use serde_json::json;

fn unsupported(result: Result<serde_json::Value, JoseError>) {
    assert!(
        matches!(result, Err(JoseError::UnsupportedAlgorithm(_))),
        "{result:?}"
    );
}

#[test]
fn alg_none_is_refused() {
    let (_, jwk, _) = signer(KeyAlgorithm::Ed25519, "k");
    let key = VerifyKey::from_jwk(&jwk).unwrap();
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "kid": "k"});
        unsupported(verify(&assemble(&header, &claims(), b""), &key, &expect()));
        unsupported(verify(&assemble(&header, &claims(), b"x"), &key, &expect()));
    }
}

/// An HS256 token whose HMAC secret is `secret`; checked to be a genuine HMAC token, so that
/// refusing it proves the policy rather than a broken forgery.
fn hmac_forgery(secret: &[u8], alg: Algorithm) -> String {
    let mut header = Header::new(alg);
    header.kid = Some("rsa-key".to_owned());
    let token =
        jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<serde_json::Value>(
        &token,
        &DecodingKey::from_secret(secret),
        &validation,
    )
    .expect("the forgery is a valid HMAC token");
    token
}

#[test]
fn hmac_signed_with_the_rsa_public_key_is_refused() {
    let (_, jwk, der) = signer(rsa(RsaHasher::Sha256), "rsa-key");
    let public = rsa::RsaPrivateKey::from_pkcs8_der(&der)
        .unwrap()
        .to_public_key();
    let spki_pem = public.to_public_key_pem(LineEnding::LF).unwrap();
    let pkcs1_pem = public.to_pkcs1_pem(LineEnding::LF).unwrap();
    let spki_der = public.to_public_key_der().unwrap();
    let pkcs1_der = public.to_pkcs1_der().unwrap();
    let n = public.n().to_bytes_be();

    let keys = [
        VerifyKey::from_jwk(&jwk).unwrap(),
        VerifyKey::from_pem(&spki_pem).unwrap(),
        VerifyKey::from_pem(&pkcs1_pem).unwrap(),
    ];
    let secrets: [&[u8]; 6] = [
        spki_pem.as_bytes(),
        spki_pem.trim_end().as_bytes(),
        pkcs1_pem.as_bytes(),
        spki_der.as_bytes(),
        pkcs1_der.as_bytes(),
        &n,
    ];
    for secret in secrets {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let token = hmac_forgery(secret, alg);
            for key in &keys {
                unsupported(verify(&token, key, &expect()));
            }
            unsupported(castellan_jose::verify_with_set(
                &token,
                std::slice::from_ref(&jwk),
                &expect(),
            ));
        }
    }
}

#[test]
fn symmetric_jwks_are_refused() {
    let oct: Jwk = serde_json::from_value(json!({"kty": "oct", "k": "c2VjcmV0"})).unwrap();
    assert!(matches!(
        VerifyKey::from_jwk(&oct),
        Err(JoseError::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn a_key_verifies_only_its_own_algorithms() {
    let (rsa_signer, rsa_jwk, _) = signer(rsa(RsaHasher::Sha256), "k");
    let (p256_signer, p256_jwk, _) = signer(ES256, "k");
    let (p384_signer, p384_jwk, _) = signer(ES384, "k");
    let (ed_signer, ed_jwk, _) = signer(KeyAlgorithm::Ed25519, "k");
    let rsa_key = VerifyKey::from_jwk(&rsa_jwk).unwrap();
    let p256_key = VerifyKey::from_jwk(&p256_jwk).unwrap();
    let p384_key = VerifyKey::from_jwk(&p384_jwk).unwrap();
    let ed_key = VerifyKey::from_jwk(&ed_jwk).unwrap();

    let rs256 = rsa_signer.sign(None, &claims()).unwrap();
    let es256 = p256_signer.sign(None, &claims()).unwrap();
    let es384 = p384_signer.sign(None, &claims()).unwrap();
    let eddsa = ed_signer.sign(None, &claims()).unwrap();

    unsupported(verify(&es256, &rsa_key, &expect()));
    unsupported(verify(&rs256, &p256_key, &expect()));
    unsupported(verify(&es384, &p256_key, &expect()));
    unsupported(verify(&es256, &p384_key, &expect()));
    unsupported(verify(&eddsa, &rsa_key, &expect()));
    unsupported(verify(&rs256, &ed_key, &expect()));
    assert!(verify(&eddsa, &ed_key, &expect()).is_ok());

    assert_eq!(p256_key.allowed_algorithms(), vec!["ES256"]);
    assert_eq!(p384_key.allowed_algorithms(), vec!["ES384"]);
    assert_eq!(ed_key.allowed_algorithms(), vec!["EdDSA"]);
    assert!(!rsa_key.allows("HS256") && !rsa_key.allows("none"));
}

#[test]
fn relabelling_the_header_alg_is_refused() {
    let (signer, jwk, _) = signer(rsa(RsaHasher::Sha256), "k");
    let token = signer.sign(None, &claims()).unwrap();
    let p = parts(&token);
    let signature = common::unb64(&p[2]);
    // Same RSA signature under another RSA algorithm name: allowed name, wrong signature.
    let relabelled = assemble(&json!({"alg": "RS512", "kid": "k"}), &claims(), &signature);
    let unpinned = Jwk {
        alg: None,
        ..jwk.clone()
    };
    assert_eq!(
        verify(
            &relabelled,
            &VerifyKey::from_jwk(&unpinned).unwrap(),
            &expect()
        ),
        Err(JoseError::BadSignature)
    );
    // The published JWK pins RS256, so RS512 is not even tried.
    unsupported(verify(
        &relabelled,
        &VerifyKey::from_jwk(&jwk).unwrap(),
        &expect(),
    ));
}

#[test]
fn pinned_jwk_alg_is_enforced() {
    let (_, jwk, der) = signer(rsa(RsaHasher::Sha256), "k");
    let rs384 = Signer::from_pkcs8_der(&der, &rsa(RsaHasher::Sha384), "k").unwrap();
    let token = rs384.sign(None, &claims()).unwrap();
    unsupported(verify(
        &token,
        &VerifyKey::from_jwk(&jwk).unwrap(),
        &expect(),
    ));
    let unpinned = VerifyKey::from_jwk(&Jwk { alg: None, ..jwk }).unwrap();
    assert!(verify(&token, &unpinned, &expect()).is_ok());
}

#[test]
fn tampering_is_detected() {
    for alg in [rsa(RsaHasher::Sha256), ES256, ES384, KeyAlgorithm::Ed25519] {
        let (signer, jwk, _) = signer(alg, "k");
        let key = VerifyKey::from_jwk(&jwk).unwrap();
        let token = signer.sign(None, &claims()).unwrap();
        let p = parts(&token);

        let mut forged_claims = claims();
        forged_claims["sub"] = json!("admin");
        let forged = format!(
            "{}.{}.{}",
            p[0],
            b64(serde_json::to_vec(&forged_claims).unwrap()),
            p[2]
        );
        assert_eq!(
            verify(&forged, &key, &expect()),
            Err(JoseError::BadSignature),
            "{alg:?}"
        );

        let mut signature = common::unb64(&p[2]);
        signature[0] ^= 1;
        let flipped = format!("{}.{}.{}", p[0], p[1], b64(&signature));
        assert_eq!(
            verify(&flipped, &key, &expect()),
            Err(JoseError::BadSignature),
            "{alg:?}"
        );

        let truncated = format!("{}.{}.{}", p[0], p[1], b64(&signature[1..]));
        assert_eq!(
            verify(&truncated, &key, &expect()),
            Err(JoseError::BadSignature),
            "{alg:?}"
        );

        let stripped = format!("{}.{}.", p[0], p[1]);
        assert!(verify(&stripped, &key, &expect()).is_err());
    }
}

#[test]
fn critical_headers_are_refused() {
    let (_, jwk, der) = signer(KeyAlgorithm::Ed25519, "k");
    let key = VerifyKey::from_jwk(&jwk).unwrap();
    let private = ed25519_dalek::SigningKey::from_pkcs8_der(&der).unwrap();
    let header = json!({"alg": "EdDSA", "kid": "k", "crit": ["exp"], "exp": 1});
    let signing_input = format!(
        "{}.{}",
        b64(serde_json::to_vec(&header).unwrap()),
        b64(serde_json::to_vec(&claims()).unwrap())
    );
    let signature = ed25519_dalek::Signer::sign(&private, signing_input.as_bytes());
    let token = format!("{signing_input}.{}", b64(signature.to_bytes()));
    assert!(matches!(
        verify(&token, &key, &expect()),
        Err(JoseError::Malformed(_))
    ));
}

#[test]
fn weak_or_broken_keys_are_refused() {
    let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
    let pem = small
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    assert!(matches!(
        VerifyKey::from_pem(&pem),
        Err(JoseError::InvalidKey(_))
    ));

    let (_, jwk, _) = signer(ES256, "k");
    let off_curve = Jwk {
        y: jwk.x.clone(),
        ..jwk.clone()
    };
    assert!(matches!(
        VerifyKey::from_jwk(&off_curve),
        Err(JoseError::InvalidKey(_))
    ));
    let short = Jwk {
        x: Some(b64([1u8; 31])),
        ..jwk.clone()
    };
    assert!(matches!(
        VerifyKey::from_jwk(&short),
        Err(JoseError::InvalidKey(_))
    ));
    let encryption = Jwk {
        key_use: Some("enc".to_owned()),
        ..jwk.clone()
    };
    assert!(matches!(
        VerifyKey::from_jwk(&encryption),
        Err(JoseError::InvalidKey(_))
    ));
    let hmac_alg = Jwk {
        alg: Some("HS256".to_owned()),
        ..jwk.clone()
    };
    assert!(matches!(
        VerifyKey::from_jwk(&hmac_alg),
        Err(JoseError::InvalidKey(_))
    ));

    let (_, ed, _) = signer(KeyAlgorithm::Ed25519, "k");
    let short = Jwk {
        x: Some(b64([7u8; 16])),
        ..ed
    };
    assert!(matches!(
        VerifyKey::from_jwk(&short),
        Err(JoseError::InvalidKey(_))
    ));
}
