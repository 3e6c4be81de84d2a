//! The outbound client against real local servers: an HTTP server on loopback and a DNS server
//! on a UDP socket.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use castellan_outbound::dns::TxtLookup;
use castellan_outbound::{AddressPolicy, Outbound, OutboundConfig, OutboundError};

async fn http_server() -> SocketAddr {
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .route("/big", get(|| async { "x".repeat(100_000) }))
        .route(
            "/to-metadata",
            get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data") }),
        )
        .route("/to-hello", get(|| async { Redirect::temporary("/hello") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn loopback_allowed() -> AddressPolicy {
    AddressPolicy {
        allowed_networks: vec!["127.0.0.0/8".parse().unwrap()],
    }
}

fn acme_is_loopback() -> HashMap<String, Vec<IpAddr>> {
    HashMap::from([("acme.test".to_owned(), vec!["127.0.0.1".parse().unwrap()])])
}

#[tokio::test]
async fn internal_targets_are_refused_by_default_whether_named_or_literal() {
    let addr = http_server().await;
    let outbound = Outbound::new(OutboundConfig {
        resolve: acme_is_loopback(),
        ..OutboundConfig::default()
    })
    .unwrap();
    for url in [
        format!("http://127.0.0.1:{}/hello", addr.port()),
        format!("http://[::ffff:127.0.0.1]:{}/hello", addr.port()),
        format!("http://acme.test:{}/hello", addr.port()),
        format!("http://localhost:{}/hello", addr.port()),
    ] {
        let error = outbound.get_text(&url).await.unwrap_err();
        assert!(matches!(error, OutboundError::Blocked(_)), "{url}: {error}");
    }
    for bad in ["file:///etc/passwd", "gopher://x/", "not a url", "http://"] {
        let error = outbound.get_text(bad).await.unwrap_err();
        assert!(
            matches!(error, OutboundError::InvalidUrl(_)),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn allowed_networks_are_reached_and_redirects_are_rechecked() {
    let addr = http_server().await;
    let outbound = Outbound::new(OutboundConfig {
        policy: loopback_allowed(),
        resolve: acme_is_loopback(),
        max_response_bytes: 1024,
        ..OutboundConfig::default()
    })
    .unwrap();
    let base = format!("http://acme.test:{}", addr.port());
    assert_eq!(
        outbound.get_text(&format!("{base}/hello")).await.unwrap(),
        (200, "hello".to_owned())
    );
    assert_eq!(
        outbound
            .get_text(&format!("{base}/to-hello"))
            .await
            .unwrap(),
        (200, "hello".to_owned())
    );
    assert_eq!(
        outbound
            .get_text(&format!("{base}/missing"))
            .await
            .unwrap()
            .0,
        404
    );
    let error = outbound
        .get_text(&format!("{base}/to-metadata"))
        .await
        .unwrap_err();
    assert!(matches!(error, OutboundError::Request(_)), "{error}");
    assert!(error.to_string().contains("may not reach"), "{error}");
    let error = outbound.get_text(&format!("{base}/big")).await.unwrap_err();
    assert!(matches!(error, OutboundError::TooLarge(1024)), "{error}");
}

/// A DNS server answering TXT queries for one name, on a UDP socket.
async fn dns_server(name: &'static str, value: &'static str) -> SocketAddr {
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
            let mut answer = Message::new();
            answer
                .set_id(query.id())
                .set_message_type(MessageType::Response)
                .set_recursion_desired(query.recursion_desired())
                .set_recursion_available(true)
                .add_queries(query.queries().to_vec());
            let question = query.queries().first().unwrap();
            let asked = question.name().to_ascii().trim_end_matches('.').to_owned();
            if question.query_type() == RecordType::TXT && asked == name {
                answer.add_answer(Record::from_rdata(
                    question.name().clone(),
                    60,
                    RData::TXT(TXT::new(vec![value.to_owned()])),
                ));
            } else {
                answer.set_response_code(ResponseCode::NXDomain);
            }
            let bytes = answer.to_vec().unwrap();
            socket.send_to(&bytes, peer).await.unwrap();
        }
    });
    addr
}

#[tokio::test]
async fn txt_records_are_read_from_the_configured_server() {
    let server = dns_server("_zitadel-challenge.acme.test", "token-123").await;
    let lookup = TxtLookup::new(&[server]).unwrap();
    assert_eq!(
        lookup.txt("_zitadel-challenge.acme.test.").await.unwrap(),
        vec!["token-123".to_owned()]
    );
    assert!(
        lookup
            .txt("_zitadel-challenge.other.test.")
            .await
            .unwrap()
            .is_empty()
    );
}
