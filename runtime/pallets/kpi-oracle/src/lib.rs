//! # CityBond KPI oracle
//!
//! Signed digital-twin readings in, one KPI per feed and period out: with a quorum, a median, the
//! provenance of every reading, a challenge window for auditors, and `Missing` as a first-class
//! outcome that bonds read as their fallback trigger.
//!
//! ## Overview
//!
//! A green bond's coupon moves with measured performance (energy saved, tonnes of CO2 avoided),
//! so the measurement is the asset's most contested number. Each KPI is a **feed**, registered
//! by the bond's issuer (or governance): what is measured (an NGSI-LD entity and attribute, a
//! UN/CEFACT unit, fixed-point decimals), a schedule of reporting **periods**, and a set of
//! **operators**, each an account holding the oracle-operator role and an ed25519 key.
//!
//! After a period closes, each operator signs a **report** off chain (value, observation
//! window, hashes of the source data and of the device list) and it is submitted here. The
//! signature is checked with `sp_io::crypto::ed25519_verify` over a domain-separated message
//! bound to this chain, the feed and the period ([`ReportPayload::signing_payload`]). When
//! `quorum` operators have reported, their median becomes the period's KPI, `Provisional`, with
//! its spread and outliers recorded. Auditors may attest or dispute it during the challenge
//! window; without a dispute it becomes `Final`. Governance resolves disputes: uphold, replace
//! or void. A period without a quorum by its deadline becomes `Missing`.
//!
//! ```text
//!                 quorum                 window ends, no dispute
//!   (collecting) ───────> Provisional ─────────────────────────────> Final
//!        │                    │ dispute (auditor)                      ^
//!        │ deadline           v                   uphold / replace     │
//!        │ without quorum  Disputed ───────────────────────────────────┘
//!        v                    │ void
//!     Missing                 v
//!                          Voided
//! ```
//!
//! ## Terminology
//!
//! - **Period**: `[first_start + i * length, first_start + (i + 1) * length)` in milliseconds
//!   since the Unix epoch ([`PeriodSchedule`]). It is **closed** once the clock reaches its end.
//! - **Report age**: the time since the end of the report's observation window. A report is
//!   **stale** once its age reaches the feed's `max_report_age`.
//! - **Deadline** of a period: its end plus `max_report_age`. No report for the period can be
//!   accepted from then on, so a period without a quorum by its deadline is `Missing`.
//! - **Quorum**: the `m` of "m of n": how many operators' reports make a KPI. `n` is the
//!   feed's operator count ([`FeedInfo::operators`]).
//! - **Median**: the middle value; for an even count, the midpoint of the two middle values,
//!   a half unit rounded to even ([`median`], which also says what collusion it withstands:
//!   fewer than half of the aggregated values cannot move it outside the honest ones' range).
//! - **Spread** and **outliers**: the largest minus the smallest aggregated value, and the
//!   operators whose value lies further from the median than `outlier_tolerance` times the
//!   median's magnitude ([`FeedParams::is_outlier`]).
//! - **Relayer**: whoever submits a report. Any signed account may: the ed25519 signature proves
//!   which operator wrote it, so the oracle service can run one submitter for many operators. The
//!   submitter is recorded next to the report; the runtime's identity extension already limits
//!   who can transact.
//! - **Governance**: whatever `Config::GovernanceOrigin` admits.
//!
//! ## Design
//!
//! - **Storage**: feeds in [`Feeds`] (counted, at most `MaxFeeds`); operators per feed in
//!   [`FeedOperators`] with their key history; [`KeyOwners`] binds each key to one account for
//!   good, so a key never changes hands and old reports keep their author. While a period
//!   collects, its readings (operator, value) sit in [`Rounds`] (at most `MaxOperatorsPerFeed`);
//!   each report with its signature is kept in [`Reports`] for good. The decided KPI is a
//!   [`KpiRecord`] in [`Kpis`]; the round is then removed.
//! - **One KPI per period, fixed at the quorum**: the KPI is computed when the `quorum`-th report
//!   arrives; later reports for the period are refused ([`Error::PeriodAlreadyDecided`]), so
//!   auditors attest and dispute a value that does not move.
//! - **Time**: `Config::Time` is a [`UnixTime`] (`pallet_timestamp` in the runtime); the pallet
//!   works in milliseconds since the Unix epoch ([`Moment`]), the unit of schedules, windows and
//!   ages. In `on_initialize` the timestamp is the parent block's, so a transition happens in the
//!   first block built after it is due. That keeps calls and transitions consistent: a report
//!   accepted at time `t` was before the deadline, and a deadline processed at `t` refuses every
//!   later report.
//! - **Deadlines, bounded**: two sorted queues of [`Scheduled`] transitions. [`DeadlineQueue`]
//!   holds exactly one entry per feed: the next period whose deadline has not been processed;
//!   processing it marks the period `Missing` unless it has a KPI and queues the next period.
//!   [`FinalizationQueue`] (at most `MaxPendingFinalizations`) holds the challenge-window ends
//!   of `Provisional` KPIs. `on_initialize` reads [`NextDue`] (the earliest due time) and, once
//!   it has passed, processes due entries in time order, at most `MaxTransitionsPerBlock` per
//!   block and at most one deadline per feed per block (a feed far behind, after an outage,
//!   catches up one period a block and cannot starve the others); the rest wait for the next
//!   block. Periods, report ages and challenge windows have minimums (`MinPeriodLength`, ...),
//!   so the work time creates is bounded by the feed count.
//! - **Reads never lag**: [`Pallet::kpi`] answers as of now: a `Provisional` KPI past its window
//!   reads `Final`, and a period past its deadline without a KPI reads `Missing`, whether or not
//!   the queues have caught up. When the finalization queue is full, or to record a due
//!   transition at once, anyone may call [`settle`](Pallet::settle).
//! - **Keys**: ed25519 as verified by `sp_io::crypto::ed25519_verify` (ed25519-zebra, ZIP 215).
//!   Non-canonical encodings and the eight small-order points are refused at registration
//!   ([`check_operator_key`]), because ZIP 215 accepts them and a small-order key verifies a
//!   trivial signature on every message. A key rotation takes effect from a given period on;
//!   reports keep the key they were signed with, so they stay verifiable
//!   ([`Pallet::verify_report`]).
//! - **Values** are `i128` fixed-point numbers with the feed's decimals; the pallet never uses
//!   floats, and all arithmetic is checked or saturating.
//!
//! ## Interface
//!
//! ### Permissionless (any signed account)
//!
//! - [`submit_report`](Pallet::submit_report): submit an operator's signed report.
//! - [`settle`](Pallet::settle): record a transition that is due (`Final` or `Missing`).
//! - [`remove_feed`](Pallet::remove_feed): remove a retired feed whose periods are all settled
//!   (its KPIs and reports stay); its owner's deposit goes back.
//!
//! ### Permissioned
//!
//! - [`create_feed`](Pallet::create_feed): an issuer creates a feed for its bonds, naming what
//!   is measured and the rules, but **no operators**: the party paid by a feed's numbers does
//!   not choose who measures them ([`Error::OperatorsAppointedByGovernance`]). The feed holds
//!   `FeedDeposit` from it until removed; an issuer owns at most `MaxFeedsPerOwner` feeds.
//! - [`retire_feed`](Pallet::retire_feed): the owner (or governance) ends a feed before a period
//!   that has not started. Bonds read its later periods as having no KPI: their fallback.
//! - [`rotate_key`](Pallet::rotate_key): the operator itself replaces its own key from a
//!   period that has not started. The feed's owner cannot.
//! - [`attest`](Pallet::attest), [`dispute`](Pallet::dispute): an auditor, during the window.
//!
//! ### Privileged (`Config::GovernanceOrigin`)
//!
//! - [`create_feed`](Pallet::create_feed) with its first operators (the feed has no owner).
//! - [`add_operator`](Pallet::add_operator), [`retire_operator`](Pallet::retire_operator):
//!   appoint and retire any feed's operators, from a period that has not started
//!   ([`PeriodSchedule::first_unstarted`]): a running period's operator set never changes.
//! - [`rotate_key`](Pallet::rotate_key) of any operator, under the same rule.
//! - [`resolve_dispute`](Pallet::resolve_dispute): uphold, replace or void a disputed KPI.
//!
//! A runtime that wants an independent verifier body rather than the council to appoint
//! operators admits it in `GovernanceOrigin` (for example a collective of verifiers).
//!
//! ### Reads (runtime API, chain extension)
//!
//! [`Pallet::kpi`], [`Pallet::feed`], [`Pallet::current_period`], [`Pallet::report`],
//! [`Pallet::verify_report`], [`Pallet::report_message`].
//!
//! ## Wiring
//!
//! The pallet does not depend on the identity registry; the runtime connects the roles:
//!
//! ```ignore
//! pub struct IdentityRoles;
//! impl pallet_citybond_kpi_oracle::RoleCheck<AccountId> for IdentityRoles {
//!     fn is_issuer(who: &AccountId) -> bool {
//!         Identity::has_role(who, pallet_citybond_identity::Role::Issuer)
//!     }
//!     fn is_auditor(who: &AccountId) -> bool {
//!         Identity::has_role(who, pallet_citybond_identity::Role::Auditor)
//!     }
//!     fn is_oracle_operator(who: &AccountId) -> bool {
//!         Identity::has_role(who, pallet_citybond_identity::Role::OracleOperator)
//!     }
//! }
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::{boxed::Box, vec, vec::Vec};
use frame_support::{
	dispatch::DispatchResult,
	ensure,
	traits::{
		fungible::{Inspect, InspectHold, MutateHold},
		tokens::Precision,
		EnsureOrigin, Get, UnixTime,
	},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{StaticLookup, Zero},
	DispatchError,
};

type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

/// The native balance a feed's deposit is held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The roles the oracle asks about. The runtime implements it on top of the identity registry
/// (see the crate docs); a role counts only while the identity is active.
pub trait RoleCheck<AccountId> {
	/// Whether `who` may create feeds (a bond issuer).
	fn is_issuer(who: &AccountId) -> bool;
	/// Whether `who` may attest and dispute KPIs.
	fn is_auditor(who: &AccountId) -> bool;
	/// Whether `who` may operate an oracle: be registered with a key, and have its reports count.
	fn is_oracle_operator(who: &AccountId) -> bool;
}

/// What the benchmarks need from the runtime: roles for generated accounts, and a clock to set.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `who` an issuer.
	fn make_issuer(who: &AccountId);
	/// Make `who` an auditor.
	fn make_auditor(who: &AccountId);
	/// Make `who` an oracle operator.
	fn make_oracle_operator(who: &AccountId);
	/// Set the time `Config::Time` reports, in ms since the Unix epoch.
	fn set_time(now: Moment);
}

// The FRAME macros expand `#[pallet::pallet]`, `#[pallet::storage]` and `#[pallet::error]` into
// metadata code that calls `expect`; clippy attributes it to these lines. The pallet's own logic
// lives outside this module (`impl<T: Config> Pallet<T>` below), where the lint applies.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Creates and manages any feed, and resolves disputes.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who is an issuer, an auditor or an oracle operator.
		type Roles: RoleCheck<Self::AccountId>;

		/// The overarching hold reason, which includes this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The native currency a feed's deposit is held in.
		type Currency: frame_support::traits::fungible::Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// What an issuer's feed holds from its owner until it is removed. Governance's feeds
		/// hold nothing.
		#[pallet::constant]
		type FeedDeposit: Get<BalanceOf<Self>>;

		/// The most feeds one issuer owns at once (retired ones count until removed).
		#[pallet::constant]
		type MaxFeedsPerOwner: Get<u32>;

		/// Wall-clock time. Usually `pallet_timestamp::Pallet<Runtime>`.
		type Time: UnixTime;

		/// The most feeds.
		#[pallet::constant]
		type MaxFeeds: Get<u32>;

		/// The most operators a feed ever has, retired ones included.
		#[pallet::constant]
		type MaxOperatorsPerFeed: Get<u32>;

		/// The most keys one operator of a feed has over time (the first one included).
		#[pallet::constant]
		type MaxKeyHistory: Get<u32>;

		/// The most auditor attestations one KPI records.
		#[pallet::constant]
		type MaxAttestations: Get<u32>;

		/// The most challenge-window ends queued at once. When full, KPIs still read `Final`
		/// after their window, and `settle` records it.
		#[pallet::constant]
		type MaxPendingFinalizations: Get<u32>;

		/// The most transitions (`Missing` or `Final`) `on_initialize` processes in one block.
		#[pallet::constant]
		type MaxTransitionsPerBlock: Get<u32>;

		/// The shortest period (ms). With at most `MaxFeeds` feeds, it bounds how many periods
		/// close per block, hence the deadline work time creates.
		#[pallet::constant]
		type MinPeriodLength: Get<Moment>;

		/// The shortest maximum report age (ms): reports need at least this long after a
		/// period's end to reach a block.
		#[pallet::constant]
		type MinReportAge: Get<Moment>;

		/// The shortest challenge window (ms): auditors need at least this long to dispute.
		#[pallet::constant]
		type MinChallengeWindow: Get<Moment>;

		/// The longest feed description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest NGSI-LD entity id, in bytes.
		#[pallet::constant]
		type MaxEntityIdLen: Get<u32>;

		/// The longest NGSI-LD attribute name, in bytes.
		#[pallet::constant]
		type MaxAttributeLen: Get<u32>;

		/// Weights of this pallet's calls and of its `on_initialize` work.
		type WeightInfo: WeightInfo;

		/// Sets up roles and time for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a feed an issuer created, returned when the feed is removed.
		FeedDeposit,
	}

	/// The id the next feed gets.
	#[pallet::storage]
	pub type NextFeedId<T: Config> = StorageValue<_, FeedId, ValueQuery>;

	/// The deposit each issuer-created feed holds from its owner ([`FeedInfo::owner`]).
	#[pallet::storage]
	pub type FeedDeposits<T: Config> =
		StorageMap<_, Twox64Concat, FeedId, BalanceOf<T>, OptionQuery>;

	/// How many feeds each issuer owns (until they are removed).
	#[pallet::storage]
	pub type OwnerFeedCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The first period a retired feed no longer has: it ends before it.
	#[pallet::storage]
	pub type FeedEnds<T: Config> = StorageMap<_, Twox64Concat, FeedId, PeriodIndex, OptionQuery>;

	/// How many of each feed's KPIs are disputed and not yet resolved.
	#[pallet::storage]
	pub type OpenDisputes<T: Config> = StorageMap<_, Twox64Concat, FeedId, u32, ValueQuery>;

	/// Every feed, by id.
	#[pallet::storage]
	pub type Feeds<T: Config> =
		CountedStorageMap<_, Twox64Concat, FeedId, FeedInfo<T>, OptionQuery>;

	/// The operators of each feed, retired ones included, with their key history.
	#[pallet::storage]
	pub type FeedOperators<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		FeedId,
		Blake2_128Concat,
		T::AccountId,
		OperatorInfo<T>,
		OptionQuery,
	>;

	/// The account each operator key was registered for. Never removed: a key belongs to one
	/// account for good.
	#[pallet::storage]
	pub type KeyOwners<T: Config> =
		StorageMap<_, Blake2_128Concat, OperatorKey, T::AccountId, OptionQuery>;

	/// The readings of periods that are collecting reports (no KPI yet).
	#[pallet::storage]
	pub type Rounds<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		FeedId,
		Twox64Concat,
		PeriodIndex,
		BoundedVec<Reading<T>, T::MaxOperatorsPerFeed>,
		ValueQuery,
	>;

	/// Every accepted report, by feed and period, then operator. Kept for good as evidence.
	#[pallet::storage]
	pub type Reports<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(FeedId, PeriodIndex),
		Blake2_128Concat,
		T::AccountId,
		StoredReport<T>,
		OptionQuery,
	>;

	/// The KPI of each decided period, as stored (see [`Pallet::kpi`] for the status as of now).
	#[pallet::storage]
	pub type Kpis<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		FeedId,
		Twox64Concat,
		PeriodIndex,
		KpiRecord<T>,
		OptionQuery,
	>;

	/// Each feed's next unprocessed period deadline, sorted by due time. One entry per feed.
	#[pallet::storage]
	pub type DeadlineQueue<T: Config> =
		StorageValue<_, BoundedVec<Scheduled, T::MaxFeeds>, ValueQuery>;

	/// The challenge-window ends of `Provisional` KPIs, sorted by due time.
	#[pallet::storage]
	pub type FinalizationQueue<T: Config> =
		StorageValue<_, BoundedVec<Scheduled, T::MaxPendingFinalizations>, ValueQuery>;

	/// The earliest due time in either queue; `None` when both are empty.
	#[pallet::storage]
	pub type NextDue<T: Config> = StorageValue<_, Moment, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A feed was created by `owner` (`None`: by governance) with these rules and
		/// `operators` operators, each announced by an `OperatorAdded`.
		FeedCreated {
			feed: FeedId,
			owner: Option<T::AccountId>,
			params: FeedParams,
			operators: u32,
		},
		/// An operator joined a feed, signing with `key` from `from_period` on.
		OperatorAdded {
			feed: FeedId,
			operator: T::AccountId,
			key: OperatorKey,
			from_period: PeriodIndex,
		},
		/// An operator was retired: its reports for `from_period` and later are refused.
		OperatorRetired { feed: FeedId, operator: T::AccountId, from_period: PeriodIndex },
		/// An operator's key was replaced from `from_period` on; `old_key` still signs the
		/// periods before.
		KeyRotated {
			feed: FeedId,
			operator: T::AccountId,
			old_key: OperatorKey,
			new_key: OperatorKey,
			from_period: PeriodIndex,
		},
		/// A report was verified and recorded; `readings` reports are now in for the period.
		ReportAccepted {
			feed: FeedId,
			period: PeriodIndex,
			operator: T::AccountId,
			submitter: T::AccountId,
			key: OperatorKey,
			value: Value,
			window_start: Moment,
			window_end: Moment,
			payload_hash: H256,
			devices_hash: H256,
			readings: u32,
		},
		/// A quorum reported: the KPI is `Provisional` with the median `value` until
		/// `challenge_end`.
		KpiProvisional {
			feed: FeedId,
			period: PeriodIndex,
			value: Value,
			status: KpiStatus,
			readings: u32,
			spread: u128,
			outliers: BoundedVec<T::AccountId, T::MaxOperatorsPerFeed>,
			challenge_end: Moment,
		},
		/// An auditor attested a `Provisional` KPI.
		KpiAttested {
			feed: FeedId,
			period: PeriodIndex,
			auditor: T::AccountId,
			value: Option<Value>,
		},
		/// An auditor disputed a KPI, giving the hash of its reasons: status `Disputed`.
		KpiDisputed {
			feed: FeedId,
			period: PeriodIndex,
			auditor: T::AccountId,
			reason_hash: H256,
			value: Option<Value>,
			status: KpiStatus,
		},
		/// A KPI's challenge window passed without a dispute: status `Final`.
		KpiFinalized { feed: FeedId, period: PeriodIndex, value: Option<Value>, status: KpiStatus },
		/// A period had no quorum by its deadline, `readings` reports having arrived: status
		/// `Missing`.
		KpiMissing { feed: FeedId, period: PeriodIndex, status: KpiStatus, readings: u32 },
		/// A feed was retired by its owner or governance: it has no period from `from_period`
		/// on (bonds read those periods as having no KPI, their fallback).
		FeedRetired { feed: FeedId, from_period: PeriodIndex },
		/// A retired feed whose periods are all settled was removed; its KPIs and reports stay.
		/// `deposit` went back to its owner.
		FeedRemoved { feed: FeedId, deposit: Option<(T::AccountId, BalanceOf<T>)> },
		/// Governance resolved a dispute: status `Final` with `value`, or `Voided`.
		DisputeResolved {
			feed: FeedId,
			period: PeriodIndex,
			resolution: Resolution,
			value: Option<Value>,
			status: KpiStatus,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A signed caller that is not an issuer tried to create a feed.
		NotIssuer,
		/// A key rotation was asked by someone other than the operator itself or governance
		/// (a feed's owner may not re-key its operators).
		NotOperatorItself,
		/// There is no feed with this id.
		UnknownFeed,
		/// There are already `MaxFeeds` feeds (or feed ids ran out).
		TooManyFeeds,
		/// The NGSI-LD entity id is empty.
		EmptyEntityId,
		/// The NGSI-LD attribute is empty.
		EmptyAttribute,
		/// The unit is not two or three uppercase ASCII letters or digits.
		MalformedUnit,
		/// The feed declares more than `MAX_DECIMALS` decimals.
		TooManyDecimals,
		/// The period length is below `MinPeriodLength`.
		PeriodTooShort,
		/// The first period starts before now.
		ScheduleStartsInPast,
		/// The maximum report age is below `MinReportAge`.
		ReportAgeTooShort,
		/// The challenge window is below `MinChallengeWindow`.
		ChallengeWindowTooShort,
		/// The smallest plausible value is above the largest.
		InvalidBounds,
		/// The quorum is zero or larger than the number of operators.
		InvalidQuorum,
		/// The period's times do not fit in a `u64` of milliseconds.
		PeriodOutOfRange,
		/// The account does not hold the oracle-operator role.
		NotOracleOperator,
		/// The account is already an operator of the feed (retired operators count).
		DuplicateOperator,
		/// The feed already has `MaxOperatorsPerFeed` operators.
		TooManyOperators,
		/// The key is not the canonical encoding of a curve point.
		NonCanonicalKey,
		/// The key is a point of small order, under which trivial signatures verify.
		WeakKey,
		/// The key is registered for another account.
		KeyInUse,
		/// The account is not an operator of the feed.
		UnknownOperator,
		/// The operator is retired for this period.
		OperatorRetired,
		/// The change would take effect in a period that has already started.
		FromPeriodInPast,
		/// A key rotation must take effect after the operator's latest key did.
		RotationTooEarly,
		/// The new key is the operator's current key.
		KeyUnchanged,
		/// The operator already has `MaxKeyHistory` keys.
		TooManyKeys,
		/// The observation window does not end after it starts.
		InvalidWindow,
		/// The observation window ends in the future.
		FutureWindow,
		/// The period has not ended yet.
		PeriodNotClosed,
		/// The observation window is not within the period.
		WindowOutsidePeriod,
		/// The report is older than the feed's maximum report age.
		StaleReport,
		/// The value is outside the feed's plausible bounds.
		ValueOutOfBounds,
		/// The key is not the key of any operator of the feed.
		UnknownKey,
		/// The key is an operator's, but not the one in effect for this period (rotated out,
		/// or not in effect yet).
		KeyNotValidForPeriod,
		/// The signature does not verify for this chain, feed, period and payload.
		InvalidSignature,
		/// The operator already reported for this period.
		DuplicateReport,
		/// The period already has a KPI (or is `Missing`); it accepts no more reports.
		PeriodAlreadyDecided,
		/// The caller does not hold the auditor role.
		NotAuditor,
		/// The period has no KPI.
		UnknownKpi,
		/// The KPI is not `Provisional` within its challenge window.
		ChallengeWindowClosed,
		/// The KPI is already disputed.
		AlreadyDisputed,
		/// The auditor already attested this KPI.
		AlreadyAttested,
		/// The KPI already has `MaxAttestations` attestations.
		TooManyAttestations,
		/// The KPI is not disputed, so there is nothing to resolve.
		NotDisputed,
		/// No transition of this period is due.
		NothingToSettle,
		/// An issuer named operators for its own feed: governance appoints them.
		OperatorsAppointedByGovernance,
		/// The issuer already owns `MaxFeedsPerOwner` feeds (remove retired ones first).
		TooManyFeedsForOwner,
		/// The issuer cannot hold the feed deposit (`FeedDeposit`).
		CannotHoldDeposit,
		/// The caller is neither the feed's owner (holding the Issuer role) nor governance.
		NotFeedOwner,
		/// The feed is retired: it has no such period, or it is retired already.
		FeedRetired,
		/// Only a retired feed can be removed.
		FeedNotRetired,
		/// The feed still has periods to decide, challenge windows open or disputes to resolve.
		FeedNotSettled,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			// Reading `NextDue` and the clock.
			let checked = T::DbWeight::get().reads(2);
			match NextDue::<T>::get() {
				Some(due) if due <= Self::now() => {
					let (deadlines, finalizations) =
						Self::process_due(Self::now(), T::MaxTransitionsPerBlock::get());
					T::WeightInfo::process_due(deadlines, finalizations).saturating_add(checked)
				}
				_ => checked,
			}
		}

		fn integrity_test() {
			assert!(T::MaxFeeds::get() > 0, "MaxFeeds must allow one feed");
			assert!(T::MaxOperatorsPerFeed::get() > 0, "MaxOperatorsPerFeed must allow one");
			assert!(T::MaxKeyHistory::get() > 0, "MaxKeyHistory must allow the first key");
			assert!(T::MaxAttestations::get() > 0, "MaxAttestations must allow one");
			assert!(T::MaxPendingFinalizations::get() > 0, "MaxPendingFinalizations must be > 0");
			assert!(T::MaxTransitionsPerBlock::get() > 0, "MaxTransitionsPerBlock must be > 0");
			assert!(T::MaxEntityIdLen::get() > 0, "MaxEntityIdLen must allow one byte");
			assert!(T::MinPeriodLength::get() > 0, "MinPeriodLength must be > 0");
			assert!(T::MinReportAge::get() > 0, "MinReportAge must be > 0");
			assert!(T::MinChallengeWindow::get() > 0, "MinChallengeWindow must be > 0");
			assert!(T::MaxAttributeLen::get() > 0, "MaxAttributeLen must allow one byte");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Create a feed with its metadata, rules and first operators (from period 0 on).
		///
		/// The origin is `GovernanceOrigin` (the feed then has no owner) or a signed issuer,
		/// who then owns it but names no operators: governance appoints them
		/// ([`add_operator`](Pallet::add_operator)). The first period must not start before now.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_feed(spec.operators.len() as u32))]
		pub fn create_feed(origin: OriginFor<T>, spec: Box<FeedSpec<T>>) -> DispatchResult {
			let actor = Self::ensure_actor(origin)?;
			Self::do_create_feed(actor, *spec).map(|_| ())
		}

		/// Appoint `operator` to `feed`, signing with `key` from `from_period` on.
		///
		/// The origin is `GovernanceOrigin`, never the feed's owner. `from_period` must not
		/// have started; the operator must hold the oracle-operator role.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_operator())]
		pub fn add_operator(
			origin: OriginFor<T>,
			feed: FeedId,
			operator: AccountIdLookupOf<T>,
			key: OperatorKey,
			from_period: PeriodIndex,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let operator = T::Lookup::lookup(operator)?;
			Self::do_add_operator(feed, operator, key, from_period)
		}

		/// Retire `operator` of `feed`: its reports for `from_period` and later are refused.
		///
		/// The origin is `GovernanceOrigin`, never the feed's owner. `from_period` must not
		/// have started. Retiring below the quorum makes later periods `Missing`: add an
		/// operator first.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire_operator())]
		pub fn retire_operator(
			origin: OriginFor<T>,
			feed: FeedId,
			operator: AccountIdLookupOf<T>,
			from_period: PeriodIndex,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let operator = T::Lookup::lookup(operator)?;
			Self::do_retire_operator(feed, operator, from_period)
		}

		/// Replace `operator`'s key for `feed` with `new_key` from `from_period` on. Reports
		/// for earlier periods are still signed, and stay verifiable, with the old key.
		///
		/// The origin is the operator itself or `GovernanceOrigin`, never the feed's owner.
		/// `from_period` must not have started and must be after the latest key's first period.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rotate_key())]
		pub fn rotate_key(
			origin: OriginFor<T>,
			feed: FeedId,
			operator: AccountIdLookupOf<T>,
			new_key: OperatorKey,
			from_period: PeriodIndex,
		) -> DispatchResult {
			let actor = Self::ensure_actor(origin)?;
			let operator = T::Lookup::lookup(operator)?;
			Self::do_rotate_key(actor, feed, operator, new_key, from_period)
		}

		/// Submit an operator's report, signed with `key` over
		/// [`Pallet::report_message`]`(report)`.
		///
		/// Any signed account may submit (see "Relayer" in the crate docs). The report that
		/// completes the quorum makes the period's KPI `Provisional`; it is charged more.
		#[pallet::call_index(4)]
		#[pallet::weight(
			T::WeightInfo::submit_report().max(T::WeightInfo::submit_report_reaching_quorum())
		)]
		// Boxed so that this large argument does not grow every `RuntimeCall` value.
		#[allow(clippy::boxed_local)]
		pub fn submit_report(
			origin: OriginFor<T>,
			report: Box<ReportPayload>,
			key: OperatorKey,
			signature: OperatorSignature,
		) -> DispatchResultWithPostInfo {
			let submitter = ensure_signed(origin)?;
			let aggregated = Self::do_submit_report(submitter, *report, key, signature)?;
			let actual = if aggregated {
				T::WeightInfo::submit_report_reaching_quorum()
			} else {
				T::WeightInfo::submit_report()
			};
			Ok(Some(actual).into())
		}

		/// Attest a `Provisional` KPI during its challenge window.
		///
		/// The origin must be a signed auditor.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::attest())]
		pub fn attest(origin: OriginFor<T>, feed: FeedId, period: PeriodIndex) -> DispatchResult {
			let auditor = ensure_signed(origin)?;
			Self::do_attest(auditor, feed, period)
		}

		/// Dispute a `Provisional` KPI during its challenge window, with the hash of the
		/// reasons (published off chain). The KPI stays `Disputed` until governance resolves it.
		///
		/// The origin must be a signed auditor.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::dispute())]
		pub fn dispute(
			origin: OriginFor<T>,
			feed: FeedId,
			period: PeriodIndex,
			reason_hash: H256,
		) -> DispatchResult {
			let auditor = ensure_signed(origin)?;
			Self::do_dispute(auditor, feed, period, reason_hash)
		}

		/// Resolve a dispute: uphold the median, replace it, or void the KPI.
		///
		/// The origin must be `GovernanceOrigin`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			feed: FeedId,
			period: PeriodIndex,
			resolution: Resolution,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_resolve_dispute(feed, period, resolution)
		}

		/// Retire `feed`: it has no period from `from_period` on, which must not have started.
		///
		/// The origin is the feed's owner (while it holds the Issuer role) or
		/// `GovernanceOrigin`. Bonds read the periods it no longer has as having no KPI, which
		/// their terms treat as their fallback (a missed target): retiring a feed does not
		/// improve its owner's numbers.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::retire_feed())]
		pub fn retire_feed(
			origin: OriginFor<T>,
			feed: FeedId,
			from_period: PeriodIndex,
		) -> DispatchResult {
			let actor = Self::ensure_actor(origin)?;
			Self::do_retire_feed(actor, feed, from_period)
		}

		/// Remove a retired feed once every period it has is settled: past its deadline and
		/// challenge window, with no dispute left open. Frees its place in `MaxFeeds` and its
		/// owner's `MaxFeedsPerOwner`, and returns the owner's deposit. Its KPIs and reports
		/// are kept as evidence.
		///
		/// Any signed account may call it.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_feed())]
		pub fn remove_feed(origin: OriginFor<T>, feed: FeedId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_remove_feed(feed)
		}

		/// Record a transition that is due but not yet processed: a `Provisional` KPI past its
		/// challenge window becomes `Final`; a period past its deadline without a KPI becomes
		/// `Missing`.
		///
		/// Any signed account may call it.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, feed: FeedId, period: PeriodIndex) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle(feed, period)
		}
	}
}

// Read helpers, for other pallets, the runtime API and the contracts chain extension.
impl<T: Config> Pallet<T> {
	/// The current time in milliseconds since the Unix epoch.
	pub fn now() -> Moment {
		Moment::try_from(T::Time::now().as_millis()).unwrap_or(Moment::MAX)
	}

	/// The hash of this chain's genesis block, which every report message carries.
	///
	/// `frame_system` keeps block 0's hash for good; block 1 writes the real one, so it is right
	/// for every transaction.
	pub fn genesis_hash() -> T::Hash {
		frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero())
	}

	/// The exact bytes an operator signs for `report` on this chain (see
	/// [`ReportPayload::signing_payload`] for the layout).
	pub fn report_message(report: &ReportPayload) -> Vec<u8> {
		report.signing_payload(&Self::genesis_hash())
	}

	/// The feed `id`.
	pub fn feed(id: FeedId) -> Option<FeedInfo<T>> {
		Feeds::<T>::get(id)
	}

	/// The period of `feed` that contains the current time (0 before its schedule starts). The
	/// periods before it may be closed; reports for them are accepted until they are stale.
	pub fn current_period(feed: FeedId) -> Option<PeriodIndex> {
		Feeds::<T>::get(feed).map(|info| info.params.schedule.current(Self::now()))
	}

	/// The KPI of `period` of `feed` as of now, or `None` while the period is undecided (still
	/// open or collecting reports before its deadline) or the feed does not exist.
	///
	/// Time-driven transitions read as done even before a block records them: a `Provisional`
	/// KPI whose window has ended reads `Final`, and a period past its deadline without a KPI
	/// reads `Missing`.
	pub fn kpi(feed: FeedId, period: PeriodIndex) -> Option<KpiRecord<T>> {
		let now = Self::now();
		match Kpis::<T>::get(feed, period) {
			Some(mut record) => {
				if record.status == KpiStatus::Provisional && now >= record.challenge_end {
					record.status = KpiStatus::Final;
				}
				Some(record)
			}
			None => {
				if FeedEnds::<T>::get(feed).is_some_and(|end| period >= end) {
					return None;
				}
				let deadline = Feeds::<T>::get(feed)?.params.deadline(period)?;
				(now >= deadline).then(|| {
					let readings = Rounds::<T>::get(feed, period).len();
					KpiRecord::missing(u32::try_from(readings).unwrap_or(u32::MAX), deadline)
				})
			}
		}
	}

	/// The report `operator` made for `period` of `feed`.
	pub fn report(
		feed: FeedId,
		period: PeriodIndex,
		operator: &T::AccountId,
	) -> Option<StoredReport<T>> {
		Reports::<T>::get((feed, period), operator)
	}

	/// Verifies again the report `operator` made for `period` of `feed`, against the key it was
	/// signed with: `None` if there is no such report.
	pub fn verify_report(
		feed: FeedId,
		period: PeriodIndex,
		operator: &T::AccountId,
	) -> Option<bool> {
		let report = Reports::<T>::get((feed, period), operator)?;
		let message = Self::report_message(&report.payload);
		Some(sp_io::crypto::ed25519_verify(&report.signature, &message, &report.key))
	}
}

/// The result of aggregating a quorum of readings.
struct Aggregate<T: Config> {
	median: Value,
	spread: u128,
	outliers: BoundedVec<T::AccountId, T::MaxOperatorsPerFeed>,
}

// The logic of the calls: check everything, then write.
impl<T: Config> Pallet<T> {
	/// Governance, or else a signed account.
	fn ensure_actor(origin: T::RuntimeOrigin) -> Result<Actor<T::AccountId>, DispatchError> {
		match T::GovernanceOrigin::try_origin(origin) {
			Ok(_) => Ok(Actor::Governance),
			Err(origin) => Ok(Actor::Signed(frame_system::ensure_signed(origin)?)),
		}
	}

	pub(crate) fn do_create_feed(
		actor: Actor<T::AccountId>,
		spec: FeedSpec<T>,
	) -> Result<FeedId, DispatchError> {
		let FeedSpec { metadata, params, operators } = spec;
		let owner = match actor {
			Actor::Governance => None,
			Actor::Signed(who) => {
				ensure!(T::Roles::is_issuer(&who), Error::<T>::NotIssuer);
				// The issuer is paid by the feed's numbers: who measures them is not its choice.
				ensure!(operators.is_empty(), Error::<T>::OperatorsAppointedByGovernance);
				Some(who)
			}
		};
		Self::ensure_valid_metadata(&metadata)?;
		Self::ensure_valid_params(&params, Self::now())?;
		let owned = match &owner {
			Some(who) => {
				let owned = OwnerFeedCount::<T>::get(who);
				ensure!(owned < T::MaxFeedsPerOwner::get(), Error::<T>::TooManyFeedsForOwner);
				ensure!(
					T::Currency::ensure_can_hold(
						&HoldReason::FeedDeposit.into(),
						who,
						T::FeedDeposit::get()
					)
					.is_ok(),
					Error::<T>::CannotHoldDeposit
				);
				owned.saturating_add(1)
			}
			None => 0,
		};
		let operator_count =
			u32::try_from(operators.len()).map_err(|_| Error::<T>::TooManyOperators)?;
		// Operators appointed later must be able to reach the quorum; those named now must.
		ensure!(
			(1..=T::MaxOperatorsPerFeed::get()).contains(&params.quorum)
				&& (operator_count == 0 || params.quorum <= operator_count),
			Error::<T>::InvalidQuorum
		);
		for (index, (account, key)) in operators.iter().enumerate() {
			let mut earlier = operators.iter().take(index);
			ensure!(
				earlier.clone().all(|(other, _)| other != account),
				Error::<T>::DuplicateOperator
			);
			ensure!(earlier.all(|(_, other)| other != key), Error::<T>::KeyInUse);
			Self::ensure_registrable(account, key)?;
		}
		ensure!(Feeds::<T>::count() < T::MaxFeeds::get(), Error::<T>::TooManyFeeds);
		let feed = NextFeedId::<T>::get();
		let next_feed = feed.checked_add(1).ok_or(Error::<T>::TooManyFeeds)?;
		let first_deadline = Scheduled {
			due: params.deadline(0).ok_or(Error::<T>::PeriodOutOfRange)?,
			feed,
			period: 0,
		};
		let mut deadlines = DeadlineQueue::<T>::get();
		Self::insert_scheduled(&mut deadlines, first_deadline)
			.map_err(|_| Error::<T>::TooManyFeeds)?;

		if let Some(who) = &owner {
			let deposit = T::FeedDeposit::get();
			T::Currency::hold(&HoldReason::FeedDeposit.into(), who, deposit)
				.map_err(|_| Error::<T>::CannotHoldDeposit)?;
			FeedDeposits::<T>::insert(feed, deposit);
			OwnerFeedCount::<T>::insert(who, owned);
		}
		NextFeedId::<T>::put(next_feed);
		DeadlineQueue::<T>::put(deadlines);
		Self::note_due(first_deadline.due);
		Feeds::<T>::insert(
			feed,
			FeedInfo { owner: owner.clone(), metadata, params, operators: operator_count },
		);
		Self::deposit_event(Event::FeedCreated { feed, owner, params, operators: operator_count });
		for (account, key) in operators {
			KeyOwners::<T>::insert(key, &account);
			let keys = BoundedVec::truncate_from(vec![KeyEpoch { from_period: 0, key }]);
			FeedOperators::<T>::insert(feed, &account, OperatorInfo { keys, retired_from: None });
			Self::deposit_event(Event::OperatorAdded {
				feed,
				operator: account,
				key,
				from_period: 0,
			});
		}
		Ok(feed)
	}

	pub(crate) fn do_add_operator(
		feed: FeedId,
		operator: T::AccountId,
		key: OperatorKey,
		from_period: PeriodIndex,
	) -> DispatchResult {
		let mut info = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?;
		ensure!(
			from_period >= info.params.schedule.first_unstarted(Self::now()),
			Error::<T>::FromPeriodInPast
		);
		ensure!(!FeedOperators::<T>::contains_key(feed, &operator), Error::<T>::DuplicateOperator);
		ensure!(info.operators < T::MaxOperatorsPerFeed::get(), Error::<T>::TooManyOperators);
		Self::ensure_registrable(&operator, &key)?;
		info.operators = info.operators.checked_add(1).ok_or(Error::<T>::TooManyOperators)?;

		KeyOwners::<T>::insert(key, &operator);
		let keys = BoundedVec::truncate_from(vec![KeyEpoch { from_period, key }]);
		FeedOperators::<T>::insert(feed, &operator, OperatorInfo { keys, retired_from: None });
		Feeds::<T>::insert(feed, info);
		Self::deposit_event(Event::OperatorAdded { feed, operator, key, from_period });
		Ok(())
	}

	pub(crate) fn do_retire_operator(
		feed: FeedId,
		operator: T::AccountId,
		from_period: PeriodIndex,
	) -> DispatchResult {
		let info = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?;
		let mut operator_info =
			FeedOperators::<T>::get(feed, &operator).ok_or(Error::<T>::UnknownOperator)?;
		ensure!(operator_info.retired_from.is_none(), Error::<T>::OperatorRetired);
		ensure!(
			from_period >= info.params.schedule.first_unstarted(Self::now()),
			Error::<T>::FromPeriodInPast
		);

		operator_info.retired_from = Some(from_period);
		FeedOperators::<T>::insert(feed, &operator, operator_info);
		Self::deposit_event(Event::OperatorRetired { feed, operator, from_period });
		Ok(())
	}

	pub(crate) fn do_rotate_key(
		actor: Actor<T::AccountId>,
		feed: FeedId,
		operator: T::AccountId,
		new_key: OperatorKey,
		from_period: PeriodIndex,
	) -> DispatchResult {
		let info = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?;
		if let Actor::Signed(who) = &actor {
			// Not the feed's owner: the issuer must not choose the key its numbers are signed with.
			ensure!(who == &operator, Error::<T>::NotOperatorItself);
		}
		let mut operator_info =
			FeedOperators::<T>::get(feed, &operator).ok_or(Error::<T>::UnknownOperator)?;
		ensure!(!operator_info.is_retired_for(from_period), Error::<T>::OperatorRetired);
		ensure!(
			from_period >= info.params.schedule.first_unstarted(Self::now()),
			Error::<T>::FromPeriodInPast
		);
		let latest = *operator_info.keys.last().ok_or(Error::<T>::UnknownOperator)?;
		ensure!(from_period > latest.from_period, Error::<T>::RotationTooEarly);
		ensure!(new_key != latest.key, Error::<T>::KeyUnchanged);
		Self::ensure_registrable(&operator, &new_key)?;
		operator_info
			.keys
			.try_push(KeyEpoch { from_period, key: new_key })
			.map_err(|_| Error::<T>::TooManyKeys)?;

		KeyOwners::<T>::insert(new_key, &operator);
		FeedOperators::<T>::insert(feed, &operator, operator_info);
		Self::deposit_event(Event::KeyRotated {
			feed,
			operator,
			old_key: latest.key,
			new_key,
			from_period,
		});
		Ok(())
	}

	pub(crate) fn do_retire_feed(
		actor: Actor<T::AccountId>,
		feed: FeedId,
		from_period: PeriodIndex,
	) -> DispatchResult {
		let info = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?;
		if let Actor::Signed(who) = &actor {
			ensure!(info.owner.as_ref() == Some(who), Error::<T>::NotFeedOwner);
			// Read when used: an owner whose Issuer role was withdrawn no longer acts on it.
			ensure!(T::Roles::is_issuer(who), Error::<T>::NotIssuer);
		}
		ensure!(!FeedEnds::<T>::contains_key(feed), Error::<T>::FeedRetired);
		ensure!(
			from_period >= info.params.schedule.first_unstarted(Self::now()),
			Error::<T>::FromPeriodInPast
		);

		// The queued deadline is of a period the feed still has, unless it has none left.
		let mut deadlines = DeadlineQueue::<T>::get();
		let queued = deadlines.len();
		deadlines.retain(|item| item.feed != feed || item.period < from_period);
		if deadlines.len() != queued {
			NextDue::<T>::set(Self::earliest_due(&deadlines, &FinalizationQueue::<T>::get()));
			DeadlineQueue::<T>::put(deadlines);
		}
		FeedEnds::<T>::insert(feed, from_period);
		Self::deposit_event(Event::FeedRetired { feed, from_period });
		Ok(())
	}

	pub(crate) fn do_remove_feed(feed: FeedId) -> DispatchResult {
		let info = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?;
		let end = FeedEnds::<T>::get(feed).ok_or(Error::<T>::FeedNotRetired)?;
		// Every period it has is past its deadline and any KPI's challenge window (a KPI is
		// decided by its deadline, so its window ends by the deadline plus the window).
		if let Some(last) = end.checked_sub(1) {
			let settled_at = info
				.params
				.deadline(last)
				.and_then(|deadline| deadline.checked_add(info.params.challenge_window))
				.ok_or(Error::<T>::PeriodOutOfRange)?;
			ensure!(Self::now() >= settled_at, Error::<T>::FeedNotSettled);
		}
		ensure!(
			DeadlineQueue::<T>::get().iter().all(|item| item.feed != feed),
			Error::<T>::FeedNotSettled
		);
		ensure!(OpenDisputes::<T>::get(feed) == 0, Error::<T>::FeedNotSettled);

		let deposit = info.owner.zip(FeedDeposits::<T>::take(feed));
		if let Some((owner, amount)) = &deposit {
			// Held at creation; `BestEffort` so that a slashed hold cannot block the removal.
			let _ = T::Currency::release(
				&HoldReason::FeedDeposit.into(),
				owner,
				*amount,
				Precision::BestEffort,
			);
			OwnerFeedCount::<T>::mutate_exists(owner, |count| {
				*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
			});
		}
		// At most `MaxOperatorsPerFeed` entries.
		let _ = FeedOperators::<T>::clear_prefix(feed, T::MaxOperatorsPerFeed::get(), None);
		FeedEnds::<T>::remove(feed);
		OpenDisputes::<T>::remove(feed);
		Feeds::<T>::remove(feed);
		Self::deposit_event(Event::FeedRemoved { feed, deposit });
		Ok(())
	}

	/// Checks and records a report. Returns whether it completed the quorum.
	pub(crate) fn do_submit_report(
		submitter: T::AccountId,
		report: ReportPayload,
		key: OperatorKey,
		signature: OperatorSignature,
	) -> Result<bool, DispatchError> {
		let (feed, period) = (report.feed, report.period);
		let params = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?.params;
		let now = Self::now();
		ensure!(report.window_start < report.window_end, Error::<T>::InvalidWindow);
		ensure!(report.window_end <= now, Error::<T>::FutureWindow);
		let start = params.schedule.start(period).ok_or(Error::<T>::PeriodOutOfRange)?;
		let end = params.schedule.end(period).ok_or(Error::<T>::PeriodOutOfRange)?;
		ensure!(end <= now, Error::<T>::PeriodNotClosed);
		ensure!(
			start <= report.window_start && report.window_end <= end,
			Error::<T>::WindowOutsidePeriod
		);
		ensure!(
			now < report.window_end.saturating_add(params.max_report_age),
			Error::<T>::StaleReport
		);
		ensure!(params.in_bounds(report.value), Error::<T>::ValueOutOfBounds);
		ensure!(FeedEnds::<T>::get(feed).is_none_or(|end| period < end), Error::<T>::FeedRetired);
		let operator = Self::operator_for(feed, period, &key)?;
		ensure!(!Kpis::<T>::contains_key(feed, period), Error::<T>::PeriodAlreadyDecided);
		let mut round = Rounds::<T>::get(feed, period);
		ensure!(
			round.iter().all(|reading| reading.operator != operator),
			Error::<T>::DuplicateReport
		);
		let message = Self::report_message(&report);
		ensure!(
			sp_io::crypto::ed25519_verify(&signature, &message, &key),
			Error::<T>::InvalidSignature
		);
		// Cannot fail: one reading per operator, and a feed has at most that many operators.
		round
			.try_push(Reading { operator: operator.clone(), value: report.value })
			.map_err(|_| Error::<T>::TooManyOperators)?;
		let readings = u32::try_from(round.len()).unwrap_or(u32::MAX);
		let aggregate =
			if readings >= params.quorum { Self::aggregate(&round, &params) } else { None };

		Reports::<T>::insert(
			(feed, period),
			&operator,
			StoredReport {
				payload: report,
				key,
				signature,
				submitter: submitter.clone(),
				submitted_at: now,
			},
		);
		Self::deposit_event(Event::ReportAccepted {
			feed,
			period,
			operator,
			submitter,
			key,
			value: report.value,
			window_start: report.window_start,
			window_end: report.window_end,
			payload_hash: report.payload_hash,
			devices_hash: report.devices_hash,
			readings,
		});
		let Some(aggregate) = aggregate else {
			Rounds::<T>::insert(feed, period, round);
			return Ok(false);
		};
		let challenge_end = now.saturating_add(params.challenge_window);
		Rounds::<T>::remove(feed, period);
		Kpis::<T>::insert(
			feed,
			period,
			KpiRecord {
				status: KpiStatus::Provisional,
				value: Some(aggregate.median),
				median: Some(aggregate.median),
				readings,
				spread: aggregate.spread,
				outliers: aggregate.outliers.clone(),
				decided_at: now,
				challenge_end,
				attestations: BoundedVec::new(),
				dispute: None,
				resolution: None,
			},
		);
		Self::schedule_finalization(Scheduled { due: challenge_end, feed, period });
		Self::deposit_event(Event::KpiProvisional {
			feed,
			period,
			value: aggregate.median,
			status: KpiStatus::Provisional,
			readings,
			spread: aggregate.spread,
			outliers: aggregate.outliers,
			challenge_end,
		});
		Ok(true)
	}

	pub(crate) fn do_attest(
		auditor: T::AccountId,
		feed: FeedId,
		period: PeriodIndex,
	) -> DispatchResult {
		ensure!(T::Roles::is_auditor(&auditor), Error::<T>::NotAuditor);
		let mut record = Kpis::<T>::get(feed, period).ok_or(Error::<T>::UnknownKpi)?;
		Self::ensure_challengeable(&record)?;
		ensure!(!record.attestations.contains(&auditor), Error::<T>::AlreadyAttested);
		record
			.attestations
			.try_push(auditor.clone())
			.map_err(|_| Error::<T>::TooManyAttestations)?;

		let value = record.value;
		Kpis::<T>::insert(feed, period, record);
		Self::deposit_event(Event::KpiAttested { feed, period, auditor, value });
		Ok(())
	}

	pub(crate) fn do_dispute(
		auditor: T::AccountId,
		feed: FeedId,
		period: PeriodIndex,
		reason_hash: H256,
	) -> DispatchResult {
		ensure!(T::Roles::is_auditor(&auditor), Error::<T>::NotAuditor);
		let mut record = Kpis::<T>::get(feed, period).ok_or(Error::<T>::UnknownKpi)?;
		Self::ensure_challengeable(&record)?;

		record.status = KpiStatus::Disputed;
		record.dispute = Some(Dispute { auditor: auditor.clone(), reason_hash, at: Self::now() });
		let value = record.value;
		Kpis::<T>::insert(feed, period, record);
		OpenDisputes::<T>::mutate(feed, |open| *open = open.saturating_add(1));
		Self::deposit_event(Event::KpiDisputed {
			feed,
			period,
			auditor,
			reason_hash,
			value,
			status: KpiStatus::Disputed,
		});
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(
		feed: FeedId,
		period: PeriodIndex,
		resolution: Resolution,
	) -> DispatchResult {
		let params = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?.params;
		let mut record = Kpis::<T>::get(feed, period).ok_or(Error::<T>::UnknownKpi)?;
		ensure!(record.status == KpiStatus::Disputed, Error::<T>::NotDisputed);
		match resolution {
			Resolution::Uphold => record.status = KpiStatus::Final,
			Resolution::Replace(value) => {
				ensure!(params.in_bounds(value), Error::<T>::ValueOutOfBounds);
				record.status = KpiStatus::Final;
				record.value = Some(value);
			}
			Resolution::Void => {
				record.status = KpiStatus::Voided;
				record.value = None;
			}
		}
		record.resolution = Some(resolution);

		let (value, status) = (record.value, record.status);
		Kpis::<T>::insert(feed, period, record);
		OpenDisputes::<T>::mutate(feed, |open| *open = open.saturating_sub(1));
		Self::deposit_event(Event::DisputeResolved { feed, period, resolution, value, status });
		Ok(())
	}

	pub(crate) fn do_settle(feed: FeedId, period: PeriodIndex) -> DispatchResult {
		let now = Self::now();
		match Kpis::<T>::get(feed, period) {
			Some(record) => {
				ensure!(
					record.status == KpiStatus::Provisional && now >= record.challenge_end,
					Error::<T>::NothingToSettle
				);
				Self::finalize(feed, period, record);
			}
			None => {
				let params = Feeds::<T>::get(feed).ok_or(Error::<T>::UnknownFeed)?.params;
				let deadline = params.deadline(period).ok_or(Error::<T>::PeriodOutOfRange)?;
				ensure!(now >= deadline, Error::<T>::NothingToSettle);
				Self::mark_missing(feed, period, deadline);
			}
		}
		Ok(())
	}

	/// Processes due transitions in time order, at most `limit` of them. Returns how many
	/// deadlines and how many finalizations it processed.
	pub(crate) fn process_due(now: Moment, limit: u32) -> (u32, u32) {
		let mut deadlines = DeadlineQueue::<T>::get();
		let mut finalizations = FinalizationQueue::<T>::get();
		let (mut deadlines_done, mut finalizations_done) = (0u32, 0u32);
		// A feed's next deadline waits for the next block: one feed far behind (a long outage
		// of short periods) then takes one transition per block, not every one, and the
		// other feeds' due deadlines are served in the same block.
		let mut requeue = Vec::new();
		while deadlines_done.saturating_add(finalizations_done) < limit {
			let deadline = deadlines.first().copied().filter(|item| item.due <= now);
			let finalization = finalizations.first().copied().filter(|item| item.due <= now);
			match (deadline, finalization) {
				(Some(item), other) if other.is_none_or(|other| item.due <= other.due) => {
					deadlines.remove(0);
					if let Some(next) = Self::process_deadline(item) {
						requeue.push(next);
					}
					deadlines_done = deadlines_done.saturating_add(1);
				}
				(_, Some(item)) => {
					finalizations.remove(0);
					Self::process_finalization(item, now);
					finalizations_done = finalizations_done.saturating_add(1);
				}
				_ => break,
			}
		}
		for next in requeue {
			// There is room: each came from an entry taken out above.
			let _ = Self::insert_scheduled(&mut deadlines, next);
		}
		let next_due = Self::earliest_due(&deadlines, &finalizations);
		DeadlineQueue::<T>::put(deadlines);
		FinalizationQueue::<T>::put(finalizations);
		NextDue::<T>::set(next_due);
		(deadlines_done, finalizations_done)
	}

	/// A period's deadline has passed: without a KPI it is `Missing`. Returns the feed's next
	/// deadline to queue.
	fn process_deadline(item: Scheduled) -> Option<Scheduled> {
		let params = Feeds::<T>::get(item.feed)?.params;
		if !Kpis::<T>::contains_key(item.feed, item.period) {
			Self::mark_missing(item.feed, item.period, item.due);
		}
		let period = item.period.checked_add(1)?;
		if FeedEnds::<T>::get(item.feed).is_some_and(|end| period >= end) {
			return None;
		}
		Some(Scheduled { due: params.deadline(period)?, feed: item.feed, period })
	}

	/// A challenge window has ended: a KPI still `Provisional` becomes `Final`.
	fn process_finalization(item: Scheduled, now: Moment) {
		if let Some(record) = Kpis::<T>::get(item.feed, item.period) {
			if record.status == KpiStatus::Provisional && now >= record.challenge_end {
				Self::finalize(item.feed, item.period, record);
			}
		}
	}

	fn finalize(feed: FeedId, period: PeriodIndex, mut record: KpiRecord<T>) {
		record.status = KpiStatus::Final;
		let value = record.value;
		Kpis::<T>::insert(feed, period, record);
		Self::deposit_event(Event::KpiFinalized { feed, period, value, status: KpiStatus::Final });
	}

	fn mark_missing(feed: FeedId, period: PeriodIndex, deadline: Moment) {
		let readings = u32::try_from(Rounds::<T>::take(feed, period).len()).unwrap_or(u32::MAX);
		Kpis::<T>::insert(feed, period, KpiRecord::missing(readings, deadline));
		Self::deposit_event(Event::KpiMissing {
			feed,
			period,
			status: KpiStatus::Missing,
			readings,
		});
	}

	/// Queues a challenge-window end. When the queue is full the KPI still reads `Final` after
	/// its window, and `settle` records it.
	fn schedule_finalization(item: Scheduled) {
		let mut queue = FinalizationQueue::<T>::get();
		if Self::insert_scheduled(&mut queue, item).is_ok() {
			FinalizationQueue::<T>::put(queue);
			Self::note_due(item.due);
		}
	}

	fn insert_scheduled<S: Get<u32>>(
		queue: &mut BoundedVec<Scheduled, S>,
		item: Scheduled,
	) -> Result<(), Scheduled> {
		let index = queue.binary_search(&item).unwrap_or_else(|index| index);
		queue.try_insert(index, item)
	}

	/// The earliest due time in either sorted queue: what [`NextDue`] holds.
	fn earliest_due(deadlines: &[Scheduled], finalizations: &[Scheduled]) -> Option<Moment> {
		deadlines.first().into_iter().chain(finalizations.first()).map(|item| item.due).min()
	}

	fn note_due(due: Moment) {
		NextDue::<T>::mutate(|next| *next = Some(next.map_or(due, |current| current.min(due))));
	}

	/// The median, spread and outliers of a non-empty set of readings.
	fn aggregate(readings: &[Reading<T>], params: &FeedParams) -> Option<Aggregate<T>> {
		let mut values: Vec<Value> = readings.iter().map(|reading| reading.value).collect();
		values.sort_unstable();
		let median = median(&values)?;
		let spread = match (values.first(), values.last()) {
			(Some(min), Some(max)) => max.abs_diff(*min),
			_ => 0,
		};
		let outliers = readings
			.iter()
			.filter(|reading| params.is_outlier(reading.value, median))
			.map(|reading| reading.operator.clone())
			.collect::<Vec<_>>();
		Some(Aggregate { median, spread, outliers: BoundedVec::truncate_from(outliers) })
	}

	/// The operator that `key` signs `period` of `feed` for.
	fn operator_for(
		feed: FeedId,
		period: PeriodIndex,
		key: &OperatorKey,
	) -> Result<T::AccountId, DispatchError> {
		let operator = KeyOwners::<T>::get(key).ok_or(Error::<T>::UnknownKey)?;
		let info = FeedOperators::<T>::get(feed, &operator).ok_or(Error::<T>::UnknownKey)?;
		ensure!(!info.is_retired_for(period), Error::<T>::OperatorRetired);
		ensure!(info.key_for(period) == Some(*key), Error::<T>::KeyNotValidForPeriod);
		ensure!(T::Roles::is_oracle_operator(&operator), Error::<T>::NotOracleOperator);
		Ok(operator)
	}

	/// Auditors may act on `record`: it is `Provisional` and its window has not ended.
	fn ensure_challengeable(record: &KpiRecord<T>) -> DispatchResult {
		ensure!(record.status != KpiStatus::Disputed, Error::<T>::AlreadyDisputed);
		ensure!(
			record.status == KpiStatus::Provisional && Self::now() < record.challenge_end,
			Error::<T>::ChallengeWindowClosed
		);
		Ok(())
	}

	/// `key` may be registered for `account`: the account is an oracle operator, the key is
	/// acceptable and not bound to another account.
	fn ensure_registrable(account: &T::AccountId, key: &OperatorKey) -> DispatchResult {
		ensure!(T::Roles::is_oracle_operator(account), Error::<T>::NotOracleOperator);
		check_operator_key(key.as_array_ref()).map_err(|error| match error {
			KeyError::NonCanonical => Error::<T>::NonCanonicalKey,
			KeyError::SmallOrder => Error::<T>::WeakKey,
		})?;
		if let Some(owner) = KeyOwners::<T>::get(key) {
			ensure!(&owner == account, Error::<T>::KeyInUse);
		}
		Ok(())
	}

	fn ensure_valid_metadata(metadata: &FeedMetadata<T>) -> DispatchResult {
		ensure!(!metadata.entity_id.is_empty(), Error::<T>::EmptyEntityId);
		ensure!(!metadata.attribute.is_empty(), Error::<T>::EmptyAttribute);
		ensure!(
			(2..=3).contains(&metadata.unit.len())
				&& metadata
					.unit
					.iter()
					.all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit()),
			Error::<T>::MalformedUnit
		);
		ensure!(metadata.decimals <= MAX_DECIMALS, Error::<T>::TooManyDecimals);
		Ok(())
	}

	fn ensure_valid_params(params: &FeedParams, now: Moment) -> DispatchResult {
		// The minimums are at least 1 (`integrity_test`), so no length or window is zero.
		let at_least = |value: Moment, min: Moment| value >= min.max(1);
		ensure!(
			at_least(params.schedule.length, T::MinPeriodLength::get()),
			Error::<T>::PeriodTooShort
		);
		ensure!(params.schedule.first_start >= now, Error::<T>::ScheduleStartsInPast);
		ensure!(
			at_least(params.max_report_age, T::MinReportAge::get()),
			Error::<T>::ReportAgeTooShort
		);
		ensure!(
			at_least(params.challenge_window, T::MinChallengeWindow::get()),
			Error::<T>::ChallengeWindowTooShort
		);
		ensure!(params.min_value <= params.max_value, Error::<T>::InvalidBounds);
		ensure!(params.deadline(0).is_some(), Error::<T>::PeriodOutOfRange);
		Ok(())
	}

	/// Checks the oracle's invariants:
	///
	/// - the feed counter matches, ids are below `NextFeedId`, every feed's rules are valid and
	///   its quorum reachable by its operator count, which matches its `FeedOperators` entries;
	/// - every operator's keys are non-empty, strictly increasing by period, acceptable, and
	///   bound to that operator in `KeyOwners`;
	/// - both queues are sorted, the deadline queue has at most one entry per existing feed,
	///   and `NextDue` is the earlier of their first entries;
	/// - no decided period still has a round; rounds hold fewer readings than the quorum, each
	///   from a distinct operator with a stored report;
	/// - every KPI's value and dispute agree with its status.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next_feed = NextFeedId::<T>::get();
		let mut feeds: u32 = 0;
		for (feed, info) in Feeds::<T>::iter() {
			feeds = feeds.saturating_add(1);
			ensure!(feed < next_feed, "feed id not below NextFeedId");
			Self::ensure_valid_metadata(&info.metadata).map_err(|_| "invalid feed metadata")?;
			let params = info.params;
			ensure!(params.schedule.length > 0, "feed with zero period length");
			ensure!(params.max_report_age > 0, "feed with zero report age");
			ensure!(params.challenge_window > 0, "feed with zero challenge window");
			ensure!(params.min_value <= params.max_value, "feed with inverted bounds");
			ensure!(
				(1..=T::MaxOperatorsPerFeed::get()).contains(&params.quorum),
				"feed quorum zero or above MaxOperatorsPerFeed"
			);
			let mut operators: u32 = 0;
			for (operator, operator_info) in FeedOperators::<T>::iter_prefix(feed) {
				operators = operators.saturating_add(1);
				ensure!(!operator_info.keys.is_empty(), "operator without a key");
				ensure!(
					operator_info
						.keys
						.windows(2)
						.all(|pair| pair[0].from_period < pair[1].from_period),
					"operator keys not ordered by period"
				);
				for epoch in operator_info.keys.iter() {
					ensure!(
						check_operator_key(epoch.key.as_array_ref()).is_ok(),
						"operator key not acceptable"
					);
					ensure!(
						KeyOwners::<T>::get(epoch.key).as_ref() == Some(&operator),
						"operator key not bound to its operator"
					);
				}
			}
			ensure!(operators == info.operators, "feed operator count out of sync");
		}
		ensure!(feeds == Feeds::<T>::count(), "feed counter out of sync");
		// Each issuer's count is its feeds, each of which holds a deposit from it.
		let mut owned: alloc::collections::BTreeMap<T::AccountId, u32> = Default::default();
		for (feed, info) in Feeds::<T>::iter() {
			if let Some(owner) = info.owner {
				ensure!(FeedDeposits::<T>::contains_key(feed), "issuer's feed without its deposit");
				let count = owned.entry(owner).or_default();
				*count = count.saturating_add(1);
			}
		}
		ensure!(
			OwnerFeedCount::<T>::iter().all(|(owner, count)| owned.get(&owner) == Some(&count)),
			"owner feed count out of sync"
		);
		ensure!(
			owned.iter().all(|(owner, count)| OwnerFeedCount::<T>::get(owner) == *count),
			"owner feed count out of sync"
		);
		ensure!(
			FeedDeposits::<T>::iter_keys().all(Feeds::<T>::contains_key),
			"deposit of a removed feed"
		);
		ensure!(FeedEnds::<T>::iter_keys().all(Feeds::<T>::contains_key), "end of a removed feed");

		let deadlines = DeadlineQueue::<T>::get();
		let finalizations = FinalizationQueue::<T>::get();
		ensure!(deadlines.windows(2).all(|pair| pair[0] <= pair[1]), "deadline queue not sorted");
		ensure!(
			finalizations.windows(2).all(|pair| pair[0] <= pair[1]),
			"finalization queue not sorted"
		);
		let mut queued_feeds: Vec<FeedId> = deadlines.iter().map(|item| item.feed).collect();
		queued_feeds.sort_unstable();
		ensure!(
			queued_feeds.windows(2).all(|pair| pair[0] < pair[1]),
			"a feed has two deadline entries"
		);
		ensure!(
			queued_feeds.iter().all(Feeds::<T>::contains_key),
			"deadline entry for an unknown feed"
		);
		let earliest = Self::earliest_due(&deadlines, &finalizations);
		ensure!(NextDue::<T>::get() == earliest, "NextDue is not the earliest queued time");

		for (feed, period, round) in Rounds::<T>::iter() {
			ensure!(!Kpis::<T>::contains_key(feed, period), "round left for a decided period");
			let info = Feeds::<T>::get(feed).ok_or("round for an unknown feed")?;
			ensure!(
				u32::try_from(round.len()).unwrap_or(u32::MAX) < info.params.quorum,
				"round reached its quorum without a KPI"
			);
			for (index, reading) in round.iter().enumerate() {
				ensure!(
					round
						.iter()
						.skip(index.saturating_add(1))
						.all(|r| r.operator != reading.operator),
					"two readings of one operator"
				);
				ensure!(
					Reports::<T>::contains_key((feed, period), &reading.operator),
					"reading without a stored report"
				);
			}
		}

		for (_, _, record) in Kpis::<T>::iter() {
			let has_value = record.value.is_some();
			match record.status {
				KpiStatus::Provisional | KpiStatus::Final | KpiStatus::Disputed => {
					ensure!(has_value, "decided KPI without a value")
				}
				KpiStatus::Voided | KpiStatus::Missing => {
					ensure!(!has_value, "voided or missing KPI with a value")
				}
			}
			ensure!(
				(record.status == KpiStatus::Disputed)
					== (record.dispute.is_some() && record.resolution.is_none()),
				"dispute does not match status"
			);
			ensure!(
				record.outliers.len() <= record.readings as usize,
				"more outliers than readings"
			);
		}
		Ok(())
	}
}
