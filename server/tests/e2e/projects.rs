//! End-to-end tests of the ProjectService and the ApplicationService, over Connect: projects,
//! roles and grants here; applications and access in the submodules.

use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

mod access;
mod applications;
mod keys;

pub(super) const PROJECTS: &str = "zitadel.project.v2.ProjectService";
pub(super) const APPS: &str = "zitadel.application.v2.ApplicationService";

pub(super) async fn call_as(
    server: &Server,
    service: &str,
    method: &str,
    body: Value,
    token: &str,
) -> (u16, Value) {
    server
        .raw(
            reqwest::Method::POST,
            &format!("/{service}/{method}"),
            &body.to_string(),
            Some("application/json"),
            Some(token),
        )
        .await
}

pub(super) async fn project(server: &Server, method: &str, body: Value) -> (u16, Value) {
    call_as(server, PROJECTS, method, body, &server.token.clone()).await
}

pub(super) async fn app(server: &Server, method: &str, body: Value) -> (u16, Value) {
    call_as(server, APPS, method, body, &server.token.clone()).await
}

pub(super) fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

pub(super) async fn add_org(server: &Server, id: &str, name: &str) {
    let (status, body) = server
        .connect(
            "AddOrganization",
            json!({"name": name, "organizationId": id}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// `pagination.totalResult` (an int64 string, omitted when zero).
pub(super) fn total(list: &Value) -> u64 {
    list["pagination"]["totalResult"]
        .as_str()
        .map_or(0, |t| t.parse().unwrap())
}

pub(super) fn names(list: &Value, field: &str, name: &str) -> Vec<String> {
    list[field]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i[name].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
pub(super) async fn projects_roles_and_grants_through_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    add_org(&server, "globex", "Globex").await;

    let (status, created) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Shop", "projectRoleAssertion": true,
               "privateLabelingSetting": "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let shop = created["projectId"].as_str().unwrap().to_owned();
    assert!(
        created["creationDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let id = json!({"projectId": shop});

    // Bad input changes nothing.
    let before = probe.head().await;
    let duplicate = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "shop"}),
    )
    .await;
    assert_eq!(
        code(&duplicate),
        (409, Some("already_exists")),
        "{}",
        duplicate.1
    );
    let no_org = project(
        &server,
        "CreateProject",
        json!({"organizationId": "nope", "name": "X"}),
    )
    .await;
    assert_eq!(code(&no_org), (404, Some("not_found")), "{}", no_org.1);
    let missing_org = project(&server, "CreateProject", json!({"name": "X"})).await;
    assert_eq!(
        code(&missing_org),
        (400, Some("invalid_argument")),
        "{}",
        missing_org.1
    );
    let no_name = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": " "}),
    )
    .await;
    assert_eq!(
        code(&no_name),
        (400, Some("invalid_argument")),
        "{}",
        no_name.1
    );
    let bad_id = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Y", "projectId": "has space"}),
    )
    .await;
    assert_eq!(
        code(&bad_id),
        (400, Some("invalid_argument")),
        "{}",
        bad_id.1
    );
    let unknown = project(&server, "GetProject", json!({"projectId": "nope"})).await;
    assert_eq!(code(&unknown), (404, Some("not_found")));
    let empty_id = project(
        &server,
        "UpdateProject",
        json!({"projectId": "", "name": "Z"}),
    )
    .await;
    assert_eq!(code(&empty_id), (400, Some("invalid_argument")));
    let unknown_update = project(
        &server,
        "UpdateProject",
        json!({"projectId": "nope", "name": "Z"}),
    )
    .await;
    assert_eq!(code(&unknown_update), (404, Some("not_found")));
    let bad_enum = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "E", "privateLabelingSetting": "NOPE"}),
    )
    .await;
    assert_eq!(code(&bad_enum), (400, Some("invalid_argument")));
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    let (status, got) = project(&server, "GetProject", id.clone()).await;
    assert_eq!(status, 200, "{got}");
    let p = &got["project"];
    assert_eq!(p["name"], "Shop");
    assert_eq!(p["organizationId"], "acme");
    assert_eq!(p["state"], "PROJECT_STATE_ACTIVE");
    assert_eq!(p["projectRoleAssertion"], true);
    assert_eq!(p["authorizationRequired"], false);
    assert_eq!(
        p["privateLabelingSetting"],
        "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"
    );

    let (status, changed) = project(
        &server,
        "UpdateProject",
        json!({"projectId": shop, "name": "Store", "authorizationRequired": true}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert!(changed["changeDate"].is_string());
    let (_, got) = project(&server, "GetProject", id.clone()).await;
    assert_eq!(got["project"]["name"], "Store");
    assert_eq!(got["project"]["authorizationRequired"], true);
    assert_eq!(
        got["project"]["projectRoleAssertion"], true,
        "omitted fields stay"
    );

    assert_eq!(
        project(&server, "DeactivateProject", id.clone()).await.0,
        200
    );
    let again = project(&server, "DeactivateProject", id.clone()).await;
    assert_eq!(code(&again), (400, Some("failed_precondition")));
    let (_, got) = project(&server, "GetProject", id.clone()).await;
    assert_eq!(got["project"]["state"], "PROJECT_STATE_INACTIVE");
    assert_eq!(project(&server, "ActivateProject", id.clone()).await.0, 200);

    // Lists: filters and paging.
    let (status, _) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "globex", "name": "Blog", "projectId": "blog-1"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, all) = project(&server, "ListProjects", json!({})).await;
    assert_eq!(names(&all, "projects", "name"), ["Store", "Blog"]);
    assert_eq!(total(&all), 2);
    let (_, paged) = project(
        &server,
        "ListProjects",
        json!({"pagination": {"limit": 1, "offset": "1"}}),
    )
    .await;
    assert_eq!(names(&paged, "projects", "name"), ["Blog"]);
    assert_eq!(total(&paged), 2);
    assert_eq!(paged["pagination"]["appliedLimit"], "1");
    let (_, sorted) = project(
        &server,
        "ListProjects",
        json!({"sortingColumn": "PROJECT_FIELD_NAME_NAME", "pagination": {"asc": true}}),
    )
    .await;
    assert_eq!(names(&sorted, "projects", "name"), ["Blog", "Store"]);
    let (_, newest_name_first) = project(
        &server,
        "ListProjects",
        json!({"sortingColumn": "PROJECT_FIELD_NAME_NAME", "pagination": {"limit": 1}}),
    )
    .await;
    assert_eq!(names(&newest_name_first, "projects", "name"), ["Store"]);
    assert_eq!(total(&newest_name_first), 2);
    // A rename moves the project in the name order.
    let (status, _) = project(
        &server,
        "UpdateProject",
        json!({"projectId": "blog-1", "name": "Zine"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, sorted) = project(
        &server,
        "ListProjects",
        json!({"sortingColumn": "PROJECT_FIELD_NAME_NAME", "pagination": {"asc": true}}),
    )
    .await;
    assert_eq!(names(&sorted, "projects", "name"), ["Store", "Zine"]);
    assert_eq!(total(&sorted), 2, "the old name's index row is gone");
    let (_, by_name) = project(
        &server,
        "ListProjects",
        json!({"filters": [{"projectNameFilter": {"projectName": "sto", "method": "TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE"}}]}),
    )
    .await;
    assert_eq!(names(&by_name, "projects", "name"), ["Store"]);
    let (_, by_org) = project(
        &server,
        "ListProjects",
        json!({"filters": [{"organizationIdFilter": {"organizationId": "globex"}}]}),
    )
    .await;
    assert_eq!(names(&by_org, "projects", "name"), ["Zine"]);
    let (_, by_ids) = project(
        &server,
        "ListProjects",
        json!({"filters": [{"inProjectIdsFilter": {"ids": ["blog-1", "other"]}}]}),
    )
    .await;
    assert_eq!(names(&by_ids, "projects", "name"), ["Zine"]);
    let two_in_one = project(
        &server,
        "ListProjects",
        json!({"filters": [{"inProjectIdsFilter": {"ids": []}, "projectNameFilter": {"projectName": "x"}}]}),
    )
    .await;
    assert_eq!(code(&two_in_one), (400, Some("invalid_argument")));

    // Roles.
    for (key, name) in [("admin", "Administrator"), ("viewer", "Viewer")] {
        let (status, added) = project(
            &server,
            "AddProjectRole",
            json!({"projectId": shop, "roleKey": key, "displayName": name, "group": "staff"}),
        )
        .await;
        assert_eq!(status, 200, "{added}");
        assert!(added["creationDate"].is_string());
    }
    let before = probe.head().await;
    let duplicate = project(
        &server,
        "AddProjectRole",
        json!({"projectId": shop, "roleKey": "admin", "displayName": "Again"}),
    )
    .await;
    assert_eq!(code(&duplicate), (409, Some("already_exists")));
    let no_project = project(
        &server,
        "AddProjectRole",
        json!({"projectId": "nope", "roleKey": "x", "displayName": "X"}),
    )
    .await;
    assert_eq!(code(&no_project), (404, Some("not_found")));
    let no_display = project(
        &server,
        "AddProjectRole",
        json!({"projectId": shop, "roleKey": "x"}),
    )
    .await;
    assert_eq!(code(&no_display), (400, Some("invalid_argument")));
    assert_eq!(probe.head().await, before);
    let (status, _) = project(
        &server,
        "UpdateProjectRole",
        json!({"projectId": shop, "roleKey": "viewer", "displayName": "Reader"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, roles) = project(&server, "ListProjectRoles", id.clone()).await;
    assert_eq!(names(&roles, "projectRoles", "key"), ["admin", "viewer"]);
    assert_eq!(roles["projectRoles"][1]["displayName"], "Reader");
    assert_eq!(roles["projectRoles"][1]["group"], "staff");
    let (_, filtered) = project(
        &server,
        "ListProjectRoles",
        json!({"projectId": shop, "filters": [{"displayNameFilter": {"displayName": "read", "method": "TEXT_FILTER_METHOD_CONTAINS_IGNORE_CASE"}}]}),
    )
    .await;
    assert_eq!(names(&filtered, "projectRoles", "key"), ["viewer"]);

    // Grants.
    let before = probe.head().await;
    for (body, expected) in [
        (
            json!({"projectId": shop, "grantedOrganizationId": "nope"}),
            (404, Some("not_found")),
        ),
        (
            json!({"projectId": shop, "grantedOrganizationId": "globex", "roleKeys": ["ghost"]}),
            (400, Some("failed_precondition")),
        ),
        (
            json!({"projectId": shop, "grantedOrganizationId": "acme"}),
            (400, Some("invalid_argument")),
        ),
    ] {
        let answer = project(&server, "CreateProjectGrant", body).await;
        assert_eq!(code(&answer), expected, "{}", answer.1);
    }
    assert_eq!(probe.head().await, before);
    let grant = json!({"projectId": shop, "grantedOrganizationId": "globex"});
    let (status, body) = project(
        &server,
        "CreateProjectGrant",
        json!({"projectId": shop, "grantedOrganizationId": "globex", "roleKeys": ["admin", "viewer"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let again = project(&server, "CreateProjectGrant", grant.clone()).await;
    assert_eq!(code(&again), (409, Some("already_exists")));
    let (_, grants) = project(
        &server,
        "ListProjectGrants",
        json!({"filters": [{"grantedOrganizationIdFilter": {"id": "globex"}}]}),
    )
    .await;
    let g = &grants["projectGrants"][0];
    assert_eq!(g["projectName"], "Store");
    assert_eq!(g["grantedOrganizationName"], "Globex");
    assert_eq!(g["organizationId"], "acme");
    assert_eq!(g["grantedRoleKeys"], json!(["admin", "viewer"]));
    assert_eq!(g["state"], "PROJECT_GRANT_STATE_ACTIVE");
    // Removing a role takes it out of the grant too.
    let (status, _) = project(
        &server,
        "RemoveProjectRole",
        json!({"projectId": shop, "roleKey": "admin"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = project(
        &server,
        "UpdateProjectGrant",
        json!({"projectId": shop, "grantedOrganizationId": "globex", "roleKeys": ["viewer"]}),
    )
    .await;
    assert_eq!(
        status, 400,
        "the grant already lost admin: nothing to change"
    );
    assert_eq!(
        project(&server, "DeactivateProjectGrant", grant.clone())
            .await
            .0,
        200
    );
    let (_, grants) = project(
        &server,
        "ListProjectGrants",
        json!({"filters": [{"inProjectIdsFilter": {"ids": [shop]}}]}),
    )
    .await;
    assert_eq!(
        grants["projectGrants"][0]["grantedRoleKeys"],
        json!(["viewer"])
    );
    assert_eq!(
        grants["projectGrants"][0]["state"],
        "PROJECT_GRANT_STATE_INACTIVE"
    );
    assert_eq!(
        project(&server, "ActivateProjectGrant", grant.clone())
            .await
            .0,
        200
    );
    let (status, _) = project(
        &server,
        "UpdateProjectGrant",
        json!({"projectId": shop, "grantedOrganizationId": "globex", "roleKeys": []}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, by_role) = project(
        &server,
        "ListProjectGrants",
        json!({"filters": [{"roleKeyFilter": {"key": "viewer"}}]}),
    )
    .await;
    assert_eq!(total(&by_role), 0, "{by_role}");
    let (status, deleted) = project(&server, "DeleteProjectGrant", grant.clone()).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletionDate"].is_string());
    let gone = project(&server, "DeleteProjectGrant", grant.clone()).await;
    assert_eq!(code(&gone), (404, Some("not_found")));

    // Delete: the project goes, its name is free again.
    let (status, deleted) = project(&server, "DeleteProject", id.clone()).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(project(&server, "GetProject", id.clone()).await.0, 404);
    let (_, all) = project(&server, "ListProjects", json!({})).await;
    assert_eq!(names(&all, "projects", "name"), ["Zine"]);
    let (status, body) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Store"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    server.stop();
}
