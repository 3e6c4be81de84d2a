//! UpdateUser, UpdateHumanUser, Deactivate/Reactivate/Lock/Unlock/DeleteUser.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::user::{self, User, UserEvent, UserKind};

use super::common::{load, on_user, user_id};
use super::prepare::{
    EmailInput, PasswordInput, PhoneInput, chain, decide_email, decide_password, decide_phone,
    email_input, password_input, phone_input, profile,
};
use super::wire::{
    DetailsResponse, HumanInput, MachineInput, ProfileInput, UpdateHumanUserRequest,
    UpdateHumanUserResponse, UpdateUserRequest, UpdateUserResponse, UserIdRequest,
};
use crate::auth::Caller;
use crate::state::AppState;
use crate::support::committed_at;

/// The prepared parts of an update.
#[derive(Default)]
struct Changes {
    username: Option<String>,
    profile: Option<ProfileInput>,
    email: Option<EmailInput>,
    phone: Option<PhoneInput>,
    password: Option<PasswordInput>,
    machine: Option<MachineInput>,
}

impl Changes {
    fn decide(&self, state: &User, now: Timestamp) -> Result<Decision<UserEvent>, DomainError> {
        let mut decision = Decision::default();
        if let Some(username) = &self.username {
            decision = chain(state, decision, |s| user::change_username(s, username))?;
        }
        if let Some(input) = &self.profile {
            decision = chain(state, decision, |s| {
                user::change_profile(s, profile(input, &s.profile))
            })?;
        }
        if let Some(email) = &self.email {
            decision = chain(state, decision, |s| decide_email(s, email, now))?;
        }
        if let Some(phone) = &self.phone {
            decision = chain(state, decision, |s| decide_phone(s, phone, now))?;
        }
        if let Some(password) = &self.password {
            decision = chain(state, decision, |s| decide_password(s, password, now))?;
        }
        if let Some(machine) = &self.machine {
            decision = chain(state, decision, |s| {
                user::change_machine(
                    s,
                    machine.name.as_deref(),
                    machine.description.as_deref(),
                    None,
                )
            })?;
        }
        Ok(decision)
    }

    fn codes(&self) -> (Option<String>, Option<String>) {
        (
            self.email
                .as_ref()
                .and_then(|e| e.code.as_ref())
                .and_then(|c| c.shown()),
            self.phone
                .as_ref()
                .and_then(|p| p.code.as_ref())
                .and_then(|c| c.shown()),
        )
    }
}

async fn human_changes(
    current: &User,
    username: Option<String>,
    human: &HumanInput,
    rules: &super::prepare::PasswordRules,
    key: &castellan_jose::MasterKey,
) -> Result<Changes, DomainError> {
    if current.kind != UserKind::Human {
        return Err(DomainError::precondition(
            "USER-0013",
            "This is available for human users only",
        ));
    }
    let email = match &human.email {
        Some(email) => Some(email_input(email, key).await?),
        None => None,
    };
    let phone = match &human.phone {
        Some(phone) => Some(phone_input(phone, key).await?),
        None => None,
    };
    let password = match &human.password {
        Some(input) => Some(password_input(rules, input, Some(current)).await?),
        None => None,
    };
    Ok(Changes {
        username,
        profile: human.profile.clone(),
        email,
        phone,
        password,
        machine: None,
    })
}

pub async fn update_user(
    state: AppState,
    caller: Caller,
    request: UpdateUserRequest,
) -> Result<UpdateUserResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let current = load(&state, &caller, &id).await?.state;
    let changes = match (&request.human, &request.machine) {
        (Some(human), None) => {
            human_changes(
                &current,
                request.username.clone(),
                human,
                &super::prepare::password_rules(&state, &caller.instance.id, caller.target_org())
                    .await?,
                &state.master_key,
            )
            .await?
        }
        (None, Some(machine)) => Changes {
            username: request.username.clone(),
            machine: Some(machine.clone()),
            ..Changes::default()
        },
        (None, None) => Changes {
            username: request.username.clone(),
            ..Changes::default()
        },
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "USERAPI-0012",
                "set only one of human and machine",
            ));
        }
    };
    let (committed, _) = on_user(&state, &caller, &id, |s, now| changes.decide(s, now)).await?;
    let (email_code, phone_code) = changes.codes();
    Ok(UpdateUserResponse {
        change_date: committed_at(&committed),
        email_code,
        phone_code,
    })
}

pub async fn update_human_user(
    state: AppState,
    caller: Caller,
    request: UpdateHumanUserRequest,
) -> Result<UpdateHumanUserResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let current = load(&state, &caller, &id).await?.state;
    let human = HumanInput {
        profile: request.profile.clone().map(ProfileInput::from),
        email: request.email.clone(),
        phone: request.phone.clone(),
        password: request.password.clone(),
        hashed_password: None,
    };
    let changes = human_changes(
        &current,
        request.username.clone(),
        &human,
        &super::prepare::password_rules(&state, &caller.instance.id, caller.target_org()).await?,
        &state.master_key,
    )
    .await?;
    let (_, details) = on_user(&state, &caller, &id, |s, now| changes.decide(s, now)).await?;
    let (email_code, phone_code) = changes.codes();
    Ok(UpdateHumanUserResponse {
        details,
        email_code,
        phone_code,
    })
}

async fn simple(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
    decide: fn(&User) -> Result<Decision<UserEvent>, DomainError>,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (_, details) = on_user(&state, &caller, &id, |s, _| decide(s)).await?;
    Ok(DetailsResponse { details })
}

pub async fn deactivate_user(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    simple(state, caller, request, user::deactivate).await
}

pub async fn reactivate_user(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    simple(state, caller, request, user::reactivate).await
}

pub async fn lock_user(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    simple(state, caller, request, user::lock).await
}

pub async fn unlock_user(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    simple(state, caller, request, user::unlock).await
}

pub async fn delete_user(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DetailsResponse, DomainError> {
    simple(state, caller, request, user::remove).await
}
