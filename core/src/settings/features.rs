//! Feature flags (ZITADEL's FeatureService), stored as an instance setting. Only the flags a
//! level has set are stored (`None` = inherit); the system level is the built-in default.

use serde::{Deserialize, Serialize};

use super::policies::{MAX_LINK_LEN, Policy};
use crate::error::DomainError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImprovedPerformance {
    ProjectGrant,
    Project,
    UserGrant,
    OrgDomainVerified,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginV2 {
    pub required: bool,
    pub base_uri: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    #[serde(default)]
    pub login_default_org: Option<bool>,
    #[serde(default)]
    pub user_schema: Option<bool>,
    #[serde(default)]
    pub oidc_token_exchange: Option<bool>,
    #[serde(default)]
    pub improved_performance: Option<Vec<ImprovedPerformance>>,
    #[serde(default)]
    pub debug_oidc_parent_error: Option<bool>,
    #[serde(default)]
    pub oidc_single_v1_session_termination: Option<bool>,
    #[serde(default)]
    pub enable_back_channel_logout: Option<bool>,
    #[serde(default)]
    pub login_v2: Option<LoginV2>,
    #[serde(default)]
    pub permission_check_v2: Option<bool>,
    #[serde(default)]
    pub console_use_v2_user_api: Option<bool>,
}

impl Features {
    /// `self` with every flag `update` sets replaced.
    pub fn merged(&self, update: &Features) -> Features {
        fn pick<T: Clone>(update: &Option<T>, current: &Option<T>) -> Option<T> {
            update.clone().or_else(|| current.clone())
        }
        Features {
            login_default_org: pick(&update.login_default_org, &self.login_default_org),
            user_schema: pick(&update.user_schema, &self.user_schema),
            oidc_token_exchange: pick(&update.oidc_token_exchange, &self.oidc_token_exchange),
            improved_performance: pick(&update.improved_performance, &self.improved_performance),
            debug_oidc_parent_error: pick(
                &update.debug_oidc_parent_error,
                &self.debug_oidc_parent_error,
            ),
            oidc_single_v1_session_termination: pick(
                &update.oidc_single_v1_session_termination,
                &self.oidc_single_v1_session_termination,
            ),
            enable_back_channel_logout: pick(
                &update.enable_back_channel_logout,
                &self.enable_back_channel_logout,
            ),
            login_v2: pick(&update.login_v2, &self.login_v2),
            permission_check_v2: pick(&update.permission_check_v2, &self.permission_check_v2),
            console_use_v2_user_api: pick(
                &update.console_use_v2_user_api,
                &self.console_use_v2_user_api,
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Features::default()
    }
}

impl Policy for Features {
    const KIND: &'static str = "features";
    const ORG_OVERRIDABLE: bool = false;
    fn validate(&self) -> Result<(), DomainError> {
        if let Some(login) = &self.login_v2 {
            let uri = login.base_uri.trim();
            let ok = uri.is_empty()
                || (uri.len() <= MAX_LINK_LEN
                    && (uri.starts_with("https://") || uri.starts_with("http://"))
                    && !uri.contains(char::is_whitespace));
            if !ok {
                return Err(DomainError::invalid(
                    "SETTINGS-0019",
                    "login_v2.base_uri must be an http(s) URL",
                ));
            }
        }
        if let Some(paths) = &self.improved_performance {
            let mut sorted = paths.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != paths.len() {
                return Err(DomainError::invalid(
                    "SETTINGS-0020",
                    "improved_performance lists a value twice",
                ));
            }
        }
        Ok(())
    }
}
