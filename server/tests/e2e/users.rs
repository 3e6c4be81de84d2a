//! End-to-end tests of `zitadel.user.v2.UserService`, through Connect (and REST for a few).

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

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

#[tokio::test]
async fn machines_tokens_secrets_and_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let created = ok(
        &server,
        "CreateUser",
        json!({"userId": "robot-1", "machine": {"name": "Robot", "description": "builds"}}),
    )
    .await;
    assert_eq!(created["id"], "robot-1");
    let user = get_user(&server, "robot-1").await;
    // Without a username, a machine's username is its id.
    assert_eq!(user["username"], "robot-1");
    assert_eq!(user["machine"]["name"], "Robot");
    assert_eq!(user["machine"]["hasSecret"], false);
    assert_eq!(
        user["machine"]["accessTokenType"],
        "ACCESS_TOKEN_TYPE_BEARER"
    );
    fails(
        &server,
        &probe,
        "CreateUser",
        json!({"userId": "robot-2", "machine": {"name": "  "}}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "robot-1", "newPassword": {"password": "Password1!"}}),
        "failed_precondition",
    )
    .await;
    ok(
        &server,
        "UpdateUser",
        json!({"userId": "robot-1", "machine": {"description": "deploys"}}),
    )
    .await;
    assert_eq!(
        get_user(&server, "robot-1").await["machine"]["description"],
        "deploys"
    );

    // A token for the machine: it authenticates, but the machine holds no permission.
    let pat = ok(
        &server,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1", "expirationDate": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let token = pat["token"].as_str().unwrap().to_owned();
    let token_id = pat["tokenId"].as_str().unwrap().to_owned();
    fails(
        &server,
        &probe,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1", "expirationDate": "2001-01-01T00:00:00Z"}),
        "invalid_argument",
    )
    .await;
    let before = probe.head().await;
    let human = json!({"userId": "eve-1", "username": "eve",
        "human": {"profile": {"givenName": "Eve", "familyName": "E"},
                  "email": {"email": "eve@example.com"}}});
    let (status, denied) = call_as(&server, "CreateUser", human.clone(), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied")),
        "{denied}"
    );
    let (status, denied) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied"))
    );
    let (status, denied) =
        call_as(&server, "DeleteUser", json!({"userId": "robot-1"}), &token).await;
    assert_eq!(
        (status, denied["code"].as_str()),
        (403, Some("permission_denied"))
    );
    assert_eq!(probe.head().await, before);

    let listed = ok(
        &server,
        "ListPersonalAccessTokens",
        json!({"filters": [{"userIdFilter": {"id": "robot-1"}}]}),
    )
    .await;
    assert_eq!(listed["pagination"]["totalResult"], "1");
    assert_eq!(listed["result"][0]["id"], token_id.as_str());
    assert_eq!(
        listed["result"][0]["expirationDate"],
        "2099-01-01T00:00:00Z"
    );

    // Secrets are returned once; the user shows that it has one.
    let secret = ok(&server, "AddSecret", json!({"userId": "robot-1"})).await;
    assert!(secret["clientSecret"].as_str().unwrap().len() >= 32);
    assert_eq!(
        get_user(&server, "robot-1").await["machine"]["hasSecret"],
        true
    );
    ok(&server, "RemoveSecret", json!({"userId": "robot-1"})).await;
    fails(
        &server,
        &probe,
        "RemoveSecret",
        json!({"userId": "robot-1"}),
        "not_found",
    )
    .await;

    // Metadata.
    let set = ok(
        &server,
        "SetUserMetadata",
        json!({"userId": "robot-1", "metadata": [{"key": "a", "value": "MQ=="},
                                                 {"key": "b", "value": "Mg=="}]}),
    )
    .await;
    assert!(set["setDate"].as_str().is_some());
    fails(
        &server,
        &probe,
        "SetUserMetadata",
        json!({"userId": "robot-1", "metadata": [{"key": "", "value": "MQ=="}]}),
        "invalid_argument",
    )
    .await;
    let page = ok(
        &server,
        "ListUserMetadata",
        json!({"userId": "robot-1", "pagination": {"limit": 1, "offset": "1"}}),
    )
    .await;
    assert_eq!(page["pagination"]["totalResult"], "2");
    assert_eq!(page["metadata"][0]["key"], "b");
    ok(
        &server,
        "DeleteUserMetadata",
        json!({"userId": "robot-1", "keys": ["a"]}),
    )
    .await;
    fails(
        &server,
        &probe,
        "DeleteUserMetadata",
        json!({"userId": "robot-1", "keys": ["a"]}),
        "not_found",
    )
    .await;

    // A deactivated or locked user's token does not authenticate, until the user is back.
    ok(&server, "DeactivateUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    ok(&server, "ReactivateUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 403);
    ok(&server, "LockUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    ok(&server, "UnlockUser", json!({"userId": "robot-1"})).await;

    // Removing the token revokes it.
    ok(
        &server,
        "RemovePersonalAccessToken",
        json!({"userId": "robot-1", "tokenId": token_id}),
    )
    .await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);

    // Deleting a machine revokes its tokens and frees its username.
    let pat = ok(
        &server,
        "AddPersonalAccessToken",
        json!({"userId": "robot-1"}),
    )
    .await;
    let token = pat["token"].as_str().unwrap().to_owned();
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 403);
    ok(&server, "DeleteUser", json!({"userId": "robot-1"})).await;
    let (status, _) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 401);
    let listed = ok(
        &server,
        "ListPersonalAccessTokens",
        json!({"filters": [{"userIdFilter": {"id": "robot-1"}}]}),
    )
    .await;
    assert_eq!(listed["result"], json!([]));
    ok(
        &server,
        "CreateUser",
        json!({"userId": "robot-3", "username": "robot-1", "machine": {"name": "Again"}}),
    )
    .await;
}

#[tokio::test]
async fn users_are_listed_filtered_sorted_and_paged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    for (id, username, given, family, email) in [
        ("u-1", "carol", "Carol", "Zed", "carol@example.com"),
        ("u-2", "alice", "Alice", "Young", "alice@example.com"),
        ("u-3", "bob", "Bob", "Xavier", "bob@other.test"),
    ] {
        ok(
            &server,
            "CreateUser",
            json!({"userId": id, "username": username,
                   "human": {"profile": {"givenName": given, "familyName": family},
                             "email": {"email": email, "isVerified": true}}}),
        )
        .await;
    }
    ok(
        &server,
        "CreateUser",
        json!({"userId": "u-4", "username": "deployer", "machine": {"name": "Deployer"}}),
    )
    .await;
    ok(&server, "LockUser", json!({"userId": "u-3"})).await;

    let humans = json!({"typeQuery": {"type": "TYPE_HUMAN"}});
    let by_name = ok(
        &server,
        "ListUsers",
        json!({"sortingColumn": "USER_FIELD_NAME_USER_NAME", "query": {"asc": true},
               "queries": [humans]}),
    )
    .await;
    // The first admin is a human too.
    let names = usernames(&by_name);
    assert!(
        names
            .windows(2)
            .all(|w| w[0].to_lowercase() <= w[1].to_lowercase()),
        "{names:?}"
    );
    assert!(names.contains(&"alice".to_owned()) && !names.contains(&"deployer".to_owned()));

    let page = ok(
        &server,
        "ListUsers",
        json!({"sortingColumn": "USER_FIELD_NAME_LAST_NAME", "query": {"limit": 2, "offset": "1"},
               "queries": [{"inUserIdsQuery": {"userIds": ["u-1", "u-2", "u-3"]}}]}),
    )
    .await;
    // Descending by family name: Zed, Young, Xavier; the second page of size 2 starts at Young.
    assert_eq!(usernames(&page), ["alice", "bob"]);
    assert_eq!(page["details"]["totalResult"], "3");

    let cases = [
        (
            json!({"userNameQuery": {"userName": "AL", "method": "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}),
            vec!["alice"],
        ),
        (
            json!({"firstNameQuery": {"firstName": "Carol"}}),
            vec!["carol"],
        ),
        (
            json!({"lastNameQuery": {"lastName": "avi", "method": "TEXT_QUERY_METHOD_CONTAINS"}}),
            vec!["bob"],
        ),
        (
            json!({"emailQuery": {"emailAddress": "other.test", "method": "TEXT_QUERY_METHOD_ENDS_WITH"}}),
            vec!["bob"],
        ),
        (
            json!({"stateQuery": {"state": "USER_STATE_LOCKED"}}),
            vec!["bob"],
        ),
        (
            json!({"andQuery": {"queries": [{"typeQuery": {"type": "TYPE_MACHINE"}}, {"inUserIdsQuery": {"userIds": ["u-1", "u-4"]}}]}}),
            vec!["deployer"],
        ),
        (
            json!({"inUserEmailsQuery": {"userEmails": ["CAROL@example.com"]}}),
            vec!["carol"],
        ),
        (
            json!({"loginNameQuery": {"loginName": "deployer@", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}}),
            vec!["deployer"],
        ),
        (
            json!({"orQuery": {"queries": [{"userNameQuery": {"userName": "bob"}}, {"userNameQuery": {"userName": "carol"}}]}}),
            vec!["carol", "bob"],
        ),
        (
            json!({"andQuery": {"queries": [{"inUserIdsQuery": {"userIds": ["u-1", "u-2"]}}, {"notQuery": {"query": {"userNameQuery": {"userName": "carol"}}}}]}}),
            vec!["alice"],
        ),
        (
            json!({"displayNameQuery": {"displayName": "Alice Young"}}),
            vec!["alice"],
        ),
    ];
    for (query, expected) in cases {
        let listed = ok(&server, "ListUsers", json!({"queries": [query.clone()]})).await;
        assert_eq!(usernames(&listed), expected, "{query}");
    }
    let org = get_user(&server, "u-1").await["details"]["resourceOwner"].clone();
    let in_org = ok(
        &server,
        "ListUsers",
        json!({"queries": [{"organizationIdQuery": {"organizationId": org}}, humans]}),
    )
    .await;
    assert!(usernames(&in_org).contains(&"carol".to_owned()));
    let elsewhere = ok(
        &server,
        "ListUsers",
        json!({"queries": [{"organizationIdQuery": {"organizationId": "other"}}]}),
    )
    .await;
    assert_eq!(usernames(&elsewhere), Vec::<String>::new());

    // Bad queries.
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"queries": [{}]}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"queries": [{"userNameQuery": {"userName": "a"}, "typeQuery": {"type": "TYPE_HUMAN"}}]}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"sortingColumn": "NOT_A_COLUMN"}),
        "invalid_argument",
    )
    .await;
}

/// bcrypt of "Password1!" (cost 4), as another system would export it.
const BCRYPT_HASH: &str = "$2y$04$f2DG2EaWXFkaQhl6LHpRmes0NF1ZVLztsdzY8Rk126kRfWP8GEAU.";

#[tokio::test]
async fn imported_hashes_verify_and_secrets_are_never_stored_in_clear() {
    use castellan_writer::ledger::{EventFilter, Ledger};

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[("CASTELLAN_PASSWORDHASHER_MEMORYKIB", "8192")],
    )
    .await;
    let probe = LedgerProbe::open(dir.path()).await;
    let mut imported = ada();
    imported["userId"] = json!("imp-1");
    imported["human"]["password"] =
        json!({"hashedPassword": {"hash": BCRYPT_HASH, "changeRequired": false}});
    let created = ok(&server, "CreateUser", imported).await;
    let email_code = created["emailCode"].as_str().unwrap().to_owned();
    let mut unsupported = ada();
    unsupported["userId"] = json!("imp-2");
    unsupported["username"] = json!("imp2");
    unsupported["human"]["password"] = json!({"hashedPassword": {"hash": "md5$abc"}});
    fails(
        &server,
        &probe,
        "CreateUser",
        unsupported,
        "invalid_argument",
    )
    .await;

    // The imported bcrypt hash proves the current password.
    fails(
        &server,
        &probe,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Password9!"}),
        "invalid_argument",
    )
    .await;
    ok(
        &server,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password2!"},
               "currentPassword": "Password1!"}),
    )
    .await;
    ok(
        &server,
        "SetPassword",
        json!({"userId": "imp-1", "newPassword": {"password": "Password3!"},
               "currentPassword": "Password2!"}),
    )
    .await;

    let events = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["user".into()],
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let mine: Vec<_> = events
        .iter()
        .filter(|e| e.aggregate_id == "imp-1")
        .collect();
    let hashes: Vec<&str> = mine
        .iter()
        .filter(|e| e.event_type == "user.human.password.changed")
        .map(|e| e.payload["password_hash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes[0], BCRYPT_HASH);
    // New passwords: argon2id with the configured memory.
    assert!(
        hashes[1].starts_with("$argon2id$v=19$m=8192,"),
        "{}",
        hashes[1]
    );
    for event in &mine {
        let text = event.payload.to_string();
        for secret in [
            "Password1!",
            "Password2!",
            "Password3!",
            email_code.as_str(),
        ] {
            assert!(
                !text.contains(secret),
                "{} stores {secret}",
                event.event_type
            );
        }
    }
}

#[tokio::test]
async fn machine_keys_are_generated_or_registered_listed_and_removed() {
    use base64::Engine;
    use castellan_writer::ledger::Ledger as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    ok(
        &server,
        "CreateUser",
        json!({"userId": "svc-1", "machine": {"name": "Service"}}),
    )
    .await;
    ok(&server, "CreateUser", ada()).await;

    // Generated: the private key comes back once, in ZITADEL's key-file format.
    let added = ok(
        &server,
        "AddKey",
        json!({"userId": "svc-1", "expirationDate": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let key_id = added["keyId"].as_str().unwrap().to_owned();
    let content = b64.decode(added["keyContent"].as_str().unwrap()).unwrap();
    let file: Value = serde_json::from_slice(&content).unwrap();
    assert_eq!(file["type"], "serviceaccount");
    assert_eq!(file["keyId"], key_id.as_str());
    assert_eq!(file["userId"], "svc-1");
    assert_eq!(file["expirationDate"], "2099-01-01T00:00:00Z");
    let private = file["key"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----"));

    // Registered: a caller's public key (here: made from a generated pair).
    let (_, public) = castellan_writer::secrets::generate_rsa_key().unwrap();
    let registered = ok(
        &server,
        "AddKey",
        json!({"userId": "svc-1", "publicKey": b64.encode(public.as_bytes())}),
    )
    .await;
    assert!(registered.get("keyContent").is_none());
    let second = registered["keyId"].as_str().unwrap().to_owned();

    // No private key is stored.
    let before = probe.head().await;
    for body in [
        json!({"userId": "svc-1", "publicKey": b64.encode(b"not a key")}),
        json!({"userId": "svc-1", "expirationDate": "2001-01-01T00:00:00Z"}),
    ] {
        let (status, error) = call(&server, "AddKey", body).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (400, Some("invalid_argument")),
            "{error}"
        );
    }
    let (status, error) = call(&server, "AddKey", json!({"userId": "ada-1"})).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("failed_precondition")),
        "{error}"
    );
    assert_eq!(probe.head().await, before);

    let listed = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"userIdFilter": {"id": "svc-1"}}]}),
    )
    .await;
    assert_eq!(listed["pagination"]["totalResult"], "2");
    let ids: Vec<&str> = listed["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&key_id.as_str()) && ids.contains(&second.as_str()));
    let one = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"keyIdFilter": {"id": key_id}}]}),
    )
    .await;
    assert_eq!(one["result"][0]["expirationDate"], "2099-01-01T00:00:00Z");

    ok(
        &server,
        "RemoveKey",
        json!({"userId": "svc-1", "keyId": key_id}),
    )
    .await;
    fails(
        &server,
        &probe,
        "RemoveKey",
        json!({"userId": "svc-1", "keyId": key_id}),
        "not_found",
    )
    .await;
    // Deleting the user removes its remaining keys.
    ok(&server, "DeleteUser", json!({"userId": "svc-1"})).await;
    let listed = ok(
        &server,
        "ListKeys",
        json!({"filters": [{"userIdFilter": {"id": "svc-1"}}]}),
    )
    .await;
    assert_eq!(listed["result"], json!([]));
    let events = probe
        .ledger
        .read(&castellan_writer::ledger::EventFilter {
            aggregate_types: vec!["user".into()],
            ..castellan_writer::ledger::EventFilter::default()
        })
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| !e.payload.to_string().contains("PRIVATE KEY"))
    );
}
