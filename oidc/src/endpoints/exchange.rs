//! Token exchange (RFC 8693) with ZITADEL's type matrix: the subject may be an access token or
//! an ID token of this provider, or — only together with an actor token — a user id or a JWT
//! signed by one of the client's keys. With an actor token the result is an impersonation: the
//! actor must hold `impersonation` on the subject's org (`admin.impersonation` when the subject
//! is an administrator), and the tokens carry an `act` claim. The requested audience and scopes
//! must be within what the presented tokens hold.

use castellan_api::access_token::verify_access_token;
use castellan_api::state::AppState;
use castellan_core::oidc::grant::{Actor, NewGrant};
use castellan_core::project::app::{OidcGrantType, OidcTokenType};
use castellan_core::user::{User, UserState};
use castellan_jose::Expectations;
use castellan_readers::queries::identity::principal_of;
use castellan_writer::commands::oidc::{IssueGrant, Via};
use castellan_writer::writer::CommandContext;

use super::client::{AppClient, verify_assertion};
use super::error::OAuthError;
use super::{field, scopes};
use crate::flow::run;
use crate::mint::{self, Shape, TokenResponse};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
pub const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
pub const USER_ID: &str = "urn:zitadel:params:oauth:token-type:user_id";

/// Who a presented token names, and what it holds.
struct Presented {
    user_id: String,
    audience: Vec<String>,
    scopes: Vec<String>,
}

fn invalid(description: &str) -> OAuthError {
    OAuthError::invalid_request(description)
}

async fn presented(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    client: &AppClient,
    token: &str,
    token_type: &str,
    as_actor: bool,
) -> Result<Presented, OAuthError> {
    let now = state.clock.now().0.div_euclid(1_000_000);
    match token_type {
        ACCESS_TOKEN => {
            let verified = verify_access_token(state, instance_id, token)
                .await?
                .ok_or_else(OAuthError::invalid_grant)?;
            Ok(Presented {
                user_id: verified.grant.user_id,
                audience: verified.grant.audience,
                scopes: verified.scopes,
            })
        }
        ID_TOKEN => {
            let keys = castellan_api::signing::public_keys(state, instance_id).await?;
            let expect = Expectations {
                issuer: Some(issuer.to_owned()),
                ..Expectations::at(now)
            };
            let claims = castellan_jose::verify_with_set(token, &keys, &expect)
                .map_err(|_| OAuthError::invalid_grant())?;
            let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            let audience = match claims.get("aud") {
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                Some(serde_json::Value::String(one)) => vec![one.clone()],
                _ => Vec::new(),
            };
            Ok(Presented {
                user_id: text("sub").ok_or_else(OAuthError::invalid_grant)?,
                audience,
                scopes: vec!["openid".into()],
            })
        }
        // A JWT the client signed about a user: only as the subject of an impersonation.
        JWT if !as_actor => {
            let ctx = CommandContext {
                instance_id: instance_id.to_owned(),
                creator: "OIDC".into(),
            };
            let project = state
                .writer
                .load::<castellan_core::project::Project>(&ctx, &client.app.project_id)
                .await?
                .state;
            let keys = project
                .apps
                .get(&client.app.id)
                .map(|app| app.public_keys.clone())
                .unwrap_or_default();
            let peeked = castellan_jose::peek(token).map_err(|_| OAuthError::invalid_grant())?;
            let issuer_claim = peeked
                .claims
                .get("iss")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            if issuer_claim != client.app.client_id {
                return Err(OAuthError::invalid_grant());
            }
            let claims = verify_assertion(token, &keys, issuer, now)
                .map_err(|_| OAuthError::invalid_grant())?;
            Ok(Presented {
                user_id: claims
                    .get("sub")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(OAuthError::invalid_grant)?,
                audience: Vec::new(),
                scopes: Vec::new(),
            })
        }
        USER_ID if !as_actor => Ok(Presented {
            user_id: token.to_owned(),
            audience: Vec::new(),
            scopes: Vec::new(),
        }),
        REFRESH_TOKEN => Err(invalid("refresh tokens cannot be exchanged")),
        _ => Err(invalid("unsupported token type")),
    }
}

pub async fn exchange(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    client: &AppClient,
    form: &[(String, String)],
) -> Result<TokenResponse, OAuthError> {
    let oidc = client.oidc.clone().ok_or_else(OAuthError::invalid_client)?;
    if !client.confidential || !oidc.grant_types.contains(&OidcGrantType::TokenExchange) {
        return Err(OAuthError::new(
            "unauthorized_client",
            "the client may not use token exchange",
        ));
    }
    let subject_token =
        field(form, "subject_token").ok_or_else(|| invalid("subject_token is required"))?;
    let subject_type = field(form, "subject_token_type")
        .ok_or_else(|| invalid("subject_token_type is required"))?;
    let actor = match (field(form, "actor_token"), field(form, "actor_token_type")) {
        (Some(token), Some(kind)) => {
            Some(presented(state, instance_id, issuer, client, token, kind, true).await?)
        }
        (None, None) => None,
        _ => return Err(invalid("actor_token and actor_token_type go together")),
    };
    if matches!(subject_type, JWT | USER_ID) && actor.is_none() {
        return Err(invalid("this subject_token_type needs an actor_token"));
    }
    let subject = presented(
        state,
        instance_id,
        issuer,
        client,
        subject_token,
        subject_type,
        false,
    )
    .await?;
    let requested_type = field(form, "requested_token_type").unwrap_or(ACCESS_TOKEN);
    let (jwt, id_token) = match requested_type {
        ACCESS_TOKEN => (oidc.access_token_type == OidcTokenType::Jwt, false),
        JWT => (true, false),
        ID_TOKEN => (false, true),
        _ => return Err(invalid("unsupported requested_token_type")),
    };
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: "OIDC".into(),
    };
    let user = state
        .writer
        .load::<User>(&ctx, &subject.user_id)
        .await?
        .state;
    if user.state != UserState::Active {
        return Err(OAuthError::invalid_grant());
    }
    // What the presented tokens hold bounds what the exchange may give.
    let mut held_audience = subject.audience.clone();
    let mut held_scopes = subject.scopes.clone();
    let actor_claim = match &actor {
        Some(actor) => {
            held_audience.extend(actor.audience.iter().cloned());
            held_scopes.extend(actor.scopes.iter().cloned());
            let acting = principal_of(state.store(), instance_id, &actor.user_id, "")
                .await
                .map_err(castellan_api::error::read_error)?;
            let subject_roles =
                principal_of(state.store(), instance_id, &subject.user_id, &user.org_id)
                    .await
                    .map_err(castellan_api::error::read_error)?;
            let subject_is_admin =
                !subject_roles.instance_roles.is_empty() || !subject_roles.org_roles.is_empty();
            let permission = if subject_is_admin {
                "admin.impersonation"
            } else {
                "impersonation"
            };
            if !acting.has_org_permission(permission, &user.org_id) {
                return Err(OAuthError::new(
                    "invalid_grant",
                    "the actor may not impersonate this user",
                ));
            }
            Some(Actor {
                subject: actor.user_id.clone(),
                issuer: issuer.to_owned(),
            })
        }
        None => None,
    };
    let scopes = match field(form, "scope") {
        Some(requested) => {
            let requested = scopes(Some(requested));
            // A user-id or client-JWT subject holds no scopes of its own: the client asks.
            if actor_claim.is_none() && requested.iter().any(|s| !held_scopes.contains(s)) {
                return Err(OAuthError::new(
                    "invalid_scope",
                    "the scope exceeds the presented tokens",
                ));
            }
            requested
        }
        None => held_scopes,
    };
    let mut audience = match field(form, "audience") {
        Some(_) => {
            let requested: Vec<String> = form
                .iter()
                .filter(|(k, _)| k == "audience")
                .flat_map(|(_, v)| v.split(' ').map(str::to_owned))
                .filter(|v| !v.is_empty())
                .collect();
            if actor_claim.is_none() && requested.iter().any(|a| !held_audience.contains(a)) {
                return Err(OAuthError::new(
                    "invalid_target",
                    "the audience exceeds the presented tokens",
                ));
            }
            requested
        }
        None => held_audience,
    };
    if !audience.contains(&client.app.client_id) {
        audience.push(client.app.client_id.clone());
    }
    let grant_id = state.writer.next_id();
    let planned = mint::plan(state, &grant_id, jwt, false);
    let grant = NewGrant {
        user_id: subject.user_id.clone(),
        org_id: user.org_id.clone(),
        client_id: client.app.client_id.clone(),
        grant_type: "token_exchange".into(),
        scopes: scopes.clone(),
        audience,
        actor: actor_claim,
        ..NewGrant::default()
    };
    let command = IssueGrant {
        grant_id: grant_id.clone(),
        grant: grant.clone(),
        access_token: Some(planned.access.clone()),
        refresh_token: None,
        via: Via::Direct,
    };
    run(state, instance_id, &client.app.client_id, &command).await?;
    let shape = Shape::for_app(issuer, id_token, &oidc);
    let mut response = mint::respond(state, instance_id, &grant, &scopes, planned, &shape).await?;
    response.issued_token_type = Some(requested_type.to_owned());
    if id_token {
        // RFC 8693 §2.2.1: the issued token is the ID token itself.
        if let Some(id) = response.id_token.take() {
            response.access_token = id;
            response.token_type = "N_A";
        }
    }
    Ok(response)
}
