//! The OpenID Provider's hot paths (issue #5): client credentials token rate, introspection rate,
//! userinfo with a personal access token, and the password-login rate (Session API
//! CreateSession with a user and a password check) beside the raw argon2id verification rate at
//! the same parameters, measured in this process on every core.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Result;
use crate::api::{ApiResult, Server, truncate};
use crate::stats::Latencies;

const PASSWORD: &str = "Bench-Passw0rd!";

async fn admin(server: &Server, method: &str, body: Value) -> Result<Value> {
    let (status, text) = server.target.call(&server.client, method, &body).await?;
    if status != 200 {
        return Err(format!("{method}: HTTP {status}: {}", truncate(&text, 300)).into());
    }
    Ok(serde_json::from_str(&text)?)
}

/// Runs `concurrency` workers doing `step` back to back for `duration`.
pub(crate) async fn measure<F, Fut>(
    call: &str,
    concurrency: usize,
    duration: Duration,
    note: &str,
    step: F,
) -> Result<ApiResult>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<(), String>> + Send,
{
    let step = Arc::new(step);
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for _ in 0..concurrency {
        let step = Arc::clone(&step);
        handles.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let (mut ok, mut errors, mut first_error) = (0_u64, 0_u64, None);
            while Instant::now() < deadline {
                let begin = Instant::now();
                match step().await {
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
    let (mut ok, mut errors, mut first_error) = (0_u64, 0_u64, None);
    for handle in handles {
        let (l, o, e, f) = handle.await?;
        latencies.merge(l);
        ok += o;
        errors += e;
        first_error = first_error.or(f);
    }
    let mut note = note.to_owned();
    if let Some(error) = first_error {
        note.push_str(&format!("; first error: {error}"));
    }
    Ok(ApiResult {
        backend: String::new(),
        call: call.to_owned(),
        concurrency,
        ok,
        errors,
        elapsed: started.elapsed(),
        latencies,
        note,
    })
}

fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// POSTs a form to an OAuth endpoint with basic client authentication.
async fn oauth_post(
    client: &reqwest::Client,
    target: &crate::api::Target,
    path: &str,
    basic: (&str, &str),
    form: &[(&str, &str)],
) -> std::result::Result<Value, String> {
    let response = client
        .post(target.url(path))
        .header("Host", target.host())
        .basic_auth(basic.0, Some(basic.1))
        .form(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{path}: HTTP {status}: {}", truncate(&text, 200)));
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

pub(crate) async fn load(server: &Server, duration: Duration) -> Result<Vec<ApiResult>> {
    // Setup: a machine user with a secret, an API app for introspection, a human with a password.
    admin(
        server,
        "zitadel.user.v2.UserService/CreateUser",
        json!({"userId": "bench-robot", "username": "bench-robot", "machine": {"name": "Bench robot"}}),
    )
    .await?;
    let secret = admin(
        server,
        "zitadel.user.v2.UserService/AddSecret",
        json!({"userId": "bench-robot"}),
    )
    .await?;
    let secret = text(&secret, "/clientSecret");
    let user = admin(
        server,
        "zitadel.user.v2.UserService/CreateUser",
        json!({"userId": "bench-ada", "username": "bench-ada", "human": {
            "profile": {"givenName": "Bench", "familyName": "Ada"},
            "email": {"email": "bench-ada@bench.example.com", "isVerified": true},
            "password": {"password": PASSWORD}}}),
    )
    .await?;
    let _ = user;
    let owner = admin(
        server,
        "zitadel.user.v2.UserService/GetUserByID",
        json!({"userId": "bench-ada"}),
    )
    .await?;
    let org = text(&owner, "/user/details/resourceOwner");
    admin(
        server,
        "zitadel.project.v2.ProjectService/CreateProject",
        json!({"organizationId": org, "name": "Bench API", "projectId": "bench-api"}),
    )
    .await?;
    let app = admin(
        server,
        "zitadel.application.v2.ApplicationService/CreateApplication",
        json!({"projectId": "bench-api", "name": "Resource server", "apiConfiguration": {}}),
    )
    .await?;
    let api_id = text(&app, "/apiConfiguration/clientId");
    let api_secret = text(&app, "/apiConfiguration/clientSecret");

    let mut results = Vec::new();
    let target = Arc::clone(&server.target);
    let client = server.client.clone();
    let form: &'static [(&str, &str)] = &[
        ("grant_type", "client_credentials"),
        (
            "scope",
            "openid urn:zitadel:iam:org:project:id:bench-api:aud",
        ),
    ];
    for concurrency in [1, 8, 32] {
        let (target, client, secret) = (Arc::clone(&target), client.clone(), secret.clone());
        results.push(
            measure(
                "client_credentials",
                concurrency,
                duration,
                "POST /oauth/v2/token (machine user + secret: one argon2id verification and one grant append each)",
                move || {
                    let (target, client, secret) = (Arc::clone(&target), client.clone(), secret.clone());
                    async move {
                        oauth_post(&client, &target, "/oauth/v2/token", ("bench-robot", &secret), form)
                            .await
                            .map(|_| ())
                    }
                },
            )
            .await?,
        );
    }
    let token = oauth_post(
        &client,
        &target,
        "/oauth/v2/token",
        ("bench-robot", &secret),
        form,
    )
    .await
    .map_err(|e| format!("token for introspection: {e}"))?;
    let access = text(&token, "/access_token");
    for concurrency in [8, 32] {
        let (target, client) = (Arc::clone(&target), client.clone());
        let (api_id, api_secret, access) = (api_id.clone(), api_secret.clone(), access.clone());
        results.push(
            measure(
                "introspect",
                concurrency,
                duration,
                "POST /oauth/v2/introspect, opaque token, API app with basic auth",
                move || {
                    let (target, client) = (Arc::clone(&target), client.clone());
                    let (api_id, api_secret, access) =
                        (api_id.clone(), api_secret.clone(), access.clone());
                    async move {
                        let body = oauth_post(
                            &client,
                            &target,
                            "/oauth/v2/introspect",
                            (&api_id, &api_secret),
                            &[("token", &access)],
                        )
                        .await?;
                        if body.pointer("/active") == Some(&Value::Bool(true)) {
                            Ok(())
                        } else {
                            Err(format!("inactive: {body}"))
                        }
                    }
                },
            )
            .await?,
        );
    }
    for concurrency in [8, 32] {
        let (target, client) = (Arc::clone(&target), client.clone());
        results.push(
            measure(
                "userinfo_pat",
                concurrency,
                duration,
                "GET /oidc/v1/userinfo with the admin's personal access token",
                move || {
                    let (target, client) = (Arc::clone(&target), client.clone());
                    async move {
                        let response = client
                            .get(target.url("/oidc/v1/userinfo"))
                            .header("Host", target.host())
                            .bearer_auth(&target.token)
                            .send()
                            .await
                            .map_err(|e| e.to_string())?;
                        match response.status().as_u16() {
                            200 => Ok(()),
                            status => Err(format!("userinfo: HTTP {status}")),
                        }
                    }
                },
            )
            .await?,
        );
    }
    for concurrency in [1, 8] {
        let (target, client) = (Arc::clone(&target), client.clone());
        results.push(
            measure(
                "password_session",
                concurrency,
                duration,
                "SessionService/CreateSession with user + password checks (argon2id verify + session append)",
                move || {
                    let (target, client) = (Arc::clone(&target), client.clone());
                    async move {
                        let body = json!({"checks": {"user": {"loginName": "bench-ada"}, "password": {"password": PASSWORD}}});
                        match target
                            .call(&client, "zitadel.session.v2.SessionService/CreateSession", &body)
                            .await
                        {
                            Ok((200, _)) => Ok(()),
                            Ok((status, text)) => Err(format!("CreateSession: HTTP {status}: {}", truncate(&text, 200))),
                            Err(error) => Err(error.to_string()),
                        }
                    }
                },
            )
            .await?,
        );
    }
    results.push(raw_argon2(duration).await?);
    Ok(results)
}

/// argon2id verifications at the server's default parameters, one thread per core, in this
/// process: the ceiling a password login can reach on this machine.
async fn raw_argon2(duration: Duration) -> Result<ApiResult> {
    let params = castellan_writer::secrets::HasherParams::default();
    let hash = castellan_writer::secrets::hash_password_with(PASSWORD, &params)?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for _ in 0..cores {
        let hash = hash.clone();
        handles.push(tokio::task::spawn_blocking(move || {
            let mut latencies = Latencies::default();
            let mut ok = 0_u64;
            while Instant::now() < deadline {
                let begin = Instant::now();
                if castellan_writer::secrets::verify_with(PASSWORD, &hash, &params).matched {
                    ok += 1;
                    latencies.record(begin.elapsed());
                }
            }
            (latencies, ok)
        }));
    }
    let mut latencies = Latencies::default();
    let mut ok = 0;
    for handle in handles {
        let (l, o) = handle.await?;
        latencies.merge(l);
        ok += o;
    }
    Ok(ApiResult {
        backend: String::new(),
        call: "argon2id_verify".to_owned(),
        concurrency: cores,
        ok,
        errors: 0,
        elapsed: started.elapsed(),
        latencies,
        note: format!(
            "in-process argon2id verifications, m={} KiB t={} p={}, one thread per core ({cores})",
            params.memory_kib, params.iterations, params.parallelism
        ),
    })
}
