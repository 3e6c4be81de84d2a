//! Queries of the login and token read models (see `projections::oidc`).

use std::collections::BTreeMap;

use castellan_core::clock::Timestamp;
use castellan_core::oidc::grant::NewGrant;
use castellan_core::web_key::WebKeyAlgorithm;

use super::{Page, Paging, corrupt, int, text, walk};
use crate::store::{ReadError, ReadStore, Row, key};
use crate::tables::{
    ACCESS_TOKENS, DEVICE_USER_CODES, GRANTS, GRANTS_BY_SESSION, SESSIONS, WEB_KEYS,
};

#[derive(Clone, Debug, PartialEq)]
pub struct SessionView {
    pub id: String,
    pub user_id: String,
    pub org_id: String,
    pub token_hash: String,
    pub user_checked_at: Option<Timestamp>,
    pub password_checked_at: Option<Timestamp>,
    pub totp_checked_at: Option<Timestamp>,
    pub metadata: BTreeMap<String, String>,
    pub expiration: Option<Timestamp>,
    pub user_agent: String,
    pub creator: String,
    pub created: Timestamp,
    pub changed: Timestamp,
    pub sequence: i64,
}

fn optional_time(row: &Row, name: &str) -> Option<Timestamp> {
    row.columns
        .get(name)
        .and_then(serde_json::Value::as_i64)
        .map(Timestamp)
}

fn session_view(row: &Row) -> SessionView {
    let columns = &row.columns;
    let metadata = columns
        .iter()
        .filter_map(|(name, value)| {
            let key = name.strip_prefix("metadata:")?;
            Some((key.to_owned(), value.as_str()?.to_owned()))
        })
        .collect();
    SessionView {
        id: row.clustering.clone(),
        user_id: text(columns, "user_id"),
        org_id: text(columns, "org_id"),
        token_hash: text(columns, "token_hash"),
        user_checked_at: optional_time(row, "user_checked_at"),
        password_checked_at: optional_time(row, "password_checked_at"),
        totp_checked_at: optional_time(row, "totp_checked_at"),
        metadata,
        expiration: optional_time(row, "expiration"),
        user_agent: text(columns, "user_agent"),
        creator: text(columns, "creator"),
        created: Timestamp(int(columns, "created")),
        changed: Timestamp(int(columns, "changed")),
        sequence: int(columns, "sequence"),
    }
}

impl SessionView {
    /// Not terminated (its row would be gone) and not expired.
    pub fn active(&self, now: Timestamp) -> bool {
        self.expiration.is_none_or(|at| at > now)
    }
}

/// A session of the instance, expired ones included (callers check [`SessionView::active`]).
pub async fn session(
    store: &dyn ReadStore,
    instance_id: &str,
    session_id: &str,
) -> Result<Option<SessionView>, ReadError> {
    Ok(store
        .get(SESSIONS, instance_id, session_id)
        .await?
        .map(|row| session_view(&row)))
}

/// Sessions matching `select`, page by page (ListSessions).
pub async fn list_sessions(
    store: &dyn ReadStore,
    instance_id: &str,
    paging: Paging,
    mut select: impl FnMut(&SessionView) -> bool,
) -> Result<Page<SessionView>, ReadError> {
    walk(store, SESSIONS, instance_id, paging, |row| {
        let view = session_view(row);
        Ok(select(&view).then_some(view))
    })
    .await
}

/// An active grant.
pub async fn grant(
    store: &dyn ReadStore,
    instance_id: &str,
    grant_id: &str,
) -> Result<Option<NewGrant>, ReadError> {
    let Some(row) = store
        .get(GRANTS, &key(&[instance_id, grant_id]), "")
        .await?
    else {
        return Ok(None);
    };
    let value = row
        .columns
        .get("grant")
        .cloned()
        .ok_or_else(|| corrupt("grant"))?;
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| ReadError::Backend(format!("grant row: {e}")))
}

/// The grants a login session produced (some may have ended since).
pub async fn grants_of_session(
    store: &dyn ReadStore,
    instance_id: &str,
    session_id: &str,
) -> Result<Vec<(String, String)>, ReadError> {
    Ok(store
        .scan(GRANTS_BY_SESSION, &key(&[instance_id, session_id]))
        .await?
        .into_iter()
        .map(|row| (row.clustering, text(&row.columns, "client_id")))
        .collect())
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccessTokenView {
    pub token_id: String,
    pub grant_id: String,
    pub token_hash: String,
    pub scopes: Vec<String>,
    pub expiration: Timestamp,
    pub created: Timestamp,
}

/// An access token that is not revoked (expiry is the caller's check).
pub async fn access_token(
    store: &dyn ReadStore,
    instance_id: &str,
    token_id: &str,
) -> Result<Option<AccessTokenView>, ReadError> {
    let Some(row) = store
        .get(ACCESS_TOKENS, &key(&[instance_id, token_id]), "")
        .await?
    else {
        return Ok(None);
    };
    let columns = &row.columns;
    Ok(Some(AccessTokenView {
        token_id: token_id.to_owned(),
        grant_id: text(columns, "grant_id"),
        token_hash: text(columns, "token_hash"),
        scopes: columns
            .get("scopes")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default(),
        expiration: Timestamp(int(columns, "expiration")),
        created: Timestamp(int(columns, "created")),
    }))
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebKeyView {
    pub id: String,
    pub algorithm: WebKeyAlgorithm,
    /// "initial", "active" or "inactive".
    pub state: String,
    pub public_jwk: serde_json::Value,
    pub sealed_private_key: String,
    pub created: Timestamp,
    pub changed: Timestamp,
}

/// Every web key of the instance, in key id order.
pub async fn web_keys(
    store: &dyn ReadStore,
    instance_id: &str,
) -> Result<Vec<WebKeyView>, ReadError> {
    store
        .scan(WEB_KEYS, instance_id)
        .await?
        .into_iter()
        .map(|row| {
            let columns = &row.columns;
            let algorithm = columns
                .get("algorithm")
                .cloned()
                .ok_or_else(|| corrupt("a web key's algorithm"))
                .and_then(|v| {
                    serde_json::from_value(v)
                        .map_err(|e| ReadError::Backend(format!("web key algorithm: {e}")))
                })?;
            Ok(WebKeyView {
                id: row.clustering.clone(),
                algorithm,
                state: text(columns, "state"),
                public_jwk: columns
                    .get("public_jwk")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
                sealed_private_key: text(columns, "sealed_private_key"),
                created: Timestamp(int(columns, "created")),
                changed: Timestamp(int(columns, "changed")),
            })
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeviceCodeView {
    pub device_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Timestamp,
}

/// The device authorization a user code names, while it has not expired.
pub async fn device_by_user_code(
    store: &dyn ReadStore,
    instance_id: &str,
    user_code: &str,
    now: Timestamp,
) -> Result<Option<DeviceCodeView>, ReadError> {
    let Some(row) = store
        .get(DEVICE_USER_CODES, &key(&[instance_id, user_code]), "")
        .await?
    else {
        return Ok(None);
    };
    let columns = &row.columns;
    let view = DeviceCodeView {
        device_id: text(columns, "device_id"),
        client_id: text(columns, "client_id"),
        scopes: columns
            .get("scopes")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default(),
        expires_at: Timestamp(int(columns, "expires_at")),
    };
    Ok((view.expires_at > now).then_some(view))
}
