//! Schema evolution: every current schema reads what the last released one wrote (BACKWARD), no
//! released event type disappears, released snapshots are frozen, and every schema file parses
//! and is documented.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use castellan_schemas::apache_avro::Schema;
use castellan_schemas::apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
use castellan_schemas::catalog::{self, EventSchema, SchemaFile};
use castellan_schemas::codec;
use serde_json::Value;

/// Release v1, pinned: (event type, fingerprint of the Parsing Canonical Form, FNV-1a of the file's
/// bytes). A released snapshot never changes, not even its docs: ids and old messages depend on
/// it. A new release is a new directory with its own list here.
const RELEASED_V1: &[(&str, u64, u64)] = &[
    ("instance.added", 0xe5eb0eb003a1eeea, 0x6cd986afc3e66ca6),
    (
        "instance.default.org.set",
        0x8aeed0b6c2efcc9a,
        0xda1c2a577e2141ed,
    ),
    (
        "instance.domain.added",
        0xfd0831424fd74087,
        0x56df72acbebb6592,
    ),
    (
        "instance.member.added",
        0x83991ba1a355f282,
        0x7e906e6a597e1f85,
    ),
    ("org.added", 0x936b7965e583aac7, 0x4773b02bd0b61bb8),
    ("org.changed", 0xa7199a5d38a9814e, 0xb412b2b81600607e),
    ("org.deactivated", 0xb8ab6b0413abbf02, 0x972ef9c4002a02cd),
    ("org.domain.added", 0xed8a80b5569b97f8, 0x5556a3961f90ca90),
    (
        "org.domain.primary.set",
        0x2da72cc1c9a8e065,
        0xfa83875258e11b0f,
    ),
    ("org.domain.removed", 0xb1f0c040ca288fd9, 0x92bfa6c966065704),
    (
        "org.domain.verification.added",
        0x389698ee4577060c,
        0xd5e1c4b4feee77bb,
    ),
    (
        "org.domain.verification.failed",
        0x3c78977bb576f249,
        0xbf55c18539670ab8,
    ),
    (
        "org.domain.verified",
        0x723cbe3d33b49001,
        0x5b8c7005299dd26c,
    ),
    ("org.member.added", 0x038ae8711e4c2c4f, 0xf660988a6dedd26c),
    (
        "org.metadata.removed",
        0x292637b6f6adf027,
        0x83ee16911c0a2d14,
    ),
    ("org.metadata.set", 0x70679bd4b9c2ae77, 0x99c499815c8cb216),
    ("org.reactivated", 0x123930696e0059b1, 0x9ac0f97f6349e2f8),
    ("org.removed", 0x82a1a49558a6e3ab, 0x14806f97c656ed03),
    ("user.human.added", 0x32ba0d3f2cecf072, 0x27bdd755411373c2),
    ("user.machine.added", 0x87ff4fe13f953dfb, 0xc8b32192cc427d56),
    (
        "user.personal.access.token.added",
        0xa1d4a3d0a92726a9,
        0x3a1241675212c7cb,
    ),
    (
        "user.personal.access.token.removed",
        0x74fd3be364e0d022,
        0xaba32926a0d69a93,
    ),
];

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn every_schema_file_parses_and_the_embedded_table_matches_the_directory() {
    let files = catalog::schema_files();
    for file in files {
        EventSchema::parse(file).unwrap_or_else(|e| panic!("{e}"));
    }
    let current = catalog::current().unwrap();
    let current_files = files.iter().filter(|f| f.release.is_none()).count();
    assert!(current_files > 22, "fewer schemas than release v1 had");
    assert_eq!(current.len(), current_files, "one current schema per file");
    assert!(!catalog::releases().unwrap().is_empty());

    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "avsc") {
                found.push(path.display().to_string());
            }
        }
    }
    let mut on_disk = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("avro"),
        &mut on_disk,
    );
    assert_eq!(
        on_disk.len(),
        files.len(),
        "build.rs did not embed every .avsc file"
    );
    for path in on_disk {
        let relative = path.split("/avro/").nth(1).unwrap();
        let embedded = files.iter().any(|f| match f.release {
            Some(release) => relative == format!("released/{release}/{}", f.path),
            None => relative == f.path,
        });
        assert!(embedded, "{relative} is not embedded");
    }
}

#[test]
fn current_schemas_read_everything_the_released_ones_wrote() {
    let current = catalog::current().unwrap();
    for release in catalog::releases().unwrap() {
        for released in release.schemas.iter() {
            let event_type = released.event_type();
            let reader = current.get(event_type).unwrap_or_else(|| {
                panic!(
                    "event type {event_type} of release {} disappeared",
                    release.name
                )
            });
            assert_eq!(
                reader.record_name(),
                released.record_name(),
                "{event_type} was renamed"
            );
            match SchemaCompatibility::can_read(released.schema(), reader.schema()) {
                Ok(Compatibility::Full) => {}
                other => panic!(
                    "{event_type}: the current schema cannot read data written with release {}: {other:?}",
                    release.name
                ),
            }
        }
    }
}

#[test]
fn released_data_decodes_with_the_current_schemas() {
    let last = catalog::releases().unwrap().last().unwrap();
    for (event, _) in common::all_samples() {
        // Event types added since the last release have no released data to read.
        let Some(released) = last.schemas.get(&event.event_type) else {
            continue;
        };
        let bytes = codec::encode_with(&event, released, 3).unwrap();
        let decoded = codec::decode(&bytes, |id| (id == 3).then_some(released.schema())).unwrap();
        assert_eq!(decoded, event);
    }
}

#[test]
fn released_v1_is_frozen() {
    let v1 = catalog::releases()
        .unwrap()
        .iter()
        .find(|r| r.name == "v1")
        .expect("release v1");
    let found: Vec<(&str, u64, u64)> = v1
        .schemas
        .iter()
        .map(|s| (s.event_type(), s.fingerprint(), fnv1a(s.source())))
        .collect();
    assert_eq!(
        found, RELEASED_V1,
        "a released snapshot was edited: restore it"
    );
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// org.added's current schema with one more payload field.
fn with_new_field(field: &str) -> EventSchema {
    let original = catalog::current().unwrap().get("org.added").unwrap();
    let mut json: Value = serde_json::from_str(original.source()).unwrap();
    let fields = json["fields"].as_array_mut().unwrap();
    let payload = fields.iter_mut().find(|f| f["name"] == "payload").unwrap();
    payload["type"]["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::from_str(field).unwrap());
    EventSchema::parse(&SchemaFile {
        release: None,
        path: "org/org.added.avsc",
        source: leak(json.to_string()),
    })
    .unwrap()
}

#[test]
fn the_check_rejects_a_field_without_default_and_accepts_one_with() {
    let released = catalog::releases().unwrap()[0]
        .schemas
        .get("org.added")
        .unwrap();
    let breaking = with_new_field(r#"{"name": "slogan", "type": "string", "doc": "d"}"#);
    assert!(SchemaCompatibility::can_read(released.schema(), breaking.schema()).is_err());

    let compatible = with_new_field(
        r#"{"name": "slogan", "type": ["null", "string"], "default": null, "doc": "d"}"#,
    );
    assert_eq!(
        SchemaCompatibility::can_read(released.schema(), compatible.schema()).unwrap(),
        Compatibility::Full
    );
    // Removing an enum symbol (DomainValidationType) is caught as well.
    let original = catalog::current()
        .unwrap()
        .get("org.domain.verification.added")
        .unwrap();
    let narrowed = original.source().replace(
        r#""Http",
                "Dns""#,
        r#""Http""#,
    );
    assert_ne!(narrowed, original.source());
    let narrowed = Schema::parse_str(&narrowed).unwrap();
    assert!(!matches!(
        SchemaCompatibility::can_read(original.schema(), &narrowed),
        Ok(Compatibility::Full)
    ));
}

/// Every record, enum and field has a non-empty "doc".
fn check_docs(value: &Value, at: &str, missing: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let is_named = matches!(
                map.get("type").and_then(Value::as_str),
                Some("record" | "enum")
            );
            let is_field = at.ends_with(".fields[]");
            if (is_named || is_field)
                && map
                    .get("doc")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                missing.push(format!("{at} {}", map.get("name").unwrap_or(&Value::Null)));
            }
            for (key, child) in map {
                check_docs(child, &format!("{at}.{key}"), missing);
            }
        }
        Value::Array(items) => {
            for item in items {
                check_docs(item, &format!("{at}[]"), missing);
            }
        }
        _ => {}
    }
}

#[test]
fn every_record_enum_and_field_is_documented() {
    let mut missing = Vec::new();
    for file in catalog::schema_files()
        .iter()
        .filter(|f| f.release.is_none())
    {
        let json: Value = serde_json::from_str(file.source).unwrap();
        check_docs(&json, file.path, &mut missing);
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

#[test]
fn names_follow_the_layout() {
    let mut records = BTreeSet::new();
    for schema in catalog::current().unwrap().iter() {
        let aggregate = schema.aggregate_type();
        assert_eq!(
            schema.path(),
            format!("{aggregate}/{}.avsc", schema.event_type())
        );
        assert!(
            schema
                .record_name()
                .starts_with(&format!("castellan.events.{aggregate}."))
        );
        let json: Value = serde_json::from_str(schema.source()).unwrap();
        let payload = json["fields"].as_array().unwrap().last().unwrap();
        assert_eq!(
            payload["name"],
            "payload",
            "{}: payload is the last field",
            schema.event_type()
        );
        assert_eq!(
            payload["type"]["name"].as_str().unwrap(),
            format!("{}Payload", json["name"].as_str().unwrap())
        );
        assert!(records.insert(schema.record_name().to_owned()));
    }
}
