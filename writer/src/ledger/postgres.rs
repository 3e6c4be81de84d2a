//! PostgreSQL ledger (to be written).
