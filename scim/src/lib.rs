//! SCIM 2.0 service provider and outbound SCIM targets.
//!
//! [`protocol`] is the pure engine: SCIM resources are `serde_json::Value` objects in SCIM's JSON
//! shape, and the engine parses and evaluates filters (RFC 7644 §3.4.2.2), parses and applies
//! PATCH requests (§3.5.2), describes the User, Enterprise User and Group schemas (RFC 7643 §8.7)
//! with the `/Schemas`, `/ResourceTypes` and `/ServiceProviderConfig` documents, projects
//! resources for `attributes`/`excludedAttributes` (§3.4.2.5), sorts them (§3.4.2.3) and renders
//! SCIM error bodies (§3.12). It does no I/O.
//!
//! [`server`] serves it at `/scim/v2/{orgId}` (issue #6), through the writer and the read store.
//!
//! [`outbound`] pushes an org's users and groups to downstream SCIM targets (issue #7).

pub mod outbound;
pub mod protocol;
pub mod server;
