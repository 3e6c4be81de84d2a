//! Who may read and write settings: an org owner acts on its own org only.

use castellan_core::permission::ORG_OWNER;
use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use reqwest::Method;
use serde_json::{Value, json};

use super::super::support::{LedgerProbe, Server};
use super::{ADMIN, MANAGEMENT, SETTINGS, add_org, call_as};

#[tokio::test]
async fn an_org_owner_overrides_its_own_org_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let acme = add_org(&server, "Acme").await;
    let globex = add_org(&server, "Globex").await;

    // A machine user owning Acme, appended through the writer (as errors.rs does).
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
        org_id: acme.clone(),
        user_id: "acme-robot".into(),
        username: "acme-robot".into(),
        name: "Acme robot".into(),
        token_id: "acme-robot-token".into(),
        token_hash,
        expiration: None,
        org_roles: vec![ORG_OWNER.into()],
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    let as_owner =
        |service: &'static str, method: &'static str, body: Value, org: Option<String>| {
            let (server, token) = (&server, token.clone());
            async move {
                call_as(
                    server,
                    &token,
                    Method::POST,
                    &format!("/{service}/{method}"),
                    Some(body),
                    org.as_deref(),
                )
                .await
            }
        };
    // The server sees the robot once it has tailed the write.
    let mut ready = false;
    for _ in 0..100 {
        let answer = as_owner(SETTINGS, "GetLockoutSettings", json!({}), None).await;
        if answer.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the org owner never got through");

    // Refused: another org (by header or by context), the instance's defaults.
    let before = probe.head().await;
    let lockout = json!({"maxPasswordAttempts": 3});
    for (service, method, body, org) in [
        (
            MANAGEMENT,
            "AddCustomLockoutPolicy",
            lockout.clone(),
            Some(globex.clone()),
        ),
        (
            MANAGEMENT,
            "AddCustomLockoutPolicy",
            lockout.clone(),
            Some("no-such-org".into()),
        ),
        (ADMIN, "UpdateLockoutPolicy", lockout.clone(), None),
        (
            SETTINGS,
            "GetLockoutSettings",
            json!({"ctx": {"orgId": globex}}),
            None,
        ),
        (
            SETTINGS,
            "SetSecuritySettings",
            json!({"enableImpersonation": true}),
            None,
        ),
    ] {
        let (status, body) = as_owner(service, method, body, org).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("permission_denied")),
            "{method}: {body}"
        );
    }
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    // Its own org: no header needed.
    let (status, body) = as_owner(MANAGEMENT, "AddCustomLockoutPolicy", lockout, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"]["resourceOwner"], acme.as_str());
    let (status, body) = as_owner(
        SETTINGS,
        "GetLockoutSettings",
        json!({"ctx": {"orgId": acme}}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["maxPasswordAttempts"], "3");
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_ORG"
    );
    // Globex still inherits.
    let (status, body) = call_as(
        &server,
        &server.token,
        Method::POST,
        &format!("/{SETTINGS}/GetLockoutSettings"),
        Some(json!({"ctx": {"orgId": globex}})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["maxPasswordAttempts"], "0");
}
