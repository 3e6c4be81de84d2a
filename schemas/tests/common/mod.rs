//! Samples of every event variant, shared by the test crates.
#![allow(dead_code)]

use std::collections::BTreeMap;

use castellan_core::administrator::AdministratorEvent;
use castellan_core::authorization::AuthorizationEvent;
use castellan_core::clock::Timestamp;
use castellan_core::event::{self, EventPayload};
use castellan_core::instance::InstanceEvent;
use castellan_core::oidc::auth_request::{AuthRequestEvent, AuthRequestParams, Authentication};
use castellan_core::oidc::device::DeviceEvent;
use castellan_core::oidc::grant::{Actor, GrantEvent, NewGrant};
use castellan_core::oidc::pkce::CodeChallenge;
use castellan_core::org::{DomainValidationType, OrgEvent};
use castellan_core::project::app::{
    ApiAuthMethod, LoginVersion, OidcAppType, OidcAuthMethod, OidcGrantType, OidcResponseType,
    OidcTokenType,
};
use castellan_core::project::{
    ApiConfig, AppConfig, OidcConfig, PrivateLabeling, ProjectEvent, ProjectSettings, SamlConfig,
};
use castellan_core::session::SessionEvent;
use castellan_core::settings::{
    DomainPolicy, Features, ImprovedPerformance, LabelPolicy, LockoutPolicy, LoginPolicy, LoginV2,
    PasskeysType, PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy, SecondFactor,
    SecurityPolicy, SettingsEvent, ThemeMode,
};
use castellan_core::user::{CodePurpose, HumanProfile, UserEvent};
use castellan_core::web_key::{WebKeyAlgorithm, WebKeyEvent};
use castellan_core::{Event, Position};
use serde_json::json;

mod group;
#[allow(unused_imports)] // not every test crate uses the group samples
pub use group::*;
mod scim_target;
#[allow(unused_imports)] // not every test crate uses the SCIM target samples
pub use scim_target::*;
mod sink;
#[allow(unused_imports)] // not every test crate uses the sink samples
pub use sink::*;
mod identity;
#[allow(unused_imports)] // not every test crate uses every sample
pub use identity::*;
mod settings;
#[allow(unused_imports)] // not every test crate uses every sample
pub use settings::*;
mod project;
#[allow(unused_imports)] // not every test crate uses every sample
pub use project::*;
mod login;
#[allow(unused_imports)] // not every test crate uses every sample
pub use login::*;

/// A stored event carrying `typed`, as the ledger would hand it out.
pub fn stored<E: EventPayload>(typed: &E, sequence: i64) -> Event {
    let new = event::encode(typed).unwrap();
    Event {
        instance_id: "inst-1".into(),
        aggregate_type: E::AGGREGATE_TYPE.into(),
        aggregate_id: format!("{}-42", E::AGGREGATE_TYPE),
        sequence,
        event_type: new.event_type,
        revision: new.revision,
        payload: new.payload,
        creator: "u-admin".into(),
        resource_owner: "o-1".into(),
        created_at: Timestamp(1_714_000_000_123_456),
        position: Position(1_000 + sequence),
    }
}

/// Every sample as a stored event, with its expected record name.
pub fn all_samples() -> Vec<(Event, &'static str)> {
    let mut all = Vec::new();
    for (i, e) in org_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), org_record(e)));
    }
    for (i, e) in user_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), user_record(e)));
    }
    for (i, e) in instance_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), instance_record(e)));
    }
    for (i, e) in settings_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), settings_record(e)));
    }
    for (i, e) in project_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), project_record(e)));
    }
    for (i, e) in authorization_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), authorization_record(e)));
    }
    for (i, e) in administrator_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), administrator_record(e)));
    }
    for (i, e) in session_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), session_record(e)));
    }
    for (i, e) in auth_request_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), auth_request_record(e)));
    }
    for (i, e) in grant_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), grant_record(e)));
    }
    for (i, e) in device_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), device_record(e)));
    }
    for (i, e) in web_key_samples().iter().enumerate() {
        all.push((stored(e, i as i64 + 1), web_key_record(e)));
    }
    all
}

/// The event types of an event enum, as serde knows them (from the error of an unknown tag), so
/// a variant without a sample is noticed.
pub fn serde_event_types<E: EventPayload>() -> Vec<String> {
    let probe = serde_json::json!({ "type": "no.such.event", "payload": {} });
    let error = serde_json::from_value::<E>(probe)
        .err()
        .unwrap()
        .to_string();
    let (_, expected) = error.split_once("expected one of").unwrap();
    let mut types: Vec<String> = expected
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_owned())
        .map(|s| s.split('`').next().unwrap().to_owned())
        .collect();
    types.sort();
    types
}
