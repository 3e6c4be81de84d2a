//! Public keys given as PEM: SPKI of every supported kind, and PKCS#1 RSA.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use castellan_jose::{JoseError, KeyAlgorithm, RsaHasher, VerifyKey, verify};
use common::{ES256, ES384, claims, expect, rsa, signer};
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _, LineEnding};

fn rsa_pems() -> (castellan_jose::Signer, String, String) {
    let (signer, _, der) = signer(rsa(RsaHasher::Sha256), "k");
    let public = rsa::RsaPrivateKey::from_pkcs8_der(&der)
        .unwrap()
        .to_public_key();
    let spki = public.to_public_key_pem(LineEnding::LF).unwrap();
    let pkcs1 = public.to_pkcs1_pem(LineEnding::CRLF).unwrap();
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    (signer, spki, pkcs1)
}

#[test]
fn rsa_spki_and_pkcs1_pems_verify() {
    let (signer, spki, pkcs1) = rsa_pems();
    let token = signer.sign(Some("JWT"), &claims()).unwrap();
    for pem in [&spki, &pkcs1] {
        let key = VerifyKey::from_pem(pem).unwrap();
        assert_eq!(verify(&token, &key, &expect()).unwrap(), claims());
        assert_eq!(key.allowed_algorithms().len(), 6, "RS* and PS*");
        assert_eq!(key.kid(), None);
    }
    // Surrounding whitespace, as in a config file, is fine.
    assert!(VerifyKey::from_pem(&format!("\n  {spki}\n")).is_ok());
}

#[test]
fn ps256_tokens_verify_with_an_rsa_key() {
    let (_, _, der) = signer(rsa(RsaHasher::Sha256), "k");
    let private = rsa::RsaPrivateKey::from_pkcs8_der(&der).unwrap();
    let pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let pkcs1 = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&private).unwrap();
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::PS256);
    let encoding = jsonwebtoken::EncodingKey::from_rsa_der(pkcs1.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(), &encoding).unwrap();
    let key = VerifyKey::from_pem(&pem).unwrap();
    assert!(verify(&token, &key, &expect()).is_ok());
}

#[test]
fn ec_and_ed25519_spki_pems_verify() {
    for alg in [ES256, ES384, KeyAlgorithm::Ed25519] {
        let (signer, _, der) = signer(alg, "k");
        let pem = match alg {
            KeyAlgorithm::Ecdsa {
                curve: castellan_jose::Curve::P256,
            } => p256::SecretKey::from_pkcs8_der(&der)
                .unwrap()
                .public_key()
                .to_public_key_pem(LineEnding::LF),
            KeyAlgorithm::Ecdsa {
                curve: castellan_jose::Curve::P384,
            } => p384::SecretKey::from_pkcs8_der(&der)
                .unwrap()
                .public_key()
                .to_public_key_pem(LineEnding::LF),
            _ => ed25519_dalek::SigningKey::from_pkcs8_der(&der)
                .unwrap()
                .verifying_key()
                .to_public_key_pem(LineEnding::LF),
        }
        .unwrap();
        let key = VerifyKey::from_pem(&pem).unwrap();
        assert_eq!(key.allowed_algorithms(), vec![alg.jws_alg()]);
        let token = signer.sign(None, &claims()).unwrap();
        assert!(verify(&token, &key, &expect()).is_ok(), "{alg:?}");
    }
}

#[test]
fn other_pems_are_refused() {
    let (_, spki, _) = rsa_pems();
    let body: String = spki.lines().filter(|l| !l.starts_with("-----")).collect();
    let refused = [
        String::new(),
        "not a pem".to_owned(),
        spki.replace("PUBLIC KEY", "PRIVATE KEY"),
        spki.replace("PUBLIC KEY", "CERTIFICATE"),
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            &body[..40]
        ),
        format!("-----BEGIN RSA PUBLIC KEY-----\n{body}\n-----END RSA PUBLIC KEY-----\n"),
    ];
    for pem in refused {
        assert!(
            matches!(VerifyKey::from_pem(&pem), Err(JoseError::InvalidKey(_))),
            "{pem}"
        );
    }
}

#[test]
fn key_errors_do_not_echo_the_input() {
    let (_, spki, _) = rsa_pems();
    let broken = spki.replace("PUBLIC KEY", "PRIVATE KEY");
    let message = VerifyKey::from_pem(&broken).unwrap_err().to_string();
    let body_line = spki.lines().nth(1).unwrap();
    assert!(!message.contains(body_line), "{message}");
}
