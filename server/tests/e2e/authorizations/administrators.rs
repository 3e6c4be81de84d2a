//! The InternalPermissionService end to end: administrator roles change what a token reaches
//! on its next call; bad requests write nothing; the last IAM_OWNER stays.

use serde_json::json;

use super::super::support::{LedgerProbe, Server, names};
use super::{ADMINS, add_org, call, code, robot};

#[tokio::test]
async fn an_org_administrator_reaches_only_its_org_until_removed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    let acme = add_org(&server, "Acme").await;
    let globex = add_org(&server, "Globex").await;
    let robot_token = robot(&server, &probe, &acme, "robot").await;

    // Without roles the robot reaches nothing and may grant itself nothing.
    let (status, _) = server
        .connect_as("ListOrganizations", json!({}), &robot_token)
        .await;
    assert_eq!(status, 403);
    let own =
        json!({"userId": "robot", "resource": {"organizationId": acme}, "roles": ["ORG_OWNER"]});
    let before = probe.head().await;
    let denied = call(
        &server,
        ADMINS,
        "CreateAdministrator",
        own.clone(),
        &robot_token,
    )
    .await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );
    assert_eq!(probe.head().await, before);

    // The instance owner makes it an owner of Acme: the next call reaches Acme, not Globex.
    let created = call(&server, ADMINS, "CreateAdministrator", own.clone(), &admin).await;
    assert_eq!(created.0, 200, "{}", created.1);
    assert!(
        created.1["creationDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let (status, body) = server
        .connect_as("ListOrganizations", json!({}), &robot_token)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["Acme"]);
    let (status, body) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": acme, "name": "Acme Corp"}),
            &robot_token,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": globex, "name": "Mine"}),
            &robot_token,
        )
        .await;
    assert_eq!(status, 403);
    // An org owner may not create administrators elsewhere, nor instance administrators.
    for resource in [json!({"organizationId": globex}), json!({"instance": true})] {
        let request = json!({"userId": "robot", "resource": resource, "roles": ["ORG_OWNER"]});
        let denied = call(
            &server,
            ADMINS,
            "CreateAdministrator",
            request,
            &robot_token,
        )
        .await;
        assert_eq!(
            code(&denied),
            (403, Some("permission_denied")),
            "{}",
            denied.1
        );
    }

    // Listing: the admin sees Acme's administrators; the robot sees its own row and Acme's,
    // never the instance's.
    let (status, listed) = call(
        &server,
        ADMINS,
        "ListAdministrators",
        json!({"filters": [{"resource": {"organizationId": acme}}]}),
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let admins = listed["administrators"].as_array().unwrap();
    assert_eq!(admins.len(), 1, "{listed}");
    assert_eq!(admins[0]["user"]["id"], "robot");
    assert_eq!(admins[0]["roles"], json!(["ORG_OWNER"]));
    assert_eq!(admins[0]["organization"]["id"], acme);
    assert_eq!(admins[0]["organization"]["name"], "Acme Corp");
    let (_, all) = call(&server, ADMINS, "ListAdministrators", json!({}), &admin).await;
    assert!(
        all["administrators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["instance"] == json!(true)),
        "{all}"
    );
    let (status, mine) = call(
        &server,
        ADMINS,
        "ListAdministrators",
        json!({}),
        &robot_token,
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    let mine = mine["administrators"].as_array().unwrap();
    assert!(!mine.is_empty());
    assert!(
        mine.iter().all(|a| a["organization"]["id"] == acme),
        "{mine:?}"
    );

    // Demoted to user manager: the org itself is out of reach on the next call.
    let update = json!({"userId": "robot", "resource": {"organizationId": acme}, "roles": ["ORG_USER_MANAGER"]});
    let updated = call(
        &server,
        ADMINS,
        "UpdateAdministrator",
        update.clone(),
        &admin,
    )
    .await;
    assert_eq!(updated.0, 200, "{}", updated.1);
    assert!(updated.1["changeDate"].as_str().is_some());
    let (status, _) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": acme, "name": "Acme Again"}),
            &robot_token,
        )
        .await;
    assert_eq!(status, 403);
    let unchanged = call(&server, ADMINS, "UpdateAdministrator", update, &admin).await;
    assert_eq!(code(&unchanged), (400, Some("failed_precondition")));

    // Removed: nothing is reachable any more; removing again is a no-op success.
    let delete = json!({"userId": "robot", "resource": {"organizationId": acme}});
    let deleted = call(
        &server,
        ADMINS,
        "DeleteAdministrator",
        delete.clone(),
        &admin,
    )
    .await;
    assert_eq!(deleted.0, 200, "{}", deleted.1);
    assert!(deleted.1["deletionDate"].as_str().is_some());
    let (status, _) = server
        .connect_as("ListOrganizations", json!({}), &robot_token)
        .await;
    assert_eq!(status, 403);
    let before = probe.head().await;
    let again = call(&server, ADMINS, "DeleteAdministrator", delete, &admin).await;
    assert_eq!(again.0, 200, "{}", again.1);
    assert!(again.1.get("deletionDate").is_none(), "{}", again.1);
    assert_eq!(probe.head().await, before);
    server.stop();
}

#[tokio::test]
async fn bad_administrator_requests_write_nothing_and_the_last_iam_owner_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    let acme = add_org(&server, "Acme").await;
    let robot_token = robot(&server, &probe, &acme, "robot").await;

    let org = json!({"organizationId": acme});
    let cases = [
        (
            "instance role on an org",
            json!({"userId": "robot", "resource": org, "roles": ["IAM_OWNER"]}),
            400,
            "invalid_argument",
        ),
        (
            "unknown role",
            json!({"userId": "robot", "resource": org, "roles": ["ROOT"]}),
            400,
            "invalid_argument",
        ),
        (
            "no roles",
            json!({"userId": "robot", "resource": org, "roles": []}),
            400,
            "invalid_argument",
        ),
        (
            "role twice",
            json!({"userId": "robot", "resource": org, "roles": ["ORG_OWNER", "ORG_OWNER"]}),
            400,
            "invalid_argument",
        ),
        (
            "no resource",
            json!({"userId": "robot", "roles": ["ORG_OWNER"]}),
            400,
            "invalid_argument",
        ),
        (
            "two resources",
            json!({"userId": "robot", "resource": {"instance": true, "organizationId": acme}, "roles": ["ORG_OWNER"]}),
            400,
            "invalid_argument",
        ),
        (
            "no user",
            json!({"resource": org, "roles": ["ORG_OWNER"]}),
            400,
            "invalid_argument",
        ),
        (
            "unknown user",
            json!({"userId": "nobody", "resource": org, "roles": ["ORG_OWNER"]}),
            404,
            "not_found",
        ),
        (
            "unknown org",
            json!({"userId": "robot", "resource": {"organizationId": "no-such-org"}, "roles": ["ORG_OWNER"]}),
            404,
            "not_found",
        ),
        (
            "unknown project",
            json!({"userId": "robot", "resource": {"projectId": "no-such-project"}, "roles": ["PROJECT_OWNER"]}),
            404,
            "not_found",
        ),
        (
            "unknown grant",
            json!({"userId": "robot", "resource": {"projectGrant": {"projectId": "p", "organizationId": acme}}, "roles": ["PROJECT_GRANT_OWNER"]}),
            404,
            "not_found",
        ),
        (
            "org role on the instance",
            json!({"userId": "robot", "resource": {"instance": true}, "roles": ["ORG_OWNER"]}),
            400,
            "invalid_argument",
        ),
    ];
    let before = probe.head().await;
    for (case, body, status, expected) in cases {
        let response = call(&server, ADMINS, "CreateAdministrator", body, &admin).await;
        assert_eq!(
            code(&response),
            (status, Some(expected)),
            "{case}: {}",
            response.1
        );
    }
    assert_eq!(probe.head().await, before, "bad requests wrote events");

    // Once, then AlreadyExists.
    let body =
        json!({"userId": "robot", "resource": {"instance": true}, "roles": ["IAM_OWNER_VIEWER"]});
    let first = call(&server, ADMINS, "CreateAdministrator", body.clone(), &admin).await;
    assert_eq!(first.0, 200, "{}", first.1);
    let head = probe.head().await;
    let twice = call(&server, ADMINS, "CreateAdministrator", body, &admin).await;
    assert_eq!(code(&twice), (409, Some("already_exists")), "{}", twice.1);
    let unknown = call(
        &server,
        ADMINS,
        "UpdateAdministrator",
        json!({"userId": "nobody", "resource": {"instance": true}, "roles": ["IAM_OWNER"]}),
        &admin,
    )
    .await;
    assert_eq!(code(&unknown), (404, Some("not_found")), "{}", unknown.1);
    assert_eq!(probe.head().await, head);

    // Promoted to IAM_OWNER, the robot removes every other IAM_OWNER; it cannot remove or
    // demote itself, the last one.
    let promote =
        json!({"userId": "robot", "resource": {"instance": true}, "roles": ["IAM_OWNER"]});
    let promoted = call(&server, ADMINS, "UpdateAdministrator", promote, &admin).await;
    assert_eq!(promoted.0, 200, "{}", promoted.1);
    let (status, owners) = call(
        &server,
        ADMINS,
        "ListAdministrators",
        json!({"filters": [{"resource": {"instance": true}}, {"role": {"roleKey": "IAM_OWNER"}}]}),
        &robot_token,
    )
    .await;
    assert_eq!(status, 200, "{owners}");
    let owners: Vec<String> = owners["administrators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        owners.len() >= 2 && owners.contains(&"robot".to_owned()),
        "{owners:?}"
    );
    for owner in owners.iter().filter(|o| *o != "robot") {
        let (status, body) = call(
            &server,
            ADMINS,
            "DeleteAdministrator",
            json!({"userId": owner, "resource": {"instance": true}}),
            &robot_token,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let head = probe.head().await;
    let refused = call(
        &server,
        ADMINS,
        "DeleteAdministrator",
        json!({"userId": "robot", "resource": {"instance": true}}),
        &robot_token,
    )
    .await;
    assert_eq!(
        code(&refused),
        (400, Some("failed_precondition")),
        "{}",
        refused.1
    );
    let demote =
        json!({"userId": "robot", "resource": {"instance": true}, "roles": ["IAM_OWNER_VIEWER"]});
    let refused = call(&server, ADMINS, "UpdateAdministrator", demote, &robot_token).await;
    assert_eq!(
        code(&refused),
        (400, Some("failed_precondition")),
        "{}",
        refused.1
    );
    assert_eq!(probe.head().await, head);
    // The former owner's token lost its instance roles on its next call.
    let denied = call(
        &server,
        ADMINS,
        "CreateAdministrator",
        json!({"userId": "robot", "resource": {"organizationId": acme}, "roles": ["ORG_OWNER"]}),
        &admin,
    )
    .await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );
    server.stop();
}
