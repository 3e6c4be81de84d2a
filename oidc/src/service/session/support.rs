//! What the session handlers share: decoding metadata and user agents, resolving the checked
//! user, and deciding who may see or change a session.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use castellan_api::auth::Caller;
use castellan_api::error::read_error;
use castellan_api::state::AppState;
use castellan_core::permission::Principal;
use castellan_core::{DomainError, ErrorKind};
use castellan_readers::queries::oidc::SessionView;
use castellan_readers::queries::settings;
use castellan_readers::queries::user::{UserView, get_user};

use super::wire::{CheckUser, Checks, RequestChallenges, UserAgent};

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// `map<string, bytes>` values arrive as base64 (standard or URL-safe, padded or not); they are
/// stored as standard padded base64, the form the API returns. An empty value deletes the key.
pub fn decode_metadata(
    metadata: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, DomainError> {
    metadata
        .iter()
        .map(|(key, value)| {
            let bytes = STANDARD_LENIENT
                .decode(value)
                .or_else(|_| URL_SAFE_LENIENT.decode(value))
                .map_err(|_| {
                    DomainError::invalid(
                        "SESSION-0201",
                        format!("metadata value of {key:?} is not base64"),
                    )
                })?;
            Ok((key.clone(), STANDARD.encode(bytes)))
        })
        .collect()
}

/// The session aggregate keeps one user-agent text: the wire `UserAgent` is stored as its JSON.
/// A text that is not such JSON (a session of the hosted login) is returned as the description.
pub fn encode_user_agent(user_agent: &UserAgent) -> Option<String> {
    serde_json::to_string(user_agent).ok()
}

pub fn decode_user_agent(stored: &str) -> Option<UserAgent> {
    if stored.is_empty() {
        return None;
    }
    match serde_json::from_str::<UserAgent>(stored) {
        Ok(user_agent) if stored.starts_with('{') => Some(user_agent),
        _ => Some(UserAgent {
            description: Some(stored.to_owned()),
            ..UserAgent::default()
        }),
    }
}

pub fn unimplemented(what: &str) -> DomainError {
    DomainError::new(
        ErrorKind::Unimplemented,
        "SESSION-0202",
        format!("{what} is not supported yet"),
    )
}

/// Refuses checks and challenges that are not implemented, naming them.
pub fn require_supported(
    checks: &Checks,
    challenges: &RequestChallenges,
) -> Result<(), DomainError> {
    if let Some(name) = checks.unsupported().first() {
        return Err(unimplemented(&format!("the {name} check")));
    }
    if let Some(name) = challenges.keys().next() {
        return Err(unimplemented(&format!("the {name} challenge")));
    }
    Ok(())
}

fn user_not_found() -> DomainError {
    castellan_core::user::not_found()
}

/// The user a `CheckUser` names: by id, or by its login name (case-insensitive; the plain
/// username also matches when it names exactly one user of the instance).
pub async fn resolve_user(
    state: &AppState,
    caller: &Caller,
    check: &CheckUser,
) -> Result<UserView, DomainError> {
    let store = state.store();
    let instance = &caller.instance.id;
    let by_id = check.user_id.as_deref().map(str::trim);
    let by_name = check.login_name.as_deref().map(str::trim);
    match (by_id, by_name) {
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "SESSION-0203",
            "checks.user: set either userId or loginName",
        )),
        (Some(id), None) => {
            let id = castellan_api::support::require_id(id, "checks.user.user_id")?;
            get_user(store, instance, &id)
                .await
                .map_err(read_error)?
                .ok_or_else(user_not_found)
        }
        (None, Some(name)) if !name.is_empty() && name.len() <= 200 => {
            castellan_readers::queries::login::user_by_login_name(store, instance, name)
                .await
                .map_err(read_error)?
                .ok_or_else(user_not_found)
        }
        _ => Err(DomainError::invalid(
            "SESSION-0204",
            "checks.user needs a userId or a loginName of 1 to 200 characters",
        )),
    }
}

/// The lockout limits of the user's org (0: never lock): (passwords, TOTP codes).
pub async fn max_attempts(
    state: &AppState,
    caller: &Caller,
    org_id: &str,
) -> Result<(u32, u32), DomainError> {
    let policy = settings::lockout(state.store(), &caller.instance.id, org_id)
        .await
        .map_err(read_error)?;
    Ok((policy.max_password_attempts, policy.max_otp_attempts))
}

/// Whether the session is the caller's own: it created it, or it is the session's checked user.
pub fn own(principal: &Principal, session: &SessionView) -> bool {
    !principal.user_id.is_empty()
        && (session.creator == principal.user_id || session.user_id == principal.user_id)
}

/// Whether the caller holds `permission` on the session: instance-wide, or on the org of its
/// checked user.
pub fn permitted(principal: &Principal, permission: &str, session: &SessionView) -> bool {
    principal.has_instance_permission(permission)
        || (!session.org_id.is_empty() && principal.has_org_permission(permission, &session.org_id))
}

/// The answer for a session the caller may not see or change: NotFound, exactly as for one that
/// does not exist (no enumeration of session ids).
pub fn not_found() -> DomainError {
    castellan_core::session::not_found()
}

/// The session id of a request, checked.
pub fn session_id(value: &str) -> Result<String, DomainError> {
    castellan_api::support::require_id(value, "session_id")
}

/// A session token a request carries, if any (an empty string is no token).
pub fn given_token(token: Option<&str>) -> Option<&str> {
    token.map(str::trim).filter(|token| !token.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_stored_as_standard_base64() {
        let mut metadata = BTreeMap::new();
        metadata.insert("a".to_owned(), "aGVsbG8".to_owned());
        metadata.insert("b".to_owned(), "-_8".to_owned());
        metadata.insert("gone".to_owned(), String::new());
        let decoded = decode_metadata(&metadata).unwrap();
        assert_eq!(decoded["a"], "aGVsbG8=");
        assert_eq!(decoded["b"], "+/8=");
        assert_eq!(decoded["gone"], "");
        metadata.insert("bad".to_owned(), "not base64!".to_owned());
        assert_eq!(
            decode_metadata(&metadata).unwrap_err().kind,
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn user_agents_round_trip_and_plain_texts_become_descriptions() {
        let agent = UserAgent {
            fingerprint_id: Some("fp".into()),
            ip: Some("10.0.0.1".into()),
            ..UserAgent::default()
        };
        let stored = encode_user_agent(&agent).unwrap();
        assert_eq!(decode_user_agent(&stored), Some(agent));
        assert_eq!(
            decode_user_agent("Mozilla/5.0")
                .unwrap()
                .description
                .as_deref(),
            Some("Mozilla/5.0")
        );
        assert_eq!(decode_user_agent(""), None);
    }

    #[test]
    fn unsupported_checks_are_named() {
        let checks = Checks {
            otp_sms: Some(serde_json::json!({"code": "123456"})),
            ..Checks::default()
        };
        let error = require_supported(&checks, &RequestChallenges::new()).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Unimplemented);
        assert!(error.message.contains("otp_sms"), "{}", error.message);
        let mut challenges = RequestChallenges::new();
        challenges.insert("webAuthN".into(), serde_json::json!({}));
        let error = require_supported(&Checks::default(), &challenges).unwrap_err();
        assert!(error.message.contains("webAuthN"), "{}", error.message);
    }
}
