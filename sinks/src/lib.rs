//! SIEM audit streams (issue #7): every active sink of an instance gets a worker, a
//! [`Relay`](castellan_writer::relay::Relay) with the sink's own durable checkpoint
//! (`sink:<id>`) and leader election, whose [`EventSink`](castellan_writer::relay::EventSink)
//! ([`worker::SinkWorker`]) filters the ledger's events by instance, type and org and delivers
//! them in ledger order. Failed deliveries are retried with exponential backoff; after the last
//! attempt the events become dead letters on the sink and delivery moves on.
//!
//! Formats are pure ([`format`]); transports ([`transport`]) go through the one SSRF-protected
//! HTTP client, or (syslog, Kafka) through connections whose resolved addresses the same
//! address policy checks. The [`supervisor::Supervisor`] starts and stops workers as sinks are
//! created, changed and removed.

pub mod format;
pub mod supervisor;
pub mod transport;
pub mod worker;

pub use transport::{DeliveryError, Transport, TransportSettings};
