//! End-to-end tests of the ProjectService and the ApplicationService, over Connect.

use base64::Engine;
use castellan_core::permission::ORG_OWNER;
use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

const PROJECTS: &str = "zitadel.project.v2.ProjectService";
const APPS: &str = "zitadel.application.v2.ApplicationService";

async fn call_as(
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

async fn project(server: &Server, method: &str, body: Value) -> (u16, Value) {
    call_as(server, PROJECTS, method, body, &server.token.clone()).await
}

async fn app(server: &Server, method: &str, body: Value) -> (u16, Value) {
    call_as(server, APPS, method, body, &server.token.clone()).await
}

fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

async fn add_org(server: &Server, id: &str, name: &str) {
    let (status, body) = server
        .connect(
            "AddOrganization",
            json!({"name": name, "organizationId": id}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// `pagination.totalResult` (an int64 string, omitted when zero).
fn total(list: &Value) -> u64 {
    list["pagination"]["totalResult"]
        .as_str()
        .map_or(0, |t| t.parse().unwrap())
}

fn names(list: &Value, field: &str, name: &str) -> Vec<String> {
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
async fn projects_roles_and_grants_through_connect() {
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
    assert_eq!(names(&by_org, "projects", "name"), ["Blog"]);
    let (_, by_ids) = project(
        &server,
        "ListProjects",
        json!({"filters": [{"inProjectIdsFilter": {"ids": ["blog-1", "other"]}}]}),
    )
    .await;
    assert_eq!(names(&by_ids, "projects", "name"), ["Blog"]);
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
    assert_eq!(names(&all, "projects", "name"), ["Blog"]);
    let (status, body) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Store"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    server.stop();
}

fn oidc_app(name: &str, config: Value) -> Value {
    json!({"projectId": "shop", "name": name, "oidcConfiguration": config})
}

#[tokio::test]
async fn applications_through_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    let (status, _) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Web Shop", "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200);

    let (status, web) = app(
        &server,
        "CreateApplication",
        oidc_app(
            "Web",
            json!({"redirectUris": ["https://shop.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                   "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                   "applicationType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC",
                   "postLogoutRedirectUris": ["https://shop.test/bye"], "accessTokenType": "OIDC_TOKEN_TYPE_JWT",
                   "idTokenRoleAssertion": true, "clockSkew": "3s"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{web}");
    let web_id = web["applicationId"].as_str().unwrap().to_owned();
    let client_id = web["oidcConfiguration"]["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = web["oidcConfiguration"]["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(client_id, format!("{web_id}@web_shop"));
    assert!(secret.len() >= 32);
    // The secret is stored only as a hash.
    let events = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["project".into()],
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let stored =
        serde_json::to_string(&events.iter().map(|e| &e.payload).collect::<Vec<_>>()).unwrap();
    assert!(stored.contains(&secrets::token_hash(&secret)));
    assert!(!stored.contains(&secret));

    // Bad configurations are refused and write nothing.
    let before = probe.head().await;
    let cases = [
        oidc_app("A", json!({"redirectUris": ["not a uri"]})),
        oidc_app("B", json!({"redirectUris": ["/relative/cb"]})),
        oidc_app("C", json!({"redirectUris": ["http://shop.test/cb"]})),
        oidc_app(
            "D",
            json!({"redirectUris": ["https://shop.test/cb"], "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE",
                   "responseTypes": ["OIDC_RESPONSE_TYPE_ID_TOKEN"], "grantTypes": ["OIDC_GRANT_TYPE_IMPLICIT"]}),
        ),
        oidc_app("E", json!({"clockSkew": "10s"})),
        oidc_app("Web", json!({})),
        json!({"projectId": "shop", "name": "F"}),
        json!({"projectId": "shop", "name": "G", "apiConfiguration": {}, "oidcConfiguration": {}}),
        json!({"projectId": "shop", "name": "H", "samlConfiguration": {"metadataXml": "bm90IHhtbA=="}}),
    ];
    for body in cases {
        let answer = app(&server, "CreateApplication", body.clone()).await;
        let expected = if body["name"] == "Web" { 409 } else { 400 };
        assert_eq!(answer.0, expected, "{body} → {}", answer.1);
    }
    let url = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "U", "samlConfiguration": {"metadataUrl": "https://idp.test/meta"}}),
    )
    .await;
    assert_eq!(code(&url), (501, Some("unimplemented")), "{}", url.1);
    let unknown_project = app(
        &server,
        "CreateApplication",
        json!({"projectId": "nope", "name": "X", "apiConfiguration": {}}),
    )
    .await;
    assert_eq!(code(&unknown_project), (404, Some("not_found")));
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    // Development mode allows http; API and SAML apps.
    let (status, dev) = app(
        &server,
        "CreateApplication",
        oidc_app(
            "Dev",
            json!({"redirectUris": ["http://localhost:3000/cb"], "developmentMode": true,
                   "applicationType": "OIDC_APP_TYPE_USER_AGENT", "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{dev}");
    assert!(
        dev["oidcConfiguration"].get("clientSecret").is_none(),
        "public clients get no secret"
    );
    let (status, api) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "Backend", "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}),
    )
    .await;
    assert_eq!(status, 200, "{api}");
    assert!(api["apiConfiguration"]["clientId"].is_string());
    assert!(api["apiConfiguration"].get("clientSecret").is_none());
    let api_id = api["applicationId"].as_str().unwrap().to_owned();
    let xml = r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.test/saml"/>"#;
    let (status, saml) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "SAML", "applicationId": "saml-1",
               "samlConfiguration": {"metadataXml": base64::engine::general_purpose::STANDARD.encode(xml)}}),
    )
    .await;
    assert_eq!(status, 200, "{saml}");

    // Get and list.
    let (status, got) = app(&server, "GetApplication", json!({"applicationId": web_id})).await;
    assert_eq!(status, 200, "{got}");
    let a = &got["application"];
    assert_eq!(a["name"], "Web");
    assert_eq!(a["projectId"], "shop");
    assert_eq!(a["state"], "APPLICATION_STATE_ACTIVE");
    let oidc = &a["oidcConfiguration"];
    assert_eq!(oidc["clientId"], client_id.as_str());
    assert_eq!(oidc["redirectUris"], json!(["https://shop.test/cb"]));
    assert_eq!(oidc["clockSkew"], "3s");
    assert_eq!(oidc["accessTokenType"], "OIDC_TOKEN_TYPE_JWT");
    assert_eq!(oidc["idTokenRoleAssertion"], true);
    assert_eq!(oidc["allowedOrigins"], json!(["https://shop.test"]));
    assert!(oidc.get("clientSecret").is_none());
    let (_, got) = app(
        &server,
        "GetApplication",
        json!({"applicationId": "saml-1"}),
    )
    .await;
    let returned = got["application"]["samlConfiguration"]["metadataXml"]
        .as_str()
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(returned)
            .unwrap(),
        xml.as_bytes()
    );
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": "nope"}))
            .await
            .0,
        404
    );

    let (_, all) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"projectIdFilter": {"projectId": "shop"}}]}),
    )
    .await;
    assert_eq!(total(&all), 4, "{all}");
    let (_, apis) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"typeFilter": "APPLICATION_TYPE_API"}]}),
    )
    .await;
    assert_eq!(names(&apis, "applications", "name"), ["Backend"]);
    let (_, by_client) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"clientIdFilter": {"clientId": client_id}}]}),
    )
    .await;
    assert_eq!(names(&by_client, "applications", "name"), ["Web"]);
    let (_, by_entity) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"entityIdFilter": {"entityId": "https://sp.test/saml"}}]}),
    )
    .await;
    assert_eq!(names(&by_entity, "applications", "name"), ["SAML"]);
    let (_, by_name) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"nameFilter": {"name": "de", "method": "TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE"}}], "pagination": {"limit": 10}}),
    )
    .await;
    assert_eq!(names(&by_name, "applications", "name"), ["Dev"]);

    // Update: only the given fields change; the kind cannot change.
    let (status, body) = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "projectId": "shop", "name": "Storefront",
               "oidcConfiguration": {"redirectUris": ["https://shop.test/cb2"]}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, got) = app(&server, "GetApplication", json!({"applicationId": web_id})).await;
    assert_eq!(got["application"]["name"], "Storefront");
    assert_eq!(
        got["application"]["oidcConfiguration"]["redirectUris"],
        json!(["https://shop.test/cb2"])
    );
    assert_eq!(got["application"]["oidcConfiguration"]["clockSkew"], "3s");
    let before = probe.head().await;
    let wrong_kind = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_BASIC"}}),
    )
    .await;
    assert_eq!(code(&wrong_kind), (400, Some("invalid_argument")));
    let bad_uri = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "oidcConfiguration": {"redirectUris": ["nope"]}}),
    )
    .await;
    assert_eq!(code(&bad_uri), (400, Some("invalid_argument")));
    let other_project = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "projectId": "other", "name": "X"}),
    )
    .await;
    assert_eq!(code(&other_project), (404, Some("not_found")));
    let no_secret = app(
        &server,
        "GenerateClientSecret",
        json!({"applicationId": api_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(code(&no_secret), (400, Some("failed_precondition")));
    assert_eq!(probe.head().await, before);

    // Lifecycle and secrets.
    let (status, body) = app(
        &server,
        "DeactivateApplication",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["deactivationDate"].is_string());
    let (_, inactive) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"stateFilter": "APPLICATION_STATE_INACTIVE"}]}),
    )
    .await;
    assert_eq!(names(&inactive, "applications", "name"), ["Storefront"]);
    let again = app(
        &server,
        "DeactivateApplication",
        json!({"applicationId": web_id}),
    )
    .await;
    assert_eq!(code(&again), (400, Some("failed_precondition")));
    let (status, body) = app(
        &server,
        "ReactivateApplication",
        json!({"applicationId": web_id}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["reactivationDate"].is_string());
    let (status, fresh) = app(
        &server,
        "GenerateClientSecret",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{fresh}");
    let new_secret = fresh["clientSecret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let (status, body) = app(
        &server,
        "DeleteApplication",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["deletionDate"].is_string());
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": web_id}))
            .await
            .0,
        404
    );
    let (_, all) = app(&server, "ListApplications", json!({})).await;
    assert_eq!(total(&all), 3);

    // Deleting the project deletes its applications.
    assert_eq!(
        project(&server, "DeleteProject", json!({"projectId": "shop"}))
            .await
            .0,
        200
    );
    let (_, all) = app(&server, "ListApplications", json!({})).await;
    assert_eq!(total(&all), 0, "{all}");
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": api_id}))
            .await
            .0,
        404
    );
    server.stop();
}

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
