//! Coupon and redemption amounts, and the distribution of what the issuer funded.
//!
//! ## Rounding and remainder rules
//!
//! 1. **Per unit, once.** One bond token is one denomination (the ICMA Calculation Amount). A
//!    period's coupon is computed once per unit, `denomination × rate_bps × fraction / 10 000`,
//!    rounded to the cash token's minor unit **half up** (the rounding of the standard terms
//!    and conditions of euro-market notes: "rounded to the nearest sub-unit, half a sub-unit
//!    being rounded upwards"). The redemption amount per unit, `denomination × (10 000 +
//!    premium_bps) / 10 000`, is rounded the same way.
//! 2. **Funded exactly.** The issuer owes `per_unit × units`, where `units` is the bond supply
//!    at the record date. Each holder is owed `per_unit × its units`. Holdings are whole
//!    units, so the holders' amounts add up to the total **exactly**: no rounding happens
//!    between the total and the holders, and no cash is created or destroyed.
//! 3. **Default: pro rata, floor.** If a payment is not fully funded by its due date plus the
//!    grace period, the bond is in default and the payment's funded amount is frozen. Each
//!    holder then receives `floor(funded × its units / units)`. The floors add up to at most
//!    `funded`; the difference (less than one minor unit per holder) stays in the contract
//!    with anything unclaimed and goes back to the issuer when the claim period expires, so
//!    `Σ payouts + reclaimed == funded` to the minor unit.

use crate::{
	daycount::Fraction,
	math::{mul_div_floor, Checked},
	Balance, Bps, Error, BPS_DENOMINATOR,
};

/// `numerator / denominator` rounded to the nearest integer, halves upwards.
fn div_round_half_up(numerator: u128, denominator: u128) -> Result<u128, Error> {
	if denominator == 0 {
		return Err(Error::DivisionByZero);
	}
	let quotient = numerator.div_c(denominator)?;
	let remainder = numerator.rem_c(denominator)?;
	// remainder / denominator >= 1/2, compared without overflow: remainder >= denominator -
	// remainder.
	if remainder >= denominator.sub_c(remainder)? {
		quotient.add_c(1)
	} else {
		Ok(quotient)
	}
}

/// The coupon one unit (one denomination) earns over a period accruing `fraction` at
/// `rate_bps`, rounded half up to the minor unit.
pub fn coupon_per_unit(
	denomination: Balance,
	rate_bps: Bps,
	fraction: Fraction,
) -> Result<Balance, Error> {
	let numerator = denomination.mul_c(u128::from(rate_bps))?.mul_c(fraction.numerator)?;
	let denominator = BPS_DENOMINATOR.mul_c(fraction.denominator)?;
	div_round_half_up(numerator, denominator)
}

/// What one unit is redeemed for: the denomination plus `premium_bps` of it (a call premium;
/// 0 at maturity), rounded half up to the minor unit.
pub fn redemption_per_unit(denomination: Balance, premium_bps: Bps) -> Result<Balance, Error> {
	let numerator = denomination.mul_c(BPS_DENOMINATOR.add_c(u128::from(premium_bps))?)?;
	div_round_half_up(numerator, BPS_DENOMINATOR)
}

/// One payment (a coupon, or the redemption) to the holders recorded at its record date, and
/// how much of it the issuer funded and the holders claimed.
///
/// The contract keeps one per payment. Claims cost the same whatever the number of holders:
/// a claim needs only the claimant's units at the record date and this record.
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
pub struct Distribution {
	/// Owed per unit.
	pub per_unit: Balance,
	/// Units entitled: the bond supply at the record date.
	pub units: u128,
	/// Cash the issuer paid in.
	pub funded: Balance,
	/// Cash paid out to holders.
	pub paid: Balance,
	/// Units whose claim has been paid.
	pub claimed_units: u128,
	/// The payment was not funded in time: `funded` is frozen and paid pro rata.
	pub defaulted: bool,
	/// The remainder went back to the issuer; no more claims.
	pub closed: bool,
}

impl Distribution {
	/// A payment of `per_unit` to each of `units` units, nothing funded yet.
	pub fn new(per_unit: Balance, units: u128) -> Result<Self, Error> {
		// Refuse at once a payment whose total cannot be represented.
		per_unit.mul_c(units)?;
		Ok(Self {
			per_unit,
			units,
			funded: 0,
			paid: 0,
			claimed_units: 0,
			defaulted: false,
			closed: false,
		})
	}

	/// What the issuer owes in total: `per_unit × units`.
	pub fn total_due(&self) -> Result<Balance, Error> {
		self.per_unit.mul_c(self.units)
	}

	/// What is still to be funded.
	pub fn shortfall(&self) -> Result<Balance, Error> {
		self.total_due()?.sub_c(self.funded)
	}

	/// Whether the issuer has paid in the whole amount.
	pub fn is_fully_funded(&self) -> Result<bool, Error> {
		Ok(self.funded >= self.total_due()?)
	}

	/// The issuer pays in `amount`. Refused if zero, if more than the shortfall (the contract
	/// never holds cash it cannot pay out), or once defaulted or closed.
	pub fn fund(&mut self, amount: Balance) -> Result<(), Error> {
		if self.closed {
			return Err(Error::DistributionClosed);
		}
		if self.defaulted {
			return Err(Error::DistributionDefaulted);
		}
		if amount == 0 {
			return Err(Error::ZeroAmount);
		}
		if amount > self.shortfall()? {
			return Err(Error::FundingExceedsDue);
		}
		self.funded = self.funded.add_c(amount)?;
		Ok(())
	}

	/// The payment is in default (the contract checked that the due date plus grace period has
	/// passed): what was funded is frozen and will be paid pro rata.
	pub fn declare_default(&mut self) -> Result<(), Error> {
		if self.closed {
			return Err(Error::DistributionClosed);
		}
		if self.defaulted {
			return Err(Error::AlreadyDefaulted);
		}
		if self.is_fully_funded()? {
			return Err(Error::FullyFunded);
		}
		self.defaulted = true;
		Ok(())
	}

	/// What a holder of `units` units at the record date receives: the full amount once fully
	/// funded, its pro-rata floor of the funded amount after a default.
	pub fn entitlement(&self, units: u128) -> Result<Balance, Error> {
		if self.is_fully_funded()? {
			units.mul_c(self.per_unit)
		} else if self.defaulted {
			mul_div_floor(self.funded, units, self.units)
		} else {
			Err(Error::NotFunded)
		}
	}

	/// Pays the claim of a holder of `units` units and returns the amount to transfer. The
	/// contract ensures each holder claims once; this record ensures the claims never exceed
	/// the recorded units or the funded cash.
	pub fn claim(&mut self, units: u128) -> Result<Balance, Error> {
		if self.closed {
			return Err(Error::DistributionClosed);
		}
		if units == 0 {
			return Err(Error::NothingToClaim);
		}
		let claimed_units = self.claimed_units.add_c(units)?;
		if claimed_units > self.units {
			return Err(Error::ClaimExceedsRecordedUnits);
		}
		let amount = self.entitlement(units)?;
		let paid = self.paid.add_c(amount)?;
		if paid > self.funded {
			// Unreachable when the units add up; kept so cash can never be overdrawn.
			return Err(Error::InsufficientFunds);
		}
		self.claimed_units = claimed_units;
		self.paid = paid;
		Ok(amount)
	}

	/// What the issuer may take back once the claim period has expired (the contract checks
	/// the time): everything funded and not paid, including the default remainder. Closes
	/// the distribution.
	pub fn reclaim_remainder(&mut self) -> Result<Balance, Error> {
		if self.closed {
			return Err(Error::DistributionClosed);
		}
		let remainder = self.funded.sub_c(self.paid)?;
		self.closed = true;
		Ok(remainder)
	}
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	fn frac(n: u128, d: u128) -> Fraction {
		Fraction::new(n, d).unwrap()
	}

	#[test]
	fn coupon_per_unit_of_a_regular_semi_annual_period() {
		// EUR 1 000.00 (100 000 cents) at 4.25 %, half a year: EUR 21.25.
		assert_eq!(coupon_per_unit(100_000, 425, frac(1, 2)), Ok(2_125));
		// A zero rate pays nothing.
		assert_eq!(coupon_per_unit(100_000, 0, frac(1, 2)), Ok(0));
	}

	#[test]
	fn coupon_per_unit_rounds_half_up_to_the_minor_unit() {
		// 100 000 × 3.33 % × 182/365 = 1 660.438... -> 1 660.
		assert_eq!(coupon_per_unit(100_000, 333, frac(182, 365)), Ok(1_660));
		// 100 000 × 3.33 % × 184/365 = 1 678.68... -> 1 679.
		assert_eq!(coupon_per_unit(100_000, 333, frac(184, 365)), Ok(1_679));
		// Exactly half a minor unit goes up: 3 × 50 % = 1.5 -> 2; 1 × 50 % = 0.5 -> 1.
		assert_eq!(coupon_per_unit(3, 5_000, frac(1, 1)), Ok(2));
		assert_eq!(coupon_per_unit(1, 5_000, frac(1, 1)), Ok(1));
		// Just under a half goes down: 1 × 49.99 % -> 0.
		assert_eq!(coupon_per_unit(1, 4_999, frac(1, 1)), Ok(0));
	}

	#[test]
	fn coupon_per_unit_reports_overflow() {
		assert_eq!(coupon_per_unit(u128::MAX / 2, 3, frac(1, 1)), Err(Error::Overflow));
		assert_eq!(coupon_per_unit(u128::MAX, 1, frac(1, 1)), Ok(u128::MAX / 10_000));
	}

	#[test]
	fn redemption_adds_the_call_premium() {
		assert_eq!(redemption_per_unit(100_000, 0), Ok(100_000));
		assert_eq!(redemption_per_unit(100_000, 150), Ok(101_500));
		// 999 × 1.0125 = 1 011.4875 -> 1 011.
		assert_eq!(redemption_per_unit(999, 125), Ok(1_011));
	}

	#[test]
	fn fully_funded_coupon_pays_every_holder_exactly_and_leaves_nothing() {
		let holdings = [1u128, 7, 250, 3, 39];
		let units: u128 = holdings.iter().sum();
		let mut d =
			Distribution::new(coupon_per_unit(100_000, 333, frac(182, 365)).unwrap(), units)
				.unwrap();
		let due = d.total_due().unwrap();
		assert_eq!(due, 1_660 * 300);
		assert_eq!(d.claim(1), Err(Error::NotFunded));
		d.fund(due - 1).unwrap();
		assert_eq!(d.claim(1), Err(Error::NotFunded));
		assert_eq!(d.fund(2), Err(Error::FundingExceedsDue));
		d.fund(1).unwrap();
		let paid: u128 = holdings.iter().map(|&u| d.claim(u).unwrap()).sum();
		assert_eq!(paid, due);
		assert_eq!(d.reclaim_remainder(), Ok(0));
	}

	#[test]
	fn default_pays_what_was_funded_pro_rata_and_the_remainder_returns_to_the_issuer() {
		// 3 holders with 1, 1 and 1 units, 100 owed each, 200 funded: 66 each, remainder 2.
		let mut d = Distribution::new(100, 3).unwrap();
		d.fund(200).unwrap();
		assert_eq!(d.claim(1), Err(Error::NotFunded));
		d.declare_default().unwrap();
		assert_eq!(d.fund(1), Err(Error::DistributionDefaulted));
		assert_eq!(d.entitlement(1), Ok(66));
		let paid = d.claim(1).unwrap() + d.claim(1).unwrap() + d.claim(1).unwrap();
		assert_eq!(paid, 198);
		assert_eq!(d.reclaim_remainder(), Ok(2));
		assert_eq!(paid + 2, d.funded);
	}

	#[test]
	fn default_payouts_plus_remainder_equal_funded_for_many_splits() {
		// Deterministic pseudo-random holdings and funding levels (a 64-bit LCG).
		let mut seed: u64 = 0x5EED;
		let mut next = |bound: u64| {
			seed = seed
				.wrapping_mul(6_364_136_223_846_793_005)
				.wrapping_add(1_442_695_040_888_963_407);
			(seed >> 33) % bound
		};
		for _ in 0..200 {
			let holders = 1 + next(40) as usize;
			let holdings: Vec<u128> = (0..holders).map(|_| 1 + u128::from(next(1_000))).collect();
			let units: u128 = holdings.iter().sum();
			let per_unit = 1 + u128::from(next(5_000));
			let mut d = Distribution::new(per_unit, units).unwrap();
			let due = d.total_due().unwrap();
			let funded = u128::from(next(u64::try_from(due).unwrap()));
			if funded > 0 {
				d.fund(funded).unwrap();
			}
			d.declare_default().unwrap();
			// Some holders never claim; their share is reclaimed with the remainder.
			let mut paid = 0;
			for (i, &u) in holdings.iter().enumerate() {
				if i % 3 != 2 {
					let amount = d.claim(u).unwrap();
					assert_eq!(amount, funded * u / units);
					paid += amount;
				}
			}
			let reclaimed = d.reclaim_remainder().unwrap();
			assert_eq!(paid + reclaimed, funded);
		}
	}

	#[test]
	fn claims_cannot_exceed_the_recorded_units_or_follow_closure() {
		let mut d = Distribution::new(10, 5).unwrap();
		d.fund(50).unwrap();
		assert_eq!(d.claim(0), Err(Error::NothingToClaim));
		assert_eq!(d.claim(6), Err(Error::ClaimExceedsRecordedUnits));
		assert_eq!(d.claim(4), Ok(40));
		assert_eq!(d.claim(2), Err(Error::ClaimExceedsRecordedUnits));
		assert_eq!(d.reclaim_remainder(), Ok(10));
		assert_eq!(d.claim(1), Err(Error::DistributionClosed));
		assert_eq!(d.reclaim_remainder(), Err(Error::DistributionClosed));
		assert_eq!(d.fund(1), Err(Error::DistributionClosed));
	}

	#[test]
	fn default_needs_a_shortfall_and_happens_once() {
		let mut d = Distribution::new(10, 5).unwrap();
		d.fund(50).unwrap();
		assert_eq!(d.declare_default(), Err(Error::FullyFunded));
		let mut d = Distribution::new(10, 5).unwrap();
		d.declare_default().unwrap();
		assert_eq!(d.declare_default(), Err(Error::AlreadyDefaulted));
		// Nothing funded: every holder's pro-rata share is zero.
		assert_eq!(d.claim(5), Ok(0));
	}

	#[test]
	fn zero_funding_and_unrepresentable_totals_are_refused() {
		let mut d = Distribution::new(10, 5).unwrap();
		assert_eq!(d.fund(0), Err(Error::ZeroAmount));
		assert_eq!(Distribution::new(u128::MAX, 2), Err(Error::Overflow));
	}
}
