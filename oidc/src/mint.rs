//! Minting the token response: opaque or JWT access tokens, ID tokens and refresh tokens for a
//! grant the writer has just recorded.

use castellan_api::bound_token::new_token;
use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::oidc::grant::NewGrant;
use castellan_writer::commands::oidc::{AccessTokenSpec, RefreshTokenSpec};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::claims::user_claims;

/// Tokens chosen before the grant is written: ids and hashes go into the events; the values go
/// to the client.
pub struct Planned {
    pub access: AccessTokenSpec,
    /// The opaque access token's value (JWTs are signed after the write).
    pub opaque_access_token: Option<String>,
    pub refresh: Option<(String, RefreshTokenSpec)>,
}

fn micros(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

/// Plans the access token (and a refresh token when `refresh`) of grant `grant_id`.
pub fn plan(state: &AppState, grant_id: &str, jwt: bool, refresh: bool) -> Planned {
    let now = state.clock.now();
    let lifetimes = state.config.tokens;
    let token_id = state.writer.next_id();
    let (opaque, hash) = if jwt {
        (None, None)
    } else {
        let (token, hash) = new_token(&token_id);
        (Some(token), Some(hash))
    };
    let access = AccessTokenSpec {
        token_id,
        token_hash: hash,
        expiration: Timestamp(now.0.saturating_add(micros(lifetimes.access_token))),
    };
    let refresh = refresh.then(|| {
        let (token, hash) = new_token(grant_id);
        (
            token,
            RefreshTokenSpec {
                token_hash: hash,
                idle_expiration: Timestamp(now.0.saturating_add(micros(lifetimes.refresh_idle))),
                expiration: Timestamp(now.0.saturating_add(micros(lifetimes.refresh_absolute))),
            },
        )
    });
    Planned {
        access,
        opaque_access_token: opaque,
        refresh,
    }
}

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
    /// Token exchange only (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

/// What the response should contain besides the access token.
pub struct Shape<'a> {
    pub issuer: &'a str,
    /// Issue an ID token (an `openid` scope on a user-facing grant).
    pub id_token: bool,
    /// Put the user's claims into the ID token (the app's `id_token_userinfo_assertion`).
    pub userinfo_in_id_token: bool,
    /// Put role claims into the ID token / JWT access token even without a role scope (the
    /// app's `id_token_role_assertion` / `access_token_role_assertion`).
    pub id_token_roles: bool,
    pub access_token_roles: bool,
}

impl<'a> Shape<'a> {
    /// The response to an application client, as its OIDC configuration asks.
    pub fn for_app(
        issuer: &'a str,
        id_token: bool,
        oidc: &castellan_core::project::app::OidcConfig,
    ) -> Self {
        Self {
            issuer,
            id_token,
            userinfo_in_id_token: oidc.id_token_userinfo_assertion,
            id_token_roles: oidc.id_token_role_assertion,
            access_token_roles: oidc.access_token_role_assertion,
        }
    }

    /// The response to a machine user's grant: an access token only.
    pub fn machine(issuer: &'a str) -> Self {
        Self {
            issuer,
            id_token: false,
            userinfo_in_id_token: false,
            id_token_roles: false,
            access_token_roles: false,
        }
    }
}

fn seconds(at: Timestamp) -> i64 {
    at.0.div_euclid(1_000_000)
}

/// OIDC Core §3.1.3.6 (`at_hash`) and §3.3.2.11 (`c_hash`): the left-most half of the hash of
/// the value's ASCII octets, base64url, with the hash of the ID token's `alg` (SHA-512 for EdDSA
/// with Ed25519, the only EdDSA curve Castellan signs with).
pub fn half_hash(alg: &str, value: &str) -> String {
    use base64::Engine as _;
    use sha2::{Sha384, Sha512};
    let digest: Vec<u8> = if alg.ends_with("384") {
        Sha384::digest(value.as_bytes()).to_vec()
    } else if alg.ends_with("512") || alg == "EdDSA" {
        Sha512::digest(value.as_bytes()).to_vec()
    } else {
        Sha256::digest(value.as_bytes()).to_vec()
    };
    let half = digest.get(..digest.len() / 2).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(half)
}

/// The role claims the scopes or the app's assertions ask for.
async fn roles(
    state: &AppState,
    instance_id: &str,
    grant: &NewGrant,
    scopes: &[String],
    shape: &Shape<'_>,
) -> Result<Map<String, Value>, DomainError> {
    let wanted = crate::claims::wants_roles(scopes);
    if !(wanted || shape.id_token_roles || shape.access_token_roles) {
        return Ok(Map::new());
    }
    match crate::claims::project_of_client(state, instance_id, &grant.client_id).await? {
        Some(project) => {
            crate::claims::role_claims(state, instance_id, &grant.user_id, &project, scopes).await
        }
        None => Ok(Map::new()),
    }
}

fn actor_claim(grant: &NewGrant) -> Option<Value> {
    grant
        .actor
        .as_ref()
        .map(|actor| json!({"iss": actor.issuer, "sub": actor.subject}))
}

/// The access token's value: the planned opaque token, or a signed JWT.
fn access_token(
    signer: &castellan_jose::Signer,
    shape: &Shape<'_>,
    grant: &NewGrant,
    scopes: &[String],
    planned: &AccessTokenSpec,
    opaque: Option<String>,
    now: Timestamp,
) -> Result<String, DomainError> {
    if let Some(token) = opaque {
        return Ok(token);
    }
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(shape.issuer));
    claims.insert("sub".into(), json!(grant.user_id));
    claims.insert("aud".into(), json!(grant.audience));
    claims.insert("exp".into(), json!(seconds(planned.expiration)));
    claims.insert("iat".into(), json!(seconds(now)));
    claims.insert("nbf".into(), json!(seconds(now)));
    claims.insert("jti".into(), json!(planned.token_id));
    claims.insert("client_id".into(), json!(grant.client_id));
    claims.insert("scope".into(), json!(scopes.join(" ")));
    if let Some(sid) = &grant.session_id {
        claims.insert("sid".into(), json!(sid));
    }
    if let Some(actor) = actor_claim(grant) {
        claims.insert("act".into(), actor);
    }
    signer
        .sign(Some("at+jwt"), &Value::Object(claims))
        .map_err(|e| DomainError::internal("OIDC-0301", format!("sign: {e}")))
}

/// What the ID token is issued together with.
struct Alongside<'a> {
    /// The access token of the same response (`at_hash`).
    access_token: Option<&'a str>,
    /// The code of the same response (`c_hash`, hybrid flow).
    code: Option<&'a str>,
    /// Whether the user's claims go into the ID token.
    user_claims: bool,
}

#[allow(clippy::too_many_arguments)]
async fn id_token(
    state: &AppState,
    instance_id: &str,
    signer: &castellan_jose::Signer,
    shape: &Shape<'_>,
    grant: &NewGrant,
    scopes: &[String],
    roles: &Map<String, Value>,
    alongside: Alongside<'_>,
) -> Result<String, DomainError> {
    let now = state.clock.now();
    let mut claims = if alongside.user_claims {
        user_claims(state, instance_id, &grant.user_id, scopes)
            .await?
            .unwrap_or_default()
    } else {
        Map::new()
    };
    claims.insert("iss".into(), json!(shape.issuer));
    claims.insert("sub".into(), json!(grant.user_id));
    claims.insert("aud".into(), json!(grant.audience));
    claims.insert("azp".into(), json!(grant.client_id));
    let id_lifetime = micros(state.config.tokens.id_token);
    claims.insert(
        "exp".into(),
        json!(seconds(Timestamp(now.0.saturating_add(id_lifetime)))),
    );
    claims.insert("iat".into(), json!(seconds(now)));
    if let Some(auth_time) = grant.auth_time {
        claims.insert("auth_time".into(), json!(seconds(auth_time)));
    }
    if let Some(nonce) = &grant.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if !grant.amr.is_empty() {
        claims.insert("amr".into(), json!(grant.amr));
    }
    if let Some(sid) = &grant.session_id {
        claims.insert("sid".into(), json!(sid));
    }
    let alg = signer.jws_alg();
    if let Some(token) = alongside.access_token {
        claims.insert("at_hash".into(), json!(half_hash(alg, token)));
    }
    if let Some(code) = alongside.code {
        claims.insert("c_hash".into(), json!(half_hash(alg, code)));
    }
    if crate::claims::wants_roles(scopes) || shape.id_token_roles {
        claims.extend(roles.clone());
    }
    if let Some(actor) = actor_claim(grant) {
        claims.insert("act".into(), actor);
    }
    claims.insert("client_id".into(), json!(grant.client_id));
    signer
        .sign(Some("JWT"), &Value::Object(claims))
        .map_err(|e| DomainError::internal("OIDC-0302", format!("sign: {e}")))
}

/// Signs what must be signed and assembles the response.
pub async fn respond(
    state: &AppState,
    instance_id: &str,
    grant: &NewGrant,
    scopes: &[String],
    planned: Planned,
    shape: &Shape<'_>,
) -> Result<TokenResponse, DomainError> {
    let now = state.clock.now();
    let signer = castellan_api::signing::active_signer(state, instance_id).await?;
    let expires_in = seconds(planned.access.expiration) - seconds(now);
    let roles = roles(state, instance_id, grant, scopes, shape).await?;
    let access_token = access_token(
        &signer,
        shape,
        grant,
        scopes,
        &planned.access,
        planned.opaque_access_token,
        now,
    )?;
    let id_token = if shape.id_token {
        let alongside = Alongside {
            access_token: Some(&access_token),
            code: None,
            user_claims: shape.userinfo_in_id_token,
        };
        Some(
            id_token(
                state,
                instance_id,
                &signer,
                shape,
                grant,
                scopes,
                &roles,
                alongside,
            )
            .await?,
        )
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        refresh_token: planned.refresh.map(|(token, _)| token),
        id_token,
        scope: scopes.join(" "),
        issued_token_type: None,
    })
}

/// The tokens of an implicit or hybrid response (OIDC Core §3.2.2.5, §3.3.2.5): an access token
/// when `planned` (no refresh token in the front channel) and an ID token when `shape.id_token`,
/// carrying `at_hash` and `c_hash` for what it is sent with. An ID token sent without an access
/// token carries the user's claims, since the client has no token to call userinfo with (as in
/// ZITADEL); otherwise the app's `id_token_userinfo_assertion` decides.
pub async fn front_channel(
    state: &AppState,
    instance_id: &str,
    grant: &NewGrant,
    planned: Option<Planned>,
    code: Option<&str>,
    shape: &Shape<'_>,
) -> Result<Vec<(String, String)>, DomainError> {
    let now = state.clock.now();
    let signer = castellan_api::signing::active_signer(state, instance_id).await?;
    let scopes = &grant.scopes;
    let roles = roles(state, instance_id, grant, scopes, shape).await?;
    let mut values = Vec::new();
    let access = match planned {
        Some(planned) => {
            let token = access_token(
                &signer,
                shape,
                grant,
                scopes,
                &planned.access,
                planned.opaque_access_token,
                now,
            )?;
            let expires_in = seconds(planned.access.expiration) - seconds(now);
            values.push(("access_token".to_owned(), token.clone()));
            values.push(("token_type".to_owned(), "Bearer".to_owned()));
            values.push(("expires_in".to_owned(), expires_in.to_string()));
            Some(token)
        }
        None => None,
    };
    if shape.id_token {
        let alongside = Alongside {
            access_token: access.as_deref(),
            code,
            user_claims: access.is_none() || shape.userinfo_in_id_token,
        };
        let token = id_token(
            state,
            instance_id,
            &signer,
            shape,
            grant,
            scopes,
            &roles,
            alongside,
        )
        .await?;
        values.push(("id_token".to_owned(), token));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::half_hash;

    #[test]
    fn half_hashes_follow_the_signing_algorithm() {
        // OIDC Core §A.3/§A.4 example: at_hash of this access token with RS256.
        assert_eq!(
            half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        // c_hash example of §A.4 (code "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk").
        assert_eq!(
            half_hash(
                "RS256",
                "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
            ),
            "LDktKdoQak3Pk0cnXxCltA"
        );
        // 384- and 512-bit algorithms (and EdDSA) keep 24 and 32 bytes: 32 and 43 characters.
        assert_eq!(half_hash("ES384", "x").len(), 32);
        assert_eq!(half_hash("RS512", "x").len(), 43);
        assert_eq!(half_hash("EdDSA", "x").len(), 43);
        assert_eq!(half_hash("ES256", "x").len(), 22);
    }
}
