//! The data ZITADEL's scenarios need, set up by the suite through the public APIs of a fresh
//! Castellan: a machine user with a secret and a key, an API project with two API apps (basic
//! auth, and a key for JWT-authenticated introspection), an OIDC web app for the code flow, a
//! human with a password, and a pool of humans with a verified TOTP authenticator.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use castellan_jose::{KeyAlgorithm, RsaBits, RsaHasher, Signer};
use serde_json::{Value, json};

use crate::Result;
use crate::api::{Server, Target, truncate};

pub(crate) const PASSWORD: &str = "Bench-Passw0rd!";
pub(crate) const REDIRECT_URI: &str = "https://rp.bench.example/cb";
pub(crate) const USERS: &str = "zitadel.user.v2.UserService";
pub(crate) const SESSIONS: &str = "zitadel.session.v2.SessionService";
pub(crate) const OIDC: &str = "zitadel.oidc.v2.OIDCService";
const APPS: &str = "zitadel.application.v2.ApplicationService";
/// Signed JWTs handed out round robin (the server keeps no `jti` replay list; signing one per
/// iteration would spend the client's share of the two cores on RSA).
const ASSERTIONS: usize = 64;
/// How long the setup waits for the admin's token to work (distributed mode: it travels through
/// Kafka to Cassandra first). A bound, not a measurement.
const USABLE_TIMEOUT: Duration = Duration::from_secs(120);

/// A human with a verified TOTP authenticator. A code's time step is accepted once per user and
/// only within one step of now, so each user serves a few checks per 30 s: `claim` hands out
/// the next unused step, or none.
pub(crate) struct OtpUser {
    pub login_name: String,
    totp: totp_rs::Totp,
    last_step: AtomicI64,
}

impl OtpUser {
    /// The code of the next step this user has not used, if one is still accepted now.
    pub(crate) fn claim(&self) -> Option<String> {
        self.claim_at(unix_now())
    }

    /// `claim` at `now` (Unix seconds).
    fn claim_at(&self, now: i64) -> Option<String> {
        let current = now / 30;
        loop {
            let last = self.last_step.load(Ordering::Acquire);
            let step = (last + 1).max(current - 1);
            if step > current + 1 {
                return None;
            }
            if self
                .last_step
                .compare_exchange(last, step, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Some(self.totp.generate((step * 30) as u64).to_string());
            }
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    use castellan_core::clock::{Clock as _, SystemClock};
    SystemClock.now().as_micros().div_euclid(1_000_000)
}

/// Everything the scenarios use.
pub(crate) struct Fixture {
    /// Follows no redirects (the login flow reads them).
    pub http: reqwest::Client,
    pub target: Arc<Target>,
    pub robot_secret: String,
    /// JWT bearer grants of the machine user, signed with its key.
    pub robot_grants: Vec<String>,
    pub api_basic: (String, String),
    /// Client assertions of the JWT-authenticated API app.
    pub api_jwt_assertions: Vec<String>,
    pub introspect_token: String,
    pub web: (String, String),
    /// The personal access token of a machine user with IAM_LOGIN_CLIENT (a login UI's
    /// service account).
    pub login_client: String,
    /// An access token from a hosted login of `bench-ada`.
    pub user_token: String,
    pub otp_users: Vec<OtpUser>,
}

pub(crate) async fn call(
    target: &Target,
    http: &reqwest::Client,
    method: &str,
    body: Value,
) -> std::result::Result<Value, String> {
    match target.call(http, method, &body).await {
        Ok((200, text)) => serde_json::from_str(&text).map_err(|e| format!("{method}: {e}")),
        Ok((status, text)) => Err(format!("{method}: HTTP {status}: {}", truncate(&text, 200))),
        Err(error) => Err(format!("{method}: {error}")),
    }
}

pub(crate) fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The signer of a ZITADEL key file (`keyContent`/`keyDetails`: base64 JSON with `key`, `keyId`).
fn signer_of(encoded: &str) -> Result<(Signer, Value)> {
    let file: Value =
        serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(encoded)?)?;
    let pem = text(&file, "/key");
    let key = {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        rsa::RsaPrivateKey::from_pkcs1_pem(&pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(&pem))
            .map_err(|e| format!("key file: {e}"))?
    };
    let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key)?;
    let algorithm = KeyAlgorithm::Rsa {
        bits: RsaBits::B2048,
        hasher: RsaHasher::Sha256,
    };
    let signer = Signer::from_pkcs8_der(der.as_bytes(), &algorithm, &text(&file, "/keyId"))?;
    Ok((signer, file))
}

/// `ASSERTIONS` JWTs with `iss` = `sub` = `subject` for `audience`, valid for an hour.
fn assertions(signer: &Signer, subject: &str, audience: &str) -> Result<Vec<String>> {
    let now = unix_now();
    (0..ASSERTIONS)
        .map(|n| {
            let claims = json!({"iss": subject, "sub": subject, "aud": audience, "iat": now,
                "exp": now + 3600, "jti": format!("bench-{now}-{n}")});
            Ok(signer.sign(None, &claims)?)
        })
        .collect()
}

/// Waits until the admin's token works (it must reach the read model first).
async fn usable(server: &Server) -> Result<()> {
    let started = Instant::now();
    loop {
        let answer = server
            .target
            .call(&server.client, "ListOrganizations", &json!({}))
            .await;
        if matches!(answer, Ok((200, _))) {
            return Ok(());
        }
        if started.elapsed() > USABLE_TIMEOUT {
            return Err(format!("the admin token never became usable: {answer:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets everything up; `otp_users` humans get a TOTP authenticator.
pub(crate) async fn fixture(server: &Server, otp_users: usize) -> Result<Fixture> {
    usable(server).await?;
    let target = Arc::clone(&server.target);
    let admin = server.client.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?;
    let issuer = format!("http://{}", target.host());
    let ok = |method: String, body: Value| {
        let (target, admin) = (Arc::clone(&target), admin.clone());
        async move { call(&target, &admin, &method, body).await }
    };

    ok(
        "zitadel.user.v2.UserService/CreateUser".to_owned(),
        json!({"userId": "bench-robot", "username": "bench-robot", "machine": {"name": "Bench robot"}}),
    )
    .await?;
    let secret = ok(
        "zitadel.user.v2.UserService/AddSecret".to_owned(),
        json!({"userId": "bench-robot"}),
    )
    .await?;
    let key = ok(
        "zitadel.user.v2.UserService/AddKey".to_owned(),
        json!({"userId": "bench-robot", "expirationDate": "2100-01-01T00:00:00Z"}),
    )
    .await?;
    let (robot_signer, _) = signer_of(&text(&key, "/keyContent"))?;
    let robot_grants = assertions(&robot_signer, "bench-robot", &issuer)?;

    ok(
        "zitadel.user.v2.UserService/CreateUser".to_owned(),
        json!({"userId": "bench-ada", "username": "bench-ada", "human": {
            "profile": {"givenName": "Bench", "familyName": "Ada"},
            "email": {"email": "bench-ada@bench.example.com", "isVerified": true},
            "password": {"password": PASSWORD}}}),
    )
    .await?;
    let ada = ok(
        "zitadel.user.v2.UserService/GetUserByID".to_owned(),
        json!({"userId": "bench-ada"}),
    )
    .await?;
    let org = text(&ada, "/user/details/resourceOwner");
    ok(
        "zitadel.project.v2.ProjectService/CreateProject".to_owned(),
        json!({"organizationId": org, "name": "Bench API", "projectId": "bench-api"}),
    )
    .await?;
    let basic = ok(
        format!("{APPS}/CreateApplication"),
        json!({"projectId": "bench-api", "name": "Resource server", "apiConfiguration": {}}),
    )
    .await?;
    let jwt_app = ok(
        format!("{APPS}/CreateApplication"),
        json!({"projectId": "bench-api", "name": "Resource server (key)",
            "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}),
    )
    .await?;
    let app_key = ok(
        format!("{APPS}/CreateApplicationKey"),
        json!({"applicationId": text(&jwt_app, "/applicationId"), "projectId": "bench-api",
            "expirationDate": "2100-01-01T00:00:00Z"}),
    )
    .await?;
    let (api_signer, api_file) = signer_of(&text(&app_key, "/keyDetails"))?;
    let api_jwt_assertions = assertions(&api_signer, &text(&api_file, "/clientId"), &issuer)?;
    let web = ok(
        format!("{APPS}/CreateApplication"),
        json!({"projectId": "bench-api", "name": "Web", "oidcConfiguration": {
            "redirectUris": [REDIRECT_URI], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
            "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
            "applicationType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC"}}),
    )
    .await?;

    let mut fixture = Fixture {
        http,
        target: Arc::clone(&target),
        robot_secret: text(&secret, "/clientSecret"),
        robot_grants,
        api_basic: (
            text(&basic, "/apiConfiguration/clientId"),
            text(&basic, "/apiConfiguration/clientSecret"),
        ),
        api_jwt_assertions,
        introspect_token: String::new(),
        web: (
            text(&web, "/oidcConfiguration/clientId"),
            text(&web, "/oidcConfiguration/clientSecret"),
        ),
        login_client: String::new(),
        user_token: String::new(),
        otp_users: Vec::new(),
    };
    ok(
        "zitadel.user.v2.UserService/CreateUser".to_owned(),
        json!({"userId": "bench-login", "username": "bench-login", "machine": {"name": "Bench login UI"}}),
    )
    .await?;
    ok(
        "zitadel.internal_permission.v2.InternalPermissionService/CreateAdministrator".to_owned(),
        json!({"userId": "bench-login", "resource": {"instance": true}, "roles": ["IAM_LOGIN_CLIENT"]}),
    )
    .await?;
    let pat = ok(
        "zitadel.user.v2.UserService/AddPersonalAccessToken".to_owned(),
        json!({"userId": "bench-login", "expirationDate": "2100-01-01T00:00:00Z"}),
    )
    .await?;
    fixture.login_client = text(&pat, "/token");
    let token = crate::zitadel_flows::client_credentials(&fixture).await?;
    fixture.introspect_token = text(&token, "/access_token");
    let login = crate::zitadel_flows::human_password_login(&fixture).await?;
    fixture.user_token = text(&login, "/access_token");
    fixture.otp_users = otp_pool(&fixture, &admin, otp_users).await?;
    Ok(fixture)
}

/// `count` humans with a password and a verified TOTP authenticator, created 8 at a time.
async fn otp_pool(
    fixture: &Fixture,
    admin: &reqwest::Client,
    count: usize,
) -> Result<Vec<OtpUser>> {
    let tag = format!("{:06x}", rand::random::<u32>() & 0xff_ffff);
    let mut users = Vec::with_capacity(count);
    let mut next = 0;
    while next < count {
        let batch: Vec<_> = (next..count.min(next + 8))
            .map(|n| {
                let (target, admin) = (Arc::clone(&fixture.target), admin.clone());
                let login_name = format!("otp-{tag}-{n}");
                tokio::spawn(async move { otp_user(&target, &admin, login_name).await })
            })
            .collect();
        for handle in batch {
            users.push(handle.await??);
        }
        next += 8;
    }
    Ok(users)
}

async fn otp_user(
    target: &Target,
    admin: &reqwest::Client,
    login_name: String,
) -> std::result::Result<OtpUser, String> {
    let created = call(
        target,
        admin,
        &format!("{USERS}/CreateUser"),
        json!({"username": login_name, "human": {
            "profile": {"givenName": "Otp", "familyName": "Bench"},
            "email": {"email": format!("{login_name}@bench.example.com"), "isVerified": true},
            "password": {"password": PASSWORD}}}),
    )
    .await?;
    let user_id = text(&created, "/id");
    let registered = call(
        target,
        admin,
        &format!("{USERS}/RegisterTOTP"),
        json!({"userId": user_id}),
    )
    .await?;
    let secret = totp_rs::Secret::try_from_base32(text(&registered, "/secret"))
        .map_err(|e| format!("TOTP secret: {e:?}"))?;
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|e| format!("TOTP: {e:?}"))?;
    let code = totp.generate(unix_now() as u64).to_string();
    call(
        target,
        admin,
        &format!("{USERS}/VerifyTOTPRegistration"),
        json!({"userId": user_id, "code": code}),
    )
    .await?;
    Ok(OtpUser {
        login_name,
        totp,
        last_step: AtomicI64::new(i64::MIN / 2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> OtpUser {
        let secret = totp_rs::Secret::try_from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").unwrap();
        OtpUser {
            login_name: "otp".into(),
            totp: totp_rs::Builder::new().with_secret(secret).build().unwrap(),
            last_step: AtomicI64::new(i64::MIN / 2),
        }
    }

    #[test]
    fn a_user_serves_the_three_accepted_steps_once_each() {
        let user = user();
        let now = 1_800_000_015;
        let codes: Vec<Option<String>> = (0..4).map(|_| user.claim_at(now)).collect();
        let step = now / 30;
        let expected: Vec<Option<String>> = [step - 1, step, step + 1]
            .iter()
            .map(|s| Some(user.totp.generate((s * 30) as u64).to_string()))
            .chain([None])
            .collect();
        assert_eq!(codes, expected);
        // A step later, one more step is accepted.
        assert!(user.claim_at(now + 30).is_some());
        assert!(user.claim_at(now + 30).is_none());
    }
}
