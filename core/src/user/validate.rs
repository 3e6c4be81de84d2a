//! Input rules for usernames, passwords, email addresses and phone numbers.

use super::MAX_USERNAME_LEN;
use crate::error::DomainError;

pub fn validate_username(username: &str) -> Result<String, DomainError> {
    let trimmed = username.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_USERNAME_LEN {
        return Err(DomainError::invalid(
            "USER-0001",
            format!("Username must be 1 to {MAX_USERNAME_LEN} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(
            "USER-0002",
            "Username must not contain whitespace",
        ));
    }
    Ok(trimmed.to_owned())
}

/// ZITADEL's default password complexity: at least 8 characters with a lower-case letter, an
/// upper-case letter, a digit and a symbol.
pub fn validate_password(password: &str) -> Result<(), DomainError> {
    validate_password_against(
        password,
        &crate::settings::PasswordComplexityPolicy::default(),
    )
}

/// Checks a password against the effective password complexity settings.
pub fn validate_password_against(
    password: &str,
    policy: &crate::settings::PasswordComplexityPolicy,
) -> Result<(), DomainError> {
    policy.check(password)
}

pub fn validate_email(email: &str) -> Result<String, DomainError> {
    let trimmed = email.trim();
    let valid = trimmed.len() <= 254
        && trimmed.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(trimmed.to_owned())
    } else {
        Err(DomainError::invalid(
            "USER-0003",
            format!("Invalid email address {email:?}"),
        ))
    }
}

/// A phone number in E.164 form: `+`, then 4 to 15 digits (spaces, dashes and parentheses in
/// the input are dropped).
pub fn validate_phone(phone: &str) -> Result<String, DomainError> {
    let compact: String = phone
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or_default();
    if digits.len() >= 4 && digits.len() <= 15 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(DomainError::invalid(
            "USER-0012",
            format!(
                "Invalid phone number {phone:?}: use the international form, e.g. +41791234567"
            ),
        ))
    }
}
