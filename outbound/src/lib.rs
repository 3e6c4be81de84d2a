//! Castellan's one way out: every outbound HTTP call (domain verification today; back-channel
//! logout, SCIM targets and SIEM webhooks later) goes through [`Outbound`], which refuses to
//! reach loopback, private, link-local and other internal addresses unless the operator allows
//! them ([`AddressPolicy`]), checks every address a name resolves to (so DNS cannot smuggle an
//! internal target in), re-checks redirects, and bounds time and response size. DNS TXT lookups
//! for domain verification are in [`dns`]; mail goes through the [`mail::Mailer`].

pub mod dns;
mod http;
pub mod mail;
mod policy;
mod retry;

pub use http::{Outbound, OutboundConfig, OutboundError};
pub use policy::AddressPolicy;
pub use retry::RetryPolicy;
