//! Rate limits on the login and token endpoints (governor's GCRA, keyed in memory per process).
//! Login attempts are limited per login name (slows guessing one account from many addresses)
//! and per client address (slows one address guessing many accounts); token requests per
//! client id. A refused request changes nothing and answers at once.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per minute; 0 switches the limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitSettings {
    pub login_per_name_per_minute: u32,
    pub login_per_address_per_minute: u32,
    pub token_per_client_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_per_name_per_minute: 10,
            login_per_address_per_minute: 60,
            token_per_client_per_minute: 6000,
        }
    }
}

struct Keyed {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    checks: AtomicU64,
}

impl Keyed {
    fn new(per_minute: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    fn allow(&self, key: String) -> bool {
        let Some(limiter) = &self.limiter else {
            return true;
        };
        // Forget keys whose bucket is full again, now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            limiter.retain_recent();
        }
        limiter.check_key(&key).is_ok()
    }
}

/// The process's limiters (shared by every request through the app state).
#[derive(Clone)]
pub struct Limits {
    login_name: Arc<Keyed>,
    login_address: Arc<Keyed>,
    token_client: Arc<Keyed>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(LimitSettings::default())
    }
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            login_name: Arc::new(Keyed::new(settings.login_per_name_per_minute)),
            login_address: Arc::new(Keyed::new(settings.login_per_address_per_minute)),
            token_client: Arc::new(Keyed::new(settings.token_per_client_per_minute)),
        }
    }

    /// One login attempt for this login name from this address.
    pub fn allow_login(
        &self,
        instance_id: &str,
        login_name: &str,
        address: Option<IpAddr>,
    ) -> bool {
        let by_address =
            address.is_none_or(|ip| self.login_address.allow(format!("{instance_id}\u{1f}{ip}")));
        let by_name = self.login_name.allow(format!(
            "{instance_id}\u{1f}{}",
            login_name.trim().to_lowercase()
        ));
        by_address && by_name
    }

    /// One token request of this client (or address, when the client is not named).
    pub fn allow_token(&self, instance_id: &str, client: &str) -> bool {
        self.token_client
            .allow(format!("{instance_id}\u{1f}{client}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_attempts_are_limited_per_name_and_per_address() {
        let limits = Limits::new(LimitSettings {
            login_per_name_per_minute: 3,
            login_per_address_per_minute: 5,
            token_per_client_per_minute: 0,
        });
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!((0..3).all(|_| limits.allow_login("i", "Ada", Some(a))));
        assert!(
            !limits.allow_login("i", "ada ", Some(b)),
            "same name, other address"
        );
        assert!(limits.allow_login("other-instance", "ada", Some(b)));
        assert!(limits.allow_login("i", "bob", Some(a)));
        assert!(limits.allow_login("i", "carl", Some(b)));
        assert!(
            limits.allow_login("i", "dora", Some(a)),
            "the fifth from address a"
        );
        assert!(
            !limits.allow_login("i", "erin", Some(a)),
            "address a used up"
        );
        assert!(
            (0..1000).all(|_| limits.allow_token("i", "client")),
            "0 switches off"
        );
    }
}

/// The peer address of the connection, when the server records it (it does; tests that call
/// the router directly have none).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}
