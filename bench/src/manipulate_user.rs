//! ZITADEL's `manipulate_user` load scenario: each iteration creates a human user, updates its
//! profile, locks it and deletes it, through the UserService's Connect JSON API. One iteration is
//! four requests; the latencies recorded are per iteration (ZITADEL's k6 summaries report
//! iterations/s and request durations: divide by four for a per-request average).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Result;
use crate::api::{ApiResult, Server, truncate};
use crate::stats::Latencies;

const USER_SERVICE: &str = "zitadel.user.v2.UserService";

/// One iteration: create → update → lock → delete. `Err` names the step that failed.
pub(crate) async fn iteration(
    client: &reqwest::Client,
    target: &crate::api::Target,
    name: &str,
) -> std::result::Result<(), String> {
    let call = |method: &'static str, body: Value| async move {
        match target
            .call(client, &format!("{USER_SERVICE}/{method}"), &body)
            .await
        {
            Ok((200, body)) => Ok(body),
            Ok((status, body)) => Err(format!("{method}: HTTP {status}: {}", truncate(&body, 200))),
            Err(error) => Err(format!("{method}: {error}")),
        }
    };
    let created = call(
        "CreateUser",
        json!({
            "username": name,
            "human": {
                "profile": {"givenName": "Load", "familyName": "Test"},
                "email": {"email": format!("{name}@bench.example.com"), "isVerified": true}
            }
        }),
    )
    .await?;
    let created: Value = serde_json::from_str(&created).map_err(|e| format!("CreateUser: {e}"))?;
    let Some(user_id) = created.get("id").and_then(Value::as_str) else {
        return Err(format!("CreateUser: no id in {created}"));
    };
    call(
        "UpdateUser",
        json!({"userId": user_id, "human": {"profile": {"givenName": "Loaded"}}}),
    )
    .await?;
    call("LockUser", json!({ "userId": user_id })).await?;
    call("DeleteUser", json!({ "userId": user_id })).await?;
    Ok(())
}

/// Runs `concurrency` workers doing iterations back to back for `duration`.
pub(crate) async fn load(
    server: &Server,
    concurrency: usize,
    duration: Duration,
    run_tag: &str,
) -> Result<ApiResult> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for worker in 0..concurrency {
        let client = server.client.clone();
        let target = Arc::clone(&server.target);
        let prefix = format!("mu-{run_tag}-c{concurrency}-w{worker}");
        handles.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let (mut ok, mut errors) = (0_u64, 0_u64);
            let mut first_error = None;
            let mut n = 0_u64;
            while Instant::now() < deadline {
                let name = format!("{prefix}-{n}");
                n += 1;
                let begin = Instant::now();
                match iteration(&client, &target, &name).await {
                    Ok(()) => {
                        ok += 1;
                        latencies.record(begin.elapsed());
                    }
                    Err(error) => {
                        errors += 1;
                        first_error.get_or_insert(error);
                    }
                }
            }
            (latencies, ok, errors, first_error)
        }));
    }
    let mut latencies = Latencies::default();
    let (mut ok, mut errors) = (0_u64, 0_u64);
    let mut first_error = None;
    for handle in handles {
        let (worker_latencies, worker_ok, worker_errors, worker_error) = handle.await?;
        latencies.merge(worker_latencies);
        ok += worker_ok;
        errors += worker_errors;
        first_error = first_error.or(worker_error);
    }
    let mut note = "req/s and latencies are per iteration: create → update → lock → delete, 4 \
                    requests each (ZITADEL's figure: 66 iterations/s, 6 vCPU, 600 VUs)"
        .to_owned();
    if let Some(error) = first_error {
        note.push_str(&format!("; first error: {error}"));
    }
    Ok(ApiResult {
        backend: String::new(),
        call: "manipulate_user".to_owned(),
        concurrency,
        ok,
        errors,
        elapsed: started.elapsed(),
        latencies,
        note,
    })
}
