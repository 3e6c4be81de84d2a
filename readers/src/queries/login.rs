//! Finding users by login name: the username, or `username@<org domain>`.

use super::org::list_domains;
use super::user::{UserView, get_user};
use crate::store::{ReadError, ReadStore, key};
use crate::tables::USERNAMES;

/// The users whose username is `username` (case-insensitive): one, or one per org where
/// usernames are org-scoped.
pub async fn by_username(
    store: &dyn ReadStore,
    instance_id: &str,
    username: &str,
) -> Result<Vec<UserView>, ReadError> {
    let mut users = Vec::new();
    for row in store
        .scan(USERNAMES, &key(&[instance_id, &username.to_lowercase()]))
        .await?
    {
        if let Some(user) = get_user(store, instance_id, &row.clustering).await?
            && user.username.eq_ignore_ascii_case(username)
        {
            users.push(user);
        }
    }
    Ok(users)
}

/// The user a login name names, if exactly one does. `username@domain` names the user of that
/// username in the org owning the domain, when the username alone is not a user's.
pub async fn user_by_login_name(
    store: &dyn ReadStore,
    instance_id: &str,
    login_name: &str,
) -> Result<Option<UserView>, ReadError> {
    let login_name = login_name.trim();
    if login_name.is_empty() {
        return Ok(None);
    }
    let mut found = by_username(store, instance_id, login_name).await?;
    if found.is_empty()
        && let Some((username, domain)) = login_name.rsplit_once('@')
    {
        for user in by_username(store, instance_id, username).await? {
            let domains = list_domains(store, instance_id, &user.org_id, "").await?;
            if domains
                .iter()
                .any(|d| d.domain.eq_ignore_ascii_case(domain))
            {
                found.push(user);
            }
        }
    }
    Ok(if found.len() == 1 { found.pop() } else { None })
}
