//! Passwords, personal access tokens and client secrets.

use castellan_core::DomainError;
use castellan_core::clock::Timestamp;
use castellan_core::permission::USER_READ;
use castellan_core::user::{self, CodePurpose};
use castellan_readers::queries::Paging;
use castellan_readers::queries::user::{self as user_queries, TokenFilter};
use castellan_writer::secrets;

use super::common::{hash_secret, load, on_user, user_id};
use super::prepare::{NewCode, code_choice, decide_password, proven};
use super::wire::{
    AddPersonalAccessTokenRequest, AddPersonalAccessTokenResponse, AddSecretResponse, CodeResponse,
    DeletionDateResponse, DetailsResponse, ListPersonalAccessTokensRequest, PasswordResetRequest,
    RemovePersonalAccessTokenRequest, SetPasswordRequest, UserIdRequest,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::PaginationResponse;
use crate::state::AppState;
use crate::support::{committed_at, require_id, timestamp};

pub async fn set_password(
    state: AppState,
    caller: Caller,
    request: SetPasswordRequest,
) -> Result<DetailsResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let Some(new) = &request.new_password else {
        return Err(DomainError::invalid(
            "USERAPI-0030",
            "newPassword is required",
        ));
    };
    let rules =
        super::prepare::password_rules(&state, &caller.instance.id, caller.target_org()).await?;
    user::validate_password_against(&new.password, &rules.complexity)?;
    let current = load(&state, &caller, &id).await?.state;
    let hash = hash_secret(state.config.password_hasher, new.password.clone()).await?;
    let input = proven(
        state.config.password_hasher,
        hash,
        new.change_required,
        request.current_password.as_deref(),
        request.verification_code.as_deref(),
        Some(&current),
    )
    .await?;
    let (_, details) = on_user(&state, &caller, &id, |s, now| {
        decide_password(s, &input, now)
    })
    .await?;
    Ok(DetailsResponse { details })
}

pub async fn password_reset(
    state: AppState,
    caller: Caller,
    request: PasswordResetRequest,
) -> Result<CodeResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let code: NewCode = code_choice(
        CodePurpose::PasswordReset,
        request.send_link.as_ref(),
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

pub async fn add_personal_access_token(
    state: AppState,
    caller: Caller,
    request: AddPersonalAccessTokenRequest,
) -> Result<AddPersonalAccessTokenResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let token_id = state.writer.next_id();
    let (token, token_hash) = secrets::new_bearer_token();
    let expiration = request.expiration_date.map(|at| Timestamp(at.0));
    let (committed, _) = on_user(&state, &caller, &id, |s, now| {
        user::add_personal_access_token(s, token_id.clone(), token_hash.clone(), expiration, now)
    })
    .await?;
    Ok(AddPersonalAccessTokenResponse {
        creation_date: committed_at(&committed),
        token_id,
        token,
    })
}

pub async fn remove_personal_access_token(
    state: AppState,
    caller: Caller,
    request: RemovePersonalAccessTokenRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let token_id = require_id(&request.token_id, "token_id")?;
    let (committed, _) = on_user(&state, &caller, &id, |s, _| {
        user::remove_personal_access_token(s, &token_id)
    })
    .await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}

#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalAccessToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<crate::proto::timestamp::ProtoTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_date: Option<crate::proto::timestamp::ProtoTimestamp>,
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<crate::proto::timestamp::ProtoTimestamp>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPersonalAccessTokensResponse {
    pub pagination: PaginationResponse,
    pub result: Vec<PersonalAccessToken>,
}

/// Lists tokens of the users the caller may read, filtered by user, org or token id.
pub async fn list_personal_access_tokens(
    state: AppState,
    caller: Caller,
    request: ListPersonalAccessTokensRequest,
) -> Result<ListPersonalAccessTokensResponse, DomainError> {
    let mut filter = TokenFilter::default();
    for f in &request.filters {
        if f.created_date_filter.is_some() || f.expiration_date_filter.is_some() {
            return Err(DomainError::new(
                castellan_core::ErrorKind::Unimplemented,
                "USERAPI-0031",
                "date filters are not supported yet",
            ));
        }
        if let Some(user) = &f.user_id_filter {
            filter.user_id = Some(user.id.clone());
        }
        if let Some(org) = &f.organization_id_filter {
            filter.org_id = Some(org.id.clone());
        }
        if let Some(token) = &f.token_id_filter {
            filter.token_id = Some(token.id.clone());
        }
    }
    if !caller.principal.has_instance_permission(USER_READ) {
        filter.orgs = Some(caller.principal.orgs_with_permission(USER_READ));
    }
    let pagination = request.pagination.unwrap_or_default();
    let paging = Paging {
        offset: pagination.offset,
        limit: pagination.limit,
        asc: true,
    };
    let page = user_queries::list_tokens(state.store(), &caller.instance.id, &filter, paging)
        .await
        .map_err(read_error)?;
    Ok(ListPersonalAccessTokensResponse {
        pagination: PaginationResponse {
            total_result: page.total,
            applied_limit: u64::from(castellan_readers::queries::applied_limit(paging)),
        },
        result: page
            .items
            .into_iter()
            .map(|t| PersonalAccessToken {
                creation_date: Some(timestamp(t.created)),
                change_date: Some(timestamp(t.created)),
                id: t.token_id,
                user_id: t.user_id,
                organization_id: t.org_id,
                expiration_date: t.expiration.map(timestamp),
            })
            .collect(),
    })
}

pub async fn add_secret(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<AddSecretResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (secret, _) = secrets::new_bearer_token();
    let hash = hash_secret(state.config.password_hasher, secret.clone()).await?;
    let (committed, _) = on_user(&state, &caller, &id, |s, _| {
        user::set_secret(s, hash.clone())
    })
    .await?;
    Ok(AddSecretResponse {
        creation_date: committed_at(&committed),
        client_secret: secret,
    })
}

pub async fn remove_secret(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<DeletionDateResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let (committed, _) = on_user(&state, &caller, &id, |s, _| user::remove_secret(s)).await?;
    Ok(DeletionDateResponse {
        deletion_date: committed_at(&committed),
    })
}
