//! The user read model: one row per user, its metadata and its personal access tokens (the
//! token list; the lookup by token hash is the identity projection's).

use castellan_core::event::decode;
use castellan_core::user::{AGGREGATE_TYPE, UserEvent};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::queries::user::{USER_EXTERNAL_IDS, USER_KEYS, USER_METADATA, USER_TOKENS, USER_VIEWS};
use crate::store::{Columns, RowOp, key};
use crate::tables::USERNAMES;

pub struct UserProjection;

/// The login-name index: a row per (instance, lower-cased username) and user. A changed
/// username leaves its old row behind (the event does not carry it), so lookups confirm the
/// user's current username; removal deletes the row.
fn username_ops(instance: &str, user_id: &str, org_id: &str, event: &UserEvent) -> Vec<RowOp> {
    let upsert = |username: &str| RowOp::Upsert {
        table: USERNAMES,
        partition: key(&[instance, &username.to_lowercase()]),
        clustering: user_id.to_owned(),
        columns: [("org_id".to_owned(), json!(org_id))].into_iter().collect(),
    };
    match event {
        UserEvent::HumanAdded { username, .. }
        | UserEvent::MachineAdded { username, .. }
        | UserEvent::UsernameChanged { username, .. } => vec![upsert(username)],
        UserEvent::Removed { username } => vec![RowOp::Delete {
            table: USERNAMES,
            partition: key(&[instance, &username.to_lowercase()]),
            clustering: user_id.to_owned(),
        }],
        _ => Vec::new(),
    }
}

/// Metadata keys that hold a SCIM `externalId` (`urn:zitadel:scim:externalId`, or with a
/// provisioning domain `urn:zitadel:scim:{domain}:externalId`).
fn is_external_id_key(key: &str) -> bool {
    key.starts_with("urn:zitadel:scim:") && key.ends_with("externalId")
}

impl Projection for UserProjection {
    fn name(&self) -> &'static str {
        "users_v3"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        let instance = event.instance_id.as_str();
        let user_id = event.aggregate_id.as_str();
        let user_part = key(&[instance, user_id]);
        let at = event.created_at.0;
        let user_row = |pairs: &[(&str, serde_json::Value)]| {
            let mut cols: Columns = columns(pairs);
            cols.insert("changed".into(), json!(at));
            cols.insert("sequence".into(), json!(event.sequence));
            RowOp::Upsert {
                table: USER_VIEWS,
                partition: instance.to_owned(),
                clustering: user_id.to_owned(),
                columns: cols,
            }
        };
        let ops = match decode::<UserEvent>(event)? {
            UserEvent::HumanAdded {
                username,
                profile,
                email,
                email_verified,
                password_hash,
                password_change_required,
            } => vec![user_row(&[
                ("id", json!(user_id)),
                ("org_id", json!(event.resource_owner)),
                ("kind", json!("human")),
                ("state", json!("active")),
                ("username", json!(username)),
                ("given_name", json!(profile.given_name)),
                ("family_name", json!(profile.family_name)),
                ("display_name", json!(profile.display_name)),
                ("nick_name", json!(profile.nick_name)),
                ("preferred_language", json!(profile.preferred_language)),
                ("email", json!(email)),
                ("email_verified", json!(email_verified)),
                ("password_set", json!(password_hash.is_some())),
                ("password_change_required", json!(password_change_required)),
                (
                    "password_changed",
                    json!(if password_hash.is_some() { at } else { 0 }),
                ),
                ("created", json!(at)),
            ])],
            UserEvent::MachineAdded {
                username,
                name,
                description,
            } => vec![user_row(&[
                ("id", json!(user_id)),
                ("org_id", json!(event.resource_owner)),
                ("kind", json!("machine")),
                ("state", json!("active")),
                ("username", json!(username)),
                ("name", json!(name)),
                ("description", json!(description)),
                ("jwt_access_token", json!(false)),
                ("created", json!(at)),
            ])],
            UserEvent::PersonalAccessTokenAdded {
                token_id,
                expiration,
                ..
            } => vec![
                RowOp::Upsert {
                    table: USER_TOKENS,
                    partition: instance.to_owned(),
                    clustering: key(&[user_id, &token_id]),
                    columns: columns(&[
                        ("token_id", json!(token_id)),
                        ("user_id", json!(user_id)),
                        ("org_id", json!(event.resource_owner)),
                        ("created", json!(at)),
                        ("expiration", json!(expiration.map(|e| e.0))),
                    ]),
                },
                user_row(&[]),
            ],
            UserEvent::PersonalAccessTokenRemoved { token_id, .. } => vec![
                RowOp::Delete {
                    table: USER_TOKENS,
                    partition: instance.to_owned(),
                    clustering: key(&[user_id, &token_id]),
                },
                user_row(&[]),
            ],
            UserEvent::UsernameChanged { username, .. } => {
                vec![user_row(&[("username", json!(username))])]
            }
            // Uniqueness lives in the ledger; the read model has nothing to change.
            UserEvent::UsernameOrgScoped { .. } => Vec::new(),
            UserEvent::ProfileChanged { profile } => vec![user_row(&[
                ("given_name", json!(profile.given_name)),
                ("family_name", json!(profile.family_name)),
                ("display_name", json!(profile.display_name)),
                ("nick_name", json!(profile.nick_name)),
                ("preferred_language", json!(profile.preferred_language)),
            ])],
            UserEvent::EmailChanged { email } => vec![user_row(&[
                ("email", json!(email)),
                ("email_verified", json!(false)),
            ])],
            UserEvent::EmailVerified {} | UserEvent::InviteCodeVerified {} => {
                vec![user_row(&[("email_verified", json!(true))])]
            }
            UserEvent::PhoneChanged { phone } => vec![user_row(&[
                ("phone", json!(phone)),
                ("phone_verified", json!(false)),
            ])],
            UserEvent::PhoneVerified {} => vec![user_row(&[("phone_verified", json!(true))])],
            UserEvent::PhoneRemoved {} => vec![user_row(&[
                ("phone", json!("")),
                ("phone_verified", json!(false)),
            ])],
            UserEvent::CodeAdded { .. } => vec![user_row(&[])],
            UserEvent::PasswordChanged {
                change_required, ..
            } => vec![user_row(&[
                ("password_set", json!(true)),
                ("password_change_required", json!(change_required)),
                ("password_changed", json!(at)),
            ])],
            UserEvent::MachineChanged {
                name,
                description,
                jwt_access_token,
            } => vec![user_row(&[
                ("name", json!(name)),
                ("description", json!(description)),
                ("jwt_access_token", json!(jwt_access_token)),
            ])],
            UserEvent::SecretSet { .. } => vec![user_row(&[("has_secret", json!(true))])],
            UserEvent::SecretRemoved {} => vec![user_row(&[("has_secret", json!(false))])],
            UserEvent::KeyAdded {
                key_id, expiration, ..
            } => vec![
                RowOp::Upsert {
                    table: USER_KEYS,
                    partition: instance.to_owned(),
                    clustering: key(&[user_id, &key_id]),
                    columns: columns(&[
                        ("key_id", json!(key_id)),
                        ("user_id", json!(user_id)),
                        ("org_id", json!(event.resource_owner)),
                        ("created", json!(at)),
                        ("expiration", json!(expiration.0)),
                    ]),
                },
                user_row(&[]),
            ],
            UserEvent::KeyRemoved { key_id } => vec![
                RowOp::Delete {
                    table: USER_KEYS,
                    partition: instance.to_owned(),
                    clustering: key(&[user_id, &key_id]),
                },
                user_row(&[]),
            ],
            UserEvent::Deactivated {} => vec![user_row(&[("state", json!("inactive"))])],
            UserEvent::Locked {} => vec![user_row(&[("state", json!("locked"))])],
            // Login checks and hash upgrades change nothing a query shows.
            UserEvent::PasswordCheckSucceeded {}
            | UserEvent::PasswordCheckFailed {}
            | UserEvent::PasswordHashUpdated { .. }
            | UserEvent::OtpCheckSucceeded { .. }
            | UserEvent::OtpCheckFailed {} => Vec::new(),
            // A registration counts once it is verified.
            UserEvent::OtpAdded { .. } => vec![user_row(&[])],
            UserEvent::OtpVerified {} => vec![user_row(&[("otp_verified", json!(true))])],
            UserEvent::OtpRemoved {} => vec![user_row(&[("otp_verified", json!(false))])],
            UserEvent::Reactivated {} | UserEvent::Unlocked {} => {
                vec![user_row(&[("state", json!("active"))])]
            }
            UserEvent::Removed { .. } => vec![
                RowOp::Delete {
                    table: USER_VIEWS,
                    partition: instance.to_owned(),
                    clustering: user_id.to_owned(),
                },
                RowOp::DeletePartition {
                    table: USER_METADATA,
                    partition: user_part.clone(),
                },
            ],
            UserEvent::MetadataSet {
                key: meta_key,
                value,
            } if is_external_id_key(&meta_key) => vec![
                // SCIM's externalId, indexed by value (stale rows after a change are dropped by
                // the query, which checks the user's current value).
                RowOp::Upsert {
                    table: USER_EXTERNAL_IDS,
                    partition: key(&[instance, &meta_key, &value]),
                    clustering: user_id.to_owned(),
                    columns: columns(&[("user_id", json!(user_id))]),
                },
                RowOp::Upsert {
                    table: USER_METADATA,
                    partition: user_part,
                    clustering: meta_key.clone(),
                    columns: columns(&[
                        ("key", json!(meta_key)),
                        ("value", json!(value)),
                        ("changed", json!(at)),
                    ]),
                },
                user_row(&[]),
            ],
            UserEvent::MetadataSet {
                key: meta_key,
                value,
            } => vec![
                RowOp::Upsert {
                    table: USER_METADATA,
                    partition: user_part,
                    clustering: meta_key.clone(),
                    columns: columns(&[
                        ("key", json!(meta_key)),
                        ("value", json!(value)),
                        ("changed", json!(at)),
                    ]),
                },
                user_row(&[]),
            ],
            UserEvent::MetadataRemoved { key: meta_key } => vec![
                RowOp::Delete {
                    table: USER_METADATA,
                    partition: user_part,
                    clustering: meta_key,
                },
                user_row(&[]),
            ],
        };
        let mut ops = ops;
        ops.extend(username_ops(
            instance,
            user_id,
            &event.resource_owner,
            &decode::<UserEvent>(event)?,
        ));
        Ok(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use castellan_core::Position;
    use castellan_core::clock::Timestamp;

    fn stored(event: &UserEvent, sequence: i64) -> Event {
        let new = castellan_core::event::encode(event).unwrap();
        Event {
            instance_id: "i".into(),
            aggregate_type: AGGREGATE_TYPE.into(),
            aggregate_id: "u1".into(),
            sequence,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "c".into(),
            resource_owner: "o1".into(),
            created_at: Timestamp(7),
            position: Position(sequence),
        }
    }

    #[test]
    fn a_removed_user_leaves_no_rows() {
        let ops = UserProjection
            .project(&stored(
                &UserEvent::Removed {
                    username: "ada".into(),
                },
                3,
            ))
            .unwrap();
        assert_eq!(ops.len(), 3);
        assert!(matches!(&ops[0], RowOp::Delete { table, clustering, .. }
            if *table == USER_VIEWS && clustering == "u1"));
        assert!(
            matches!(&ops[2], RowOp::Delete { table, partition, clustering }
            if *table == USERNAMES && partition == &key(&["i", "ada"]) && clustering == "u1")
        );
    }

    #[test]
    fn state_changes_update_the_row() {
        let ops = UserProjection
            .project(&stored(&UserEvent::Locked {}, 2))
            .unwrap();
        let RowOp::Upsert { columns, .. } = &ops[0] else {
            panic!()
        };
        assert_eq!(columns["state"], "locked");
        assert_eq!(columns["sequence"], 2);
    }
}
