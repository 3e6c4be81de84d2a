//! SCIM 2.0 at `/scim/v2/{orgId}` end to end: the independent conformance checker
//! (`scim2-tester` through `scim2-cli`, from PyPI) against the real binary, the provisioning
//! sequences of Okta and Microsoft Entra ID, ETag preconditions, filters over HTTP, and tokens
//! of one org that can neither read nor write another's users.
// The test is the SCIM client.
#![allow(clippy::disallowed_methods)]

mod bulk;
mod clients;
mod distributed;
mod groups;

use reqwest::Method;
use serde_json::{Value, json};

use crate::e2e::support::Server;

/// One SCIM call: status, ETag header and body.
pub(super) async fn scim(
    server: &Server,
    method: Method,
    path: &str,
    body: Option<Value>,
    token: &str,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .header("Authorization", format!("Bearer {token}"));
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/scim+json")
            .body(body.to_string());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        etag,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The default org's id.
pub(super) async fn default_org(server: &Server) -> String {
    let orgs = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "ListOrganizations",
            json!({}),
        )
        .await;
    orgs["result"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_scim2_tester_conformance_check_passes_with_every_result_success() {
    let python = std::env::var("CASTELLAN_TEST_PYTHON").expect(
        "CASTELLAN_TEST_PYTHON must name a python with scim2-cli (eval \"$(bash infra/python-env)\")",
    );
    let cli = std::path::Path::new(&python).with_file_name("scim2");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let org = default_org(&server).await;
    // The checker sends random passwords; the complexity rules are tested elsewhere.
    server
        .admin_ok(
            "zitadel.admin.v1.AdminService",
            "UpdatePasswordComplexityPolicy",
            json!({"minLength": 1, "hasUppercase": false, "hasLowercase": false,
                   "hasNumber": false, "hasSymbol": false}),
        )
        .await;
    let output = tokio::process::Command::new(cli)
        .arg("-u")
        .arg(format!("http://localhost:{}/scim/v2/{org}", server.port))
        .arg("-h")
        .arg(format!("Authorization: Bearer {}", server.token))
        .arg("test")
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("Performing") && !l.trim().is_empty())
        .collect();
    assert!(results.len() >= 100, "too few checks ran:\n{text}");
    let failed: Vec<&&str> = results
        .iter()
        .filter(|l| !l.starts_with("SUCCESS "))
        .collect();
    assert!(
        failed.is_empty(),
        "not every check succeeded: {failed:?}\n{text}"
    );
    // The checks covered users and groups end to end, not just discovery.
    for resource in ["User", "Group"] {
        assert!(
            text.contains(&format!("Successfully created {resource}"))
                && text.contains(&format!("Successfully replaced {resource}"))
                && text.contains(&format!("Successfully deleted {resource}")),
            "no {resource} checks:\n{text}"
        );
    }
    for check in [
        "object_creation",
        "object_replacement",
        "object_deletion",
        "check_replace_attribute",
    ] {
        assert!(
            results.iter().any(|l| l.ends_with(check)),
            "{check} did not run:\n{text}"
        );
    }
}
