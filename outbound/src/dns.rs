//! DNS TXT lookups (domain verification: `_zitadel-challenge.<domain>`).

use std::net::SocketAddr;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;

/// Looks TXT records up through the system's resolvers, or through `servers` when given.
#[derive(Clone)]
pub struct TxtLookup {
    resolver: TokioResolver,
}

impl std::fmt::Debug for TxtLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TxtLookup")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("DNS lookup failed: {0}")]
pub struct DnsError(String);

impl TxtLookup {
    pub fn new(servers: &[SocketAddr]) -> Result<Self, DnsError> {
        let builder = if servers.is_empty() {
            TokioResolver::builder_tokio().map_err(|e| DnsError(e.to_string()))?
        } else {
            let mut config = ResolverConfig::new();
            for server in servers {
                config.add_name_server(NameServerConfig::new(*server, Protocol::Udp));
            }
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
        };
        Ok(Self {
            resolver: builder.build(),
        })
    }

    /// The TXT strings at `name` (each record's character-strings joined); empty when the name
    /// has none.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        match self.resolver.txt_lookup(name).await {
            Ok(lookup) => Ok(lookup
                .iter()
                .map(|txt| {
                    txt.txt_data()
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<String>()
                })
                .collect()),
            Err(error) if error.is_no_records_found() => Ok(Vec::new()),
            Err(error) => Err(DnsError(error.to_string())),
        }
    }
}
