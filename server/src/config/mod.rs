//! Configuration: built-in defaults, then an optional YAML file, then `CASTELLAN_*` environment
//! variables. Keys mirror ZITADEL's (`ExternalDomain`, `FirstInstance.PatPath`, ...).

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct Config {
    pub port: u16,
    pub external_domain: String,
    pub external_port: u16,
    pub external_secure: bool,
    /// Where the embedded ledger and read store live.
    pub data_dir: PathBuf,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub first_instance: FirstInstanceConfig,
    pub domain_policy: DomainPolicyConfig,
    /// Which roles this process runs: `api`, `relay`, `reader`. Only the distributed mode (Kafka
    /// configured) splits them; the embedded mode always runs everything in one process.
    pub roles: Vec<String>,
    pub kafka: KafkaConfig,
    pub cassandra: CassandraConfig,
    pub schema_registry: SchemaRegistryConfig,
    pub outbound: crate::outbound_config::OutboundSettings,
    pub domain_verification: crate::outbound_config::DomainVerificationSettings,
    /// The mail relay for codes (`SMTP.Host`, ...); empty host: no mail.
    pub smtp: crate::smtp_config::SmtpSettings,
    pub password_hasher: PasswordHasherConfig,
    /// SIEM sink delivery (`Sinks.MaxAttempts`, ...).
    pub sinks: crate::sinks::SinksSettings,
    /// Outbound SCIM pushes (`ScimOutbound.MaxAttempts`, ...).
    pub scim_outbound: crate::scim_outbound::ScimOutboundSettings,
    /// Base64 of 32 bytes that seal web keys at rest (`CASTELLAN_MASTERKEY`). Unset: a key is
    /// kept in `<data dir>/masterkey` (created on first start). Processes that share a ledger
    /// must share the key.
    pub master_key: Option<String>,
    /// Requests per minute on the login and token endpoints (`CASTELLAN_RATELIMIT_*`; 0: off).
    #[serde(skip)]
    pub rate_limits: castellan_api::limits::LimitSettings,
    /// Back-channel logout retries (`CASTELLAN_BACKCHANNEL_*`).
    #[serde(skip)]
    pub backchannel: crate::backchannel_config::BackchannelSettings,
}

/// Argon2id cost of new password hashes (ZITADEL's `PasswordHasher`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct PasswordHasherConfig {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordHasherConfig {
    fn default() -> Self {
        let params = castellan_writer::secrets::HasherParams::default();
        Self {
            memory_kib: params.memory_kib,
            iterations: params.iterations,
            parallelism: params.parallelism,
        }
    }
}

impl PasswordHasherConfig {
    pub fn params(&self) -> castellan_writer::secrets::HasherParams {
        castellan_writer::secrets::HasherParams {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct KafkaConfig {
    /// Bootstrap servers; when set, Castellan runs in the distributed mode.
    pub brokers: String,
    pub topic: String,
    /// Partitions of the event topic when Castellan creates it.
    pub partitions: u32,
    pub replication_factor: i32,
    /// The consumer group of the reader processes.
    pub group_id: String,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        Self {
            brokers: String::new(),
            topic: "castellan.events".into(),
            partitions: 6,
            replication_factor: 1,
            group_id: "castellan-readers".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct CassandraConfig {
    /// Comma-separated `host:port` of ScyllaDB (or Cassandra) nodes for the read models.
    pub nodes: String,
    pub keyspace: String,
    pub replication_factor: u32,
}

impl Default for CassandraConfig {
    fn default() -> Self {
        Self {
            nodes: String::new(),
            keyspace: "castellan".into(),
            replication_factor: 1,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct SchemaRegistryConfig {
    /// A Confluent-compatible schema registry; empty: Castellan serves its own read-only one.
    pub url: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct DatabaseConfig {
    pub postgres: PostgresConfig,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct PostgresConfig {
    /// A PostgreSQL URL; when set, the ledger lives there instead of in SQLite.
    pub dsn: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `castellan=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct FirstInstanceConfig {
    pub instance_name: String,
    /// Where to write the machine admin's personal access token (default: `<DataDir>/admin.pat`).
    pub pat_path: Option<PathBuf>,
    pub org: FirstOrgConfig,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct FirstOrgConfig {
    pub name: String,
    pub human: FirstHumanConfig,
    pub machine: FirstMachineConfig,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct FirstHumanConfig {
    pub username: String,
    /// When empty, a random password is generated and written to `<DataDir>/admin.password`.
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password_change_required: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct FirstMachineConfig {
    pub username: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "PascalCase", deny_unknown_fields)]
pub struct DomainPolicyConfig {
    pub validate_org_domains: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 8080,
            external_domain: "localhost".into(),
            external_port: 8080,
            external_secure: false,
            data_dir: PathBuf::from(".castellan"),
            database: DatabaseConfig::default(),
            log: LogConfig::default(),
            first_instance: FirstInstanceConfig::default(),
            domain_policy: DomainPolicyConfig::default(),
            roles: vec!["api".into(), "relay".into(), "reader".into()],
            kafka: KafkaConfig::default(),
            cassandra: CassandraConfig::default(),
            schema_registry: SchemaRegistryConfig::default(),
            outbound: Default::default(),
            domain_verification: Default::default(),
            smtp: Default::default(),
            password_hasher: PasswordHasherConfig::default(),
            sinks: crate::sinks::SinksSettings::default(),
            scim_outbound: crate::scim_outbound::ScimOutboundSettings::default(),
            master_key: None,
            rate_limits: castellan_api::limits::LimitSettings::default(),
            backchannel: Default::default(),
        }
    }
}

impl Default for FirstInstanceConfig {
    fn default() -> Self {
        Self {
            instance_name: "Castellan".into(),
            pat_path: None,
            org: FirstOrgConfig::default(),
        }
    }
}

impl Default for FirstOrgConfig {
    fn default() -> Self {
        Self {
            name: "Castellan".into(),
            human: FirstHumanConfig::default(),
            machine: FirstMachineConfig::default(),
        }
    }
}

impl Default for FirstHumanConfig {
    fn default() -> Self {
        Self {
            username: "castellan-admin".into(),
            password: String::new(),
            first_name: "Castellan".into(),
            last_name: "Admin".into(),
            email: "admin@castellan.localhost".into(),
            password_change_required: true,
        }
    }
}

impl Default for FirstMachineConfig {
    fn default() -> Self {
        Self {
            username: "castellan-admin-client".into(),
            name: "Castellan admin client".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_norway::Error,
    },
    #[error("invalid value for {name}: {value:?} ({expected})")]
    Env {
        name: String,
        value: String,
        expected: &'static str,
    },
    #[error("unknown setting {0} (see docs/configuration.md)")]
    UnknownEnv(String),
}

impl Config {
    /// Defaults, then `file` (if any), then the `CASTELLAN_*` variables of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                serde_norway::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source,
                })?
            }
            None => Config::default(),
        };
        for (name, value) in env {
            if let Some(key) = name.strip_prefix("CASTELLAN_") {
                config.set(key, &name, value)?;
            }
        }
        let hasher = &config.password_hasher;
        if hasher.params().validate().is_err() {
            return Err(ConfigError::Env {
                name: "PasswordHasher".into(),
                value: format!(
                    "MemoryKib {}, Iterations {}, Parallelism {}",
                    hasher.memory_kib, hasher.iterations, hasher.parallelism
                ),
                expected: ARGON2_RULE,
            });
        }
        Ok(config)
    }

    fn set(&mut self, key: &str, name: &str, value: String) -> Result<(), ConfigError> {
        let invalid = |expected| ConfigError::Env {
            name: name.to_owned(),
            value: value.clone(),
            expected,
        };
        let human = &mut self.first_instance.org.human;
        match key {
            "PORT" => self.port = value.parse().map_err(|_| invalid("a port number"))?,
            "EXTERNALDOMAIN" => self.external_domain = value,
            "EXTERNALPORT" => {
                self.external_port = value.parse().map_err(|_| invalid("a port number"))?
            }
            "EXTERNALSECURE" => {
                self.external_secure = parse_bool(&value).ok_or_else(|| invalid("true or false"))?
            }
            "DATA_DIR" | "DATADIR" => self.data_dir = PathBuf::from(value),
            "MASTERKEY" => self.master_key = Some(value),
            "RATELIMIT_LOGINPERNAMEPERMINUTE" => {
                self.rate_limits.login_per_name_per_minute =
                    value.parse().map_err(|_| invalid("a number"))?
            }
            "RATELIMIT_LOGINPERADDRESSPERMINUTE" => {
                self.rate_limits.login_per_address_per_minute =
                    value.parse().map_err(|_| invalid("a number"))?
            }
            "RATELIMIT_TOKENPERCLIENTPERMINUTE" => {
                self.rate_limits.token_per_client_per_minute =
                    value.parse().map_err(|_| invalid("a number"))?
            }
            "DATABASE_POSTGRES_DSN" => self.database.postgres.dsn = value,
            "LOG_FORMAT" => self.log.format = value,
            "LOG_LEVEL" => self.log.level = value,
            "FIRSTINSTANCE_INSTANCENAME" => self.first_instance.instance_name = value,
            "FIRSTINSTANCE_PATPATH" => self.first_instance.pat_path = Some(PathBuf::from(value)),
            "FIRSTINSTANCE_ORG_NAME" => self.first_instance.org.name = value,
            "FIRSTINSTANCE_ORG_HUMAN_USERNAME" => human.username = value,
            "FIRSTINSTANCE_ORG_HUMAN_PASSWORD" => human.password = value,
            "FIRSTINSTANCE_ORG_HUMAN_FIRSTNAME" => human.first_name = value,
            "FIRSTINSTANCE_ORG_HUMAN_LASTNAME" => human.last_name = value,
            "FIRSTINSTANCE_ORG_HUMAN_EMAIL" => human.email = value,
            "FIRSTINSTANCE_ORG_HUMAN_PASSWORDCHANGEREQUIRED" => {
                human.password_change_required =
                    parse_bool(&value).ok_or_else(|| invalid("true or false"))?
            }
            "FIRSTINSTANCE_ORG_MACHINE_USERNAME" => {
                self.first_instance.org.machine.username = value
            }
            "FIRSTINSTANCE_ORG_MACHINE_NAME" => self.first_instance.org.machine.name = value,
            "DOMAINPOLICY_VALIDATEORGDOMAINS" => {
                self.domain_policy.validate_org_domains =
                    parse_bool(&value).ok_or_else(|| invalid("true or false"))?
            }
            "ROLES" => {
                let roles: Vec<String> = value
                    .split(',')
                    .map(|role| role.trim().to_ascii_lowercase())
                    .filter(|role| !role.is_empty())
                    .collect();
                if roles.is_empty()
                    || !roles
                        .iter()
                        .all(|r| ["api", "relay", "reader"].contains(&r.as_str()))
                {
                    return Err(invalid("a comma-separated list of api, relay, reader"));
                }
                self.roles = roles;
            }
            "KAFKA_BROKERS" => self.kafka.brokers = value,
            "KAFKA_TOPIC" => self.kafka.topic = value,
            "KAFKA_PARTITIONS" => {
                self.kafka.partitions = value
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| invalid("a positive number"))?
            }
            "KAFKA_REPLICATIONFACTOR" => {
                self.kafka.replication_factor = value
                    .parse()
                    .ok()
                    .filter(|r| *r > 0)
                    .ok_or_else(|| invalid("a positive number"))?
            }
            "KAFKA_GROUPID" => self.kafka.group_id = value,
            "CASSANDRA_NODES" => self.cassandra.nodes = value,
            "CASSANDRA_KEYSPACE" => self.cassandra.keyspace = value,
            "CASSANDRA_REPLICATIONFACTOR" => {
                self.cassandra.replication_factor = value
                    .parse()
                    .ok()
                    .filter(|r| *r > 0)
                    .ok_or_else(|| invalid("a positive number"))?
            }
            "SCHEMAREGISTRY_URL" => self.schema_registry.url = value,
            _ if key.starts_with("OUTBOUND_")
                || key.starts_with("DOMAINVERIFICATION_")
                || key.starts_with("SMTP_")
                || key.starts_with("BACKCHANNEL_")
                || key.starts_with("SINKS_")
                || key.starts_with("SCIMOUTBOUND_") =>
            {
                let set = self
                    .outbound
                    .set_env(key, &value)
                    .or_else(|| self.domain_verification.set_env(key, &value))
                    .or_else(|| self.smtp.set_env(key, &value))
                    .or_else(|| self.backchannel.set_env(key, &value))
                    .or_else(|| self.sinks.set_env(key, &value))
                    .or_else(|| self.scim_outbound.set_env(key, &value));
                match set {
                    Some(result) => result.map_err(invalid)?,
                    None => return Err(ConfigError::UnknownEnv(name.to_owned())),
                }
            }
            "PASSWORDHASHER_MEMORYKIB" => {
                self.password_hasher.memory_kib =
                    value.parse().map_err(|_| invalid("a number of KiB"))?
            }
            "PASSWORDHASHER_ITERATIONS" => {
                self.password_hasher.iterations =
                    value.parse().map_err(|_| invalid("a positive number"))?
            }
            "PASSWORDHASHER_PARALLELISM" => {
                self.password_hasher.parallelism =
                    value.parse().map_err(|_| invalid("a positive number"))?
            }
            // Variables of the test harness and the infra scripts share the prefix.
            _ if key.starts_with("TEST_")
                || key.starts_with("PG_")
                || key.starts_with("INFRA_") => {}
            _ => return Err(ConfigError::UnknownEnv(name.to_owned())),
        }
        Ok(())
    }

    /// Whether Kafka is configured, which makes this the distributed mode.
    pub fn distributed(&self) -> bool {
        !self.kafka.brokers.trim().is_empty()
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// The PAT file: `FirstInstance.PatPath`, or `<DataDir>/admin.pat`.
    pub fn pat_path(&self) -> PathBuf {
        self.first_instance
            .pat_path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("admin.pat"))
    }
}

/// The argon2 parameter rules, for the message of a configuration error.
const ARGON2_RULE: &str =
    "argon2 parameters: memory at least 8 KiB per lane, at least 1 iteration, 1 to 2^24-1 lanes";

pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
