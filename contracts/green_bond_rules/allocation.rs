//! Subscriptions and closing the book.
//!
//! Investors subscribe by escrowing cash in whole denominations (the bond is issued at par).
//! When the subscription window closes:
//!
//! 1. **Below the minimum raise** the issue is cancelled and every subscription is refunded.
//! 2. **Up to the maximum raise** (the issue size) every subscription is allotted in full.
//! 3. **Above it**, units are allotted in this order:
//!    - the **priority tranche** (e.g. residents of the issuer's jurisdiction), if any: priority
//!      subscriptions are filled from up to `priority_units`, pro rata if they ask for more;
//!    - the rest of the issue (including any priority units the tranche did not need) is shared
//!      **pro rata** among all unfilled demand, priority subscriptions' unfilled parts included.
//!
//!    Pro rata is in whole units by the **largest-remainder (Hamilton) method**: each
//!    subscription gets `floor(demand × capacity / total demand)`, and the units left over (fewer
//!    than the number of subscriptions) go one each to the largest remainders, ties to the
//!    **earliest subscription**. The allotment never exceeds a subscription's demand and the
//!    units allotted equal the capacity exactly.
//!
//! Every subscription's refund is its escrow minus its allotment's cost, so
//! `Σ allotted cash + Σ refunds == Σ escrowed` exactly.

use crate::{math::Checked, Balance, Error};
use alloc::vec::Vec;

/// One investor's subscription at closing, in subscription order.
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
pub struct Subscription {
	/// Cash escrowed: a whole number of denominations.
	pub amount: Balance,
	/// Whether it belongs to the priority tranche (e.g. a resident of the issuer's
	/// jurisdiction).
	pub priority: bool,
}

/// The book's parameters, from the terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRules {
	/// Cash per unit.
	pub denomination: Balance,
	/// Below this total the issue is cancelled.
	pub minimum_raise: Balance,
	/// The issue size: at most this much is raised (a whole number of denominations).
	pub maximum_raise: Balance,
	/// Units reserved for priority subscriptions when the book is oversubscribed (0: none).
	pub priority_units: u128,
}

/// What one subscription came to.
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
pub struct Allotment {
	/// Bond units allotted.
	pub units: u128,
	/// Their cost, paid to the issuer: `units × denomination`.
	pub cash: Balance,
	/// Escrow returned to the investor.
	pub refund: Balance,
}

/// How the book closed.
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
pub enum BookOutcome {
	/// Below the minimum raise: no bond, every subscription refunded.
	Cancelled,
	/// The bond is issued.
	Issued,
}

/// The closed book: one allotment per subscription, in the same order.
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct ClosedBook {
	/// Whether the bond is issued.
	pub outcome: BookOutcome,
	/// One per subscription.
	pub allotments: Vec<Allotment>,
	/// Units issued in total.
	pub units: u128,
	/// Cash raised, owed to the issuer: `units × denomination`.
	pub raised: Balance,
}

/// Checks a subscription of `amount` by an investor who already has `existing` escrowed,
/// and returns its new total. The total must be a whole number of denominations, at least the
/// minimum subscription, and at most the investor's category cap (if it has one).
pub fn check_subscription(
	amount: Balance,
	existing: Balance,
	denomination: Balance,
	minimum_subscription: Balance,
	category_cap: Option<Balance>,
) -> Result<Balance, Error> {
	if amount == 0 {
		return Err(Error::ZeroAmount);
	}
	if amount.rem_c(denomination)? != 0 {
		return Err(Error::NotWholeDenominations);
	}
	let total = existing.add_c(amount)?;
	if total < minimum_subscription {
		return Err(Error::BelowMinimumSubscription);
	}
	if category_cap.is_some_and(|cap| total > cap) {
		return Err(Error::InvestorCapExceeded);
	}
	Ok(total)
}

/// Closes the book (see the module docs).
pub fn close_book(rules: &BookRules, subscriptions: &[Subscription]) -> Result<ClosedBook, Error> {
	if rules.denomination == 0 {
		return Err(Error::ZeroDenomination);
	}
	let mut demand = Vec::with_capacity(subscriptions.len());
	let mut total: Balance = 0;
	for s in subscriptions {
		if s.amount.rem_c(rules.denomination)? != 0 {
			return Err(Error::NotWholeDenominations);
		}
		demand.push(s.amount.div_c(rules.denomination)?);
		total = total.add_c(s.amount)?;
	}

	if total < rules.minimum_raise {
		let allotments = subscriptions
			.iter()
			.map(|s| Allotment { units: 0, cash: 0, refund: s.amount })
			.collect();
		return Ok(ClosedBook { outcome: BookOutcome::Cancelled, allotments, units: 0, raised: 0 });
	}

	let capacity = rules.maximum_raise.div_c(rules.denomination)?;
	let demanded = total.div_c(rules.denomination)?;
	let units = if demanded <= capacity {
		demand.clone()
	} else {
		oversubscribed(&demand, subscriptions, capacity, rules.priority_units)?
	};

	let mut allotments = Vec::with_capacity(subscriptions.len());
	let mut issued: u128 = 0;
	for (s, &u) in subscriptions.iter().zip(units.iter()) {
		let cash = u.mul_c(rules.denomination)?;
		allotments.push(Allotment { units: u, cash, refund: s.amount.sub_c(cash)? });
		issued = issued.add_c(u)?;
	}
	Ok(ClosedBook {
		outcome: BookOutcome::Issued,
		allotments,
		units: issued,
		raised: issued.mul_c(rules.denomination)?,
	})
}

/// Allotments when demand exceeds `capacity`: the priority tranche first, then pro rata.
fn oversubscribed(
	demand: &[u128],
	subscriptions: &[Subscription],
	capacity: u128,
	priority_units: u128,
) -> Result<Vec<u128>, Error> {
	let tranche = priority_units.min(capacity);
	let priority_demand: Vec<u128> =
		demand.iter().zip(subscriptions).map(|(&d, s)| if s.priority { d } else { 0 }).collect();
	let first = largest_remainder(&priority_demand, tranche)?;
	let used: u128 = first.iter().try_fold(0u128, |acc, &u| acc.add_c(u))?;

	let unfilled: Vec<u128> =
		demand.iter().zip(&first).map(|(&d, &u)| d.sub_c(u)).collect::<Result<_, _>>()?;
	let second = largest_remainder(&unfilled, capacity.sub_c(used)?)?;
	first.iter().zip(&second).map(|(&a, &b)| a.add_c(b)).collect()
}

/// Shares `capacity` units among `demand` in whole units: everyone in full if the demand fits,
/// otherwise by the largest-remainder method with ties to the lower index.
pub fn largest_remainder(demand: &[u128], capacity: u128) -> Result<Vec<u128>, Error> {
	let total: u128 = demand.iter().try_fold(0u128, |acc, &d| acc.add_c(d))?;
	if total <= capacity {
		return Ok(demand.to_vec());
	}
	let mut shares = Vec::with_capacity(demand.len());
	let mut remainders = Vec::with_capacity(demand.len());
	let mut given: u128 = 0;
	for (index, &d) in demand.iter().enumerate() {
		let scaled = d.mul_c(capacity)?;
		let share = scaled.div_c(total)?;
		shares.push(share);
		remainders.push((scaled.rem_c(total)?, index));
		given = given.add_c(share)?;
	}
	// Largest remainder first; equal remainders in subscription order.
	remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
	let leftover = capacity.sub_c(given)?;
	for &(_, index) in
		remainders.iter().take(usize::try_from(leftover).map_err(|_| Error::Overflow)?)
	{
		let share = shares.get_mut(index).ok_or(Error::Overflow)?;
		*share = share.add_c(1)?;
	}
	Ok(shares)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	const DENOM: Balance = 100_000;

	fn sub(units: u128) -> Subscription {
		Subscription { amount: units * DENOM, priority: false }
	}

	fn resident(units: u128) -> Subscription {
		Subscription { amount: units * DENOM, priority: true }
	}

	fn rules(min_units: u128, max_units: u128, priority_units: u128) -> BookRules {
		BookRules {
			denomination: DENOM,
			minimum_raise: min_units * DENOM,
			maximum_raise: max_units * DENOM,
			priority_units,
		}
	}

	fn units(book: &ClosedBook) -> Vec<u128> {
		book.allotments.iter().map(|a| a.units).collect()
	}

	fn assert_cash_conserved(book: &ClosedBook, subs: &[Subscription]) {
		let escrowed: u128 = subs.iter().map(|s| s.amount).sum();
		let allotted: u128 = book.allotments.iter().map(|a| a.cash).sum();
		let refunded: u128 = book.allotments.iter().map(|a| a.refund).sum();
		assert_eq!(allotted + refunded, escrowed);
		assert_eq!(allotted, book.raised);
		assert_eq!(book.raised, book.units * DENOM);
	}

	#[test]
	fn below_minimum_raise_cancels_and_refunds_everything() {
		let subs = [sub(3), sub(4)];
		let book = close_book(&rules(8, 100, 0), &subs).unwrap();
		assert_eq!(book.outcome, BookOutcome::Cancelled);
		assert_eq!(units(&book), vec![0, 0]);
		assert_eq!(book.allotments[1].refund, 4 * DENOM);
		assert_cash_conserved(&book, &subs);
	}

	#[test]
	fn an_undersubscribed_book_above_the_minimum_is_allotted_in_full() {
		let subs = [sub(3), sub(5)];
		let book = close_book(&rules(8, 100, 0), &subs).unwrap();
		assert_eq!(book.outcome, BookOutcome::Issued);
		assert_eq!(units(&book), vec![3, 5]);
		assert!(book.allotments.iter().all(|a| a.refund == 0));
		assert_eq!(book.raised, 8 * DENOM);
	}

	#[test]
	fn oversubscription_is_shared_pro_rata_by_largest_remainder() {
		// 10 units for demands 5, 5, 5: 3.33 each; the one left-over unit goes to the earliest.
		let subs = [sub(5), sub(5), sub(5)];
		let book = close_book(&rules(1, 10, 0), &subs).unwrap();
		assert_eq!(units(&book), vec![4, 3, 3]);
		assert_cash_conserved(&book, &subs);
		// Demands 1, 2, 7 for 5 units: 0.5, 1.0, 3.5 -> floors 0, 1, 3 and the one left-over
		// unit to the larger remainder (0.5 ties 0.5; the earlier subscription wins).
		let subs = [sub(1), sub(2), sub(7)];
		let book = close_book(&rules(1, 5, 0), &subs).unwrap();
		assert_eq!(units(&book), vec![1, 1, 3]);
		assert_cash_conserved(&book, &subs);
	}

	#[test]
	fn residents_are_filled_first_from_the_priority_tranche() {
		// 10 units, 4 reserved for residents. Residents ask 3; the rest (7) goes pro rata to
		// the non-residents' 12.
		let subs = [sub(6), resident(3), sub(6)];
		let book = close_book(&rules(1, 10, 4), &subs).unwrap();
		assert_eq!(units(&book), vec![4, 3, 3]);
		assert_cash_conserved(&book, &subs);
	}

	#[test]
	fn residents_above_the_tranche_share_it_then_compete_for_the_rest() {
		// 10 units, 4 reserved. Residents ask 4 + 4: 2 + 2 from the tranche, then their
		// unfilled 2 + 2 join the non-resident's 8 for the remaining 6: 1, 1, 4.
		let subs = [resident(4), resident(4), sub(8)];
		let book = close_book(&rules(1, 10, 4), &subs).unwrap();
		assert_eq!(units(&book), vec![3, 3, 4]);
		assert_eq!(book.units, 10);
		assert_cash_conserved(&book, &subs);
	}

	#[test]
	fn allotments_never_exceed_demand_and_fill_the_issue_exactly() {
		let mut seed: u64 = 42;
		let mut next = |bound: u64| {
			seed = seed
				.wrapping_mul(6_364_136_223_846_793_005)
				.wrapping_add(1_442_695_040_888_963_407);
			(seed >> 33) % bound
		};
		for _ in 0..300 {
			let n = 1 + next(30) as usize;
			let subs: Vec<Subscription> = (0..n)
				.map(|_| Subscription {
					amount: (1 + u128::from(next(50))) * DENOM,
					priority: next(3) == 0,
				})
				.collect();
			let demanded: u128 = subs.iter().map(|s| s.amount / DENOM).sum();
			let max_units = 1 + u128::from(next(400));
			let priority_units = u128::from(next(20));
			let book = close_book(&rules(1, max_units, priority_units), &subs).unwrap();
			assert_cash_conserved(&book, &subs);
			assert_eq!(book.units, demanded.min(max_units));
			for (a, s) in book.allotments.iter().zip(&subs) {
				assert!(a.units * DENOM <= s.amount);
			}
		}
	}

	#[test]
	fn subscriptions_not_in_whole_denominations_are_refused() {
		let subs = [Subscription { amount: DENOM + 1, priority: false }];
		assert_eq!(close_book(&rules(1, 10, 0), &subs), Err(Error::NotWholeDenominations));
		let mut zero = rules(1, 10, 0);
		zero.denomination = 0;
		assert_eq!(close_book(&zero, &[]), Err(Error::ZeroDenomination));
	}

	#[test]
	fn subscription_checks_ticket_size_and_category_cap() {
		let check =
			|amount, existing, cap| check_subscription(amount, existing, DENOM, 2 * DENOM, cap);
		assert_eq!(check(0, 0, None), Err(Error::ZeroAmount));
		assert_eq!(check(DENOM / 2, 0, None), Err(Error::NotWholeDenominations));
		assert_eq!(check(DENOM, 0, None), Err(Error::BelowMinimumSubscription));
		// A top-up counts with what is already escrowed.
		assert_eq!(check(DENOM, DENOM * 2, None), Ok(3 * DENOM));
		assert_eq!(check(2 * DENOM, 0, Some(5 * DENOM)), Ok(2 * DENOM));
		assert_eq!(check(DENOM, 5 * DENOM, Some(5 * DENOM)), Err(Error::InvestorCapExceeded));
	}

	#[test]
	fn largest_remainder_gives_left_overs_to_the_largest_fractions() {
		// Demands 2, 3, 5 for 7 units: 1.4, 2.1, 3.5 -> 1, 2, 3 then 1 left over to 3.5.
		assert_eq!(largest_remainder(&[2, 3, 5], 7), Ok(vec![1, 2, 4]));
		assert_eq!(largest_remainder(&[2, 3], 10), Ok(vec![2, 3]));
		assert_eq!(largest_remainder(&[], 10), Ok(vec![]));
		assert_eq!(largest_remainder(&[0, 0, 4], 2), Ok(vec![0, 0, 2]));
	}
}
