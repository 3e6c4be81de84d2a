//! Finishing an auth request: a login (the hosted pages, or a custom UI through
//! OIDCService.CreateCallback) links a session to the request, and the RP is sent back to its
//! redirect URI with a code — or with the error, when the login failed.

use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::AuthRequestParams;
use castellan_writer::commands::oidc::{FailAuthRequest, SucceedAuthRequest};
use castellan_writer::writer::{Command, CommandContext, Committed};

use castellan_api::bound_token::new_token;

/// Where and how the RP gets the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub redirect_uri: String,
    /// "query", "fragment" or "form_post".
    pub response_mode: String,
    pub params: Vec<(String, String)>,
}

impl Callback {
    /// The URL to redirect to: the parameters in the query, or in the fragment for
    /// `response_mode=fragment` (`form_post` is refused when the request is created).
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

/// Finishes the auth request with a checked session (its token proves the caller holds it).
/// Only the code flow is finished here; `response_type` values with tokens are refused when the
/// request is created.
pub async fn finish_auth_request(
    state: &AppState,
    instance_id: &str,
    creator: &str,
    auth_request_id: &str,
    session_id: &str,
    session_token_hash: &str,
) -> Result<Callback, DomainError> {
    let (code, code_hash) = new_token(auth_request_id);
    let command = SucceedAuthRequest {
        id: auth_request_id.to_owned(),
        session_id: session_id.to_owned(),
        session_token_hash: session_token_hash.to_owned(),
        code_hash: Some(code_hash),
    };
    let committed = run(state, instance_id, creator, &command).await?;
    let (params, _authentication) = committed.output;
    Ok(with_state(&params, vec![("code".into(), code)]))
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
