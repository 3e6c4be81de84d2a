//! The token endpoint (`/oauth/v2/token`): authorization code (with PKCE), refresh token (with
//! rotation and reuse detection), client credentials and the JWT profile (RFC 7523).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use castellan_api::bound_token::parse_token;
use castellan_api::limits::ClientAddress;
use castellan_api::state::AppState;
use castellan_core::oidc::auth_request::AuthRequest;
use castellan_core::oidc::grant::NewGrant;
use castellan_core::project::app::{OidcGrantType, OidcTokenType};
use castellan_core::user::{User, UserKind, UserState};
use castellan_readers::queries::login::user_by_login_name;
use castellan_writer::commands::oidc::{
    IssueGrant, IssueOutcome, RefreshGrant, RefreshOutcome, Via,
};
use castellan_writer::commands::session::verify_and_rehash;
use castellan_writer::writer::CommandContext;

use super::client::{authenticate_app, offered, verify_assertion};
use super::error::OAuthError;
use super::{field, form, instance, issuer, scopes};
use crate::claims::audience;
use crate::flow::run;
use crate::mint::{self, Shape, TokenResponse};

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn ok(response: TokenResponse) -> Response {
    let mut response = Json(response).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

pub async fn token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let instance = instance(&state, &headers).await?;
    let iss = issuer(&state, &headers)?;
    let form = form(&body)?;
    // Limited per client: the named client id, else the assertion's subject, else the address.
    let client = offered(&headers, &form)
        .ok()
        .and_then(|o| o.client_id)
        .or_else(|| {
            field(&form, "assertion")
                .and_then(|a| castellan_jose::peek(a).ok())
                .and_then(|p| {
                    p.claims
                        .get("sub")
                        .and_then(|s| s.as_str())
                        .map(str::to_owned)
                })
        })
        .or_else(|| address.map(|ip| ip.to_string()))
        .unwrap_or_default();
    if !state.limits.allow_token(&instance.id, &client) {
        return Err(OAuthError::new(
            "slow_down",
            "too many token requests for this client; retry later",
        ));
    }
    let ctx = Ctx {
        state: &state,
        instance_id: &instance.id,
        issuer: &iss,
        headers: &headers,
        form: &form,
    };
    let response = match field(&form, "grant_type") {
        Some("authorization_code") => ctx.authorization_code().await?,
        Some("refresh_token") => ctx.refresh_token().await?,
        Some("client_credentials") => ctx.client_credentials().await?,
        Some(JWT_BEARER) => ctx.jwt_profile().await?,
        Some(super::device::GRANT_TYPE) => {
            let client =
                authenticate_app(&state, &instance.id, &iss, &offered(&headers, &form)?).await?;
            super::device::poll(&state, &instance.id, &iss, &client, &form).await?
        }
        Some(super::exchange::GRANT_TYPE) => {
            let client =
                authenticate_app(&state, &instance.id, &iss, &offered(&headers, &form)?).await?;
            super::exchange::exchange(&state, &instance.id, &iss, &client, &form).await?
        }
        Some(_) => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                "this grant type is not supported",
            ));
        }
        None => return Err(OAuthError::invalid_request("grant_type is required")),
    };
    Ok(ok(response))
}

struct Ctx<'a> {
    state: &'a AppState,
    instance_id: &'a str,
    issuer: &'a str,
    headers: &'a HeaderMap,
    form: &'a [(String, String)],
}

impl Ctx<'_> {
    fn command_ctx(&self) -> CommandContext {
        CommandContext {
            instance_id: self.instance_id.to_owned(),
            creator: "OIDC".into(),
        }
    }

    async fn authorization_code(&self) -> Result<TokenResponse, OAuthError> {
        let offered = offered(self.headers, self.form)?;
        let client = authenticate_app(self.state, self.instance_id, self.issuer, &offered).await?;
        let oidc = client.oidc.clone().ok_or_else(OAuthError::invalid_client)?;
        if !oidc.grant_types.contains(&OidcGrantType::AuthorizationCode) {
            return Err(OAuthError::new(
                "unauthorized_client",
                "the client may not use this grant type",
            ));
        }
        let code = field(self.form, "code")
            .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
        let (auth_request_id, code_hash) =
            parse_token(code).ok_or_else(OAuthError::invalid_grant)?;
        let request = self
            .state
            .writer
            .load::<AuthRequest>(&self.command_ctx(), auth_request_id)
            .await?
            .state;
        // Public clients must prove PKCE; the auth request required a challenge from them.
        if !client.confidential && request.params.code_challenge.is_none() {
            return Err(OAuthError::invalid_grant());
        }
        let scopes = request.params.scopes.clone();
        let refresh = scopes.iter().any(|s| s == "offline_access")
            && oidc.grant_types.contains(&OidcGrantType::RefreshToken);
        let grant_id = self.state.writer.next_id();
        let jwt = oidc.access_token_type == OidcTokenType::Jwt;
        let planned = mint::plan(self.state, &grant_id, jwt, refresh);
        let grant = NewGrant {
            client_id: client.app.client_id.clone(),
            grant_type: "authorization_code".into(),
            audience: audience(
                &client.app.client_id,
                &client.app.project_id,
                &scopes,
                self.instance_id,
            ),
            ..NewGrant::default()
        };
        let command = IssueGrant {
            grant_id: grant_id.clone(),
            grant,
            access_token: Some(planned.access.clone()),
            refresh_token: planned.refresh.as_ref().map(|(_, spec)| spec.clone()),
            via: Via::Code {
                auth_request_id: auth_request_id.to_owned(),
                code_hash,
                redirect_uri: field(self.form, "redirect_uri").map(str::to_owned),
                code_verifier: field(self.form, "code_verifier").map(str::to_owned),
            },
        };
        let committed = run(self.state, self.instance_id, "OIDC", &command).await?;
        let IssueOutcome::Issued(grant) = committed.output else {
            return Err(OAuthError::invalid_grant());
        };
        let shape = Shape::for_app(
            self.issuer,
            grant.scopes.iter().any(|s| s == "openid"),
            &oidc,
        );
        let scopes = grant.scopes.clone();
        Ok(mint::respond(
            self.state,
            self.instance_id,
            &grant,
            &scopes,
            planned,
            &shape,
        )
        .await?)
    }

    async fn refresh_token(&self) -> Result<TokenResponse, OAuthError> {
        let offered = offered(self.headers, self.form)?;
        let client = authenticate_app(self.state, self.instance_id, self.issuer, &offered).await?;
        let oidc = client.oidc.clone().ok_or_else(OAuthError::invalid_client)?;
        let token = field(self.form, "refresh_token")
            .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
        let (grant_id, token_hash) = parse_token(token).ok_or_else(OAuthError::invalid_grant)?;
        let jwt = oidc.access_token_type == OidcTokenType::Jwt;
        let planned = mint::plan(self.state, grant_id, jwt, true);
        let requested = field(self.form, "scope").map(|s| scopes(Some(s)));
        let Some((_, refresh_spec)) = planned.refresh.clone() else {
            return Err(OAuthError::invalid_grant());
        };
        let command = RefreshGrant {
            grant_id: grant_id.to_owned(),
            token_hash,
            client_id: client.app.client_id.clone(),
            scopes: requested,
            access_token: planned.access.clone(),
            refresh_token: refresh_spec,
        };
        let committed = run(self.state, self.instance_id, "OIDC", &command).await?;
        let RefreshOutcome::Rotated(grant, scopes) = committed.output else {
            return Err(OAuthError::invalid_grant());
        };
        let shape = Shape::for_app(self.issuer, scopes.iter().any(|s| s == "openid"), &oidc);
        Ok(mint::respond(
            self.state,
            self.instance_id,
            &grant,
            &scopes,
            planned,
            &shape,
        )
        .await?)
    }

    /// Client credentials: the client is a machine user (client id = username, secret = its
    /// machine secret), as in ZITADEL.
    async fn client_credentials(&self) -> Result<TokenResponse, OAuthError> {
        let offered = offered(self.headers, self.form)?;
        let (Some(client_id), Some(secret)) =
            (offered.client_id.as_deref(), offered.secret.as_deref())
        else {
            return Err(OAuthError::invalid_client());
        };
        let user = user_by_login_name(self.state.store(), self.instance_id, client_id)
            .await
            .map_err(|_| OAuthError::new("server_error", "the server could not answer"))?
            .ok_or_else(OAuthError::invalid_client)?;
        let machine = self
            .state
            .writer
            .load::<User>(&self.command_ctx(), &user.id)
            .await?
            .state;
        let stored = machine.secret_hash.clone().unwrap_or_default();
        if machine.kind != UserKind::Machine || stored.is_empty() {
            return Err(OAuthError::invalid_client());
        }
        let (correct, _) = verify_and_rehash(
            &self.state.writer,
            secret,
            &stored,
            &self.state.config.password_hasher,
        )
        .await?;
        if !correct || machine.state != UserState::Active {
            return Err(OAuthError::invalid_client());
        }
        self.machine_grant(&user.id, &machine, "client_credentials")
            .await
    }

    /// The JWT profile grant: a machine user's key signs an assertion (`iss` = `sub` = user id).
    async fn jwt_profile(&self) -> Result<TokenResponse, OAuthError> {
        let assertion = field(self.form, "assertion")
            .ok_or_else(|| OAuthError::invalid_request("assertion is required"))?;
        let peeked = castellan_jose::peek(assertion).map_err(|_| OAuthError::invalid_grant())?;
        let subject = peeked
            .claims
            .get("sub")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let iss = peeked
            .claims
            .get("iss")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if subject.is_empty() || subject != iss {
            return Err(OAuthError::invalid_grant());
        }
        let user = self
            .state
            .writer
            .load::<User>(&self.command_ctx(), subject)
            .await?
            .state;
        if user.state != UserState::Active {
            return Err(OAuthError::invalid_grant());
        }
        let now = self.state.clock.now();
        let keys: std::collections::BTreeMap<String, String> = user
            .public_keys
            .iter()
            .filter(|(id, _)| user.keys.get(*id).is_some_and(|exp| *exp > now))
            .map(|(id, pem)| (id.clone(), pem.clone()))
            .collect();
        verify_assertion(assertion, &keys, self.issuer, now.0.div_euclid(1_000_000))
            .map_err(|_| OAuthError::invalid_grant())?;
        self.machine_grant(subject, &user, JWT_BEARER).await
    }

    async fn machine_grant(
        &self,
        user_id: &str,
        user: &User,
        grant_type: &str,
    ) -> Result<TokenResponse, OAuthError> {
        let scopes = scopes(field(self.form, "scope"));
        let mut aud = audience(user_id, "", &scopes, self.instance_id);
        aud.retain(|a| !a.is_empty() && a != user_id);
        let grant_id = self.state.writer.next_id();
        let jwt = user.jwt_access_token;
        let planned = mint::plan(self.state, &grant_id, jwt, false);
        let grant = NewGrant {
            user_id: user_id.to_owned(),
            org_id: user.org_id.clone(),
            client_id: user_id.to_owned(),
            grant_type: grant_type.to_owned(),
            scopes: scopes.clone(),
            audience: aud,
            ..NewGrant::default()
        };
        let command = IssueGrant {
            grant_id: grant_id.clone(),
            grant: grant.clone(),
            access_token: Some(planned.access.clone()),
            refresh_token: None,
            via: Via::Direct,
        };
        run(self.state, self.instance_id, user_id, &command).await?;
        let shape = Shape::machine(self.issuer);
        Ok(mint::respond(
            self.state,
            self.instance_id,
            &grant,
            &scopes,
            planned,
            &shape,
        )
        .await?)
    }
}
