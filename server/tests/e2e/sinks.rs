//! SIEM sinks end to end: a webhook receiver and a syslog receiver in the test get every
//! matching event exactly once in effect (deduplicated by position), in per-aggregate order,
//! across a restart; filters by type and org hold; a failing receiver leaves dead letters that a
//! replay delivers; secrets never come back and never reach the ledger in plaintext.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use castellan_sinks::format::{syslog, webhook};
use castellan_writer::ledger::{EventFilter, Ledger};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use super::support::{LedgerProbe, Server};

const KEY: &str = "whsec-e2e-signing-key-4711";

/// What the HTTP receiver got: (idempotency key, signature header, body).
#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<(String, String, String)>>,
    failing: Mutex<bool>,
}

async fn http_receiver() -> (String, Arc<Inbox>) {
    let inbox = Arc::new(Inbox::default());
    let state = inbox.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                if *state.failing.lock().unwrap() {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                state.received.lock().unwrap().push((
                    header("idempotency-key"),
                    header("zitadel-signature"),
                    body,
                ));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), inbox)
}

/// A syslog TCP receiver: every octet-counted message, in arrival order.
async fn syslog_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let messages = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let inbox = messages.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = Vec::new();
            socket.read_to_end(&mut buffer).await.unwrap();
            let framed = syslog::deframe(&mut buffer).expect("octet-counted frames");
            inbox.lock().unwrap().extend(framed);
        }
    });
    (address.to_string(), messages)
}

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8"),
        ("CASTELLAN_SINKS_POLLSECONDS", "1"),
        ("CASTELLAN_SINKS_MAXATTEMPTS", "3"),
        ("CASTELLAN_SINKS_RETRYBASEMILLIS", "20"),
        ("CASTELLAN_SINKS_RETRYMAXMILLIS", "100"),
    ]
}

async fn create_sink(server: &Server, body: Value) -> Value {
    let (status, sink) = server
        .rest(Method::POST, "/castellan/v1/sinks", Some(body))
        .await;
    assert_eq!(status, 201, "{sink}");
    sink
}

async fn add_org(server: &Server, name: &str) -> String {
    let org = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({ "name": name }),
        )
        .await;
    org["organizationId"].as_str().unwrap().to_owned()
}

async fn add_user(server: &Server, name: &str, org: Option<&str>) {
    let mut body = json!({"userId": name, "username": name, "human": {
        "profile": {"givenName": name, "familyName": "Audit"},
        "email": {"email": format!("{name}@example.com"), "isVerified": true}}});
    if let Some(org) = org {
        body["organizationId"] = json!(org);
    }
    server
        .admin_ok("zitadel.user.v2.UserService", "CreateUser", body)
        .await;
}

/// Positions (with aggregate id) of the ledger's events that pass `keep`, in ledger order.
async fn expected(
    server: &Server,
    keep: impl Fn(&castellan_core::Event) -> bool,
) -> Vec<(i64, String)> {
    let probe = LedgerProbe::open(&server.data_dir).await;
    let mut out = Vec::new();
    let mut after = castellan_core::Position::START;
    loop {
        let events = probe
            .ledger
            .read(&EventFilter {
                after,
                limit: 1000,
                ..EventFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = events.last() else { break };
        after = last.position;
        out.extend(
            events
                .iter()
                .filter(|e| keep(e))
                .map(|e| (e.position.0, e.aggregate_id.clone())),
        );
    }
    out
}

/// Waits (up to 30 s) until `got()` covers every expected position.
async fn wait_for(expected: &[(i64, String)], got: impl Fn() -> Vec<(i64, String)>) {
    let wanted: BTreeSet<i64> = expected.iter().map(|(p, _)| *p).collect();
    for _ in 0..300 {
        let have: BTreeSet<i64> = got().iter().map(|(p, _)| *p).collect();
        if wanted.is_subset(&have) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let have: BTreeSet<i64> = got().iter().map(|(p, _)| *p).collect();
    panic!("missing {:?}", wanted.difference(&have).collect::<Vec<_>>());
}

/// Exactly once in effect, in per-aggregate order: deduplicated by position the deliveries are
/// the expected set, and each aggregate's first deliveries come in ledger order.
fn assert_once_in_order(expected: &[(i64, String)], delivered: &[(i64, String)]) {
    let mut seen = BTreeSet::new();
    let mut firsts: Vec<(i64, String)> = Vec::new();
    for (position, aggregate) in delivered {
        if seen.insert(*position) {
            firsts.push((*position, aggregate.clone()));
        }
    }
    let wanted: BTreeSet<i64> = expected.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        seen, wanted,
        "the deduplicated deliveries are the matching events"
    );
    let mut by_aggregate: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (position, aggregate) in firsts {
        by_aggregate.entry(aggregate).or_default().push(position);
    }
    for (aggregate, positions) in by_aggregate {
        let mut sorted = positions.clone();
        sorted.sort_unstable();
        assert_eq!(positions, sorted, "order of {aggregate}");
    }
}

fn webhook_deliveries(inbox: &Inbox) -> Vec<(i64, String)> {
    inbox
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|(key, _, body)| {
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!(key, &event["position"].to_string(), "idempotency key");
            (
                event["position"].as_i64().unwrap(),
                event["aggregateID"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The position and the aggregate id (CEF `cs3`) of each syslog message.
fn syslog_deliveries(messages: &Mutex<Vec<String>>) -> Vec<(i64, String)> {
    messages
        .lock()
        .unwrap()
        .iter()
        .map(|message| {
            let position = message
                .split("position=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap()
                .parse()
                .unwrap();
            let aggregate = message
                .split(" cs3=")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .unwrap()
                .to_owned();
            (position, aggregate)
        })
        .collect()
}

#[tokio::test]
async fn receivers_get_every_matching_event_once_in_order_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (hook_url, inbox) = http_receiver().await;
    let (syslog_address, messages) = syslog_receiver().await;
    let server = Server::start(dir.path(), &env()).await;
    let other = add_org(&server, "Audited").await;

    let hook = create_sink(
        &server,
        json!({"name": "webhook", "kind": "webhook", "endpoint": hook_url, "secret": KEY,
               "headers": [{"name": "X-Tenant", "value": "e2e"}],
               "filter": {"eventTypes": ["user.*"], "orgIds": [other]}}),
    )
    .await;
    assert_eq!(hook["hasSecret"], true);
    assert!(!hook.to_string().contains(KEY), "the secret is write-only");
    create_sink(
        &server,
        json!({"name": "syslog", "kind": "syslog", "endpoint": syslog_address,
               "filter": {"eventTypes": ["user.human.added"]}}),
    )
    .await;
    for (name, org) in [("ann", Some(&other)), ("bob", None), ("cyd", Some(&other))] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let owner = other.clone();
    let hook_expected = expected(&server, |e| {
        e.event_type.starts_with("user.") && e.resource_owner == owner
    })
    .await;
    let syslog_expected = expected(&server, |e| e.event_type == "user.human.added").await;
    wait_for(&hook_expected, || webhook_deliveries(&inbox)).await;
    wait_for(&syslog_expected, || syslog_deliveries(&messages)).await;

    let server = server.restart().await;
    for (name, org) in [("dan", Some(&other)), ("eve", None)] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let hook_expected = expected(&server, |e| {
        e.event_type.starts_with("user.") && e.resource_owner == owner
    })
    .await;
    let syslog_expected = expected(&server, |e| e.event_type == "user.human.added").await;
    assert!(hook_expected.iter().any(|(_, id)| id == "dan"));
    assert!(
        !hook_expected
            .iter()
            .any(|(_, id)| id == "bob" || id == "eve")
    );
    wait_for(&hook_expected, || webhook_deliveries(&inbox)).await;
    wait_for(&syslog_expected, || syslog_deliveries(&messages)).await;
    // Anything still in flight would show up as an unexpected extra.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_once_in_order(&hook_expected, &webhook_deliveries(&inbox));
    assert_once_in_order(&syslog_expected, &syslog_deliveries(&messages));

    for (_, signature, body) in inbox.received.lock().unwrap().iter() {
        assert!(
            webhook::verify(KEY.as_bytes(), signature, body.as_bytes()),
            "ZITADEL-Signature {signature}"
        );
    }
    assert!(
        messages
            .lock()
            .unwrap()
            .iter()
            .all(|m| m.starts_with("<110>1 ") && m.contains(" CEF:0|Castellan|Castellan|"))
    );

    let (status, list) = server.rest(Method::GET, "/castellan/v1/sinks", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["sinks"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(KEY));
    let ledger = std::fs::read(dir.path().join("ledger.db")).unwrap();
    let plain = KEY.as_bytes();
    assert!(
        !ledger.windows(plain.len()).any(|w| w == plain),
        "the signing key is sealed in the ledger"
    );
    let (status, _) = server
        .raw(Method::GET, "/castellan/v1/sinks", "", None, None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_failing_receiver_leaves_dead_letters_that_a_replay_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let (hook_url, inbox) = http_receiver().await;
    *inbox.failing.lock().unwrap() = true;
    let server = Server::start(dir.path(), &env()).await;
    let org = add_org(&server, "Failing").await;
    let sink = create_sink(
        &server,
        json!({"name": "flaky", "kind": "webhook", "endpoint": hook_url, "secret": KEY,
               "filter": {"eventTypes": ["user.human.added"], "orgIds": [org]}}),
    )
    .await;
    let id = sink["id"].as_str().unwrap().to_owned();
    add_user(&server, "fay", Some(&org)).await;
    add_user(&server, "gus", Some(&org)).await;
    let letters_path = format!("/castellan/v1/sinks/{id}/dead-letters");
    let mut letters = Vec::new();
    for _ in 0..300 {
        let (status, body) = server.rest(Method::GET, &letters_path, None).await;
        assert_eq!(status, 200, "{body}");
        letters = body["deadLetters"].as_array().unwrap().clone();
        if letters.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert_eq!(letters[0]["aggregateId"], "fay");
    assert!(letters[0]["error"].as_str().unwrap().contains("500"));
    assert!(inbox.received.lock().unwrap().is_empty());

    // Still failing: the replay answers unavailable and the letter stays.
    let position = letters[0]["position"].as_str().unwrap().to_owned();
    let replay = format!("{letters_path}/{position}/replay");
    let (status, body) = server.rest(Method::POST, &replay, Some(json!({}))).await;
    assert_eq!(status, 503, "{body}");

    *inbox.failing.lock().unwrap() = false;
    for letter in &letters {
        let position = letter["position"].as_str().unwrap();
        let (status, body) = server
            .rest(
                Method::POST,
                &format!("{letters_path}/{position}/replay"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let delivered: Vec<String> = webhook_deliveries(&inbox)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(delivered, ["fay", "gus"]);
    let (_, body) = server.rest(Method::GET, &letters_path, None).await;
    assert_eq!(body["deadLetters"], json!([]));
    let (status, body) = server.rest(Method::POST, &replay, Some(json!({}))).await;
    assert_eq!(status, 404, "a resolved letter is gone: {body}");

    // Healthy again: new events flow without a replay.
    add_user(&server, "hal", Some(&org)).await;
    for _ in 0..300 {
        if webhook_deliveries(&inbox).iter().any(|(_, id)| id == "hal") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(webhook_deliveries(&inbox).iter().any(|(_, id)| id == "hal"));

    let (status, _) = server
        .rest(Method::DELETE, &format!("/castellan/v1/sinks/{id}"), None)
        .await;
    assert_eq!(status, 200);
    let (status, body) = server
        .rest(Method::GET, &format!("/castellan/v1/sinks/{id}"), None)
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], 5);
}
