//! First start: when the ledger holds no instance, create one with a default org, a human admin
//! (IAM_OWNER, ORG_OWNER) and a machine admin (IAM_OWNER) with a personal access token, and write
//! the token to the PAT file.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use castellan_core::DomainError;
use castellan_core::user::{HumanProfile, NewHuman};
use castellan_writer::commands::setup::{MachineAdmin, SetupFirstInstance};
use castellan_writer::ledger::EventFilter;
use castellan_writer::secrets;
use castellan_writer::{CommandContext, Writer};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("first-instance setup failed: {0}")]
    Domain(#[from] DomainError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Whether the ledger already holds an instance.
pub async fn has_instance(writer: &Writer) -> Result<bool, DomainError> {
    let filter = EventFilter {
        aggregate_types: vec![castellan_core::instance::AGGREGATE_TYPE.to_owned()],
        limit: 1,
        ..EventFilter::default()
    };
    let events = writer
        .ledger()
        .read(&filter)
        .await
        .map_err(castellan_writer::writer::ledger_error)?;
    Ok(!events.is_empty())
}

/// Runs the first-instance setup unless an instance exists. Returns whether it ran.
pub async fn ensure_first_instance(
    writer: &Writer,
    config: &Config,
) -> Result<bool, BootstrapError> {
    if has_instance(writer).await? {
        return Ok(false);
    }
    let first = &config.first_instance;
    let human = &first.org.human;
    let password = if human.password.is_empty() {
        let bytes: [u8; 18] = rand::random();
        let generated = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let path = config.data_dir.join("admin.password");
        write_secret(&path, &generated)?;
        tracing::warn!(path = %path.display(), "generated the first admin's password");
        generated
    } else {
        human.password.clone()
    };
    let (token, token_hash) = secrets::new_bearer_token();
    let instance_id = writer.next_id();
    let ctx = CommandContext {
        instance_id: instance_id.clone(),
        creator: "SETUP".into(),
    };
    let command = SetupFirstInstance {
        instance_name: first.instance_name.clone(),
        domain: config.external_domain.clone(),
        org_id: writer.next_id(),
        org_name: first.org.name.clone(),
        human_id: writer.next_id(),
        human: NewHuman {
            username: human.username.clone(),
            profile: HumanProfile {
                given_name: human.first_name.clone(),
                family_name: human.last_name.clone(),
                ..HumanProfile::default()
            },
            email: human.email.clone(),
            email_verified: true,
            password_hash: Some(secrets::hash_password(&password)?),
            password_change_required: human.password_change_required,
        },
        machine: Some(MachineAdmin {
            user_id: writer.next_id(),
            username: first.org.machine.username.clone(),
            name: first.org.machine.name.clone(),
            token_id: writer.next_id(),
            token_hash,
            expiration: None,
        }),
    };
    writer.execute(&ctx, &command).await?;
    let pat_path = config.pat_path();
    write_secret(&pat_path, &token)?;
    tracing::info!(instance_id, pat_path = %pat_path.display(), "first instance created");
    Ok(true)
}

/// Writes a secret to a file only its owner can read.
fn write_secret(path: &Path, secret: &str) -> Result<(), BootstrapError> {
    let io = |source| BootstrapError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(secret.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
