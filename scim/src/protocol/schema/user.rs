//! The core User schema (RFC 7643 §4.1, §8.7.1).

use super::model::{AttrType, Attribute, Mutability, Returned, Schema, Uniqueness};

/// `urn:ietf:params:scim:schemas:core:2.0:User`.
pub const USER_SCHEMA_ID: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

const WORK_HOME_OTHER: &[&str] = &["work", "home", "other"];

/// The sub-attributes shared by the plural string attributes (`emails`, `roles`, ...).
const fn plural_subs_with(value: Attribute, types: &'static [&'static str]) -> [Attribute; 4] {
    [
        value,
        Attribute::string(
            "display",
            "A human-readable name, primarily used for display.",
        ),
        Attribute::string("type", "A label indicating the attribute's function.").canonical(types),
        Attribute::boolean(
            "primary",
            "Whether this is the primary or preferred value; only one value may be primary.",
        ),
    ]
}

const EMAIL_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::string("value", "An email address, canonicalized as in RFC 5321."),
    WORK_HOME_OTHER,
);
const PHONE_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::string("value", "A phone number, canonicalized as in RFC 3966."),
    &["work", "home", "mobile", "fax", "pager", "other"],
);
const IM_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::string("value", "An instant messaging address."),
    &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
);
const PHOTO_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::reference("value", &["external"], "The URL of a photo of the user."),
    &["photo", "thumbnail"],
);
const ENTITLEMENT_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::string("value", "The value of an entitlement."),
    &[],
);
const ROLE_SUBS: [Attribute; 4] =
    plural_subs_with(Attribute::string("value", "The value of a role."), &[]);
const CERTIFICATE_SUBS: [Attribute; 4] = plural_subs_with(
    Attribute::new(
        "value",
        AttrType::Binary,
        "The DER-encoded X.509 certificate.",
    ),
    &[],
);

const NAME_SUBS: &[Attribute] = &[
    Attribute::string("formatted", "The full name, formatted for display."),
    Attribute::string("familyName", "The family name, or last name."),
    Attribute::string("givenName", "The given name, or first name."),
    Attribute::string("middleName", "The middle name(s)."),
    Attribute::string("honorificPrefix", "The honorific prefix(es), e.g. 'Ms.'."),
    Attribute::string("honorificSuffix", "The honorific suffix(es), e.g. 'III'."),
];

const ADDRESS_SUBS: &[Attribute] = &[
    Attribute::string(
        "formatted",
        "The full mailing address, formatted for display.",
    ),
    Attribute::string("streetAddress", "The full street address component."),
    Attribute::string("locality", "The city or locality component."),
    Attribute::string("region", "The state or region component."),
    Attribute::string("postalCode", "The zip code or postal code component."),
    Attribute::string(
        "country",
        "The country name component (ISO 3166-1 alpha-2).",
    ),
    Attribute::string("type", "A label indicating the address's function.")
        .canonical(WORK_HOME_OTHER),
    Attribute::boolean("primary", "Whether this is the primary address."),
];

const GROUP_MEMBERSHIP_SUBS: &[Attribute] = &[
    Attribute::string("value", "The id of the user's group.").mutability(Mutability::ReadOnly),
    Attribute::reference("$ref", &["User", "Group"], "The URI of the group.")
        .mutability(Mutability::ReadOnly),
    Attribute::string(
        "display",
        "A human-readable name, primarily used for display.",
    )
    .mutability(Mutability::ReadOnly),
    Attribute::string("type", "Whether the membership is direct or indirect.")
        .canonical(&["direct", "indirect"])
        .mutability(Mutability::ReadOnly),
];

const USER_ATTRIBUTES: &[Attribute] = &[
    Attribute::string(
        "userName",
        "Unique identifier for the user, used to sign in.",
    )
    .required()
    .uniqueness(Uniqueness::Server),
    Attribute::complex("name", NAME_SUBS, "The components of the user's real name."),
    Attribute::string("displayName", "The name of the user, suitable for display."),
    Attribute::string("nickName", "The casual way to address the user."),
    Attribute::reference(
        "profileUrl",
        &["external"],
        "A URI of the user's online profile.",
    ),
    Attribute::string("title", "The user's title, such as 'Vice President'."),
    Attribute::string(
        "userType",
        "The relationship between the organization and the user.",
    ),
    Attribute::string(
        "preferredLanguage",
        "The user's preferred written or spoken language.",
    ),
    Attribute::string("locale", "The user's default location for localization."),
    Attribute::string("timezone", "The user's time zone, in IANA 'Olson' format."),
    Attribute::boolean("active", "The user's administrative status."),
    Attribute::string(
        "password",
        "The user's cleartext password, for setting it only.",
    )
    .mutability(Mutability::WriteOnly)
    .returned(Returned::Never),
    Attribute::complex("emails", &EMAIL_SUBS, "Email addresses for the user.").multi(),
    Attribute::complex("phoneNumbers", &PHONE_SUBS, "Phone numbers for the user.").multi(),
    Attribute::complex("ims", &IM_SUBS, "Instant messaging addresses for the user.").multi(),
    Attribute::complex("photos", &PHOTO_SUBS, "URLs of photos of the user.").multi(),
    Attribute::complex("addresses", ADDRESS_SUBS, "Physical mailing addresses.").multi(),
    Attribute::complex(
        "groups",
        GROUP_MEMBERSHIP_SUBS,
        "The groups the user belongs to.",
    )
    .multi()
    .mutability(Mutability::ReadOnly),
    Attribute::complex(
        "entitlements",
        &ENTITLEMENT_SUBS,
        "Entitlements of the user.",
    )
    .multi(),
    Attribute::complex("roles", &ROLE_SUBS, "Roles of the user.").multi(),
    Attribute::complex("x509Certificates", &CERTIFICATE_SUBS, "X.509 certificates.").multi(),
];

/// The core User schema.
pub const USER_SCHEMA: Schema = Schema {
    id: USER_SCHEMA_ID,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRIBUTES,
};
