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

/// OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url.
fn at_hash(access_token: &str) -> String {
    use base64::Engine as _;
    let digest = Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.get(..16).unwrap_or_default())
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
    let roles_wanted = crate::claims::wants_roles(scopes);
    let roles = if roles_wanted || shape.id_token_roles || shape.access_token_roles {
        match crate::claims::project_of_client(state, instance_id, &grant.client_id).await? {
            Some(project) => {
                crate::claims::role_claims(state, instance_id, &grant.user_id, &project, scopes)
                    .await?
            }
            None => Map::new(),
        }
    } else {
        Map::new()
    };
    let access_token = match planned.opaque_access_token {
        Some(token) => token,
        None => {
            let mut claims = Map::new();
            claims.insert("iss".into(), json!(shape.issuer));
            claims.insert("sub".into(), json!(grant.user_id));
            claims.insert("aud".into(), json!(grant.audience));
            claims.insert("exp".into(), json!(seconds(planned.access.expiration)));
            claims.insert("iat".into(), json!(seconds(now)));
            claims.insert("nbf".into(), json!(seconds(now)));
            claims.insert("jti".into(), json!(planned.access.token_id));
            claims.insert("client_id".into(), json!(grant.client_id));
            claims.insert("scope".into(), json!(scopes.join(" ")));
            if let Some(sid) = &grant.session_id {
                claims.insert("sid".into(), json!(sid));
            }
            if let Some(actor) = &grant.actor {
                claims.insert(
                    "act".into(),
                    json!({"iss": actor.issuer, "sub": actor.subject}),
                );
            }
            signer
                .sign(Some("at+jwt"), &Value::Object(claims))
                .map_err(|e| DomainError::internal("OIDC-0301", format!("sign: {e}")))?
        }
    };
    let id_token = if shape.id_token {
        let mut claims = if shape.userinfo_in_id_token {
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
        claims.insert("at_hash".into(), json!(at_hash(&access_token)));
        if roles_wanted || shape.id_token_roles {
            claims.extend(roles.clone());
        }
        if let Some(actor) = &grant.actor {
            claims.insert(
                "act".into(),
                json!({"iss": actor.issuer, "sub": actor.subject}),
            );
        }
        claims.insert("client_id".into(), json!(grant.client_id));
        Some(
            signer
                .sign(Some("JWT"), &Value::Object(claims))
                .map_err(|e| DomainError::internal("OIDC-0302", format!("sign: {e}")))?,
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
