//! The ceiling: what this machine allows, measured the way the scenarios are. The same
//! closed-loop load generator against a trivial axum endpoint served by this process (its own
//! two-thread runtime, like a server on the same cores), and the raw rates of the crypto a login
//! or a token costs, one thread per core: argon2id verification at the server's default cost,
//! RS256 signing and RS256 verification.

use std::sync::Arc;
use std::time::{Duration, Instant};

use castellan_jose::{KeyAlgorithm, RsaBits, RsaHasher, Signer, VerifyKey};
use serde_json::json;

use crate::Result;
use crate::api::{ApiResult, print_result};
use crate::stats::Latencies;

/// The trivial endpoint's answer: about the size of a userinfo answer.
const BODY: &str = r#"{"sub":"bench-ada","name":"Bench Ada","given_name":"Bench","family_name":"Ada","email":"bench-ada@bench.example.com","email_verified":true}"#;

pub async fn run(
    concurrencies: &[usize],
    duration: Duration,
    when: &str,
) -> Result<Vec<ApiResult>> {
    let mut results = Vec::new();
    let (port, stop) = serve()?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = Arc::new(format!("http://127.0.0.1:{port}/userinfo"));
    for (index, &concurrency) in [2].iter().chain(concurrencies).enumerate() {
        let (client, url) = (client.clone(), Arc::clone(&url));
        let measured = crate::oidc::measure(
            "trivial_http",
            concurrency,
            if index == 0 { Duration::from_millis(300) } else { duration },
            "GET of a fixed 140-byte JSON from an axum handler in this process (2 worker threads), same client as the scenarios",
            move || {
                let (client, url) = (client.clone(), Arc::clone(&url));
                async move {
                    let response = client
                        .get(url.as_str())
                        .bearer_auth("x")
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    let status = response.status().as_u16();
                    response.bytes().await.map_err(|e| e.to_string())?;
                    if status == 200 { Ok(()) } else { Err(format!("HTTP {status}")) }
                }
            },
        )
        .await;
        if index > 0 {
            results.push(measured?);
        }
    }
    let _ = stop.send(());

    let params = castellan_writer::secrets::HasherParams::default();
    let hash = Arc::new(castellan_writer::secrets::hash_password_with(
        "Bench-Passw0rd!",
        &params,
    )?);
    let note = format!(
        "argon2id verifications at the server's default cost (m={} KiB, t={}, p={})",
        params.memory_kib, params.iterations, params.parallelism
    );
    results.push(
        cpu_rate("argon2id_verify", duration, note, move || {
            castellan_writer::secrets::verify_with("Bench-Passw0rd!", &hash, &params).matched
        })
        .await?,
    );
    let algorithm = KeyAlgorithm::Rsa {
        bits: RsaBits::B2048,
        hasher: RsaHasher::Sha256,
    };
    let key = tokio::task::spawn_blocking(move || castellan_jose::generate(&algorithm, "ceiling"))
        .await??;
    let signer = Arc::new(Signer::from_pkcs8_der(
        &key.private_pkcs8_der,
        &algorithm,
        "ceiling",
    )?);
    let claims = json!({"iss": "http://localhost", "sub": "bench-robot", "aud": "http://localhost",
        "iat": 1_800_000_000_i64, "exp": 1_800_003_600_i64});
    let token = Arc::new(signer.sign(None, &claims)?);
    let sign_claims = claims.clone();
    results.push(
        cpu_rate(
            "rs256_sign",
            duration,
            "RS256 (2048-bit) JWS signatures of a token's claims".into(),
            move || signer.sign(None, &sign_claims).is_ok(),
        )
        .await?,
    );
    let verify_key = Arc::new(VerifyKey::from_jwk(&key.public_jwk)?);
    let expect = castellan_jose::Expectations::at(1_800_000_100);
    results.push(
        cpu_rate(
            "rs256_verify",
            duration,
            "RS256 (2048-bit) JWS verifications with claim checks".into(),
            move || castellan_jose::verify(&token, &verify_key, &expect).is_ok(),
        )
        .await?,
    );
    for result in &mut results {
        result.backend = "ceiling".into();
        result.note = format!("at the {when} of the run: {}", result.note);
        print_result(result);
    }
    Ok(results)
}

/// Serves the trivial endpoint on its own runtime; the sender stops it.
fn serve() -> Result<(u16, tokio::sync::oneshot::Sender<()>)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                "/userinfo",
                axum::routing::get(|| async { ([("content-type", "application/json")], BODY) }),
            );
            if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            }
        });
    });
    Ok((port, stop))
}

/// `op` back to back on one thread per core for `duration`; ok when it returns true.
async fn cpu_rate<F>(call: &str, duration: Duration, note: String, op: F) -> Result<ApiResult>
where
    F: Fn() -> bool + Send + Sync + 'static,
{
    let op = Arc::new(op);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for _ in 0..cores {
        let op = Arc::clone(&op);
        handles.push(tokio::task::spawn_blocking(move || {
            let mut latencies = Latencies::default();
            let (mut ok, mut errors) = (0_u64, 0_u64);
            while Instant::now() < deadline {
                let begin = Instant::now();
                if op() {
                    ok += 1;
                    latencies.record(begin.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, ok, errors)
        }));
    }
    let mut latencies = Latencies::default();
    let (mut ok, mut errors) = (0, 0);
    for handle in handles {
        let (l, o, e) = handle.await?;
        latencies.merge(l);
        ok += o;
        errors += e;
    }
    Ok(ApiResult {
        backend: String::new(),
        call: call.to_owned(),
        concurrency: cores,
        ok,
        errors,
        elapsed: started.elapsed(),
        latencies,
        note: format!("{note}; in this process, one thread per core ({cores})"),
    })
}
