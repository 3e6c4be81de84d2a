//! Authorizations on real projects: the owning org grants the project's roles, a granted org
//! only the roles of its grant.

use serde_json::json;

use super::super::support::{LedgerProbe, Server};
use super::{AUTHZ, add_org, call, code, robot};

const PROJECTS: &str = "zitadel.project.v2.ProjectService";

#[tokio::test]
async fn authorizations_on_owned_and_granted_projects() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    let acme = add_org(&server, "Acme").await;
    let globex = add_org(&server, "Globex").await;
    let initech = add_org(&server, "Initech").await;
    let _robot = robot(&server, &probe, &acme, "robot").await;
    let _other = robot(&server, &probe, &globex, "other").await;

    let (status, project) = call(
        &server,
        PROJECTS,
        "CreateProject",
        json!({"organizationId": acme, "name": "Shop"}),
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{project}");
    let project_id = project["projectId"].as_str().unwrap().to_owned();
    for key in ["viewer", "editor", "admin"] {
        let (status, body) = call(
            &server,
            PROJECTS,
            "AddProjectRole",
            json!({"projectId": project_id, "roleKey": key, "displayName": key.to_uppercase()}),
            &admin,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(
        &server,
        PROJECTS,
        "CreateProjectGrant",
        json!({"projectId": project_id, "grantedOrganizationId": globex, "roleKeys": ["viewer"]}),
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // On the owning org.
    let create = |user: &str, org: &str, roles: &[&str]| json!({"userId": user, "projectId": project_id, "organizationId": org, "roleKeys": roles});
    let created = call(
        &server,
        AUTHZ,
        "CreateAuthorization",
        create("robot", &acme, &["viewer", "editor"]),
        &admin,
    )
    .await;
    assert_eq!(created.0, 200, "{}", created.1);
    let owned_id = created.1["id"].as_str().unwrap().to_owned();
    assert!(created.1["creationDate"].as_str().is_some());

    let before = probe.head().await;
    for (case, body, status, expected) in [
        (
            "twice",
            create("robot", &acme, &["viewer"]),
            409,
            "already_exists",
        ),
        (
            "unknown user",
            create("nobody", &acme, &["viewer"]),
            404,
            "not_found",
        ),
        (
            "unknown role",
            create("other", &acme, &["owner"]),
            400,
            "invalid_argument",
        ),
        (
            "org without the project",
            create("other", &initech, &["viewer"]),
            404,
            "not_found",
        ),
        (
            "role outside the grant",
            create("other", &globex, &["editor"]),
            400,
            "invalid_argument",
        ),
    ] {
        let response = call(&server, AUTHZ, "CreateAuthorization", body, &admin).await;
        assert_eq!(
            code(&response),
            (status, Some(expected)),
            "{case}: {}",
            response.1
        );
    }
    assert_eq!(probe.head().await, before, "bad requests wrote events");

    // On the granted org, through the grant.
    let granted = call(
        &server,
        AUTHZ,
        "CreateAuthorization",
        create("other", &globex, &["viewer"]),
        &admin,
    )
    .await;
    assert_eq!(granted.0, 200, "{}", granted.1);
    let granted_id = granted.1["id"].as_str().unwrap().to_owned();

    let (status, listed) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        json!({"filters": [{"projectId": {"id": project_id}}], "pagination": {"asc": true}}),
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let found = listed["authorizations"].as_array().unwrap();
    let ids: Vec<&str> = found.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [owned_id.as_str(), granted_id.as_str()], "{listed}");
    assert_eq!(found[0]["project"]["name"], "Shop");
    assert_eq!(found[0]["project"]["organizationId"], acme);
    assert_eq!(found[0]["roles"][0]["key"], "viewer");
    assert_eq!(found[0]["roles"][0]["displayName"], "VIEWER");
    assert_eq!(found[1]["organization"]["id"], globex);
    assert_eq!(found[1]["project"]["organizationId"], acme);

    // Update replaces the roles, checked against the project (and the grant).
    let updated = call(
        &server,
        AUTHZ,
        "UpdateAuthorization",
        json!({"id": owned_id, "roleKeys": ["admin"]}),
        &admin,
    )
    .await;
    assert_eq!(updated.0, 200, "{}", updated.1);
    let head = probe.head().await;
    for (body, status, expected) in [
        (
            json!({"id": owned_id, "roleKeys": ["owner"]}),
            400,
            "invalid_argument",
        ),
        (
            json!({"id": owned_id, "roleKeys": ["admin"]}),
            400,
            "failed_precondition",
        ),
        (
            json!({"id": granted_id, "roleKeys": ["editor"]}),
            400,
            "invalid_argument",
        ),
    ] {
        let response = call(&server, AUTHZ, "UpdateAuthorization", body, &admin).await;
        assert_eq!(code(&response), (status, Some(expected)), "{}", response.1);
    }
    assert_eq!(probe.head().await, head);
    let (_, listed) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        json!({"filters": [{"roleKey": {"key": "admin"}}]}),
        &admin,
    )
    .await;
    assert_eq!(
        listed["authorizations"][0]["id"],
        owned_id.as_str(),
        "{listed}"
    );
    assert_eq!(listed["authorizations"].as_array().unwrap().len(), 1);

    // Deleting frees (user, project, org) for a new authorization.
    let deleted = call(
        &server,
        AUTHZ,
        "DeleteAuthorization",
        json!({"id": owned_id}),
        &admin,
    )
    .await;
    assert_eq!(deleted.0, 200, "{}", deleted.1);
    let again = call(
        &server,
        AUTHZ,
        "CreateAuthorization",
        create("robot", &acme, &["viewer"]),
        &admin,
    )
    .await;
    assert_eq!(again.0, 200, "{}", again.1);
    server.stop();
}
