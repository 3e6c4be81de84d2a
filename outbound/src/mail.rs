//! The SMTP mailer: one configured relay, plain text plus HTML messages. The relay is the
//! operator's (a trusted address from the configuration), so it is not subject to the HTTP
//! client's address policy.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the relay is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (a relay on the same host or network only).
    None,
    /// STARTTLS, required (the default; port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

/// The relay and the sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Castellan <noreply@example.com>`.
    pub from: String,
    pub timeout: Duration,
}

/// One message to one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration cannot work (bad sender, bad TLS setup).
    #[error("mail configuration: {0}")]
    Config(String),
    /// This message can never be delivered (bad address, refused by the relay with a 5xx).
    #[error("undeliverable: {0}")]
    Permanent(String),
    /// Worth retrying (relay unreachable, 4xx).
    #[error("mail relay: {0}")]
    Transient(String),
}

/// Sends mail through the configured relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("sender {:?}: {e}", config.from)))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailError::Config(e.to_string()))
        };
        let security = match config.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls(&config.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls(&config.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(security)
            .timeout(Some(config.timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Builds the MIME message (text and HTML alternatives).
    pub fn message(&self, mail: &Mail) -> Result<Message, MailError> {
        let address = mail
            .to_address
            .parse()
            .map_err(|e| MailError::Permanent(format!("recipient {:?}: {e}", mail.to_address)))?;
        let name = (!mail.to_name.trim().is_empty()).then(|| mail.to_name.clone());
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(name, address))
            .subject(mail.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html.clone()),
                    ),
            )
            .map_err(|e| MailError::Permanent(e.to_string()))
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(MailError::Permanent(error.to_string())),
            Err(error) => Err(MailError::Transient(error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Castellan <noreply@example.com>".into(),
            timeout: Duration::from_secs(5),
        }
    }

    fn mail(to: &str) -> Mail {
        Mail {
            to_address: to.into(),
            to_name: "Ada Lovelace".into(),
            subject: "Reset your password".into(),
            text: "code 123".into(),
            html: "<p>code 123</p>".into(),
        }
    }

    #[test]
    fn a_bad_sender_is_a_configuration_error() {
        let mut bad = config();
        bad.from = "not an address".into();
        assert!(matches!(Mailer::new(&bad), Err(MailError::Config(_))));
    }

    #[test]
    fn a_bad_recipient_is_permanent_and_a_good_one_builds_both_parts() {
        let mailer = Mailer::new(&config()).unwrap();
        assert!(matches!(
            mailer.message(&mail("nobody")),
            Err(MailError::Permanent(_))
        ));
        let message = mailer.message(&mail("ada@example.com")).unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(text.contains("To: \"Ada Lovelace\" <ada@example.com>"));
        assert!(text.contains("text/plain"));
        assert!(text.contains("text/html"));
    }

    #[tokio::test]
    async fn an_unreachable_relay_is_transient() {
        // A port nothing listens on: bind one, learn it, close it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut closed = config();
        closed.port = port;
        let mailer = Mailer::new(&closed).unwrap();
        assert!(matches!(
            mailer.send(&mail("ada@example.com")).await,
            Err(MailError::Transient(_))
        ));
    }
}
