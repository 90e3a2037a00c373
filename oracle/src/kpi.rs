//! KPI formulas and the data-quality rules that make the oracle refuse to sign.
//!
//! A period's source data is a series of readings of one attribute over the period's window,
//! converted to the feed's unit, with the entity's alarm and tamper attributes over the same
//! window. The rules ([`check`]) run first; any breach is a [`Refusal`] and nothing is signed:
//! a raised flag (a sub-property of a reading) or alarm (an attribute raised at a reading's
//! instant, or between readings by the same device), two different readings of one instant and
//! device (identical copies count once), a gap, a cumulative meter going down, a wrong unit, a
//! reading outside the window or in the future. Then the formula ([`Formula::compute`]) gives a `Decimal`, and
//! [`to_fixed`] turns it into the feed's fixed-point integer.
//!
//! Formulas, over the readings `v_1..v_n` ordered by `observedAt`:
//! - `sum`: `v_1 + .. + v_n` (interval readings, e.g. billed volume per interval);
//! - `mean`: the sum divided by `n`;
//! - `last`: `v_n`;
//! - `delta`: `v_n - v_1`, for a cumulative meter (the consumption over the window);
//! - `reduction`: `baseline - consumption`, where consumption is the `delta` (default) or the
//!   `sum`, and the baseline a fixed amount per period or the same aggregate of another
//!   attribute of the entity over the same window (e.g. inflow against billed volume: non-revenue
//!   water);
//! - `percent_of_baseline`: `consumption * 100 / baseline`.

use crate::ngsi::{Instance, Value};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How consumption is read from a series.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consumption {
	/// The last minus the first reading of a cumulative meter.
	#[default]
	Delta,
	/// The sum of interval readings.
	Sum,
}

/// A KPI formula, as configured (`formula = { kind = "delta" }`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Formula {
	/// The sum of the readings.
	Sum,
	/// The mean of the readings.
	Mean,
	/// The last reading.
	Last,
	/// The last minus the first reading of a cumulative meter.
	Delta,
	/// The baseline minus the consumption.
	Reduction {
		/// How consumption is read.
		#[serde(default)]
		consumption: Consumption,
		/// A fixed baseline per period, in the feed's unit (a decimal string).
		#[serde(default)]
		baseline: Option<Decimal>,
		/// Or: another attribute of the entity, aggregated like the consumption.
		#[serde(default)]
		baseline_attribute: Option<String>,
	},
	/// The consumption as a percentage of the baseline.
	PercentOfBaseline {
		/// How consumption is read.
		#[serde(default)]
		consumption: Consumption,
		/// A fixed baseline per period, in the feed's unit (a decimal string).
		#[serde(default)]
		baseline: Option<Decimal>,
		/// Or: another attribute of the entity, aggregated like the consumption.
		#[serde(default)]
		baseline_attribute: Option<String>,
	},
}

/// Where a formula's baseline comes from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Baseline<'a> {
	/// A fixed amount.
	Fixed(Decimal),
	/// Another attribute of the entity.
	Attribute(&'a str),
}

impl Formula {
	/// Whether the primary series is a cumulative meter (so it must never decrease).
	pub fn is_cumulative(&self) -> bool {
		match self {
			Formula::Delta => true,
			Formula::Reduction { consumption, .. }
			| Formula::PercentOfBaseline { consumption, .. } => *consumption == Consumption::Delta,
			Formula::Sum | Formula::Mean | Formula::Last => false,
		}
	}

	/// The baseline, for the formulas that have one; an error when it is not exactly one of a
	/// fixed value and an attribute.
	pub fn baseline(&self) -> Result<Option<Baseline<'_>>, String> {
		match self {
			Formula::Reduction { baseline, baseline_attribute, .. }
			| Formula::PercentOfBaseline { baseline, baseline_attribute, .. } => {
				match (baseline, baseline_attribute) {
					(Some(value), None) => Ok(Some(Baseline::Fixed(*value))),
					(None, Some(attribute)) => Ok(Some(Baseline::Attribute(attribute))),
					_ => Err("give exactly one of `baseline` and `baseline_attribute`".into()),
				}
			}
			Formula::Sum | Formula::Mean | Formula::Last | Formula::Delta => Ok(None),
		}
	}

	/// Whether the KPI is a percentage (unit `P1`) rather than in the source's unit.
	pub fn is_percentage(&self) -> bool {
		matches!(self, Formula::PercentOfBaseline { .. })
	}

	/// The KPI of `values` (in time order, in the feed's unit); `baseline_values` is the
	/// baseline attribute's series when the baseline is an attribute.
	pub fn compute(
		&self,
		values: &[Decimal],
		baseline_values: Option<&[Decimal]>,
	) -> Result<Decimal, Refusal> {
		match self {
			Formula::Sum => sum(values),
			Formula::Mean => {
				let count = Decimal::from(values.len());
				sum(values)?.checked_div(count).ok_or(Refusal::Arithmetic("mean of no readings"))
			}
			Formula::Last => values.last().copied().ok_or(Refusal::NoData),
			Formula::Delta => delta(values),
			Formula::Reduction { consumption, .. } => {
				let used = consume(*consumption, values)?;
				let base = self.baseline_value(*consumption, baseline_values)?;
				base.checked_sub(used).ok_or(Refusal::Arithmetic("reduction overflows"))
			}
			Formula::PercentOfBaseline { consumption, .. } => {
				let used = consume(*consumption, values)?;
				let base = self.baseline_value(*consumption, baseline_values)?;
				if base.is_zero() {
					return Err(Refusal::Arithmetic("the baseline is zero"));
				}
				used.checked_mul(Decimal::ONE_HUNDRED)
					.and_then(|scaled| scaled.checked_div(base))
					.ok_or(Refusal::Arithmetic("percentage overflows"))
			}
		}
	}

	fn baseline_value(
		&self,
		consumption: Consumption,
		baseline_values: Option<&[Decimal]>,
	) -> Result<Decimal, Refusal> {
		match self.baseline().map_err(|_| Refusal::Arithmetic("no baseline"))? {
			Some(Baseline::Fixed(value)) => Ok(value),
			Some(Baseline::Attribute(_)) => {
				consume(consumption, baseline_values.ok_or(Refusal::NoData)?)
			}
			None => Err(Refusal::Arithmetic("no baseline")),
		}
	}
}

fn consume(consumption: Consumption, values: &[Decimal]) -> Result<Decimal, Refusal> {
	match consumption {
		Consumption::Delta => delta(values),
		Consumption::Sum => sum(values),
	}
}

fn sum(values: &[Decimal]) -> Result<Decimal, Refusal> {
	if values.is_empty() {
		return Err(Refusal::NoData);
	}
	values.iter().try_fold(Decimal::ZERO, |total, value| {
		total.checked_add(*value).ok_or(Refusal::Arithmetic("sum overflows"))
	})
}

fn delta(values: &[Decimal]) -> Result<Decimal, Refusal> {
	match values {
		[first, .., last] => last.checked_sub(*first).ok_or(Refusal::Arithmetic("delta overflows")),
		_ => Err(Refusal::TooFewReadings(values.len())),
	}
}

/// `value` as the feed's fixed-point integer with `decimals` decimals, rounded half away from
/// zero (`12.3456` with 3 decimals is `12_346`).
pub fn to_fixed(value: Decimal, decimals: u8) -> Result<i128, Refusal> {
	let rounded =
		value.round_dp_with_strategy(u32::from(decimals), RoundingStrategy::MidpointAwayFromZero);
	let missing = u32::from(decimals)
		.checked_sub(rounded.scale())
		.ok_or(Refusal::Arithmetic("rounding left too many decimals"))?;
	10i128
		.checked_pow(missing)
		.and_then(|factor| rounded.mantissa().checked_mul(factor))
		.ok_or(Refusal::Arithmetic("the value does not fit the feed's fixed point"))
}

/// Why the oracle refuses to sign a period. Stored with the period and logged.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum Refusal {
	/// No readings in the window.
	#[error("no readings in the window")]
	NoData,
	/// Too few readings for a delta.
	#[error("{0} reading(s): a delta needs at least two")]
	TooFewReadings(usize),
	/// A reading is not a number.
	#[error("the reading at {at} is not a number: {value}")]
	NotANumber {
		/// When it was observed.
		at: DateTime<Utc>,
		/// What it was.
		value: String,
	},
	/// A reading has no `unitCode`.
	#[error("the reading at {at} has no unitCode")]
	MissingUnit {
		/// When it was observed.
		at: DateTime<Utc>,
	},
	/// A reading's unit is unknown or not convertible to the feed's.
	#[error("wrong unit at {at}: {reason}")]
	WrongUnit {
		/// When it was observed.
		at: DateTime<Utc>,
		/// Why.
		reason: String,
	},
	/// A reading carries a raised tamper or alarm flag (a sub-property), or the entity has a
	/// raised alarm or tamper attribute at the reading's instant (or, by a device whose readings
	/// are used or an unknown one, at any instant of the window).
	#[error("the reading at {at} by {device} is flagged: {flags}")]
	Flagged {
		/// When it was observed.
		at: DateTime<Utc>,
		/// The device.
		device: String,
		/// The raised flags and alarms.
		flags: String,
	},
	/// Two readings of one attribute at the same instant by the same device differ.
	#[error("two different readings of the same instant {at} by {device}: {first} and {second}")]
	ConflictingDuplicate {
		/// When they were observed.
		at: DateTime<Utc>,
		/// The device.
		device: String,
		/// One value with its unit, as read.
		first: String,
		/// The other.
		second: String,
	},
	/// Two consecutive readings (or a window edge and a reading) are too far apart.
	#[error("gap in the data from {from} to {to} ({gap_ms} ms, tolerance {max_gap_ms} ms)")]
	Gap {
		/// The last reading (or window start) before the gap.
		from: DateTime<Utc>,
		/// The first reading (or window end) after it.
		to: DateTime<Utc>,
		/// Its length.
		gap_ms: i64,
		/// The tolerance.
		max_gap_ms: i64,
	},
	/// A cumulative meter went down.
	#[error("the cumulative meter went down at {at}: {from} -> {to}")]
	NegativeDelta {
		/// When.
		at: DateTime<Utc>,
		/// The reading before.
		from: Decimal,
		/// The reading after.
		to: Decimal,
	},
	/// A reading lies outside the window asked for.
	#[error("the broker returned a reading at {at}, outside the window")]
	OutsideWindow {
		/// When it was observed.
		at: DateTime<Utc>,
	},
	/// A reading is in the future by more than the tolerated clock skew.
	#[error("clock skew: a reading at {at} is in the future (now {now})")]
	FutureReading {
		/// When it says it was observed.
		at: DateTime<Utc>,
		/// The oracle's clock.
		now: DateTime<Utc>,
	},
	/// The broker's clock differs from the oracle's by more than the tolerance.
	#[error(
		"clock skew: the broker's clock is {skew_ms} ms off ours (tolerance {max_skew_ms} ms)"
	)]
	ClockSkew {
		/// The difference.
		skew_ms: i64,
		/// The tolerance.
		max_skew_ms: i64,
	},
	/// The value lies outside the feed's on-chain bounds.
	#[error("the value {value} is outside the feed's bounds [{min}, {max}]")]
	OutOfBounds {
		/// The fixed-point value.
		value: i128,
		/// The feed's minimum.
		min: i128,
		/// The feed's maximum.
		max: i128,
	},
	/// The arithmetic failed.
	#[error("cannot compute: {0}")]
	Arithmetic(&'static str),
}

impl Refusal {
	/// A short stable code for storage and exports.
	pub fn code(&self) -> &'static str {
		match self {
			Refusal::NoData => "no_data",
			Refusal::TooFewReadings(_) => "too_few_readings",
			Refusal::NotANumber { .. } => "not_a_number",
			Refusal::MissingUnit { .. } => "missing_unit",
			Refusal::WrongUnit { .. } => "wrong_unit",
			Refusal::Flagged { .. } => "flagged",
			Refusal::ConflictingDuplicate { .. } => "conflicting_duplicate",
			Refusal::Gap { .. } => "gap",
			Refusal::NegativeDelta { .. } => "negative_delta",
			Refusal::OutsideWindow { .. } => "outside_window",
			Refusal::FutureReading { .. } => "clock_skew",
			Refusal::ClockSkew { .. } => "clock_skew",
			Refusal::OutOfBounds { .. } => "out_of_bounds",
			Refusal::Arithmetic(_) => "arithmetic",
		}
	}
}

/// A reading that passed the checks: as read, and converted to the feed's unit.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reading {
	/// `observedAt`.
	pub at: DateTime<Utc>,
	/// The value as read.
	pub source_value: Decimal,
	/// The unit as read.
	pub source_unit: String,
	/// The device (`observedBy`), empty when not given.
	pub device: String,
	/// The value in the feed's unit.
	pub value: Decimal,
}

/// What the data-quality rules need to know.
#[derive(Clone, Debug)]
pub struct Rules<'a> {
	/// Window start (inclusive).
	pub start: DateTime<Utc>,
	/// Window end (exclusive).
	pub end: DateTime<Utc>,
	/// The longest tolerated time without a reading (also from the window's start to the first
	/// reading and from the last one to the window's end).
	pub max_gap: Duration,
	/// The oracle's clock.
	pub now: DateTime<Utc>,
	/// How far in the future a reading may claim to be.
	pub max_skew: Duration,
	/// The unit to convert into.
	pub unit: &'a str,
	/// Whether the series is a cumulative meter.
	pub cumulative: bool,
	/// The sub-properties that flag a reading when raised (a feed's `flags`).
	pub flags: &'a [String],
	/// The entity's alarm and tamper attributes over the window (a feed's `alarms`), each with
	/// its instances.
	pub alarms: &'a [(String, Vec<Instance>)],
	/// Texts that mean a flag or an alarm is not raised (a feed's `clear_values`).
	pub clear: &'a [String],
}

/// Whether two devices may be the same one: equal, or either unknown.
fn same_device(a: Option<&str>, b: Option<&str>) -> bool {
	match (a, b) {
		(Some(a), Some(b)) => a == b,
		_ => true,
	}
}

/// Checks a series against the rules and converts it; the readings come back in time order,
/// each instant and device once.
///
/// A reading is refused as flagged when one of `rules.flags` among its sub-properties is
/// raised, or when an alarm attribute has a raised instance at the same `observedAt` by the same
/// device (or with either device unknown). A raised alarm instance in the window at an instant
/// without such a reading is refused too when its device is unknown or one whose readings are
/// used: the meter was in alarm between two readings. Copies of a reading (the same instant and
/// device) count once when they agree, and are refused when they differ.
pub fn check(instances: &[Instance], rules: &Rules<'_>) -> Result<Vec<Reading>, Refusal> {
	// The raised alarm instances by instant (usually none), each with its name and device, in
	// the order of the feed's list.
	let mut alarms: BTreeMap<DateTime<Utc>, Vec<(&str, Option<&str>)>> = BTreeMap::new();
	for (name, instances) in rules.alarms {
		for alarm in instances.iter().filter(|alarm| alarm.value.raised(rules.clear)) {
			if let Some(at) = alarm.observed_at {
				alarms.entry(at).or_default().push((name, alarm.observed_by.as_deref()));
			}
		}
	}
	let mut readings = Vec::with_capacity(instances.len());
	for instance in instances {
		let at = instance.observed_at.ok_or(Refusal::NoData)?;
		let latest = rules.now.checked_add_signed(rules.max_skew).unwrap_or(rules.now);
		if at > latest {
			return Err(Refusal::FutureReading { at, now: rules.now });
		}
		if at < rules.start || at >= rules.end {
			return Err(Refusal::OutsideWindow { at });
		}
		let device = instance.observed_by.clone().unwrap_or_default();
		let mut flags: Vec<&str> = rules
			.flags
			.iter()
			.filter(|name| {
				instance.sub_properties.get(name.as_str()).is_some_and(|v| v.raised(rules.clear))
			})
			.map(String::as_str)
			.collect();
		let at_instant = alarms.get(&at).into_iter().flatten();
		for (name, by) in at_instant {
			if same_device(*by, instance.observed_by.as_deref()) && !flags.contains(name) {
				flags.push(name);
			}
		}
		if !flags.is_empty() {
			return Err(Refusal::Flagged { at, device, flags: flags.join(", ") });
		}
		let source_value = match &instance.value {
			Value::Number(value) => *value,
			other => return Err(Refusal::NotANumber { at, value: format!("{other:?}") }),
		};
		let source_unit = instance.unit.clone().ok_or(Refusal::MissingUnit { at })?;
		let value = crate::units::convert(source_value, &source_unit, rules.unit)
			.map_err(|e| Refusal::WrongUnit { at, reason: e.to_string() })?;
		readings.push(Reading { at, source_value, source_unit, device, value });
	}
	// No raised alarm matched a reading: one left in the window was raised between readings.
	// It concerns this series when its device is unknown, or one whose readings are used.
	let devices: BTreeSet<Option<&str>> =
		instances.iter().map(|instance| instance.observed_by.as_deref()).collect();
	for (at, raised) in alarms.iter().filter(|(at, _)| **at >= rules.start && **at < rules.end) {
		let ours = raised
			.iter()
			.find(|(_, by)| by.is_none() || devices.contains(&None) || devices.contains(by));
		if let Some((name, by)) = ours {
			return Err(Refusal::Flagged {
				at: *at,
				device: by.unwrap_or_default().to_string(),
				flags: format!("{name} (an alarm between readings)"),
			});
		}
	}
	readings.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.device.cmp(&b.device)));
	let mut unique: Vec<Reading> = Vec::with_capacity(readings.len());
	for reading in readings {
		match unique.last() {
			Some(kept) if kept.at == reading.at && kept.device == reading.device => {
				if kept.source_value != reading.source_value
					|| kept.source_unit != reading.source_unit
				{
					return Err(Refusal::ConflictingDuplicate {
						at: reading.at,
						device: reading.device,
						first: format!("{} {}", kept.source_value, kept.source_unit),
						second: format!("{} {}", reading.source_value, reading.source_unit),
					});
				}
			}
			_ => unique.push(reading),
		}
	}
	let readings = unique;
	if readings.is_empty() {
		return Err(Refusal::NoData);
	}
	let times = std::iter::once(rules.start)
		.chain(readings.iter().map(|reading| reading.at))
		.chain(std::iter::once(rules.end))
		.collect::<Vec<_>>();
	for pair in times.windows(2) {
		if let [from, to] = pair {
			let gap = to.signed_duration_since(*from);
			if gap > rules.max_gap {
				return Err(Refusal::Gap {
					from: *from,
					to: *to,
					gap_ms: gap.num_milliseconds(),
					max_gap_ms: rules.max_gap.num_milliseconds(),
				});
			}
		}
	}
	if rules.cumulative {
		for pair in readings.windows(2) {
			if let [before, after] = pair {
				if after.value < before.value {
					return Err(Refusal::NegativeDelta {
						at: after.at,
						from: before.source_value,
						to: after.source_value,
					});
				}
			}
		}
	}
	Ok(readings)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use std::str::FromStr;

	fn d(text: &str) -> Decimal {
		Decimal::from_str(text).unwrap()
	}

	fn ds(texts: &[&str]) -> Vec<Decimal> {
		texts.iter().map(|text| d(text)).collect()
	}

	fn reduction(baseline: &str) -> Formula {
		Formula::Reduction {
			consumption: Consumption::Delta,
			baseline: Some(d(baseline)),
			baseline_attribute: None,
		}
	}

	#[test]
	fn sum_mean_last_and_delta_are_exact() {
		let values = ds(&["0.1", "0.2", "0.3"]);
		assert_eq!(Formula::Sum.compute(&values, None).unwrap(), d("0.6"));
		assert_eq!(Formula::Mean.compute(&values, None).unwrap(), d("0.2"));
		assert_eq!(Formula::Last.compute(&values, None).unwrap(), d("0.3"));
		let meter = ds(&["1000.125", "1010.250", "1035.375"]);
		assert_eq!(Formula::Delta.compute(&meter, None).unwrap(), d("35.25"));
	}

	#[test]
	fn reduction_and_percentage_of_a_fixed_or_attribute_baseline() {
		let meter = ds(&["100", "130.5"]);
		assert_eq!(reduction("50").compute(&meter, None).unwrap(), d("19.5"));
		let percent = Formula::PercentOfBaseline {
			consumption: Consumption::Delta,
			baseline: Some(d("50")),
			baseline_attribute: None,
		};
		assert_eq!(percent.compute(&meter, None).unwrap(), d("61"));
		// Non-revenue water: inflow 1000 -> 1400 m3 against billed 500 -> 820 m3.
		let nrw = Formula::Reduction {
			consumption: Consumption::Delta,
			baseline: None,
			baseline_attribute: Some("inflow".into()),
		};
		let billed = ds(&["500", "820"]);
		let inflow = ds(&["1000", "1400"]);
		assert_eq!(nrw.compute(&billed, Some(&inflow)).unwrap(), d("80"));
		let third = Formula::PercentOfBaseline {
			consumption: Consumption::Sum,
			baseline: Some(d("3")),
			baseline_attribute: None,
		};
		assert_eq!(to_fixed(third.compute(&ds(&["1"]), None).unwrap(), 4).unwrap(), 333_333);
	}

	#[test]
	fn formulas_refuse_what_they_cannot_compute() {
		assert_eq!(Formula::Delta.compute(&ds(&["1"]), None), Err(Refusal::TooFewReadings(1)));
		assert_eq!(Formula::Sum.compute(&[], None), Err(Refusal::NoData));
		let zero = Formula::PercentOfBaseline {
			consumption: Consumption::Sum,
			baseline: Some(Decimal::ZERO),
			baseline_attribute: None,
		};
		assert!(matches!(zero.compute(&ds(&["1"]), None), Err(Refusal::Arithmetic(_))));
		let both = Formula::Reduction {
			consumption: Consumption::Sum,
			baseline: Some(Decimal::ONE),
			baseline_attribute: Some("x".into()),
		};
		assert!(both.baseline().is_err());
	}

	#[test]
	fn fixed_point_rounds_half_away_from_zero() {
		assert_eq!(to_fixed(d("12.3456"), 3).unwrap(), 12_346);
		assert_eq!(to_fixed(d("-12.3455"), 3).unwrap(), -12_346);
		assert_eq!(to_fixed(d("7"), 3).unwrap(), 7_000);
		assert_eq!(to_fixed(d("0.0005"), 3).unwrap(), 1);
		assert_eq!(to_fixed(d("10000000000000000000"), 18), Ok(10i128.pow(37)));
		assert!(matches!(to_fixed(Decimal::MAX, 18), Err(Refusal::Arithmetic(_))));
	}

	fn at(millis: i64) -> DateTime<Utc> {
		DateTime::from_timestamp_millis(millis).unwrap()
	}

	fn instance(second: i64, value: &str, unit: &str) -> Instance {
		Instance {
			value: Value::Number(d(value)),
			unit: Some(unit.into()),
			observed_at: Some(at(second * 1_000)),
			observed_by: Some("urn:ngsi-ld:Device:m".into()),
			sub_properties: Default::default(),
		}
	}

	fn strings(texts: &[&str]) -> &'static [String] {
		Box::leak(texts.iter().map(|text| text.to_string()).collect::<Vec<_>>().into_boxed_slice())
	}

	fn rules(cumulative: bool) -> Rules<'static> {
		Rules {
			start: at(0),
			end: at(10_000),
			max_gap: Duration::seconds(3),
			now: at(100_000),
			max_skew: Duration::seconds(5),
			unit: "KWH",
			cumulative,
			flags: strings(&crate::ngsi::FLAG_NAMES),
			alarms: &[],
			clear: strings(&crate::ngsi::CLEAR_VALUES),
		}
	}

	/// Four good readings of the meter `urn:ngsi-ld:Device:m`, at 0, 3, 6 and 9 s.
	fn four() -> Vec<Instance> {
		vec![
			instance(0, "1", "KWH"),
			instance(3, "2", "KWH"),
			instance(6, "3", "KWH"),
			instance(9, "4", "KWH"),
		]
	}

	/// An alarm attribute's instance.
	fn alarm(millis: i64, value: Value, device: Option<&str>) -> Instance {
		Instance {
			observed_at: Some(at(millis)),
			observed_by: device.map(str::to_string),
			..Instance::of(value)
		}
	}

	fn with_alarms(alarms: Vec<(&str, Vec<Instance>)>) -> Rules<'static> {
		let alarms: Vec<(String, Vec<Instance>)> =
			alarms.into_iter().map(|(name, instances)| (name.to_string(), instances)).collect();
		Rules { alarms: Box::leak(alarms.into_boxed_slice()), ..rules(true) }
	}

	#[test]
	fn a_raised_alarm_attribute_at_a_readings_instant_refuses_it() {
		let meter = Some("urn:ngsi-ld:Device:m");
		let one = || Value::Number(Decimal::ONE);
		let zero = || Value::Number(Decimal::ZERO);
		// WaterConsumptionObserved: every reading comes with its alarm attributes, all clear
		// but at 6 s, when the tamper alarm is raised.
		let clear: Vec<Instance> =
			[0, 3_000, 9_000].iter().map(|t| alarm(*t, zero(), meter)).collect();
		let mut tamper = clear.clone();
		tamper.push(alarm(6_000, one(), meter));
		let persistence: Vec<Instance> = [0, 3_000, 6_000, 9_000]
			.iter()
			.map(|t| alarm(*t, Value::Text("Nothing to report".into()), meter))
			.collect();
		let rules = with_alarms(vec![
			("alarmTamper", tamper),
			("alarmFlowPersistence", persistence.clone()),
		]);
		match check(&four(), &rules) {
			Err(Refusal::Flagged { at: when, device, flags }) => {
				assert_eq!(
					(when, device.as_str(), flags.as_str()),
					(at(6_000), "urn:ngsi-ld:Device:m", "alarmTamper")
				);
			}
			other => panic!("not refused as flagged: {other:?}"),
		}
		// All clear: signed.
		let mut all_clear = clear.clone();
		all_clear.push(alarm(6_000, zero(), meter));
		let rules =
			with_alarms(vec![("alarmTamper", all_clear), ("alarmFlowPersistence", persistence)]);
		assert_eq!(check(&four(), &rules).unwrap().len(), 4);
		// A text status that is not a clear one is raised.
		let leaking = vec![alarm(3_000, Value::Text("In progress persistence".into()), meter)];
		let rules = with_alarms(vec![("alarmFlowPersistence", leaking)]);
		assert!(
			matches!(check(&four(), &rules), Err(Refusal::Flagged { flags, .. }) if flags == "alarmFlowPersistence")
		);
		// Without devices (keyValues without a current state), the instant alone matches.
		let rules = with_alarms(vec![("moduleTampered", vec![alarm(9_000, one(), None)])]);
		assert!(
			matches!(check(&four(), &rules), Err(Refusal::Flagged { at: when, .. }) if when == at(9_000))
		);
	}

	#[test]
	fn a_raised_alarm_between_readings_refuses_the_series_of_its_device_only() {
		let one = || Value::Number(Decimal::ONE);
		// The meter was in alarm at 4.5 s, between two readings.
		let rules = with_alarms(vec![(
			"alarmTamper",
			vec![alarm(4_500, one(), Some("urn:ngsi-ld:Device:m"))],
		)]);
		match check(&four(), &rules) {
			Err(Refusal::Flagged { at: when, flags, .. }) => {
				assert_eq!(when, at(4_500));
				assert!(flags.contains("alarmTamper") && flags.contains("between"), "{flags}");
			}
			other => panic!("not refused as flagged: {other:?}"),
		}
		// An unknown device's alarm counts; another known device's (a second meter of the
		// entity, read for another attribute) does not.
		let rules = with_alarms(vec![("alarmTamper", vec![alarm(4_500, one(), None)])]);
		assert!(matches!(check(&four(), &rules), Err(Refusal::Flagged { .. })));
		let other = Some("urn:ngsi-ld:Device:other");
		let rules = with_alarms(vec![(
			"alarmTamper",
			vec![alarm(6_000, one(), other), alarm(4_500, one(), other)],
		)]);
		assert_eq!(check(&four(), &rules).unwrap().len(), 4);
		// Outside the window it is not this period's.
		let rules = with_alarms(vec![("alarmTamper", vec![alarm(10_000, one(), None)])]);
		assert_eq!(check(&four(), &rules).unwrap().len(), 4);
	}

	#[test]
	fn copies_of_a_reading_count_once_and_conflicting_ones_are_refused() {
		// A page boundary, or a broker that stored a message twice: the same reading again.
		let mut copies = four();
		copies.insert(2, instance(3, "2", "KWH"));
		copies.push(instance(9, "4", "KWH"));
		let readings = check(&copies, &rules(true)).unwrap();
		assert_eq!(readings.iter().map(|r| r.value).collect::<Vec<_>>(), ds(&["1", "2", "3", "4"]));
		// The same instant and device with another value: which one is true is unknown.
		let mut conflicting = four();
		conflicting.push(instance(6, "3.5", "KWH"));
		match check(&conflicting, &rules(true)) {
			Err(Refusal::ConflictingDuplicate { at: when, device, first, second }) => {
				assert_eq!((when, device.as_str()), (at(6_000), "urn:ngsi-ld:Device:m"));
				assert_eq!((first.as_str(), second.as_str()), ("3 KWH", "3.5 KWH"));
			}
			other => panic!("not refused as a conflicting duplicate: {other:?}"),
		}
		// The same value in another unit is another reading as read: refused too.
		let mut units = four();
		units.push(instance(6, "3000", "WHR"));
		assert!(matches!(check(&units, &rules(true)), Err(Refusal::ConflictingDuplicate { .. })));
		// Another device at the same instant is not a copy.
		let mut second = four();
		second.push(Instance {
			observed_by: Some("urn:ngsi-ld:Device:n".into()),
			..instance(6, "3", "KWH")
		});
		assert_eq!(check(&second, &rules(false)).unwrap().len(), 5);
	}

	#[test]
	fn quality_rules_convert_and_order_good_data() {
		let data = [
			instance(8, "4000", "WHR"),
			instance(0, "1", "KWH"),
			instance(3, "0.002", "MWH"),
			instance(6, "10800", "KJO"),
		];
		let readings = check(&data, &rules(true)).unwrap();
		assert_eq!(readings.iter().map(|r| r.value).collect::<Vec<_>>(), ds(&["1", "2", "3", "4"]));
	}

	#[test]
	fn quality_rules_refuse_gaps_flags_negative_deltas_units_and_future_readings() {
		let gap = [instance(0, "1", "KWH"), instance(5, "2", "KWH"), instance(9, "3", "KWH")];
		assert!(matches!(check(&gap, &rules(true)), Err(Refusal::Gap { gap_ms: 5000, .. })));
		let late_start = [instance(4, "1", "KWH"), instance(7, "2", "KWH")];
		assert!(matches!(check(&late_start, &rules(true)), Err(Refusal::Gap { .. })));
		let mut flagged = [
			instance(0, "1", "KWH"),
			instance(3, "2", "KWH"),
			instance(6, "3", "KWH"),
			instance(9, "4", "KWH"),
		];
		flagged[2].sub_properties.insert("tamperAlert".into(), Value::Bool(true));
		assert!(matches!(check(&flagged, &rules(true)), Err(Refusal::Flagged { .. })));
		// Only the configured flags count, and a clear status is not raised.
		let unflagged = Rules { flags: strings(&["alarm"]), ..rules(true) };
		assert!(check(&flagged, &unflagged).is_ok());
		flagged[2].sub_properties.insert("alarm".into(), Value::Text("ok".into()));
		assert!(check(&flagged, &unflagged).is_ok());
		let down = [
			instance(0, "5", "KWH"),
			instance(3, "4", "KWH"),
			instance(6, "6", "KWH"),
			instance(9, "7", "KWH"),
		];
		assert!(matches!(check(&down, &rules(true)), Err(Refusal::NegativeDelta { .. })));
		assert!(check(&down, &rules(false)).is_ok(), "interval readings may go down");
		let water = [
			instance(0, "1", "MTQ"),
			instance(3, "1", "MTQ"),
			instance(6, "1", "MTQ"),
			instance(9, "1", "MTQ"),
		];
		assert!(matches!(check(&water, &rules(true)), Err(Refusal::WrongUnit { .. })));
		let unknown = [instance(0, "1", "XXX")];
		assert!(matches!(check(&unknown, &rules(true)), Err(Refusal::WrongUnit { .. })));
		let mut future = rules(true);
		future.now = DateTime::from_timestamp(2, 0).unwrap();
		future.max_skew = Duration::seconds(1);
		let data = [
			instance(0, "1", "KWH"),
			instance(3, "2", "KWH"),
			instance(6, "3", "KWH"),
			instance(9, "4", "KWH"),
		];
		assert!(matches!(check(&data, &future), Err(Refusal::FutureReading { .. })));
		assert_eq!(check(&[], &rules(true)), Err(Refusal::NoData));
	}
}
