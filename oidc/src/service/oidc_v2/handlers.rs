//! GetAuthRequest, CreateCallback, GetDeviceAuthorizationRequest and
//! AuthorizeOrDenyDeviceAuthorization.

use castellan_api::auth::Caller;
use castellan_api::error::read_error;
use castellan_api::proto::{Details, ProtoDuration};
use castellan_api::state::AppState;
use castellan_api::support::{execute, require_id};
use castellan_core::DomainError;
use castellan_core::oidc::auth_request::{self, AuthRequest as AuthRequestState};
use castellan_core::oidc::device::{self, DeviceAuthorization, DeviceState};
use castellan_readers::queries::oidc::device_by_user_code;
use castellan_writer::commands::oidc::DecideDevice;
use castellan_writer::secrets::token_hash;

use super::wire::{
    AuthRequest, AuthorizeOrDenyDeviceAuthorizationRequest,
    AuthorizeOrDenyDeviceAuthorizationResponse, CallbackSession, CreateCallbackRequest,
    CreateCallbackResponse, DeviceAuthorizationRequest, GetAuthRequestRequest,
    GetAuthRequestResponse, GetDeviceAuthorizationRequestRequest,
    GetDeviceAuthorizationRequestResponse, Prompt,
};
use crate::flow::{fail_auth_request, finish_auth_request};
use crate::service::{command_context, proto_time};

/// ZITADEL's prefix of the ids of auth requests handled by a v2 login.
pub const ID_PREFIX: &str = "V2_";

/// The aggregate id of an auth request id given with or without ZITADEL's `V2_` prefix.
pub fn auth_request_id(value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    let id = value.strip_prefix(ID_PREFIX).unwrap_or(value);
    require_id(id, "auth_request_id")
}

/// The wire form of a pending auth request.
pub fn to_wire(id: &str, request: &AuthRequestState) -> AuthRequest {
    let params = &request.params;
    AuthRequest {
        id: format!("{ID_PREFIX}{id}"),
        creation_date: proto_time(request.created_at),
        client_id: params.client_id.clone(),
        scope: params.scopes.clone(),
        redirect_uri: params.redirect_uri.clone(),
        prompt: params
            .prompt
            .iter()
            .filter_map(|p| Prompt::from_param(p))
            .collect(),
        ui_locales: params.ui_locales.clone(),
        login_hint: params.login_hint.clone(),
        max_age: params.max_age.map(ProtoDuration::from_secs),
        hint_user_id: params.hint_user_id.clone(),
    }
}

/// An auth request a login may still finish, loaded from the ledger (finished, failed and
/// expired requests are NotFound).
async fn pending(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<AuthRequestState, DomainError> {
    let loaded = state
        .writer
        .load::<AuthRequestState>(&command_context(caller), id)
        .await?;
    if loaded.state.pending(state.clock.now()) {
        Ok(loaded.state)
    } else {
        Err(auth_request::not_found())
    }
}

pub async fn get_auth_request(
    state: AppState,
    caller: Caller,
    request: GetAuthRequestRequest,
) -> Result<GetAuthRequestResponse, DomainError> {
    let id = auth_request_id(&request.auth_request_id)?;
    let found = pending(&state, &caller, &id).await?;
    Ok(GetAuthRequestResponse {
        auth_request: to_wire(&id, &found),
    })
}

fn session_of(session: &CallbackSession) -> Result<(String, String), DomainError> {
    let session_id = require_id(&session.session_id, "session.session_id")?;
    let token = session.session_token.trim();
    if token.is_empty() || token.len() > 500 {
        return Err(DomainError::invalid(
            "OIDC-0301",
            "session.session_token must have 1 to 500 characters",
        ));
    }
    Ok((session_id, token_hash(token)))
}

fn one_of<A, B>(
    first: Option<A>,
    second: Option<B>,
    names: &str,
) -> Result<Result<A, B>, DomainError> {
    match (first, second) {
        (Some(a), None) => Ok(Ok(a)),
        (None, Some(b)) => Ok(Err(b)),
        _ => Err(DomainError::invalid(
            "OIDC-0302",
            format!("set exactly one of {names}"),
        )),
    }
}

/// CreateCallback: finishes the request with a checked session (the RP gets a code and/or the
/// implicit/hybrid tokens), or fails it with an OAuth error. The callback URL carries the answer
/// in its query or fragment; for `response_mode=form_post` it is a link to Castellan's page that
/// posts the answer to the RP (see [`crate::form_post`]). `details` carries the time of the call and the instance; the sequence is
/// not reported.
pub async fn create_callback(
    state: AppState,
    caller: Caller,
    request: CreateCallbackRequest,
) -> Result<CreateCallbackResponse, DomainError> {
    let id = auth_request_id(&request.auth_request_id)?;
    let instance_id = caller.instance.id.clone();
    let creator = caller.principal.user_id.clone();
    let callback = match one_of(request.session, request.error, "session, error")? {
        Ok(session) => {
            let (session_id, hash) = session_of(&session)?;
            finish_auth_request(&state, &instance_id, &creator, &id, &session_id, &hash).await?
        }
        Err(error) => {
            let description = error.error_description.as_deref().filter(|d| !d.is_empty());
            let mut callback = fail_auth_request(
                &state,
                &instance_id,
                &creator,
                &id,
                error.error.oauth_error(),
                description,
            )
            .await?;
            if let Some(uri) = error.error_uri.filter(|uri| !uri.is_empty()) {
                callback.params.push(("error_uri".into(), uri));
            }
            callback
        }
    };
    let callback_url = callback.link(&state, &instance_id)?;
    Ok(CreateCallbackResponse {
        details: Details {
            change_date: Some(proto_time(state.clock.now())),
            resource_owner: instance_id,
            ..Details::default()
        },
        callback_url,
    })
}

pub async fn get_device_authorization_request(
    state: AppState,
    caller: Caller,
    request: GetDeviceAuthorizationRequestRequest,
) -> Result<GetDeviceAuthorizationRequestResponse, DomainError> {
    let user_code = request.user_code.trim();
    if user_code.is_empty() || user_code.len() > 200 {
        return Err(DomainError::invalid("OIDC-0303", "user_code is required"));
    }
    let device = device_by_user_code(
        state.store(),
        &caller.instance.id,
        user_code,
        state.clock.now(),
    )
    .await
    .map_err(read_error)?
    .ok_or_else(device::not_found)?;
    // The user-code row stays until it expires; the aggregate tells whether it was decided.
    let now = state.clock.now();
    let loaded = state
        .writer
        .load::<DeviceAuthorization>(&command_context(&caller), &device.device_id)
        .await?;
    if loaded.state.state != DeviceState::Pending || now >= loaded.state.expires_at {
        return Err(device::not_found());
    }
    Ok(GetDeviceAuthorizationRequestResponse {
        device_authorization_request: DeviceAuthorizationRequest {
            id: device.device_id,
            client_id: device.client_id,
            scope: device.scopes,
            // Names of the app and project are not in the device read model yet.
            app_name: String::new(),
            project_name: String::new(),
        },
    })
}

pub async fn authorize_or_deny_device_authorization(
    state: AppState,
    caller: Caller,
    request: AuthorizeOrDenyDeviceAuthorizationRequest,
) -> Result<AuthorizeOrDenyDeviceAuthorizationResponse, DomainError> {
    let id = require_id(&request.device_authorization_id, "device_authorization_id")?;
    let approval = match one_of(request.session, request.deny, "session, deny")? {
        Ok(session) => Some(session_of(&session)?),
        Err(_) => None,
    };
    execute(&state, &caller, &DecideDevice { id, approval }).await?;
    Ok(AuthorizeOrDenyDeviceAuthorizationResponse {})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use castellan_core::clock::Timestamp;
    use castellan_core::oidc::auth_request::{AuthRequestParams, AuthRequestState as Phase};

    use super::super::wire::ErrorReason;

    #[test]
    fn ids_are_accepted_with_and_without_the_prefix() {
        assert_eq!(auth_request_id("V2_123").unwrap(), "123");
        assert_eq!(auth_request_id("123").unwrap(), "123");
        assert!(auth_request_id("V2_").is_err());
        assert!(auth_request_id("").is_err());
        assert!(auth_request_id("a b").is_err());
    }

    #[test]
    fn pending_requests_are_shown_with_the_prefix_and_prompts() {
        let request = AuthRequestState {
            state: Phase::Pending,
            params: AuthRequestParams {
                client_id: "client".into(),
                redirect_uri: "https://rp.example/cb".into(),
                scopes: vec!["openid".into()],
                prompt: vec!["login".into(), "bogus".into(), "select_account".into()],
                max_age: Some(60),
                login_hint: Some("ada".into()),
                ..AuthRequestParams::default()
            },
            created_at: Timestamp(1_000_000),
            ..AuthRequestState::default()
        };
        let wire = serde_json::to_value(to_wire("42", &request)).unwrap();
        assert_eq!(wire["id"], "V2_42");
        assert_eq!(wire["clientId"], "client");
        assert_eq!(wire["scope"][0], "openid");
        assert_eq!(
            wire["prompt"],
            serde_json::json!(["PROMPT_LOGIN", "PROMPT_SELECT_ACCOUNT"])
        );
        assert_eq!(wire["maxAge"], "60s");
        assert_eq!(wire["loginHint"], "ada");
        assert!(wire.get("hintUserId").is_none());
    }

    #[test]
    fn error_reasons_become_oauth_error_codes() {
        let cases = [
            ("ERROR_REASON_ACCESS_DENIED", "access_denied"),
            ("ERROR_REASON_LOGIN_REQUIRED", "login_required"),
            ("ERROR_REASON_INTERACTION_REQUIRED", "interaction_required"),
            ("ERROR_REASON_CONSENT_REQUIRED", "consent_required"),
            (
                "ERROR_REASON_TEMPORARY_UNAVAILABLE",
                "temporarily_unavailable",
            ),
            ("ERROR_REASON_UNSPECIFIED", "server_error"),
        ];
        for (name, code) in cases {
            let reason: ErrorReason = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(reason.oauth_error(), code);
        }
        let by_number: ErrorReason = serde_json::from_value(serde_json::json!(3)).unwrap();
        assert_eq!(by_number.oauth_error(), "access_denied");
    }

    #[test]
    fn callbacks_need_exactly_one_kind() {
        assert!(one_of::<u8, u8>(None, None, "a, b").is_err());
        assert!(one_of(Some(1), Some(2), "a, b").is_err());
        assert!(matches!(one_of::<u8, u8>(Some(1), None, "a, b"), Ok(Ok(1))));
        let session = CallbackSession {
            session_id: "s".into(),
            session_token: String::new(),
        };
        assert!(session_of(&session).is_err());
    }
}
