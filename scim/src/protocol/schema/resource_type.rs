//! Resource types (RFC 7643 §6): a core schema plus extensions, the common attributes every
//! resource has (§3.1), and attribute lookup by path.

use serde_json::{Value, json};

use super::group::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA};
use super::model::{AttrType, Attribute, Mutability, Returned, Schema, Uniqueness};
use super::user::USER_SCHEMA;
use crate::protocol::path::AttrPath;

const META_SUBS: &[Attribute] = &[
    Attribute::string("resourceType", "The name of the resource type.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
    Attribute::new(
        "created",
        AttrType::DateTime,
        "When the resource was added.",
    )
    .mutability(Mutability::ReadOnly),
    Attribute::new(
        "lastModified",
        AttrType::DateTime,
        "When the resource last changed.",
    )
    .mutability(Mutability::ReadOnly),
    Attribute::reference("location", &["uri"], "The URI of the resource.")
        .mutability(Mutability::ReadOnly),
    Attribute::string("version", "The version (ETag) of the resource.")
        .case_exact()
        .mutability(Mutability::ReadOnly),
];

/// The attributes every resource has (RFC 7643 §3.1): `schemas`, `id`, `externalId` and `meta`.
/// `/Schemas` does not list them, but lookups, PATCH and projection know them.
pub const COMMON_ATTRIBUTES: &[Attribute] = &[
    Attribute::reference(
        "schemas",
        &["uri"],
        "The schema URNs the resource conforms to.",
    )
    .multi()
    .mutability(Mutability::ReadOnly)
    .returned(Returned::Always),
    Attribute::string("id", "The service provider's unique, stable identifier.")
        .case_exact()
        .mutability(Mutability::ReadOnly)
        .returned(Returned::Always)
        .uniqueness(Uniqueness::Server),
    Attribute::string("externalId", "The provisioning client's identifier.").case_exact(),
    Attribute::complex("meta", META_SUBS, "Resource metadata.").mutability(Mutability::ReadOnly),
];

/// A schema extension of a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension {
    /// The extension schema.
    pub schema: &'static Schema,
    /// Whether resources must carry it.
    pub required: bool,
}

/// A resource type: endpoint, core schema and extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// The resource type's id and name, e.g. `User`.
    pub name: &'static str,
    /// The endpoint relative to the SCIM root, e.g. `/Users`.
    pub endpoint: &'static str,
    /// A human description.
    pub description: &'static str,
    /// The core schema.
    pub schema: &'static Schema,
    /// The schema extensions.
    pub extensions: &'static [Extension],
}

/// Users with the optional Enterprise User extension.
pub const USER_RESOURCE_TYPE: ResourceType = ResourceType {
    name: "User",
    endpoint: "/Users",
    description: "User Account",
    schema: &USER_SCHEMA,
    extensions: &[Extension {
        schema: &ENTERPRISE_USER_SCHEMA,
        required: false,
    }],
};

/// Groups.
pub const GROUP_RESOURCE_TYPE: ResourceType = ResourceType {
    name: "Group",
    endpoint: "/Groups",
    description: "Group",
    schema: &GROUP_SCHEMA,
    extensions: &[],
};

/// The resource types Castellan serves.
pub const RESOURCE_TYPES: &[ResourceType] = &[USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

/// Where an attribute lives in a resource's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// At the top level (core schema or common attribute).
    Core,
    /// Inside the object keyed by this extension schema URN.
    Extension(&'static str),
}

/// A resolved top-level attribute: where it lives and its definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Where the attribute lives in the JSON.
    pub location: Location,
    /// The top-level attribute definition.
    pub attribute: &'static Attribute,
    /// The sub-attribute definition, when the path names one.
    pub sub: Option<&'static Attribute>,
}

impl Resolved {
    /// The most specific definition: the sub-attribute if named, else the attribute.
    pub fn target(&self) -> &'static Attribute {
        self.sub.unwrap_or(self.attribute)
    }
}

/// Anything that can describe attributes by path; filters ask it for `caseExact` and `type`.
pub trait AttributeLookup {
    /// The definition of the attribute (or sub-attribute) `path` names, if known.
    fn attribute(&self, path: &AttrPath) -> Option<&Attribute>;
}

/// A lookup that knows nothing: strings compare case-insensitively, types come from values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Schemaless;

impl AttributeLookup for Schemaless {
    fn attribute(&self, _path: &AttrPath) -> Option<&Attribute> {
        None
    }
}

impl AttributeLookup for ResourceType {
    fn attribute(&self, path: &AttrPath) -> Option<&Attribute> {
        self.resolve(path).map(|resolved| resolved.target())
    }
}

impl ResourceType {
    /// The core schema followed by the extension schemas.
    pub fn schemas(&self) -> impl Iterator<Item = &'static Schema> + '_ {
        std::iter::once(self.schema).chain(self.extensions.iter().map(|e| e.schema))
    }

    /// The extension schema with this URN (ignoring case).
    pub fn extension(&self, urn: &str) -> Option<&'static Schema> {
        self.extensions
            .iter()
            .map(|extension| extension.schema)
            .find(|schema| schema.id.eq_ignore_ascii_case(urn))
    }

    /// Resolves a path (case-insensitive, URN-aware). Unqualified names and names qualified by
    /// the core schema URN are core or common attributes; extension-qualified names are looked
    /// up in that extension. `None` when the attribute or sub-attribute is unknown.
    pub fn resolve(&self, path: &AttrPath) -> Option<Resolved> {
        let (location, attribute) = match path.urn.as_deref() {
            Some(urn) if !urn.eq_ignore_ascii_case(self.schema.id) => {
                let schema = self.extension(urn)?;
                (
                    Location::Extension(schema.id),
                    schema.attribute(&path.name)?,
                )
            }
            _ => {
                let attribute = self.schema.attribute(&path.name).or_else(|| {
                    COMMON_ATTRIBUTES
                        .iter()
                        .find(|a| a.name.eq_ignore_ascii_case(&path.name))
                })?;
                (Location::Core, attribute)
            }
        };
        let sub = match &path.sub {
            Some(sub) => Some(attribute.sub_attribute(sub)?),
            None => None,
        };
        Some(Resolved {
            location,
            attribute,
            sub,
        })
    }

    /// The resource type document served at `{base_url}/ResourceTypes/{name}` (RFC 7643 §6).
    pub fn to_json(&self, base_url: &str) -> Value {
        let extensions: Vec<Value> = self
            .extensions
            .iter()
            .map(|e| json!({"schema": e.schema.id, "required": e.required}))
            .collect();
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": self.name,
            "name": self.name,
            "endpoint": self.endpoint,
            "description": self.description,
            "schema": self.schema.id,
            "schemaExtensions": extensions,
            "meta": {
                "resourceType": "ResourceType",
                "location": format!("{}/ResourceTypes/{}", base_url.trim_end_matches('/'), self.name),
            },
        })
    }
}

/// Every schema of every resource type, rendered for `/Schemas` (core User, Enterprise User,
/// Group).
pub fn all_schemas_json(base_url: &str) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for schema in RESOURCE_TYPES.iter().flat_map(ResourceType::schemas) {
        if !seen.contains(&schema.id) {
            seen.push(schema.id);
            out.push(schema.to_json(base_url));
        }
    }
    out
}

/// The schema with this URN, among those of [`RESOURCE_TYPES`] (for `/Schemas/{id}`).
pub fn schema_by_id(id: &str) -> Option<&'static Schema> {
    RESOURCE_TYPES
        .iter()
        .flat_map(ResourceType::schemas)
        .find(|schema| schema.id.eq_ignore_ascii_case(id))
}
