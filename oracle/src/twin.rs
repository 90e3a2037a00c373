//! An embedded digital twin: a deterministic simulator of a retrofitted building portfolio and a
//! water network's district metered area, served over the NGSI-LD subset the oracle reads.
//!
//! Entities (Smart Data Models types):
//! - `Building` `urn:ngsi-ld:Building:rotterdam-town-hall`: cumulative `energyConsumed` (KWH)
//!   from the meter `urn:ngsi-ld:Device:rotterdam-town-hall-meter`, and its pre-retrofit
//!   `baselineEnergyConsumption` (50 kWh per simulated hour).
//! - `Building` `urn:ngsi-ld:Building:rotterdam-library`: cumulative `energyConsumed` reported in
//!   watt hours (WHR), baseline 20 kWh per simulated hour.
//! - `WaterNetwork` `urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord` (a district metered area):
//!   cumulative `inflowVolume` and `billedVolume` (MTQ); their difference is non-revenue water.
//! - `WaterConsumptionObserved` `urn:ngsi-ld:WaterConsumptionObserved:rotterdam-noord-0001` (a
//!   customer's smart water meter): cumulative `waterConsumption` in litres (LTR), and with each
//!   reading, at the same `observedAt` and by the same device, the data model's alarm and tamper
//!   attributes as top-level properties (`acquisitionStageFailure`, `alarmFlowPersistence`,
//!   `alarmInProgress`, `alarmStopsLeaks`, `alarmTamper`, `alarmWaterQuality`,
//!   `moduleTampered`), all clear (0, "Nothing to report") but in the `tamper-alarm` scenario.
//! - `Device` entities for each meter (`controlledProperty`, `deviceState`,
//!   `dateLastCalibration` as a `DateTime` literal).
//!
//! **Time.** Meters read every `sample_ms` of real time, at multiples of `sample_ms` since the
//! Unix epoch (from 2024-01-01 on). Each reading adds the consumption of `sample_ms *
//! time_scale` of simulated time: with the defaults (1 000 ms, scale 3 600) a real second is a
//! simulated hour, so a 12-second period covers 12 simulated hours. Readings are a function of
//! the seed, the sample index and the scenario history only (a seeded hash gives each reading a
//! jitter of up to 10% of its increment), so every client, and every query of the same window,
//! sees the same data. Readings later than the wall clock are not served.
//!
//! **Scenarios** (`--scenario`, or `POST /twin/scenario {"scenario": "..."}` at run time, which
//! takes effect from the next reading): `on-target` (the buildings use 65% of their baseline,
//! 85% of the inflow is billed), `under-performing` (92%; 70%), `sensor-outage` (no readings
//! served), `tampered-meter` (readings carry `tamperAlert: true`), `tamper-alarm` (the smart
//! water meter raises `alarmTamper`, `moduleTampered` and `alarmInProgress`; the readings carry
//! no flag), `meter-rollback` (every other reading of the cumulative meters goes down),
//! `wrong-unit` (energy reported as MTQ, water as KWH).
//!
//! **Pages.** With `page_size` (`--page-size`) N > 0, a temporal query with more than N
//! instances of an attribute is answered as NGSI-LD's temporal pagination does (Stellio's
//! reading of ETSI GS CIM 009 clause 6.3.10): `206 Partial Content`, every attribute's instances
//! up to the N-th instance of the fullest one, and `Content-Range: date-time <timeAt>-<that
//! instance's time>/*`; the client asks again from that time (the instance at it is served
//! again).

use axum::{
	extract::{Path, Query, State},
	http::{header, StatusCode},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use blake2::{digest::consts::U8, Blake2b, Digest};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, value::RawValue};
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, RwLock},
};

/// The NGSI-LD core context.
pub const CORE_CONTEXT: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld";

/// 2024-01-01T00:00:00Z in ms: no reading before it.
const EPOCH_MS: i64 = 1_704_067_200_000;

/// The most readings one temporal query returns.
pub const MAX_INSTANCES: i64 = 20_000;

/// What the simulated assets do.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
	/// The retrofit performs: 65% of the baseline; 85% of the water billed.
	OnTarget,
	/// It does not: 92% of the baseline; 70% billed.
	UnderPerforming,
	/// The meters are silent.
	SensorOutage,
	/// The meters report a tamper alarm.
	TamperedMeter,
	/// The cumulative meters go backwards every other reading.
	MeterRollback,
	/// The meters report the wrong unit.
	WrongUnit,
	/// The smart water meter raises its tamper alarms (top-level attributes, no flag on the
	/// readings).
	TamperAlarm,
}

/// The simulator's settings.
#[derive(Clone, Copy, Debug)]
pub struct TwinConfig {
	/// Seeds the readings' jitter.
	pub seed: u64,
	/// Real milliseconds between readings.
	pub sample_ms: i64,
	/// Simulated seconds per real second.
	pub time_scale: i64,
	/// The scenario from the start.
	pub scenario: Scenario,
	/// The most instances of an attribute a temporal answer holds before it is split into pages
	/// (`206 Partial Content`); 0: never split (at least 2 otherwise).
	pub page_size: usize,
}

impl Default for TwinConfig {
	fn default() -> Self {
		Self {
			seed: 7,
			sample_ms: 1_000,
			time_scale: 3_600,
			scenario: Scenario::OnTarget,
			page_size: 0,
		}
	}
}

/// One metered series.
struct Meter {
	entity: &'static str,
	attribute: &'static str,
	device: &'static str,
	energy: bool,
	/// The unit it reports in.
	unit: &'static str,
	/// The reading at 2024-01-01, in thousandths of the unit.
	start_milli: i64,
	/// Consumption per simulated hour in thousandths of the unit: on target, under-performing.
	rate_milli: (i64, i64),
	/// Whether the meter reports `WaterConsumptionObserved`'s alarm attributes.
	alarms: bool,
}

/// The smart water meter's entity.
const WATER_METER: &str = "urn:ngsi-ld:WaterConsumptionObserved:rotterdam-noord-0001";

const METERS: [Meter; 5] = [
	Meter {
		entity: "urn:ngsi-ld:Building:rotterdam-town-hall",
		attribute: "energyConsumed",
		device: "urn:ngsi-ld:Device:rotterdam-town-hall-meter",
		energy: true,
		unit: "KWH",
		start_milli: 1_250_000_000,
		rate_milli: (32_500, 46_000),
		alarms: false,
	},
	Meter {
		entity: "urn:ngsi-ld:Building:rotterdam-library",
		attribute: "energyConsumed",
		device: "urn:ngsi-ld:Device:rotterdam-library-meter",
		energy: true,
		unit: "WHR",
		start_milli: 400_000_000_000,
		rate_milli: (13_000_000, 18_400_000),
		alarms: false,
	},
	Meter {
		entity: "urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord",
		attribute: "inflowVolume",
		device: "urn:ngsi-ld:Device:dma-noord-inflow-meter",
		energy: false,
		unit: "MTQ",
		start_milli: 5_000_000_000,
		rate_milli: (120_000, 120_000),
		alarms: false,
	},
	Meter {
		entity: "urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord",
		attribute: "billedVolume",
		device: "urn:ngsi-ld:Device:dma-noord-billing-meter",
		energy: false,
		unit: "MTQ",
		start_milli: 4_200_000_000,
		rate_milli: (102_000, 84_000),
		alarms: false,
	},
	Meter {
		entity: WATER_METER,
		attribute: "waterConsumption",
		device: "urn:ngsi-ld:Device:rotterdam-noord-0001-meter",
		energy: false,
		unit: "LTR",
		start_milli: 191_051_000,
		rate_milli: (20_000, 26_000),
		alarms: true,
	},
];

/// `WaterConsumptionObserved`'s alarm and tamper attributes as the meter reports them with a
/// reading: all clear, or the tamper alarms raised.
fn alarm_values(raised: bool) -> [(&'static str, serde_json::Value); 7] {
	let flag = json!(u8::from(raised));
	[
		("acquisitionStageFailure", json!(0)),
		("alarmFlowPersistence", json!("Nothing to report")),
		("alarmInProgress", flag.clone()),
		("alarmStopsLeaks", json!(0)),
		("alarmTamper", flag.clone()),
		("alarmWaterQuality", json!(0)),
		("moduleTampered", flag),
	]
}

/// Static facts about the entities: type and non-metered attributes.
fn entity_kind(id: &str) -> Option<&'static str> {
	match id {
		"urn:ngsi-ld:Building:rotterdam-town-hall" | "urn:ngsi-ld:Building:rotterdam-library" => {
			Some("Building")
		}
		"urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord" => Some("WaterNetwork"),
		WATER_METER => Some("WaterConsumptionObserved"),
		_ if METERS.iter().any(|meter| meter.device == id) => Some("Device"),
		_ => None,
	}
}

/// A stretch of time under one scenario, from sample `from` on.
#[derive(Clone, Copy, Debug)]
struct Segment {
	from: i64,
	scenario: Scenario,
}

/// The twin's state: its settings and the scenario history.
pub struct Twin {
	config: TwinConfig,
	segments: RwLock<Vec<Segment>>,
}

impl Twin {
	/// A twin with `config`, its scenario in force from the start.
	pub fn new(config: TwinConfig) -> Self {
		let config = TwinConfig {
			sample_ms: config.sample_ms.max(1),
			time_scale: config.time_scale.max(1),
			page_size: if config.page_size == 0 { 0 } else { config.page_size.max(2) },
			..config
		};
		let first = Segment { from: i64::MIN, scenario: config.scenario };
		Self { config, segments: RwLock::new(vec![first]) }
	}

	fn segments(&self) -> Vec<Segment> {
		self.segments.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
	}

	/// The scenario in force now.
	pub fn scenario(&self) -> Scenario {
		self.segments().last().map(|segment| segment.scenario).unwrap_or(self.config.scenario)
	}

	/// Switches to `scenario` from the first reading after `now`.
	pub fn switch(&self, scenario: Scenario, now: DateTime<Utc>) {
		let from = self.sample_at_or_before(now.timestamp_millis()).saturating_add(1);
		let mut segments = self.segments.write().unwrap_or_else(|poisoned| poisoned.into_inner());
		segments.retain(|segment| segment.from < from);
		segments.push(Segment { from, scenario });
	}

	fn sample_at_or_before(&self, ms: i64) -> i64 {
		ms.div_euclid(self.config.sample_ms)
	}

	fn first_sample(&self) -> i64 {
		EPOCH_MS.div_euclid(self.config.sample_ms)
	}

	/// The consumption added by one reading at `rate_milli` per simulated hour.
	fn increment(&self, rate_milli: i64) -> i64 {
		let simulated_ms =
			i128::from(self.config.sample_ms).saturating_mul(self.config.time_scale.into());
		let increment = i128::from(rate_milli).saturating_mul(simulated_ms) / 3_600_000;
		i64::try_from(increment).unwrap_or(i64::MAX)
	}

	fn rate(&self, meter: &Meter, scenario: Scenario) -> i64 {
		match scenario {
			Scenario::UnderPerforming => meter.rate_milli.1,
			_ => meter.rate_milli.0,
		}
	}

	/// A deterministic jitter in `[-increment / 10, increment / 10]`.
	fn jitter(&self, meter: &Meter, sample: i64, increment: i64) -> i64 {
		let bound = increment / 10;
		if bound <= 0 {
			return 0;
		}
		let mut hasher = Blake2b::<U8>::new();
		hasher.update(self.config.seed.to_le_bytes());
		hasher.update(meter.entity.as_bytes());
		hasher.update(meter.attribute.as_bytes());
		hasher.update(sample.to_le_bytes());
		let bytes: [u8; 8] = hasher.finalize().into();
		let draw = i64::try_from(u64::from_le_bytes(bytes) >> 2).unwrap_or(0);
		draw.rem_euclid(bound.saturating_mul(2).saturating_add(1)).saturating_sub(bound)
	}

	/// The reading of `meter` at `sample` under `segments`, in thousandths, with its scenario;
	/// `None` when not served.
	fn reading(&self, meter: &Meter, sample: i64, segments: &[Segment]) -> Option<(i64, Scenario)> {
		let first = self.first_sample();
		if sample < first {
			return None;
		}
		// Sum each segment's consumption up to `sample`.
		let mut total = meter.start_milli;
		let mut scenario = self.config.scenario;
		for (index, segment) in segments.iter().enumerate() {
			let from = segment.from.max(first);
			if from > sample {
				break;
			}
			let until = segments
				.get(index.saturating_add(1))
				.map(|next| next.from.min(sample))
				.unwrap_or(sample)
				.max(from);
			let increment = self.increment(self.rate(meter, segment.scenario));
			total = total.saturating_add(increment.saturating_mul(until.saturating_sub(from)));
			scenario = segment.scenario;
		}
		let increment = self.increment(self.rate(meter, scenario));
		let mut value = total.saturating_add(self.jitter(meter, sample, increment));
		match scenario {
			Scenario::SensorOutage => return None,
			Scenario::MeterRollback if sample.rem_euclid(2) == 1 => {
				value = value.saturating_sub(increment.saturating_mul(2));
			}
			_ => {}
		}
		Some((value, scenario))
	}

	fn unit(meter: &Meter, scenario: Scenario) -> &'static str {
		match (scenario, meter.energy) {
			(Scenario::WrongUnit, true) => "MTQ",
			(Scenario::WrongUnit, false) => "KWH",
			_ => meter.unit,
		}
	}

	/// The readings of `meter` observed in `[start, end)` and not after `now`.
	fn history(&self, meter: &Meter, start_ms: i64, end_ms: i64, now_ms: i64) -> Vec<Instance> {
		let segments = self.segments();
		let step = self.config.sample_ms;
		let first = start_ms.saturating_add(step).saturating_sub(1).div_euclid(step);
		let last = end_ms.min(now_ms.saturating_add(1)).saturating_sub(1).div_euclid(step);
		(first..=last)
			.filter_map(|sample| {
				let (value, scenario) = self.reading(meter, sample, &segments)?;
				Some(Instance {
					value,
					at: sample.saturating_mul(step),
					unit: Self::unit(meter, scenario),
					device: meter.device,
					tampered: scenario == Scenario::TamperedMeter,
					alarm: scenario == Scenario::TamperAlarm,
				})
			})
			.collect()
	}

	/// The latest served reading of `meter` at or before `now`.
	fn current(&self, meter: &Meter, now_ms: i64) -> Option<Instance> {
		let segments = self.segments();
		let mut sample = self.sample_at_or_before(now_ms);
		let first = self.first_sample();
		// Walk back over an outage to the last reading served (bounded: at most a day of them).
		for _ in 0..100_000 {
			if sample < first {
				return None;
			}
			if let Some((value, scenario)) = self.reading(meter, sample, &segments) {
				return Some(Instance {
					value,
					at: sample.saturating_mul(self.config.sample_ms),
					unit: Self::unit(meter, scenario),
					device: meter.device,
					tampered: scenario == Scenario::TamperedMeter,
					alarm: scenario == Scenario::TamperAlarm,
				});
			}
			sample = sample.saturating_sub(1);
		}
		None
	}
}

/// One reading as served.
struct Instance {
	value: i64,
	at: i64,
	unit: &'static str,
	device: &'static str,
	tampered: bool,
	alarm: bool,
}

impl Instance {
	/// The meter's alarm attributes at this reading, each as a normalized instance and as a
	/// value.
	fn alarms(&self) -> Vec<(&'static str, Box<RawValue>, Box<RawValue>)> {
		alarm_values(self.alarm)
			.into_iter()
			.map(|(name, value)| {
				let normalized = json!({
					"type": "Property",
					"value": value,
					"observedAt": time(self.at),
					"observedBy": { "type": "Relationship", "object": self.device },
				});
				(name, raw(&normalized), raw(&value))
			})
			.collect()
	}
}

fn time(ms: i64) -> String {
	DateTime::from_timestamp_millis(ms)
		.unwrap_or_default()
		.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A decimal written as a JSON number.
struct Number(Decimal);

impl Serialize for Number {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let raw = RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
		raw.serialize(serializer)
	}
}

fn milli(value: i64) -> Number {
	Number(Decimal::new(value, 3).normalize())
}

#[derive(Serialize)]
struct Property {
	#[serde(rename = "type")]
	kind: &'static str,
	value: Number,
	#[serde(rename = "unitCode")]
	unit: &'static str,
	#[serde(rename = "observedAt")]
	observed_at: String,
	#[serde(rename = "observedBy")]
	observed_by: serde_json::Value,
	#[serde(rename = "tamperAlert", skip_serializing_if = "Option::is_none")]
	tamper_alert: Option<serde_json::Value>,
}

impl From<&Instance> for Property {
	fn from(instance: &Instance) -> Self {
		Property {
			kind: "Property",
			value: milli(instance.value),
			unit: instance.unit,
			observed_at: time(instance.at),
			observed_by: json!({ "type": "Relationship", "object": instance.device }),
			tamper_alert: instance.tampered.then(|| json!({ "type": "Property", "value": true })),
		}
	}
}

#[derive(Serialize)]
struct TemporalValues<'a> {
	#[serde(rename = "type")]
	kind: &'static str,
	values: Vec<(&'a RawValue, String)>,
}

fn raw<T: Serialize>(value: &T) -> Box<RawValue> {
	serde_json::to_string(value)
		.ok()
		.and_then(|text| RawValue::from_string(text).ok())
		.unwrap_or_default()
}

/// The router: the NGSI-LD subset and the scenario control. State is shared with the caller.
pub fn app(twin: Arc<Twin>) -> Router {
	Router::new()
		.route("/ngsi-ld/v1/entities/{id}", get(entity))
		.route("/ngsi-ld/v1/temporal/entities/{id}", get(temporal))
		.route("/ngsi-ld/v1/types", get(types))
		.route("/twin/scenario", get(scenario).post(switch))
		.with_state(twin)
}

fn problem(status: StatusCode, kind: &str, title: &str, detail: String) -> Response {
	let body = json!({
		"type": format!("https://uri.etsi.org/ngsi-ld/errors/{kind}"),
		"title": title,
		"detail": detail,
	});
	(status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn ld_json(body: BTreeMap<String, Box<RawValue>>) -> Response {
	let text = serde_json::to_string(&body).unwrap_or_default();
	([(header::CONTENT_TYPE, "application/ld+json")], text).into_response()
}

fn wanted(query: &HashMap<String, String>, attribute: &str) -> bool {
	query
		.get("attrs")
		.map(|attrs| attrs.split(',').any(|name| name.trim() == attribute))
		.unwrap_or(true)
}

fn options(query: &HashMap<String, String>, option: &str) -> bool {
	query.get("options").is_some_and(|options| options.split(',').any(|o| o.trim() == option))
}

fn now_ms() -> i64 {
	Utc::now().timestamp_millis()
}

fn static_attributes(id: &str, key_values: bool) -> Vec<(&'static str, Box<RawValue>)> {
	let property = |value: serde_json::Value, unit: Option<&str>| {
		if key_values {
			return raw(&value);
		}
		let mut property = json!({ "type": "Property", "value": value });
		if let (Some(unit), Some(object)) = (unit, property.as_object_mut()) {
			object.insert("unitCode".into(), json!(unit));
		}
		raw(&property)
	};
	match id {
		"urn:ngsi-ld:Building:rotterdam-town-hall" => vec![
			("name", property(json!("Rotterdam town hall"), None)),
			("category", property(json!(["office"]), None)),
			("baselineEnergyConsumption", raw_baseline(50, key_values)),
		],
		"urn:ngsi-ld:Building:rotterdam-library" => vec![
			("name", property(json!("Rotterdam central library"), None)),
			("category", property(json!(["library"]), None)),
			("baselineEnergyConsumption", raw_baseline(20, key_values)),
		],
		"urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord" => {
			vec![("name", property(json!("District metered area Noord"), None))]
		}
		WATER_METER => vec![("waterType", property(json!("serviceWater"), None))],
		_ => {
			let calibrated = json!({ "@type": "DateTime", "@value": "2025-06-01T00:00:00Z" });
			vec![
				("controlledProperty", property(json!(["energy"]), None)),
				("deviceState", property(json!("ok"), None)),
				("dateLastCalibration", property(calibrated, None)),
			]
		}
	}
}

fn raw_baseline(kwh_per_hour: i64, key_values: bool) -> Box<RawValue> {
	if key_values {
		return raw(&Number(Decimal::from(kwh_per_hour)));
	}
	#[derive(Serialize)]
	struct Baseline {
		#[serde(rename = "type")]
		kind: &'static str,
		value: Number,
		#[serde(rename = "unitCode")]
		unit: &'static str,
		description: &'static str,
	}
	raw(&Baseline {
		kind: "Property",
		value: Number(Decimal::from(kwh_per_hour)),
		unit: "KWH",
		description: "pre-retrofit consumption per simulated hour",
	})
}

fn header_members(id: &str, kind: &str) -> BTreeMap<String, Box<RawValue>> {
	let mut body = BTreeMap::new();
	body.insert("id".to_string(), raw(&id));
	body.insert("type".to_string(), raw(&kind));
	body.insert("@context".to_string(), raw(&CORE_CONTEXT));
	body
}

async fn entity(
	State(twin): State<Arc<Twin>>,
	Path(id): Path<String>,
	Query(query): Query<HashMap<String, String>>,
) -> Response {
	let Some(kind) = entity_kind(&id) else {
		return problem(StatusCode::NOT_FOUND, "ResourceNotFound", "Entity not found", id);
	};
	let key_values = options(&query, "keyValues");
	let mut body = header_members(&id, kind);
	for (name, value) in static_attributes(&id, key_values) {
		if wanted(&query, name) {
			body.insert(name.to_string(), value);
		}
	}
	let now = now_ms();
	for meter in METERS.iter().filter(|meter| meter.entity == id) {
		let Some(instance) = twin.current(meter, now) else {
			continue;
		};
		if wanted(&query, meter.attribute) {
			let value = if key_values {
				raw(&milli(instance.value))
			} else {
				raw(&Property::from(&instance))
			};
			body.insert(meter.attribute.to_string(), value);
		}
		if meter.alarms {
			for (name, normalized, value) in instance.alarms() {
				if wanted(&query, name) {
					body.insert(name.to_string(), if key_values { value } else { normalized });
				}
			}
		}
	}
	ld_json(body)
}

async fn temporal(
	State(twin): State<Arc<Twin>>,
	Path(id): Path<String>,
	Query(query): Query<HashMap<String, String>>,
) -> Response {
	let Some(kind) = entity_kind(&id) else {
		return problem(StatusCode::NOT_FOUND, "ResourceNotFound", "Entity not found", id);
	};
	let bad = |detail: &str| {
		problem(StatusCode::BAD_REQUEST, "BadRequestData", "Bad request", detail.to_string())
	};
	if query.get("timerel").map(String::as_str) != Some("between") {
		return bad("only timerel=between is supported");
	}
	let parse = |name: &str| {
		query
			.get(name)
			.and_then(|text| DateTime::parse_from_rfc3339(text).ok())
			.map(|at| at.timestamp_millis())
	};
	let (Some(start), Some(end)) = (parse("timeAt"), parse("endTimeAt")) else {
		return bad("timeAt and endTimeAt must be RFC 3339 times");
	};
	if end <= start {
		return bad("endTimeAt must be after timeAt");
	}
	let span = end.saturating_sub(start).checked_div(twin.config.sample_ms).unwrap_or(i64::MAX);
	if span > MAX_INSTANCES {
		return bad("the window holds too many instances; ask for a shorter one");
	}
	let temporal_values = options(&query, "temporalValues");
	let mut body = header_members(&id, kind);
	let now = now_ms();
	// Each attribute's instances in time order: (observedAt, normalized instance, value).
	let mut series: Vec<(&'static str, Vec<(i64, Box<RawValue>, Box<RawValue>)>)> = Vec::new();
	for meter in METERS.iter().filter(|meter| meter.entity == id) {
		let history = twin.history(meter, start, end, now);
		if history.is_empty() {
			continue;
		}
		if wanted(&query, meter.attribute) {
			let instances = history
				.iter()
				.map(|instance| {
					(instance.at, raw(&Property::from(instance)), raw(&milli(instance.value)))
				})
				.collect();
			series.push((meter.attribute, instances));
		}
		if meter.alarms {
			let mut alarms: BTreeMap<&'static str, Vec<_>> = BTreeMap::new();
			for instance in &history {
				for (name, normalized, value) in instance.alarms() {
					alarms.entry(name).or_default().push((instance.at, normalized, value));
				}
			}
			series.extend(alarms.into_iter().filter(|(name, _)| wanted(&query, name)));
		}
	}
	// Temporal pagination: up to the page size of the fullest attribute.
	let page = twin.config.page_size;
	let last = series
		.iter()
		.filter_map(|(_, instances)| {
			let index = page.checked_sub(1)?;
			(instances.len() > page).then(|| instances.get(index).map(|(at, ..)| *at)).flatten()
		})
		.min();
	for (name, mut instances) in series {
		if let Some(last) = last {
			instances.retain(|(at, ..)| *at <= last);
		}
		let value = if temporal_values {
			let values: Vec<(&RawValue, String)> =
				instances.iter().map(|(at, _, value)| (value.as_ref(), time(*at))).collect();
			raw(&TemporalValues { kind: "Property", values })
		} else {
			raw(&instances.iter().map(|(_, normalized, _)| normalized.as_ref()).collect::<Vec<_>>())
		};
		body.insert(name.to_string(), value);
	}
	match last {
		None => ld_json(body),
		Some(last) => {
			let range = format!("date-time {}-{}/*", time(start), time(last));
			let mut response = ld_json(body);
			*response.status_mut() = StatusCode::PARTIAL_CONTENT;
			if let Ok(value) = header::HeaderValue::from_str(&range) {
				response.headers_mut().insert(header::CONTENT_RANGE, value);
			}
			response
		}
	}
}

async fn types() -> Response {
	let body = json!([
		{ "id": "Building", "type": "EntityType" },
		{ "id": "WaterNetwork", "type": "EntityType" },
		{ "id": "WaterConsumptionObserved", "type": "EntityType" },
		{ "id": "Device", "type": "EntityType" },
	]);
	([(header::CONTENT_TYPE, "application/ld+json")], body.to_string()).into_response()
}

/// The body of `POST /twin/scenario` and of `GET /twin/scenario`'s answer.
#[derive(Serialize, Deserialize)]
pub struct ScenarioBody {
	/// The scenario, kebab-case.
	pub scenario: Scenario,
}

async fn scenario(State(twin): State<Arc<Twin>>) -> Json<ScenarioBody> {
	Json(ScenarioBody { scenario: twin.scenario() })
}

async fn switch(
	State(twin): State<Arc<Twin>>,
	Json(body): Json<ScenarioBody>,
) -> Json<ScenarioBody> {
	twin.switch(body.scenario, Utc::now());
	tracing::info!(scenario = ?body.scenario, "scenario switched");
	Json(ScenarioBody { scenario: twin.scenario() })
}

/// Serves the twin on `127.0.0.1:port` (0: any free port); returns the bound address and the
/// server's task.
pub async fn serve(
	twin: Arc<Twin>,
	port: u16,
) -> std::io::Result<(std::net::SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
	let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
	let address = listener.local_addr()?;
	let task = tokio::spawn(async move { axum::serve(listener, app(twin)).await });
	Ok((address, task))
}
