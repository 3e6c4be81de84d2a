//! Instances (by id and by domain), users, personal access tokens and memberships: what the API
//! edge needs to find the instance and the caller.

use castellan_core::administrator::AdministratorEvent;
use castellan_core::event::decode;
use castellan_core::instance::InstanceEvent;
use castellan_core::org::OrgEvent;
use castellan_core::user::UserEvent;
use castellan_core::{DomainError, Event};
use serde_json::json;

use castellan_core::permission::Target;

use super::{Projection, columns};
use crate::queries::identity::MemberScope;
use crate::queries::owner::{self, set_owner};
use crate::store::RowOp;
use crate::tables::{INSTANCE_DOMAINS, INSTANCES, PERSONAL_ACCESS_TOKENS, USERS};

#[path = "identity_members.rs"]
mod members;

pub struct IdentityProjection;

impl Projection for IdentityProjection {
    fn name(&self) -> &'static str {
        // v3: members are also listed by scope (`administrators`), rebuilt from the start.
        "identity_v3"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        let instance = event.instance_id.as_str();
        let member = |user_id: &str, scope: &MemberScope, roles: &[String], added: bool| {
            members::set(event, user_id, scope, roles, added)
        };
        let unmember = |user_id: &str, scope: &MemberScope| members::remove(event, user_id, scope);
        let ops = match event.aggregate_type.as_str() {
            castellan_core::instance::AGGREGATE_TYPE => match decode::<InstanceEvent>(event)? {
                InstanceEvent::Added { name } => vec![RowOp::Upsert {
                    table: INSTANCES,
                    partition: instance.to_owned(),
                    clustering: String::new(),
                    columns: columns(&[("id", json!(instance)), ("name", json!(name))]),
                }],
                InstanceEvent::DomainAdded { domain, generated } => {
                    let mut ops = vec![RowOp::Upsert {
                        table: INSTANCE_DOMAINS,
                        partition: domain.clone(),
                        clustering: String::new(),
                        columns: columns(&[("instance_id", json!(instance))]),
                    }];
                    // The instance's own domain (under which org domains are generated) is the
                    // generated one; custom domains only route.
                    if generated {
                        ops.push(RowOp::Upsert {
                            table: INSTANCES,
                            partition: instance.to_owned(),
                            clustering: String::new(),
                            columns: columns(&[("domain", json!(domain))]),
                        });
                    }
                    ops
                }
                InstanceEvent::DomainRemoved { domain } => vec![RowOp::Delete {
                    table: INSTANCE_DOMAINS,
                    partition: domain,
                    clustering: String::new(),
                }],
                InstanceEvent::Changed { name } => vec![RowOp::Upsert {
                    table: INSTANCES,
                    partition: instance.to_owned(),
                    clustering: String::new(),
                    columns: columns(&[("name", json!(name))]),
                }],
                InstanceEvent::TrustedDomainAdded { .. }
                | InstanceEvent::TrustedDomainRemoved { .. } => Vec::new(),
                InstanceEvent::DefaultOrgSet { org_id } => vec![RowOp::Upsert {
                    table: INSTANCES,
                    partition: instance.to_owned(),
                    clustering: String::new(),
                    columns: columns(&[("default_org_id", json!(org_id))]),
                }],
                InstanceEvent::MemberAdded { user_id, roles } => {
                    member(&user_id, &MemberScope::Instance, &roles, true)
                }
                InstanceEvent::MemberChanged { user_id, roles } => {
                    member(&user_id, &MemberScope::Instance, &roles, false)
                }
                InstanceEvent::MemberRemoved { user_id } => {
                    unmember(&user_id, &MemberScope::Instance)
                }
            },
            castellan_core::org::AGGREGATE_TYPE => match decode::<OrgEvent>(event)? {
                OrgEvent::MemberAdded { user_id, roles } => {
                    let scope = MemberScope::Org(event.aggregate_id.clone());
                    member(&user_id, &scope, &roles, true)
                }
                OrgEvent::MemberChanged { user_id, roles } => {
                    let scope = MemberScope::Org(event.aggregate_id.clone());
                    member(&user_id, &scope, &roles, false)
                }
                OrgEvent::MemberRemoved { user_id } => {
                    unmember(&user_id, &MemberScope::Org(event.aggregate_id.clone()))
                }
                _ => Vec::new(),
            },
            castellan_core::administrator::AGGREGATE_TYPE => {
                members::project_scoped(event, decode::<AdministratorEvent>(event)?)
            }
            castellan_core::user::AGGREGATE_TYPE => {
                let user_row = |pairs: &[(&str, serde_json::Value)]| RowOp::Upsert {
                    table: USERS,
                    partition: instance.to_owned(),
                    clustering: event.aggregate_id.clone(),
                    columns: columns(pairs),
                };
                let user_owner = || {
                    set_owner(
                        instance,
                        owner::USER,
                        &event.aggregate_id,
                        &Target::org(event.resource_owner.clone()),
                    )
                };
                match decode::<UserEvent>(event)? {
                    UserEvent::HumanAdded {
                        username, email, ..
                    } => vec![
                        user_row(&[
                            ("id", json!(event.aggregate_id)),
                            ("org_id", json!(event.resource_owner)),
                            ("username", json!(username)),
                            ("email", json!(email)),
                            ("kind", json!("human")),
                        ]),
                        user_owner(),
                    ],
                    UserEvent::MachineAdded { username, name, .. } => vec![
                        user_row(&[
                            ("id", json!(event.aggregate_id)),
                            ("org_id", json!(event.resource_owner)),
                            ("username", json!(username)),
                            ("name", json!(name)),
                            ("kind", json!("machine")),
                        ]),
                        user_owner(),
                    ],
                    UserEvent::PersonalAccessTokenAdded {
                        token_id,
                        token_hash,
                        expiration,
                    } => {
                        vec![RowOp::Upsert {
                            table: PERSONAL_ACCESS_TOKENS,
                            partition: token_hash,
                            clustering: String::new(),
                            columns: columns(&[
                                ("instance_id", json!(instance)),
                                ("user_id", json!(event.aggregate_id)),
                                ("org_id", json!(event.resource_owner)),
                                ("token_id", json!(token_id)),
                                ("expiration", json!(expiration.map(|at| at.0))),
                            ]),
                        }]
                    }
                    UserEvent::PersonalAccessTokenRemoved { token_hash, .. } => {
                        vec![RowOp::Delete {
                            table: PERSONAL_ACCESS_TOKENS,
                            partition: token_hash,
                            clustering: String::new(),
                        }]
                    }
                }
            }
            _ => Vec::new(),
        };
        Ok(ops)
    }
}
