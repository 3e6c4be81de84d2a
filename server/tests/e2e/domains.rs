//! Org domain verification (ValidateOrgDomains on) against real local challenge servers: an HTTP
//! server for the HTTP challenge and a DNS server for the TXT challenge, reached through the
//! SSRF-protected outbound client (loopback allowed by configuration, as an operator would allow
//! an internal network).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde_json::{Value, json};

use super::support::Server;

type Answer = Arc<Mutex<Option<String>>>;

/// Serves `/.well-known/zitadel-challenge/<token>` with the answer, once one is set.
async fn http_challenge_server(answer: Answer) -> SocketAddr {
    let app = Router::new()
        .route(
            "/.well-known/zitadel-challenge/{token}",
            get(
                |State(answer): State<Answer>, Path(token): Path<String>| async move {
                    let current = answer.lock().unwrap().clone();
                    match current {
                        Some(value) if value == token => (axum::http::StatusCode::OK, value),
                        _ => (axum::http::StatusCode::NOT_FOUND, String::new()),
                    }
                },
            ),
        )
        .with_state(answer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Answers TXT queries for `name` with the answer, once one is set.
async fn dns_challenge_server(name: &'static str, answer: Answer) -> SocketAddr {
    use hickory_proto::op::{Message, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::TXT;
    use hickory_proto::rr::{RData, Record, RecordType};

    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0_u8; 1500];
        loop {
            let (len, peer) = socket.recv_from(&mut buf).await.unwrap();
            let query = Message::from_vec(&buf[..len]).unwrap();
            let mut reply = Message::new();
            reply
                .set_id(query.id())
                .set_message_type(MessageType::Response)
                .set_recursion_desired(query.recursion_desired())
                .set_recursion_available(true)
                .add_queries(query.queries().to_vec());
            let question = query.queries().first().unwrap();
            let asked = question.name().to_ascii().trim_end_matches('.').to_owned();
            let current = answer.lock().unwrap().clone();
            match current {
                Some(value) if question.query_type() == RecordType::TXT && asked == name => {
                    reply.add_answer(Record::from_rdata(
                        question.name().clone(),
                        60,
                        RData::TXT(TXT::new(vec![value])),
                    ));
                }
                _ => {
                    reply.set_response_code(ResponseCode::NXDomain);
                }
            }
            socket
                .send_to(&reply.to_vec().unwrap(), peer)
                .await
                .unwrap();
        }
    });
    addr
}

async fn domains(server: &Server, org_id: &str) -> Vec<(String, bool)> {
    let (status, body) = server
        .connect(
            "ListOrganizationDomains",
            json!({ "organizationId": org_id }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap().to_owned(),
                d["isVerified"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

async fn generate(server: &Server, org_id: &str, domain: &str, kind: &str) -> Value {
    let (status, body) = server
        .connect(
            "AddOrganizationDomain",
            json!({ "organizationId": org_id, "domain": domain }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server
        .connect(
            "GenerateOrganizationDomainValidation",
            json!({ "organizationId": org_id, "domain": domain, "type": kind }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn verify(server: &Server, org_id: &str, domain: &str) -> (u16, Value) {
    server
        .connect(
            "VerifyOrganizationDomain",
            json!({ "organizationId": org_id, "domain": domain }),
        )
        .await
}

#[tokio::test]
async fn domains_are_verified_by_http_and_dns_challenges_and_internal_targets_fail() {
    let http_answer: Answer = Arc::default();
    let dns_answer: Answer = Arc::default();
    let http = http_challenge_server(http_answer.clone()).await;
    let dns = dns_challenge_server("_zitadel-challenge.dns.acme.test", dns_answer.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let port = http.port().to_string();
    let dns_server = dns.to_string();
    let server = Server::start(
        dir.path(),
        &[
            ("CASTELLAN_DOMAINPOLICY_VALIDATEORGDOMAINS", "true"),
            ("CASTELLAN_OUTBOUND_ALLOWEDNETWORKS", "127.0.0.0/8"),
            (
                "CASTELLAN_OUTBOUND_RESOLVE",
                "http.acme.test=127.0.0.1,metadata.acme.test=169.254.169.254",
            ),
            ("CASTELLAN_DOMAINVERIFICATION_HTTPSCHEME", "http"),
            ("CASTELLAN_DOMAINVERIFICATION_HTTPPORT", &port),
            ("CASTELLAN_DOMAINVERIFICATION_DNSSERVERS", &dns_server),
        ],
    )
    .await;
    let (status, body) = server
        .connect("AddOrganization", json!({ "name": "Verify Inc" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let org_id = body["organizationId"].as_str().unwrap().to_owned();

    // HTTP: not met while the challenge is not served, met once it is.
    let generated = generate(
        &server,
        &org_id,
        "http.acme.test",
        "DOMAIN_VALIDATION_TYPE_HTTP",
    )
    .await;
    let token = generated["token"].as_str().unwrap().to_owned();
    assert_eq!(
        generated["url"],
        format!("http://http.acme.test:{port}/.well-known/zitadel-challenge/{token}")
    );
    let (status, body) = verify(&server, &org_id, "http.acme.test").await;
    assert_eq!(
        status, 400,
        "an unmet challenge is a failed precondition: {body}"
    );
    assert_eq!(body["code"], "failed_precondition");
    assert!(
        domains(&server, &org_id)
            .await
            .contains(&("http.acme.test".into(), false))
    );
    *http_answer.lock().unwrap() = Some(token);
    let (status, body) = verify(&server, &org_id, "http.acme.test").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        domains(&server, &org_id)
            .await
            .contains(&("http.acme.test".into(), true))
    );
    let (status, _) = verify(&server, &org_id, "http.acme.test").await;
    assert_eq!(status, 400, "an already verified domain");

    // DNS: a TXT record with the token.
    let generated = generate(
        &server,
        &org_id,
        "dns.acme.test",
        "DOMAIN_VALIDATION_TYPE_DNS",
    )
    .await;
    assert_eq!(generated["url"], "_zitadel-challenge.dns.acme.test");
    let (status, _) = verify(&server, &org_id, "dns.acme.test").await;
    assert_eq!(status, 400);
    *dns_answer.lock().unwrap() = Some(generated["token"].as_str().unwrap().to_owned());
    let (status, body) = verify(&server, &org_id, "dns.acme.test").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        domains(&server, &org_id)
            .await
            .contains(&("dns.acme.test".into(), true))
    );

    // A domain pointing at an internal address is never fetched: the check just fails.
    generate(
        &server,
        &org_id,
        "metadata.acme.test",
        "DOMAIN_VALIDATION_TYPE_HTTP",
    )
    .await;
    let (status, body) = verify(&server, &org_id, "metadata.acme.test").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        domains(&server, &org_id)
            .await
            .contains(&("metadata.acme.test".into(), false))
    );
}
