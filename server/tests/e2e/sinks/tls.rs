//! Syslog over TLS (RFC 5425) with a private certificate authority: the sink trusts its own CA
//! bundle (`caPem`), a receiver with a certificate from that CA gets every octet-counted RFC 5424
//! frame once in effect, in order, across a restart; a sink with another CA never completes a
//! handshake and leaves dead letters.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use serde_json::json;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::*;

/// A certificate authority: its PEM and its issuer.
fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// The TLS setup of a receiver named `localhost`, its certificate issued by `ca`.
fn server_config(ca: &CertifiedIssuer<'static, KeyPair>) -> Arc<ServerConfig> {
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let certificate = params.signed_by(&key, ca).unwrap();
    let chain = vec![CertificateDer::from(certificate.der().to_vec())];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .unwrap();
    Arc::new(config)
}

/// What a TLS syslog receiver got: the frames in arrival order, and the failed handshakes.
#[derive(Default)]
struct TlsInbox {
    messages: Mutex<Vec<String>>,
    failed_handshakes: Mutex<usize>,
}

async fn tls_syslog_receiver(config: Arc<ServerConfig>) -> (String, Arc<TlsInbox>) {
    let inbox = Arc::new(TlsInbox::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TlsAcceptor::from(config);
    let state = inbox.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            // One connection at a time: a batch's frames arrive whole and in order.
            match acceptor.accept(socket).await {
                Ok(mut tls) => {
                    let mut buffer = Vec::new();
                    tls.read_to_end(&mut buffer).await.unwrap();
                    let framed = syslog::deframe(&mut buffer).expect("octet-counted frames");
                    assert!(buffer.is_empty(), "a partial frame");
                    state.messages.lock().unwrap().extend(framed);
                }
                Err(_) => *state.failed_handshakes.lock().unwrap() += 1,
            }
        }
    });
    (format!("localhost:{port}"), inbox)
}

#[tokio::test]
async fn syslog_over_tls_with_a_private_ca_delivers_once_in_order_and_a_wrong_ca_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let ca = authority("Castellan e2e private CA");
    let other_ca = authority("Someone else's CA");
    let (endpoint, inbox) = tls_syslog_receiver(server_config(&ca)).await;
    let (wrong_endpoint, wrong_inbox) = tls_syslog_receiver(server_config(&ca)).await;
    let server = Server::start(dir.path(), &env()).await;
    let org = add_org(&server, "Private SIEM").await;
    let filter = json!({"eventTypes": ["user.human.added", "user.human.profile.changed"],
                        "orgIds": [org]});
    let sink = create_sink(
        &server,
        json!({"name": "siem", "kind": "syslog", "endpoint": endpoint, "tls": true,
               "caPem": ca.pem(), "filter": filter}),
    )
    .await;
    assert_eq!(sink["tls"], true);
    assert_eq!(sink["caPem"], ca.pem(), "the CA bundle is not a secret");
    let wrong = create_sink(
        &server,
        json!({"name": "wrong CA", "kind": "syslog", "endpoint": wrong_endpoint, "tls": true,
               "caPem": other_ca.pem(), "filter": filter}),
    )
    .await;
    let wrong = wrong["id"].as_str().unwrap().to_owned();
    // A bundle that is not PEM is refused at the edge, in the REST error format.
    let (status, body) = server
        .rest(
            Method::POST,
            "/castellan/v1/sinks",
            Some(
                json!({"name": "bad", "kind": "syslog", "endpoint": endpoint, "tls": true,
                        "caPem": "not a certificate"}),
            ),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], 3, "{body}");

    for (name, org) in [("ann", Some(&org)), ("bob", None), ("cyd", Some(&org))] {
        add_user(&server, name, org.map(String::as_str)).await;
    }
    let owner = org.clone();
    let keep = move |e: &castellan_core::Event| {
        (e.event_type == "user.human.added" || e.event_type == "user.human.profile.changed")
            && e.resource_owner == owner
    };
    let wanted = expected(&server, &keep).await;
    assert_eq!(wanted.len(), 2, "{wanted:?}");
    wait_for(&wanted, || syslog_deliveries(&inbox.messages)).await;

    let server = server.restart().await;
    add_user(&server, "dan", Some(&org)).await;
    add_user(&server, "eve", None).await;
    server
        .admin_ok(
            "zitadel.user.v2.UserService",
            "UpdateHumanUser",
            json!({"userId": "ann", "profile": {"givenName": "Ann", "familyName": "Changed"}}),
        )
        .await;
    let wanted = expected(&server, &keep).await;
    assert_eq!(
        wanted.len(),
        4,
        "ann, cyd, dan added; ann changed: {wanted:?}"
    );
    wait_for(&wanted, || syslog_deliveries(&inbox.messages)).await;

    // The wrong CA: every matching event is a dead letter, nothing reached its receiver.
    let path = format!("/castellan/v1/sinks/{wrong}/dead-letters");
    let mut letters = Vec::new();
    for _ in 0..300 {
        let (status, body) = server.rest(Method::GET, &path, None).await;
        assert_eq!(status, 200, "{body}");
        letters = body["deadLetters"].as_array().unwrap().clone();
        if letters.len() == wanted.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dead: Vec<i64> = letters
        .iter()
        .map(|l| l["position"].as_str().unwrap().parse().unwrap())
        .collect();
    let all: Vec<i64> = wanted.iter().map(|(p, _)| *p).collect();
    assert_eq!(dead, all, "{letters:?}");
    assert!(
        letters[0]["error"]
            .as_str()
            .unwrap()
            .contains("not trusted"),
        "{letters:?}"
    );
    // Anything still in flight would show up as an unexpected extra.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(wrong_inbox.messages.lock().unwrap().is_empty());
    assert!(*wrong_inbox.failed_handshakes.lock().unwrap() >= 1);
    assert_once_in_order(&wanted, &syslog_deliveries(&inbox.messages));
    assert!(
        inbox
            .messages
            .lock()
            .unwrap()
            .iter()
            .all(|m| m.starts_with("<110>1 ") && m.contains(" CEF:0|Castellan|Castellan|"))
    );
}
