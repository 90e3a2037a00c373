//! Agreement vectors: reports signed off chain with `ed25519-dalek` (as the oracle service signs
//! them), checked against the runtime's `sp_io::crypto::ed25519_verify` (ed25519-zebra, ZIP 215).
//!
//! The file `vectors/report-signatures.json` pins, for each case, the exact message bytes the
//! chain verifies, the key and signature, and what each side must conclude:
//! - `sp_io_ed25519_verify`: what the runtime's verification returns;
//! - `dalek_verify_strict`: what `ed25519_dalek::VerifyingKey::verify_strict` returns (the
//!   check the oracle service and the API's auditor view use);
//! - `operator_key`: what [`check_operator_key`] says of the key at registration;
//! - `pallet_accepts`: whether the pallet accepts the report once the key is registered.
//!
//! The two libraries differ exactly where ZIP 215 is more permissive than `verify_strict`:
//! small-order keys and non-canonical point encodings. The vectors show that every such case
//! is refused at key registration, so for every key the pallet can hold, the chain and the
//! oracle agree byte for byte.
//!
//! The expectations are written by hand in [`cases`]; `regenerate_agreement_vectors` (ignored,
//! run on purpose) only signs and serialises them.

// Tests compute with plain arithmetic on small constants.
#![allow(clippy::arithmetic_side_effects)]

use crate::{mock::*, *};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use frame_support::{assert_noop, assert_ok};
use serde::{Deserialize, Serialize};
use sp_core::{ed25519, H256};

/// Where the vectors live, relative to the crate.
const FILE: &str = "vectors/report-signatures.json";

/// The genesis hash of the mock chain (`frame_system` stores `[69; 32]` for block 0 in tests),
/// so the vectors can be submitted in the mock as they are.
const GENESIS: H256 = H256::repeat_byte(69);

/// The order of the ed25519 base point, little-endian.
const ORDER: [u8; 32] = [
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The identity point, canonically encoded (y = 1): a point of order 1.
const IDENTITY: [u8; 32] = {
	let mut bytes = [0u8; 32];
	bytes[0] = 1;
	bytes
};

/// The identity point encoded non-canonically: y = p + 1, which reduces to 1.
const IDENTITY_NON_CANONICAL: [u8; 32] = {
	let mut bytes = [0xff; 32];
	bytes[0] = 0xee;
	bytes[31] = 0x7f;
	bytes
};

/// The file's layout.
#[derive(Serialize, Deserialize)]
struct VectorFile {
	/// What the file is.
	description: String,
	/// The genesis hash the messages are bound to, hex.
	genesis_hash: String,
	/// The cases.
	vectors: Vec<Vector>,
}

/// A report as JSON: the value as a decimal string (an `i128` does not fit a JSON number).
#[derive(Serialize, Deserialize, Clone)]
struct JsonReport {
	feed: u32,
	period: u32,
	value: String,
	window_start: u64,
	window_end: u64,
	payload_hash: String,
	devices_hash: String,
}

/// What each side must conclude.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Debug)]
struct Expected {
	sp_io_ed25519_verify: bool,
	dalek_verify_strict: bool,
	operator_key: KeyCheck,
	pallet_accepts: bool,
}

/// [`check_operator_key`]'s answer, as JSON.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "snake_case")]
enum KeyCheck {
	Ok,
	NonCanonical,
	SmallOrder,
}

/// One case: the report as presented to the chain, its message, key and signature.
#[derive(Serialize, Deserialize, Clone)]
struct Vector {
	name: String,
	note: String,
	report: JsonReport,
	message: String,
	public_key: String,
	signature: String,
	expected: Expected,
}

fn to_json(report: &ReportPayload) -> JsonReport {
	JsonReport {
		feed: report.feed,
		period: report.period,
		value: report.value.to_string(),
		window_start: report.window_start,
		window_end: report.window_end,
		payload_hash: hex::encode(report.payload_hash),
		devices_hash: hex::encode(report.devices_hash),
	}
}

fn from_json(report: &JsonReport) -> ReportPayload {
	let hash = |text: &str| H256::from_slice(&hex::decode(text).unwrap());
	ReportPayload {
		feed: report.feed,
		period: report.period,
		value: report.value.parse().unwrap(),
		window_start: report.window_start,
		window_end: report.window_end,
		payload_hash: hash(&report.payload_hash),
		devices_hash: hash(&report.devices_hash),
	}
}

fn key_check(key: &[u8; 32]) -> KeyCheck {
	match check_operator_key(key) {
		Ok(()) => KeyCheck::Ok,
		Err(KeyError::NonCanonical) => KeyCheck::NonCanonical,
		Err(KeyError::SmallOrder) => KeyCheck::SmallOrder,
	}
}

/// The report every case starts from: period 0 of the mock's default feed.
fn base() -> ReportPayload {
	payload(0, 0, 1_250_000)
}

fn dalek(seed: u8) -> SigningKey {
	SigningKey::from_bytes(&[seed; 32])
}

/// `s + ORDER` for the S half of a signature: the same scalar, non-canonically encoded.
fn add_order(signature: [u8; 64]) -> [u8; 64] {
	let mut out = signature;
	let mut carry = 0u16;
	for (i, order_byte) in ORDER.iter().enumerate() {
		let sum = u16::from(signature[32 + i]) + u16::from(*order_byte) + carry;
		out[32 + i] = sum.to_le_bytes()[0];
		carry = sum >> 8;
	}
	assert_eq!(carry, 0, "S + L fits 256 bits because S < L < 2^253");
	out
}

/// A signature with the given R half and S = 0.
fn trivial(r: [u8; 32]) -> [u8; 64] {
	let mut signature = [0u8; 64];
	signature[..32].copy_from_slice(&r);
	signature
}

fn expect(chain: bool, strict: bool, key: KeyCheck) -> Expected {
	Expected {
		sp_io_ed25519_verify: chain,
		dalek_verify_strict: strict,
		operator_key: key,
		pallet_accepts: chain && key == KeyCheck::Ok,
	}
}

/// The cases, with their expectations stated by hand.
fn cases() -> Vec<(&'static str, &'static str, ReportPayload, [u8; 32], [u8; 64], Expected)> {
	let sign = |seed: u8, report: &ReportPayload, genesis: &H256| -> [u8; 64] {
		dalek(seed).sign(&report.signing_payload(genesis)).to_bytes()
	};
	let public = |seed: u8| dalek(seed).verifying_key().to_bytes();
	let report = base();
	let signed = sign(1, &report, &GENESIS);
	let negative = ReportPayload { value: -42_000, ..report };
	let extreme = ReportPayload { value: i128::MIN, ..report };
	let shifted = ReportPayload { value: report.value + 1, ..report };
	let next_period = payload(0, 1, report.value);
	let other_feed = ReportPayload { feed: 1, ..report };
	let ok = KeyCheck::Ok;
	vec![
		(
			"valid",
			"an operator's report, signed over the domain-separated message",
			report,
			public(1),
			signed,
			expect(true, true, ok),
		),
		(
			"valid-negative-value",
			"a negative KPI (e.g. a change against a baseline): i128 two's complement, little-endian",
			negative,
			public(2),
			sign(2, &negative, &GENESIS),
			expect(true, true, ok),
		),
		(
			"valid-extreme-value",
			"i128::MIN pins the value's 16-byte encoding",
			extreme,
			public(3),
			sign(3, &extreme, &GENESIS),
			expect(true, true, ok),
		),
		(
			"value-changed-after-signing",
			"the value was altered by one unit after signing",
			shifted,
			public(1),
			signed,
			expect(false, false, ok),
		),
		(
			"replayed-from-another-chain",
			"signed for a chain with another genesis hash",
			report,
			public(1),
			sign(1, &report, &H256::repeat_byte(7)),
			expect(false, false, ok),
		),
		(
			"replayed-for-another-period",
			"period 0's signature presented with period 1's report",
			next_period,
			public(1),
			signed,
			expect(false, false, ok),
		),
		(
			"replayed-for-another-feed",
			"feed 0's signature presented with feed 1's report",
			other_feed,
			public(1),
			signed,
			expect(false, false, ok),
		),
		(
			"wrong-key",
			"signed by operator 1's key, presented with operator 2's",
			report,
			public(2),
			signed,
			expect(false, false, ok),
		),
		(
			"s-not-canonical",
			"a valid signature with L added to S: both sides require S < L",
			report,
			public(1),
			add_order(signed),
			expect(false, false, ok),
		),
		(
			"small-order-key-trivial-signature",
			"key = the identity point, R = identity, S = 0: ZIP 215 accepts it for every message, \
			 verify_strict refuses it; the pallet refuses such keys at registration",
			report,
			IDENTITY,
			trivial(IDENTITY),
			expect(true, false, KeyCheck::SmallOrder),
		),
		(
			"non-canonical-r",
			"as above with R encoded non-canonically (y = p + 1): ZIP 215 accepts non-canonical R",
			report,
			IDENTITY,
			trivial(IDENTITY_NON_CANONICAL),
			expect(true, false, KeyCheck::SmallOrder),
		),
		(
			"non-canonical-key",
			"the identity key encoded non-canonically (y = p + 1): ZIP 215 accepts it, \
			 verify_strict refuses it; the pallet refuses non-canonical keys at registration",
			report,
			IDENTITY_NON_CANONICAL,
			trivial(IDENTITY),
			expect(true, false, KeyCheck::NonCanonical),
		),
	]
}

fn build() -> VectorFile {
	let vectors = cases()
		.into_iter()
		.map(|(name, note, report, key, signature, expected)| Vector {
			name: name.into(),
			note: note.into(),
			report: to_json(&report),
			message: hex::encode(report.signing_payload(&GENESIS)),
			public_key: hex::encode(key),
			signature: hex::encode(signature),
			expected,
		})
		.collect();
	VectorFile {
		description: "CityBond KPI report signatures: ed25519-dalek (off chain) against \
		              sp_io::crypto::ed25519_verify (on chain). See src/vectors.rs."
			.into(),
		genesis_hash: hex::encode(GENESIS),
		vectors,
	}
}

fn read_file() -> VectorFile {
	let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE))
		.expect("the agreement vector file");
	serde_json::from_str(&text).expect("valid vector file")
}

fn bytes<const N: usize>(text: &str) -> [u8; N] {
	hex::decode(text).unwrap().try_into().unwrap()
}

/// Rewrites the vector file from [`cases`]. Run on purpose:
/// `cargo test -p pallet-citybond-kpi-oracle regenerate_agreement_vectors -- --ignored`.
#[test]
#[ignore]
fn regenerate_agreement_vectors() {
	let json = serde_json::to_string_pretty(&build()).unwrap();
	std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE), json + "\n")
		.unwrap();
}

#[test]
fn agreement_vector_file_matches_the_cases() {
	// Anything changing the message layout or a case shows up here before it reaches the oracle.
	let file = read_file();
	let built = build();
	assert_eq!(file.genesis_hash, built.genesis_hash);
	let names: Vec<_> = file.vectors.iter().map(|v| v.name.as_str()).collect();
	assert_eq!(names, built.vectors.iter().map(|v| v.name.as_str()).collect::<Vec<_>>());
	for (stored, fresh) in file.vectors.iter().zip(&built.vectors) {
		assert_eq!(stored.message, fresh.message, "{}: message bytes", stored.name);
		assert_eq!(stored.signature, fresh.signature, "{}: signature", stored.name);
		assert_eq!(stored.public_key, fresh.public_key, "{}: key", stored.name);
		assert_eq!(stored.expected, fresh.expected, "{}: expectations", stored.name);
	}
}

#[test]
fn agreement_vectors_verify_on_chain_and_off_chain_as_stated() {
	let file = read_file();
	assert!(file.vectors.len() >= 10);
	new_test_ext().execute_with(|| {
		assert_eq!(KpiOracle::genesis_hash(), GENESIS, "the mock's genesis hash");
		for vector in &file.vectors {
			let name = &vector.name;
			let report = from_json(&vector.report);
			let message = hex::decode(&vector.message).unwrap();
			assert_eq!(KpiOracle::report_message(&report), message, "{name}: message layout");

			let key: [u8; 32] = bytes(&vector.public_key);
			let signature: [u8; 64] = bytes(&vector.signature);
			let on_chain = sp_io::crypto::ed25519_verify(
				&ed25519::Signature::from_raw(signature),
				&message,
				&ed25519::Public::from_raw(key),
			);
			assert_eq!(on_chain, vector.expected.sp_io_ed25519_verify, "{name}: sp_io");

			let off_chain = VerifyingKey::from_bytes(&key)
				.map(|key| key.verify_strict(&message, &Signature::from_bytes(&signature)).is_ok())
				.unwrap_or(false);
			assert_eq!(off_chain, vector.expected.dalek_verify_strict, "{name}: dalek");

			assert_eq!(key_check(&key), vector.expected.operator_key, "{name}: key check");
			assert_eq!(
				vector.expected.pallet_accepts,
				on_chain && key_check(&key) == KeyCheck::Ok,
				"{name}: pallet_accepts follows from the other three"
			);
			// Wherever the pallet can hold the key, both sides agree.
			if vector.expected.operator_key == KeyCheck::Ok {
				assert_eq!(on_chain, off_chain, "{name}: the libraries disagree on a valid key");
			}
		}
	});
}

#[test]
fn agreement_vectors_are_accepted_or_refused_by_the_pallet_as_stated() {
	for vector in read_file().vectors {
		build_and_execute(|| {
			let report = from_json(&vector.report);
			let key = ed25519::Public::from_raw(bytes(&vector.public_key));
			let signature = ed25519::Signature::from_raw(bytes(&vector.signature));
			let mut spec = spec(&[OPERATOR_B, OPERATOR_C], 3);
			spec.params.min_value = i128::MIN;
			if vector.expected.operator_key != KeyCheck::Ok {
				// The key never gets in, so no report under it can count.
				spec.operators.try_push((OPERATOR_A, key)).unwrap();
				assert_noop!(
					KpiOracle::create_feed(RuntimeOrigin::root(), Box::new(spec)),
					match vector.expected.operator_key {
						KeyCheck::SmallOrder => Error::<Test>::WeakKey,
						_ => Error::<Test>::NonCanonicalKey,
					}
				);
				return;
			}
			// Operator A holds the vector's key on feeds 0 and 1 (for the replay case).
			for _ in 0..2 {
				let mut spec = spec.clone();
				spec.operators.try_push((OPERATOR_A, key)).unwrap();
				create(spec);
			}
			Now::set(period_end(report.period) + HOUR);
			let submit = || {
				KpiOracle::submit_report(
					RuntimeOrigin::signed(RELAYER),
					Box::new(report),
					key,
					signature,
				)
			};
			if vector.expected.pallet_accepts {
				assert_ok!(submit());
				let verified = KpiOracle::verify_report(report.feed, report.period, &OPERATOR_A);
				assert_eq!(verified, Some(true), "{}", vector.name);
			} else {
				assert_noop!(submit(), Error::<Test>::InvalidSignature);
			}
		});
	}
}
