//! Client authentication at the token, introspection and revocation endpoints:
//! `client_secret_basic`, `client_secret_post`, `private_key_jwt` (RFC 7523 §2.2, ZITADEL's
//! application key files) and `none` (public clients, which must use PKCE). Every failure is
//! the same `invalid_client`.

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use castellan_api::state::AppState;
use castellan_core::project::Project;
use castellan_core::project::app::{ApiAuthMethod, OidcAuthMethod, OidcConfig};
use castellan_jose::{Expectations, VerifyKey};
use castellan_readers::queries::project::{AppView, app_by_client_id};
use castellan_writer::secrets::token_hash;
use castellan_writer::writer::CommandContext;

use super::error::OAuthError;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Assertions older than this are refused (ZITADEL: one hour).
pub const MAX_ASSERTION_AGE_SECONDS: i64 = 3600;

/// What the request offered to authenticate its client.
#[derive(Clone, Debug, Default)]
pub struct Offered {
    pub client_id: Option<String>,
    pub secret: Option<String>,
    pub assertion: Option<String>,
    /// The secret came in the Authorization header (basic) rather than the body (post).
    pub basic: bool,
}

fn form_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Reads Basic credentials (RFC 6749 §2.3.1: both parts form-urlencoded) and the body fields.
pub fn offered(headers: &HeaderMap, form: &[(String, String)]) -> Result<Offered, OAuthError> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let mut offered = Offered {
        client_id: field("client_id"),
        secret: field("client_secret"),
        assertion: None,
        basic: false,
    };
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| OAuthError::invalid_client())?;
        if let Some((scheme, encoded)) = value.trim().split_once(' ')
            && scheme.eq_ignore_ascii_case("basic")
        {
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(OAuthError::invalid_client)?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(OAuthError::invalid_client)?;
            offered.client_id = Some(form_decode(id));
            offered.secret = Some(form_decode(secret));
            offered.basic = true;
        }
    }
    if let Some(assertion) = field("client_assertion") {
        if field("client_assertion_type").as_deref() != Some(ASSERTION_TYPE) {
            return Err(OAuthError::invalid_request(
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        let claims = castellan_jose::peek(&assertion)
            .map_err(|_| OAuthError::invalid_client())?
            .claims;
        let subject = claims
            .get("sub")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let issuer = claims
            .get("iss")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if subject.is_empty() || subject != issuer {
            return Err(OAuthError::invalid_client());
        }
        if offered.client_id.as_deref().is_some_and(|id| id != subject) {
            return Err(OAuthError::invalid_client());
        }
        offered.client_id = Some(subject.to_owned());
        offered.assertion = Some(assertion);
    }
    Ok(offered)
}

/// An authenticated (or public) OIDC/API application client.
#[derive(Clone, Debug)]
pub struct AppClient {
    pub app: AppView,
    pub oidc: Option<OidcConfig>,
    /// It proved a credential (public clients did not).
    pub confidential: bool,
}

/// Verifies a JWT assertion signed by one of `keys` (key id → SPKI PEM): `aud` must name the
/// issuer, the assertion must not be expired, from the future or older than an hour.
pub fn verify_assertion(
    assertion: &str,
    keys: &std::collections::BTreeMap<String, String>,
    issuer: &str,
    now_seconds: i64,
) -> Result<serde_json::Value, OAuthError> {
    let peeked = castellan_jose::peek(assertion).map_err(|_| OAuthError::invalid_client())?;
    let kid = peeked.header.kid.ok_or_else(OAuthError::invalid_client)?;
    let pem = keys.get(&kid).ok_or_else(OAuthError::invalid_client)?;
    let key = VerifyKey::from_pem(pem).map_err(|_| OAuthError::invalid_client())?;
    let expect = Expectations {
        audience: Some(issuer.to_owned()),
        max_iat_age: Some(MAX_ASSERTION_AGE_SECONDS),
        leeway: 5,
        ..Expectations::at(now_seconds)
    };
    castellan_jose::verify(assertion, &key, &expect).map_err(|_| OAuthError::invalid_client())
}

/// Authenticates an application client as its configuration demands.
pub async fn authenticate_app(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    offered: &Offered,
) -> Result<AppClient, OAuthError> {
    let client_id = offered
        .client_id
        .as_deref()
        .ok_or_else(OAuthError::invalid_client)?;
    let app = app_by_client_id(state.store(), instance_id, client_id)
        .await
        .map_err(|_| OAuthError::new("server_error", "the server could not answer"))?
        .filter(|app| app.active)
        .ok_or_else(OAuthError::invalid_client)?;
    let (oidc, method) = match (&app.config.oidc, &app.config.api) {
        (Some(oidc), _) => (Some(oidc.clone()), oidc.auth_method),
        (None, Some(api)) => (
            None,
            match api.auth_method {
                ApiAuthMethod::Basic => OidcAuthMethod::Basic,
                ApiAuthMethod::PrivateKeyJwt => OidcAuthMethod::PrivateKeyJwt,
            },
        ),
        _ => return Err(OAuthError::invalid_client()),
    };
    let load_app = || async {
        let ctx = CommandContext {
            instance_id: instance_id.to_owned(),
            creator: "OIDC".into(),
        };
        let project = state
            .writer
            .load::<Project>(&ctx, &app.project_id)
            .await
            .map_err(OAuthError::from)?
            .state;
        project
            .apps
            .get(&app.id)
            .cloned()
            .ok_or_else(OAuthError::invalid_client)
    };
    let confidential = match method {
        OidcAuthMethod::None => {
            if offered.secret.is_some() || offered.assertion.is_some() {
                return Err(OAuthError::invalid_client());
            }
            false
        }
        OidcAuthMethod::Basic | OidcAuthMethod::Post => {
            let secret = offered
                .secret
                .as_deref()
                .ok_or_else(OAuthError::invalid_client)?;
            // An API app's basic auth accepts either form, as ZITADEL does.
            if oidc.is_some() && (method == OidcAuthMethod::Basic) != offered.basic {
                return Err(OAuthError::invalid_client());
            }
            let stored = load_app().await?.secret_hash.unwrap_or_default();
            if stored.is_empty() || !castellan_core::ct_eq(&stored, &token_hash(secret)) {
                return Err(OAuthError::invalid_client());
            }
            true
        }
        OidcAuthMethod::PrivateKeyJwt => {
            let assertion = offered
                .assertion
                .as_deref()
                .ok_or_else(OAuthError::invalid_client)?;
            let keys = load_app().await?.public_keys;
            let now = state.clock.now().0.div_euclid(1_000_000);
            verify_assertion(assertion, &keys, issuer, now)?;
            true
        }
    };
    Ok(AppClient {
        app,
        oidc,
        confidential,
    })
}
