//! Declared access: an org owner sees and changes only its own projects and applications.

use castellan_core::permission::ORG_OWNER;
use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::json;

use super::{APPS, PROJECTS, add_org, app, call_as, code, names, project, total};
use crate::e2e::support::{LedgerProbe, Server};

#[tokio::test]
async fn org_owners_see_and_change_only_their_own_projects() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    add_org(&server, "globex", "Globex").await;
    for (org, name, id) in [
        ("acme", "Acme App", "acme-p"),
        ("globex", "Globex App", "globex-p"),
    ] {
        let (status, _) = project(
            &server,
            "CreateProject",
            json!({"organizationId": org, "name": name, "projectId": id}),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, acme_app) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "acme-p", "name": "API", "apiConfiguration": {}}),
    )
    .await;
    assert_eq!(status, 200, "{acme_app}");
    let acme_app = acme_app["applicationId"].as_str().unwrap().to_owned();

    // A machine user who owns Globex only, appended through the writer.
    let instance = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["instance".into()],
            limit: 1,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let ctx = CommandContext {
        instance_id: instance[0].instance_id.clone(),
        creator: "e2e".into(),
    };
    let (token, token_hash) = secrets::new_bearer_token();
    let command = AddMachineWithToken {
        org_id: "globex".into(),
        user_id: "globex-robot".into(),
        username: "globex-robot".into(),
        name: "Globex robot".into(),
        token_id: "globex-robot-token".into(),
        token_hash,
        expiration: None,
        org_roles: vec![ORG_OWNER.into()],
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    let mut listed = json!(null);
    for _ in 0..100 {
        let answer = call_as(&server, PROJECTS, "ListProjects", json!({}), &token).await;
        if answer.0 == 200 {
            listed = answer.1;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(names(&listed, "projects", "name"), ["Globex App"]);

    let before = probe.head().await;
    let create = call_as(
        &server,
        PROJECTS,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Mine"}),
        &token,
    )
    .await;
    assert_eq!(
        code(&create),
        (403, Some("permission_denied")),
        "{}",
        create.1
    );
    for (method, body) in [
        ("GetProject", json!({"projectId": "acme-p"})),
        (
            "UpdateProject",
            json!({"projectId": "acme-p", "name": "Mine"}),
        ),
        ("DeleteProject", json!({"projectId": "acme-p"})),
        (
            "AddProjectRole",
            json!({"projectId": "acme-p", "roleKey": "r", "displayName": "R"}),
        ),
        (
            "CreateProjectGrant",
            json!({"projectId": "acme-p", "grantedOrganizationId": "globex"}),
        ),
    ] {
        let answer = call_as(&server, PROJECTS, method, body, &token).await;
        assert_eq!(
            code(&answer),
            (404, Some("not_found")),
            "{method}: {}",
            answer.1
        );
    }
    for (method, body) in [
        (
            "CreateApplication",
            json!({"projectId": "acme-p", "name": "X", "apiConfiguration": {}}),
        ),
        ("GetApplication", json!({"applicationId": acme_app})),
        ("DeleteApplication", json!({"applicationId": acme_app})),
    ] {
        let answer = call_as(&server, APPS, method, body, &token).await;
        assert_eq!(
            code(&answer),
            (404, Some("not_found")),
            "{method}: {}",
            answer.1
        );
    }
    let (status, apps) = call_as(&server, APPS, "ListApplications", json!({}), &token).await;
    assert_eq!(status, 200);
    assert_eq!(total(&apps), 0, "{apps}");
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    let (status, body) = call_as(
        &server,
        PROJECTS,
        "UpdateProject",
        json!({"projectId": "globex-p", "name": "Globex Portal"}),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    server.stop();
}
