//! The Kafka sink: Avro audit events on a topic for analytics consumers.
