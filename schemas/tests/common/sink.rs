//! Samples of every `SinkEvent` variant.

use castellan_core::sink::{Header, SinkEvent, SinkFilter, SinkKind, SinkSettings};

pub fn sink_samples() -> Vec<SinkEvent> {
    vec![
        SinkEvent::Added {
            name: "Audit webhook".into(),
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
                org_ids: vec!["o-1".into()],
            },
            sealed_secret: "v1.bm9uY2U.Y2lwaGVy".into(),
        },
        SinkEvent::Added {
            name: "Analytics".into(),
            kind: SinkKind::Kafka,
            settings: SinkSettings {
                endpoint: "kafka-1:9092,kafka-2:9092".into(),
                topic: "castellan.audit".into(),
                ..SinkSettings::default()
            },
            filter: SinkFilter::default(),
            sealed_secret: String::new(),
        },
        SinkEvent::Changed {
            name: "Syslog".into(),
            settings: SinkSettings {
                endpoint: "siem.example.com:6514".into(),
                tls: true,
                headers: vec![],
                ca_pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
                topic: String::new(),
            },
            filter: SinkFilter::default(),
        },
        SinkEvent::SecretChanged {
            sealed_secret: "v1.bm9uY2U.b3RoZXI".into(),
        },
        SinkEvent::DeliveryFailed {
            position: 1234,
            event_type: "user.human.added".into(),
            aggregate_id: "u-1".into(),
            error: "HTTP 500".into(),
        },
        SinkEvent::DeadLetterResolved { position: 1234 },
        SinkEvent::Removed {},
    ]
}

/// Exhaustive over `SinkEvent`; see [`super::org_record`].
pub fn sink_record(event: &SinkEvent) -> &'static str {
    match event {
        SinkEvent::Added { .. } => "castellan.events.sink.Added",
        SinkEvent::Changed { .. } => "castellan.events.sink.Changed",
        SinkEvent::SecretChanged { .. } => "castellan.events.sink.SecretChanged",
        SinkEvent::Removed {} => "castellan.events.sink.Removed",
        SinkEvent::DeliveryFailed { .. } => "castellan.events.sink.DeliveryFailed",
        SinkEvent::DeadLetterResolved { .. } => "castellan.events.sink.DeadLetterResolved",
    }
}
