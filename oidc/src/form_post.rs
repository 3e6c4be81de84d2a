//! OAuth 2.0 Form Post Response Mode: the authorization response as an HTML page whose form
//! POSTs the parameters to the redirect URI. A script submits it at once; without JavaScript
//! (the hosted login needs none) the user presses the button in `<noscript>`. The page's CSP
//! allows only that script (by nonce) and only the redirect URI's origin as form target.
//!
//! A custom login UI finishing a request through OIDCService.CreateCallback gets a URL to send
//! the browser to, as for the other modes: for `form_post` it is Castellan's
//! `/oauth/v2/authorize/form_post?ticket=…`, where the ticket is the response sealed with the
//! master key (AES-256-GCM, the instance bound as associated data) and valid for ten minutes.
//! Only Castellan can make a ticket, so the endpoint posts only responses it issued, only to
//! the redirect URI they were issued for; the tokens never appear in clear in a URL.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use castellan_api::state::AppState;
use castellan_core::DomainError;
use serde::{Deserialize, Serialize};

use crate::login::look::Look;
use crate::login::page::{error_page, escape};

/// How long a CreateCallback form_post link stays valid.
const TICKET_LIFETIME_MICROS: i64 = 10 * 60 * 1_000_000;

/// The page that posts `params` to `redirect_uri`.
pub fn page(redirect_uri: &str, params: &[(String, String)], script_nonce: &str) -> String {
    let mut fields = String::new();
    for (name, value) in params {
        fields.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Continue</title></head>\n\
         <body>\n<form method=\"post\" action=\"{}\">\n{fields}\
         <noscript><p>JavaScript is off: continue to the application.</p>\
         <button type=\"submit\">Continue</button></noscript>\n</form>\n\
         <script nonce=\"{}\">document.forms[0].submit();</script>\n</body></html>\n",
        escape(redirect_uri),
        escape(script_nonce)
    )
}

/// The CSP source of the redirect URI: its origin, or `scheme:` for URIs without a host
/// (native apps' private schemes). `None` when the URI does not parse.
fn form_target(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    let origin = url.origin();
    if origin.is_tuple() {
        Some(origin.ascii_serialization())
    } else {
        Some(format!("{}:", url.scheme()))
    }
}

/// The page's Content-Security-Policy: the nonce'd script, the redirect URI's origin as the only
/// form target, no framing.
pub fn content_security_policy(redirect_uri: &str, script_nonce: &str) -> Option<String> {
    let target = form_target(redirect_uri)?;
    Some(format!(
        "default-src 'none'; script-src 'nonce-{script_nonce}'; form-action {target}; \
         frame-ancestors 'none'; base-uri 'none'"
    ))
}

/// The HTML response posting `params` to `redirect_uri`.
pub fn response(redirect_uri: &str, params: &[(String, String)]) -> Result<Response, DomainError> {
    let (script_nonce, _) = castellan_writer::secrets::new_bearer_token();
    let csp = content_security_policy(redirect_uri, &script_nonce)
        .and_then(|csp| HeaderValue::from_str(&csp).ok())
        .ok_or_else(|| DomainError::internal("OIDC-0401", "stored redirect_uri is invalid"))?;
    let mut response = Html(page(redirect_uri, params, &script_nonce)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("content-security-policy", csp);
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    Ok(response)
}

#[derive(Serialize, Deserialize)]
struct Ticket {
    #[serde(rename = "r")]
    redirect_uri: String,
    #[serde(rename = "p")]
    params: Vec<(String, String)>,
    /// Expiry, microseconds since the epoch.
    #[serde(rename = "e")]
    expires_at: i64,
}

fn associated_data(instance_id: &str) -> Vec<u8> {
    format!("castellan form_post:{instance_id}").into_bytes()
}

/// The link a custom login UI sends the browser to for a `form_post` response.
pub fn ticket_url(
    state: &AppState,
    instance_id: &str,
    issuer: &str,
    redirect_uri: &str,
    params: &[(String, String)],
) -> Result<String, DomainError> {
    let ticket = Ticket {
        redirect_uri: redirect_uri.to_owned(),
        params: params.to_vec(),
        expires_at: state.clock.now().0.saturating_add(TICKET_LIFETIME_MICROS),
    };
    let plain = serde_json::to_vec(&ticket)
        .map_err(|e| DomainError::internal("OIDC-0402", format!("ticket: {e}")))?;
    let sealed = state
        .master_key
        .encrypt(&plain, &associated_data(instance_id))
        .map_err(|e| DomainError::internal("OIDC-0403", format!("ticket: {e}")))?;
    let mut url = url::Url::parse(&format!("{issuer}/oauth/v2/authorize/form_post"))
        .map_err(|_| DomainError::internal("OIDC-0404", "the stored issuer is invalid"))?;
    url.query_pairs_mut().append_pair("ticket", &sealed);
    Ok(url.to_string())
}

fn open_ticket(state: &AppState, instance_id: &str, sealed: &str) -> Option<Ticket> {
    let plain = state
        .master_key
        .decrypt(sealed, &associated_data(instance_id))
        .ok()?;
    let ticket: Ticket = serde_json::from_slice(&plain).ok()?;
    (state.clock.now().0 < ticket.expires_at).then_some(ticket)
}

#[derive(Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

/// `GET /oauth/v2/authorize/form_post?ticket=…`: renders the form of a sealed response.
pub async fn redeem(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<TicketQuery>,
) -> Response {
    let refused = |look: &Look| {
        (
            StatusCode::BAD_REQUEST,
            Html(error_page(look, "The link is invalid or has expired.")),
        )
            .into_response()
    };
    let Ok(instance) = crate::endpoints::instance(&state, &headers).await else {
        return refused(&Look::default());
    };
    let Some(ticket) = open_ticket(&state, &instance.id, &query.ticket) else {
        return refused(&Look::default());
    };
    match response(&ticket.redirect_uri, &ticket.params) {
        Ok(response) => response,
        Err(_) => refused(&Look::default()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_every_value_and_works_without_javascript() {
        let params = vec![
            ("code".to_owned(), "a\"b<c>".to_owned()),
            ("state".to_owned(), "x&y".to_owned()),
        ];
        let html = page("https://rp.test/cb?x=1&y=\"2\"", &params, "n0nce");
        assert!(html.contains("action=\"https://rp.test/cb?x=1&amp;y=&quot;2&quot;\""));
        assert!(html.contains("name=\"code\" value=\"a&quot;b&lt;c&gt;\""));
        assert!(html.contains("name=\"state\" value=\"x&amp;y\""));
        assert!(html.contains("<noscript>"));
        assert!(html.contains("<button type=\"submit\">"));
        assert!(html.contains("<script nonce=\"n0nce\">"));
    }

    #[test]
    fn the_policy_allows_the_nonce_and_the_redirect_origin_only() {
        let csp = content_security_policy("https://rp.test:8443/cb?a=b", "abc").unwrap();
        assert!(csp.contains("script-src 'nonce-abc'"), "{csp}");
        assert!(csp.contains("form-action https://rp.test:8443;"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let native = content_security_policy("com.example.app:/cb", "abc").unwrap();
        assert!(native.contains("form-action com.example.app:;"), "{native}");
        assert!(content_security_policy("not a uri", "abc").is_none());
    }
}
