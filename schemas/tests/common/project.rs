//! Samples of every `ProjectEvent`, `AuthorizationEvent` and `AdministratorEvent` variant.

use super::*;

pub(super) fn project_settings(name: &str) -> ProjectSettings {
    ProjectSettings {
        name: name.into(),
        project_role_assertion: true,
        authorization_required: false,
        project_access_required: true,
        private_labeling_setting: PrivateLabeling::EnforceProjectResourceOwnerPolicy,
    }
}

pub(super) fn oidc_config() -> AppConfig {
    AppConfig {
        oidc: Some(OidcConfig {
            client_id: "a-1@shop".into(),
            redirect_uris: vec!["https://shop.test/cb".into()],
            response_types: vec![OidcResponseType::Code, OidcResponseType::IdToken],
            grant_types: vec![OidcGrantType::AuthorizationCode, OidcGrantType::Implicit],
            app_type: OidcAppType::Web,
            auth_method: OidcAuthMethod::Basic,
            post_logout_redirect_uris: vec!["https://shop.test/bye".into()],
            dev_mode: false,
            access_token_type: OidcTokenType::Jwt,
            access_token_role_assertion: true,
            id_token_role_assertion: false,
            id_token_userinfo_assertion: true,
            clock_skew_micros: 3_000_000,
            additional_origins: vec!["https://cdn.shop.test".into()],
            skip_native_app_success_page: false,
            back_channel_logout_uri: String::new(),
            login_version: LoginVersion::V2,
            login_base_uri: "https://login.shop.test".into(),
        }),
        ..AppConfig::default()
    }
}

/// Samples of every `ProjectEvent` variant, with each kind of application configuration.
pub fn project_samples() -> Vec<ProjectEvent> {
    vec![
        ProjectEvent::Added(project_settings("Shop")),
        ProjectEvent::Changed {
            settings: project_settings("Store"),
            previous_name: "Shop".into(),
        },
        ProjectEvent::Deactivated {},
        ProjectEvent::Reactivated {},
        ProjectEvent::RoleAdded {
            key: "admin".into(),
            display_name: "Administrator".into(),
            group: "staff".into(),
        },
        ProjectEvent::RoleChanged {
            key: "admin".into(),
            display_name: "Admin".into(),
            group: String::new(),
        },
        ProjectEvent::RoleRemoved {
            key: "admin".into(),
        },
        ProjectEvent::ApplicationAdded {
            app_id: "a-1".into(),
            name: "Web".into(),
            config: oidc_config(),
            secret_hash: Some("ab".repeat(32)),
        },
        ProjectEvent::ApplicationAdded {
            app_id: "a-2".into(),
            name: "API".into(),
            config: AppConfig {
                api: Some(ApiConfig {
                    client_id: "a-2@shop".into(),
                    auth_method: ApiAuthMethod::PrivateKeyJwt,
                }),
                ..AppConfig::default()
            },
            secret_hash: None,
        },
        ProjectEvent::ApplicationChanged {
            app_id: "a-3".into(),
            name: "SAML".into(),
            config: AppConfig {
                saml: Some(SamlConfig {
                    metadata_xml: r#"<EntityDescriptor entityID="https://sp.test"/>"#.into(),
                    entity_id: "https://sp.test".into(),
                    login_version: LoginVersion::Unspecified,
                    login_base_uri: String::new(),
                }),
                ..AppConfig::default()
            },
        },
        ProjectEvent::ApplicationDeactivated {
            app_id: "a-1".into(),
        },
        ProjectEvent::ApplicationReactivated {
            app_id: "a-1".into(),
        },
        ProjectEvent::ApplicationSecretChanged {
            app_id: "a-1".into(),
            secret_hash: "cd".repeat(32),
        },
        ProjectEvent::ApplicationKeyAdded {
            app_id: "a-2".into(),
            key_id: "k-1".into(),
            public_key: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
            expiration: Some(Timestamp(1_900_000_000_000_000)),
        },
        ProjectEvent::ApplicationKeyAdded {
            app_id: "a-2".into(),
            key_id: "k-2".into(),
            public_key: "-----BEGIN PUBLIC KEY-----\nMIIC\n-----END PUBLIC KEY-----\n".into(),
            expiration: None,
        },
        ProjectEvent::ApplicationKeyRemoved {
            app_id: "a-2".into(),
            key_id: "k-1".into(),
        },
        ProjectEvent::ApplicationRemoved {
            app_id: "a-1".into(),
            client_id: "a-1@shop".into(),
        },
        ProjectEvent::GrantAdded {
            grant_id: "g-1".into(),
            granted_org_id: "o-2".into(),
            role_keys: vec!["admin".into(), "viewer".into()],
        },
        ProjectEvent::GrantChanged {
            grant_id: "g-1".into(),
            role_keys: vec![],
        },
        ProjectEvent::GrantDeactivated {
            grant_id: "g-1".into(),
        },
        ProjectEvent::GrantReactivated {
            grant_id: "g-1".into(),
        },
        ProjectEvent::GrantRemoved {
            grant_id: "g-1".into(),
            granted_org_id: "o-2".into(),
        },
        ProjectEvent::Removed {
            name: "Store".into(),
        },
    ]
}

pub fn authorization_samples() -> Vec<AuthorizationEvent> {
    vec![
        AuthorizationEvent::Added {
            user_id: "u-1".into(),
            project_id: "p-1".into(),
            org_id: "o-1".into(),
            project_grant_id: None,
            role_keys: vec!["admin".into(), "viewer".into()],
        },
        AuthorizationEvent::Added {
            user_id: "u-2".into(),
            project_id: "p-1".into(),
            org_id: "o-2".into(),
            project_grant_id: Some("g-1".into()),
            role_keys: vec![],
        },
        AuthorizationEvent::Changed {
            role_keys: vec!["viewer".into()],
        },
        AuthorizationEvent::Deactivated {},
        AuthorizationEvent::Reactivated {},
        AuthorizationEvent::Removed {
            user_id: "u-1".into(),
            project_id: "p-1".into(),
            org_id: "o-1".into(),
        },
    ]
}

/// Exhaustive over `ProjectEvent`; see [`org_record`].
pub fn project_record(event: &ProjectEvent) -> &'static str {
    match event {
        ProjectEvent::Added(_) => "castellan.events.project.Added",
        ProjectEvent::Changed { .. } => "castellan.events.project.Changed",
        ProjectEvent::Deactivated {} => "castellan.events.project.Deactivated",
        ProjectEvent::Reactivated {} => "castellan.events.project.Reactivated",
        ProjectEvent::Removed { .. } => "castellan.events.project.Removed",
        ProjectEvent::RoleAdded { .. } => "castellan.events.project.RoleAdded",
        ProjectEvent::RoleChanged { .. } => "castellan.events.project.RoleChanged",
        ProjectEvent::RoleRemoved { .. } => "castellan.events.project.RoleRemoved",
        ProjectEvent::ApplicationAdded { .. } => "castellan.events.project.ApplicationAdded",
        ProjectEvent::ApplicationChanged { .. } => "castellan.events.project.ApplicationChanged",
        ProjectEvent::ApplicationDeactivated { .. } => {
            "castellan.events.project.ApplicationDeactivated"
        }
        ProjectEvent::ApplicationReactivated { .. } => {
            "castellan.events.project.ApplicationReactivated"
        }
        ProjectEvent::ApplicationRemoved { .. } => "castellan.events.project.ApplicationRemoved",
        ProjectEvent::ApplicationSecretChanged { .. } => {
            "castellan.events.project.ApplicationSecretChanged"
        }
        ProjectEvent::ApplicationKeyAdded { .. } => "castellan.events.project.ApplicationKeyAdded",
        ProjectEvent::ApplicationKeyRemoved { .. } => {
            "castellan.events.project.ApplicationKeyRemoved"
        }
        ProjectEvent::GrantAdded { .. } => "castellan.events.project.GrantAdded",
        ProjectEvent::GrantChanged { .. } => "castellan.events.project.GrantChanged",
        ProjectEvent::GrantDeactivated { .. } => "castellan.events.project.GrantDeactivated",
        ProjectEvent::GrantReactivated { .. } => "castellan.events.project.GrantReactivated",
        ProjectEvent::GrantRemoved { .. } => "castellan.events.project.GrantRemoved",
    }
}

/// Exhaustive over `AuthorizationEvent`; see [`org_record`].
pub fn authorization_record(event: &AuthorizationEvent) -> &'static str {
    match event {
        AuthorizationEvent::Added { .. } => "castellan.events.authorization.Added",
        AuthorizationEvent::Changed { .. } => "castellan.events.authorization.Changed",
        AuthorizationEvent::Deactivated {} => "castellan.events.authorization.Deactivated",
        AuthorizationEvent::Reactivated {} => "castellan.events.authorization.Reactivated",
        AuthorizationEvent::Removed { .. } => "castellan.events.authorization.Removed",
    }
}

pub fn administrator_samples() -> Vec<AdministratorEvent> {
    vec![
        AdministratorEvent::Added {
            project_id: "p-1".into(),
            project_grant_id: None,
            user_id: "u-1".into(),
            roles: vec!["PROJECT_OWNER".into()],
        },
        AdministratorEvent::Added {
            project_id: "p-1".into(),
            project_grant_id: Some("g-1".into()),
            user_id: "u-2".into(),
            roles: vec!["PROJECT_GRANT_OWNER".into()],
        },
        AdministratorEvent::Changed {
            project_id: "p-1".into(),
            project_grant_id: None,
            user_id: "u-1".into(),
            roles: vec!["PROJECT_OWNER_VIEWER".into()],
        },
        AdministratorEvent::Removed {
            project_id: "p-1".into(),
            project_grant_id: Some("g-1".into()),
            user_id: "u-2".into(),
        },
    ]
}

/// Exhaustive over `AdministratorEvent`; see [`org_record`].
pub fn administrator_record(event: &AdministratorEvent) -> &'static str {
    match event {
        AdministratorEvent::Added { .. } => "castellan.events.administrator.Added",
        AdministratorEvent::Changed { .. } => "castellan.events.administrator.Changed",
        AdministratorEvent::Removed { .. } => "castellan.events.administrator.Removed",
    }
}
