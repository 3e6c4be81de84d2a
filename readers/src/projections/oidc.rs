//! The login and token read models: sessions, grants and their access tokens, web keys and open
//! device authorizations. Security checks (introspection, userinfo, API authentication) read
//! these, so an ended grant or revoked token disappears here in the same projection step.

use castellan_core::event::decode;
use castellan_core::oidc::device::{self, DeviceEvent};
use castellan_core::oidc::grant::{self, GrantEvent};
use castellan_core::session::{self, SessionEvent};
use castellan_core::web_key::{self, WebKeyEvent};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::store::{RowOp, key};
use crate::tables::{
    ACCESS_TOKENS, DEVICE_USER_CODES, GRANTS, GRANTS_BY_SESSION, SESSIONS, WEB_KEYS,
};

pub struct OidcProjection;

fn upsert(
    table: &'static str,
    partition: String,
    clustering: &str,
    pairs: &[(&str, serde_json::Value)],
) -> RowOp {
    RowOp::Upsert {
        table,
        partition,
        clustering: clustering.to_owned(),
        columns: columns(pairs),
    }
}

fn delete(table: &'static str, partition: String, clustering: &str) -> RowOp {
    RowOp::Delete {
        table,
        partition,
        clustering: clustering.to_owned(),
    }
}

impl Projection for OidcProjection {
    fn name(&self) -> &'static str {
        "oidc_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        match event.aggregate_type.as_str() {
            session::AGGREGATE_TYPE => project_session(event),
            grant::AGGREGATE_TYPE => project_grant(event),
            web_key::AGGREGATE_TYPE => project_web_key(event),
            device::AGGREGATE_TYPE => project_device(event),
            _ => Ok(Vec::new()),
        }
    }
}

fn project_session(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    let id = event.aggregate_id.as_str();
    let at = json!(event.created_at.0);
    let seq = json!(event.sequence);
    let row = |pairs: &[(&str, serde_json::Value)]| {
        let mut pairs = pairs.to_vec();
        pairs.push(("changed", at.clone()));
        pairs.push(("sequence", seq.clone()));
        upsert(SESSIONS, instance.to_owned(), id, &pairs)
    };
    Ok(match decode::<SessionEvent>(event)? {
        SessionEvent::Added { user_agent, .. } => vec![row(&[
            ("id", json!(id)),
            ("created", at.clone()),
            ("user_agent", json!(user_agent.unwrap_or_default())),
            ("creator", json!(event.creator)),
        ])],
        SessionEvent::UserChecked {
            user_id,
            org_id,
            checked_at,
        } => vec![row(&[
            ("user_id", json!(user_id)),
            ("org_id", json!(org_id)),
            ("user_checked_at", json!(checked_at.0)),
        ])],
        SessionEvent::PasswordChecked { checked_at } => {
            vec![row(&[("password_checked_at", json!(checked_at.0))])]
        }
        SessionEvent::TotpChecked { checked_at } => {
            vec![row(&[("totp_checked_at", json!(checked_at.0))])]
        }
        SessionEvent::TokenSet { token_hash } => vec![row(&[("token_hash", json!(token_hash))])],
        // Metadata changes merge into the map: one column per key keeps the write idempotent.
        SessionEvent::MetadataSet { metadata } => {
            let pairs: Vec<(String, serde_json::Value)> = metadata
                .into_iter()
                .map(|(k, v)| {
                    let value = if v.is_empty() {
                        serde_json::Value::Null
                    } else {
                        json!(v)
                    };
                    (format!("metadata:{k}"), value)
                })
                .collect();
            let borrowed: Vec<(&str, serde_json::Value)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            vec![row(&borrowed)]
        }
        SessionEvent::LifetimeSet { expiration } => {
            vec![row(&[("expiration", json!(expiration.0))])]
        }
        SessionEvent::Terminated {} => vec![delete(SESSIONS, instance.to_owned(), id)],
    })
}

fn project_grant(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    let id = event.aggregate_id.as_str();
    let at = json!(event.created_at.0);
    Ok(match decode::<GrantEvent>(event)? {
        GrantEvent::Added { grant } => {
            let mut ops = vec![upsert(
                GRANTS,
                key(&[instance, id]),
                "",
                &[("id", json!(id)), ("grant", json!(grant)), ("created", at)],
            )];
            if let Some(session_id) = &grant.session_id {
                ops.push(upsert(
                    GRANTS_BY_SESSION,
                    key(&[instance, session_id]),
                    id,
                    &[("client_id", json!(grant.client_id))],
                ));
            }
            ops
        }
        GrantEvent::AccessTokenAdded {
            token_id,
            token_hash,
            scopes,
            expiration,
        } => vec![upsert(
            ACCESS_TOKENS,
            key(&[instance, &token_id]),
            "",
            &[
                ("grant_id", json!(id)),
                ("token_hash", json!(token_hash.unwrap_or_default())),
                ("scopes", json!(scopes)),
                ("expiration", json!(expiration.0)),
                ("created", at),
            ],
        )],
        GrantEvent::RefreshTokenAdded { .. } => Vec::new(),
        GrantEvent::AccessTokenRevoked { token_id } => {
            vec![delete(ACCESS_TOKENS, key(&[instance, &token_id]), "")]
        }
        GrantEvent::Terminated { .. } => vec![delete(GRANTS, key(&[instance, id]), "")],
        GrantEvent::LogoutRequested { .. }
        | GrantEvent::LogoutDelivered { .. }
        | GrantEvent::LogoutFailed { .. } => Vec::new(),
    })
}

fn project_web_key(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    let at = json!(event.created_at.0);
    let state = |key_id: &str, state: &str| {
        upsert(
            WEB_KEYS,
            instance.to_owned(),
            key_id,
            &[("state", json!(state)), ("changed", at.clone())],
        )
    };
    Ok(match decode::<WebKeyEvent>(event)? {
        WebKeyEvent::Added {
            key_id,
            algorithm,
            public_jwk,
            sealed_private_key,
        } => vec![upsert(
            WEB_KEYS,
            instance.to_owned(),
            &key_id,
            &[
                ("id", json!(key_id)),
                ("algorithm", json!(algorithm)),
                ("state", json!("initial")),
                ("public_jwk", public_jwk),
                ("sealed_private_key", json!(sealed_private_key)),
                ("created", at.clone()),
                ("changed", at.clone()),
            ],
        )],
        WebKeyEvent::Activated { key_id, previous } => {
            let mut ops = Vec::new();
            if let Some(previous) = previous {
                ops.push(state(&previous, "inactive"));
            }
            ops.push(state(&key_id, "active"));
            ops
        }
        WebKeyEvent::Removed { key_id } => vec![delete(WEB_KEYS, instance.to_owned(), &key_id)],
    })
}

fn project_device(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    let instance = event.instance_id.as_str();
    Ok(match decode::<DeviceEvent>(event)? {
        DeviceEvent::Added {
            client_id,
            user_code,
            scopes,
            expires_at,
            ..
        } => vec![upsert(
            DEVICE_USER_CODES,
            key(&[instance, &user_code]),
            "",
            &[
                ("device_id", json!(event.aggregate_id)),
                ("client_id", json!(client_id)),
                ("scopes", json!(scopes)),
                ("expires_at", json!(expires_at.0)),
            ],
        )],
        // The row stays until it expires; the device page checks the aggregate's state.
        DeviceEvent::Approved { .. } | DeviceEvent::Denied {} | DeviceEvent::Done { .. } => {
            Vec::new()
        }
    })
}
