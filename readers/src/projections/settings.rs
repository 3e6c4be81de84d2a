//! The settings read model: one row per (owner, policy kind) holding the policy's JSON, and one
//! per (owner, locale) for hosted-login translations. The owner is the instance or an org.

use castellan_core::event::decode;
use castellan_core::settings::{self, AGGREGATE_TYPE, SettingsEvent, StoredPolicy};
use castellan_core::{DomainError, Event};
use serde_json::json;

use super::{Projection, columns};
use crate::store::{RowOp, key};

/// partition: (instance id, owner id) · clustering: policy kind, or `translation/<locale>`.
pub const SETTINGS: &str = "settings";

/// The clustering key of a locale's translations.
pub fn translation_key(locale: &str) -> String {
    format!("translation/{locale}")
}

/// partition: instance id · clustering: "". The instance's creation and change times.
pub const INSTANCE_INFO: &str = "instance_info";
/// partition: instance id · clustering: domain. The domains that route to the instance.
pub const INSTANCE_CUSTOM_DOMAINS: &str = "instance_custom_domains";
/// partition: instance id · clustering: domain.
pub const INSTANCE_TRUSTED_DOMAINS: &str = "instance_trusted_domains";

/// The InstanceService's rows: times, custom domains and trusted domains.
fn instance_ops(event: &Event) -> Result<Vec<RowOp>, DomainError> {
    use castellan_core::instance::InstanceEvent as E;
    let instance = event.instance_id.clone();
    let mut info = columns(&[("changed", json!(event.created_at.0))]);
    let domain_row = |table: &'static str, domain: String, generated: bool| RowOp::Upsert {
        table,
        partition: instance.clone(),
        clustering: domain.clone(),
        columns: columns(&[
            ("domain", json!(domain)),
            ("generated", json!(generated)),
            ("created", json!(event.created_at.0)),
        ]),
    };
    let delete = |table: &'static str, domain: String| RowOp::Delete {
        table,
        partition: instance.clone(),
        clustering: domain,
    };
    let mut ops = match decode::<E>(event)? {
        E::Added { .. } => {
            info.insert("created".into(), json!(event.created_at.0));
            Vec::new()
        }
        E::DomainAdded { domain, generated } => {
            vec![domain_row(INSTANCE_CUSTOM_DOMAINS, domain, generated)]
        }
        E::DomainRemoved { domain } => vec![delete(INSTANCE_CUSTOM_DOMAINS, domain)],
        E::TrustedDomainAdded { domain } => {
            vec![domain_row(INSTANCE_TRUSTED_DOMAINS, domain, false)]
        }
        E::TrustedDomainRemoved { domain } => vec![delete(INSTANCE_TRUSTED_DOMAINS, domain)],
        _ => Vec::new(),
    };
    ops.push(RowOp::Upsert {
        table: INSTANCE_INFO,
        partition: instance.clone(),
        clustering: String::new(),
        columns: info,
    });
    Ok(ops)
}

pub struct SettingsProjection;

impl Projection for SettingsProjection {
    fn name(&self) -> &'static str {
        "settings_v1"
    }

    fn project(&self, event: &Event) -> Result<Vec<RowOp>, DomainError> {
        if event.aggregate_type == castellan_core::instance::AGGREGATE_TYPE {
            return instance_ops(event);
        }
        if event.aggregate_type != AGGREGATE_TYPE {
            return Ok(Vec::new());
        }
        let partition = key(&[&event.instance_id, &event.aggregate_id]);
        let upsert = |clustering: String, pairs: &[(&str, serde_json::Value)]| {
            let mut cols = columns(pairs);
            cols.insert("changed".into(), json!(event.created_at.0));
            cols.insert("sequence".into(), json!(event.sequence));
            cols.insert("owner".into(), json!(event.resource_owner));
            RowOp::Upsert {
                table: SETTINGS,
                partition: partition.clone(),
                clustering,
                columns: cols,
            }
        };
        let set = |kind: &str, policy: serde_json::Result<serde_json::Value>| {
            policy
                .map(|policy| vec![upsert(kind.to_owned(), &[("policy", policy)])])
                .map_err(|e| DomainError::internal("SETTINGS-0100", format!("encode policy: {e}")))
        };
        let delete = |kind: &str| {
            vec![RowOp::Delete {
                table: SETTINGS,
                partition: partition.clone(),
                clustering: kind.to_owned(),
            }]
        };
        fn kind<P: StoredPolicy>(_: &P) -> &'static str {
            P::KIND
        }
        use SettingsEvent as E;
        use serde_json::to_value as v;
        use settings::{
            DomainPolicy, LabelPolicy, LockoutPolicy, LoginPolicy, PasswordAgePolicy,
            PasswordComplexityPolicy, Policy, PrivacyPolicy,
        };
        match decode::<SettingsEvent>(event)? {
            E::LoginSet { policy } => set(kind(&policy), v(&policy)),
            E::PasswordComplexitySet { policy } => set(kind(&policy), v(&policy)),
            E::PasswordAgeSet { policy } => set(kind(&policy), v(&policy)),
            E::LockoutSet { policy } => set(kind(&policy), v(&policy)),
            E::DomainSet { policy } => set(kind(&policy), v(&policy)),
            E::PrivacySet { policy } => set(kind(&policy), v(&policy)),
            E::LabelSet { policy } => set(kind(&policy), v(&policy)),
            E::SecuritySet { policy } => set(kind(&policy), v(&policy)),
            E::FeaturesSet { features } => set(kind(&features), v(&features)),
            E::FeaturesReset {} => Ok(delete(settings::Features::KIND)),
            E::LoginReset {} => Ok(delete(LoginPolicy::KIND)),
            E::PasswordComplexityReset {} => Ok(delete(PasswordComplexityPolicy::KIND)),
            E::PasswordAgeReset {} => Ok(delete(PasswordAgePolicy::KIND)),
            E::LockoutReset {} => Ok(delete(LockoutPolicy::KIND)),
            E::DomainReset {} => Ok(delete(DomainPolicy::KIND)),
            E::PrivacyReset {} => Ok(delete(PrivacyPolicy::KIND)),
            E::LabelReset {} => Ok(delete(LabelPolicy::KIND)),
            E::HostedLoginTranslationSet {
                locale,
                translations,
            } => Ok(vec![upsert(
                translation_key(&locale),
                &[("translations", json!(translations))],
            )]),
        }
    }
}
