//! The master key that seals web keys at rest: from `CASTELLAN_MASTERKEY`, else from a file in
//! the data directory, created (mode 0600) on first start.

use std::io::Write as _;

use castellan_jose::MasterKey;

use crate::ServerError;
use crate::config::Config;

pub fn load(config: &Config) -> Result<MasterKey, ServerError> {
    if let Some(value) = &config.master_key {
        return MasterKey::from_base64(value).map_err(|_| {
            ServerError::Config("CASTELLAN_MASTERKEY must be the base64 of 32 bytes".into())
        });
    }
    let path = config.data_dir.join("masterkey");
    match std::fs::read_to_string(&path) {
        Ok(text) => MasterKey::from_base64(text.trim()).map_err(|_| {
            ServerError::Config(format!(
                "{} must hold the base64 of 32 bytes",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate();
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| ServerError::Config(format!("create data dir: {e}")))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .map_err(|e| ServerError::Config(format!("create {}: {e}", path.display())))?;
            file.write_all(key.to_base64().as_bytes())
                .map_err(|e| ServerError::Config(format!("write {}: {e}", path.display())))?;
            tracing::info!(path = %path.display(), "created a master key");
            Ok(key)
        }
        Err(error) => Err(ServerError::Config(format!(
            "read {}: {error}",
            path.display()
        ))),
    }
}
