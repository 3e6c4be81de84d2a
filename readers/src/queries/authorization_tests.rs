use castellan_core::Position;
use castellan_core::administrator::AdministratorEvent;
use castellan_core::authorization::AuthorizationEvent;
use castellan_core::clock::Timestamp;
use castellan_core::event::{EventPayload, encode};
use castellan_core::instance::InstanceEvent;
use castellan_core::org::OrgEvent;
use castellan_core::permission::Target;
use castellan_core::{Event, NewEvent};
use serde_json::json;

use super::administrators::{AdministratorFilter, list_administrators};
use super::*;
use crate::embedded::EmbeddedReadStore;
use crate::projections::authorization::AuthorizationProjection;
use crate::projections::identity::IdentityProjection;
use crate::projections::{Projection, columns};
use crate::queries::identity::MemberScope;
use crate::queries::owner::set_owner;
use crate::store::{PositionedOp, RowOp};
use crate::tables::MEMBERS;

/// A read store for one test: embedded (SQLite in a temp dir) or Cassandra (a fresh keyspace
/// on `CASTELLAN_TEST_CASSANDRA_NODES`, dropped when the test passes).
struct Fixture {
    store: std::sync::Arc<dyn ReadStore>,
    _dir: Option<tempfile::TempDir>,
    keyspace: Option<(Vec<String>, String)>,
    position: i64,
}

impl Fixture {
    async fn embedded() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedReadStore::open(&dir.path().join("read.db"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Fixture {
            store: std::sync::Arc::new(store),
            _dir: Some(dir),
            keyspace: None,
            position: 0,
        }
    }

    async fn cassandra() -> Fixture {
        let nodes: Vec<String> = std::env::var("CASTELLAN_TEST_CASSANDRA_NODES")
            .expect("set CASTELLAN_TEST_CASSANDRA_NODES (e.g. 127.0.0.1:59042)")
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let keyspace = format!("castellan_authz_{:x}", rand::random::<u64>());
        let store = crate::scylla::ScyllaReadStore::connect_with(
            &nodes,
            &keyspace,
            crate::scylla::ScyllaOptions::default(),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        Fixture {
            store: std::sync::Arc::new(store),
            _dir: None,
            keyspace: Some((nodes, keyspace)),
            position: 0,
        }
    }

    async fn done(self) {
        if let Some((nodes, keyspace)) = self.keyspace {
            let session = scylla::client::session_builder::SessionBuilder::new()
                .known_nodes(&nodes)
                .build()
                .await
                .unwrap();
            let drop = format!("DROP KEYSPACE IF EXISTS \"{keyspace}\"");
            session.query_unpaged(drop, ()).await.unwrap();
        }
    }

    async fn apply(&mut self, ops: Vec<RowOp>) {
        self.position += 1;
        let position = Position(self.position);
        let ops: Vec<PositionedOp> = ops
            .into_iter()
            .map(|op| PositionedOp { position, op })
            .collect();
        self.store.apply("test", &ops, position).await.unwrap();
    }

    async fn project<E: EventPayload>(
        &mut self,
        projection: &dyn Projection,
        aggregate_id: &str,
        owner: &str,
        event: &E,
    ) {
        let NewEvent {
            event_type,
            revision,
            payload,
        } = encode(event).unwrap();
        let stored = Event {
            instance_id: "i".into(),
            aggregate_type: E::AGGREGATE_TYPE.into(),
            aggregate_id: aggregate_id.into(),
            sequence: self.position + 1,
            event_type,
            revision,
            payload,
            creator: "c".into(),
            resource_owner: owner.into(),
            created_at: Timestamp(self.position + 1),
            position: Position(self.position + 1),
        };
        let ops = projection.project(&stored).unwrap();
        self.apply(ops).await;
    }

    /// Project p1, owned by acme, with roles reader and writer, granted to globex with reader.
    async fn seed_project(&mut self) {
        let mut ops = vec![set_owner("i", owner::PROJECT, "p1", &Target::org("acme"))];
        for role in ["reader", "writer"] {
            ops.push(RowOp::Upsert {
                table: PROJECT_ROLES,
                partition: key(&["i", "p1"]),
                clustering: role.into(),
                columns: columns(&[("display_name", json!(role.to_uppercase()))]),
            });
        }
        ops.push(RowOp::Upsert {
            table: PROJECT_GRANTS,
            partition: key(&["i", "p1"]),
            clustering: "g1".into(),
            columns: columns(&[
                ("granted_org_id", json!("globex")),
                ("role_keys", json!(["reader"])),
                ("state", json!("active")),
            ]),
        });
        ops.push(RowOp::Upsert {
            table: PROJECT_GRANTS,
            partition: key(&["i", "p1"]),
            clustering: "g2".into(),
            columns: columns(&[
                ("granted_org_id", json!("hooli")),
                ("role_keys", json!(["reader"])),
                ("state", json!("inactive")),
            ]),
        });
        self.apply(ops).await;
    }
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

macro_rules! on_both_stores {
    ($case:ident) => {
        mod $case {
            #[tokio::test]
            async fn embedded() {
                let f = super::Fixture::embedded().await;
                super::$case(f).await;
            }

            #[tokio::test]
            async fn cassandra() {
                let f = super::Fixture::cassandra().await;
                super::$case(f).await;
            }
        }
    };
}

on_both_stores!(grantable_checks_the_project_its_roles_and_the_grant);
on_both_stores!(authorizations_are_listed_by_filter_visibility_and_page);
on_both_stores!(administrators_are_listed_by_scope_and_leave_the_members_table_when_removed);

async fn grantable_checks_the_project_its_roles_and_the_grant(mut f: Fixture) {
    f.seed_project().await;
    let shared = f.store.clone();
    let check = |org: &'static str, project: &'static str, roles: &'static [&'static str]| {
        let store = shared.clone();
        async move {
            grantable(store.as_ref(), "i", project, org, &keys(roles))
                .await
                .unwrap()
        }
    };
    assert_eq!(check("acme", "p1", &["reader", "writer"]).await, Ok(None));
    assert_eq!(check("acme", "p1", &[]).await, Ok(None));
    assert_eq!(
        check("acme", "p1", &["admin"]).await,
        Err(NotGrantable::UnknownRole("admin".into()))
    );
    assert_eq!(
        check("acme", "p2", &["reader"]).await,
        Err(NotGrantable::ProjectNotFound)
    );
    assert_eq!(
        check("globex", "p1", &["reader"]).await,
        Ok(Some("g1".into()))
    );
    assert_eq!(
        check("globex", "p1", &["writer"]).await,
        Err(NotGrantable::RoleNotInGrant("writer".into()))
    );
    assert_eq!(
        check("initech", "p1", &["reader"]).await,
        Err(NotGrantable::NotGranted)
    );
    assert_eq!(
        check("hooli", "p1", &["reader"]).await,
        Err(NotGrantable::GrantInactive)
    );
    // Other instances see nothing of it.
    assert_eq!(
        grantable(f.store.as_ref(), "j", "p1", "acme", &[])
            .await
            .unwrap(),
        Err(NotGrantable::ProjectNotFound)
    );
    f.done().await;
}

fn added(user: &str, org: &str, grant: Option<&str>, roles: &[&str]) -> AuthorizationEvent {
    AuthorizationEvent::Added {
        user_id: user.into(),
        project_id: "p1".into(),
        org_id: org.into(),
        project_grant_id: grant.map(str::to_owned),
        role_keys: keys(roles),
    }
}

async fn authorizations_are_listed_by_filter_visibility_and_page(mut f: Fixture) {
    let p = AuthorizationProjection;
    f.project(&p, "a1", "acme", &added("ada", "acme", None, &["reader"]))
        .await;
    f.project(&p, "a2", "acme", &added("bob", "acme", None, &["writer"]))
        .await;
    f.project(
        &p,
        "a3",
        "globex",
        &added("ada", "globex", Some("g1"), &["reader"]),
    )
    .await;
    f.project(&p, "a2", "acme", &AuthorizationEvent::Deactivated {})
        .await;
    let all = |_: &AuthorizationView| true;
    let shared = f.store.clone();
    let list = |filters: Vec<AuthorizationFilter>, paging: Paging| {
        let store = shared.clone();
        async move {
            let page = list_authorizations(store.as_ref(), "i", &filters, paging, all)
                .await
                .unwrap();
            let ids: Vec<String> = page.items.iter().map(|a| a.id.clone()).collect();
            (ids, page.total)
        }
    };
    let asc = Paging::default();
    assert_eq!(list(vec![], asc).await, (keys(&["a1", "a2", "a3"]), 3));
    assert_eq!(
        list(vec![AuthorizationFilter::UserIds(keys(&["ada"]))], asc).await,
        (keys(&["a1", "a3"]), 2)
    );
    assert_eq!(
        list(vec![AuthorizationFilter::ProjectId("p1".into())], asc).await,
        (keys(&["a1", "a2", "a3"]), 3)
    );
    assert_eq!(
        list(vec![AuthorizationFilter::Active(false)], asc).await,
        (keys(&["a2"]), 1)
    );
    assert_eq!(
        list(
            vec![AuthorizationFilter::RoleKey(
                TextMatch::StartsWith,
                "read".into()
            )],
            asc
        )
        .await,
        (keys(&["a1", "a3"]), 2)
    );
    assert_eq!(
        list(vec![AuthorizationFilter::ProjectGrantId("g1".into())], asc).await,
        (keys(&["a3"]), 1)
    );
    let desc = Paging {
        offset: 1,
        limit: 1,
        asc: false,
    };
    assert_eq!(list(vec![], desc).await, (keys(&["a2"]), 3));
    // Visibility narrows before paging and counting.
    let page = list_authorizations(f.store.as_ref(), "i", &[], asc, |a| a.org_id == "globex")
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 1));
    assert_eq!(page.items[0].id, "a3");
    // The owner row carries the grant, for the permission check by id.
    let owner = owner::owner_of(f.store.as_ref(), "i", owner::AUTHORIZATION, "a3")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.project_grant_id.as_deref(), Some("g1"));
    // Removal clears the row, both indexes and the owner.
    f.project(
        &p,
        "a1",
        "acme",
        &AuthorizationEvent::Removed {
            user_id: "ada".into(),
            project_id: "p1".into(),
            org_id: "acme".into(),
        },
    )
    .await;
    assert_eq!(
        list(vec![AuthorizationFilter::UserIds(keys(&["ada"]))], asc).await,
        (keys(&["a3"]), 1)
    );
    assert_eq!(list(vec![], asc).await.1, 2);
    assert!(
        owner::owner_of(f.store.as_ref(), "i", owner::AUTHORIZATION, "a1")
            .await
            .unwrap()
            .is_none()
    );
    f.done().await;
}

async fn administrators_are_listed_by_scope_and_leave_the_members_table_when_removed(
    mut f: Fixture,
) {
    let p = IdentityProjection;
    let member = |user: &str, role: &str| OrgEvent::MemberAdded {
        user_id: user.into(),
        roles: keys(&[role]),
    };
    f.project(
        &p,
        "i",
        "i",
        &InstanceEvent::MemberAdded {
            user_id: "root".into(),
            roles: keys(&["IAM_OWNER"]),
        },
    )
    .await;
    f.project(&p, "acme", "acme", &member("ada", "ORG_OWNER"))
        .await;
    f.project(&p, "acme", "acme", &member("bob", "ORG_OWNER"))
        .await;
    f.project(&p, "acme2", "acme2", &member("cy", "ORG_OWNER"))
        .await;
    f.project(
        &p,
        "project:p1",
        "acme",
        &AdministratorEvent::Added {
            project_id: "p1".into(),
            project_grant_id: None,
            user_id: "ada".into(),
            roles: keys(&["PROJECT_OWNER"]),
        },
    )
    .await;
    f.project(
        &p,
        "acme",
        "acme",
        &OrgEvent::MemberChanged {
            user_id: "bob".into(),
            roles: keys(&["ORG_USER_MANAGER"]),
        },
    )
    .await;
    let shared = f.store.clone();
    let list = |filters: Vec<AdministratorFilter>| {
        let store = shared.clone();
        async move {
            list_administrators(store.as_ref(), "i", &filters, Paging::default(), |_| true)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|a| (a.user_id, a.roles))
                .collect::<Vec<_>>()
        }
    };
    let acme = AdministratorFilter::Resource(MemberScope::Org("acme".into()));
    assert_eq!(
        list(vec![acme.clone()]).await,
        [
            ("ada".to_owned(), keys(&["ORG_OWNER"])),
            ("bob".to_owned(), keys(&["ORG_USER_MANAGER"]))
        ]
    );
    assert_eq!(
        list(vec![AdministratorFilter::Resource(MemberScope::Instance)]).await,
        [("root".to_owned(), keys(&["IAM_OWNER"]))]
    );
    assert_eq!(
        list(vec![AdministratorFilter::Resource(MemberScope::Project(
            "p1".into()
        ))])
        .await,
        [("ada".to_owned(), keys(&["PROJECT_OWNER"]))]
    );
    assert_eq!(list(vec![]).await.len(), 5);
    assert_eq!(
        list(vec![AdministratorFilter::Not(Box::new(
            AdministratorFilter::Role("ORG_OWNER".into())
        ))])
        .await
        .len(),
        3
    );
    let members = |user: &'static str| {
        let store = shared.clone();
        async move { store.scan(MEMBERS, &key(&["i", user])).await.unwrap().len() }
    };
    assert_eq!(members("ada").await, 2);
    f.project(
        &p,
        "acme",
        "acme",
        &OrgEvent::MemberRemoved {
            user_id: "ada".into(),
        },
    )
    .await;
    assert_eq!(members("ada").await, 1);
    assert_eq!(
        list(vec![acme]).await,
        [("bob".to_owned(), keys(&["ORG_USER_MANAGER"]))]
    );
    f.done().await;
}
