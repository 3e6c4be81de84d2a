//! Settings (ZITADEL's policies): built-in defaults, instance defaults and org overrides.
//!
//! One aggregate of type `settings` per owner: its id is the instance id for the instance's
//! defaults, or an org id for that org's overrides. Each policy kind has a `set` event (the whole
//! policy) and, where an org may override it, a `reset` event (back to inheriting). A value
//! resolves as ZITADEL does: built-in default ← instance default ← org override ([`effective`]).

mod features;
mod policies;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use features::*;
pub use policies::*;

use crate::error::DomainError;
use crate::event::{Aggregate, Decision, EventMeta, EventPayload};

pub const AGGREGATE_TYPE: &str = "settings";
pub const MAX_TRANSLATIONS_LEN: usize = 500_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum SettingsEvent {
    #[serde(rename = "settings.login.set")]
    LoginSet { policy: LoginPolicy },
    #[serde(rename = "settings.login.reset")]
    LoginReset {},
    #[serde(rename = "settings.password_complexity.set")]
    PasswordComplexitySet { policy: PasswordComplexityPolicy },
    #[serde(rename = "settings.password_complexity.reset")]
    PasswordComplexityReset {},
    #[serde(rename = "settings.password_age.set")]
    PasswordAgeSet { policy: PasswordAgePolicy },
    #[serde(rename = "settings.password_age.reset")]
    PasswordAgeReset {},
    #[serde(rename = "settings.lockout.set")]
    LockoutSet { policy: LockoutPolicy },
    #[serde(rename = "settings.lockout.reset")]
    LockoutReset {},
    #[serde(rename = "settings.domain.set")]
    DomainSet { policy: DomainPolicy },
    #[serde(rename = "settings.domain.reset")]
    DomainReset {},
    #[serde(rename = "settings.privacy.set")]
    PrivacySet { policy: PrivacyPolicy },
    #[serde(rename = "settings.privacy.reset")]
    PrivacyReset {},
    #[serde(rename = "settings.label.set")]
    LabelSet { policy: LabelPolicy },
    #[serde(rename = "settings.label.reset")]
    LabelReset {},
    #[serde(rename = "settings.security.set")]
    SecuritySet { policy: SecurityPolicy },
    /// `translations` is the JSON text of the translation object (a `google.protobuf.Struct`).
    /// The instance's feature flags after a SetInstanceFeatures (every flag it has set).
    #[serde(rename = "settings.features.set")]
    FeaturesSet { features: Features },
    #[serde(rename = "settings.features.reset")]
    FeaturesReset {},
    #[serde(rename = "settings.hosted_login_translation.set")]
    HostedLoginTranslationSet {
        locale: String,
        translations: String,
    },
}

impl EventPayload for SettingsEvent {
    const AGGREGATE_TYPE: &'static str = AGGREGATE_TYPE;
}

/// The settings one owner (instance or org) has set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub login: Option<LoginPolicy>,
    pub password_complexity: Option<PasswordComplexityPolicy>,
    pub password_age: Option<PasswordAgePolicy>,
    pub lockout: Option<LockoutPolicy>,
    pub domain: Option<DomainPolicy>,
    pub privacy: Option<PrivacyPolicy>,
    pub label: Option<LabelPolicy>,
    pub security: Option<SecurityPolicy>,
    pub features: Option<Features>,
    pub translations: BTreeMap<String, String>,
}

impl Aggregate for Settings {
    type Event = SettingsEvent;

    fn apply(&mut self, event: &SettingsEvent, _meta: &EventMeta) {
        use SettingsEvent as E;
        match event {
            E::LoginSet { policy } => self.login = Some(policy.clone()),
            E::LoginReset {} => self.login = None,
            E::PasswordComplexitySet { policy } => self.password_complexity = Some(policy.clone()),
            E::PasswordComplexityReset {} => self.password_complexity = None,
            E::PasswordAgeSet { policy } => self.password_age = Some(policy.clone()),
            E::PasswordAgeReset {} => self.password_age = None,
            E::LockoutSet { policy } => self.lockout = Some(policy.clone()),
            E::LockoutReset {} => self.lockout = None,
            E::DomainSet { policy } => self.domain = Some(policy.clone()),
            E::DomainReset {} => self.domain = None,
            E::PrivacySet { policy } => self.privacy = Some(policy.clone()),
            E::PrivacyReset {} => self.privacy = None,
            E::LabelSet { policy } => self.label = Some(policy.clone()),
            E::LabelReset {} => self.label = None,
            E::SecuritySet { policy } => self.security = Some(policy.clone()),
            E::FeaturesSet { features } => self.features = Some(features.clone()),
            E::FeaturesReset {} => self.features = None,
            E::HostedLoginTranslationSet {
                locale,
                translations,
            } => {
                self.translations
                    .insert(locale.clone(), translations.clone());
            }
        }
    }
}

/// A policy kind as stored in the settings aggregate.
pub trait StoredPolicy: Policy {
    fn current(state: &Settings) -> Option<&Self>;
    fn set_event(self) -> SettingsEvent;
    fn reset_event() -> Option<SettingsEvent>;
}

macro_rules! stored_policy {
    ($policy:ty, $field:ident, $set:ident, $reset:expr) => {
        impl StoredPolicy for $policy {
            fn current(state: &Settings) -> Option<&Self> {
                state.$field.as_ref()
            }
            fn set_event(self) -> SettingsEvent {
                SettingsEvent::$set { policy: self }
            }
            fn reset_event() -> Option<SettingsEvent> {
                $reset
            }
        }
    };
}

stored_policy!(
    LoginPolicy,
    login,
    LoginSet,
    Some(SettingsEvent::LoginReset {})
);
stored_policy!(
    PasswordComplexityPolicy,
    password_complexity,
    PasswordComplexitySet,
    Some(SettingsEvent::PasswordComplexityReset {})
);
stored_policy!(
    PasswordAgePolicy,
    password_age,
    PasswordAgeSet,
    Some(SettingsEvent::PasswordAgeReset {})
);
stored_policy!(
    LockoutPolicy,
    lockout,
    LockoutSet,
    Some(SettingsEvent::LockoutReset {})
);
stored_policy!(
    DomainPolicy,
    domain,
    DomainSet,
    Some(SettingsEvent::DomainReset {})
);
stored_policy!(
    PrivacyPolicy,
    privacy,
    PrivacySet,
    Some(SettingsEvent::PrivacyReset {})
);
stored_policy!(
    LabelPolicy,
    label,
    LabelSet,
    Some(SettingsEvent::LabelReset {})
);
stored_policy!(SecurityPolicy, security, SecuritySet, None);

impl StoredPolicy for Features {
    fn current(state: &Settings) -> Option<&Self> {
        state.features.as_ref()
    }
    fn set_event(self) -> SettingsEvent {
        SettingsEvent::FeaturesSet { features: self }
    }
    fn reset_event() -> Option<SettingsEvent> {
        Some(SettingsEvent::FeaturesReset {})
    }
}

/// SetInstanceFeatures: the flags the request sets replace the instance's, the others stay.
pub fn set_features(
    state: &Settings,
    update: &Features,
) -> Result<Decision<SettingsEvent>, DomainError> {
    if update.is_empty() {
        return Err(DomainError::invalid(
            "SETTINGS-0021",
            "set at least one feature flag",
        ));
    }
    update.validate()?;
    let current = state.features.clone().unwrap_or_default();
    Ok(Decision::of(SettingsEvent::FeaturesSet {
        features: current.merged(update),
    }))
}

/// ResetInstanceFeatures: every flag inherits the system's again (nothing to do when none is set).
pub fn reset_features(state: &Settings) -> Decision<SettingsEvent> {
    if state.features.is_some() {
        Decision::of(SettingsEvent::FeaturesReset {})
    } else {
        Decision::default()
    }
}

/// Whose settings an aggregate holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Instance,
    Org,
}

/// How a write treats an existing value (ZITADEL's v1 Add / Update; v2 setters upsert).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// The org must not have its own value yet (AlreadyExists otherwise).
    Add,
    /// An org must already have its own value (NotFound otherwise); the value must change.
    Update,
    /// Sets whatever is there.
    Set,
}

/// Sets a policy on the owner's settings.
pub fn set<P: StoredPolicy>(
    state: &Settings,
    owner: Owner,
    mode: WriteMode,
    policy: P,
) -> Result<Decision<SettingsEvent>, DomainError> {
    if owner == Owner::Org && !P::ORG_OVERRIDABLE {
        return Err(DomainError::invalid(
            "SETTINGS-0011",
            format!("{} settings exist only on the instance", P::KIND),
        ));
    }
    policy.validate()?;
    let current = P::current(state);
    match (mode, owner, current) {
        (WriteMode::Add, Owner::Org, Some(_)) => {
            return Err(DomainError::already_exists(
                "SETTINGS-0012",
                format!("the organization already has its own {} policy", P::KIND),
            ));
        }
        (WriteMode::Update, Owner::Org, None) => {
            return Err(DomainError::not_found(
                "SETTINGS-0013",
                format!("the organization has no {} policy of its own", P::KIND),
            ));
        }
        (WriteMode::Update, _, Some(existing)) if *existing == policy => {
            return Err(DomainError::precondition(
                "SETTINGS-0014",
                format!("the {} policy has not changed", P::KIND),
            ));
        }
        _ => {}
    }
    Ok(Decision::of(policy.set_event()))
}

/// Removes an org's own value, so it inherits the instance's again.
pub fn reset<P: StoredPolicy>(state: &Settings) -> Result<Decision<SettingsEvent>, DomainError> {
    let Some(event) = P::reset_event() else {
        return Err(DomainError::invalid(
            "SETTINGS-0015",
            format!("{} settings cannot be reset", P::KIND),
        ));
    };
    if P::current(state).is_none() {
        return Err(DomainError::not_found(
            "SETTINGS-0013",
            format!("the organization has no {} policy of its own", P::KIND),
        ));
    }
    Ok(Decision::of(event))
}

/// Checks a BCP 47-shaped language tag (`en`, `de-CH`, `zh-Hant-TW`).
pub fn validate_locale(locale: &str) -> Result<String, DomainError> {
    let locale = locale.trim();
    let ok = !locale.is_empty()
        && locale.len() <= 35
        && locale.split('-').enumerate().all(|(i, part)| {
            !part.is_empty()
                && part.len() <= 8
                && part.chars().all(|c| c.is_ascii_alphanumeric())
                && (i > 0 || part.chars().all(|c| c.is_ascii_alphabetic()))
        });
    if ok {
        Ok(locale.to_owned())
    } else {
        Err(DomainError::invalid(
            "SETTINGS-0016",
            format!("{locale:?} is not a language tag"),
        ))
    }
}

/// Stores the hosted login's translations for one locale (the JSON text of an object).
pub fn set_translation(
    locale: &str,
    translations: &serde_json::Value,
) -> Result<Decision<SettingsEvent>, DomainError> {
    let locale = validate_locale(locale)?;
    if !translations.is_object() {
        return Err(DomainError::invalid(
            "SETTINGS-0017",
            "translations must be a JSON object",
        ));
    }
    let text = translations.to_string();
    if text.len() > MAX_TRANSLATIONS_LEN {
        return Err(DomainError::invalid(
            "SETTINGS-0018",
            format!("translations must be at most {MAX_TRANSLATIONS_LEN} bytes"),
        ));
    }
    Ok(Decision::of(SettingsEvent::HostedLoginTranslationSet {
        locale,
        translations: text,
    }))
}

/// Where a resolved value comes from (ZITADEL's `resource_owner_type`; built-in defaults are
/// reported as the instance's, as ZITADEL's instance setup writes them as instance policies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceLevel {
    BuiltIn,
    Instance,
    Org,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resolved<P> {
    pub policy: P,
    pub source: SourceLevel,
}

/// The effective value of a policy kind: the org's override, else the instance's default, else
/// the built-in default.
pub fn effective<P: Policy>(instance: Option<P>, org: Option<P>) -> Resolved<P> {
    match (org, instance) {
        (Some(policy), _) if P::ORG_OVERRIDABLE => Resolved {
            policy,
            source: SourceLevel::Org,
        },
        (_, Some(policy)) => Resolved {
            policy,
            source: SourceLevel::Instance,
        },
        _ => Resolved {
            policy: P::default(),
            source: SourceLevel::BuiltIn,
        },
    }
}

#[cfg(test)]
mod tests;
