//! The state every handler receives, injected at composition (no globals).

use std::sync::Arc;
use std::time::Duration;

use castellan_core::clock::Clock;
use castellan_jose::MasterKey;
use castellan_outbound::Outbound;
use castellan_outbound::dns::TxtLookup;
use castellan_readers::consistency::Consistency;
use castellan_readers::store::ReadStore;
use castellan_writer::Writer;

#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Whether org domains must be proven (HTTP/DNS) before they count as verified; ZITADEL's
    /// `DomainPolicy.ValidateOrgDomains`, default false.
    pub validate_org_domains: bool,
    /// How long a command's response waits for the read model to include it.
    pub consistency_timeout: Duration,
    /// How org domains are proven by the HTTP challenge.
    pub domain_check: DomainCheck,
    /// Argon2id cost of new password hashes.
    pub password_hasher: castellan_writer::secrets::HasherParams,
    /// Whether the issuer and login URLs are https (ZITADEL's `ExternalSecure`).
    pub external_secure: bool,
    pub tokens: TokenLifetimes,
    /// Whether codes are mailed (an SMTP relay is configured): the hosted login offers password
    /// reset only then.
    pub mail: bool,
}

/// Token lifetimes (ZITADEL's defaults: access and ID tokens 12 h, refresh tokens idle 30 days
/// and at most 90 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access_token: Duration,
    pub id_token: Duration,
    pub refresh_idle: Duration,
    pub refresh_absolute: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(12 * 3600),
            id_token: Duration::from_secs(12 * 3600),
            refresh_idle: Duration::from_secs(720 * 3600),
            refresh_absolute: Duration::from_secs(2160 * 3600),
        }
    }
}

/// The HTTP challenge URL is `<scheme>://<domain>[:<port>]/.well-known/zitadel-challenge/<token>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainCheck {
    pub http_scheme: String,
    pub http_port: Option<u16>,
}

impl Default for DomainCheck {
    fn default() -> Self {
        Self {
            http_scheme: "https".into(),
            http_port: None,
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            validate_org_domains: false,
            consistency_timeout: Duration::from_secs(5),
            domain_check: DomainCheck::default(),
            password_hasher: castellan_writer::secrets::HasherParams::default(),
            external_secure: false,
            tokens: TokenLifetimes::default(),
            mail: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub writer: Arc<Writer>,
    /// Where queries are served from.
    pub store: Arc<dyn ReadStore>,
    /// How a command waits for the read model to include its events.
    pub consistency: Arc<dyn Consistency>,
    pub clock: Arc<dyn Clock>,
    pub config: ApiConfig,
    /// The one outbound HTTP client (SSRF-protected).
    pub outbound: Outbound,
    /// DNS TXT lookups for domain verification.
    pub dns: TxtLookup,
    /// Seals web keys' private halves at rest (`CASTELLAN_MASTERKEY`).
    pub master_key: MasterKey,
    /// Rate limits of the login and token endpoints.
    pub limits: crate::limits::Limits,
    /// Events to Avro (Confluent's wire format) with the relay's schema ids: what a Kafka sink's
    /// dead-letter replay sends.
    pub event_encoder: Arc<dyn castellan_writer::relay::kafka::EventEncoder>,
}

impl AppState {
    pub fn store(&self) -> &dyn ReadStore {
        self.store.as_ref()
    }
}
