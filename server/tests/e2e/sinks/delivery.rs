//! The webhook and syslog (TCP) sinks: delivery across a restart, dead letters and replays.

use std::time::Duration;

use castellan_sinks::format::webhook;
use reqwest::Method;
use serde_json::json;

use super::*;

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
    // Metrics: both events failed after three attempts each (two retries apiece); none was sent.
    let failed = metric_reaches(&server, "castellan_sink_failed_total", &id, 2.0).await;
    assert_eq!(failed, Some(2.0));
    let retried = metric(&server, "castellan_sink_retried_total", &id).await;
    assert_eq!(retried, Some(4.0), "MaxAttempts 3: two retries per event");
    assert_eq!(
        metric(&server, "castellan_sink_sent_total", &id).await,
        None
    );
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
    // Two replays and hal's delivery are every request the receiver accepted.
    let received = inbox.received.lock().unwrap().len() as f64;
    assert_eq!(received, 3.0);
    let sent = metric_reaches(&server, "castellan_sink_sent_total", &id, received).await;
    assert_eq!(sent, Some(received));
    assert_eq!(
        metric(&server, "castellan_sink_failed_total", &id).await,
        Some(2.0),
        "replays do not undo the failures counted"
    );
    assert_eq!(
        metric_reaches(&server, "castellan_sink_lag", &id, 0.0).await,
        Some(0.0),
        "caught up"
    );

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
