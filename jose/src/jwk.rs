//! Public JSON Web Keys (RFC 7517) and JWK sets.

use serde::{Deserialize, Serialize};

/// A public JSON Web Key.
///
/// Only public members are modelled: a private member (`d`, `p`, ...) in a key read from
/// elsewhere is ignored on input and never written out. Absent members are skipped when
/// serialising.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: `RSA`, `EC` or `OKP`.
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Intended use; keys generated here say `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// The JWS algorithm the key is meant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// RSA modulus (base64url, big-endian).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent (base64url, big-endian).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Curve: `P-256`, `P-384` (EC) or `Ed25519` (OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate, or the Ed25519 public key (base64url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate (base64url).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

impl Jwk {
    /// An RSA signing key.
    pub(crate) fn rsa(kid: &str, alg: &str, n: String, e: String) -> Self {
        Self {
            n: Some(n),
            e: Some(e),
            ..Self::bare("RSA", kid, alg)
        }
    }

    /// An EC signing key.
    pub(crate) fn ec(kid: &str, alg: &str, crv: &str, x: String, y: String) -> Self {
        Self {
            crv: Some(crv.to_owned()),
            x: Some(x),
            y: Some(y),
            ..Self::bare("EC", kid, alg)
        }
    }

    /// An Ed25519 signing key.
    pub(crate) fn ed25519(kid: &str, x: String) -> Self {
        Self {
            crv: Some("Ed25519".to_owned()),
            x: Some(x),
            ..Self::bare("OKP", kid, "EdDSA")
        }
    }

    fn bare(kty: &str, kid: &str, alg: &str) -> Self {
        Self {
            kty: kty.to_owned(),
            kid: Some(kid.to_owned()),
            key_use: Some("sig".to_owned()),
            alg: Some(alg.to_owned()),
            n: None,
            e: None,
            crv: None,
            x: None,
            y: None,
        }
    }
}

/// A JWK set document: `{"keys": [...]}`.
#[must_use]
pub fn jwks(keys: &[Jwk]) -> serde_json::Value {
    let keys: Vec<serde_json::Value> = keys
        .iter()
        .filter_map(|key| serde_json::to_value(key).ok())
        .collect();
    serde_json::json!({ "keys": keys })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn absent_members_are_skipped_and_use_is_renamed() {
        let key = Jwk::ed25519("k1", "AAAA".to_owned());
        let value = serde_json::to_value(&key).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"kty":"OKP","kid":"k1","use":"sig","alg":"EdDSA","crv":"Ed25519","x":"AAAA"})
        );
    }

    #[test]
    fn private_members_are_ignored() {
        let key: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "c2VjcmV0"
        }))
        .unwrap();
        let out = serde_json::to_string(&key).unwrap();
        assert!(!out.contains("\"d\""));
        assert_eq!(key.kid, None);
    }

    #[test]
    fn jwks_wraps_keys() {
        let a = Jwk::ed25519("a", "AA".to_owned());
        let b = Jwk::ed25519("b", "BB".to_owned());
        let set = jwks(&[a, b]);
        assert_eq!(set["keys"].as_array().unwrap().len(), 2);
        assert_eq!(set["keys"][1]["kid"], "b");
        assert_eq!(jwks(&[]), serde_json::json!({"keys": []}));
    }
}
