//! # CityBond API
//!
//! The HTTP API and chain indexer of CityBond. The indexer ([`indexer`]) follows finalized
//! blocks and writes what our pallets and contracts emitted into SQL ([`store`], one
//! transaction per block, idempotent); the HTTP layer ([`http`]) serves it per persona: public
//! bond, cash-token and KPI views, investors' holdings, issuers' books and registers,
//! auditors' re-verified KPI reports. Sign-in is with a chain key ([`auth`]).
//!
//! Conventions: accounts, hashes and keys are lowercase `0x`-hex; amounts are integer minor
//! units of the bond's cash token, stored as TEXT and served as decimal strings
//! (`rust_decimal::Decimal`); KPI values are integers in the feed's fixed point (`decimals`);
//! times are milliseconds since the Unix epoch in storage and RFC 3339 UTC in responses.

pub mod auth;
pub mod bond;
pub mod cash;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod indexer;
pub mod ink;
pub mod model;
pub mod store;
pub mod verify;

pub use error::{Error, Result};
pub use http::{app, AppState};
