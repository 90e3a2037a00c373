//! The hashes a report commits to: `payload_hash` over exactly the source data the value was
//! computed from, and `devices_hash` over the devices that measured it. Both are BLAKE2b-256,
//! the chain's 32-byte hash, of a SCALE encoding:
//!
//! ```text
//! payload_hash = blake2_256(SCALE(
//!     b"CITYBOND/SRC/v1",          // 15 bytes, as they are
//!     feed: u32, period: u32,
//!     window_start: u64, window_end: u64,   // ms since the Unix epoch
//!     entity: Vec<u8>,                      // UTF-8 NGSI-LD entity id
//!     series: Vec<(
//!         attribute: Vec<u8>,               // UTF-8, the primary attribute first, then the
//!                                           // baseline attribute if the formula has one
//!         readings: Vec<(
//!             observed_at: i64,             // ms since the Unix epoch
//!             value: Vec<u8>,               // the value as read, as a normalized decimal
//!                                           // string (`rust_decimal`'s Display, no trailing
//!                                           // zeros: "35.1", "-2", "0.001")
//!             unit: Vec<u8>,                // the unitCode as read
//!             device: Vec<u8>,              // observedBy, empty if none
//!         )>,                               // in observedAt order, then device
//!     )>,
//! ))
//! devices_hash = blake2_256(SCALE(Vec<Vec<u8>>))  // the distinct observedBy ids, sorted
//!                                                 // bytewise; empty ids left out
//! ```
//!
//! Anyone holding the exported source data (see `export`) recomputes both from it. The value as
//! read, not the converted one, is hashed, so the hash pins what the broker said.

use crate::kpi::Reading;
use blake2::{digest::consts::U32, Blake2b, Digest};
use codec::Encode;

/// The tag that opens the source-data encoding.
pub const SOURCE_TAG: [u8; 15] = *b"CITYBOND/SRC/v1";

/// BLAKE2b with a 32-byte output, as `sp_core::hashing::blake2_256`.
pub fn blake2_256(bytes: &[u8]) -> [u8; 32] {
	let mut hasher = Blake2b::<U32>::new();
	hasher.update(bytes);
	hasher.finalize().into()
}

/// One attribute's readings as they enter the hash.
#[derive(Clone, Debug)]
pub struct Series<'a> {
	/// The attribute.
	pub attribute: &'a str,
	/// Its readings, in time order.
	pub readings: &'a [Reading],
}

/// Which data a period's value comes from.
#[derive(Clone, Debug)]
pub struct Source<'a> {
	/// The feed.
	pub feed: u32,
	/// The period.
	pub period: u32,
	/// Window start, ms.
	pub window_start: u64,
	/// Window end, ms.
	pub window_end: u64,
	/// The entity.
	pub entity: &'a str,
	/// The series used.
	pub series: Vec<Series<'a>>,
}

/// The canonical encoding of the source data (see the module docs).
pub fn encode_source(source: &Source<'_>) -> Vec<u8> {
	let series: Vec<(Vec<u8>, Vec<(i64, Vec<u8>, Vec<u8>, Vec<u8>)>)> = source
		.series
		.iter()
		.map(|series| {
			let readings = series
				.readings
				.iter()
				.map(|reading| {
					(
						reading.at.timestamp_millis(),
						reading.source_value.normalize().to_string().into_bytes(),
						reading.source_unit.as_bytes().to_vec(),
						reading.device.as_bytes().to_vec(),
					)
				})
				.collect();
			(series.attribute.as_bytes().to_vec(), readings)
		})
		.collect();
	(
		SOURCE_TAG,
		source.feed,
		source.period,
		source.window_start,
		source.window_end,
		source.entity.as_bytes().to_vec(),
		series,
	)
		.encode()
}

/// `payload_hash` of the source data.
pub fn payload_hash(source: &Source<'_>) -> [u8; 32] {
	blake2_256(&encode_source(source))
}

/// The distinct non-empty device ids of the readings, sorted.
pub fn devices<'a>(readings: impl IntoIterator<Item = &'a Reading>) -> Vec<String> {
	let mut devices: Vec<String> = readings
		.into_iter()
		.map(|reading| reading.device.clone())
		.filter(|device| !device.is_empty())
		.collect();
	devices.sort();
	devices.dedup();
	devices
}

/// `devices_hash` of sorted, distinct device ids.
pub fn devices_hash(devices: &[String]) -> [u8; 32] {
	let ids: Vec<Vec<u8>> = devices.iter().map(|device| device.as_bytes().to_vec()).collect();
	blake2_256(&ids.encode())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use chrono::DateTime;
	use rust_decimal::Decimal;

	fn reading(second: i64, value: Decimal, device: &str) -> Reading {
		Reading {
			at: DateTime::from_timestamp(second, 0).unwrap(),
			source_value: value,
			source_unit: "KWH".into(),
			device: device.into(),
			value,
		}
	}

	#[test]
	fn blake2_256_matches_the_known_answer() {
		// blake2b-256("") from RFC 7693's parameterisation, as sp_core::blake2_256 gives it.
		assert_eq!(
			hex::encode(blake2_256(b"")),
			"0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
		);
	}

	#[test]
	fn source_encoding_is_pinned_byte_for_byte() {
		let readings = [reading(1, Decimal::new(3510, 2), "urn:d")];
		let source = Source {
			feed: 1,
			period: 2,
			window_start: 1_000,
			window_end: 2_000,
			entity: "urn:e",
			series: vec![Series { attribute: "a", readings: &readings }],
		};
		let expected = [
			b"CITYBOND/SRC/v1".to_vec(),
			vec![1, 0, 0, 0, 2, 0, 0, 0],
			1_000u64.to_le_bytes().to_vec(),
			2_000u64.to_le_bytes().to_vec(),
			vec![5 << 2],
			b"urn:e".to_vec(),
			vec![1 << 2, 1 << 2, b'a', 1 << 2],
			1_000i64.to_le_bytes().to_vec(),
			// "35.1": the value normalized (35.10 -> 35.1).
			vec![4 << 2],
			b"35.1".to_vec(),
			vec![3 << 2],
			b"KWH".to_vec(),
			vec![5 << 2],
			b"urn:d".to_vec(),
		]
		.concat();
		assert_eq!(encode_source(&source), expected);
		assert_eq!(payload_hash(&source), blake2_256(&expected));
	}

	#[test]
	fn devices_hash_is_over_sorted_distinct_ids() {
		let readings = [
			reading(1, Decimal::ONE, "urn:b"),
			reading(2, Decimal::ONE, "urn:a"),
			reading(3, Decimal::ONE, "urn:b"),
			reading(4, Decimal::ONE, ""),
		];
		let devices = devices(&readings);
		assert_eq!(devices, vec!["urn:a".to_string(), "urn:b".to_string()]);
		let expected =
			[vec![2 << 2, 5 << 2], b"urn:a".to_vec(), vec![5 << 2], b"urn:b".to_vec()].concat();
		assert_eq!(devices_hash(&devices), blake2_256(&expected));
	}
}
