//! Checking registered claims against what the caller expects, at a time the caller gives.

use serde_json::{Map, Value};

use crate::JoseError;

/// What a verified token's claims must satisfy.
///
/// Time is injected: `now` is the caller's clock in Unix seconds, never read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The current time, Unix seconds.
    pub now: i64,
    /// Clock skew tolerated on `exp`, `nbf`, `iat`, in seconds (negative counts as zero).
    pub leeway: i64,
    /// When set, `iss` must be present and equal to it.
    pub issuer: Option<String>,
    /// When set, `aud` (a string or an array of strings) must be present and contain it.
    pub audience: Option<String>,
    /// Whether a token without `exp` is refused.
    pub require_exp: bool,
    /// When set, `iat` must be present and not older than `now - max_iat_age` (less leeway).
    pub max_iat_age: Option<i64>,
}

impl Expectations {
    /// Expectations at `now` with no leeway, no issuer or audience check, `exp` required and
    /// no limit on `iat` age.
    #[must_use]
    pub fn at(now: i64) -> Self {
        Self {
            now,
            leeway: 0,
            issuer: None,
            audience: None,
            require_exp: true,
            max_iat_age: None,
        }
    }
}

pub(crate) fn check(claims: &Map<String, Value>, expect: &Expectations) -> Result<(), JoseError> {
    let now = expect.now;
    let leeway = expect.leeway.max(0);

    // Fractions are rounded towards the stricter side for each claim.
    match numeric_date(claims, "exp", f64::floor)? {
        Some(exp) if now.saturating_sub(leeway) >= exp => return Err(JoseError::Expired),
        None if expect.require_exp => return Err(JoseError::malformed("token lacks `exp`")),
        _ => {}
    }
    if let Some(nbf) = numeric_date(claims, "nbf", f64::ceil)?
        && nbf > now.saturating_add(leeway)
    {
        return Err(JoseError::NotYetValid);
    }
    let iat = numeric_date(claims, "iat", f64::ceil)?;
    if let Some(iat) = iat
        && iat > now.saturating_add(leeway)
    {
        return Err(JoseError::NotYetValid);
    }
    if let Some(max_age) = expect.max_iat_age {
        let iat = iat.ok_or_else(|| JoseError::malformed("token lacks `iat`"))?;
        let oldest = now.saturating_sub(max_age.max(0)).saturating_sub(leeway);
        if iat < oldest {
            return Err(JoseError::TooOld);
        }
    }
    if let Some(issuer) = &expect.issuer
        && claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str())
    {
        return Err(JoseError::WrongIssuer);
    }
    if let Some(audience) = &expect.audience {
        let found = match claims.get("aud") {
            Some(Value::String(aud)) => aud == audience,
            Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(audience)),
            _ => false,
        };
        if !found {
            return Err(JoseError::WrongAudience);
        }
    }
    Ok(())
}

/// Reads a NumericDate claim (integer or fractional seconds); absent is `None`.
fn numeric_date(
    claims: &Map<String, Value>,
    name: &str,
    round: fn(f64) -> f64,
) -> Result<Option<i64>, JoseError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let not_a_date = || JoseError::Malformed(format!("`{name}` is not a NumericDate"));
    if let Some(seconds) = value.as_i64() {
        return Ok(Some(seconds));
    }
    if value.is_u64() {
        return Ok(Some(i64::MAX));
    }
    match value.as_f64() {
        // `as` saturates at the i64 bounds, which is what a far-off date should do.
        Some(seconds) if seconds.is_finite() => Ok(Some(round(seconds) as i64)),
        _ => Err(not_a_date()),
    }
}
