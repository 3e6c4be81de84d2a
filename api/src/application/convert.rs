//! Wire configurations ⇄ the domain's application configurations.

use base64::Engine;
use castellan_core::project::app::{
    ApiAuthMethod, LoginVersion as CoreLogin, OidcAppType as CoreAppType, OidcAuthMethod,
    OidcGrantType as CoreGrant, OidcResponseType as CoreResponse, OidcTokenType as CoreToken,
};
use castellan_core::project::{ApiConfig, OidcConfig, SamlConfig};
use castellan_core::{DomainError, ErrorKind};
use castellan_readers::queries::project::AppView;

use super::wire::{
    ApiAuthMethodType, ApiConfiguration, ApiRequest, Application, ApplicationState, LoginV1,
    LoginV2, LoginVersion, OidcAppType, OidcAuthMethodType, OidcConfiguration, OidcGrantType,
    OidcRequest, OidcResponseType, OidcTokenType, OidcVersion, SamlConfiguration, SamlRequest,
};
use crate::proto::duration::ProtoDuration;
use crate::support::timestamp;

fn login(version: Option<&LoginVersion>) -> Result<Option<(CoreLogin, String)>, DomainError> {
    let Some(version) = version else {
        return Ok(None);
    };
    match (&version.login_v1, &version.login_v2) {
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "API-0013",
            "loginVersion must set only one of loginV1 and loginV2",
        )),
        (Some(_), None) => Ok(Some((CoreLogin::V1, String::new()))),
        (None, Some(v2)) => Ok(Some((
            CoreLogin::V2,
            v2.base_uri.clone().unwrap_or_default(),
        ))),
        (None, None) => Ok(Some((CoreLogin::Unspecified, String::new()))),
    }
}

fn login_wire(version: CoreLogin, base_uri: &str) -> Option<LoginVersion> {
    match version {
        CoreLogin::Unspecified => None,
        CoreLogin::V1 => Some(LoginVersion {
            login_v1: Some(LoginV1 {}),
            login_v2: None,
        }),
        CoreLogin::V2 => Some(LoginVersion {
            login_v1: None,
            login_v2: Some(LoginV2 {
                base_uri: Some(base_uri.to_owned()).filter(|u| !u.is_empty()),
            }),
        }),
    }
}

fn response_type(t: OidcResponseType) -> Result<CoreResponse, DomainError> {
    match t {
        OidcResponseType::Code => Ok(CoreResponse::Code),
        OidcResponseType::IdToken => Ok(CoreResponse::IdToken),
        OidcResponseType::IdTokenToken => Ok(CoreResponse::IdTokenToken),
        OidcResponseType::Unspecified => Err(DomainError::invalid(
            "APP-0026",
            "OIDC_RESPONSE_TYPE_UNSPECIFIED is not a response type",
        )),
    }
}

fn grant_type(t: OidcGrantType) -> CoreGrant {
    match t {
        OidcGrantType::AuthorizationCode => CoreGrant::AuthorizationCode,
        OidcGrantType::Implicit => CoreGrant::Implicit,
        OidcGrantType::RefreshToken => CoreGrant::RefreshToken,
        OidcGrantType::DeviceCode => CoreGrant::DeviceCode,
        OidcGrantType::TokenExchange => CoreGrant::TokenExchange,
    }
}

/// Applies the set fields of `request` onto `base` (defaults for a new app).
pub fn oidc(request: &OidcRequest, mut base: OidcConfig) -> Result<OidcConfig, DomainError> {
    if let Some(uris) = &request.redirect_uris {
        base.redirect_uris.clone_from(uris);
    }
    if let Some(types) = &request.response_types {
        base.response_types = types
            .iter()
            .map(|t| response_type(*t))
            .collect::<Result<_, _>>()?;
    }
    if let Some(types) = &request.grant_types {
        base.grant_types = types.iter().map(|t| grant_type(*t)).collect();
    }
    if let Some(kind) = request.application_type {
        base.app_type = match kind {
            OidcAppType::Web => CoreAppType::Web,
            OidcAppType::UserAgent => CoreAppType::UserAgent,
            OidcAppType::Native => CoreAppType::Native,
        };
    }
    if let Some(method) = request.auth_method_type {
        base.auth_method = match method {
            OidcAuthMethodType::Basic => OidcAuthMethod::Basic,
            OidcAuthMethodType::Post => OidcAuthMethod::Post,
            OidcAuthMethodType::None => OidcAuthMethod::None,
            OidcAuthMethodType::PrivateKeyJwt => OidcAuthMethod::PrivateKeyJwt,
        };
    }
    if let Some(uris) = &request.post_logout_redirect_uris {
        base.post_logout_redirect_uris.clone_from(uris);
    }
    if let Some(dev) = request.development_mode {
        base.dev_mode = dev;
    }
    if let Some(kind) = request.access_token_type {
        base.access_token_type = match kind {
            OidcTokenType::Bearer => CoreToken::Bearer,
            OidcTokenType::Jwt => CoreToken::Jwt,
        };
    }
    if let Some(v) = request.access_token_role_assertion {
        base.access_token_role_assertion = v;
    }
    if let Some(v) = request.id_token_role_assertion {
        base.id_token_role_assertion = v;
    }
    if let Some(v) = request.id_token_userinfo_assertion {
        base.id_token_userinfo_assertion = v;
    }
    if let Some(skew) = request.clock_skew {
        base.clock_skew_micros = skew.as_micros();
    }
    if let Some(origins) = &request.additional_origins {
        base.additional_origins.clone_from(origins);
    }
    if let Some(v) = request.skip_native_app_success_page {
        base.skip_native_app_success_page = v;
    }
    if let Some(uri) = &request.back_channel_logout_uri {
        base.back_channel_logout_uri = uri.trim().to_owned();
    }
    if let Some((version, uri)) = login(request.login_version.as_ref())? {
        base.login_version = version;
        base.login_base_uri = uri;
    }
    Ok(base)
}

pub fn api(request: &ApiRequest, mut base: ApiConfig) -> ApiConfig {
    if let Some(method) = request.auth_method_type {
        base.auth_method = match method {
            ApiAuthMethodType::Basic => ApiAuthMethod::Basic,
            ApiAuthMethodType::PrivateKeyJwt => ApiAuthMethod::PrivateKeyJwt,
        };
    }
    base
}

/// SAML metadata is taken as XML only: fetching `metadataUrl` needs the SSRF-protected
/// outbound HTTP client, which does not exist yet.
pub fn saml(request: &SamlRequest, mut base: SamlConfig) -> Result<SamlConfig, DomainError> {
    let url = request.metadata_url.as_deref().map(str::trim).unwrap_or("");
    if !url.is_empty() {
        return Err(DomainError::new(
            ErrorKind::Unimplemented,
            "APP-0027",
            "metadataUrl is not supported yet (outbound fetches need the SSRF-protected client): send metadataXml",
        ));
    }
    if let Some(encoded) = &request.metadata_xml {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(encoded.trim()))
            .map_err(|_| DomainError::invalid("APP-0028", "metadataXml must be base64"))?;
        base.metadata_xml = String::from_utf8(bytes)
            .map_err(|_| DomainError::invalid("APP-0029", "metadataXml must be UTF-8 XML"))?;
    }
    if let Some((version, uri)) = login(request.login_version.as_ref())? {
        base.login_version = version;
        base.login_base_uri = uri;
    }
    Ok(base)
}

/// `scheme://host[:port]` of each redirect URI, then the additional origins, deduplicated.
fn allowed_origins(config: &OidcConfig) -> Vec<String> {
    let mut origins: Vec<String> = Vec::new();
    let redirect_origins = config.redirect_uris.iter().filter_map(|uri| {
        let (scheme, rest) = uri.split_once("://")?;
        let host = rest.split(['/', '?', '#']).next()?;
        Some(format!("{scheme}://{host}"))
    });
    for origin in redirect_origins.chain(config.additional_origins.iter().cloned()) {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

fn oidc_wire(config: &OidcConfig) -> OidcConfiguration {
    OidcConfiguration {
        redirect_uris: config.redirect_uris.clone(),
        response_types: config
            .response_types
            .iter()
            .map(|t| match t {
                CoreResponse::Code => OidcResponseType::Code,
                CoreResponse::IdToken => OidcResponseType::IdToken,
                CoreResponse::IdTokenToken => OidcResponseType::IdTokenToken,
            })
            .collect(),
        grant_types: config
            .grant_types
            .iter()
            .map(|t| match t {
                CoreGrant::AuthorizationCode => OidcGrantType::AuthorizationCode,
                CoreGrant::Implicit => OidcGrantType::Implicit,
                CoreGrant::RefreshToken => OidcGrantType::RefreshToken,
                CoreGrant::DeviceCode => OidcGrantType::DeviceCode,
                CoreGrant::TokenExchange => OidcGrantType::TokenExchange,
            })
            .collect(),
        application_type: match config.app_type {
            CoreAppType::Web => OidcAppType::Web,
            CoreAppType::UserAgent => OidcAppType::UserAgent,
            CoreAppType::Native => OidcAppType::Native,
        },
        client_id: config.client_id.clone(),
        auth_method_type: match config.auth_method {
            OidcAuthMethod::Basic => OidcAuthMethodType::Basic,
            OidcAuthMethod::Post => OidcAuthMethodType::Post,
            OidcAuthMethod::None => OidcAuthMethodType::None,
            OidcAuthMethod::PrivateKeyJwt => OidcAuthMethodType::PrivateKeyJwt,
        },
        post_logout_redirect_uris: config.post_logout_redirect_uris.clone(),
        version: OidcVersion::V1_0,
        non_compliant: false,
        development_mode: config.dev_mode,
        access_token_type: match config.access_token_type {
            CoreToken::Bearer => OidcTokenType::Bearer,
            CoreToken::Jwt => OidcTokenType::Jwt,
        },
        access_token_role_assertion: config.access_token_role_assertion,
        id_token_role_assertion: config.id_token_role_assertion,
        id_token_userinfo_assertion: config.id_token_userinfo_assertion,
        clock_skew: ProtoDuration::from_micros(config.clock_skew_micros),
        additional_origins: config.additional_origins.clone(),
        allowed_origins: allowed_origins(config),
        skip_native_app_success_page: config.skip_native_app_success_page,
        back_channel_logout_uri: config.back_channel_logout_uri.clone(),
        login_version: login_wire(config.login_version, &config.login_base_uri),
    }
}

pub fn to_wire(view: AppView) -> Application {
    let config = &view.config;
    Application {
        application_id: view.id.clone(),
        creation_date: Some(timestamp(view.created)),
        change_date: Some(timestamp(view.changed)),
        state: if view.active {
            ApplicationState::Active
        } else {
            ApplicationState::Inactive
        },
        name: view.name.clone(),
        project_id: view.project_id.clone(),
        api_configuration: config.api.as_ref().map(|a| ApiConfiguration {
            client_id: a.client_id.clone(),
            auth_method_type: match a.auth_method {
                ApiAuthMethod::Basic => ApiAuthMethodType::Basic,
                ApiAuthMethod::PrivateKeyJwt => ApiAuthMethodType::PrivateKeyJwt,
            },
        }),
        oidc_configuration: config.oidc.as_ref().map(oidc_wire),
        saml_configuration: config.saml.as_ref().map(|s| SamlConfiguration {
            metadata_xml: base64::engine::general_purpose::STANDARD.encode(&s.metadata_xml),
            metadata_url: String::new(),
            login_version: login_wire(s.login_version, &s.login_base_uri),
        }),
    }
}
