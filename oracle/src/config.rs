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
//! # What makes a reading untrustworthy (these are the defaults):
//! flags = ["tamperAlert", "alarm", "tampered"]   # its sub-properties, when raised
//! alarms = ["acquisitionStageFailure", "alarmFlowPersistence", "alarmInProgress",
//!           "alarmStopsLeaks", "alarmTamper", "alarmWaterQuality", "moduleTampered"]
//! clear_values = ["", "ok", "none", "false", "Nothing to report", "No persistence"]
//! max_response_bytes = 16777216          # the broker's answer, all pages together
//! ```
//!
//! Formulas: `{ kind = "sum" }`, `"mean"`, `"last"`, `"delta"`, and `"reduction"` /
//! `"percent_of_baseline"` with `consumption = "delta" | "sum"` and either `baseline = "<decimal
//! per period, in unit>"` or `baseline_attribute = "<attribute of the same entity>"`.
//!
//! Flags and alarms: a reading is refused when one of its `flags` sub-properties is raised, or
//! when one of the entity's `alarms` attributes is raised at its `observedAt` (by its device, or
//! with either device unknown); an alarm raised between readings, by a device whose readings
//! are used or an unknown one, refuses the period too. Raised means `true`, a number other than
//! 0, or a text not among `clear_values`; anything else (an object, null) counts as raised. The
//! default `alarms` are the alarm and tamper attributes of the FIWARE Smart Data Model
//! `WaterConsumptionObserved`; an entity without them is unaffected. A feed whose KPI is the
//! water a leak loses may leave out the leak alarms (`alarmFlowPersistence`, `alarmStopsLeaks`,
//! `alarmInProgress`), keeping the tamper and failure ones; `alarms = []` reads none.

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
	/// The sub-properties of a reading that flag it when raised (default
	/// [`ngsi::FLAG_NAMES`](crate::ngsi::FLAG_NAMES)).
	#[serde(default = "default_flags")]
	pub flags: Vec<String>,
	/// The entity's alarm and tamper attributes: read with the history, and a reading is refused
	/// when one is raised at its instant (default: those of `WaterConsumptionObserved`,
	/// [`ngsi::ALARM_NAMES`](crate::ngsi::ALARM_NAMES); `[]` for none).
	#[serde(default = "default_alarms")]
	pub alarms: Vec<String>,
	/// Texts that mean a flag or an alarm is not raised, ignoring case (default
	/// [`ngsi::CLEAR_VALUES`](crate::ngsi::CLEAR_VALUES)).
	#[serde(default = "default_clear_values")]
	pub clear_values: Vec<String>,
	/// The largest answer read from the broker, bytes; all pages of a temporal query together
	/// (default [`ngsi::DEFAULT_MAX_BODY_BYTES`](crate::ngsi::DEFAULT_MAX_BODY_BYTES), 16 MiB).
	#[serde(default = "default_max_response_bytes")]
	pub max_response_bytes: u64,
}

fn default_max_gap_ms() -> i64 {
	3_000
}

fn strings(names: &[&str]) -> Vec<String> {
	names.iter().map(|name| name.to_string()).collect()
}

/// The default of [`FeedConfig::flags`].
pub fn default_flags() -> Vec<String> {
	strings(&crate::ngsi::FLAG_NAMES)
}

/// The default of [`FeedConfig::alarms`].
pub fn default_alarms() -> Vec<String> {
	strings(&crate::ngsi::ALARM_NAMES)
}

/// The default of [`FeedConfig::clear_values`].
pub fn default_clear_values() -> Vec<String> {
	strings(&crate::ngsi::CLEAR_VALUES)
}

fn default_max_response_bytes() -> u64 {
	crate::ngsi::DEFAULT_MAX_BODY_BYTES
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
		if self.max_response_bytes == 0 {
			return Err(invalid("max_response_bytes must be positive".into()));
		}
		let read = crate::service::attributes(self);
		for (index, alarm) in self.alarms.iter().enumerate() {
			if alarm.is_empty() || alarm.contains(',') {
				return Err(invalid(format!("alarm attribute {alarm:?} is not an attribute name")));
			}
			if read.contains(alarm) {
				return Err(invalid(format!(
					"{alarm:?} is both an alarm and an attribute the KPI is computed from"
				)));
			}
			if self.alarms.get(..index).is_some_and(|before| before.contains(alarm)) {
				return Err(invalid(format!("alarm attribute {alarm:?} is listed twice")));
			}
		}
		if self.flags.iter().any(String::is_empty) {
			return Err(invalid("a flag name is empty".into()));
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
		// The documented lists are the defaults.
		assert_eq!(feed.flags, default_flags());
		assert_eq!(feed.alarms, default_alarms());
		assert_eq!(feed.clear_values, default_clear_values());
		assert_eq!(feed.max_response_bytes, crate::ngsi::DEFAULT_MAX_BODY_BYTES);
	}

	#[test]
	fn alarm_lists_are_per_feed_and_checked() {
		let feed = |extra: &str| -> Result<FeedConfig, String> {
			let text = format!(
				"id = 0\nbroker = \"http://x\"\nentity = \"e\"\nattribute = \"waterConsumption\"\n\
				 unit = \"MTQ\"\nformula = {{ kind = \"delta\" }}\n{extra}"
			);
			let feed: FeedConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
			feed.validate().map_err(|e| e.to_string())?;
			Ok(feed)
		};
		assert_eq!(feed("").unwrap().alarms.len(), 7);
		assert!(feed("alarms = []").unwrap().alarms.is_empty());
		let tamper = feed("alarms = [\"alarmTamper\", \"moduleTampered\"]").unwrap();
		assert_eq!(tamper.alarms, ["alarmTamper", "moduleTampered"]);
		assert!(feed("alarms = [\"waterConsumption\"]").unwrap_err().contains("both"));
		assert!(feed("alarms = [\"a\", \"a\"]").unwrap_err().contains("twice"));
		assert!(feed("alarms = [\"a,b\"]").is_err());
		assert!(feed("max_response_bytes = 0").is_err());
		assert!(feed("alarm = []").is_err(), "unknown keys are refused");
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
