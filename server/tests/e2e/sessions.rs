//! End-to-end tests of `zitadel.session.v2.SessionService`: sessions checked by user and
//! password, lockout after the org's limit, token rotation, visibility and deletion; the
//! OIDCService's auth requests and devices (`sessions/callbacks.rs`), who sees which session
//! (`sessions/visibility.rs`) and tenant isolation (`sessions/tenants.rs`).

use std::time::Duration;

use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

mod callbacks;
mod tenants;
mod visibility;

pub(super) const SESSIONS: &str = "zitadel.session.v2.SessionService";
const USERS: &str = "zitadel.user.v2.UserService";
const ADMIN_V1: &str = "zitadel.admin.v1.AdminService";
const ADMINS: &str = "zitadel.internal_permission.v2.InternalPermissionService";

async fn call(
    server: &Server,
    service: &str,
    method: &str,
    body: Value,
    token: &str,
) -> (u16, Value) {
    server
        .raw(
            reqwest::Method::POST,
            &format!("/{service}/{method}"),
            &body.to_string(),
            Some("application/json"),
            Some(token),
        )
        .await
}

async fn ok(server: &Server, service: &str, method: &str, body: Value) -> Value {
    let token = server.token.clone();
    let (status, response) = call(server, service, method, body.clone(), &token).await;
    assert_eq!(status, 200, "{method} {body}: {response}");
    response
}

fn code(response: &(u16, Value)) -> (u16, Option<&str>) {
    (response.0, response.1["code"].as_str())
}

/// A human user of the admin's org with a password; returns its preferred login name.
async fn add_user(server: &Server, id: &str, username: &str, password: &str) -> String {
    ok(
        server,
        USERS,
        "CreateUser",
        json!({
            "userId": id,
            "username": username,
            "human": {
                "profile": {"givenName": "Ada", "familyName": "Lovelace"},
                "email": {"email": format!("{username}@example.com"), "isVerified": true},
                "password": {"password": {"password": password}}
            }
        }),
    )
    .await;
    user(server, id).await["preferredLoginName"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn user(server: &Server, id: &str) -> Value {
    ok(server, USERS, "GetUserByID", json!({"userId": id})).await["user"].clone()
}

async fn instance_id(probe: &LedgerProbe) -> String {
    let instance = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["instance".into()],
            limit: 1,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    instance[0].instance_id.clone()
}

/// A machine user of the default org with a token, appended through the writer, holding
/// `instance_roles` (granted by the admin); returns its token once the server knows it.
async fn robot(
    server: &Server,
    probe: &LedgerProbe,
    name: &str,
    instance_roles: &[&str],
) -> String {
    let orgs = ok(
        server,
        "zitadel.org.v2.OrganizationService",
        "ListOrganizations",
        json!({}),
    )
    .await;
    let org_id = orgs["result"][0]["id"].as_str().unwrap().to_owned();
    let ctx = CommandContext {
        instance_id: instance_id(probe).await,
        creator: "e2e".into(),
    };
    let (token, token_hash) = secrets::new_bearer_token();
    let command = AddMachineWithToken {
        org_id,
        user_id: name.to_owned(),
        username: name.to_owned(),
        name: name.to_owned(),
        token_id: format!("{name}-token"),
        token_hash,
        expiration: None,
        org_roles: Vec::new(),
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    if !instance_roles.is_empty() {
        ok(
            server,
            ADMINS,
            "CreateAdministrator",
            json!({"userId": name, "resource": {"instance": true}, "roles": instance_roles}),
        )
        .await;
    }
    // Wait (bounded) until the server has projected the token.
    for _ in 0..100 {
        let (status, _) = call(server, SESSIONS, "ListSessions", json!({}), &token).await;
        if status == 200 {
            return token;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never learned the robot's token");
}

fn session_ids(list: &Value) -> Vec<String> {
    list["sessions"]
        .as_array()
        .map(|sessions| {
            sessions
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn sessions_check_users_and_passwords_and_lock_out_after_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    ok(
        &server,
        ADMIN_V1,
        "UpdateLockoutPolicy",
        json!({"maxPasswordAttempts": 3}),
    )
    .await;
    let login_name = add_user(&server, "ada-1", "ada", "Password1!").await;

    // User (by login name, any case) and password checked at once; metadata and user agent kept.
    let created = ok(
        &server,
        SESSIONS,
        "CreateSession",
        json!({
            "checks": {"user": {"loginName": login_name.to_uppercase()}, "password": {"password": "Password1!"}},
            "metadata": {"note": "aGVsbG8"},
            "userAgent": {"fingerprintId": "fp-1", "description": "e2e"},
            "lifetime": "3600s"
        }),
    )
    .await;
    let session_id = created["sessionId"].as_str().unwrap().to_owned();
    let token = created["sessionToken"].as_str().unwrap().to_owned();
    assert!(
        created["details"]["changeDate"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(!token.is_empty());

    let got = ok(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": session_id}),
    )
    .await;
    let session = &got["session"];
    assert_eq!(session["id"], session_id.as_str());
    assert_eq!(session["factors"]["user"]["id"], "ada-1");
    assert_eq!(session["factors"]["user"]["loginName"], login_name.as_str());
    assert_eq!(session["factors"]["user"]["displayName"], "Ada Lovelace");
    assert!(session["factors"]["user"]["organizationId"].is_string());
    assert!(session["factors"]["user"]["verifiedAt"].is_string());
    assert!(session["factors"]["password"]["verifiedAt"].is_string());
    assert!(session["factors"].get("totp").is_none());
    assert_eq!(session["metadata"]["note"], "aGVsbG8=");
    assert_eq!(session["userAgent"]["fingerprintId"], "fp-1");
    assert!(session["expirationDate"].is_string());
    // The same over REST.
    let (status, rest) = server
        .rest(
            reqwest::Method::GET,
            &format!("/v2/sessions/{session_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["session"]["id"], session_id.as_str());

    // Unknown users, unsupported checks and challenges.
    let unknown = call(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"checks": {"user": {"loginName": "nobody@example.com"}}}),
        &admin,
    )
    .await;
    assert_eq!(code(&unknown), (404, Some("not_found")), "{}", unknown.1);
    let totp = call(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"checks": {"user": {"userId": "ada-1"}, "totp": {"code": "123456"}}}),
        &admin,
    )
    .await;
    // TOTP is checked (server/tests/e2e/totp.rs); this user has no generator.
    assert_eq!(code(&totp), (404, Some("not_found")), "{}", totp.1);
    let otp_sms = call(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"checks": {"user": {"userId": "ada-1"}, "otpSms": {"code": "123456"}}}),
        &admin,
    )
    .await;
    assert_eq!(
        code(&otp_sms),
        (501, Some("unimplemented")),
        "{}",
        otp_sms.1
    );
    assert!(otp_sms.1["message"].as_str().unwrap().contains("otp_sms"));
    let challenge = call(
        &server,
        SESSIONS,
        "CreateSession",
        json!({"challenges": {"otpEmail": {}}}),
        &admin,
    )
    .await;
    assert_eq!(code(&challenge).1, Some("unimplemented"), "{}", challenge.1);

    // Wrong passwords: refused each time, and the third locks the user.
    let wrong = json!({"checks": {"user": {"userId": "ada-1"}, "password": {"password": "wrong"}}});
    for attempt in 1..=3 {
        let refused = call(&server, SESSIONS, "CreateSession", wrong.clone(), &admin).await;
        assert_eq!(
            code(&refused),
            (400, Some("invalid_argument")),
            "attempt {attempt}: {}",
            refused.1
        );
    }
    assert_eq!(user(&server, "ada-1").await["state"], "USER_STATE_LOCKED");
    let right =
        json!({"checks": {"user": {"userId": "ada-1"}, "password": {"password": "Password1!"}}});
    let locked = call(&server, SESSIONS, "CreateSession", right, &admin).await;
    assert_eq!(
        code(&locked),
        (400, Some("failed_precondition")),
        "{}",
        locked.1
    );
    // The refused checks created no sessions.
    let listed = ok(
        &server,
        SESSIONS,
        "ListSessions",
        json!({"queries": [{"userIdQuery": {"id": "ada-1"}}]}),
    )
    .await;
    assert_eq!(session_ids(&listed), [session_id.as_str()]);
    assert_eq!(listed["details"]["totalResult"], "1");

    // SetSession: a wrong token is refused; the right one is replaced by a new one.
    let before = probe.head().await;
    let bad = call(
        &server,
        SESSIONS,
        "SetSession",
        json!({"sessionId": session_id, "sessionToken": "not-the-token", "metadata": {"x": "eA=="}}),
        &admin,
    )
    .await;
    assert_eq!(code(&bad), (403, Some("permission_denied")), "{}", bad.1);
    assert_eq!(probe.head().await, before, "a refused SetSession wrote");
    let set = ok(
        &server,
        SESSIONS,
        "SetSession",
        json!({"sessionId": session_id, "sessionToken": token, "metadata": {"note": ""}}),
    )
    .await;
    let new_token = set["sessionToken"].as_str().unwrap().to_owned();
    assert_ne!(new_token, token);
    let stale = call(
        &server,
        SESSIONS,
        "SetSession",
        json!({"sessionId": session_id, "sessionToken": token}),
        &admin,
    )
    .await;
    assert_eq!(
        code(&stale),
        (403, Some("permission_denied")),
        "{}",
        stale.1
    );
    let got = ok(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": session_id}),
    )
    .await;
    assert!(got["session"].get("metadata").is_none(), "{got}");

    // DeleteSession with the current token; the session is gone.
    ok(
        &server,
        SESSIONS,
        "DeleteSession",
        json!({"sessionId": session_id, "sessionToken": new_token}),
    )
    .await;
    let gone = call(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": session_id}),
        &admin,
    )
    .await;
    assert_eq!(code(&gone), (404, Some("not_found")), "{}", gone.1);
    let listed = ok(
        &server,
        SESSIONS,
        "ListSessions",
        json!({"queries": [{"userIdQuery": {"id": "ada-1"}}]}),
    )
    .await;
    assert!(session_ids(&listed).is_empty(), "{listed}");
}
