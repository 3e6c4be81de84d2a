//! GetSession and ListSessions.
//!
//! Who sees a session (ZITADEL's rules, as far as Castellan keeps the data): whoever presents
//! its current token, the caller that created it, its checked user, and callers holding
//! `session.read` on the instance or on the org of its checked user. ZITADEL also lets a caller
//! whose token has the session's user agent see it; Castellan's API tokens carry no user agent,
//! so that rule is not applied. A session the caller may not see answers NotFound, like one that
//! does not exist, also when a wrong token is given (a guessed id is never confirmed).
//! ListSessions returns only the sessions the caller may see; an expired session is still
//! returned (with its `expirationDate`) until it is deleted, as in ZITADEL.

use std::collections::HashMap;

use castellan_api::auth::Caller;
use castellan_api::error::read_error;
use castellan_api::proto::ListDetails;
use castellan_api::state::AppState;
use castellan_core::DomainError;
use castellan_readers::queries::oidc::{self as oidc_queries, SessionView};
use castellan_readers::queries::user::get_user;
use castellan_readers::queries::{Page, Paging, SortedWindow};
use castellan_writer::secrets::token_hash;

use super::support::{decode_user_agent, given_token, not_found, own, permitted, session_id};
use super::wire::{
    Factors, GetSessionResponse, ListSessionsRequest, ListSessionsResponse, SearchQuery, Session,
    SessionFieldName, SessionIdRequest, UserFactor, VerifiedFactor,
};
use crate::service::{SESSION_READ, proto_time};

/// Login and display names of the sessions' users, looked up once per user.
struct UserNames<'a> {
    state: &'a AppState,
    instance_id: &'a str,
    known: HashMap<String, (String, String)>,
}

impl UserNames<'_> {
    async fn of(&mut self, user_id: &str) -> Result<(String, String), DomainError> {
        if let Some(names) = self.known.get(user_id) {
            return Ok(names.clone());
        }
        let names = get_user(self.state.store(), self.instance_id, user_id)
            .await
            .map_err(read_error)?
            .map(|user| (user.login_name, user.display_name))
            .unwrap_or_default();
        self.known.insert(user_id.to_owned(), names.clone());
        Ok(names)
    }

    async fn session(&mut self, view: SessionView) -> Result<Session, DomainError> {
        let user = if view.user_id.is_empty() {
            None
        } else {
            let (login_name, display_name) = self.of(&view.user_id).await?;
            Some(UserFactor {
                verified_at: view.user_checked_at.map(proto_time),
                id: view.user_id.clone(),
                login_name,
                display_name,
                organization_id: view.org_id.clone(),
            })
        };
        let verified = |at: Option<castellan_core::clock::Timestamp>| {
            at.map(|at| VerifiedFactor {
                verified_at: proto_time(at),
            })
        };
        Ok(Session {
            id: view.id,
            creation_date: proto_time(view.created),
            change_date: proto_time(view.changed),
            sequence: u64::try_from(view.sequence).unwrap_or_default(),
            factors: Factors {
                user,
                password: verified(view.password_checked_at),
                totp: verified(view.totp_checked_at),
            },
            metadata: view.metadata,
            user_agent: decode_user_agent(&view.user_agent),
            expiration_date: view.expiration.map(proto_time),
        })
    }
}

pub async fn get_session(
    state: AppState,
    caller: Caller,
    request: SessionIdRequest,
) -> Result<GetSessionResponse, DomainError> {
    let id = session_id(&request.session_id)?;
    let view = oidc_queries::session(state.store(), &caller.instance.id, &id)
        .await
        .map_err(read_error)?
        .ok_or_else(not_found)?;
    let by_token = given_token(request.session_token.as_deref())
        .is_some_and(|token| castellan_core::ct_eq(&view.token_hash, &token_hash(token)));
    let visible = by_token
        || own(&caller.principal, &view)
        || permitted(&caller.principal, SESSION_READ, &view);
    if !visible {
        return Err(not_found());
    }
    let mut names = UserNames {
        state: &state,
        instance_id: &caller.instance.id,
        known: HashMap::new(),
    };
    Ok(GetSessionResponse {
        session: names.session(view).await?,
    })
}

/// One search query, checked: exactly one member of the oneof.
fn validate_query(query: &SearchQuery) -> Result<(), DomainError> {
    let set = [
        query.ids_query.is_some(),
        query.user_id_query.is_some(),
        query.creation_date_query.is_some(),
        query.creator_query.is_some(),
        query.user_agent_query.is_some(),
        query.expiration_date_query.is_some(),
    ]
    .into_iter()
    .filter(|set| *set)
    .count();
    if set == 1 {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "SESSION-0207",
            "each query must set exactly one of idsQuery, userIdQuery, creationDateQuery, \
             creatorQuery, userAgentQuery, expirationDateQuery",
        ))
    }
}

/// Whether a session matches one query. `caller_id` fills an empty creator query (ZITADEL: the
/// calling user).
fn matches(query: &SearchQuery, view: &SessionView, caller_id: &str) -> bool {
    if let Some(q) = &query.ids_query {
        return q.ids.contains(&view.id);
    }
    if let Some(q) = &query.user_id_query {
        return view.user_id == q.id;
    }
    if let Some(q) = &query.creation_date_query {
        let reference = q.creation_date.map_or(0, |at| at.0);
        return q.method.matches(view.created.0, reference);
    }
    if let Some(q) = &query.creator_query {
        let creator =
            q.id.as_deref()
                .filter(|id| !id.is_empty())
                .unwrap_or(caller_id);
        return view.creator == creator;
    }
    if let Some(q) = &query.user_agent_query {
        let fingerprint =
            decode_user_agent(&view.user_agent).and_then(|agent| agent.fingerprint_id);
        return q.fingerprint_id.is_some() && fingerprint == q.fingerprint_id;
    }
    if let Some(q) = &query.expiration_date_query {
        let reference = q.expiration_date.map_or(0, |at| at.0);
        return view
            .expiration
            .is_some_and(|at| q.method.matches(at.0, reference));
    }
    false
}

pub async fn list_sessions(
    state: AppState,
    caller: Caller,
    request: ListSessionsRequest,
) -> Result<ListSessionsResponse, DomainError> {
    for query in &request.queries {
        validate_query(query)?;
    }
    if request.queries.iter().any(|q| {
        q.user_agent_query
            .as_ref()
            .is_some_and(|q| q.fingerprint_id.is_none())
    }) {
        // ZITADEL takes the fingerprint from the caller's token; API tokens carry none.
        return Err(DomainError::invalid(
            "SESSION-0208",
            "userAgentQuery needs a fingerprintId: the caller's token carries no user agent",
        ));
    }
    let list_query = request.query.unwrap_or_default();
    let by_creation = request.sorting_column == SessionFieldName::CreationDate;
    let paging = Paging {
        offset: list_query.offset,
        limit: list_query.limit,
        // The id order has no direction in ZITADEL: it is ascending.
        asc: list_query.asc || !by_creation,
    };
    let principal = &caller.principal;
    let selected = |view: &SessionView| {
        (own(principal, view) || permitted(principal, SESSION_READ, view))
            && request
                .queries
                .iter()
                .all(|query| matches(query, view, &principal.user_id))
    };
    let store = state.store();
    let instance_id = &caller.instance.id;
    let page: Page<SessionView> = if by_creation {
        // Walk every page, keeping the best `offset + limit` by creation time (then id).
        let mut window = SortedWindow::new(paging);
        oidc_queries::list_sessions(store, instance_id, paging, |view| {
            if selected(view) {
                window.offer((view.created, view.id.clone()), view.clone());
            }
            false
        })
        .await
        .map_err(read_error)?;
        window.finish()
    } else {
        oidc_queries::list_sessions(store, instance_id, paging, selected)
            .await
            .map_err(read_error)?
    };
    let mut names = UserNames {
        state: &state,
        instance_id,
        known: HashMap::new(),
    };
    let mut sessions = Vec::with_capacity(page.items.len());
    for view in page.items {
        sessions.push(names.session(view).await?);
    }
    Ok(ListSessionsResponse {
        details: ListDetails {
            total_result: page.total,
            timestamp: Some(proto_time(state.clock.now())),
            ..ListDetails::default()
        },
        sessions,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use castellan_core::clock::Timestamp;

    fn view() -> SessionView {
        SessionView {
            id: "s1".into(),
            user_id: "u1".into(),
            org_id: "o1".into(),
            token_hash: String::new(),
            user_checked_at: None,
            password_checked_at: None,
            totp_checked_at: None,
            metadata: Default::default(),
            expiration: Some(Timestamp(50)),
            user_agent: r#"{"fingerprintId":"fp"}"#.into(),
            creator: "admin".into(),
            created: Timestamp(10),
            changed: Timestamp(20),
            sequence: 3,
        }
    }

    fn query(json: serde_json::Value) -> SearchQuery {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn queries_match_one_field_each() {
        let v = view();
        let yes = [
            serde_json::json!({"idsQuery": {"ids": ["x", "s1"]}}),
            serde_json::json!({"userIdQuery": {"id": "u1"}}),
            serde_json::json!({"creatorQuery": {}}),
            serde_json::json!({"userAgentQuery": {"fingerprintId": "fp"}}),
            serde_json::json!({"creationDateQuery": {"creationDate": "1970-01-01T00:00:00.000011Z", "method": "TIMESTAMP_QUERY_METHOD_LESS"}}),
            serde_json::json!({"expirationDateQuery": {"expirationDate": "1970-01-01T00:00:00.000050Z"}}),
        ];
        for json in yes {
            let q = query(json.clone());
            validate_query(&q).unwrap();
            assert!(matches(&q, &v, "admin"), "{json}");
        }
        let no = [
            serde_json::json!({"idsQuery": {"ids": ["x"]}}),
            serde_json::json!({"userIdQuery": {"id": "u2"}}),
            serde_json::json!({"creatorQuery": {"id": "someone"}}),
            serde_json::json!({"userAgentQuery": {"fingerprintId": "other"}}),
            serde_json::json!({"creationDateQuery": {"creationDate": "1970-01-01T00:00:00.000010Z", "method": "TIMESTAMP_QUERY_METHOD_GREATER"}}),
        ];
        for json in no {
            assert!(!matches(&query(json.clone()), &v, "admin"), "{json}");
        }
        assert!(validate_query(&query(serde_json::json!({}))).is_err());
        assert!(
            validate_query(&query(
                serde_json::json!({"idsQuery": {}, "userIdQuery": {"id": "u1"}})
            ))
            .is_err()
        );
    }
}
