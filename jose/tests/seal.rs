//! Sealing secrets under the master key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use castellan_jose::{JoseError, MasterKey};

const SECRET: &[u8] = b"-----private key bytes-----";
const AAD: &[u8] = b"web-key:kid-1";

#[test]
fn round_trip() {
    let key = MasterKey::generate();
    let sealed = key.encrypt(SECRET, AAD).unwrap();
    assert!(sealed.starts_with("v1."));
    assert_eq!(sealed.split('.').count(), 3);
    assert!(!sealed.contains(&URL_SAFE_NO_PAD.encode(SECRET)));
    assert_eq!(key.decrypt(&sealed, AAD).unwrap().as_slice(), SECRET);
    assert_eq!(
        key.decrypt(&key.encrypt(b"", b"").unwrap(), b"")
            .unwrap()
            .as_slice(),
        b""
    );
}

#[test]
fn every_seal_uses_a_fresh_nonce() {
    let key = MasterKey::generate();
    let a = key.encrypt(SECRET, AAD).unwrap();
    let b = key.encrypt(SECRET, AAD).unwrap();
    assert_ne!(a, b);
    assert_ne!(a.split('.').nth(1), b.split('.').nth(1));
}

#[test]
fn tampering_is_detected() {
    let key = MasterKey::generate();
    let sealed = key.encrypt(SECRET, AAD).unwrap();
    let parts: Vec<&str> = sealed.split('.').collect();
    let mut ciphertext = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    for index in [0, ciphertext.len() - 1] {
        ciphertext[index] ^= 0x80;
        let tampered = format!("v1.{}.{}", parts[1], URL_SAFE_NO_PAD.encode(&ciphertext));
        assert!(matches!(
            key.decrypt(&tampered, AAD),
            Err(JoseError::Crypto(_))
        ));
        ciphertext[index] ^= 0x80;
    }
    let mut nonce = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    nonce[0] ^= 1;
    let other_nonce = format!("v1.{}.{}", URL_SAFE_NO_PAD.encode(&nonce), parts[2]);
    assert!(matches!(
        key.decrypt(&other_nonce, AAD),
        Err(JoseError::Crypto(_))
    ));
}

#[test]
fn wrong_associated_data_is_refused() {
    let key = MasterKey::generate();
    let sealed = key.encrypt(SECRET, AAD).unwrap();
    assert!(matches!(
        key.decrypt(&sealed, b"web-key:kid-2"),
        Err(JoseError::Crypto(_))
    ));
    assert!(matches!(
        key.decrypt(&sealed, b""),
        Err(JoseError::Crypto(_))
    ));
}

#[test]
fn wrong_key_is_refused() {
    let sealed = MasterKey::generate().encrypt(SECRET, AAD).unwrap();
    let other = MasterKey::generate();
    assert!(matches!(
        other.decrypt(&sealed, AAD),
        Err(JoseError::Crypto(_))
    ));
}

#[test]
fn malformed_sealed_values_are_refused() {
    let key = MasterKey::generate();
    let sealed = key.encrypt(SECRET, AAD).unwrap();
    let body = sealed.strip_prefix("v1.").unwrap();
    for bad in [
        String::new(),
        format!("v2.{body}"),
        body.to_owned(),
        format!("{sealed}.extra"),
        format!("v1.AAAA.{}", body.split('.').nth(1).unwrap()),
        "v1.!!!.!!!".to_owned(),
    ] {
        assert!(
            matches!(key.decrypt(&bad, AAD), Err(JoseError::Malformed(_))),
            "{bad}"
        );
    }
}

#[test]
fn base64_forms_are_accepted() {
    let key = MasterKey::generate();
    let raw = STANDARD.decode(key.to_base64()).unwrap();
    assert_eq!(raw.len(), 32);
    let sealed = key.encrypt(SECRET, AAD).unwrap();
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        let again = MasterKey::from_base64(&engine.encode(&raw)).unwrap();
        assert_eq!(again.decrypt(&sealed, AAD).unwrap().as_slice(), SECRET);
    }
    let padded_with_newline = format!("{}\n", key.to_base64());
    assert!(MasterKey::from_base64(&padded_with_newline).is_ok());
}

#[test]
fn wrong_lengths_and_garbage_are_refused() {
    for len in [0usize, 16, 31, 33, 64] {
        let text = STANDARD.encode(vec![7u8; len]);
        assert!(
            matches!(MasterKey::from_base64(&text), Err(JoseError::InvalidKey(_))),
            "{len}"
        );
    }
    assert!(matches!(
        MasterKey::from_base64("not base64 at all!"),
        Err(JoseError::InvalidKey(_))
    ));
}

#[test]
fn debug_and_errors_do_not_show_the_key() {
    let raw = [0xA5u8; 32];
    let text = STANDARD.encode(raw);
    let key = MasterKey::from_base64(&text).unwrap();
    let shown = format!("{key:?}");
    assert!(!shown.contains(&text));
    assert!(!shown.contains(&URL_SAFE_NO_PAD.encode(raw)));
    assert!(!shown.contains("165"), "{shown}"); // 0xA5 as a decimal byte
    assert!(!shown.contains("a5") && !shown.contains("A5"));

    let short = STANDARD.encode([0xA5u8; 31]);
    let error = MasterKey::from_base64(&short).unwrap_err().to_string();
    assert!(!error.contains(&short));
}
