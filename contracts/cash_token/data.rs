//! The cash token's rules in plain Rust: no contract environment, no storage layout.
//!
//! Every operation takes the caller explicitly, checks everything first, writes last, and
//! returns the events to emit. The ink! contract stores the state (through [`Ledger`]) and
//! forwards to these functions, so the rules are tested here without any chain.

use ink::prelude::vec::Vec;

/// Amounts in the token's smallest unit (e.g. cents for a 2-decimal currency).
pub type Balance = u128;

/// Why an operation was refused. Nothing is written when an error is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
	/// The sender's balance is lower than the amount.
	InsufficientBalance,
	/// The spender's allowance from the owner is lower than the amount.
	InsufficientAllowance,
	/// The result would exceed the largest representable amount.
	Overflow,
	/// Only the settlement agent may mint, burn or hand over the role.
	NotSettlementAgent,
	/// Only the account the role was offered to may accept it.
	NotPendingSettlementAgent,
	/// There is no pending hand-over of the settlement agent role.
	NoPendingSettlementAgent,
}

/// A state change, to be emitted as a contract event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<A> {
	/// Tokens moved; `from` is `None` for a mint, `to` is `None` for a burn.
	Transfer {
		/// The sender, or `None` when minted.
		from: Option<A>,
		/// The recipient, or `None` when burned.
		to: Option<A>,
		/// The amount moved.
		value: Balance,
	},
	/// An owner set a spender's allowance.
	Approval {
		/// The owner of the tokens.
		owner: A,
		/// The account allowed to spend them.
		spender: A,
		/// The new allowance.
		amount: Balance,
	},
	/// The settlement agent offered its role to another account.
	SettlementAgentProposed {
		/// The current agent.
		current: A,
		/// The account that may accept.
		proposed: A,
	},
	/// The role of settlement agent changed hands.
	SettlementAgentChanged {
		/// The former agent.
		previous: A,
		/// The new agent.
		new: A,
	},
}

/// What the rules need from storage. The contract implements it over `Mapping`s; the unit
/// tests over `BTreeMap`s.
pub trait Ledger<A> {
	/// Balance of `who` (zero if unknown).
	fn balance_of(&self, who: &A) -> Balance;
	/// Sets the balance of `who`.
	fn set_balance(&mut self, who: &A, value: Balance);
	/// Allowance of `spender` over `owner`'s tokens (zero if unknown).
	fn allowance(&self, owner: &A, spender: &A) -> Balance;
	/// Sets the allowance of `spender` over `owner`'s tokens.
	fn set_allowance(&mut self, owner: &A, spender: &A, value: Balance);
	/// Tokens in existence.
	fn total_supply(&self) -> Balance;
	/// Sets the tokens in existence.
	fn set_total_supply(&mut self, value: Balance);
	/// The account allowed to mint and burn.
	fn settlement_agent(&self) -> A;
	/// Sets the settlement agent.
	fn set_settlement_agent(&mut self, who: A);
	/// The account the role has been offered to, if any.
	fn pending_settlement_agent(&self) -> Option<A>;
	/// Sets or clears the pending settlement agent.
	fn set_pending_settlement_agent(&mut self, who: Option<A>);
}

/// Result of a rule: the events to emit, or why nothing happened.
pub type Outcome<A> = Result<Vec<Event<A>>, Error>;

/// Moves `value` from `from` to `to`. A zero amount or a transfer to oneself changes nothing
/// and emits nothing (as in PSP22).
fn move_tokens<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	from: &A,
	to: &A,
	value: Balance,
) -> Outcome<A> {
	if value == 0 || from == to {
		return Ok(Vec::new());
	}
	let from_balance = ledger.balance_of(from);
	let new_from = from_balance.checked_sub(value).ok_or(Error::InsufficientBalance)?;
	let new_to = ledger.balance_of(to).checked_add(value).ok_or(Error::Overflow)?;
	ledger.set_balance(from, new_from);
	ledger.set_balance(to, new_to);
	Ok(ink::prelude::vec![Event::Transfer {
		from: Some(from.clone()),
		to: Some(to.clone()),
		value
	}])
}

/// `caller` sends `value` of its own tokens to `to`.
pub fn transfer<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	to: &A,
	value: Balance,
) -> Outcome<A> {
	move_tokens(ledger, caller, to, value)
}

/// `caller` sends `value` of `from`'s tokens to `to`, spending `caller`'s allowance.
pub fn transfer_from<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	from: &A,
	to: &A,
	value: Balance,
) -> Outcome<A> {
	if caller == from {
		return move_tokens(ledger, from, to, value);
	}
	if value == 0 {
		return Ok(Vec::new());
	}
	let allowance = ledger.allowance(from, caller);
	let new_allowance = allowance.checked_sub(value).ok_or(Error::InsufficientAllowance)?;
	// Check the balance before touching the allowance: nothing is written on error.
	if ledger.balance_of(from) < value {
		return Err(Error::InsufficientBalance);
	}
	let mut events = move_tokens(ledger, from, to, value)?;
	ledger.set_allowance(from, caller, new_allowance);
	events.push(Event::Approval {
		owner: from.clone(),
		spender: caller.clone(),
		amount: new_allowance,
	});
	Ok(events)
}

/// `caller` allows `spender` to spend up to `amount` of its tokens (replacing any allowance).
pub fn approve<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	spender: &A,
	amount: Balance,
) -> Outcome<A> {
	if caller == spender {
		return Ok(Vec::new());
	}
	ledger.set_allowance(caller, spender, amount);
	Ok(ink::prelude::vec![Event::Approval {
		owner: caller.clone(),
		spender: spender.clone(),
		amount
	}])
}

/// Raises `spender`'s allowance over `caller`'s tokens by `delta`.
pub fn increase_allowance<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	spender: &A,
	delta: Balance,
) -> Outcome<A> {
	if caller == spender || delta == 0 {
		return Ok(Vec::new());
	}
	let amount = ledger.allowance(caller, spender).checked_add(delta).ok_or(Error::Overflow)?;
	approve(ledger, caller, spender, amount)
}

/// Lowers `spender`'s allowance over `caller`'s tokens by `delta`.
pub fn decrease_allowance<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	spender: &A,
	delta: Balance,
) -> Outcome<A> {
	if caller == spender || delta == 0 {
		return Ok(Vec::new());
	}
	let amount =
		ledger.allowance(caller, spender).checked_sub(delta).ok_or(Error::InsufficientAllowance)?;
	approve(ledger, caller, spender, amount)
}

fn ensure_agent<A: PartialEq, L: Ledger<A>>(ledger: &L, caller: &A) -> Result<(), Error> {
	if ledger.settlement_agent() == *caller {
		Ok(())
	} else {
		Err(Error::NotSettlementAgent)
	}
}

/// The settlement agent creates `value` new tokens for `to` (cash paid in off-chain).
pub fn mint<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	to: &A,
	value: Balance,
) -> Outcome<A> {
	ensure_agent(ledger, caller)?;
	if value == 0 {
		return Ok(Vec::new());
	}
	let supply = ledger.total_supply().checked_add(value).ok_or(Error::Overflow)?;
	let balance = ledger.balance_of(to).checked_add(value).ok_or(Error::Overflow)?;
	ledger.set_total_supply(supply);
	ledger.set_balance(to, balance);
	Ok(ink::prelude::vec![Event::Transfer { from: None, to: Some(to.clone()), value }])
}

/// The settlement agent destroys `value` of its own tokens (cash paid out off-chain).
pub fn burn<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	value: Balance,
) -> Outcome<A> {
	ensure_agent(ledger, caller)?;
	if value == 0 {
		return Ok(Vec::new());
	}
	let balance = ledger.balance_of(caller).checked_sub(value).ok_or(Error::InsufficientBalance)?;
	// Supply is the sum of balances, so it cannot be lower than one balance; checked anyway.
	let supply = ledger.total_supply().checked_sub(value).ok_or(Error::InsufficientBalance)?;
	ledger.set_balance(caller, balance);
	ledger.set_total_supply(supply);
	Ok(ink::prelude::vec![Event::Transfer { from: Some(caller.clone()), to: None, value }])
}

/// The settlement agent offers its role to `proposed`, who must accept it; offering it again
/// replaces the earlier offer.
pub fn propose_settlement_agent<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
	proposed: &A,
) -> Outcome<A> {
	ensure_agent(ledger, caller)?;
	ledger.set_pending_settlement_agent(Some(proposed.clone()));
	Ok(ink::prelude::vec![Event::SettlementAgentProposed {
		current: caller.clone(),
		proposed: proposed.clone()
	}])
}

/// The account the role was offered to takes it. Two steps, so the role is never handed to
/// an account nobody controls.
pub fn accept_settlement_agent<A: Clone + PartialEq, L: Ledger<A>>(
	ledger: &mut L,
	caller: &A,
) -> Outcome<A> {
	let pending = ledger.pending_settlement_agent().ok_or(Error::NoPendingSettlementAgent)?;
	if pending != *caller {
		return Err(Error::NotPendingSettlementAgent);
	}
	let previous = ledger.settlement_agent();
	ledger.set_settlement_agent(caller.clone());
	ledger.set_pending_settlement_agent(None);
	Ok(ink::prelude::vec![Event::SettlementAgentChanged { previous, new: caller.clone() }])
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::collections::BTreeMap;

	type Acc = u8;
	const AGENT: Acc = 1;
	const ALICE: Acc = 2;
	const BOB: Acc = 3;
	const CAROL: Acc = 4;

	#[derive(Default, Clone, PartialEq, Debug)]
	struct Mem {
		balances: BTreeMap<Acc, Balance>,
		allowances: BTreeMap<(Acc, Acc), Balance>,
		supply: Balance,
		agent: Acc,
		pending: Option<Acc>,
	}

	impl Ledger<Acc> for Mem {
		fn balance_of(&self, who: &Acc) -> Balance {
			self.balances.get(who).copied().unwrap_or(0)
		}
		fn set_balance(&mut self, who: &Acc, value: Balance) {
			self.balances.insert(*who, value);
		}
		fn allowance(&self, owner: &Acc, spender: &Acc) -> Balance {
			self.allowances.get(&(*owner, *spender)).copied().unwrap_or(0)
		}
		fn set_allowance(&mut self, owner: &Acc, spender: &Acc, value: Balance) {
			self.allowances.insert((*owner, *spender), value);
		}
		fn total_supply(&self) -> Balance {
			self.supply
		}
		fn set_total_supply(&mut self, value: Balance) {
			self.supply = value;
		}
		fn settlement_agent(&self) -> Acc {
			self.agent
		}
		fn set_settlement_agent(&mut self, who: Acc) {
			self.agent = who;
		}
		fn pending_settlement_agent(&self) -> Option<Acc> {
			self.pending
		}
		fn set_pending_settlement_agent(&mut self, who: Option<Acc>) {
			self.pending = who;
		}
	}

	fn ledger_with(alice: Balance) -> Mem {
		let mut l = Mem { agent: AGENT, ..Default::default() };
		mint(&mut l, &AGENT, &ALICE, alice).unwrap();
		l
	}

	fn sum_of_balances(l: &Mem) -> Balance {
		l.balances.values().sum()
	}

	#[test]
	fn mint_by_agent_credits_recipient_and_supply() {
		let mut l = Mem { agent: AGENT, ..Default::default() };
		let ev = mint(&mut l, &AGENT, &ALICE, 500).unwrap();
		assert_eq!(ev, vec![Event::Transfer { from: None, to: Some(ALICE), value: 500 }]);
		assert_eq!(l.balance_of(&ALICE), 500);
		assert_eq!(l.total_supply(), 500);
	}

	#[test]
	fn mint_by_anyone_else_is_refused_and_changes_nothing() {
		let mut l = ledger_with(100);
		let before = l.clone();
		assert_eq!(mint(&mut l, &ALICE, &ALICE, 1), Err(Error::NotSettlementAgent));
		assert_eq!(burn(&mut l, &ALICE, 1), Err(Error::NotSettlementAgent));
		assert_eq!(l, before);
	}

	#[test]
	fn mint_past_the_largest_amount_overflows_without_writing() {
		let mut l = ledger_with(Balance::MAX);
		let before = l.clone();
		assert_eq!(mint(&mut l, &AGENT, &BOB, 1), Err(Error::Overflow));
		assert_eq!(l, before);
	}

	#[test]
	fn transfer_moves_tokens_and_conserves_supply() {
		let mut l = ledger_with(1_000);
		let ev = transfer(&mut l, &ALICE, &BOB, 300).unwrap();
		assert_eq!(ev, vec![Event::Transfer { from: Some(ALICE), to: Some(BOB), value: 300 }]);
		assert_eq!((l.balance_of(&ALICE), l.balance_of(&BOB)), (700, 300));
		assert_eq!(sum_of_balances(&l), l.total_supply());
	}

	#[test]
	fn transfer_of_more_than_balance_is_refused_without_writing() {
		let mut l = ledger_with(10);
		let before = l.clone();
		assert_eq!(transfer(&mut l, &ALICE, &BOB, 11), Err(Error::InsufficientBalance));
		assert_eq!(l, before);
	}

	#[test]
	fn zero_and_self_transfers_change_nothing_and_emit_nothing() {
		let mut l = ledger_with(10);
		let before = l.clone();
		assert_eq!(transfer(&mut l, &ALICE, &BOB, 0), Ok(vec![]));
		assert_eq!(transfer(&mut l, &ALICE, &ALICE, 5), Ok(vec![]));
		assert_eq!(l, before);
	}

	#[test]
	fn transfer_from_spends_allowance_and_reports_the_rest() {
		let mut l = ledger_with(100);
		approve(&mut l, &ALICE, &BOB, 60).unwrap();
		let ev = transfer_from(&mut l, &BOB, &ALICE, &CAROL, 40).unwrap();
		assert_eq!(
			ev,
			vec![
				Event::Transfer { from: Some(ALICE), to: Some(CAROL), value: 40 },
				Event::Approval { owner: ALICE, spender: BOB, amount: 20 },
			]
		);
		assert_eq!(l.allowance(&ALICE, &BOB), 20);
		assert_eq!((l.balance_of(&ALICE), l.balance_of(&CAROL)), (60, 40));
	}

	#[test]
	fn transfer_from_beyond_allowance_or_balance_is_refused_without_writing() {
		let mut l = ledger_with(30);
		approve(&mut l, &ALICE, &BOB, 50).unwrap();
		let before = l.clone();
		assert_eq!(
			transfer_from(&mut l, &BOB, &ALICE, &CAROL, 51),
			Err(Error::InsufficientAllowance)
		);
		assert_eq!(
			transfer_from(&mut l, &BOB, &ALICE, &CAROL, 31),
			Err(Error::InsufficientBalance)
		);
		assert_eq!(l, before);
	}

	#[test]
	fn allowance_can_be_raised_and_lowered_but_not_below_zero() {
		let mut l = ledger_with(0);
		increase_allowance(&mut l, &ALICE, &BOB, 10).unwrap();
		increase_allowance(&mut l, &ALICE, &BOB, 5).unwrap();
		assert_eq!(l.allowance(&ALICE, &BOB), 15);
		decrease_allowance(&mut l, &ALICE, &BOB, 15).unwrap();
		assert_eq!(l.allowance(&ALICE, &BOB), 0);
		assert_eq!(decrease_allowance(&mut l, &ALICE, &BOB, 1), Err(Error::InsufficientAllowance));
		approve(&mut l, &ALICE, &BOB, Balance::MAX).unwrap();
		assert_eq!(increase_allowance(&mut l, &ALICE, &BOB, 1), Err(Error::Overflow));
	}

	#[test]
	fn burn_destroys_the_agents_own_tokens() {
		let mut l = Mem { agent: AGENT, ..Default::default() };
		mint(&mut l, &AGENT, &AGENT, 100).unwrap();
		let ev = burn(&mut l, &AGENT, 40).unwrap();
		assert_eq!(ev, vec![Event::Transfer { from: Some(AGENT), to: None, value: 40 }]);
		assert_eq!((l.balance_of(&AGENT), l.total_supply()), (60, 60));
		assert_eq!(burn(&mut l, &AGENT, 61), Err(Error::InsufficientBalance));
	}

	#[test]
	fn settlement_agent_role_changes_hands_only_when_accepted() {
		let mut l = ledger_with(0);
		assert_eq!(accept_settlement_agent(&mut l, &BOB), Err(Error::NoPendingSettlementAgent));
		assert_eq!(propose_settlement_agent(&mut l, &BOB, &BOB), Err(Error::NotSettlementAgent));
		propose_settlement_agent(&mut l, &AGENT, &BOB).unwrap();
		// Still the old agent until Bob accepts; Carol cannot accept for him.
		assert_eq!(l.settlement_agent(), AGENT);
		assert_eq!(accept_settlement_agent(&mut l, &CAROL), Err(Error::NotPendingSettlementAgent));
		let ev = accept_settlement_agent(&mut l, &BOB).unwrap();
		assert_eq!(ev, vec![Event::SettlementAgentChanged { previous: AGENT, new: BOB }]);
		assert_eq!(l.settlement_agent(), BOB);
		assert_eq!(mint(&mut l, &AGENT, &ALICE, 1), Err(Error::NotSettlementAgent));
		assert!(mint(&mut l, &BOB, &ALICE, 1).is_ok());
	}
}
