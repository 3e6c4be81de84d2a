//! Fault injection against real PostgreSQL, Kafka and Cassandra.
//!
//! Nothing is implemented here yet: the scenarios are part of issue #3 (the production pipeline).
