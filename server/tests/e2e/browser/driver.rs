//! A real headless Chromium driven through WebDriver: chromedriver started by the test on a free
//! port (Debian's `chromium-driver`; `infra/browser-env` sets the paths), a fantoccini session on
//! it, and a tiny relying party that answers the redirect URI.

use std::collections::HashMap;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::e2e::support::free_port;

/// How long to wait for a page or an element: a bound on the wait, not a performance assertion
/// (the server is a debug build and the machine may be busy).
const PATIENCE: Duration = Duration::from_secs(60);

fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value,
        _ => panic!(
            "{name} is not set: the hosted login is tested in a real headless Chromium. Run \
             scripts/test, or `eval \"$(infra/browser-env)\"` first (Debian: apt-get install \
             chromium chromium-driver)"
        ),
    }
}

/// chromedriver in its own process group; dropping it kills the group (chromedriver and the
/// browsers it started).
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Chromedriver {
    pub async fn start() -> Chromedriver {
        let path = required_env("CASTELLAN_TEST_CHROMEDRIVER");
        let port = free_port();
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {path}: {error}"));
        let mut driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        // Poll readiness for up to a minute (a bound on the wait, not a performance assertion).
        for _ in 0..600 {
            if let Ok(response) = http.get(format!("{}/status", driver.url)).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("{path} exited early with {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{path} did not become ready");
    }

    /// A new browser session: headless Chromium with a throwaway profile, `shop.test` (the
    /// relying party) resolving to this machine.
    pub async fn session(&self, profile: &std::path::Path) -> Client {
        let chromium = required_env("CASTELLAN_TEST_CHROMIUM");
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--host-resolver-rules=MAP shop.test 127.0.0.1",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| panic!("no WebDriver session with {chromium}: {error}"))
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0)).
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) for an element matching `css`.
pub async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| {
            panic!("no element {css} on the page: {error}");
        })
}

/// Clicks `#submit` and waits until the page it was on has been replaced by the next one.
pub async fn submit(client: &Client) {
    let button = element(client, "#submit").await;
    button.click().await.unwrap();
    for _ in 0..600 {
        match button.is_enabled().await {
            Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            // The old button is gone: the next page replaced it. Chromium reports this as a
            // stale element, a missing one, or (under load, mid-navigation) as an inspector
            // error that the node "does not belong to the document".
            Err(CmdError::Standard(error))
                if matches!(
                    error.error,
                    ErrorStatus::StaleElementReference | ErrorStatus::NoSuchElement
                ) || error
                    .to_string()
                    .contains("does not belong to the document") =>
            {
                return;
            }
            Err(error) => panic!("waiting for the next page: {error}"),
        }
    }
    panic!("the form was submitted but no new page loaded");
}

/// Types `text` into the field `css` (after waiting for it) and submits its form.
pub async fn fill_and_submit(client: &Client, css: &str, text: &str) {
    element(client, css).await.send_keys(text).await.unwrap();
    submit(client).await;
}

/// The relying party's redirect URI: answers "signed in" and records each query it received.
pub struct Callback {
    pub port: u16,
    received: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Callback {
    pub async fn start() -> Callback {
        let received: Arc<Mutex<Vec<HashMap<String, String>>>> = Arc::default();
        let record = received.clone();
        let app = axum::Router::new().route(
            "/cb",
            axum::routing::get(
                move |axum::extract::Query(query): axum::extract::Query<
                    HashMap<String, String>,
                >| {
                    let record = record.clone();
                    async move {
                        record.lock().unwrap().push(query);
                        axum::response::Html(
                            "<!doctype html><title>Shop</title><p id=\"signed-in\">signed in</p>",
                        )
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Callback { port, received }
    }

    /// The redirect URI to register: a host of its own, mapped to this machine in the browser.
    pub fn redirect_uri(&self) -> String {
        format!("http://shop.test:{}/cb", self.port)
    }

    /// The queries received so far, oldest first.
    pub fn received(&self) -> Vec<HashMap<String, String>> {
        self.received.lock().unwrap().clone()
    }
}
