//! The ApplicationService: OIDC, API and SAML apps, secrets, lifecycle.

use base64::Engine;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::{add_org, app, code, names, project, total};
use crate::e2e::support::{LedgerProbe, Server};

fn oidc_app(name: &str, config: Value) -> Value {
    json!({"projectId": "shop", "name": name, "oidcConfiguration": config})
}

#[tokio::test]
async fn applications_through_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    let (status, _) = project(
        &server,
        "CreateProject",
        json!({"organizationId": "acme", "name": "Web Shop", "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200);

    let (status, web) = app(
        &server,
        "CreateApplication",
        oidc_app(
            "Web",
            json!({"redirectUris": ["https://shop.test/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                   "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                   "applicationType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_BASIC",
                   "postLogoutRedirectUris": ["https://shop.test/bye"], "accessTokenType": "OIDC_TOKEN_TYPE_JWT",
                   "idTokenRoleAssertion": true, "clockSkew": "3s"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{web}");
    let web_id = web["applicationId"].as_str().unwrap().to_owned();
    let client_id = web["oidcConfiguration"]["clientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = web["oidcConfiguration"]["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(client_id, format!("{web_id}@web_shop"));
    assert!(secret.len() >= 32);
    // The secret is stored only as a hash.
    let events = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["project".into()],
            limit: 1000,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let stored =
        serde_json::to_string(&events.iter().map(|e| &e.payload).collect::<Vec<_>>()).unwrap();
    assert!(stored.contains(&secrets::token_hash(&secret)));
    assert!(!stored.contains(&secret));

    // Bad configurations are refused and write nothing.
    let before = probe.head().await;
    let cases = [
        oidc_app("A", json!({"redirectUris": ["not a uri"]})),
        oidc_app("B", json!({"redirectUris": ["/relative/cb"]})),
        oidc_app("C", json!({"redirectUris": ["http://shop.test/cb"]})),
        oidc_app(
            "D",
            json!({"redirectUris": ["https://shop.test/cb"], "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE",
                   "responseTypes": ["OIDC_RESPONSE_TYPE_ID_TOKEN"], "grantTypes": ["OIDC_GRANT_TYPE_IMPLICIT"]}),
        ),
        oidc_app("E", json!({"clockSkew": "10s"})),
        oidc_app("Web", json!({})),
        json!({"projectId": "shop", "name": "F"}),
        json!({"projectId": "shop", "name": "G", "apiConfiguration": {}, "oidcConfiguration": {}}),
        json!({"projectId": "shop", "name": "H", "samlConfiguration": {"metadataXml": "bm90IHhtbA=="}}),
    ];
    for body in cases {
        let answer = app(&server, "CreateApplication", body.clone()).await;
        let expected = if body["name"] == "Web" { 409 } else { 400 };
        assert_eq!(answer.0, expected, "{body} → {}", answer.1);
    }
    let url = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "U", "samlConfiguration": {"metadataUrl": "https://idp.test/meta"}}),
    )
    .await;
    assert_eq!(code(&url), (501, Some("unimplemented")), "{}", url.1);
    let unknown_project = app(
        &server,
        "CreateApplication",
        json!({"projectId": "nope", "name": "X", "apiConfiguration": {}}),
    )
    .await;
    assert_eq!(code(&unknown_project), (404, Some("not_found")));
    assert_eq!(probe.head().await, before, "refused calls wrote something");

    // Development mode allows http; API and SAML apps.
    let (status, dev) = app(
        &server,
        "CreateApplication",
        oidc_app(
            "Dev",
            json!({"redirectUris": ["http://localhost:3000/cb"], "developmentMode": true,
                   "applicationType": "OIDC_APP_TYPE_USER_AGENT", "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{dev}");
    assert!(
        dev["oidcConfiguration"].get("clientSecret").is_none(),
        "public clients get no secret"
    );
    let (status, api) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "Backend", "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}),
    )
    .await;
    assert_eq!(status, 200, "{api}");
    assert!(api["apiConfiguration"]["clientId"].is_string());
    assert!(api["apiConfiguration"].get("clientSecret").is_none());
    let api_id = api["applicationId"].as_str().unwrap().to_owned();
    let xml = r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.test/saml"/>"#;
    let (status, saml) = app(
        &server,
        "CreateApplication",
        json!({"projectId": "shop", "name": "SAML", "applicationId": "saml-1",
               "samlConfiguration": {"metadataXml": base64::engine::general_purpose::STANDARD.encode(xml)}}),
    )
    .await;
    assert_eq!(status, 200, "{saml}");

    // Get and list.
    let (status, got) = app(&server, "GetApplication", json!({"applicationId": web_id})).await;
    assert_eq!(status, 200, "{got}");
    let a = &got["application"];
    assert_eq!(a["name"], "Web");
    assert_eq!(a["projectId"], "shop");
    assert_eq!(a["state"], "APPLICATION_STATE_ACTIVE");
    let oidc = &a["oidcConfiguration"];
    assert_eq!(oidc["clientId"], client_id.as_str());
    assert_eq!(oidc["redirectUris"], json!(["https://shop.test/cb"]));
    assert_eq!(oidc["clockSkew"], "3s");
    assert_eq!(oidc["accessTokenType"], "OIDC_TOKEN_TYPE_JWT");
    assert_eq!(oidc["idTokenRoleAssertion"], true);
    assert_eq!(oidc["allowedOrigins"], json!(["https://shop.test"]));
    assert!(oidc.get("clientSecret").is_none());
    let (_, got) = app(
        &server,
        "GetApplication",
        json!({"applicationId": "saml-1"}),
    )
    .await;
    let returned = got["application"]["samlConfiguration"]["metadataXml"]
        .as_str()
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(returned)
            .unwrap(),
        xml.as_bytes()
    );
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": "nope"}))
            .await
            .0,
        404
    );

    let (_, all) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"projectIdFilter": {"projectId": "shop"}}]}),
    )
    .await;
    assert_eq!(total(&all), 4, "{all}");
    let (_, apis) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"typeFilter": "APPLICATION_TYPE_API"}]}),
    )
    .await;
    assert_eq!(names(&apis, "applications", "name"), ["Backend"]);
    let (_, by_client) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"clientIdFilter": {"clientId": client_id}}]}),
    )
    .await;
    assert_eq!(names(&by_client, "applications", "name"), ["Web"]);
    let (_, by_entity) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"entityIdFilter": {"entityId": "https://sp.test/saml"}}]}),
    )
    .await;
    assert_eq!(names(&by_entity, "applications", "name"), ["SAML"]);
    let (_, by_name) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"nameFilter": {"name": "de", "method": "TEXT_FILTER_METHOD_STARTS_WITH_IGNORE_CASE"}}], "pagination": {"limit": 10}}),
    )
    .await;
    assert_eq!(names(&by_name, "applications", "name"), ["Dev"]);

    // Update: only the given fields change; the kind cannot change.
    let (status, body) = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "projectId": "shop", "name": "Storefront",
               "oidcConfiguration": {"redirectUris": ["https://shop.test/cb2"]}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, got) = app(&server, "GetApplication", json!({"applicationId": web_id})).await;
    assert_eq!(got["application"]["name"], "Storefront");
    assert_eq!(
        got["application"]["oidcConfiguration"]["redirectUris"],
        json!(["https://shop.test/cb2"])
    );
    assert_eq!(got["application"]["oidcConfiguration"]["clockSkew"], "3s");
    let before = probe.head().await;
    let wrong_kind = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "apiConfiguration": {"authMethodType": "API_AUTH_METHOD_TYPE_BASIC"}}),
    )
    .await;
    assert_eq!(code(&wrong_kind), (400, Some("invalid_argument")));
    let bad_uri = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "oidcConfiguration": {"redirectUris": ["nope"]}}),
    )
    .await;
    assert_eq!(code(&bad_uri), (400, Some("invalid_argument")));
    let other_project = app(
        &server,
        "UpdateApplication",
        json!({"applicationId": web_id, "projectId": "other", "name": "X"}),
    )
    .await;
    assert_eq!(code(&other_project), (404, Some("not_found")));
    let no_secret = app(
        &server,
        "GenerateClientSecret",
        json!({"applicationId": api_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(code(&no_secret), (400, Some("failed_precondition")));
    assert_eq!(probe.head().await, before);

    // Lifecycle and secrets.
    let (status, body) = app(
        &server,
        "DeactivateApplication",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["deactivationDate"].is_string());
    let (_, inactive) = app(
        &server,
        "ListApplications",
        json!({"filters": [{"stateFilter": "APPLICATION_STATE_INACTIVE"}]}),
    )
    .await;
    assert_eq!(names(&inactive, "applications", "name"), ["Storefront"]);
    let again = app(
        &server,
        "DeactivateApplication",
        json!({"applicationId": web_id}),
    )
    .await;
    assert_eq!(code(&again), (400, Some("failed_precondition")));
    let (status, body) = app(
        &server,
        "ReactivateApplication",
        json!({"applicationId": web_id}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["reactivationDate"].is_string());
    let (status, fresh) = app(
        &server,
        "GenerateClientSecret",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{fresh}");
    let new_secret = fresh["clientSecret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let (status, body) = app(
        &server,
        "DeleteApplication",
        json!({"applicationId": web_id, "projectId": "shop"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["deletionDate"].is_string());
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": web_id}))
            .await
            .0,
        404
    );
    let (_, all) = app(&server, "ListApplications", json!({})).await;
    assert_eq!(total(&all), 3);

    // Deleting the project deletes its applications.
    assert_eq!(
        project(&server, "DeleteProject", json!({"projectId": "shop"}))
            .await
            .0,
        200
    );
    let (_, all) = app(&server, "ListApplications", json!({})).await;
    assert_eq!(total(&all), 0, "{all}");
    assert_eq!(
        app(&server, "GetApplication", json!({"applicationId": api_id}))
            .await
            .0,
        404
    );
    server.stop();
}
