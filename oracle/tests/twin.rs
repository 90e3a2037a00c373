//! The oracle against the embedded digital twin over real HTTP (axum on 127.0.0.1, port 0):
//! every formula, both representations, each data-quality refusal (alarm and tamper attributes
//! of `WaterConsumptionObserved` among them), temporal answers in pages, and a refused period
//! evaluated again until its deadline.

// Tests compute expectations with plain arithmetic and unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use chrono::{DateTime, Duration, Utc};
use citybond_oracle::{
	chain::{FeedInfo, FeedMetadata, FeedParams, Schedule},
	config::{self, FeedConfig},
	kpi::{Consumption, Formula, Refusal},
	ngsi::{self, NgsiError, Representation},
	report::OperatorKey,
	service::{self, Decided, EvalError, Evaluation, Event, OracleError, Target},
	store::{State, Store},
	twin::{self, Scenario, Twin, TwinConfig},
};
use rust_decimal::Decimal;
use std::{str::FromStr, sync::Arc};

const TOWN_HALL: &str = "urn:ngsi-ld:Building:rotterdam-town-hall";
const LIBRARY: &str = "urn:ngsi-ld:Building:rotterdam-library";
const DMA: &str = "urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord";
const WATER_METER: &str = "urn:ngsi-ld:WaterConsumptionObserved:rotterdam-noord-0001";

/// 2025-01-01T00:00:00Z: period 0 starts here; periods are 12 s (12 readings, 12 simulated hours).
const T0: u64 = 1_735_689_600_000;

fn params() -> FeedParams {
	FeedParams {
		schedule: Schedule { first_start: T0, length: 12_000 },
		quorum: 1,
		max_report_age: 60_000,
		min_value: -(10i128.pow(30)),
		max_value: 10i128.pow(30),
		outlier_tolerance: 50_000,
		challenge_window: 60_000,
	}
}

fn d(text: &str) -> Decimal {
	Decimal::from_str(text).unwrap()
}

async fn start(scenario: Scenario) -> (Arc<Twin>, String) {
	start_with(TwinConfig { scenario, ..TwinConfig::default() }).await
}

async fn start_with(config: TwinConfig) -> (Arc<Twin>, String) {
	let twin = Arc::new(Twin::new(config));
	let (address, _task) = twin::serve(twin.clone(), 0).await.unwrap();
	(twin, format!("http://{address}"))
}

fn feed(broker: &str, entity: &str, attribute: &str, unit: &str, formula: Formula) -> FeedConfig {
	FeedConfig {
		id: 0,
		broker: broker.into(),
		entity: entity.into(),
		attribute: attribute.into(),
		unit: unit.into(),
		representation: Representation::Normalized,
		formula,
		max_gap_ms: 3_000,
		flags: config::default_flags(),
		alarms: config::default_alarms(),
		clear_values: config::default_clear_values(),
		max_response_bytes: ngsi::DEFAULT_MAX_BODY_BYTES,
	}
}

fn client(feed: &FeedConfig) -> ngsi::Client {
	ngsi::Client::new(&feed.broker, std::time::Duration::from_secs(5))
		.unwrap()
		.with_max_body(feed.max_response_bytes)
}

async fn evaluate(feed: &FeedConfig, period: u32) -> Result<Evaluation, EvalError> {
	service::evaluate(feed, &params(), 3, &client(feed), period, Utc::now(), Duration::seconds(30))
		.await
}

fn refusal(result: Result<Evaluation, EvalError>) -> Refusal {
	match result {
		Err(EvalError::Refused { refusal, .. }) => refusal,
		Err(other) => panic!("expected a refusal, got {other}"),
		Ok(evaluation) => panic!("expected a refusal, got the value {}", evaluation.kpi),
	}
}

fn values(evaluation: &Evaluation, index: usize) -> Vec<Decimal> {
	evaluation.readings[index].1.iter().map(|reading| reading.value).collect()
}

#[tokio::test]
async fn delta_of_the_town_hall_meter_is_exact_and_in_the_simulated_range() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let evaluation =
		evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 0).await.unwrap();
	let meter = values(&evaluation, 0);
	assert_eq!(meter.len(), 12, "one reading per second of the 12 s window");
	assert_eq!(evaluation.kpi, meter[11] - meter[0]);
	// 11 increments of 32.5 kWh (65% of 50), each end jittered by at most 3.25 kWh.
	assert!(evaluation.kpi >= d("351") && evaluation.kpi <= d("364"), "{}", evaluation.kpi);
	assert_eq!(Decimal::from(evaluation.payload.value), evaluation.kpi * Decimal::from(1000));
	assert_eq!(
		evaluation.devices,
		vec!["urn:ngsi-ld:Device:rotterdam-town-hall-meter".to_string()]
	);
	assert_eq!(evaluation.payload.window_start, T0);
	assert_eq!(evaluation.payload.window_end, T0 + 12_000);
}

#[tokio::test]
async fn sum_mean_and_last_are_exact_over_the_served_readings() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let sum = evaluate(&feed(&url, DMA, "inflowVolume", "MTQ", Formula::Sum), 1).await.unwrap();
	let readings = values(&sum, 0);
	let total: Decimal = readings.iter().sum();
	assert_eq!(sum.kpi, total);
	let mean = evaluate(&feed(&url, DMA, "inflowVolume", "MTQ", Formula::Mean), 1).await.unwrap();
	assert_eq!(mean.kpi, total / Decimal::from(12));
	let last = evaluate(&feed(&url, DMA, "inflowVolume", "MTQ", Formula::Last), 1).await.unwrap();
	assert_eq!(last.kpi, readings[11]);
	// The same data, so the same provenance.
	assert_eq!(sum.payload.payload_hash, last.payload.payload_hash);
}

#[tokio::test]
async fn watt_hours_are_converted_to_the_feeds_kilowatt_hours() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let evaluation =
		evaluate(&feed(&url, LIBRARY, "energyConsumed", "KWH", Formula::Delta), 2).await.unwrap();
	let first = &evaluation.readings[0].1[0];
	assert_eq!(first.source_unit, "WHR");
	assert_eq!(first.value * Decimal::from(1000), first.source_value);
	// 11 increments of 13 kWh, each end jittered by at most 1.3 kWh.
	assert!(evaluation.kpi >= d("140.4") && evaluation.kpi <= d("145.6"), "{}", evaluation.kpi);
}

#[tokio::test]
async fn reduction_and_percentage_against_a_fixed_baseline_follow_the_scenario() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	// 12 simulated hours at the pre-retrofit 50 kWh/h.
	let reduction = Formula::Reduction {
		consumption: Consumption::Delta,
		baseline: Some(d("600")),
		baseline_attribute: None,
	};
	let saved = evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", reduction.clone()), 3)
		.await
		.unwrap();
	let delta =
		evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 3).await.unwrap();
	assert_eq!(saved.kpi, d("600") - delta.kpi);
	let percent = Formula::PercentOfBaseline {
		consumption: Consumption::Delta,
		baseline: Some(d("600")),
		baseline_attribute: None,
	};
	let share =
		evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", percent), 3).await.unwrap();
	assert_eq!(share.kpi, delta.kpi * Decimal::from(100) / d("600"));

	let (_twin, url) = start(Scenario::UnderPerforming).await;
	let poor =
		evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", reduction), 3).await.unwrap();
	// 600 - 11 * 46 = 94, give or take 9.2.
	assert!(poor.kpi < saved.kpi && poor.kpi <= d("103.2"), "{} vs {}", poor.kpi, saved.kpi);
}

#[tokio::test]
async fn non_revenue_water_is_inflow_minus_billed_volume() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let nrw = Formula::Reduction {
		consumption: Consumption::Delta,
		baseline: None,
		baseline_attribute: Some("inflowVolume".into()),
	};
	let evaluation = evaluate(&feed(&url, DMA, "billedVolume", "MTQ", nrw), 4).await.unwrap();
	let billed = values(&evaluation, 0);
	let inflow = values(&evaluation, 1);
	assert_eq!(evaluation.kpi, (inflow[11] - inflow[0]) - (billed[11] - billed[0]));
	// 11 * (120 - 102) = 198 m3, give or take the jitter of both meters.
	assert!(evaluation.kpi > d("150") && evaluation.kpi < d("250"), "{}", evaluation.kpi);
	assert_eq!(evaluation.devices.len(), 2, "both meters: {:?}", evaluation.devices);
}

#[tokio::test]
async fn both_representations_give_the_same_report() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let mut config = feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let normalized = evaluate(&config, 5).await.unwrap();
	config.representation = Representation::KeyValues;
	let simplified = evaluate(&config, 5).await.unwrap();
	assert!(simplified.documents[0].url.contains("options=temporalValues"));
	assert_eq!(normalized.payload, simplified.payload);
}

#[tokio::test]
async fn readings_are_deterministic_per_seed() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let (_other, same_seed) = start(Scenario::OnTarget).await;
	let config = |url: &str| feed(url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let first = evaluate(&config(&url), 6).await.unwrap();
	assert_eq!(first.payload, evaluate(&config(&same_seed), 6).await.unwrap().payload);
	let reseeded = Arc::new(Twin::new(TwinConfig { seed: 8, ..TwinConfig::default() }));
	let (address, _task) = twin::serve(reseeded, 0).await.unwrap();
	let other = evaluate(&config(&format!("http://{address}")), 6).await.unwrap();
	assert_ne!(first.payload.payload_hash, other.payload.payload_hash);
}

#[tokio::test]
async fn a_sensor_outage_within_the_window_is_a_gap() {
	let (twin, url) = start(Scenario::OnTarget).await;
	let at = |ms: u64| {
		DateTime::from_timestamp_millis(i64::try_from(T0 + 12_000 * 7 + ms).unwrap()).unwrap()
	};
	twin.switch(Scenario::SensorOutage, at(3_500));
	twin.switch(Scenario::OnTarget, at(8_500));
	let refused =
		refusal(evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 7).await);
	assert!(matches!(refused, Refusal::Gap { gap_ms: 6_000, .. }), "{refused}");
	// The period before is untouched.
	evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 6).await.unwrap();

	let (_twin, url) = start(Scenario::SensorOutage).await;
	let silent = refusal(evaluate(&feed(&url, DMA, "inflowVolume", "MTQ", Formula::Sum), 7).await);
	assert_eq!(silent, Refusal::NoData);
}

#[tokio::test]
async fn a_tamper_flag_is_refused_in_both_representations() {
	let (_twin, url) = start(Scenario::TamperedMeter).await;
	let mut config = feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let refused = refusal(evaluate(&config, 8).await);
	assert!(
		matches!(&refused, Refusal::Flagged { flags, .. } if flags == "tamperAlert"),
		"{refused}"
	);
	config.representation = Representation::KeyValues;
	assert!(matches!(refusal(evaluate(&config, 8).await), Refusal::Flagged { .. }));
}

#[tokio::test]
async fn a_cumulative_meter_going_down_is_refused() {
	let (_twin, url) = start(Scenario::MeterRollback).await;
	let refused =
		refusal(evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 9).await);
	assert!(matches!(refused, Refusal::NegativeDelta { .. }), "{refused}");
	// The same readings are fine for a formula over interval values.
	evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Last), 9).await.unwrap();
}

#[tokio::test]
async fn a_wrong_unit_is_refused() {
	let (_twin, url) = start(Scenario::WrongUnit).await;
	let refused = refusal(
		evaluate(&feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 10).await,
	);
	assert!(
		matches!(&refused, Refusal::WrongUnit { reason, .. } if reason.contains("MTQ")),
		"{refused}"
	);
	// And a feed expecting another quantity than the meter measures, on a healthy twin.
	let (_twin, url) = start(Scenario::OnTarget).await;
	let refused =
		refusal(evaluate(&feed(&url, DMA, "inflowVolume", "TNE", Formula::Sum), 10).await);
	assert!(matches!(refused, Refusal::WrongUnit { .. }), "{refused}");
}

#[tokio::test]
async fn a_broker_clock_far_from_ours_is_refused_as_clock_skew() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let config = feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let client = ngsi::Client::new(&url, std::time::Duration::from_secs(5)).unwrap();
	let later = Utc::now() + Duration::hours(1);
	let result =
		service::evaluate(&config, &params(), 3, &client, 11, later, Duration::seconds(30)).await;
	assert!(matches!(refusal(result), Refusal::ClockSkew { .. }));
}

#[tokio::test]
async fn unknown_entities_attributes_and_unreachable_brokers_are_errors_not_refusals() {
	let (_twin, url) = start(Scenario::OnTarget).await;
	let client = ngsi::Client::new(&url, std::time::Duration::from_secs(5)).unwrap();
	let unknown =
		feed(&url, "urn:ngsi-ld:Building:nowhere", "energyConsumed", "KWH", Formula::Delta);
	assert!(matches!(
		service::check_source(&unknown, &client).await,
		Err(EvalError::Broker(NgsiError::UnknownEntity { .. }))
	));
	let attribute = feed(&url, TOWN_HALL, "waterConsumed", "MTQ", Formula::Delta);
	assert!(matches!(service::check_source(&attribute, &client).await, Err(EvalError::Config(_))));
	let healthy = feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	service::check_source(&healthy, &client).await.unwrap();

	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let down = format!("http://127.0.0.1:{port}");
	assert!(matches!(
		evaluate(&feed(&down, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), 0).await,
		Err(EvalError::Broker(NgsiError::Unreachable { .. }))
	));
}

#[tokio::test]
async fn malformed_json_ld_is_an_error() {
	use axum::{routing::get, Router};
	let router =
		Router::new().route("/ngsi-ld/v1/temporal/entities/{id}", get(|| async { "{\"id\": 5, " }));
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address = listener.local_addr().unwrap();
	tokio::spawn(async move { axum::serve(listener, router).await });
	let result = evaluate(
		&feed(&format!("http://{address}"), TOWN_HALL, "energyConsumed", "KWH", Formula::Delta),
		0,
	)
	.await;
	assert!(matches!(result, Err(EvalError::Broker(NgsiError::Malformed { .. }))));
}

#[tokio::test]
async fn the_scenario_switches_at_run_time_over_http_and_entities_serve_both_representations() {
	let (twin, url) = start(Scenario::OnTarget).await;
	let http = reqwest::Client::new();
	let answer: serde_json::Value = http
		.post(format!("{url}/twin/scenario"))
		.json(&serde_json::json!({ "scenario": "tampered-meter" }))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	assert_eq!(answer["scenario"], "tampered-meter");
	assert_eq!(twin.scenario(), Scenario::TamperedMeter);
	let current: serde_json::Value =
		http.get(format!("{url}/twin/scenario")).send().await.unwrap().json().await.unwrap();
	assert_eq!(current["scenario"], "tampered-meter");

	let client = ngsi::Client::new(&url, std::time::Duration::from_secs(5)).unwrap();
	let normalized = client.entity(TOWN_HALL, &[], Representation::Normalized).await.unwrap();
	assert_eq!(normalized.entity.kind, "Building");
	let meter = &normalized.entity.attributes["energyConsumed"][0];
	assert_eq!(meter.unit.as_deref(), Some("KWH"));
	assert!(meter.observed_at.is_some() && meter.observed_by.is_some());
	let simplified =
		client.entity(TOWN_HALL, &["energyConsumed"], Representation::KeyValues).await.unwrap();
	assert!(matches!(
		simplified.entity.attributes["energyConsumed"][0].value,
		ngsi::Value::Number(_)
	));
	assert!(!simplified.entity.attributes.contains_key("name"), "attrs filters");
	let device = client
		.entity("urn:ngsi-ld:Device:rotterdam-town-hall-meter", &[], Representation::Normalized)
		.await
		.unwrap();
	assert!(matches!(
		device.entity.attributes["dateLastCalibration"][0].value,
		ngsi::Value::DateTime(_)
	));
	assert!(normalized.broker_time.is_some(), "the broker's Date header");
}

/// `ms` into `period` of the test schedule.
fn instant(period: u32, ms: u64) -> DateTime<Utc> {
	let at = T0 + 12_000 * u64::from(period) + ms;
	DateTime::from_timestamp_millis(i64::try_from(at).unwrap()).unwrap()
}

#[tokio::test]
async fn alarm_and_tamper_attributes_of_a_water_meter_are_refused_in_both_representations() {
	// On target the smart water meter reports its WaterConsumptionObserved alarm attributes with
	// every reading, all clear: signed, the same in both representations.
	let (_twin, url) = start(Scenario::OnTarget).await;
	let mut config = feed(&url, WATER_METER, "waterConsumption", "MTQ", Formula::Delta);
	let clear = evaluate(&config, 13).await.unwrap();
	assert_eq!(clear.readings[0].1.len(), 12);
	assert!(clear.documents[0].url.contains("moduleTampered"), "alarms read with the readings");
	config.representation = Representation::KeyValues;
	assert_eq!(evaluate(&config, 13).await.unwrap().payload, clear.payload);

	// The meter raises its tamper alarms as attributes of their own; the readings carry no flag.
	let (_twin, url) = start(Scenario::TamperAlarm).await;
	for representation in [Representation::Normalized, Representation::KeyValues] {
		let config = FeedConfig {
			representation,
			..feed(&url, WATER_METER, "waterConsumption", "MTQ", Formula::Delta)
		};
		let refused = refusal(evaluate(&config, 13).await);
		assert!(
			matches!(&refused, Refusal::Flagged { flags, device, .. }
				if flags == "alarmInProgress, alarmTamper, moduleTampered"
					&& device == "urn:ngsi-ld:Device:rotterdam-noord-0001-meter"),
			"{representation:?}: {refused}"
		);
	}
	// Which attributes count is the feed's to say.
	let mut config = feed(&url, WATER_METER, "waterConsumption", "MTQ", Formula::Delta);
	config.alarms = vec!["moduleTampered".into()];
	let refused = refusal(evaluate(&config, 13).await);
	assert!(matches!(&refused, Refusal::Flagged { flags, .. } if flags == "moduleTampered"));
	config.alarms = vec!["alarmWaterQuality".into(), "alarmStopsLeaks".into()];
	evaluate(&config, 13).await.unwrap();
	config.alarms = Vec::new();
	evaluate(&config, 13).await.unwrap();
}

#[tokio::test]
async fn an_alarm_raised_with_one_reading_refuses_its_period_naming_that_instant() {
	let (twin, url) = start(Scenario::OnTarget).await;
	// The tamper alarm is raised with the reading at 6 s only.
	twin.switch(Scenario::TamperAlarm, instant(14, 5_500));
	twin.switch(Scenario::OnTarget, instant(14, 6_500));
	let config = feed(&url, WATER_METER, "waterConsumption", "MTQ", Formula::Delta);
	let refused = refusal(evaluate(&config, 14).await);
	assert!(
		matches!(&refused, Refusal::Flagged { at, flags, .. }
			if *at == instant(14, 6_000) && flags.contains("alarmTamper")),
		"{refused}"
	);
	// The periods around it are not touched.
	evaluate(&config, 13).await.unwrap();
	evaluate(&config, 15).await.unwrap();
}

#[tokio::test]
async fn a_temporal_answer_in_pages_is_followed_to_the_end_and_gives_the_same_report() {
	let (_whole, whole_url) = start(Scenario::OnTarget).await;
	let (_paged, paged_url) =
		start_with(TwinConfig { page_size: 5, ..TwinConfig::default() }).await;
	let nrw = Formula::Reduction {
		consumption: Consumption::Delta,
		baseline: None,
		baseline_attribute: Some("inflowVolume".into()),
	};
	let cases = [
		(TOWN_HALL, "energyConsumed", "KWH", Formula::Delta),
		(DMA, "billedVolume", "MTQ", nrw),
		(WATER_METER, "waterConsumption", "MTQ", Formula::Delta),
	];
	for (entity, attribute, unit, formula) in cases {
		for representation in [Representation::Normalized, Representation::KeyValues] {
			let config = |url: &str| FeedConfig {
				representation,
				..feed(url, entity, attribute, unit, formula.clone())
			};
			let whole = evaluate(&config(&whole_url), 15).await.unwrap();
			let paged = evaluate(&config(&paged_url), 15).await.unwrap();
			assert_eq!(paged.payload, whole.payload, "{entity} {representation:?}");
			assert_eq!(paged.readings, whole.readings, "each reading once");
			let temporal = |evaluation: &Evaluation| {
				evaluation.documents.iter().filter(|d| d.url.contains("/temporal/")).count()
			};
			// Twelve readings, five a page, each page from the last instance of the one
			// before: three pages, every one kept as evidence.
			assert_eq!((temporal(&whole), temporal(&paged)), (1, 3), "{entity} {representation:?}");
		}
	}
}

#[tokio::test]
async fn an_answer_over_the_size_limit_is_refused_with_all_its_pages_counted() {
	let (_whole, whole_url) = start(Scenario::OnTarget).await;
	let (_paged, paged_url) =
		start_with(TwinConfig { page_size: 2, ..TwinConfig::default() }).await;
	let mut config = feed(&whole_url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let whole = evaluate(&config, 16).await.unwrap();
	let size = u64::try_from(whole.documents[0].body.len()).unwrap();
	// The answer fits a limit of its own size, and not one a byte smaller.
	config.max_response_bytes = size;
	evaluate(&config, 16).await.unwrap();
	config.max_response_bytes = size - 1;
	let error = evaluate(&config, 16).await.unwrap_err();
	assert!(
		matches!(&error, EvalError::Broker(NgsiError::TooLarge { limit, .. }) if *limit == size - 1),
		"{error}"
	);
	assert!(error.to_string().contains("max_response_bytes"), "{error}");
	// In pages of two each answer is smaller, but together they are larger.
	let mut paged = feed(&paged_url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta);
	let pages = evaluate(&paged, 16).await.unwrap();
	assert!(pages.documents.iter().all(|d| u64::try_from(d.body.len()).unwrap() < size));
	paged.max_response_bytes = size;
	assert!(matches!(
		evaluate(&paged, 16).await,
		Err(EvalError::Broker(NgsiError::TooLarge { .. }))
	));
}

fn target(config: FeedConfig, params: FeedParams) -> Target {
	let info = FeedInfo {
		owner: None,
		metadata: FeedMetadata {
			description: Vec::new(),
			entity_id: config.entity.clone().into_bytes(),
			attribute: config.attribute.clone().into_bytes(),
			unit: config.unit.clone().into_bytes(),
			decimals: 3,
		},
		params,
		operators: 1,
	};
	Target { client: client(&config), config, info }
}

#[tokio::test]
async fn a_period_refused_across_a_broker_outage_is_retried_and_signed_before_its_deadline() {
	let twin = Arc::new(Twin::new(TwinConfig::default()));
	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let url = format!("http://127.0.0.1:{port}");
	let period = 17;
	let now = Utc::now();
	let now_ms = u64::try_from(now.timestamp_millis()).unwrap();
	// Reports for the period are accepted for another hour.
	let mut open = params();
	open.max_report_age = now_ms - open.schedule.end(period).unwrap() + 3_600_000;
	let target = target(feed(&url, TOWN_HALL, "energyConsumed", "KWH", Formula::Delta), open);
	let dir = tempfile::tempdir().unwrap();
	let store = Store::open(&dir.path().join("oracle.db").display().to_string()).await.unwrap();
	let key = OperatorKey::from_secret([7; 32]);
	let genesis = &[1; 32];
	let (store, key, target) = (&store, &key, &target);
	let decide =
		move |now| service::decide(store, key, genesis, target, period, now, Duration::seconds(30));
	let row = || async { store.get(0, period, &key.public_hex()).await.unwrap() };

	// 1. The broker is down as the period ends: an error, nothing recorded; the next round
	// reads it again.
	let down = decide(now).await;
	assert!(matches!(down, Err(OracleError::Broker(NgsiError::Unreachable { .. }))), "{down:?}");
	assert!(row().await.is_none());

	// 2. It is back, but the gateway that forwards the meter's readings is still catching up:
	// the period's last four seconds are missing. Refused, and to be read again.
	twin.switch(Scenario::SensorOutage, instant(period, 7_500));
	let (_address, _task) = twin::serve(twin.clone(), port).await.unwrap();
	let refused = decide(now).await.unwrap();
	let Decided::Refused(Event::Refused { code, retry_at_ms: Some(retry), .. }) = &refused else {
		panic!("not a refusal to retry: {refused:?}");
	};
	assert_eq!((code.as_str(), *retry), ("gap", now_ms + service::RETRY_FIRST_MS));
	let record = row().await.unwrap();
	assert_eq!((record.state, record.retry_at), (State::Refused, Some(*retry)));
	// Not read again before its time.
	assert_eq!(decide(now + Duration::seconds(1)).await.unwrap(), Decided::Nothing);

	// 3. The buffered readings arrive: the retry signs the period whole.
	twin.switch(Scenario::OnTarget, instant(period, 7_500));
	let later = now + Duration::milliseconds(2_000);
	let Decided::Send(Some(report)) = decide(later).await.unwrap() else {
		panic!("not signed on the retry");
	};
	assert!(report.verify(genesis).unwrap());
	let whole = evaluate(&target.config, period).await.unwrap();
	assert_eq!(report.payload().unwrap(), whole.payload);
	let record = row().await.unwrap();
	assert_eq!((record.state, record.evaluations, record.retry_at), (State::Pending, 2, None));
	// Signed once: later rounds send the recorded report, they never evaluate again.
	let again = decide(later + Duration::minutes(5)).await.unwrap();
	assert_eq!(again, Decided::Send(Some(report)));

	// A period refused too close to its deadline for another read is final.
	let closing_period = 19;
	let mut closing = params();
	let end = closing.schedule.end(closing_period).unwrap();
	closing.max_report_age = now_ms + service::DEADLINE_MARGIN_MS + 1_000 - end;
	let closing = self::target(target.config.clone(), closing);
	twin.switch(Scenario::SensorOutage, instant(closing_period, 7_500));
	let skew = Duration::seconds(30);
	let last =
		service::decide(store, key, genesis, &closing, closing_period, now, skew).await.unwrap();
	assert!(
		matches!(&last, Decided::Refused(Event::Refused { retry_at_ms: None, .. })),
		"{last:?}"
	);
	twin.switch(Scenario::OnTarget, instant(closing_period, 7_500));
	let after =
		service::decide(store, key, genesis, &closing, closing_period, later, skew).await.unwrap();
	assert_eq!(after, Decided::Nothing);
}
