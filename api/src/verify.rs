//! Re-verification of KPI report signatures off chain, over the pallet's exact message:
//! `("CITYBOND/KPI/v1", genesis_hash, ReportPayload)` in SCALE
//! (`runtime/pallets/kpi-oracle/src/types.rs`, `ReportPayload::signing_payload`), checked with
//! ed25519-dalek's `verify_strict`. The agreement vectors
//! (`runtime/pallets/kpi-oracle/vectors/report-signatures.json`) show that this agrees with the
//! runtime for every key the pallet accepts.

use codec::Encode;
use ed25519_dalek::{Signature, VerifyingKey};

/// The domain tag of report signatures.
pub const REPORT_TAG: [u8; 15] = *b"CITYBOND/KPI/v1";

/// The fields an operator signs.
#[derive(Debug, Clone, Encode)]
pub struct ReportPayload {
	/// Feed id.
	pub feed: u32,
	/// Period index.
	pub period: u32,
	/// Value in the feed's fixed point.
	pub value: i128,
	/// Measurement window start, ms.
	pub window_start: u64,
	/// Measurement window end, ms.
	pub window_end: u64,
	/// Hash of the off-chain payload.
	pub payload_hash: [u8; 32],
	/// Hash of the device list.
	pub devices_hash: [u8; 32],
}

impl ReportPayload {
	/// The signed message for a chain with `genesis_hash`.
	pub fn signing_payload(&self, genesis_hash: &[u8; 32]) -> Vec<u8> {
		(REPORT_TAG, genesis_hash, self).encode()
	}
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
	/// The signature verifies strictly.
	Valid,
	/// The key is not a valid ed25519 point encoding.
	MalformedKey,
	/// The signature does not verify (wrong key, changed message, non-canonical encoding).
	Invalid,
	/// No signature was recorded.
	Missing,
}

/// Verifies `signature` by `key` over `payload` on the chain with `genesis_hash`.
pub fn verify_report(
	payload: &ReportPayload,
	genesis_hash: &[u8; 32],
	key: &[u8; 32],
	signature: &[u8; 64],
) -> Verdict {
	let Ok(key) = VerifyingKey::from_bytes(key) else { return Verdict::MalformedKey };
	let signature = Signature::from_bytes(signature);
	let message = payload.signing_payload(genesis_hash);
	match key.verify_strict(&message, &signature) {
		Ok(()) => Verdict::Valid,
		Err(_) => Verdict::Invalid,
	}
}

/// Parses `0x`-hex (or bare hex) into exactly `N` bytes.
pub fn hex_n<const N: usize>(s: &str) -> Option<[u8; N]> {
	hex::decode(s.trim_start_matches("0x")).ok()?.try_into().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
	use super::*;
	use serde_json::Value;

	fn vectors() -> Value {
		let path = concat!(
			env!("CARGO_MANIFEST_DIR"),
			"/../runtime/pallets/kpi-oracle/vectors/report-signatures.json"
		);
		serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
	}

	fn payload(r: &Value) -> ReportPayload {
		ReportPayload {
			feed: r["feed"].as_u64().unwrap() as u32,
			period: r["period"].as_u64().unwrap() as u32,
			value: r["value"].as_str().unwrap().parse().unwrap(),
			window_start: r["window_start"].as_u64().unwrap(),
			window_end: r["window_end"].as_u64().unwrap(),
			payload_hash: hex_n(r["payload_hash"].as_str().unwrap()).unwrap(),
			devices_hash: hex_n(r["devices_hash"].as_str().unwrap()).unwrap(),
		}
	}

	#[test]
	fn reverification_agrees_with_every_agreement_vector() {
		let v = vectors();
		let genesis: [u8; 32] = hex_n(v["genesis_hash"].as_str().unwrap()).unwrap();
		let cases = v["vectors"].as_array().unwrap();
		assert!(cases.len() >= 10, "expected the full vector set");
		for case in cases {
			let name = case["name"].as_str().unwrap();
			let p = payload(&case["report"]);
			let message = hex::decode(case["message"].as_str().unwrap()).unwrap();
			let key: [u8; 32] = hex_n(case["public_key"].as_str().unwrap()).unwrap();
			let sig: [u8; 64] = hex_n(case["signature"].as_str().unwrap()).unwrap();
			let expected = case["expected"]["dalek_verify_strict"].as_bool().unwrap();
			// The message the vector's signer saw is the one we rebuild from the report,
			// except where the vector changed the report or the chain after signing.
			let ours = p.signing_payload(&genesis);
			if expected {
				assert_eq!(ours, message, "{name}: message encoding differs");
			}
			let verdict = verify_report(&p, &genesis, &key, &sig);
			assert_eq!(verdict == Verdict::Valid, expected, "{name}: got {verdict:?}");
		}
	}

	#[test]
	fn a_changed_value_no_longer_verifies() {
		let v = vectors();
		let genesis: [u8; 32] = hex_n(v["genesis_hash"].as_str().unwrap()).unwrap();
		let case = &v["vectors"][0];
		let mut p = payload(&case["report"]);
		let key: [u8; 32] = hex_n(case["public_key"].as_str().unwrap()).unwrap();
		let sig: [u8; 64] = hex_n(case["signature"].as_str().unwrap()).unwrap();
		assert_eq!(verify_report(&p, &genesis, &key, &sig), Verdict::Valid);
		p.value += 1;
		assert_eq!(verify_report(&p, &genesis, &key, &sig), Verdict::Invalid);
	}
}
