//! Every OrganizationService method, through Connect and REST.

use reqwest::Method;
use serde_json::json;

use super::support::{Server, names};

#[tokio::test]
async fn the_whole_organization_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let (status, created) = server
        .connect(
            "AddOrganization",
            json!({
                "name": "Acme",
                "organizationId": "acme-1",
                "admins": [{
                    "human": {
                        "username": "wile",
                        "profile": {"givenName": "Wile", "familyName": "Coyote"},
                        "email": {"email": "wile@acme.test", "isVerified": true},
                        "password": {"password": "Password1!"}
                    }
                }]
            }),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["organizationId"], "acme-1");
    assert_eq!(created["createdAdmins"].as_array().map(Vec::len), Some(1));
    // The admin's username is now taken in the instance.
    let (status, error) = server
        .connect(
            "AddOrganization",
            json!({"name": "Other", "admins": [{"human": {"username": "WILE",
                "profile": {"givenName": "W", "familyName": "C"}, "email": {"email": "w@c.test"}}}]}),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("already_exists")),
        "{error}"
    );
    let (status, error) = server
        .connect(
            "AddOrganization",
            json!({"name": "Weak", "admins": [{"human": {"username": "weak",
                "profile": {"givenName": "W", "familyName": "C"}, "email": {"email": "w@c.test"},
                "password": {"password": "password"}}}]}),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_argument")),
        "{error}"
    );

    // Update, deactivate, filter by state, activate.
    let id = json!({"organizationId": "acme-1"});
    let (status, changed) = server
        .connect(
            "UpdateOrganization",
            json!({"organizationId": "acme-1", "name": "Acme Corp"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert!(
        changed["changeDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let (status, _) = server.connect("DeactivateOrganization", id.clone()).await;
    assert_eq!(status, 200);
    let (status, error) = server.connect("DeactivateOrganization", id.clone()).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("failed_precondition"))
    );
    let (_, inactive) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"stateQuery": {"state": "ORGANIZATION_STATE_INACTIVE"}}]}),
        )
        .await;
    assert_eq!(names(&inactive), ["Acme Corp"]);
    let (status, _) = server
        .rest(
            Method::POST,
            "/v2/organizations/acme-1/activate",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);

    // Search, sort and page.
    for name in ["Beta", "alpha", "Gamma"] {
        let (status, _) = server
            .connect("AddOrganization", json!({"name": name}))
            .await;
        assert_eq!(status, 200);
    }
    let (_, sorted) = server
        .connect(
            "ListOrganizations",
            json!({"sortingColumn": "ORGANIZATION_FIELD_NAME_NAME", "query": {"asc": true, "limit": 2, "offset": "1"}}),
        )
        .await;
    assert_eq!(names(&sorted), ["alpha", "Beta"]);
    assert_eq!(sorted["details"]["totalResult"], "5");
    let (_, by_name) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"nameQuery": {"name": "ACME", "method": "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}]}),
        )
        .await;
    assert_eq!(names(&by_name), ["Acme Corp"]);
    let (_, default_org) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"defaultQuery": {}}]}),
        )
        .await;
    assert_eq!(names(&default_org), ["Castellan"]);

    // Domains: added domains are verified at once (ValidateOrgDomains is off by default).
    let (status, added) = server
        .connect(
            "AddOrganizationDomain",
            json!({"organizationId": "acme-1", "domain": "acme.test"}),
        )
        .await;
    assert_eq!(status, 200, "{added}");
    let (_, by_domain) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"domainQuery": {"domain": "acme.test"}}]}),
        )
        .await;
    assert_eq!(names(&by_domain), ["Acme Corp"]);
    let (status, error) = server
        .connect(
            "AddOrganizationDomain",
            json!({"organizationId": "acme-1", "domain": "not a domain"}),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_argument"))
    );
    let (status, domains) = server
        .rest(
            Method::POST,
            "/v2/organizations/acme-1/domains/search",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{domains}");
    let listed: Vec<(String, bool, bool)> = domains["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap().to_owned(),
                d["isVerified"].as_bool().unwrap_or(false),
                d["isPrimary"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("acme.localhost".to_owned(), true, true),
            ("acme.test".to_owned(), true, false)
        ]
    );
    // Another org cannot take a verified domain.
    let (status, _) = server
        .connect(
            "AddOrganization",
            json!({"name": "Copycat", "organizationId": "copy"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, error) = server
        .connect(
            "AddOrganizationDomain",
            json!({"organizationId": "copy", "domain": "ACME.test"}),
        )
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("already_exists")),
        "{error}"
    );
    let (status, error) = server
        .rest(
            Method::DELETE,
            "/v2/organizations/acme-1/domains?domain=acme.localhost",
            None,
        )
        .await;
    assert_eq!(
        (status, error["code"].as_i64()),
        (400, Some(9)),
        "the primary domain stays: {error}"
    );
    let (status, _) = server
        .rest(
            Method::DELETE,
            "/v2/organizations/acme-1/domains?domain=acme.test",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, validation) = server
        .connect(
            "GenerateOrganizationDomainValidation",
            json!({"organizationId": "acme-1", "domain": "acme.localhost", "type": "DOMAIN_VALIDATION_TYPE_DNS"}),
        )
        .await;
    assert_eq!(
        (status, validation["code"].as_str()),
        (400, Some("failed_precondition")),
        "already verified"
    );

    // Metadata: bytes travel as base64.
    let (status, set) = server
        .connect(
            "SetOrganizationMetadata",
            json!({"organizationId": "acme-1", "metadata": [{"key": "tier", "value": "Z29sZA=="}, {"key": "region", "value": "ZXU="}]}),
        )
        .await;
    assert_eq!(status, 200, "{set}");
    let (_, metadata) = server
        .connect(
            "ListOrganizationMetadata",
            json!({"organizationId": "acme-1", "filters": [{"keyFilter": {"key": "ti", "method": "TEXT_FILTER_METHOD_STARTS_WITH"}}]}),
        )
        .await;
    assert_eq!(metadata["metadata"][0]["key"], "tier");
    assert_eq!(metadata["metadata"][0]["value"], "Z29sZA==");
    assert_eq!(metadata["pagination"]["totalResult"], "1");
    let (status, _) = server
        .rest(
            Method::DELETE,
            "/v2/organizations/acme-1/metadata?keys=tier&keys=region",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (_, metadata) = server.connect("ListOrganizationMetadata", id.clone()).await;
    assert!(metadata.get("metadata").is_none(), "{metadata}");

    // Delete: the org disappears and its name is free again; the default org cannot go.
    let (status, deleted) = server
        .rest(Method::DELETE, "/v2/organizations/acme-1", None)
        .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletionDate"].is_string());
    assert!(!server.org_names().await.contains(&"Acme Corp".to_owned()));
    let (status, _) = server
        .connect(
            "UpdateOrganization",
            json!({"organizationId": "acme-1", "name": "X"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .connect("AddOrganization", json!({"name": "Acme Corp"}))
        .await;
    assert_eq!(status, 200, "a deleted org's name can be used again");
    let (_, default_org) = server
        .connect(
            "ListOrganizations",
            json!({"queries": [{"defaultQuery": {}}]}),
        )
        .await;
    let default_id = default_org["result"][0]["id"].as_str().unwrap().to_owned();
    let (status, error) = server
        .connect("DeleteOrganization", json!({"organizationId": default_id}))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("failed_precondition")),
        "{error}"
    );
    server.stop();
}
