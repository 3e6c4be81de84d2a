//! Samples of every session, auth request, grant, device and web key event variant.

use super::*;

pub fn session_samples() -> Vec<SessionEvent> {
    vec![
        SessionEvent::Added {
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
            ip: Some("2001:db8::1".into()),
        },
        SessionEvent::Added {
            user_agent: None,
            ip: None,
        },
        SessionEvent::UserChecked {
            user_id: "u-1".into(),
            org_id: "o-1".into(),
            checked_at: Timestamp(1_714_000_000_000_001),
        },
        SessionEvent::PasswordChecked {
            checked_at: Timestamp(1_714_000_000_000_002),
        },
        SessionEvent::TotpChecked {
            checked_at: Timestamp(1_714_000_000_000_003),
        },
        SessionEvent::TokenSet {
            token_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        },
        SessionEvent::MetadataSet {
            metadata: BTreeMap::from([
                ("device".into(), "bGFwdG9w".into()),
                ("gone".into(), String::new()),
            ]),
        },
        SessionEvent::MetadataSet {
            metadata: BTreeMap::new(),
        },
        SessionEvent::LifetimeSet {
            expiration: Timestamp(1_714_086_400_000_000),
        },
        SessionEvent::Terminated {},
    ]
}

/// Exhaustive over `SessionEvent`; see [`org_record`].
pub fn session_record(event: &SessionEvent) -> &'static str {
    match event {
        SessionEvent::Added { .. } => "castellan.events.session.Added",
        SessionEvent::UserChecked { .. } => "castellan.events.session.UserChecked",
        SessionEvent::PasswordChecked { .. } => "castellan.events.session.PasswordChecked",
        SessionEvent::TotpChecked { .. } => "castellan.events.session.TotpChecked",
        SessionEvent::TokenSet { .. } => "castellan.events.session.TokenSet",
        SessionEvent::MetadataSet { .. } => "castellan.events.session.MetadataSet",
        SessionEvent::LifetimeSet { .. } => "castellan.events.session.LifetimeSet",
        SessionEvent::Terminated {} => "castellan.events.session.Terminated",
    }
}

pub(super) fn authentication() -> Authentication {
    Authentication {
        session_id: "s-1".into(),
        user_id: "u-1".into(),
        org_id: "o-1".into(),
        auth_time: Timestamp(1_714_000_000_000_002),
        amr: vec!["pwd".into(), "otp".into(), "mfa".into()],
    }
}

pub fn auth_request_samples() -> Vec<AuthRequestEvent> {
    vec![
        AuthRequestEvent::Added {
            params: Box::new(AuthRequestParams {
                client_id: "a-1@shop".into(),
                redirect_uri: "https://shop.test/cb".into(),
                scopes: vec!["openid".into(), "profile".into(), "offline_access".into()],
                response_type: "code".into(),
                response_mode: "query".into(),
                state: Some("xyz".into()),
                nonce: Some("n-0S6_WzA2Mj".into()),
                code_challenge: Some(CodeChallenge {
                    challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
                    method: "S256".into(),
                }),
                prompt: vec!["login".into(), "consent".into()],
                ui_locales: vec!["de-CH".into(), "en".into()],
                max_age: Some(3600),
                login_hint: Some("ada@example.com".into()),
                hint_user_id: Some("u-1".into()),
                issuer: Some("https://id.shop.test".into()),
            }),
            expires_at: Timestamp(1_714_001_800_123_456),
        },
        AuthRequestEvent::Added {
            params: Box::new(AuthRequestParams {
                client_id: "a-2@shop".into(),
                redirect_uri: "https://spa.test/cb".into(),
                scopes: vec![],
                response_type: "id_token token".into(),
                response_mode: "fragment".into(),
                ..AuthRequestParams::default()
            }),
            expires_at: Timestamp(1),
        },
        AuthRequestEvent::Succeeded {
            authentication: authentication(),
            code_hash: Some(
                "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".into(),
            ),
        },
        AuthRequestEvent::Succeeded {
            authentication: Authentication {
                amr: vec![],
                ..authentication()
            },
            code_hash: None,
        },
        AuthRequestEvent::Failed {
            reason: "access_denied".into(),
        },
        AuthRequestEvent::CodeExchanged {
            grant_id: "g-1".into(),
        },
    ]
}

/// Exhaustive over `AuthRequestEvent`; see [`org_record`].
pub fn auth_request_record(event: &AuthRequestEvent) -> &'static str {
    match event {
        AuthRequestEvent::Added { .. } => "castellan.events.auth_request.Added",
        AuthRequestEvent::Succeeded { .. } => "castellan.events.auth_request.Succeeded",
        AuthRequestEvent::Failed { .. } => "castellan.events.auth_request.Failed",
        AuthRequestEvent::CodeExchanged { .. } => "castellan.events.auth_request.CodeExchanged",
    }
}

pub fn grant_samples() -> Vec<GrantEvent> {
    vec![
        GrantEvent::Added {
            grant: Box::new(NewGrant {
                user_id: "u-1".into(),
                org_id: "o-1".into(),
                client_id: "a-1@shop".into(),
                grant_type: "token_exchange".into(),
                scopes: vec!["openid".into(), "offline_access".into()],
                audience: vec!["a-1@shop".into(), "p-1".into()],
                session_id: Some("s-1".into()),
                auth_request_id: Some("ar-1".into()),
                auth_time: Some(Timestamp(1_714_000_000_000_002)),
                amr: vec!["pwd".into()],
                nonce: Some("n-0S6_WzA2Mj".into()),
                actor: Some(Actor {
                    subject: "u-admin".into(),
                    issuer: "https://id.example.com".into(),
                }),
            }),
        },
        GrantEvent::Added {
            grant: Box::new(NewGrant {
                user_id: "u-robot".into(),
                org_id: "o-1".into(),
                client_id: "robot".into(),
                grant_type: "client_credentials".into(),
                scopes: vec![],
                audience: vec![],
                ..NewGrant::default()
            }),
        },
        GrantEvent::AccessTokenAdded {
            token_id: "at-1".into(),
            token_hash: Some(
                "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9".into(),
            ),
            scopes: vec!["openid".into()],
            expiration: Timestamp(1_714_043_200_000_000),
        },
        GrantEvent::AccessTokenAdded {
            token_id: "at-2".into(),
            token_hash: None,
            scopes: vec![],
            expiration: Timestamp(1_714_043_200_000_000),
        },
        GrantEvent::RefreshTokenAdded {
            token_hash: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb".into(),
            idle_expiration: Timestamp(1_716_592_000_000_000),
            expiration: Timestamp(1_745_536_000_000_000),
        },
        GrantEvent::AccessTokenRevoked {
            token_id: "at-1".into(),
        },
        GrantEvent::Terminated {
            reason: "refresh_token_reused".into(),
        },
        GrantEvent::LogoutRequested {
            uri: "https://rp.example.com/backchannel".into(),
            issuer: "https://id.example.com".into(),
        },
        GrantEvent::LogoutDelivered { attempts: 1 },
        GrantEvent::LogoutFailed {
            attempts: 12,
            error: "connection refused".into(),
        },
    ]
}

/// Exhaustive over `GrantEvent`; see [`org_record`].
pub fn grant_record(event: &GrantEvent) -> &'static str {
    match event {
        GrantEvent::Added { .. } => "castellan.events.oidc_session.Added",
        GrantEvent::AccessTokenAdded { .. } => "castellan.events.oidc_session.AccessTokenAdded",
        GrantEvent::RefreshTokenAdded { .. } => "castellan.events.oidc_session.RefreshTokenAdded",
        GrantEvent::AccessTokenRevoked { .. } => "castellan.events.oidc_session.AccessTokenRevoked",
        GrantEvent::Terminated { .. } => "castellan.events.oidc_session.Terminated",
        GrantEvent::LogoutRequested { .. } => "castellan.events.oidc_session.LogoutRequested",
        GrantEvent::LogoutDelivered { .. } => "castellan.events.oidc_session.LogoutDelivered",
        GrantEvent::LogoutFailed { .. } => "castellan.events.oidc_session.LogoutFailed",
    }
}

pub fn device_samples() -> Vec<DeviceEvent> {
    vec![
        DeviceEvent::Added {
            client_id: "tv@shop".into(),
            device_code_hash: "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
                .into(),
            user_code: "WDJB-MJHT".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            expires_at: Timestamp(1_714_000_300_123_456),
        },
        DeviceEvent::Approved {
            authentication: authentication(),
        },
        DeviceEvent::Denied {},
        DeviceEvent::Done {
            grant_id: "g-2".into(),
        },
    ]
}

/// Exhaustive over `DeviceEvent`; see [`org_record`].
pub fn device_record(event: &DeviceEvent) -> &'static str {
    match event {
        DeviceEvent::Added { .. } => "castellan.events.device_authorization.Added",
        DeviceEvent::Approved { .. } => "castellan.events.device_authorization.Approved",
        DeviceEvent::Denied {} => "castellan.events.device_authorization.Denied",
        DeviceEvent::Done { .. } => "castellan.events.device_authorization.Done",
    }
}

pub fn web_key_samples() -> Vec<WebKeyEvent> {
    vec![
        WebKeyEvent::Added {
            key_id: "wk-1".into(),
            algorithm: WebKeyAlgorithm::Rsa {
                bits: 2048,
                hasher: "sha256".into(),
            },
            public_jwk: json!({
                "kty": "RSA",
                "kid": "wk-1",
                "use": "sig",
                "alg": "RS256",
                "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
                "e": "AQAB",
                // Members Castellan does not write today still round-trip.
                "key_ops": ["verify"],
                "ext": true
            }),
            sealed_private_key: "bm9uY2UxMjM0NTY3OGNpcGhlcnRleHQ=".into(),
        },
        WebKeyEvent::Added {
            key_id: "wk-2".into(),
            algorithm: WebKeyAlgorithm::Ecdsa {
                curve: "p256".into(),
            },
            public_jwk: json!({
                "kty": "EC",
                "kid": "wk-2",
                "use": "sig",
                "alg": "ES256",
                "crv": "P-256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
            }),
            sealed_private_key: "c2VhbGVk".into(),
        },
        WebKeyEvent::Added {
            key_id: "wk-3".into(),
            algorithm: WebKeyAlgorithm::Ed25519,
            public_jwk: json!({
                "kty": "OKP",
                "kid": "wk-3",
                "use": "sig",
                "alg": "EdDSA",
                "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
            }),
            sealed_private_key: "c2VhbGVk".into(),
        },
        WebKeyEvent::Activated {
            key_id: "wk-1".into(),
            previous: None,
        },
        WebKeyEvent::Activated {
            key_id: "wk-2".into(),
            previous: Some("wk-1".into()),
        },
        WebKeyEvent::Removed {
            key_id: "wk-1".into(),
        },
    ]
}

/// Exhaustive over `WebKeyEvent`; see [`org_record`].
pub fn web_key_record(event: &WebKeyEvent) -> &'static str {
    match event {
        WebKeyEvent::Added { .. } => "castellan.events.web_key.Added",
        WebKeyEvent::Activated { .. } => "castellan.events.web_key.Activated",
        WebKeyEvent::Removed { .. } => "castellan.events.web_key.Removed",
    }
}
