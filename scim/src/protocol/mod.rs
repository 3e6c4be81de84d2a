//! The SCIM 2.0 protocol engine: pure functions over `serde_json::Value` resources.
//!
//! The HTTP layer parses a request's `filter` with [`filter::parse_filter`], evaluates it with
//! [`filter::Filter::matches`] against a [`schema::ResourceType`] (or asks
//! [`filter::indexed_lookup`] for an indexed store lookup first), applies PATCH bodies with
//! [`patch::parse_patch`] and [`patch::apply_patch`] (then [`schema::validate_resource`]),
//! normalises POST/PUT bodies with
//! [`schema::prepare_create`] and [`schema::prepare_replace`], shapes responses with
//! [`schema::project`], [`schema::compare_for_sort`], [`list::Page`] and [`list::list_response`],
//! and turns every failure into the RFC body with [`error::ScimError::to_json`].

pub mod datetime;
pub mod error;
pub mod filter;
pub mod json;
pub mod list;
pub mod patch;
pub mod path;
pub mod schema;

pub use error::{ScimError, ScimType};
pub use path::AttrPath;
