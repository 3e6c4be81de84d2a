//! SCIM schemas (RFC 7643 §7, §8.7): the User, Enterprise User and Group attribute definitions,
//! the `/Schemas`, `/ResourceTypes` and `/ServiceProviderConfig` documents, attribute lookup by
//! path, type coercion, projection and sorting.

mod coerce;
mod config;
mod group;
mod model;
mod project;
mod resource_type;
mod sort;
mod user;
mod validate;

pub use coerce::{coerce, coerce_value, parse_bool};
pub use config::{BulkLimits, ServiceProviderConfig};
pub use group::{ENTERPRISE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA, GROUP_SCHEMA_ID};
pub use model::{AttrType, Attribute, Mutability, Returned, Schema, Uniqueness};
pub use project::{project, split_attribute_list};
pub use resource_type::{
    AttributeLookup, COMMON_ATTRIBUTES, Extension, GROUP_RESOURCE_TYPE, Location, RESOURCE_TYPES,
    Resolved, ResourceType, Schemaless, USER_RESOURCE_TYPE, all_schemas_json, schema_by_id,
};
pub use sort::{SortOrder, compare_for_sort};
pub use user::{USER_SCHEMA, USER_SCHEMA_ID};
pub use validate::{check_type, prepare_create, prepare_replace, sync_schemas, validate_resource};

#[cfg(test)]
mod tests;
