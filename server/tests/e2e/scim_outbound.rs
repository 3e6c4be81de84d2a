//! Outbound SCIM end to end, against a SCIM server no one here wrote: `scim2-server`, the
//! python-scim2 reference server from PyPI, behind a TCP proxy the test can take down (the
//! target's data survives the outage, as a real application's would). Castellan pushes users
//! and groups as they are created, changed, deactivated and deleted; keeps pushing after the
//! target was down for a while and after its own restart; never duplicates a resource; and a
//! long outage leaves dead letters that a replay and a reconcile run repair.

#![allow(clippy::disallowed_methods)] // the test talks to its SCIM peer directly

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use castellan_writer::ledger::Ledger;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::support::{LedgerProbe, Server, free_port};

mod castellan_target;
mod distributed;

const TARGET_TOKEN: &str = "scim-target-token-4711";

/// The reference SCIM server, killed when dropped.
pub(super) struct ScimPeer {
    child: tokio::process::Child,
    pub(super) base: String,
    http: reqwest::Client,
}

impl ScimPeer {
    pub(super) async fn start() -> ScimPeer {
        let python = std::env::var("CASTELLAN_TEST_PYTHON").expect(
            "CASTELLAN_TEST_PYTHON must name a python with scim2-server (eval \"$(bash infra/python-env)\")",
        );
        let program = std::path::Path::new(&python).with_file_name("scim2-server");
        let port = free_port();
        let child = tokio::process::Command::new(program)
            .args(["--port", &port.to_string(), "--bearer-token", TARGET_TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let peer = ScimPeer {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if peer.get("/ServiceProviderConfig").await.is_some() {
                return peer;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("scim2-server did not start");
    }

    async fn get(&self, path: &str) -> Option<Value> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(TARGET_TOKEN)
            .send()
            .await
            .ok()?;
        (response.status() == 200).then_some(())?;
        response.json().await.ok()
    }

    /// Every resource of `/Users` or `/Groups`.
    async fn all(&self, endpoint: &str) -> Vec<Value> {
        let list = self.get(&format!("/{endpoint}?count=1000")).await.unwrap();
        list["Resources"].as_array().cloned().unwrap_or_default()
    }

    /// The resources keyed by externalId; panics on a duplicate.
    pub(super) async fn by_external_id(&self, endpoint: &str) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for resource in self.all(endpoint).await {
            let key = resource["externalId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(
                out.insert(key.clone(), resource).is_none(),
                "{endpoint} holds {key} twice"
            );
        }
        out
    }

    async fn delete(&self, endpoint: &str, id: &str) {
        let status = self
            .http
            .delete(format!("{}/{endpoint}/{id}", self.base))
            .bearer_auth(TARGET_TOKEN)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 204);
    }
}

impl Drop for ScimPeer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A TCP proxy in front of the peer. Down, it closes every connection (open ones too).
pub(super) struct Proxy {
    pub(super) url: String,
    up: watch::Sender<bool>,
}

impl Proxy {
    pub(super) async fn start(upstream: &str) -> Proxy {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (up, watcher) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !*watcher.borrow() {
                    continue; // dropped: the connection closes at once
                }
                let mut down = watcher.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy { url, up }
    }

    pub(super) fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

pub(super) fn env(max_attempts: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8"),
        ("CASTELLAN_SCIMOUTBOUND_POLLSECONDS", "1"),
        ("CASTELLAN_SCIMOUTBOUND_MAXATTEMPTS", max_attempts),
        ("CASTELLAN_SCIMOUTBOUND_RETRYBASEMILLIS", "200"),
        ("CASTELLAN_SCIMOUTBOUND_RETRYMAXMILLIS", "1000"),
    ]
}

pub(super) async fn create_target(server: &Server, base_url: &str) -> String {
    let (status, target) = server
        .rest(
            Method::POST,
            "/castellan/v1/scim/targets",
            Some(json!({
                "name": "Downstream app",
                "baseUrl": base_url,
                "auth": "bearer",
                "secret": TARGET_TOKEN,
                "deprovision": "deactivate",
                "pushGroups": true,
                "mapping": [{"target": "title", "source": "nickName"}],
            })),
        )
        .await;
    assert_eq!(status, 201, "{target}");
    assert_eq!(target["hasSecret"], true);
    assert!(target.get("secret").is_none(), "{target}");
    target["id"].as_str().unwrap().to_owned()
}

pub(super) async fn user_call(server: &Server, method: &str, body: Value) -> Value {
    server
        .admin_ok("zitadel.user.v2.UserService", method, body)
        .await
}

pub(super) async fn add_user(server: &Server, id: &str) {
    user_call(
        server,
        "CreateUser",
        json!({"userId": id, "username": format!("{id}@example.com"), "human": {
            "profile": {"givenName": id, "familyName": "Original", "nickName": format!("{id}-title")},
            "email": {"email": format!("{id}@example.com"), "isVerified": true}}}),
    )
    .await;
}

pub(super) async fn rename(server: &Server, id: &str, family: &str) {
    user_call(
        server,
        "UpdateHumanUser",
        json!({"userId": id, "profile": {"givenName": id, "familyName": family,
               "nickName": format!("{id}-title")}}),
    )
    .await;
}

/// Polls the peer until `check` holds for its users (by externalId) and groups.
pub(super) async fn eventually(
    peer: &ScimPeer,
    what: &str,
    check: impl Fn(&BTreeMap<String, Value>, &BTreeMap<String, Value>) -> bool,
) {
    for _ in 0..600 {
        let users = peer.by_external_id("Users").await;
        let groups = peer.by_external_id("Groups").await;
        if check(&users, &groups) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let users = peer.by_external_id("Users").await;
    panic!("the target never showed {what}: {users:#?}");
}

pub(super) fn family(users: &BTreeMap<String, Value>, id: &str) -> Option<String> {
    users
        .get(id)
        .and_then(|u| u["name"]["familyName"].as_str())
        .map(str::to_owned)
}

pub(super) fn active(users: &BTreeMap<String, Value>, id: &str) -> Option<bool> {
    users.get(id).and_then(|u| u["active"].as_bool())
}

pub(super) async fn dead_letters(server: &Server, target: &str) -> Vec<Value> {
    let (status, body) = server
        .rest(
            Method::GET,
            &format!("/castellan/v1/scim/targets/{target}/dead-letters"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["deadLetters"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn users_and_groups_reach_the_target_in_order_across_an_outage_and_a_restart() {
    let peer = ScimPeer::start().await;
    let proxy = Proxy::start(&peer.base).await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &env("8")).await;
    let target = create_target(&server, &proxy.url).await;

    add_user(&server, "ada").await;
    add_user(&server, "bob").await;
    eventually(&peer, "ada and bob", |users, _| {
        users.contains_key("ada") && users.contains_key("bob")
    })
    .await;
    let users = peer.by_external_id("Users").await;
    assert_eq!(users["ada"]["userName"], "ada@example.com");
    assert_eq!(users["ada"]["emails"][0]["value"], "ada@example.com");
    assert_eq!(users["ada"]["title"], "ada-title", "the mapping applies");
    assert_eq!(users["ada"]["active"], true);

    rename(&server, "ada", "Lovelace").await;
    user_call(&server, "DeactivateUser", json!({"userId": "bob"})).await;
    eventually(&peer, "ada renamed, bob deactivated", |users, _| {
        family(users, "ada").as_deref() == Some("Lovelace") && active(users, "bob") == Some(false)
    })
    .await;

    let (status, group) = server
        .raw(
            Method::POST,
            "/zitadel.group.v2.GroupService/CreateGroup",
            &json!({"organizationId": users_org(&server).await, "name": "Engineering"}).to_string(),
            Some("application/json"),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 200, "{group}");
    let group_id = group["id"].as_str().unwrap().to_owned();
    server
        .admin_ok(
            "zitadel.group.v2.GroupService",
            "AddUsersToGroup",
            json!({"id": group_id, "userIds": ["ada"]}),
        )
        .await;
    let ada_remote = peer.by_external_id("Users").await["ada"]["id"].clone();
    eventually(&peer, "the group with ada", |_, groups| {
        groups.get(&group_id).is_some_and(|g| {
            g["displayName"] == "Engineering" && g["members"] == json!([{"value": ada_remote}])
        })
    })
    .await;

    // The target goes down; changes made meanwhile arrive once it is back, in order.
    proxy.set_up(false);
    rename(&server, "ada", "Byron").await;
    rename(&server, "ada", "King").await;
    add_user(&server, "carol").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        family(&peer.by_external_id("Users").await, "ada").as_deref(),
        Some("Lovelace"),
        "nothing got through while the target was down"
    );
    proxy.set_up(true);
    eventually(&peer, "the changes made during the outage", |users, _| {
        family(users, "ada").as_deref() == Some("King") && users.contains_key("carol")
    })
    .await;
    assert!(
        dead_letters(&server, &target).await.is_empty(),
        "a short outage is retried, not dead-lettered"
    );

    // Across a restart: delivery resumes from the checkpoint, nothing is duplicated.
    let server = server.restart().await;
    user_call(&server, "ReactivateUser", json!({"userId": "bob"})).await;
    user_call(&server, "DeleteUser", json!({"userId": "carol"})).await;
    eventually(&peer, "bob reactivated, carol deprovisioned", |users, _| {
        active(users, "bob") == Some(true) && active(users, "carol") == Some(false)
    })
    .await;
    let users = peer.by_external_id("Users").await;
    let others: Vec<&Value> = users
        .iter()
        .filter(|(id, _)| !["ada", "bob", "carol"].contains(&id.as_str()))
        .map(|(_, user)| user)
        .collect();
    assert_eq!(
        others.len(),
        1,
        "each user once (by_external_id refuses duplicates), plus the org's first admin: {others:?}"
    );
    assert_eq!(others[0]["active"], true);
    assert_eq!(peer.all("Groups").await.len(), 1);

    // The audit trail holds the target's configuration, and no secret in plaintext.
    let probe = LedgerProbe::open(&server.data_dir).await;
    let events = probe
        .ledger
        .read(&castellan_writer::ledger::EventFilter {
            aggregate_types: vec!["scim_target".into()],
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events[0].event_type, "scim_target.added");
    assert!(!events[0].payload.to_string().contains(TARGET_TOKEN));
}

/// A counter of `/debug/metrics` for one target.
async fn metric(server: &Server, name: &str, target: &str) -> f64 {
    let (status, text) = server
        .raw(Method::GET, "/debug/metrics", "", None, None)
        .await;
    assert_eq!(status, 200);
    let text = text.as_str().unwrap_or_default().to_owned();
    let prefix = format!("{name}{{target=\"{target}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
}

/// The org `CreateUser` without an org puts users in (the admin's own, the first org).
async fn users_org(server: &Server) -> String {
    let orgs = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "ListOrganizations",
            json!({}),
        )
        .await;
    orgs["result"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_long_outage_leaves_dead_letters_that_a_replay_and_a_reconcile_run_repair() {
    let peer = ScimPeer::start().await;
    let proxy = Proxy::start(&peer.base).await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &env("2")).await;
    let target = create_target(&server, &proxy.url).await;
    add_user(&server, "ada").await;
    eventually(&peer, "ada", |users, _| users.contains_key("ada")).await;

    proxy.set_up(false);
    add_user(&server, "dave").await;
    add_user(&server, "erin").await;
    let mut letters = Vec::new();
    for _ in 0..300 {
        letters = dead_letters(&server, &target).await;
        if letters.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut ids: Vec<&str> = letters
        .iter()
        .map(|l| l["resourceId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["dave", "erin"], "{letters:?}");
    assert!(letters.iter().all(|l| l["resourceType"] == "user"));

    // The delivery metrics agree: two dead letters, and retries before them.
    let failed = metric(&server, "castellan_scim_push_failed_total", &target).await;
    assert_eq!(failed, 2.0);
    assert!(metric(&server, "castellan_scim_push_retried_total", &target).await >= 1.0);
    assert!(metric(&server, "castellan_scim_push_sent_total", &target).await >= 1.0);

    // Replay while still down: 503, and the letter stays.
    let replay = format!("/castellan/v1/scim/targets/{target}/dead-letters/user/dave/replay");
    let (status, body) = server.rest(Method::POST, &replay, Some(json!({}))).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(dead_letters(&server, &target).await.len(), 2);

    proxy.set_up(true);
    let (status, body) = server.rest(Method::POST, &replay, Some(json!({}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "created");
    assert!(peer.by_external_id("Users").await.contains_key("dave"));
    let left = dead_letters(&server, &target).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["resourceId"], "erin");

    // Drift at the target: someone deleted ada there. The reconcile run repairs both.
    let ada_remote = peer.by_external_id("Users").await["ada"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    peer.delete("Users", &ada_remote).await;
    let (status, run) = server
        .rest(
            Method::POST,
            &format!("/castellan/v1/scim/targets/{target}/reconcile"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["created"], 2, "{run}");
    assert_eq!(
        run["counts"]["unchanged"], 2,
        "dave and the first admin: {run}"
    );
    assert_eq!(run["counts"]["failed"], 0, "{run}");
    let users = peer.by_external_id("Users").await;
    for id in ["ada", "dave", "erin"] {
        assert_eq!(users[id]["active"], true, "{id}");
    }
    assert_eq!(users.len(), 4, "the three and the first admin");
    assert!(dead_letters(&server, &target).await.is_empty());
    let (_, got) = server
        .rest(
            Method::GET,
            &format!("/castellan/v1/scim/targets/{target}"),
            None,
        )
        .await;
    assert_eq!(got["lastReconcile"]["created"], 2, "{got}");

    // Another org cannot see or touch this target.
    let other = server
        .admin_ok(
            "zitadel.org.v2.OrganizationService",
            "AddOrganization",
            json!({"name": "Globex"}),
        )
        .await;
    let other = other["organizationId"].as_str().unwrap();
    let (status, _) = server
        .rest(
            Method::GET,
            &format!("/castellan/v1/scim/targets/{target}?orgId={other}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, list) = server
        .rest(
            Method::GET,
            &format!("/castellan/v1/scim/targets?orgId={other}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["targets"], json!([]));

    // Bad input: a clear REST error and nothing written.
    let head = LedgerProbe::open(&server.data_dir).await.head().await;
    let (status, error) = server
        .rest(
            Method::POST,
            "/castellan/v1/scim/targets",
            Some(json!({"name": "x", "baseUrl": "ftp://nope", "secret": "s"})),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], 3, "{error}");
    assert_eq!(LedgerProbe::open(&server.data_dir).await.head().await, head);
}
