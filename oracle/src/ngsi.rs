//! A client for the subset of NGSI-LD (ETSI GS CIM 009) the oracle reads: one entity
//! (`GET /ngsi-ld/v1/entities/{id}`) and its history (`GET /ngsi-ld/v1/temporal/entities/{id}`
//! with `timerel=between`), in the normalized and the simplified representations
//! (`options=keyValues`, and `options=temporalValues` for the temporal API).
//!
//! Values are read from the JSON text itself (`serde_json`'s `RawValue`), never through `f64`,
//! so `35.123` is exactly `35.123`. A property's value may be a JSON number, a string holding a
//! decimal, or a typed literal `{"@type": "DateTime", "@value": "..."}`.
//!
//! The broker is trusted only as far as it must be:
//! - an answer must be about the entity asked for (its `id`), or it is an error;
//! - a body is read chunk by chunk and given up on as soon as it passes the client's limit
//!   ([`Client::with_max_body`], [`DEFAULT_MAX_BODY_BYTES`]; for a temporal query, all its pages
//!   together), so a huge or endless answer is never held whole;
//! - a temporal answer cut short by the broker (`206 Partial Content`, with a
//!   `Content-Range: date-time <start>-<end>/<size>` header: NGSI-LD's temporal pagination) is
//!   followed page by page, each page asked for from where the previous one ended, until the
//!   broker answers `200`; a `206` without a usable range, one that does not advance, or one
//!   holding instances outside its range is an error, never used as if complete. Pages overlap
//!   at their edges (the instance at a range's end is asked for again); the identical copies are
//!   removed by the data-quality rules (`kpi::check`).

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use reqwest::{header, StatusCode, Url};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use std::{collections::BTreeMap, time::Duration};

/// The sub-properties of a reading that flag it as untrustworthy when raised (true, non-zero,
/// or a status other than a clear one): a tamper switch or an alarm of the meter. The default
/// of a feed's `flags`.
pub const FLAG_NAMES: [&str; 3] = ["tamperAlert", "alarm", "tampered"];

/// The alarm and tamper attributes of the FIWARE Smart Data Model `WaterConsumptionObserved`
/// (dataModel.WaterConsumption, schema 0.0.2), top-level properties observed with each meter
/// reading: the default of a feed's `alarms`. `alarmFlowPersistence` is a text status (clear:
/// "Nothing to report", "No persistence"); the others are integers (0: clear).
pub const ALARM_NAMES: [&str; 7] = [
	"acquisitionStageFailure",
	"alarmFlowPersistence",
	"alarmInProgress",
	"alarmStopsLeaks",
	"alarmTamper",
	"alarmWaterQuality",
	"moduleTampered",
];

/// Text values of a flag or an alarm that mean it is not raised (compared ignoring case and
/// surrounding spaces): the default of a feed's `clear_values`. Booleans are raised when true,
/// numbers when not zero; anything else (an object, a date) counts as raised.
pub const CLEAR_VALUES: [&str; 6] =
	["", "ok", "none", "false", "Nothing to report", "No persistence"];

/// The default limit of a broker's answer, bytes: 16 MiB, all pages of a temporal query
/// together (a month of one-minute readings in the normalized representation is about 13 MB).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The most pages a temporal query is followed through.
pub const MAX_PAGES: usize = 1_000;

/// How much of an error answer is read for its message, bytes.
const ERROR_DETAIL_BYTES: u64 = 4_096;

/// How the broker is asked to represent entities.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Representation {
	/// Full attributes with `unitCode`, `observedAt`, `observedBy` and sub-properties.
	#[default]
	Normalized,
	/// `options=keyValues` / `options=temporalValues`: values and times only.
	KeyValues,
}

/// A property value as read.
#[derive(Clone, PartialEq, Debug)]
pub enum Value {
	/// A number (or a string holding one), exactly as written.
	Number(Decimal),
	/// A `DateTime`-typed literal.
	DateTime(DateTime<Utc>),
	/// A boolean.
	Bool(bool),
	/// Any other string.
	Text(String),
	/// Anything else (an object, an array, null), as its JSON text.
	Other(String),
}

impl Value {
	/// Whether a flag or an alarm with this value is raised: true, a number other than zero, a
	/// text not among `clear` (ignoring case and surrounding spaces), or anything else.
	pub fn raised<S: AsRef<str>>(&self, clear: &[S]) -> bool {
		match self {
			Value::Bool(raised) => *raised,
			Value::Number(number) => !number.is_zero(),
			Value::Text(status) => {
				!clear.iter().any(|value| value.as_ref().trim().eq_ignore_ascii_case(status.trim()))
			}
			Value::DateTime(_) | Value::Other(_) => true,
		}
	}
}

impl std::fmt::Display for Value {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Value::Number(number) => write!(f, "{number}"),
			Value::DateTime(at) => write!(f, "{}", at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
			Value::Bool(value) => write!(f, "{value}"),
			Value::Text(text) => write!(f, "{text:?}"),
			Value::Other(json) => write!(f, "{json}"),
		}
	}
}

/// One instance of a property: its value and what NGSI-LD says about it.
#[derive(Clone, PartialEq, Debug)]
pub struct Instance {
	/// The value.
	pub value: Value,
	/// `unitCode`, if given.
	pub unit: Option<String>,
	/// `observedAt`, if given.
	pub observed_at: Option<DateTime<Utc>>,
	/// The object of `observedBy`, if given: the device that measured it.
	pub observed_by: Option<String>,
	/// Its other sub-properties (a flag such as `tamperAlert`), by name, with their values.
	pub sub_properties: BTreeMap<String, Value>,
}

impl Instance {
	/// An instance with only a value.
	pub fn of(value: Value) -> Self {
		Self {
			value,
			unit: None,
			observed_at: None,
			observed_by: None,
			sub_properties: BTreeMap::new(),
		}
	}
}

/// A response body kept as evidence, with where it came from.
#[derive(Clone, PartialEq, Debug, serde::Serialize, serde::Deserialize)]
pub struct SourceDocument {
	/// The URL requested.
	pub url: String,
	/// The body, exactly as received.
	pub body: String,
}

/// An entity as read: its id, type and the requested attributes' instances.
#[derive(Clone, PartialEq, Debug)]
pub struct Entity {
	/// `id`.
	pub id: String,
	/// `type`.
	pub kind: String,
	/// Each attribute's instances (one for the current state; the history for the temporal API).
	pub attributes: BTreeMap<String, Vec<Instance>>,
}

/// A response: the entity, the bodies and the broker's clock (`Date` header) when it answered.
#[derive(Clone, Debug)]
pub struct Response {
	/// The parsed entity (for a temporal query answered in pages, all pages together).
	pub entity: Entity,
	/// The raw bodies, one per page (one for a whole answer).
	pub documents: Vec<SourceDocument>,
	/// The broker's `Date` header (of the first page).
	pub broker_time: Option<DateTime<Utc>>,
}

/// Why the broker could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NgsiError {
	/// The URL could not be built.
	#[error("invalid broker URL {0:?}")]
	BadUrl(String),
	/// The broker did not answer.
	#[error("broker unreachable at {url}: {source}")]
	Unreachable {
		/// The URL requested.
		url: String,
		/// The transport error.
		source: reqwest::Error,
	},
	/// The entity does not exist.
	#[error("unknown entity {entity} (broker answered 404 at {url})")]
	UnknownEntity {
		/// The entity id.
		entity: String,
		/// The URL requested.
		url: String,
	},
	/// The broker answered with an error status (or a success status the oracle does not use).
	#[error("broker answered {status} at {url}: {detail}")]
	Status {
		/// The URL requested.
		url: String,
		/// The HTTP status.
		status: u16,
		/// The start of the body.
		detail: String,
	},
	/// The body is not the NGSI-LD the oracle expects.
	#[error("malformed NGSI-LD from {url}: {reason}")]
	Malformed {
		/// The URL requested.
		url: String,
		/// What is wrong.
		reason: String,
	},
	/// The answer is about another entity than the one asked for.
	#[error("the broker answered with entity {answered:?} at {url}, not {asked:?} as asked")]
	WrongEntity {
		/// The URL requested.
		url: String,
		/// The entity asked for.
		asked: String,
		/// The entity in the answer.
		answered: String,
	},
	/// The answer is larger than the limit.
	#[error(
		"the broker's answer at {url} is larger than the limit of {limit} bytes \
		 (max_response_bytes; all pages of a temporal query together)"
	)]
	TooLarge {
		/// The URL requested.
		url: String,
		/// The limit.
		limit: u64,
	},
	/// A temporal answer is partial (`206`) and cannot be completed.
	#[error("incomplete temporal answer (206 Partial Content) at {url}: {reason}")]
	Incomplete {
		/// The URL requested.
		url: String,
		/// Why it cannot be followed to the end.
		reason: String,
	},
}

/// A client of one NGSI-LD broker.
#[derive(Clone, Debug)]
pub struct Client {
	http: reqwest::Client,
	base: Url,
	max_body: u64,
}

/// A time as a query parameter: milliseconds, or every digit the time has when finer.
fn timestamp(at: DateTime<Utc>) -> String {
	let format = if at.nanosecond().is_multiple_of(1_000_000) {
		SecondsFormat::Millis
	} else {
		SecondsFormat::AutoSi
	};
	at.to_rfc3339_opts(format, true)
}

/// One answer of the broker.
struct Page {
	status: StatusCode,
	body: String,
	broker_time: Option<DateTime<Utc>>,
	content_range: Option<String>,
}

impl Client {
	/// A client of the broker at `base` (e.g. `http://127.0.0.1:1026`), with a request timeout
	/// and answers limited to [`DEFAULT_MAX_BODY_BYTES`].
	pub fn new(base: &str, timeout: Duration) -> Result<Self, NgsiError> {
		let base = Url::parse(base).map_err(|_| NgsiError::BadUrl(base.into()))?;
		if base.cannot_be_a_base() {
			return Err(NgsiError::BadUrl(base.to_string()));
		}
		let http = reqwest::Client::builder()
			.timeout(timeout)
			.build()
			.map_err(|_| NgsiError::BadUrl(base.to_string()))?;
		Ok(Self { http, base, max_body: DEFAULT_MAX_BODY_BYTES })
	}

	/// The same client with answers limited to `bytes` (all pages of a temporal query
	/// together).
	pub fn with_max_body(self, bytes: u64) -> Self {
		Self { max_body: bytes, ..self }
	}

	fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url, NgsiError> {
		let mut url = self.base.clone();
		url.path_segments_mut()
			.map_err(|_| NgsiError::BadUrl(self.base.to_string()))?
			.pop_if_empty()
			.extend(segments);
		if !query.is_empty() {
			url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
		}
		Ok(url)
	}

	/// The entity `id` now, with only `attrs` (all attributes when empty).
	pub async fn entity(
		&self,
		id: &str,
		attrs: &[&str],
		representation: Representation,
	) -> Result<Response, NgsiError> {
		let mut query = Vec::new();
		if !attrs.is_empty() {
			query.push(("attrs", attrs.join(",")));
		}
		if representation == Representation::KeyValues {
			query.push(("options", "keyValues".to_string()));
		}
		let url = self.url(&["ngsi-ld", "v1", "entities", id], &query)?;
		let mut budget = self.max_body;
		let page = self.get(url.clone(), id, &mut budget).await?;
		if page.status != StatusCode::OK {
			return Err(NgsiError::Status {
				url: url.into(),
				status: page.status.as_u16(),
				detail: "an entity is answered with 200 OK".into(),
			});
		}
		let entity = parse_entity(&page.body, representation, false)
			.map_err(|reason| NgsiError::Malformed { url: url.to_string(), reason })?;
		check_id(&entity, id, &url)?;
		let document = SourceDocument { url: url.into(), body: page.body };
		Ok(Response { entity, documents: vec![document], broker_time: page.broker_time })
	}

	/// The history of `attrs` of entity `id` observed in `[start, end)`, every page of it.
	pub async fn temporal(
		&self,
		id: &str,
		attrs: &[&str],
		start: DateTime<Utc>,
		end: DateTime<Utc>,
		representation: Representation,
	) -> Result<Response, NgsiError> {
		let mut budget = self.max_body;
		let mut documents = Vec::new();
		let mut broker_time = None;
		let mut whole: Option<Entity> = None;
		let mut from = start;
		for _ in 0..MAX_PAGES {
			let mut query = vec![
				("timerel", "between".to_string()),
				("timeAt", timestamp(from)),
				("endTimeAt", timestamp(end)),
				("attrs", attrs.join(",")),
			];
			if representation == Representation::KeyValues {
				query.push(("options", "temporalValues".to_string()));
			}
			let url = self.url(&["ngsi-ld", "v1", "temporal", "entities", id], &query)?;
			let page = self.get(url.clone(), id, &mut budget).await?;
			if ![StatusCode::OK, StatusCode::PARTIAL_CONTENT].contains(&page.status) {
				return Err(NgsiError::Status {
					url: url.into(),
					status: page.status.as_u16(),
					detail: "a temporal query is answered with 200 OK or 206 Partial Content"
						.into(),
				});
			}
			let malformed = |reason: String| NgsiError::Malformed { url: url.to_string(), reason };
			let entity = parse_entity(&page.body, representation, true).map_err(malformed)?;
			check_id(&entity, id, &url)?;
			broker_time = broker_time.or(page.broker_time);
			let incomplete =
				|reason: String| NgsiError::Incomplete { url: url.to_string(), reason };
			let next = match page.status {
				StatusCode::PARTIAL_CONTENT => {
					let range = page.content_range.as_deref().ok_or_else(|| {
						incomplete("no Content-Range header says which part it is".into())
					})?;
					let (first, last) = parse_content_range(range).map_err(incomplete)?;
					if first > from {
						return Err(incomplete(format!(
							"the page starts at {}, after {} asked for: instances in between \
							 would be missing",
							timestamp(first),
							timestamp(from)
						)));
					}
					if last <= from || last >= end {
						return Err(incomplete(format!(
							"the page ends at {}, which does not advance within the window \
							 from {} to {}",
							timestamp(last),
							timestamp(from),
							timestamp(end)
						)));
					}
					if let Some((name, at)) = outside(&entity, first, last) {
						return Err(incomplete(format!(
							"an instance of {name:?} at {} lies outside the page's range {range:?}",
							timestamp(at)
						)));
					}
					Some(last)
				}
				_ => None,
			};
			whole = Some(match whole {
				None => entity,
				Some(mut merged) => {
					if merged.kind != entity.kind {
						return Err(malformed(format!(
							"the entity's type changed from {:?} to {:?} between pages",
							merged.kind, entity.kind
						)));
					}
					for (name, instances) in entity.attributes {
						merged.attributes.entry(name).or_default().extend(instances);
					}
					merged
				}
			});
			documents.push(SourceDocument { url: url.into(), body: page.body });
			match next {
				None => {
					let entity = whole.ok_or_else(|| NgsiError::Incomplete {
						url: self.base.to_string(),
						reason: "no page was read".into(),
					})?;
					return Ok(Response { entity, documents, broker_time });
				}
				Some(last) => from = last,
			}
		}
		Err(NgsiError::Incomplete {
			url: documents.last().map(|document| document.url.clone()).unwrap_or_default(),
			reason: format!("still partial after {MAX_PAGES} pages"),
		})
	}

	/// Whether the broker answers at all (any HTTP status counts), with its clock.
	pub async fn ping(&self) -> Result<Option<DateTime<Utc>>, NgsiError> {
		let url = self.url(&["ngsi-ld", "v1", "types"], &[])?;
		let response = self
			.http
			.get(url.clone())
			.send()
			.await
			.map_err(|source| NgsiError::Unreachable { url: url.to_string(), source })?;
		Ok(broker_date(&response))
	}

	/// One answer, its body read within `budget` (which it uses up); an error for a 404 or any
	/// status that is not a success.
	async fn get(&self, url: Url, entity: &str, budget: &mut u64) -> Result<Page, NgsiError> {
		let response = self
			.http
			.get(url.clone())
			.header(header::ACCEPT, "application/ld+json, application/json")
			.send()
			.await
			.map_err(|source| NgsiError::Unreachable { url: url.to_string(), source })?;
		let status = response.status();
		let broker_time = broker_date(&response);
		let content_range = response
			.headers()
			.get(header::CONTENT_RANGE)
			.and_then(|value| value.to_str().ok())
			.map(str::to_string);
		if status == StatusCode::NOT_FOUND {
			return Err(NgsiError::UnknownEntity { entity: entity.into(), url: url.into() });
		}
		let unreachable = |source| NgsiError::Unreachable { url: url.to_string(), source };
		if !status.is_success() {
			let mut limit = ERROR_DETAIL_BYTES;
			let bytes = read_body(response, &mut limit, true)
				.await
				.map_err(unreachable)?
				.unwrap_or_default();
			let detail: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
			return Err(NgsiError::Status { url: url.into(), status: status.as_u16(), detail });
		}
		let bytes = read_body(response, budget, false)
			.await
			.map_err(unreachable)?
			.ok_or_else(|| NgsiError::TooLarge { url: url.to_string(), limit: self.max_body })?;
		let body = String::from_utf8(bytes).map_err(|e| NgsiError::Malformed {
			url: url.to_string(),
			reason: format!("the body is not UTF-8: {e}"),
		})?;
		Ok(Page { status, body, broker_time, content_range })
	}
}

/// Reads a body chunk by chunk, taking its size from `budget`: `None` as soon as it passes the
/// budget (with `truncate`, what was read up to it instead). A declared `Content-Length` over
/// the budget is `None` before anything is read.
async fn read_body(
	mut response: reqwest::Response,
	budget: &mut u64,
	truncate: bool,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
	if !truncate && response.content_length().is_some_and(|length| length > *budget) {
		return Ok(None);
	}
	let mut bytes = Vec::new();
	while let Some(chunk) = response.chunk().await? {
		let size = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
		match budget.checked_sub(size) {
			Some(left) => {
				*budget = left;
				bytes.extend_from_slice(&chunk);
			}
			None if truncate => {
				let room = usize::try_from(*budget).unwrap_or(usize::MAX).min(chunk.len());
				bytes.extend_from_slice(chunk.get(..room).unwrap_or_default());
				*budget = 0;
				break;
			}
			None => return Ok(None),
		}
	}
	Ok(Some(bytes))
}

/// An error unless `entity` is the one asked for.
fn check_id(entity: &Entity, asked: &str, url: &Url) -> Result<(), NgsiError> {
	if entity.id == asked {
		return Ok(());
	}
	Err(NgsiError::WrongEntity {
		url: url.to_string(),
		asked: asked.into(),
		answered: entity.id.clone(),
	})
}

/// The first instance of `entity` observed outside `[first, last]`, if any.
fn outside(
	entity: &Entity,
	first: DateTime<Utc>,
	last: DateTime<Utc>,
) -> Option<(&str, DateTime<Utc>)> {
	entity.attributes.iter().find_map(|(name, instances)| {
		instances
			.iter()
			.filter_map(|instance| instance.observed_at)
			.find(|at| *at < first || *at > last)
			.map(|at| (name.as_str(), at))
	})
}

/// The range of a temporal page: `Content-Range: date-time <first>-<last>/<size>` (NGSI-LD,
/// ETSI GS CIM 009 clause 6.3.10), the size being a number or `*`; both times inclusive.
pub fn parse_content_range(header: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
	let bad = |why: &str| format!("Content-Range {header:?} {why}");
	let range = header
		.trim()
		.strip_prefix("date-time ")
		.ok_or_else(|| bad("is not in the date-time unit"))?;
	let (times, size) = range.rsplit_once('/').ok_or_else(|| bad("has no /size"))?;
	if size != "*" && size.parse::<u64>().is_err() {
		return Err(bad("has a size that is neither a number nor *"));
	}
	// The two times are joined by a hyphen, and each holds hyphens of its own: the one split
	// where both halves are times.
	let (first, last) = times
		.match_indices('-')
		.find_map(|(at, _)| {
			let first = parse_time(times.get(..at)?.trim()).ok()?;
			let last = parse_time(times.get(at.checked_add(1)?..)?.trim()).ok()?;
			Some((first, last))
		})
		.ok_or_else(|| bad("does not hold two RFC 3339 times"))?;
	if last < first {
		return Err(bad("ends before it starts"));
	}
	Ok((first, last))
}

fn broker_date(response: &reqwest::Response) -> Option<DateTime<Utc>> {
	let text = response.headers().get(header::DATE)?.to_str().ok()?;
	DateTime::parse_from_rfc2822(text).ok().map(|at| at.with_timezone(&Utc))
}

type Object = BTreeMap<String, Box<RawValue>>;

const CORE_MEMBERS: [&str; 6] = ["id", "type", "@context", "scope", "location", "createdAt"];

/// Parses an entity body. `temporal`: attributes hold histories.
pub fn parse_entity(
	body: &str,
	representation: Representation,
	temporal: bool,
) -> Result<Entity, String> {
	let object: Object =
		serde_json::from_str(body).map_err(|e| format!("not a JSON object: {e}"))?;
	let id = string_member(&object, "id")?.ok_or("no \"id\"")?;
	let kind = string_member(&object, "type")?.ok_or("no \"type\"")?;
	let mut attributes = BTreeMap::new();
	for (name, raw) in &object {
		if CORE_MEMBERS.contains(&name.as_str()) || name == "modifiedAt" {
			continue;
		}
		let instances = match (representation, temporal) {
			(Representation::Normalized, _) => parse_normalized_attribute(raw)?,
			(Representation::KeyValues, false) => vec![Instance::of(parse_value(raw)?)],
			(Representation::KeyValues, true) => parse_temporal_values(raw)?,
		};
		if temporal && instances.iter().any(|instance| instance.observed_at.is_none()) {
			return Err(format!("an instance of {name:?} has no observedAt"));
		}
		attributes.insert(name.clone(), instances);
	}
	Ok(Entity { id, kind, attributes })
}

fn string_member(object: &Object, name: &str) -> Result<Option<String>, String> {
	object
		.get(name)
		.map(|raw| {
			serde_json::from_str::<String>(raw.get())
				.map_err(|_| format!("{name:?} is not a string"))
		})
		.transpose()
}

fn parse_normalized_attribute(raw: &RawValue) -> Result<Vec<Instance>, String> {
	let text = raw.get().trim_start();
	let objects: Vec<Object> = if text.starts_with('[') {
		serde_json::from_str(text).map_err(|e| format!("attribute instances: {e}"))?
	} else {
		vec![serde_json::from_str(text).map_err(|e| format!("attribute: {e}"))?]
	};
	objects.iter().map(parse_instance).collect()
}

fn parse_instance(object: &Object) -> Result<Instance, String> {
	if let Some(kind) = string_member(object, "type")? {
		if kind != "Property" {
			// Relationships, GeoProperties and the like are kept as they are; a formula refuses
			// them as not numbers.
			let text = serde_json::to_string(object).map_err(|e| e.to_string())?;
			return Ok(Instance::of(Value::Other(text)));
		}
	}
	let value = parse_value(object.get("value").ok_or("a Property without \"value\"")?)?;
	let unit = string_member(object, "unitCode")?;
	let observed_at =
		string_member(object, "observedAt")?.map(|text| parse_time(&text)).transpose()?;
	let observed_by = object.get("observedBy").map(|raw| parse_relationship(raw)).transpose()?;
	let mut sub_properties = BTreeMap::new();
	for (name, raw) in object {
		if !INSTANCE_MEMBERS.contains(&name.as_str()) {
			sub_properties.insert(name.clone(), sub_property_value(raw)?);
		}
	}
	Ok(Instance { value, unit, observed_at, observed_by, sub_properties })
}

/// The members of an attribute instance that are not sub-properties.
const INSTANCE_MEMBERS: [&str; 13] = [
	"type",
	"value",
	"unitCode",
	"observedAt",
	"observedBy",
	"datasetId",
	"instanceId",
	"createdAt",
	"modifiedAt",
	"deletedAt",
	"@context",
	"lang",
	"valueType",
];

fn parse_temporal_values(raw: &RawValue) -> Result<Vec<Instance>, String> {
	let object: Object =
		serde_json::from_str(raw.get()).map_err(|e| format!("temporalValues attribute: {e}"))?;
	let values = object.get("values").ok_or("a temporalValues attribute without \"values\"")?;
	let pairs: Vec<(Box<RawValue>, String)> = serde_json::from_str(values.get())
		.map_err(|e| format!("temporalValues \"values\": {e}"))?;
	pairs
		.iter()
		.map(|(value, at)| {
			Ok(Instance { observed_at: Some(parse_time(at)?), ..Instance::of(parse_value(value)?) })
		})
		.collect()
}

fn parse_relationship(raw: &RawValue) -> Result<String, String> {
	let text = raw.get().trim_start();
	if text.starts_with('"') {
		return serde_json::from_str(text).map_err(|e| format!("observedBy: {e}"));
	}
	let object: Object = serde_json::from_str(text).map_err(|e| format!("observedBy: {e}"))?;
	string_member(&object, "object")?.ok_or_else(|| "observedBy without \"object\"".into())
}

/// A sub-property's value: the `value` of a Property (or the JSON of one without it, such as a
/// Relationship), or the value itself when written in short.
fn sub_property_value(raw: &RawValue) -> Result<Value, String> {
	let text = raw.get().trim_start();
	if text.starts_with('{') {
		let object: Object =
			serde_json::from_str(text).map_err(|e| format!("sub-property: {e}"))?;
		if let Some(value) = object.get("value") {
			return parse_value(value);
		}
		if !object.contains_key("@value") {
			return Ok(Value::Other(text.to_string()));
		}
	}
	parse_value(raw)
}

/// Parses an RFC 3339 time into UTC.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
	DateTime::parse_from_rfc3339(text)
		.map(|at| at.with_timezone(&Utc))
		.map_err(|e| format!("bad DateTime {text:?}: {e}"))
}

/// Parses a JSON value into a [`Value`], keeping numbers exact.
pub fn parse_value(raw: &RawValue) -> Result<Value, String> {
	let text = raw.get().trim();
	match text.chars().next() {
		Some('-' | '0'..='9') => parse_number(text).map(Value::Number),
		Some('"') => {
			let string: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
			Ok(parse_number(&string).map(Value::Number).unwrap_or(Value::Text(string)))
		}
		Some('t') if text == "true" => Ok(Value::Bool(true)),
		Some('f') if text == "false" => Ok(Value::Bool(false)),
		Some('{') => {
			let object: Object = serde_json::from_str(text).map_err(|e| e.to_string())?;
			let typed = string_member(&object, "@type")?;
			let literal = string_member(&object, "@value")?;
			match (typed.as_deref(), literal) {
				(Some("DateTime"), Some(literal)) => parse_time(&literal).map(Value::DateTime),
				_ => Ok(Value::Other(text.to_string())),
			}
		}
		_ => Ok(Value::Other(text.to_string())),
	}
}

fn parse_number(text: &str) -> Result<Decimal, String> {
	Decimal::from_str_exact(text)
		.or_else(|_| Decimal::from_scientific(text))
		.map_err(|e| format!("not a decimal number {text:?}: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use std::str::FromStr;

	#[test]
	fn normalized_temporal_entity_keeps_exact_values_units_devices_and_flags() {
		let body = r#"{
			"id": "urn:ngsi-ld:Building:a", "type": "Building",
			"@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
			"energyConsumed": [
				{"type": "Property", "value": 10.100000000000001, "unitCode": "KWH",
				 "observedAt": "2025-01-01T00:00:00.000Z",
				 "observedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Device:m1"}},
				{"type": "Property", "value": "12.5", "unitCode": "KWH",
				 "observedAt": "2025-01-01T01:00:00Z",
				 "tamperAlert": {"type": "Property", "value": true}}
			]
		}"#;
		let entity = parse_entity(body, Representation::Normalized, true).unwrap();
		assert_eq!(entity.kind, "Building");
		let series = &entity.attributes["energyConsumed"];
		assert_eq!(
			series[0].value,
			Value::Number(Decimal::from_str("10.100000000000001").unwrap())
		);
		assert_eq!(series[0].observed_by.as_deref(), Some("urn:ngsi-ld:Device:m1"));
		assert_eq!(series[1].value, Value::Number(Decimal::new(125, 1)));
		let flag = &series[1].sub_properties["tamperAlert"];
		assert_eq!(flag, &Value::Bool(true));
		assert!(flag.raised(&CLEAR_VALUES));
		assert!(series[0].sub_properties.is_empty(), "observedBy is not a sub-property");
	}

	#[test]
	fn water_consumption_observed_alarms_read_in_both_representations() {
		// The data model's own examples (dataModel.WaterConsumption, example-normalized.jsonld
		// and example.jsonld), cut to the reading and its alarm and tamper attributes.
		let normalized = r#"{
			"id": "urn:ngsi-ld:Consumer:Consumer01", "type": "WaterConsumptionObserved",
			"acquisitionStageFailure": {"type": "Property", "value": 0,
				"observedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Device:01"},
				"observedAt": "2021-05-23T23:14:16.000Z"},
			"alarmFlowPersistence": {"type": "Property", "value": "Nothing to report",
				"observedAt": "2021-05-23T23:14:16.000Z"},
			"alarmInProgress": {"type": "Property", "value": 1,
				"observedAt": "2021-05-23T23:14:16.000Z"},
			"moduleTampered": {"type": "Property", "value": 1,
				"observedAt": "2021-05-23T23:14:16.000Z"},
			"waterConsumption": {"type": "Property", "value": 191051, "unitCode": "LTR",
				"observedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Device:01"},
				"observedAt": "2021-05-23T23:14:16.000Z"}
		}"#;
		let key_values = r#"{"id": "urn:ngsi-ld:Consumer:Consumer01",
			"type": "WaterConsumptionObserved", "acquisitionStageFailure": 0,
			"alarmFlowPersistence": "Nothing to report", "alarmInProgress": 1,
			"moduleTampered": 1, "waterConsumption": 191051}"#;
		for (body, representation) in
			[(normalized, Representation::Normalized), (key_values, Representation::KeyValues)]
		{
			let entity = parse_entity(body, representation, false).unwrap();
			let raised: Vec<&str> = ALARM_NAMES
				.iter()
				.filter(|name| {
					entity.attributes.get(**name).is_some_and(|instances| {
						instances.iter().any(|instance| instance.value.raised(&CLEAR_VALUES))
					})
				})
				.copied()
				.collect();
			assert_eq!(raised, ["alarmInProgress", "moduleTampered"], "{representation:?}");
		}
	}

	#[test]
	fn flags_and_alarms_are_raised_unless_clear() {
		let clear = CLEAR_VALUES;
		assert!(!Value::Number(Decimal::ZERO).raised(&clear));
		assert!(Value::Number(Decimal::ONE).raised(&clear));
		assert!(!Value::Bool(false).raised(&clear) && Value::Bool(true).raised(&clear));
		for status in ["Nothing to report", "no persistence", " OK ", ""] {
			assert!(!Value::Text(status.into()).raised(&clear), "{status:?}");
		}
		for status in ["In progress persistence", "Past Persistence during the period", "tampered"]
		{
			assert!(Value::Text(status.into()).raised(&clear), "{status:?}");
		}
		assert!(Value::Other("null".into()).raised(&clear), "unknown counts as raised");
		assert!(Value::Text("ok".into()).raised(&[] as &[&str]), "clear values are configured");
	}

	#[test]
	fn content_ranges_of_temporal_pages_parse_or_are_refused() {
		let (first, last) =
			parse_content_range("date-time 2025-01-01T00:00:00Z-2025-01-01T00:00:05.5Z/*").unwrap();
		assert_eq!(first, parse_time("2025-01-01T00:00:00Z").unwrap());
		assert_eq!(last, parse_time("2025-01-01T00:00:05.500Z").unwrap());
		let offsets = "date-time 2025-01-01T01:00:00+01:00-2025-01-01T00:00:01-00:00/20";
		assert_eq!(parse_content_range(offsets).unwrap().0, first);
		for bad in [
			"bytes 0-99/100",
			"date-time 2025-01-01T00:00:00Z-2025-01-01T00:00:05Z",
			"date-time 2025-01-01T00:00:05Z-2025-01-01T00:00:00Z/*",
			"date-time 2025-01-01T00:00:00Z/*",
			"date-time 2025-01-01T00:00:00Z-2025-01-01T00:00:05Z/many",
		] {
			assert!(parse_content_range(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn temporal_values_and_key_values_and_datetime_literals_parse() {
		let body = r#"{"id": "urn:x", "type": "T",
			"inflow": {"type": "Property", "values": [[1.5, "2025-01-01T00:00:00Z"], [2, "2025-01-01T00:00:01Z"]]}}"#;
		let entity = parse_entity(body, Representation::KeyValues, true).unwrap();
		assert_eq!(entity.attributes["inflow"].len(), 2);
		assert_eq!(entity.attributes["inflow"][1].value, Value::Number(Decimal::from(2)));
		let body = r#"{"id": "urn:x", "type": "T", "level": 3.25,
			"dateLastCalibration": {"@type": "DateTime", "@value": "2024-06-01T00:00:00Z"}}"#;
		let entity = parse_entity(body, Representation::KeyValues, false).unwrap();
		assert_eq!(entity.attributes["level"][0].value, Value::Number(Decimal::new(325, 2)));
		assert!(matches!(entity.attributes["dateLastCalibration"][0].value, Value::DateTime(_)));
	}

	#[test]
	fn malformed_bodies_are_errors() {
		assert!(parse_entity("[1, 2]", Representation::Normalized, false).is_err());
		assert!(parse_entity(r#"{"type": "T"}"#, Representation::Normalized, false).is_err());
		let no_time = r#"{"id": "x", "type": "T", "a": [{"type": "Property", "value": 1}]}"#;
		assert!(parse_entity(no_time, Representation::Normalized, true).is_err());
		let relationship =
			r#"{"id": "x", "type": "T", "a": {"type": "Relationship", "object": "y"}}"#;
		let entity = parse_entity(relationship, Representation::Normalized, false).unwrap();
		assert!(matches!(entity.attributes["a"][0].value, Value::Other(_)));
	}
}
