//! Tokens that name their aggregate: `<aggregate id>.<secret>`. Codes, refresh tokens, device
//! codes and opaque access tokens have this form, so the check loads one aggregate (or row) by id
//! and compares the SHA-256 of the whole token in constant time. Only the hash is stored.

use castellan_writer::secrets::{new_bearer_token, token_hash};

/// A new token for the aggregate `id`: (token, hash to store).
pub fn new_token(id: &str) -> (String, String) {
    let (secret, _) = new_bearer_token();
    let token = format!("{id}.{secret}");
    let hash = token_hash(&token);
    (token, hash)
}

/// The aggregate id a token names, and the hash to compare; `None` for a malformed token.
pub fn parse_token(token: &str) -> Option<(&str, String)> {
    let (id, secret) = token.split_once('.')?;
    let well_formed = !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && secret.len() >= 32
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    well_formed.then(|| (id, token_hash(token)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_aggregate_and_hash_whole() {
        let (token, hash) = new_token("12345");
        let (id, parsed) = parse_token(&token).unwrap();
        assert_eq!(id, "12345");
        assert_eq!(parsed, hash);
        assert!(parse_token("12345").is_none());
        assert!(parse_token("12345.short").is_none());
        assert!(parse_token(".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_none());
        assert!(parse_token("a b.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_none());
    }
}
