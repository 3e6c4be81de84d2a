//! Handlers of the ApplicationService.

use castellan_core::DomainError;
use castellan_core::permission::PROJECT_APP_READ;
use castellan_core::project::app::{self as core_app, AppConfig};
use castellan_core::project::{ApiConfig, OidcConfig, Project, SamlConfig};
use castellan_readers::queries::TextMatch;
use castellan_readers::queries::project::{self as queries, AppFilter};
use castellan_writer::commands::project::OnProject;
use castellan_writer::secrets::new_bearer_token;

use super::convert;
use super::wire::{
    ApplicationIdRequest, ApplicationSorting, ApplicationState, ApplicationType,
    ChangeDateResponse, CreateApplicationRequest, CreateApplicationResponse, CreatedClient,
    CreatedSaml, DeactivateApplicationResponse, DeletionDateResponse, GenerateClientSecretResponse,
    GetApplicationResponse, ListApplicationsRequest, ListApplicationsResponse,
    ReactivateApplicationResponse, UpdateApplicationRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::project::{one_filter, pagination, paging, visibility};
use crate::state::AppState;
use crate::support::{committed_at, execute, require_id};

fn not_found() -> DomainError {
    DomainError::not_found("APP-0016", "Application not found")
}

/// The project of the application the access check resolved; a `projectId` in the request
/// must name the same project.
fn app_project(caller: &Caller, requested: &str) -> Result<String, DomainError> {
    let project_id = caller
        .target
        .as_ref()
        .and_then(|t| t.project_id.clone())
        .ok_or_else(not_found)?;
    let requested = requested.trim();
    if !requested.is_empty() && requested != project_id {
        return Err(not_found());
    }
    Ok(project_id)
}

pub async fn create_application(
    state: AppState,
    caller: Caller,
    request: CreateApplicationRequest,
) -> Result<CreateApplicationResponse, DomainError> {
    let project_id = require_id(&request.project_id, "project_id")?;
    let app_id = match &request.application_id {
        Some(id) => require_id(id, "application_id")?,
        None => state.writer.next_id(),
    };
    one_filter(
        &[
            request.oidc_configuration.is_some(),
            request.api_configuration.is_some(),
            request.saml_configuration.is_some(),
        ],
        "exactly one of oidcConfiguration, apiConfiguration and samlConfiguration must be set",
    )?;
    let config = AppConfig {
        oidc: request
            .oidc_configuration
            .as_ref()
            .map(|o| convert::oidc(o, OidcConfig::default()))
            .transpose()?,
        api: request
            .api_configuration
            .as_ref()
            .map(|a| convert::api(a, ApiConfig::default())),
        saml: request
            .saml_configuration
            .as_ref()
            .map(|s| convert::saml(s, SamlConfig::default()))
            .transpose()?,
    };
    let (secret, hash) = if config.uses_secret() {
        let (secret, hash) = new_bearer_token();
        (secret, Some(hash))
    } else {
        (String::new(), None)
    };
    let name = request.name.clone();
    let decide = |current: &Project| {
        core_app::add_app(current, &app_id, &name, config.clone(), hash.clone())
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    let client_id = queries::get_app(state.store(), &caller.instance.id, &app_id)
        .await
        .map_err(read_error)?
        .map(|app| app.client_id)
        .unwrap_or_else(|| core_app::client_id(&app_id, ""));
    let client = || CreatedClient {
        client_id: client_id.clone(),
        client_secret: secret.clone(),
    };
    Ok(CreateApplicationResponse {
        application_id: app_id.clone(),
        creation_date: committed_at(&committed),
        api_configuration: config.api.as_ref().map(|_| client()),
        oidc_configuration: config.oidc.as_ref().map(|_| client()),
        saml_configuration: config.saml.as_ref().map(|_| CreatedSaml {}),
    })
}

pub async fn get_application(
    state: AppState,
    caller: Caller,
    request: ApplicationIdRequest,
) -> Result<GetApplicationResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let app = queries::get_app(state.store(), &caller.instance.id, &app_id)
        .await
        .map_err(read_error)?
        .ok_or_else(not_found)?;
    Ok(GetApplicationResponse {
        application: convert::to_wire(app),
    })
}

pub async fn list_applications(
    state: AppState,
    caller: Caller,
    request: ListApplicationsRequest,
) -> Result<ListApplicationsResponse, DomainError> {
    let mut filters = Vec::with_capacity(request.filters.len());
    for filter in &request.filters {
        one_filter(
            &[
                filter.name_filter.is_some(),
                filter.project_id_filter.is_some(),
                filter.client_id_filter.is_some(),
                filter.entity_id_filter.is_some(),
                filter.state_filter.is_some(),
                filter.type_filter.is_some(),
            ],
            "an application filter must set exactly one filter",
        )?;
        if let Some(name) = &filter.name_filter {
            filters.push(AppFilter::Name(
                TextMatch::from(name.method),
                name.name.clone(),
            ));
        }
        if let Some(project) = &filter.project_id_filter {
            filters.push(AppFilter::ProjectId(project.project_id.trim().to_owned()));
        }
        if let Some(client) = &filter.client_id_filter {
            filters.push(AppFilter::ClientId(client.client_id.trim().to_owned()));
        }
        if let Some(entity) = &filter.entity_id_filter {
            filters.push(AppFilter::EntityId(entity.entity_id.trim().to_owned()));
        }
        match filter.state_filter {
            Some(ApplicationState::Active) => filters.push(AppFilter::Active(true)),
            Some(ApplicationState::Inactive) => filters.push(AppFilter::Active(false)),
            // Removed apps are never listed.
            Some(ApplicationState::Removed) => filters.push(AppFilter::ClientId("\u{1f}".into())),
            Some(ApplicationState::Unspecified) | None => {}
        }
        match filter.type_filter {
            Some(ApplicationType::Oidc) => filters.push(AppFilter::Kind("oidc")),
            Some(ApplicationType::Api) => filters.push(AppFilter::Kind("api")),
            Some(ApplicationType::Saml) => filters.push(AppFilter::Kind("saml")),
            Some(ApplicationType::Unspecified) | None => {}
        }
    }
    // Applications come in id order (creation order for generated ids).
    let column_named = request.sorting_column != ApplicationSorting::Id;
    let paging = paging(request.pagination.as_ref(), column_named);
    let page = queries::list_apps(
        state.store(),
        &caller.instance.id,
        &filters,
        &visibility(&caller, PROJECT_APP_READ),
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListApplicationsResponse {
        pagination: pagination(page.total, paging),
        applications: page.items.into_iter().map(convert::to_wire).collect(),
    })
}

pub async fn update_application(
    state: AppState,
    caller: Caller,
    request: UpdateApplicationRequest,
) -> Result<ChangeDateResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let project_id = app_project(&caller, &request.project_id)?;
    let set = [
        request.oidc_configuration.is_some(),
        request.api_configuration.is_some(),
        request.saml_configuration.is_some(),
    ];
    if set.iter().filter(|s| **s).count() > 1 {
        return Err(DomainError::invalid(
            "API-0013",
            "set at most one of oidcConfiguration, apiConfiguration and samlConfiguration",
        ));
    }
    let decide = |current: &Project| {
        let app = current.apps.get(&app_id).ok_or_else(not_found)?;
        let mut patch = AppConfig::default();
        if let Some(oidc) = &request.oidc_configuration {
            let base = app.config.oidc.clone().ok_or_else(wrong_kind)?;
            patch.oidc = Some(convert::oidc(oidc, base)?);
        }
        if let Some(api) = &request.api_configuration {
            let base = app.config.api.clone().ok_or_else(wrong_kind)?;
            patch.api = Some(convert::api(api, base));
        }
        if let Some(saml) = &request.saml_configuration {
            let base = app.config.saml.clone().ok_or_else(wrong_kind)?;
            patch.saml = Some(convert::saml(saml, base)?);
        }
        core_app::change_app(current, &app_id, request.name.as_deref(), patch)
    };
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ChangeDateResponse {
        change_date: committed_at(&committed),
    })
}

fn wrong_kind() -> DomainError {
    DomainError::invalid(
        "APP-0020",
        "The configuration does not match the application's type",
    )
}

pub async fn delete_application(
    state: AppState,
    caller: Caller,
    request: ApplicationIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let project_id = app_project(&caller, &request.project_id)?;
    let decide = |current: &Project| core_app::remove_app(current, &app_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

pub async fn deactivate_application(
    state: AppState,
    caller: Caller,
    request: ApplicationIdRequest,
) -> Result<DeactivateApplicationResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let project_id = app_project(&caller, &request.project_id)?;
    let decide = |current: &Project| core_app::deactivate_app(current, &app_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(DeactivateApplicationResponse {
        deactivation_date: committed_at(&committed),
    })
}

pub async fn reactivate_application(
    state: AppState,
    caller: Caller,
    request: ApplicationIdRequest,
) -> Result<ReactivateApplicationResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let project_id = app_project(&caller, &request.project_id)?;
    let decide = |current: &Project| core_app::reactivate_app(current, &app_id);
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(ReactivateApplicationResponse {
        reactivation_date: committed_at(&committed),
    })
}

/// A new secret, returned once; only its hash is stored.
pub async fn generate_client_secret(
    state: AppState,
    caller: Caller,
    request: ApplicationIdRequest,
) -> Result<GenerateClientSecretResponse, DomainError> {
    let app_id = require_id(&request.application_id, "application_id")?;
    let project_id = app_project(&caller, &request.project_id)?;
    let (secret, hash) = new_bearer_token();
    let decide = |current: &Project| core_app::change_secret(current, &app_id, hash.clone());
    let committed = execute(&state, &caller, &OnProject::new(&project_id, decide)).await?;
    Ok(GenerateClientSecretResponse {
        client_secret: secret,
        creation_date: committed_at(&committed),
    })
}
