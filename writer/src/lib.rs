//! Castellan's write side: the [`ledger`], command execution ([`writer`]) and the command
//! handlers ([`commands`]).

pub mod commands;
pub mod ledger;
pub mod relay;
pub mod secrets;
pub mod totp;
pub mod writer;

pub use writer::{Command, CommandContext, Committed, Plan, Writer};
