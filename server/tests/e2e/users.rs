//! End-to-end tests of `zitadel.user.v2.UserService`, through Connect (and REST for a few).

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

mod credentials;
mod lists;
mod login_names;

const USER_SERVICE: &str = "zitadel.user.v2.UserService";

async fn call(server: &Server, method: &str, body: Value) -> (u16, Value) {
    let token = server.token.clone();
    call_as(server, method, body, &token).await
}

async fn call_as(server: &Server, method: &str, body: Value, token: &str) -> (u16, Value) {
    server
        .raw(
            Method::POST,
            &format!("/{USER_SERVICE}/{method}"),
            &body.to_string(),
            Some("application/json"),
            Some(token),
        )
        .await
}

async fn ok(server: &Server, method: &str, body: Value) -> Value {
    let (status, response) = call(server, method, body.clone()).await;
    assert_eq!(status, 200, "{method} {body}: {response}");
    response
}

/// Asserts the call fails with `code` and appends nothing to the ledger.
async fn fails(server: &Server, probe: &LedgerProbe, method: &str, body: Value, code: &str) {
    let before = probe.head().await;
    let (status, response) = call(server, method, body.clone()).await;
    assert_eq!(
        response["code"].as_str(),
        Some(code),
        "{method} {body}: {status} {response}"
    );
    assert_eq!(probe.head().await, before, "{method} wrote despite failing");
}

async fn get_user(server: &Server, id: &str) -> Value {
    ok(server, "GetUserByID", json!({"userId": id})).await["user"].clone()
}

fn usernames(list: &Value) -> Vec<String> {
    list["result"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn ada() -> Value {
    json!({
        "userId": "ada-1",
        "username": "ada",
        "human": {
            "profile": {"givenName": "Ada", "familyName": "Lovelace"},
            "email": {"email": "ada@example.com", "returnCode": {}},
            "phone": {"phone": "+41791234567", "isVerified": true},
            "password": {"password": {"password": "Password1!"}}
        }
    })
}

#[tokio::test]
async fn humans_are_created_read_updated_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;

    let created = ok(&server, "CreateUser", ada()).await;
    assert_eq!(created["id"], "ada-1");
    let email_code = created["emailCode"].as_str().unwrap().to_owned();
    assert_eq!(email_code.len(), 8);
    assert!(created["creationDate"].as_str().unwrap().ends_with('Z'));

    let user = get_user(&server, "ada-1").await;
    assert_eq!(user["state"], "USER_STATE_ACTIVE");
    assert_eq!(user["username"], "ada");
    let login = user["preferredLoginName"].as_str().unwrap();
    assert!(login.starts_with("ada@") && login.len() > 4, "{login}");
    assert_eq!(user["loginNames"][0], login);
    assert_eq!(user["human"]["profile"]["displayName"], "Ada Lovelace");
    assert_eq!(user["human"]["email"]["isVerified"], false);
    assert_eq!(user["human"]["phone"]["phone"], "+41791234567");
    assert_eq!(user["human"]["phone"]["isVerified"], true);

    // Bad input: nothing is written.
    let mut duplicate = ada();
    duplicate["userId"] = json!("ada-2");
    duplicate["username"] = json!("ADA");
    fails(&server, &probe, "CreateUser", duplicate, "already_exists").await;
    fails(&server, &probe, "CreateUser", ada(), "already_exists").await;
    let mut bad_email = ada();
    bad_email["userId"] = json!("x-1");
    bad_email["username"] = json!("x1");
    bad_email["human"]["email"]["email"] = json!("not-an-email");
    fails(&server, &probe, "CreateUser", bad_email, "invalid_argument").await;
    let mut weak = ada();
    weak["userId"] = json!("x-2");
    weak["username"] = json!("x2");
    weak["human"]["password"]["password"]["password"] = json!("password");
    fails(&server, &probe, "CreateUser", weak, "invalid_argument").await;
    let mut bad_id = ada();
    bad_id["userId"] = json!("has space");
    bad_id["username"] = json!("x3");
    fails(&server, &probe, "CreateUser", bad_id, "invalid_argument").await;
    let mut unknown_org = ada();
    unknown_org["organizationId"] = json!("no-such-org");
    unknown_org["userId"] = json!("x-4");
    unknown_org["username"] = json!("x4");
    fails(&server, &probe, "CreateUser", unknown_org, "not_found").await;
    fails(
        &server,
        &probe,
        "CreateUser",
        json!({"username": "nobody"}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "GetUserByID",
        json!({"userId": "missing"}),
        "not_found",
    )
    .await;
    fails(
        &server,
        &probe,
        "GetUserByID",
        json!({}),
        "invalid_argument",
    )
    .await;

    // Email verification with the returned code.
    fails(
        &server,
        &probe,
        "VerifyEmail",
        json!({"userId": "ada-1", "verificationCode": "WRONG123"}),
        "invalid_argument",
    )
    .await;
    ok(
        &server,
        "VerifyEmail",
        json!({"userId": "ada-1", "verificationCode": email_code}),
    )
    .await;
    assert_eq!(
        get_user(&server, "ada-1").await["human"]["email"]["isVerified"],
        true
    );

    // Update: username and profile; the old username is free again.
    let updated = ok(
        &server,
        "UpdateUser",
        json!({"userId": "ada-1", "username": "lovelace",
               "human": {"profile": {"nickName": "Countess"}}}),
    )
    .await;
    assert!(updated["changeDate"].as_str().is_some());
    let user = get_user(&server, "ada-1").await;
    assert_eq!(user["username"], "lovelace");
    assert_eq!(user["human"]["profile"]["nickName"], "Countess");
    assert_eq!(user["human"]["profile"]["givenName"], "Ada");
    let mut again = ada();
    again["userId"] = json!("ada-3");
    again["human"]["email"] = json!({"email": "ada3@example.com", "isVerified": true});
    ok(&server, "CreateUser", again).await;
    let updated = ok(
        &server,
        "UpdateHumanUser",
        json!({"userId": "ada-3", "profile": {"givenName": "Augusta", "familyName": "King"},
               "email": {"email": "augusta@example.com", "returnCode": {}}}),
    )
    .await;
    assert_eq!(updated["emailCode"].as_str().map(str::len), Some(8));
    let user = get_user(&server, "ada-3").await;
    assert_eq!(user["human"]["profile"]["displayName"], "Augusta King");
    assert_eq!(user["human"]["email"]["email"], "augusta@example.com");
    assert_eq!(user["human"]["email"]["isVerified"], false);
    fails(
        &server,
        &probe,
        "UpdateUser",
        json!({"userId": "ada-3", "username": "lovelace"}),
        "already_exists",
    )
    .await;
    fails(
        &server,
        &probe,
        "UpdateUser",
        json!({"userId": "ada-3", "human": {"email": {"email": "broken"}}}),
        "invalid_argument",
    )
    .await;

    // The older AddHumanUser, in the caller's org, with metadata.
    let added = ok(
        &server,
        "AddHumanUser",
        json!({"username": "grace", "profile": {"givenName": "Grace", "familyName": "Hopper"},
               "email": {"email": "grace@example.com", "isVerified": true},
               "metadata": [{"key": "team", "value": "bmF2eQ=="}]}),
    )
    .await;
    let grace = added["userId"].as_str().unwrap().to_owned();
    assert!(added["details"]["resourceOwner"].as_str().is_some());
    let meta = ok(&server, "ListUserMetadata", json!({"userId": grace})).await;
    assert_eq!(meta["metadata"][0]["key"], "team");
    assert_eq!(meta["metadata"][0]["value"], "bmF2eQ==");

    // REST: POST /v2/users/human answers 201; GET /v2/users/{userId}.
    let (status, by_rest) = server
        .rest(
            Method::POST,
            "/v2/users/human",
            Some(
                json!({"username": "linus", "profile": {"givenName": "Linus", "familyName": "T"},
                        "email": {"email": "linus@example.com", "isVerified": true}}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{by_rest}");
    assert!(by_rest["userId"].as_str().is_some());
    let (status, by_rest) = server
        .rest(Method::GET, &format!("/v2/users/{grace}"), None)
        .await;
    assert_eq!(status, 200, "{by_rest}");
    assert_eq!(by_rest["user"]["username"], "grace");
}

#[tokio::test]
async fn the_lifecycle_passwords_and_contact_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    ok(&server, "CreateUser", ada()).await;
    let id = json!({"userId": "ada-1"});

    // State machine.
    fails(
        &server,
        &probe,
        "ReactivateUser",
        id.clone(),
        "failed_precondition",
    )
    .await;
    fails(
        &server,
        &probe,
        "UnlockUser",
        id.clone(),
        "failed_precondition",
    )
    .await;
    let deactivated = ok(&server, "DeactivateUser", id.clone()).await;
    assert!(deactivated["details"]["sequence"].as_str().is_some());
    assert_eq!(
        get_user(&server, "ada-1").await["state"],
        "USER_STATE_INACTIVE"
    );
    fails(
        &server,
        &probe,
        "DeactivateUser",
        id.clone(),
        "failed_precondition",
    )
    .await;
    fails(
        &server,
        &probe,
        "LockUser",
        id.clone(),
        "failed_precondition",
    )
    .await;
    ok(&server, "ReactivateUser", id.clone()).await;
    ok(&server, "LockUser", id.clone()).await;
    assert_eq!(
        get_user(&server, "ada-1").await["state"],
        "USER_STATE_LOCKED"
    );
    fails(
        &server,
        &probe,
        "LockUser",
        id.clone(),
        "failed_precondition",
    )
    .await;
    ok(&server, "UnlockUser", id.clone()).await;
    assert_eq!(
        get_user(&server, "ada-1").await["state"],
        "USER_STATE_ACTIVE"
    );

    // Passwords: with the current password, then with a reset code.
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "ada-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Wrong1!xx"}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "ada-1", "newPassword": {"password": "weak"}}),
        "invalid_argument",
    )
    .await;
    ok(
        &server,
        "SetPassword",
        json!({"userId": "ada-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Password1!"}),
    )
    .await;
    let reset = ok(
        &server,
        "PasswordReset",
        json!({"userId": "ada-1", "returnCode": {}}),
    )
    .await;
    let code = reset["verificationCode"].as_str().unwrap().to_owned();
    let sent = ok(
        &server,
        "PasswordReset",
        json!({"userId": "ada-1", "sendLink": {}}),
    )
    .await;
    assert!(sent.get("verificationCode").is_none());
    // The newer (sent) code replaced the returned one.
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "ada-1", "newPassword": {"password": "Password3!"},
               "verificationCode": code}),
        "invalid_argument",
    )
    .await;
    let code = ok(
        &server,
        "PasswordReset",
        json!({"userId": "ada-1", "returnCode": {}}),
    )
    .await["verificationCode"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &server,
        "SetPassword",
        json!({"userId": "ada-1", "newPassword": {"password": "Password3!", "changeRequired": true},
               "verificationCode": code}),
    )
    .await;
    assert_eq!(
        get_user(&server, "ada-1").await["human"]["passwordChangeRequired"],
        true
    );
    let methods = ok(&server, "ListAuthenticationMethodTypes", id.clone()).await;
    assert_eq!(
        methods["authMethodTypes"],
        json!(["AUTHENTICATION_METHOD_TYPE_PASSWORD"])
    );
    let links = ok(&server, "ListIDPLinks", id.clone()).await;
    assert_eq!(links["result"], json!([]));

    // Email.
    let set = ok(
        &server,
        "SetEmail",
        json!({"userId": "ada-1", "email": "ada@new.example", "returnCode": {}}),
    )
    .await;
    assert!(set["verificationCode"].as_str().is_some());
    fails(
        &server,
        &probe,
        "SetEmail",
        json!({"userId": "ada-1", "email": "nope"}),
        "invalid_argument",
    )
    .await;
    ok(
        &server,
        "SendEmailCode",
        json!({"userId": "ada-1", "sendCode": {}}),
    )
    .await;
    let resent = ok(
        &server,
        "ResendEmailCode",
        json!({"userId": "ada-1", "returnCode": {}}),
    )
    .await;
    ok(
        &server,
        "VerifyEmail",
        json!({"userId": "ada-1", "verificationCode": resent["verificationCode"]}),
    )
    .await;
    let user = get_user(&server, "ada-1").await;
    assert_eq!(user["human"]["email"]["email"], "ada@new.example");
    assert_eq!(user["human"]["email"]["isVerified"], true);
    fails(
        &server,
        &probe,
        "ResendEmailCode",
        json!({"userId": "ada-1"}),
        "failed_precondition",
    )
    .await;

    // Phone.
    let set = ok(
        &server,
        "SetPhone",
        json!({"userId": "ada-1", "phone": "+41 79 765 43 21", "returnCode": {}}),
    )
    .await;
    fails(
        &server,
        &probe,
        "SetPhone",
        json!({"userId": "ada-1", "phone": "12"}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "VerifyPhone",
        json!({"userId": "ada-1", "verificationCode": "ZZZZZZZZ"}),
        "invalid_argument",
    )
    .await;
    let resent = ok(
        &server,
        "ResendPhoneCode",
        json!({"userId": "ada-1", "returnCode": {}}),
    )
    .await;
    assert_ne!(resent["verificationCode"], set["verificationCode"]);
    ok(
        &server,
        "VerifyPhone",
        json!({"userId": "ada-1", "verificationCode": resent["verificationCode"]}),
    )
    .await;
    let user = get_user(&server, "ada-1").await;
    assert_eq!(user["human"]["phone"]["phone"], "+41797654321");
    assert_eq!(user["human"]["phone"]["isVerified"], true);
    ok(&server, "RemovePhone", id.clone()).await;
    assert_eq!(
        get_user(&server, "ada-1").await["human"]["phone"]["phone"],
        ""
    );
    fails(&server, &probe, "RemovePhone", id.clone(), "not_found").await;

    // Invite codes (for a user whose email is not verified yet).
    let mut grace = ada();
    grace["userId"] = json!("grace-1");
    grace["username"] = json!("grace");
    grace["human"]["email"] = json!({"email": "grace@example.com", "sendCode": {}});
    let created = ok(&server, "CreateUser", grace).await;
    assert!(created.get("emailCode").is_none());
    let invite = ok(
        &server,
        "CreateInviteCode",
        json!({"userId": "grace-1", "returnCode": {}}),
    )
    .await;
    let invite_code = invite["inviteCode"].as_str().unwrap().to_owned();
    ok(&server, "ResendInviteCode", json!({"userId": "grace-1"})).await;
    // Resending replaced the code.
    fails(
        &server,
        &probe,
        "VerifyInviteCode",
        json!({"userId": "grace-1", "verificationCode": invite_code}),
        "invalid_argument",
    )
    .await;
    let invite_code = ok(
        &server,
        "CreateInviteCode",
        json!({"userId": "grace-1", "returnCode": {}}),
    )
    .await["inviteCode"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &server,
        "VerifyInviteCode",
        json!({"userId": "grace-1", "verificationCode": invite_code}),
    )
    .await;
    assert_eq!(
        get_user(&server, "grace-1").await["human"]["email"]["isVerified"],
        true
    );

    // Delete: the user is gone and its username free.
    let deleted = ok(&server, "DeleteUser", id.clone()).await;
    assert!(deleted["details"]["changeDate"].as_str().is_some());
    fails(&server, &probe, "GetUserByID", id.clone(), "not_found").await;
    fails(&server, &probe, "DeleteUser", id.clone(), "not_found").await;
    let mut reuse = ada();
    reuse["userId"] = json!("ada-9");
    ok(&server, "CreateUser", reuse).await;
}
