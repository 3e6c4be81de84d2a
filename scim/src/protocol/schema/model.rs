//! The attribute model of RFC 7643 §7: attribute characteristics as `const` Rust data.

use serde_json::{Map, Value, json};

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A Unicode string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A real number.
    Decimal,
    /// A whole number.
    Integer,
    /// An xsd:dateTime string.
    DateTime,
    /// Base64-encoded bytes.
    Binary,
    /// A URI reference to a resource.
    Reference,
    /// An object made of sub-attributes.
    Complex,
}

impl AttrType {
    /// The wire spelling used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Integer => "integer",
            Self::DateTime => "dateTime",
            Self::Binary => "binary",
            Self::Reference => "reference",
            Self::Complex => "complex",
        }
    }
}

/// Whether and when an attribute may be changed (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the service provider only.
    ReadOnly,
    /// Updated and read freely.
    ReadWrite,
    /// Set once (at creation or while unassigned), never changed afterwards.
    Immutable,
    /// Written but never returned (e.g. `password`).
    WriteOnly,
}

impl Mutability {
    /// The wire spelling used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "readOnly",
            Self::ReadWrite => "readWrite",
            Self::Immutable => "immutable",
            Self::WriteOnly => "writeOnly",
        }
    }
}

/// When an attribute is returned in responses (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never.
    Never,
    /// By default, unless excluded.
    Default,
    /// Only when named in `attributes`.
    Request,
}

impl Returned {
    /// The wire spelling used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Never => "never",
            Self::Default => "default",
            Self::Request => "request",
        }
    }
}

/// How unique an attribute's value must be (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No uniqueness.
    None,
    /// Unique within the service provider's tenant (for Castellan: the organization).
    Server,
    /// Globally unique.
    Global,
}

impl Uniqueness {
    /// The wire spelling used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Server => "server",
            Self::Global => "global",
        }
    }
}

/// One attribute definition with its characteristics (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name, in its canonical spelling.
    pub name: &'static str,
    /// The data type.
    pub kind: AttrType,
    /// Whether the value is an array.
    pub multi_valued: bool,
    /// A human description.
    pub description: &'static str,
    /// Whether the attribute must be present.
    pub required: bool,
    /// Whether string comparisons are case-sensitive.
    pub case_exact: bool,
    /// Mutability.
    pub mutability: Mutability,
    /// When it is returned.
    pub returned: Returned,
    /// Uniqueness.
    pub uniqueness: Uniqueness,
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: &'static [Attribute],
    /// Suggested values, e.g. `work`, `home`.
    pub canonical_values: &'static [&'static str],
    /// Resource types a reference may point at.
    pub reference_types: &'static [&'static str],
}

impl Attribute {
    /// A single-valued, optional, case-insensitive, readWrite, default-returned attribute.
    pub const fn new(name: &'static str, kind: AttrType, description: &'static str) -> Self {
        Self {
            name,
            kind,
            multi_valued: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub_attributes: &[],
            canonical_values: &[],
            reference_types: &[],
        }
    }

    /// A string attribute.
    pub const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::String, description)
    }

    /// A boolean attribute.
    pub const fn boolean(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::Boolean, description)
    }

    /// A reference attribute pointing at the given resource types.
    pub const fn reference(
        name: &'static str,
        types: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        let mut attribute = Self::new(name, AttrType::Reference, description);
        attribute.reference_types = types;
        attribute.case_exact = true;
        attribute
    }

    /// A complex attribute made of `subs`.
    pub const fn complex(
        name: &'static str,
        subs: &'static [Attribute],
        description: &'static str,
    ) -> Self {
        let mut attribute = Self::new(name, AttrType::Complex, description);
        attribute.sub_attributes = subs;
        attribute
    }

    /// Makes the attribute multi-valued.
    pub const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    /// Makes the attribute required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Makes string comparisons case-sensitive.
    pub const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    /// Sets the mutability.
    pub const fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// Sets when the attribute is returned.
    pub const fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    /// Sets the uniqueness.
    pub const fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    /// Sets the canonical values.
    pub const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }

    /// The sub-attribute called `name` (ignoring case).
    pub fn sub_attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.sub_attributes
            .iter()
            .find(|sub| sub.name.eq_ignore_ascii_case(name))
    }

    /// The attribute as `/Schemas` renders it (RFC 7643 §7).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(self.name));
        object.insert("type".into(), json!(self.kind.as_str()));
        object.insert("multiValued".into(), json!(self.multi_valued));
        object.insert("description".into(), json!(self.description));
        object.insert("required".into(), json!(self.required));
        if !self.sub_attributes.is_empty() {
            let subs: Vec<Value> = self.sub_attributes.iter().map(Self::to_json).collect();
            object.insert("subAttributes".into(), Value::Array(subs));
        }
        if !matches!(self.kind, AttrType::Complex | AttrType::Boolean) {
            object.insert("caseExact".into(), json!(self.case_exact));
        }
        if !self.canonical_values.is_empty() {
            object.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if !self.reference_types.is_empty() {
            object.insert("referenceTypes".into(), json!(self.reference_types));
        }
        object.insert("mutability".into(), json!(self.mutability.as_str()));
        object.insert("returned".into(), json!(self.returned.as_str()));
        if self.kind != AttrType::Complex {
            object.insert("uniqueness".into(), json!(self.uniqueness.as_str()));
        }
        Value::Object(object)
    }
}

/// A schema: an id (URN), a name, a description and attribute definitions (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The schema URN.
    pub id: &'static str,
    /// The human name, e.g. `User`.
    pub name: &'static str,
    /// A human description.
    pub description: &'static str,
    /// The attributes (without the common `id`, `externalId` and `meta`).
    pub attributes: &'static [Attribute],
}

impl Schema {
    /// The attribute called `name` (ignoring case).
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name.eq_ignore_ascii_case(name))
    }

    /// The schema resource served at `{base_url}/Schemas/{id}` (RFC 7643 §7, §8.7).
    /// `base_url` is the SCIM root, e.g. `https://host/scim/v2/{orgId}`, without trailing slash.
    pub fn to_json(&self, base_url: &str) -> Value {
        let attributes: Vec<Value> = self.attributes.iter().map(Attribute::to_json).collect();
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": attributes,
            "meta": {
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", base_url.trim_end_matches('/'), self.id),
            },
        })
    }
}
