//! ink! contracts read through their cargo-contract bundle (`<name>.contract`): the code hash
//! tells which contract an address runs, each event's signature topic (the first topic ink!
//! records) tells which event was emitted, and the metadata's type registry decodes the fields
//! into JSON.

use crate::error::{Error, Result};
use scale_info::PortableRegistry;
use serde_json::{Map, Value as Json};
use std::{collections::HashMap, path::Path};
use subxt::ext::scale_value::{self, Composite, Primitive, Value, ValueDef};

/// A contract's bundle: what the indexer needs to recognise and decode it.
#[derive(Debug, Clone)]
pub struct InkBundle {
	/// The name the API uses for the contract's kind (`green_bond`, `cash_token`).
	pub kind: String,
	/// The code hash (blake2-256 of the wasm).
	pub code_hash: [u8; 32],
	registry: PortableRegistry,
	events: HashMap<[u8; 32], EventSpec>,
	messages: HashMap<String, MessageSpec>,
}

#[derive(Debug, Clone)]
struct EventSpec {
	label: String,
	args: Vec<(String, u32)>,
}

#[derive(Debug, Clone)]
struct MessageSpec {
	selector: Vec<u8>,
	return_type: u32,
}

fn hex_bytes(v: &Json, what: &str) -> Result<Vec<u8>> {
	let s = v.as_str().ok_or_else(|| Error::Internal(format!("bundle: {what} is not a string")))?;
	hex::decode(s.trim_start_matches("0x"))
		.map_err(|e| Error::Internal(format!("bundle: {what}: {e}")))
}

fn hash32(v: &Json, what: &str) -> Result<[u8; 32]> {
	hex_bytes(v, what)?
		.try_into()
		.map_err(|_| Error::Internal(format!("bundle: {what} is not 32 bytes")))
}

fn type_id(v: &Json, what: &str) -> Result<u32> {
	v.as_u64()
		.and_then(|n| u32::try_from(n).ok())
		.ok_or_else(|| Error::Internal(format!("bundle: {what} has no type id")))
}

impl InkBundle {
	/// Loads a bundle file.
	pub fn load(kind: &str, path: &Path) -> Result<Self> {
		let text = std::fs::read_to_string(path).map_err(|e| {
			Error::Internal(format!("read contract bundle {}: {e}", path.display()))
		})?;
		let json: Json = serde_json::from_str(&text)
			.map_err(|e| Error::Internal(format!("contract bundle {}: {e}", path.display())))?;
		Self::from_json(kind, &json)
	}

	/// Reads a bundle's (or a bare metadata file's, with `source.hash`) JSON.
	pub fn from_json(kind: &str, json: &Json) -> Result<Self> {
		let code_hash = hash32(&json["source"]["hash"], "source.hash")?;
		let registry: PortableRegistry =
			serde_json::from_value(serde_json::json!({ "types": json["types"] }))
				.map_err(|e| Error::Internal(format!("bundle: types: {e}")))?;
		let mut events = HashMap::new();
		for e in json["spec"]["events"].as_array().into_iter().flatten() {
			let label = e["label"].as_str().unwrap_or_default().to_string();
			// Anonymous events have no signature topic; ours have none.
			let Ok(topic) = hash32(&e["signature_topic"], "signature_topic") else { continue };
			let mut args = Vec::new();
			for a in e["args"].as_array().into_iter().flatten() {
				let name = a["label"].as_str().unwrap_or_default().to_string();
				args.push((name, type_id(&a["type"]["type"], &label)?));
			}
			events.insert(topic, EventSpec { label, args });
		}
		let mut messages = HashMap::new();
		for m in json["spec"]["messages"].as_array().into_iter().flatten() {
			let label = m["label"].as_str().unwrap_or_default().to_string();
			let selector = hex_bytes(&m["selector"], &label)?;
			let return_type = type_id(&m["returnType"]["type"], &label)?;
			messages.insert(label, MessageSpec { selector, return_type });
		}
		Ok(Self { kind: kind.to_string(), code_hash, registry, events, messages })
	}

	/// Decodes an emitted event if its signature topic is one of this contract's events:
	/// `(label, fields as a JSON object)`.
	pub fn decode_event(&self, topics: &[[u8; 32]], data: &[u8]) -> Option<Result<(String, Json)>> {
		let spec = self.events.get(topics.first()?)?;
		Some(self.decode_fields(spec, data))
	}

	fn decode_fields(&self, spec: &EventSpec, data: &[u8]) -> Result<(String, Json)> {
		let mut cursor = data;
		let mut fields = Map::new();
		for (name, ty) in &spec.args {
			let value = scale_value::scale::decode_as_type(&mut cursor, *ty, &self.registry)
				.map_err(|e| {
					Error::Internal(format!("decode {}.{name} of {}: {e}", spec.label, self.kind))
				})?;
			fields.insert(name.clone(), to_json(&value, &self.registry));
		}
		Ok((spec.label.clone(), Json::Object(fields)))
	}

	/// Call data for message `label` with already-encoded arguments.
	pub fn message(&self, label: &str, args: &[u8]) -> Result<Vec<u8>> {
		let spec = self
			.messages
			.get(label)
			.ok_or_else(|| Error::Internal(format!("{} has no message {label}", self.kind)))?;
		let mut data = spec.selector.clone();
		data.extend_from_slice(args);
		Ok(data)
	}

	/// Decodes what message `label` returned (ink!'s `Result<T, LangError>`) to JSON: the `Ok`
	/// value.
	pub fn decode_return(&self, label: &str, data: &[u8]) -> Result<Json> {
		let spec = self
			.messages
			.get(label)
			.ok_or_else(|| Error::Internal(format!("{} has no message {label}", self.kind)))?;
		let mut cursor = data;
		let value =
			scale_value::scale::decode_as_type(&mut cursor, spec.return_type, &self.registry)
				.map_err(|e| Error::Internal(format!("decode {label} result: {e}")))?;
		match &value.value {
			ValueDef::Variant(v) if v.name == "Ok" => Ok(composite_json(&v.values, &self.registry)),
			_ => Err(Error::Internal(format!(
				"{label} returned {}",
				to_json(&value, &self.registry)
			))),
		}
	}
}

/// SCALE values as JSON: byte arrays and byte vectors (accounts, hashes, ISINs) as 0x-hex
/// strings, integers as numbers when they fit in 64 bits and as decimal strings otherwise,
/// `Option` as the value or `null`, enum variants without fields as their name, others as
/// `{ "Name": fields }`, single-field tuples unwrapped.
pub fn to_json(value: &Value<u32>, types: &PortableRegistry) -> Json {
	match &value.value {
		ValueDef::Composite(c) => {
			if is_bytes(value.context, types) {
				if let Some(bytes) = c.values().map(byte_of).collect::<Option<Vec<u8>>>() {
					return Json::String(format!("0x{}", hex::encode(bytes)));
				}
			}
			// Sequences and arrays stay arrays whatever their length (only one-field tuple
			// structs are unwrapped).
			if is_sequence(value.context, types) {
				return Json::Array(c.values().map(|v| to_json(v, types)).collect());
			}
			composite_json(c, types)
		}
		ValueDef::Variant(v) => match (v.name.as_str(), v.values.len()) {
			("None", 0) => Json::Null,
			("Some", 1) => composite_json(&v.values, types),
			(name, 0) => Json::String(name.to_string()),
			(name, _) => {
				let mut m = Map::new();
				m.insert(name.to_string(), composite_json(&v.values, types));
				Json::Object(m)
			}
		},
		ValueDef::Primitive(p) => match p {
			Primitive::Bool(b) => Json::Bool(*b),
			Primitive::Char(c) => Json::String(c.to_string()),
			Primitive::String(s) => Json::String(s.clone()),
			Primitive::U128(n) => match u64::try_from(*n) {
				Ok(small) => Json::from(small),
				Err(_) => Json::String(n.to_string()),
			},
			Primitive::I128(n) => match i64::try_from(*n) {
				Ok(small) => Json::from(small),
				Err(_) => Json::String(n.to_string()),
			},
			Primitive::U256(b) | Primitive::I256(b) => {
				Json::String(format!("0x{}", hex::encode(b)))
			}
		},
		ValueDef::BitSequence(_) => Json::Null,
	}
}

/// Whether type `id` is a sequence or an array.
fn is_sequence(id: u32, types: &PortableRegistry) -> bool {
	use scale_info::TypeDef;
	matches!(
		types.resolve(id).map(|t| &t.type_def),
		Some(TypeDef::Array(_)) | Some(TypeDef::Sequence(_))
	)
}

/// Whether type `id` is `[u8; N]` or `Vec<u8>`.
fn is_bytes(id: u32, types: &PortableRegistry) -> bool {
	use scale_info::{TypeDef, TypeDefPrimitive};
	let element = match types.resolve(id).map(|t| &t.type_def) {
		Some(TypeDef::Array(a)) => a.type_param.id,
		Some(TypeDef::Sequence(s)) => s.type_param.id,
		_ => return false,
	};
	matches!(
		types.resolve(element).map(|t| &t.type_def),
		Some(TypeDef::Primitive(TypeDefPrimitive::U8))
	)
}

fn byte_of(v: &Value<u32>) -> Option<u8> {
	match &v.value {
		ValueDef::Primitive(Primitive::U128(n)) => u8::try_from(*n).ok(),
		_ => None,
	}
}

fn composite_json(c: &Composite<u32>, types: &PortableRegistry) -> Json {
	match c {
		Composite::Named(fields) => {
			let mut m = Map::new();
			for (name, v) in fields {
				m.insert(name.clone(), to_json(v, types));
			}
			Json::Object(m)
		}
		Composite::Unnamed(items) => match items.as_slice() {
			[only] => to_json(only, types),
			items => Json::Array(items.iter().map(|v| to_json(v, types)).collect()),
		},
	}
}

/// A JSON integer (number or decimal string) as `u128`.
pub fn json_u128(v: &Json) -> Option<u128> {
	match v {
		Json::Number(n) => n.as_u64().map(u128::from),
		Json::String(s) => s.parse().ok(),
		_ => None,
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
	use super::*;
	use codec::Encode;

	fn green_bond() -> InkBundle {
		let dir = std::env::var_os("CITYBOND_CONTRACTS")
			.map(std::path::PathBuf::from)
			.or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| Path::new(&t).join("ink")))
			.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ink"));
		let path = dir.join("green_bond/green_bond.contract");
		InkBundle::load("green_bond", &path).unwrap_or_else(|e| {
			panic!("{e}: build the contracts first (scripts/build-contracts.sh)")
		})
	}

	fn topic(label: &str, bundle: &InkBundle) -> [u8; 32] {
		*bundle.events.iter().find(|(_, e)| e.label == label).unwrap().0
	}

	#[test]
	fn events_decode_with_accounts_as_hex_and_one_element_vectors_as_arrays() {
		let bundle = green_bond();
		// ImpactReported { index: u32, entries: Vec<(UseOfProceeds, u128)>, document: [u8; 32] }
		let data = (7u32, vec![(1u8, 5_000u128)], [4u8; 32]).encode();
		let (label, fields) =
			bundle.decode_event(&[topic("ImpactReported", &bundle)], &data).unwrap().unwrap();
		assert_eq!(label, "ImpactReported");
		assert_eq!(fields["index"], 7);
		assert_eq!(fields["entries"], serde_json::json!([["EnergyEfficiency", 5000]]));
		assert_eq!(fields["document"], format!("0x{}", "04".repeat(32)));
		// Transfer { from: Option<AccountId>, to: Option<AccountId>, value: u128 }, a big value.
		let data = (None::<[u8; 32]>, Some([9u8; 32]), u128::MAX).encode();
		let (_, fields) =
			bundle.decode_event(&[topic("Transfer", &bundle)], &data).unwrap().unwrap();
		assert_eq!(fields["from"], Json::Null);
		assert_eq!(fields["to"], format!("0x{}", "09".repeat(32)));
		assert_eq!(fields["value"], u128::MAX.to_string());
		assert_eq!(json_u128(&fields["value"]), Some(u128::MAX));
		// An unknown topic is not ours.
		assert!(bundle.decode_event(&[[0u8; 32]], &data).is_none());
	}
}
