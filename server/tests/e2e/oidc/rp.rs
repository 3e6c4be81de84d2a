//! An independent RP library — the `openidconnect` crate — against Castellan: discovery, code +
//! PKCE through the hosted login, ID token checked against the JWKS, userinfo, refresh,
//! revocation then introspection inactive; and the machine grants: client credentials (whose
//! token calls the v2 API) and the JWT profile, with forged and stale assertions refused.

use base64::Engine as _;
use castellan_jose::{KeyAlgorithm, RsaBits, RsaHasher, Signer};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenIntrospectionResponse,
    TokenResponse,
};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};

use super::{Browser, log_in, query_param, setup};
use crate::e2e::support::Server;

fn http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_openidconnect_crate_completes_the_code_flow() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (client_id, secret) = setup(&server).await;
    let issuer = format!("http://localhost:{}", server.port);
    let http = http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.clone()),
        Some(ClientSecret::new(secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new("https://shop.test/cb".into()).unwrap())
    .set_introspection_url(IntrospectionUrl::new(format!("{issuer}/oauth/v2/introspect")).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let mut browser = Browser::new(&server);
    let callback = log_in(
        &mut browser,
        authorize_url.as_str(),
        "ada",
        "Secret-Passw0rd!",
    )
    .await;
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    let code = query_param(&callback, "code").unwrap();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    // ZITADEL puts the client's project into the audience too; an RP trusts it explicitly.
    let verifier = client
        .id_token_verifier()
        .set_other_audience_verifier_fn(|aud| aud.as_str() == "shop");
    let id_token = tokens.id_token().unwrap();
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    assert_eq!(claims.subject().as_str(), "ada");
    assert_eq!(
        claims.email().map(|e| e.as_str().to_owned()),
        None,
        "profile and email claims stay out of the ID token unless the app asks for them"
    );

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.subject().as_str(), "ada");
    assert_eq!(info.email().unwrap().as_str(), "ada@example.com");

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );
    let access = refreshed.access_token().clone();
    let active = client
        .introspect(&access)
        .request_async(&http)
        .await
        .unwrap();
    assert!(active.active());
    // The library sends revocations only over https (RFC 7009 §2), and this server speaks
    // plain http: the revocation itself is a plain form post with the client's basic auth.
    let revoked = http
        .post(format!("{issuer}/oauth/v2/revoke"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("token", access.secret().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let inactive = client
        .introspect(&access)
        .request_async(&http)
        .await
        .unwrap();
    assert!(!inactive.active());
}

const USERS: &str = "zitadel.user.v2.UserService";

async fn post_token(server: &Server, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(format!("http://localhost:{}/oauth/v2/token", server.port))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn machine_grants_and_their_security_cases() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let issuer = format!("http://localhost:{}", server.port);
    server
        .admin_ok(
            USERS,
            "CreateUser",
            json!({"userId": "robot", "username": "robot", "machine": {"name": "Robot"}}),
        )
        .await;
    let secret = server
        .admin_ok(USERS, "AddSecret", json!({"userId": "robot"}))
        .await;
    let secret = secret["clientSecret"].as_str().unwrap().to_owned();

    // Client credentials through the RP library; the token's audience includes the API.
    let http = http();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let machine = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("robot".into()),
        Some(ClientSecret::new(secret.clone())),
    );
    let tokens = machine
        .exchange_client_credentials()
        .unwrap()
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new(
            "urn:zitadel:iam:org:project:id:zitadel:aud".into(),
        ))
        .request_async(&http)
        .await
        .unwrap();
    let access = tokens.access_token().secret().clone();
    // The token authenticates v2 calls (the robot holds no roles: an Authenticated-only method).
    let (status, body) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.feature.v2.FeatureService/GetUserFeatures",
            &json!({"userId": "robot"}).to_string(),
            Some("application/json"),
            Some(&access),
        )
        .await;
    assert_ne!(status, 401, "{body}");
    let (status, _) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.feature.v2.FeatureService/GetUserFeatures",
            &json!({"userId": "robot"}).to_string(),
            Some("application/json"),
            Some("not-a-token"),
        )
        .await;
    assert_eq!(status, 401);
    let wrong = machine_with_secret(&issuer, "wrong").await;
    assert!(
        wrong
            .exchange_client_credentials()
            .unwrap()
            .request_async(&http)
            .await
            .is_err()
    );

    // JWT profile: a key of the machine signs the assertion.
    let key = server
        .admin_ok(
            USERS,
            "AddKey",
            json!({"userId": "robot", "expirationDate": "2100-01-01T00:00:00Z"}),
        )
        .await;
    let file: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(key["keyContent"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let pkcs1 = file["key"].as_str().unwrap();
    let der = rsa::RsaPrivateKey::from_pkcs1_pem(pkcs1)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let algorithm = KeyAlgorithm::Rsa {
        bits: RsaBits::B2048,
        hasher: RsaHasher::Sha256,
    };
    let signer =
        Signer::from_pkcs8_der(der.as_bytes(), &algorithm, file["keyId"].as_str().unwrap())
            .unwrap();
    let claims = |iat: i64, exp: i64| json!({"iss": "robot", "sub": "robot", "aud": issuer, "iat": iat, "exp": exp});
    let t = now();
    let (status, body) = grant(&server, signer.sign(None, &claims(t, t + 300)).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
    // Expired, from the future, and older than an hour: refused.
    for (iat, exp) in [
        (t - 600, t - 300),
        (t + 3600, t + 7200),
        (t - 7200, t + 300),
    ] {
        let (status, body) = grant(&server, signer.sign(None, &claims(iat, exp)).unwrap()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{iat} {exp}"
        );
    }
    // alg none, and HS256 "signed" with the public key: refused.
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let payload = b64(&claims(t, t + 300));
    let none = format!(
        "{}.{payload}.",
        b64(&json!({"alg": "none", "kid": file["keyId"]}))
    );
    let (status, _) = grant(&server, none).await;
    assert_eq!(status, 400);
    let public_pem = {
        use rsa::pkcs8::EncodePublicKey;
        rsa::RsaPrivateKey::from_pkcs1_pem(pkcs1)
            .unwrap()
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
    };
    let header = b64(&json!({"alg": "HS256", "kid": file["keyId"]}));
    let signing_input = format!("{header}.{payload}");
    let mac = hmac_sha256(public_pem.as_bytes(), signing_input.as_bytes());
    let forged = format!(
        "{signing_input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
    );
    let (status, body) = grant(&server, forged).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

async fn grant(server: &Server, assertion: String) -> (u16, Value) {
    post_token(
        server,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("scope", "openid"),
            ("assertion", &assertion),
        ],
    )
    .await
}

async fn machine_with_secret(
    issuer: &str,
    secret: &str,
) -> CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
> {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.into()).unwrap(), &http())
            .await
            .unwrap();
    CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("robot".into()),
        Some(ClientSecret::new(secret.into())),
    )
}

/// HMAC-SHA256 (RFC 2104), written out so the forged token needs no extra crate.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}
