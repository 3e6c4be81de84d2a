//! The OIDCService end to end: a login client reads an auth request and finishes it with a
//! checked session (the RP gets a code) or with an OAuth error, and approves or denies device
//! authorizations. Auth requests and devices are appended through the writer, as the OAuth
//! endpoints would.

use std::time::Duration;

use castellan_core::oidc::auth_request::AuthRequestParams;
use castellan_writer::CommandContext;
use castellan_writer::commands::oidc::{AddAuthRequest, AddDevice};
use serde_json::json;

use super::super::support::{LedgerProbe, Server};
use super::{SESSIONS, add_user, call, code, instance_id, robot};

const OIDC: &str = "zitadel.oidc.v2.OIDCService";

async fn add_auth_request(probe: &LedgerProbe, id: &str) {
    let ctx = CommandContext {
        instance_id: instance_id(probe).await,
        creator: "e2e".into(),
    };
    let command = AddAuthRequest {
        id: id.to_owned(),
        params: AuthRequestParams {
            client_id: "client-1".into(),
            redirect_uri: "https://rp.example/cb".into(),
            scopes: vec!["openid".into(), "profile".into()],
            response_type: "code".into(),
            response_mode: "query".into(),
            state: Some("xyz".into()),
            prompt: vec!["login".into()],
            login_hint: Some("ada".into()),
            ..AuthRequestParams::default()
        },
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
}

#[tokio::test]
async fn a_login_client_finishes_auth_requests_with_sessions_or_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    add_user(&server, "ada-1", "ada", "Password1!").await;
    let nobody = robot(&server, &probe, "nobody", &[]).await;
    let login = robot(&server, &probe, "login", &["IAM_LOGIN_CLIENT"]).await;
    add_auth_request(&probe, "ar-1").await;
    add_auth_request(&probe, "ar-2").await;

    // Read with and without ZITADEL's prefix; always shown with it.
    for id in ["V2_ar-1", "ar-1"] {
        let (status, got) = call(
            &server,
            OIDC,
            "GetAuthRequest",
            json!({"authRequestId": id}),
            &login,
        )
        .await;
        assert_eq!(status, 200, "{got}");
        let request = &got["authRequest"];
        assert_eq!(request["id"], "V2_ar-1");
        assert_eq!(request["clientId"], "client-1");
        assert_eq!(request["redirectUri"], "https://rp.example/cb");
        assert_eq!(request["scope"], json!(["openid", "profile"]));
        assert_eq!(request["prompt"], json!(["PROMPT_LOGIN"]));
        assert_eq!(request["loginHint"], "ada");
        assert!(request["creationDate"].as_str().unwrap().ends_with('Z'));
    }
    let (status, rest) = server
        .rest(reqwest::Method::GET, "/v2/oidc/auth_requests/V2_ar-1", None)
        .await;
    assert_eq!(status, 200, "{rest}");
    let denied = call(
        &server,
        OIDC,
        "GetAuthRequest",
        json!({"authRequestId": "V2_ar-1"}),
        &nobody,
    )
    .await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );

    // A checked session finishes the request; a wrong session token does not.
    let check =
        json!({"checks": {"user": {"userId": "ada-1"}, "password": {"password": "Password1!"}}});
    let (status, session) = call(&server, SESSIONS, "CreateSession", check, &login).await;
    assert_eq!(status, 200, "{session}");
    let session_id = session["sessionId"].as_str().unwrap();
    let session_token = session["sessionToken"].as_str().unwrap();
    let wrong = json!({"authRequestId": "V2_ar-1", "session": {"sessionId": session_id, "sessionToken": "wrong"}});
    let refused = call(&server, OIDC, "CreateCallback", wrong, &login).await;
    assert_eq!(code(&refused).0, 404, "{}", refused.1);
    let finish = json!({"authRequestId": "V2_ar-1", "session": {"sessionId": session_id, "sessionToken": session_token}});
    let denied = call(&server, OIDC, "CreateCallback", finish.clone(), &nobody).await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );
    let (status, callback) = call(&server, OIDC, "CreateCallback", finish.clone(), &login).await;
    assert_eq!(status, 200, "{callback}");
    let url = reqwest::Url::parse(callback["callbackUrl"].as_str().unwrap()).unwrap();
    assert_eq!(url.host_str(), Some("rp.example"));
    assert_eq!(url.path(), "/cb");
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        params
            .iter()
            .any(|(k, v)| k == "code" && v.starts_with("ar-1.")),
        "{url}"
    );
    assert!(params.contains(&("state".into(), "xyz".into())), "{url}");
    assert!(callback["details"]["changeDate"].is_string());
    // Finished: no longer found, and it cannot be finished twice.
    let gone = call(
        &server,
        OIDC,
        "GetAuthRequest",
        json!({"authRequestId": "V2_ar-1"}),
        &login,
    )
    .await;
    assert_eq!(code(&gone), (404, Some("not_found")), "{}", gone.1);
    let again = call(&server, OIDC, "CreateCallback", finish, &login).await;
    assert_eq!(code(&again), (404, Some("not_found")), "{}", again.1);

    // An error is passed on to the RP.
    let error = json!({
        "authRequestId": "ar-2",
        "error": {"error": "ERROR_REASON_ACCESS_DENIED", "errorDescription": "the user said no"}
    });
    let (status, callback) = call(&server, OIDC, "CreateCallback", error, &login).await;
    assert_eq!(status, 200, "{callback}");
    let url = reqwest::Url::parse(callback["callbackUrl"].as_str().unwrap()).unwrap();
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        params.contains(&("error".into(), "access_denied".into())),
        "{url}"
    );
    assert!(
        params.contains(&("error_description".into(), "the user said no".into())),
        "{url}"
    );
    assert!(params.contains(&("state".into(), "xyz".into())), "{url}");

    // Bad input gets Connect errors and writes nothing.
    let before = probe.head().await;
    let cases = [
        (
            "GetAuthRequest",
            json!({"authRequestId": "V2_unknown"}),
            404,
            "not_found",
        ),
        ("GetAuthRequest", json!({}), 400, "invalid_argument"),
        (
            "GetAuthRequest",
            json!({"authRequestId": "V2_"}),
            400,
            "invalid_argument",
        ),
        (
            "CreateCallback",
            json!({"authRequestId": "ar-2"}),
            400,
            "invalid_argument",
        ),
        (
            "CreateCallback",
            json!({"authRequestId": "ar-2", "error": {}, "session": {"sessionId": "s", "sessionToken": "t"}}),
            400,
            "invalid_argument",
        ),
        (
            "CreateCallback",
            json!({"authRequestId": "ar-2", "error": {"error": "ERROR_REASON_BOGUS"}}),
            400,
            "invalid_argument",
        ),
        (
            "CreateCallback",
            json!({"authRequestId": "ar-2", "session": {"sessionId": "s"}}),
            400,
            "invalid_argument",
        ),
        (
            "GetDeviceAuthorizationRequest",
            json!({"userCode": "ABCD-EFGH"}),
            404,
            "not_found",
        ),
    ];
    for (method, body, status, expected) in cases {
        let answer = call(&server, OIDC, method, body.clone(), &login).await;
        assert_eq!(
            code(&answer),
            (status, Some(expected)),
            "{method} {body}: {}",
            answer.1
        );
        assert!(answer.1["message"].is_string(), "{}", answer.1);
    }
    let malformed = server
        .raw(
            reqwest::Method::POST,
            &format!("/{OIDC}/GetAuthRequest"),
            "{not json",
            Some("application/json"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        code(&malformed),
        (400, Some("invalid_argument")),
        "{}",
        malformed.1
    );
    assert_eq!(probe.head().await, before, "a refused call wrote");
}

async fn add_device(probe: &LedgerProbe, id: &str, user_code: &str) {
    let ctx = CommandContext {
        instance_id: instance_id(probe).await,
        creator: "e2e".into(),
    };
    let command = AddDevice {
        id: id.to_owned(),
        client_id: "tv".into(),
        device_code_hash: format!("{id}-hash"),
        user_code: user_code.to_owned(),
        scopes: vec!["openid".into()],
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
}

#[tokio::test]
async fn a_login_client_approves_or_denies_devices_by_user_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_user(&server, "ada-1", "ada", "Password1!").await;
    let login = robot(&server, &probe, "login", &["IAM_LOGIN_CLIENT"]).await;
    add_device(&probe, "dev-1", "ABCD-EFGH").await;
    add_device(&probe, "dev-2", "WXYZ-2345").await;

    // The user code finds the device (once the server has read the writer's events; bounded).
    let by_code = json!({"userCode": "ABCD-EFGH"});
    let mut found = (0, json!(null));
    for _ in 0..100 {
        found = call(
            &server,
            OIDC,
            "GetDeviceAuthorizationRequest",
            by_code.clone(),
            &login,
        )
        .await;
        if found.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found.0, 200, "{}", found.1);
    let device = &found.1["deviceAuthorizationRequest"];
    assert_eq!(device["id"], "dev-1");
    assert_eq!(device["clientId"], "tv");
    assert_eq!(device["scope"], json!(["openid"]));

    // Approved with a checked session (not with a wrong token); decided once.
    let check =
        json!({"checks": {"user": {"userId": "ada-1"}, "password": {"password": "Password1!"}}});
    let (status, session) = call(&server, SESSIONS, "CreateSession", check, &login).await;
    assert_eq!(status, 200, "{session}");
    let session_id = session["sessionId"].as_str().unwrap();
    let wrong = json!({"deviceAuthorizationId": "dev-1", "session": {"sessionId": session_id, "sessionToken": "wrong"}});
    let refused = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        wrong,
        &login,
    )
    .await;
    assert_eq!(code(&refused).0, 404, "{}", refused.1);
    let approve = json!({"deviceAuthorizationId": "dev-1", "session": {"sessionId": session_id, "sessionToken": session["sessionToken"]}});
    let (status, approved) = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        approve.clone(),
        &login,
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    let again = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        approve,
        &login,
    )
    .await;
    assert_eq!(code(&again), (404, Some("not_found")), "{}", again.1);
    let gone = call(
        &server,
        OIDC,
        "GetDeviceAuthorizationRequest",
        by_code,
        &login,
    )
    .await;
    assert_eq!(code(&gone), (404, Some("not_found")), "{}", gone.1);

    // Denied.
    let deny = json!({"deviceAuthorizationId": "dev-2", "deny": {}});
    let (status, denied) = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        deny.clone(),
        &login,
    )
    .await;
    assert_eq!(status, 200, "{denied}");
    let again = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        deny,
        &login,
    )
    .await;
    assert_eq!(code(&again), (404, Some("not_found")), "{}", again.1);
    let neither = json!({"deviceAuthorizationId": "dev-2"});
    let refused = call(
        &server,
        OIDC,
        "AuthorizeOrDenyDeviceAuthorization",
        neither,
        &login,
    )
    .await;
    assert_eq!(
        code(&refused),
        (400, Some("invalid_argument")),
        "{}",
        refused.1
    );
}
