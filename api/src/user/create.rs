//! CreateUser (humans and machines) and the older AddHumanUser.

use base64::Engine;
use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::event::Decision;
use castellan_core::user::{self, HumanProfile, NewHuman, User, UserEvent};
use castellan_writer::commands::user::CreateUser;

use super::common::details;
use super::prepare::{
    EmailInput, PasswordInput, PasswordRules, PhoneInput, chain, decide_password, decide_phone,
    email_input, password_input, password_rules, phone_input, profile,
};
use super::wire::{
    AddHumanUserRequest, AddHumanUserResponse, CreateUserRequest, CreateUserResponse, HumanInput,
    OrgSelectorRef, PasswordType, ProfileInput, SetPasswordInput,
};
use crate::auth::Caller;
use crate::state::AppState;
use crate::support::{committed_at, execute, oneof, require_id};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Everything a new human needs, validated and hashed.
struct HumanSpec {
    username: Option<String>,
    profile: ProfileInput,
    email: EmailInput,
    phone: Option<PhoneInput>,
    password: Option<PasswordInput>,
    metadata: Vec<(String, String)>,
    /// The org the username is unique within, when the domain settings make usernames unique
    /// per org (`UserLoginMustBeDomain`); `None`: unique in the instance.
    username_org: Option<String>,
}

/// Where a new user's username must be unique: in its org when the org's effective domain
/// settings require login names with the org's domain, else in the whole instance.
async fn username_scope(
    state: &AppState,
    instance_id: &str,
    org_id: &str,
) -> Result<Option<String>, DomainError> {
    let policy = castellan_readers::queries::settings::domain(state.store(), instance_id, org_id)
        .await
        .map_err(crate::error::read_error)?;
    Ok(policy.user_login_must_be_domain.then(|| org_id.to_owned()))
}

impl HumanSpec {
    fn decide(&self, state: &User, now: Timestamp) -> Result<Decision<UserEvent>, DomainError> {
        let new = NewHuman {
            // ZITADEL's rule: without a username, the email is the username.
            username: self
                .username
                .clone()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| self.email.email.clone()),
            profile: profile(&self.profile, &HumanProfile::default()),
            email: self.email.email.clone(),
            email_verified: self.email.verified,
            password_hash: None,
            password_change_required: false,
        };
        let mut decision = user::add_human(state, new)?;
        if let Some(org) = &self.username_org {
            decision = user::scope_username_to_org(decision, org);
        }
        if let Some(code) = &self.email.code {
            decision = chain(state, decision, |s| code.decide(s, now))?;
        }
        if let Some(phone) = &self.phone {
            decision = chain(state, decision, |s| decide_phone(s, phone, now))?;
        }
        if let Some(password) = &self.password {
            decision = chain(state, decision, |s| decide_password(s, password, now))?;
        }
        if !self.metadata.is_empty() {
            decision = chain(state, decision, |s| user::set_metadata(s, &self.metadata))?;
        }
        Ok(decision)
    }

    fn codes(&self) -> (Option<String>, Option<String>) {
        (
            self.email.code.as_ref().and_then(|c| c.shown()),
            self.phone
                .as_ref()
                .and_then(|p| p.code.as_ref())
                .and_then(|c| c.shown()),
        )
    }
}

async fn human_spec(
    username: Option<String>,
    human: &HumanInput,
    metadata: Vec<(String, String)>,
    rules: &PasswordRules,
    key: &castellan_jose::MasterKey,
) -> Result<HumanSpec, DomainError> {
    let Some(email) = &human.email else {
        return Err(DomainError::invalid(
            "USERAPI-0010",
            "a human needs an email",
        ));
    };
    let profile = human.profile.clone().unwrap_or_default();
    if profile
        .given_name
        .as_deref()
        .is_none_or(|n| n.trim().is_empty())
        || profile
            .family_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
    {
        return Err(DomainError::invalid(
            "USER-0005",
            "Given name and family name are required",
        ));
    }
    user::validate_email(&email.email)?;
    let email = email_input(email, key).await?;
    let phone = match &human.phone {
        Some(phone) if !phone.phone.trim().is_empty() => {
            user::validate_phone(&phone.phone)?;
            Some(phone_input(phone, key).await?)
        }
        _ => None,
    };
    // The proto's `hashedPassword` sits next to `password` on the new human.
    let hashed = human
        .hashed_password
        .clone()
        .map(|hashed| SetPasswordInput {
            hashed_password: Some(hashed),
            ..SetPasswordInput::default()
        });
    let password = match human.password.as_ref().or(hashed.as_ref()) {
        Some(input) => {
            if input.current_password.is_some() || input.verification_code.is_some() {
                return Err(DomainError::invalid(
                    "USERAPI-0011",
                    "a new user's password needs no currentPassword or verificationCode",
                ));
            }
            Some(password_input(rules, input, None).await?)
        }
        None => None,
    };
    Ok(HumanSpec {
        username,
        profile,
        email,
        phone,
        password,
        metadata,
        username_org: None,
    })
}

fn chosen_id(state: &AppState, requested: Option<&str>) -> Result<String, DomainError> {
    match requested.filter(|id| !id.trim().is_empty()) {
        Some(id) => require_id(id, "user_id"),
        None => Ok(state.writer.next_id()),
    }
}

pub async fn create_user(
    state: AppState,
    caller: Caller,
    request: CreateUserRequest,
) -> Result<CreateUserResponse, DomainError> {
    let org_id = caller.target_org().to_owned();
    require_id(&org_id, "organization_id")?;
    let id = chosen_id(&state, request.user_id.as_deref())?;
    match (&request.human, &request.machine) {
        (Some(human), None) => {
            let mut spec = human_spec(
                request.username.clone(),
                human,
                Vec::new(),
                &password_rules(&state, &caller.instance.id, &org_id).await?,
                &state.master_key,
            )
            .await?;
            spec.username_org = username_scope(&state, &caller.instance.id, &org_id).await?;
            let command = CreateUser {
                org_id,
                user_id: id.clone(),
                decide: |s: &User, now: Timestamp| spec.decide(s, now),
            };
            let committed = execute(&state, &caller, &command).await?;
            let (email_code, phone_code) = spec.codes();
            Ok(CreateUserResponse {
                id,
                creation_date: committed_at(&committed),
                email_code,
                phone_code,
            })
        }
        (None, Some(machine)) => {
            let username = request
                .username
                .clone()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| id.clone());
            let name = machine.name.clone().unwrap_or_default();
            let description = machine.description.clone().unwrap_or_default();
            let scope = username_scope(&state, &caller.instance.id, &org_id).await?;
            let command = CreateUser {
                org_id,
                user_id: id.clone(),
                decide: |s: &User, _now: Timestamp| {
                    let decision = user::add_machine(s, &username, &name, &description)?;
                    Ok(match &scope {
                        Some(org) => user::scope_username_to_org(decision, org),
                        None => decision,
                    })
                },
            };
            let committed = execute(&state, &caller, &command).await?;
            Ok(CreateUserResponse {
                id,
                creation_date: committed_at(&committed),
                ..CreateUserResponse::default()
            })
        }
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "USERAPI-0012",
            "set only one of human and machine",
        )),
        (None, None) => Err(DomainError::invalid(
            "USERAPI-0013",
            "a user needs human or machine",
        )),
    }
}

pub async fn add_human_user(
    state: AppState,
    caller: Caller,
    request: AddHumanUserRequest,
) -> Result<AddHumanUserResponse, DomainError> {
    request.validate_oneofs().map_err(oneof)?;
    let org_id = caller.target_org().to_owned();
    let selected = request
        .organization
        .as_ref()
        .map(|o| o.org())
        .transpose()
        .map_err(oneof)?
        .flatten();
    if let Some(OrgSelectorRef::Domain(_)) = selected {
        return Err(DomainError::invalid(
            "USERAPI-0014",
            "select the organization by orgId",
        ));
    }
    if !request.idp_links.is_empty() || request.totp_secret.is_some() {
        return Err(DomainError::new(
            castellan_core::ErrorKind::Unimplemented,
            "USERAPI-0015",
            "idpLinks and totpSecret are not supported yet",
        ));
    }
    let id = chosen_id(&state, request.user_id.as_deref())?;
    let password = match request.password_type().map_err(oneof)? {
        Some(PasswordType::Password(p)) => Some(SetPasswordInput {
            password: Some(p.clone()),
            ..SetPasswordInput::default()
        }),
        Some(PasswordType::Hashed(h)) => Some(SetPasswordInput {
            hashed_password: Some(h.clone()),
            ..SetPasswordInput::default()
        }),
        None => None,
    };
    let human = HumanInput {
        profile: request.profile.clone().map(ProfileInput::from),
        email: request.email.clone(),
        phone: request.phone.clone(),
        password,
        hashed_password: None,
    };
    let metadata = request
        .metadata
        .iter()
        .map(|m| (m.key.clone(), B64.encode(&m.value)))
        .collect();
    let mut spec = human_spec(
        request.username.clone(),
        &human,
        metadata,
        &password_rules(&state, &caller.instance.id, &org_id).await?,
        &state.master_key,
    )
    .await?;
    spec.username_org = username_scope(&state, &caller.instance.id, &org_id).await?;
    let command = CreateUser {
        org_id: org_id.clone(),
        user_id: id.clone(),
        decide: |s: &User, now: Timestamp| spec.decide(s, now),
    };
    let committed = execute(&state, &caller, &command).await?;
    let (email_code, phone_code) = spec.codes();
    Ok(AddHumanUserResponse {
        details: details(&committed, &id, &org_id),
        user_id: id,
        email_code,
        phone_code,
    })
}
