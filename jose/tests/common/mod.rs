//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use castellan_jose::{
    Curve, Expectations, Jwk, KeyAlgorithm, RsaBits, RsaHasher, Signer, generate,
};
use serde_json::{Value, json};

pub const NOW: i64 = 1_700_000_000;
pub const ISSUER: &str = "https://issuer.example";
pub const AUDIENCE: &str = "client-1";

pub fn rsa(hasher: RsaHasher) -> KeyAlgorithm {
    KeyAlgorithm::Rsa {
        bits: RsaBits::B2048,
        hasher,
    }
}

pub const ES256: KeyAlgorithm = KeyAlgorithm::Ecdsa { curve: Curve::P256 };
pub const ES384: KeyAlgorithm = KeyAlgorithm::Ecdsa { curve: Curve::P384 };

/// A new key of kind `alg`, loaded as a signer, with its public JWK.
pub fn signer(alg: KeyAlgorithm, kid: &str) -> (Signer, Jwk, zeroize::Zeroizing<Vec<u8>>) {
    let generated = generate(&alg, kid).unwrap();
    let signer = Signer::from_pkcs8_der(&generated.private_pkcs8_der, &alg, kid).unwrap();
    (signer, generated.public_jwk, generated.private_pkcs8_der)
}

/// Claims valid at `NOW` for `ISSUER` and `AUDIENCE`.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "user-1",
        "aud": AUDIENCE,
        "iat": NOW - 10,
        "exp": NOW + 300,
    })
}

/// Expectations matching `claims()` at `NOW`.
pub fn expect() -> Expectations {
    Expectations {
        now: NOW,
        leeway: 0,
        issuer: Some(ISSUER.to_owned()),
        audience: Some(AUDIENCE.to_owned()),
        require_exp: true,
        max_iat_age: None,
    }
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact token built by hand from a header, claims and raw signature bytes.
pub fn assemble(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(serde_json::to_vec(header).unwrap()),
        b64(serde_json::to_vec(claims).unwrap()),
        b64(signature)
    )
}

/// The token's three parts.
pub fn parts(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

pub fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}
