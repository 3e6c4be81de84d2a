//! Finishing an auth request: a login (the hosted pages, or a custom UI through
//! OIDCService.CreateCallback) links a session to the request, and the RP is sent back to its
//! redirect URI with a code and/or tokens (implicit and hybrid, see [`crate::front_channel`]) —
//! or with the error, when the login failed — in the query, the fragment or a form post.

use axum::response::{IntoResponse, Redirect, Response};
use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::{AuthRequest, AuthRequestParams};
use castellan_writer::commands::oidc::{FailAuthRequest, SucceedAuthRequest};
use castellan_writer::writer::{Command, CommandContext, Committed};

use castellan_api::bound_token::new_token;

use crate::response_type::ResponseType;

/// Where and how the RP gets the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub redirect_uri: String,
    /// "query", "fragment" or "form_post".
    pub response_mode: String,
    pub params: Vec<(String, String)>,
    /// The issuer the request was made to (links to Castellan's form_post page use it).
    pub issuer: Option<String>,
}

impl Callback {
    /// The browser's answer: a redirect, or for `form_post` the auto-submitting form.
    pub fn response(&self) -> Result<Response, DomainError> {
        if self.response_mode == "form_post" {
            crate::form_post::response(&self.redirect_uri, &self.params)
        } else {
            Ok(Redirect::to(&self.url()?).into_response())
        }
    }

    /// The URL a custom login UI sends the browser to (CreateCallback): [`Callback::url`], or for
    /// `form_post` a link to Castellan's page that posts the response ([`crate::form_post`]).
    pub fn link(&self, state: &AppState, instance_id: &str) -> Result<String, DomainError> {
        if self.response_mode != "form_post" {
            return self.url();
        }
        let issuer = self.issuer.as_deref().ok_or_else(|| {
            DomainError::internal("OIDC-0202", "the auth request has no issuer for form_post")
        })?;
        crate::form_post::ticket_url(state, instance_id, issuer, &self.redirect_uri, &self.params)
    }

    /// The URL to redirect to: the parameters in the query, or in the fragment for
    /// `response_mode=fragment` (a `form_post` response is sent by [`Callback::response`]).
    pub fn url(&self) -> Result<String, DomainError> {
        let mut url = url::Url::parse(&self.redirect_uri)
            .map_err(|_| DomainError::internal("OIDC-0201", "stored redirect_uri is invalid"))?;
        if self.response_mode == "fragment" {
            let fragment = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(self.params.iter())
                .finish();
            url.set_fragment(Some(&fragment));
        } else {
            url.query_pairs_mut().extend_pairs(self.params.iter());
        }
        Ok(url.to_string())
    }
}

fn with_state(params: &AuthRequestParams, mut values: Vec<(String, String)>) -> Callback {
    if let Some(state) = &params.state {
        values.push(("state".into(), state.clone()));
    }
    Callback {
        redirect_uri: params.redirect_uri.clone(),
        response_mode: params.response_mode.clone(),
        params: values,
        issuer: params.issuer.clone(),
    }
}

/// Runs a command and waits for the read model, as API commands do.
pub async fn run<C: Command>(
    state: &AppState,
    instance_id: &str,
    creator: &str,
    command: &C,
) -> Result<Committed<C::Output>, DomainError> {
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: creator.to_owned(),
    };
    let committed = state.writer.execute(&ctx, command).await?;
    if let Err(error) = state
        .consistency
        .wait_for(&committed.appended.events, state.config.consistency_timeout)
        .await
    {
        tracing::warn!(%error, "read model lagging behind a committed command");
    }
    Ok(committed)
}

/// Finishes the auth request with a checked session (its token proves the caller holds it): a
/// code for `code` response types, and for implicit and hybrid ones the front-channel tokens,
/// whose grant is recorded with the login.
pub async fn finish_auth_request(
    state: &AppState,
    instance_id: &str,
    creator: &str,
    auth_request_id: &str,
    session_id: &str,
    session_token_hash: &str,
) -> Result<Callback, DomainError> {
    let ctx = CommandContext {
        instance_id: instance_id.to_owned(),
        creator: creator.to_owned(),
    };
    // The parameters never change after the request was added; the command re-checks that it
    // is still pending.
    let request = state
        .writer
        .load::<AuthRequest>(&ctx, auth_request_id)
        .await?;
    let response_type =
        ResponseType::parse(&request.state.params.response_type).unwrap_or(ResponseType::CODE);
    let code = response_type.code.then(|| new_token(auth_request_id));
    let prepared = if response_type.front_channel_tokens() {
        Some(
            crate::front_channel::prepare(state, instance_id, &request.state.params, response_type)
                .await?,
        )
    } else {
        None
    };
    let command = SucceedAuthRequest {
        id: auth_request_id.to_owned(),
        session_id: session_id.to_owned(),
        session_token_hash: session_token_hash.to_owned(),
        code_hash: code.as_ref().map(|(_, hash)| hash.clone()),
        front_channel: prepared.as_ref().map(|p| p.grant.clone()),
    };
    let committed = run(state, instance_id, creator, &command).await?;
    let (params, _authentication, grant) = committed.output;
    let code = code.map(|(code, _)| code);
    let mut values = Vec::new();
    if let Some(code) = &code {
        values.push(("code".to_owned(), code.clone()));
    }
    if let (Some(prepared), Some(grant)) = (prepared, grant) {
        let tokens = crate::front_channel::mint(
            state,
            instance_id,
            &params,
            &grant,
            prepared,
            code.as_deref(),
        )
        .await?;
        values.extend(tokens);
    }
    Ok(with_state(&params, values))
}

/// Ends the auth request with an OAuth error for the RP (`error` is an RFC 6749 code such as
/// `access_denied` or `login_required`).
pub async fn fail_auth_request(
    state: &AppState,
    instance_id: &str,
    creator: &str,
    auth_request_id: &str,
    error: &str,
    description: Option<&str>,
) -> Result<Callback, DomainError> {
    let command = FailAuthRequest {
        id: auth_request_id.to_owned(),
        reason: error.to_owned(),
    };
    let committed = run(state, instance_id, creator, &command).await?;
    let mut values = vec![("error".to_owned(), error.to_owned())];
    if let Some(description) = description {
        values.push(("error_description".into(), description.to_owned()));
    }
    Ok(with_state(&committed.output, values))
}
