use std::sync::Arc;

use castellan_core::ErrorKind;
use castellan_core::clock::SystemClock;
use castellan_core::ids::SequentialIds;

use super::*;
use crate::commands::org::AddOrganization;
use crate::commands::user::{AddMachineWithToken, OnUser};
use crate::ledger::Ledger;
use crate::ledger::sqlite::SqliteLedger;
use crate::writer::Outcome;

async fn writer() -> (Writer, CommandContext) {
    let ledger = SqliteLedger::open_in_memory().await.unwrap();
    ledger.migrate().await.unwrap();
    let writer = Writer::new(
        Arc::new(ledger),
        Arc::new(SystemClock),
        Arc::new(SequentialIds::new("t-")),
    );
    let ctx = CommandContext {
        instance_id: "inst".into(),
        creator: "test".into(),
    };
    for (org_id, name, user_id) in [("acme", "Acme", "robot"), ("other", "Other", "stranger")] {
        let org = AddOrganization {
            org_id: org_id.into(),
            name: name.into(),
            instance_domain: "localhost".into(),
            admins: Vec::new(),
        };
        writer.execute(&ctx, &org).await.unwrap();
        let user = AddMachineWithToken {
            org_id: org_id.into(),
            user_id: user_id.into(),
            username: user_id.into(),
            name: user_id.into(),
            token_id: format!("tok-{user_id}"),
            token_hash: format!("hash-{user_id}"),
            expiration: None,
            org_roles: Vec::new(),
        };
        writer.execute(&ctx, &user).await.unwrap();
    }
    (writer, ctx)
}

fn create(group_id: &str, org_id: &str, name: &str) -> CreateGroup {
    CreateGroup {
        group_id: group_id.into(),
        org_id: org_id.into(),
        name: name.into(),
        description: String::new(),
    }
}

fn add(group_id: &str, users: &[&str]) -> AddGroupUsers {
    AddGroupUsers {
        group_id: group_id.into(),
        user_ids: users.iter().map(|u| (*u).to_owned()).collect(),
    }
}

#[tokio::test]
async fn group_names_are_unique_per_org_until_the_group_is_deleted() {
    let (writer, ctx) = writer().await;
    writer
        .execute(&ctx, &create("g1", "acme", "Admins"))
        .await
        .unwrap();
    let duplicate = writer
        .execute(&ctx, &create("g2", "acme", " admins "))
        .await
        .unwrap_err();
    assert_eq!(
        (duplicate.kind, duplicate.code),
        (ErrorKind::AlreadyExists, "GROUP-0006")
    );
    // Another org may use the name.
    writer
        .execute(&ctx, &create("g3", "other", "Admins"))
        .await
        .unwrap();
    let no_org = writer
        .execute(&ctx, &create("g4", "nowhere", "X"))
        .await
        .unwrap_err();
    assert_eq!(no_org.kind, ErrorKind::NotFound);
    writer
        .execute(&ctx, &OnGroup::new("g1", group::remove))
        .await
        .unwrap();
    writer
        .execute(&ctx, &create("g2", "acme", "Admins"))
        .await
        .unwrap();
    let loaded = writer.load::<Group>(&ctx, "g2").await.unwrap();
    assert_eq!(loaded.state.org_id, "acme");
}

#[tokio::test]
async fn an_unchanged_update_appends_nothing() {
    let (writer, ctx) = writer().await;
    writer
        .execute(&ctx, &create("g1", "acme", "Admins"))
        .await
        .unwrap();
    let same = OnGroup::new("g1", |g: &Group| group::change(g, Some("Admins"), None));
    let outcome = writer.execute_or_unchanged(&ctx, &same).await.unwrap();
    assert!(matches!(outcome, Outcome::Unchanged(())));
    let renamed = OnGroup::new("g1", |g: &Group| group::change(g, Some("Owners"), None));
    let outcome = writer.execute_or_unchanged(&ctx, &renamed).await.unwrap();
    assert!(matches!(outcome, Outcome::Committed(_)));
    // The old name is free, the new one taken.
    writer
        .execute(&ctx, &create("g2", "acme", "Admins"))
        .await
        .unwrap();
    let taken = writer
        .execute(&ctx, &create("g3", "acme", "OWNERS"))
        .await
        .unwrap_err();
    assert_eq!(taken.kind, ErrorKind::AlreadyExists);
}

#[tokio::test]
async fn only_existing_users_of_the_groups_org_become_members() {
    let (writer, ctx) = writer().await;
    writer
        .execute(&ctx, &create("g1", "acme", "Admins"))
        .await
        .unwrap();
    let committed = writer
        .execute(&ctx, &add("g1", &["robot", "stranger", "nobody", "robot"]))
        .await
        .unwrap();
    assert_eq!(committed.output, ["stranger", "nobody"]);
    let loaded = writer.load::<Group>(&ctx, "g1").await.unwrap();
    assert_eq!(loaded.state.members.iter().collect::<Vec<_>>(), ["robot"]);
    // Adding again changes nothing; the failures are still reported.
    let outcome = writer
        .execute_or_unchanged(&ctx, &add("g1", &["robot", "stranger"]))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Unchanged(ref failed) if failed == &["stranger"]));
    // A removed user cannot be added.
    writer
        .execute(&ctx, &create("g2", "acme", "Others"))
        .await
        .unwrap();
    writer
        .execute(
            &ctx,
            &OnUser::new("robot", |u: &User, _| castellan_core::user::remove(u)),
        )
        .await
        .unwrap();
    let committed = writer
        .execute_or_unchanged(&ctx, &add("g2", &["robot"]))
        .await
        .unwrap();
    assert!(matches!(committed, Outcome::Unchanged(ref failed) if failed == &["robot"]));
    let empty = writer.execute(&ctx, &add("g1", &[])).await.unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidArgument);
    let missing = writer
        .execute(&ctx, &add("nope", &["robot"]))
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn removing_members_is_idempotent_and_deleting_the_group_removes_them() {
    let (writer, ctx) = writer().await;
    writer
        .execute(&ctx, &create("g1", "acme", "Admins"))
        .await
        .unwrap();
    writer.execute(&ctx, &add("g1", &["robot"])).await.unwrap();
    let leave =
        |ids: Vec<String>| OnGroup::new("g1", move |g: &Group| group::remove_users(g, &ids));
    let outcome = writer
        .execute_or_unchanged(&ctx, &leave(vec!["stranger".into()]))
        .await
        .unwrap();
    assert!(matches!(outcome, Outcome::Unchanged(())));
    writer
        .execute(&ctx, &add("g1", &["robot"]))
        .await
        .unwrap_err();
    let deleted = writer
        .execute(&ctx, &OnGroup::new("g1", group::remove))
        .await
        .unwrap();
    let types: Vec<&str> = deleted
        .appended
        .events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(types, ["group.users.removed", "group.removed"]);
    let again = writer
        .execute(&ctx, &OnGroup::new("g1", group::remove))
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound);
}
