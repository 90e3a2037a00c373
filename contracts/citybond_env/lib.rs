//! The ink! side of the CityBond chain extension (`runtime/src/chain_extension.rs`).
//!
//! A contract that declares `#[ink::contract(env = citybond_env::CityBondEnvironment)]` reads
//! identity facts and KPIs from the runtime with `self.env().extension()`:
//!
//! ```ignore
//! let ext = self.env().extension();
//! if !ext.is_active(holder) || !ext.claim_valid(holder, ClaimKind::Kyc, now) { .. }
//! match ext.kpi(feed, period) {
//!     Some(KpiView { status: KpiStatus::Final, value: Some(v), .. }) => ..,
//!     Some(KpiView { status: KpiStatus::Missing, .. }) => ..,
//!     ..
//! }
//! ```
//!
//! Every function is read-only and answers "as of now", as the pallets' own reads do: a
//! suspended or revoked identity is not active and holds no role; a KPI past its challenge
//! window reads `Final`; a period past its deadline without a quorum reads `Missing`.
//!
//! The roles, claims, categories and KPI views it answers with live in `citybond-primitives`
//! (re-exported here), whose tests pin their encodings to the bytes the runtime's tests expect;
//! [`FeedView`] mirrors the runtime's encoding field for field.

#![cfg_attr(not(feature = "std"), no_std)]
// cargo-contract lints dependencies with `-D clippy::cast_possible_truncation`, which fires inside
// the `scale_derive` expansion for `ClaimKind::Custom` (a length cast in generated code), and
// ink!'s chain-extension expansion turns `fn is_active(who)` into a method the `is_*` naming
// lint dislikes. Neither is our code; our own code has no casts.
#![allow(clippy::cast_possible_truncation, clippy::wrong_self_convention)]

use ink::{
	env::{DefaultEnvironment, Environment},
	primitives::AccountId,
};

/// The chain extension id the runtime answers to (`0xCB`, "CityBond").
pub const EXTENSION_ID: u16 = 0xCB;

/// The wire types the chain extension answers with, defined once for the runtime, the
/// contracts and the off-chain services.
pub use citybond_primitives::{ClaimKind, InvestorCategory, KpiStatus, KpiView, Role};

/// A KPI feed as the chain extension reports it (`runtime::chain_extension::FeedView`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct FeedView {
	/// The issuer that manages the feed; `None` for a feed governance created.
	pub owner: Option<AccountId>,
	/// The decimals of the feed's fixed-point values.
	pub decimals: u8,
	/// When period 0 starts (ms since the Unix epoch).
	pub first_start: u64,
	/// How long every period is (ms).
	pub period_length: u64,
	/// How long after a period's end reports are accepted (ms).
	pub max_report_age: u64,
	/// How long auditors may attest or dispute a new KPI (ms).
	pub challenge_window: u64,
	/// How many operators' reports make a KPI.
	pub quorum: u32,
	/// How many operators the feed has had, retired ones included.
	pub operators: u32,
}

/// The status code of a chain extension call. The runtime answers every well-formed call with
/// 0 and traps the contract on a malformed one, so no call here ever sees another code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct UnexpectedStatus(pub u32);

impl ink::env::chain_extension::FromStatusCode for UnexpectedStatus {
	fn from_status_code(status_code: u32) -> Result<(), Self> {
		match status_code {
			0 => Ok(()),
			other => Err(Self(other)),
		}
	}
}

/// The read-only functions of the CityBond chain extension.
#[ink::chain_extension(extension = 0xCB)]
pub trait CityBondReads {
	/// Always 0: see [`UnexpectedStatus`].
	type ErrorCode = UnexpectedStatus;

	/// Whether `who` has an active identity.
	#[ink(function = 0x0001, handle_status = false)]
	fn is_active(who: AccountId) -> bool;

	/// Whether `who` has an active identity holding `role`.
	#[ink(function = 0x0002, handle_status = false)]
	fn has_role(who: AccountId, role: Role) -> bool;

	/// Whether `who` has an active identity with a claim of `kind` valid at `at` (ms since
	/// the Unix epoch): attested, not revoked, not expired.
	#[ink(function = 0x0003, handle_status = false)]
	fn claim_valid(who: AccountId, kind: ClaimKind, at: u64) -> bool;

	/// The ISO 3166-1 alpha-2 jurisdiction of `who`'s active identity.
	#[ink(function = 0x0004, handle_status = false)]
	fn jurisdiction(who: AccountId) -> Option<[u8; 2]>;

	/// The investor category of `who`'s active identity.
	#[ink(function = 0x0005, handle_status = false)]
	fn category(who: AccountId) -> Option<InvestorCategory>;

	/// The KPI of `period` of `feed`; `None` while undecided or for an unknown feed.
	#[ink(function = 0x0101, handle_status = false)]
	fn kpi(feed: u32, period: u32) -> Option<KpiView>;

	/// The feed `feed`.
	#[ink(function = 0x0102, handle_status = false)]
	fn feed(feed: u32) -> Option<FeedView>;

	/// The period of `feed` that contains the current time; `None` for an unknown feed.
	#[ink(function = 0x0103, handle_status = false)]
	fn current_period(feed: u32) -> Option<u32>;
}

/// The CityBond chain's contract environment: ink!'s defaults (32-byte accounts, `u128`
/// balances, ms timestamps, `u32` block numbers) plus [`CityBondReads`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(TypeInfo)]
pub enum CityBondEnvironment {}

impl Environment for CityBondEnvironment {
	const MAX_EVENT_TOPICS: usize = <DefaultEnvironment as Environment>::MAX_EVENT_TOPICS;

	type AccountId = <DefaultEnvironment as Environment>::AccountId;
	type Balance = <DefaultEnvironment as Environment>::Balance;
	type Hash = <DefaultEnvironment as Environment>::Hash;
	type Timestamp = <DefaultEnvironment as Environment>::Timestamp;
	type BlockNumber = <DefaultEnvironment as Environment>::BlockNumber;

	type ChainExtension = CityBondReads;
}
