//! End-to-end tests of the settings APIs: v2 SettingsService reads, admin/management v1 writes;
//! InstanceService and FeatureService in the submodules.

mod access;
mod features;
mod instance;

use reqwest::Method;
use serde_json::{Value, json};

use super::support::{LedgerProbe, Server};

pub(super) const SETTINGS: &str = "zitadel.settings.v2.SettingsService";
pub(super) const ADMIN: &str = "zitadel.admin.v1.AdminService";
pub(super) const MANAGEMENT: &str = "zitadel.management.v1.ManagementService";
pub(super) const INSTANCE: &str = "zitadel.instance.v2.InstanceService";
pub(super) const FEATURE: &str = "zitadel.feature.v2.FeatureService";

/// A call as the admin: Connect when `method` has no leading '/', else REST. `org` is sent as
/// `x-zitadel-orgid`.
pub(super) async fn call(
    server: &Server,
    method: Method,
    path: &str,
    body: Option<Value>,
    org: Option<&str>,
) -> (u16, Value) {
    call_host(server, "localhost", method, path, body, org).await
}

/// [`call`] with another bearer token.
pub(super) async fn call_as(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    org: Option<&str>,
) -> (u16, Value) {
    send(server, "localhost", token, method, path, body, org).await
}

/// [`call`] with the request's `Host` name.
pub(super) async fn call_host(
    server: &Server,
    host: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    org: Option<&str>,
) -> (u16, Value) {
    send(server, host, &server.token, method, path, body, org).await
}

async fn send(
    server: &Server,
    host: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    org: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::builder()
        .build()
        .unwrap()
        .request(method, format!("http://127.0.0.1:{}{path}", server.port))
        .header("Host", format!("{host}:{}", server.port))
        .header("Authorization", format!("Bearer {token}"));
    if let Some(org) = org {
        request = request.header("x-zitadel-orgid", org);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(super) async fn connect(
    server: &Server,
    service: &str,
    method: &str,
    body: Value,
    org: Option<&str>,
) -> (u16, Value) {
    call(
        server,
        Method::POST,
        &format!("/{service}/{method}"),
        Some(body),
        org,
    )
    .await
}

async fn get(server: &Server, method: &str, ctx: Value) -> Value {
    let (status, body) = connect(server, SETTINGS, method, json!({"ctx": ctx}), None).await;
    assert_eq!(status, 200, "{method}: {body}");
    body
}

pub(super) async fn add_org(server: &Server, name: &str) -> String {
    let (status, body) = server
        .connect("AddOrganization", json!({"name": name}))
        .await;
    assert_eq!(status, 200, "{body}");
    body["organizationId"].as_str().unwrap().to_owned()
}

pub(super) fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

#[tokio::test]
async fn instance_defaults_org_overrides_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let acme = add_org(&server, "Acme").await;
    let org_ctx = json!({"orgId": acme});
    let complexity = "GetPasswordComplexitySettings";

    // Built-in defaults, reported as the instance's.
    let body = get(&server, complexity, json!({"instance": true})).await;
    let settings = &body["settings"];
    assert_eq!(settings["minLength"], "8", "{body}");
    assert_eq!(settings["requiresSymbol"], true);
    assert_eq!(
        settings["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_INSTANCE"
    );

    // Instance default through admin v1 (Connect).
    let answer = connect(
        &server,
        ADMIN,
        "UpdatePasswordComplexityPolicy",
        json!({"minLength": "10", "hasUppercase": true, "hasLowercase": true, "hasNumber": true}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert!(answer.1["details"]["changeDate"].is_string());
    let body = get(&server, complexity, org_ctx.clone()).await;
    assert_eq!(body["settings"]["minLength"], "10", "{body}");
    assert_eq!(body["settings"]["requiresSymbol"], false);
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_INSTANCE"
    );

    // Org override through management v1, the org chosen by the header.
    let answer = connect(
        &server,
        MANAGEMENT,
        "AddCustomPasswordComplexityPolicy",
        json!({"min_length": 12, "has_uppercase": true}),
        Some(&acme),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["details"]["resourceOwner"], acme.as_str());
    let body = get(&server, complexity, org_ctx.clone()).await;
    assert_eq!(body["settings"]["minLength"], "12", "{body}");
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_ORG"
    );
    assert_eq!(body["details"]["resourceOwner"], acme.as_str());
    // The instance and other orgs keep the instance's value.
    let body = get(&server, complexity, json!({"instance": true})).await;
    assert_eq!(body["settings"]["minLength"], "10");
    // The same over REST, with the context in the query string.
    let (status, body) = call(
        &server,
        Method::GET,
        &format!("/v2/settings/password/complexity?ctx.orgId={acme}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["minLength"], "12");

    // The v1 reads: the org's effective policy, and the instance's default.
    let (status, body) = call(
        &server,
        Method::GET,
        "/management/v1/policies/password/complexity",
        None,
        Some(&acme),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["policy"]["minLength"], "12", "{body}");
    assert_eq!(body["isDefault"], false);
    let answer = connect(
        &server,
        ADMIN,
        "GetPasswordComplexityPolicy",
        json!({}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["policy"]["minLength"], "10", "{}", answer.1);
    let answer = connect(
        &server,
        MANAGEMENT,
        "GetLoginPolicy",
        json!({}),
        Some(&acme),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert_eq!(answer.1["isDefault"], true);
    assert_eq!(answer.1["policy"]["passwordCheckLifetime"], "864000s");

    // Add twice: already exists. Update over REST.
    let again = connect(
        &server,
        MANAGEMENT,
        "AddCustomPasswordComplexityPolicy",
        json!({"minLength": "12"}),
        Some(&acme),
    )
    .await;
    assert_eq!(code(&again), (409, Some("already_exists")), "{}", again.1);
    let (status, body) = call(
        &server,
        Method::PUT,
        "/management/v1/policies/password/complexity",
        Some(json!({"minLength": "14"})),
        Some(&acme),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let body = get(&server, complexity, org_ctx.clone()).await;
    assert_eq!(body["settings"]["minLength"], "14");
    assert_eq!(body["settings"]["requiresUppercase"], false);

    // Reset: back to the instance's value; a second reset finds nothing.
    let answer = connect(
        &server,
        MANAGEMENT,
        "ResetPasswordComplexityPolicyToDefault",
        json!({}),
        Some(&acme),
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let body = get(&server, complexity, org_ctx.clone()).await;
    assert_eq!(body["settings"]["minLength"], "10");
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_INSTANCE"
    );
    let (status, body) = call(
        &server,
        Method::DELETE,
        "/management/v1/policies/password/complexity",
        None,
        Some(&acme),
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(5)), "{body}");
}

#[tokio::test]
async fn every_policy_kind_is_written_by_v1_and_read_by_v2() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let acme = add_org(&server, "Acme").await;
    let org_ctx = json!({"orgId": acme});
    let put = |path: &'static str, body: Value| {
        let server = &server;
        async move {
            let answer = call(server, Method::PUT, path, Some(body), None).await;
            assert_eq!(answer.0, 200, "{path}: {}", answer.1);
        }
    };

    put(
        "/admin/v1/policies/lockout",
        json!({"maxPasswordAttempts": 5, "maxOtpAttempts": "3"}),
    )
    .await;
    let body = get(&server, "GetLockoutSettings", org_ctx.clone()).await;
    assert_eq!(body["settings"]["maxPasswordAttempts"], "5", "{body}");
    assert_eq!(body["settings"]["maxOtpAttempts"], "3");

    put(
        "/admin/v1/policies/password/age",
        json!({"maxAgeDays": 90, "expireWarnDays": 7}),
    )
    .await;
    let body = get(&server, "GetPasswordExpirySettings", org_ctx.clone()).await;
    assert_eq!(body["settings"]["maxAgeDays"], "90", "{body}");

    put(
        "/admin/v1/policies/domain",
        json!({"userLoginMustBeDomain": true, "validateOrgDomains": true}),
    )
    .await;
    let body = get(&server, "GetDomainSettings", org_ctx.clone()).await;
    assert_eq!(body["settings"]["loginNameIncludesDomain"], true, "{body}");
    assert_eq!(body["settings"]["requireOrgDomainVerification"], true);
    assert_eq!(
        body["settings"]["smtpSenderAddressMatchesInstanceDomain"],
        false
    );

    put(
        "/admin/v1/policies/privacy",
        json!({"tosLink": "https://acme.test/tos", "supportEmail": "help@acme.test"}),
    )
    .await;
    let body = get(&server, "GetLegalAndSupportSettings", org_ctx.clone()).await;
    assert_eq!(
        body["settings"]["tosLink"], "https://acme.test/tos",
        "{body}"
    );
    assert_eq!(body["settings"]["supportEmail"], "help@acme.test");

    put(
        "/admin/v1/policies/label",
        json!({"primaryColor": "#112233", "themeMode": "THEME_MODE_DARK"}),
    )
    .await;
    let body = get(&server, "GetBrandingSettings", org_ctx.clone()).await;
    assert_eq!(
        body["settings"]["lightTheme"]["primaryColor"], "#112233",
        "{body}"
    );
    assert_eq!(body["settings"]["themeMode"], "THEME_MODE_DARK");

    // Login: built-in lifetimes first, then the instance's, then the org's over REST.
    let body = get(&server, "GetLoginSettings", json!({"instance": true})).await;
    assert_eq!(
        body["settings"]["passwordCheckLifetime"], "864000s",
        "{body}"
    );
    assert_eq!(body["settings"]["allowRegister"], true);
    put(
        "/admin/v1/policies/login",
        json!({"allowUsernamePassword": true, "allowRegister": false,
               "passwordlessType": "PASSWORDLESS_TYPE_NOT_ALLOWED",
               "passwordCheckLifetime": "3600s"}),
    )
    .await;
    let (status, body) = call(
        &server,
        Method::POST,
        "/management/v1/policies/login",
        Some(
            json!({"allowUsernamePassword": true, "allowRegister": true, "forceMfa": true,
                    "secondFactors": ["SECOND_FACTOR_TYPE_OTP_EMAIL"]}),
        ),
        Some(&acme),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let body = get(&server, "GetLoginSettings", json!({"instance": true})).await;
    assert_eq!(body["settings"]["allowRegister"], false, "{body}");
    assert_eq!(
        body["settings"]["passkeysType"],
        "PASSKEYS_TYPE_NOT_ALLOWED"
    );
    assert_eq!(body["settings"]["passwordCheckLifetime"], "3600s");
    let body = get(&server, "GetLoginSettings", org_ctx.clone()).await;
    assert_eq!(body["settings"]["forceMfa"], true, "{body}");
    assert_eq!(
        body["settings"]["secondFactors"],
        json!(["SECOND_FACTOR_TYPE_OTP_EMAIL"])
    );
    assert_eq!(
        body["settings"]["resourceOwnerType"],
        "RESOURCE_OWNER_TYPE_ORG"
    );

    // Security settings (instance only), general settings, identity providers.
    let answer = connect(
        &server,
        SETTINGS,
        "SetSecuritySettings",
        json!({"embeddedIframe": {"enabled": true, "allowedOrigins": ["https://app.acme.test"]},
               "enableImpersonation": true}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (status, body) = call(&server, Method::GET, "/v2/settings/security", None, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["settings"]["embeddedIframe"]["allowedOrigins"],
        json!(["https://app.acme.test"])
    );
    assert_eq!(body["settings"]["enableImpersonation"], true);
    let (status, body) = connect(&server, SETTINGS, "GetGeneralSettings", json!({}), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["defaultOrgId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(body["defaultLanguage"], "en");
    let body = get(&server, "GetActiveIdentityProviders", org_ctx.clone()).await;
    assert_eq!(body["identityProviders"], json!([]), "{body}");

    // Hosted login translations: the org's merge over the instance's unless asked not to.
    let answer = connect(
        &server,
        SETTINGS,
        "SetHostedLoginTranslation",
        json!({"locale": "de", "instance": true,
               "translations": {"login": {"title": "Anmelden", "next": "Weiter"}}}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    assert!(answer.1["etag"].as_str().is_some_and(|e| e.len() == 64));
    let answer = connect(
        &server,
        SETTINGS,
        "SetHostedLoginTranslation",
        json!({"locale": "de", "organizationId": acme,
               "translations": {"login": {"title": "Willkommen bei Acme"}}}),
        None,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let (status, body) = connect(
        &server,
        SETTINGS,
        "GetHostedLoginTranslation",
        json!({"locale": "de", "organizationId": acme}),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["translations"],
        json!({"login": {"title": "Willkommen bei Acme", "next": "Weiter"}})
    );
    let (_, body) = call(
        &server,
        Method::GET,
        &format!(
            "/v2/settings/hosted_login_translation?locale=de&organizationId={acme}&ignoreInheritance=true"
        ),
        None,
        None,
    )
    .await;
    assert_eq!(
        body["translations"],
        json!({"login": {"title": "Willkommen bei Acme"}}),
        "{body}"
    );
    let (status, body) = call(
        &server,
        Method::GET,
        "/v2/settings/hosted_login_translation?locale=de&instance=true",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["translations"]["login"]["next"], "Weiter");
}

#[tokio::test]
async fn bad_policy_input_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let acme = add_org(&server, "Acme").await;
    let head = probe.head().await;

    // (service, method, body, org header, HTTP status, Connect code)
    type Case<'a> = (&'a str, &'a str, Value, Option<&'a str>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            ADMIN,
            "UpdatePasswordComplexityPolicy",
            json!({"minLength": -1}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdatePasswordComplexityPolicy",
            json!({"minLength": "0"}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdatePasswordComplexityPolicy",
            json!({"minLength": 73}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLockoutPolicy",
            json!({"maxPasswordAttempts": -3}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLoginPolicy",
            json!({"allowUsernamePassword": true, "passwordlessType": "PASSWORDLESS_TYPE_MAYBE"}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLoginPolicy",
            json!({"allowUsernamePassword": true, "passwordCheckLifetime": "-5s"}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLoginPolicy",
            json!({"allowUsernamePassword": false, "allowExternalIdp": false}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLabelPolicy",
            json!({"primaryColor": "blue"}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdatePrivacyPolicy",
            json!({"supportEmail": "nobody"}),
            None,
            400,
            "invalid_argument",
        ),
        (
            ADMIN,
            "UpdateLockoutPolicy",
            json!({"maxAttempts": 3}),
            None,
            400,
            "invalid_argument",
        ),
        (
            MANAGEMENT,
            "AddCustomLockoutPolicy",
            json!({"maxPasswordAttempts": 3}),
            Some("no-such-org"),
            404,
            "not_found",
        ),
        (
            MANAGEMENT,
            "UpdateCustomLockoutPolicy",
            json!({"maxPasswordAttempts": 3}),
            Some(acme.as_str()),
            404,
            "not_found",
        ),
        (
            MANAGEMENT,
            "ResetLockoutPolicyToDefault",
            json!({}),
            Some(acme.as_str()),
            404,
            "not_found",
        ),
        (
            MANAGEMENT,
            "AddCustomLoginPolicy",
            json!({"allowUsernamePassword": true, "secondFactors": ["SECOND_FACTOR_TYPE_UNSPECIFIED"]}),
            Some(acme.as_str()),
            400,
            "invalid_argument",
        ),
        (
            SETTINGS,
            "GetLockoutSettings",
            json!({"ctx": {"orgId": "no-such-org"}}),
            None,
            404,
            "not_found",
        ),
        (
            SETTINGS,
            "GetLockoutSettings",
            json!({"ctx": {"orgId": acme, "instance": true}}),
            None,
            400,
            "invalid_argument",
        ),
        (
            SETTINGS,
            "SetHostedLoginTranslation",
            json!({"locale": "", "instance": true, "translations": {}}),
            None,
            400,
            "invalid_argument",
        ),
        (
            SETTINGS,
            "SetHostedLoginTranslation",
            json!({"locale": "de", "translations": {}}),
            None,
            400,
            "invalid_argument",
        ),
        (
            SETTINGS,
            "SetSecuritySettings",
            json!({"embeddedIframe": {"allowedOrigins": [" "]}}),
            None,
            400,
            "invalid_argument",
        ),
    ];
    for (service, method, body, org, status, expected) in cases {
        let answer = connect(&server, service, method, body.clone(), org).await;
        assert_eq!(
            code(&answer),
            (status, Some(expected)),
            "{method} {body}: {}",
            answer.1
        );
    }
    assert_eq!(probe.head().await, head, "a refused request wrote events");
    // The org still inherits the (built-in) value.
    let body = get(&server, "GetLockoutSettings", json!({"orgId": acme})).await;
    assert_eq!(body["settings"]["maxPasswordAttempts"], "0");
}
