//! Claims about the user (OIDC Core §5.1 and ZITADEL's reserved claims), chosen by scope: the
//! same set feeds userinfo, introspection and — when the app asks for it — the ID token.

use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_readers::queries::org::get_org;
use castellan_readers::queries::user::{UserKindView, get_user, list_metadata};
use castellan_readers::queries::{MAX_LIMIT, Paging};
use serde_json::{Map, Value, json};

use castellan_api::error::read_error;

pub const SCOPE_RESOURCE_OWNER: &str = "urn:zitadel:iam:user:resourceowner";
pub const SCOPE_METADATA: &str = "urn:zitadel:iam:user:metadata";
pub const SCOPE_AUDIENCE_PREFIX: &str = "urn:zitadel:iam:org:project:id:";

/// The user's claims for these scopes; `None` when the user no longer exists.
pub async fn user_claims(
    state: &AppState,
    instance_id: &str,
    user_id: &str,
    scopes: &[String],
) -> Result<Option<Map<String, Value>>, DomainError> {
    let store = state.store();
    let Some(user) = get_user(store, instance_id, user_id)
        .await
        .map_err(read_error)?
    else {
        return Ok(None);
    };
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
    Ok(Some(claims))
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

#[cfg(test)]
mod tests {
    use super::*;

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
