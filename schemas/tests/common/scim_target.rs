//! Samples of every `ScimTargetEvent` variant.

use castellan_core::scim_target::{
    AttributeMapping, AuthKind, Deprovision, ScimTargetEvent, TargetFilter, TargetSettings,
};

pub fn scim_target_samples() -> Vec<ScimTargetEvent> {
    let settings = TargetSettings {
        base_url: "https://app.example.com/scim/v2".into(),
        auth: AuthKind::ClientCredentials,
        token_url: "https://idp.example.com/oauth/v2/token".into(),
        client_id: "pusher".into(),
        scope: "scim".into(),
        deprovision: Deprovision::Delete,
        push_groups: true,
    };
    vec![
        ScimTargetEvent::Added {
            name: "Downstream".into(),
            settings: settings.clone(),
            mapping: vec![AttributeMapping {
                target: "title".into(),
                source: "metadata.title".into(),
            }],
            filter: TargetFilter {
                group_ids: vec!["g-1".into()],
            },
            sealed_secret: "v1.bm9uY2U.Y2lwaGVy".into(),
        },
        ScimTargetEvent::Changed {
            name: "Downstream app".into(),
            settings,
            mapping: vec![],
            filter: TargetFilter::default(),
        },
        ScimTargetEvent::SecretChanged {
            sealed_secret: "v1.bm9uY2U.b3RoZXI".into(),
        },
        ScimTargetEvent::DeliveryFailed {
            position: 1234,
            resource_type: "user".into(),
            resource_id: "u-1".into(),
            error: "HTTP 500".into(),
        },
        ScimTargetEvent::DeadLetterResolved {
            resource_type: "user".into(),
            resource_id: "u-1".into(),
        },
        ScimTargetEvent::Reconciled {
            created: 1,
            updated: 2,
            deprovisioned: 3,
            unchanged: 4,
            failed: 0,
        },
        ScimTargetEvent::Removed {},
    ]
}
