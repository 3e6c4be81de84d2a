//! Organizations, their domains and metadata.

use castellan_core::event::decode;
use castellan_core::org::{AGGREGATE_TYPE, DomainValidationType, OrgEvent};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::store::{RowOp, key};
use crate::tables::{ORG_DOMAINS, ORG_METADATA, ORGS};

pub struct OrgProjection;

impl Projection for OrgProjection {
    fn name(&self) -> &'static str {
        "orgs_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        let org_id = event.aggregate_id.as_str();
        let instance = event.instance_id.as_str();
        let org_part = key(&[instance, org_id]);
        let org_row = |mut cols: crate::store::Columns| {
            cols.insert("changed".into(), json!(event.created_at.0));
            cols.insert("sequence".into(), json!(event.sequence));
            RowOp::Upsert {
                table: ORGS,
                partition: instance.to_owned(),
                clustering: org_id.to_owned(),
                columns: cols,
            }
        };
        let domain_row = |domain: &str, pairs: &[(&str, serde_json::Value)]| RowOp::Upsert {
            table: ORG_DOMAINS,
            partition: org_part.clone(),
            clustering: domain.to_owned(),
            columns: columns(pairs),
        };
        let ops = match decode::<OrgEvent>(event)? {
            OrgEvent::Added { name } => vec![org_row(columns(&[
                ("id", json!(org_id)),
                ("name", json!(name)),
                ("state", json!("active")),
                ("created", json!(event.created_at.0)),
            ]))],
            OrgEvent::Changed { name } => vec![org_row(columns(&[("name", json!(name))]))],
            OrgEvent::Deactivated {} => vec![org_row(columns(&[("state", json!("inactive"))]))],
            OrgEvent::Reactivated {} => vec![org_row(columns(&[("state", json!("active"))]))],
            OrgEvent::Removed { .. } => vec![
                RowOp::Delete {
                    table: ORGS,
                    partition: instance.to_owned(),
                    clustering: org_id.to_owned(),
                },
                RowOp::DeletePartition {
                    table: ORG_DOMAINS,
                    partition: org_part.clone(),
                },
                RowOp::DeletePartition {
                    table: ORG_METADATA,
                    partition: org_part.clone(),
                },
            ],
            OrgEvent::DomainAdded { domain } => vec![
                domain_row(
                    &domain,
                    &[("domain", json!(domain)), ("verified", json!(false))],
                ),
                org_row(columns(&[])),
            ],
            OrgEvent::DomainVerificationAdded {
                domain,
                validation_type,
                ..
            } => {
                let kind = match validation_type {
                    DomainValidationType::Http => "http",
                    DomainValidationType::Dns => "dns",
                };
                vec![
                    domain_row(&domain, &[("validation_type", json!(kind))]),
                    org_row(columns(&[])),
                ]
            }
            OrgEvent::DomainVerificationFailed { .. } => vec![org_row(columns(&[]))],
            OrgEvent::DomainVerified { domain } => {
                vec![
                    domain_row(&domain, &[("verified", json!(true))]),
                    org_row(columns(&[])),
                ]
            }
            OrgEvent::DomainPrimarySet { domain } => {
                vec![org_row(columns(&[("primary_domain", json!(domain))]))]
            }
            OrgEvent::DomainRemoved { domain, .. } => vec![
                RowOp::Delete {
                    table: ORG_DOMAINS,
                    partition: org_part.clone(),
                    clustering: domain,
                },
                org_row(columns(&[])),
            ],
            OrgEvent::MetadataSet {
                key: meta_key,
                value,
            } => vec![
                RowOp::Upsert {
                    table: ORG_METADATA,
                    partition: org_part.clone(),
                    clustering: meta_key.clone(),
                    columns: columns(&[
                        ("key", json!(meta_key)),
                        ("value", json!(value)),
                        ("changed", json!(event.created_at.0)),
                    ]),
                },
                org_row(columns(&[])),
            ],
            OrgEvent::MetadataRemoved { key: meta_key } => vec![
                RowOp::Delete {
                    table: ORG_METADATA,
                    partition: org_part.clone(),
                    clustering: meta_key,
                },
                org_row(columns(&[])),
            ],
            OrgEvent::MemberAdded { .. }
            | OrgEvent::MemberChanged { .. }
            | OrgEvent::MemberRemoved { .. } => vec![org_row(columns(&[]))],
        };
        Ok(ops)
    }
}
