//! End-to-end tests of the GroupService over Connect: groups of an org, their members, who may
//! manage them, and a deleted user leaving every group.

use castellan_core::permission::ORG_OWNER;
use castellan_writer::CommandContext;
use castellan_writer::commands::user::AddMachineWithToken;
use castellan_writer::ledger::{EventFilter, Ledger};
use castellan_writer::secrets;
use serde_json::{Value, json};

use super::projects::{add_org, call_as, code, total};
use super::support::{LedgerProbe, Server};

const GROUPS: &str = "zitadel.group.v2.GroupService";

async fn group(server: &Server, method: &str, body: Value) -> (u16, Value) {
    call_as(server, GROUPS, method, body, &server.token.clone()).await
}

fn ids(list: &Value, field: &str, name: &str) -> Vec<String> {
    list[field]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i[name].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn member_ids(list: &Value) -> Vec<String> {
    list["groupUsers"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["user"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Appends a machine user with a token (and org roles) through the writer; returns the token.
async fn machine(probe: &LedgerProbe, org: &str, id: &str, roles: &[&str]) -> String {
    let instance = probe
        .ledger
        .read(&EventFilter {
            aggregate_types: vec!["instance".into()],
            limit: 1,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    let ctx = CommandContext {
        instance_id: instance[0].instance_id.clone(),
        creator: "e2e".into(),
    };
    let (token, token_hash) = secrets::new_bearer_token();
    let command = AddMachineWithToken {
        org_id: org.into(),
        user_id: id.into(),
        username: id.into(),
        name: id.into(),
        token_id: format!("{id}-token"),
        token_hash,
        expiration: None,
        org_roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    };
    probe.writer().execute(&ctx, &command).await.unwrap();
    token
}

/// Waits until the server has projected the machine user (its token authenticates).
async fn until_known(server: &Server, token: &str) -> (u16, Value) {
    let mut last = (0, json!(null));
    for _ in 0..100 {
        last = call_as(server, GROUPS, "ListGroups", json!({}), token).await;
        if last.0 != 401 {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

#[tokio::test]
async fn groups_and_their_members_through_connect() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let probe = LedgerProbe::open(dir.path()).await;
    add_org(&server, "acme", "Acme").await;
    add_org(&server, "globex", "Globex").await;
    let nobody = machine(&probe, "acme", "alice", &[]).await;
    machine(&probe, "acme", "carol", &[]).await;
    machine(&probe, "globex", "bob", &[]).await;
    let globex_owner = machine(&probe, "globex", "globex-owner", &[ORG_OWNER]).await;
    assert_eq!(until_known(&server, &globex_owner).await.0, 200);

    // Create, then the same name again (case-insensitively) in the same org.
    let (status, created) = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "acme", "name": " Admins ", "description": "The admins"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let admins = created["id"].as_str().unwrap().to_owned();
    assert!(
        created["creationDate"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    let duplicate = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "acme", "name": "ADMINS"}),
    )
    .await;
    assert_eq!(
        code(&duplicate),
        (409, Some("already_exists")),
        "{}",
        duplicate.1
    );
    let (status, _) = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "globex", "name": "Admins", "id": "globex-admins"}),
    )
    .await;
    assert_eq!(status, 200);
    let no_org = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "nope", "name": "X"}),
    )
    .await;
    assert_eq!(code(&no_org), (404, Some("not_found")), "{}", no_org.1);
    let no_name = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "acme", "name": "  "}),
    )
    .await;
    assert_eq!(
        code(&no_name),
        (400, Some("invalid_argument")),
        "{}",
        no_name.1
    );

    // Get and list.
    let (status, got) = group(&server, "GetGroup", json!({"id": admins})).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["group"]["name"], "Admins");
    assert_eq!(got["group"]["description"], "The admins");
    assert_eq!(got["group"]["organizationId"], "acme");
    let unknown = group(&server, "GetGroup", json!({"id": "nope"})).await;
    assert_eq!(code(&unknown), (404, Some("not_found")));
    let (status, listed) = group(&server, "ListGroups", json!({})).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(total(&listed), 2);
    let (_, in_acme) = group(
        &server,
        "ListGroups",
        json!({"filters": [{"organizationId": {"id": "acme"}}]}),
    )
    .await;
    assert_eq!(ids(&in_acme, "groups", "id"), [admins.as_str()]);
    let (_, by_name) = group(
        &server,
        "ListGroups",
        json!({"filters": [{"nameFilter": {"name": "admin", "method": "TEXT_FILTER_METHOD_CONTAINS_IGNORE_CASE"}}]}),
    )
    .await;
    assert_eq!(total(&by_name), 2);

    // Update: a rename, then the same values again (a success that changes nothing).
    let before = probe.head().await;
    let (status, updated) = group(
        &server,
        "UpdateGroup",
        json!({"id": admins, "name": "Owners"}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert!(updated["changeDate"].is_string());
    assert!(probe.head().await > before);
    let before = probe.head().await;
    let (status, same) = group(
        &server,
        "UpdateGroup",
        json!({"id": admins, "name": "Owners", "description": "The admins"}),
    )
    .await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["changeDate"], updated["changeDate"]);
    assert_eq!(probe.head().await, before);

    // Members: only users of the group's org; the others are reported, not added.
    let (status, added) = group(
        &server,
        "AddUsersToGroup",
        json!({"id": admins, "userIds": ["alice", "bob", "carol", "ghost"]}),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["failedUserIds"], json!(["bob", "ghost"]));
    let (status, again) = group(
        &server,
        "AddUsersToGroup",
        json!({"id": admins, "userIds": ["alice"]}),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert!(again.get("failedUserIds").is_none());
    let members_of = json!({"filters": [{"groupIds": {"ids": [admins]}}]});
    let (status, members) = group(&server, "ListGroupUsers", members_of.clone()).await;
    assert_eq!(status, 200, "{members}");
    assert_eq!(member_ids(&members), ["alice", "carol"]);
    assert_eq!(members["groupUsers"][0]["groupId"], admins.as_str());
    assert_eq!(members["groupUsers"][0]["organizationId"], "acme");
    let (status, removed) = group(
        &server,
        "RemoveUsersFromGroup",
        json!({"id": admins, "userIds": ["carol", "bob"]}),
    )
    .await;
    assert_eq!(status, 200, "{removed}");
    let (_, members) = group(&server, "ListGroupUsers", members_of.clone()).await;
    assert_eq!(member_ids(&members), ["alice"]);
    let (status, _) = group(
        &server,
        "AddUsersToGroup",
        json!({"id": admins, "userIds": ["carol"]}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, of_alice) = group(
        &server,
        "ListGroupUsers",
        json!({"filters": [{"userIds": {"ids": ["alice"]}}]}),
    )
    .await;
    assert_eq!(ids(&of_alice, "groupUsers", "groupId"), [admins.as_str()]);

    // Without a group permission: denied; an owner of another org: as if the group did not exist.
    let denied = call_as(&server, GROUPS, "GetGroup", json!({"id": admins}), &nobody).await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );
    let denied = call_as(
        &server,
        GROUPS,
        "CreateGroup",
        json!({"organizationId": "acme", "name": "Mine"}),
        &nobody,
    )
    .await;
    assert_eq!(
        code(&denied),
        (403, Some("permission_denied")),
        "{}",
        denied.1
    );
    let hidden = call_as(
        &server,
        GROUPS,
        "AddUsersToGroup",
        json!({"id": admins, "userIds": ["bob"]}),
        &globex_owner,
    )
    .await;
    assert_eq!(code(&hidden), (404, Some("not_found")), "{}", hidden.1);
    let (status, theirs) = call_as(&server, GROUPS, "ListGroups", json!({}), &globex_owner).await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(ids(&theirs, "groups", "id"), ["globex-admins"]);

    // Deleting a user removes it from every member list.
    let (status, body) = server
        .raw(
            reqwest::Method::POST,
            "/zitadel.user.v2.UserService/DeleteUser",
            &json!({"userId": "carol"}).to_string(),
            Some("application/json"),
            Some(&server.token.clone()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, members) = group(&server, "ListGroupUsers", members_of.clone()).await;
    assert_eq!(member_ids(&members), ["alice"]);
    assert_eq!(total(&members), 1);

    // Delete: the group and its name are gone.
    let (status, deleted) = group(&server, "DeleteGroup", json!({"id": admins})).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletionDate"].is_string());
    let gone = group(&server, "GetGroup", json!({"id": admins})).await;
    assert_eq!(code(&gone), (404, Some("not_found")));
    let (_, of_alice) = group(
        &server,
        "ListGroupUsers",
        json!({"filters": [{"userIds": {"ids": ["alice"]}}]}),
    )
    .await;
    assert_eq!(total(&of_alice), 0);
    let (status, reused) = group(
        &server,
        "CreateGroup",
        json!({"organizationId": "acme", "name": "Owners"}),
    )
    .await;
    assert_eq!(status, 200, "{reused}");
}
