//! The Enterprise User extension (RFC 7643 §4.3) and the Group schema (§4.2).

use super::model::{Attribute, Mutability, Schema};

/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
pub const ENTERPRISE_USER_SCHEMA_ID: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// `urn:ietf:params:scim:schemas:core:2.0:Group`.
pub const GROUP_SCHEMA_ID: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

const MANAGER_SUBS: &[Attribute] = &[
    Attribute::string(
        "value",
        "The id of the SCIM resource representing the manager.",
    ),
    Attribute::reference("$ref", &["User"], "The URI of the manager's SCIM resource."),
    Attribute::string("displayName", "The displayName of the manager.")
        .mutability(Mutability::ReadOnly),
];

const ENTERPRISE_ATTRIBUTES: &[Attribute] = &[
    Attribute::string(
        "employeeNumber",
        "A string identifier assigned by the organization.",
    ),
    Attribute::string("costCenter", "The name of a cost center."),
    Attribute::string("organization", "The name of an organization."),
    Attribute::string("division", "The name of a division."),
    Attribute::string("department", "The name of a department."),
    Attribute::complex("manager", MANAGER_SUBS, "The user's manager."),
];

/// The Enterprise User extension schema.
pub const ENTERPRISE_USER_SCHEMA: Schema = Schema {
    id: ENTERPRISE_USER_SCHEMA_ID,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRIBUTES,
};

const MEMBER_SUBS: &[Attribute] = &[
    Attribute::string("value", "The id of the member resource.")
        .case_exact()
        .mutability(Mutability::Immutable),
    Attribute::reference(
        "$ref",
        &["User", "Group"],
        "The URI of the member resource.",
    )
    .mutability(Mutability::Immutable),
    Attribute::string("display", "A human-readable name of the member.")
        .mutability(Mutability::ReadOnly),
    Attribute::string("type", "The type of the member resource.")
        .canonical(&["User", "Group"])
        .mutability(Mutability::Immutable),
];

const GROUP_ATTRIBUTES: &[Attribute] = &[
    Attribute::string("displayName", "A human-readable name for the group.").required(),
    Attribute::complex("members", MEMBER_SUBS, "The members of the group.").multi(),
];

/// The Group schema.
pub const GROUP_SCHEMA: Schema = Schema {
    id: GROUP_SCHEMA_ID,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRIBUTES,
};
