//! `SMTP.*` / `CASTELLAN_SMTP_*`: the mail relay for password-reset and verification codes. With
//! no host configured Castellan sends no mail: codes are still recorded, the API's `returnCode`
//! still works, and the hosted login hides "Forgot password?".

use std::time::Duration;

use castellan_outbound::mail::{SmtpConfig, SmtpSecurity};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct SmtpSettings {
    /// The relay's host; empty: no mail.
    pub host: String,
    pub port: u16,
    /// `starttls` (default), `tls` (SMTPS) or `none`.
    pub security: String,
    pub user: String,
    pub password: String,
    /// The sender, e.g. `Castellan <noreply@example.com>`.
    pub from: String,
    pub timeout_seconds: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            user: String::new(),
            password: String::new(),
            from: String::new(),
            timeout_seconds: 10,
        }
    }
}

impl SmtpSettings {
    /// `CASTELLAN_SMTP_*`: `None` when `key` is not one of them.
    pub fn set_env(&mut self, key: &str, value: &str) -> Option<Result<(), &'static str>> {
        Some(match key {
            "SMTP_HOST" => {
                self.host = value.trim().to_owned();
                Ok(())
            }
            "SMTP_PORT" => value
                .parse()
                .map(|port| self.port = port)
                .map_err(|_| "a port number"),
            "SMTP_SECURITY" => {
                self.security = value.trim().to_ascii_lowercase();
                security(&self.security).map(|_| ())
            }
            "SMTP_USER" => {
                self.user = value.to_owned();
                Ok(())
            }
            "SMTP_PASSWORD" => {
                self.password = value.to_owned();
                Ok(())
            }
            "SMTP_FROM" => {
                self.from = value.to_owned();
                Ok(())
            }
            "SMTP_TIMEOUTSECONDS" => value
                .parse()
                .map(|v| self.timeout_seconds = v)
                .map_err(|_| "a number of seconds"),
            _ => return None,
        })
    }

    /// The mailer's settings, or `None` when no relay is configured.
    pub fn mailer_config(&self, external_domain: &str) -> Result<Option<SmtpConfig>, String> {
        if self.host.is_empty() {
            return Ok(None);
        }
        let from = if self.from.trim().is_empty() {
            format!("Castellan <noreply@{external_domain}>")
        } else {
            self.from.clone()
        };
        Ok(Some(SmtpConfig {
            host: self.host.clone(),
            port: self.port,
            security: security(&self.security).map_err(|e| format!("SMTP.Security: {e}"))?,
            username: (!self.user.is_empty()).then(|| self.user.clone()),
            password: (!self.password.is_empty()).then(|| self.password.clone()),
            from,
            timeout: Duration::from_secs(self.timeout_seconds.max(1)),
        }))
    }
}

fn security(value: &str) -> Result<SmtpSecurity, &'static str> {
    match value {
        "starttls" | "" => Ok(SmtpSecurity::StartTls),
        "tls" | "smtps" => Ok(SmtpSecurity::Tls),
        "none" | "plain" => Ok(SmtpSecurity::None),
        _ => Err("starttls, tls or none"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_host_means_no_mail_and_env_fills_the_rest() {
        let mut settings = SmtpSettings::default();
        assert_eq!(settings.mailer_config("example.com").unwrap(), None);
        for (key, value) in [
            ("SMTP_HOST", "mail.example.com"),
            ("SMTP_PORT", "2525"),
            ("SMTP_SECURITY", "None"),
        ] {
            settings.set_env(key, value).unwrap().unwrap();
        }
        assert!(settings.set_env("SMTP_PORT", "x").unwrap().is_err());
        assert!(settings.set_env("SMTP_SECURITY", "ssl3").unwrap().is_err());
        assert!(settings.set_env("OTHER", "x").is_none());
        settings.security = "none".into();
        let config = settings.mailer_config("example.com").unwrap().unwrap();
        assert_eq!(config.port, 2525);
        assert_eq!(config.security, SmtpSecurity::None);
        assert_eq!(config.from, "Castellan <noreply@example.com>");
        assert_eq!(config.username, None);
    }
}
