//! SCIM 2.0 service provider, outbound SCIM connectors and SIEM sinks.
//!
//! What is built today is the pure protocol engine in [`protocol`]: SCIM resources are
//! `serde_json::Value` objects in SCIM's JSON shape, and the engine parses and evaluates filters
//! (RFC 7644 §3.4.2.2), parses and applies PATCH requests (§3.5.2), describes the User, Enterprise
//! User and Group schemas (RFC 7643 §8.7) with the `/Schemas`, `/ResourceTypes` and
//! `/ServiceProviderConfig` documents, projects resources for `attributes`/`excludedAttributes`
//! (§3.4.2.5), sorts them (§3.4.2.3) and renders SCIM error bodies (§3.12). It does no I/O.
//!
//! Not built yet: the HTTP server under `/scim/v2/{orgId}` (issue #6) and the outbound SCIM
//! connectors and SIEM sinks (issue #7).

pub mod protocol;
