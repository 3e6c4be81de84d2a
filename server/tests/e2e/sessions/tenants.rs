//! Sessions stay in their instance: a second instance (set up through the writer, reached by its
//! own host name) neither sees nor deletes the first one's sessions, nor checks its users.

use std::time::Duration;

use castellan_core::user::{HumanProfile, NewHuman};
use castellan_writer::CommandContext;
use castellan_writer::commands::setup::{MachineAdmin, SetupFirstInstance};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::super::support::{LedgerProbe, Server};
use super::{SESSIONS, add_user, code, ok, session_ids};

const HOST_B: &str = "tenant-b.localhost";

/// A Connect call to the instance of `host`.
async fn call_on(
    server: &Server,
    host: &str,
    method: &str,
    body: Value,
    token: &str,
) -> (u16, Value) {
    let response = reqwest::Client::builder()
        .build()
        .unwrap()
        .post(format!("{}/{SESSIONS}/{method}", server.base_url()))
        .header("Host", format!("{host}:{}", server.port))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {token}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Sets up instance B with a machine admin; returns the admin's token once B answers.
async fn second_instance(server: &Server, probe: &LedgerProbe) -> String {
    let (token, token_hash) = secrets::new_bearer_token();
    let ctx = CommandContext {
        instance_id: "instance-b".into(),
        creator: "e2e".into(),
    };
    let command = SetupFirstInstance {
        instance_name: "B".into(),
        domain: HOST_B.into(),
        org_id: "org-b".into(),
        org_name: "B".into(),
        human_id: "human-b".into(),
        human: NewHuman {
            username: "owner-b".into(),
            profile: HumanProfile {
                given_name: "Owner".into(),
                family_name: "B".into(),
                ..HumanProfile::default()
            },
            email: "owner@b.example".into(),
            email_verified: true,
            password_hash: None,
            password_change_required: false,
        },
        machine: Some(MachineAdmin {
            user_id: "machine-b".into(),
            username: "machine-b".into(),
            name: "Machine B".into(),
            token_id: "machine-b-token".into(),
            token_hash,
            expiration: None,
        }),
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    for _ in 0..100 {
        if call_on(server, HOST_B, "ListSessions", json!({}), &token)
            .await
            .0
            == 200
        {
            return token;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("instance B never answered");
}

#[tokio::test]
async fn sessions_stay_in_their_instance() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_user(&server, "ada-1", "ada", "Password1!").await;
    let in_a = ok(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"checks": {"user": {"userId": "ada-1"}, "password": {"password": "Password1!"}}}),
    )
    .await;
    let session_a = in_a["sessionId"].as_str().unwrap().to_owned();
    let token_b = second_instance(&server, &probe).await;

    // B's admin holds session.read in B: it sees none of A's sessions, nor A's users.
    let by_id = json!({"sessionId": session_a});
    let hidden = call_on(&server, HOST_B, "GetSession", by_id.clone(), &token_b).await;
    assert_eq!(code(&hidden), (404, Some("not_found")), "{}", hidden.1);
    let with_token = json!({"sessionId": session_a, "sessionToken": in_a["sessionToken"]});
    let hidden = call_on(&server, HOST_B, "GetSession", with_token, &token_b).await;
    assert_eq!(code(&hidden), (404, Some("not_found")), "{}", hidden.1);
    let (status, listed) = call_on(&server, HOST_B, "ListSessions", json!({}), &token_b).await;
    assert_eq!(status, 200, "{listed}");
    assert!(session_ids(&listed).is_empty(), "{listed}");
    let refused = call_on(&server, HOST_B, "DeleteSession", by_id.clone(), &token_b).await;
    assert_eq!(code(&refused), (404, Some("not_found")), "{}", refused.1);
    let check = json!({"checks": {"user": {"userId": "ada-1"}}});
    let unknown = call_on(&server, HOST_B, "CreateSession", check, &token_b).await;
    assert_eq!(code(&unknown), (404, Some("not_found")), "{}", unknown.1);
    // A's token means nothing in B.
    let foreign = call_on(&server, HOST_B, "ListSessions", json!({}), &server.token).await;
    assert_eq!(
        code(&foreign),
        (401, Some("unauthenticated")),
        "{}",
        foreign.1
    );

    // A still has its session.
    let got = ok(&server, SESSIONS, "GetSession", by_id).await;
    assert_eq!(got["session"]["id"], session_a.as_str());
}
