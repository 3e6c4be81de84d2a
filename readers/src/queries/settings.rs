//! Queries on the settings read model: the effective value of a policy for an org (or the
//! instance), resolved as ZITADEL does (built-in ← instance ← org).

use castellan_core::clock::Timestamp;
use castellan_core::settings::{
    DomainPolicy, LockoutPolicy, LoginPolicy, PasswordAgePolicy, PasswordComplexityPolicy, Policy,
    Resolved, SourceLevel, effective,
};

use super::{int, text};
use crate::projections::settings::{SETTINGS, translation_key};
use crate::store::{ReadError, ReadStore, key};

/// A stored policy and when it was last set.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredView<P> {
    pub policy: P,
    pub changed: Timestamp,
    pub sequence: i64,
}

/// An effective policy, where it comes from and the owner id and time of the value used.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveView<P> {
    pub policy: P,
    pub source: SourceLevel,
    /// The org id for an org's override, else the instance id.
    pub owner_id: String,
    /// When the value used was set (`None` for built-in defaults).
    pub changed: Option<Timestamp>,
    pub sequence: i64,
}

/// One owner's own value of a policy kind (`owner_id` = the instance id or an org id).
pub async fn stored<P: Policy>(
    store: &dyn ReadStore,
    instance_id: &str,
    owner_id: &str,
) -> Result<Option<StoredView<P>>, ReadError> {
    let Some(row) = store
        .get(SETTINGS, &key(&[instance_id, owner_id]), P::KIND)
        .await?
    else {
        return Ok(None);
    };
    let value = row.columns.get("policy").cloned().unwrap_or_default();
    let policy = serde_json::from_value(value)
        .map_err(|e| ReadError::Backend(format!("stored {} policy: {e}", P::KIND)))?;
    Ok(Some(StoredView {
        policy,
        changed: Timestamp(int(&row.columns, "changed")),
        sequence: int(&row.columns, "sequence"),
    }))
}

/// The effective policy of a kind for `org_id` (`None`: the instance's own value).
pub async fn resolve<P: Policy>(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: Option<&str>,
) -> Result<EffectiveView<P>, ReadError> {
    let instance = stored::<P>(store, instance_id, instance_id).await?;
    let org = match org_id {
        Some(org_id) if P::ORG_OVERRIDABLE => stored::<P>(store, instance_id, org_id).await?,
        _ => None,
    };
    let Resolved { policy, source } = effective(
        instance.as_ref().map(|v| v.policy.clone()),
        org.as_ref().map(|v| v.policy.clone()),
    );
    let (owner_id, used) = match source {
        SourceLevel::Org => (org_id.unwrap_or(instance_id), org.as_ref()),
        SourceLevel::Instance => (instance_id, instance.as_ref()),
        SourceLevel::BuiltIn => (instance_id, None),
    };
    Ok(EffectiveView {
        policy,
        source,
        owner_id: owner_id.to_owned(),
        changed: used.map(|v| v.changed),
        sequence: used.map_or(0, |v| v.sequence),
    })
}

/// The password complexity an org's users must meet.
pub async fn password_complexity(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<PasswordComplexityPolicy, ReadError> {
    Ok(resolve(store, instance_id, Some(org_id)).await?.policy)
}

pub async fn password_expiry(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<PasswordAgePolicy, ReadError> {
    Ok(resolve(store, instance_id, Some(org_id)).await?.policy)
}

pub async fn lockout(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<LockoutPolicy, ReadError> {
    Ok(resolve(store, instance_id, Some(org_id)).await?.policy)
}

pub async fn domain(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<DomainPolicy, ReadError> {
    Ok(resolve(store, instance_id, Some(org_id)).await?.policy)
}

pub async fn login(
    store: &dyn ReadStore,
    instance_id: &str,
    org_id: &str,
) -> Result<LoginPolicy, ReadError> {
    Ok(resolve(store, instance_id, Some(org_id)).await?.policy)
}

/// One owner's hosted-login translations for a locale (the JSON object), if set.
pub async fn translation(
    store: &dyn ReadStore,
    instance_id: &str,
    owner_id: &str,
    locale: &str,
) -> Result<Option<serde_json::Value>, ReadError> {
    let Some(row) = store
        .get(
            SETTINGS,
            &key(&[instance_id, owner_id]),
            &translation_key(locale),
        )
        .await?
    else {
        return Ok(None);
    };
    let text = text(&row.columns, "translations");
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| ReadError::Backend(format!("stored translations: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use castellan_core::event::encode;
    use castellan_core::settings::SettingsEvent;
    use castellan_core::{Event, Position};

    use super::*;
    use crate::embedded::EmbeddedReadStore;
    use crate::projections::Projection;
    use crate::projections::settings::SettingsProjection;
    use crate::store::PositionedOp;

    async fn project(store: &EmbeddedReadStore, owner: &str, seq: i64, event: SettingsEvent) {
        let new = encode(&event).unwrap();
        let event = Event {
            instance_id: "i1".into(),
            aggregate_type: "settings".into(),
            aggregate_id: owner.into(),
            sequence: seq,
            event_type: new.event_type,
            revision: new.revision,
            payload: new.payload,
            creator: "u".into(),
            resource_owner: owner.into(),
            created_at: Timestamp(1_000 + seq),
            position: Position(seq),
        };
        let ops: Vec<_> = SettingsProjection
            .project(&event)
            .unwrap()
            .into_iter()
            .map(|op| PositionedOp {
                position: event.position,
                op,
            })
            .collect();
        store
            .apply("settings_v1", &ops, event.position)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn policies_resolve_from_org_to_instance_to_built_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedReadStore::open(&dir.path().join("r.db"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let built_in = resolve::<LockoutPolicy>(&store, "i1", Some("o1"))
            .await
            .unwrap();
        assert_eq!(built_in.source, SourceLevel::BuiltIn);
        assert_eq!(built_in.changed, None);

        let instance = LockoutPolicy {
            max_password_attempts: 5,
            max_otp_attempts: 1,
        };
        project(
            &store,
            "i1",
            1,
            SettingsEvent::LockoutSet {
                policy: instance.clone(),
            },
        )
        .await;
        assert_eq!(lockout(&store, "i1", "o1").await.unwrap(), instance);

        let org = LockoutPolicy {
            max_password_attempts: 2,
            max_otp_attempts: 2,
        };
        project(
            &store,
            "o1",
            2,
            SettingsEvent::LockoutSet {
                policy: org.clone(),
            },
        )
        .await;
        let resolved = resolve::<LockoutPolicy>(&store, "i1", Some("o1"))
            .await
            .unwrap();
        assert_eq!(
            (resolved.policy, resolved.source, resolved.owner_id.as_str()),
            (org, SourceLevel::Org, "o1")
        );
        assert_eq!(resolved.changed, Some(Timestamp(1_002)));
        // Another org still inherits the instance's value.
        assert_eq!(lockout(&store, "i1", "o2").await.unwrap(), instance);

        project(&store, "o1", 3, SettingsEvent::LockoutReset {}).await;
        let resolved = resolve::<LockoutPolicy>(&store, "i1", Some("o1"))
            .await
            .unwrap();
        assert_eq!(
            (resolved.policy, resolved.source),
            (instance, SourceLevel::Instance)
        );

        project(
            &store,
            "o1",
            4,
            SettingsEvent::HostedLoginTranslationSet {
                locale: "de".into(),
                translations: r#"{"a":"b"}"#.into(),
            },
        )
        .await;
        assert_eq!(
            translation(&store, "i1", "o1", "de").await.unwrap(),
            Some(serde_json::json!({"a": "b"}))
        );
        assert_eq!(translation(&store, "i1", "o1", "en").await.unwrap(), None);
    }
}

/// One of the instance's domains (custom or trusted).
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceDomainView {
    pub domain: String,
    pub generated: bool,
    pub created: Timestamp,
}

/// Which of an instance's domain lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainList {
    /// The domains that route requests to the instance.
    Custom,
    Trusted,
}

/// A page of the instance's domains (by domain), keeping those `keep` accepts.
pub async fn instance_domains(
    store: &dyn ReadStore,
    instance_id: &str,
    list: DomainList,
    paging: super::Paging,
    keep: impl Fn(&InstanceDomainView) -> bool,
) -> Result<super::Page<InstanceDomainView>, ReadError> {
    use crate::projections::settings::{INSTANCE_CUSTOM_DOMAINS, INSTANCE_TRUSTED_DOMAINS};
    let table = match list {
        DomainList::Custom => INSTANCE_CUSTOM_DOMAINS,
        DomainList::Trusted => INSTANCE_TRUSTED_DOMAINS,
    };
    super::walk(store, table, instance_id, paging, |row| {
        let view = InstanceDomainView {
            domain: row.clustering.clone(),
            generated: row
                .columns
                .get("generated")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            created: Timestamp(int(&row.columns, "created")),
        };
        Ok(keep(&view).then_some(view))
    })
    .await
}

/// When the instance was created and last changed.
pub async fn instance_times(
    store: &dyn ReadStore,
    instance_id: &str,
) -> Result<(Timestamp, Timestamp), ReadError> {
    let row = store
        .get(crate::projections::settings::INSTANCE_INFO, instance_id, "")
        .await?;
    Ok(row.map_or((Timestamp(0), Timestamp(0)), |row| {
        (
            Timestamp(int(&row.columns, "created")),
            Timestamp(int(&row.columns, "changed")),
        )
    }))
}
