//! The SSRF-protected HTTP client.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Url, redirect};

use crate::policy::AddressPolicy;

/// How the outbound client behaves; `Outbound` in the server's configuration.
#[derive(Clone, Debug)]
pub struct OutboundConfig {
    pub policy: AddressPolicy,
    /// Whole-request time limit.
    pub timeout: Duration,
    /// Responses larger than this are cut off with an error.
    pub max_response_bytes: usize,
    pub max_redirects: usize,
    /// Fixed answers for host names (like curl's `--resolve`), still subject to the policy: for
    /// split-horizon setups and tests.
    pub resolve: HashMap<String, Vec<IpAddr>>,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            policy: AddressPolicy::default(),
            timeout: Duration::from_secs(10),
            max_response_bytes: 64 * 1024,
            max_redirects: 3,
            resolve: HashMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("{0} is not a valid http(s) URL")]
    InvalidUrl(String),
    #[error("{0} resolves only to addresses outbound calls may not reach")]
    Blocked(String),
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
    #[error("outbound request failed: {0}")]
    Request(String),
}

/// Resolves names and drops every address the policy refuses.
#[derive(Debug)]
struct GuardedResolver {
    policy: AddressPolicy,
    fixed: HashMap<String, Vec<IpAddr>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let policy = self.policy.clone();
        let fixed = self.fixed.get(&host).cloned();
        Box::pin(async move {
            let candidates: Vec<SocketAddr> = match fixed {
                Some(ips) => ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let allowed: Vec<SocketAddr> = candidates
                .into_iter()
                .filter(|addr| policy.allows(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(OutboundError::Blocked(host)) as _);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The one outbound HTTP client.
#[derive(Clone, Debug)]
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    max_response_bytes: usize,
}

impl Outbound {
    pub fn new(config: OutboundConfig) -> Result<Self, OutboundError> {
        let resolver = GuardedResolver {
            policy: config.policy.clone(),
            fixed: config
                .resolve
                .into_iter()
                .map(|(host, ips)| (host.to_ascii_lowercase(), ips))
                .collect(),
        };
        let redirect_policy = config.policy.clone();
        let max_redirects = config.max_redirects;
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            // A proxy would resolve names itself, past the policy.
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("castellan/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= max_redirects {
                    attempt.error("too many redirects")
                } else if literal_allowed(&redirect_policy, attempt.url()) {
                    attempt.follow()
                } else {
                    attempt.error("redirect to an address outbound calls may not reach")
                }
            }))
            .build()
            .map_err(|e| OutboundError::Request(e.to_string()))?;
        Ok(Self {
            client,
            policy: Arc::new(config.policy),
            max_response_bytes: config.max_response_bytes,
        })
    }

    fn checked_url(&self, url: &str) -> Result<Url, OutboundError> {
        let parsed = Url::parse(url).map_err(|_| OutboundError::InvalidUrl(url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(OutboundError::InvalidUrl(url.to_owned()));
        }
        if !literal_allowed(&self.policy, &parsed) {
            return Err(OutboundError::Blocked(
                parsed.host_str().unwrap_or_default().to_owned(),
            ));
        }
        Ok(parsed)
    }

    /// GETs `url`; returns the status and the body as text (lossy UTF-8).
    pub async fn get_text(&self, url: &str) -> Result<(u16, String), OutboundError> {
        let parsed = self.checked_url(url)?;
        let response = self
            .client
            .get(parsed)
            .send()
            .await
            .map_err(request_error)?;
        self.read_text(response).await
    }

    /// POSTs an `application/x-www-form-urlencoded` body; returns the status and the body.
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<(u16, String), OutboundError> {
        let parsed = self.checked_url(url)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .client
            .post(parsed)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(request_error)?;
        self.read_text(response).await
    }

    /// POSTs `body` as `content_type` with extra `headers`; returns the status and the body.
    pub async fn post_bytes(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<(u16, String), OutboundError> {
        let parsed = self.checked_url(url)?;
        let mut request = self
            .client
            .post(parsed)
            .header("content-type", content_type);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.body(body).send().await.map_err(request_error)?;
        self.read_text(response).await
    }

    /// Sends any request: `method` to `url` with `headers` and, when given, a body of
    /// `(content type, bytes)`; returns the status and the body.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<(u16, String), OutboundError> {
        let parsed = self.checked_url(url)?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| OutboundError::Request(format!("{method} is not an HTTP method")))?;
        let mut request = self.client.request(method, parsed);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.map_err(request_error)?;
        self.read_text(response).await
    }

    /// The address policy, for connections that are not HTTP (syslog over TCP).
    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    async fn read_text(
        &self,
        mut response: reqwest::Response,
    ) -> Result<(u16, String), OutboundError> {
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(OutboundError::TooLarge(self.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// URLs with an IP literal host skip name resolution, so they are checked here.
fn literal_allowed(policy: &AddressPolicy, url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => policy.allows(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => policy.allows(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => true,
        None => false,
    }
}

fn request_error(error: reqwest::Error) -> OutboundError {
    // A refused resolution surfaces as a connect error whose source is ours.
    let mut message = error.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&error);
    while let Some(current) = source {
        if let Some(OutboundError::Blocked(host)) = current.downcast_ref::<OutboundError>() {
            return OutboundError::Blocked(host.clone());
        }
        message.push_str(": ");
        message.push_str(&current.to_string());
        source = current.source();
    }
    OutboundError::Request(message)
}
