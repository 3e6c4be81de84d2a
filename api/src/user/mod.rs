//! `zitadel.user.v2.UserService`.
//!
//! Decisions worth knowing:
//! - Usernames are unique per instance, case-insensitively (a `username` claim, lower-cased by
//!   the ledger). A human without a username gets the email, a machine its id. The login name is
//!   `username@<primary domain of the user's org>`.
//! - Secrets never reach an event: passwords and client secrets as argon2id PHC strings (cost from
//!   `PasswordHasher`), one-time codes (email, phone, password reset, invite) as argon2id hashes,
//!   PATs as SHA-256, keys as their public half. Imported bcrypt/argon2/pbkdf2/scrypt hashes are
//!   verified as they are and replaced by argon2id at the next password change. Codes are hashed
//!   and checked before the command runs (slow work happens once, off the runtime); the command
//!   then checks the stored hash is still the one that was checked.
//! - TOTP (RegisterTOTP, VerifyTOTPRegistration, RemoveTOTP): 20 random bytes, sealed with the
//!   master key (the user id as associated data) before they reach an event; codes are RFC 6238
//!   (SHA-1, 6 digits, 30 s, ±1 step) checked at the writer's time.
//! - There is no SMTP/SMS yet: "sending" a code records it; `returnCode` returns it instead.
//! - Lists walk the read store page by page (bounded by the requested page, not the tenant);
//!   sorting by a column keeps only the best `offset + limit` rows while walking.
//! - Deactivated and locked users' tokens do not authenticate; deleting a user revokes its
//!   tokens and keys, frees its username and forgets its owner row and memberships.
//! - Not yet: self-service (a user acting on themselves without `user.write`), metadata filters
//!   in ListUsers, date filters for tokens and keys, IdP links, passkeys, OTP by SMS or email, the newer
//!   `HumanUser` fields (gender, avatar), sending codes.

mod common;
mod contact;
mod create;
mod credentials;
mod keys;
mod lifecycle;
mod metadata;
mod prepare;
pub use prepare::SEALED_CODE_CONTEXT;
mod read;
pub mod totp;
pub mod wire;

use axum::Router;
use castellan_core::permission::{USER_DELETE, USER_READ, USER_WRITE};
use castellan_readers::queries::owner;

use crate::access::Access;
use crate::rpc::{RestBinding, Rpc, router as rpc_router, rpc};
use crate::state::AppState;

pub const SERVICE: &str = "zitadel.user.v2.UserService";

/// The permission on the owner of the user named by the request's `userId`.
const fn on_user(permission: &'static str) -> Access {
    Access::Resource {
        permission,
        kind: owner::USER,
        field: "userId",
    }
}

const fn rest(method: &'static str, path: &'static str, body: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method,
        path,
        body,
        success_code: 200,
        repeated: &[],
    })
}

/// A creating POST: REST answers 201 (the proto's `http_response.success_code`).
const fn created(path: &'static str) -> Option<RestBinding> {
    Some(RestBinding {
        method: "POST",
        path,
        body: "*",
        success_code: 201,
        repeated: &[],
    })
}

fn rpcs() -> Vec<Rpc> {
    let write = on_user(USER_WRITE);
    let read = on_user(USER_READ);
    vec![
        rpc(
            "CreateUser",
            created("/v2/users/new"),
            Access::Org {
                permission: USER_WRITE,
                field: "organizationId",
            },
            create::create_user,
        ),
        rpc(
            "AddHumanUser",
            created("/v2/users/human"),
            Access::Org {
                permission: USER_WRITE,
                field: "organization.orgId",
            },
            create::add_human_user,
        ),
        rpc(
            "GetUserByID",
            rest("GET", "/v2/users/{userId}", ""),
            read,
            read::get_user_by_id,
        ),
        rpc(
            "ListUsers",
            rest("POST", "/v2/users", "*"),
            Access::Anywhere(USER_READ),
            read::list_users,
        ),
        rpc(
            "UpdateUser",
            rest("PATCH", "/v2/users/{userId}", "*"),
            write,
            lifecycle::update_user,
        ),
        rpc(
            "UpdateHumanUser",
            rest("PUT", "/v2/users/human/{userId}", "*"),
            write,
            lifecycle::update_human_user,
        ),
        rpc(
            "DeactivateUser",
            rest("POST", "/v2/users/{userId}/deactivate", "*"),
            write,
            lifecycle::deactivate_user,
        ),
        rpc(
            "ReactivateUser",
            rest("POST", "/v2/users/{userId}/reactivate", "*"),
            write,
            lifecycle::reactivate_user,
        ),
        rpc(
            "LockUser",
            rest("POST", "/v2/users/{userId}/lock", "*"),
            write,
            lifecycle::lock_user,
        ),
        rpc(
            "UnlockUser",
            rest("POST", "/v2/users/{userId}/unlock", "*"),
            write,
            lifecycle::unlock_user,
        ),
        rpc(
            "DeleteUser",
            rest("DELETE", "/v2/users/{userId}", ""),
            on_user(USER_DELETE),
            lifecycle::delete_user,
        ),
        rpc(
            "SetPassword",
            rest("POST", "/v2/users/{userId}/password", "*"),
            write,
            credentials::set_password,
        ),
        rpc(
            "PasswordReset",
            rest("POST", "/v2/users/{userId}/password_reset", "*"),
            write,
            credentials::password_reset,
        ),
        rpc(
            "SetUserMetadata",
            rest("POST", "/v2/users/{userId}/metadata", "*"),
            write,
            metadata::set_metadata,
        ),
        rpc(
            "ListUserMetadata",
            rest("POST", "/v2/users/{userId}/metadata/search", "*"),
            read,
            metadata::list_metadata,
        ),
        rpc("DeleteUserMetadata", None, write, metadata::delete_metadata),
        rpc(
            "AddPersonalAccessToken",
            rest("POST", "/v2/users/{userId}/pats", "*"),
            write,
            credentials::add_personal_access_token,
        ),
        rpc(
            "ListPersonalAccessTokens",
            rest("POST", "/v2/users/pats/search", "*"),
            Access::Anywhere(USER_READ),
            credentials::list_personal_access_tokens,
        ),
        rpc(
            "RemovePersonalAccessToken",
            rest("DELETE", "/v2/users/{userId}/pats/{tokenId}", ""),
            write,
            credentials::remove_personal_access_token,
        ),
        rpc(
            "AddSecret",
            rest("POST", "/v2/users/{userId}/secret", "*"),
            write,
            credentials::add_secret,
        ),
        rpc(
            "RemoveSecret",
            rest("DELETE", "/v2/users/{userId}/secret", ""),
            write,
            credentials::remove_secret,
        ),
        rpc(
            "AddKey",
            rest("POST", "/v2/users/{userId}/keys", "*"),
            write,
            keys::add_key,
        ),
        rpc(
            "ListKeys",
            rest("POST", "/v2/users/keys/search", "*"),
            Access::Anywhere(USER_READ),
            keys::list_keys,
        ),
        rpc(
            "RemoveKey",
            rest("DELETE", "/v2/users/{userId}/keys/{keyId}", ""),
            write,
            keys::remove_key,
        ),
        rpc(
            "SetEmail",
            rest("POST", "/v2/users/{userId}/email", "*"),
            write,
            contact::set_email,
        ),
        rpc(
            "ResendEmailCode",
            rest("POST", "/v2/users/{userId}/email/resend", "*"),
            write,
            contact::resend_email_code,
        ),
        rpc(
            "SendEmailCode",
            rest("POST", "/v2/users/{userId}/email/send", "*"),
            write,
            contact::send_email_code,
        ),
        rpc(
            "VerifyEmail",
            rest("POST", "/v2/users/{userId}/email/verify", "*"),
            write,
            contact::verify_email,
        ),
        rpc(
            "SetPhone",
            rest("POST", "/v2/users/{userId}/phone", "*"),
            write,
            contact::set_phone,
        ),
        rpc(
            "ResendPhoneCode",
            rest("POST", "/v2/users/{userId}/phone/resend", "*"),
            write,
            contact::resend_phone_code,
        ),
        rpc(
            "VerifyPhone",
            rest("POST", "/v2/users/{userId}/phone/verify", "*"),
            write,
            contact::verify_phone,
        ),
        rpc(
            "RemovePhone",
            rest("DELETE", "/v2/users/{userId}/phone", "*"),
            write,
            contact::remove_phone,
        ),
        rpc(
            "CreateInviteCode",
            rest("POST", "/v2/users/{userId}/invite_code", "*"),
            write,
            contact::create_invite_code,
        ),
        rpc(
            "ResendInviteCode",
            rest("POST", "/v2/users/{userId}/invite_code/resend", "*"),
            write,
            contact::resend_invite_code,
        ),
        rpc(
            "VerifyInviteCode",
            rest("POST", "/v2/users/{userId}/invite_code/verify", "*"),
            write,
            contact::verify_invite_code,
        ),
        rpc(
            "RegisterTOTP",
            rest("POST", "/v2/users/{userId}/totp", "*"),
            write,
            totp::register_totp,
        ),
        rpc(
            "VerifyTOTPRegistration",
            rest("POST", "/v2/users/{userId}/totp/verify", "*"),
            write,
            totp::verify_totp_registration,
        ),
        rpc(
            "RemoveTOTP",
            rest("DELETE", "/v2/users/{userId}/totp", ""),
            write,
            totp::remove_totp,
        ),
        rpc(
            "ListIDPLinks",
            rest("POST", "/v2/users/{userId}/links/_search", "*"),
            read,
            read::list_idp_links,
        ),
        rpc(
            "ListAuthenticationMethodTypes",
            rest("GET", "/v2/users/{userId}/authentication_methods", ""),
            read,
            read::list_authentication_method_types,
        ),
    ]
}

pub fn router() -> Router<AppState> {
    rpc_router(SERVICE, rpcs())
}

/// The Connect paths this service implements.
pub fn served_methods() -> Vec<String> {
    crate::rpc::method_paths(SERVICE, &rpcs())
}
