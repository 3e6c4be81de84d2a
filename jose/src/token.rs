//! Reading a compact JWS without checking it.

use serde_json::{Map, Value};

use crate::{JoseError, b64};

/// The header members callers need to pick a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHeader {
    /// The `alg` member, as written (it may be `none` or `HS256`: nothing is checked yet).
    pub alg: String,
    /// The `kid` member.
    pub kid: Option<String>,
    /// The `typ` member.
    pub typ: Option<String>,
}

/// A token taken apart but NOT verified: use it only to choose the key to verify with.
#[derive(Debug, Clone, PartialEq)]
pub struct Unverified {
    /// The header.
    pub header: TokenHeader,
    /// The claims (a JSON object).
    pub claims: Value,
}

/// Decodes a compact JWS's header and claims without verifying anything.
///
/// Nothing returned here may be trusted: callers read `iss`, `sub`, `client_id` or `kid`
/// from it to find the key, then call [`crate::verify`].
pub fn peek(token: &str) -> Result<Unverified, JoseError> {
    let parsed = parse(token)?;
    Ok(Unverified {
        header: parsed.header,
        claims: Value::Object(parsed.claims),
    })
}

pub(crate) struct Parsed {
    pub(crate) header: TokenHeader,
    /// Whether the header has a `crit` member (no extension is understood, so it is refused).
    pub(crate) critical: bool,
    pub(crate) claims: Map<String, Value>,
}

pub(crate) fn parse(token: &str) -> Result<Parsed, JoseError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::malformed("a compact JWS has three parts"));
    };
    let header = json_object(header, "header")?;
    let claims = json_object(payload, "payload")?;
    let text = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JoseError::Malformed(format!(
            "header `{name}` is not a string"
        ))),
    };
    let alg = text("alg")?.ok_or_else(|| JoseError::malformed("header lacks `alg`"))?;
    Ok(Parsed {
        header: TokenHeader {
            alg,
            kid: text("kid")?,
            typ: text("typ")?,
        },
        critical: header.contains_key("crit"),
        claims,
    })
}

fn json_object(part: &str, what: &str) -> Result<Map<String, Value>, JoseError> {
    let bytes = b64::decode(part, what)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JoseError::Malformed(format!("{what} is not a JSON object"))),
    }
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

    fn part(value: &Value) -> String {
        b64::encode(serde_json::to_vec(value).unwrap())
    }

    #[test]
    fn peeks_header_and_claims() {
        let token = format!(
            "{}.{}.sig",
            part(&serde_json::json!({"alg":"none","kid":"k","typ":"JWT"})),
            part(&serde_json::json!({"iss":"me"}))
        );
        let seen = peek(&token).unwrap();
        assert_eq!(seen.header.alg, "none");
        assert_eq!(seen.header.kid.as_deref(), Some("k"));
        assert_eq!(seen.header.typ.as_deref(), Some("JWT"));
        assert_eq!(seen.claims["iss"], "me");
    }

    #[test]
    fn refuses_bad_shapes() {
        let h = part(&serde_json::json!({"alg":"RS256"}));
        let c = part(&serde_json::json!({}));
        for token in [
            String::new(),
            format!("{h}.{c}"),
            format!("{h}.{c}.s.x"),
            format!("{h}.!!.s"),
            format!("{}.{c}.s", part(&serde_json::json!(["alg"]))),
            format!("{h}.{}.s", part(&serde_json::json!("claims"))),
            format!("{}.{c}.s", part(&serde_json::json!({"kid":"k"}))),
            format!(
                "{}.{c}.s",
                part(&serde_json::json!({"alg":"RS256","kid":7}))
            ),
        ] {
            assert!(
                matches!(peek(&token), Err(JoseError::Malformed(_))),
                "{token}"
            );
        }
    }
}
