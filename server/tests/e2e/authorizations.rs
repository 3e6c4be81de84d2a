//! End-to-end tests of the AuthorizationService and the InternalPermissionService: granting and
//! revoking administrator roles changes what a caller's token reaches on its next call, and bad
//! input gets the right Connect error and writes nothing.

use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

mod administrators;

const AUTHZ: &str = "zitadel.authorization.v2.AuthorizationService";
const ADMINS: &str = "zitadel.internal_permission.v2.InternalPermissionService";

async fn call(
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

fn code(response: &(u16, Value)) -> (u16, Option<&str>) {
    (response.0, response.1["code"].as_str())
}

/// A machine user of `org_id` with a token and no roles, appended through the writer (the
/// UserService lives elsewhere); returns its token once the server knows it.
async fn robot(server: &Server, probe: &LedgerProbe, org_id: &str, name: &str) -> String {
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
        org_id: org_id.to_owned(),
        user_id: name.to_owned(),
        username: name.to_owned(),
        name: name.to_owned(),
        token_id: format!("{name}-token"),
        token_hash,
        expiration: None,
        org_roles: Vec::new(),
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    for _ in 0..100 {
        let (status, _) = call(server, ADMINS, "ListAdministrators", json!({}), &token).await;
        if status == 200 {
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server never learned the robot's token");
}

async fn add_org(server: &Server, name: &str) -> String {
    let (status, org) = server
        .connect("AddOrganization", json!({ "name": name }))
        .await;
    assert_eq!(status, 200, "{org}");
    org["organizationId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn authorization_requests_are_checked_and_bad_ones_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    let acme = add_org(&server, "Acme").await;
    let robot_token = robot(&server, &probe, &acme, "robot").await;

    let valid = json!({"userId": "robot", "projectId": "no-such-project", "organizationId": acme, "roleKeys": ["reader"]});
    let cases = [
        ("unknown project", valid.clone(), 404, "not_found"),
        (
            "no user",
            json!({"projectId": "p", "organizationId": acme}),
            400,
            "invalid_argument",
        ),
        (
            "no project",
            json!({"userId": "robot", "organizationId": acme}),
            400,
            "invalid_argument",
        ),
        (
            "empty role key",
            json!({"userId": "robot", "projectId": "p", "organizationId": acme, "roleKeys": [""]}),
            400,
            "invalid_argument",
        ),
        (
            "role key twice",
            json!({"userId": "robot", "projectId": "p", "organizationId": acme, "roleKeys": ["a", "a"]}),
            400,
            "invalid_argument",
        ),
        (
            "malformed role keys",
            json!({"userId": "robot", "projectId": "p", "roleKeys": "a"}),
            400,
            "invalid_argument",
        ),
    ];
    let before = probe.head().await;
    for (case, body, status, expected) in cases {
        let response = call(&server, AUTHZ, "CreateAuthorization", body, &admin).await;
        assert_eq!(
            code(&response),
            (status, Some(expected)),
            "{case}: {}",
            response.1
        );
    }
    // Without user.grant.write on the org: denied, whatever the project.
    let denied = call(&server, AUTHZ, "CreateAuthorization", valid, &robot_token).await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );

    for method in [
        "UpdateAuthorization",
        "DeleteAuthorization",
        "ActivateAuthorization",
        "DeactivateAuthorization",
    ] {
        let unknown = call(
            &server,
            AUTHZ,
            method,
            json!({"id": "no-such-id", "roleKeys": []}),
            &admin,
        )
        .await;
        assert_eq!(
            code(&unknown),
            (404, Some("not_found")),
            "{method}: {}",
            unknown.1
        );
        let missing = call(&server, AUTHZ, method, json!({}), &admin).await;
        assert_eq!(
            code(&missing),
            (400, Some("invalid_argument")),
            "{method}: {}",
            missing.1
        );
        let denied = call(
            &server,
            AUTHZ,
            method,
            json!({"id": "no-such-id"}),
            &robot_token,
        )
        .await;
        assert_eq!(
            code(&denied),
            (403, Some("permission_denied")),
            "{method}: {}",
            denied.1
        );
    }
    assert_eq!(probe.head().await, before, "bad requests wrote events");

    // Lists: everyone may list (their own); filters are checked.
    for token in [&admin, &robot_token] {
        let (status, listed) = call(&server, AUTHZ, "ListAuthorizations", json!({}), token).await;
        assert_eq!(status, 200, "{listed}");
        assert_eq!(listed["authorizations"], json!([]));
    }
    let (status, listed) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        json!({"filters": [{"inUserIds": {"ids": ["robot"]}}, {"state": {"state": "STATE_ACTIVE"}}],
               "pagination": {"limit": 10}}),
        &admin,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["pagination"]["appliedLimit"], "10");
    for (case, filters, status, expected) in [
        (
            "two members",
            json!([{"projectId": {"id": "p"}, "organizationId": {"id": "o"}}]),
            400,
            "invalid_argument",
        ),
        ("no member", json!([{}]), 400, "invalid_argument"),
        ("no state", json!([{"state": {}}]), 400, "invalid_argument"),
        (
            "unknown state",
            json!([{"state": {"state": "STATE_PAUSED"}}]),
            400,
            "invalid_argument",
        ),
        (
            "display name",
            json!([{"userDisplayName": {"displayName": "x"}}]),
            501,
            "unimplemented",
        ),
    ] {
        let response = call(
            &server,
            AUTHZ,
            "ListAuthorizations",
            json!({ "filters": filters }),
            &admin,
        )
        .await;
        assert_eq!(
            code(&response),
            (status, Some(expected)),
            "{case}: {}",
            response.1
        );
    }
    server.stop();
}

#[tokio::test]
async fn an_authorization_is_listed_deactivated_activated_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    let acme = add_org(&server, "Acme").await;
    let globex = add_org(&server, "Globex").await;
    let robot_token = robot(&server, &probe, &acme, "robot").await;
    let globex_owner = robot(&server, &probe, &globex, "globex-owner").await;
    let make_owner = json!({"userId": "globex-owner", "resource": {"organizationId": globex}, "roles": ["ORG_OWNER"]});
    let made = call(&server, ADMINS, "CreateAdministrator", make_owner, &admin).await;
    assert_eq!(made.0, 200, "{}", made.1);

    // Projects are another service's: the authorization is appended through the writer (its
    // project checks happen at the API edge, covered by the read-model tests), then driven over
    // the API like any other.
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
    let command = castellan_writer::commands::authorization::CreateAuthorization {
        authorization_id: "authz-1".into(),
        new: castellan_core::authorization::NewAuthorization {
            user_id: "robot".into(),
            project_id: "shop".into(),
            org_id: acme.clone(),
            project_grant_id: None,
            role_keys: vec!["viewer".into()],
        },
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    let by_user = json!({"filters": [{"inUserIds": {"ids": ["robot"]}}]});
    let mut listed = json!(null);
    for _ in 0..100 {
        let (status, body) = call(
            &server,
            AUTHZ,
            "ListAuthorizations",
            by_user.clone(),
            &admin,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        if body["authorizations"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            listed = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let found = &listed["authorizations"][0];
    assert_eq!(found["id"], "authz-1", "{listed}");
    assert_eq!(found["user"]["id"], "robot");
    assert_eq!(found["user"]["organizationId"], acme);
    assert_eq!(found["organization"]["id"], acme);
    assert_eq!(found["organization"]["name"], "Acme");
    assert_eq!(found["project"]["id"], "shop");
    assert_eq!(found["state"], "STATE_ACTIVE");
    assert_eq!(found["roles"][0]["key"], "viewer");
    assert_eq!(listed["pagination"]["totalResult"], "1");

    // The user sees its own authorization; an owner of another org sees nothing and cannot
    // touch it (NotFound, as for an id that does not exist).
    let (_, own) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        json!({}),
        &robot_token,
    )
    .await;
    assert_eq!(own["authorizations"][0]["id"], "authz-1", "{own}");
    let (_, other) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        json!({}),
        &globex_owner,
    )
    .await;
    assert_eq!(other["authorizations"], json!([]), "{other}");
    let id = json!({"id": "authz-1"});
    let hidden = call(
        &server,
        AUTHZ,
        "DeactivateAuthorization",
        id.clone(),
        &globex_owner,
    )
    .await;
    assert_eq!(code(&hidden), (404, Some("not_found")), "{}", hidden.1);

    // Deactivate, twice (the second changes nothing), filter by state, activate.
    let off = call(
        &server,
        AUTHZ,
        "DeactivateAuthorization",
        id.clone(),
        &admin,
    )
    .await;
    assert_eq!(off.0, 200, "{}", off.1);
    assert!(off.1["changeDate"].as_str().is_some(), "{}", off.1);
    let head = probe.head().await;
    let again = call(
        &server,
        AUTHZ,
        "DeactivateAuthorization",
        id.clone(),
        &admin,
    )
    .await;
    assert_eq!(again.0, 200, "{}", again.1);
    assert!(again.1.get("changeDate").is_none(), "{}", again.1);
    assert_eq!(probe.head().await, head);
    let inactive = json!({"filters": [{"state": {"state": "STATE_INACTIVE"}}]});
    let (_, body) = call(
        &server,
        AUTHZ,
        "ListAuthorizations",
        inactive.clone(),
        &admin,
    )
    .await;
    assert_eq!(
        body["authorizations"][0]["state"], "STATE_INACTIVE",
        "{body}"
    );
    let on = call(&server, AUTHZ, "ActivateAuthorization", id.clone(), &admin).await;
    assert_eq!(on.0, 200, "{}", on.1);
    assert!(on.1["changeDate"].as_str().is_some(), "{}", on.1);
    let (_, body) = call(&server, AUTHZ, "ListAuthorizations", inactive, &admin).await;
    assert_eq!(body["authorizations"], json!([]), "{body}");

    // Updating validates the roles against the project, which does not exist here.
    let update = call(
        &server,
        AUTHZ,
        "UpdateAuthorization",
        json!({"id": "authz-1", "roleKeys": ["editor"]}),
        &admin,
    )
    .await;
    assert_eq!(code(&update), (404, Some("not_found")), "{}", update.1);

    // Delete: gone from the list; a second delete finds nothing.
    let deleted = call(&server, AUTHZ, "DeleteAuthorization", id.clone(), &admin).await;
    assert_eq!(deleted.0, 200, "{}", deleted.1);
    assert!(
        deleted.1["deletionDate"].as_str().is_some(),
        "{}",
        deleted.1
    );
    let (_, body) = call(&server, AUTHZ, "ListAuthorizations", by_user, &admin).await;
    assert_eq!(body["authorizations"], json!([]), "{body}");
    let twice = call(&server, AUTHZ, "DeleteAuthorization", id, &admin).await;
    assert_eq!(code(&twice), (404, Some("not_found")), "{}", twice.1);
    server.stop();
}
