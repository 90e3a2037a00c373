//! What the indexer extracts from one finalized block, independent of how it was read: the
//! chain follower (`indexer`) builds it from subxt, tests build it by hand, and `store` writes
//! it in one transaction.

use serde::Serialize;
use serde_json::Value as Json;

/// One finalized block's data.
#[derive(Debug, Clone, Serialize)]
pub struct BlockData {
	/// Block number.
	pub number: u64,
	/// Block hash, 0x-hex.
	pub hash: String,
	/// Parent hash, 0x-hex.
	pub parent_hash: String,
	/// `Timestamp.Now` in this block (0 at genesis).
	pub timestamp_ms: u64,
	/// The events the indexer understood, in the block's order.
	pub events: Vec<ChainEvent>,
}

/// An event with where it happened.
#[derive(Debug, Clone, Serialize)]
pub struct ChainEvent {
	/// Its index among the block's events (-1 and below: synthetic rows read from genesis
	/// storage, which has no events).
	pub index: i64,
	/// The extrinsic that emitted it, if any.
	pub extrinsic: Option<u32>,
	/// What happened.
	pub body: EventBody,
}

/// The events the indexer understands.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EventBody {
	/// Identity registry.
	Identity(IdentityEvent),
	/// KPI oracle.
	Kpi(KpiEvent),
	/// `Contracts.Instantiated`.
	Instantiated(Instantiated),
	/// `Contracts.ContractEmitted` of a known contract, decoded from its metadata.
	Contract(ContractEvent),
}

impl EventBody {
	/// `(pallet, event name)` for the audit log.
	pub fn names(&self) -> (&'static str, String) {
		match self {
			EventBody::Identity(e) => ("Identity", e.name().to_string()),
			EventBody::Kpi(e) => ("KpiOracle", e.name().to_string()),
			EventBody::Instantiated(_) => ("Contracts", "Instantiated".to_string()),
			EventBody::Contract(e) => ("Contracts", format!("ContractEmitted.{}", e.name)),
		}
	}
}

/// An identity registry event, or a genesis identity read from storage.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event")]
pub enum IdentityEvent {
	/// `IdentityRegistered`, `RegistrarAppointed`, or a genesis identity (`Genesis`).
	Registered {
		/// Which of the three.
		source: String,
		/// The account, 0x-hex.
		account: String,
		/// The status (`Active` except for genesis records).
		status: String,
		/// Role bits.
		roles: u8,
		/// LEI, ASCII.
		lei: Option<String>,
		/// ISO 3166-1 alpha-2.
		jurisdiction: String,
		/// Investor category.
		category: Option<String>,
	},
	/// `RolesSet` or `RegistrarRemoved`.
	RolesSet {
		/// The account.
		account: String,
		/// New role bits.
		roles: u8,
		/// New category (`RegistrarRemoved` keeps the old one: `None` with `keep_category`).
		category: Option<String>,
		/// Whether the category stays as it was.
		keep_category: bool,
	},
	/// `IdentitySuspended`, `IdentityReactivated`, `IdentityRevoked`.
	StatusSet {
		/// The account.
		account: String,
		/// `Suspended`, `Active` or `Revoked`.
		status: String,
	},
	/// `ClaimAdded` (or a genesis claim) and `ClaimRevoked`.
	Claim {
		/// The account.
		account: String,
		/// The registrar.
		registrar: String,
		/// `Kyc`, `Accreditation`, `Residency` or `Custom:<id>`.
		kind: String,
		/// Expiry, ms (unchanged on revocation: `None`).
		expiry_ms: Option<u64>,
		/// Revoked.
		revoked: bool,
	},
}

impl IdentityEvent {
	/// The event's name in the audit log.
	pub fn name(&self) -> &str {
		match self {
			IdentityEvent::Registered { source, .. } => source,
			IdentityEvent::RolesSet { keep_category: true, .. } => "RegistrarRemoved",
			IdentityEvent::RolesSet { .. } => "RolesSet",
			IdentityEvent::StatusSet { status, .. } => match status.as_str() {
				"Suspended" => "IdentitySuspended",
				"Revoked" => "IdentityRevoked",
				_ => "IdentityReactivated",
			},
			IdentityEvent::Claim { revoked: true, .. } => "ClaimRevoked",
			IdentityEvent::Claim { .. } => "ClaimAdded",
		}
	}
}

/// A KPI oracle event.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event")]
pub enum KpiEvent {
	/// `FeedCreated`, with the metadata read from storage.
	FeedCreated(Box<Feed>),
	/// `OperatorAdded`, `KeyRotated` (the new key) or `OperatorRetired` (no key).
	OperatorKey {
		/// Which event.
		source: String,
		/// Feed.
		feed: u32,
		/// Operator account.
		operator: String,
		/// Its ed25519 key, 0x-hex; `None` for a retirement.
		key: Option<String>,
		/// First period it applies to.
		from_period: u32,
	},
	/// `ReportAccepted`, with the signature read from storage.
	Report(Box<Report>),
	/// `KpiProvisional`, `KpiAttested`, `KpiDisputed`, `KpiFinalized`, `KpiMissing`,
	/// `DisputeResolved`.
	Transition {
		/// Which event.
		kind: String,
		/// Feed.
		feed: u32,
		/// Period.
		period: u32,
		/// New status (`None` for an attestation).
		status: Option<String>,
		/// Value, as a decimal integer string in the feed's fixed point.
		value: Option<String>,
		/// The auditor, for attestations and disputes.
		actor: Option<String>,
		/// The event's other fields.
		detail: Json,
	},
}

impl KpiEvent {
	/// The event's name in the audit log.
	pub fn name(&self) -> &str {
		match self {
			KpiEvent::FeedCreated(_) => "FeedCreated",
			KpiEvent::OperatorKey { source, .. } => source,
			KpiEvent::Report(_) => "ReportAccepted",
			KpiEvent::Transition { kind, .. } => kind,
		}
	}
}

/// A feed's metadata and rules.
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
	/// Feed id.
	pub feed: u32,
	/// Owner (`None`: governance).
	pub owner: Option<String>,
	/// Description, UTF-8 (lossy).
	pub description: String,
	/// NGSI-LD entity.
	pub entity_id: String,
	/// NGSI-LD attribute.
	pub attribute: String,
	/// UN/CEFACT unit.
	pub unit: String,
	/// Decimals of the fixed-point values.
	pub decimals: u8,
	/// Start of period 0, ms.
	pub first_start_ms: u64,
	/// Period length, ms.
	pub period_ms: u64,
	/// Reports needed.
	pub quorum: u32,
	/// How long after a period reports are accepted, ms.
	pub max_report_age_ms: u64,
	/// Challenge window, ms.
	pub challenge_window_ms: u64,
	/// Smallest plausible value.
	pub min_value: String,
	/// Largest plausible value.
	pub max_value: String,
}

/// An accepted KPI report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
	/// Feed.
	pub feed: u32,
	/// Period.
	pub period: u32,
	/// Operator.
	pub operator: String,
	/// Who submitted it.
	pub submitter: String,
	/// The key it was signed with.
	pub key: String,
	/// Value (decimal integer string).
	pub value: String,
	/// Measurement window start, ms.
	pub window_start_ms: u64,
	/// Measurement window end, ms.
	pub window_end_ms: u64,
	/// Hash of the off-chain payload.
	pub payload_hash: String,
	/// Hash of the device list.
	pub devices_hash: String,
	/// The ed25519 signature, 0x-hex, from storage (`None` if it could not be read).
	pub signature: Option<String>,
	/// Reports in for the period so far.
	pub readings: u32,
}

/// `Contracts.Instantiated`.
#[derive(Debug, Clone, Serialize)]
pub struct Instantiated {
	/// The deployer.
	pub deployer: String,
	/// The new contract.
	pub contract: String,
	/// `green_bond`, `cash_token` or `other`, from its code hash.
	pub kind: String,
	/// Its code hash, if read.
	pub code_hash: Option<String>,
}

/// A decoded ink! event.
#[derive(Debug, Clone, Serialize)]
pub struct ContractEvent {
	/// The emitting contract.
	pub contract: String,
	/// `green_bond` or `cash_token`.
	pub kind: String,
	/// The event's label in the metadata.
	pub name: String,
	/// Its fields, decoded with the metadata.
	pub fields: Json,
	/// For a `BondCreated`: the terms and schedule read by a dry run in this block.
	pub bond: Option<BondSnapshot>,
}

/// Terms and schedule of a new bond.
#[derive(Debug, Clone, Serialize)]
pub struct BondSnapshot {
	/// `terms()`.
	pub terms: Json,
	/// `schedule(0, periods)`.
	pub schedule: Json,
}
