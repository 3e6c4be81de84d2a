//! Splunk HTTP Event Collector: a receiver playing HEC (`/services/collector/event`) checks the
//! `Authorization: Splunk <token>` header and reads the newline-separated event objects.

use serde_json::json;

use super::*;

const TOKEN: &str = "0f5ad9d4-hec-e2e-token";

/// What the HEC receiver accepted (every event object, in arrival order) and how many requests
/// it refused for a wrong token.
#[derive(Default)]
struct Hec {
    events: Mutex<Vec<Value>>,
    refused: Mutex<usize>,
}

async fn hec_receiver() -> (String, Arc<Hec>) {
    let hec = Arc::new(Hec::default());
    let state = hec.clone();
    let app = axum::Router::new().route(
        "/services/collector/event",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let authorization = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if authorization != format!("Splunk {TOKEN}") {
                    *state.refused.lock().unwrap() += 1;
                    let answer = json!({"text": "Invalid authorization", "code": 4});
                    return (StatusCode::UNAUTHORIZED, answer.to_string());
                }
                let parsed: Result<Vec<Value>, _> = body
                    .lines()
                    .filter(|line| !line.is_empty())
                    .map(serde_json::from_str::<Value>)
                    .collect();
                let Ok(events) = parsed else {
                    let answer = json!({"text": "Invalid data format", "code": 6});
                    return (StatusCode::BAD_REQUEST, answer.to_string());
                };
                state.events.lock().unwrap().extend(events);
                (
                    StatusCode::OK,
                    json!({"text": "Success", "code": 0}).to_string(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/services/collector/event"), hec)
}

/// Position and aggregate id of every accepted HEC event (`event.position`).
fn hec_deliveries(hec: &Hec) -> Vec<(i64, String)> {
    hec.events
        .lock()
        .unwrap()
        .iter()
        .map(|object| {
            (
                object["event"]["position"].as_i64().unwrap(),
                object["event"]["aggregateID"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn dead_letters(server: &Server, sink: &str) -> Vec<Value> {
    let path = format!("/castellan/v1/sinks/{sink}/dead-letters");
    let (status, body) = server.rest(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["deadLetters"].as_array().unwrap().clone()
}

#[tokio::test]
async fn splunk_hec_gets_every_matching_event_once_in_order_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (url, hec) = hec_receiver().await;
    let server = Server::start(dir.path(), &env()).await;
    let org = add_org(&server, "Splunked").await;
    let sink = create_sink(
        &server,
        json!({"name": "splunk", "kind": "splunk_hec", "endpoint": url, "secret": TOKEN,
               "filter": {"eventTypes": ["user.human.*"], "orgIds": [org]}}),
    )
    .await;
    let sink = sink["id"].as_str().unwrap().to_owned();
    // The same receiver behind a sink with the wrong token: refused (401), not retried.
    let wrong = create_sink(
        &server,
        json!({"name": "wrong token", "kind": "splunk_hec", "endpoint": url,
               "secret": "not-the-token", "filter": {"eventTypes": ["user.human.added"],
               "orgIds": [org]}}),
    )
    .await;
    let wrong = wrong["id"].as_str().unwrap().to_owned();
    for (name, org) in [("ann", Some(&org)), ("bob", None), ("cyd", Some(&org))] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let owner = org.clone();
    let keep = move |e: &castellan_core::Event| {
        e.event_type.starts_with("user.human.") && e.resource_owner == owner
    };
    let wanted = expected(&server, &keep).await;
    assert!(wanted.len() >= 2, "{wanted:?}");
    wait_for(&wanted, || hec_deliveries(&hec)).await;

    // Metrics of this process: every accepted event was counted as sent, none retried or failed;
    // the wrong token's two events are dead letters, counted as failed, and never retried.
    let received = hec.events.lock().unwrap().len() as f64;
    let sent = metric_reaches(&server, "castellan_sink_sent_total", &sink, received).await;
    assert_eq!(sent, Some(received));
    for _ in 0..300 {
        if dead_letters(&server, &wrong).await.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let letters = dead_letters(&server, &wrong).await;
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert!(letters[0]["error"].as_str().unwrap().contains("401"));
    let failed = metric_reaches(&server, "castellan_sink_failed_total", &wrong, 2.0).await;
    assert_eq!(failed, Some(2.0));
    assert_eq!(
        metric(&server, "castellan_sink_retried_total", &wrong).await,
        None,
        "a 401 is not retried"
    );
    assert_eq!(
        metric(&server, "castellan_sink_failed_total", &sink).await,
        None
    );
    assert_eq!(
        metric_reaches(&server, "castellan_sink_lag", &sink, 0.0).await,
        Some(0.0),
        "caught up"
    );
    // One request or two, by how the relay's batches fell; never retried.
    let refused = *hec.refused.lock().unwrap();
    assert!((1..=2).contains(&refused), "{refused}");

    let server = server.restart().await;
    for (name, org) in [("dan", Some(&org)), ("eve", None)] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let wanted = expected(&server, &keep).await;
    assert!(wanted.iter().any(|(_, id)| id == "dan"));
    assert!(!wanted.iter().any(|(_, id)| id == "bob" || id == "eve"));
    wait_for(&wanted, || hec_deliveries(&hec)).await;
    // Anything still in flight would show up as an unexpected extra.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_once_in_order(&wanted, &hec_deliveries(&hec));

    for object in hec.events.lock().unwrap().iter() {
        assert_eq!(object["source"], "castellan");
        assert_eq!(object["sourcetype"], "castellan:audit");
        assert!(object["host"].as_str().is_some_and(|h| !h.is_empty()));
        let micros = object["event"]["created_at"].as_str().unwrap_or_default();
        assert!(!micros.is_empty(), "{object}");
        assert!(object["time"].as_f64().unwrap() > 1.0e9, "{object}");
    }
    let ledger = std::fs::read(dir.path().join("ledger.db")).unwrap();
    let plain = TOKEN.as_bytes();
    assert!(
        !ledger.windows(plain.len()).any(|w| w == plain),
        "the HEC token is sealed in the ledger"
    );
}
