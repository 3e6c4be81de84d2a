//! SIEM sinks end to end: receivers in the test (a signed webhook, Splunk's HTTP Event
//! Collector, syslog over TCP and over TLS with a private CA, a Kafka topic) get every matching
//! event exactly once in effect (deduplicated by position), in per-aggregate order, across a
//! restart; filters by type and org hold; a failing receiver leaves dead letters that a replay
//! delivers; the delivery metrics add up; secrets never come back and never reach the ledger in
//! plaintext.

mod delivery;
mod kafka;
mod splunk;
mod tls;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use castellan_sinks::format::syslog;
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

/// The value of `name{sink="<sink>"}` on `/debug/metrics`; `None` when it is not there.
async fn metric(server: &Server, name: &str, sink: &str) -> Option<f64> {
    let (status, body) = server
        .raw(Method::GET, "/debug/metrics", "", None, None)
        .await;
    assert_eq!(status, 200);
    let text = body.as_str().unwrap_or_default().to_owned();
    let series = format!("{name}{{sink=\"{sink}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map(|value| value.trim().parse().unwrap())
}

/// Waits (bounded) until `metric` reaches `value`; the value it last had.
async fn metric_reaches(server: &Server, name: &str, sink: &str, value: f64) -> Option<f64> {
    let mut last = None;
    for _ in 0..300 {
        last = metric(server, name, sink).await;
        if last == Some(value) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}
