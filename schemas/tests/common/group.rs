//! Samples of every `GroupEvent` variant.

use castellan_core::group::GroupEvent;

pub fn group_samples() -> Vec<GroupEvent> {
    vec![
        GroupEvent::Added {
            name: "Admins".into(),
            description: String::new(),
        },
        GroupEvent::Changed {
            name: "Owners".into(),
            description: "The owners".into(),
            previous_name: "Admins".into(),
        },
        GroupEvent::UsersAdded {
            user_ids: vec!["u-1".into(), "u-2".into()],
        },
        GroupEvent::UsersRemoved {
            user_ids: vec!["u-2".into()],
        },
        GroupEvent::ExternalIdSet {
            external_id: "okta-group-1".into(),
        },
        GroupEvent::Removed {
            name: "Owners".into(),
        },
    ]
}

/// Exhaustive over `GroupEvent`; see [`super::org_record`].
pub fn group_record(event: &GroupEvent) -> &'static str {
    match event {
        GroupEvent::Added { .. } => "castellan.events.group.Added",
        GroupEvent::Changed { .. } => "castellan.events.group.Changed",
        GroupEvent::Removed { .. } => "castellan.events.group.Removed",
        GroupEvent::UsersAdded { .. } => "castellan.events.group.UsersAdded",
        GroupEvent::UsersRemoved { .. } => "castellan.events.group.UsersRemoved",
        GroupEvent::ExternalIdSet { .. } => "castellan.events.group.ExternalIdSet",
    }
}
