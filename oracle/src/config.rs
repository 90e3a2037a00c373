//! Configuration: a TOML file, overridden by environment variables and flags (see `cli.rs`).
//!
//! ```toml
//! node = "ws://127.0.0.1:9944"          # the CityBond node's RPC
//! key_file = "operator.key"             # ed25519 report key (mode 0600), from `keygen`
//! suri = "//Bob//stash"                 # the sr25519 account that submits (or suri_file)
//! database = "sqlite://oracle.db"       # where periods, source data and submissions are kept
//! poll_interval_ms = 2000               # how often `run` looks for closed periods
//! settle_ms = 1500                      # wait this long after a period ends before reading it
//! max_clock_skew_ms = 30000             # tolerated difference to the broker's clock
//!
//! [[feed]]
//! id = 0                                # the on-chain feed; its schedule comes from the chain
//! broker = "http://127.0.0.1:1026"      # NGSI-LD broker (or the embedded twin)
//! entity = "urn:ngsi-ld:Building:rotterdam-town-hall"
//! attribute = "energyConsumed"
//! unit = "KWH"                          # the unit readings are converted to
//! representation = "normalized"         # or "key_values"
//! max_gap_ms = 3000                     # longest tolerated time without a reading
//! formula = { kind = "reduction", consumption = "delta", baseline = "600" }
//! ```
//!
//! Formulas: `{ kind = "sum" }`, `"mean"`, `"last"`, `"delta"`, and `"reduction"` /
//! `"percent_of_baseline"` with `consumption = "delta" | "sum"` and either `baseline = "<decimal
//! per period, in unit>"` or `baseline_attribute = "<attribute of the same entity>"`.

use crate::{kpi::Formula, ngsi::Representation};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The configuration file.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
	/// The node's RPC URL.
	pub node: Option<String>,
	/// The ed25519 key file.
	pub key_file: Option<PathBuf>,
	/// The submitting account's secret URI (e.g. `//Bob//stash`).
	pub suri: Option<String>,
	/// A file holding the submitting account's secret URI.
	pub suri_file: Option<PathBuf>,
	/// The database URL or SQLite path.
	pub database: Option<String>,
	/// How often `run` polls, ms.
	pub poll_interval_ms: Option<u64>,
	/// How long after a period's end it is read, ms.
	pub settle_ms: Option<u64>,
	/// Tolerated clock difference to the broker, ms.
	pub max_clock_skew_ms: Option<i64>,
	/// The feeds served.
	#[serde(default, rename = "feed")]
	pub feeds: Vec<FeedConfig>,
}

/// One feed the oracle serves.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
	/// The on-chain feed id.
	pub id: u32,
	/// The NGSI-LD broker's base URL.
	pub broker: String,
	/// The entity id.
	pub entity: String,
	/// The attribute read.
	pub attribute: String,
	/// The unit readings are converted to (the feed's unit, or for percentages the unit of
	/// consumption and baseline).
	pub unit: String,
	/// Normalized or simplified representation.
	#[serde(default)]
	pub representation: Representation,
	/// The formula.
	pub formula: Formula,
	/// The longest tolerated time without a reading, ms.
	#[serde(default = "default_max_gap_ms")]
	pub max_gap_ms: i64,
}

fn default_max_gap_ms() -> i64 {
	3_000
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	/// The file could not be read.
	#[error("config file {path}: {source}")]
	Io {
		/// The file.
		path: String,
		/// The error.
		source: std::io::Error,
	},
	/// The file is not valid TOML for this configuration.
	#[error("config file {path}: {source}")]
	Parse {
		/// The file.
		path: String,
		/// The error.
		source: toml::de::Error,
	},
	/// A value is invalid.
	#[error("config: {0}")]
	Invalid(String),
}

impl FileConfig {
	/// Reads and validates a configuration file.
	pub fn read(path: &Path) -> Result<Self, ConfigError> {
		let display = path.display().to_string();
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Io { path: display.clone(), source })?;
		let config: FileConfig =
			toml::from_str(&text).map_err(|source| ConfigError::Parse { path: display, source })?;
		for feed in &config.feeds {
			feed.validate()?;
		}
		Ok(config)
	}
}

impl FeedConfig {
	/// Checks the unit and formula.
	pub fn validate(&self) -> Result<(), ConfigError> {
		let invalid = |what: String| ConfigError::Invalid(format!("feed {}: {what}", self.id));
		crate::units::lookup(&self.unit).map_err(|e| invalid(e.to_string()))?;
		self.formula.baseline().map_err(invalid)?;
		if self.max_gap_ms <= 0 {
			return Err(invalid("max_gap_ms must be positive".into()));
		}
		if self.entity.is_empty() || self.attribute.is_empty() {
			return Err(invalid("entity and attribute must not be empty".into()));
		}
		Ok(())
	}

	/// The unit of the KPI the chain must declare: `P1` for percentages, else `unit`.
	pub fn kpi_unit(&self) -> &str {
		if self.formula.is_percentage() {
			"P1"
		} else {
			&self.unit
		}
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use crate::kpi::Consumption;

	#[test]
	fn the_documented_example_parses() {
		let docs = include_str!("config.rs");
		let example: String = docs
			.lines()
			.skip_while(|line| !line.starts_with("//! ```toml"))
			.skip(1)
			.take_while(|line| !line.starts_with("//! ```"))
			.map(|line| line.trim_start_matches("//!").trim_start())
			.collect::<Vec<_>>()
			.join("\n");
		let config: FileConfig = toml::from_str(&example).unwrap();
		let feed = &config.feeds[0];
		feed.validate().unwrap();
		assert_eq!(
			feed.formula,
			Formula::Reduction {
				consumption: Consumption::Delta,
				baseline: Some(600.into()),
				baseline_attribute: None
			}
		);
		assert_eq!(config.suri.as_deref(), Some("//Bob//stash"));
	}

	#[test]
	fn bad_formulas_and_units_are_refused() {
		let feed = |formula: &str, unit: &str| -> Result<(), String> {
			let text = format!(
				"id = 0\nbroker = \"http://x\"\nentity = \"e\"\nattribute = \"a\"\nunit = \"{unit}\"\nformula = {formula}\n"
			);
			let feed: FeedConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
			feed.validate().map_err(|e| e.to_string())
		};
		assert!(feed("{ kind = \"delta\" }", "KWH").is_ok());
		assert!(feed("{ kind = \"delta\" }", "kwh").is_err());
		assert!(feed("{ kind = \"median\" }", "KWH").is_err());
		assert!(feed("{ kind = \"reduction\" }", "KWH").is_err());
		assert!(feed(
			"{ kind = \"reduction\", baseline = \"1\", baseline_attribute = \"b\" }",
			"KWH"
		)
		.is_err());
		assert!(feed("{ kind = \"percent_of_baseline\", baseline_attribute = \"inflow\" }", "MTQ")
			.is_ok());
	}
}
