//! SQLite ledger (to be written).
