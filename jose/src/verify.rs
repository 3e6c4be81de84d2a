//! Verifying compact JWS tokens: algorithm policy, signature, then claims.

use jsonwebtoken::Validation;
use jsonwebtoken::errors::ErrorKind;
use serde_json::Value;

use crate::alg::asymmetric_algorithm;
use crate::claims::{self, Expectations};
use crate::token::{self, Parsed};
use crate::{JoseError, Jwk, VerifyKey};

/// Verifies `token` with `key` and checks its claims; returns the claims.
///
/// Refused before any cryptography: `alg: none`, every `HS*` algorithm, unknown algorithms,
/// algorithms the key's type does not allow (an ES256 token against an RSA key, say), and a
/// `crit` header. Then the signature is checked, then `exp`, `nbf`, `iat`, `iss` and `aud`
/// at `expect.now`.
pub fn verify(token: &str, key: &VerifyKey, expect: &Expectations) -> Result<Value, JoseError> {
    let parsed = token::parse(token)?;
    verify_parsed(token, &parsed, key, expect)
}

/// Verifies `token` with the key of `keys` its header's `kid` names.
///
/// Without a `kid`, the token is verified with the one key that fits its algorithm; when no
/// key, or more than one, fits, or no key has the `kid`, this is [`JoseError::UnknownKey`].
pub fn verify_with_set(
    token: &str,
    keys: &[Jwk],
    expect: &Expectations,
) -> Result<Value, JoseError> {
    let parsed = token::parse(token)?;
    let alg = asymmetric_algorithm(&parsed.header.alg)?;
    let key = match parsed.header.kid.as_deref() {
        Some(kid) => {
            let mut named = keys
                .iter()
                .filter(|jwk| jwk.kid.as_deref() == Some(kid))
                .peekable();
            if named.peek().is_none() {
                return Err(JoseError::UnknownKey);
            }
            // Several keys may share a kid (say one per algorithm): take the one that fits.
            let mut first_error = None;
            let mut found = None;
            for jwk in named {
                match VerifyKey::from_jwk(jwk) {
                    Ok(key) if key.allows_algorithm(alg) => {
                        found = Some(key);
                        break;
                    }
                    Ok(_) => {}
                    Err(error) => {
                        first_error.get_or_insert(error);
                    }
                }
            }
            match (found, first_error) {
                (Some(key), _) => key,
                (None, Some(error)) => return Err(error),
                (None, None) => {
                    return Err(JoseError::UnsupportedAlgorithm(
                        "the key named by `kid` does not allow the token's algorithm".to_owned(),
                    ));
                }
            }
        }
        None => {
            let mut fitting = keys
                .iter()
                .filter_map(|jwk| VerifyKey::from_jwk(jwk).ok())
                .filter(|key| key.allows_algorithm(alg));
            match (fitting.next(), fitting.next()) {
                (Some(key), None) => key,
                _ => return Err(JoseError::UnknownKey),
            }
        }
    };
    verify_parsed(token, &parsed, &key, expect)
}

fn verify_parsed(
    token: &str,
    parsed: &Parsed,
    key: &VerifyKey,
    expect: &Expectations,
) -> Result<Value, JoseError> {
    let alg = asymmetric_algorithm(&parsed.header.alg)?;
    if !key.allows_algorithm(alg) {
        return Err(JoseError::UnsupportedAlgorithm(format!(
            "{} is not allowed for this key",
            parsed.header.alg
        )));
    }
    if parsed.critical {
        return Err(JoseError::malformed(
            "critical header extensions are not supported",
        ));
    }
    check_signature(token, key, alg)?;
    claims::check(&parsed.claims, expect)?;
    Ok(Value::Object(parsed.claims.clone()))
}

/// Checks the signature with jsonwebtoken, all of its own claim checks turned off (they read
/// the system clock; ours use the injected time).
fn check_signature(
    token: &str,
    key: &VerifyKey,
    alg: jsonwebtoken::Algorithm,
) -> Result<(), JoseError> {
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.iss = None;
    validation.aud = None;
    validation.sub = None;
    jsonwebtoken::decode::<serde::de::IgnoredAny>(token, key.decoding_key(), &validation)
        .map(|_| ())
        .map_err(|error| match error.kind() {
            ErrorKind::InvalidSignature => JoseError::BadSignature,
            ErrorKind::InvalidAlgorithm
            | ErrorKind::MissingAlgorithm
            | ErrorKind::UnsupportedAlgorithm
            | ErrorKind::InvalidAlgorithmName => {
                JoseError::UnsupportedAlgorithm("algorithm refused by the verifier".to_owned())
            }
            ErrorKind::InvalidKeyFormat
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey => {
                JoseError::invalid_key("key unusable for this algorithm")
            }
            ErrorKind::InvalidToken
            | ErrorKind::Base64(_)
            | ErrorKind::Json(_)
            | ErrorKind::Utf8(_) => JoseError::malformed("token is not a well-formed JWS"),
            _ => JoseError::Crypto("signature verification failed".to_owned()),
        })
}
