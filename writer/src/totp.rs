//! Time-based one-time passwords (RFC 6238) as authenticator apps expect them: HMAC-SHA-1,
//! 6 digits, 30-second steps, the step before and after the current one accepted (clock skew).
//! Time always comes from the caller (the writer's clock), never from the system clock here.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use totp_rs::{Builder, Secret, Totp};

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Bytes of a new secret (160 bits, RFC 4226's recommendation).
pub const SECRET_LEN: usize = 20;

/// A user's TOTP secret as the edge unsealed it, with the sealed form it came from: a command
/// checks that the user still has that sealed secret before it trusts a code checked with it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnsealedSecret {
    pub sealed_secret: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for UnsealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnsealedSecret")
            .field("sealed_secret", &self.sealed_secret)
            .finish_non_exhaustive()
    }
}

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let bytes: [u8; SECRET_LEN] = rand::random();
    bytes.to_vec()
}

/// The secret in unpadded base32, as authenticator apps take it.
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec())
        .to_base32()
        .trim_end_matches('=')
        .to_owned()
}

fn generator(secret: &[u8]) -> Result<Totp, DomainError> {
    Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .map_err(|e| DomainError::internal("TOTP-0001", format!("totp: {e}")))
}

/// Seconds since the epoch, for the library (which counts in whole seconds).
fn seconds(now: Timestamp) -> u64 {
    u64::try_from(now.0.div_euclid(1_000_000)).unwrap_or(0)
}

/// The time step `code` matches at `now` (the current step ±1), if any.
pub fn matched_step(secret: &[u8], code: &str, now: Timestamp) -> Result<Option<i64>, DomainError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = generator(secret)?;
    Ok(totp
        .check(code, seconds(now))
        .and_then(|step| i64::try_from(step).ok()))
}

/// The code of the step that contains `now` (for tests and tools).
pub fn code_at(secret: &[u8], now: Timestamp) -> Result<String, DomainError> {
    Ok(generator(secret)?.generate(seconds(now)).to_string())
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>` (Google Authenticator's
/// key URI format, with the defaults spelled out).
pub fn uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        account = percent_encode(account),
        secret = base32(secret),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp(seconds * 1_000_000)
    }

    /// RFC 6238 appendix B, SHA-1 (the last six digits of the eight-digit values).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, at(59)).unwrap(), "287082");
        assert_eq!(code_at(secret, at(1_111_111_109)).unwrap(), "081804");
        assert_eq!(code_at(secret, at(1_234_567_890)).unwrap(), "005924");
        assert_eq!(code_at(secret, at(2_000_000_000)).unwrap(), "279037");
    }

    #[test]
    fn the_neighbouring_steps_are_accepted_and_no_others() {
        let secret = new_secret();
        let now = at(1_700_000_015);
        let step = 1_700_000_015 / 30;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matched_step(&secret, &code, now).unwrap(), Some(step));
        assert_eq!(
            matched_step(&secret, &code, at(1_700_000_015 + 30)).unwrap(),
            Some(step)
        );
        assert_eq!(
            matched_step(&secret, &code, at(1_700_000_015 - 30)).unwrap(),
            Some(step)
        );
        assert_eq!(
            matched_step(&secret, &code, at(1_700_000_015 + 90)).unwrap(),
            None
        );
        assert_eq!(matched_step(&secret, "12345", now).unwrap(), None);
        assert_eq!(matched_step(&secret, "abcdef", now).unwrap(), None);
    }

    #[test]
    fn secrets_are_random_and_the_uri_names_issuer_and_account() {
        let secret = new_secret();
        assert_eq!(secret.len(), SECRET_LEN);
        assert_ne!(secret, new_secret());
        let encoded = base32(&secret);
        assert_eq!(encoded.len(), 32);
        let uri = uri("Acme Corp", "ada@acme.test", &secret);
        assert!(
            uri.starts_with("otpauth://totp/Acme%20Corp:ada@acme.test?secret="),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={encoded}&issuer=Acme%20Corp")));
    }
}
