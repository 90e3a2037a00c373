//! The bond's storage on chain: the [`BondStore`] and [`Checkpoints`] the rules in [`data`]
//! run against, over `Mapping`s and `Lazy` cells.
//!
//! Every item is its own storage entry, read only by the operations that need it: the scalar
//! state (one cell, read by every operation), the terms (the largest item, read only where
//! needed), and one entry per coupon period, agent, subscription, payment, allowance, freeze,
//! recovery, category and report. Everything is bounded by the rules: periods by
//! [`MAX_PERIODS`](crate::schedule::MAX_PERIODS), agents by [`MAX_AGENTS`](data::MAX_AGENTS),
//! subscribers and holders by [`Limits`](data::Limits), report entries by
//! [`MAX_REPORT_ENTRIES`](data::MAX_REPORT_ENTRIES). Entries holding nothing (a zero
//! allowance, an empty holding, an unfrozen account) are removed rather than stored, so they
//! hold no storage deposit.
//!
//! [`data`]: crate::data

use crate::{
	checkpoint::{Checkpoints, Holding, RecordIndex, Segment},
	data::{BondState, BondStore, ImpactReport, Payment, SubscriptionRecord},
	payout::Distribution,
	schedule::CouponPeriod,
	terms::{BondTerms, UseOfProceeds},
	Balance,
};
use ink::{
	primitives::AccountId,
	storage::{Lazy, Mapping},
};

/// A value of the rules' types stored as one packed entry.
///
/// The rules' types are plain SCALE types; ink! also wants a storage layout for whatever it
/// stores, which this wrapper gives (a single leaf of the inner type) so the rules need not
/// know about ink!'s storage traits. It encodes exactly as the value it wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Leaf<T>(pub T);

#[cfg(feature = "std")]
impl<T: ink::scale_info::TypeInfo + 'static> ink::storage::traits::StorageLayout for Leaf<T> {
	fn layout(key: &ink::primitives::Key) -> ink::metadata::layout::Layout {
		ink::metadata::layout::Layout::Leaf(ink::metadata::layout::LeafLayout::from_key::<T>(
			ink::metadata::layout::LayoutKey::from(key),
		))
	}
}

/// The bond's state (see the module docs).
// `storage_item` rewrites every `Mapping` with its full storage key type, which clippy then
// finds complex; the fields as written are not.
#[allow(clippy::type_complexity)]
#[ink::storage_item]
#[derive(Default, Debug)]
pub struct Store {
	/// The scalar state, read by every operation; set once, by the constructor.
	state: Lazy<Leaf<BondState<AccountId>>>,
	/// The terms, as published; set once, by the constructor.
	terms: Lazy<Leaf<BondTerms<AccountId>>>,
	/// The coupon schedule, by period index.
	periods: Mapping<u32, Leaf<CouponPeriod>>,
	/// The agents named at construction (present means agent).
	agents: Mapping<AccountId, bool>,
	/// Each investor's subscription.
	subscriptions: Mapping<AccountId, Leaf<SubscriptionRecord>>,
	/// The book, by position.
	subscribers: Mapping<u32, AccountId>,
	/// Each payment's distribution, once its rate (or amount) is fixed.
	distributions: Mapping<Payment, Leaf<Distribution>>,
	/// Allowances of bond units, by (owner, spender); absent means zero.
	allowances: Mapping<(AccountId, AccountId), u128>,
	/// Frozen accounts (present means frozen).
	frozen: Mapping<AccountId, bool>,
	/// Frozen units of each account; absent means zero.
	frozen_units: Mapping<AccountId, u128>,
	/// The account each recovered account was recovered to.
	successors: Mapping<AccountId, AccountId>,
	/// Proceeds allocated to each category; absent means zero.
	allocated: Mapping<UseOfProceeds, Balance>,
	/// Impact reports, by index.
	impact_reports: Mapping<u32, Leaf<ImpactReport>>,
	/// Each holder's current balance and claim position; absent means the default.
	holdings: Mapping<AccountId, Leaf<Holding>>,
	/// Each holder's closed balance steps, by (holder, first record).
	segments: Mapping<(AccountId, RecordIndex), Leaf<Segment>>,
}

impl Store {
	/// Impact report `index`.
	pub fn impact_report(&self, index: u32) -> Option<ImpactReport> {
		self.impact_reports.get(index).map(|l| l.0)
	}
}

/// Stores `value` under `key`, or removes the entry when `value` is the "nothing" value.
fn put<K, V, KT>(
	map: &mut Mapping<K, V, KT>,
	key: impl ink::scale::EncodeLike<K>,
	value: V,
	empty: bool,
) where
	K: ink::scale::Encode,
	V: ink::storage::traits::Packed + ink::scale::EncodeLike,
	KT: ink::storage::traits::StorageKey,
{
	if empty {
		map.remove(key);
	} else {
		map.insert(key, &value);
	}
}

impl Checkpoints<AccountId> for Store {
	fn holding(&self, who: &AccountId) -> Holding {
		self.holdings.get(who).map(|l| l.0).unwrap_or_default()
	}
	fn set_holding(&mut self, who: &AccountId, holding: Holding) {
		put(&mut self.holdings, who, Leaf(holding), holding == Holding::default());
	}
	fn segment(&self, who: &AccountId, from: RecordIndex) -> Option<Segment> {
		self.segments.get((who, from)).map(|l| l.0)
	}
	fn set_segment(&mut self, who: &AccountId, from: RecordIndex, segment: Segment) {
		self.segments.insert((who, from), &Leaf(segment));
	}
	fn remove_segment(&mut self, who: &AccountId, from: RecordIndex) {
		self.segments.remove((who, from));
	}
}

impl BondStore<AccountId> for Store {
	fn state(&self) -> Option<BondState<AccountId>> {
		self.state.get().map(|l| l.0)
	}
	fn set_state(&mut self, state: BondState<AccountId>) {
		self.state.set(&Leaf(state));
	}
	fn terms(&self) -> Option<BondTerms<AccountId>> {
		self.terms.get().map(|terms| terms.0)
	}
	fn set_terms(&mut self, terms: BondTerms<AccountId>) {
		self.terms.set(&Leaf(terms));
	}
	fn period(&self, index: u32) -> Option<CouponPeriod> {
		self.periods.get(index).map(|l| l.0)
	}
	fn set_period(&mut self, index: u32, period: CouponPeriod) {
		self.periods.insert(index, &Leaf(period));
	}
	fn is_agent(&self, who: &AccountId) -> bool {
		self.agents.contains(who)
	}
	fn set_agent(&mut self, who: &AccountId) {
		self.agents.insert(who, &true);
	}
	fn subscription(&self, who: &AccountId) -> Option<SubscriptionRecord> {
		self.subscriptions.get(who).map(|l| l.0)
	}
	fn set_subscription(&mut self, who: &AccountId, record: SubscriptionRecord) {
		self.subscriptions.insert(who, &Leaf(record));
	}
	fn subscriber(&self, index: u32) -> Option<AccountId> {
		self.subscribers.get(index)
	}
	fn set_subscriber(&mut self, index: u32, who: &AccountId) {
		self.subscribers.insert(index, who);
	}
	fn distribution(&self, payment: Payment) -> Option<Distribution> {
		self.distributions.get(payment).map(|l| l.0)
	}
	fn set_distribution(&mut self, payment: Payment, distribution: Distribution) {
		self.distributions.insert(payment, &Leaf(distribution));
	}
	fn allowance(&self, owner: &AccountId, spender: &AccountId) -> u128 {
		self.allowances.get((owner, spender)).unwrap_or_default()
	}
	fn set_allowance(&mut self, owner: &AccountId, spender: &AccountId, value: u128) {
		put(&mut self.allowances, (owner, spender), value, value == 0);
	}
	fn frozen(&self, who: &AccountId) -> bool {
		self.frozen.contains(who)
	}
	fn set_frozen(&mut self, who: &AccountId, frozen: bool) {
		put(&mut self.frozen, who, true, !frozen);
	}
	fn frozen_units(&self, who: &AccountId) -> u128 {
		self.frozen_units.get(who).unwrap_or_default()
	}
	fn set_frozen_units(&mut self, who: &AccountId, units: u128) {
		put(&mut self.frozen_units, who, units, units == 0);
	}
	fn successor(&self, who: &AccountId) -> Option<AccountId> {
		self.successors.get(who)
	}
	fn set_successor(&mut self, who: &AccountId, new: &AccountId) {
		self.successors.insert(who, new);
	}
	fn allocated(&self, category: UseOfProceeds) -> Balance {
		self.allocated.get(category).unwrap_or_default()
	}
	fn set_allocated(&mut self, category: UseOfProceeds, amount: Balance) {
		put(&mut self.allocated, category, amount, amount == 0);
	}
	fn set_impact_report(&mut self, index: u32, report: ImpactReport) {
		self.impact_reports.insert(index, &Leaf(report));
	}
}
