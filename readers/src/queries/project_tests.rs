//! The project projection and queries together, on the embedded store: the read-model contract
//! other services rely on (roles, grants by org, owner rows).

use castellan_core::clock::Timestamp;
use castellan_core::event::{self, Aggregate, Decision, EventMeta};
use castellan_core::permission::Target;
use castellan_core::project::{self, ProjectEvent, ProjectSettings, grant};
use castellan_core::{Event, Position};

use super::*;
use crate::embedded::EmbeddedReadStore;
use crate::projections::Projection;
use crate::projections::project::ProjectProjection;
use crate::queries::owner::{self, owner_of};
use crate::store::PositionedOp;

struct Feed {
    store: EmbeddedReadStore,
    sequence: i64,
    _dir: tempfile::TempDir,
}

impl Feed {
    async fn new() -> Feed {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedReadStore::open(&dir.path().join("read.db"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Feed {
            store,
            sequence: 0,
            _dir: dir,
        }
    }

    async fn apply(&mut self, decision: Decision<ProjectEvent>) {
        let mut ops = Vec::new();
        for typed in &decision.events {
            self.sequence += 1;
            let new = event::encode(typed).unwrap();
            let stored = Event {
                instance_id: "i".into(),
                aggregate_type: "project".into(),
                aggregate_id: "p1".into(),
                sequence: self.sequence,
                event_type: new.event_type,
                revision: new.revision,
                payload: new.payload,
                creator: "u".into(),
                resource_owner: "org-1".into(),
                created_at: Timestamp(self.sequence),
                position: Position(self.sequence),
            };
            for op in ProjectProjection.project(&stored).unwrap() {
                ops.push(PositionedOp {
                    position: stored.position,
                    op,
                });
            }
        }
        self.store
            .apply("projects_v1", &ops, Position(self.sequence))
            .await
            .unwrap();
    }
}

/// The state after `decision`.
fn applied(state: &project::Project, decision: &Decision<ProjectEvent>) -> project::Project {
    let meta = EventMeta {
        sequence: 0,
        created_at: Timestamp(0),
        resource_owner: "org-1".into(),
        position: Position(0),
    };
    let mut next = state.clone();
    for e in &decision.events {
        next.apply(e, &meta);
    }
    next
}

#[tokio::test]
async fn roles_grants_and_owners_follow_the_events() {
    let mut feed = Feed::new().await;
    let settings = ProjectSettings {
        name: "Shop".into(),
        ..ProjectSettings::default()
    };
    let added = project::add(&project::Project::default(), "org-1", settings).unwrap();
    let mut state = applied(&project::Project::default(), &added);
    feed.apply(added).await;
    let owner = owner_of(&feed.store, "i", owner::PROJECT, "p1")
        .await
        .unwrap();
    assert_eq!(
        owner,
        Some(Target {
            org_id: "org-1".into(),
            project_id: Some("p1".into()),
            project_grant_id: None,
        })
    );
    for key in ["viewer", "admin"] {
        let decision = project::add_role(&state, key, key, "").unwrap();
        state = applied(&state, &decision);
        feed.apply(decision).await;
    }
    assert_eq!(
        project_role_keys(&feed.store, "i", "p1").await.unwrap(),
        ["admin", "viewer"]
    );
    let granted = grant::add_grant(&state, "g1", "org-2", &["viewer".into()]).unwrap();
    state = applied(&state, &granted);
    feed.apply(granted).await;
    assert_eq!(
        project_grant_for_org(&feed.store, "i", "p1", "org-2")
            .await
            .unwrap(),
        Some(("g1".to_owned(), vec!["viewer".to_owned()]))
    );
    assert_eq!(
        project_grant_for_org(&feed.store, "i", "p1", "org-3")
            .await
            .unwrap(),
        None
    );
    let grant_owner = owner_of(&feed.store, "i", owner::PROJECT_GRANT, "g1")
        .await
        .unwrap();
    assert_eq!(
        grant_owner.and_then(|t| t.project_grant_id),
        Some("g1".to_owned())
    );
    let row = feed
        .store
        .get(crate::tables::PROJECT_GRANTS, &key(&["i", "p1"]), "g1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.columns["state"], "active");
    assert_eq!(row.columns["granted_org_id"], "org-2");
    assert_eq!(row.columns["role_keys"], serde_json::json!(["viewer"]));

    // Removing a role updates the grant; removing the project forgets everything.
    let removed_role = project::remove_role(&state, "viewer").unwrap();
    state = applied(&state, &removed_role);
    feed.apply(removed_role).await;
    assert_eq!(
        project_grant_for_org(&feed.store, "i", "p1", "org-2")
            .await
            .unwrap(),
        Some(("g1".to_owned(), vec![]))
    );
    feed.apply(project::remove(&state).unwrap()).await;
    assert!(
        project_role_keys(&feed.store, "i", "p1")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        project_grant_for_org(&feed.store, "i", "p1", "org-2")
            .await
            .unwrap(),
        None
    );
    for (kind, id) in [(owner::PROJECT, "p1"), (owner::PROJECT_GRANT, "g1")] {
        assert!(
            owner_of(&feed.store, "i", kind, id)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert!(get_project(&feed.store, "i", "p1").await.unwrap().is_none());
}
