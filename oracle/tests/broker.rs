//! The oracle against brokers that answer wrongly, over real HTTP (axum on 127.0.0.1, port 0):
//! an answer about another entity, copies of a reading, answers too large or endless, and
//! temporal answers cut short (`206 Partial Content`). Each is refused or followed to the end,
//! never used as it is.

// Tests unwrap freely and compute times with plain arithmetic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use axum::{
	body::{Body, Bytes},
	extract::Query,
	http::{header, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	routing::get,
	Router,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use citybond_oracle::{
	chain::{FeedParams, Schedule},
	config::{self, FeedConfig},
	kpi::{Formula, Refusal},
	ngsi::{self, NgsiError, Representation},
	service::{self, EvalError, Evaluation},
};
use rust_decimal::Decimal;
use std::{collections::HashMap, sync::Arc};

const TOWN_HALL: &str = "urn:ngsi-ld:Building:rotterdam-town-hall";
const LIBRARY: &str = "urn:ngsi-ld:Building:rotterdam-library";
const METER: &str = "urn:ngsi-ld:Device:rotterdam-town-hall-meter";

/// 2025-01-01T00:00:00Z: period 0 starts here; periods are 12 s, one reading a second.
const T0: i64 = 1_735_689_600_000;

fn params() -> FeedParams {
	FeedParams {
		schedule: Schedule { first_start: T0.try_into().unwrap(), length: 12_000 },
		quorum: 1,
		max_report_age: 60_000,
		min_value: -(10i128.pow(30)),
		max_value: 10i128.pow(30),
		outlier_tolerance: 50_000,
		challenge_window: 60_000,
	}
}

fn time(ms: i64) -> String {
	DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A normalized instance of `energyConsumed` at `second` into period 0.
fn reading(second: i64, value: &str) -> String {
	format!(
		r#"{{"type": "Property", "value": {value}, "unitCode": "KWH",
		"observedAt": "{}", "observedBy": {{"type": "Relationship", "object": "{METER}"}}}}"#,
		time(T0 + second * 1_000)
	)
}

/// An entity with the `energyConsumed` instances.
fn entity(id: &str, instances: &[String]) -> String {
	format!(r#"{{"id": "{id}", "type": "Building", "energyConsumed": [{}]}}"#, instances.join(", "))
}

/// The readings at `seconds` of period 0: the meter reads 1000 + 10 kWh a second.
fn readings(seconds: std::ops::Range<i64>) -> Vec<String> {
	seconds.map(|second| reading(second, &(1_000 + 10 * second).to_string())).collect()
}

/// A broker answering every entity and temporal request with `answer(query)`.
async fn broker<F>(answer: F) -> String
where
	F: Fn(HashMap<String, String>) -> Response + Clone + Send + Sync + 'static,
{
	let handler = move |Query(query): Query<HashMap<String, String>>| {
		let answer = answer.clone();
		async move { answer(query) }
	};
	let router = Router::new()
		.route("/ngsi-ld/v1/temporal/entities/{id}", get(handler.clone()))
		.route("/ngsi-ld/v1/entities/{id}", get(handler));
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let address = listener.local_addr().unwrap();
	tokio::spawn(async move { axum::serve(listener, router).await });
	format!("http://{address}")
}

fn ld_json(status: StatusCode, body: String) -> Response {
	(status, [(header::CONTENT_TYPE, "application/ld+json")], body).into_response()
}

/// A `206` page with the given `Content-Range`, if any.
fn partial(range: Option<String>, body: String) -> Response {
	let mut response = ld_json(StatusCode::PARTIAL_CONTENT, body);
	if let Some(range) = range {
		response
			.headers_mut()
			.insert(header::CONTENT_RANGE, HeaderValue::from_str(&range).unwrap());
	}
	response
}

fn feed(broker: &str) -> FeedConfig {
	FeedConfig {
		id: 0,
		broker: broker.into(),
		entity: TOWN_HALL.into(),
		attribute: "energyConsumed".into(),
		unit: "KWH".into(),
		representation: Representation::Normalized,
		formula: Formula::Delta,
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

async fn evaluate(feed: &FeedConfig) -> Result<Evaluation, EvalError> {
	service::evaluate(feed, &params(), 3, &client(feed), 0, Utc::now(), Duration::seconds(30)).await
}

fn broker_error(result: Result<Evaluation, EvalError>) -> NgsiError {
	match result {
		Err(EvalError::Broker(error)) => error,
		Err(other) => panic!("expected a broker error, got {other}"),
		Ok(evaluation) => panic!("expected a broker error, got the value {}", evaluation.kpi),
	}
}

#[tokio::test]
async fn an_answer_about_another_entity_is_refused() {
	// Asked for the town hall, the broker answers with the library's readings.
	let url = broker(|_| ld_json(StatusCode::OK, entity(LIBRARY, &readings(0..12)))).await;
	let error = broker_error(evaluate(&feed(&url)).await);
	assert!(
		matches!(&error, NgsiError::WrongEntity { asked, answered, .. }
			if asked == TOWN_HALL && answered == LIBRARY),
		"{error}"
	);
	assert!(error.to_string().contains(LIBRARY) && error.to_string().contains(TOWN_HALL));
	// The same on the entity endpoint, where the oracle checks its source at start.
	let checked = service::check_source(&feed(&url), &client(&feed(&url))).await;
	assert!(matches!(checked, Err(EvalError::Broker(NgsiError::WrongEntity { .. }))));
}

#[tokio::test]
async fn a_copy_of_a_reading_counts_once_and_a_conflicting_copy_is_refused() {
	// A broker that stored the message of 6 s twice.
	let mut copied = readings(0..12);
	copied.push(reading(6, "1060"));
	let url = broker(move |_| ld_json(StatusCode::OK, entity(TOWN_HALL, &copied))).await;
	let evaluation = evaluate(&feed(&url)).await.unwrap();
	assert_eq!(evaluation.readings[0].1.len(), 12);
	assert_eq!(evaluation.kpi, Decimal::from(110));

	// The same instant and meter with another value: the oracle cannot know which is true.
	let mut conflicting = readings(0..12);
	conflicting.push(reading(11, "1000"));
	let url = broker(move |_| ld_json(StatusCode::OK, entity(TOWN_HALL, &conflicting))).await;
	match evaluate(&feed(&url)).await {
		Err(EvalError::Refused {
			refusal: Refusal::ConflictingDuplicate { at, device, .. },
			..
		}) => {
			assert_eq!((at.timestamp_millis(), device.as_str()), (T0 + 11_000, METER));
		}
		other => panic!("not refused as a conflicting copy: {:?}", other.map(|e| e.kpi)),
	}
}

#[tokio::test]
async fn an_endless_or_oversized_answer_is_refused_without_being_held_whole() {
	// An endless body: read in chunks and given up at the limit (a client buffering it whole
	// would never return).
	let endless = broker(|_| {
		let chunk = Bytes::from(vec![b' '; 64 * 1024]);
		let stream = subxt::ext::futures::stream::repeat_with(move || {
			Ok::<_, std::io::Error>(chunk.clone())
		});
		(StatusCode::OK, Body::from_stream(stream)).into_response()
	})
	.await;
	let mut config = feed(&endless);
	config.max_response_bytes = 1024 * 1024;
	let read = tokio::time::timeout(std::time::Duration::from_secs(30), evaluate(&config)).await;
	let error = broker_error(read.expect("the endless body was read on and on"));
	assert!(matches!(error, NgsiError::TooLarge { limit: 1_048_576, .. }), "{error}");

	// A body that declares its size: refused before it is read.
	let big = broker(|_| ld_json(StatusCode::OK, entity(TOWN_HALL, &readings(0..12)))).await;
	let mut config = feed(&big);
	config.max_response_bytes = 512;
	assert!(matches!(broker_error(evaluate(&config).await), NgsiError::TooLarge { .. }));

	// An endless error answer: its message is cut short, the error still named.
	let failing = broker(|_| {
		let stream =
			subxt::ext::futures::stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from("x")));
		(StatusCode::INTERNAL_SERVER_ERROR, Body::from_stream(stream)).into_response()
	})
	.await;
	let config = feed(&failing);
	let read = tokio::time::timeout(std::time::Duration::from_secs(30), evaluate(&config)).await;
	let error = broker_error(read.expect("the endless error body was read on and on"));
	assert!(matches!(&error, NgsiError::Status { status: 500, detail, .. } if detail.len() <= 200));
}

/// `timeAt` of a temporal request, as ms.
fn time_at(query: &HashMap<String, String>) -> i64 {
	DateTime::parse_from_rfc3339(&query["timeAt"]).unwrap().timestamp_millis()
}

#[tokio::test]
async fn a_partial_temporal_answer_is_followed_page_by_page() {
	// The broker answers the first ten readings (a gap of 3 s to the window's end, tolerated:
	// used as if whole, they would give a delta of 90), then, asked from the page's end, the
	// rest.
	let url = broker(|query| {
		if time_at(&query) == T0 {
			let range = format!("date-time {}-{}/*", time(T0), time(T0 + 9_000));
			partial(Some(range), entity(TOWN_HALL, &readings(0..10)))
		} else {
			assert_eq!(time_at(&query), T0 + 9_000, "asked again from the page's end");
			ld_json(StatusCode::OK, entity(TOWN_HALL, &readings(9..12)))
		}
	})
	.await;
	let evaluation = evaluate(&feed(&url)).await.unwrap();
	assert_eq!(evaluation.kpi, Decimal::from(110));
	assert_eq!(evaluation.readings[0].1.len(), 12, "the reading at 9 s, on both pages, once");
	assert_eq!(evaluation.documents.len(), 2, "both pages kept as evidence");
}

#[tokio::test]
async fn a_partial_temporal_answer_that_cannot_be_followed_is_refused_not_used() {
	let first_ten = || entity(TOWN_HALL, &readings(0..10));
	let range = |from: i64, to: i64| Some(format!("date-time {}-{}/*", time(from), time(to)));
	let cases: Vec<(&str, Arc<dyn Fn(i64) -> Response + Send + Sync>)> = vec![
		("no Content-Range", Arc::new(move |_| partial(None, first_ten()))),
		("date-time unit", Arc::new(move |_| partial(Some("bytes 0-99/1000".into()), first_ten()))),
		// A range that ends where it starts would be asked for again and again.
		("does not advance", Arc::new(move |at| partial(range(at, at), first_ten()))),
		// A range after what was asked for leaves readings out.
		("after", Arc::new(move |at| partial(range(at + 1_000, T0 + 9_000), first_ten()))),
		// A page that holds readings its range does not cover.
		(
			"outside the page's range",
			Arc::new(move |at| partial(range(at, T0 + 5_000), first_ten())),
		),
		// Pages on and on, never a 200: they run into the window's end.
		(
			"does not advance",
			Arc::new(move |at| {
				let second = (at - T0) / 1_000;
				let page = entity(TOWN_HALL, &readings(second..second + 2));
				partial(range(at, at + 1_000), page)
			}),
		),
	];
	for (why, answer) in cases {
		let url = broker(move |query| answer(time_at(&query))).await;
		let error = broker_error(evaluate(&feed(&url)).await);
		assert!(
			matches!(&error, NgsiError::Incomplete { reason, .. } if reason.contains(why)),
			"{why}: {error}"
		);
		assert!(error.to_string().contains("206 Partial Content"), "{error}");
	}
}
