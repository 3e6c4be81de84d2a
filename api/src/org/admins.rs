//! AddOrganization's `admins`: existing users, or humans created with the org.

use castellan_core::settings::PasswordComplexityPolicy;
use castellan_core::user::{HumanProfile, NewHuman, validate_password_against};
use castellan_core::{DomainError, ErrorKind};
use castellan_writer::commands::org::NewAdmin;
use castellan_writer::secrets;

use super::wire::{
    AddHumanUserRequest, Admin, AdminUserType, EmailVerification, OrgSelector, PasswordType,
};
use crate::state::AppState;
use crate::support::{oneof, require_id};

fn unsupported(what: &str) -> DomainError {
    DomainError::new(
        ErrorKind::Unimplemented,
        "API-0020",
        format!("{what} is not supported yet when creating an admin (see issue #4)"),
    )
}

/// `complexity`: the password complexity new human admins must meet (the instance's effective
/// settings, since the org is being created).
pub async fn new_admin(
    state: &AppState,
    admin: &Admin,
    org_id: &str,
    complexity: &PasswordComplexityPolicy,
) -> Result<NewAdmin, DomainError> {
    match admin.user_type().map_err(oneof)? {
        Some(AdminUserType::UserId(user_id)) => Ok(NewAdmin::Existing {
            user_id: require_id(user_id, "admins.user_id")?,
            roles: admin.roles.clone(),
        }),
        Some(AdminUserType::Human(human)) => {
            let user_id = match human.user_id.as_deref() {
                Some(id) => require_id(id, "admins.human.user_id")?,
                None => state.writer.next_id(),
            };
            let human = new_human(human, org_id, complexity).await?;
            Ok(NewAdmin::Human {
                user_id,
                human,
                roles: admin.roles.clone(),
            })
        }
        None => Err(DomainError::invalid(
            "API-0021",
            "an admin needs a user_id or a human",
        )),
    }
}

async fn new_human(
    request: &AddHumanUserRequest,
    org_id: &str,
    complexity: &PasswordComplexityPolicy,
) -> Result<NewHuman, DomainError> {
    if let Some(org) = request
        .organization
        .as_ref()
        .map(|o| o.org())
        .transpose()
        .map_err(oneof)?
        .flatten()
    {
        match org {
            OrgSelector::Id(id) if id == org_id => {}
            _ => {
                return Err(DomainError::invalid(
                    "API-0022",
                    "an admin created with an organization belongs to that organization",
                ));
            }
        }
    }
    if request.phone.is_some() {
        return Err(unsupported("phone"));
    }
    if !request.metadata.is_empty() {
        return Err(unsupported("metadata"));
    }
    if !request.idp_links.is_empty() {
        return Err(unsupported("idp_links"));
    }
    if request.totp_secret.is_some() {
        return Err(unsupported("totp_secret"));
    }
    let Some(email) = &request.email else {
        return Err(DomainError::invalid(
            "API-0023",
            "a human admin needs an email",
        ));
    };
    let email_verified = match email.verification().map_err(oneof)? {
        Some(EmailVerification::IsVerified(verified)) => verified,
        None => false,
        Some(EmailVerification::SendCode(_)) | Some(EmailVerification::ReturnCode) => {
            return Err(unsupported("email verification codes"));
        }
    };
    let profile = request.profile.clone().unwrap_or_default();
    let (password_hash, password_change_required) = match request.password_type().map_err(oneof)? {
        Some(PasswordType::Password(password)) => {
            validate_password_against(&password.password, complexity)?;
            let plain = password.password.clone();
            let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&plain))
                .await
                .map_err(|e| DomainError::internal("API-0024", format!("hashing task: {e}")))??;
            (Some(hash), password.change_required)
        }
        Some(PasswordType::Hashed(hashed)) => {
            if !hashed.hash.starts_with("$argon2") {
                return Err(DomainError::invalid(
                    "API-0025",
                    "only argon2 PHC hashes can be imported for now",
                ));
            }
            (Some(hashed.hash.clone()), hashed.change_required)
        }
        None => (None, false),
    };
    Ok(NewHuman {
        // ZITADEL's rule: without a username, the email is the username.
        username: request
            .username
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| email.email.clone()),
        profile: HumanProfile {
            given_name: profile.given_name,
            family_name: profile.family_name,
            display_name: profile.display_name.unwrap_or_default(),
            nick_name: profile.nick_name.unwrap_or_default(),
            preferred_language: profile.preferred_language.unwrap_or_default(),
        },
        email: email.email.clone(),
        email_verified,
        password_hash,
        password_change_required,
    })
}
