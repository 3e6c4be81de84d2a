//! The schema catalog, the embedded registry (ids, REST API) and the Confluent client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use castellan_schemas::catalog::{self, SchemaFile};
use castellan_schemas::{
    AvroError, ConfluentRegistryClient, DEFAULT_TOPIC, EmbeddedRegistry, REGISTRY_CONTENT_TYPE,
    RegistryError, SchemaCatalog, SchemaRegistry, codec,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PREFIX: &str = "castellan.events-castellan.events.";

/// The embedded registry's ids, pinned: (id, subject without the topic prefix, version). They
/// must never change for a released schema; new ones are appended.
const IDS: &[(u32, &str, u32)] = &[
    (1, "instance.Added", 1),
    (2, "instance.DefaultOrgSet", 1),
    (3, "instance.DomainAdded", 1),
    (4, "instance.MemberAdded", 1),
    (5, "org.Added", 1),
    (6, "org.Changed", 1),
    (7, "org.Deactivated", 1),
    (8, "org.DomainAdded", 1),
    (9, "org.DomainPrimarySet", 1),
    (10, "org.DomainRemoved", 1),
    (11, "org.DomainVerificationAdded", 1),
    (12, "org.DomainVerificationFailed", 1),
    (13, "org.DomainVerified", 1),
    (14, "org.MemberAdded", 1),
    (15, "org.MetadataRemoved", 1),
    (16, "org.MetadataSet", 1),
    (17, "org.Reactivated", 1),
    (18, "org.Removed", 1),
    (19, "user.HumanAdded", 1),
    (20, "user.MachineAdded", 1),
    (21, "user.PersonalAccessTokenAdded", 1),
    (22, "user.PersonalAccessTokenRemoved", 1),
    (23, "administrator.Added", 1),
    (24, "administrator.Changed", 1),
    (25, "administrator.Removed", 1),
    (26, "auth_request.Added", 1),
    (27, "auth_request.CodeExchanged", 1),
    (28, "auth_request.Failed", 1),
    (29, "auth_request.Succeeded", 1),
    (30, "authorization.Added", 1),
    (31, "authorization.Changed", 1),
    (32, "authorization.Deactivated", 1),
    (33, "authorization.Reactivated", 1),
    (34, "authorization.Removed", 1),
    (35, "device_authorization.Added", 1),
    (36, "device_authorization.Approved", 1),
    (37, "device_authorization.Denied", 1),
    (38, "device_authorization.Done", 1),
    (39, "group.Added", 1),
    (40, "group.Changed", 1),
    (41, "group.ExternalIdSet", 1),
    (42, "group.Removed", 1),
    (43, "group.UsersAdded", 1),
    (44, "group.UsersRemoved", 1),
    (45, "instance.Changed", 1),
    (46, "instance.DomainRemoved", 1),
    (47, "instance.MemberChanged", 1),
    (48, "instance.MemberRemoved", 1),
    (49, "instance.TrustedDomainAdded", 1),
    (50, "instance.TrustedDomainRemoved", 1),
    (51, "oidc_session.AccessTokenAdded", 1),
    (52, "oidc_session.AccessTokenRevoked", 1),
    (53, "oidc_session.Added", 1),
    (54, "oidc_session.LogoutDelivered", 1),
    (55, "oidc_session.LogoutFailed", 1),
    (56, "oidc_session.LogoutRequested", 1),
    (57, "oidc_session.RefreshTokenAdded", 1),
    (58, "oidc_session.Terminated", 1),
    (59, "org.MemberChanged", 1),
    (60, "org.MemberRemoved", 1),
    (61, "project.Added", 1),
    (62, "project.ApplicationAdded", 1),
    (63, "project.ApplicationChanged", 1),
    (64, "project.ApplicationDeactivated", 1),
    (65, "project.ApplicationKeyAdded", 1),
    (66, "project.ApplicationKeyRemoved", 1),
    (67, "project.ApplicationReactivated", 1),
    (68, "project.ApplicationRemoved", 1),
    (69, "project.ApplicationSecretChanged", 1),
    (70, "project.Changed", 1),
    (71, "project.Deactivated", 1),
    (72, "project.GrantAdded", 1),
    (73, "project.GrantChanged", 1),
    (74, "project.GrantDeactivated", 1),
    (75, "project.GrantReactivated", 1),
    (76, "project.GrantRemoved", 1),
    (77, "project.Reactivated", 1),
    (78, "project.Removed", 1),
    (79, "project.RoleAdded", 1),
    (80, "project.RoleChanged", 1),
    (81, "project.RoleRemoved", 1),
    (82, "scim_target.Added", 1),
    (83, "scim_target.Changed", 1),
    (84, "scim_target.DeadLetterResolved", 1),
    (85, "scim_target.DeliveryFailed", 1),
    (86, "scim_target.Reconciled", 1),
    (87, "scim_target.Removed", 1),
    (88, "scim_target.SecretChanged", 1),
    (89, "session.Added", 1),
    (90, "session.LifetimeSet", 1),
    (91, "session.MetadataSet", 1),
    (92, "session.PasswordChecked", 1),
    (93, "session.Terminated", 1),
    (94, "session.TokenSet", 1),
    (95, "session.TotpChecked", 1),
    (96, "session.UserChecked", 1),
    (97, "settings.DomainReset", 1),
    (98, "settings.DomainSet", 1),
    (99, "settings.FeaturesReset", 1),
    (100, "settings.FeaturesSet", 1),
    (101, "settings.HostedLoginTranslationSet", 1),
    (102, "settings.LabelReset", 1),
    (103, "settings.LabelSet", 1),
    (104, "settings.LockoutReset", 1),
    (105, "settings.LockoutSet", 1),
    (106, "settings.LoginReset", 1),
    (107, "settings.LoginSet", 1),
    (108, "settings.PasswordAgeReset", 1),
    (109, "settings.PasswordAgeSet", 1),
    (110, "settings.PasswordComplexityReset", 1),
    (111, "settings.PasswordComplexitySet", 1),
    (112, "settings.PrivacyReset", 1),
    (113, "settings.PrivacySet", 1),
    (114, "settings.SecuritySet", 1),
    (115, "sink.Added", 1),
    (116, "sink.Changed", 1),
    (117, "sink.DeadLetterResolved", 1),
    (118, "sink.DeliveryFailed", 1),
    (119, "sink.Removed", 1),
    (120, "sink.SecretChanged", 1),
    (121, "user.CodeAdded", 1),
    (122, "user.Deactivated", 1),
    (123, "user.EmailChanged", 1),
    (124, "user.EmailVerified", 1),
    (125, "user.InviteCodeVerified", 1),
    (126, "user.KeyAdded", 1),
    (127, "user.KeyRemoved", 1),
    (128, "user.Locked", 1),
    (129, "user.MachineChanged", 1),
    (130, "user.MetadataRemoved", 1),
    (131, "user.MetadataSet", 1),
    (132, "user.OtpAdded", 1),
    (133, "user.OtpCheckFailed", 1),
    (134, "user.OtpCheckSucceeded", 1),
    (135, "user.OtpRemoved", 1),
    (136, "user.OtpVerified", 1),
    (137, "user.PasswordChanged", 1),
    (138, "user.PasswordCheckFailed", 1),
    (139, "user.PasswordCheckSucceeded", 1),
    (140, "user.PasswordHashUpdated", 1),
    (141, "user.PhoneChanged", 1),
    (142, "user.PhoneRemoved", 1),
    (143, "user.PhoneVerified", 1),
    (144, "user.ProfileChanged", 1),
    (145, "user.Reactivated", 1),
    (146, "user.Removed", 1),
    (147, "user.SecretRemoved", 1),
    (148, "user.SecretSet", 1),
    (149, "user.Unlocked", 1),
    (150, "user.UsernameChanged", 1),
    (151, "user.UsernameOrgScoped", 1),
    (152, "web_key.Activated", 1),
    (153, "web_key.Added", 1),
    (154, "web_key.Removed", 1),
];

/// How many subjects release v1 holds (the first ids).
const RELEASED_V1: usize = 22;

fn registry() -> EmbeddedRegistry {
    EmbeddedRegistry::new(SchemaCatalog::new(DEFAULT_TOPIC).unwrap()).unwrap()
}

#[test]
fn subjects_follow_the_topic_record_name_strategy() {
    let catalog = SchemaCatalog::new(DEFAULT_TOPIC).unwrap();
    assert_eq!(catalog.topic(), "castellan.events");
    assert_eq!(catalog.releases(), ["v1"]);
    let subjects = catalog.subjects();
    assert_eq!(subjects.len(), IDS.len());
    let names: Vec<&str> = subjects.iter().map(|s| s.name()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for subject in subjects {
        assert_eq!(
            subject.name(),
            format!("castellan.events-{}", subject.record_name())
        );
        assert_eq!(subject.versions().len(), 1, "{}", subject.name());
        let current = subject.current().unwrap();
        assert_eq!(current.version, 1);
        // Subjects added since v1 are current but not yet released.
        let in_v1 = IDS[..RELEASED_V1]
            .iter()
            .any(|(_, name, _)| subject.name().trim_start_matches(PREFIX) == *name);
        assert_eq!(current.release.as_deref(), in_v1.then_some("v1"));
        assert_eq!(subject.latest().unwrap().version, 1);
        assert_eq!(
            catalog.subject_of(subject.event_type()).unwrap().name(),
            subject.name()
        );
    }
    let added = catalog
        .subject("castellan.events-castellan.events.org.Added")
        .unwrap();
    assert_eq!(
        (added.aggregate_type(), added.event_type()),
        ("org", "org.added")
    );
    assert!(catalog.subject("castellan.events-nope").is_none());

    let other = SchemaCatalog::new("audit").unwrap();
    assert_eq!(
        other.subjects()[0].name(),
        "audit-castellan.events.administrator.Added"
    );
}

#[test]
fn embedded_ids_are_pinned_and_the_same_in_every_process() {
    let registry = registry();
    let found: Vec<(u32, String, u32)> = registry
        .entries()
        .iter()
        .map(|e| {
            (
                e.id,
                e.subject.trim_start_matches(PREFIX).to_owned(),
                e.version,
            )
        })
        .collect();
    let expected: Vec<(u32, String, u32)> = IDS
        .iter()
        .map(|(id, s, v)| (*id, (*s).to_owned(), *v))
        .collect();
    assert_eq!(found, expected, "embedded schema ids moved");

    // Another registry of the same build (another process, a restart) agrees.
    let again = registry_of(catalog::schema_files().to_vec());
    let fingerprints = |r: &EmbeddedRegistry| -> Vec<(u32, u64)> {
        r.entries()
            .iter()
            .map(|e| (e.id, e.schema.fingerprint()))
            .collect()
    };
    assert_eq!(fingerprints(&registry), fingerprints(&again));

    let ids = registry.ids();
    assert_eq!(ids.len(), IDS.len());
    assert_eq!(ids.id("org.added"), Some(5));
    assert_eq!(ids.id("user.human.added"), Some(19));
    assert_eq!(registry.id(&format!("{PREFIX}org.Added"), 1), Some(5));
    assert!(registry.lookup(0).is_none() && registry.lookup(IDS.len() as u32 + 1).is_none());
    for (event_type, id) in ids.iter() {
        assert_eq!(registry.entry(id).unwrap().event_type, event_type);
        assert!(registry.entry(id).unwrap().current);
    }
}

fn registry_of(files: Vec<SchemaFile>) -> EmbeddedRegistry {
    EmbeddedRegistry::new(SchemaCatalog::from_files(DEFAULT_TOPIC, &files).unwrap()).unwrap()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The current files, with org.added given a new optional field and a new event type org.exploded.
fn evolved_files() -> Vec<SchemaFile> {
    let files = catalog::schema_files();
    let added = files
        .iter()
        .find(|f| f.release.is_none() && f.path == "org/org.added.avsc")
        .unwrap();
    let mut json: Value = serde_json::from_str(added.source).unwrap();
    json["fields"][10]["type"]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "name": "slogan", "type": ["null", "string"], "default": null, "doc": "A slogan."
        }));
    let evolved = SchemaFile {
        release: None,
        path: added.path,
        source: leak(json.to_string()),
    };
    let exploded = SchemaFile {
        release: None,
        path: "org/org.exploded.avsc",
        source: leak(
            added
                .source
                .replace("\"name\": \"Added\"", "\"name\": \"Exploded\""),
        ),
    };
    let mut out: Vec<SchemaFile> = files.iter().filter(|f| **f != *added).copied().collect();
    out.push(evolved);
    out.push(exploded);
    out
}

#[test]
fn ids_are_append_only_across_schema_changes_and_releases() {
    let before = registry();
    let evolved = registry_of(evolved_files());
    // Every released id keeps its schema.
    for entry in before.entries().iter().take(RELEASED_V1) {
        let same = evolved.entry(entry.id).unwrap();
        assert_eq!(
            (&same.subject, same.version),
            (&entry.subject, entry.version)
        );
        assert_eq!(same.schema.fingerprint(), entry.schema.fingerprint());
    }
    // The unreleased versions come after, sorted by subject.
    // (Only the org subjects this test evolves; others added since v1 are unreleased too.)
    let new: Vec<(u32, &str, u32, bool)> = evolved.entries()[RELEASED_V1..]
        .iter()
        .filter(|e| {
            let name = e.subject.trim_start_matches(PREFIX);
            name == "org.Added" || name == "org.Exploded"
        })
        .map(|e| {
            (
                e.id,
                e.subject.trim_start_matches(PREFIX),
                e.version,
                e.current,
            )
        })
        .collect();
    // Unreleased subjects are numbered in subject order after the released ones.
    let first = (RELEASED_V1
        + IDS[RELEASED_V1..]
            .iter()
            .filter(|(_, name, _)| *name < "org.Added")
            .count()
        + 1) as u32;
    assert_eq!(
        new,
        [
            (first, "org.Added", 2, true),
            (first + 1, "org.Exploded", 1, true)
        ]
    );
    assert!(
        !evolved.entry(5).unwrap().current,
        "org.added v1 is still readable, no longer written"
    );
    assert_eq!(evolved.ids().id("org.added"), Some(first));
    assert!(evolved.ids().schema(5).is_some());

    // Releasing them as v2 (a snapshot copy) changes no id.
    let mut released = evolved_files();
    let v2: Vec<SchemaFile> = released
        .iter()
        .filter(|f| f.release.is_none())
        .map(|f| SchemaFile {
            release: Some("v2"),
            ..*f
        })
        .collect();
    released.extend(v2);
    let after = registry_of(released);
    let ids = |r: &EmbeddedRegistry| -> Vec<(u32, String, u32, u64)> {
        r.entries()
            .iter()
            .map(|e| (e.id, e.subject.clone(), e.version, e.schema.fingerprint()))
            .collect()
    };
    assert_eq!(ids(&after), ids(&evolved));
    let subject = after
        .catalog()
        .subject(&format!("{PREFIX}org.Added"))
        .unwrap();
    assert_eq!(subject.versions()[1].release.as_deref(), Some("v2"));

    // A message written with v1 (id 5) reads with the evolved build, the new field defaulted.
    let event = common::stored(
        &castellan_core::org::OrgEvent::Added {
            name: "ACME".into(),
        },
        1,
    );
    let old_bytes = codec::encode(&event, 5).unwrap();
    let evolved_catalog = after.catalog();
    let read = codec::decode_as(
        &old_bytes,
        |id| after.lookup(id),
        |record| evolved_catalog.current_schema(record),
    )
    .unwrap();
    assert_eq!(read.payload, json!({ "name": "ACME", "slogan": null }));
    // And the evolved build's messages carry the new id.
    let mut new_event = event.clone();
    new_event.payload = json!({ "name": "ACME", "slogan": "Anvils for all" });
    let current = evolved_catalog
        .current_schema("castellan.events.org.Added")
        .unwrap();
    let new_bytes = codec::encode_with(&new_event, current, first).unwrap();
    let read = codec::decode_as(
        &new_bytes,
        |id| after.lookup(id),
        |record| evolved_catalog.current_schema(record),
    )
    .unwrap();
    assert_eq!(read, new_event);
    // This build does not know the field: the old reader drops it (forward reading), and its
    // encoder refuses a payload with a field its schema lacks.
    assert_eq!(
        codec::decode(&new_bytes, |id| after.lookup(id)).unwrap(),
        event
    );
    assert!(matches!(
        codec::encode(&new_event, 5),
        Err(AvroError::Mismatch { .. })
    ));
}

#[test]
fn the_rest_api_answers_like_confluents() {
    let registry = registry();
    let subject = format!("{PREFIX}org.Added");

    let subjects = registry.get_subjects();
    assert_eq!(subjects.status, 200);
    assert_eq!(subjects.body.as_array().unwrap().len(), IDS.len());
    assert_eq!(
        subjects.body[0],
        json!(format!("{PREFIX}administrator.Added"))
    );

    assert_eq!(
        registry.get_subject_versions(&subject).into_parts(),
        (200, json!([1]))
    );

    for version in ["1", "latest", "-1"] {
        let answer = registry.get_subject_version(&subject, version);
        assert_eq!(answer.status, 200, "{version}");
        assert_eq!(answer.body["subject"], json!(subject));
        assert_eq!(answer.body["version"], json!(1));
        assert_eq!(answer.body["id"], json!(5));
        let schema = answer.body["schema"].as_str().unwrap();
        let parsed: Value = serde_json::from_str(schema).unwrap();
        assert_eq!(parsed["name"], "Added");
        assert_eq!(parsed["namespace"], "castellan.events.org");
    }

    let by_id = registry.get_schema("5");
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.body.as_object().unwrap().len(), 1);
    assert_eq!(
        by_id.body["schema"],
        registry.get_subject_version(&subject, "1").body["schema"]
    );
    assert_eq!(
        registry.get_schema_versions("5").into_parts(),
        (200, json!([{ "subject": subject, "version": 1 }]))
    );
    assert_eq!(
        registry.get_config().into_parts(),
        (200, json!({ "compatibilityLevel": "BACKWARD" }))
    );

    let subject_not_found = (
        404,
        json!({ "error_code": 40401, "message": "Subject not found" }),
    );
    let schema_not_found = (
        404,
        json!({ "error_code": 40403, "message": "Schema not found" }),
    );
    assert_eq!(
        registry.get_subject_versions("nope").into_parts(),
        subject_not_found
    );
    assert_eq!(
        registry.get_subject_version("nope", "1").into_parts(),
        subject_not_found
    );
    assert_eq!(
        registry.get_subject_version(&subject, "2").into_parts(),
        (
            404,
            json!({ "error_code": 40402, "message": "Version not found" })
        )
    );
    for invalid in ["0", "-2", "x", "99999999999"] {
        let answer = registry.get_subject_version(&subject, invalid);
        assert_eq!(
            (answer.status, &answer.body["error_code"]),
            (422, &json!(42202)),
            "{invalid}"
        );
    }
    let past_the_end = (IDS.len() + 1).to_string();
    for id in ["0", past_the_end.as_str(), "x", "-1"] {
        assert_eq!(
            registry.get_schema(id).into_parts(),
            schema_not_found,
            "{id}"
        );
        assert_eq!(
            registry.get_schema_versions(id).into_parts(),
            schema_not_found,
            "{id}"
        );
    }
}

#[test]
fn the_router_dispatches_paths() {
    let registry = registry();
    let subject = format!("{PREFIX}user.HumanAdded");
    assert_eq!(registry.handle("GET", "/subjects"), registry.get_subjects());
    assert_eq!(
        registry.handle("GET", "/subjects/"),
        registry.get_subjects()
    );
    assert_eq!(
        registry.handle("GET", &format!("/subjects/{subject}/versions")),
        registry.get_subject_versions(&subject)
    );
    assert_eq!(
        registry.handle(
            "get",
            &format!(
                "/subjects/{}/versions/latest?deleted=false",
                subject.replace('.', "%2E")
            )
        ),
        registry.get_subject_version(&subject, "latest")
    );
    assert_eq!(
        registry.handle("GET", "/schemas/ids/19"),
        registry.get_schema("19")
    );
    assert_eq!(
        registry.handle("GET", "/schemas/ids/19/versions"),
        registry.get_schema_versions("19")
    );
    assert_eq!(registry.handle("GET", "/config"), registry.get_config());
    assert_eq!(registry.handle("GET", "/nope").status, 404);
    assert_eq!(registry.handle("GET", "/nope").body["error_code"], 404);
    let post = registry.handle("POST", &format!("/subjects/{subject}/versions"));
    assert_eq!(
        post.into_parts(),
        (
            405,
            json!({ "error_code": 405, "message": "HTTP 405 Method Not Allowed" })
        )
    );
}

#[tokio::test]
async fn the_embedded_registry_registers_and_decodes_through_the_trait() {
    let registry: Arc<dyn SchemaRegistry> = Arc::new(registry());
    let catalog = SchemaCatalog::new(DEFAULT_TOPIC).unwrap();
    let ids = registry.register(&catalog).await.unwrap();
    assert_eq!(
        ids.iter().map(|(_, id)| id).collect::<Vec<_>>().len(),
        IDS.len()
    );
    for (event, _) in common::all_samples() {
        let bytes = ids.encode(&event).unwrap();
        assert_eq!(
            codec::schema_id(&bytes).unwrap(),
            ids.id(&event.event_type).unwrap()
        );
        assert_eq!(ids.decode(&bytes).unwrap(), event);
        assert_eq!(registry.decode(&bytes).await.unwrap(), event);
    }
    assert!(registry.schema_by_id(5).await.unwrap().is_some());
    assert!(registry.schema_by_id(0).await.unwrap().is_none());
    let mut bytes = ids.encode(&common::all_samples()[0].0).unwrap();
    bytes[4] = 200;
    assert!(matches!(
        registry.decode(&bytes).await,
        Err(RegistryError::Schema(AvroError::UnknownSchemaId(200)))
    ));

    // A catalog of another build (a schema this registry lacks) is refused.
    let other =
        EmbeddedRegistry::new(SchemaCatalog::from_files(DEFAULT_TOPIC, &evolved_files()).unwrap())
            .unwrap();
    assert!(matches!(
        registry.register(other.catalog()).await,
        Err(RegistryError::NotRegistered { .. })
    ));
}

// --- A fake Confluent Schema Registry ---------------------------------------------------------

#[derive(Default)]
struct Fake {
    /// schema string → id
    ids: BTreeMap<String, u32>,
    /// id → schema string served
    schemas: BTreeMap<u32, String>,
    /// (method, path, content type, body)
    requests: Vec<(String, String, String, String)>,
    /// Serve this schema for every id (a registry that disagrees).
    lie: Option<String>,
    /// Answer every POST with this error.
    reject: Option<(u16, String)>,
}

impl Fake {
    fn answer(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, String) {
        self.requests
            .push((method.into(), path.into(), content_type.into(), body.into()));
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("POST", ["subjects", _, "versions"]) => {
                if let Some(reject) = &self.reject {
                    return reject.clone();
                }
                let schema = serde_json::from_str::<Value>(body).unwrap()["schema"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let next = 100 + self.ids.len() as u32;
                let id = *self.ids.entry(schema.clone()).or_insert(next);
                self.schemas.insert(id, schema);
                (200, json!({ "id": id }).to_string())
            }
            ("GET", ["schemas", "ids", id]) => {
                match id.parse::<u32>().ok().and_then(|id| self.schemas.get(&id)) {
                    Some(schema) => {
                        let schema = self.lie.clone().unwrap_or_else(|| schema.clone());
                        (200, json!({ "schema": schema }).to_string())
                    }
                    None => (
                        404,
                        json!({ "error_code": 40403, "message": "Schema not found" }).to_string(),
                    ),
                }
            }
            _ => (
                404,
                json!({ "error_code": 404, "message": "HTTP 404 Not Found" }).to_string(),
            ),
        }
    }
}

/// Serves `fake` over HTTP/1.1 on a local port; answers the base URL.
async fn serve(fake: Arc<Mutex<Fake>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let fake = Arc::clone(&fake);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = socket.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
                let mut lines = head.lines();
                let mut request_line = lines.next().unwrap().split(' ');
                let method = request_line.next().unwrap().to_owned();
                let path = request_line.next().unwrap().to_owned();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                let length: usize = header("content-length").parse().unwrap_or(0);
                while buffer.len() < head_end + length {
                    let n = socket.read(&mut chunk).await.unwrap();
                    buffer.extend_from_slice(&chunk[..n]);
                }
                let body =
                    String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
                let (status, answer) =
                    fake.lock()
                        .unwrap()
                        .answer(&method, &path, &header("content-type"), &body);
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: {REGISTRY_CONTENT_TYPE}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                socket.write_all(response.as_bytes()).await.unwrap();
                socket.shutdown().await.ok();
            });
        }
    });
    format!("http://{address}/")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test]
async fn the_confluent_client_registers_every_subject_and_learns_the_ids() {
    let fake = Arc::new(Mutex::new(Fake::default()));
    let base = serve(Arc::clone(&fake)).await;
    let client = ConfluentRegistryClient::new(&base, http());
    assert_eq!(client.base_url(), base.trim_end_matches('/'));
    let catalog = SchemaCatalog::new(DEFAULT_TOPIC).unwrap();

    let ids = client.register(&catalog).await.unwrap();
    assert_eq!(ids.len(), IDS.len());
    // The registry's ids, not the embedded ones.
    let first = catalog.subjects()[0].event_type();
    assert_eq!(ids.id(first), Some(100));
    let mut assigned: Vec<u32> = ids.iter().map(|(_, id)| id).collect();
    assigned.sort_unstable();
    assert_eq!(assigned, (100..100 + IDS.len() as u32).collect::<Vec<_>>());
    {
        let fake = fake.lock().unwrap();
        let posts: Vec<_> = fake.requests.iter().filter(|r| r.0 == "POST").collect();
        assert_eq!(posts.len(), IDS.len());
        let (_, _, content_type, body) = posts
            .iter()
            .find(|post| post.1 == format!("/subjects/{PREFIX}org.Added/versions"))
            .unwrap();
        assert_eq!(content_type, REGISTRY_CONTENT_TYPE);
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body.as_object().unwrap().len(), 1);
        let schema = catalog
            .subject_of("org.added")
            .unwrap()
            .current()
            .unwrap()
            .schema
            .clone();
        assert_eq!(body["schema"], json!(schema.schema_json()));
    }

    // Registering again is idempotent.
    let again = client.register(&catalog).await.unwrap();
    assert_eq!(
        again.iter().collect::<Vec<_>>(),
        ids.iter().collect::<Vec<_>>()
    );

    // Encode with the learnt ids, decode through the registry (fetching, then cached).
    for (event, _) in common::all_samples() {
        let bytes = ids.encode(&event).unwrap();
        assert_eq!(client.decode(&bytes).await.unwrap(), event);
    }
    let fresh = ConfluentRegistryClient::new(&base, http());
    let event = &common::all_samples()[0].0;
    let bytes = ids.encode(event).unwrap();
    let gets = |fake: &Arc<Mutex<Fake>>| {
        fake.lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.0 == "GET")
            .count()
    };
    let before = gets(&fake);
    assert_eq!(&fresh.decode(&bytes).await.unwrap(), event);
    assert_eq!(&fresh.decode(&bytes).await.unwrap(), event);
    assert_eq!(gets(&fake), before + 1, "schemas by id are cached");
    assert!(fresh.schema_by_id(999).await.unwrap().is_none());
}

#[tokio::test]
async fn the_confluent_client_reports_rejections_and_disagreements() {
    let catalog = SchemaCatalog::new(DEFAULT_TOPIC).unwrap();

    let fake = Arc::new(Mutex::new(Fake {
        reject: Some((409, json!({ "error_code": 409, "message": "Schema being registered is incompatible with an earlier schema" }).to_string())),
        ..Fake::default()
    }));
    let client = ConfluentRegistryClient::new(&serve(fake).await, http());
    match client.register(&catalog).await {
        Err(RegistryError::Api {
            status: 409,
            error_code: 409,
            message,
        }) => {
            assert!(message.contains("incompatible"));
        }
        other => panic!("{other:?}"),
    }

    let fake = Arc::new(Mutex::new(Fake {
        lie: Some(r#"{"type":"record","name":"Other","fields":[]}"#.into()),
        ..Fake::default()
    }));
    let client = ConfluentRegistryClient::new(&serve(fake).await, http());
    assert!(matches!(
        client.register(&catalog).await,
        Err(RegistryError::FingerprintMismatch { id: 100, .. })
    ));

    // Nobody listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = ConfluentRegistryClient::new(&format!("http://{address}"), http());
    assert!(matches!(
        client.register(&catalog).await,
        Err(RegistryError::Http(_))
    ));
}
