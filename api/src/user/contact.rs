//! Email, phone and invite codes. There is no SMTP or SMS yet: a "sent" code is recorded (its
//! hash) and not returned; `returnCode` hands it to the caller instead.

use castellan_core::DomainError;
use castellan_core::user::{self, CodePurpose};

use super::common::{check_secret, load, on_user, user_id};
use super::prepare::{EmailInput, PhoneInput, code_choice, decide_email, decide_phone};
use super::wire::{
    CodeRequest, CodeResponse, CreateInviteCodeResponse, DetailsResponse, SetContactRequest,
    UserIdRequest, VerifyCodeRequest,
};
use crate::auth::Caller;
use crate::state::AppState;

fn verification(request: &SetContactRequest) -> Result<(bool, bool), DomainError> {
    let set = [
        request.send_code.is_some(),
        request.return_code.is_some(),
        request.is_verified.is_some(),
    ];
    if set.iter().filter(|s| **s).count() > 1 {
        return Err(DomainError::invalid(
            "USERAPI-0002",
            "set at most one of sendCode, returnCode and isVerified",
        ));
    }
    Ok((
        request.is_verified.unwrap_or(false),
        request.return_code.is_some(),
    ))
}

/// How the caller of SetEmail wants the code delivered.
fn wanted(request: &SetContactRequest, returned: bool) -> super::prepare::Wanted {
    if returned {
        return super::prepare::Wanted::Returned;
    }
    super::prepare::Wanted::Sent {
        url_template: request
            .send_code
            .as_ref()
            .and_then(|s| s.url_template.clone()),
    }
}

pub async fn set_email(
    state: AppState,
    caller: Caller,
    request: SetContactRequest,
) -> Result<CodeResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (verified, returned) = verification(&request)?;
    let email = request.email.clone().unwrap_or_default();
    user::validate_email(&email)?;
    let code = if verified {
        None
    } else {
        Some(
            super::prepare::NewCode::generate(
                CodePurpose::Email,
                wanted(&request, returned),
                &state.master_key,
            )
            .await?,
        )
    };
    let input = EmailInput {
        email,
        verified,
        code,
    };
    let (_, details) = on_user(&state, &caller, &id, |s, now| decide_email(s, &input, now)).await?;
    Ok(CodeResponse {
        details,
        verification_code: input.code.as_ref().and_then(|c| c.shown()),
    })
}

pub async fn set_phone(
    state: AppState,
    caller: Caller,
    request: SetContactRequest,
) -> Result<CodeResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (verified, returned) = verification(&request)?;
    let phone = request.phone.clone().unwrap_or_default();
    user::validate_phone(&phone)?;
    let code = if verified {
        None
    } else {
        Some(
            super::prepare::NewCode::generate(
                CodePurpose::Phone,
                super::prepare::Wanted::returned(returned),
                &state.master_key,
            )
            .await?,
        )
    };
    let input = PhoneInput {
        phone,
        verified,
        code,
    };
    let (_, details) = on_user(&state, &caller, &id, |s, now| decide_phone(s, &input, now)).await?;
    Ok(CodeResponse {
        details,
        verification_code: input.code.as_ref().and_then(|c| c.shown()),
    })
}

async fn new_code(
    state: AppState,
    caller: Caller,
    request: CodeRequest,
    purpose: CodePurpose,
    resend: bool,
) -> Result<CodeResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    if resend {
        let current = load(&state, &caller, &id).await?.state;
        // An expired code may be resent; a missing one may not.
        if !current.codes.contains_key(&purpose) {
            return Err(DomainError::precondition(
                "USERAPI-0041",
                "There is no code to resend",
            ));
        }
    }
    let code = code_choice(
        purpose,
        request.send_code.as_ref(),
        request.return_code.as_ref(),
        &state.master_key,
    )
    .await?;
    let (_, details) = on_user(&state, &caller, &id, |s, now| code.decide(s, now)).await?;
    Ok(CodeResponse {
        details,
        verification_code: code.shown(),
    })
}

pub async fn resend_email_code(
    state: AppState,
    caller: Caller,
    request: CodeRequest,
) -> Result<CodeResponse, DomainError> {
    new_code(state, caller, request, CodePurpose::Email, true).await
}

pub async fn send_email_code(
    state: AppState,
    caller: Caller,
    request: CodeRequest,
) -> Result<CodeResponse, DomainError> {
    new_code(state, caller, request, CodePurpose::Email, false).await
}

pub async fn resend_phone_code(
    state: AppState,
    caller: Caller,
    request: CodeRequest,
) -> Result<CodeResponse, DomainError> {
    new_code(state, caller, request, CodePurpose::Phone, true).await
}

pub async fn create_invite_code(
    state: AppState,
    caller: Caller,
    request: CodeRequest,
) -> Result<CreateInviteCodeResponse, DomainError> {
    let response = new_code(state, caller, request, CodePurpose::Invite, false).await?;
    Ok(CreateInviteCodeResponse {
        details: response.details,
        invite_code: response.verification_code,
    })
}

pub async fn resend_invite_code(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    let request = CodeRequest {
        user_id: request.user_id,
        ..CodeRequest::default()
    };
    let response = new_code(state, caller, request, CodePurpose::Invite, true).await?;
    Ok(DetailsResponse {
        details: response.details,
    })
}

async fn verify(
    state: AppState,
    caller: Caller,
    request: VerifyCodeRequest,
    purpose: CodePurpose,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    if request.verification_code.trim().is_empty() {
        return Err(DomainError::invalid(
            "USERAPI-0040",
            "verificationCode is required",
        ));
    }
    let current = load(&state, &caller, &id).await?.state;
    let stored = user::pending_code(&current, purpose, state.clock.now())?;
    let matched = check_secret(
        state.config.password_hasher,
        request.verification_code.trim().to_owned(),
        stored.clone(),
    )
    .await?
    .matched;
    let (_, details) = on_user(&state, &caller, &id, |s, now| {
        // The code checked must still be the pending one.
        let still = s.codes.get(&purpose).is_some_and(|c| c.code_hash == stored);
        user::verify_code(s, purpose, matched && still, now)
    })
    .await?;
    Ok(DetailsResponse { details })
}

pub async fn verify_email(
    state: AppState,
    caller: Caller,
    request: VerifyCodeRequest,
) -> Result<DetailsResponse, DomainError> {
    verify(state, caller, request, CodePurpose::Email).await
}

pub async fn verify_phone(
    state: AppState,
    caller: Caller,
    request: VerifyCodeRequest,
) -> Result<DetailsResponse, DomainError> {
    verify(state, caller, request, CodePurpose::Phone).await
}

pub async fn verify_invite_code(
    state: AppState,
    caller: Caller,
    request: VerifyCodeRequest,
) -> Result<DetailsResponse, DomainError> {
    verify(state, caller, request, CodePurpose::Invite).await
}

pub async fn remove_phone(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (_, details) = on_user(&state, &caller, &id, |s, _| user::remove_phone(s)).await?;
    Ok(DetailsResponse { details })
}
