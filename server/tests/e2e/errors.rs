//! Bad input gets the right Connect (or REST) error and writes nothing.

use castellan_core::permission::ORG_OWNER;
use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use reqwest::Method;
use serde_json::json;

use super::support::{LedgerProbe, ORG_SERVICE, Server, names};

#[tokio::test]
async fn bad_requests_get_connect_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let (status, _) = server
        .connect("AddOrganization", json!({"name": "Acme"}))
        .await;
    assert_eq!(status, 200);
    let path = format!("/{ORG_SERVICE}/AddOrganization");
    let token = server.token.clone();
    let json_type = Some("application/json");

    // (case, body, content type, bearer token, HTTP status, Connect code)
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            "{\"name\": ",
            json_type,
            Some(&token),
            400,
            "invalid_argument",
        ),
        (
            "not an object",
            "[1, 2]",
            json_type,
            Some(&token),
            400,
            "invalid_argument",
        ),
        (
            "wrong field type",
            "{\"name\": 5}",
            json_type,
            Some(&token),
            400,
            "invalid_argument",
        ),
        (
            "empty name",
            "{\"name\": \"  \"}",
            json_type,
            Some(&token),
            400,
            "invalid_argument",
        ),
        (
            "missing token",
            "{\"name\": \"X\"}",
            json_type,
            None,
            401,
            "unauthenticated",
        ),
        (
            "unknown token",
            "{\"name\": \"X\"}",
            json_type,
            Some("not-a-token"),
            401,
            "unauthenticated",
        ),
        (
            "duplicate name",
            "{\"name\": \"Acme\"}",
            json_type,
            Some(&token),
            409,
            "already_exists",
        ),
        (
            "duplicate name, other case",
            "{\"name\": \"ACME\"}",
            json_type,
            Some(&token),
            409,
            "already_exists",
        ),
    ];
    for (case, body, content_type, bearer, want_status, want_code) in cases {
        let before = probe.head().await;
        let (status, error) = server
            .raw(Method::POST, &path, body, content_type, bearer)
            .await;
        assert_eq!(status, want_status, "{case}: {error}");
        assert_eq!(error["code"], want_code, "{case}: {error}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{case}: {error}"
        );
        assert_eq!(probe.head().await, before, "{case}: the ledger changed");
    }

    // Over the 1 MB body limit: a Connect error too, not the framework's plain-text answer.
    let before = probe.head().await;
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1_100_000));
    let (status, error) = server
        .raw(Method::POST, &path, &huge, json_type, Some(&token))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_argument")),
        "{error}"
    );
    assert_eq!(probe.head().await, before);

    let (status, _) = server
        .raw(
            Method::POST,
            &path,
            "{\"name\":\"X\"}",
            Some("text/plain"),
            Some(&token),
        )
        .await;
    assert_eq!(status, 415, "a Connect call must be JSON");

    // REST errors carry the gRPC code number.
    let before = probe.head().await;
    let (status, error) = server
        .rest(
            Method::POST,
            "/v2/organizations",
            Some(json!({"name": "acme"})),
        )
        .await;
    assert_eq!((status, error["code"].as_i64()), (409, Some(6)), "{error}");
    assert_eq!(probe.head().await, before);

    assert_eq!(server.org_names().await, ["Castellan", "Acme"]);
    server.stop();
}

#[tokio::test]
async fn org_owners_act_only_on_their_own_org() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let (_, acme) = server
        .connect("AddOrganization", json!({"name": "Acme"}))
        .await;
    let (_, globex) = server
        .connect("AddOrganization", json!({"name": "Globex"}))
        .await;
    let acme_id = acme["organizationId"].as_str().unwrap().to_owned();
    let globex_id = globex["organizationId"].as_str().unwrap().to_owned();

    // A machine user who owns Acme only. The UserService (issue #4) is not there yet, so the
    // test appends the user through the writer, into the same ledger the server tails.
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
    let (owner_token, token_hash) = secrets::new_bearer_token();
    let command = AddMachineWithToken {
        org_id: acme_id.clone(),
        user_id: "acme-robot".into(),
        username: "acme-robot".into(),
        name: "Acme robot".into(),
        token_id: "acme-robot-token".into(),
        token_hash,
        expiration: None,
        org_roles: vec![ORG_OWNER.into()],
    };
    probe.writer().execute(&ctx, &command).await.unwrap();

    // The server picks up writes of other processes by polling its ledger tail.
    let mut listed = json!(null);
    for _ in 0..100 {
        let (status, body) = server
            .connect_as("ListOrganizations", json!({}), &owner_token)
            .await;
        if status == 200 {
            listed = body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        names(&listed),
        ["Acme"],
        "an org owner lists only the orgs it may read"
    );

    let before = probe.head().await;
    let (status, error) = server
        .connect_as("AddOrganization", json!({"name": "Initech"}), &owner_token)
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("permission_denied")),
        "{error}"
    );
    let (status, error) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": globex_id, "name": "Mine"}),
            &owner_token,
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("permission_denied")),
        "{error}"
    );
    let (status, error) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": "no-such-org", "name": "Mine"}),
            &owner_token,
        )
        .await;
    assert_eq!(status, 403, "no hint whether an org exists: {error}");
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    let (status, body) = server
        .connect_as(
            "UpdateOrganization",
            json!({"organizationId": acme_id, "name": "Acme Corp"}),
            &owner_token,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        server.org_names().await,
        ["Castellan", "Acme Corp", "Globex"]
    );
    server.stop();
}
