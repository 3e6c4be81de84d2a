//! The hosted login's steps end to end: role claims, password change, languages and branding,
//! single sign-on and account selection, and hash upgrades at login.
// The test plays the RP: its own HTTP client and the real clock.
#![allow(clippy::disallowed_methods)]

use serde_json::{Value, json};

use super::{Browser, hidden, location, log_in, query_param};
use crate::e2e::support::Server;

#[tokio::test]
async fn role_claims_follow_authorizations_and_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, secret) = super::setup(&server).await;
    let user = server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "GetUserByID",
            json!({"userId": "ada"}),
        )
        .await;
    let org = user["user"]["details"]["resourceOwner"]
        .as_str()
        .unwrap()
        .to_owned();
    for role in ["editor", "viewer"] {
        server
            .admin_ok(
                "zitadel.project.v2.ProjectService",
                "AddProjectRole",
                json!({"projectId": "shop", "roleKey": role, "displayName": role}),
            )
            .await;
    }
    server.admin_ok("zitadel.authorization.v2.AuthorizationService",
        "CreateAuthorization",
        json!({"userId": "ada", "projectId": "shop", "organizationId": org, "roleKeys": ["editor", "viewer"]}),
    )
    .await;
    let mut browser = Browser::new(&server);
    let challenge = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(super::VERIFIER.as_bytes()))
    };
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code\
         &scope=openid%20urn%3Azitadel%3Aiam%3Aorg%3Aproject%3Arole%3Aeditor\
         &code_challenge={challenge}&code_challenge_method=S256",
        super::urlencode(&client_id)
    );
    let callback = log_in(&mut browser, &authorize, "ada", "Secret-Passw0rd!").await;
    let code = query_param(&callback, "code").unwrap();
    let (status, tokens) = server
        .oauth_post(
            "/oauth/v2/token",
            Some((&client_id, &secret)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://shop.test/cb"),
                ("code_verifier", super::VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    let claims = castellan_jose::peek(tokens["id_token"].as_str().unwrap())
        .unwrap()
        .claims;
    // Only the role the scope names, keyed by the granting org.
    let roles = &claims["urn:zitadel:iam:org:project:roles"];
    assert!(roles["editor"][&org].is_string(), "{claims}");
    assert!(roles.get("viewer").is_none(), "{claims}");
    assert_eq!(roles, &claims["urn:zitadel:iam:org:project:shop:roles"]);
    let info: Value = reqwest::Client::new()
        .get(format!("{}/oidc/v1/userinfo", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        info["urn:zitadel:iam:org:project:roles"]["editor"][&org].is_string(),
        "{info}"
    );
}

#[tokio::test]
async fn a_password_that_must_change_is_changed_before_the_login_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, _) = super::setup(&server).await;
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "CreateUser",
            json!({"userId": "bob", "username": "bob", "human": {
            "profile": {"givenName": "Bob", "familyName": "Builder"},
            "email": {"email": "bob@example.com", "isVerified": true},
            "password": {"password": "Initial-Passw0rd!", "changeRequired": true}}}),
        )
        .await;
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    let mut browser = Browser::new(&server);
    let page = log_in(&mut browser, &authorize, "bob", "Initial-Passw0rd!").await;
    assert!(page.contains("id=\"newPassword\""), "{page}");
    let auth_request = hidden(&page, "authRequest");
    let csrf = hidden(&page, "csrf");
    let change = |new: &'static str, confirmation: &'static str| {
        let (auth_request, csrf) = (auth_request.clone(), csrf.clone());
        (auth_request, csrf, new, confirmation)
    };
    for (new, confirmation, expected) in [
        (
            "New-Passw0rd!",
            "Other-Passw0rd!",
            "The two passwords differ.",
        ),
        ("short", "short", "at least"),
    ] {
        let (ar, c, n, k) = change(new, confirmation);
        let page = browser
            .post(
                "/ui/login/password/change",
                &[
                    ("authRequest", &ar),
                    ("csrf", &c),
                    ("newPassword", n),
                    ("confirmation", k),
                ],
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(expected), "{page}");
    }
    let response = browser
        .post(
            "/ui/login/password/change",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("newPassword", "New-Passw0rd!"),
                ("confirmation", "New-Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("https://shop.test/cb?code="));
    // The new password signs in directly; the old one no longer does.
    let mut browser = Browser::new(&server);
    let old = log_in(&mut browser, &authorize, "bob", "Initial-Passw0rd!").await;
    assert!(
        old.contains("The login name or password is wrong."),
        "{old}"
    );
    let callback = log_in(&mut browser, &authorize, "bob", "New-Passw0rd!").await;
    assert!(
        callback.starts_with("https://shop.test/cb?code="),
        "{callback}"
    );
}

#[tokio::test]
async fn the_login_speaks_german_and_wears_the_instance_branding() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, _) = super::setup(&server).await;
    server.admin_ok("zitadel.admin.v1.AdminService",
        "UpdateLabelPolicy",
        json!({"primaryColor": "#123456", "backgroundColor": "#fedcba", "warnColor": "#ff0000", "fontColor": "#010101"}),
    )
    .await;
    let mut browser = Browser::new(&server);
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid&ui_locales=de",
        super::urlencode(&client_id)
    );
    let response = browser.get(&authorize).await;
    let page = browser
        .get(&location(&response))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("lang=\"de\""), "{page}");
    assert!(page.contains(">Loginname<"), "{page}");
    assert!(page.contains("--primary:#123456"), "{page}");
    let auth_request = hidden(&page, "authRequest");
    let csrf = hidden(&page, "csrf");
    let page = browser
        .post(
            "/ui/login/login",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", "ada"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Passwort<"), "{page}");
    let page = browser
        .post(
            "/ui/login/password",
            &[
                ("authRequest", &auth_request),
                ("csrf", &csrf),
                ("loginName", "ada"),
                ("password", "wrong"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Der Loginname oder das Passwort ist falsch."),
        "{page}"
    );
    // Without ui_locales the browser's languages decide; English is the fallback.
    let device = reqwest::Client::new()
        .get(format!("{}/device", server.base_url()))
        .header("Host", format!("localhost:{}", server.port))
        .header("Accept-Language", "fr-CH, de;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(device.contains("Gerät verbinden"), "{device}");
    let english = browser.get("/device").await.text().await.unwrap();
    assert!(english.contains("Connect a device"), "{english}");
}

#[tokio::test]
async fn single_sign_on_prompts_and_account_selection() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, _) = super::setup(&server).await;
    let authorize = |extra: &str| {
        format!(
            "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid{extra}",
            super::urlencode(&client_id)
        )
    };
    // Without a login session, prompt=none answers login_required at the redirect URI.
    let mut browser = Browser::new(&server);
    let response = browser.get(&authorize("&prompt=none&state=p1")).await;
    let target = location(&response);
    assert!(target.starts_with("https://shop.test/cb?"), "{target}");
    assert_eq!(
        query_param(&target, "error").as_deref(),
        Some("login_required")
    );
    assert_eq!(query_param(&target, "state").as_deref(), Some("p1"));

    let first = log_in(&mut browser, &authorize(""), "ada", "Secret-Passw0rd!").await;
    assert!(query_param(&first, "code").is_some(), "{first}");
    // The browser's session signs in again without a page, also with prompt=none.
    for extra in ["", "&prompt=none"] {
        let response = browser.get(&authorize(extra)).await;
        let target = location(&response);
        assert!(query_param(&target, "code").is_some(), "{extra}: {target}");
    }
    // prompt=login and an exceeded max_age ask again.
    for extra in ["&prompt=login", "&max_age=0"] {
        let response = browser.get(&authorize(extra)).await;
        assert!(
            location(&response).starts_with("/ui/login/login?"),
            "{extra}"
        );
    }
    // prompt=select_account offers the signed-in account.
    let response = browser.get(&authorize("&prompt=select_account")).await;
    let page = browser
        .get(&location(&response))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"continue\""), "{page}");
    let response = browser
        .post(
            "/ui/login/select",
            &[
                ("authRequest", &hidden(&page, "authRequest")),
                ("csrf", &hidden(&page, "csrf")),
            ],
        )
        .await;
    assert!(query_param(&location(&response), "code").is_some());
    // After logout the session is gone: prompt=none fails again.
    browser.get("/oidc/v1/end_session").await;
    let response = browser.get(&authorize("&prompt=none")).await;
    assert_eq!(
        query_param(&location(&response), "error").as_deref(),
        Some("login_required")
    );
}

/// bcrypt of "Password1!" (cost 4), as another system would export it.
const BCRYPT_HASH: &str = "$2y$04$f2DG2EaWXFkaQhl6LHpRmes0NF1ZVLztsdzY8Rk126kRfWP8GEAU.";

#[tokio::test]
async fn an_imported_hash_is_upgraded_at_the_first_login() {
    use castellan_writer::ledger::{EventFilter, Ledger};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = crate::e2e::support::LedgerProbe::open(dir.path()).await;
    let (client_id, _) = super::setup(&server).await;
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "CreateUser",
            json!({"userId": "imported", "username": "imported", "human": {
            "profile": {"givenName": "Im", "familyName": "Ported"},
            "email": {"email": "imported@example.com", "isVerified": true},
            "hashedPassword": {"hash": BCRYPT_HASH}}}),
        )
        .await;
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    let upgrades = || async {
        probe
            .ledger
            .read(&EventFilter {
                aggregate_types: vec!["user".into()],
                limit: 1000,
                ..EventFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| {
                e.aggregate_id == "imported" && e.event_type == "user.human.password.hash.updated"
            })
            .map(|e| e.payload["password_hash"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // A wrong password upgrades nothing.
    let mut browser = Browser::new(&server);
    let wrong = log_in(&mut browser, &authorize, "imported", "Password2!").await;
    assert!(
        wrong.contains("The login name or password is wrong."),
        "{wrong}"
    );
    assert!(upgrades().await.is_empty());
    let callback = log_in(&mut browser, &authorize, "imported", "Password1!").await;
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    let upgraded = upgrades().await;
    assert_eq!(upgraded.len(), 1);
    assert!(upgraded[0].starts_with("$argon2id$"), "{}", upgraded[0]);
    // The upgraded hash verifies the same password on the next login, without another upgrade.
    let mut browser = Browser::new(&server);
    let again = log_in(&mut browser, &authorize, "imported", "Password1!").await;
    assert!(query_param(&again, "code").is_some(), "{again}");
    assert_eq!(upgrades().await.len(), 1);
}

#[tokio::test]
async fn users_register_themselves_when_the_login_settings_allow_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, _) = super::setup(&server).await;
    let authorize = format!(
        "/oauth/v2/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.test%2Fcb&response_type=code&scope=openid",
        super::urlencode(&client_id)
    );
    // Closed: no link, and the page refuses (ZITADEL's default is open).
    server
        .admin_ok(
            "zitadel.admin.v1.AdminService",
            "UpdateLoginPolicy",
            json!({"allowUsernamePassword": true, "allowRegister": false}),
        )
        .await;
    let mut browser = Browser::new(&server);
    let response = browser.get(&authorize).await;
    let login = location(&response);
    let page = browser.get(&login).await.text().await.unwrap();
    assert!(!page.contains("id=\"register\""), "{page}");
    let auth_request = hidden(&page, "authRequest");
    let closed = browser
        .get(&format!("/ui/login/register?authRequest={auth_request}"))
        .await;
    assert_eq!(closed.status(), 403);

    server
        .admin_ok(
            "zitadel.admin.v1.AdminService",
            "UpdateLoginPolicy",
            json!({"allowUsernamePassword": true, "allowRegister": true}),
        )
        .await;
    let page = browser.get(&login).await.text().await.unwrap();
    assert!(page.contains("id=\"register\""), "{page}");
    let form = browser
        .get(&format!("/ui/login/register?authRequest={auth_request}"))
        .await
        .text()
        .await
        .unwrap();
    let csrf = hidden(&form, "csrf");
    let register = |username: &'static str, password: &'static str, confirmation: &'static str| {
        let (auth_request, csrf) = (auth_request.clone(), csrf.clone());
        vec![
            ("authRequest".to_owned(), auth_request),
            ("csrf".to_owned(), csrf),
            ("givenName".to_owned(), "Grace".to_owned()),
            ("familyName".to_owned(), "Hopper".to_owned()),
            ("email".to_owned(), "grace@example.com".to_owned()),
            ("username".to_owned(), username.to_owned()),
            ("newPassword".to_owned(), password.to_owned()),
            ("confirmation".to_owned(), confirmation.to_owned()),
        ]
    };
    for (fields, expected) in [
        (
            register("grace", "Grace-Passw0rd!", "Other-Passw0rd!"),
            "The two passwords differ.",
        ),
        (register("grace", "weak", "weak"), "at least"),
        (
            register("ada", "Grace-Passw0rd!", "Grace-Passw0rd!"),
            "That username is taken.",
        ),
    ] {
        let form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = browser
            .post("/ui/login/register", &form)
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(expected), "{expected}: {page}");
    }
    let fields = register("grace", "Grace-Passw0rd!", "Grace-Passw0rd!");
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = browser.post("/ui/login/register", &form).await;
    assert_eq!(response.status(), 303);
    assert!(query_param(&location(&response), "code").is_some());
    // The new user signs in like any other.
    let mut other = Browser::new(&server);
    let callback = log_in(&mut other, &authorize, "grace", "Grace-Passw0rd!").await;
    assert!(query_param(&callback, "code").is_some(), "{callback}");
}
