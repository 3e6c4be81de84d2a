//! The codec: every variant of every event enum round-trips through Confluent's wire format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use castellan_core::administrator::AdministratorEvent;
use castellan_core::authorization::AuthorizationEvent;
use castellan_core::event::{self, EventPayload};
use castellan_core::group::GroupEvent;
use castellan_core::instance::InstanceEvent;
use castellan_core::oidc::auth_request::AuthRequestEvent;
use castellan_core::oidc::device::DeviceEvent;
use castellan_core::oidc::grant::GrantEvent;
use castellan_core::org::OrgEvent;
use castellan_core::project::ProjectEvent;
use castellan_core::scim_target::ScimTargetEvent;
use castellan_core::session::SessionEvent;
use castellan_core::settings::SettingsEvent;
use castellan_core::sink::SinkEvent;
use castellan_core::user::UserEvent;
use castellan_core::web_key::WebKeyEvent;
use castellan_schemas::apache_avro::Schema;
use castellan_schemas::catalog::{EventSchema, SchemaFile};
use castellan_schemas::{AvroError, catalog, codec};
use serde_json::json;

use common::*;

/// Encodes with id 7 and decodes with the current schema of the record.
fn round_trip(event: &castellan_core::Event) -> castellan_core::Event {
    let bytes = codec::encode(event, 7).unwrap();
    let schema = catalog::event_schema(&event.aggregate_type, &event.event_type).unwrap();
    codec::decode(&bytes, |id| (id == 7).then_some(schema.schema())).unwrap()
}

#[test]
fn every_sample_round_trips_to_the_same_event_and_payload_json() {
    let samples = all_samples();
    assert!(samples.len() >= 22);
    for (event, record) in &samples {
        let schema = catalog::event_schema(&event.aggregate_type, &event.event_type).unwrap();
        assert_eq!(schema.record_name(), *record, "{}", event.event_type);
        let back = round_trip(event);
        assert_eq!(&back, event, "{}", event.event_type);
        assert_eq!(back.payload, event.payload, "{}", event.event_type);
    }
}

#[test]
fn decoded_events_decode_to_the_same_typed_values() {
    for sample in org_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<OrgEvent>(&back).unwrap(), sample);
    }
    for sample in user_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<UserEvent>(&back).unwrap(), sample);
    }
    for sample in instance_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<InstanceEvent>(&back).unwrap(), sample);
    }
    for sample in project_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<ProjectEvent>(&back).unwrap(), sample);
    }
    for sample in authorization_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<AuthorizationEvent>(&back).unwrap(), sample);
    }
    for sample in group_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<GroupEvent>(&back).unwrap(), sample);
    }
    for sample in scim_target_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<ScimTargetEvent>(&back).unwrap(), sample);
    }
    for sample in sink_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<SinkEvent>(&back).unwrap(), sample);
    }
    for sample in administrator_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<AdministratorEvent>(&back).unwrap(), sample);
    }
    for sample in session_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<SessionEvent>(&back).unwrap(), sample);
    }
    for sample in auth_request_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<AuthRequestEvent>(&back).unwrap(), sample);
    }
    for sample in grant_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<GrantEvent>(&back).unwrap(), sample);
    }
    for sample in device_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<DeviceEvent>(&back).unwrap(), sample);
    }
    for sample in web_key_samples() {
        let back = round_trip(&stored(&sample, 3));
        assert_eq!(event::decode::<WebKeyEvent>(&back).unwrap(), sample);
    }
}

fn check_coverage<E: EventPayload>(sample_types: BTreeSet<String>) {
    let aggregate = E::AGGREGATE_TYPE;
    let variants: BTreeSet<String> = serde_event_types::<E>().into_iter().collect();
    assert!(!variants.is_empty());
    assert_eq!(
        variants, sample_types,
        "every {aggregate} variant needs a sample in tests/common/"
    );
    let schemas: BTreeSet<String> = catalog::current()
        .unwrap()
        .iter()
        .filter(|s| s.aggregate_type() == aggregate)
        .map(|s| s.event_type().to_owned())
        .collect();
    assert_eq!(
        variants, schemas,
        "every {aggregate} variant needs schemas/avro/{aggregate}/<event type>.avsc, and every schema a variant"
    );
}

fn types<E: EventPayload>(samples: &[E]) -> BTreeSet<String> {
    samples
        .iter()
        .map(|s| event::encode(s).unwrap().event_type)
        .collect()
}

#[test]
fn every_variant_has_a_sample_and_a_schema_and_every_schema_a_variant() {
    check_coverage::<OrgEvent>(types(&org_samples()));
    check_coverage::<UserEvent>(types(&user_samples()));
    check_coverage::<InstanceEvent>(types(&instance_samples()));
    check_coverage::<SettingsEvent>(types(&settings_samples()));
    check_coverage::<ProjectEvent>(types(&project_samples()));
    check_coverage::<AuthorizationEvent>(types(&authorization_samples()));
    check_coverage::<AdministratorEvent>(types(&administrator_samples()));
    check_coverage::<GroupEvent>(types(&group_samples()));
    check_coverage::<SinkEvent>(types(&sink_samples()));
    check_coverage::<ScimTargetEvent>(types(&scim_target_samples()));
    check_coverage::<SessionEvent>(types(&session_samples()));
    check_coverage::<AuthRequestEvent>(types(&auth_request_samples()));
    check_coverage::<GrantEvent>(types(&grant_samples()));
    check_coverage::<DeviceEvent>(types(&device_samples()));
    check_coverage::<WebKeyEvent>(types(&web_key_samples()));
    let aggregates: BTreeSet<&str> = catalog::current()
        .unwrap()
        .iter()
        .map(|s| s.aggregate_type())
        .collect();
    assert_eq!(
        aggregates,
        BTreeSet::from([
            "administrator",
            "auth_request",
            "authorization",
            "device_authorization",
            "group",
            "instance",
            "oidc_session",
            "org",
            "project",
            "scim_target",
            "session",
            "settings",
            "sink",
            "user",
            "web_key"
        ]),
        "a schema of an aggregate without tests"
    );
}

#[test]
fn the_wire_format_is_magic_byte_big_endian_id_then_the_datum() {
    let event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    let bytes = codec::encode(&event, 0x0102_0304).unwrap();
    assert_eq!(&bytes[..5], &[0, 1, 2, 3, 4]);
    assert_eq!(codec::schema_id(&bytes).unwrap(), 0x0102_0304);
    // The datum starts with the first envelope field, instance_id: zig-zag length 6, then "inst-1".
    assert_eq!(&bytes[5..12], b"\x0cinst-1");
}

#[test]
fn an_unknown_event_type_is_a_typed_error() {
    let mut event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    event.event_type = "org.exploded".into();
    match codec::encode(&event, 1) {
        Err(AvroError::UnknownEventType {
            aggregate_type,
            event_type,
        }) => {
            assert_eq!(
                (aggregate_type.as_str(), event_type.as_str()),
                ("org", "org.exploded")
            );
        }
        other => panic!("{other:?}"),
    }
    // An event type of another aggregate is unknown too.
    let mut event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    event.aggregate_type = "user".into();
    assert!(matches!(
        codec::encode(&event, 1),
        Err(AvroError::UnknownEventType { .. })
    ));
}

#[test]
fn decoding_a_record_this_build_does_not_know_names_its_event_type() {
    // A newer producer's event type, org.exploded: a record this build has no schema for.
    let source = catalog::event_schema("org", "org.added")
        .unwrap()
        .source()
        .replace("\"name\": \"Added\"", "\"name\": \"Exploded\"");
    let newer = EventSchema::parse(&SchemaFile {
        release: None,
        path: "org/org.exploded.avsc",
        source: Box::leak(source.into_boxed_str()),
    })
    .unwrap();
    let mut event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    event.event_type = "org.exploded".into();
    let bytes = codec::encode_with(&event, &newer, 9).unwrap();
    match codec::decode(&bytes, |_| Some(newer.schema())) {
        Err(AvroError::UnknownEventType {
            aggregate_type,
            event_type,
        }) => {
            assert_eq!(
                (aggregate_type.as_str(), event_type.as_str()),
                ("org", "org.exploded")
            );
        }
        other => panic!("{other:?}"),
    }
    // A schema that is not an event record at all.
    let string = Schema::parse_str(r#""string""#).unwrap();
    assert!(matches!(
        codec::decode(&bytes, |_| Some(&string)),
        Err(AvroError::NotAnEventSchema { schema_id: 9, .. })
    ));
    // A record that is not an event (no envelope).
    let other = Schema::parse_str(r#"{"type": "record", "name": "x.Y", "fields": []}"#).unwrap();
    assert!(matches!(
        codec::decode(&bytes, |_| Some(&other)),
        Err(AvroError::NotAnEventSchema { .. })
    ));
}

#[test]
fn framing_errors_are_typed() {
    let event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    let bytes = codec::encode(&event, 5).unwrap();
    let schema = catalog::event_schema("org", "org.added").unwrap().schema();
    let lookup = |id: u32| (id == 5).then_some(schema);
    assert!(matches!(
        codec::decode(&[], lookup),
        Err(AvroError::Framing(_))
    ));
    assert!(matches!(
        codec::decode(&[0, 0, 0], lookup),
        Err(AvroError::Framing(_))
    ));
    let mut bad_magic = bytes.clone();
    bad_magic[0] = 1;
    assert!(matches!(
        codec::decode(&bad_magic, lookup),
        Err(AvroError::Framing(_))
    ));
    let mut other_id = bytes.clone();
    other_id[4] = 6;
    assert!(matches!(
        codec::decode(&other_id, lookup),
        Err(AvroError::UnknownSchemaId(6))
    ));
    assert!(matches!(
        codec::decode(&bytes, |_| None),
        Err(AvroError::UnknownSchemaId(5))
    ));
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(&[1, 2]);
    assert!(matches!(
        codec::decode(&trailing, lookup),
        Err(AvroError::TrailingBytes(2))
    ));
    let truncated = &bytes[..bytes.len() - 2];
    assert!(matches!(
        codec::decode(truncated, lookup),
        Err(AvroError::Avro(_))
    ));
}

#[test]
fn payloads_that_do_not_fit_the_schema_are_rejected_with_the_field_path() {
    let base = stored(
        &OrgEvent::MemberAdded {
            user_id: "u".into(),
            roles: vec![],
        },
        1,
    );
    let cases = [
        (json!({ "user_id": "u" }), "payload.roles"),
        (
            json!({ "user_id": "u", "roles": [], "extra": 1 }),
            "payload.extra",
        ),
        (json!({ "user_id": 1, "roles": [] }), "payload.user_id"),
        (
            json!({ "user_id": "u", "roles": ["a", 2] }),
            "payload.roles[1]",
        ),
        (json!("not an object"), "payload"),
    ];
    for (payload, expected_path) in cases {
        let mut event = base.clone();
        event.payload = payload.clone();
        match codec::encode(&event, 1) {
            Err(AvroError::Mismatch { record, path, .. }) => {
                assert_eq!(record, "castellan.events.org.MemberAdded");
                assert_eq!(path, expected_path, "{payload}");
            }
            other => panic!("{payload}: {other:?}"),
        }
    }
    let mut event = stored(
        &OrgEvent::DomainVerificationAdded {
            domain: "d".into(),
            validation_type: castellan_core::org::DomainValidationType::Dns,
            token: "t".into(),
        },
        1,
    );
    event.payload["validation_type"] = json!("Smtp");
    assert!(
        matches!(codec::encode(&event, 1), Err(AvroError::Mismatch { path, .. }) if path == "payload.validation_type")
    );
    // revision is an Avro int: an i16 always fits; sequence and position are longs.
    let mut event = stored(&OrgEvent::Deactivated {}, 1);
    event.sequence = i64::MAX;
    event.position = castellan_core::Position(i64::MIN);
    event.created_at = castellan_core::clock::Timestamp(-1);
    event.revision = i16::MIN;
    assert_eq!(round_trip(&event), event);
}

#[test]
fn serde_defaults_are_avro_defaults() {
    // Older ledger JSON without the profile's optional fields or the optional password hash.
    let mut event = stored(&user_samples()[1], 1);
    event.payload = json!({
        "username": "grace",
        "profile": { "given_name": "Grace", "family_name": "Hopper" },
        "email": "grace@example.com",
        "email_verified": false,
        "password_change_required": true,
    });
    let back = round_trip(&event);
    assert_eq!(back.payload["profile"]["display_name"], json!(""));
    assert_eq!(back.payload["password_hash"], json!(null));
    assert_eq!(
        event::decode::<UserEvent>(&back).unwrap(),
        event::decode::<UserEvent>(&event).unwrap()
    );
}

#[test]
fn serde_defaults_of_the_oidc_payloads_are_avro_defaults() {
    // Ledger JSON that leaves out every field serde defaults.
    let mut request = stored(&auth_request_samples()[1], 1);
    request.payload = json!({
        "params": {
            "client_id": "a-2@shop",
            "redirect_uri": "https://spa.test/cb",
            "scopes": [],
            "response_type": "id_token token",
            "response_mode": "fragment",
        },
        "expires_at": 1,
    });
    let back = round_trip(&request);
    assert_eq!(back.payload["params"]["prompt"], json!([]));
    assert_eq!(back.payload["params"]["code_challenge"], json!(null));
    assert_eq!(
        event::decode::<AuthRequestEvent>(&back).unwrap(),
        auth_request_samples()[1]
    );

    let mut grant = stored(&grant_samples()[1], 1);
    grant.payload = json!({
        "grant": {
            "user_id": "u-robot",
            "org_id": "o-1",
            "client_id": "robot",
            "grant_type": "client_credentials",
            "scopes": [],
            "audience": [],
        },
    });
    let back = round_trip(&grant);
    assert_eq!(back.payload["grant"]["amr"], json!([]));
    assert_eq!(back.payload["grant"]["actor"], json!(null));
    assert_eq!(
        event::decode::<GrantEvent>(&back).unwrap(),
        grant_samples()[1]
    );
}

#[test]
fn a_web_key_carries_its_jwk_as_json_text_and_its_algorithm_as_a_union_branch() {
    use castellan_core::web_key::WebKeyAlgorithm;
    use castellan_schemas::apache_avro::reader::datum::GenericDatumReader;
    use castellan_schemas::apache_avro::types::Value as Avro;

    let schema = catalog::event_schema("web_key", "web_key.added")
        .unwrap()
        .schema();
    let mut branches = BTreeSet::new();
    for sample in web_key_samples() {
        let WebKeyEvent::Added {
            algorithm,
            public_jwk,
            ..
        } = &sample
        else {
            continue;
        };
        let bytes = codec::encode(&stored(&sample, 1), 7).unwrap();
        // What a consumer with the schema reads.
        let datum = GenericDatumReader::builder(schema)
            .build()
            .unwrap()
            .read_value(&mut &bytes[5..])
            .unwrap();
        let Avro::Record(fields) = datum else {
            panic!("{datum:?}")
        };
        let Some((_, Avro::Record(payload))) = fields.last() else {
            panic!("{fields:?}")
        };
        let field = |name: &str| &payload.iter().find(|(n, _)| n == name).unwrap().1;
        let Avro::String(text) = field("public_jwk") else {
            panic!("{payload:?}")
        };
        assert_eq!(
            &serde_json::from_str::<serde_json::Value>(text).unwrap(),
            public_jwk
        );
        let expected = match algorithm {
            WebKeyAlgorithm::Rsa { .. } => 0,
            WebKeyAlgorithm::Ecdsa { .. } => 1,
            WebKeyAlgorithm::Ed25519 => 2,
        };
        let Avro::Union(branch, _) = field("algorithm") else {
            panic!("{payload:?}")
        };
        assert_eq!(*branch, expected);
        branches.insert(expected);
    }
    assert_eq!(branches.len(), 3, "a sample of every algorithm");

    // A tag serde does not write fits no branch.
    let mut event = stored(&web_key_samples()[2], 1);
    event.payload["algorithm"] = json!({ "kind": "dsa" });
    assert!(
        matches!(codec::encode(&event, 1), Err(AvroError::Mismatch { path, .. }) if path == "payload.algorithm")
    );
}

#[test]
fn a_null_payload_is_an_empty_payload_record() {
    let mut event = stored(&OrgEvent::Reactivated {}, 1);
    assert_eq!(event.payload, json!({}));
    event.payload = serde_json::Value::Null;
    assert_eq!(round_trip(&event).payload, json!({}));
}

#[test]
fn encoding_with_a_schema_of_another_event_type_is_refused() {
    let event = stored(
        &OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    let other = catalog::event_schema("org", "org.changed").unwrap();
    assert!(matches!(
        codec::encode_with(&event, other, 1),
        Err(AvroError::EventTypeMismatch { .. })
    ));
}
