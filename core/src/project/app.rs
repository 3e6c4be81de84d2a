//! Applications of a project: OIDC, API and SAML clients, validated as ZITADEL validates them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Project, ProjectEvent, validate_name};
use crate::clock::Timestamp;
use crate::error::DomainError;
use crate::event::Decision;

pub const MAX_SAML_METADATA_LEN: usize = 500_000;
/// ZITADEL allows at most five seconds of clock skew.
pub const MAX_CLOCK_SKEW_MICROS: i64 = 5_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcResponseType {
    Code,
    IdToken,
    IdTokenToken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcGrantType {
    AuthorizationCode,
    Implicit,
    RefreshToken,
    DeviceCode,
    TokenExchange,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcAppType {
    #[default]
    Web,
    UserAgent,
    Native,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcAuthMethod {
    #[default]
    Basic,
    Post,
    None,
    PrivateKeyJwt,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OidcTokenType {
    #[default]
    Bearer,
    Jwt,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiAuthMethod {
    #[default]
    Basic,
    PrivateKeyJwt,
}

/// Which login UI an app uses: unspecified, v1, or v2 (with its base URI).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginVersion {
    #[default]
    Unspecified,
    V1,
    V2,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcConfig {
    pub client_id: String,
    pub redirect_uris: Vec<String>,
    pub response_types: Vec<OidcResponseType>,
    pub grant_types: Vec<OidcGrantType>,
    pub app_type: OidcAppType,
    pub auth_method: OidcAuthMethod,
    pub post_logout_redirect_uris: Vec<String>,
    pub dev_mode: bool,
    pub access_token_type: OidcTokenType,
    pub access_token_role_assertion: bool,
    pub id_token_role_assertion: bool,
    pub id_token_userinfo_assertion: bool,
    pub clock_skew_micros: i64,
    pub additional_origins: Vec<String>,
    pub skip_native_app_success_page: bool,
    pub back_channel_logout_uri: String,
    pub login_version: LoginVersion,
    pub login_base_uri: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiConfig {
    pub client_id: String,
    pub auth_method: ApiAuthMethod,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlConfig {
    /// The service provider's metadata XML, as given.
    pub metadata_xml: String,
    /// The `entityID` of the metadata.
    pub entity_id: String,
    pub login_version: LoginVersion,
    pub login_base_uri: String,
}

/// Exactly one member is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppConfig {
    pub oidc: Option<OidcConfig>,
    pub api: Option<ApiConfig>,
    pub saml: Option<SamlConfig>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AppState {
    #[default]
    Active,
    Inactive,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Application {
    pub name: String,
    pub state: AppState,
    pub config: AppConfig,
    pub secret_hash: Option<String>,
    /// Key id → expiration.
    pub keys: BTreeMap<String, Option<Timestamp>>,
    /// Key id → public key (SPKI PEM), for `private_key_jwt` client authentication.
    pub public_keys: BTreeMap<String, String>,
}

impl Application {
    pub fn client_id(&self) -> &str {
        if let Some(oidc) = &self.config.oidc {
            &oidc.client_id
        } else if let Some(api) = &self.config.api {
            &api.client_id
        } else {
            ""
        }
    }
}

impl AppConfig {
    /// Whether the client authenticates with a secret (and so gets one).
    pub fn uses_secret(&self) -> bool {
        self.oidc
            .as_ref()
            .is_some_and(|o| matches!(o.auth_method, OidcAuthMethod::Basic | OidcAuthMethod::Post))
            || self
                .api
                .as_ref()
                .is_some_and(|a| a.auth_method == ApiAuthMethod::Basic)
    }
}

pub(super) fn apply(project: &mut Project, event: &ProjectEvent) {
    match event {
        ProjectEvent::ApplicationAdded {
            app_id,
            name,
            config,
            secret_hash,
        } => {
            project.apps.insert(
                app_id.clone(),
                Application {
                    name: name.clone(),
                    state: AppState::Active,
                    config: config.clone(),
                    secret_hash: secret_hash.clone(),
                    keys: BTreeMap::new(),
                    public_keys: BTreeMap::new(),
                },
            );
        }
        ProjectEvent::ApplicationChanged {
            app_id,
            name,
            config,
        } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.name.clone_from(name);
                app.config = config.clone();
            }
        }
        ProjectEvent::ApplicationDeactivated { app_id } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.state = AppState::Inactive;
            }
        }
        ProjectEvent::ApplicationReactivated { app_id } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.state = AppState::Active;
            }
        }
        ProjectEvent::ApplicationRemoved { app_id, .. } => {
            project.apps.remove(app_id);
        }
        ProjectEvent::ApplicationSecretChanged {
            app_id,
            secret_hash,
        } => {
            if let Some(app) = project.apps.get_mut(app_id) {
                app.secret_hash = Some(secret_hash.clone());
            }
        }
        _ => {}
    }
}

/// An absolute URI: a scheme (letter, then letters, digits, `+`, `-`, `.`), a colon and a
/// non-empty rest without spaces; `http(s)` URIs need a host.
pub fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        let Some(authority) = rest.strip_prefix("//") else {
            return false;
        };
        let host = authority.split(['/', '?', '#']).next().unwrap_or_default();
        return !host.is_empty() && !host.starts_with(':');
    }
    true
}

fn invalid_uri(code: &'static str, what: &str, uri: &str) -> DomainError {
    DomainError::invalid(code, format!("{what} {uri:?} is not an absolute URI"))
}

fn is_http(uri: &str) -> bool {
    uri.get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("http://"))
}

/// Applies ZITADEL's rules to an OIDC configuration and fills its defaults.
pub fn validate_oidc(mut config: OidcConfig) -> Result<OidcConfig, DomainError> {
    if config.response_types.is_empty() {
        config.response_types = vec![OidcResponseType::Code];
    }
    if config.grant_types.is_empty() {
        config.grant_types = vec![OidcGrantType::AuthorizationCode];
    }
    config.response_types.dedup();
    config.grant_types.dedup();
    let has_grant = |grant| config.grant_types.contains(&grant);
    if config.response_types.contains(&OidcResponseType::Code)
        && !has_grant(OidcGrantType::AuthorizationCode)
    {
        return Err(DomainError::invalid(
            "APP-0001",
            "Response type CODE requires the AUTHORIZATION_CODE grant type",
        ));
    }
    let implicit = config.response_types.iter().any(|t| {
        matches!(
            t,
            OidcResponseType::IdToken | OidcResponseType::IdTokenToken
        )
    });
    if implicit && !has_grant(OidcGrantType::Implicit) {
        return Err(DomainError::invalid(
            "APP-0002",
            "Response types ID_TOKEN and ID_TOKEN_TOKEN require the IMPLICIT grant type",
        ));
    }
    if config.auth_method == OidcAuthMethod::None && !has_grant(OidcGrantType::AuthorizationCode) {
        return Err(DomainError::invalid(
            "APP-0003",
            "Auth method NONE (PKCE) requires the AUTHORIZATION_CODE grant type",
        ));
    }
    if config.app_type != OidcAppType::Web
        && matches!(
            config.auth_method,
            OidcAuthMethod::Basic | OidcAuthMethod::Post
        )
    {
        return Err(DomainError::invalid(
            "APP-0004",
            "User agent and native apps cannot keep a client secret: use auth method NONE or PRIVATE_KEY_JWT",
        ));
    }
    for uri in &config.redirect_uris {
        if !is_absolute_uri(uri) {
            return Err(invalid_uri("APP-0005", "Redirect URI", uri));
        }
        if config.app_type != OidcAppType::Native && is_http(uri) && !config.dev_mode {
            return Err(DomainError::invalid(
                "APP-0006",
                format!("Redirect URI {uri:?} uses http: only allowed in development mode"),
            ));
        }
    }
    for uri in &config.post_logout_redirect_uris {
        if !is_absolute_uri(uri) {
            return Err(invalid_uri("APP-0007", "Post logout redirect URI", uri));
        }
    }
    for origin in &config.additional_origins {
        if !is_absolute_uri(origin) {
            return Err(invalid_uri("APP-0008", "Additional origin", origin));
        }
    }
    if !config.back_channel_logout_uri.is_empty()
        && !is_absolute_uri(&config.back_channel_logout_uri)
    {
        return Err(invalid_uri(
            "APP-0009",
            "Back channel logout URI",
            &config.back_channel_logout_uri,
        ));
    }
    if !config.login_base_uri.is_empty() && !is_absolute_uri(&config.login_base_uri) {
        return Err(invalid_uri(
            "APP-0010",
            "Login base URI",
            &config.login_base_uri,
        ));
    }
    if !(0..=MAX_CLOCK_SKEW_MICROS).contains(&config.clock_skew_micros) {
        return Err(DomainError::invalid(
            "APP-0011",
            "Clock skew must be between 0s and 5s",
        ));
    }
    Ok(config)
}

/// Checks SAML metadata and reads its `entityID`.
pub fn validate_saml(mut config: SamlConfig) -> Result<SamlConfig, DomainError> {
    let xml = config.metadata_xml.trim();
    if xml.is_empty() || xml.len() > MAX_SAML_METADATA_LEN {
        return Err(DomainError::invalid(
            "APP-0012",
            "SAML metadata XML is required (at most 500 kB)",
        ));
    }
    if !xml.contains("EntityDescriptor") {
        return Err(DomainError::invalid(
            "APP-0013",
            "SAML metadata must contain an EntityDescriptor",
        ));
    }
    let entity_id = xml
        .split_once("entityID=")
        .and_then(|(_, rest)| {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            rest.get(1..)?.split(quote).next()
        })
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            DomainError::invalid("APP-0014", "SAML metadata has no entityID attribute")
        })?;
    config.entity_id = entity_id.to_owned();
    if !config.login_base_uri.is_empty() && !is_absolute_uri(&config.login_base_uri) {
        return Err(invalid_uri(
            "APP-0010",
            "Login base URI",
            &config.login_base_uri,
        ));
    }
    Ok(config)
}

fn validate_config(config: AppConfig) -> Result<AppConfig, DomainError> {
    let set = [
        config.oidc.is_some(),
        config.api.is_some(),
        config.saml.is_some(),
    ]
    .iter()
    .filter(|s| **s)
    .count();
    if set != 1 {
        return Err(DomainError::invalid(
            "APP-0015",
            "Exactly one of oidc, api and saml configuration must be set",
        ));
    }
    Ok(AppConfig {
        oidc: config.oidc.map(validate_oidc).transpose()?,
        api: config.api,
        saml: config.saml.map(validate_saml).transpose()?,
    })
}

fn require_app<'a>(state: &'a Project, app_id: &str) -> Result<&'a Application, DomainError> {
    state.require_exists()?;
    state
        .apps
        .get(app_id)
        .ok_or_else(|| DomainError::not_found("APP-0016", "Application not found"))
}

/// The client id ZITADEL gives an app: `<app id>@<project name>`, lower-cased, spaces as `_`.
pub fn client_id(app_id: &str, project_name: &str) -> String {
    format!(
        "{app_id}@{}",
        project_name.trim().to_lowercase().replace(' ', "_")
    )
}

/// CreateApplication. The client id is set here; `secret_hash` must be given exactly when the
/// configuration uses a secret ([`AppConfig::uses_secret`]).
pub fn add_app(
    state: &Project,
    app_id: &str,
    name: &str,
    config: AppConfig,
    secret_hash: Option<String>,
) -> Result<Decision<ProjectEvent>, DomainError> {
    state.require_exists()?;
    if state.apps.contains_key(app_id) {
        return Err(DomainError::already_exists(
            "APP-0017",
            "Application already exists",
        ));
    }
    let name = validate_name(name, "Application")?;
    if state
        .apps
        .values()
        .any(|a| a.name.eq_ignore_ascii_case(&name))
    {
        return Err(DomainError::already_exists(
            "APP-0018",
            "An application of this name already exists in the project",
        ));
    }
    let mut config = validate_config(config)?;
    let client = client_id(app_id, &state.settings.name);
    if let Some(oidc) = config.oidc.as_mut() {
        oidc.client_id = client.clone();
    }
    if let Some(api) = config.api.as_mut() {
        api.client_id = client;
    }
    let secret_hash = if config.uses_secret() {
        Some(secret_hash.ok_or_else(|| {
            DomainError::internal("APP-0019", "a confidential client needs a secret")
        })?)
    } else {
        None
    };
    Ok(Decision::of(ProjectEvent::ApplicationAdded {
        app_id: app_id.to_owned(),
        name,
        config,
        secret_hash,
    }))
}

/// UpdateApplication: a new name and/or a new configuration of the app's own kind.
pub fn change_app(
    state: &Project,
    app_id: &str,
    name: Option<&str>,
    config: AppConfig,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let app = require_app(state, app_id)?;
    let name = match name {
        Some(name) => validate_name(name, "Application")?,
        None => app.name.clone(),
    };
    if state
        .apps
        .iter()
        .any(|(id, a)| id != app_id && a.name.eq_ignore_ascii_case(&name))
    {
        return Err(DomainError::already_exists(
            "APP-0018",
            "An application of this name already exists in the project",
        ));
    }
    let kind_mismatch = (config.oidc.is_some() && app.config.oidc.is_none())
        || (config.api.is_some() && app.config.api.is_none())
        || (config.saml.is_some() && app.config.saml.is_none());
    if kind_mismatch {
        return Err(DomainError::invalid(
            "APP-0020",
            "The configuration does not match the application's type",
        ));
    }
    let merged = AppConfig {
        oidc: config.oidc.or_else(|| app.config.oidc.clone()),
        api: config.api.or_else(|| app.config.api.clone()),
        saml: config.saml.or_else(|| app.config.saml.clone()),
    };
    let mut merged = validate_config(merged)?;
    // The client id stays.
    if let (Some(new), Some(old)) = (merged.oidc.as_mut(), app.config.oidc.as_ref()) {
        new.client_id.clone_from(&old.client_id);
    }
    if let (Some(new), Some(old)) = (merged.api.as_mut(), app.config.api.as_ref()) {
        new.client_id.clone_from(&old.client_id);
    }
    if merged.uses_secret() && app.secret_hash.is_none() {
        return Err(DomainError::precondition(
            "APP-0021",
            "Switching to a secret-based auth method needs a secret: call GenerateClientSecret after changing it",
        ));
    }
    if name == app.name && merged == app.config {
        return Err(DomainError::precondition(
            "APP-0022",
            "Application has not changed",
        ));
    }
    Ok(Decision::of(ProjectEvent::ApplicationChanged {
        app_id: app_id.to_owned(),
        name,
        config: merged,
    }))
}

pub fn deactivate_app(
    state: &Project,
    app_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let app = require_app(state, app_id)?;
    if app.state == AppState::Inactive {
        return Err(DomainError::precondition(
            "APP-0023",
            "Application is already deactivated",
        ));
    }
    Ok(Decision::of(ProjectEvent::ApplicationDeactivated {
        app_id: app_id.to_owned(),
    }))
}

pub fn reactivate_app(
    state: &Project,
    app_id: &str,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let app = require_app(state, app_id)?;
    if app.state == AppState::Active {
        return Err(DomainError::precondition(
            "APP-0024",
            "Application is already active",
        ));
    }
    Ok(Decision::of(ProjectEvent::ApplicationReactivated {
        app_id: app_id.to_owned(),
    }))
}

/// DeleteApplication: its keys go first (one event each, so readers forget them).
pub fn remove_app(state: &Project, app_id: &str) -> Result<Decision<ProjectEvent>, DomainError> {
    let app = require_app(state, app_id)?;
    let mut decision = Decision::default();
    decision
        .events
        .extend(super::key::removals(app_id, app.keys.keys().cloned()));
    decision.events.push(ProjectEvent::ApplicationRemoved {
        app_id: app_id.to_owned(),
        client_id: app.client_id().to_owned(),
    });
    Ok(decision)
}

/// GenerateClientSecret: only for apps that authenticate with a secret.
pub fn change_secret(
    state: &Project,
    app_id: &str,
    secret_hash: String,
) -> Result<Decision<ProjectEvent>, DomainError> {
    let app = require_app(state, app_id)?;
    if !app.config.uses_secret() {
        return Err(DomainError::precondition(
            "APP-0025",
            "The application does not authenticate with a client secret",
        ));
    }
    Ok(Decision::of(ProjectEvent::ApplicationSecretChanged {
        app_id: app_id.to_owned(),
        secret_hash,
    }))
}
