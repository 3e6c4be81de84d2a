//! FeatureService end to end.

use reqwest::Method;
use serde_json::{Value, json};

use super::super::support::{LedgerProbe, Server};
use super::{FEATURE, add_org, call, code, connect};

#[tokio::test]
async fn instance_features_report_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let acme = add_org(&server, "Acme").await;
    let feature = |method: &'static str, body: Value| {
        let server = &server;
        async move { connect(server, FEATURE, method, body, None).await }
    };

    let (status, body) = feature("GetInstanceFeatures", json!({"inheritance": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["loginDefaultOrg"],
        json!({"enabled": false, "source": "SOURCE_SYSTEM"})
    );
    let (_, body) = feature("GetSystemFeatures", json!({})).await;
    assert_eq!(body["userSchema"]["source"], "SOURCE_SYSTEM", "{body}");

    // Bad input writes nothing.
    let head = probe.head().await;
    for (method, body, status, expected) in [
        ("SetInstanceFeatures", json!({}), 400, "invalid_argument"),
        (
            "SetInstanceFeatures",
            json!({"improvedPerformance": ["IMPROVED_PERFORMANCE_UNSPECIFIED"]}),
            400,
            "invalid_argument",
        ),
        (
            "SetInstanceFeatures",
            json!({"improvedPerformance": ["IMPROVED_PERFORMANCE_FASTER"]}),
            400,
            "invalid_argument",
        ),
        (
            "SetInstanceFeatures",
            json!({"loginV2": {"required": true, "baseUri": "ftp://login"}}),
            400,
            "invalid_argument",
        ),
        (
            "SetSystemFeatures",
            json!({"userSchema": true}),
            403,
            "permission_denied",
        ),
        (
            "GetOrganizationFeatures",
            json!({"organizationId": "no-such-org"}),
            404,
            "not_found",
        ),
        (
            "GetUserFeatures",
            json!({"userId": "no-such-user"}),
            404,
            "not_found",
        ),
    ] {
        let answer = feature(method, body.clone()).await;
        assert_eq!(
            code(&answer),
            (status, Some(expected)),
            "{method} {body}: {}",
            answer.1
        );
    }
    assert_eq!(probe.head().await, head, "a refused request wrote events");

    // Set over REST, read back with and without inheritance.
    let (status, body) = call(
        &server,
        Method::PUT,
        "/v2/features/instance",
        Some(json!({"loginDefaultOrg": true,
                    "loginV2": {"required": true, "baseUri": "https://login.acme.test"},
                    "improvedPerformance": ["IMPROVED_PERFORMANCE_PROJECT"]})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &server,
        Method::GET,
        "/v2/features/instance?inheritance=true",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["loginDefaultOrg"],
        json!({"enabled": true, "source": "SOURCE_INSTANCE"})
    );
    assert_eq!(body["loginV2"]["baseUri"], "https://login.acme.test");
    assert_eq!(
        body["improvedPerformance"]["executionPaths"],
        json!(["IMPROVED_PERFORMANCE_PROJECT"])
    );
    assert_eq!(body["userSchema"]["source"], "SOURCE_SYSTEM");
    let (_, body) = feature("GetInstanceFeatures", json!({})).await;
    assert!(body.get("userSchema").is_none(), "{body}");
    assert_eq!(body["loginDefaultOrg"]["enabled"], true);
    // A second Set keeps the flags it does not name.
    let answer = feature("SetInstanceFeatures", json!({"userSchema": true})).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (_, body) = feature("GetInstanceFeatures", json!({})).await;
    assert_eq!(body["userSchema"]["enabled"], true, "{body}");
    assert_eq!(body["loginDefaultOrg"]["enabled"], true);

    let answer = feature("ResetInstanceFeatures", json!({})).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (_, body) = feature("GetInstanceFeatures", json!({"inheritance": true})).await;
    assert_eq!(
        body["loginDefaultOrg"],
        json!({"enabled": false, "source": "SOURCE_SYSTEM"}),
        "{body}"
    );
    let (status, body) = feature("GetOrganizationFeatures", json!({"organizationId": acme})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"]["resourceOwner"], acme.as_str());
}
