//! Proto-JSON wire types of `zitadel.org.v2.OrganizationService`, as spoken by Connect
//! (unary, `application/json`) and the grpc-gateway REST mapping.
//!
//! Rules and decisions: `docs/design/0002-org-wire.md`. In short: camelCase names on
//! output, snake_case accepted on input; 64-bit integers as strings; enums by name;
//! timestamps as RFC 3339; defaults omitted; unknown request fields rejected; oneof
//! members flattened into `Option` fields with a `validate_oneofs`/accessor check.
//!
//! | RPC | request | response |
//! |---|---|---|
//! | AddOrganization | [`AddOrganizationRequest`] | [`AddOrganizationResponse`] |
//! | UpdateOrganization | [`UpdateOrganizationRequest`] | [`UpdateOrganizationResponse`] |
//! | ListOrganizations | [`ListOrganizationsRequest`] | [`ListOrganizationsResponse`] |
//! | DeleteOrganization | [`DeleteOrganizationRequest`] | [`DeleteOrganizationResponse`] |
//! | DeactivateOrganization | [`DeactivateOrganizationRequest`] | [`DeactivateOrganizationResponse`] |
//! | ActivateOrganization | [`ActivateOrganizationRequest`] | [`ActivateOrganizationResponse`] |
//! | AddOrganizationDomain | [`AddOrganizationDomainRequest`] | [`AddOrganizationDomainResponse`] |
//! | ListOrganizationDomains | [`ListOrganizationDomainsRequest`] | [`ListOrganizationDomainsResponse`] |
//! | DeleteOrganizationDomain | [`DeleteOrganizationDomainRequest`] | [`DeleteOrganizationDomainResponse`] |
//! | GenerateOrganizationDomainValidation | [`GenerateOrganizationDomainValidationRequest`] | [`GenerateOrganizationDomainValidationResponse`] |
//! | VerifyOrganizationDomain | [`VerifyOrganizationDomainRequest`] | [`VerifyOrganizationDomainResponse`] |
//! | SetOrganizationMetadata | [`SetOrganizationMetadataRequest`] | [`SetOrganizationMetadataResponse`] |
//! | ListOrganizationMetadata | [`ListOrganizationMetadataRequest`] | [`ListOrganizationMetadataResponse`] |
//! | DeleteOrganizationMetadata | [`DeleteOrganizationMetadataRequest`] | [`DeleteOrganizationMetadataResponse`] |
//!
//! Several RPCs share a message shape; their names are type aliases of one struct.

pub mod admin;
pub use crate::proto::json as common;
pub mod domain;
pub mod metadata;
pub mod organization;
pub mod routes;
pub use crate::proto::timestamp;

#[cfg(test)]
mod tests;

pub use admin::{
    AddHumanUserRequest, Admin, AdminUserType, CreatedAdmin, EmailVerification, Gender,
    HashedPassword, IdpLink, OrgSelector, OrganizationRef, Password, PasswordType,
    PhoneVerification, ReturnEmailVerificationCode, ReturnPhoneVerificationCode,
    SendEmailVerificationCode, SendPhoneVerificationCode, SetHumanEmail, SetHumanPhone,
    SetHumanProfile, SetMetadataEntry,
};
pub use common::{
    Details, ListDetails, ListQuery, OneofError, PaginationRequest, PaginationResponse, ProtoEnum,
    ProtoInt, ProtoTimestamp, TextFilterMethod, TextQueryMethod, TimestampError, bytes_b64, int32,
    int64, null_as_default,
};
pub use domain::{
    AddOrganizationDomainRequest, AddOrganizationDomainResponse, DeleteOrganizationDomainRequest,
    DeleteOrganizationDomainResponse, Domain, DomainFieldName, DomainSearchFilter,
    DomainValidationType, GenerateOrganizationDomainValidationRequest,
    GenerateOrganizationDomainValidationResponse, ListOrganizationDomainsRequest,
    ListOrganizationDomainsResponse, OrganizationDomainRequest, VerifyOrganizationDomainRequest,
    VerifyOrganizationDomainResponse,
};
pub use metadata::{
    DeleteOrganizationMetadataRequest, DeleteOrganizationMetadataResponse,
    ListOrganizationMetadataRequest, ListOrganizationMetadataResponse, Metadata, MetadataEntry,
    MetadataKeyFilter, MetadataSearchFilter, SetOrganizationMetadataRequest,
    SetOrganizationMetadataResponse,
};
pub use organization::{
    ActivateOrganizationRequest, ActivateOrganizationResponse, AddOrganizationRequest,
    AddOrganizationResponse, ChangeDateResponse, DeactivateOrganizationRequest,
    DeactivateOrganizationResponse, DefaultOrganizationQuery, DeleteOrganizationRequest,
    DeleteOrganizationResponse, DeletionDateResponse, ListOrganizationsRequest,
    ListOrganizationsResponse, Organization, OrganizationDomainQuery, OrganizationFieldName,
    OrganizationIdQuery, OrganizationIdRequest, OrganizationNameQuery, OrganizationState,
    OrganizationStateQuery, SearchQuery, SearchQueryKind, UpdateOrganizationRequest,
    UpdateOrganizationResponse,
};
pub use routes::{ROUTES, RestRoute, SERVICE, match_rest, route_for_connect_path, route_for_rpc};
