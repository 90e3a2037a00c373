//! # CityBond KPI oracle
//!
//! Reads digital twins over NGSI-LD, turns a feed's closed periods into KPIs, refuses to sign
//! data that breaks a quality rule, signs reports with the operator's ed25519 key over exactly
//! the message the `KpiOracle` pallet verifies, and submits them, at most once per period even
//! across restarts. Also an embedded, deterministic digital twin to read from.
//!
//! Modules, in the order data flows:
//! - [`config`]: the TOML configuration;
//! - [`ngsi`]: the NGSI-LD client; [`units`]: UN/CEFACT units and conversion;
//! - [`kpi`]: data-quality rules and formulas; [`provenance`]: the hashes a report commits to;
//! - [`report`]: the signed message, key files, the report's JSON form;
//! - [`chain`]: feed reads and submission; [`store`]: the SQL record and export;
//! - [`service`]: the run loop; [`twin`]: the simulator.

pub mod chain;
pub mod config;
pub mod kpi;
pub mod ngsi;
pub mod provenance;
pub mod report;
pub mod service;
pub mod store;
pub mod twin;
pub mod units;

/// Process exit codes of `citybond-oracle`.
pub mod exit {
	/// Something else failed.
	pub const FAILURE: u8 = 1;
	/// The configuration or the command line is wrong.
	pub const CONFIG: u8 = 2;
	/// The node is unreachable.
	pub const NODE_DOWN: u8 = 3;
	/// The broker is unreachable or answers wrongly.
	pub const BROKER_DOWN: u8 = 4;
	/// The key file is missing, malformed or readable by others.
	pub const KEY: u8 = 5;
	/// A period's data broke a quality rule; nothing was signed for it.
	pub const REFUSED: u8 = 6;
	/// The chain rejected a report.
	pub const REJECTED: u8 = 7;
}
