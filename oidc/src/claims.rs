//! Claims about the user (OIDC Core §5.1 and ZITADEL's reserved claims), chosen by scope: the
//! same set feeds userinfo, introspection and — when the app asks for it — the ID token.

use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_readers::queries::group::{GroupView, groups_of_user};
use castellan_readers::queries::org::get_org;
use castellan_readers::queries::user::{UserKindView, UserView, get_user, list_metadata};
use castellan_readers::queries::{MAX_LIMIT, Paging};
use serde_json::{Map, Value, json};

use castellan_api::error::read_error;

pub const SCOPE_RESOURCE_OWNER: &str = "urn:zitadel:iam:user:resourceowner";
pub const SCOPE_METADATA: &str = "urn:zitadel:iam:user:metadata";
pub const SCOPE_AUDIENCE_PREFIX: &str = "urn:zitadel:iam:org:project:id:";
/// ZITADEL's reserved scope for the user's groups; the claim has the same name.
pub const SCOPE_GROUPS: &str = "groups";

/// The user's claims for these scopes; `None` when the user no longer exists.
pub async fn user_claims(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    scopes: &[String],
) -> Result<Option<Map<String, Value>>, DomainError> {
    let Some(user) = get_user(state.store(), instance_id, user_id)
        .await
        .map_err(read_error)?
    else {
        return Ok(None);
    };
    claims_of_user(state, instance_id, &user, scopes)
        .await
        .map(Some)
}

/// The claims of a user already read (e.g. by the token verification) for these scopes.
pub async fn claims_of_user(
    state: &AppState,
    instance_id: &str,
    user: &UserView,
    scopes: &[String],
) -> Result<Map<String, Value>, DomainError> {
    let store = state.store();
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    if has("profile") {
        let name = if user.kind == UserKindView::Machine {
            user.name.clone()
        } else if user.display_name.is_empty() {
            format!("{} {}", user.given_name, user.family_name)
                .trim()
                .to_owned()
        } else {
            user.display_name.clone()
        };
        claims.insert("name".into(), json!(name));
        if user.kind == UserKindView::Human {
            claims.insert("given_name".into(), json!(user.given_name));
            claims.insert("family_name".into(), json!(user.family_name));
            if !user.nick_name.is_empty() {
                claims.insert("nickname".into(), json!(user.nick_name));
            }
            if !user.preferred_language.is_empty() {
                claims.insert("locale".into(), json!(user.preferred_language));
            }
        }
        claims.insert("preferred_username".into(), json!(user.login_name));
        claims.insert(
            "updated_at".into(),
            json!(user.changed.0.div_euclid(1_000_000)),
        );
    }
    if has("email") && user.kind == UserKindView::Human {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(user.email_verified));
    }
    if has("phone") && !user.phone.is_empty() {
        claims.insert("phone_number".into(), json!(user.phone));
        claims.insert("phone_number_verified".into(), json!(user.phone_verified));
    }
    if has(SCOPE_RESOURCE_OWNER) {
        claims.insert(
            "urn:zitadel:iam:user:resourceowner:id".into(),
            json!(user.org_id),
        );
        if let Some(org) = get_org(store, instance_id, &user.org_id)
            .await
            .map_err(read_error)?
        {
            claims.insert(
                "urn:zitadel:iam:user:resourceowner:name".into(),
                json!(org.name),
            );
            claims.insert(
                "urn:zitadel:iam:user:resourceowner:primary_domain".into(),
                json!(org.primary_domain),
            );
        }
    }
    if has(SCOPE_METADATA) {
        let paging = Paging {
            offset: 0,
            limit: MAX_LIMIT,
            asc: true,
        };
        let metadata = list_metadata(store, instance_id, &user.id, None, paging)
            .await
            .map_err(read_error)?
            .items;
        if !metadata.is_empty() {
            let map: Map<String, Value> = metadata
                .into_iter()
                .map(|entry| (entry.key, json!(entry.value)))
                .collect();
            claims.insert(SCOPE_METADATA.into(), Value::Object(map));
        }
    }
    if has(SCOPE_GROUPS) {
        let groups = groups_of_user(store, instance_id, &user.id)
            .await
            .map_err(read_error)?;
        if !groups.is_empty() {
            claims.insert(SCOPE_GROUPS.into(), groups_claim(&groups));
        }
    }
    Ok(claims)
}

/// The `groups` claim as ZITADEL encodes it (RFC 9068 with SCIM's group values, RFC 7643
/// §4.1.2): `[{"value": "<group id>", "display": "<group name>"}]`.
fn groups_claim(groups: &[GroupView]) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|group| json!({"value": group.id, "display": group.name}))
            .collect(),
    )
}

/// The audience of a grant: the client's project and the client itself, plus every project
/// named by an `urn:zitadel:iam:org:project:id:{id}:aud` scope (`zitadel` stands for the API).
pub fn audience(
    client_id: &str,
    project_id: &str,
    scopes: &[String],
    instance_id: &str,
) -> Vec<String> {
    let mut audience = vec![project_id.to_owned(), client_id.to_owned()];
    for scope in scopes {
        if let Some(id) = scope
            .strip_prefix(SCOPE_AUDIENCE_PREFIX)
            .and_then(|rest| rest.strip_suffix(":aud"))
        {
            let id = if id == "zitadel" {
                castellan_api::auth::api_audience(instance_id)
            } else {
                id.to_owned()
            };
            if !id.is_empty() && !audience.contains(&id) {
                audience.push(id);
            }
        }
    }
    audience
}

pub const SCOPE_ALL_PROJECT_ROLES: &str = "urn:zitadel:iam:org:projects:roles";
pub const SCOPE_ROLE_PREFIX: &str = "urn:zitadel:iam:org:project:role:";
pub const SCOPE_ROLES_OF_ORG_PREFIX: &str = "urn:zitadel:iam:org:roles:id:";
pub const ROLES_CLAIM: &str = "urn:zitadel:iam:org:project:roles";

/// Whether the scopes ask for role claims.
pub fn wants_roles(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| s == SCOPE_ALL_PROJECT_ROLES || s.starts_with(SCOPE_ROLE_PREFIX))
}

/// ZITADEL's role claims for the user's active authorizations on `project_id`:
/// `{"<role>": {"<granting org id>": "<org primary domain>"}}`, under
/// `urn:zitadel:iam:org:project:roles` and `urn:zitadel:iam:org:project:<project>:roles`.
/// `urn:zitadel:iam:org:project:role:<key>` scopes narrow the roles to those keys (unless all
/// project roles are asked for); `urn:zitadel:iam:org:roles:id:<org>` scopes narrow the
/// granting orgs.
pub async fn role_claims(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    project_id: &str,
    scopes: &[String],
) -> Result<Map<String, Value>, DomainError> {
    use castellan_readers::queries::authorization::{AuthorizationFilter, list_authorizations};
    let store = state.store();
    let filters = [
        AuthorizationFilter::UserIds(vec![user_id.to_owned()]),
        AuthorizationFilter::ProjectId(project_id.to_owned()),
        AuthorizationFilter::Active(true),
    ];
    let paging = Paging {
        offset: 0,
        limit: MAX_LIMIT,
        asc: true,
    };
    let authorizations = list_authorizations(store, instance_id, &filters, paging, |_| true)
        .await
        .map_err(read_error)?
        .items;
    let all = scopes.iter().any(|s| s == SCOPE_ALL_PROJECT_ROLES);
    let keys: Vec<&str> = scopes
        .iter()
        .filter_map(|s| s.strip_prefix(SCOPE_ROLE_PREFIX))
        .collect();
    let orgs: Vec<&str> = scopes
        .iter()
        .filter_map(|s| s.strip_prefix(SCOPE_ROLES_OF_ORG_PREFIX))
        .collect();
    let mut roles: Map<String, Value> = Map::new();
    for authorization in authorizations {
        if !orgs.is_empty() && !orgs.contains(&authorization.org_id.as_str()) {
            continue;
        }
        let domain = get_org(store, instance_id, &authorization.org_id)
            .await
            .map_err(read_error)?
            .map(|org| org.primary_domain)
            .unwrap_or_default();
        for key in &authorization.role_keys {
            if !all && !keys.is_empty() && !keys.contains(&key.as_str()) {
                continue;
            }
            if let Value::Object(granted) = roles
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()))
            {
                granted.insert(authorization.org_id.clone(), json!(domain));
            }
        }
    }
    let mut claims = Map::new();
    if !roles.is_empty() {
        claims.insert(ROLES_CLAIM.into(), Value::Object(roles.clone()));
        claims.insert(
            format!("urn:zitadel:iam:org:project:{project_id}:roles"),
            Value::Object(roles),
        );
    }
    Ok(claims)
}

/// The project of an application client (none for machine users acting as clients).
pub async fn project_of_client(
    state: &AppState,
    instance_id: &str,
    client_id: &str,
) -> Result<Option<String>, DomainError> {
    Ok(
        castellan_readers::queries::project::app_by_client_id(
            state.store(),
            instance_id,
            client_id,
        )
        .await
        .map_err(read_error)?
        .map(|app| app.project_id),
    )
}

/// Role claims for a grant's client when the scopes ask for them.
pub async fn requested_role_claims(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    client_id: &str,
    scopes: &[String],
) -> Result<Map<String, Value>, DomainError> {
    if !wants_roles(scopes) {
        return Ok(Map::new());
    }
    match project_of_client(state, instance_id, client_id).await? {
        Some(project) => role_claims(state, instance_id, user_id, &project, scopes).await,
        None => Ok(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_values_with_display_names() {
        let group = |id: &str, name: &str| GroupView {
            id: id.into(),
            org_id: "o".into(),
            name: name.into(),
            description: String::new(),
            external_id: String::new(),
            created: castellan_core::clock::Timestamp(0),
            changed: castellan_core::clock::Timestamp(0),
            sequence: 1,
        };
        assert_eq!(
            groups_claim(&[group("g1", "Admins"), group("g2", "Staff")]),
            json!([{"value": "g1", "display": "Admins"}, {"value": "g2", "display": "Staff"}])
        );
    }

    #[test]
    fn audience_adds_requested_projects_and_the_api() {
        let scopes = vec![
            "openid".to_owned(),
            "urn:zitadel:iam:org:project:id:zitadel:aud".to_owned(),
            "urn:zitadel:iam:org:project:id:p2:aud".to_owned(),
            "urn:zitadel:iam:org:project:id:p1:aud".to_owned(),
        ];
        assert_eq!(
            audience("client", "p1", &scopes, "inst"),
            vec!["p1", "client", "inst", "p2"]
        );
    }
}
