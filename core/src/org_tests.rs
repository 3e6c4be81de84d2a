use super::*;
use crate::clock::Timestamp;
use crate::event::Position;

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(0),
        resource_owner: "o".into(),
        position: Position(1),
    }
}

fn replay(decisions: &[&Decision<OrgEvent>]) -> Org {
    let mut org = Org::default();
    for decision in decisions {
        for event in &decision.events {
            org.apply(event, &meta());
        }
    }
    org
}

#[test]
fn add_generates_a_verified_primary_domain_and_claims_name_and_domain() {
    let decision = add(&Org::default(), "  ACME Corp ", "localhost", &[]).unwrap();
    let org = replay(&[&decision]);
    assert_eq!(org.name, "ACME Corp");
    assert_eq!(org.state, OrgState::Active);
    assert_eq!(org.primary_domain(), Some("acme-corp.localhost"));
    assert!(org.domains["acme-corp.localhost"].verified);
    let claimed: Vec<_> = decision.claims.iter().map(|u| u.unique_type).collect();
    assert_eq!(claimed, vec![UNIQUE_ORG_NAME, UNIQUE_ORG_DOMAIN]);
}

#[test]
fn names_are_validated() {
    assert_eq!(validate_name("   ").unwrap_err().code, "ORG-0002");
    assert_eq!(
        validate_name(&"x".repeat(201)).unwrap_err().code,
        "ORG-0003"
    );
    assert!(validate_name(&"x".repeat(200)).is_ok());
}

#[test]
fn generated_domains_are_dns_labels() {
    assert_eq!(
        generated_domain("Über  Org!", "example.com"),
        "ber-org.example.com"
    );
    assert_eq!(generated_domain("!!!", "example.com"), "org.example.com");
    assert!(validate_domain(&generated_domain(&"a".repeat(200), "x.io")).is_ok());
}

#[test]
fn lifecycle_rules() {
    let added = add(&Org::default(), "acme", "localhost", &[]).unwrap();
    let org = replay(&[&added]);
    assert_eq!(
        activate(&org).unwrap_err().kind,
        crate::ErrorKind::FailedPrecondition
    );
    let deactivated = deactivate(&org).unwrap();
    let org = replay(&[&added, &deactivated]);
    assert_eq!(org.state, OrgState::Inactive);
    assert!(deactivate(&org).is_err());
    assert!(activate(&org).is_ok());
    assert_eq!(remove(&org, true).unwrap_err().code, "ORG-0009");
    let removed = remove(&org, false).unwrap();
    assert_eq!(removed.releases.len(), 2);
    let org = replay(&[&added, &deactivated, &removed]);
    assert_eq!(
        rename(&org, "x").unwrap_err().kind,
        crate::ErrorKind::NotFound
    );
}

#[test]
fn renaming_to_a_different_case_keeps_the_claim() {
    let added = add(&Org::default(), "acme", "localhost", &[]).unwrap();
    let org = replay(&[&added]);
    let same_name = rename(&org, "ACME").unwrap();
    assert!(same_name.claims.is_empty() && same_name.releases.is_empty());
    let other = rename(&org, "Globex").unwrap();
    assert_eq!(other.claims.len(), 1);
    assert_eq!(other.releases.len(), 1);
    assert_eq!(rename(&org, "acme").unwrap_err().code, "ORG-0006");
}

#[test]
fn domains_without_validation_are_verified_at_once() {
    let added = add(&Org::default(), "acme", "localhost", &[]).unwrap();
    let org = replay(&[&added]);
    let with_domain = add_domain(&org, "Acme.COM", false).unwrap();
    let org2 = replay(&[&added, &with_domain]);
    assert!(org2.domains["acme.com"].verified);
    assert_eq!(
        add_domain(&org2, "acme.com", false).unwrap_err().kind,
        crate::ErrorKind::AlreadyExists
    );
    assert_eq!(
        add_domain(&org2, "bad_domain", false).unwrap_err().code,
        "ORG-0004"
    );
    assert_eq!(
        remove_domain(&org2, "acme-corp.localhost")
            .unwrap_err()
            .code,
        "ORG-0011"
    );
    assert_eq!(
        remove_domain(&org2, "acme.localhost").unwrap_err().code,
        "ORG-0012"
    );
    let removed = remove_domain(&org2, "acme.com").unwrap();
    assert_eq!(removed.releases.len(), 1);
}

#[test]
fn domain_validation_flow() {
    let added = add(&Org::default(), "acme", "localhost", &[]).unwrap();
    let pending = add_domain(&replay(&[&added]), "acme.com", true).unwrap();
    let org = replay(&[&added, &pending]);
    assert!(!org.domains["acme.com"].verified);
    assert_eq!(
        pending_validation(&org, "acme.com").unwrap_err().code,
        "ORG-0014"
    );
    let generated =
        generate_domain_validation(&org, "acme.com", DomainValidationType::Http, "tok".into())
            .unwrap();
    let org = replay(&[&added, &pending, &generated]);
    let (domain, kind, token) = pending_validation(&org, "acme.com").unwrap();
    assert_eq!(
        (domain.as_str(), kind, token.as_str()),
        ("acme.com", DomainValidationType::Http, "tok")
    );
    let verified = record_domain_check("acme.com", true);
    assert_eq!(verified.claims.len(), 1);
    let org = replay(&[&added, &pending, &generated, &verified]);
    assert!(org.domains["acme.com"].verified);
}

#[test]
fn metadata_rules() {
    let added = add(&Org::default(), "acme", "localhost", &[]).unwrap();
    let org = replay(&[&added]);
    assert_eq!(set_metadata(&org, &[]).unwrap_err().code, "ORG-0015");
    assert_eq!(
        set_metadata(&org, &[(" ".into(), "dg==".into())])
            .unwrap_err()
            .code,
        "ORG-0016"
    );
    let set = set_metadata(&org, &[("k".into(), "dg==".into())]).unwrap();
    let org = replay(&[&added, &set]);
    assert_eq!(
        set_metadata(&org, &[("k".into(), "dg==".into())])
            .unwrap_err()
            .code,
        "ORG-0018"
    );
    assert_eq!(
        remove_metadata(&org, &["nope".into()]).unwrap_err().kind,
        crate::ErrorKind::NotFound
    );
    assert!(remove_metadata(&org, &["k".into()]).is_ok());
}
