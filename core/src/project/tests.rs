use super::app::{
    self, OidcAppType, OidcAuthMethod, OidcConfig, OidcGrantType, OidcResponseType,
    is_absolute_uri, validate_oidc,
};
use super::*;
use super::{grant, key};
use crate::ErrorKind;
use crate::clock::Timestamp;
use crate::event::{EventMeta, Position};

fn meta() -> EventMeta {
    EventMeta {
        sequence: 1,
        created_at: Timestamp(0),
        resource_owner: "org-1".into(),
        position: Position(1),
    }
}

fn fold(decisions: &[Decision<ProjectEvent>]) -> Project {
    let mut project = Project::default();
    for decision in decisions {
        for event in &decision.events {
            project.apply(event, &meta());
        }
    }
    project
}

fn settings(name: &str) -> ProjectSettings {
    ProjectSettings {
        name: name.into(),
        ..ProjectSettings::default()
    }
}

fn created() -> Project {
    let added = add(&Project::default(), "org-1", settings(" Shop ")).unwrap();
    fold(&[added])
}

fn apply_all(
    project: &mut Project,
    decide: impl FnOnce(&Project) -> Result<Decision<ProjectEvent>, DomainError>,
) {
    let decision = decide(project).unwrap();
    for event in &decision.events {
        project.apply(event, &meta());
    }
}

#[test]
fn a_project_is_created_once_with_its_name_claimed_per_org() {
    let decision = add(&Project::default(), "org-1", settings(" Shop ")).unwrap();
    assert_eq!(decision.claims.len(), 1);
    assert_eq!(decision.claims[0].field, "org-1/shop");
    let project = fold(&[decision]);
    assert_eq!(project.settings.name, "Shop");
    assert_eq!(project.org_id, "org-1");
    assert!(project.exists());
    let again = add(&project, "org-1", settings("Shop")).unwrap_err();
    assert_eq!(again.kind, ErrorKind::AlreadyExists);
    let empty = add(&Project::default(), "org-1", settings("  ")).unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidArgument);
}

#[test]
fn renaming_moves_the_name_claim_and_no_change_is_refused() {
    let project = created();
    let renamed = change(&project, settings("Store")).unwrap();
    assert_eq!(renamed.releases[0].field, "org-1/shop");
    assert_eq!(renamed.claims[0].field, "org-1/store");
    let same = change(&project, settings("Shop")).unwrap_err();
    assert_eq!(same.kind, ErrorKind::FailedPrecondition);
    let flag = change(
        &project,
        ProjectSettings {
            project_role_assertion: true,
            ..settings("Shop")
        },
    )
    .unwrap();
    assert!(flag.claims.is_empty());
}

#[test]
fn deactivation_and_activation_toggle() {
    let mut project = created();
    assert_eq!(
        activate(&project).unwrap_err().kind,
        ErrorKind::FailedPrecondition
    );
    apply_all(&mut project, deactivate);
    assert_eq!(project.state, ProjectState::Inactive);
    assert_eq!(
        deactivate(&project).unwrap_err().kind,
        ErrorKind::FailedPrecondition
    );
    apply_all(&mut project, activate);
    assert_eq!(project.state, ProjectState::Active);
}

#[test]
fn roles_are_unique_per_project_and_removal_cascades_to_grants() {
    let mut project = created();
    apply_all(&mut project, |p| add_role(p, "admin", "Admin", ""));
    apply_all(&mut project, |p| add_role(p, "viewer", "Viewer", "g"));
    let duplicate = add_role(&project, "admin", "Other", "").unwrap_err();
    assert_eq!(duplicate.kind, ErrorKind::AlreadyExists);
    assert_eq!(
        add_role(&project, "has space", "X", "").unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        add_role(&project, "x", "", "").unwrap_err().kind,
        ErrorKind::InvalidArgument
    );
    let changed = change_role(&project, "viewer", Some("Reader"), None).unwrap();
    apply_all(&mut project, |_| Ok(changed));
    assert_eq!(project.roles["viewer"].display_name, "Reader");
    assert_eq!(project.roles["viewer"].group, "g");
    apply_all(&mut project, |p| {
        grant::add_grant(p, "g1", "org-2", &["admin".into(), "viewer".into()])
    });
    let removal = remove_role(&project, "admin").unwrap();
    assert_eq!(removal.events.len(), 2, "the grant loses the key too");
    apply_all(&mut project, |_| Ok(removal));
    assert_eq!(project.grants["g1"].role_keys, ["viewer"]);
    assert!(!project.roles.contains_key("admin"));
    assert_eq!(
        remove_role(&project, "admin").unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn removing_a_project_removes_its_apps_and_grants_and_frees_the_name() {
    let mut project = created();
    apply_all(&mut project, |p| {
        app::add_app(
            p,
            "a1",
            "api",
            AppConfig {
                api: Some(ApiConfig::default()),
                ..AppConfig::default()
            },
            Some("hash".into()),
        )
    });
    apply_all(&mut project, |p| grant::add_grant(p, "g1", "org-2", &[]));
    let removal = remove(&project).unwrap();
    assert_eq!(removal.events.len(), 3);
    assert_eq!(removal.releases[0].field, "org-1/shop");
    apply_all(&mut project, |_| Ok(removal));
    assert!(!project.exists());
    assert_eq!(remove(&project).unwrap_err().kind, ErrorKind::NotFound);
}

#[test]
fn absolute_uris() {
    for good in [
        "https://app.example.com/cb",
        "http://localhost:3000/cb",
        "com.example.app:/callback",
        "myapp://cb",
    ] {
        assert!(is_absolute_uri(good), "{good}");
    }
    for bad in [
        "",
        "/relative",
        "example.com/cb",
        "https:/no-host",
        "https://",
        "http://a b",
        "1http://x",
    ] {
        assert!(!is_absolute_uri(bad), "{bad}");
    }
}

fn web(uris: &[&str]) -> OidcConfig {
    OidcConfig {
        redirect_uris: uris.iter().map(|u| (*u).to_owned()).collect(),
        ..OidcConfig::default()
    }
}

#[test]
fn oidc_configurations_follow_zitadels_rules() {
    let ok = validate_oidc(web(&["https://app.test/cb"])).unwrap();
    assert_eq!(ok.response_types, [OidcResponseType::Code]);
    assert_eq!(ok.grant_types, [OidcGrantType::AuthorizationCode]);
    let relative = validate_oidc(web(&["/cb"])).unwrap_err();
    assert_eq!(relative.kind, ErrorKind::InvalidArgument);
    assert!(validate_oidc(web(&["http://app.test/cb"])).is_err());
    assert!(
        validate_oidc(OidcConfig {
            dev_mode: true,
            ..web(&["http://app.test/cb"])
        })
        .is_ok()
    );
    let pkce_without_code = OidcConfig {
        auth_method: OidcAuthMethod::None,
        response_types: vec![OidcResponseType::IdToken],
        grant_types: vec![OidcGrantType::Implicit],
        ..web(&[])
    };
    assert!(validate_oidc(pkce_without_code).is_err());
    let code_without_grant = OidcConfig {
        grant_types: vec![OidcGrantType::RefreshToken],
        ..web(&[])
    };
    assert!(validate_oidc(code_without_grant).is_err());
    let spa_with_secret = OidcConfig {
        app_type: OidcAppType::UserAgent,
        ..web(&[])
    };
    assert!(validate_oidc(spa_with_secret).is_err());
    let skew = OidcConfig {
        clock_skew_micros: 6_000_000,
        ..web(&[])
    };
    assert!(validate_oidc(skew).is_err());
    let native_http = OidcConfig {
        app_type: OidcAppType::Native,
        auth_method: OidcAuthMethod::None,
        ..web(&["http://127.0.0.1/cb"])
    };
    assert!(validate_oidc(native_http).is_ok());
}

#[test]
fn apps_get_a_client_id_and_only_confidential_ones_a_secret() {
    let mut project = created();
    let public = AppConfig {
        oidc: Some(OidcConfig {
            auth_method: OidcAuthMethod::None,
            ..web(&["https://app.test/cb"])
        }),
        ..AppConfig::default()
    };
    assert!(!public.uses_secret());
    let added = app::add_app(&project, "a1", "Web", public, None).unwrap();
    apply_all(&mut project, |_| Ok(added));
    assert_eq!(project.apps["a1"].client_id(), "a1@shop");
    assert!(project.apps["a1"].secret_hash.is_none());
    assert_eq!(
        app::change_secret(&project, "a1", "h".into())
            .unwrap_err()
            .kind,
        ErrorKind::FailedPrecondition
    );
    let none = app::add_app(&project, "a2", "Two", AppConfig::default(), None).unwrap_err();
    assert_eq!(none.kind, ErrorKind::InvalidArgument);
    let duplicate_name = app::add_app(
        &project,
        "a3",
        "web",
        AppConfig {
            api: Some(ApiConfig::default()),
            ..AppConfig::default()
        },
        Some("h".into()),
    )
    .unwrap_err();
    assert_eq!(duplicate_name.kind, ErrorKind::AlreadyExists);
    let saml = AppConfig {
        saml: Some(SamlConfig {
            metadata_xml: r#"<EntityDescriptor entityID="https://sp.test/meta"/>"#.into(),
            ..SamlConfig::default()
        }),
        ..AppConfig::default()
    };
    let added = app::add_app(&project, "a4", "SAML", saml, None).unwrap();
    apply_all(&mut project, |_| Ok(added));
    assert_eq!(
        project.apps["a4"].config.saml.as_ref().unwrap().entity_id,
        "https://sp.test/meta"
    );
    apply_all(&mut project, |p| app::deactivate_app(p, "a1"));
    assert_eq!(project.apps["a1"].state, AppState::Inactive);
    apply_all(&mut project, |p| app::reactivate_app(p, "a1"));
    apply_all(&mut project, |p| app::remove_app(p, "a1"));
    assert_eq!(
        app::remove_app(&project, "a1").unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn grants_need_another_org_existing_roles_and_one_grant_per_org() {
    let mut project = created();
    apply_all(&mut project, |p| add_role(p, "r", "R", ""));
    assert_eq!(
        grant::add_grant(&project, "g", "org-1", &[])
            .unwrap_err()
            .kind,
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        grant::add_grant(&project, "g", "org-2", &["nope".into()])
            .unwrap_err()
            .kind,
        ErrorKind::FailedPrecondition
    );
    apply_all(&mut project, |p| {
        grant::add_grant(p, "g", "org-2", &["r".into()])
    });
    assert_eq!(
        grant::add_grant(&project, "g2", "org-2", &[])
            .unwrap_err()
            .kind,
        ErrorKind::AlreadyExists
    );
    apply_all(&mut project, |p| grant::deactivate_grant(p, "org-2"));
    assert_eq!(project.grants["g"].state, GrantState::Inactive);
    apply_all(&mut project, |p| grant::activate_grant(p, "org-2"));
    apply_all(&mut project, |p| grant::change_grant(p, "org-2", &[]));
    assert!(project.grants["g"].role_keys.is_empty());
    apply_all(&mut project, |p| grant::remove_grant(p, "org-2"));
    assert_eq!(
        grant::remove_grant(&project, "org-2").unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[test]
fn keys_only_for_private_key_jwt_clients_and_removed_with_their_app() {
    let mut project = created();
    let jwt = AppConfig {
        api: Some(ApiConfig {
            auth_method: super::ApiAuthMethod::PrivateKeyJwt,
            ..ApiConfig::default()
        }),
        ..AppConfig::default()
    };
    let basic = AppConfig {
        api: Some(ApiConfig::default()),
        ..AppConfig::default()
    };
    apply_all(&mut project, |p| app::add_app(p, "jwt", "JWT", jwt, None));
    apply_all(&mut project, |p| {
        app::add_app(p, "basic", "Basic", basic, Some("h".into()))
    });
    let now = Timestamp(1_000);
    let refused = key::add_key(&project, "basic", "k0", "PEM", None, now).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::FailedPrecondition);
    let past = key::add_key(&project, "jwt", "k0", "PEM", Some(Timestamp(999)), now).unwrap_err();
    assert_eq!(past.kind, ErrorKind::InvalidArgument);
    apply_all(&mut project, |p| {
        key::add_key(p, "jwt", "k1", "PEM", Some(Timestamp(2_000)), now)
    });
    apply_all(&mut project, |p| {
        key::add_key(p, "jwt", "k2", "PEM", None, now)
    });
    assert_eq!(project.apps["jwt"].keys.len(), 2);
    apply_all(&mut project, |p| key::remove_key(p, "jwt", "k1"));
    assert_eq!(
        key::remove_key(&project, "jwt", "k1").unwrap_err().kind,
        ErrorKind::NotFound
    );
    let removal = app::remove_app(&project, "jwt").unwrap();
    assert_eq!(
        removal.events.first(),
        Some(&ProjectEvent::ApplicationKeyRemoved {
            app_id: "jwt".into(),
            key_id: "k2".into()
        })
    );
}
