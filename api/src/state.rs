//! The state every handler receives, injected at composition (no globals).

use std::sync::Arc;
use std::time::Duration;

use castellan_core::clock::Clock;
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
    /// Argon2id cost of new password hashes.
    pub password_hasher: castellan_writer::secrets::HasherParams,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            validate_org_domains: false,
            consistency_timeout: Duration::from_secs(5),
            password_hasher: castellan_writer::secrets::HasherParams::default(),
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
}

impl AppState {
    pub fn store(&self) -> &dyn ReadStore {
        self.store.as_ref()
    }
}
