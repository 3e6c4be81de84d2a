use super::*;
use crate::Position;
use crate::clock::Timestamp;

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(1),
        resource_owner: "org-1".into(),
        position: Position(1),
    }
}

fn spec() -> TargetSpec {
    TargetSpec {
        name: " Downstream app ".into(),
        settings: TargetSettings {
            base_url: "https://app.example.com/scim/v2/".into(),
            ..TargetSettings::default()
        },
        mapping: vec![AttributeMapping {
            target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".into(),
            source: "metadata.department".into(),
        }],
        filter: TargetFilter::default(),
    }
}

fn applied(events: &[ScimTargetEvent]) -> ScimTarget {
    let mut target = ScimTarget::default();
    for event in events {
        target.apply(event, &meta());
    }
    target
}

#[test]
fn a_target_needs_a_secret_and_an_http_url_and_is_owned_by_its_org() {
    assert_eq!(
        add(&ScimTarget::default(), &spec(), "").unwrap_err().code,
        "SCIMT-0003"
    );
    let mut bad = spec();
    bad.settings.base_url = "ftp://app".into();
    assert_eq!(
        add(&ScimTarget::default(), &bad, "v1.a.b")
            .unwrap_err()
            .code,
        "SCIMT-0018"
    );
    let target = applied(
        &add(&ScimTarget::default(), &spec(), "v1.a.b")
            .unwrap()
            .events,
    );
    assert!(target.exists());
    assert_eq!(target.name, "Downstream app");
    assert_eq!(target.org_id, "org-1");
    assert_eq!(
        target.settings.base_url, "https://app.example.com/scim/v2",
        "no trailing slash"
    );
    assert!(target.require_in("org-1").is_ok());
    assert_eq!(target.require_in("org-2").unwrap_err().code, "SCIMT-0001");
}

#[test]
fn client_credentials_need_a_token_url_and_a_client_id() {
    let mut cc = spec();
    cc.settings.auth = AuthKind::ClientCredentials;
    assert_eq!(
        add(&ScimTarget::default(), &cc, "v1.a.b").unwrap_err().code,
        "SCIMT-0018"
    );
    cc.settings.token_url = "https://idp.example.com/oauth/v2/token".into();
    assert_eq!(
        add(&ScimTarget::default(), &cc, "v1.a.b").unwrap_err().code,
        "SCIMT-0013"
    );
    cc.settings.client_id = "scim-pusher".into();
    assert!(add(&ScimTarget::default(), &cc, "v1.a.b").is_ok());
}

#[test]
fn mappings_name_a_scim_path_and_a_known_source_and_may_not_touch_reserved_attributes() {
    let with = |target: &str, source: &str| {
        let mut s = spec();
        s.mapping = vec![AttributeMapping {
            target: target.into(),
            source: source.into(),
        }];
        add(&ScimTarget::default(), &s, "v1.a.b").map(|_| ())
    };
    assert!(with("title", "metadata.title").is_ok());
    assert!(with("name.givenName", "givenName").is_ok());
    assert_eq!(with("externalId", "id").unwrap_err().code, "SCIMT-0020");
    assert_eq!(with("active", "id").unwrap_err().code, "SCIMT-0020");
    assert_eq!(with("a.b.c", "id").unwrap_err().code, "SCIMT-0019");
    assert_eq!(
        with("emails[type eq \"work\"].value", "email")
            .unwrap_err()
            .code,
        "SCIMT-0019"
    );
    assert_eq!(with("title", "password").unwrap_err().code, "SCIMT-0021");
    assert_eq!(with("title", "metadata.").unwrap_err().code, "SCIMT-0021");
}

#[test]
fn a_change_that_changes_nothing_decides_nothing_and_a_new_secret_is_its_own_event() {
    let target = applied(
        &add(&ScimTarget::default(), &spec(), "v1.a.b")
            .unwrap()
            .events,
    );
    assert!(
        change(&target, "org-1", &spec(), None)
            .unwrap()
            .events
            .is_empty()
    );
    let decision = change(&target, "org-1", &spec(), Some("v1.c.d")).unwrap();
    assert_eq!(
        decision.events,
        vec![ScimTargetEvent::SecretChanged {
            sealed_secret: "v1.c.d".into()
        }]
    );
    assert_eq!(
        change(&target, "org-2", &spec(), None).unwrap_err().code,
        "SCIMT-0001",
        "another org's target is not found"
    );
}

#[test]
fn dead_letters_are_recorded_once_resolved_by_replay_or_by_a_reconcile_run() {
    let mut target = applied(
        &add(&ScimTarget::default(), &spec(), "v1.a.b")
            .unwrap()
            .events,
    );
    let letter = DeadLetter {
        position: 7,
        resource_type: USER.into(),
        resource_id: "u-1".into(),
        error: "HTTP 500".into(),
    };
    let recorded = record_failure(&target, &letter);
    assert_eq!(recorded.events.len(), 1);
    for event in &recorded.events {
        target.apply(event, &meta());
    }
    assert!(record_failure(&target, &letter).events.is_empty());
    assert_eq!(dead_letter(&target, "org-1", USER, "u-1").unwrap(), &letter);
    assert!(dead_letter(&target, "org-1", USER, "u-2").is_err());
    assert!(dead_letter(&target, "org-2", USER, "u-1").is_err());

    let counts = ReconcileCounts {
        updated: 1,
        ..ReconcileCounts::default()
    };
    let unrelated = reconciled(&target, "org-1", counts, &[(USER.into(), "u-2".into())]).unwrap();
    assert_eq!(unrelated.events.len(), 1, "only the run is recorded");
    let repaired = reconciled(&target, "org-1", counts, &[(USER.into(), "u-1".into())]).unwrap();
    assert_eq!(
        repaired.events.last(),
        Some(&ScimTargetEvent::DeadLetterResolved {
            resource_type: USER.into(),
            resource_id: "u-1".into()
        })
    );
    for event in &repaired.events {
        target.apply(event, &meta());
    }
    assert!(target.dead_letters.is_empty());
    assert_eq!(target.last_reconcile, Some(counts));
}
