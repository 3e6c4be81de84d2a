//! Syslog over TCP (RFC 6587, octet counting) or TLS (RFC 5425). Not HTTP, so the outbound
//! client cannot guard it: the name is resolved here and every address checked against the
//! same [`AddressPolicy`]; only an allowed address is connected to. TLS verifies the server
//! against the Web PKI roots (webpki-roots), or only against the sink's own CA bundle when it
//! has one (a private SIEM), and the sink's host name. A certificate that does not verify is a
//! permanent failure (retrying does not change it).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use castellan_core::Event;
use castellan_outbound::AddressPolicy;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::DeliveryError;
use crate::format::syslog::{frame, message};

pub struct Syslog {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    /// The CA certificates (PEM) trusted instead of the Web PKI; empty for the Web PKI.
    pub ca_pem: String,
    pub policy: AddressPolicy,
    pub timeout: Duration,
    /// The HOSTNAME of the messages.
    pub hostname: String,
}

fn transient(what: &str, error: impl std::fmt::Display) -> DeliveryError {
    DeliveryError::Transient(format!("{what}: {error}"))
}

impl Syslog {
    /// Connects, writes every event's frame, and closes: one connection per batch.
    pub async fn send(&self, events: &[&Event]) -> Result<(), DeliveryError> {
        let mut payload = Vec::new();
        for event in events {
            payload.extend(frame(&message(event, &self.hostname)));
        }
        let tcp = tokio::time::timeout(self.timeout, self.connect())
            .await
            .map_err(|e| transient("syslog connect", e))??;
        let written = if self.tls {
            let server_name = ServerName::try_from(self.host.clone())
                .map_err(|e| DeliveryError::Permanent(format!("syslog TLS name: {e}")))?;
            let connector = TlsConnector::from(tls_config(&self.ca_pem)?);
            let tls = tokio::time::timeout(self.timeout, connector.connect(server_name, tcp))
                .await
                .map_err(|e| transient("syslog TLS handshake", e))?
                .map_err(handshake_error)?;
            self.write_all(tls, &payload).await
        } else {
            self.write_all(tcp, &payload).await
        };
        written.map_err(|e| transient("syslog write", e))
    }

    async fn write_all<S: AsyncWrite + Unpin>(
        &self,
        mut stream: S,
        payload: &[u8],
    ) -> std::io::Result<()> {
        let write = async {
            stream.write_all(payload).await?;
            stream.flush().await?;
            stream.shutdown().await
        };
        tokio::time::timeout(self.timeout, write)
            .await
            .map_err(std::io::Error::other)?
    }

    /// The first allowed address the host resolves to that accepts a connection.
    async fn connect(&self) -> Result<TcpStream, DeliveryError> {
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), self.port))
            .await
            .map_err(|e| transient("syslog resolve", e))?
            .collect();
        let allowed: Vec<SocketAddr> = resolved
            .into_iter()
            .filter(|addr| self.policy.allows(addr.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "{} resolves only to addresses outbound calls may not reach",
                self.host
            )));
        }
        let mut last = String::new();
        for addr in allowed {
            match TcpStream::connect(addr).await {
                Ok(stream) => return Ok(stream),
                Err(error) => last = error.to_string(),
            }
        }
        Err(DeliveryError::Transient(format!("syslog connect: {last}")))
    }
}

/// A server certificate that does not verify is permanent; other handshake failures are not.
fn handshake_error(error: std::io::Error) -> DeliveryError {
    let rejected = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>())
        .is_some_and(|e| {
            matches!(
                e,
                tokio_rustls::rustls::Error::InvalidCertificate(_)
                    | tokio_rustls::rustls::Error::NoCertificatesPresented
            )
        });
    if rejected {
        DeliveryError::Permanent(format!(
            "syslog TLS handshake: the server's certificate is not trusted: {error}"
        ))
    } else {
        transient("syslog TLS handshake", error)
    }
}

/// The roots: the sink's CA bundle when it has one, else the Web PKI.
fn roots(ca_pem: &str) -> Result<RootCertStore, DeliveryError> {
    let mut roots = RootCertStore::empty();
    if ca_pem.trim().is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(roots);
    }
    let bad = |e: &dyn std::fmt::Display| {
        DeliveryError::Permanent(format!("the sink's CA bundle is not usable: {e}"))
    };
    for certificate in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let certificate = certificate.map_err(|e| bad(&e))?;
        roots.add(certificate).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate"));
    }
    Ok(roots)
}

fn tls_config(ca_pem: &str) -> Result<Arc<ClientConfig>, DeliveryError> {
    let roots = roots(ca_pem)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DeliveryError::Permanent(format!("syslog TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::syslog::deframe;
    use crate::format::tests::event;
    use tokio::io::AsyncReadExt;

    fn syslog(port: u16, policy: AddressPolicy) -> Syslog {
        Syslog {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            ca_pem: String::new(),
            policy,
            timeout: Duration::from_secs(5),
            hostname: "h".into(),
        }
    }

    #[tokio::test]
    async fn frames_reach_an_allowed_receiver_and_internal_addresses_are_refused() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let receiver = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = Vec::new();
            socket.read_to_end(&mut buffer).await.unwrap();
            deframe(&mut buffer).unwrap()
        });
        let refused = syslog(port, AddressPolicy::default())
            .send(&[&event("user.human.added", "{}")])
            .await;
        assert!(
            matches!(refused, Err(DeliveryError::Permanent(_))),
            "{refused:?}"
        );
        let allowed = AddressPolicy {
            allowed_networks: vec!["127.0.0.0/8".parse().unwrap()],
        };
        let first = event("user.human.added", "{}");
        let second = event("user.human.changed", "{}");
        syslog(port, allowed)
            .send(&[&first, &second])
            .await
            .unwrap();
        let messages = receiver.await.unwrap();
        assert_eq!(messages.len(), 2);
        assert!(messages[1].contains("CEF:0|Castellan|Castellan|"));
    }
}

#[cfg(test)]
mod root_tests {
    use super::*;

    #[test]
    fn a_bundle_that_is_no_certificate_is_permanent() {
        assert!(roots("").unwrap().len() > 10, "the Web PKI");
        let garbage = "-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n";
        assert!(matches!(roots(garbage), Err(DeliveryError::Permanent(_))));
    }
}
