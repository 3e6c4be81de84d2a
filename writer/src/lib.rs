//! Castellan's write side: the [`ledger`] and command execution.

pub mod ledger;
