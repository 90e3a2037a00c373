//! The signed report: the pallet's `ReportPayload`, the message operators sign, ed25519 key files,
//! and the JSON form the oracle prints and relays.
//!
//! The message is `pallet_citybond_kpi_oracle::ReportPayload::signing_payload`: the SCALE
//! encoding of `(b"CITYBOND/KPI/v1", genesis_hash, payload)`, 151 bytes. The agreement vectors
//! of the pallet (`runtime/pallets/kpi-oracle/vectors/report-signatures.json`) pin it; the tests
//! here check this encoding and signatures against every vector.

use codec::{Decode, Encode};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::{io::Write, path::Path};

/// The domain tag opening every message (`pallet_citybond_kpi_oracle::REPORT_TAG`).
pub const REPORT_TAG: [u8; 15] = *b"CITYBOND/KPI/v1";

/// `pallet_citybond_kpi_oracle::ReportPayload`, field for field.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct ReportPayload {
	/// The feed.
	pub feed: u32,
	/// The period.
	pub period: u32,
	/// The value with the feed's decimals.
	pub value: i128,
	/// Window start (inclusive), ms.
	pub window_start: u64,
	/// Window end (exclusive), ms.
	pub window_end: u64,
	/// Hash of the source data.
	pub payload_hash: [u8; 32],
	/// Hash of the device ids.
	pub devices_hash: [u8; 32],
}

impl ReportPayload {
	/// The exact bytes signed for a chain with `genesis_hash`.
	pub fn signing_payload(&self, genesis_hash: &[u8; 32]) -> Vec<u8> {
		(REPORT_TAG, genesis_hash, self).encode()
	}
}

/// A report with its key and signature, as printed by `run --dry-run` and read by `submit`.
/// Integers too large for JSON numbers are decimal strings; bytes are hex.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SignedReport {
	/// The feed.
	pub feed: u32,
	/// The period.
	pub period: u32,
	/// The fixed-point value, as a decimal string.
	pub value: String,
	/// Window start, ms.
	pub window_start: u64,
	/// Window end, ms.
	pub window_end: u64,
	/// Hex.
	pub payload_hash: String,
	/// Hex.
	pub devices_hash: String,
	/// The operator's ed25519 public key, hex.
	pub public_key: String,
	/// The signature, hex.
	pub signature: String,
	/// The genesis hash signed for, hex.
	pub genesis_hash: String,
}

/// Why a report or key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	/// The key file could not be read or written.
	#[error("key file {path}: {source}")]
	Io {
		/// The file.
		path: String,
		/// The error.
		source: std::io::Error,
	},
	/// The key file is readable by others.
	#[error(
		"key file {path} has mode {mode:o}: it must not be readable by group or others (chmod 600)"
	)]
	Permissions {
		/// The file.
		path: String,
		/// Its mode.
		mode: u32,
	},
	/// The key file does not hold a key.
	#[error("key file {path} does not hold a 32-byte hex ed25519 secret key")]
	Malformed {
		/// The file.
		path: String,
	},
	/// The key file exists already.
	#[error("key file {path} exists already; refusing to overwrite it")]
	Exists {
		/// The file.
		path: String,
	},
	/// A field of a signed report is malformed.
	#[error("malformed report: {0}")]
	Report(String),
}

/// An operator's ed25519 signing key. Its `Debug` never shows the secret.
pub struct OperatorKey(SigningKey);

impl std::fmt::Debug for OperatorKey {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "OperatorKey({})", self.public_hex())
	}
}

impl OperatorKey {
	/// A key from a 32-byte secret.
	pub fn from_secret(secret: [u8; 32]) -> Self {
		Self(SigningKey::from_bytes(&secret))
	}

	/// A fresh key from the operating system's randomness.
	pub fn generate() -> Result<Self, KeyError> {
		let mut secret = [0u8; 32];
		let io = |source| KeyError::Io { path: "/dev/urandom".into(), source };
		let mut random = std::fs::File::open("/dev/urandom").map_err(io)?;
		std::io::Read::read_exact(&mut random, &mut secret).map_err(io)?;
		Ok(Self::from_secret(secret))
	}

	/// The public key.
	pub fn public(&self) -> [u8; 32] {
		self.0.verifying_key().to_bytes()
	}

	/// The public key, hex.
	pub fn public_hex(&self) -> String {
		hex::encode(self.public())
	}

	/// Writes the key (hex secret, one line) to a new file with mode 0600.
	pub fn write(&self, path: &Path) -> Result<(), KeyError> {
		use std::os::unix::fs::OpenOptionsExt;
		let io = |source: std::io::Error| {
			if source.kind() == std::io::ErrorKind::AlreadyExists {
				KeyError::Exists { path: path.display().to_string() }
			} else {
				KeyError::Io { path: path.display().to_string(), source }
			}
		};
		let mut file = std::fs::OpenOptions::new()
			.write(true)
			.create_new(true)
			.mode(0o600)
			.open(path)
			.map_err(io)?;
		writeln!(file, "{}", hex::encode(self.0.to_bytes())).map_err(io)?;
		Ok(())
	}

	/// Reads a key file, refusing one that group or others may read.
	pub fn read(path: &Path) -> Result<Self, KeyError> {
		use std::os::unix::fs::PermissionsExt;
		let display = path.display().to_string();
		let io = |source| KeyError::Io { path: display.clone(), source };
		let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
		if mode & 0o077 != 0 {
			return Err(KeyError::Permissions { path: display, mode: mode & 0o777 });
		}
		let text = std::fs::read_to_string(path).map_err(io)?;
		let secret: [u8; 32] = hex::decode(text.trim())
			.ok()
			.and_then(|bytes| bytes.try_into().ok())
			.ok_or(KeyError::Malformed { path: display })?;
		Ok(Self::from_secret(secret))
	}

	/// Signs `payload` for the chain with `genesis_hash`.
	pub fn sign(&self, payload: &ReportPayload, genesis_hash: &[u8; 32]) -> SignedReport {
		let signature = self.0.sign(&payload.signing_payload(genesis_hash));
		SignedReport::new(payload, &self.public(), &signature.to_bytes(), genesis_hash)
	}
}

fn hex_array<const N: usize>(field: &str, text: &str) -> Result<[u8; N], KeyError> {
	hex::decode(text.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| KeyError::Report(format!("{field} is not {N} hex bytes")))
}

impl SignedReport {
	/// The JSON form of a payload with its key and signature.
	pub fn new(
		payload: &ReportPayload,
		public_key: &[u8; 32],
		signature: &[u8; 64],
		genesis_hash: &[u8; 32],
	) -> Self {
		Self {
			feed: payload.feed,
			period: payload.period,
			value: payload.value.to_string(),
			window_start: payload.window_start,
			window_end: payload.window_end,
			payload_hash: hex::encode(payload.payload_hash),
			devices_hash: hex::encode(payload.devices_hash),
			public_key: hex::encode(public_key),
			signature: hex::encode(signature),
			genesis_hash: hex::encode(genesis_hash),
		}
	}

	/// The payload.
	pub fn payload(&self) -> Result<ReportPayload, KeyError> {
		Ok(ReportPayload {
			feed: self.feed,
			period: self.period,
			value: self
				.value
				.parse()
				.map_err(|_| KeyError::Report(format!("value {:?} is not an i128", self.value)))?,
			window_start: self.window_start,
			window_end: self.window_end,
			payload_hash: hex_array("payload_hash", &self.payload_hash)?,
			devices_hash: hex_array("devices_hash", &self.devices_hash)?,
		})
	}

	/// The public key bytes.
	pub fn key(&self) -> Result<[u8; 32], KeyError> {
		hex_array("public_key", &self.public_key)
	}

	/// The signature bytes.
	pub fn signature_bytes(&self) -> Result<[u8; 64], KeyError> {
		hex_array("signature", &self.signature)
	}

	/// The genesis hash bytes.
	pub fn genesis(&self) -> Result<[u8; 32], KeyError> {
		hex_array("genesis_hash", &self.genesis_hash)
	}

	/// Whether the signature verifies (strictly, as the API's auditor view checks it) for the
	/// chain with `genesis_hash`.
	pub fn verify(&self, genesis_hash: &[u8; 32]) -> Result<bool, KeyError> {
		let message = self.payload()?.signing_payload(genesis_hash);
		let Ok(key) = VerifyingKey::from_bytes(&self.key()?) else { return Ok(false) };
		let signature = Signature::from_bytes(&self.signature_bytes()?);
		Ok(key.verify_strict(&message, &signature).is_ok())
	}
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
	use super::*;
	use serde_json::Value as Json;

	fn vectors() -> Json {
		let path = Path::new(env!("CARGO_MANIFEST_DIR"))
			.join("../runtime/pallets/kpi-oracle/vectors/report-signatures.json");
		let text = std::fs::read_to_string(&path).expect("the pallet's agreement vectors");
		serde_json::from_str(&text).unwrap()
	}

	fn text<'a>(json: &'a Json, field: &str) -> &'a str {
		json[field].as_str().unwrap_or_else(|| panic!("{field} is a string"))
	}

	#[test]
	fn message_encoding_and_signatures_agree_with_every_pallet_vector() {
		let file = vectors();
		let genesis: [u8; 32] = hex_array("genesis", text(&file, "genesis_hash")).unwrap();
		let cases = file["vectors"].as_array().unwrap();
		assert!(cases.len() >= 10, "the vector file has its cases");
		for case in cases {
			let name = text(case, "name");
			let report = &case["report"];
			let signed = SignedReport {
				feed: report["feed"].as_u64().unwrap().try_into().unwrap(),
				period: report["period"].as_u64().unwrap().try_into().unwrap(),
				value: text(report, "value").into(),
				window_start: report["window_start"].as_u64().unwrap(),
				window_end: report["window_end"].as_u64().unwrap(),
				payload_hash: text(report, "payload_hash").into(),
				devices_hash: text(report, "devices_hash").into(),
				public_key: text(case, "public_key").into(),
				signature: text(case, "signature").into(),
				genesis_hash: hex::encode(genesis),
			};
			let payload = signed.payload().unwrap();
			assert_eq!(
				hex::encode(payload.signing_payload(&genesis)),
				text(case, "message"),
				"{name}: message bytes"
			);
			let expected = case["expected"]["dalek_verify_strict"].as_bool().unwrap();
			assert_eq!(signed.verify(&genesis).unwrap(), expected, "{name}: verify_strict");
			// Where the vector is a valid report, the oracle's own signer produces exactly it:
			// the dalek key of seed 1, 2 or 3 (see the pallet's vectors.rs).
			if expected {
				let key = (1u8..=3)
					.map(|seed| OperatorKey::from_secret([seed; 32]))
					.find(|key| key.public_hex() == signed.public_key)
					.expect("a valid vector is signed by one of the seed keys");
				assert_eq!(key.sign(&payload, &genesis), signed, "{name}: the oracle's signature");
			}
		}
	}

	#[test]
	fn key_files_are_private_and_round_trip() {
		use std::os::unix::fs::PermissionsExt;
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("operator.key");
		let key = OperatorKey::generate().unwrap();
		key.write(&path).unwrap();
		let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
		assert_eq!(mode, 0o600);
		assert_eq!(OperatorKey::read(&path).unwrap().public(), key.public());
		assert!(matches!(key.write(&path), Err(KeyError::Exists { .. })));
		std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
		assert!(matches!(OperatorKey::read(&path), Err(KeyError::Permissions { mode: 0o640, .. })));
		assert!(!format!("{key:?}").contains(&hex::encode(key.0.to_bytes())), "no secret in Debug");
	}
}
