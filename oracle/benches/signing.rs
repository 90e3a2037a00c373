//! Signing and verification throughput of the oracle's own code path against raw ed25519-dalek
//! on the same 151-byte message (issue #7; goal: the oracle at least 0.8x raw dalek).
//!
//! - `sign/oracle`: [`OperatorKey::sign`]: the report message built with the oracle's SCALE
//!   encoding ([`ReportPayload::signing_payload`]), signed, and the [`SignedReport`] (hex fields)
//!   the oracle stores, prints and submits;
//! - `sign/dalek`: `SigningKey::sign` of the same, already encoded, message;
//! - `verify/oracle`: [`SignedReport::verify`], as an auditor checks a report from its JSON
//!   form: hex decoded, message rebuilt, key decompressed, `verify_strict`;
//! - `verify/dalek`: `VerifyingKey::verify_strict` of the encoded message with a decoded key;
//!   `verify/dalek_key_from_bytes` adds the key's decompression, which the oracle path pays too.
//!
//! `cargo bench -p citybond-oracle --bench signing`

// A benchmark: failures to set it up are bugs, and panics say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use citybond_oracle::report::{OperatorKey, ReportPayload, SignedReport};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// A report as the oracle signs it: period 41 of feed 3, a value with three decimals.
fn payload() -> ReportPayload {
	ReportPayload {
		feed: 3,
		period: 41,
		value: 147_512,
		window_start: 1_795_000_000_000,
		window_end: 1_795_000_006_000,
		payload_hash: [0xab; 32],
		devices_hash: [0xcd; 32],
	}
}

const GENESIS: [u8; 32] = [0x42; 32];
const SECRET: [u8; 32] = [1; 32];

fn signing(c: &mut Criterion) {
	let payload = payload();
	let message = payload.signing_payload(&GENESIS);
	assert_eq!(message.len(), 151, "the pallet's message is 151 bytes");
	let oracle_key = OperatorKey::from_secret(SECRET);
	let dalek_key = SigningKey::from_bytes(&SECRET);
	let signed = oracle_key.sign(&payload, &GENESIS);
	// The same bytes signed the same way: the two paths are comparable.
	let raw = dalek_key.sign(&message);
	assert_eq!(signed.signature, hex::encode(raw.to_bytes()));
	assert!(signed.verify(&GENESIS).unwrap());

	let mut group = c.benchmark_group("sign");
	group.throughput(Throughput::Elements(1));
	group.bench_function("oracle", |b| {
		b.iter(|| -> SignedReport { oracle_key.sign(black_box(&payload), black_box(&GENESIS)) })
	});
	group.bench_function("dalek", |b| {
		b.iter(|| -> Signature { dalek_key.sign(black_box(&message)) })
	});
	group.finish();

	let verifying_key = dalek_key.verifying_key();
	let public = verifying_key.to_bytes();
	let mut group = c.benchmark_group("verify");
	group.throughput(Throughput::Elements(1));
	group.bench_function("oracle", |b| {
		b.iter(|| -> bool { black_box(&signed).verify(black_box(&GENESIS)).unwrap() })
	});
	group.bench_function("dalek", |b| {
		b.iter(|| -> bool {
			black_box(&verifying_key).verify_strict(black_box(&message), black_box(&raw)).is_ok()
		})
	});
	group.bench_function("dalek_key_from_bytes", |b| {
		b.iter(|| -> bool {
			let key = VerifyingKey::from_bytes(black_box(&public)).unwrap();
			key.verify_strict(black_box(&message), black_box(&raw)).is_ok()
		})
	});
	group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
