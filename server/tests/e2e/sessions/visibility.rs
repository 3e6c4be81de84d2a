//! Who sees, changes and deletes a session: its token holder, its creator, its user, and callers
//! holding the session permissions; everyone else gets NotFound.

use serde_json::json;

use super::super::support::{LedgerProbe, Server};
use super::{SESSIONS, add_user, call, code, ok, robot, session_ids};

#[tokio::test]
async fn sessions_are_seen_by_their_creator_and_by_readers_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    let admin = server.token.clone();
    add_user(&server, "bob-1", "bob", "Password1!").await;
    let nobody = robot(&server, &probe, "nobody", &[]).await;
    let login = robot(&server, &probe, "login", &["IAM_LOGIN_CLIENT"]).await;

    // Without session.write no session is created.
    let check =
        json!({"checks": {"user": {"userId": "bob-1"}, "password": {"password": "Password1!"}}});
    let denied = call(&server, SESSIONS, "CreateSession", check.clone(), &nobody).await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );

    // The login client's session; the admin's session.
    let (status, by_login) = call(&server, SESSIONS, "CreateSession", check.clone(), &login).await;
    assert_eq!(status, 200, "{by_login}");
    let login_session = by_login["sessionId"].as_str().unwrap().to_owned();
    let login_token = by_login["sessionToken"].as_str().unwrap().to_owned();
    let by_admin = ok(&server, SESSIONS, "CreateSession", json!({})).await;
    let admin_session = by_admin["sessionId"].as_str().unwrap().to_owned();

    // A caller without session.read sees no session, unless it presents the session's token.
    let hidden = call(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": login_session}),
        &nobody,
    )
    .await;
    assert_eq!(code(&hidden), (404, Some("not_found")), "{}", hidden.1);
    let wrong = json!({"sessionId": login_session, "sessionToken": "guess"});
    let guessed = call(&server, SESSIONS, "GetSession", wrong, &nobody).await;
    assert_eq!(code(&guessed), (404, Some("not_found")), "{}", guessed.1);
    let with_token = json!({"sessionId": login_session, "sessionToken": login_token});
    let shown = call(&server, SESSIONS, "GetSession", with_token, &nobody).await;
    assert_eq!(shown.0, 200, "{}", shown.1);
    let (status, listed) = call(&server, SESSIONS, "ListSessions", json!({}), &nobody).await;
    assert_eq!(status, 200, "{listed}");
    assert!(session_ids(&listed).is_empty(), "{listed}");
    // Nor may it delete or change one without its token.
    let delete = json!({"sessionId": login_session});
    let refused = call(&server, SESSIONS, "DeleteSession", delete.clone(), &nobody).await;
    assert_eq!(code(&refused), (404, Some("not_found")), "{}", refused.1);
    let refused = call(&server, SESSIONS, "SetSession", delete.clone(), &nobody).await;
    assert_eq!(code(&refused), (404, Some("not_found")), "{}", refused.1);

    // Readers (the admin, the login client) see every session; sorted by creation date.
    let all = json!({"sortingColumn": "SESSION_FIELD_NAME_CREATION_DATE", "query": {"asc": true}});
    let listed = ok(&server, SESSIONS, "ListSessions", all.clone()).await;
    assert_eq!(
        session_ids(&listed),
        [login_session.clone(), admin_session.clone()]
    );
    let (_, listed) = call(
        &server,
        SESSIONS,
        "ListSessions",
        json!({"queries": [{"creatorQuery": {}}]}),
        &login,
    )
    .await;
    assert_eq!(session_ids(&listed), [login_session.as_str()]);
    // Over REST, newest first.
    let (status, listed) = server
        .rest(
            reqwest::Method::POST,
            "/v2/sessions/search",
            Some(json!({"sorting_column": "SESSION_FIELD_NAME_CREATION_DATE"})),
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        session_ids(&listed),
        [admin_session.clone(), login_session.clone()]
    );

    // SetSession without a token needs session.write; DeleteSession without one session.delete.
    let (status, set) = call(
        &server,
        SESSIONS,
        "SetSession",
        json!({"sessionId": admin_session, "lifetime": "60s"}),
        &login,
    )
    .await;
    assert_eq!(status, 200, "{set}");
    let (status, deleted) = call(&server, SESSIONS, "DeleteSession", delete, &admin).await;
    assert_eq!(status, 200, "{deleted}");
    let gone = call(
        &server,
        SESSIONS,
        "GetSession",
        json!({"sessionId": login_session}),
        &admin,
    )
    .await;
    assert_eq!(code(&gone), (404, Some("not_found")));
}
