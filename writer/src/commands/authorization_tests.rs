use std::sync::Arc;

use castellan_core::ErrorKind;
use castellan_core::administrator::ProjectScope;
use castellan_core::clock::SystemClock;
use castellan_core::ids::SequentialIds;
use castellan_core::permission::{IAM_OWNER, ORG_OWNER};

use super::*;
use crate::commands::user::AddMachineWithToken;
use crate::ledger::Ledger;
use crate::ledger::sqlite::SqliteLedger;

async fn writer() -> (Writer, CommandContext) {
    let ledger = SqliteLedger::open_in_memory().await.unwrap();
    ledger.migrate().await.unwrap();
    let ledger = Arc::new(ledger);
    let writer = Writer::new(
        ledger,
        Arc::new(SystemClock),
        Arc::new(SequentialIds::new("t-")),
    );
    let ctx = CommandContext {
        instance_id: "inst".into(),
        creator: "test".into(),
    };
    let org = crate::commands::org::AddOrganization {
        org_id: "acme".into(),
        name: "Acme".into(),
        instance_domain: "localhost".into(),
        admins: Vec::new(),
    };
    writer.execute(&ctx, &org).await.unwrap();
    let user = AddMachineWithToken {
        org_id: "acme".into(),
        user_id: "robot".into(),
        username: "robot".into(),
        name: "Robot".into(),
        token_id: "tok".into(),
        token_hash: "hash".into(),
        expiration: None,
        org_roles: Vec::new(),
    };
    writer.execute(&ctx, &user).await.unwrap();
    (writer, ctx)
}

fn grant(id: &str, user: &str) -> CreateAuthorization {
    CreateAuthorization {
        authorization_id: id.into(),
        new: NewAuthorization {
            user_id: user.into(),
            project_id: "p".into(),
            org_id: "acme".into(),
            project_grant_id: None,
            role_keys: vec!["reader".into()],
        },
    }
}

#[tokio::test]
async fn an_authorization_needs_a_user_and_exists_once_per_user_project_and_org() {
    let (writer, ctx) = writer().await;
    let unknown = writer
        .execute(&ctx, &grant("a0", "nobody"))
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    writer.execute(&ctx, &grant("a1", "robot")).await.unwrap();
    let twice = writer
        .execute(&ctx, &grant("a2", "robot"))
        .await
        .unwrap_err();
    assert_eq!(twice.kind, ErrorKind::AlreadyExists);
    // Removing the first frees the triple again.
    let remove = OnAuthorization::new("a1", authorization::remove);
    writer.execute(&ctx, &remove).await.unwrap();
    writer.execute(&ctx, &grant("a3", "robot")).await.unwrap();
    let loaded = writer.load::<Authorization>(&ctx, "a3").await.unwrap();
    assert_eq!(loaded.state.org_id, "acme");
    assert_eq!(loaded.state.role_keys, ["reader"]);
}

#[tokio::test]
async fn administrators_of_every_scope_need_an_existing_user() {
    let (writer, ctx) = writer().await;
    let scopes = [
        (AdminScope::Instance, IAM_OWNER),
        (AdminScope::Org("acme".into()), ORG_OWNER),
        (
            AdminScope::Project {
                scope: ProjectScope {
                    project_id: "p".into(),
                    project_grant_id: None,
                },
                owner_org: "acme".into(),
            },
            "PROJECT_OWNER",
        ),
    ];
    for (scope, role) in scopes {
        let add = |user: &str| ChangeAdministrator {
            user_id: user.into(),
            scope: scope.clone(),
            change: AdministratorChange::Add(vec![role.into()]),
        };
        let unknown = writer.execute(&ctx, &add("nobody")).await.unwrap_err();
        assert_eq!(unknown.kind, ErrorKind::NotFound, "{scope:?}");
        writer.execute(&ctx, &add("robot")).await.unwrap();
        let twice = writer.execute(&ctx, &add("robot")).await.unwrap_err();
        assert_eq!(twice.kind, ErrorKind::AlreadyExists, "{scope:?}");
    }
    // The robot is the instance's only IAM_OWNER here: it cannot leave.
    let leave = ChangeAdministrator {
        user_id: "robot".into(),
        scope: AdminScope::Instance,
        change: AdministratorChange::Remove,
    };
    let refused = writer.execute(&ctx, &leave).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::FailedPrecondition);
}
