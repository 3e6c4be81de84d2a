use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn defaults_need_no_configuration() {
    let config = Config::load(None, env(&[("PATH", "/bin")])).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.port, 8080);
    assert_eq!(config.external_domain, "localhost");
    assert_eq!(config.pat_path(), PathBuf::from(".castellan/admin.pat"));
}

#[test]
fn env_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.yaml");
    std::fs::write(
        &file,
        "Port: 9000\nExternalDomain: example.com\nFirstInstance:\n  Org:\n    Name: Acme\n",
    )
    .unwrap();
    let config = Config::load(
        Some(&file),
        env(&[
            ("CASTELLAN_PORT", "9100"),
            ("CASTELLAN_DATA_DIR", "/tmp/x"),
            ("CASTELLAN_FIRSTINSTANCE_PATPATH", "/tmp/x/pat"),
            ("CASTELLAN_FIRSTINSTANCE_ORG_HUMAN_PASSWORD", "Secret1!"),
            ("CASTELLAN_EXTERNALSECURE", "true"),
        ]),
    )
    .unwrap();
    assert_eq!(config.port, 9100);
    assert_eq!(config.external_domain, "example.com");
    assert_eq!(config.first_instance.org.name, "Acme");
    assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(config.pat_path(), PathBuf::from("/tmp/x/pat"));
    assert_eq!(config.first_instance.org.human.password, "Secret1!");
    assert!(config.external_secure);
    assert!(!config.distributed());
}

#[test]
fn password_hashing_parameters_are_configurable_and_checked() {
    let config = Config::load(
        None,
        env(&[
            ("CASTELLAN_PASSWORDHASHER_MEMORYKIB", "65536"),
            ("CASTELLAN_PASSWORDHASHER_ITERATIONS", "3"),
            ("CASTELLAN_PASSWORDHASHER_PARALLELISM", "2"),
        ]),
    )
    .unwrap();
    assert_eq!(
        config.password_hasher,
        PasswordHasherConfig {
            memory_kib: 65536,
            iterations: 3,
            parallelism: 2
        }
    );
    assert_eq!(
        Config::default().password_hasher.params(),
        castellan_writer::secrets::HasherParams::default()
    );
    for bad in [
        ("CASTELLAN_PASSWORDHASHER_MEMORYKIB", "1"),
        ("CASTELLAN_PASSWORDHASHER_ITERATIONS", "0"),
        ("CASTELLAN_PASSWORDHASHER_PARALLELISM", "many"),
    ] {
        assert!(Config::load(None, env(&[bad])).is_err(), "{bad:?}");
    }
}

#[test]
fn the_distributed_settings_and_roles() {
    let config = Config::load(
        None,
        env(&[
            ("CASTELLAN_ROLES", "Reader, relay"),
            ("CASTELLAN_KAFKA_BROKERS", "127.0.0.1:59092"),
            ("CASTELLAN_CASSANDRA_NODES", "127.0.0.1:59042"),
            ("CASTELLAN_KAFKA_PARTITIONS", "12"),
        ]),
    )
    .unwrap();
    assert!(config.distributed());
    assert!(config.has_role("reader") && config.has_role("relay") && !config.has_role("api"));
    assert_eq!(config.kafka.partitions, 12);
    assert_eq!(config.cassandra.nodes, "127.0.0.1:59042");
    assert!(Config::load(None, env(&[("CASTELLAN_ROLES", "api,cook")])).is_err());
    assert!(Config::load(None, env(&[("CASTELLAN_KAFKA_PARTITIONS", "0")])).is_err());
}

#[test]
fn mistakes_are_reported_not_ignored() {
    assert!(matches!(
        Config::load(None, env(&[("CASTELLAN_PORT", "eighty")])),
        Err(ConfigError::Env { .. })
    ));
    assert!(matches!(
        Config::load(None, env(&[("CASTELLAN_PROT", "80")])),
        Err(ConfigError::UnknownEnv(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, "Prot: 1\n").unwrap();
    assert!(matches!(
        Config::load(Some(&file), Vec::new()),
        Err(ConfigError::Parse { .. })
    ));
}
