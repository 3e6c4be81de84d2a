//! Opens the ledger and the read store the configuration names.

use std::sync::Arc;

use castellan_readers::embedded::EmbeddedReadStore;
use castellan_readers::store::{ReadError, ReadStore};
use castellan_writer::ledger::postgres::PostgresLedger;
use castellan_writer::ledger::sqlite::SqliteLedger;
use castellan_writer::ledger::{Ledger, LedgerError};

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    ReadStore(#[from] ReadError),
}

pub struct Storage {
    pub ledger: Arc<dyn Ledger>,
    pub read_store: Arc<dyn ReadStore>,
}

/// Opens and migrates both stores: PostgreSQL when a DSN is set, SQLite in the data directory
/// otherwise. The read store is the embedded one in both cases until the ScyllaDB store lands
/// (issue #3).
pub async fn open(config: &Config) -> Result<Storage, StorageError> {
    let data_dir = &config.data_dir;
    std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    let ledger: Arc<dyn Ledger> = if config.database.postgres.dsn.is_empty() {
        Arc::new(SqliteLedger::open(&data_dir.join("ledger.db")).await?)
    } else {
        Arc::new(PostgresLedger::connect(&config.database.postgres.dsn).await?)
    };
    ledger.migrate().await?;
    let read_store: Arc<dyn ReadStore> =
        Arc::new(EmbeddedReadStore::open(&data_dir.join("read.db")).await?);
    read_store.migrate().await?;
    Ok(Storage { ledger, read_store })
}
