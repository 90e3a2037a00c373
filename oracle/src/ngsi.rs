//! A client for the subset of NGSI-LD (ETSI GS CIM 009) the oracle reads: one entity
//! (`GET /ngsi-ld/v1/entities/{id}`) and its history (`GET /ngsi-ld/v1/temporal/entities/{id}`
//! with `timerel=between`), in the normalized and the simplified representations
//! (`options=keyValues`, and `options=temporalValues` for the temporal API).
//!
//! Values are read from the JSON text itself (`serde_json`'s `RawValue`), never through `f64`,
//! so `35.123` is exactly `35.123`. A property's value may be a JSON number, a string holding a
//! decimal, or a typed literal `{"@type": "DateTime", "@value": "..."}`.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{header, Url};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use std::{collections::BTreeMap, time::Duration};

/// The sub-properties that flag an instance as untrustworthy when true (or when a non-empty
/// status other than `ok`/`none`): a tamper switch or an alarm of the meter.
pub const FLAG_NAMES: [&str; 3] = ["tamperAlert", "alarm", "tampered"];

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
	/// The names of the raised flags among [`FLAG_NAMES`].
	pub flags: Vec<String>,
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

/// A response: the entity, the body and the broker's clock (`Date` header) when it answered.
#[derive(Clone, Debug)]
pub struct Response {
	/// The parsed entity.
	pub entity: Entity,
	/// The raw body.
	pub document: SourceDocument,
	/// The broker's `Date` header.
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
	/// The broker answered with an error status.
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
}

/// A client of one NGSI-LD broker.
#[derive(Clone, Debug)]
pub struct Client {
	http: reqwest::Client,
	base: Url,
}

fn timestamp(at: DateTime<Utc>) -> String {
	at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Client {
	/// A client of the broker at `base` (e.g. `http://127.0.0.1:1026`), with a request timeout.
	pub fn new(base: &str, timeout: Duration) -> Result<Self, NgsiError> {
		let base = Url::parse(base).map_err(|_| NgsiError::BadUrl(base.into()))?;
		if base.cannot_be_a_base() {
			return Err(NgsiError::BadUrl(base.to_string()));
		}
		let http = reqwest::Client::builder()
			.timeout(timeout)
			.build()
			.map_err(|_| NgsiError::BadUrl(base.to_string()))?;
		Ok(Self { http, base })
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
		let (body, broker_time) = self.get(url.clone(), id).await?;
		let entity = parse_entity(&body, representation, false)
			.map_err(|reason| NgsiError::Malformed { url: url.to_string(), reason })?;
		Ok(Response { entity, document: SourceDocument { url: url.into(), body }, broker_time })
	}

	/// The history of `attrs` of entity `id` observed in `[start, end)`.
	pub async fn temporal(
		&self,
		id: &str,
		attrs: &[&str],
		start: DateTime<Utc>,
		end: DateTime<Utc>,
		representation: Representation,
	) -> Result<Response, NgsiError> {
		let mut query = vec![
			("timerel", "between".to_string()),
			("timeAt", timestamp(start)),
			("endTimeAt", timestamp(end)),
			("attrs", attrs.join(",")),
		];
		if representation == Representation::KeyValues {
			query.push(("options", "temporalValues".to_string()));
		}
		let url = self.url(&["ngsi-ld", "v1", "temporal", "entities", id], &query)?;
		let (body, broker_time) = self.get(url.clone(), id).await?;
		let entity = parse_entity(&body, representation, true)
			.map_err(|reason| NgsiError::Malformed { url: url.to_string(), reason })?;
		Ok(Response { entity, document: SourceDocument { url: url.into(), body }, broker_time })
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

	async fn get(
		&self,
		url: Url,
		entity: &str,
	) -> Result<(String, Option<DateTime<Utc>>), NgsiError> {
		let response = self
			.http
			.get(url.clone())
			.header(header::ACCEPT, "application/ld+json, application/json")
			.send()
			.await
			.map_err(|source| NgsiError::Unreachable { url: url.to_string(), source })?;
		let status = response.status();
		let broker_time = broker_date(&response);
		let body = response
			.text()
			.await
			.map_err(|source| NgsiError::Unreachable { url: url.to_string(), source })?;
		if status == reqwest::StatusCode::NOT_FOUND {
			return Err(NgsiError::UnknownEntity { entity: entity.into(), url: url.into() });
		}
		if !status.is_success() {
			let detail: String = body.chars().take(200).collect();
			return Err(NgsiError::Status { url: url.into(), status: status.as_u16(), detail });
		}
		Ok((body, broker_time))
	}
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
			(Representation::KeyValues, false) => vec![Instance {
				value: parse_value(raw)?,
				unit: None,
				observed_at: None,
				observed_by: None,
				flags: Vec::new(),
			}],
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
			return Ok(Instance {
				value: Value::Other(text),
				unit: None,
				observed_at: None,
				observed_by: None,
				flags: Vec::new(),
			});
		}
	}
	let value = parse_value(object.get("value").ok_or("a Property without \"value\"")?)?;
	let unit = string_member(object, "unitCode")?;
	let observed_at =
		string_member(object, "observedAt")?.map(|text| parse_time(&text)).transpose()?;
	let observed_by = object.get("observedBy").map(|raw| parse_relationship(raw)).transpose()?;
	let mut flags = Vec::new();
	for name in FLAG_NAMES {
		if let Some(raw) = object.get(name) {
			if flag_raised(raw)? {
				flags.push(name.to_string());
			}
		}
	}
	Ok(Instance { value, unit, observed_at, observed_by, flags })
}

fn parse_temporal_values(raw: &RawValue) -> Result<Vec<Instance>, String> {
	let object: Object =
		serde_json::from_str(raw.get()).map_err(|e| format!("temporalValues attribute: {e}"))?;
	let values = object.get("values").ok_or("a temporalValues attribute without \"values\"")?;
	let pairs: Vec<(Box<RawValue>, String)> = serde_json::from_str(values.get())
		.map_err(|e| format!("temporalValues \"values\": {e}"))?;
	pairs
		.iter()
		.map(|(value, at)| {
			Ok(Instance {
				value: parse_value(value)?,
				unit: None,
				observed_at: Some(parse_time(at)?),
				observed_by: None,
				flags: Vec::new(),
			})
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

fn flag_raised(raw: &RawValue) -> Result<bool, String> {
	let text = raw.get().trim_start();
	let value = if text.starts_with('{') {
		let object: Object = serde_json::from_str(text).map_err(|e| format!("flag: {e}"))?;
		match object.get("value") {
			Some(value) => parse_value(value)?,
			None => return Ok(true),
		}
	} else {
		parse_value(raw)?
	};
	Ok(match value {
		Value::Bool(raised) => raised,
		Value::Text(status) => {
			!matches!(status.to_ascii_lowercase().as_str(), "" | "ok" | "none" | "false")
		}
		Value::Number(number) => !number.is_zero(),
		Value::DateTime(_) | Value::Other(_) => true,
	})
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
		assert_eq!(series[1].flags, vec!["tamperAlert".to_string()]);
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
