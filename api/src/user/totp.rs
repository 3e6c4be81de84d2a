//! TOTP generators: RegisterTOTP (a fresh secret, sealed with the master key before it reaches
//! an event, the user id bound as associated data), VerifyTOTPRegistration (a code checked at
//! the writer's time) and RemoveTOTP.

use castellan_core::DomainError;
use castellan_core::user::{self, User};
use castellan_writer::commands::totp::{RegisterTotp, RemoveTotp, VerifyTotpRegistration};
use castellan_writer::totp::{self, UnsealedSecret};
use serde::{Deserialize, Serialize};

use super::common::{details, load, user_id};
use super::read::get_view;
use super::wire::{DetailsResponse, UserIdRequest};
use crate::auth::Caller;
use crate::proto::json::Details;
use crate::state::AppState;
use crate::support::execute;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterTotpResponse {
    pub details: Details,
    pub uri: String,
    pub secret: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifyTotpRegistrationRequest {
    pub user_id: String,
    pub code: String,
}

/// Seals a TOTP secret of `user_id` with the master key.
pub fn seal(state: &AppState, user_id: &str, secret: &[u8]) -> Result<String, DomainError> {
    state
        .master_key
        .encrypt(secret, user_id.as_bytes())
        .map_err(|e| DomainError::internal("USERAPI-0060", format!("seal TOTP secret: {e}")))
}

/// Unseals a user's TOTP secret (`verified`: the login generator, else the pending one).
pub fn unseal(
    state: &AppState,
    user_id: &str,
    user: &User,
    verified: bool,
) -> Result<UnsealedSecret, DomainError> {
    let sealed = user::otp_secret(user, verified)?;
    let secret = state
        .master_key
        .decrypt(sealed, user_id.as_bytes())
        .map_err(|_| {
            DomainError::internal(
                "USERAPI-0061",
                "The TOTP secret cannot be unsealed: is CASTELLAN_MASTERKEY the one it was sealed with?",
            )
        })?;
    Ok(UnsealedSecret {
        sealed_secret: sealed.to_owned(),
        secret: secret.to_vec(),
    })
}

pub async fn register_totp(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<RegisterTotpResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let view = get_view(&state, &caller, &id).await?;
    let secret = totp::new_secret();
    let command = RegisterTotp {
        user_id: id.clone(),
        sealed_secret: seal(&state, &id, &secret)?,
    };
    let committed = execute(&state, &caller, &command).await?;
    let issuer = if caller.instance.domain.is_empty() {
        caller.instance.name.clone()
    } else {
        caller.instance.domain.clone()
    };
    let account = if view.login_name.is_empty() {
        view.username.clone()
    } else {
        view.login_name.clone()
    };
    Ok(RegisterTotpResponse {
        details: details(&committed, &id, &committed.output),
        uri: totp::uri(&issuer, &account, &secret),
        secret: totp::base32(&secret),
    })
}

pub async fn verify_totp_registration(
    state: AppState,
    caller: Caller,
    request: VerifyTotpRegistrationRequest,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    if request.code.trim().is_empty() {
        return Err(DomainError::invalid("USERAPI-0062", "code is required"));
    }
    let loaded = load(&state, &caller, &id).await?;
    let command = VerifyTotpRegistration {
        user_id: id.clone(),
        secret: unseal(&state, &id, &loaded.state, false)?,
        code: request.code,
    };
    let committed = execute(&state, &caller, &command).await?;
    Ok(DetailsResponse {
        details: details(&committed, &id, &committed.output),
    })
}

pub async fn remove_totp(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let command = RemoveTotp {
        user_id: id.clone(),
    };
    let committed = execute(&state, &caller, &command).await?;
    Ok(DetailsResponse {
        details: details(&committed, &id, &committed.output),
    })
}
