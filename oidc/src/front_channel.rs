//! Implicit and hybrid responses: the tokens a finished auth request sends through the browser.
//! The grant they belong to (grant type `implicit`) is recorded in the same append as the login
//! that finished the request; a hybrid code is exchanged later for a grant of its own.

use castellan_api::error::read_error;
use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::AuthRequestParams;
use castellan_core::oidc::grant::NewGrant;
use castellan_core::project::app::{OidcConfig, OidcTokenType};
use castellan_readers::queries::project::app_by_client_id;
use castellan_writer::commands::oidc::FrontChannelGrant;

use crate::claims::audience;
use crate::mint::{self, Planned, Shape};
use crate::response_type::ResponseType;

/// The front-channel part of a response, planned before the login is recorded.
pub struct Prepared {
    pub grant: FrontChannelGrant,
    response_type: ResponseType,
    planned: Option<Planned>,
    oidc: OidcConfig,
}

/// Plans the grant and the access token (for `token`) of an implicit or hybrid response.
pub async fn prepare(
    state: &AppState,
    instance_id: &str,
    params: &AuthRequestParams,
    response_type: ResponseType,
) -> Result<Prepared, DomainError> {
    let app = app_by_client_id(state.store(), instance_id, &params.client_id)
        .await
        .map_err(read_error)?
        .filter(|app| app.active)
        .ok_or_else(|| DomainError::precondition("OIDC-0501", "The client is not active"))?;
    let oidc = app
        .config
        .oidc
        .clone()
        .ok_or_else(|| DomainError::precondition("OIDC-0502", "The client is not OIDC"))?;
    let grant_id = state.writer.next_id();
    let planned = response_type.token.then(|| {
        mint::plan(
            state,
            &grant_id,
            oidc.access_token_type == OidcTokenType::Jwt,
            false,
        )
    });
    let grant = NewGrant {
        client_id: params.client_id.clone(),
        grant_type: "implicit".into(),
        audience: audience(
            &params.client_id,
            &app.project_id,
            &params.scopes,
            instance_id,
        ),
        ..NewGrant::default()
    };
    Ok(Prepared {
        grant: FrontChannelGrant {
            grant_id,
            grant,
            access_token: planned.as_ref().map(|p| p.access.clone()),
        },
        response_type,
        planned,
        oidc,
    })
}

/// Signs the planned tokens for the grant the writer recorded; returns the response parameters
/// (`access_token`, `token_type`, `expires_in`, `id_token`).
pub async fn mint(
    state: &AppState,
    instance_id: &str,
    params: &AuthRequestParams,
    grant: &NewGrant,
    prepared: Prepared,
    code: Option<&str>,
) -> Result<Vec<(String, String)>, DomainError> {
    let issuer = params
        .issuer
        .as_deref()
        .ok_or_else(|| DomainError::internal("OIDC-0503", "the auth request has no issuer"))?;
    let shape = Shape::for_app(issuer, prepared.response_type.id_token, &prepared.oidc);
    mint::front_channel(state, instance_id, grant, prepared.planned, code, &shape).await
}
