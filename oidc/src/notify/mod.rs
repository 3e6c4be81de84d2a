//! The notifier: mails the codes users are sent (password reset, email verification).
//!
//! A code that is to be sent is written into its `user.human.code.added` event sealed with the
//! master key. The notifier is a [`Relay`](castellan_writer::relay::Relay) over those events with
//! its own durable checkpoint, so a mail is sent at least once even across restarts (a crash
//! between sending and checkpointing sends it again). It skips a code that has expired or has
//! been replaced by a newer one, so catching up after a long stop sends nothing stale. A relay
//! that is unreachable is retried with backoff; a message the relay refuses for good (a bad
//! address) is logged and counted, not retried.

pub mod messages;

use std::sync::Arc;

use async_trait::async_trait;
use castellan_core::Event;
use castellan_core::clock::Clock;
use castellan_core::event::{EventPayload, decode, fold};
use castellan_core::user::{CodePurpose, User, UserEvent};
use castellan_jose::MasterKey;
use castellan_outbound::mail::{Mail, MailError, Mailer};
use castellan_writer::ledger::Ledger;
use castellan_writer::relay::{EventSink, RelayConfig, RelayError};

/// The event type the notifier reads.
pub const CODE_ADDED: &str = "user.human.code.added";

/// What the notifier needs.
pub struct Notifier {
    ledger: Arc<dyn Ledger>,
    mailer: Mailer,
    key: MasterKey,
    clock: Arc<dyn Clock>,
    /// Scheme, host and port of the hosted login for links without a template, e.g.
    /// `https://login.example.com`.
    origin: String,
}

/// The relay settings for the notifier: its own checkpoint, code events only, one at a time (so
/// a failed mail does not send the ones before it again).
pub fn relay_config() -> RelayConfig {
    RelayConfig {
        name: "notifier".into(),
        batch_size: 1,
        event_types: vec![CODE_ADDED.to_owned()],
        ..RelayConfig::default()
    }
}

impl Notifier {
    pub fn new(
        ledger: Arc<dyn Ledger>,
        mailer: Mailer,
        key: MasterKey,
        clock: Arc<dyn Clock>,
        origin: String,
    ) -> Self {
        Self {
            ledger,
            mailer,
            key,
            clock,
            origin: origin.trim_end_matches('/').to_owned(),
        }
    }

    /// The mail for one event, if it is a code to send that is still current.
    async fn mail_for(&self, event: &Event) -> Result<Option<Mail>, RelayError> {
        if event.event_type != CODE_ADDED || event.aggregate_type != UserEvent::AGGREGATE_TYPE {
            return Ok(None);
        }
        let Ok(UserEvent::CodeAdded {
            purpose,
            code_hash,
            expires_at,
            sealed_code: Some(sealed),
            url_template,
            ..
        }) = decode::<UserEvent>(event)
        else {
            return Ok(None);
        };
        if expires_at <= self.clock.now() {
            return Ok(None);
        }
        let events = self
            .ledger
            .read_aggregate(
                &event.instance_id,
                UserEvent::AGGREGATE_TYPE,
                &event.aggregate_id,
            )
            .await?;
        let Ok((user, _)) = fold::<User>(&events) else {
            return Ok(None);
        };
        let current = user
            .codes
            .get(&purpose)
            .is_some_and(|pending| pending.code_hash == code_hash);
        if !current || user.email.is_empty() {
            return Ok(None);
        }
        let code = match self
            .key
            .decrypt(&sealed, castellan_api::user::SEALED_CODE_CONTEXT)
        {
            Ok(plain) => String::from_utf8_lossy(&plain).into_owned(),
            Err(error) => {
                tracing::warn!(%error, user = %event.aggregate_id, "a sealed code does not open with this master key");
                metrics::counter!("castellan_notifier_failed_total").increment(1);
                return Ok(None);
            }
        };
        let template = url_template.unwrap_or_else(|| self.default_template(purpose));
        let link = messages::fill_template(&template, &code, &event.aggregate_id, &user.org_id);
        let name = display_name(&user);
        let Some(rendered) = messages::render(
            purpose,
            &user.profile.preferred_language,
            &name,
            &code,
            &link,
        ) else {
            tracing::info!(user = %event.aggregate_id, ?purpose, "no mail for this kind of code");
            return Ok(None);
        };
        Ok(Some(Mail {
            to_address: user.email.clone(),
            to_name: name,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        }))
    }

    fn default_template(&self, purpose: CodePurpose) -> String {
        let page = match purpose {
            CodePurpose::PasswordReset => "/ui/login/password/reset/set",
            _ => "/ui/login/mail/verify",
        };
        format!(
            "{}{page}?userID={{{{.UserID}}}}&code={{{{.Code}}}}&orgID={{{{.OrgID}}}}",
            self.origin
        )
    }
}

fn display_name(user: &User) -> String {
    if !user.profile.display_name.trim().is_empty() {
        return user.profile.display_name.clone();
    }
    format!("{} {}", user.profile.given_name, user.profile.family_name)
        .trim()
        .to_owned()
}

#[async_trait]
impl EventSink for Notifier {
    async fn publish(&self, events: &[Event]) -> Result<(), RelayError> {
        for event in events {
            let Some(mail) = self.mail_for(event).await? else {
                continue;
            };
            match self.mailer.send(&mail).await {
                Ok(()) => {
                    metrics::counter!("castellan_notifier_sent_total").increment(1);
                }
                Err(MailError::Transient(message)) => {
                    metrics::counter!("castellan_notifier_retried_total").increment(1);
                    return Err(RelayError::Stream(message));
                }
                Err(error) => {
                    tracing::warn!(%error, user = %event.aggregate_id, "mail not deliverable; skipped");
                    metrics::counter!("castellan_notifier_failed_total").increment(1);
                }
            }
        }
        Ok(())
    }
}
