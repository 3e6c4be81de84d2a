use super::*;
use crate::Position;
use crate::clock::Timestamp;
use crate::event::{Event, EventMeta};

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(1),
        resource_owner: "inst".into(),
        position: Position(1),
    }
}

fn webhook() -> SinkSpec {
    SinkSpec {
        name: " Audit ".into(),
        kind: SinkKind::Webhook,
        settings: SinkSettings {
            endpoint: "https://siem.example.com/hook".into(),
            tls: false,
            headers: vec![Header {
                name: "X-Tenant".into(),
                value: "acme".into(),
            }],
            ..SinkSettings::default()
        },
        filter: SinkFilter {
            event_types: vec!["user.*".into()],
            org_ids: vec![],
        },
    }
}

fn applied(events: &[SinkEvent]) -> Sink {
    let mut sink = Sink::default();
    for event in events {
        sink.apply(event, &meta());
    }
    sink
}

#[test]
fn a_webhook_needs_a_sealed_secret_and_a_url() {
    assert!(add(&Sink::default(), &webhook(), "").is_err());
    let mut no_url = webhook();
    no_url.settings.endpoint = "ftp://x".into();
    assert!(add(&Sink::default(), &no_url, "v1.a.b").is_err());
    let decision = add(&Sink::default(), &webhook(), "v1.a.b").unwrap();
    let sink = applied(&decision.events);
    assert!(sink.exists());
    assert_eq!(sink.name, "Audit");
    assert_eq!(sink.sealed_secret, "v1.a.b");
}

#[test]
fn syslog_needs_host_and_port_and_takes_no_headers() {
    let mut spec = webhook();
    spec.kind = SinkKind::Syslog;
    spec.settings.endpoint = "siem.example.com:6514".into();
    assert!(add(&Sink::default(), &spec, "").is_err(), "headers");
    spec.settings.headers.clear();
    spec.settings.tls = true;
    assert!(add(&Sink::default(), &spec, "").is_ok());
    spec.settings.endpoint = "siem.example.com".into();
    assert!(add(&Sink::default(), &spec, "").is_err());
    assert_eq!(split_host_port("[::1]:514"), Some(("::1".to_owned(), 514)));
    assert_eq!(split_host_port("h:0"), None);
}

#[test]
fn reserved_headers_are_refused() {
    let mut spec = webhook();
    spec.settings.headers = vec![Header {
        name: "Authorization".into(),
        value: "x".into(),
    }];
    assert!(add(&Sink::default(), &spec, "v1.a.b").is_err());
}

#[test]
fn a_change_keeps_the_kind_and_an_unchanged_spec_decides_nothing() {
    let sink = applied(&add(&Sink::default(), &webhook(), "v1.a.b").unwrap().events);
    assert!(change(&sink, &webhook(), None).unwrap().events.is_empty());
    let mut other = webhook();
    other.kind = SinkKind::SplunkHec;
    assert!(change(&sink, &other, None).is_err());
    let decision = change(&sink, &webhook(), Some("v1.c.d")).unwrap();
    assert_eq!(
        decision.events,
        vec![SinkEvent::SecretChanged {
            sealed_secret: "v1.c.d".into()
        }]
    );
}

#[test]
fn dead_letters_open_once_and_close_on_resolve() {
    let mut sink = applied(&add(&Sink::default(), &webhook(), "v1.a.b").unwrap().events);
    let letter = DeadLetter {
        position: 42,
        event_type: "user.human.added".into(),
        aggregate_id: "u1".into(),
        error: "HTTP 500".into(),
    };
    let failed = record_failure(&sink, &letter);
    assert_eq!(failed.events.len(), 1);
    for event in &failed.events {
        sink.apply(event, &meta());
    }
    assert!(record_failure(&sink, &letter).events.is_empty(), "once");
    assert!(resolve(&sink, 41).is_err());
    for event in resolve(&sink, 42).unwrap().events {
        sink.apply(&event, &meta());
    }
    assert!(sink.dead_letters.is_empty());
    assert!(dead_letter(&sink, 42).is_err());
}

fn event(instance: &str, event_type: &str, owner: &str) -> Event {
    Event {
        instance_id: instance.into(),
        aggregate_type: "user".into(),
        aggregate_id: "u1".into(),
        sequence: 1,
        event_type: event_type.into(),
        revision: 1,
        payload: serde_json::Value::Null,
        creator: "c".into(),
        resource_owner: owner.into(),
        created_at: Timestamp(1),
        position: Position(1),
    }
}

#[test]
fn filters_match_exact_types_prefixes_and_orgs() {
    let filter = SinkFilter {
        event_types: vec!["user.*".into(), "org.added".into()],
        org_ids: vec!["o1".into()],
    }
    .validated()
    .unwrap();
    assert!(filter.matches("user.human.added", "o1"));
    assert!(filter.matches("org.added", "o1"));
    assert!(!filter.matches("org.changed", "o1"));
    assert!(
        !filter.matches("username.x", "o1"),
        "a prefix ends at a dot"
    );
    assert!(!filter.matches("user.human.added", "o2"));
    assert!(SinkFilter::default().matches("anything", "any"));
    assert!(
        SinkFilter {
            event_types: vec!["user.**".into()],
            org_ids: vec![],
        }
        .validated()
        .is_err()
    );
    let all = SinkFilter::default();
    assert!(filter::delivers(
        "i",
        &all,
        &event("i", "user.human.added", "o")
    ));
    assert!(!filter::delivers(
        "i",
        &all,
        &event("j", "user.human.added", "o")
    ));
    assert!(!filter::delivers(
        "i",
        &all,
        &event("i", "sink.delivery.failed", "i")
    ));
}

const PEM: &str = "-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----";

#[test]
fn a_ca_bundle_belongs_to_syslog_over_tls_and_is_pem() {
    let mut spec = webhook();
    spec.settings.headers.clear();
    spec.settings.ca_pem = PEM.into();
    assert!(add(&Sink::default(), &spec, "v1.a.b").is_err(), "webhook");
    spec.kind = SinkKind::Syslog;
    spec.settings.endpoint = "siem.example.com:6514".into();
    assert!(add(&Sink::default(), &spec, "").is_err(), "plain TCP");
    spec.settings.tls = true;
    let sink = applied(&add(&Sink::default(), &spec, "").unwrap().events);
    assert_eq!(sink.settings.ca_pem, format!("{PEM}\n"));
    for bad in [
        "not pem",
        "-----BEGIN CERTIFICATE-----\nTUlJQg==",
        "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
    ] {
        spec.settings.ca_pem = bad.into();
        let error = add(&Sink::default(), &spec, "").unwrap_err();
        assert_eq!(error.code, "SINK-0022", "{bad}");
    }
}

#[test]
fn a_kafka_sink_names_its_brokers_and_topic_and_needs_no_secret() {
    let mut spec = webhook();
    spec.kind = SinkKind::Kafka;
    spec.settings.headers.clear();
    spec.settings.endpoint = "kafka-1:9092, kafka-2:9092".into();
    assert_eq!(
        add(&Sink::default(), &spec, "").unwrap_err().code,
        "SINK-0006",
        "a space in the broker list"
    );
    spec.settings.endpoint = "kafka-1:9092,kafka-2:9092".into();
    assert_eq!(
        add(&Sink::default(), &spec, "").unwrap_err().code,
        "SINK-0023",
        "no topic"
    );
    spec.settings.topic = "castellan audit".into();
    assert!(add(&Sink::default(), &spec, "").is_err());
    spec.settings.topic = "castellan.audit".into();
    let sink = applied(&add(&Sink::default(), &spec, "").unwrap().events);
    assert_eq!(sink.kind, SinkKind::Kafka);
    assert_eq!(sink.settings.topic, "castellan.audit");
    spec.settings.endpoint = "kafka-1".into();
    assert!(add(&Sink::default(), &spec, "").is_err(), "no port");
    let mut webhook = webhook();
    webhook.settings.topic = "t".into();
    assert_eq!(
        add(&Sink::default(), &webhook, "v1.a.b").unwrap_err().code,
        "SINK-0023"
    );
}
