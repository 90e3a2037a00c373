//! Types of the KPI oracle: feeds and their schedules, operators and their keys, the signed report
//! payload and its message, and the KPI record with its lifecycle.
//!
//! Everything an off-chain signer needs to produce the exact bytes the chain verifies lives here
//! and does not depend on a runtime: [`REPORT_TAG`], [`ReportPayload`] and
//! [`ReportPayload::signing_payload`], and the key checks [`check_operator_key`].

use crate::Config;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_core::{ed25519, H256};
use sp_runtime::Permill;

/// A moment in time: milliseconds since the Unix epoch, as read from `Config::Time`.
pub type Moment = u64;

/// The id of a feed, assigned in order from 0.
pub type FeedId = u32;

/// The index of a reporting period of a feed; period 0 starts at the feed's `first_start`.
pub type PeriodIndex = u32;

/// A KPI value: a fixed-point integer with the feed's `decimals` (value `12_345` with 3 decimals
/// is 12.345 units). Signed, so KPIs that are changes (e.g. emissions against a baseline) can be
/// negative.
pub type Value = i128;

/// An oracle operator's ed25519 public key.
pub type OperatorKey = ed25519::Public;

/// An ed25519 signature by an operator key over [`ReportPayload::signing_payload`].
pub type OperatorSignature = ed25519::Signature;

/// A UN/CEFACT Recommendation 20 unit code (e.g. `KWH`, `TNE`, `MTQ`, `P1`): two or three
/// uppercase letters or digits.
pub type UnitCode = BoundedVec<u8, ConstU32<3>>;

/// The domain tag that opens every signed report message: 15 ASCII bytes, encoded as they are.
///
/// A new message layout gets a new tag (`.../v2`), so a signature can never be read under
/// another layout.
pub const REPORT_TAG: [u8; 15] = *b"CITYBOND/KPI/v1";

/// The most decimals a feed may declare. `i128` holds about 1.7 * 10^38, which leaves 20 integer
/// digits at 18 decimals.
pub const MAX_DECIMALS: u8 = 18;

/// Who is acting on a feed: governance (`Config::GovernanceOrigin`) or a signed account.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Actor<AccountId> {
	/// `Config::GovernanceOrigin` admitted the origin.
	Governance,
	/// A signed account that governance does not admit.
	Signed(AccountId),
}

/// When a feed's periods run: period `i` is `[first_start + i * length, first_start + (i + 1) *
/// length)` in milliseconds since the Unix epoch.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct PeriodSchedule {
	/// When period 0 starts.
	pub first_start: Moment,
	/// How long every period is; never zero.
	pub length: Moment,
}

impl PeriodSchedule {
	/// When `period` starts, unless that is past `u64::MAX` milliseconds.
	pub fn start(&self, period: PeriodIndex) -> Option<Moment> {
		self.length.checked_mul(Moment::from(period))?.checked_add(self.first_start)
	}

	/// When `period` ends (exclusive): the start of the next one.
	pub fn end(&self, period: PeriodIndex) -> Option<Moment> {
		self.start(period)?.checked_add(self.length)
	}

	/// The first period that has not started at `now` (a period starts at its first
	/// millisecond): 0 before the schedule starts, else the one after [`Self::current`].
	/// Operator changes take effect from it at the earliest, never within a running period.
	pub fn first_unstarted(&self, now: Moment) -> PeriodIndex {
		if now < self.first_start {
			0
		} else {
			self.current(now).saturating_add(1)
		}
	}

	/// The period that contains `now`: 0 before the schedule starts, `PeriodIndex::MAX` past the
	/// last representable period.
	pub fn current(&self, now: Moment) -> PeriodIndex {
		match now.checked_sub(self.first_start) {
			None => 0,
			Some(elapsed) => elapsed
				.checked_div(self.length)
				.and_then(|period| PeriodIndex::try_from(period).ok())
				.unwrap_or(PeriodIndex::MAX),
		}
	}
}

/// What a feed measures, for people and indexers; the pallet only checks it is well formed.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct FeedMetadata<T: Config> {
	/// A description of the KPI, e.g. "Energy saved by the town hall retrofit".
	pub description: BoundedVec<u8, T::MaxDescriptionLen>,
	/// The NGSI-LD entity the digital twin reads, e.g. `urn:ngsi-ld:Building:town-hall`.
	pub entity_id: BoundedVec<u8, T::MaxEntityIdLen>,
	/// The NGSI-LD attribute of that entity, e.g. `energySaved`.
	pub attribute: BoundedVec<u8, T::MaxAttributeLen>,
	/// The unit of the value.
	pub unit: UnitCode,
	/// How many decimals the fixed-point value has; at most [`MAX_DECIMALS`].
	pub decimals: u8,
}

/// The rules a feed's reports and KPIs follow.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct FeedParams {
	/// The reporting periods.
	pub schedule: PeriodSchedule,
	/// How many operators' reports make a KPI (the `m` of `m` of `n`). The median of `m`
	/// reports is right as long as fewer than half of them are wrong, so choose `m >= 2f + 1`
	/// to tolerate `f` faulty operators.
	pub quorum: u32,
	/// A report is stale once this many milliseconds have passed since the end of its
	/// observation window. A period without a quorum when this much time has passed since its
	/// end is `Missing`. Never zero.
	pub max_report_age: Moment,
	/// The smallest plausible value.
	pub min_value: Value,
	/// The largest plausible value.
	pub max_value: Value,
	/// A report further than this fraction of the median's magnitude from the median is recorded
	/// as an outlier. With a median of 0, every value other than 0 is an outlier.
	pub outlier_tolerance: Permill,
	/// How long, in milliseconds from becoming `Provisional`, auditors may attest or dispute a
	/// KPI. Never zero.
	pub challenge_window: Moment,
}

impl FeedParams {
	/// When reports for `period` stop being accepted and, without a quorum, it becomes
	/// `Missing`: its end plus `max_report_age`.
	pub fn deadline(&self, period: PeriodIndex) -> Option<Moment> {
		self.schedule.end(period)?.checked_add(self.max_report_age)
	}

	/// Whether `value` lies within the plausible bounds (inclusive).
	pub fn in_bounds(&self, value: Value) -> bool {
		(self.min_value..=self.max_value).contains(&value)
	}

	/// Whether `value` deviates from `median` by more than the outlier tolerance.
	pub fn is_outlier(&self, value: Value, median: Value) -> bool {
		value.abs_diff(median) > self.outlier_tolerance.mul_floor(median.unsigned_abs())
	}
}

/// What an issuer (or governance) submits to create a feed.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct FeedSpec<T: Config> {
	/// What the feed measures.
	pub metadata: FeedMetadata<T>,
	/// The rules of its reports and KPIs.
	pub params: FeedParams,
	/// The operators from period 0 on, each an account holding the oracle-operator role and the
	/// ed25519 key it signs with.
	pub operators: BoundedVec<(T::AccountId, OperatorKey), T::MaxOperatorsPerFeed>,
}

/// A feed as stored.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct FeedInfo<T: Config> {
	/// The issuer that created it (for its bonds); `None` when governance created it. Either
	/// way only governance appoints and retires its operators.
	pub owner: Option<T::AccountId>,
	/// What it measures.
	pub metadata: FeedMetadata<T>,
	/// The rules of its reports and KPIs.
	pub params: FeedParams,
	/// How many operators it has ever had, retired ones included (the `n` of `m` of `n`, and
	/// the number of `FeedOperators` entries).
	pub operators: u32,
}

/// A key an operator signs with from `from_period` on, until a later entry replaces it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct KeyEpoch {
	/// The first period the key signs for.
	pub from_period: PeriodIndex,
	/// The key.
	pub key: OperatorKey,
}

/// An operator of a feed: its keys over time and, once retired, from when.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct OperatorInfo<T: Config> {
	/// Its keys, by strictly increasing `from_period`; never empty. Old entries stay so that
	/// the key of any past period can be told.
	pub keys: BoundedVec<KeyEpoch, T::MaxKeyHistory>,
	/// Its reports are refused for this period and later ones.
	pub retired_from: Option<PeriodIndex>,
}

impl<T: Config> OperatorInfo<T> {
	/// The key the operator signs `period` with, if it had one by then.
	pub fn key_for(&self, period: PeriodIndex) -> Option<OperatorKey> {
		self.keys.iter().rev().find(|epoch| epoch.from_period <= period).map(|epoch| epoch.key)
	}

	/// Whether the operator is retired for `period`.
	pub fn is_retired_for(&self, period: PeriodIndex) -> bool {
		self.retired_from.is_some_and(|from| period >= from)
	}
}

/// The fields an operator signs: one reading of one feed for one period.
///
/// The message signed is [`ReportPayload::signing_payload`]: the SCALE encoding of
/// `(REPORT_TAG, genesis_hash, payload)`, 151 bytes with a 32-byte genesis hash.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct ReportPayload {
	/// The feed reported on.
	pub feed: FeedId,
	/// The period reported on.
	pub period: PeriodIndex,
	/// The reading, with the feed's decimals.
	pub value: Value,
	/// Start of the observation window (inclusive), ms since the Unix epoch.
	pub window_start: Moment,
	/// End of the observation window (exclusive), ms since the Unix epoch.
	pub window_end: Moment,
	/// Hash of the source data the value was computed from (e.g. the NGSI-LD temporal query
	/// response), so an auditor can check the computation.
	pub payload_hash: H256,
	/// Hash of the list of device ids the readings came from.
	pub devices_hash: H256,
}

impl ReportPayload {
	/// The exact bytes an operator signs for a chain with `genesis_hash`: the SCALE encoding of
	/// `(REPORT_TAG, genesis_hash, self)`. With a 32-byte hash, that is (little-endian
	/// integers, no length prefixes):
	///
	/// | offset | bytes | field                                  |
	/// |-------:|------:|----------------------------------------|
	/// |      0 |    15 | `REPORT_TAG`, `b"CITYBOND/KPI/v1"`     |
	/// |     15 |    32 | genesis hash                           |
	/// |     47 |     4 | `feed` (`u32`)                         |
	/// |     51 |     4 | `period` (`u32`)                       |
	/// |     55 |    16 | `value` (`i128`, two's complement)     |
	/// |     71 |     8 | `window_start` (`u64`, ms)             |
	/// |     79 |     8 | `window_end` (`u64`, ms)               |
	/// |     87 |    32 | `payload_hash`                         |
	/// |    119 |    32 | `devices_hash`                         |
	///
	/// 151 bytes in all. The tag keeps these signatures apart from any other use of the key, the
	/// genesis hash from other chains, and feed and period from other feeds and periods.
	pub fn signing_payload<H: Encode>(&self, genesis_hash: &H) -> Vec<u8> {
		(REPORT_TAG, genesis_hash, self).encode()
	}
}

/// An accepted report, kept as evidence: anyone can verify it again against the key it names
/// (see `Pallet::verify_report`), whatever keys the operator uses later.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct StoredReport<T: Config> {
	/// What the operator signed.
	pub payload: ReportPayload,
	/// The key it signed with.
	pub key: OperatorKey,
	/// The signature.
	pub signature: OperatorSignature,
	/// The account that submitted it (the operator or a relayer).
	pub submitter: T::AccountId,
	/// When it was accepted.
	pub submitted_at: Moment,
}

/// One operator's reading in a period still collecting reports.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Reading<T: Config> {
	/// The operator.
	pub operator: T::AccountId,
	/// Its value.
	pub value: Value,
}

/// Where a KPI stands. `Final`, `Voided` and `Missing` are terminal.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum KpiStatus {
	/// A quorum reported; the value is the median; auditors may attest or dispute until the
	/// challenge window ends.
	Provisional,
	/// An auditor disputed it; governance decides.
	Disputed,
	/// Settled: the value holds.
	Final,
	/// Governance voided it: there is no value for the period.
	Voided,
	/// No quorum by the period's deadline: there is no value for the period. Bonds read this as
	/// their fallback trigger.
	Missing,
}

/// How governance resolves a dispute.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Resolution {
	/// The median stands: the KPI becomes `Final` with it.
	Uphold,
	/// The KPI becomes `Final` with this value instead (within the feed's bounds).
	Replace(Value),
	/// The KPI becomes `Voided`.
	Void,
}

/// An auditor's dispute of a KPI.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Dispute<T: Config> {
	/// The auditor.
	pub auditor: T::AccountId,
	/// Hash of the auditor's reasons, published off chain.
	pub reason_hash: H256,
	/// When it was raised.
	pub at: Moment,
}

/// The KPI of one period of one feed.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct KpiRecord<T: Config> {
	/// Where it stands.
	pub status: KpiStatus,
	/// The value that counts: the median, or governance's replacement. `None` when `Voided` or
	/// `Missing`.
	pub value: Option<Value>,
	/// The median of the reports that made the quorum; kept when governance replaces or voids
	/// the value. `None` when `Missing`.
	pub median: Option<Value>,
	/// How many reports made the quorum, or for `Missing` how many had arrived.
	pub readings: u32,
	/// The largest minus the smallest aggregated value (0 for `Missing`).
	pub spread: u128,
	/// The operators whose values lay outside the outlier tolerance around the median.
	pub outliers: BoundedVec<T::AccountId, T::MaxOperatorsPerFeed>,
	/// When it became `Provisional`, or for `Missing` the period's deadline.
	pub decided_at: Moment,
	/// When the challenge window ends (`decided_at` for `Missing`).
	pub challenge_end: Moment,
	/// The auditors that attested it, in order.
	pub attestations: BoundedVec<T::AccountId, T::MaxAttestations>,
	/// The dispute, if an auditor raised one.
	pub dispute: Option<Dispute<T>>,
	/// How governance resolved the dispute, once it has.
	pub resolution: Option<Resolution>,
}

impl<T: Config> KpiRecord<T> {
	/// The record of a period that had no quorum by its deadline, with `readings` reports.
	pub fn missing(readings: u32, deadline: Moment) -> Self {
		Self {
			status: KpiStatus::Missing,
			value: None,
			median: None,
			readings,
			spread: 0,
			outliers: BoundedVec::new(),
			decided_at: deadline,
			challenge_end: deadline,
			attestations: BoundedVec::new(),
			dispute: None,
			resolution: None,
		}
	}
}

/// A timed transition waiting in one of the queues: at `due`, look at `period` of `feed`.
///
/// Ordered by `due`, then feed, then period, so the queues are sorted by when work is due.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Scheduled {
	/// When the transition is due.
	pub due: Moment,
	/// The feed.
	pub feed: FeedId,
	/// The period.
	pub period: PeriodIndex,
}

/// The median of a non-empty sorted slice: the middle value of an odd count; for an even count,
/// the midpoint of the two middle values, a half unit rounded to the even neighbour (so neither
/// the lower nor the upper value is favoured, and no direction is on average). `None` for an
/// empty slice.
///
/// Collusion: with `k` of the `m` aggregated values from colluding operators, the median stays
/// within the range of the honest values while `k < m / 2` (one of three, one of four, two of
/// five...). With `k = m / 2` (an even `m`) the colluders can move it, but only half way from
/// the nearest honest value, in either direction alike; a lower median would have let them
/// set it outright downwards.
pub fn median(sorted: &[Value]) -> Option<Value> {
	let count = sorted.len();
	let upper = sorted.get(count.checked_div(2)?)?;
	if count % 2 == 1 {
		return Some(*upper);
	}
	let lower = sorted.get(count.checked_div(2)?.checked_sub(1)?)?;
	// Halves first, so the sum cannot overflow; the remainders say what was cut off.
	let halves = lower.div_euclid(2).checked_add(upper.div_euclid(2))?;
	match lower.rem_euclid(2).checked_add(upper.rem_euclid(2))? {
		0 => Some(halves),
		2 => halves.checked_add(1),
		// A half unit: to the even neighbour.
		_ if halves.rem_euclid(2) == 0 => Some(halves),
		_ => halves.checked_add(1),
	}
}

/// Why a 32-byte string is refused as an operator key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyError {
	/// Not the canonical encoding of a curve point (see [`is_canonical_point_encoding`]).
	NonCanonical,
	/// The canonical encoding of a point of small order (see [`SMALL_ORDER_POINTS`]).
	SmallOrder,
}

/// Checks that `key` may be registered as an operator key: a canonical point encoding that is
/// not of small order.
///
/// `sp_io::crypto::ed25519_verify` follows ZIP 215 (ed25519-zebra): it accepts non-canonical
/// encodings and small-order public keys, and under a small-order key the signature
/// `R = identity, S = 0` verifies for every message. So the chain refuses such keys when they
/// are registered, and verification only ever meets keys that ed25519-dalek's `verify_strict`
/// would accept as well. A key that is canonical but not on the curve passes this check and is
/// useless: no signature verifies under it.
pub fn check_operator_key(key: &[u8; 32]) -> Result<(), KeyError> {
	if !is_canonical_point_encoding(key) {
		return Err(KeyError::NonCanonical);
	}
	if SMALL_ORDER_POINTS.contains(key) {
		return Err(KeyError::SmallOrder);
	}
	Ok(())
}

/// Whether `bytes` can be the canonical encoding of an Edwards25519 point (RFC 8032, 5.1.2): the
/// y coordinate (the low 255 bits) is below p = 2^255 - 19, and the sign bit is clear when x is
/// 0, which happens exactly for y = 1 and y = p - 1.
pub fn is_canonical_point_encoding(bytes: &[u8; 32]) -> bool {
	let [low, middle @ .., high] = *bytes;
	let sign = high & 0x80 != 0;
	let high = high & 0x7f;
	// y >= p exactly when y is p..=2^255 - 1: 0xed..=0xff, then 30 bytes of 0xff, then 0x7f.
	let all_ones = middle.iter().all(|byte| *byte == 0xff);
	if low >= 0xed && all_ones && high == 0x7f {
		return false;
	}
	let y_is_one = low == 0x01 && middle.iter().all(|byte| *byte == 0) && high == 0;
	let y_is_minus_one = low == 0xec && all_ones && high == 0x7f;
	!(sign && (y_is_one || y_is_minus_one))
}

/// The canonical encodings of the eight points of small order on Edwards25519 (the 8-torsion
/// subgroup): the keys ed25519-dalek's `VerifyingKey::is_weak` flags, as listed in
/// ed25519-zebra's small-order test vectors and libsodium's blocklist. They are the identity
/// (order 1), (0, -1) (order 2), the two points with y = 0 (order 4) and four points of order 8;
/// each was checked to satisfy `[8]P = 0` and to re-encode to itself. Non-canonical encodings of
/// these points are refused as non-canonical.
pub const SMALL_ORDER_POINTS: [[u8; 32]; 8] = [
	// (0, 1): the identity, order 1.
	[
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00,
	],
	// (0, -1): order 2.
	[
		0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0x7f,
	],
	// (sqrt(-1), 0), x even: order 4.
	[
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00,
	],
	// (-sqrt(-1), 0), x odd: order 4.
	[
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x80,
	],
	// Order 8, x even.
	[
		0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
		0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
		0xfc, 0x05,
	],
	// Order 8, x odd.
	[
		0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
		0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
		0xfc, 0x85,
	],
	// Order 8, x even.
	[
		0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
		0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
		0x03, 0x7a,
	],
	// Order 8, x odd.
	[
		0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
		0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
		0x03, 0xfa,
	],
];
