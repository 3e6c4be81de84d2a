//! Wire-format tests across the org service types.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

fn parse<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn parse_err<T: DeserializeOwned + std::fmt::Debug>(v: Value) -> String {
    serde_json::from_value::<T>(v).unwrap_err().to_string()
}

fn out<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn int64_as_string_and_number() {
    let a: Details = parse(json!({"sequence": "42"}));
    let b: Details = parse(json!({"sequence": 42}));
    assert_eq!(a.sequence, 42);
    assert_eq!(a, b);
    assert_eq!(out(&a), json!({"sequence": "42"}));

    let max: ListDetails = parse(json!({"totalResult": "18446744073709551615"}));
    assert_eq!(max.total_result, u64::MAX);
    let max: ListDetails = parse(json!({"totalResult": 18446744073709551615u64}));
    assert_eq!(max.total_result, u64::MAX);
    let exp: ListQuery = parse(json!({"offset": "1e2"}));
    assert_eq!(exp.offset, 100);
    let null: ListQuery = parse(json!({"offset": null, "limit": null, "asc": null}));
    assert_eq!(null, ListQuery::default());

    for bad in [
        json!("-1"),
        json!(-1),
        json!("01"),
        json!(" 1"),
        json!("1.5"),
        json!("x"),
    ] {
        parse_err::<ListQuery>(json!({ "offset": bad }));
    }
    parse_err::<ListQuery>(json!({"offset": "18446744073709551616"}));
}

#[test]
fn uint32_is_a_number_on_output_and_accepts_strings() {
    let q: ListQuery = parse(json!({"limit": "25", "asc": true}));
    assert_eq!(q.limit, 25);
    assert_eq!(out(&q), json!({"limit": 25, "asc": true}));
    parse_err::<ListQuery>(json!({"limit": 4294967296u64}));
}

#[test]
fn enums_by_name_number_and_unknown() {
    let q: OrganizationStateQuery = parse(json!({"state": "ORGANIZATION_STATE_INACTIVE"}));
    assert_eq!(q.state, OrganizationState::Inactive);
    let q: OrganizationStateQuery = parse(json!({"state": 1}));
    assert_eq!(q.state, OrganizationState::Active);
    assert_eq!(out(&q), json!({"state": "ORGANIZATION_STATE_ACTIVE"}));
    let q: OrganizationStateQuery = parse(json!({"state": null}));
    assert_eq!(q.state, OrganizationState::Unspecified);
    assert_eq!(out(&q), json!({}));

    let err = parse_err::<OrganizationStateQuery>(json!({"state": "ORGANIZATION_STATE_GONE"}));
    assert!(err.contains("ORGANIZATION_STATE_GONE"), "{err}");
    parse_err::<OrganizationStateQuery>(json!({"state": 9}));
    parse_err::<OrganizationStateQuery>(json!({"state": "active"}));

    assert_eq!(
        DomainValidationType::from_number(2),
        Some(DomainValidationType::Dns)
    );
    assert_eq!(
        TextFilterMethod::EndsWith.as_str_name(),
        "TEXT_FILTER_METHOD_ENDS_WITH"
    );
    assert_eq!(<Gender as ProtoEnum>::NAMES.len(), 4);
}

#[test]
fn unknown_request_fields_are_ignored_as_zitadel_does() {
    // connect-go and ZITADEL's gateway decode with DiscardUnknown, so an SDK built from a newer
    // proto keeps working; Castellan does the same.
    let request: UpdateOrganizationRequest =
        parse(json!({"organizationId": "1", "name": "n", "colour": "red"}));
    assert_eq!(request.name, "n");
    let request: ListOrganizationsRequest =
        parse(json!({"queries": [{"nameQuery": {"name": "x", "nme": "y"}}]}));
    assert_eq!(request.queries.len(), 1);
    // a known field of the wrong type is still an error
    parse_err::<UpdateOrganizationRequest>(json!({"organizationId": 1.5, "name": "n"}));
}

#[test]
fn snake_case_names_are_accepted_camel_case_is_emitted() {
    let r: UpdateOrganizationRequest = parse(json!({"organization_id": "7", "name": "Acme"}));
    assert_eq!(r.organization_id, "7");
    assert_eq!(out(&r), json!({"organizationId": "7", "name": "Acme"}));

    let r: ListOrganizationsRequest = parse(json!({
        "sorting_column": "ORGANIZATION_FIELD_NAME_CREATION_DATE",
        "queries": [{"id_query": {"id": "1"}}, {"default_query": {}}]
    }));
    assert_eq!(r.sorting_column, OrganizationFieldName::CreationDate);
    assert_eq!(
        out(&r),
        json!({
            "sortingColumn": "ORGANIZATION_FIELD_NAME_CREATION_DATE",
            "queries": [{"idQuery": {"id": "1"}}, {"defaultQuery": {}}]
        })
    );
    // the same field twice (both spellings) is an error, as in protojson
    parse_err::<UpdateOrganizationRequest>(json!({"organization_id": "7", "organizationId": "8"}));
}

#[test]
fn full_list_organizations_request() {
    let body = json!({
        "query": {"offset": "10", "limit": 20, "asc": true},
        "sortingColumn": "ORGANIZATION_FIELD_NAME_NAME",
        "queries": [
            {"nameQuery": {"name": "ACME", "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}},
            {"domainQuery": {"domain": "acme.com", "method": 0}},
            {"stateQuery": {"state": "ORGANIZATION_STATE_ACTIVE"}},
            {"idQuery": {"id": "69629023906488334"}},
            {"defaultQuery": {}}
        ]
    });
    let r: ListOrganizationsRequest = parse(body);
    assert_eq!(
        r.query,
        Some(ListQuery {
            offset: 10,
            limit: 20,
            asc: true
        })
    );
    assert_eq!(r.sorting_column, OrganizationFieldName::Name);
    assert_eq!(r.queries.len(), 5);
    r.validate_oneofs().unwrap();
    match r.queries[0].query().unwrap() {
        Some(SearchQueryKind::Name(q)) => {
            assert_eq!(q.name, "ACME");
            assert_eq!(q.method, TextQueryMethod::ContainsIgnoreCase);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        r.queries[1].query(),
        Ok(Some(SearchQueryKind::Domain(_)))
    ));
    assert!(matches!(
        r.queries[4].query(),
        Ok(Some(SearchQueryKind::Default(_)))
    ));
    // output: int64 as string, the zero enum value omitted
    let o = out(&r);
    assert_eq!(
        o["query"],
        json!({"offset": "10", "limit": 20, "asc": true})
    );
    assert_eq!(
        o["queries"][1],
        json!({"domainQuery": {"domain": "acme.com"}})
    );

    let empty: ListOrganizationsRequest = parse(json!({}));
    assert_eq!(empty, ListOrganizationsRequest::default());
}

#[test]
fn oneof_conflicts_are_reported() {
    let q: SearchQuery = parse(json!({"nameQuery": {"name": "a"}, "idQuery": {"id": "1"}}));
    let err = q.validate_oneofs().unwrap_err();
    assert_eq!(err.members, vec!["nameQuery", "idQuery"]);
    assert_eq!(err.message, "zitadel.org.v2.SearchQuery");

    let r: AddOrganizationRequest = parse(json!({
        "name": "Acme",
        "admins": [{"userId": "1", "human": {"profile": {"givenName": "A", "familyName": "B"}}}]
    }));
    assert_eq!(r.validate_oneofs().unwrap_err().oneof, "user_type");

    let r: AddOrganizationRequest = parse(json!({
        "name": "Acme",
        "admins": [{"human": {"email": {"email": "a@b.c", "isVerified": true, "returnCode": {}}}}]
    }));
    assert_eq!(r.validate_oneofs().unwrap_err().oneof, "verification");

    let r: AddOrganizationRequest = parse(json!({
        "name": "Acme",
        "admins": [{"human": {"password": {"password": "x"}, "hashedPassword": {"hash": "$2a$"}}}]
    }));
    assert_eq!(r.validate_oneofs().unwrap_err().oneof, "password_type");
}

#[test]
fn add_organization_with_human_admin() {
    let r: AddOrganizationRequest = parse(json!({
        "name": "Acme",
        "organizationId": "acme-1",
        "org_id": "legacy",
        "admins": [
            {"userId": "42", "roles": ["ORG_OWNER", "ORG_USER_MANAGER"]},
            {"human": {
                "username": "minnie",
                "organization": {"orgDomain": "acme.com"},
                "profile": {"givenName": "Minnie", "familyName": "Mouse", "gender": "GENDER_FEMALE"},
                "email": {"email": "mini@mouse.com", "sendCode": {"urlTemplate": "https://x/{{.Code}}"}},
                "phone": {"phone": "+41791234567", "is_verified": true},
                "metadata": [{"key": "k", "value": "dmFsdWU="}],
                "password": {"password": "Secr3t!", "changeRequired": true},
                "idpLinks": [{"idpId": "i", "userId": "u", "userName": "n"}],
                "totpSecret": "TJOPWSDYILLHXFV4MLKNNJOWFG7VSDCK"
            }}
        ]
    }));
    r.validate_oneofs().unwrap();
    assert_eq!(r.requested_organization_id(), Some("acme-1"));
    let admin = &r.admins[1];
    let Ok(Some(AdminUserType::Human(h))) = admin.user_type() else {
        panic!("not human")
    };
    assert_eq!(h.metadata[0].value, b"value");
    assert!(matches!(h.password_type(), Ok(Some(PasswordType::Password(p))) if p.change_required));
    assert_eq!(
        h.profile.as_ref().and_then(|p| p.gender),
        Some(Gender::Female)
    );
    assert!(matches!(
        h.email.as_ref().map(SetHumanEmail::verification),
        Some(Ok(Some(EmailVerification::SendCode(_))))
    ));
    assert!(!format!("{h:?}").contains("Secr3t"));
    assert!(!format!("{h:?}").contains("TJOPWSDY"));
    // round trip
    let again: AddOrganizationRequest = parse(out(&r));
    assert_eq!(again, r);

    let resp = AddOrganizationResponse {
        details: Some(Details {
            sequence: 3,
            change_date: Some(ProtoTimestamp::from_micros(1_704_164_645_123_000)),
            resource_owner: "inst".into(),
        }),
        organization_id: "acme-1".into(),
        created_admins: vec![CreatedAdmin {
            user_id: "43".into(),
            email_code: Some(String::new()),
            phone_code: None,
        }],
    };
    assert_eq!(
        out(&resp),
        json!({
            "details": {"sequence": "3", "changeDate": "2024-01-02T03:04:05.123Z", "resourceOwner": "inst"},
            "organizationId": "acme-1",
            "createdAdmins": [{"userId": "43", "emailCode": ""}]
        })
    );
}

#[test]
fn defaults_are_omitted_on_output() {
    assert_eq!(out(&AddOrganizationResponse::default()), json!({}));
    assert_eq!(out(&ListOrganizationsResponse::default()), json!({}));
    assert_eq!(out(&Domain::default()), json!({}));
    let org = Organization {
        id: "1".into(),
        state: OrganizationState::Active,
        ..Default::default()
    };
    assert_eq!(
        out(&org),
        json!({"id": "1", "state": "ORGANIZATION_STATE_ACTIVE"})
    );
    let p = SetHumanProfile {
        gender: Some(Gender::Unspecified),
        ..Default::default()
    };
    assert_eq!(out(&p), json!({"gender": "GENDER_UNSPECIFIED"}));
}

#[test]
fn bytes_are_base64() {
    for encoded in ["aGk/Pz8+", "aGk_Pz8-", "aGk/Pz8+", "aGk", "aGk=", "aGk"] {
        let m: Metadata = parse(json!({"key": "k", "value": encoded}));
        assert!(m.value.starts_with(b"hi"), "{encoded}");
    }
    let m = Metadata {
        key: "k".into(),
        value: b"hi".to_vec(),
    };
    assert_eq!(out(&m), json!({"key": "k", "value": "aGk="}));
    parse_err::<Metadata>(json!({"key": "k", "value": "not base64!"}));
    let m: Metadata = parse(json!({"key": "k", "value": null}));
    assert!(m.value.is_empty());
}

#[test]
fn domain_and_metadata_messages() {
    let r: GenerateOrganizationDomainValidationRequest = parse(json!({
        "organizationId": "1", "domain": "acme.com", "type": "DOMAIN_VALIDATION_TYPE_DNS"
    }));
    assert_eq!(r.r#type, DomainValidationType::Dns);
    assert_eq!(out(&r)["type"], json!("DOMAIN_VALIDATION_TYPE_DNS"));

    let r: ListOrganizationDomainsRequest = parse(json!({
        "organizationId": "1",
        "pagination": {"offset": 0, "limit": 10},
        "filters": [{"domainFilter": {"domain": "acme", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}}],
        "sortingColumn": "DOMAIN_FIELD_NAME_CREATION_DATE"
    }));
    r.validate_oneofs().unwrap();
    assert_eq!(
        r.filters[0].filter().unwrap().map(|f| f.method),
        Some(TextQueryMethod::StartsWith)
    );

    let r: ListOrganizationMetadataRequest = parse(json!({
        "organizationId": "1",
        "filters": [{"keyFilter": {"key": "k", "method": "TEXT_FILTER_METHOD_EQUALS_IGNORE_CASE"}}]
    }));
    r.validate_oneofs().unwrap();

    let resp = ListOrganizationMetadataResponse {
        pagination: Some(PaginationResponse {
            total_result: 1,
            applied_limit: 100,
        }),
        metadata: vec![MetadataEntry {
            creation_date: Some(ProtoTimestamp::from_micros(0)),
            change_date: None,
            key: "k".into(),
            value: b"v".to_vec(),
        }],
    };
    assert_eq!(
        out(&resp),
        json!({
            "pagination": {"totalResult": "1", "appliedLimit": "100"},
            "metadata": [{"creationDate": "1970-01-01T00:00:00Z", "key": "k", "value": "dg=="}]
        })
    );
    let r: DeleteOrganizationMetadataRequest =
        parse(json!({"organizationId": "1", "keys": ["a", "b"]}));
    assert_eq!(r.keys, ["a", "b"]);
    parse_err::<DeleteOrganizationMetadataRequest>(json!({"keys": ["a", null]}));
}
