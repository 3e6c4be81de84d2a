//! Wire schemas shared by the writer and the readers.
//!
//! Today this crate holds the SQL migrations of the ledger and of the embedded read store, under
//! `migrations/` (embedded at compile time by `castellan-writer` and `castellan-readers` with
//! `sqlx::migrate!`). Avro schemas and the CQL schema arrive with issue #3.
