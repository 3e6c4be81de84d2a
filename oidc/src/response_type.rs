//! Which `response_type` and `response_mode` a client may use (OIDC Core §3, OAuth 2.0 Multiple
//! Response Type Encoding Practices, OAuth 2.0 Form Post Response Mode).
//!
//! ZITADEL configures an app with response types `CODE`, `ID_TOKEN` and `ID_TOKEN_TOKEN` and
//! accepts exactly those three values (`code`, `id_token`, `id_token token`). Castellan also
//! serves the hybrid combinations, each only when the app allows every part of it:
//!
//! | request                | the app needs                                   |
//! |------------------------|-------------------------------------------------|
//! | `code`                 | `CODE` + grant `AUTHORIZATION_CODE`             |
//! | `id_token`             | `ID_TOKEN` + grant `IMPLICIT`                   |
//! | `id_token token`       | `ID_TOKEN_TOKEN` + grant `IMPLICIT`             |
//! | `code id_token`        | `CODE` + `ID_TOKEN` + both grants               |
//! | `code token`           | `CODE` + `ID_TOKEN_TOKEN` + both grants         |
//! | `code id_token token`  | `CODE` + `ID_TOKEN_TOKEN` + both grants         |
//!
//! `token` alone (OAuth 2 implicit without an ID token) has no ZITADEL app setting and is refused.
//! Confidential clients may use these flows when configured for them, as in ZITADEL.

use castellan_core::project::app::{OidcConfig, OidcGrantType, OidcResponseType};

/// A parsed `response_type`: the set of things the authorization response carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseType {
    pub code: bool,
    pub id_token: bool,
    pub token: bool,
}

/// Why a `response_mode` cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeError {
    Unknown,
    /// `query` for a response with tokens: tokens never go into the query.
    TokensInQuery,
}

impl ResponseType {
    pub const CODE: Self = Self {
        code: true,
        id_token: false,
        token: false,
    };

    /// Parses the space-separated values in any order; `None` for unknown or repeated values.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parsed = Self::default();
        let mut any = false;
        for part in value.split(' ').filter(|p| !p.is_empty()) {
            let flag = match part {
                "code" => &mut parsed.code,
                "id_token" => &mut parsed.id_token,
                "token" => &mut parsed.token,
                _ => return None,
            };
            if *flag {
                return None;
            }
            *flag = true;
            any = true;
        }
        any.then_some(parsed)
    }

    /// The values in the order the registries list them ("code id_token token").
    pub fn canonical(self) -> String {
        [
            (self.code, "code"),
            (self.id_token, "id_token"),
            (self.token, "token"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Whether the authorization response itself carries tokens (implicit and hybrid).
    pub fn front_channel_tokens(self) -> bool {
        self.id_token || self.token
    }

    /// The default response mode: `fragment` when tokens are returned, else `query`.
    pub fn default_mode(self) -> &'static str {
        if self.front_channel_tokens() {
            "fragment"
        } else {
            "query"
        }
    }

    /// The mode to answer in: the requested one (or the default) when it suits.
    pub fn mode(self, requested: Option<&str>) -> Result<&'static str, ModeError> {
        match requested {
            None => Ok(self.default_mode()),
            Some("query") if self.front_channel_tokens() => Err(ModeError::TokensInQuery),
            Some("query") => Ok("query"),
            Some("fragment") => Ok("fragment"),
            Some("form_post") => Ok("form_post"),
            Some(_) => Err(ModeError::Unknown),
        }
    }

    /// `nonce` is required whenever the front channel carries an ID token (OIDC Core §3.2.2.1,
    /// §3.3.2.11).
    pub fn nonce_required(self) -> bool {
        self.id_token
    }

    /// Whether the app's configuration allows this response type (the table above).
    pub fn allowed_for(self, oidc: &OidcConfig) -> bool {
        let has_type = |t: OidcResponseType| oidc.response_types.contains(&t);
        let has_grant = |g: OidcGrantType| oidc.grant_types.contains(&g);
        if self.code
            && !(has_type(OidcResponseType::Code) && has_grant(OidcGrantType::AuthorizationCode))
        {
            return false;
        }
        let front = match (self.id_token, self.token) {
            (false, false) => return self.code,
            (true, false) => has_type(OidcResponseType::IdToken),
            // `token` without `id_token` only in the hybrid `code token`.
            (false, true) => self.code && has_type(OidcResponseType::IdTokenToken),
            (true, true) => has_type(OidcResponseType::IdTokenToken),
        };
        front && has_grant(OidcGrantType::Implicit)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn app(types: &[OidcResponseType], grants: &[OidcGrantType]) -> OidcConfig {
        OidcConfig {
            response_types: types.to_vec(),
            grant_types: grants.to_vec(),
            ..OidcConfig::default()
        }
    }

    #[test]
    fn parsing_ignores_order_and_refuses_unknown_or_repeated_values() {
        let hybrid = ResponseType::parse("token code  id_token").unwrap();
        assert_eq!(hybrid.canonical(), "code id_token token");
        assert_eq!(ResponseType::parse("code").unwrap(), ResponseType::CODE);
        assert!(ResponseType::parse("").is_none());
        assert!(ResponseType::parse("none").is_none());
        assert!(ResponseType::parse("code code").is_none());
        assert!(ResponseType::parse("code id-token").is_none());
    }

    #[test]
    fn tokens_default_to_the_fragment_and_never_go_into_the_query() {
        let implicit = ResponseType::parse("id_token token").unwrap();
        assert_eq!(implicit.mode(None), Ok("fragment"));
        assert_eq!(implicit.mode(Some("query")), Err(ModeError::TokensInQuery));
        assert_eq!(implicit.mode(Some("form_post")), Ok("form_post"));
        assert_eq!(implicit.mode(Some("jwt")), Err(ModeError::Unknown));
        assert_eq!(ResponseType::CODE.mode(None), Ok("query"));
        assert_eq!(ResponseType::CODE.mode(Some("query")), Ok("query"));
        assert_eq!(ResponseType::CODE.mode(Some("form_post")), Ok("form_post"));
        assert!(implicit.nonce_required());
        assert!(!ResponseType::parse("code token").unwrap().nonce_required());
    }

    #[test]
    fn the_app_must_allow_every_part() {
        use OidcGrantType::{AuthorizationCode, Implicit};
        use OidcResponseType::{Code, IdToken, IdTokenToken};
        let allowed =
            |value: &str, app: &OidcConfig| ResponseType::parse(value).unwrap().allowed_for(app);
        let code_only = app(&[Code], &[AuthorizationCode]);
        assert!(allowed("code", &code_only));
        for value in [
            "id_token",
            "id_token token",
            "code id_token",
            "code token",
            "token",
        ] {
            assert!(!allowed(value, &code_only), "{value}");
        }
        let implicit = app(&[IdTokenToken], &[Implicit, AuthorizationCode]);
        assert!(allowed("id_token token", &implicit));
        assert!(
            !allowed("id_token", &implicit),
            "ZITADEL matches the configured type exactly"
        );
        assert!(
            !allowed("code", &implicit),
            "the grant alone does not allow codes"
        );
        assert!(!allowed("code id_token token", &implicit));
        assert!(!allowed("token", &implicit));
        let id_only = app(&[IdToken], &[Implicit]);
        assert!(allowed("id_token", &id_only));
        assert!(!allowed("id_token token", &id_only));
        let hybrid = app(
            &[Code, IdToken, IdTokenToken],
            &[AuthorizationCode, Implicit],
        );
        for value in [
            "code",
            "id_token",
            "id_token token",
            "code id_token",
            "code token",
            "code id_token token",
        ] {
            assert!(allowed(value, &hybrid), "{value}");
        }
        assert!(!allowed("token", &hybrid));
        let no_implicit_grant = app(&[Code, IdToken], &[AuthorizationCode]);
        assert!(!allowed("code id_token", &no_implicit_grant));
        let code_and_id = app(&[Code, IdToken], &[AuthorizationCode, Implicit]);
        assert!(allowed("code id_token", &code_and_id));
        assert!(!allowed("code token", &code_and_id));
    }
}
