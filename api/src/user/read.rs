//! GetUserByID, ListUsers, ListAuthenticationMethodTypes and ListIDPLinks.

use castellan_core::DomainError;
use castellan_core::permission::USER_READ;
use castellan_readers::queries::user::{
    self as user_queries, UserFilter, UserKindView, UserSort, UserStateView, UserView,
};
use castellan_readers::queries::{Paging, TextMatch};

use super::common::user_id;
use super::wire::{
    AccessTokenType, AuthenticationMethodType, GetUserByIdResponse, HumanEmail, HumanPhone,
    HumanProfile, HumanUser, ListAuthenticationMethodTypesResponse, ListIdpLinksRequest,
    ListIdpLinksResponse, ListUsersRequest, ListUsersResponse, MachineUser, SearchQuery, User,
    UserFieldName, UserIdRequest, UserState, UserType,
};
use crate::auth::Caller;
use crate::error::read_error;
use crate::proto::json::{Details, ListDetails};
use crate::state::AppState;
use crate::support::timestamp;

/// The deepest and/or/not nesting a search may use.
const MAX_DEPTH: usize = 10;

fn to_wire(user: UserView) -> User {
    let details = Details {
        sequence: u64::try_from(user.sequence).unwrap_or_default(),
        change_date: Some(timestamp(user.changed)),
        resource_owner: user.org_id.clone(),
    };
    let (human, machine) = match user.kind {
        UserKindView::Human => (
            Some(HumanUser {
                profile: HumanProfile {
                    given_name: user.given_name,
                    family_name: user.family_name,
                    nick_name: user.nick_name,
                    display_name: user.display_name,
                    preferred_language: user.preferred_language,
                    ..HumanProfile::default()
                },
                email: HumanEmail {
                    email: user.email,
                    is_verified: user.email_verified,
                },
                phone: HumanPhone {
                    phone: user.phone,
                    is_verified: user.phone_verified,
                },
                password_change_required: user.password_change_required,
                password_changed: user.password_changed.map(timestamp),
            }),
            None,
        ),
        UserKindView::Machine => (
            None,
            Some(MachineUser {
                name: user.name,
                description: user.description,
                has_secret: user.has_secret,
                access_token_type: if user.jwt_access_token {
                    AccessTokenType::Jwt
                } else {
                    AccessTokenType::Bearer
                },
            }),
        ),
    };
    User {
        user_id: user.id,
        details: Some(details),
        state: match user.state {
            UserStateView::Active => UserState::Active,
            UserStateView::Inactive => UserState::Inactive,
            UserStateView::Locked => UserState::Locked,
        },
        username: user.username,
        login_names: vec![user.login_name.clone()],
        preferred_login_name: user.login_name,
        human,
        machine,
    }
}

/// The user read model row, after the declared access resolved it (NotFound otherwise).
pub async fn get_view(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<UserView, DomainError> {
    user_queries::get_user(state.store(), &caller.instance.id, id)
        .await
        .map_err(read_error)?
        .ok_or_else(castellan_core::user::not_found)
}

pub async fn get_user_by_id(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<GetUserByIdResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let view = get_view(&state, &caller, &id).await?;
    let user = to_wire(view);
    Ok(GetUserByIdResponse {
        details: user.details.clone().unwrap_or_default(),
        user,
    })
}

fn text(query: &super::wire::TextQuery) -> (TextMatch, String) {
    (TextMatch::from(query.method), query.value.clone())
}

fn filter_of(query: &SearchQuery, depth: usize) -> Result<Option<UserFilter>, DomainError> {
    if depth > MAX_DEPTH {
        return Err(DomainError::invalid(
            "USERAPI-0020",
            format!("queries may be nested at most {MAX_DEPTH} deep"),
        ));
    }
    let mut found: Vec<Option<UserFilter>> = Vec::new();
    let mut leaf = |f: Option<UserFilter>| found.push(f);
    if let Some(q) = &query.user_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::Username(m, v)));
    }
    if let Some(q) = &query.first_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::FirstName(m, v)));
    }
    if let Some(q) = &query.last_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::LastName(m, v)));
    }
    if let Some(q) = &query.nick_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::NickName(m, v)));
    }
    if let Some(q) = &query.display_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::DisplayName(m, v)));
    }
    if let Some(q) = &query.email_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::Email(m, v)));
    }
    if let Some(q) = &query.phone_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::Phone(m, v)));
    }
    if let Some(q) = &query.login_name_query {
        let (m, v) = text(q);
        leaf(Some(UserFilter::LoginName(m, v)));
    }
    if let Some(q) = &query.state_query {
        leaf(match q.state {
            UserState::Active => Some(UserFilter::State(UserStateView::Active)),
            UserState::Inactive => Some(UserFilter::State(UserStateView::Inactive)),
            UserState::Locked => Some(UserFilter::State(UserStateView::Locked)),
            // Deleted users are gone; initial users do not exist here: nothing matches.
            UserState::Deleted | UserState::Initial => Some(UserFilter::Ids(Vec::new())),
            UserState::Unspecified => None,
        });
    }
    if let Some(q) = &query.type_query {
        leaf(match q.kind {
            UserType::Human => Some(UserFilter::Kind(UserKindView::Human)),
            UserType::Machine => Some(UserFilter::Kind(UserKindView::Machine)),
            UserType::Unspecified => None,
        });
    }
    if let Some(q) = &query.in_user_ids_query {
        leaf(Some(UserFilter::Ids(q.user_ids.clone())));
    }
    if let Some(q) = &query.in_user_emails_query {
        leaf(Some(UserFilter::Emails(q.user_emails.clone())));
    }
    if let Some(q) = &query.organization_id_query {
        leaf(Some(UserFilter::Org(q.organization_id.clone())));
    }
    if let Some(q) = &query.and_query {
        leaf(Some(UserFilter::And(filters_of(&q.queries, depth + 1)?)));
    }
    if let Some(q) = &query.or_query {
        leaf(Some(UserFilter::Or(filters_of(&q.queries, depth + 1)?)));
    }
    if let Some(q) = &query.not_query {
        let inner = match &q.query {
            Some(inner) => filter_of(inner, depth + 1)?,
            None => None,
        };
        let Some(inner) = inner else {
            return Err(DomainError::invalid(
                "USERAPI-0021",
                "notQuery needs a query",
            ));
        };
        leaf(Some(UserFilter::Not(Box::new(inner))));
    }
    if query.metadata_key_filter.is_some() || query.metadata_value_filter.is_some() {
        return Err(DomainError::new(
            castellan_core::ErrorKind::Unimplemented,
            "USERAPI-0022",
            "metadata filters are not supported yet",
        ));
    }
    match found.len() {
        0 => Err(DomainError::invalid(
            "USERAPI-0023",
            "a search query must set one query",
        )),
        1 => Ok(found.into_iter().next().flatten()),
        _ => Err(DomainError::invalid(
            "USERAPI-0024",
            "a search query must set only one query",
        )),
    }
}

fn filters_of(queries: &[SearchQuery], depth: usize) -> Result<Vec<UserFilter>, DomainError> {
    let mut filters = Vec::with_capacity(queries.len());
    for query in queries {
        if let Some(filter) = filter_of(query, depth)? {
            filters.push(filter);
        }
    }
    Ok(filters)
}

/// Lists the users the caller may read: every user with an instance-wide `user.read`,
/// otherwise only users of the orgs where the caller's roles grant it.
pub async fn list_users(
    state: AppState,
    caller: Caller,
    request: ListUsersRequest,
) -> Result<ListUsersResponse, DomainError> {
    let mut filters = filters_of(&request.queries, 0)?;
    if !caller.principal.has_instance_permission(USER_READ) {
        filters.push(UserFilter::Orgs(
            caller.principal.orgs_with_permission(USER_READ),
        ));
    }
    let sort = match request.sorting_column {
        UserFieldName::Unspecified => UserSort::Unspecified,
        UserFieldName::UserName => UserSort::Username,
        UserFieldName::FirstName => UserSort::FirstName,
        UserFieldName::LastName => UserSort::LastName,
        UserFieldName::NickName => UserSort::NickName,
        UserFieldName::DisplayName => UserSort::DisplayName,
        UserFieldName::Email => UserSort::Email,
        UserFieldName::State => UserSort::State,
        UserFieldName::Type => UserSort::Kind,
        UserFieldName::CreationDate => UserSort::CreationDate,
    };
    let list_query = request.query.unwrap_or_default();
    // The direction applies only when a column is named (as in ZITADEL).
    let paging = Paging {
        offset: list_query.offset,
        limit: list_query.limit,
        asc: list_query.asc || sort == UserSort::Unspecified,
    };
    let page = user_queries::list_users(
        state.store(),
        &caller.instance.id,
        &UserFilter::And(filters),
        sort,
        paging,
    )
    .await
    .map_err(read_error)?;
    Ok(ListUsersResponse {
        details: ListDetails {
            total_result: page.total,
            timestamp: Some(timestamp(state.clock.now())),
            ..ListDetails::default()
        },
        sorting_column: request.sorting_column,
        result: page.items.into_iter().map(to_wire).collect(),
    })
}

pub async fn list_authentication_method_types(
    state: AppState,
    caller: Caller,
    request: UserIdRequest,
) -> Result<ListAuthenticationMethodTypesResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    let view = get_view(&state, &caller, &id).await?;
    let types: Vec<_> = [
        (view.password_set, AuthenticationMethodType::Password),
        (view.otp_verified, AuthenticationMethodType::Totp),
    ]
    .into_iter()
    .filter_map(|(set, kind)| set.then_some(kind))
    .collect();
    Ok(ListAuthenticationMethodTypesResponse {
        details: ListDetails {
            total_result: types.len() as u64,
            timestamp: Some(timestamp(state.clock.now())),
            ..ListDetails::default()
        },
        auth_method_types: types,
    })
}

/// There are no identity providers yet, so no user has IdP links.
pub async fn list_idp_links(
    state: AppState,
    caller: Caller,
    request: ListIdpLinksRequest,
) -> Result<ListIdpLinksResponse, DomainError> {
    let id = user_id(&request.user_id)?;
    get_view(&state, &caller, &id).await?;
    Ok(ListIdpLinksResponse {
        details: ListDetails {
            timestamp: Some(timestamp(state.clock.now())),
            ..ListDetails::default()
        },
        result: Vec::new(),
    })
}
