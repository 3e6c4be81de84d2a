//! UserLoginMustBeDomain: with the domain settings requiring login names with the org's domain,
//! usernames are unique per org instead of per instance.

use serde_json::json;

use super::super::support::{LedgerProbe, Server};
use super::{fails, ok};

const ADMIN: &str = "zitadel.admin.v1.AdminService";

async fn org_with_domain_login(server: &Server, name: &str) -> String {
    let (status, body) = server
        .connect("AddOrganization", json!({ "name": name }))
        .await;
    assert_eq!(status, 200, "{body}");
    let org = body["organizationId"].as_str().unwrap().to_owned();
    let (status, body) = server
        .raw(
            reqwest::Method::POST,
            &format!("/{ADMIN}/AddCustomDomainPolicy"),
            &json!({"orgId": org, "userLoginMustBeDomain": true}).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    org
}

fn machine(org: &str, username: &str) -> serde_json::Value {
    json!({"organizationId": org, "username": username, "machine": {"name": "Sam"}})
}

#[tokio::test]
async fn usernames_are_unique_per_org_when_login_names_must_carry_the_domain() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let acme = org_with_domain_login(&server, "Acme").await;
    let globex = org_with_domain_login(&server, "Globex").await;

    let in_acme = ok(&server, "CreateUser", machine(&acme, "sam")).await;
    ok(&server, "CreateUser", machine(&globex, "sam")).await;
    fails(
        &server,
        &probe,
        "CreateUser",
        machine(&acme, "SAM"),
        "already_exists",
    )
    .await;

    // Deleting frees the name in its org only.
    let id = in_acme["id"].as_str().unwrap();
    ok(&server, "DeleteUser", json!({ "userId": id })).await;
    ok(&server, "CreateUser", machine(&acme, "sam")).await;
    fails(
        &server,
        &probe,
        "CreateUser",
        machine(&globex, "sam"),
        "already_exists",
    )
    .await;

    // Without the setting (the default org), usernames stay unique in the instance.
    let (status, body) = server
        .connect("AddOrganization", json!({ "name": "Initech" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let initech = body["organizationId"].as_str().unwrap().to_owned();
    ok(&server, "CreateUser", machine(&initech, "pat")).await;
    let (status, body) = server
        .connect("AddOrganization", json!({ "name": "Umbrella" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let umbrella = body["organizationId"].as_str().unwrap().to_owned();
    fails(
        &server,
        &probe,
        "CreateUser",
        machine(&umbrella, "pat"),
        "already_exists",
    )
    .await;
}
