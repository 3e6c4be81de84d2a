//! The `Outbound` and `DomainVerification` sections of the configuration: the one outbound HTTP
//! client's address policy and limits, and how org domains are proven.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use castellan_outbound::{AddressPolicy, OutboundConfig};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct OutboundSettings {
    /// Internal networks (CIDR) outbound calls may reach anyway; everything internal (loopback,
    /// private, link-local, ...) is refused otherwise.
    pub allowed_networks: Vec<String>,
    /// Fixed addresses for host names (`host → [ip]`), still subject to the policy.
    pub resolve: BTreeMap<String, Vec<String>>,
    pub timeout_seconds: u64,
    pub max_response_bytes: usize,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            allowed_networks: Vec::new(),
            resolve: BTreeMap::new(),
            timeout_seconds: 10,
            max_response_bytes: 64 * 1024,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct DomainVerificationSettings {
    /// `https` (default) or `http`: the scheme of the HTTP challenge URL.
    pub http_scheme: String,
    /// A port for the HTTP challenge URL (default: the scheme's).
    pub http_port: Option<u16>,
    /// DNS servers (`ip:port`) for the TXT challenge; empty: the system's resolvers.
    pub dns_servers: Vec<String>,
}

impl Default for DomainVerificationSettings {
    fn default() -> Self {
        Self {
            http_scheme: "https".into(),
            http_port: None,
            dns_servers: Vec::new(),
        }
    }
}

impl OutboundSettings {
    pub fn build(&self) -> Result<OutboundConfig, String> {
        let mut allowed_networks = Vec::new();
        for network in &self.allowed_networks {
            allowed_networks.push(
                network
                    .trim()
                    .parse()
                    .map_err(|_| format!("Outbound.AllowedNetworks: {network:?} is not a CIDR"))?,
            );
        }
        let mut resolve = std::collections::HashMap::new();
        for (host, ips) in &self.resolve {
            let mut parsed = Vec::new();
            for ip in ips {
                parsed.push(ip.trim().parse::<IpAddr>().map_err(|_| {
                    format!("Outbound.Resolve: {ip:?} for {host} is not an IP address")
                })?);
            }
            resolve.insert(host.clone(), parsed);
        }
        Ok(OutboundConfig {
            policy: AddressPolicy { allowed_networks },
            timeout: Duration::from_secs(self.timeout_seconds.max(1)),
            max_response_bytes: self.max_response_bytes.max(1),
            resolve,
            ..OutboundConfig::default()
        })
    }

    /// `CASTELLAN_OUTBOUND_*`: `None` when `key` is not one of them.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        Some(match key {
            "OUTBOUND_ALLOWEDNETWORKS" => {
                self.allowed_networks = list(value);
                Ok(())
            }
            // host=ip,host=ip
            "OUTBOUND_RESOLVE" => {
                let mut resolve = BTreeMap::new();
                for pair in list(value) {
                    let Some((host, ip)) = pair.split_once('=') else {
                        return Some(Err("a comma-separated list of host=ip"));
                    };
                    resolve
                        .entry(host.trim().to_ascii_lowercase())
                        .or_insert_with(Vec::new)
                        .push(ip.trim().to_owned());
                }
                self.resolve = resolve;
                Ok(())
            }
            "OUTBOUND_TIMEOUTSECONDS" => value
                .parse()
                .map(|v| self.timeout_seconds = v)
                .map_err(|_| "a number of seconds"),
            "OUTBOUND_MAXRESPONSEBYTES" => value
                .parse()
                .map(|v| self.max_response_bytes = v)
                .map_err(|_| "a number of bytes"),
            _ => return None,
        })
    }
}

impl DomainVerificationSettings {
    pub fn dns_servers(&self) -> Result<Vec<SocketAddr>, String> {
        self.dns_servers
            .iter()
            .map(|server| {
                server.trim().parse().map_err(|_| {
                    format!("DomainVerification.DnsServers: {server:?} is not ip:port")
                })
            })
            .collect()
    }

    /// `CASTELLAN_DOMAINVERIFICATION_*`: `None` when `key` is not one of them.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        Some(match key {
            "DOMAINVERIFICATION_HTTPSCHEME" => match value.trim().to_ascii_lowercase().as_str() {
                scheme @ ("http" | "https") => {
                    self.http_scheme = scheme.to_owned();
                    Ok(())
                }
                _ => Err("http or https"),
            },
            "DOMAINVERIFICATION_HTTPPORT" => value
                .parse()
                .map(|port| self.http_port = Some(port))
                .map_err(|_| "a port number"),
            "DOMAINVERIFICATION_DNSSERVERS" => {
                self.dns_servers = list(value);
                Ok(())
            }
            _ => return None,
        })
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The API's outbound parts, built from the configuration: the SSRF-protected client, the DNS
/// TXT lookup and the HTTP challenge settings.
pub struct OutboundParts {
    pub outbound: castellan_outbound::Outbound,
    pub dns: castellan_outbound::dns::TxtLookup,
    pub domain_check: castellan_api::state::DomainCheck,
}

pub fn outbound_parts(config: &crate::config::Config) -> Result<OutboundParts, String> {
    let outbound = castellan_outbound::Outbound::new(config.outbound.build()?)
        .map_err(|e| format!("outbound client: {e}"))?;
    let dns = castellan_outbound::dns::TxtLookup::new(&config.domain_verification.dns_servers()?)
        .map_err(|e| format!("DNS resolver: {e}"))?;
    Ok(OutboundParts {
        outbound,
        dns,
        domain_check: castellan_api::state::DomainCheck {
            http_scheme: config.domain_verification.http_scheme.clone(),
            http_port: config.domain_verification.http_port,
        },
    })
}
