//! Proto-JSON wire types of `zitadel.oidc.v2.OIDCService` (`oidc_service.proto`,
//! `authorization.proto`).

use castellan_api::proto::{Details, ProtoDuration, ProtoTimestamp};
use castellan_api::proto_enum;
use serde::{Deserialize, Serialize};

proto_enum! {
    /// Mirrors `zitadel.oidc.v2.Prompt`.
    pub enum Prompt = "zitadel.oidc.v2.Prompt" {
        Unspecified = 0 => "PROMPT_UNSPECIFIED",
        None = 1 => "PROMPT_NONE",
        Login = 2 => "PROMPT_LOGIN",
        Consent = 3 => "PROMPT_CONSENT",
        SelectAccount = 4 => "PROMPT_SELECT_ACCOUNT",
        Create = 5 => "PROMPT_CREATE",
    }
}

impl Prompt {
    /// The `prompt` parameter value (OIDC Core §3.1.2.1; `create` from Initiating User
    /// Registration).
    pub fn from_param(value: &str) -> Option<Self> {
        Some(match value {
            "none" => Self::None,
            "login" => Self::Login,
            "consent" => Self::Consent,
            "select_account" => Self::SelectAccount,
            "create" => Self::Create,
            _ => return None,
        })
    }
}

proto_enum! {
    /// Mirrors `zitadel.oidc.v2.ErrorReason`.
    pub enum ErrorReason = "zitadel.oidc.v2.ErrorReason" {
        Unspecified = 0 => "ERROR_REASON_UNSPECIFIED",
        InvalidRequest = 1 => "ERROR_REASON_INVALID_REQUEST",
        UnauthorizedClient = 2 => "ERROR_REASON_UNAUTHORIZED_CLIENT",
        AccessDenied = 3 => "ERROR_REASON_ACCESS_DENIED",
        UnsupportedResponseType = 4 => "ERROR_REASON_UNSUPPORTED_RESPONSE_TYPE",
        InvalidScope = 5 => "ERROR_REASON_INVALID_SCOPE",
        ServerError = 6 => "ERROR_REASON_SERVER_ERROR",
        TemporaryUnavailable = 7 => "ERROR_REASON_TEMPORARY_UNAVAILABLE",
        InteractionRequired = 8 => "ERROR_REASON_INTERACTION_REQUIRED",
        LoginRequired = 9 => "ERROR_REASON_LOGIN_REQUIRED",
        AccountSelectionRequired = 10 => "ERROR_REASON_ACCOUNT_SELECTION_REQUIRED",
        ConsentRequired = 11 => "ERROR_REASON_CONSENT_REQUIRED",
        InvalidRequestUri = 12 => "ERROR_REASON_INVALID_REQUEST_URI",
        InvalidRequestObject = 13 => "ERROR_REASON_INVALID_REQUEST_OBJECT",
        RequestNotSupported = 14 => "ERROR_REASON_REQUEST_NOT_SUPPORTED",
        RequestUriNotSupported = 15 => "ERROR_REASON_REQUEST_URI_NOT_SUPPORTED",
        RegistrationNotSupported = 16 => "ERROR_REASON_REGISTRATION_NOT_SUPPORTED",
    }
}

impl ErrorReason {
    /// The OAuth 2 / OIDC `error` code (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). An unspecified
    /// reason is a server error, as in ZITADEL.
    pub fn oauth_error(self) -> &'static str {
        match self {
            Self::Unspecified | Self::ServerError => "server_error",
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::TemporaryUnavailable => "temporarily_unavailable",
            Self::InteractionRequired => "interaction_required",
            Self::LoginRequired => "login_required",
            Self::AccountSelectionRequired => "account_selection_required",
            Self::ConsentRequired => "consent_required",
            Self::InvalidRequestUri => "invalid_request_uri",
            Self::InvalidRequestObject => "invalid_request_object",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::RegistrationNotSupported => "registration_not_supported",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetAuthRequestRequest {
    pub auth_request_id: String,
}

/// `AuthRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    pub id: String,
    pub creation_date: ProtoTimestamp,
    pub client_id: String,
    pub scope: Vec<String>,
    pub redirect_uri: String,
    pub prompt: Vec<Prompt>,
    pub ui_locales: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<ProtoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint_user_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetAuthRequestResponse {
    pub auth_request: AuthRequest,
}

/// `Session` of the OIDC service: the session that finishes the request, and its token.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackSession {
    pub session_id: String,
    pub session_token: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizationError {
    pub error: ErrorReason,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
}

/// `CreateCallbackRequest`; `session` and `error` are the oneof `callback_kind`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateCallbackRequest {
    pub auth_request_id: String,
    pub session: Option<CallbackSession>,
    pub error: Option<AuthorizationError>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCallbackResponse {
    pub details: Details,
    pub callback_url: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetDeviceAuthorizationRequestRequest {
    pub user_code: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorizationRequest {
    pub id: String,
    pub client_id: String,
    pub scope: Vec<String>,
    pub app_name: String,
    pub project_name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetDeviceAuthorizationRequestResponse {
    pub device_authorization_request: DeviceAuthorizationRequest,
}

/// `AuthorizeOrDenyDeviceAuthorizationRequest`; `session` and `deny` are the oneof `decision`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizeOrDenyDeviceAuthorizationRequest {
    pub device_authorization_id: String,
    pub session: Option<CallbackSession>,
    pub deny: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AuthorizeOrDenyDeviceAuthorizationResponse {}
