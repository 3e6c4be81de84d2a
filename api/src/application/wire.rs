//! Proto-JSON wire types of `zitadel.application.v2.ApplicationService` (Connect only: the
//! service's protos declare no REST paths).

use serde::{Deserialize, Serialize};

use crate::proto::duration::ProtoDuration;
use crate::proto::json::{PaginationRequest, PaginationResponse, TextFilterMethod, proto_enum};
use crate::proto::timestamp::ProtoTimestamp;
pub use crate::proto::{ChangeDateResponse, DeletionDateResponse};

proto_enum! {
    pub enum OidcResponseType = "zitadel.application.v2.OIDCResponseType" {
        Unspecified = 0 => "OIDC_RESPONSE_TYPE_UNSPECIFIED",
        Code = 1 => "OIDC_RESPONSE_TYPE_CODE",
        IdToken = 2 => "OIDC_RESPONSE_TYPE_ID_TOKEN",
        IdTokenToken = 3 => "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN",
    }
}

proto_enum! {
    pub enum OidcGrantType = "zitadel.application.v2.OIDCGrantType" {
        AuthorizationCode = 0 => "OIDC_GRANT_TYPE_AUTHORIZATION_CODE",
        Implicit = 1 => "OIDC_GRANT_TYPE_IMPLICIT",
        RefreshToken = 2 => "OIDC_GRANT_TYPE_REFRESH_TOKEN",
        DeviceCode = 3 => "OIDC_GRANT_TYPE_DEVICE_CODE",
        TokenExchange = 4 => "OIDC_GRANT_TYPE_TOKEN_EXCHANGE",
    }
}

proto_enum! {
    pub enum OidcAppType = "zitadel.application.v2.OIDCApplicationType" {
        Web = 0 => "OIDC_APP_TYPE_WEB",
        UserAgent = 1 => "OIDC_APP_TYPE_USER_AGENT",
        Native = 2 => "OIDC_APP_TYPE_NATIVE",
    }
}

proto_enum! {
    pub enum OidcAuthMethodType = "zitadel.application.v2.OIDCAuthMethodType" {
        Basic = 0 => "OIDC_AUTH_METHOD_TYPE_BASIC",
        Post = 1 => "OIDC_AUTH_METHOD_TYPE_POST",
        None = 2 => "OIDC_AUTH_METHOD_TYPE_NONE",
        PrivateKeyJwt = 3 => "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT",
    }
}

proto_enum! {
    pub enum OidcVersion = "zitadel.application.v2.OIDCVersion" {
        V1_0 = 0 => "OIDC_VERSION_1_0",
    }
}

proto_enum! {
    pub enum OidcTokenType = "zitadel.application.v2.OIDCTokenType" {
        Bearer = 0 => "OIDC_TOKEN_TYPE_BEARER",
        Jwt = 1 => "OIDC_TOKEN_TYPE_JWT",
    }
}

proto_enum! {
    pub enum ApiAuthMethodType = "zitadel.application.v2.APIAuthMethodType" {
        Basic = 0 => "API_AUTH_METHOD_TYPE_BASIC",
        PrivateKeyJwt = 1 => "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT",
    }
}

proto_enum! {
    pub enum ApplicationState = "zitadel.application.v2.ApplicationState" {
        Unspecified = 0 => "APPLICATION_STATE_UNSPECIFIED",
        Active = 1 => "APPLICATION_STATE_ACTIVE",
        Inactive = 2 => "APPLICATION_STATE_INACTIVE",
        Removed = 3 => "APPLICATION_STATE_REMOVED",
    }
}

proto_enum! {
    pub enum ApplicationType = "zitadel.application.v2.ApplicationType" {
        Unspecified = 0 => "APPLICATION_TYPE_UNSPECIFIED",
        Oidc = 1 => "APPLICATION_TYPE_OIDC",
        Api = 2 => "APPLICATION_TYPE_API",
        Saml = 3 => "APPLICATION_TYPE_SAML",
    }
}

proto_enum! {
    pub enum ApplicationSorting = "zitadel.application.v2.ApplicationSorting" {
        Id = 0 => "APPLICATION_SORT_BY_ID",
        Name = 1 => "APPLICATION_SORT_BY_NAME",
        State = 2 => "APPLICATION_SORT_BY_STATE",
        CreationDate = 3 => "APPLICATION_SORT_BY_CREATION_DATE",
        ChangeDate = 4 => "APPLICATION_SORT_BY_CHANGE_DATE",
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoginV1 {}

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginV2 {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_uri: Option<String>,
}

/// oneof: `loginV1` or `loginV2`.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginVersion {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_v1: Option<LoginV1>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_v2: Option<LoginV2>,
}

/// The OIDC settings of CreateApplication and UpdateApplication (every field optional on update).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OidcRequest {
    pub redirect_uris: Option<Vec<String>>,
    pub response_types: Option<Vec<OidcResponseType>>,
    pub grant_types: Option<Vec<OidcGrantType>>,
    pub application_type: Option<OidcAppType>,
    pub auth_method_type: Option<OidcAuthMethodType>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub version: Option<OidcVersion>,
    pub development_mode: Option<bool>,
    pub access_token_type: Option<OidcTokenType>,
    pub access_token_role_assertion: Option<bool>,
    pub id_token_role_assertion: Option<bool>,
    pub id_token_userinfo_assertion: Option<bool>,
    pub clock_skew: Option<ProtoDuration>,
    pub additional_origins: Option<Vec<String>>,
    pub skip_native_app_success_page: Option<bool>,
    pub back_channel_logout_uri: Option<String>,
    pub login_version: Option<LoginVersion>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiRequest {
    pub auth_method_type: Option<ApiAuthMethodType>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SamlRequest {
    /// bytes: base64.
    pub metadata_xml: Option<String>,
    pub metadata_url: Option<String>,
    pub login_version: Option<LoginVersion>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateApplicationRequest {
    pub project_id: String,
    pub application_id: Option<String>,
    pub name: String,
    pub api_configuration: Option<ApiRequest>,
    pub oidc_configuration: Option<OidcRequest>,
    pub saml_configuration: Option<SamlRequest>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedClient {
    pub client_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_secret: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedSaml {}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApplicationResponse {
    pub application_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_configuration: Option<CreatedClient>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_configuration: Option<CreatedClient>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_configuration: Option<CreatedSaml>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateApplicationRequest {
    pub application_id: String,
    pub project_id: String,
    pub name: Option<String>,
    pub api_configuration: Option<ApiRequest>,
    pub oidc_configuration: Option<OidcRequest>,
    pub saml_configuration: Option<SamlRequest>,
}

/// GetApplication, DeleteApplication, Deactivate/ReactivateApplication, GenerateClientSecret.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationIdRequest {
    pub application_id: String,
    pub project_id: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfiguration {
    pub redirect_uris: Vec<String>,
    pub response_types: Vec<OidcResponseType>,
    pub grant_types: Vec<OidcGrantType>,
    pub application_type: OidcAppType,
    pub client_id: String,
    pub auth_method_type: OidcAuthMethodType,
    pub post_logout_redirect_uris: Vec<String>,
    pub version: OidcVersion,
    pub non_compliant: bool,
    pub development_mode: bool,
    pub access_token_type: OidcTokenType,
    pub access_token_role_assertion: bool,
    pub id_token_role_assertion: bool,
    pub id_token_userinfo_assertion: bool,
    pub clock_skew: ProtoDuration,
    pub additional_origins: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub skip_native_app_success_page: bool,
    pub back_channel_logout_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_version: Option<LoginVersion>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiConfiguration {
    pub client_id: String,
    pub auth_method_type: ApiAuthMethodType,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlConfiguration {
    /// bytes: base64.
    pub metadata_xml: String,
    pub metadata_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_version: Option<LoginVersion>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub application_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<ProtoTimestamp>,
    pub state: ApplicationState,
    pub name: String,
    pub project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_configuration: Option<ApiConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_configuration: Option<OidcConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_configuration: Option<SamlConfiguration>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetApplicationResponse {
    pub application: Application,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NameFilter {
    pub name: String,
    pub method: TextFilterMethod,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectIdFilter {
    pub project_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientIdFilter {
    pub client_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EntityIdFilter {
    pub entity_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationSearchFilter {
    pub name_filter: Option<NameFilter>,
    pub project_id_filter: Option<ProjectIdFilter>,
    pub client_id_filter: Option<ClientIdFilter>,
    pub entity_id_filter: Option<EntityIdFilter>,
    pub state_filter: Option<ApplicationState>,
    pub type_filter: Option<ApplicationType>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListApplicationsRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: ApplicationSorting,
    pub filters: Vec<ApplicationSearchFilter>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListApplicationsResponse {
    pub applications: Vec<Application>,
    pub pagination: PaginationResponse,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeactivateApplicationResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactivateApplicationResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactivation_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateClientSecretResponse {
    pub client_secret: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
}

proto_enum! {
    pub enum ApplicationKeysSorting = "zitadel.application.v2.ApplicationKeysSorting" {
        Id = 0 => "APPLICATION_KEYS_SORT_BY_ID",
        ProjectId = 1 => "APPLICATION_KEYS_SORT_BY_PROJECT_ID",
        ApplicationId = 2 => "APPLICATION_KEYS_SORT_BY_APPLICATION_ID",
        CreationDate = 3 => "APPLICATION_KEYS_SORT_BY_CREATION_DATE",
        OrganizationId = 4 => "APPLICATION_KEYS_SORT_BY_ORGANIZATION_ID",
        Expiration = 5 => "APPLICATION_KEYS_SORT_BY_EXPIRATION",
        Type = 6 => "APPLICATION_KEYS_SORT_BY_TYPE",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateApplicationKeyRequest {
    pub application_id: String,
    pub project_id: String,
    pub expiration_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApplicationKeyResponse {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    /// bytes (base64): ZITADEL's JSON key file, with the private key. Returned only here.
    pub key_details: String,
}

/// GetApplicationKey and DeleteApplicationKey.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationKeyIdRequest {
    pub key_id: String,
    pub application_id: String,
    pub project_id: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetApplicationKeyResponse {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyApplicationIdFilter {
    pub application_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyOrganizationIdFilter {
    pub organization_id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationKeySearchFilter {
    pub application_id_filter: Option<KeyApplicationIdFilter>,
    pub organization_id_filter: Option<KeyOrganizationIdFilter>,
    pub project_id_filter: Option<ProjectIdFilter>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListApplicationKeysRequest {
    pub pagination: Option<PaginationRequest>,
    pub sorting_column: ApplicationKeysSorting,
    pub filters: Vec<ApplicationKeySearchFilter>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationKey {
    pub key_id: String,
    pub application_id: String,
    pub project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<ProtoTimestamp>,
    pub organization_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<ProtoTimestamp>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListApplicationKeysResponse {
    pub keys: Vec<ApplicationKey>,
    pub pagination: PaginationResponse,
}
