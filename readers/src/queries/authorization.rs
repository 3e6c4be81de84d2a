//! Queries on authorizations (user grants), and the project read-model contracts they validate
//! against (`project_roles`, `project_grants`, written by the project projection).

pub mod administrators;

use std::collections::VecDeque;

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;

use super::owner::{self, owner_of};
use super::{Page, Paging, SCAN_PAGE, TextMatch, applied_limit, int, text};
use crate::store::{Columns, ReadError, ReadStore, key};

/// partition: instance id · clustering: authorization id.
pub const AUTHORIZATIONS: &str = "authorizations";
/// partition: (instance id, user id) · clustering: authorization id (column `id` only).
pub const AUTHORIZATIONS_BY_USER: &str = "authorizations_by_user";
/// partition: (instance id, project id) · clustering: authorization id (column `id` only).
pub const AUTHORIZATIONS_BY_PROJECT: &str = "authorizations_by_project";
/// The project read model this module validates against (written by the project projection).
pub use crate::tables::{PROJECT_GRANTS, PROJECT_ROLES, PROJECTS};

#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizationView {
    pub id: String,
    pub user_id: String,
    pub project_id: String,
    /// The granting org.
    pub org_id: String,
    pub project_grant_id: Option<String>,
    pub role_keys: Vec<String>,
    pub active: bool,
    pub created: Timestamp,
    pub changed: Timestamp,
}

fn strings(columns: &Columns, name: &str) -> Vec<String> {
    columns
        .get(name)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

fn to_view(columns: &Columns) -> AuthorizationView {
    AuthorizationView {
        id: text(columns, "id"),
        user_id: text(columns, "user_id"),
        project_id: text(columns, "project_id"),
        org_id: text(columns, "org_id"),
        project_grant_id: Some(text(columns, "project_grant_id")).filter(|g| !g.is_empty()),
        role_keys: strings(columns, "role_keys"),
        active: text(columns, "state") != "inactive",
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
    }
}

pub async fn get_authorization(
    store: &dyn ReadStore,
    instance_id: &str,
    id: &str,
) -> Result<Option<AuthorizationView>, ReadError> {
    Ok(store
        .get(AUTHORIZATIONS, instance_id, id)
        .await?
        .map(|row| to_view(&row.columns)))
}

/// A grant of a project to an org, as the project projection records it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectGrantView {
    pub id: String,
    pub granted_org_id: String,
    pub role_keys: Vec<String>,
    pub active: bool,
}

/// Whether `role_key` is a role of the project.
pub async fn project_has_role(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    role_key: &str,
) -> Result<bool, ReadError> {
    Ok(store
        .get(PROJECT_ROLES, &key(&[instance_id, project_id]), role_key)
        .await?
        .is_some())
}

/// The grant of `project_id` to `org_id`, if the project was granted to that org.
pub async fn grant_to_org(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    org_id: &str,
) -> Result<Option<ProjectGrantView>, ReadError> {
    let partition = key(&[instance_id, project_id]);
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_page(PROJECT_GRANTS, &partition, after.as_deref(), SCAN_PAGE)
            .await?;
        for row in &page.rows {
            if text(&row.columns, "granted_org_id") == org_id {
                let state = text(&row.columns, "state").to_ascii_lowercase();
                return Ok(Some(ProjectGrantView {
                    id: row.clustering.clone(),
                    granted_org_id: org_id.to_owned(),
                    role_keys: strings(&row.columns, "role_keys"),
                    active: !state.contains("inactive"),
                }));
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(None),
        }
    }
}

/// A project's name ("" when the project is unknown).
pub async fn project_name(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
) -> Result<String, ReadError> {
    Ok(store
        .get(PROJECTS, instance_id, project_id)
        .await?
        .map(|row| text(&row.columns, "name"))
        .unwrap_or_default())
}

/// The org a project grant was granted to.
pub async fn granted_org_of(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    grant_id: &str,
) -> Result<Option<String>, ReadError> {
    Ok(store
        .get(PROJECT_GRANTS, &key(&[instance_id, project_id]), grant_id)
        .await?
        .map(|row| text(&row.columns, "granted_org_id")))
}

/// Why an org may not grant roles on a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotGrantable {
    ProjectNotFound,
    /// A role key that is not a role of the project.
    UnknownRole(String),
    /// The org neither owns the project nor holds a grant of it.
    NotGranted,
    /// A role key the org's grant of the project does not include.
    RoleNotInGrant(String),
    /// The org's grant of the project is deactivated.
    GrantInactive,
}

impl NotGrantable {
    pub fn into_error(self) -> DomainError {
        match self {
            Self::ProjectNotFound => DomainError::not_found("AUTHZ-0110", "Project not found"),
            Self::UnknownRole(key) => DomainError::invalid(
                "AUTHZ-0111",
                format!("Role {key:?} does not exist on the project"),
            ),
            Self::NotGranted => DomainError::not_found(
                "AUTHZ-0112",
                "The project is neither owned by nor granted to the organization",
            ),
            Self::RoleNotInGrant(key) => DomainError::invalid(
                "AUTHZ-0113",
                format!("Role {key:?} is not part of the project grant to the organization"),
            ),
            Self::GrantInactive => DomainError::precondition(
                "AUTHZ-0114",
                "The project grant to the organization is deactivated",
            ),
        }
    }
}

/// Whether `org_id` may grant `role_keys` on the project: every key is a role of the project,
/// and an org that does not own the project holds a grant of it including those keys. `Ok(Ok(grant))`
/// names the grant when the org holds the project through one.
pub async fn grantable(
    store: &dyn ReadStore,
    instance_id: &str,
    project_id: &str,
    org_id: &str,
    role_keys: &[String],
) -> Result<Result<Option<String>, NotGrantable>, ReadError> {
    let Some(project) = owner_of(store, instance_id, owner::PROJECT, project_id).await? else {
        return Ok(Err(NotGrantable::ProjectNotFound));
    };
    for role_key in role_keys {
        if !project_has_role(store, instance_id, project_id, role_key).await? {
            return Ok(Err(NotGrantable::UnknownRole(role_key.clone())));
        }
    }
    if project.org_id == org_id {
        return Ok(Ok(None));
    }
    let Some(grant) = grant_to_org(store, instance_id, project_id, org_id).await? else {
        return Ok(Err(NotGrantable::NotGranted));
    };
    if !grant.active {
        return Ok(Err(NotGrantable::GrantInactive));
    }
    if let Some(missing) = role_keys.iter().find(|k| !grant.role_keys.contains(k)) {
        return Ok(Err(NotGrantable::RoleNotInGrant(missing.clone())));
    }
    Ok(Ok(Some(grant.id)))
}

#[derive(Clone, Debug, PartialEq)]
pub enum AuthorizationFilter {
    Ids(Vec<String>),
    UserIds(Vec<String>),
    OrgId(String),
    ProjectId(String),
    ProjectGrantId(String),
    RoleKey(TextMatch, String),
    Active(bool),
}

impl AuthorizationFilter {
    fn keeps(&self, view: &AuthorizationView) -> bool {
        match self {
            Self::Ids(ids) => ids.contains(&view.id),
            Self::UserIds(ids) => ids.contains(&view.user_id),
            Self::OrgId(id) => &view.org_id == id,
            Self::ProjectId(id) => &view.project_id == id,
            Self::ProjectGrantId(id) => view.project_grant_id.as_ref() == Some(id),
            Self::RoleKey(method, pattern) => {
                view.role_keys.iter().any(|k| method.matches(k, pattern))
            }
            Self::Active(active) => view.active == *active,
        }
    }
}

/// Where a list reads from: a partition of the main table, or of an index whose rows name ids.
enum Source {
    Main,
    Index(&'static str, String),
}

/// Authorizations matching every filter that `visible` lets the caller see, paged in id order
/// (ascending, or descending when `paging.asc` is false). A user or project filter reads that
/// index instead of the instance's partition; memory stays bounded by the page asked for.
pub async fn list_authorizations(
    store: &dyn ReadStore,
    instance_id: &str,
    filters: &[AuthorizationFilter],
    paging: Paging,
    visible: impl Fn(&AuthorizationView) -> bool,
) -> Result<Page<AuthorizationView>, ReadError> {
    let mut sources = Vec::new();
    if let Some(ids) = filters.iter().find_map(|f| match f {
        AuthorizationFilter::UserIds(ids) => Some(ids),
        _ => None,
    }) {
        let mut ids = ids.clone();
        ids.sort();
        ids.dedup();
        for id in ids {
            sources.push(Source::Index(
                AUTHORIZATIONS_BY_USER,
                key(&[instance_id, &id]),
            ));
        }
    } else if let Some(id) = filters.iter().find_map(|f| match f {
        AuthorizationFilter::ProjectId(id) => Some(id),
        _ => None,
    }) {
        sources.push(Source::Index(
            AUTHORIZATIONS_BY_PROJECT,
            key(&[instance_id, id]),
        ));
    } else {
        sources.push(Source::Main);
    }
    let limit = applied_limit(paging) as usize;
    let offset = usize::try_from(paging.offset).unwrap_or(usize::MAX);
    let window = offset.saturating_add(limit);
    let mut kept: VecDeque<AuthorizationView> = VecDeque::new();
    let mut total: u64 = 0;
    for source in sources {
        let (table, partition) = match &source {
            Source::Main => (AUTHORIZATIONS, instance_id.to_owned()),
            Source::Index(table, partition) => (*table, partition.clone()),
        };
        let mut after: Option<String> = None;
        loop {
            let page = store
                .scan_page(table, &partition, after.as_deref(), SCAN_PAGE)
                .await?;
            for row in &page.rows {
                let view = match source {
                    Source::Main => to_view(&row.columns),
                    Source::Index(..) => {
                        match get_authorization(store, instance_id, &row.clustering).await? {
                            Some(view) => view,
                            None => continue,
                        }
                    }
                };
                if !filters.iter().all(|f| f.keeps(&view)) || !visible(&view) {
                    continue;
                }
                let index = usize::try_from(total).unwrap_or(usize::MAX);
                total += 1;
                if paging.asc {
                    if index >= offset && index < window {
                        kept.push_back(view);
                    }
                } else {
                    kept.push_back(view);
                    if kept.len() > window {
                        kept.pop_front();
                    }
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    let items = if paging.asc {
        kept.into_iter().collect()
    } else {
        kept.into_iter().rev().skip(offset).take(limit).collect()
    };
    Ok(Page { items, total })
}

#[cfg(test)]
#[path = "authorization_tests.rs"]
mod tests;
