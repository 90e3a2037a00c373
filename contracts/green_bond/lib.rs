//! # Green bond
//!
//! CityBond's municipal green bond is a token whose coupons follow the measured performance of
//! the financed assets (ICMA Green Bond and Sustainability-Linked Bond Principles). The bond's
//! rules live as plain Rust in the `green_bond_rules` crate, re-exported here module by module,
//! so they are unit-tested on their own and run off chain too (the `citybond` CLI validates
//! term sheets with them); this crate adds the storage ([`store`]) and the `#[ink::contract]`
//! module (`green_bond`), which reads the chain extension, moves cash and emits events.
//!
//! - [`store`]: the contract's storage: the rules' store over `Mapping`s and `Lazy` cells.
//! - `green_bond`: the contract (messages, events, compliance from the chain extension, the
//!   cash leg against the cash token).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[cfg(test)]
use green_bond_rules::fixture;
pub use green_bond_rules::{
	allocation, calendar, checkpoint, data, daycount, error, kpi_link, payout, schedule, terms,
	Balance, Bps, Error, Timestamp, BPS_DENOMINATOR,
};

pub mod store;

/// The green bond contract: stores the state ([`store`]), answers the rules' compliance and
/// KPI questions from the CityBond chain extension, forwards every message to [`data`], moves
/// the cash the rules ask for against the cash token, and emits the rules' events.
///
/// ## Compliance (from the identity registry, through the chain extension)
///
/// - **May hold** (subscribe, send, receive, be allotted, be recovered to): the account's
///   identity holds the `Investor` role and a KYC claim valid now. Both reads answer only for
///   an *active* identity, so a suspended or revoked identity fails at once. The issuer and the
///   agents never hold units, so they need no exemption.
/// - **Category** and **jurisdiction**: the identity's own, as the registry records them (the
///   terms' caps use the registry's [`InvestorCategory`](citybond_env::InvestorCategory)).
/// - **Same identity** (recovery of a lost wallet): the registry keeps one identity per account
///   and no link between accounts, so the chain cannot tell that two accounts are the same
///   person. Recovery therefore rests on two independent parties: a bond agent asserts it (only
///   agents may call `recover`, as in ERC-3643), and the registry must already have suspended
///   or revoked the lost account's identity (a registrar, not a bond agent, does that), while
///   the new account must pass **may hold** itself. A lost wallet that is still active cannot be
///   recovered: while it is active its keys still act on the chain.
///
/// ## KPIs
///
/// `kpi(feed, period)` is read through the chain extension and mapped to
/// [`KpiOutcome`](kpi_link::KpiOutcome) by [`green_bond::outcome_of`]; a feed the oracle does
/// not know (`feed(feed)` is `None`) makes the rate fixing fail with `UnknownKpi`, and a period
/// the oracle has not decided yet reads `Pending` (the fallback clause then decides after the
/// observation date).
///
/// ## Cash
///
/// The rules return [`CashMove`](data::CashMove)s; the contract executes them, in order, after
/// the rules have written the state: `Collect { from, amount }` calls the cash token's
/// `transfer_from(from, this contract, amount, [])` (the payer must have approved this
/// contract), `Pay { to, amount }` calls `transfer(to, amount, [])`. A refusal
/// (`CashTransferRefused`) or a failed call (`CashCallFailed`) makes the message return an
/// error, and ink! then reverts the whole call, state and events included. Writing the state
/// before moving the cash is safe from reentrancy twice over: the cash token (the terms'
/// `currency`, fixed at construction) never calls back, and the calls are made without
/// `ALLOW_REENTRY`, so the runtime refuses any call back into this contract during them.
#[ink::contract(env = citybond_env::CityBondEnvironment)]
pub mod green_bond {
	use crate::{
		allocation::BookOutcome,
		checkpoint::RecordIndex,
		data::{
			self, BondState, BondStore, CashMove, Compliance, ImpactReport, Limits, Payment, Phase,
			Setup, SubscriptionRecord,
		},
		kpi_link::{self, FeedId, FeedPeriod, FeedTiming, KpiAssessment, KpiOutcome, RateFixing},
		payout::Distribution,
		schedule::CouponPeriod,
		store::Store,
		terms::{BondTerms, DocumentHash, InvestorCategory, Isin, UseOfProceeds},
		Bps,
	};
	use citybond_env::{ClaimKind, KpiStatus, KpiView, Role};
	use ink::{
		env::{
			call::{build_call, ExecutionInput, Selector},
			hash::Blake2x256,
		},
		prelude::vec::Vec,
	};

	pub use crate::Error;

	/// Result of a green bond message.
	pub type Result<T> = core::result::Result<T, Error>;

	/// The most coupon periods [`GreenBond::schedule`] returns at once.
	pub const SCHEDULE_PAGE: u32 = 64;

	// ---------------------------------------------------------------------------------------
	// Events: one per `data::Event` variant, accounts indexed.

	/// The bond was set up.
	#[ink(event)]
	pub struct BondCreated {
		/// The issuer.
		#[ink(topic)]
		pub issuer: AccountId,
		/// The ISIN.
		pub isin: Isin,
		/// Hash of the terms.
		pub terms_hash: data::Hash,
		/// Coupon periods.
		pub periods: u32,
		/// The issue size (maximum raise).
		pub issue_size: Balance,
	}

	/// An investor escrowed cash for a subscription.
	#[ink(event)]
	pub struct Subscribed {
		/// The investor.
		#[ink(topic)]
		pub investor: AccountId,
		/// Cash escrowed by this call.
		pub amount: Balance,
		/// The investor's total.
		pub total: Balance,
		/// In the resident priority tranche.
		pub priority: bool,
	}

	/// The book was closed.
	#[ink(event)]
	pub struct BookClosed {
		/// Issued or cancelled.
		pub outcome: BookOutcome,
		/// Units issued.
		pub units: u128,
		/// Cash raised, paid to the issuer.
		pub raised: Balance,
		/// Cash to refund in total.
		pub refunds: Balance,
	}

	/// A subscription's outcome at closing.
	#[ink(event)]
	pub struct Allotted {
		/// The investor.
		#[ink(topic)]
		pub investor: AccountId,
		/// Units allotted.
		pub units: u128,
		/// Cash to refund.
		pub refund: Balance,
	}

	/// A refund was withdrawn.
	#[ink(event)]
	pub struct RefundWithdrawn {
		/// The investor whose refund it was.
		#[ink(topic)]
		pub investor: AccountId,
		/// Who received it (the investor, or the account it was recovered to).
		#[ink(topic)]
		pub to: AccountId,
		/// The amount.
		pub amount: Balance,
	}

	/// Units moved; `from` is `None` when issued, `to` is `None` when redeemed (burned).
	#[ink(event)]
	pub struct Transfer {
		/// The sender, or `None` when issued.
		#[ink(topic)]
		pub from: Option<AccountId>,
		/// The recipient, or `None` when burned.
		#[ink(topic)]
		pub to: Option<AccountId>,
		/// Units.
		pub value: u128,
	}

	/// An allowance was set.
	#[ink(event)]
	pub struct Approval {
		/// The owner of the units.
		#[ink(topic)]
		pub owner: AccountId,
		/// The spender.
		#[ink(topic)]
		pub spender: AccountId,
		/// The new allowance.
		pub amount: u128,
	}

	/// A coupon's rate was fixed from the KPI outcomes.
	#[ink(event)]
	pub struct CouponRateFixed {
		/// The coupon period.
		#[ink(topic)]
		pub period: RecordIndex,
		/// Its rate.
		pub rate_bps: Bps,
		/// Cash per unit.
		pub per_unit: Balance,
		/// How each KPI target moved it.
		pub assessments: Vec<KpiAssessment>,
	}

	/// The issuer paid cash in for a payment.
	#[ink(event)]
	pub struct PaymentFunded {
		/// The payment.
		#[ink(topic)]
		pub payment: Payment,
		/// Paid in by this call.
		pub amount: Balance,
		/// Paid in so far.
		pub funded: Balance,
		/// Owed in total.
		pub due: Balance,
	}

	/// A payment was not funded in time: the bond is in default.
	#[ink(event)]
	pub struct PaymentDefaulted {
		/// The payment.
		#[ink(topic)]
		pub payment: Payment,
		/// What was funded, now paid pro rata.
		pub funded: Balance,
		/// What was owed.
		pub due: Balance,
	}

	/// A holder's record was claimed.
	#[ink(event)]
	pub struct Claimed {
		/// The holder at the record date.
		#[ink(topic)]
		pub holder: AccountId,
		/// Who was paid (the holder, or the account it was recovered to).
		#[ink(topic)]
		pub beneficiary: AccountId,
		/// The record (coupon period).
		pub record: RecordIndex,
		/// Units held at the record date.
		pub units: u128,
		/// Coupon paid.
		pub coupon: Balance,
		/// Principal paid (the last record only).
		pub principal: Balance,
	}

	/// The issuer took back what holders left unclaimed.
	#[ink(event)]
	pub struct Reclaimed {
		/// The payment.
		#[ink(topic)]
		pub payment: Payment,
		/// The amount.
		pub amount: Balance,
	}

	/// The issuer called the bond.
	#[ink(event)]
	pub struct Called {
		/// The call date (an unadjusted coupon date).
		pub call_date: Timestamp,
		/// The coupon period it ends; its record is the last.
		pub period: RecordIndex,
		/// The call premium.
		pub premium_bps: Bps,
	}

	/// An agent paused transfers and subscriptions.
	#[ink(event)]
	pub struct Paused {
		/// The agent.
		#[ink(topic)]
		pub agent: AccountId,
	}

	/// An agent lifted the pause.
	#[ink(event)]
	pub struct Unpaused {
		/// The agent.
		#[ink(topic)]
		pub agent: AccountId,
	}

	/// An agent froze or unfroze an account.
	#[ink(event)]
	pub struct AddressFrozen {
		/// The account.
		#[ink(topic)]
		pub who: AccountId,
		/// Frozen or not.
		pub frozen: bool,
		/// The agent.
		#[ink(topic)]
		pub agent: AccountId,
	}

	/// Units of an account were frozen.
	#[ink(event)]
	pub struct TokensFrozen {
		/// The account.
		#[ink(topic)]
		pub who: AccountId,
		/// Units frozen by this call.
		pub amount: u128,
	}

	/// Units of an account were unfrozen.
	#[ink(event)]
	pub struct TokensUnfrozen {
		/// The account.
		#[ink(topic)]
		pub who: AccountId,
		/// Units unfrozen.
		pub amount: u128,
	}

	/// An agent moved units without the holder (with a [`Transfer`]).
	#[ink(event)]
	pub struct ForcedTransfer {
		/// The agent.
		#[ink(topic)]
		pub agent: AccountId,
		/// The sender.
		#[ink(topic)]
		pub from: AccountId,
		/// The recipient.
		#[ink(topic)]
		pub to: AccountId,
		/// Units.
		pub value: u128,
	}

	/// A lost wallet was recovered to a new account of the same identity.
	#[ink(event)]
	pub struct RecoverySuccess {
		/// The lost account.
		#[ink(topic)]
		pub lost: AccountId,
		/// The new account.
		#[ink(topic)]
		pub new: AccountId,
		/// Units moved.
		pub units: u128,
		/// The agent.
		#[ink(topic)]
		pub agent: AccountId,
	}

	/// The issuer allocated proceeds to eligible projects.
	#[ink(event)]
	pub struct ProceedsAllocated {
		/// Cash by category.
		pub entries: Vec<(UseOfProceeds, Balance)>,
		/// Hash of the allocation report.
		pub document: DocumentHash,
		/// Allocated so far, all categories.
		pub total_allocated: Balance,
	}

	/// The issuer recorded an impact report.
	#[ink(event)]
	pub struct ImpactReported {
		/// Its index.
		pub index: u32,
		/// Impact by category.
		pub entries: Vec<(UseOfProceeds, u128)>,
		/// Hash of the report.
		pub document: DocumentHash,
	}

	// ---------------------------------------------------------------------------------------
	// The chain extension's answers.

	/// The contract's environment, for code outside the contract's `impl` blocks.
	fn env() -> ink::EnvAccess<'static, citybond_env::CityBondEnvironment> {
		<GreenBond as ink::codegen::StaticEnv>::env()
	}

	/// The identity registry as the rules ask it (see the crate docs), read through the chain
	/// extension as of `now`.
	struct Registry {
		/// The block's timestamp: claims must be valid then.
		now: Timestamp,
	}

	impl Compliance<AccountId> for Registry {
		fn may_hold(&self, who: &AccountId) -> bool {
			// Both reads answer only for an active identity: no separate `is_active` read.
			let ext = || env().extension();
			ext().has_role(*who, Role::Investor)
				&& ext().claim_valid(*who, ClaimKind::Kyc, self.now)
		}

		fn category(&self, who: &AccountId) -> Option<InvestorCategory> {
			env().extension().category(*who)
		}

		fn jurisdiction(&self, who: &AccountId) -> Option<[u8; 2]> {
			env().extension().jurisdiction(*who)
		}

		fn same_identity(&self, lost: &AccountId, _new: &AccountId) -> bool {
			// The agent's assertion (the caller of `recover`) plus what the registry can
			// corroborate: the lost account's identity is no longer active. The new account's
			// own compliance is checked by the rule itself.
			!env().extension().is_active(*lost)
		}
	}

	/// What setting a bond up reads from the chain: the issuer's role and the KPI feeds.
	struct SetupReads;

	impl Setup<AccountId> for SetupReads {
		fn is_issuer(&self, who: &AccountId) -> bool {
			// Answers only for an active identity.
			env().extension().has_role(*who, Role::Issuer)
		}

		fn feed(&self, feed: FeedId) -> Option<FeedTiming> {
			env().extension().feed(feed).map(|view| FeedTiming {
				first_start: view.first_start,
				period_length: view.period_length,
				max_report_age: view.max_report_age,
				challenge_window: view.challenge_window,
			})
		}
	}

	/// The bond's reading of the oracle's view of a KPI. The oracle already reports a
	/// `Provisional` KPI whose challenge window has passed as `Final` (`KpiOracle::kpi`). The
	/// value of a `Disputed` KPI is not used until governance resolves it; a `Provisional` or
	/// `Final` view without a value (which the oracle never reports) reads as not decided, and
	/// as missing once final.
	pub fn outcome_of(view: &KpiView) -> KpiOutcome {
		match (view.status, view.value) {
			(KpiStatus::Provisional, Some(value)) => KpiOutcome::Provisional(value),
			(KpiStatus::Final, Some(value)) => KpiOutcome::Final(value),
			(KpiStatus::Provisional, None) => KpiOutcome::Pending,
			(KpiStatus::Final, None) | (KpiStatus::Missing, _) => KpiOutcome::Missing,
			(KpiStatus::Disputed, _) => KpiOutcome::Disputed,
			(KpiStatus::Voided, _) => KpiOutcome::Voided,
		}
	}

	/// `period` of `feed` as the rules read it: `None` for a feed the oracle does not know,
	/// `Pending` for a period it has not decided.
	fn kpi_outcome(feed: FeedId, period: FeedPeriod) -> Option<KpiOutcome> {
		let ext = || env().extension();
		ext().feed(feed)?;
		Some(ext().kpi(feed, period).map_or(KpiOutcome::Pending, |view| outcome_of(&view)))
	}

	// ---------------------------------------------------------------------------------------
	// The contract.

	/// The bond's storage.
	#[ink(storage)]
	pub struct GreenBond {
		/// Everything the rules read and write.
		store: Store,
		/// The cash token contract (the terms' `currency`), kept here so that moving cash does
		/// not read the terms.
		currency: AccountId,
	}

	impl GreenBond {
		/// Issues a bond on `terms` (validated; the hash of their
		/// [`hashing_payload`](BondTerms::hashing_payload) under blake2-256 is published),
		/// naming `agents` (1 to 8) for the ERC-3643 controls, with the subscriber and holder
		/// `limits`. Every KPI feed of the terms must be known to the oracle. The caller must
		/// be the terms' issuer, with an active identity holding the `Issuer` role: nobody
		/// issues in another's name (`NotIssuer`, `IssuerNotRegistered`).
		#[ink(constructor)]
		pub fn new(
			terms: BondTerms<AccountId>,
			agents: Vec<AccountId>,
			limits: Limits,
		) -> Result<Self> {
			let terms_hash =
				terms.hash_with(|payload| Self::env().hash_bytes::<Blake2x256>(payload));
			let caller = Self::env().caller();
			let mut bond = Self { store: Store::default(), currency: terms.currency };
			let outcome = data::init(
				&mut bond.store,
				terms,
				terms_hash,
				&caller,
				&agents,
				limits,
				&SetupReads,
			);
			bond.settle(outcome)?;
			Ok(bond)
		}

		// -- Subscription and closing --------------------------------------------------------

		/// Escrows `amount` more cash for the caller's subscription: the cash token's
		/// `transfer_from(caller, bond, amount)`, so the caller must have approved the bond.
		#[ink(message)]
		pub fn subscribe(&mut self, amount: Balance) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::subscribe(&mut self.store, &Registry { now }, &caller, now, amount);
			self.settle(outcome)
		}

		/// Closes the book once the subscription window has ended (anyone may): allots units,
		/// pays the proceeds to the issuer, or cancels the issue.
		#[ink(message)]
		pub fn close_book(&mut self) -> Result<()> {
			let now = self.env().block_timestamp();
			let outcome = data::close_book(&mut self.store, &Registry { now }, now);
			self.settle(outcome)
		}

		/// Pays the caller what is refundable of `investor`'s subscription (the caller is the
		/// investor, or the account it was recovered to).
		#[ink(message)]
		pub fn withdraw_refund(&mut self, investor: AccountId) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::withdraw_refund(&mut self.store, &caller, &investor);
			self.settle(outcome)
		}

		// -- PSP22 -------------------------------------------------------------------------

		/// Units in existence.
		#[ink(message)]
		pub fn total_supply(&self) -> u128 {
			self.store.state().map_or(0, |s| s.supply)
		}

		/// Units `owner` holds.
		#[ink(message)]
		pub fn balance_of(&self, owner: AccountId) -> u128 {
			data::balance_of(&self.store, &owner)
		}

		/// Units `spender` may still transfer from `owner`.
		#[ink(message)]
		pub fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
			BondStore::allowance(&self.store, &owner, &spender)
		}

		/// Sends `value` of the caller's units to `to`. `_data` is accepted for PSP22
		/// compatibility and ignored.
		#[ink(message)]
		pub fn transfer(&mut self, to: AccountId, value: u128, _data: Vec<u8>) -> Result<()> {
			let (caller, now) = self.context();
			let outcome =
				data::transfer(&mut self.store, &Registry { now }, &caller, &to, value, now);
			self.settle(outcome)
		}

		/// Sends `value` of `from`'s units to `to`, spending the caller's allowance.
		#[ink(message)]
		pub fn transfer_from(
			&mut self,
			from: AccountId,
			to: AccountId,
			value: u128,
			_data: Vec<u8>,
		) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::transfer_from(
				&mut self.store,
				&Registry { now },
				&caller,
				&from,
				&to,
				value,
				now,
			);
			self.settle(outcome)
		}

		/// Allows `spender` to transfer up to `value` of the caller's units.
		#[ink(message)]
		pub fn approve(&mut self, spender: AccountId, value: u128) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::approve(&mut self.store, &caller, &spender, value);
			self.settle(outcome)
		}

		// -- Coupons, redemption, call, default ---------------------------------------------

		/// Fixes coupon `period`'s rate from the KPIs (anyone may, once they can be told).
		#[ink(message)]
		pub fn fix_coupon_rate(&mut self, period: RecordIndex) -> Result<()> {
			let now = self.env().block_timestamp();
			let outcome = data::fix_coupon_rate(&mut self.store, now, period, kpi_outcome);
			self.settle(outcome)
		}

		/// The issuer pays `amount` in for `payment`: the cash token's
		/// `transfer_from(issuer, bond, amount)`, so the issuer must have approved the bond.
		#[ink(message)]
		pub fn fund(&mut self, payment: Payment, amount: Balance) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::fund(&mut self.store, &caller, now, payment, amount, kpi_outcome);
			self.settle(outcome)
		}

		/// Declares `payment` in default once its due date plus grace period has passed
		/// without full funding (anyone may).
		#[ink(message)]
		pub fn declare_default(&mut self, payment: Payment) -> Result<()> {
			let now = self.env().block_timestamp();
			let outcome = data::declare_default(&mut self.store, now, payment, kpi_outcome);
			self.settle(outcome)
		}

		/// Claims `holder`'s next record (its coupon; at the last record the principal too)
		/// and pays it to the caller, the holder or the account it was recovered to.
		#[ink(message)]
		pub fn claim(&mut self, holder: AccountId) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::claim(&mut self.store, &caller, &holder, now);
			self.settle(outcome)
		}

		/// The issuer takes back what holders left unclaimed of `payment` after its claim
		/// period.
		#[ink(message)]
		pub fn reclaim(&mut self, payment: Payment) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::reclaim(&mut self.store, &caller, now, payment);
			self.settle(outcome)
		}

		/// The issuer calls the bond on `call_date`, a call date of the terms.
		#[ink(message)]
		pub fn exercise_call(&mut self, call_date: Timestamp) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::exercise_call(&mut self.store, &caller, now, call_date);
			self.settle(outcome)
		}

		// -- Agent controls (ERC-3643) ------------------------------------------------------

		/// An agent stops transfers and subscriptions.
		#[ink(message)]
		pub fn pause(&mut self) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::pause(&mut self.store, &caller);
			self.settle(outcome)
		}

		/// An agent lifts the pause.
		#[ink(message)]
		pub fn unpause(&mut self) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::unpause(&mut self.store, &caller);
			self.settle(outcome)
		}

		/// An agent freezes or unfreezes `who`.
		#[ink(message)]
		pub fn set_address_frozen(&mut self, who: AccountId, frozen: bool) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::set_address_frozen(&mut self.store, &caller, &who, frozen);
			self.settle(outcome)
		}

		/// An agent freezes `amount` more of `who`'s units.
		#[ink(message)]
		pub fn freeze_partial_tokens(&mut self, who: AccountId, amount: u128) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::freeze_partial_tokens(&mut self.store, &caller, &who, amount);
			self.settle(outcome)
		}

		/// An agent unfreezes `amount` of `who`'s frozen units.
		#[ink(message)]
		pub fn unfreeze_partial_tokens(&mut self, who: AccountId, amount: u128) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::unfreeze_partial_tokens(&mut self.store, &caller, &who, amount);
			self.settle(outcome)
		}

		/// An agent moves `value` of `from`'s units to `to`, whatever the pause and freezes.
		#[ink(message)]
		pub fn forced_transfer(
			&mut self,
			from: AccountId,
			to: AccountId,
			value: u128,
		) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::forced_transfer(
				&mut self.store,
				&Registry { now },
				&caller,
				&from,
				&to,
				value,
				now,
			);
			self.settle(outcome)
		}

		/// An agent recovers the lost account `lost` to `new` (see the crate docs for what
		/// "the same identity" requires).
		#[ink(message)]
		pub fn recover(&mut self, lost: AccountId, new: AccountId) -> Result<()> {
			let (caller, now) = self.context();
			let outcome =
				data::recover(&mut self.store, &Registry { now }, &caller, &lost, &new, now);
			self.settle(outcome)
		}

		// -- Reports ------------------------------------------------------------------------

		/// The issuer records allocations of the proceeds, with the report's hash.
		#[ink(message)]
		pub fn allocate_proceeds(
			&mut self,
			entries: Vec<(UseOfProceeds, Balance)>,
			document: DocumentHash,
		) -> Result<()> {
			let caller = self.env().caller();
			let outcome = data::allocate_proceeds(&mut self.store, &caller, &entries, document);
			self.settle(outcome)
		}

		/// The issuer records an impact report, with the report's hash.
		#[ink(message)]
		pub fn report_impact(
			&mut self,
			entries: Vec<(UseOfProceeds, u128)>,
			document: DocumentHash,
		) -> Result<()> {
			let (caller, now) = self.context();
			let outcome = data::report_impact(&mut self.store, &caller, now, &entries, document);
			self.settle(outcome)
		}

		// -- Reads --------------------------------------------------------------------------

		/// The terms, as published.
		#[ink(message)]
		pub fn terms(&self) -> Option<BondTerms<AccountId>> {
			self.store.state().and_then(|_| self.store.terms())
		}

		/// The blake2-256 hash of the terms' hashing payload.
		#[ink(message)]
		pub fn terms_hash(&self) -> Option<data::Hash> {
			self.store.state().map(|s| s.terms_hash)
		}

		/// The bond's scalar state (phase, supply, holders, cash held, ...).
		#[ink(message)]
		pub fn state(&self) -> Option<BondState<AccountId>> {
			self.store.state()
		}

		/// Where the bond is in its life.
		#[ink(message)]
		pub fn phase(&self) -> Option<Phase> {
			self.store.state().map(|s| s.phase)
		}

		/// Coupon period `index` of the schedule.
		#[ink(message)]
		pub fn period(&self, index: u32) -> Option<CouponPeriod> {
			self.store.period(index)
		}

		/// Up to `count` (at most [`SCHEDULE_PAGE`]) coupon periods from index `from`.
		#[ink(message)]
		pub fn schedule(&self, from: u32, count: u32) -> Vec<CouponPeriod> {
			let end = from.saturating_add(count.min(SCHEDULE_PAGE));
			(from..end).map_while(|index| self.store.period(index)).collect()
		}

		/// `payment`'s distribution (per-unit amount, funding, claims), once fixed.
		#[ink(message)]
		pub fn distribution(&self, payment: Payment) -> Option<Distribution> {
			self.store.distribution(payment)
		}

		/// The rate coupon `period` would be fixed at now, from the KPIs as the oracle reports
		/// them now (`KpiUndetermined` while that cannot be told). Once a rate is fixed it no
		/// longer moves: the `CouponRateFixed` event and [`Self::distribution`] hold it.
		#[ink(message)]
		pub fn coupon_rate(&self, period: RecordIndex) -> Result<RateFixing> {
			let state = self.store.state().ok_or(Error::NotInitialised)?;
			if period >= state.periods {
				return Err(Error::UnknownPeriod);
			}
			let terms = self.store.terms().ok_or(Error::NotInitialised)?;
			let now = self.env().block_timestamp();
			let mut unknown = false;
			let fixing =
				kpi_link::coupon_rate(&terms.rate_bounds(), &terms.kpis, period, now, |f, p| {
					kpi_outcome(f, p).unwrap_or_else(|| {
						unknown = true;
						KpiOutcome::Pending
					})
				});
			if unknown {
				return Err(Error::UnknownKpi);
			}
			fixing
		}

		/// `who`'s subscription.
		#[ink(message)]
		pub fn subscription(&self, who: AccountId) -> Option<SubscriptionRecord> {
			self.store.subscription(&who)
		}

		/// Whether `who` is an agent.
		#[ink(message)]
		pub fn is_agent(&self, who: AccountId) -> bool {
			self.store.is_agent(&who)
		}

		/// Whether transfers and subscriptions are paused.
		#[ink(message)]
		pub fn paused(&self) -> bool {
			self.store.state().is_some_and(|s| s.paused)
		}

		/// Whether `who` is frozen.
		#[ink(message)]
		pub fn is_frozen(&self, who: AccountId) -> bool {
			self.store.frozen(&who)
		}

		/// Units of `who` that are frozen.
		#[ink(message)]
		pub fn frozen_tokens(&self, who: AccountId) -> u128 {
			self.store.frozen_units(&who)
		}

		/// The account `who` was recovered to, if any.
		#[ink(message)]
		pub fn successor(&self, who: AccountId) -> Option<AccountId> {
			self.store.successor(&who)
		}

		/// Proceeds allocated to `category` so far.
		#[ink(message)]
		pub fn allocated(&self, category: UseOfProceeds) -> Balance {
			self.store.allocated(category)
		}

		/// Impact report `index`.
		#[ink(message)]
		pub fn impact_report(&self, index: u32) -> Option<ImpactReport> {
			self.store.impact_report(index)
		}

		/// The cash token the bond settles in.
		#[ink(message)]
		pub fn currency(&self) -> AccountId {
			self.currency
		}

		// -- Plumbing -----------------------------------------------------------------------

		/// The caller and the block's timestamp.
		fn context(&self) -> (AccountId, Timestamp) {
			(self.env().caller(), self.env().block_timestamp())
		}

		/// Finishes a rule that has written its state: moves its cash, then emits its events.
		/// Any failure returns an error, and ink! reverts the whole call.
		fn settle(&mut self, outcome: data::Outcome<AccountId>) -> Result<()> {
			let effects = outcome?;
			for cash in effects.cash {
				self.move_cash(cash)?;
			}
			for event in effects.events {
				Self::emit(event);
			}
			Ok(())
		}

		/// Executes one cash movement against the cash token.
		fn move_cash(&self, cash: CashMove<AccountId>) -> Result<()> {
			match cash {
				CashMove::Collect { from, amount } => self.call_cash_token(
					ExecutionInput::new(Selector::new(ink::selector_bytes!("transfer_from")))
						.push_arg(from)
						.push_arg(self.env().account_id())
						.push_arg(amount)
						.push_arg(Vec::<u8>::new()),
				),
				CashMove::Pay { to, amount } => self.call_cash_token(
					ExecutionInput::new(Selector::new(ink::selector_bytes!("transfer")))
						.push_arg(to)
						.push_arg(amount)
						.push_arg(Vec::<u8>::new()),
				),
			}
		}

		/// Calls a cash token message that answers `Result<(), cash_token::Error>`. Its error
		/// is a fieldless enum, encoded as one byte (the variant's index), so it is decoded as
		/// a `u8` without depending on the cash token's crate.
		fn call_cash_token<Args: ink::scale::Encode>(
			&self,
			input: ExecutionInput<Args>,
		) -> Result<()> {
			let reply = build_call::<citybond_env::CityBondEnvironment>()
				.call(self.currency)
				.exec_input(input)
				.returns::<core::result::Result<(), u8>>()
				.try_invoke();
			match reply {
				Ok(Ok(Ok(()))) => Ok(()),
				Ok(Ok(Err(_))) => Err(Error::CashTransferRefused),
				Ok(Err(_)) | Err(_) => Err(Error::CashCallFailed),
			}
		}

		/// Emits a rule's event as the matching contract event.
		fn emit(event: data::Event<AccountId>) {
			let env = Self::env();
			match event {
				data::Event::BondCreated { issuer, isin, terms_hash, periods, issue_size } => {
					env.emit_event(BondCreated { issuer, isin, terms_hash, periods, issue_size })
				}
				data::Event::Subscribed { investor, amount, total, priority } => {
					env.emit_event(Subscribed { investor, amount, total, priority })
				}
				data::Event::BookClosed { outcome, units, raised, refunds } => {
					env.emit_event(BookClosed { outcome, units, raised, refunds })
				}
				data::Event::Allotted { investor, units, refund } => {
					env.emit_event(Allotted { investor, units, refund })
				}
				data::Event::RefundWithdrawn { investor, to, amount } => {
					env.emit_event(RefundWithdrawn { investor, to, amount })
				}
				data::Event::Transfer { from, to, value } => {
					env.emit_event(Transfer { from, to, value })
				}
				data::Event::Approval { owner, spender, amount } => {
					env.emit_event(Approval { owner, spender, amount })
				}
				data::Event::CouponRateFixed { period, rate_bps, per_unit, assessments } => {
					env.emit_event(CouponRateFixed { period, rate_bps, per_unit, assessments })
				}
				data::Event::PaymentFunded { payment, amount, funded, due } => {
					env.emit_event(PaymentFunded { payment, amount, funded, due })
				}
				data::Event::PaymentDefaulted { payment, funded, due } => {
					env.emit_event(PaymentDefaulted { payment, funded, due })
				}
				data::Event::Claimed { holder, beneficiary, record, units, coupon, principal } => {
					env.emit_event(Claimed {
						holder,
						beneficiary,
						record,
						units,
						coupon,
						principal,
					})
				}
				data::Event::Reclaimed { payment, amount } => {
					env.emit_event(Reclaimed { payment, amount })
				}
				data::Event::Called { call_date, period, premium_bps } => {
					env.emit_event(Called { call_date, period, premium_bps })
				}
				data::Event::Paused { agent } => env.emit_event(Paused { agent }),
				data::Event::Unpaused { agent } => env.emit_event(Unpaused { agent }),
				data::Event::AddressFrozen { who, frozen, agent } => {
					env.emit_event(AddressFrozen { who, frozen, agent })
				}
				data::Event::TokensFrozen { who, amount } => {
					env.emit_event(TokensFrozen { who, amount })
				}
				data::Event::TokensUnfrozen { who, amount } => {
					env.emit_event(TokensUnfrozen { who, amount })
				}
				data::Event::ForcedTransfer { agent, from, to, value } => {
					env.emit_event(ForcedTransfer { agent, from, to, value })
				}
				data::Event::RecoverySuccess { lost, new, units, agent } => {
					env.emit_event(RecoverySuccess { lost, new, units, agent })
				}
				data::Event::ProceedsAllocated { entries, document, total_allocated } => {
					env.emit_event(ProceedsAllocated { entries, document, total_allocated })
				}
				data::Event::ImpactReported { index, entries, document } => {
					env.emit_event(ImpactReported { index, entries, document })
				}
			}
		}
	}

	#[cfg(test)]
	// An overflow in a test panics and fails it, which is what it should do.
	#[allow(clippy::arithmetic_side_effects)]
	mod tests {
		//! The contract over ink!'s off-chain environment, with the chain extension answered
		//! from tables. Cross-contract calls cannot run off-chain (the environment panics on
		//! any), so these tests drive the messages that move no cash, and those that fail
		//! before moving any; the cash leg runs on a real node (`tests/tests/e2e/green_bond.rs`).
		use super::*;
		use crate::{
			fixture::{DENOM, KPI_FEED, P, SUB_END, SUB_START, T0},
			kpi_link::TargetStatus,
		};
		use citybond_env::{CityBondEnvironment, FeedView};
		use ink::{
			env::test,
			scale::{Decode, Encode},
		};
		use std::collections::BTreeMap;

		type Env = CityBondEnvironment;

		const VALID_UNTIL: u64 = T0 + 100 * P;

		/// One identity, as the registry would answer for it.
		#[derive(Clone)]
		struct Identity {
			active: bool,
			roles: Vec<Role>,
			kyc: bool,
			jurisdiction: [u8; 2],
			category: Option<InvestorCategory>,
		}

		/// The CityBond chain extension, answered from tables.
		#[derive(Clone, Default)]
		struct Chain {
			identities: BTreeMap<AccountId, Identity>,
			feeds: Vec<u32>,
			kpis: BTreeMap<(u32, u32), KpiView>,
		}

		impl Chain {
			fn active(&self, who: &AccountId) -> Option<&Identity> {
				self.identities.get(who).filter(|i| i.active)
			}
		}

		impl test::ChainExtension for Chain {
			fn ext_id(&self) -> u16 {
				citybond_env::EXTENSION_ID
			}

			fn call(&mut self, func_id: u16, input: &[u8], output: &mut Vec<u8>) -> u32 {
				// The off-chain engine passes the encoded arguments on as a SCALE `Vec<u8>`.
				let args = Vec::<u8>::decode(&mut &input[..]).unwrap();
				let args = &mut &args[..];
				match func_id {
					0x0001 => {
						let who = AccountId::decode(args).unwrap();
						self.active(&who).is_some().encode_to(output)
					}
					0x0002 => {
						let (who, role) = <(AccountId, Role)>::decode(args).unwrap();
						self.active(&who).is_some_and(|i| i.roles.contains(&role)).encode_to(output)
					}
					0x0003 => {
						let (who, kind, at) = <(AccountId, ClaimKind, u64)>::decode(args).unwrap();
						let valid = kind == ClaimKind::Kyc && at < VALID_UNTIL;
						(valid && self.active(&who).is_some_and(|i| i.kyc)).encode_to(output)
					}
					0x0004 => {
						let who = AccountId::decode(args).unwrap();
						self.active(&who).map(|i| i.jurisdiction).encode_to(output)
					}
					0x0005 => {
						let who = AccountId::decode(args).unwrap();
						self.active(&who).and_then(|i| i.category).encode_to(output)
					}
					0x0101 => {
						let key = <(u32, u32)>::decode(args).unwrap();
						self.kpis.get(&key).cloned().encode_to(output)
					}
					0x0102 => {
						let feed = u32::decode(args).unwrap();
						// Period 0 is the first half of coupon period 0; its KPI is final by
						// T0 + P (half a period, a quarter for reports, a quarter to dispute):
						// the observation date of the fixture's target.
						let view = FeedView {
							owner: None,
							decimals: 0,
							first_start: T0,
							period_length: P / 2,
							max_report_age: P / 4,
							challenge_window: P / 4,
							quorum: 3,
							operators: 3,
						};
						self.feeds.contains(&feed).then_some(view).encode_to(output)
					}
					other => panic!("unexpected chain extension function {other:#06x}"),
				}
				0
			}
		}

		fn accounts() -> test::DefaultAccounts<Env> {
			test::default_accounts::<Env>()
		}

		/// Alice is the agent, Bob the issuer, Frank stands for the cash token. Charlie is a
		/// retail investor in NL, Django a professional in DE; Eve is registered without the
		/// investor role.
		fn chain() -> Chain {
			let a = accounts();
			let investor = |jurisdiction, category| Identity {
				active: true,
				roles: vec![Role::Investor],
				kyc: true,
				jurisdiction,
				category: Some(category),
			};
			let mut identities = BTreeMap::new();
			identities.insert(a.charlie, investor(*b"NL", InvestorCategory::Retail));
			identities.insert(a.django, investor(*b"DE", InvestorCategory::Professional));
			identities.insert(
				a.eve,
				Identity {
					roles: vec![Role::Auditor],
					..investor(*b"NL", InvestorCategory::Retail)
				},
			);
			identities.insert(new_wallet(), investor(*b"NL", InvestorCategory::Retail));
			identities.insert(
				a.bob,
				Identity {
					roles: vec![Role::Issuer],
					kyc: false,
					category: None,
					..investor(*b"NL", InvestorCategory::Retail)
				},
			);
			Chain { identities, feeds: vec![KPI_FEED], kpis: BTreeMap::new() }
		}

		/// Charlie's replacement wallet.
		fn new_wallet() -> AccountId {
			AccountId::from([0x21; 32])
		}

		fn terms() -> BondTerms<AccountId> {
			let a = accounts();
			BondTerms {
				use_of_proceeds: vec![UseOfProceeds::EnergyEfficiency],
				..crate::fixture::terms(a.bob, a.frank, *b"NL")
			}
		}

		fn limits() -> Limits {
			Limits { max_subscribers: 10, max_holders: 20 }
		}

		/// A bond deployed by Bob with Alice as agent, at `now`, over `chain`.
		fn deploy_with(chain: Chain, now: Timestamp) -> Result<GreenBond> {
			test::register_chain_extension(chain);
			test::set_block_timestamp::<Env>(now);
			test::set_caller::<Env>(accounts().bob);
			GreenBond::new(terms(), vec![accounts().alice], limits())
		}

		fn deploy() -> GreenBond {
			deploy_with(chain(), SUB_START).unwrap()
		}

		fn set_caller(who: AccountId) {
			test::set_caller::<Env>(who);
		}

		fn events() -> Vec<test::EmittedEvent> {
			test::recorded_events().collect()
		}

		/// The last event: asserts it is an `E` and returns its topics after the signature.
		fn last_event<E: ink::env::Event>() -> (Vec<Vec<u8>>, Vec<u8>) {
			let last = events().pop().expect("no event");
			assert_eq!(last.topics[0], E::SIGNATURE_TOPIC.unwrap().to_vec());
			(last.topics[1..].to_vec(), last.data)
		}

		fn topic(who: AccountId) -> Vec<u8> {
			who.encode()
		}

		#[ink::test]
		fn constructor_publishes_terms_hash_schedule_and_bond_created() {
			let bond = deploy();
			let mut expected = [0u8; 32];
			ink::env::hash_bytes::<Blake2x256>(&terms().hashing_payload(), &mut expected);
			assert_eq!(bond.terms_hash(), Some(expected));
			assert_eq!(bond.terms(), Some(terms()));
			assert_eq!(bond.phase(), Some(Phase::Subscription));
			assert_eq!(bond.currency(), accounts().frank);
			let schedule = bond.schedule(0, 100);
			assert_eq!(schedule.len(), 4);
			assert_eq!(schedule[3].payment_date, T0 + 4 * P);
			assert_eq!(bond.schedule(3, 2), schedule[3..].to_vec());
			assert!(bond.is_agent(accounts().alice));
			assert!(!bond.is_agent(accounts().bob));

			assert_eq!(events().len(), 1);
			let (topics, data) = last_event::<BondCreated>();
			assert_eq!(topics, vec![topic(accounts().bob)]);
			let (issuer, isin, hash, periods, size) =
				<(AccountId, Isin, data::Hash, u32, Balance)>::decode(&mut &data[..]).unwrap();
			assert_eq!(
				(issuer, isin, hash, periods, size),
				(accounts().bob, *b"XS2407019798", expected, 4, 100 * DENOM)
			);
		}

		#[ink::test]
		fn constructor_refuses_a_kpi_feed_the_oracle_does_not_know() {
			let chain = Chain { feeds: Vec::new(), ..chain() };
			assert_eq!(deploy_with(chain, SUB_START).err(), Some(Error::UnknownKpi));
			assert!(events().is_empty());
		}

		#[ink::test]
		fn constructor_refuses_an_issuer_other_than_the_caller_or_without_the_role() {
			let a = accounts();
			// Alice (the agent) sets up a bond naming Bob as issuer.
			test::register_chain_extension(chain());
			set_caller(a.alice);
			let refused = GreenBond::new(terms(), vec![a.alice], limits()).err();
			assert_eq!(refused, Some(Error::NotIssuer));
			// Bob, suspended: his identity answers no role.
			let mut suspended = chain();
			suspended.identities.get_mut(&a.bob).unwrap().active = false;
			assert_eq!(deploy_with(suspended, SUB_START).err(), Some(Error::IssuerNotRegistered));
			// Eve (an auditor) names herself.
			set_caller(a.eve);
			let own = BondTerms { issuer: a.eve, ..terms() };
			let refused = GreenBond::new(own, vec![a.alice], limits()).err();
			assert_eq!(refused, Some(Error::IssuerNotRegistered));
			assert!(events().is_empty());
		}

		#[ink::test]
		fn constructor_refuses_invalid_terms() {
			test::register_chain_extension(chain());
			let bad = BondTerms { isin: *b"XS2407019799", ..terms() };
			let refused = GreenBond::new(bad, vec![accounts().alice], limits()).err();
			assert_eq!(refused, Some(Error::IsinChecksumMismatch));
		}

		#[ink::test]
		fn only_an_agent_pauses_and_the_pause_stops_subscriptions() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.bob);
			assert_eq!(bond.pause(), Err(Error::NotAgent));
			assert_eq!(events().len(), 1);

			set_caller(a.alice);
			assert_eq!(bond.pause(), Ok(()));
			assert!(bond.paused());
			let (topics, _) = last_event::<Paused>();
			assert_eq!(topics, vec![topic(a.alice)]);
			assert_eq!(bond.pause(), Err(Error::AlreadyPaused));

			set_caller(a.charlie);
			assert_eq!(bond.subscribe(5 * DENOM), Err(Error::Paused));
			assert_eq!(bond.unpause(), Err(Error::NotAgent));

			set_caller(a.alice);
			assert_eq!(bond.unpause(), Ok(()));
			assert!(!bond.paused());
			let (topics, _) = last_event::<Unpaused>();
			assert_eq!(topics, vec![topic(a.alice)]);
		}

		#[ink::test]
		fn subscription_needs_the_investor_role_kyc_and_an_active_identity() {
			let a = accounts();
			let mut chain = chain();
			chain.identities.get_mut(&a.django).unwrap().kyc = false;
			let mut bond = deploy_with(chain, SUB_START).unwrap();
			// Eve has an identity but not the investor role; Django has no valid KYC; Frank
			// has no identity at all.
			for who in [a.eve, a.django, a.frank] {
				set_caller(who);
				assert_eq!(bond.subscribe(5 * DENOM), Err(Error::NotCompliant));
			}
			assert_eq!(bond.subscription(a.eve), None);
			assert_eq!(events().len(), 1);
		}

		#[ink::test]
		fn retail_cap_applies_to_the_category_the_registry_reports() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.charlie);
			assert_eq!(bond.subscribe(31 * DENOM), Err(Error::InvestorCapExceeded));
			assert_eq!(bond.subscribe(DENOM / 2), Err(Error::NotWholeDenominations));
		}

		#[ink::test]
		fn subscription_without_a_category_is_refused() {
			let a = accounts();
			let mut chain = chain();
			chain.identities.get_mut(&a.charlie).unwrap().category = None;
			let mut bond = deploy_with(chain, SUB_START).unwrap();
			set_caller(a.charlie);
			assert_eq!(bond.subscribe(5 * DENOM), Err(Error::NoInvestorCategory));
		}

		/// A compliant subscription passes every check, writes its state and then asks the
		/// cash token for the escrow: the first thing the off-chain environment cannot do.
		#[ink::test]
		#[should_panic(expected = "off-chain environment does not support contract invocation")]
		fn compliant_subscription_goes_on_to_collect_the_cash() {
			let mut bond = deploy();
			set_caller(accounts().charlie);
			let _ = bond.subscribe(5 * DENOM);
		}

		#[ink::test]
		fn approve_sets_the_allowance_and_emits_approval_with_topics() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.charlie);
			assert_eq!(bond.approve(a.django, 3), Ok(()));
			assert_eq!(bond.allowance(a.charlie, a.django), 3);
			let (topics, data) = last_event::<Approval>();
			assert_eq!(topics, vec![topic(a.charlie), topic(a.django)]);
			assert_eq!(u128::decode(&mut &data[64..]).unwrap(), 3);
			assert_eq!(bond.approve(a.django, 0), Ok(()));
			assert_eq!(bond.allowance(a.charlie, a.django), 0);
		}

		#[ink::test]
		fn transfers_wait_for_issuance() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.charlie);
			assert_eq!(bond.transfer(a.django, 1, Vec::new()), Err(Error::WrongPhase));
			assert_eq!(bond.balance_of(a.charlie), 0);
			assert_eq!(bond.total_supply(), 0);
		}

		#[ink::test]
		fn only_an_agent_freezes_and_a_frozen_investor_cannot_subscribe() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.bob);
			assert_eq!(bond.set_address_frozen(a.charlie, true), Err(Error::NotAgent));
			assert_eq!(bond.freeze_partial_tokens(a.charlie, 1), Err(Error::NotAgent));
			assert_eq!(bond.forced_transfer(a.charlie, a.django, 1), Err(Error::NotAgent));
			assert_eq!(bond.recover(a.charlie, new_wallet()), Err(Error::NotAgent));

			set_caller(a.alice);
			assert_eq!(bond.set_address_frozen(a.charlie, true), Ok(()));
			assert!(bond.is_frozen(a.charlie));
			let (topics, data) = last_event::<AddressFrozen>();
			assert_eq!(topics, vec![topic(a.charlie), topic(a.alice)]);
			assert_eq!(data[32], 1); // frozen: true
							// Nothing to freeze partially before issuance.
			assert_eq!(bond.freeze_partial_tokens(a.charlie, 1), Err(Error::FreezeExceedsBalance));
			assert_eq!(
				bond.unfreeze_partial_tokens(a.charlie, 1),
				Err(Error::UnfreezeExceedsFrozen)
			);
			assert_eq!(bond.frozen_tokens(a.charlie), 0);

			set_caller(a.charlie);
			assert_eq!(bond.subscribe(5 * DENOM), Err(Error::AccountFrozen));

			set_caller(a.alice);
			assert_eq!(bond.set_address_frozen(a.charlie, false), Ok(()));
			assert!(!bond.is_frozen(a.charlie));
		}

		#[ink::test]
		fn only_the_issuer_funds_calls_and_reports() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.charlie);
			assert_eq!(bond.fund(Payment::Coupon(0), 1), Err(Error::NotIssuer));
			assert_eq!(bond.exercise_call(T0 + 2 * P), Err(Error::NotIssuer));
			assert_eq!(bond.reclaim(Payment::Coupon(0)), Err(Error::NotIssuer));
			let entries = vec![(UseOfProceeds::EnergyEfficiency, 1)];
			assert_eq!(bond.allocate_proceeds(entries.clone(), [1; 32]), Err(Error::NotIssuer));
			assert_eq!(bond.report_impact(entries.clone(), [1; 32]), Err(Error::NotIssuer));
			// The issuer too must wait for issuance.
			set_caller(a.bob);
			assert_eq!(bond.fund(Payment::Coupon(0), 1), Err(Error::WrongPhase));
			assert_eq!(bond.allocate_proceeds(entries, [1; 32]), Err(Error::WrongPhase));
			assert_eq!(bond.exercise_call(T0 + 2 * P), Err(Error::WrongPhase));
			assert_eq!(events().len(), 1);
		}

		#[ink::test]
		fn an_empty_book_closes_cancelled_without_moving_cash() {
			let a = accounts();
			let mut bond = deploy();
			set_caller(a.django);
			assert_eq!(bond.close_book(), Err(Error::SubscriptionStillOpen));
			test::set_block_timestamp::<Env>(SUB_END);
			assert_eq!(bond.close_book(), Ok(()));
			assert_eq!(bond.phase(), Some(Phase::Cancelled));
			let (topics, data) = last_event::<BookClosed>();
			assert!(topics.is_empty());
			let closed = <(BookOutcome, u128, Balance, Balance)>::decode(&mut &data[..]).unwrap();
			assert_eq!(closed, (BookOutcome::Cancelled, 0, 0, 0));
			assert_eq!(bond.withdraw_refund(a.django), Err(Error::NothingToRefund));
		}

		#[ink::test]
		fn recovery_needs_the_registry_to_have_deactivated_the_lost_wallet() {
			let a = accounts();
			let mut bond = deploy();
			test::set_block_timestamp::<Env>(SUB_END);
			assert_eq!(bond.close_book(), Ok(()));

			// Charlie's identity is still active: his keys still act, so no recovery.
			set_caller(a.alice);
			assert_eq!(bond.recover(a.charlie, new_wallet()), Err(Error::NotSameIdentity));

			// The registrar suspends the lost wallet; the agent recovers it.
			let mut suspended = chain();
			suspended.identities.get_mut(&a.charlie).unwrap().active = false;
			test::register_chain_extension(suspended.clone());
			// The new wallet must pass compliance itself.
			assert_eq!(bond.recover(a.charlie, a.eve), Err(Error::RecipientNotCompliant));
			assert_eq!(bond.recover(a.charlie, new_wallet()), Ok(()));
			assert_eq!(bond.successor(a.charlie), Some(new_wallet()));
			let (topics, data) = last_event::<RecoverySuccess>();
			assert_eq!(topics, vec![topic(a.charlie), topic(new_wallet()), topic(a.alice)]);
			assert_eq!(u128::decode(&mut &data[64..]).unwrap(), 0);

			// The lost wallet can no longer act; the new one acts for it.
			set_caller(a.charlie);
			assert_eq!(bond.withdraw_refund(a.charlie), Err(Error::AccountRecovered));
			set_caller(new_wallet());
			assert_eq!(bond.withdraw_refund(a.charlie), Err(Error::NothingToRefund));
		}

		fn final_kpi(value: i128) -> KpiView {
			KpiView {
				status: KpiStatus::Final,
				value: Some(value),
				readings: 3,
				decided_at: 0,
				challenge_end: 0,
			}
		}

		#[test]
		fn oracle_views_map_to_the_bond_outcomes() {
			let view = |status, value| KpiView { status, value, ..final_kpi(0) };
			let cases = [
				(view(KpiStatus::Provisional, Some(5)), KpiOutcome::Provisional(5)),
				(view(KpiStatus::Provisional, None), KpiOutcome::Pending),
				(view(KpiStatus::Final, Some(-5)), KpiOutcome::Final(-5)),
				(view(KpiStatus::Final, None), KpiOutcome::Missing),
				(view(KpiStatus::Disputed, Some(5)), KpiOutcome::Disputed),
				(view(KpiStatus::Voided, None), KpiOutcome::Voided),
				(view(KpiStatus::Missing, None), KpiOutcome::Missing),
			];
			for (view, outcome) in cases {
				assert_eq!(outcome_of(&view), outcome, "{view:?}");
			}
		}

		#[ink::test]
		fn coupon_rate_follows_the_kpi_read_through_the_chain_extension() {
			let mut chain = chain();
			let bond = deploy_with(chain.clone(), SUB_START).unwrap();
			// The first period has no KPI step; the second follows period 0's target of 100.
			assert_eq!(bond.coupon_rate(0).map(|f| f.rate_bps), Ok(400));
			assert_eq!(bond.coupon_rate(1), Err(Error::KpiUndetermined));
			assert_eq!(bond.coupon_rate(4), Err(Error::UnknownPeriod));

			chain.kpis.insert((KPI_FEED, 0), final_kpi(99));
			test::register_chain_extension(chain.clone());
			let fixing = bond.coupon_rate(1).unwrap();
			assert_eq!(fixing.rate_bps, 500);
			assert_eq!(fixing.assessments[0].status, TargetStatus::Missed(99));

			chain.kpis.insert((KPI_FEED, 0), final_kpi(100));
			test::register_chain_extension(chain.clone());
			assert_eq!(bond.coupon_rate(1).map(|f| f.rate_bps), Ok(400));

			// Missing: the fallback clause counts the target as missed.
			chain.kpis.insert(
				(KPI_FEED, 0),
				KpiView { status: KpiStatus::Missing, value: None, ..final_kpi(0) },
			);
			test::register_chain_extension(chain.clone());
			let fixing = bond.coupon_rate(1).unwrap();
			assert_eq!(
				(fixing.rate_bps, fixing.assessments[0].status),
				(500, TargetStatus::MissedByFallback)
			);

			// A feed the oracle no longer knows.
			test::register_chain_extension(Chain { feeds: Vec::new(), ..chain });
			assert_eq!(bond.coupon_rate(1), Err(Error::UnknownKpi));
		}
	}
}
