//! The bond's state machine in plain Rust: no contract environment, no storage layout.
//!
//! Every operation takes the caller and the time (ms since the Unix epoch) explicitly, checks
//! everything first, writes last (through [`BondStore`]), and returns [`Effects`]: the events
//! to emit and the cash the contract must move. The ink! contract stores the state in
//! `Mapping`s and `Lazy` cells, answers [`Compliance`] from the chain extension, forwards to
//! these functions, emits the events and executes the [`CashMove`]s against the cash token.
//!
//! ## Phases
//!
//! ```text
//! Subscription --close_book--> Cancelled                 (below the minimum raise, or closed
//!      |                                                   on or after the issue date)
//!      +-------close_book--> Active --exercise_call--> Called
//!                              |  \                       |
//!                              |   +--declare_default-----+--> Defaulted
//!                              +--last redemption claim--> Redeemed (from Active or Called)
//! ```
//!
//! ## Cash
//!
//! The bond never moves cash itself. An operation that takes cash returns
//! [`CashMove::Collect`] (the contract calls the cash token's `transfer_from(from, self,
//! amount)`, so the payer must have approved the bond contract); one that pays returns
//! [`CashMove::Pay`] (`transfer(to, amount)`). Every collect has a way back out:
//!
//! | Cash collected by                | goes out through                                     |
//! |----------------------------------|------------------------------------------------------|
//! | [`subscribe`] (escrow)           | [`close_book`] (proceeds to the issuer), [`withdraw_refund`] (excess, or all if cancelled) |
//! | [`fund`] (a coupon or principal) | [`claim`] (in full, or pro rata after [`declare_default`]), [`reclaim`] (unclaimed after the claim period; at once for coupons after a call) |
//!
//! Refunds are pulled by each investor rather than pushed at closing, so closing the book
//! makes one cash transfer whatever the number of subscribers. [`BondState::cash_held`] is what
//! the contract should hold; the tests check it against a model cash ledger.
//!
//! The contract executes the moves after the state is written; a failed cash transfer makes the
//! message return an error, and ink! then reverts the whole call, state included.
//!
//! ## Entitlements
//!
//! Units (one unit is one denomination) are kept in [`checkpoint`] holdings, so each holder's
//! units at each record date are known without snapshots, and a [`claim`] touches a constant
//! number of storage entries whatever the number of holders. Claims go record by record, in
//! order; the claim of the last record (maturity, or the call) pays the coupon and the
//! principal together and burns the units. Once the last record date has passed, balances are
//! fixed: no transfers. A record whose payment was reclaimed after its claim period is skipped
//! with nothing paid, so an unclaimed coupon never blocks the later ones; a payment never
//! funded is unblocked by [`declare_default`] once its grace period has passed.
//!
//! ## Compliance and agent controls (ERC-3643 names)
//!
//! Subscriptions and transfers require [`Compliance::may_hold`] of the parties (the contract
//! answers from the identity registry: active identity, valid claims, allowed jurisdiction).
//! Agents named at construction may [`pause`], [`set_address_frozen`],
//! [`freeze_partial_tokens`], [`forced_transfer`] and [`recover`] a lost wallet to a new one of
//! the same identity: the new account receives the units and may claim the old account's
//! remaining coupons and refund; the old account can no longer act. A pause stops transfers and
//! subscriptions, not claims or refunds (cash owed is never held hostage by a pause); a frozen
//! account can neither move units nor claim.

use crate::{
	allocation::{BookOutcome, Subscription},
	checkpoint::{self, Checkpoints, RecordIndex},
	kpi_link::{self, FeedId, FeedPeriod, FeedTiming, KpiAssessment, KpiOutcome},
	math::Checked,
	payout::{self, Distribution},
	schedule::CouponPeriod,
	terms::{BondTerms, DocumentHash, InvestorCategory, Isin, UseOfProceeds},
	Balance, Bps, Error, Timestamp,
};
use alloc::vec::Vec;
use parity_scale_codec::Encode;

/// A 32-byte hash (of the terms).
pub type Hash = [u8; 32];

/// The most agents a bond may name.
pub const MAX_AGENTS: usize = 8;

/// The longest chain of recoveries (lost → new → newer ...) a claim follows.
pub const MAX_RECOVERY_HOPS: u32 = 8;

/// The most entries in one allocation or impact report (one per ICMA category).
pub const MAX_REPORT_ENTRIES: usize = 10;

/// Where the bond is in its life.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub enum Phase {
	/// Taking subscriptions (escrowed cash); the book is not closed.
	Subscription,
	/// The book closed below the minimum raise (or too late): every subscription is refunded.
	Cancelled,
	/// Issued: units held, coupons running.
	Active,
	/// The issuer called the bond: it is redeemed with the call period's coupon.
	Called,
	/// A payment was not funded by its due date plus grace period.
	Defaulted,
	/// Every unit has been redeemed.
	Redeemed,
}

/// A payment to the holders.
// cargo-contract lints with `-D clippy::cast_possible_truncation`, which fires inside the
// `Encode` derive of an enum with data-carrying variants (a length cast in generated code).
#[allow(clippy::cast_possible_truncation)]
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub enum Payment {
	/// The coupon of a period (its index in the schedule).
	Coupon(RecordIndex),
	/// The principal (plus any call premium), paid with the last record's coupon.
	Redemption,
}

/// Cash the contract must move against the cash token. Every move is between the bond
/// contract and one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CashMove<A> {
	/// Take `amount` from `from` into the bond contract (`transfer_from(from, self, amount)`).
	Collect {
		/// The payer, who approved the bond contract.
		from: A,
		/// The amount.
		amount: Balance,
	},
	/// Pay `amount` from the bond contract to `to` (`transfer(to, amount)`).
	Pay {
		/// The payee.
		to: A,
		/// The amount.
		amount: Balance,
	},
}

/// What an operation did: events to emit, cash to move (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects<A> {
	/// Events, in order.
	pub events: Vec<Event<A>>,
	/// Cash movements, in order.
	pub cash: Vec<CashMove<A>>,
}

impl<A> Default for Effects<A> {
	fn default() -> Self {
		Self { events: Vec::new(), cash: Vec::new() }
	}
}

impl<A> Effects<A> {
	fn event(&mut self, event: Event<A>) {
		self.events.push(event);
	}

	fn collect(&mut self, from: A, amount: Balance) {
		if amount > 0 {
			self.cash.push(CashMove::Collect { from, amount });
		}
	}

	fn pay(&mut self, to: A, amount: Balance) {
		if amount > 0 {
			self.cash.push(CashMove::Pay { to, amount });
		}
	}
}

/// Result of a rule: its effects, or why nothing happened.
pub type Outcome<A> = Result<Effects<A>, Error>;

/// Limits set at construction, outside the hashed terms.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct Limits {
	/// The most investors that may subscribe (bounds the work of closing the book).
	pub max_subscribers: u32,
	/// The most accounts that may hold units at once; at least `max_subscribers`.
	pub max_holders: u32,
}

/// The bond's scalar state: one storage cell, read by every operation.
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct BondState<A> {
	/// Where the bond is in its life.
	pub phase: Phase,
	/// The issuer (from the terms).
	pub issuer: A,
	/// Hash of the terms, as published.
	pub terms_hash: Hash,
	/// Cash per unit (from the terms).
	pub denomination: Balance,
	/// Coupon periods in the schedule.
	pub periods: u32,
	/// The record whose claim redeems: the last period, or the called one.
	pub final_record: RecordIndex,
	/// Premium over par paid at redemption: 0 at maturity, the call premium after a call.
	pub redemption_premium_bps: Bps,
	/// Grace after a payment date before default may be declared (from the terms).
	pub grace_period_ms: u64,
	/// How long after a payment date holders may claim (from the terms).
	pub claim_period_ms: u64,
	/// Subscriber and holder limits.
	pub limits: Limits,
	/// Investors in the book.
	pub subscribers: u32,
	/// Cash escrowed by subscriptions not yet closed.
	pub escrowed: Balance,
	/// Refunds owed after closing, not yet withdrawn.
	pub refunds_owed: Balance,
	/// Units issued at closing; every payment is due on these.
	pub units_issued: u128,
	/// Units in existence (issued minus redeemed).
	pub supply: u128,
	/// Accounts holding units.
	pub holders: u32,
	/// Cash raised, paid to the issuer at closing.
	pub raised: Balance,
	/// Proceeds allocated to eligible projects so far.
	pub allocated: Balance,
	/// Impact reports recorded.
	pub impact_reports: u32,
	/// Transfers and subscriptions are stopped.
	pub paused: bool,
	/// Cash the bond contract should hold.
	pub cash_held: Balance,
}

/// One investor's subscription.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct SubscriptionRecord {
	/// Cash escrowed in total.
	pub amount: Balance,
	/// In the resident priority tranche.
	pub priority: bool,
	/// Position in the book.
	pub index: u32,
	/// Units allotted at closing.
	pub units: u128,
	/// Cash still to refund after closing.
	pub refund: Balance,
}

/// An impact report as recorded.
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct ImpactReport {
	/// Impact by category, in the units the report document defines.
	pub entries: Vec<(UseOfProceeds, u128)>,
	/// Hash of the report document.
	pub document: DocumentHash,
	/// When it was recorded.
	pub recorded_at: Timestamp,
}

/// What the rules ask of the chain's identity registry. The contract answers through the
/// CityBond chain extension; the tests from tables.
pub trait Compliance<A> {
	/// Whether `who` may hold the bond now: active identity, valid claims, allowed
	/// jurisdiction.
	fn may_hold(&self, who: &A) -> bool;
	/// `who`'s investor category, if its identity records one.
	fn category(&self, who: &A) -> Option<InvestorCategory>;
	/// `who`'s jurisdiction (ISO 3166-1 alpha-2), if known.
	fn jurisdiction(&self, who: &A) -> Option<[u8; 2]>;
	/// Whether `a` and `b` are accounts of the same identity.
	fn same_identity(&self, a: &A, b: &A) -> bool;
}

/// What the rules need from storage. The contract implements it over `Mapping`s and `Lazy`
/// cells; the tests over `BTreeMap`s. Units and record-date entitlements live in the
/// [`Checkpoints`] holdings.
pub trait BondStore<A>: Checkpoints<A> {
	/// The scalar state, if set up.
	fn state(&self) -> Option<BondState<A>>;
	/// Stores the scalar state.
	fn set_state(&mut self, state: BondState<A>);
	/// The terms (read only where needed: they are the largest item); `None` before `init`.
	fn terms(&self) -> Option<BondTerms<A>>;
	/// Stores the terms.
	fn set_terms(&mut self, terms: BondTerms<A>);
	/// Coupon period `index` of the schedule.
	fn period(&self, index: u32) -> Option<CouponPeriod>;
	/// Stores coupon period `index`.
	fn set_period(&mut self, index: u32, period: CouponPeriod);
	/// Whether `who` is an agent.
	fn is_agent(&self, who: &A) -> bool;
	/// Names `who` an agent.
	fn set_agent(&mut self, who: &A);
	/// `who`'s subscription.
	fn subscription(&self, who: &A) -> Option<SubscriptionRecord>;
	/// Stores `who`'s subscription.
	fn set_subscription(&mut self, who: &A, record: SubscriptionRecord);
	/// The subscriber at position `index` of the book.
	fn subscriber(&self, index: u32) -> Option<A>;
	/// Stores the subscriber at position `index`.
	fn set_subscriber(&mut self, index: u32, who: &A);
	/// A payment's distribution, once fixed.
	fn distribution(&self, payment: Payment) -> Option<Distribution>;
	/// Stores a payment's distribution.
	fn set_distribution(&mut self, payment: Payment, distribution: Distribution);
	/// Units `spender` may transfer from `owner`.
	fn allowance(&self, owner: &A, spender: &A) -> u128;
	/// Sets an allowance.
	fn set_allowance(&mut self, owner: &A, spender: &A, value: u128);
	/// Whether `who` is frozen.
	fn frozen(&self, who: &A) -> bool;
	/// Freezes or unfreezes `who`.
	fn set_frozen(&mut self, who: &A, frozen: bool);
	/// Units of `who` that are frozen.
	fn frozen_units(&self, who: &A) -> u128;
	/// Sets the units of `who` that are frozen.
	fn set_frozen_units(&mut self, who: &A, units: u128);
	/// The account `who` was recovered to.
	fn successor(&self, who: &A) -> Option<A>;
	/// Records that `who` was recovered to `new`.
	fn set_successor(&mut self, who: &A, new: &A);
	/// Proceeds allocated to `category`.
	fn allocated(&self, category: UseOfProceeds) -> Balance;
	/// Sets the proceeds allocated to `category`.
	fn set_allocated(&mut self, category: UseOfProceeds, amount: Balance);
	/// Stores impact report `index`.
	fn set_impact_report(&mut self, index: u32, report: ImpactReport);
}

/// A state change, to be emitted as a contract event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<A> {
	/// The bond was set up.
	BondCreated {
		/// The issuer.
		issuer: A,
		/// The ISIN.
		isin: Isin,
		/// Hash of the terms.
		terms_hash: Hash,
		/// Coupon periods.
		periods: u32,
		/// The issue size (maximum raise).
		issue_size: Balance,
	},
	/// An investor escrowed cash for a subscription.
	Subscribed {
		/// The investor.
		investor: A,
		/// Cash escrowed by this call.
		amount: Balance,
		/// The investor's total.
		total: Balance,
		/// In the resident priority tranche.
		priority: bool,
	},
	/// The book was closed.
	BookClosed {
		/// Issued or cancelled.
		outcome: BookOutcome,
		/// Units issued.
		units: u128,
		/// Cash raised, paid to the issuer.
		raised: Balance,
		/// Cash to refund in total.
		refunds: Balance,
	},
	/// A subscription's outcome at closing.
	Allotted {
		/// The investor.
		investor: A,
		/// Units allotted.
		units: u128,
		/// Cash to refund.
		refund: Balance,
	},
	/// A refund was withdrawn.
	RefundWithdrawn {
		/// The investor whose refund it was.
		investor: A,
		/// Who received it (the investor, or the account it was recovered to).
		to: A,
		/// The amount.
		amount: Balance,
	},
	/// Units moved; `from` is `None` when issued, `to` is `None` when redeemed (burned).
	Transfer {
		/// The sender, or `None` when issued.
		from: Option<A>,
		/// The recipient, or `None` when burned.
		to: Option<A>,
		/// Units.
		value: u128,
	},
	/// An allowance was set.
	Approval {
		/// The owner of the units.
		owner: A,
		/// The spender.
		spender: A,
		/// The new allowance.
		amount: u128,
	},
	/// A coupon's rate was fixed from the KPI outcomes.
	CouponRateFixed {
		/// The coupon period.
		period: RecordIndex,
		/// Its rate.
		rate_bps: Bps,
		/// Cash per unit.
		per_unit: Balance,
		/// How each KPI target moved it.
		assessments: Vec<KpiAssessment>,
	},
	/// The issuer paid cash in for a payment.
	PaymentFunded {
		/// The payment.
		payment: Payment,
		/// Paid in by this call.
		amount: Balance,
		/// Paid in so far.
		funded: Balance,
		/// Owed in total.
		due: Balance,
	},
	/// A payment was not funded in time: the bond is in default.
	PaymentDefaulted {
		/// The payment.
		payment: Payment,
		/// What was funded, now paid pro rata.
		funded: Balance,
		/// What was owed.
		due: Balance,
	},
	/// A holder's record was claimed.
	Claimed {
		/// The holder at the record date.
		holder: A,
		/// Who was paid (the holder, or the account it was recovered to).
		beneficiary: A,
		/// The record (coupon period).
		record: RecordIndex,
		/// Units held at the record date.
		units: u128,
		/// Coupon paid.
		coupon: Balance,
		/// Principal paid (the last record only).
		principal: Balance,
	},
	/// The issuer took back what holders left unclaimed.
	Reclaimed {
		/// The payment.
		payment: Payment,
		/// The amount.
		amount: Balance,
	},
	/// The issuer called the bond.
	Called {
		/// The call date (an unadjusted coupon date).
		call_date: Timestamp,
		/// The coupon period it ends; its record is the last.
		period: RecordIndex,
		/// The call premium.
		premium_bps: Bps,
	},
	/// An agent paused transfers and subscriptions.
	Paused {
		/// The agent.
		agent: A,
	},
	/// An agent lifted the pause.
	Unpaused {
		/// The agent.
		agent: A,
	},
	/// An agent froze or unfroze an account.
	AddressFrozen {
		/// The account.
		who: A,
		/// Frozen or not.
		frozen: bool,
		/// The agent.
		agent: A,
	},
	/// Units of an account were frozen.
	TokensFrozen {
		/// The account.
		who: A,
		/// Units frozen by this call.
		amount: u128,
	},
	/// Units of an account were unfrozen.
	TokensUnfrozen {
		/// The account.
		who: A,
		/// Units unfrozen.
		amount: u128,
	},
	/// An agent moved units without the holder (with a [`Event::Transfer`]).
	ForcedTransfer {
		/// The agent.
		agent: A,
		/// The sender.
		from: A,
		/// The recipient.
		to: A,
		/// Units.
		value: u128,
	},
	/// A lost wallet was recovered to a new account of the same identity.
	RecoverySuccess {
		/// The lost account.
		lost: A,
		/// The new account.
		new: A,
		/// Units moved.
		units: u128,
		/// The agent.
		agent: A,
	},
	/// The issuer allocated proceeds to eligible projects.
	ProceedsAllocated {
		/// Cash by category.
		entries: Vec<(UseOfProceeds, Balance)>,
		/// Hash of the allocation report.
		document: DocumentHash,
		/// Allocated so far, all categories.
		total_allocated: Balance,
	},
	/// The issuer recorded an impact report.
	ImpactReported {
		/// Its index.
		index: u32,
		/// Impact by category.
		entries: Vec<(UseOfProceeds, u128)>,
		/// Hash of the report.
		document: DocumentHash,
	},
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn load<A, S: BondStore<A>>(store: &S) -> Result<BondState<A>, Error> {
	store.state().ok_or(Error::NotInitialised)
}

fn ensure_issuer<A: PartialEq>(state: &BondState<A>, caller: &A) -> Result<(), Error> {
	if state.issuer == *caller {
		Ok(())
	} else {
		Err(Error::NotIssuer)
	}
}

fn ensure_agent<A, S: BondStore<A>>(store: &S, caller: &A) -> Result<(), Error> {
	if store.is_agent(caller) {
		Ok(())
	} else {
		Err(Error::NotAgent)
	}
}

/// The bond has been issued (units exist or existed).
fn ensure_issued<A>(state: &BondState<A>) -> Result<(), Error> {
	match state.phase {
		Phase::Active | Phase::Called | Phase::Defaulted | Phase::Redeemed => Ok(()),
		Phase::Subscription | Phase::Cancelled => Err(Error::WrongPhase),
	}
}

fn period_of<A, S: BondStore<A>>(store: &S, index: RecordIndex) -> Result<CouponPeriod, Error> {
	store.period(index).ok_or(Error::UnknownPeriod)
}

/// The first index in `0..count` for which `pred` is false, given `pred` is true then false
/// (a binary search over stored periods: O(log n) reads).
fn partition_point<A, S: BondStore<A>>(
	store: &S,
	count: u32,
	pred: impl Fn(&CouponPeriod) -> bool,
) -> Result<u32, Error> {
	let (mut low, mut high) = (0u32, count);
	while low < high {
		let mid = low.add_c(high.sub_c(low)?.div_c(2)?)?;
		if pred(&period_of(store, mid)?) {
			low = mid.add_c(1)?;
		} else {
			high = mid;
		}
	}
	Ok(low)
}

/// The epoch balance changes at `now` fall in (see [`checkpoint`]), capped after the last
/// record: from then on balances are fixed and later records are not owed.
pub fn epoch_at<A, S: BondStore<A>>(
	store: &S,
	state: &BondState<A>,
	now: Timestamp,
) -> Result<RecordIndex, Error> {
	let passed = partition_point(store, state.periods, |p| p.record_date <= now)?;
	Ok(passed.min(state.final_record.add_c(1)?))
}

/// Units `who` holds now.
pub fn balance_of<A, S: BondStore<A>>(store: &S, who: &A) -> u128 {
	store.holding(who).balance
}

/// The holder count after the balance changes `(before, after)`; refused if it grows past `max`.
fn holders_after(holders: u32, max: u32, changes: &[(u128, u128)]) -> Result<u32, Error> {
	let mut gained: u32 = 0;
	let mut lost: u32 = 0;
	for &(before, after) in changes {
		if before == 0 && after > 0 {
			gained = gained.add_c(1)?;
		} else if before > 0 && after == 0 {
			lost = lost.add_c(1)?;
		}
	}
	let result = holders.add_c(gained)?.sub_c(lost)?;
	if gained > lost && result > max {
		return Err(Error::TooManyHolders);
	}
	Ok(result)
}

/// Checks `who`'s holding can take a balance change in `epoch`.
fn check_epoch<A, S: BondStore<A>>(store: &S, who: &A, epoch: RecordIndex) -> Result<(), Error> {
	if store.holding(who).since > epoch {
		return Err(Error::EpochInPast);
	}
	Ok(())
}

/// Whether `caller` may act for `holder`: it is the holder, or the end of the chain of
/// recoveries starting at the holder.
fn ensure_beneficiary<A: Clone + PartialEq, S: BondStore<A>>(
	store: &S,
	caller: &A,
	holder: &A,
) -> Result<(), Error> {
	let mut current = holder.clone();
	for _ in 0..=MAX_RECOVERY_HOPS {
		match store.successor(&current) {
			None if current == *caller => return Ok(()),
			None if caller == holder => return Err(Error::AccountRecovered),
			None => return Err(Error::NotBeneficiary),
			Some(next) => current = next,
		}
	}
	Err(Error::RecoveryChainTooLong)
}

/// Whether `payment` is owed at all (its period exists and is not after the call).
fn ensure_owed<A>(state: &BondState<A>, payment: Payment) -> Result<RecordIndex, Error> {
	match payment {
		Payment::Coupon(period) if period >= state.periods => Err(Error::UnknownPeriod),
		Payment::Coupon(period) if period > state.final_record => Err(Error::PaymentNotOwed),
		Payment::Coupon(period) => Ok(period),
		Payment::Redemption => Ok(state.final_record),
	}
}

/// A new distribution for `payment` (its coupon rate fixed from the KPIs), without writing.
fn new_distribution<A: Encode, S: BondStore<A>>(
	store: &S,
	state: &BondState<A>,
	now: Timestamp,
	payment: Payment,
	mut outcome_of: impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>,
) -> Result<(Distribution, Option<Event<A>>), Error> {
	match payment {
		Payment::Redemption => {
			let per_unit =
				payout::redemption_per_unit(state.denomination, state.redemption_premium_bps)?;
			Ok((Distribution::new(per_unit, state.units_issued)?, None))
		}
		Payment::Coupon(index) => {
			let period = period_of(store, index)?;
			let terms = store.terms().ok_or(Error::NotInitialised)?;
			let mut unknown = false;
			let fixing =
				kpi_link::coupon_rate(&terms.rate_bounds(), &terms.kpis, index, now, |f, p| {
					outcome_of(f, p).unwrap_or_else(|| {
						unknown = true;
						KpiOutcome::Pending
					})
				});
			if unknown {
				return Err(Error::UnknownKpi);
			}
			let fixing = fixing?;
			let per_unit =
				payout::coupon_per_unit(state.denomination, fixing.rate_bps, period.fraction)?;
			let event = Event::CouponRateFixed {
				period: index,
				rate_bps: fixing.rate_bps,
				per_unit,
				assessments: fixing.assessments,
			};
			Ok((Distribution::new(per_unit, state.units_issued)?, Some(event)))
		}
	}
}

/// `payment`'s distribution, fixing it first if needed (the event says so).
fn distribution_or_fix<A: Encode, S: BondStore<A>>(
	store: &S,
	state: &BondState<A>,
	now: Timestamp,
	payment: Payment,
	outcome_of: impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>,
) -> Result<(Distribution, Option<Event<A>>), Error> {
	match store.distribution(payment) {
		Some(d) => Ok((d, None)),
		None => new_distribution(store, state, now, payment, outcome_of),
	}
}

/// When `payment` is due (the payment date of its period).
fn due_date<A, S: BondStore<A>>(
	store: &S,
	state: &BondState<A>,
	payment: Payment,
) -> Result<Timestamp, Error> {
	Ok(period_of(store, ensure_owed(state, payment)?)?.payment_date)
}

fn check_document(document: &DocumentHash) -> Result<(), Error> {
	if *document == [0; 32] {
		return Err(Error::ZeroDocumentHash);
	}
	Ok(())
}

/// Checks the entries of a report: non-empty, bounded, categories of the terms, no repeats.
fn check_entries<T>(
	entries: &[(UseOfProceeds, T)],
	eligible: &[UseOfProceeds],
) -> Result<(), Error> {
	if entries.is_empty() {
		return Err(Error::EmptyReport);
	}
	if entries.len() > MAX_REPORT_ENTRIES {
		return Err(Error::TooManyReportEntries);
	}
	for (i, (category, _)) in entries.iter().enumerate() {
		if !eligible.contains(category) {
			return Err(Error::UnknownUseOfProceeds);
		}
		if entries.iter().skip(i.saturating_add(1)).any(|(c, _)| c == category) {
			return Err(Error::DuplicateReportCategory);
		}
	}
	Ok(())
}

// ---------------------------------------------------------------------------------------------
// Construction.

/// What setting a bond up needs to know from the chain.
pub trait Setup<A> {
	/// Whether `who` has an active identity holding the `Issuer` role.
	fn is_issuer(&self, who: &A) -> bool;
	/// The KPI oracle's timing of feed `feed`; `None` if it has no such feed.
	fn feed(&self, feed: FeedId) -> Option<FeedTiming>;
}

/// Sets the bond up from `terms` (validated; their hash computed by the contract), the
/// `agents`, and the `limits`, for `caller`, who must be the issuer the terms name and hold
/// the `Issuer` role: nobody issues in another's name.
pub fn init<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	terms: BondTerms<A>,
	terms_hash: Hash,
	caller: &A,
	agents: &[A],
	limits: Limits,
	chain: &impl Setup<A>,
) -> Outcome<A> {
	if store.state().is_some() {
		return Err(Error::AlreadyInitialised);
	}
	let schedule = terms.validate()?;
	if *caller != terms.issuer {
		return Err(Error::NotIssuer);
	}
	if !chain.is_issuer(&terms.issuer) {
		return Err(Error::IssuerNotRegistered);
	}
	if limits.max_subscribers == 0 {
		return Err(Error::ZeroMaxSubscribers);
	}
	if limits.max_holders < limits.max_subscribers {
		return Err(Error::MaxHoldersBelowMaxSubscribers);
	}
	if agents.is_empty() {
		return Err(Error::NoAgent);
	}
	if agents.len() > MAX_AGENTS {
		return Err(Error::TooManyAgents);
	}
	for link in &terms.kpis {
		let timing = chain.feed(link.feed).ok_or(Error::UnknownKpi)?;
		for target in &link.targets {
			// ICMA SLBP: the performance is verified before the trigger date. The KPI of the
			// observed period must be able to become final (reported by the report deadline,
			// then undisputed through the challenge window) by the observation date.
			if target.observation_date < timing.final_by(target.feed_period)? {
				return Err(Error::ObservationBeforeVerification);
			}
		}
	}
	let periods = u32::try_from(schedule.len()).map_err(|_| Error::TooManyPeriods)?;
	let final_record = periods.checked_sub(1).ok_or(Error::TooManyPeriods)?;
	let state = BondState {
		phase: Phase::Subscription,
		issuer: terms.issuer.clone(),
		terms_hash,
		denomination: terms.denomination,
		periods,
		final_record,
		redemption_premium_bps: 0,
		grace_period_ms: terms.grace_period_ms,
		claim_period_ms: terms.claim_period_ms,
		limits,
		subscribers: 0,
		escrowed: 0,
		refunds_owed: 0,
		units_issued: 0,
		supply: 0,
		holders: 0,
		raised: 0,
		allocated: 0,
		impact_reports: 0,
		paused: false,
		cash_held: 0,
	};
	let mut fx = Effects::default();
	fx.event(Event::BondCreated {
		issuer: terms.issuer.clone(),
		isin: terms.isin,
		terms_hash,
		periods,
		issue_size: terms.issue_size,
	});
	for period in schedule {
		store.set_period(period.index, period);
	}
	for agent in agents {
		store.set_agent(agent);
	}
	store.set_terms(terms);
	store.set_state(state);
	Ok(fx)
}

// ---------------------------------------------------------------------------------------------
// Subscription and closing.

/// `caller` escrows `amount` more cash for its subscription (delivery versus payment: the cash
/// is collected in the same call).
pub fn subscribe<A: Clone + PartialEq + Encode, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	caller: &A,
	now: Timestamp,
	amount: Balance,
) -> Outcome<A> {
	let mut state = load(store)?;
	if state.phase != Phase::Subscription {
		return Err(Error::WrongPhase);
	}
	let terms = store.terms().ok_or(Error::NotInitialised)?;
	if now < terms.subscription_start {
		return Err(Error::SubscriptionNotOpen);
	}
	if now >= terms.subscription_end {
		return Err(Error::SubscriptionEnded);
	}
	if state.paused {
		return Err(Error::Paused);
	}
	if store.frozen(caller) {
		return Err(Error::AccountFrozen);
	}
	if !compliance.may_hold(caller) {
		return Err(Error::NotCompliant);
	}
	let category = compliance.category(caller).ok_or(Error::NoInvestorCategory)?;
	let existing = store.subscription(caller);
	let total = terms.check_subscription(amount, existing.map_or(0, |r| r.amount), category)?;
	let (record, new_index) = match existing {
		Some(record) => (SubscriptionRecord { amount: total, ..record }, None),
		None => {
			if state.subscribers >= state.limits.max_subscribers {
				return Err(Error::TooManySubscribers);
			}
			let priority = terms
				.resident_priority
				.is_some_and(|p| compliance.jurisdiction(caller) == Some(p.jurisdiction));
			let index = state.subscribers;
			state.subscribers = index.add_c(1)?;
			let record = SubscriptionRecord { amount: total, priority, index, units: 0, refund: 0 };
			(record, Some(index))
		}
	};
	state.escrowed = state.escrowed.add_c(amount)?;
	state.cash_held = state.cash_held.add_c(amount)?;

	let mut fx = Effects::default();
	fx.event(Event::Subscribed {
		investor: caller.clone(),
		amount,
		total,
		priority: record.priority,
	});
	fx.collect(caller.clone(), amount);
	if let Some(index) = new_index {
		store.set_subscriber(index, caller);
	}
	store.set_subscription(caller, record);
	store.set_state(state);
	Ok(fx)
}

/// Closes the book once the subscription window has ended (anyone may). Subscribers who no
/// longer pass compliance, or are frozen, are left out and refunded in full. Below the minimum
/// raise, or when closed on or after the issue date, the issue is cancelled and everyone is
/// refunded; otherwise units are allotted (pro rata in whole units when oversubscribed), the
/// proceeds are paid to the issuer, and the rest is refunded. Refunds are withdrawn with
/// [`withdraw_refund`]. The work is bounded by [`Limits::max_subscribers`].
pub fn close_book<A: Clone + PartialEq + Encode, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	now: Timestamp,
) -> Outcome<A> {
	let mut state = load(store)?;
	if state.phase != Phase::Subscription {
		return Err(Error::WrongPhase);
	}
	let terms = store.terms().ok_or(Error::NotInitialised)?;
	if now < terms.subscription_end {
		return Err(Error::SubscriptionStillOpen);
	}
	let mut book: Vec<(A, SubscriptionRecord, bool)> = Vec::new();
	let mut eligible = Vec::new();
	for index in 0..state.subscribers {
		let who = store.subscriber(index).ok_or(Error::SubscriberMissing)?;
		let record = store.subscription(&who).ok_or(Error::SubscriberMissing)?;
		let ok = !store.frozen(&who) && compliance.may_hold(&who);
		if ok {
			eligible.push(Subscription { amount: record.amount, priority: record.priority });
		}
		book.push((who, record, ok));
	}
	let closed = if now >= terms.issue_date { None } else { Some(terms.close_book(&eligible)?) };
	let issued = closed.as_ref().filter(|c| c.outcome == BookOutcome::Issued);
	let epoch = epoch_at(store, &state, now)?;

	// Compute every allotment before writing anything.
	let mut allotments = issued.map(|c| c.allotments.iter());
	let mut results: Vec<(A, SubscriptionRecord)> = Vec::with_capacity(book.len());
	let mut refunds: Balance = 0;
	let mut holders: u32 = 0;
	for (who, record, ok) in book {
		let (units, refund) = match (&mut allotments, ok) {
			(Some(iter), true) => {
				let a = iter.next().ok_or(Error::SubscriberMissing)?;
				(a.units, a.refund)
			}
			_ => (0, record.amount),
		};
		if units > 0 {
			holders = holders.add_c(1)?;
			check_epoch(store, &who, epoch)?;
		}
		refunds = refunds.add_c(refund)?;
		results.push((who, SubscriptionRecord { units, refund, ..record }));
	}
	let (outcome, units, raised) = match issued {
		Some(c) => (BookOutcome::Issued, c.units, c.raised),
		None => (BookOutcome::Cancelled, 0, 0),
	};
	if raised.add_c(refunds)? != state.escrowed {
		// Unreachable: allocation conserves cash. Kept so cash can never be overdrawn.
		return Err(Error::InsufficientFunds);
	}
	if holders > state.limits.max_holders {
		return Err(Error::TooManyHolders);
	}
	state.phase = if outcome == BookOutcome::Issued { Phase::Active } else { Phase::Cancelled };
	state.escrowed = 0;
	state.refunds_owed = refunds;
	state.units_issued = units;
	state.supply = units;
	state.holders = holders;
	state.raised = raised;
	state.cash_held = state.cash_held.sub_c(raised)?;

	let mut fx = Effects::default();
	fx.event(Event::BookClosed { outcome, units, raised, refunds });
	for (who, record) in results {
		fx.event(Event::Allotted {
			investor: who.clone(),
			units: record.units,
			refund: record.refund,
		});
		if record.units > 0 {
			checkpoint::set_balance(store, &who, record.units, epoch)?;
			fx.event(Event::Transfer { from: None, to: Some(who.clone()), value: record.units });
		}
		store.set_subscription(&who, record);
	}
	fx.pay(state.issuer.clone(), raised);
	store.set_state(state);
	Ok(fx)
}

/// `caller` withdraws what is refundable of `investor`'s subscription after closing (the
/// caller is the investor, or the account it was recovered to).
pub fn withdraw_refund<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	investor: &A,
) -> Outcome<A> {
	let mut state = load(store)?;
	if state.phase == Phase::Subscription {
		return Err(Error::WrongPhase);
	}
	ensure_beneficiary(store, caller, investor)?;
	let mut record = store.subscription(investor).ok_or(Error::NothingToRefund)?;
	let amount = record.refund;
	if amount == 0 {
		return Err(Error::NothingToRefund);
	}
	state.refunds_owed = state.refunds_owed.sub_c(amount)?;
	state.cash_held = state.cash_held.sub_c(amount)?;
	record.refund = 0;
	let mut fx = Effects::default();
	fx.event(Event::RefundWithdrawn { investor: investor.clone(), to: caller.clone(), amount });
	fx.pay(caller.clone(), amount);
	store.set_subscription(investor, record);
	store.set_state(state);
	Ok(fx)
}

// ---------------------------------------------------------------------------------------------
// Transfers (PSP22 names).

/// How a move of units is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
	/// A holder's transfer: pause, freezes and both parties' compliance apply.
	Holder,
	/// An agent's forced transfer: only the recipient's compliance; frozen units are unfrozen
	/// as needed.
	Forced,
}

/// Moves `value` units from `from` to `to` at `now`; checks first, then writes.
fn move_units<A: Clone + PartialEq, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	from: &A,
	to: &A,
	value: u128,
	now: Timestamp,
	mode: Mode,
) -> Outcome<A> {
	let mut state = load(store)?;
	match state.phase {
		Phase::Active | Phase::Called | Phase::Defaulted => {}
		_ => return Err(Error::WrongPhase),
	}
	if value == 0 {
		return Err(Error::ZeroAmount);
	}
	if from == to {
		return Err(Error::SelfTransfer);
	}
	let epoch = epoch_at(store, &state, now)?;
	if epoch > state.final_record {
		return Err(Error::BalancesFixed);
	}
	if mode == Mode::Holder {
		if state.paused {
			return Err(Error::Paused);
		}
		if store.frozen(from) {
			return Err(Error::SenderFrozen);
		}
		if store.frozen(to) {
			return Err(Error::RecipientFrozen);
		}
		if !compliance.may_hold(from) {
			return Err(Error::SenderNotCompliant);
		}
	}
	if !compliance.may_hold(to) {
		return Err(Error::RecipientNotCompliant);
	}
	if store.successor(to).is_some() {
		return Err(Error::RecoveryTargetRecovered);
	}
	let from_balance = balance_of(store, from);
	let to_balance = balance_of(store, to);
	let new_from = from_balance.checked_sub(value).ok_or(Error::InsufficientBalance)?;
	let new_to = to_balance.add_c(value)?;
	let frozen = store.frozen_units(from);
	let new_frozen = match mode {
		Mode::Holder if new_from < frozen => return Err(Error::InsufficientUnfrozenBalance),
		Mode::Holder => frozen,
		Mode::Forced => frozen.min(new_from),
	};
	let holders = holders_after(
		state.holders,
		state.limits.max_holders,
		&[(from_balance, new_from), (to_balance, new_to)],
	)?;
	check_epoch(store, from, epoch)?;
	check_epoch(store, to, epoch)?;

	state.holders = holders;
	let mut fx = Effects::default();
	fx.event(Event::Transfer { from: Some(from.clone()), to: Some(to.clone()), value });
	checkpoint::set_balance(store, from, new_from, epoch)?;
	checkpoint::set_balance(store, to, new_to, epoch)?;
	if new_frozen != frozen {
		store.set_frozen_units(from, new_frozen);
		fx.event(Event::TokensUnfrozen { who: from.clone(), amount: frozen.sub_c(new_frozen)? });
	}
	store.set_state(state);
	Ok(fx)
}

/// `caller` sends `value` of its units to `to`.
pub fn transfer<A: Clone + PartialEq, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	caller: &A,
	to: &A,
	value: u128,
	now: Timestamp,
) -> Outcome<A> {
	move_units(store, compliance, caller, to, value, now, Mode::Holder)
}

/// `caller` sends `value` of `from`'s units to `to`, spending its allowance.
pub fn transfer_from<A: Clone + PartialEq, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	caller: &A,
	from: &A,
	to: &A,
	value: u128,
	now: Timestamp,
) -> Outcome<A> {
	if caller == from {
		return move_units(store, compliance, from, to, value, now, Mode::Holder);
	}
	let allowance = store.allowance(from, caller);
	let remaining = allowance.checked_sub(value).ok_or(Error::InsufficientAllowance)?;
	let mut fx = move_units(store, compliance, from, to, value, now, Mode::Holder)?;
	store.set_allowance(from, caller, remaining);
	fx.event(Event::Approval { owner: from.clone(), spender: caller.clone(), amount: remaining });
	Ok(fx)
}

/// `caller` allows `spender` to transfer up to `value` of its units (replacing any allowance).
/// Approving oneself changes nothing.
pub fn approve<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	spender: &A,
	value: u128,
) -> Outcome<A> {
	load(store)?;
	let mut fx = Effects::default();
	if caller == spender {
		return Ok(fx);
	}
	store.set_allowance(caller, spender, value);
	fx.event(Event::Approval { owner: caller.clone(), spender: spender.clone(), amount: value });
	Ok(fx)
}

// ---------------------------------------------------------------------------------------------
// Coupons, redemption, default.

/// Fixes the rate of coupon `period` from the KPI outcomes (anyone may, once they can be
/// told). `outcome_of(feed, feed_period)` reads the oracle; `None` for an unknown feed.
pub fn fix_coupon_rate<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	now: Timestamp,
	period: RecordIndex,
	outcome_of: impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>,
) -> Outcome<A> {
	let state = load(store)?;
	ensure_issued(&state)?;
	let payment = Payment::Coupon(period);
	ensure_owed(&state, payment)?;
	if store.distribution(payment).is_some() {
		return Err(Error::RateAlreadyFixed);
	}
	let (distribution, event) = new_distribution(store, &state, now, payment, outcome_of)?;
	let mut fx = Effects::default();
	if let Some(event) = event {
		fx.event(event);
	}
	store.set_distribution(payment, distribution);
	Ok(fx)
}

/// The issuer pays `amount` in for `payment` (fixing a coupon's rate first if needed). Never
/// more than is still due.
pub fn fund<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	now: Timestamp,
	payment: Payment,
	amount: Balance,
	outcome_of: impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issuer(&state, caller)?;
	ensure_issued(&state)?;
	ensure_owed(&state, payment)?;
	let (mut distribution, fixed) = distribution_or_fix(store, &state, now, payment, outcome_of)?;
	distribution.fund(amount)?;
	state.cash_held = state.cash_held.add_c(amount)?;
	let mut fx = Effects::default();
	if let Some(event) = fixed {
		fx.event(event);
	}
	fx.event(Event::PaymentFunded {
		payment,
		amount,
		funded: distribution.funded,
		due: distribution.total_due()?,
	});
	fx.collect(caller.clone(), amount);
	store.set_distribution(payment, distribution);
	store.set_state(state);
	Ok(fx)
}

/// Declares `payment` in default once its due date plus grace period has passed without it
/// being fully funded (anyone may). What was funded is then paid pro rata.
pub fn declare_default<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	now: Timestamp,
	payment: Payment,
	outcome_of: impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>,
) -> Outcome<A> {
	let mut state = load(store)?;
	match state.phase {
		Phase::Active | Phase::Called | Phase::Defaulted => {}
		_ => return Err(Error::WrongPhase),
	}
	let deadline = due_date(store, &state, payment)?.add_c(state.grace_period_ms)?;
	if now <= deadline {
		return Err(Error::GracePeriodNotOver);
	}
	let (mut distribution, fixed) = distribution_or_fix(store, &state, now, payment, outcome_of)?;
	distribution.declare_default()?;
	state.phase = Phase::Defaulted;
	let mut fx = Effects::default();
	if let Some(event) = fixed {
		fx.event(event);
	}
	fx.event(Event::PaymentDefaulted {
		payment,
		funded: distribution.funded,
		due: distribution.total_due()?,
	});
	store.set_distribution(payment, distribution);
	store.set_state(state);
	Ok(fx)
}

/// What a claim takes from one distribution: `None` when it was reclaimed (the entitlement
/// expired: nothing is paid and nothing written).
fn take(
	distribution: Option<Distribution>,
	units: u128,
	missing: Error,
) -> Result<Option<(Distribution, Balance)>, Error> {
	let mut d = distribution.ok_or(missing)?;
	if d.closed {
		return Ok(None);
	}
	let amount = d.claim(units)?;
	Ok(Some((d, amount)))
}

/// `caller` claims `holder`'s next record: its coupon, and on the last record the principal
/// too, burning the units. The caller is the holder or the account it was recovered to. A
/// claim reads and writes a fixed number of storage entries, whatever the number of holders.
pub fn claim<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	holder: &A,
	now: Timestamp,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issued(&state)?;
	ensure_beneficiary(store, caller, holder)?;
	if store.frozen(holder) || store.frozen(caller) {
		return Err(Error::AccountFrozen);
	}
	let epoch = epoch_at(store, &state, now)?;
	let slot = checkpoint::peek_claim(store, holder, epoch)?;
	let record = slot.record;
	let last = record == state.final_record;
	let mut writes: Vec<(Payment, Distribution)> = Vec::new();
	let (mut coupon, mut principal) = (0, 0);
	if slot.units > 0 {
		let payment = Payment::Coupon(record);
		let taken = take(store.distribution(payment), slot.units, Error::PaymentNotFixed)?;
		if let Some((d, amount)) = taken {
			writes.push((payment, d));
			coupon = amount;
		}
		if last {
			let payment = Payment::Redemption;
			let taken = take(store.distribution(payment), slot.units, Error::NotFunded)?;
			if let Some((d, amount)) = taken {
				writes.push((payment, d));
				principal = amount;
			}
		}
	}
	let total = coupon.add_c(principal)?;
	state.cash_held = state.cash_held.sub_c(total)?;
	// The last record's units are burned. Balances are fixed after the last record date, so
	// the holder's balance now is its units at that record.
	let burn = if last && slot.units > 0 {
		let balance = balance_of(store, holder);
		let after = balance.checked_sub(slot.units).ok_or(Error::CheckpointMissing)?;
		state.supply = state.supply.sub_c(slot.units)?;
		state.holders =
			holders_after(state.holders, state.limits.max_holders, &[(balance, after)])?;
		if state.supply == 0 && matches!(state.phase, Phase::Active | Phase::Called) {
			state.phase = Phase::Redeemed;
		}
		Some(after)
	} else {
		None
	};

	let mut fx = Effects::default();
	fx.event(Event::Claimed {
		holder: holder.clone(),
		beneficiary: caller.clone(),
		record,
		units: slot.units,
		coupon,
		principal,
	});
	checkpoint::commit_claim(store, holder, &slot);
	if let Some(after) = burn {
		checkpoint::set_balance(store, holder, after, epoch)?;
		fx.event(Event::Transfer { from: Some(holder.clone()), to: None, value: slot.units });
	}
	for (payment, d) in writes {
		store.set_distribution(payment, d);
	}
	fx.pay(caller.clone(), total);
	store.set_state(state);
	Ok(fx)
}

/// The issuer takes back what is left of `payment` once its claim period has expired (at once
/// for a coupon after the call, which is not owed). The payment must be fully funded or in
/// default: an unfunded payment is first declared in default, so holders get their pro-rata
/// share before anything returns to the issuer. Later claims of the record pay nothing.
pub fn reclaim<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	now: Timestamp,
	payment: Payment,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issuer(&state, caller)?;
	ensure_issued(&state)?;
	let mut distribution = store.distribution(payment).ok_or(Error::NothingToReclaim)?;
	match ensure_owed(&state, payment) {
		Err(Error::PaymentNotOwed) => {}
		Err(other) => return Err(other),
		Ok(_) => {
			let expiry = due_date(store, &state, payment)?.add_c(state.claim_period_ms)?;
			if now <= expiry {
				return Err(Error::ClaimPeriodNotOver);
			}
			if !distribution.defaulted && !distribution.is_fully_funded()? {
				return Err(Error::NotFunded);
			}
		}
	}
	let amount = distribution.reclaim_remainder()?;
	state.cash_held = state.cash_held.sub_c(amount)?;
	let mut fx = Effects::default();
	fx.event(Event::Reclaimed { payment, amount });
	fx.pay(caller.clone(), amount);
	store.set_distribution(payment, distribution);
	store.set_state(state);
	Ok(fx)
}

/// The issuer calls the bond on `call_date`, a call date of the terms, before that coupon's
/// record date: the call period's record becomes the last, redeemed at par plus the premium.
pub fn exercise_call<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	now: Timestamp,
	call_date: Timestamp,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issuer(&state, caller)?;
	if state.phase != Phase::Active {
		return Err(Error::WrongPhase);
	}
	let option = store
		.terms()
		.ok_or(Error::NotInitialised)?
		.call_option(call_date)
		.ok_or(Error::NoCallOnDate)?;
	let index = partition_point(store, state.periods, |p| p.accrual_end < call_date)?;
	let period = period_of(store, index)?;
	if period.accrual_end != call_date {
		return Err(Error::NoCallOnDate);
	}
	if now >= period.record_date {
		return Err(Error::CallNoticeTooLate);
	}
	if store.distribution(Payment::Redemption).is_some() {
		return Err(Error::RedemptionStarted);
	}
	state.phase = Phase::Called;
	state.final_record = index;
	state.redemption_premium_bps = option.premium_bps;
	let mut fx = Effects::default();
	fx.event(Event::Called { call_date, period: index, premium_bps: option.premium_bps });
	store.set_state(state);
	Ok(fx)
}

// ---------------------------------------------------------------------------------------------
// Agent controls (ERC-3643 names).

/// An agent stops transfers and subscriptions.
pub fn pause<A: Clone + PartialEq, S: BondStore<A>>(store: &mut S, caller: &A) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_agent(store, caller)?;
	if state.paused {
		return Err(Error::AlreadyPaused);
	}
	state.paused = true;
	store.set_state(state);
	let mut fx = Effects::default();
	fx.event(Event::Paused { agent: caller.clone() });
	Ok(fx)
}

/// An agent lifts the pause.
pub fn unpause<A: Clone + PartialEq, S: BondStore<A>>(store: &mut S, caller: &A) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_agent(store, caller)?;
	if !state.paused {
		return Err(Error::NotPaused);
	}
	state.paused = false;
	store.set_state(state);
	let mut fx = Effects::default();
	fx.event(Event::Unpaused { agent: caller.clone() });
	Ok(fx)
}

/// An agent freezes or unfreezes `who`: a frozen account can neither send, receive,
/// subscribe nor claim.
pub fn set_address_frozen<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	who: &A,
	frozen: bool,
) -> Outcome<A> {
	load(store)?;
	ensure_agent(store, caller)?;
	store.set_frozen(who, frozen);
	let mut fx = Effects::default();
	fx.event(Event::AddressFrozen { who: who.clone(), frozen, agent: caller.clone() });
	Ok(fx)
}

/// An agent freezes `amount` more of `who`'s units (never more than it holds).
pub fn freeze_partial_tokens<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	who: &A,
	amount: u128,
) -> Outcome<A> {
	load(store)?;
	ensure_agent(store, caller)?;
	if amount == 0 {
		return Err(Error::ZeroAmount);
	}
	let frozen = store.frozen_units(who).add_c(amount)?;
	if frozen > balance_of(store, who) {
		return Err(Error::FreezeExceedsBalance);
	}
	store.set_frozen_units(who, frozen);
	let mut fx = Effects::default();
	fx.event(Event::TokensFrozen { who: who.clone(), amount });
	Ok(fx)
}

/// An agent unfreezes `amount` of `who`'s frozen units.
pub fn unfreeze_partial_tokens<A: Clone + PartialEq, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	who: &A,
	amount: u128,
) -> Outcome<A> {
	load(store)?;
	ensure_agent(store, caller)?;
	if amount == 0 {
		return Err(Error::ZeroAmount);
	}
	let frozen = store.frozen_units(who).checked_sub(amount).ok_or(Error::UnfreezeExceedsFrozen)?;
	store.set_frozen_units(who, frozen);
	let mut fx = Effects::default();
	fx.event(Event::TokensUnfrozen { who: who.clone(), amount });
	Ok(fx)
}

/// An agent moves `value` of `from`'s units to `to`, whatever the pause and freezes (frozen
/// units are unfrozen as needed); the recipient must still pass compliance.
pub fn forced_transfer<A: Clone + PartialEq, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	caller: &A,
	from: &A,
	to: &A,
	value: u128,
	now: Timestamp,
) -> Outcome<A> {
	ensure_agent(store, caller)?;
	let mut fx = move_units(store, compliance, from, to, value, now, Mode::Forced)?;
	fx.event(Event::ForcedTransfer {
		agent: caller.clone(),
		from: from.clone(),
		to: to.clone(),
		value,
	});
	Ok(fx)
}

/// An agent recovers the lost account `lost` to `new`, an account of the same identity that
/// passes compliance. Units, frozen units and the frozen status move to `new` (until the last
/// record date; after it balances are fixed and only the right to claim moves); `new` may then
/// claim `lost`'s remaining records and refund, and `lost` can no longer act.
pub fn recover<A: Clone + PartialEq, S: BondStore<A>, C: Compliance<A>>(
	store: &mut S,
	compliance: &C,
	caller: &A,
	lost: &A,
	new: &A,
	now: Timestamp,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_agent(store, caller)?;
	if state.phase == Phase::Subscription {
		return Err(Error::WrongPhase);
	}
	if lost == new {
		return Err(Error::RecoveryToSameAccount);
	}
	if store.successor(lost).is_some() {
		return Err(Error::AccountRecovered);
	}
	if store.successor(new).is_some() {
		return Err(Error::RecoveryTargetRecovered);
	}
	if !compliance.same_identity(lost, new) {
		return Err(Error::NotSameIdentity);
	}
	if !compliance.may_hold(new) {
		return Err(Error::RecipientNotCompliant);
	}
	let units = balance_of(store, lost);
	let movable = ensure_issued(&state).is_ok() && units > 0;
	let epoch = epoch_at(store, &state, now)?;
	let moved = if movable && epoch <= state.final_record {
		let to_balance = balance_of(store, new);
		let new_to = to_balance.add_c(units)?;
		let frozen_units = store.frozen_units(new).add_c(store.frozen_units(lost))?;
		state.holders = holders_after(
			state.holders,
			state.limits.max_holders,
			&[(units, 0), (to_balance, new_to)],
		)?;
		check_epoch(store, lost, epoch)?;
		check_epoch(store, new, epoch)?;
		Some((new_to, frozen_units))
	} else {
		None
	};

	let mut fx = Effects::default();
	let mut moved_units = 0;
	if let Some((new_to, frozen_units)) = moved {
		checkpoint::set_balance(store, lost, 0, epoch)?;
		checkpoint::set_balance(store, new, new_to, epoch)?;
		store.set_frozen_units(new, frozen_units);
		store.set_frozen_units(lost, 0);
		moved_units = units;
		fx.event(Event::Transfer { from: Some(lost.clone()), to: Some(new.clone()), value: units });
	}
	if store.frozen(lost) {
		store.set_frozen(new, true);
		fx.event(Event::AddressFrozen { who: new.clone(), frozen: true, agent: caller.clone() });
	}
	store.set_successor(lost, new);
	fx.event(Event::RecoverySuccess {
		lost: lost.clone(),
		new: new.clone(),
		units: moved_units,
		agent: caller.clone(),
	});
	store.set_state(state);
	Ok(fx)
}

// ---------------------------------------------------------------------------------------------
// Reports.

/// The issuer records allocations of the proceeds to eligible categories of the terms (cash
/// by category, never more in total than was raised) with the allocation report's hash.
pub fn allocate_proceeds<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	entries: &[(UseOfProceeds, Balance)],
	document: DocumentHash,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issuer(&state, caller)?;
	ensure_issued(&state)?;
	check_document(&document)?;
	check_entries(entries, &store.terms().ok_or(Error::NotInitialised)?.use_of_proceeds)?;
	let mut total = state.allocated;
	let mut updates = Vec::with_capacity(entries.len());
	for &(category, amount) in entries {
		if amount == 0 {
			return Err(Error::ZeroAmount);
		}
		total = total.add_c(amount)?;
		updates.push((category, store.allocated(category).add_c(amount)?));
	}
	if total > state.raised {
		return Err(Error::AllocationExceedsProceeds);
	}
	state.allocated = total;
	for (category, amount) in updates {
		store.set_allocated(category, amount);
	}
	store.set_state(state);
	let mut fx = Effects::default();
	fx.event(Event::ProceedsAllocated {
		entries: entries.to_vec(),
		document,
		total_allocated: total,
	});
	Ok(fx)
}

/// The issuer records an impact report: impact by eligible category, and the report's hash.
pub fn report_impact<A: Clone + PartialEq + Encode, S: BondStore<A>>(
	store: &mut S,
	caller: &A,
	now: Timestamp,
	entries: &[(UseOfProceeds, u128)],
	document: DocumentHash,
) -> Outcome<A> {
	let mut state = load(store)?;
	ensure_issuer(&state, caller)?;
	ensure_issued(&state)?;
	check_document(&document)?;
	check_entries(entries, &store.terms().ok_or(Error::NotInitialised)?.use_of_proceeds)?;
	let index = state.impact_reports;
	state.impact_reports = index.add_c(1)?;
	store.set_impact_report(
		index,
		ImpactReport { entries: entries.to_vec(), document, recorded_at: now },
	);
	store.set_state(state);
	let mut fx = Effects::default();
	fx.event(Event::ImpactReported { index, entries: entries.to_vec(), document });
	Ok(fx)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use crate::checkpoint::{Holding, Segment};
	use std::cell::Cell;
	use std::collections::{BTreeMap, BTreeSet};

	type Acc = u32;
	const ISSUER: Acc = 1;
	const CURRENCY: Acc = 2;
	const AGENT: Acc = 3;
	const ALICE: Acc = 10;
	const BOB: Acc = 11;
	const CAROL: Acc = 12;
	const DAVE: Acc = 13; // a resident of the issuer's jurisdiction
	const EVE: Acc = 14; // never passes compliance
	const ALICE_NEW: Acc = 20; // Alice's replacement wallet

	use crate::fixture::{CLAIM_PERIOD, DENOM, GRACE, KPI_FEED, P, R, SUB_END, SUB_START, T0};
	/// Base coupon 4 % on 1 000, half a year: 20 per unit; 25 after a missed KPI.
	const COUPON: Balance = 20;
	const STEPPED_COUPON: Balance = 25;

	fn record(k: u64) -> Timestamp {
		T0 + (k + 1) * P - R
	}
	fn pay_date(k: u64) -> Timestamp {
		T0 + (k + 1) * P
	}

	fn terms() -> BondTerms<Acc> {
		crate::fixture::terms(ISSUER, CURRENCY, *b"DE")
	}

	/// Counts every storage access, to show a claim's cost does not depend on the holders.
	#[derive(Default, Clone, Debug)]
	struct Count(Cell<u64>);
	impl PartialEq for Count {
		fn eq(&self, _: &Self) -> bool {
			true
		}
	}
	impl Count {
		fn tick(&self) {
			self.0.set(self.0.get() + 1);
		}
	}

	#[derive(Default, Clone, Debug, PartialEq)]
	struct Mem {
		state: Option<BondState<Acc>>,
		terms: Option<BondTerms<Acc>>,
		periods: BTreeMap<u32, CouponPeriod>,
		agents: BTreeSet<Acc>,
		subscriptions: BTreeMap<Acc, SubscriptionRecord>,
		subscribers: BTreeMap<u32, Acc>,
		distributions: BTreeMap<(u8, u32), Distribution>,
		allowances: BTreeMap<(Acc, Acc), u128>,
		frozen: BTreeSet<Acc>,
		frozen_units: BTreeMap<Acc, u128>,
		successors: BTreeMap<Acc, Acc>,
		allocated: BTreeMap<UseOfProceeds, Balance>,
		reports: BTreeMap<u32, ImpactReport>,
		holdings: BTreeMap<Acc, Holding>,
		segments: BTreeMap<(Acc, RecordIndex), Segment>,
		accesses: Count,
	}

	fn key(p: Payment) -> (u8, u32) {
		match p {
			Payment::Coupon(i) => (0, i),
			Payment::Redemption => (1, 0),
		}
	}

	impl Checkpoints<Acc> for Mem {
		fn holding(&self, who: &Acc) -> Holding {
			self.accesses.tick();
			self.holdings.get(who).copied().unwrap_or_default()
		}
		fn set_holding(&mut self, who: &Acc, holding: Holding) {
			self.accesses.tick();
			self.holdings.insert(*who, holding);
		}
		fn segment(&self, who: &Acc, from: RecordIndex) -> Option<Segment> {
			self.accesses.tick();
			self.segments.get(&(*who, from)).copied()
		}
		fn set_segment(&mut self, who: &Acc, from: RecordIndex, segment: Segment) {
			self.accesses.tick();
			self.segments.insert((*who, from), segment);
		}
		fn remove_segment(&mut self, who: &Acc, from: RecordIndex) {
			self.accesses.tick();
			self.segments.remove(&(*who, from));
		}
	}

	impl BondStore<Acc> for Mem {
		fn state(&self) -> Option<BondState<Acc>> {
			self.accesses.tick();
			self.state.clone()
		}
		fn set_state(&mut self, state: BondState<Acc>) {
			self.accesses.tick();
			self.state = Some(state);
		}
		fn terms(&self) -> Option<BondTerms<Acc>> {
			self.accesses.tick();
			self.terms.clone()
		}
		fn set_terms(&mut self, terms: BondTerms<Acc>) {
			self.terms = Some(terms);
		}
		fn period(&self, index: u32) -> Option<CouponPeriod> {
			self.accesses.tick();
			self.periods.get(&index).copied()
		}
		fn set_period(&mut self, index: u32, period: CouponPeriod) {
			self.periods.insert(index, period);
		}
		fn is_agent(&self, who: &Acc) -> bool {
			self.accesses.tick();
			self.agents.contains(who)
		}
		fn set_agent(&mut self, who: &Acc) {
			self.agents.insert(*who);
		}
		fn subscription(&self, who: &Acc) -> Option<SubscriptionRecord> {
			self.accesses.tick();
			self.subscriptions.get(who).copied()
		}
		fn set_subscription(&mut self, who: &Acc, record: SubscriptionRecord) {
			self.accesses.tick();
			self.subscriptions.insert(*who, record);
		}
		fn subscriber(&self, index: u32) -> Option<Acc> {
			self.accesses.tick();
			self.subscribers.get(&index).copied()
		}
		fn set_subscriber(&mut self, index: u32, who: &Acc) {
			self.accesses.tick();
			self.subscribers.insert(index, *who);
		}
		fn distribution(&self, payment: Payment) -> Option<Distribution> {
			self.accesses.tick();
			self.distributions.get(&key(payment)).copied()
		}
		fn set_distribution(&mut self, payment: Payment, distribution: Distribution) {
			self.accesses.tick();
			self.distributions.insert(key(payment), distribution);
		}
		fn allowance(&self, owner: &Acc, spender: &Acc) -> u128 {
			self.accesses.tick();
			self.allowances.get(&(*owner, *spender)).copied().unwrap_or(0)
		}
		fn set_allowance(&mut self, owner: &Acc, spender: &Acc, value: u128) {
			self.accesses.tick();
			self.allowances.insert((*owner, *spender), value);
		}
		fn frozen(&self, who: &Acc) -> bool {
			self.accesses.tick();
			self.frozen.contains(who)
		}
		fn set_frozen(&mut self, who: &Acc, frozen: bool) {
			self.accesses.tick();
			if frozen {
				self.frozen.insert(*who);
			} else {
				self.frozen.remove(who);
			}
		}
		fn frozen_units(&self, who: &Acc) -> u128 {
			self.accesses.tick();
			self.frozen_units.get(who).copied().unwrap_or(0)
		}
		fn set_frozen_units(&mut self, who: &Acc, units: u128) {
			self.accesses.tick();
			self.frozen_units.insert(*who, units);
		}
		fn successor(&self, who: &Acc) -> Option<Acc> {
			self.accesses.tick();
			self.successors.get(who).copied()
		}
		fn set_successor(&mut self, who: &Acc, new: &Acc) {
			self.accesses.tick();
			self.successors.insert(*who, *new);
		}
		fn allocated(&self, category: UseOfProceeds) -> Balance {
			self.accesses.tick();
			self.allocated.get(&category).copied().unwrap_or(0)
		}
		fn set_allocated(&mut self, category: UseOfProceeds, amount: Balance) {
			self.accesses.tick();
			self.allocated.insert(category, amount);
		}
		fn set_impact_report(&mut self, index: u32, report: ImpactReport) {
			self.accesses.tick();
			self.reports.insert(index, report);
		}
	}

	/// The identity registry as the contract would read it through the chain extension.
	#[derive(Default)]
	struct Registry {
		barred: BTreeSet<Acc>,
		retail: BTreeSet<Acc>,
		uncategorised: BTreeSet<Acc>,
		residents: BTreeSet<Acc>,
		/// Accounts of the same identity as the key.
		identity: BTreeMap<Acc, Acc>,
	}

	impl Compliance<Acc> for Registry {
		fn may_hold(&self, who: &Acc) -> bool {
			*who != EVE && !self.barred.contains(who)
		}
		fn category(&self, who: &Acc) -> Option<InvestorCategory> {
			if self.uncategorised.contains(who) {
				None
			} else if self.retail.contains(who) {
				Some(InvestorCategory::Retail)
			} else {
				Some(InvestorCategory::Institutional)
			}
		}
		fn jurisdiction(&self, who: &Acc) -> Option<[u8; 2]> {
			Some(if self.residents.contains(who) { *b"DE" } else { *b"FR" })
		}
		fn same_identity(&self, a: &Acc, b: &Acc) -> bool {
			let id = |x: &Acc| self.identity.get(x).copied().unwrap_or(*x);
			id(a) == id(b)
		}
	}

	/// A feed whose KPIs are final as soon as their period ends (1 ms periods from 0): no
	/// observation date of the fixtures comes too early for it.
	const INSTANT_FEED: FeedTiming =
		FeedTiming { first_start: 0, period_length: 1, max_report_age: 0, challenge_window: 0 };

	/// The chain as setting a bond up sees it: `ISSUER` holds the `Issuer` role; the oracle
	/// knows the bond's feed, or every feed.
	struct SetupChain {
		any_feed: bool,
	}

	impl Setup<Acc> for SetupChain {
		fn is_issuer(&self, who: &Acc) -> bool {
			*who == ISSUER
		}
		fn feed(&self, feed: FeedId) -> Option<FeedTiming> {
			(self.any_feed || feed == KPI_FEED).then_some(INSTANT_FEED)
		}
	}

	/// A KPI oracle answering only for the bond's feed.
	fn kpi(outcome: KpiOutcome) -> impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome> {
		move |feed, _| (feed == KPI_FEED).then_some(outcome)
	}
	fn met() -> impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome> {
		kpi(KpiOutcome::Final(150))
	}
	fn missed() -> impl FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome> {
		kpi(KpiOutcome::Final(50))
	}

	/// The bond, the registry and a model of the cash token that executes every [`CashMove`].
	struct World {
		store: Mem,
		reg: Registry,
		cash: BTreeMap<Acc, Balance>,
		contract: Balance,
		collected: Balance,
		paid: Balance,
	}

	const START_CASH: Balance = 10_000_000;

	impl World {
		fn with(terms: BondTerms<Acc>, limits: Limits) -> Self {
			let mut store = Mem::default();
			let chain = SetupChain { any_feed: false };
			let fx = init(&mut store, terms, [9; 32], &ISSUER, &[AGENT], limits, &chain).unwrap();
			assert!(matches!(fx.events[0], Event::BondCreated { periods: 4, .. }));
			World {
				store,
				reg: Registry::default(),
				cash: BTreeMap::new(),
				contract: 0,
				collected: 0,
				paid: 0,
			}
		}

		fn new() -> Self {
			Self::with(terms(), Limits { max_subscribers: 50, max_holders: 60 })
		}

		fn cash_of(&self, who: Acc) -> Balance {
			self.cash.get(&who).copied().unwrap_or(START_CASH)
		}

		fn state(&self) -> BondState<Acc> {
			self.store.state.clone().unwrap()
		}

		fn apply(&mut self, fx: &Effects<Acc>) {
			for m in &fx.cash {
				match *m {
					CashMove::Collect { from, amount } => {
						let balance = self.cash_of(from);
						assert!(balance >= amount, "payer short of cash");
						self.cash.insert(from, balance - amount);
						self.contract += amount;
						self.collected += amount;
					}
					CashMove::Pay { to, amount } => {
						assert!(
							self.contract >= amount,
							"the bond would pay cash it does not hold"
						);
						self.contract -= amount;
						self.cash.insert(to, self.cash_of(to) + amount);
						self.paid += amount;
					}
				}
			}
			// Cash in == cash out + cash held, and the state knows what it holds.
			assert_eq!(self.collected, self.paid + self.contract);
			assert_eq!(self.state().cash_held, self.contract);
		}

		/// Runs a rule; on error asserts that nothing was written.
		fn run(&mut self, f: impl FnOnce(&mut Mem, &Registry) -> Outcome<Acc>) -> Outcome<Acc> {
			let before = self.store.clone();
			match f(&mut self.store, &self.reg) {
				Ok(fx) => {
					self.apply(&fx);
					Ok(fx)
				}
				Err(e) => {
					assert_eq!(self.store, before, "{e:?} wrote state");
					Err(e)
				}
			}
		}

		fn subscribe(&mut self, who: Acc, units: u128) -> Outcome<Acc> {
			self.run(|s, r| subscribe(s, r, &who, SUB_START, units * DENOM))
		}
		fn close(&mut self) -> Outcome<Acc> {
			self.run(|s, r| close_book(s, r, SUB_END))
		}
		fn transfer(&mut self, from: Acc, to: Acc, units: u128, now: Timestamp) -> Outcome<Acc> {
			self.run(|s, r| transfer(s, r, &from, &to, units, now))
		}
		fn fund(&mut self, payment: Payment, amount: Balance, now: Timestamp) -> Outcome<Acc> {
			self.run(|s, _| fund(s, &ISSUER, now, payment, amount, met()))
		}
		fn fund_all(&mut self, payment: Payment, now: Timestamp) -> Outcome<Acc> {
			let due = match self.store.distribution(payment) {
				Some(d) => d.shortfall().unwrap(),
				None => {
					let state = self.state();
					new_distribution(&self.store, &state, now, payment, met())
						.unwrap()
						.0
						.total_due()
						.unwrap()
				}
			};
			self.fund(payment, due, now)
		}
		fn claim(&mut self, who: Acc, now: Timestamp) -> Result<Balance, Error> {
			let fx = self.run(|s, _| claim(s, &who, &who, now))?;
			Ok(fx
				.cash
				.iter()
				.map(|m| if let CashMove::Pay { amount, .. } = m { *amount } else { 0 })
				.sum())
		}
		fn claim_all(&mut self, who: Acc, now: Timestamp) -> Balance {
			let mut total = 0;
			loop {
				match self.claim(who, now) {
					Ok(amount) => total += amount,
					Err(Error::NoRecordToClaim) => return total,
					Err(e) => panic!("claim failed: {e:?}"),
				}
			}
		}
		fn balance(&self, who: Acc) -> u128 {
			balance_of(&self.store, &who)
		}
		/// Subscribes 40, 40 and 20 units: issued in full, no refunds.
		fn issued() -> Self {
			let mut w = World::new();
			w.subscribe(ALICE, 40).unwrap();
			w.subscribe(BOB, 40).unwrap();
			w.subscribe(CAROL, 20).unwrap();
			w.close().unwrap();
			w
		}
	}

	fn paid_to(fx: &Effects<Acc>, who: Acc) -> Balance {
		fx.cash
			.iter()
			.map(|m| match m {
				CashMove::Pay { to, amount } if *to == who => *amount,
				_ => 0,
			})
			.sum()
	}

	#[test]
	fn full_lifecycle_pays_every_coupon_and_the_principal_and_burns_the_units() {
		let mut w = World::new();
		// 150 units asked for 100: pro rata 40, 40, 20.
		let fx = w.subscribe(ALICE, 60).unwrap();
		assert_eq!(fx.cash, vec![CashMove::Collect { from: ALICE, amount: 60 * DENOM }]);
		w.subscribe(BOB, 60).unwrap();
		w.subscribe(CAROL, 30).unwrap();
		let fx = w.close().unwrap();
		assert_eq!(
			fx.events[0],
			Event::BookClosed {
				outcome: BookOutcome::Issued,
				units: 100,
				raised: 100 * DENOM,
				refunds: 50 * DENOM
			}
		);
		assert_eq!(fx.cash, vec![CashMove::Pay { to: ISSUER, amount: 100 * DENOM }]);
		assert_eq!((w.balance(ALICE), w.balance(BOB), w.balance(CAROL)), (40, 40, 20));
		assert_eq!(w.state().phase, Phase::Active);
		assert_eq!(w.state().holders, 3);
		for who in [ALICE, BOB, CAROL] {
			w.run(|s, _| withdraw_refund(s, &who, &who)).unwrap();
		}
		assert_eq!(w.cash_of(ALICE), START_CASH - 40 * DENOM);
		assert_eq!(w.cash_of(CAROL), START_CASH - 20 * DENOM);
		assert_eq!(w.contract, 0);

		// Alice sells 10 to Dave before the first record date.
		w.transfer(ALICE, DAVE, 10, T0 + 1).unwrap();
		// Coupon 0 at the base rate, funded in two parts.
		w.fund(Payment::Coupon(0), 1_000, T0 + 2).unwrap();
		assert_eq!(w.claim(ALICE, record(0)), Err(Error::NotFunded));
		w.fund(Payment::Coupon(0), 1_000, T0 + 3).unwrap();
		assert_eq!(w.fund(Payment::Coupon(0), 1, T0 + 4), Err(Error::FundingExceedsDue));
		assert_eq!(w.claim(ALICE, record(0) - 1), Err(Error::NoRecordToClaim));
		assert_eq!(w.claim(ALICE, record(0)), Ok(30 * COUPON));
		assert_eq!(w.claim(ALICE, record(0)), Err(Error::NoRecordToClaim));
		assert_eq!(w.claim(DAVE, record(0)), Ok(10 * COUPON));
		// Bob sells 5 to Carol after record 0: Bob keeps coupon 0 on 40.
		w.transfer(BOB, CAROL, 5, record(0) + 1).unwrap();
		// The KPI target of period 0 was missed: coupon 1 steps up to 5 %.
		let fx = w.run(|s, _| fix_coupon_rate(s, T0 + P, 1, missed())).unwrap();
		assert!(matches!(
			fx.events[0],
			Event::CouponRateFixed { period: 1, rate_bps: 500, per_unit: STEPPED_COUPON, .. }
		));
		w.fund(Payment::Coupon(1), 100 * STEPPED_COUPON, T0 + P).unwrap();
		w.fund_all(Payment::Coupon(2), T0 + P).unwrap();
		w.fund_all(Payment::Coupon(3), T0 + P).unwrap();
		w.fund_all(Payment::Redemption, T0 + P).unwrap();
		// Redemption and the last coupon come due; balances are fixed.
		let end = record(3);
		assert_eq!(w.transfer(ALICE, BOB, 1, end), Err(Error::BalancesFixed));
		assert_eq!(w.claim_all(ALICE, end), 30 * (STEPPED_COUPON + 2 * COUPON) + 30 * DENOM);
		assert_eq!(
			w.claim_all(BOB, end),
			40 * COUPON + 35 * (STEPPED_COUPON + 2 * COUPON) + 35 * DENOM
		);
		assert_eq!(
			w.claim_all(CAROL, end),
			20 * COUPON + 25 * (STEPPED_COUPON + 2 * COUPON) + 25 * DENOM
		);
		assert_eq!(w.state().phase, Phase::Active);
		assert_eq!(w.claim_all(DAVE, end), 10 * (STEPPED_COUPON + 2 * COUPON) + 10 * DENOM);
		// Every unit was burned on its redemption claim; nothing is left in the contract.
		assert_eq!(w.state().phase, Phase::Redeemed);
		assert_eq!((w.state().supply, w.state().holders), (0, 0));
		assert!([ALICE, BOB, CAROL, DAVE].iter().all(|&who| w.balance(who) == 0));
		assert_eq!(w.contract, 0);
		let coupons = 100 * (3 * COUPON + STEPPED_COUPON);
		assert_eq!(w.cash_of(ISSUER), START_CASH + 100 * DENOM - coupons - 100 * DENOM);
		// No segment left behind by the claims.
		assert!(w.store.segments.is_empty());
	}

	#[test]
	fn book_below_the_minimum_raise_is_cancelled_and_everyone_is_refunded() {
		let mut w = World::new();
		w.subscribe(ALICE, 5).unwrap();
		w.subscribe(BOB, 7).unwrap();
		w.subscribe(ALICE, 3).unwrap();
		let fx = w.close().unwrap();
		assert_eq!(
			fx.events[0],
			Event::BookClosed {
				outcome: BookOutcome::Cancelled,
				units: 0,
				raised: 0,
				refunds: 15 * DENOM
			}
		);
		assert!(fx.cash.is_empty());
		assert_eq!(w.state().phase, Phase::Cancelled);
		assert_eq!(w.transfer(ALICE, BOB, 1, T0), Err(Error::WrongPhase));
		assert_eq!(w.run(|s, _| withdraw_refund(s, &BOB, &ALICE)), Err(Error::NotBeneficiary));
		let fx = w.run(|s, _| withdraw_refund(s, &ALICE, &ALICE)).unwrap();
		assert_eq!(paid_to(&fx, ALICE), 8 * DENOM);
		w.run(|s, _| withdraw_refund(s, &BOB, &BOB)).unwrap();
		assert_eq!(w.run(|s, _| withdraw_refund(s, &BOB, &BOB)), Err(Error::NothingToRefund));
		assert_eq!(w.contract, 0);
		assert_eq!((w.cash_of(ALICE), w.cash_of(BOB)), (START_CASH, START_CASH));
	}

	#[test]
	fn closing_early_is_refused_and_closing_on_the_issue_date_cancels() {
		let mut w = World::new();
		w.subscribe(ALICE, 50).unwrap();
		assert_eq!(w.run(|s, r| close_book(s, r, SUB_END - 1)), Err(Error::SubscriptionStillOpen));
		let fx = w.run(|s, r| close_book(s, r, T0)).unwrap();
		assert!(matches!(fx.events[0], Event::BookClosed { outcome: BookOutcome::Cancelled, .. }));
		assert!(fx.cash.is_empty());
		assert_eq!(w.run(|s, r| close_book(s, r, T0)), Err(Error::WrongPhase));
		w.run(|s, _| withdraw_refund(s, &ALICE, &ALICE)).unwrap();
		assert_eq!(w.contract, 0);
	}

	#[test]
	fn oversubscribed_book_fills_the_resident_tranche_first_and_refunds_the_rest() {
		let mut w = World::new();
		w.reg.residents.insert(DAVE);
		w.subscribe(DAVE, 20).unwrap();
		w.subscribe(ALICE, 100).unwrap();
		w.subscribe(BOB, 100).unwrap();
		// Dave: 10 from the tranche, then his unfilled 10 competes with 100 + 100 for 90:
		// 4.29, 42.86, 42.86 -> 4, 43, 43 by largest remainder.
		let fx = w.close().unwrap();
		assert_eq!(fx.events[1], Event::Allotted { investor: DAVE, units: 14, refund: 6 * DENOM });
		assert_eq!((w.balance(DAVE), w.balance(ALICE), w.balance(BOB)), (14, 43, 43));
		assert_eq!(w.state().refunds_owed, 120 * DENOM);
		assert_eq!(w.contract, 120 * DENOM);
	}

	#[test]
	fn subscriptions_respect_window_ticket_caps_compliance_and_the_subscriber_limit() {
		let mut w = World::with(terms(), Limits { max_subscribers: 2, max_holders: 2 });
		w.reg.retail.insert(CAROL);
		w.reg.uncategorised.insert(DAVE);
		let sub =
			|w: &mut World, who, amount, now| w.run(|s, r| subscribe(s, r, &who, now, amount));
		assert_eq!(sub(&mut w, ALICE, DENOM, SUB_START - 1), Err(Error::SubscriptionNotOpen));
		assert_eq!(sub(&mut w, ALICE, DENOM, SUB_END), Err(Error::SubscriptionEnded));
		assert_eq!(sub(&mut w, ALICE, 0, SUB_START), Err(Error::ZeroAmount));
		assert_eq!(sub(&mut w, ALICE, DENOM + 1, SUB_START), Err(Error::NotWholeDenominations));
		assert_eq!(sub(&mut w, EVE, DENOM, SUB_START), Err(Error::NotCompliant));
		assert_eq!(sub(&mut w, DAVE, DENOM, SUB_START), Err(Error::NoInvestorCategory));
		assert_eq!(sub(&mut w, CAROL, 31 * DENOM, SUB_START), Err(Error::InvestorCapExceeded));
		sub(&mut w, CAROL, 30 * DENOM, SUB_START).unwrap();
		assert_eq!(sub(&mut w, CAROL, DENOM, SUB_START), Err(Error::InvestorCapExceeded));
		sub(&mut w, ALICE, DENOM, SUB_START).unwrap();
		// A top-up is not a new subscriber; a third investor is.
		sub(&mut w, ALICE, DENOM, SUB_START).unwrap();
		assert_eq!(sub(&mut w, BOB, DENOM, SUB_START), Err(Error::TooManySubscribers));
		assert_eq!(w.state().subscribers, 2);
		assert_eq!(w.state().escrowed, 32 * DENOM);
	}

	#[test]
	fn subscribers_who_lost_compliance_by_closing_are_refunded_in_full() {
		let mut w = World::new();
		w.subscribe(ALICE, 30).unwrap();
		w.subscribe(BOB, 30).unwrap();
		w.reg.barred.insert(BOB);
		let fx = w.close().unwrap();
		assert!(fx.events.contains(&Event::Allotted {
			investor: BOB,
			units: 0,
			refund: 30 * DENOM
		}));
		assert_eq!((w.balance(ALICE), w.balance(BOB)), (30, 0));
		assert_eq!(w.state().holders, 1);
	}

	#[test]
	fn default_pays_what_was_funded_pro_rata_and_the_cash_adds_up_to_what_was_funded() {
		let mut w = World::issued();
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		// Coupon 1 (base rate: the KPI was met) owes 2 000; only 1 001 is funded.
		w.fund(Payment::Coupon(1), 1_001, T0 + P).unwrap();
		let default =
			|w: &mut World, now, payment| w.run(|s, _| declare_default(s, now, payment, met()));
		assert_eq!(
			default(&mut w, pay_date(1) + GRACE, Payment::Coupon(1)),
			Err(Error::GracePeriodNotOver)
		);
		assert_eq!(
			default(&mut w, pay_date(0) + GRACE + 1, Payment::Coupon(0)),
			Err(Error::FullyFunded)
		);
		let fx = default(&mut w, pay_date(1) + GRACE + 1, Payment::Coupon(1)).unwrap();
		assert_eq!(
			fx.events,
			vec![Event::PaymentDefaulted {
				payment: Payment::Coupon(1),
				funded: 1_001,
				due: 2_000
			}]
		);
		assert_eq!(w.state().phase, Phase::Defaulted);
		assert_eq!(
			w.fund(Payment::Coupon(1), 1, pay_date(1) + GRACE + 2),
			Err(Error::DistributionDefaulted)
		);
		let now = pay_date(1) + GRACE + 2;
		let mut paid = 0;
		for (who, units) in [(ALICE, 40), (BOB, 40), (CAROL, 20)] {
			assert_eq!(w.claim(who, now), Ok(units * COUPON));
			let amount = w.claim(who, now).unwrap();
			assert_eq!(amount, 1_001 * units / 100);
			paid += amount;
		}
		assert_eq!(paid, 1_000);
		// The rounding remainder goes back to the issuer after the claim period.
		let late = pay_date(1) + CLAIM_PERIOD + 1;
		let fx = w.run(|s, _| reclaim(s, &ISSUER, late, Payment::Coupon(1))).unwrap();
		assert_eq!(paid_to(&fx, ISSUER), 1);
		// Nothing else is ever funded: coupons 2, 3 and the principal default with nothing,
		// holders' claims burn their units for nothing and the contract ends empty.
		let after = pay_date(3) + GRACE + 1;
		for p in [Payment::Coupon(2), Payment::Coupon(3), Payment::Redemption] {
			default(&mut w, after, p).unwrap();
		}
		for who in [ALICE, BOB, CAROL] {
			assert_eq!(w.claim_all(who, after), 0);
		}
		assert_eq!(w.state().supply, 0);
		assert_eq!(w.state().phase, Phase::Defaulted);
		assert_eq!(w.contract, 0);
	}

	#[test]
	fn partial_principal_default_is_shared_pro_rata_with_the_remainder_reclaimed() {
		let mut w = World::issued();
		for k in 0..4 {
			w.fund_all(Payment::Coupon(k), T0 + P).unwrap();
		}
		w.fund(Payment::Redemption, 33_333, T0 + P).unwrap();
		let now = pay_date(3) + GRACE + 1;
		w.run(|s, _| declare_default(s, now, Payment::Redemption, met())).unwrap();
		let principal: Balance =
			[ALICE, BOB, CAROL].iter().map(|&who| w.claim_all(who, now)).sum::<Balance>()
				- 100 * 4 * COUPON;
		assert_eq!(principal, 33_333 * 40 / 100 * 2 + 33_333 * 20 / 100);
		let fx = w
			.run(|s, _| reclaim(s, &ISSUER, pay_date(3) + CLAIM_PERIOD + 1, Payment::Redemption))
			.unwrap();
		assert_eq!(principal + paid_to(&fx, ISSUER), 33_333);
		assert_eq!(w.contract, 0);
	}

	/// A bond of `holders` holders (one unit each) plus Alice with 50 units, coupon 0 funded.
	fn bond_with_holders(holders: u32) -> World {
		let mut t = terms();
		t.issue_size = 2_000 * DENOM;
		let mut w = World::with(t, Limits { max_subscribers: 1_100, max_holders: 1_100 });
		w.subscribe(ALICE, 50).unwrap();
		for i in 0..holders {
			w.subscribe(1_000 + i, 1).unwrap();
		}
		w.close().unwrap();
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		w
	}

	fn accesses_of_a_claim(w: &mut World) -> u64 {
		w.store.accesses.0.set(0);
		assert_eq!(w.claim(ALICE, record(0)), Ok(50 * COUPON));
		w.store.accesses.0.get()
	}

	#[test]
	fn claim_touches_the_same_storage_whatever_the_number_of_holders() {
		let mut small = bond_with_holders(10);
		let mut large = bond_with_holders(1_000);
		assert_eq!(large.state().holders, 1_001);
		let (a, b) = (accesses_of_a_claim(&mut small), accesses_of_a_claim(&mut large));
		assert_eq!(a, b);
		assert!(a < 20, "{a} storage accesses");
		// And a holder who sold in between costs the same too (one segment read).
		large.transfer(1_000, 1_001, 1, record(0) + 1).unwrap();
		large.fund_all(Payment::Coupon(1), T0 + P).unwrap();
		large.store.accesses.0.set(0);
		assert_eq!(large.claim(1_000, record(1)), Ok(COUPON));
		assert!(large.store.accesses.0.get() < 20);
	}

	#[test]
	fn transfers_need_both_parties_to_pass_compliance() {
		let mut w = World::issued();
		assert_eq!(w.transfer(ALICE, EVE, 1, T0), Err(Error::RecipientNotCompliant));
		w.reg.barred.insert(BOB);
		assert_eq!(w.transfer(BOB, ALICE, 1, T0), Err(Error::SenderNotCompliant));
		assert_eq!(w.transfer(ALICE, BOB, 1, T0), Err(Error::RecipientNotCompliant));
		w.reg.barred.remove(&BOB);
		// transfer_from through an allowance, also checked.
		w.run(|s, _| approve(s, &ALICE, &CAROL, 5)).unwrap();
		assert_eq!(
			w.run(|s, r| transfer_from(s, r, &CAROL, &ALICE, &EVE, 1, T0)),
			Err(Error::RecipientNotCompliant)
		);
		assert_eq!(
			w.run(|s, r| transfer_from(s, r, &CAROL, &ALICE, &BOB, 6, T0)),
			Err(Error::InsufficientAllowance)
		);
		let fx = w.run(|s, r| transfer_from(s, r, &CAROL, &ALICE, &BOB, 5, T0)).unwrap();
		assert_eq!(fx.events[1], Event::Approval { owner: ALICE, spender: CAROL, amount: 0 });
		assert_eq!((w.balance(ALICE), w.balance(BOB)), (35, 45));
		assert_eq!(w.transfer(ALICE, BOB, 0, T0), Err(Error::ZeroAmount));
		assert_eq!(w.transfer(ALICE, ALICE, 1, T0), Err(Error::SelfTransfer));
		assert_eq!(w.transfer(ALICE, BOB, 36, T0), Err(Error::InsufficientBalance));
	}

	#[test]
	fn a_new_holder_beyond_the_holder_limit_is_refused() {
		let mut w = World::with(terms(), Limits { max_subscribers: 2, max_holders: 2 });
		w.subscribe(ALICE, 30).unwrap();
		w.subscribe(BOB, 30).unwrap();
		w.close().unwrap();
		assert_eq!(w.transfer(ALICE, CAROL, 1, T0), Err(Error::TooManyHolders));
		// Selling everything to a newcomer keeps the count.
		w.transfer(ALICE, CAROL, 30, T0).unwrap();
		assert_eq!(w.state().holders, 2);
		w.transfer(BOB, CAROL, 30, T0).unwrap();
		assert_eq!(w.state().holders, 1);
	}

	#[test]
	fn pause_stops_transfers_and_subscriptions_but_not_claims() {
		let mut w = World::new();
		assert_eq!(w.run(|s, _| pause(s, &ALICE)), Err(Error::NotAgent));
		w.run(|s, _| pause(s, &AGENT)).unwrap();
		assert_eq!(w.run(|s, _| pause(s, &AGENT)), Err(Error::AlreadyPaused));
		assert_eq!(w.subscribe(ALICE, 30), Err(Error::Paused));
		w.run(|s, _| unpause(s, &AGENT)).unwrap();
		w.subscribe(ALICE, 30).unwrap();
		w.subscribe(BOB, 30).unwrap();
		w.close().unwrap();
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		w.run(|s, _| pause(s, &AGENT)).unwrap();
		assert_eq!(w.transfer(ALICE, BOB, 1, T0), Err(Error::Paused));
		assert_eq!(w.claim(ALICE, record(0)), Ok(30 * COUPON));
		w.run(|s, _| unpause(s, &AGENT)).unwrap();
		assert_eq!(w.run(|s, _| unpause(s, &AGENT)), Err(Error::NotPaused));
		w.transfer(ALICE, BOB, 1, record(0)).unwrap();
	}

	#[test]
	fn frozen_accounts_and_units_stay_put_until_an_agent_forces_a_transfer() {
		let mut w = World::issued();
		w.run(|s, _| set_address_frozen(s, &AGENT, &BOB, true)).unwrap();
		assert_eq!(w.transfer(BOB, ALICE, 1, T0), Err(Error::SenderFrozen));
		assert_eq!(w.transfer(ALICE, BOB, 1, T0), Err(Error::RecipientFrozen));
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		assert_eq!(w.claim(BOB, record(0)), Err(Error::AccountFrozen));
		w.run(|s, _| set_address_frozen(s, &AGENT, &BOB, false)).unwrap();
		assert_eq!(w.claim(BOB, record(0)), Ok(40 * COUPON));

		// Partial freeze: 30 of Alice's 40 units.
		assert_eq!(
			w.run(|s, _| freeze_partial_tokens(s, &ALICE, &ALICE, 30)),
			Err(Error::NotAgent)
		);
		assert_eq!(
			w.run(|s, _| freeze_partial_tokens(s, &AGENT, &ALICE, 41)),
			Err(Error::FreezeExceedsBalance)
		);
		w.run(|s, _| freeze_partial_tokens(s, &AGENT, &ALICE, 30)).unwrap();
		assert_eq!(w.transfer(ALICE, BOB, 11, T0), Err(Error::InsufficientUnfrozenBalance));
		w.transfer(ALICE, BOB, 10, T0).unwrap();
		assert_eq!(
			w.run(|s, _| unfreeze_partial_tokens(s, &AGENT, &ALICE, 31)),
			Err(Error::UnfreezeExceedsFrozen)
		);
		w.run(|s, _| unfreeze_partial_tokens(s, &AGENT, &ALICE, 5)).unwrap();
		assert_eq!(w.store.frozen_units(&ALICE), 25);

		// A forced transfer ignores the pause and the freezes, unfreezing what it must, but
		// the recipient must still pass compliance.
		w.run(|s, _| pause(s, &AGENT)).unwrap();
		w.run(|s, _| set_address_frozen(s, &AGENT, &ALICE, true)).unwrap();
		let force = |w: &mut World, caller, to, value| {
			w.run(|s, r| forced_transfer(s, r, &caller, &ALICE, &to, value, T0))
		};
		assert_eq!(force(&mut w, BOB, CAROL, 1), Err(Error::NotAgent));
		assert_eq!(force(&mut w, AGENT, EVE, 1), Err(Error::RecipientNotCompliant));
		let fx = force(&mut w, AGENT, CAROL, 28).unwrap();
		assert_eq!(
			fx.events,
			vec![
				Event::Transfer { from: Some(ALICE), to: Some(CAROL), value: 28 },
				Event::TokensUnfrozen { who: ALICE, amount: 23 },
				Event::ForcedTransfer { agent: AGENT, from: ALICE, to: CAROL, value: 28 },
			]
		);
		assert_eq!((w.balance(ALICE), w.store.frozen_units(&ALICE)), (2, 2));
	}

	#[test]
	fn recovery_moves_units_and_unclaimed_coupons_to_a_wallet_of_the_same_identity() {
		let mut w = World::issued();
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		w.run(|s, _| freeze_partial_tokens(s, &AGENT, &ALICE, 4)).unwrap();
		let now = record(0) + 1;
		let rec =
			|w: &mut World, caller, new| w.run(|s, r| recover(s, r, &caller, &ALICE, &new, now));
		assert_eq!(rec(&mut w, ALICE, ALICE_NEW), Err(Error::NotAgent));
		assert_eq!(rec(&mut w, AGENT, ALICE_NEW), Err(Error::NotSameIdentity));
		w.reg.identity.insert(ALICE_NEW, ALICE);
		w.reg.identity.insert(EVE, ALICE);
		assert_eq!(rec(&mut w, AGENT, EVE), Err(Error::RecipientNotCompliant));
		assert_eq!(rec(&mut w, AGENT, ALICE), Err(Error::RecoveryToSameAccount));
		let fx = rec(&mut w, AGENT, ALICE_NEW).unwrap();
		assert_eq!(
			fx.events.last(),
			Some(&Event::RecoverySuccess { lost: ALICE, new: ALICE_NEW, units: 40, agent: AGENT })
		);
		assert_eq!((w.balance(ALICE), w.balance(ALICE_NEW)), (0, 40));
		assert_eq!(w.store.frozen_units(&ALICE_NEW), 4);
		assert_eq!(rec(&mut w, AGENT, ALICE_NEW), Err(Error::AccountRecovered));
		// The lost key can do nothing more; the new one claims Alice's coupon 0...
		assert_eq!(w.claim(ALICE, now), Err(Error::AccountRecovered));
		assert_eq!(w.run(|s, _| claim(s, &BOB, &ALICE, now)), Err(Error::NotBeneficiary));
		let fx = w.run(|s, _| claim(s, &ALICE_NEW, &ALICE, now)).unwrap();
		assert_eq!(fx.cash, vec![CashMove::Pay { to: ALICE_NEW, amount: 40 * COUPON }]);
		// ...and its own from coupon 1 on.
		assert_eq!(w.claim(ALICE_NEW, now), Err(Error::NoRecordToClaim));
		w.fund_all(Payment::Coupon(1), T0 + P).unwrap();
		assert_eq!(w.claim(ALICE_NEW, record(1)), Ok(40 * COUPON));
		// Units cannot be sent to the lost wallet.
		assert_eq!(w.transfer(BOB, ALICE, 1, record(1)), Err(Error::RecoveryTargetRecovered));
	}

	#[test]
	fn recovery_after_the_last_record_moves_only_the_right_to_claim() {
		let mut w = World::issued();
		for k in 0..4 {
			w.fund_all(Payment::Coupon(k), T0).unwrap();
		}
		w.fund_all(Payment::Redemption, T0).unwrap();
		w.reg.identity.insert(ALICE_NEW, ALICE);
		let end = record(3);
		w.run(|s, r| recover(s, r, &AGENT, &ALICE, &ALICE_NEW, end)).unwrap();
		assert_eq!(w.balance(ALICE), 40);
		let mut got = 0;
		while let Ok(fx) = w.run(|s, _| claim(s, &ALICE_NEW, &ALICE, end)) {
			got += paid_to(&fx, ALICE_NEW);
		}
		assert_eq!(got, 40 * (4 * COUPON + DENOM));
		assert_eq!(w.balance(ALICE), 0);
	}

	#[test]
	fn issuer_reclaims_unclaimed_cash_after_expiry_and_late_claims_move_on() {
		let mut w = World::issued();
		w.fund_all(Payment::Coupon(0), T0).unwrap();
		w.fund_all(Payment::Coupon(1), T0).unwrap();
		let expiry = pay_date(0) + CLAIM_PERIOD;
		assert_eq!(w.claim(ALICE, record(0)), Ok(40 * COUPON));
		let rc = |w: &mut World, caller, now, p| w.run(|s, _| reclaim(s, &caller, now, p));
		assert_eq!(rc(&mut w, ALICE, expiry + 1, Payment::Coupon(0)), Err(Error::NotIssuer));
		assert_eq!(rc(&mut w, ISSUER, expiry, Payment::Coupon(0)), Err(Error::ClaimPeriodNotOver));
		assert_eq!(rc(&mut w, ISSUER, expiry, Payment::Coupon(2)), Err(Error::NothingToReclaim));
		let fx = rc(&mut w, ISSUER, expiry + 1, Payment::Coupon(0)).unwrap();
		assert_eq!(fx.cash, vec![CashMove::Pay { to: ISSUER, amount: 60 * COUPON }]);
		assert_eq!(
			rc(&mut w, ISSUER, expiry + 1, Payment::Coupon(0)),
			Err(Error::DistributionClosed)
		);
		// Bob's coupon 0 expired: his claim pays nothing but moves him on to coupon 1.
		assert_eq!(w.claim(BOB, record(1)), Ok(0));
		assert_eq!(w.claim(BOB, record(1)), Ok(40 * COUPON));
		// A payment neither funded nor defaulted cannot be reclaimed from holders.
		w.fund(Payment::Coupon(2), 1, T0 + P).unwrap();
		let late = pay_date(2) + CLAIM_PERIOD + 1;
		assert_eq!(rc(&mut w, ISSUER, late, Payment::Coupon(2)), Err(Error::NotFunded));
	}

	#[test]
	fn call_redeems_with_the_call_coupon_at_a_premium_and_returns_later_funding() {
		let mut w = World::issued();
		w.fund_all(Payment::Coupon(3), T0).unwrap();
		let call =
			|w: &mut World, caller, now, date| w.run(|s, _| exercise_call(s, &caller, now, date));
		assert_eq!(call(&mut w, ALICE, T0, T0 + 2 * P), Err(Error::NotIssuer));
		assert_eq!(call(&mut w, ISSUER, T0, T0 + 3 * P), Err(Error::NoCallOnDate));
		assert_eq!(call(&mut w, ISSUER, record(1), T0 + 2 * P), Err(Error::CallNoticeTooLate));
		let fx = call(&mut w, ISSUER, T0 + P, T0 + 2 * P).unwrap();
		assert_eq!(
			fx.events,
			vec![Event::Called { call_date: T0 + 2 * P, period: 1, premium_bps: 200 }]
		);
		assert_eq!(call(&mut w, ISSUER, T0 + P, T0 + 2 * P), Err(Error::WrongPhase));
		// Coupon 3 is no longer owed: its funding goes back at once.
		assert_eq!(w.fund(Payment::Coupon(2), 1, T0 + P), Err(Error::PaymentNotOwed));
		let fx = w.run(|s, _| reclaim(s, &ISSUER, T0 + P, Payment::Coupon(3))).unwrap();
		assert_eq!(paid_to(&fx, ISSUER), 100 * COUPON);
		w.fund_all(Payment::Coupon(0), T0 + P).unwrap();
		w.fund_all(Payment::Coupon(1), T0 + P).unwrap();
		w.fund_all(Payment::Redemption, T0 + P).unwrap();
		assert_eq!(w.transfer(ALICE, BOB, 1, record(1)), Err(Error::BalancesFixed));
		let now = record(3);
		assert_eq!(w.claim_all(ALICE, now), 40 * (2 * COUPON + 1_020));
		assert_eq!(w.claim_all(BOB, now), 40 * (2 * COUPON + 1_020));
		assert_eq!(w.claim_all(CAROL, now), 20 * (2 * COUPON + 1_020));
		assert_eq!(w.state().phase, Phase::Redeemed);
		assert_eq!(w.contract, 0);
	}

	#[test]
	fn coupon_rates_follow_the_kpi_and_unknown_or_undecided_kpis_are_refused() {
		let mut w = World::issued();
		let fix = |w: &mut World,
		           now,
		           period,
		           oracle: &mut dyn FnMut(FeedId, FeedPeriod) -> Option<KpiOutcome>| {
			w.run(|s, _| fix_coupon_rate(s, now, period, oracle))
		};
		assert_eq!(fix(&mut w, T0, 1, &mut |_, _| None), Err(Error::UnknownKpi));
		assert_eq!(fix(&mut w, T0, 1, &mut kpi(KpiOutcome::Pending)), Err(Error::KpiUndetermined));
		assert_eq!(fix(&mut w, T0, 4, &mut met()), Err(Error::UnknownPeriod));
		// The fallback clause: Missing counts as missed.
		let fx = fix(&mut w, T0, 1, &mut kpi(KpiOutcome::Missing)).unwrap();
		assert!(matches!(fx.events[0], Event::CouponRateFixed { rate_bps: 500, .. }));
		assert_eq!(fix(&mut w, T0, 1, &mut met()), Err(Error::RateAlreadyFixed));
		let fx = fix(&mut w, T0, 2, &mut missed()).unwrap();
		assert!(matches!(
			fx.events[0],
			Event::CouponRateFixed { rate_bps: 400, per_unit: COUPON, .. }
		));
	}

	#[test]
	fn only_the_issuer_funds_calls_and_reports_and_only_agents_control() {
		let mut w = World::issued();
		assert_eq!(
			w.run(|s, _| fund(s, &ALICE, T0, Payment::Coupon(0), 1, met())),
			Err(Error::NotIssuer)
		);
		assert_eq!(w.fund(Payment::Coupon(0), 0, T0), Err(Error::ZeroAmount));
		let doc = [1; 32];
		let entries = [(UseOfProceeds::GreenBuildings, 10)];
		assert_eq!(
			w.run(|s, _| allocate_proceeds(s, &AGENT, &entries, doc)),
			Err(Error::NotIssuer)
		);
		assert_eq!(w.run(|s, _| report_impact(s, &BOB, T0, &entries, doc)), Err(Error::NotIssuer));
		assert_eq!(w.run(|s, _| set_address_frozen(s, &ISSUER, &BOB, true)), Err(Error::NotAgent));
		w.reg.identity.insert(ALICE_NEW, ALICE);
		assert_eq!(
			w.run(|s, r| recover(s, r, &ISSUER, &ALICE, &ALICE_NEW, T0)),
			Err(Error::NotAgent)
		);
		assert_eq!(w.run(|s, _| pause(s, &ISSUER)), Err(Error::NotAgent));
		assert_eq!(
			w.run(|s, _| unfreeze_partial_tokens(s, &ISSUER, &BOB, 1)),
			Err(Error::NotAgent)
		);
	}

	#[test]
	fn proceeds_allocations_and_impact_reports_are_recorded() {
		let mut w = World::issued();
		let doc = [5; 32];
		let alloc = |w: &mut World, entries: &[(UseOfProceeds, Balance)], doc| {
			w.run(|s, _| allocate_proceeds(s, &ISSUER, entries, doc))
		};
		use UseOfProceeds::*;
		assert_eq!(alloc(&mut w, &[(GreenBuildings, 1)], [0; 32]), Err(Error::ZeroDocumentHash));
		assert_eq!(alloc(&mut w, &[], doc), Err(Error::EmptyReport));
		assert_eq!(alloc(&mut w, &[(RenewableEnergy, 1)], doc), Err(Error::UnknownUseOfProceeds));
		assert_eq!(
			alloc(&mut w, &[(GreenBuildings, 1), (GreenBuildings, 2)], doc),
			Err(Error::DuplicateReportCategory)
		);
		assert_eq!(alloc(&mut w, &[(GreenBuildings, 0)], doc), Err(Error::ZeroAmount));
		assert_eq!(
			alloc(&mut w, &[(GreenBuildings, 100 * DENOM + 1)], doc),
			Err(Error::AllocationExceedsProceeds)
		);
		alloc(&mut w, &[(GreenBuildings, 60 * DENOM), (EnergyEfficiency, 30 * DENOM)], doc)
			.unwrap();
		let fx = alloc(&mut w, &[(GreenBuildings, 10 * DENOM)], doc).unwrap();
		assert_eq!(
			fx.events,
			vec![Event::ProceedsAllocated {
				entries: vec![(GreenBuildings, 10 * DENOM)],
				document: doc,
				total_allocated: 100 * DENOM
			}]
		);
		assert_eq!(w.store.allocated(GreenBuildings), 70 * DENOM);
		assert_eq!(
			alloc(&mut w, &[(EnergyEfficiency, 1)], doc),
			Err(Error::AllocationExceedsProceeds)
		);

		let fx = w
			.run(|s, _| report_impact(s, &ISSUER, T0 + 5, &[(GreenBuildings, 1_234)], doc))
			.unwrap();
		assert_eq!(
			fx.events,
			vec![Event::ImpactReported {
				index: 0,
				entries: vec![(GreenBuildings, 1_234)],
				document: doc
			}]
		);
		assert_eq!(w.store.reports[&0].recorded_at, T0 + 5);
		assert_eq!(w.state().impact_reports, 1);
	}

	#[test]
	fn init_refuses_bad_terms_limits_agents_and_unknown_feeds() {
		let limits = Limits { max_subscribers: 5, max_holders: 5 };
		let try_init = |t: BondTerms<Acc>, agents: &[Acc], limits, known: bool| {
			let mut s = Mem::default();
			// `known: false`: the oracle knows no feed at all.
			struct Chain(bool);
			impl Setup<Acc> for Chain {
				fn is_issuer(&self, who: &Acc) -> bool {
					*who == ISSUER
				}
				fn feed(&self, _feed: FeedId) -> Option<FeedTiming> {
					self.0.then_some(INSTANT_FEED)
				}
			}
			init(&mut s, t, [1; 32], &ISSUER, agents, limits, &Chain(known)).map(|_| ())
		};
		let mut bad = terms();
		bad.isin = *b"XS2407019799";
		assert_eq!(try_init(bad, &[AGENT], limits, true), Err(Error::IsinChecksumMismatch));
		assert_eq!(
			try_init(terms(), &[AGENT], Limits { max_subscribers: 0, max_holders: 5 }, true),
			Err(Error::ZeroMaxSubscribers)
		);
		assert_eq!(
			try_init(terms(), &[AGENT], Limits { max_subscribers: 6, max_holders: 5 }, true),
			Err(Error::MaxHoldersBelowMaxSubscribers)
		);
		assert_eq!(try_init(terms(), &[], limits, true), Err(Error::NoAgent));
		assert_eq!(try_init(terms(), &[AGENT; 9], limits, true), Err(Error::TooManyAgents));
		assert_eq!(try_init(terms(), &[AGENT], limits, false), Err(Error::UnknownKpi));
		let mut w = World::new();
		assert_eq!(
			w.run(|s, _| {
				init(s, terms(), [1; 32], &ISSUER, &[AGENT], limits, &SetupChain { any_feed: true })
			}),
			Err(Error::AlreadyInitialised)
		);
		let mut empty = Mem::default();
		assert_eq!(pause(&mut empty, &AGENT), Err(Error::NotInitialised));
	}

	#[test]
	fn terms_observing_a_kpi_before_it_can_be_final_are_refused() {
		struct Chain(FeedTiming);
		impl Setup<Acc> for Chain {
			fn is_issuer(&self, who: &Acc) -> bool {
				*who == ISSUER
			}
			fn feed(&self, _feed: FeedId) -> Option<FeedTiming> {
				Some(self.0)
			}
		}
		let limits = Limits { max_subscribers: 5, max_holders: 5 };
		let t = terms();
		// The earliest observation date of the terms, and a feed timed so that KPI is final
		// exactly then: accepted. One millisecond later: refused, nothing stored.
		let (feed_period, observed) = t
			.kpis
			.iter()
			.flat_map(|l| l.targets.iter())
			.map(|target| (target.feed_period, target.observation_date))
			.min_by_key(|(_, date)| *date)
			.expect("the fixture links KPIs");
		let ends = u64::from(feed_period) + 1;
		let timing = |slack: u64| FeedTiming {
			first_start: 0,
			period_length: 1,
			max_report_age: 10,
			challenge_window: observed - ends - 10 + slack,
		};
		let mut s = Mem::default();
		assert!(
			init(&mut s, t.clone(), [1; 32], &ISSUER, &[AGENT], limits, &Chain(timing(0))).is_ok()
		);
		let mut s = Mem::default();
		let refused = init(&mut s, t, [1; 32], &ISSUER, &[AGENT], limits, &Chain(timing(1)));
		assert_eq!(refused.map(|_| ()), Err(Error::ObservationBeforeVerification));
		assert!(s.state().is_none(), "a refused setup stored state");
	}

	#[test]
	fn nobody_sets_a_bond_up_in_another_issuers_name() {
		let limits = Limits { max_subscribers: 5, max_holders: 5 };
		let chain = SetupChain { any_feed: true };
		// The agent, an investor, anyone but the issuer the terms name.
		for caller in [AGENT, ALICE, EVE] {
			let mut s = Mem::default();
			let refused = init(&mut s, terms(), [1; 32], &caller, &[AGENT], limits, &chain);
			assert_eq!(refused.map(|_| ()), Err(Error::NotIssuer), "caller {caller}");
			assert!(s.state().is_none(), "a refused setup stored state");
		}
		// Terms naming, and signed by, an account without the Issuer role.
		let mut own = terms();
		own.issuer = ALICE;
		let mut s = Mem::default();
		let refused = init(&mut s, own, [1; 32], &ALICE, &[AGENT], limits, &chain);
		assert_eq!(refused.map(|_| ()), Err(Error::IssuerNotRegistered));
		assert!(s.state().is_none());
		// Bad terms are reported first, whoever sends them.
		let mut bad = terms();
		bad.isin = *b"XS2407019799";
		let refused = init(&mut Mem::default(), bad, [1; 32], &AGENT, &[AGENT], limits, &chain);
		assert_eq!(refused.map(|_| ()), Err(Error::IsinChecksumMismatch));
	}

	/// Random subscriptions, transfers, fundings, defaults, claims, refunds and reclaims, with
	/// every cash move executed on a model cash token: at every step cash in equals cash out
	/// plus cash held (checked in `World::apply`), and once everything is claimed, refunded and
	/// reclaimed the contract holds nothing.
	#[test]
	fn cash_is_conserved_over_random_operations() {
		let mut seed: u64 = 0xC17B;
		let mut next = |bound: u64| {
			seed = seed
				.wrapping_mul(6_364_136_223_846_793_005)
				.wrapping_add(1_442_695_040_888_963_407);
			(seed >> 33) % bound
		};
		let investors: Vec<Acc> = (100..112).collect();
		// Successful operations by kind, and books issued, to show the run exercises them all.
		let mut succeeded = [0u32; 9];
		let mut issued = 0;
		for round in 0..40 {
			let mut w = World::new();
			// One book in four is thin and usually falls below the minimum raise.
			let thin = next(4) == 0;
			for &who in &investors {
				if thin && next(3) == 0 {
					let _ = w.subscribe(who, 1 + u128::from(next(3)));
				} else if !thin && next(4) != 0 {
					let _ = w.subscribe(who, 1 + u128::from(next(20)));
				}
			}
			if next(5) == 0 {
				w.reg.barred.insert(investors[next(12) as usize]);
			}
			if w.close().is_ok() && w.state().phase == Phase::Active {
				issued += 1;
			}
			w.reg.barred.clear();
			let mut now = T0;
			let end = pay_date(3) + CLAIM_PERIOD + 1;
			while now < end {
				now += 1 + next(P / 4);
				let who = investors[next(12) as usize];
				let other = investors[next(12) as usize];
				let payment = match next(5) {
					4 => Payment::Redemption,
					k => Payment::Coupon(k as u32),
				};
				let op = next(9);
				let result = match op {
					0 | 1 => w.transfer(who, other, 1 + u128::from(next(10)), now),
					2 => w.run(|s, _| {
						fund(s, &ISSUER, now, payment, 1 + u128::from(next(3_000)), met())
					}),
					3 => w.fund_all(payment, now),
					4 => w.run(|s, _| declare_default(s, now, payment, missed())),
					5 | 6 => w.run(|s, _| claim(s, &who, &who, now)),
					7 => w.run(|s, _| withdraw_refund(s, &who, &who)),
					_ => w.run(|s, _| reclaim(s, &ISSUER, now, payment)),
				};
				if result.is_ok() {
					succeeded[op as usize] += 1;
				}
			}
			// Wind down: default whatever is unfunded, claim and refund everything, reclaim
			// the rest.
			let now = end + CLAIM_PERIOD;
			let all = [
				Payment::Coupon(0),
				Payment::Coupon(1),
				Payment::Coupon(2),
				Payment::Coupon(3),
				Payment::Redemption,
			];
			if w.state().phase != Phase::Cancelled {
				for p in all {
					let _ = w.run(|s, _| declare_default(s, now, p, missed()));
				}
			}
			for &who in &investors {
				let _ = w.run(|s, _| withdraw_refund(s, &who, &who));
				if w.state().phase != Phase::Cancelled {
					w.claim_all(who, now);
				}
			}
			for p in all {
				let _ = w.run(|s, _| reclaim(s, &ISSUER, now + CLAIM_PERIOD, p));
			}
			assert_eq!(w.contract, 0, "round {round}: cash left in the contract");
			assert_eq!(w.state().supply, 0, "round {round}");
			// Cash only moved between accounts: the total is what everyone started with.
			let total: Balance = w.cash.values().sum::<Balance>()
				+ START_CASH * (investors.len() as u128 + 1 - w.cash.len() as u128);
			assert_eq!(total, START_CASH * (investors.len() as u128 + 1), "round {round}");
		}
		assert!(issued > 10 && issued < 40, "{issued} of 40 books issued");
		assert!(succeeded.iter().all(|&n| n > 0), "{succeeded:?}");
	}
}
