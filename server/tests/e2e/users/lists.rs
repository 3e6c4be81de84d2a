//! ListUsers: every query type, nesting, sorting and paging.

use serde_json::json;

use super::{call_as, fails, get_user, ok, usernames};
use crate::e2e::support::{LedgerProbe, Server};

#[tokio::test]
async fn users_are_listed_filtered_sorted_and_paged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    for (id, username, given, family, email) in [
        ("u-1", "carol", "Carol", "Zed", "carol@example.com"),
        ("u-2", "alice", "Alice", "Young", "alice@example.com"),
        ("u-3", "bob", "Bob", "Xavier", "bob@other.test"),
    ] {
        ok(
            &server,
            "CreateUser",
            json!({"userId": id, "username": username,
                   "human": {"profile": {"givenName": given, "familyName": family},
                             "email": {"email": email, "isVerified": true}}}),
        )
        .await;
    }
    ok(
        &server,
        "CreateUser",
        json!({"userId": "u-4", "username": "deployer", "machine": {"name": "Deployer"}}),
    )
    .await;
    ok(&server, "LockUser", json!({"userId": "u-3"})).await;

    let humans = json!({"typeQuery": {"type": "TYPE_HUMAN"}});
    let by_name = ok(
        &server,
        "ListUsers",
        json!({"sortingColumn": "USER_FIELD_NAME_USER_NAME", "query": {"asc": true},
               "queries": [humans]}),
    )
    .await;
    // The first admin is a human too.
    let names = usernames(&by_name);
    assert!(
        names
            .windows(2)
            .all(|w| w[0].to_lowercase() <= w[1].to_lowercase()),
        "{names:?}"
    );
    assert!(names.contains(&"alice".to_owned()) && !names.contains(&"deployer".to_owned()));

    let page = ok(
        &server,
        "ListUsers",
        json!({"sortingColumn": "USER_FIELD_NAME_LAST_NAME", "query": {"limit": 2, "offset": "1"},
               "queries": [{"inUserIdsQuery": {"userIds": ["u-1", "u-2", "u-3"]}}]}),
    )
    .await;
    // Descending by family name: Zed, Young, Xavier; the second page of size 2 starts at Young.
    assert_eq!(usernames(&page), ["alice", "bob"]);
    assert_eq!(page["details"]["totalResult"], "3");

    let cases = [
        (
            json!({"userNameQuery": {"userName": "AL", "method": "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}),
            vec!["alice"],
        ),
        (
            json!({"firstNameQuery": {"firstName": "Carol"}}),
            vec!["carol"],
        ),
        (
            json!({"lastNameQuery": {"lastName": "avi", "method": "TEXT_QUERY_METHOD_CONTAINS"}}),
            vec!["bob"],
        ),
        (
            json!({"emailQuery": {"emailAddress": "other.test", "method": "TEXT_QUERY_METHOD_ENDS_WITH"}}),
            vec!["bob"],
        ),
        (
            json!({"stateQuery": {"state": "USER_STATE_LOCKED"}}),
            vec!["bob"],
        ),
        (
            json!({"andQuery": {"queries": [{"typeQuery": {"type": "TYPE_MACHINE"}}, {"inUserIdsQuery": {"userIds": ["u-1", "u-4"]}}]}}),
            vec!["deployer"],
        ),
        (
            json!({"inUserEmailsQuery": {"userEmails": ["CAROL@example.com"]}}),
            vec!["carol"],
        ),
        (
            json!({"loginNameQuery": {"loginName": "deployer@", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}}),
            vec!["deployer"],
        ),
        (
            json!({"orQuery": {"queries": [{"userNameQuery": {"userName": "bob"}}, {"userNameQuery": {"userName": "carol"}}]}}),
            vec!["carol", "bob"],
        ),
        (
            json!({"andQuery": {"queries": [{"inUserIdsQuery": {"userIds": ["u-1", "u-2"]}}, {"notQuery": {"query": {"userNameQuery": {"userName": "carol"}}}}]}}),
            vec!["alice"],
        ),
        (
            json!({"displayNameQuery": {"displayName": "Alice Young"}}),
            vec!["alice"],
        ),
    ];
    for (query, expected) in cases {
        let listed = ok(&server, "ListUsers", json!({"queries": [query.clone()]})).await;
        assert_eq!(usernames(&listed), expected, "{query}");
    }
    let org = get_user(&server, "u-1").await["details"]["resourceOwner"].clone();
    let in_org = ok(
        &server,
        "ListUsers",
        json!({"queries": [{"organizationIdQuery": {"organizationId": org}}, humans]}),
    )
    .await;
    assert!(usernames(&in_org).contains(&"carol".to_owned()));
    let elsewhere = ok(
        &server,
        "ListUsers",
        json!({"queries": [{"organizationIdQuery": {"organizationId": "other"}}]}),
    )
    .await;
    assert_eq!(usernames(&elsewhere), Vec::<String>::new());

    // Bad queries.
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"queries": [{}]}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"queries": [{"userNameQuery": {"userName": "a"}, "typeQuery": {"type": "TYPE_HUMAN"}}]}),
        "invalid_argument",
    )
    .await;
    fails(
        &server,
        &probe,
        "ListUsers",
        json!({"sortingColumn": "NOT_A_COLUMN"}),
        "invalid_argument",
    )
    .await;
}

#[tokio::test]
async fn lists_are_narrowed_to_the_orgs_where_the_caller_reads_users() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    // A machine in the default org, made user manager of a new org "Other".
    ok(
        &server,
        "CreateUser",
        json!({"userId": "mgr-1", "machine": {"name": "Manager"}}),
    )
    .await;
    let (status, other) = server
        .connect(
            "AddOrganization",
            json!({"name": "Other", "admins": [{"userId": "mgr-1", "roles": ["ORG_USER_MANAGER"]}]}),
        )
        .await;
    assert_eq!(status, 200, "{other}");
    let other_id = other["organizationId"].as_str().unwrap().to_owned();
    ok(
        &server,
        "CreateUser",
        json!({"userId": "o-1", "username": "otto", "organizationId": other_id,
               "human": {"profile": {"givenName": "Otto", "familyName": "O"},
                         "email": {"email": "otto@example.com", "isVerified": true}}}),
    )
    .await;
    let token = ok(
        &server,
        "AddPersonalAccessToken",
        json!({"userId": "mgr-1"}),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, listed) = call_as(&server, "ListUsers", json!({}), &token).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(usernames(&listed), ["otto"]);
    assert_eq!(listed["details"]["totalResult"], "1");
    // Users elsewhere look like they do not exist; writes there are denied and write nothing.
    let (status, error) = call_as(&server, "GetUserByID", json!({"userId": "mgr-1"}), &token).await;
    assert_eq!((status, error["code"].as_str()), (404, Some("not_found")));
    let (status, user) = call_as(&server, "GetUserByID", json!({"userId": "o-1"}), &token).await;
    assert_eq!(
        (status, user["user"]["username"].as_str()),
        (200, Some("otto"))
    );
    let before = probe.head().await;
    let (status, error) = call_as(
        &server,
        "CreateUser",
        json!({"machine": {"name": "Sneaky"}}),
        &token,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (403, Some("permission_denied")),
        "{error}"
    );
    assert_eq!(probe.head().await, before);
    // In its org it may create users.
    let (status, created) = call_as(
        &server,
        "CreateUser",
        json!({"organizationId": other_id, "machine": {"name": "Helper"}}),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let (_, listed) = call_as(&server, "ListPersonalAccessTokens", json!({}), &token).await;
    // The manager's own token belongs to a user of the default org: not listed.
    assert_eq!(listed["result"], json!([]));
}
