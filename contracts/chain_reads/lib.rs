//! Answers the CityBond chain extension's reads as contract messages.
//!
//! The end-to-end tests deploy it to check, from a real contract on a real node, what contracts
//! see of the identity registry and the KPI oracle; it is also the smallest example of a
//! contract on [`citybond_env::CityBondEnvironment`]. It stores nothing and writes nothing.
//!
//! One message is an impostor on purpose: [`chain_reads::ChainReads::imitate_bond_created`]
//! emits an event with the green bond's `BondCreated` signature topic and fields, so the tests
//! can check that the API's indexer attributes events by the emitting contract's code, never
//! by their topics.

#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract(env = citybond_env::CityBondEnvironment)]
mod chain_reads {
	use citybond_env::{ClaimKind, FeedView, InvestorCategory, KpiView, Role};

	/// Looks like the green bond's `BondCreated` to anyone who reads topics only: the same
	/// signature topic (the green bond's metadata has it), the same fields in the same order.
	#[ink::event(
		signature_topic = "42b1cbe97640091049c434617076428ab8cc46b2b3b439e1f40e0fd161af284b"
	)]
	pub struct BondCreated {
		/// The "issuer".
		#[ink(topic)]
		pub issuer: AccountId,
		/// The "ISIN".
		pub isin: [u8; 12],
		/// The "terms hash".
		pub terms_hash: [u8; 32],
		/// The "coupon periods".
		pub periods: u32,
		/// The "issue size".
		pub issue_size: Balance,
	}

	/// No state: every message is a read through the chain extension.
	#[ink(storage)]
	#[derive(Default)]
	pub struct ChainReads {}

	impl ChainReads {
		/// Creates the contract.
		#[ink(constructor)]
		pub fn new() -> Self {
			Self {}
		}

		/// Whether `who` has an active identity.
		#[ink(message)]
		pub fn is_active(&self, who: AccountId) -> bool {
			self.env().extension().is_active(who)
		}

		/// Whether `who` has an active identity holding `role`.
		#[ink(message)]
		pub fn has_role(&self, who: AccountId, role: Role) -> bool {
			self.env().extension().has_role(who, role)
		}

		/// Whether `who` holds a claim of `kind` valid now (the block's timestamp).
		#[ink(message)]
		pub fn claim_valid_now(&self, who: AccountId, kind: ClaimKind) -> bool {
			let now = self.env().block_timestamp();
			self.env().extension().claim_valid(who, kind, now)
		}

		/// Whether `who` holds a claim of `kind` valid at `at` (ms since the Unix epoch).
		#[ink(message)]
		pub fn claim_valid_at(&self, who: AccountId, kind: ClaimKind, at: u64) -> bool {
			self.env().extension().claim_valid(who, kind, at)
		}

		/// The jurisdiction of `who`'s active identity.
		#[ink(message)]
		pub fn jurisdiction(&self, who: AccountId) -> Option<[u8; 2]> {
			self.env().extension().jurisdiction(who)
		}

		/// The investor category of `who`'s active identity.
		#[ink(message)]
		pub fn category(&self, who: AccountId) -> Option<InvestorCategory> {
			self.env().extension().category(who)
		}

		/// The KPI of `period` of `feed`.
		#[ink(message)]
		pub fn kpi(&self, feed: u32, period: u32) -> Option<KpiView> {
			self.env().extension().kpi(feed, period)
		}

		/// The feed `feed`.
		#[ink(message)]
		pub fn feed(&self, feed: u32) -> Option<FeedView> {
			self.env().extension().feed(feed)
		}

		/// Emits a [`BondCreated`] look-alike naming `issuer` (for the indexer's tests).
		#[ink(message)]
		pub fn imitate_bond_created(
			&self,
			issuer: AccountId,
			isin: [u8; 12],
			periods: u32,
			issue_size: Balance,
		) {
			self.env().emit_event(BondCreated {
				issuer,
				isin,
				terms_hash: [0x11; 32],
				periods,
				issue_size,
			});
		}

		/// The current period of `feed`.
		#[ink(message)]
		pub fn current_period(&self, feed: u32) -> Option<u32> {
			self.env().extension().current_period(feed)
		}
	}
}
