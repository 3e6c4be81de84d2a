//! Queries on projects, their roles, applications and grants. Lists walk their partition page
//! by page ([`super::walk`]) and never hold a whole tenant.

use castellan_core::clock::Timestamp;
use castellan_core::project::{AppConfig, PrivateLabeling};

use super::{Page, Paging, TextMatch, corrupt, int, text, walk};
use crate::store::{Columns, ReadError, ReadStore, Row, key};
use crate::tables::{
    APPLICATION_CLIENT_IDS, APPLICATION_KEYS, APPLICATIONS, PROJECT_GRANTS,
    PROJECT_GRANTS_BY_INSTANCE, PROJECT_GRANTS_BY_ORG, PROJECT_ROLES, PROJECTS, PROJECTS_BY_NAME,
};

/// The owner-table kind of application keys (for access checks on a key id).
pub const APPLICATION_KEY: &str = "application_key";

fn flag(columns: &Columns, name: &str) -> bool {
    columns
        .get(name)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn active(columns: &Columns) -> bool {
    text(columns, "state") != "inactive"
}

fn strings(columns: &Columns, name: &str) -> Vec<String> {
    columns
        .get(name)
        .and_then(|v| v.as_array())
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Where a caller may look: instance-wide, or only these orgs, projects and grants.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Visibility {
    #[default]
    All,
    Only {
        orgs: Vec<String>,
        projects: Vec<String>,
        grants: Vec<String>,
    },
}

impl Visibility {
    fn sees(&self, org_id: &str, project_id: &str, grant_id: Option<&str>) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Only {
                orgs,
                projects,
                grants,
            } => {
                orgs.iter().any(|o| o == org_id)
                    || projects.iter().any(|p| p == project_id)
                    || grant_id.is_some_and(|g| grants.iter().any(|x| x == g))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// projects
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectView {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub active: bool,
    pub project_role_assertion: bool,
    pub authorization_required: bool,
    pub project_access_required: bool,
    pub private_labeling_setting: PrivateLabeling,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
}

fn project_view(columns: &Columns) -> ProjectView {
    ProjectView {
        id: text(columns, "id"),
        org_id: text(columns, "org_id"),
        name: text(columns, "name"),
        active: active(columns),
        project_role_assertion: flag(columns, "project_role_assertion"),
        authorization_required: flag(columns, "authorization_required"),
        project_access_required: flag(columns, "project_access_required"),
        private_labeling_setting: columns
            .get("private_labeling_setting")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default(),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
        sequence: int(columns, "sequence"),
    }
}

pub async fn get_project(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
) -> Result<Option<ProjectView>, ReadError> {
    Ok(store
        .get(PROJECTS, instance_id, project_id)
        .await?
        .map(|row| project_view(&row.columns)))
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProjectFilter {
    Name(TextMatch, String),
    Ids(Vec<String>),
    /// Owned by this org.
    OwnedBy(String),
    /// Among these project ids (e.g. those granted to an org), or owned by `or_owned_by`.
    GrantedOrOwned {
        granted: Vec<String>,
        or_owned_by: Option<String>,
    },
}

/// The order of a project list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProjectSort {
    /// Id order: creation order for generated ids.
    #[default]
    Id,
    /// Name order (case-insensitive), through the by-name index.
    Name,
}

fn project_matches(
    filters: &[ProjectFilter],
    visibility: &Visibility,
    id: &str,
    org_id: &str,
    name: &str,
) -> bool {
    visibility.sees(org_id, id, None)
        && filters.iter().all(|filter| match filter {
            ProjectFilter::Name(method, pattern) => method.matches(name, pattern),
            ProjectFilter::Ids(ids) => ids.iter().any(|i| i == id),
            ProjectFilter::OwnedBy(org) => org == org_id,
            ProjectFilter::GrantedOrOwned {
                granted,
                or_owned_by,
            } => granted.iter().any(|g| g == id) || or_owned_by.as_deref() == Some(org_id),
        })
}

/// Projects filtered and narrowed, in id or name order.
pub async fn list_projects(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[ProjectFilter],
    visibility: &Visibility,
    sort: ProjectSort,
    paging: Paging,
) -> Result<Page<ProjectView>, ReadError> {
    if sort == ProjectSort::Id {
        return walk(store, PROJECTS, instance_id, paging, |row| {
            let project = project_view(&row.columns);
            let keep = project_matches(
                filters,
                visibility,
                &project.id,
                &project.org_id,
                &project.name,
            );
            Ok(keep.then_some(project))
        })
        .await;
    }
    // The index holds what the filters need; the page's projects are read one by one.
    let ids = walk(store, PROJECTS_BY_NAME, instance_id, paging, |row| {
        let id = text(&row.columns, "id");
        let keep = project_matches(
            filters,
            visibility,
            &id,
            &text(&row.columns, "org_id"),
            &text(&row.columns, "name"),
        );
        Ok(keep.then_some(id))
    })
    .await?;
    let mut items = Vec::with_capacity(ids.items.len());
    for id in &ids.items {
        if let Some(project) = get_project(store, instance_id, id).await? {
            items.push(project);
        }
    }
    Ok(Page {
        items,
        total: ids.total,
    })
}

// ---------------------------------------------------------------------------------------------
// roles
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct RoleView {
    pub key: String,
    pub display_name: String,
    pub group: String,
    pub created: Timestamp,
    pub changed: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RoleFilter {
    Key(TextMatch, String),
    DisplayName(TextMatch, String),
}

/// A project's roles in key order.
pub async fn list_roles(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    filters: &[RoleFilter],
    paging: Paging,
) -> Result<Page<RoleView>, ReadError> {
    let partition = key(&[instance_id, project_id]);
    walk(store, PROJECT_ROLES, &partition, paging, |row| {
        let role = RoleView {
            key: text(&row.columns, "key"),
            display_name: text(&row.columns, "display_name"),
            group: text(&row.columns, "group"),
            created: Timestamp(int(&row.columns, "created")),
            changed: Timestamp(int(&row.columns, "changed")),
        };
        let keep = filters.iter().all(|filter| match filter {
            RoleFilter::Key(method, pattern) => method.matches(&role.key, pattern),
            RoleFilter::DisplayName(method, pattern) => method.matches(&role.display_name, pattern),
        });
        Ok(keep.then_some(role))
    })
    .await
}

/// Every role key of a project.
pub async fn project_role_keys(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
) -> Result<Vec<String>, ReadError> {
    let partition = key(&[instance_id, project_id]);
    let mut keys = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(
                PROJECT_ROLES,
                &partition,
                after.as_deref(),
                super::SCAN_PAGE,
            )
            .await?;
        keys.extend(page.rows.iter().map(|row| row.clustering.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(keys)
}

// ---------------------------------------------------------------------------------------------
// project grants
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct GrantView {
    pub id: String,
    pub project_id: String,
    /// The org that owns the project (and granted it).
    pub org_id: String,
    pub granted_org_id: String,
    pub role_keys: Vec<String>,
    pub active: bool,
    pub created: Timestamp,
    pub changed: Timestamp,
}

fn grant_view(row: &Row) -> GrantView {
    let columns = &row.columns;
    GrantView {
        id: text(columns, "id"),
        project_id: text(columns, "project_id"),
        org_id: text(columns, "org_id"),
        granted_org_id: text(columns, "granted_org_id"),
        role_keys: strings(columns, "role_keys"),
        active: active(columns),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
    }
}

/// The grant of a project to an org: its id and role keys.
pub async fn project_grant_for_org(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    granted_org_id: &str,
) -> Result<Option<(String, Vec<String>)>, ReadError> {
    let partition = key(&[instance_id, project_id]);
    let Some(index) = store
        .get(PROJECT_GRANTS_BY_ORG, &partition, granted_org_id)
        .await?
    else {
        return Ok(None);
    };
    let grant_id = text(&index.columns, "grant_id");
    let Some(row) = store.get(PROJECT_GRANTS, &partition, &grant_id).await? else {
        return Ok(None);
    };
    Ok(Some((grant_id, strings(&row.columns, "role_keys"))))
}

#[derive(Clone, Debug, PartialEq)]
pub enum GrantFilter {
    ProjectIds(Vec<String>),
    GrantedOrg(String),
    /// The org that owns the project.
    Org(String),
    RoleKey(TextMatch, String),
}

/// Project grants across the instance, ordered by (project id, grant id).
pub async fn list_grants(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[GrantFilter],
    visibility: &Visibility,
    paging: Paging,
) -> Result<Page<GrantView>, ReadError> {
    walk(
        store,
        PROJECT_GRANTS_BY_INSTANCE,
        instance_id,
        paging,
        |row| {
            let grant = grant_view(row);
            let keep = visibility.sees(&grant.org_id, &grant.project_id, Some(&grant.id))
                && filters.iter().all(|filter| match filter {
                    GrantFilter::ProjectIds(ids) => ids.contains(&grant.project_id),
                    GrantFilter::GrantedOrg(org) => &grant.granted_org_id == org,
                    GrantFilter::Org(org) => &grant.org_id == org,
                    GrantFilter::RoleKey(method, pattern) => {
                        grant.role_keys.iter().any(|k| method.matches(k, pattern))
                    }
                });
            Ok(keep.then_some(grant))
        },
    )
    .await
}

/// The ids of the projects granted to `org_id`.
pub async fn projects_granted_to(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<Vec<String>, ReadError> {
    let paging = Paging {
        offset: 0,
        limit: super::MAX_LIMIT,
        asc: true,
    };
    let page = list_grants(
        store,
        instance_id,
        &[GrantFilter::GrantedOrg(org_id.to_owned())],
        &Visibility::All,
        paging,
    )
    .await?;
    Ok(page.items.into_iter().map(|g| g.project_id).collect())
}

// ---------------------------------------------------------------------------------------------
// applications
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct AppView {
    pub id: String,
    pub project_id: String,
    pub org_id: String,
    pub name: String,
    pub active: bool,
    pub config: AppConfig,
    pub client_id: String,
    pub entity_id: String,
    pub created: Timestamp,
    pub changed: Timestamp,
}

fn app_view(row: &Row) -> Result<AppView, ReadError> {
    let columns = &row.columns;
    let config = columns
        .get("config")
        .cloned()
        .ok_or_else(|| corrupt("an application's config"))
        .and_then(|v| {
            serde_json::from_value(v).map_err(|e| ReadError::Backend(format!("app config: {e}")))
        })?;
    Ok(AppView {
        id: text(columns, "id"),
        project_id: text(columns, "project_id"),
        org_id: text(columns, "org_id"),
        name: text(columns, "name"),
        active: active(columns),
        config,
        client_id: text(columns, "client_id"),
        entity_id: text(columns, "entity_id"),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
    })
}

pub async fn get_app(
    store: &dyn ReadStore,
    instance_id: &str,
    app_id: &str,
) -> Result<Option<AppView>, ReadError> {
    match store.get(APPLICATIONS, instance_id, app_id).await? {
        Some(row) => app_view(&row).map(Some),
        None => Ok(None),
    }
}

/// The application with this OIDC/API client id.
pub async fn app_by_client_id(
    store: &dyn ReadStore,
    instance_id: &str,
    client_id: &str,
) -> Result<Option<AppView>, ReadError> {
    let Some(index) = store
        .get(APPLICATION_CLIENT_IDS, instance_id, client_id)
        .await?
    else {
        return Ok(None);
    };
    get_app(store, instance_id, &text(&index.columns, "app_id")).await
}

#[derive(Clone, Debug, PartialEq)]
pub enum AppFilter {
    Name(TextMatch, String),
    ProjectId(String),
    ClientId(String),
    EntityId(String),
    Active(bool),
    /// "oidc", "api" or "saml".
    Kind(&'static str),
}

fn kind(config: &AppConfig) -> &'static str {
    if config.oidc.is_some() {
        "oidc"
    } else if config.api.is_some() {
        "api"
    } else {
        "saml"
    }
}

/// Applications across the instance in id order, filtered and narrowed.
pub async fn list_apps(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[AppFilter],
    visibility: &Visibility,
    paging: Paging,
) -> Result<Page<AppView>, ReadError> {
    walk(store, APPLICATIONS, instance_id, paging, |row| {
        let app = app_view(row)?;
        let keep = visibility.sees(&app.org_id, &app.project_id, None)
            && filters.iter().all(|filter| match filter {
                AppFilter::Name(method, pattern) => method.matches(&app.name, pattern),
                AppFilter::ProjectId(id) => &app.project_id == id,
                AppFilter::ClientId(id) => &app.client_id == id,
                AppFilter::EntityId(id) => &app.entity_id == id,
                AppFilter::Active(active) => app.active == *active,
                AppFilter::Kind(wanted) => kind(&app.config) == *wanted,
            });
        Ok(keep.then_some(app))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// application keys
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct KeyView {
    pub id: String,
    pub app_id: String,
    pub project_id: String,
    pub org_id: String,
    pub expiration: Option<Timestamp>,
    pub created: Timestamp,
}

fn key_view(row: &Row) -> KeyView {
    let columns = &row.columns;
    KeyView {
        id: text(columns, "id"),
        app_id: text(columns, "app_id"),
        project_id: text(columns, "project_id"),
        org_id: text(columns, "org_id"),
        expiration: columns
            .get("expiration")
            .and_then(serde_json::Value::as_i64)
            .map(Timestamp),
        created: Timestamp(int(columns, "created")),
    }
}

pub async fn get_key(
    store: &dyn ReadStore,
    instance_id: &str,
    key_id: &str,
) -> Result<Option<KeyView>, ReadError> {
    Ok(store
        .get(APPLICATION_KEYS, instance_id, key_id)
        .await?
        .map(|row| key_view(&row)))
}

#[derive(Clone, Debug, PartialEq)]
pub enum KeyFilter {
    AppId(String),
    ProjectId(String),
    OrgId(String),
}

/// Application keys across the instance in id order, filtered and narrowed.
pub async fn list_keys(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[KeyFilter],
    visibility: &Visibility,
    paging: Paging,
) -> Result<Page<KeyView>, ReadError> {
    walk(store, APPLICATION_KEYS, instance_id, paging, |row| {
        let key = key_view(row);
        let keep = visibility.sees(&key.org_id, &key.project_id, None)
            && filters.iter().all(|filter| match filter {
                KeyFilter::AppId(id) => &key.app_id == id,
                KeyFilter::ProjectId(id) => &key.project_id == id,
                KeyFilter::OrgId(id) => &key.org_id == id,
            });
        Ok(keep.then_some(key))
    })
    .await
}

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;
