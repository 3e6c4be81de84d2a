//! Castellan's read side: the [`store::ReadStore`] trait and its [`embedded`] implementation,
//! the [`projections`], the [`runner::Projector`] that feeds them from the ledger, and the
//! [`queries`] the API serves from them.

pub mod consistency;
pub mod embedded;
pub mod feed;
pub mod projections;
pub mod queries;
pub mod runner;
pub mod scylla;
pub mod store;
pub mod stream;
pub mod tables;
