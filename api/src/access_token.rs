//! Verifying access tokens issued by the provider: opaque tokens (`<token id>.<secret>`) and JWT
//! access tokens (signed by a web key, `jti` = token id). Either way the token must still have
//! its read-model row (revocation deletes it), its grant must be active and its user active:
//! a revoked token or deactivated user is refused as soon as the read model has the event —
//! at once in embedded mode, since commands wait for the projection before answering.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::oidc::grant::NewGrant;
use castellan_jose::Expectations;
use castellan_readers::queries::oidc;
use castellan_readers::queries::user::{UserStateView, UserView, get_user};

use crate::bound_token::parse_token;
use crate::error::read_error;
use crate::signing::public_keys;
use crate::state::AppState;

#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedToken {
    pub token_id: String,
    pub grant_id: String,
    pub grant: NewGrant,
    pub scopes: Vec<String>,
    pub expiration: Timestamp,
    pub issued_at: Timestamp,
    /// The token is a JWT (its claims were signed by the instance).
    pub jwt: bool,
    /// The grant's user as the read model has it now (active), so callers need not read it again.
    pub user: UserView,
}

fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("ey") && token.split('.').count() == 3
}

/// The token's grant and scopes when it is valid now; `None` for every kind of invalid token.
pub async fn verify_access_token(
    state: &AppState,
    instance_id: &str,
    token: &str,
) -> Result<Option<VerifiedToken>, DomainError> {
    let now = state.clock.now();
    let (token_id, hash, jwt) = if looks_like_jwt(token) {
        let keys = public_keys(state, instance_id).await?;
        let expect = Expectations::at(now.0.div_euclid(1_000_000));
        let Ok(claims) = castellan_jose::verify_with_set(token, &keys, &expect) else {
            return Ok(None);
        };
        let Some(jti) = claims.get("jti").and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        (jti.to_owned(), None, true)
    } else {
        let Some((id, hash)) = parse_token(token) else {
            return Ok(None);
        };
        (id.to_owned(), Some(hash), false)
    };
    let Some(row) = oidc::access_token(state.store(), instance_id, &token_id)
        .await
        .map_err(read_error)?
    else {
        return Ok(None);
    };
    if let Some(hash) = hash
        && (row.token_hash.is_empty() || !castellan_core::ct_eq(&row.token_hash, &hash))
    {
        return Ok(None);
    }
    if row.expiration <= now {
        return Ok(None);
    }
    let Some(grant) = oidc::grant(state.store(), instance_id, &row.grant_id)
        .await
        .map_err(read_error)?
    else {
        return Ok(None);
    };
    let user = get_user(state.store(), instance_id, &grant.user_id)
        .await
        .map_err(read_error)?
        .filter(|user| user.state == UserStateView::Active);
    let Some(user) = user else {
        return Ok(None);
    };
    Ok(Some(VerifiedToken {
        token_id,
        grant_id: row.grant_id,
        grant,
        scopes: row.scopes,
        expiration: row.expiration,
        issued_at: row.created,
        jwt,
        user,
    }))
}
