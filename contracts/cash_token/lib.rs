//! # Cash token
//!
//! Tokenized cash that CityBond bonds settle against: a PSP22 fungible token (`total_supply`,
//! `balance_of`, `allowance`, `transfer`, `transfer_from`, `approve`, `increase_allowance`,
//! `decrease_allowance`, and the metadata `token_name`, `token_symbol`, `token_decimals`).
//!
//! A settlement agent (the bank or payment institution holding the matching cash) mints tokens
//! when cash is paid in and burns its own tokens when cash is paid out. The role is handed over
//! in two steps: the agent proposes, the new agent accepts.
//!
//! The rules live in [`data`] as plain Rust; this module stores state and emits events.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod data;

#[ink::contract]
mod cash_token {
	use crate::data::{self, Ledger};
	use ink::{prelude::string::String, prelude::vec::Vec, storage::Mapping};

	pub use crate::data::Error;

	/// Result of a cash token message.
	pub type Result<T> = core::result::Result<T, Error>;

	/// Tokens moved; `from` is `None` for a mint, `to` is `None` for a burn.
	#[ink(event)]
	pub struct Transfer {
		/// The sender, or `None` when minted.
		#[ink(topic)]
		pub from: Option<AccountId>,
		/// The recipient, or `None` when burned.
		#[ink(topic)]
		pub to: Option<AccountId>,
		/// The amount, in the token's smallest unit.
		pub value: Balance,
	}

	/// An owner set a spender's allowance.
	#[ink(event)]
	pub struct Approval {
		/// The owner of the tokens.
		#[ink(topic)]
		pub owner: AccountId,
		/// The account allowed to spend them.
		#[ink(topic)]
		pub spender: AccountId,
		/// The new allowance.
		pub amount: Balance,
	}

	/// The settlement agent offered its role to another account.
	#[ink(event)]
	pub struct SettlementAgentProposed {
		/// The current agent.
		#[ink(topic)]
		pub current: AccountId,
		/// The account that may accept.
		#[ink(topic)]
		pub proposed: AccountId,
	}

	/// The settlement agent role changed hands.
	#[ink(event)]
	pub struct SettlementAgentChanged {
		/// The former agent.
		#[ink(topic)]
		pub previous: AccountId,
		/// The new agent.
		#[ink(topic)]
		pub new: AccountId,
	}

	/// The token's state.
	#[ink(storage)]
	pub struct CashToken {
		/// Balance of each holder; absent means zero.
		balances: Mapping<AccountId, Balance>,
		/// Allowance of each (owner, spender); absent means zero.
		allowances: Mapping<(AccountId, AccountId), Balance>,
		/// Sum of all balances.
		total_supply: Balance,
		/// The only account that may mint and burn.
		settlement_agent: AccountId,
		/// The account the role was offered to, until it accepts.
		pending_settlement_agent: Option<AccountId>,
		/// Display name, e.g. "Tokenized Euro".
		name: Option<String>,
		/// Ticker, e.g. "EURC".
		symbol: Option<String>,
		/// Decimals of the smallest unit, e.g. 2 for cents.
		decimals: u8,
	}

	impl Ledger<AccountId> for CashToken {
		fn balance_of(&self, who: &AccountId) -> Balance {
			self.balances.get(who).unwrap_or_default()
		}
		fn set_balance(&mut self, who: &AccountId, value: Balance) {
			if value == 0 {
				// Zero balances are not stored, so they hold no storage deposit.
				self.balances.remove(who);
			} else {
				self.balances.insert(who, &value);
			}
		}
		fn allowance(&self, owner: &AccountId, spender: &AccountId) -> Balance {
			self.allowances.get((owner, spender)).unwrap_or_default()
		}
		fn set_allowance(&mut self, owner: &AccountId, spender: &AccountId, value: Balance) {
			if value == 0 {
				self.allowances.remove((owner, spender));
			} else {
				self.allowances.insert((owner, spender), &value);
			}
		}
		fn total_supply(&self) -> Balance {
			self.total_supply
		}
		fn set_total_supply(&mut self, value: Balance) {
			self.total_supply = value;
		}
		fn settlement_agent(&self) -> AccountId {
			self.settlement_agent
		}
		fn set_settlement_agent(&mut self, who: AccountId) {
			self.settlement_agent = who;
		}
		fn pending_settlement_agent(&self) -> Option<AccountId> {
			self.pending_settlement_agent
		}
		fn set_pending_settlement_agent(&mut self, who: Option<AccountId>) {
			self.pending_settlement_agent = who;
		}
	}

	impl CashToken {
		/// A token with no supply; `settlement_agent` may mint.
		#[ink(constructor)]
		pub fn new(
			name: Option<String>,
			symbol: Option<String>,
			decimals: u8,
			settlement_agent: AccountId,
		) -> Self {
			Self {
				balances: Mapping::default(),
				allowances: Mapping::default(),
				total_supply: 0,
				settlement_agent,
				pending_settlement_agent: None,
				name,
				symbol,
				decimals,
			}
		}

		/// Tokens in existence.
		#[ink(message)]
		pub fn total_supply(&self) -> Balance {
			self.total_supply
		}

		/// Balance of `owner`.
		#[ink(message)]
		pub fn balance_of(&self, owner: AccountId) -> Balance {
			Ledger::balance_of(self, &owner)
		}

		/// How much `spender` may still spend of `owner`'s tokens.
		#[ink(message)]
		pub fn allowance(&self, owner: AccountId, spender: AccountId) -> Balance {
			Ledger::allowance(self, &owner, &spender)
		}

		/// Sends `value` of the caller's tokens to `to`. `_data` is accepted for PSP22
		/// compatibility and ignored.
		#[ink(message)]
		pub fn transfer(&mut self, to: AccountId, value: Balance, _data: Vec<u8>) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::transfer(l, &caller, &to, value))
		}

		/// Sends `value` of `from`'s tokens to `to`, spending the caller's allowance.
		#[ink(message)]
		pub fn transfer_from(
			&mut self,
			from: AccountId,
			to: AccountId,
			value: Balance,
			_data: Vec<u8>,
		) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::transfer_from(l, &caller, &from, &to, value))
		}

		/// Allows `spender` to spend up to `value` of the caller's tokens.
		#[ink(message)]
		pub fn approve(&mut self, spender: AccountId, value: Balance) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::approve(l, &caller, &spender, value))
		}

		/// Raises `spender`'s allowance by `delta_value`.
		#[ink(message)]
		pub fn increase_allowance(
			&mut self,
			spender: AccountId,
			delta_value: Balance,
		) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::increase_allowance(l, &caller, &spender, delta_value))
		}

		/// Lowers `spender`'s allowance by `delta_value`.
		#[ink(message)]
		pub fn decrease_allowance(
			&mut self,
			spender: AccountId,
			delta_value: Balance,
		) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::decrease_allowance(l, &caller, &spender, delta_value))
		}

		/// The token's name.
		#[ink(message)]
		pub fn token_name(&self) -> Option<String> {
			self.name.clone()
		}

		/// The token's symbol.
		#[ink(message)]
		pub fn token_symbol(&self) -> Option<String> {
			self.symbol.clone()
		}

		/// Decimals of the smallest unit.
		#[ink(message)]
		pub fn token_decimals(&self) -> u8 {
			self.decimals
		}

		/// Settlement agent only: creates `value` tokens for `to`.
		#[ink(message)]
		pub fn mint(&mut self, to: AccountId, value: Balance) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::mint(l, &caller, &to, value))
		}

		/// Settlement agent only: destroys `value` of its own tokens.
		#[ink(message)]
		pub fn burn(&mut self, value: Balance) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::burn(l, &caller, value))
		}

		/// The current settlement agent.
		#[ink(message)]
		pub fn settlement_agent(&self) -> AccountId {
			self.settlement_agent
		}

		/// The account the settlement agent role was offered to, if any.
		#[ink(message)]
		pub fn pending_settlement_agent(&self) -> Option<AccountId> {
			self.pending_settlement_agent
		}

		/// Settlement agent only: offers the role to `new_agent`.
		#[ink(message)]
		pub fn propose_settlement_agent(&mut self, new_agent: AccountId) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::propose_settlement_agent(l, &caller, &new_agent))
		}

		/// The account the role was offered to accepts it.
		#[ink(message)]
		pub fn accept_settlement_agent(&mut self) -> Result<()> {
			let caller = self.env().caller();
			self.apply(|l| data::accept_settlement_agent(l, &caller))
		}

		/// Runs a rule against this contract's storage and emits its events.
		fn apply(
			&mut self,
			rule: impl FnOnce(&mut Self) -> data::Outcome<AccountId>,
		) -> Result<()> {
			for event in rule(self)? {
				match event {
					data::Event::Transfer { from, to, value } => {
						self.env().emit_event(Transfer { from, to, value })
					}
					data::Event::Approval { owner, spender, amount } => {
						self.env().emit_event(Approval { owner, spender, amount })
					}
					data::Event::SettlementAgentProposed { current, proposed } => {
						self.env().emit_event(SettlementAgentProposed { current, proposed })
					}
					data::Event::SettlementAgentChanged { previous, new } => {
						self.env().emit_event(SettlementAgentChanged { previous, new })
					}
				}
			}
			Ok(())
		}
	}

	#[cfg(test)]
	mod tests {
		use super::*;
		use ink::env::{test, DefaultEnvironment};

		fn accounts() -> test::DefaultAccounts<DefaultEnvironment> {
			test::default_accounts::<DefaultEnvironment>()
		}

		fn set_caller(who: AccountId) {
			test::set_caller::<DefaultEnvironment>(who);
		}

		fn emitted() -> usize {
			test::recorded_events().count()
		}

		fn token() -> CashToken {
			let a = accounts();
			set_caller(a.alice);
			CashToken::new(Some("Tokenized Euro".into()), Some("EURC".into()), 2, a.alice)
		}

		#[ink::test]
		fn constructor_sets_metadata_and_agent_with_no_supply() {
			let t = token();
			assert_eq!(t.token_name().as_deref(), Some("Tokenized Euro"));
			assert_eq!(t.token_symbol().as_deref(), Some("EURC"));
			assert_eq!(t.token_decimals(), 2);
			assert_eq!(t.settlement_agent(), accounts().alice);
			assert_eq!(t.total_supply(), 0);
		}

		#[ink::test]
		fn agent_mints_and_holder_transfers_with_events() {
			let a = accounts();
			let mut t = token();
			assert_eq!(t.mint(a.bob, 10_000), Ok(()));
			set_caller(a.bob);
			assert_eq!(t.transfer(a.charlie, 2_500, Vec::new()), Ok(()));
			assert_eq!(t.balance_of(a.bob), 7_500);
			assert_eq!(t.balance_of(a.charlie), 2_500);
			assert_eq!(t.total_supply(), 10_000);
			assert_eq!(emitted(), 2);
		}

		#[ink::test]
		fn non_agent_cannot_mint_and_nothing_is_emitted() {
			let a = accounts();
			let mut t = token();
			set_caller(a.bob);
			assert_eq!(t.mint(a.bob, 1), Err(Error::NotSettlementAgent));
			assert_eq!(t.total_supply(), 0);
			assert_eq!(emitted(), 0);
		}

		#[ink::test]
		fn transfer_from_needs_allowance() {
			let a = accounts();
			let mut t = token();
			t.mint(a.bob, 100).unwrap();
			set_caller(a.bob);
			t.approve(a.charlie, 30).unwrap();
			set_caller(a.charlie);
			assert_eq!(
				t.transfer_from(a.bob, a.django, 31, Vec::new()),
				Err(Error::InsufficientAllowance)
			);
			assert_eq!(t.transfer_from(a.bob, a.django, 30, Vec::new()), Ok(()));
			assert_eq!(t.allowance(a.bob, a.charlie), 0);
			assert_eq!(t.balance_of(a.django), 30);
		}

		#[ink::test]
		fn handed_over_agent_role_moves_mint_rights() {
			let a = accounts();
			let mut t = token();
			t.propose_settlement_agent(a.eve).unwrap();
			set_caller(a.eve);
			t.accept_settlement_agent().unwrap();
			assert_eq!(t.settlement_agent(), a.eve);
			assert_eq!(t.mint(a.eve, 5), Ok(()));
			set_caller(a.alice);
			assert_eq!(t.mint(a.alice, 5), Err(Error::NotSettlementAgent));
		}
	}
}
