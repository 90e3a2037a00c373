//! Day-count conventions: the fraction of a year an accrual period counts for, as an exact
//! rational number.
//!
//! Definitions follow the ISDA 2006 Definitions, Section 4.16, and ICMA Rule 251:
//!
//! - [`DayCount::Thirty360`], 4.16(f) "30/360, 360/360, Bond Basis":
//!   `(360 (Y2 - Y1) + 30 (M2 - M1) + (D2 - D1)) / 360`, where a D1 of 31 becomes 30, and a D2
//!   of 31 becomes 30 when D1 (so changed) is 30.
//! - [`DayCount::ThirtyE360`], 4.16(g) "30E/360, Eurobond Basis": the same, but every 31st
//!   becomes 30.
//! - [`DayCount::Act365Fixed`], 4.16(d) "Actual/365 (Fixed)": `days / 365`.
//! - [`DayCount::Act360`], 4.16(e) "Actual/360": `days / 360`.
//! - [`DayCount::ActActIcma`], 4.16(c) "Actual/Actual (ICMA)" and ICMA Rule 251:
//!   `days / (frequency × days in the regular period)`, summed over the notional periods a
//!   stub spans.
//!
//! "30/360 ISDA" in CityBond's issue means 4.16(f) (Bond Basis); the different "30E/360
//! (ISDA)" of 4.16(h), which needs the maturity date, is not offered.

use crate::{
	calendar::Date,
	math::{gcd, Checked},
	Error,
};

/// The longest run of notional periods an ACT/ACT ICMA stub may span, so the computation is
/// bounded whatever the input.
const MAX_NOTIONAL_PERIODS: u32 = 1_200;

/// A non-negative exact fraction `numerator / denominator`, always in lowest terms with a
/// non-zero denominator.
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
pub struct Fraction {
	/// The numerator.
	pub numerator: u128,
	/// The denominator; never zero.
	pub denominator: u128,
}

impl Fraction {
	/// Zero (`0/1`).
	pub const ZERO: Self = Self { numerator: 0, denominator: 1 };

	/// `numerator / denominator` in lowest terms, or [`Error::DivisionByZero`].
	pub fn new(numerator: u128, denominator: u128) -> Result<Self, Error> {
		if denominator == 0 {
			return Err(Error::DivisionByZero);
		}
		let divisor = gcd(numerator, denominator);
		Ok(Self { numerator: numerator.div_c(divisor)?, denominator: denominator.div_c(divisor)? })
	}

	/// `self + other`, in lowest terms.
	pub fn checked_add(self, other: Self) -> Result<Self, Error> {
		// Add over the least common multiple to keep intermediate values small.
		let divisor = gcd(self.denominator, other.denominator);
		let self_scale = other.denominator.div_c(divisor)?;
		let other_scale = self.denominator.div_c(divisor)?;
		let numerator =
			self.numerator.mul_c(self_scale)?.add_c(other.numerator.mul_c(other_scale)?)?;
		Self::new(numerator, self.denominator.mul_c(self_scale)?)
	}
}

/// A convention for counting the fraction of a year between two dates. Names follow the ICMA
/// Bond Data Taxonomy's `dayCountFraction`.
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
pub enum DayCount {
	/// 30/360, 360/360 or Bond Basis (ISDA 2006, 4.16(f)).
	Thirty360,
	/// 30E/360 or Eurobond Basis (ISDA 2006, 4.16(g)).
	ThirtyE360,
	/// Actual/365 (Fixed) (ISDA 2006, 4.16(d)).
	Act365Fixed,
	/// Actual/360 (ISDA 2006, 4.16(e)).
	Act360,
	/// Actual/Actual (ICMA) (ISDA 2006, 4.16(c); ICMA Rule 251). Needs the regular coupon
	/// period the accrual belongs to ([`RegularPeriod`]).
	ActActIcma,
}

/// A regular coupon period of the bond, for ACT/ACT ICMA: the accrual period either lies in it,
/// or (a stub) is measured against the notional periods obtained by stepping `months` from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegularPeriod {
	/// The start of the regular period (an unadjusted coupon date).
	pub start: Date,
	/// The end of the regular period (the next unadjusted coupon date).
	pub end: Date,
	/// Months in a regular period: 1, 2, 3, 4, 6 or 12 (so 12 / months coupons a year).
	pub months: u8,
	/// The end-of-month rule: coupon dates are month ends (a bond paying on 30 April and 31
	/// October), so notional periods end on month ends too.
	pub end_of_month: bool,
}

impl RegularPeriod {
	/// Coupons per year: 12 / `months`, or [`Error::InvalidFrequency`] if `months` does not
	/// divide 12.
	pub fn periods_per_year(&self) -> Result<u128, Error> {
		if !matches!(self.months, 1 | 2 | 3 | 4 | 6 | 12) {
			return Err(Error::InvalidFrequency);
		}
		12u128.div_c(u128::from(self.months))
	}
}

impl DayCount {
	/// The fraction of a year from `start` (inclusive) to `end` (exclusive). `regular` is the
	/// regular coupon period for [`DayCount::ActActIcma`] and ignored by the others.
	pub fn year_fraction(
		&self,
		start: Date,
		end: Date,
		regular: Option<&RegularPeriod>,
	) -> Result<Fraction, Error> {
		let actual = u128::from(start.days_until(&end)?);
		match self {
			Self::Thirty360 => Fraction::new(thirty_360_days(start, end, false)?, 360),
			Self::ThirtyE360 => Fraction::new(thirty_360_days(start, end, true)?, 360),
			Self::Act365Fixed => Fraction::new(actual, 365),
			Self::Act360 => Fraction::new(actual, 360),
			Self::ActActIcma => {
				act_act_icma(start, end, regular.ok_or(Error::MissingRegularPeriod)?)
			}
		}
	}
}

/// The 30/360 day count `360 (Y2 - Y1) + 30 (M2 - M1) + (D2 - D1)` with the day adjustments of
/// 4.16(f) (`european == false`) or 4.16(g) (`european == true`). `start <= end`.
pub fn thirty_360_days(start: Date, end: Date, european: bool) -> Result<u128, Error> {
	if end < start {
		return Err(Error::DatesOutOfOrder);
	}
	let d1 = start.day().min(30);
	let d2 = if end.day() == 31 && (european || d1 == 30) { 30 } else { end.day() };
	let days = i64::from(end.year())
		.sub_c(i64::from(start.year()))?
		.mul_c(360)?
		.add_c(i64::from(end.month()).sub_c(i64::from(start.month()))?.mul_c(30)?)?
		.add_c(i64::from(d2).sub_c(i64::from(d1))?)?;
	// Never negative for start <= end: a later month adds at least 30 and the day difference
	// is at least 1 - 30.
	u128::try_from(days).map_err(|_| Error::DatesOutOfOrder)
}

/// ACT/ACT ICMA (Rule 251): for each notional period `N` the accrual overlaps, the overlapping
/// days over `frequency × days in N`, summed. Inside the regular period this is the familiar
/// `days / (frequency × days in the period)`; a short stub counts against the notional period
/// it falls in, a long stub against the two (or more) it spans.
fn act_act_icma(start: Date, end: Date, regular: &RegularPeriod) -> Result<Fraction, Error> {
	if end < start {
		return Err(Error::DatesOutOfOrder);
	}
	if regular.end <= regular.start {
		return Err(Error::DatesOutOfOrder);
	}
	let frequency = regular.periods_per_year()?;
	let months = i32::from(regular.months);
	let mut total = overlap_fraction(start, end, regular.start, regular.end, frequency)?;

	// Notional periods before the regular one, stepping back from its start. Dates are always
	// computed from the anchor, not from the previous step, so month-end days do not drift.
	let mut notional_end = regular.start;
	let mut step: u32 = 1;
	while start < notional_end {
		if step > MAX_NOTIONAL_PERIODS {
			return Err(Error::TooManyPeriods);
		}
		let offset = months.mul_c(i32::try_from(step).map_err(|_| Error::Overflow)?)?;
		let notional_start = regular
			.start
			.add_months_eom(offset.checked_neg().ok_or(Error::Overflow)?, regular.end_of_month)?;
		total = total.checked_add(overlap_fraction(
			start,
			end,
			notional_start,
			notional_end,
			frequency,
		)?)?;
		notional_end = notional_start;
		step = step.add_c(1)?;
	}

	// Notional periods after it, stepping forward from its end.
	let mut notional_start = regular.end;
	let mut step: u32 = 1;
	while notional_start < end {
		if step > MAX_NOTIONAL_PERIODS {
			return Err(Error::TooManyPeriods);
		}
		let offset = months.mul_c(i32::try_from(step).map_err(|_| Error::Overflow)?)?;
		let notional_end = regular.end.add_months_eom(offset, regular.end_of_month)?;
		total = total.checked_add(overlap_fraction(
			start,
			end,
			notional_start,
			notional_end,
			frequency,
		)?)?;
		notional_start = notional_end;
		step = step.add_c(1)?;
	}
	Ok(total)
}

/// Days of `[start, end)` that fall in `[period_start, period_end)`, over
/// `frequency × days in the period`.
fn overlap_fraction(
	start: Date,
	end: Date,
	period_start: Date,
	period_end: Date,
	frequency: u128,
) -> Result<Fraction, Error> {
	let from = start.max(period_start);
	let to = end.min(period_end);
	if to <= from {
		return Ok(Fraction::ZERO);
	}
	let overlap = u128::from(from.days_until(&to)?);
	let period = u128::from(period_start.days_until(&period_end)?);
	Fraction::new(overlap, frequency.mul_c(period)?)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	fn date(y: i32, m: u8, d: u8) -> Date {
		Date::new(y, m, d).unwrap()
	}

	fn frac(n: u128, d: u128) -> Fraction {
		Fraction::new(n, d).unwrap()
	}

	/// (start, end, Bond Basis days, Eurobond Basis days) from ISDA's "30/360 Day Count
	/// Conventions" (2008) worked examples, which illustrate ISDA 2006 Section 4.16(f) and
	/// 4.16(g); QuantLib's test suite uses the same table.
	/// A date as (year, month, day).
	type Ymd = (i32, u8, u8);

	const ISDA_30_360_EXAMPLES: &[(Ymd, Ymd, u128, u128)] = &[
		// Example 1: no end-of-February or 31st dates: both conventions agree.
		((2006, 8, 20), (2007, 2, 20), 180, 180),
		((2007, 2, 20), (2007, 8, 20), 180, 180),
		((2007, 8, 20), (2008, 2, 20), 180, 180),
		((2008, 2, 20), (2008, 8, 20), 180, 180),
		((2008, 8, 20), (2009, 2, 20), 180, 180),
		((2009, 2, 20), (2009, 8, 20), 180, 180),
		// Example 2: end-of-February and 31 August dates.
		((2006, 8, 31), (2007, 2, 28), 178, 178),
		((2007, 2, 28), (2007, 8, 31), 183, 182),
		((2007, 8, 31), (2008, 2, 29), 179, 179),
		((2008, 2, 29), (2008, 8, 31), 182, 181),
		((2008, 8, 31), (2009, 2, 28), 178, 178),
		((2009, 2, 28), (2009, 8, 31), 183, 182),
		// Example 3: miscellaneous.
		((2006, 1, 31), (2006, 2, 28), 28, 28),
		((2006, 1, 30), (2006, 2, 28), 28, 28),
		((2006, 2, 28), (2006, 3, 3), 5, 5),
		((2006, 2, 14), (2006, 2, 28), 14, 14),
		((2006, 9, 30), (2006, 10, 31), 30, 30),
		((2006, 10, 31), (2006, 11, 28), 28, 28),
		((2007, 8, 31), (2008, 2, 28), 178, 178),
		((2008, 2, 28), (2008, 8, 28), 180, 180),
		((2008, 2, 28), (2008, 8, 30), 182, 182),
		((2008, 2, 28), (2008, 8, 31), 183, 182),
		((2007, 2, 26), (2008, 2, 28), 362, 362),
		((2007, 2, 26), (2008, 2, 29), 363, 363),
		((2008, 2, 29), (2009, 2, 28), 359, 359),
		((2008, 2, 28), (2008, 3, 30), 32, 32),
		((2008, 2, 28), (2008, 3, 31), 33, 32),
	];

	#[test]
	fn thirty_360_bond_basis_matches_isda_2008_examples_1_to_3() {
		for &((y1, m1, d1), (y2, m2, d2), bond_basis, _) in ISDA_30_360_EXAMPLES {
			let (start, end) = (date(y1, m1, d1), date(y2, m2, d2));
			assert_eq!(thirty_360_days(start, end, false), Ok(bond_basis), "{start:?} {end:?}");
			assert_eq!(
				DayCount::Thirty360.year_fraction(start, end, None),
				Ok(frac(bond_basis, 360))
			);
		}
	}

	#[test]
	fn thirty_e_360_eurobond_basis_matches_isda_2008_examples_1_to_3() {
		for &((y1, m1, d1), (y2, m2, d2), _, eurobond) in ISDA_30_360_EXAMPLES {
			let (start, end) = (date(y1, m1, d1), date(y2, m2, d2));
			assert_eq!(thirty_360_days(start, end, true), Ok(eurobond), "{start:?} {end:?}");
			assert_eq!(
				DayCount::ThirtyE360.year_fraction(start, end, None),
				Ok(frac(eurobond, 360))
			);
		}
	}

	#[test]
	fn bond_basis_and_eurobond_differ_only_when_the_end_is_a_31st_after_a_non_30th() {
		// 28 Feb 2007 -> 31 Aug 2007: Bond Basis keeps D2 = 31 (D1 is not 30 or 31), 30E/360
		// cuts it to 30. From 30 or 31 both cut it.
		let (start, end) = (date(2007, 2, 28), date(2007, 8, 31));
		assert_eq!(DayCount::Thirty360.year_fraction(start, end, None), Ok(frac(183, 360)));
		assert_eq!(DayCount::ThirtyE360.year_fraction(start, end, None), Ok(frac(182, 360)));
		let from_31st = date(2007, 3, 31);
		assert_eq!(thirty_360_days(from_31st, end, false), thirty_360_days(from_31st, end, true));
	}

	#[test]
	fn actual_conventions_count_calendar_days() {
		// 1 Nov 2003 -> 1 May 2004 is 182 days and spans 29 Feb 2004.
		let (start, end) = (date(2003, 11, 1), date(2004, 5, 1));
		assert_eq!(DayCount::Act365Fixed.year_fraction(start, end, None), Ok(frac(182, 365)));
		assert_eq!(DayCount::Act360.year_fraction(start, end, None), Ok(frac(182, 360)));
		assert_eq!(frac(182, 360), Fraction { numerator: 91, denominator: 180 });
		// A leap year under ACT/365F counts for more than a year.
		let leap = DayCount::Act365Fixed.year_fraction(date(2024, 1, 1), date(2025, 1, 1), None);
		assert_eq!(leap, Ok(frac(366, 365)));
	}

	fn icma(start: Date, end: Date, ref_start: Date, ref_end: Date, months: u8) -> Fraction {
		let regular = RegularPeriod { start: ref_start, end: ref_end, months, end_of_month: false };
		DayCount::ActActIcma.year_fraction(start, end, Some(&regular)).unwrap()
	}

	// The four ACT/ACT ICMA cases below are the worked examples of ISDA's "EMU and Market
	// Conventions: Recent Developments" (1998, the note accompanying ICMA (then ISMA) Rule 251),
	// with the results QuantLib's test suite checks to 1e-10; here they are exact.

	#[test]
	fn act_act_icma_regular_semi_annual_period_is_one_half() {
		// Example 1: 1 Nov 2003 - 1 May 2004, semi-annual: 182 / (2 × 182).
		let f = icma(date(2003, 11, 1), date(2004, 5, 1), date(2003, 11, 1), date(2004, 5, 1), 6);
		assert_eq!(f, frac(1, 2));
	}

	#[test]
	fn act_act_icma_short_first_annual_period_counts_against_the_notional_year() {
		// Example 2: 1 Feb 1999 - 1 Jul 1999, annual coupons on 1 July; notional period 1 Jul
		// 1998 - 1 Jul 1999 (365 days): 150 / 365 = 0.410958904110.
		let f = icma(date(1999, 2, 1), date(1999, 7, 1), date(1998, 7, 1), date(1999, 7, 1), 12);
		assert_eq!(f, frac(150, 365));
		// The next (regular) period is a whole year, though 2000 is a leap year.
		let f = icma(date(1999, 7, 1), date(2000, 7, 1), date(1999, 7, 1), date(2000, 7, 1), 12);
		assert_eq!(f, frac(1, 1));
	}

	#[test]
	fn act_act_icma_long_first_semi_annual_period_spans_two_notional_periods() {
		// Example 3: 15 Aug 2002 - 15 Jul 2003, semi-annual on 15 Jan / 15 Jul, regular period
		// 15 Jan 2003 - 15 Jul 2003 (181 days) and notional period 15 Jul 2002 - 15 Jan 2003
		// (184 days): 153 / (2 × 184) + 181 / (2 × 181) = 337 / 368 = 0.915760869565.
		let f = icma(date(2002, 8, 15), date(2003, 7, 15), date(2003, 1, 15), date(2003, 7, 15), 6);
		assert_eq!(f, frac(337, 368));
		// The following regular period is exactly one half.
		let f = icma(date(2003, 7, 15), date(2004, 1, 15), date(2003, 7, 15), date(2004, 1, 15), 6);
		assert_eq!(f, frac(1, 2));
	}

	#[test]
	fn act_act_icma_short_final_period_counts_against_its_notional_period() {
		// Example 4: 30 Jan 2000 - 30 Jun 2000, semi-annual, notional period 30 Jan 2000 - 30
		// Jul 2000 (182 days): 152 / (2 × 182) = 0.417582417582.
		let f = icma(date(2000, 1, 30), date(2000, 6, 30), date(2000, 1, 30), date(2000, 7, 30), 6);
		assert_eq!(f, frac(38, 91));
		assert_eq!(frac(152, 364), frac(38, 91));
	}

	#[test]
	fn act_act_icma_long_final_period_spans_the_next_notional_period() {
		// A long last period 15 Jan 2024 - 15 Sep 2024 against the regular 15 Jan - 15 Jul 2024
		// (182 days) and the notional 15 Jul - 15 Jan 2025 (184 days): 1/2 + 62 / 368.
		let f = icma(date(2024, 1, 15), date(2024, 9, 15), date(2024, 1, 15), date(2024, 7, 15), 6);
		assert_eq!(f, frac(1, 2).checked_add(frac(62, 368)).unwrap());
		assert_eq!(f, frac(123, 184));
	}

	#[test]
	fn act_act_icma_needs_a_regular_period_with_a_valid_frequency() {
		let (s, e) = (date(2024, 1, 1), date(2024, 7, 1));
		assert_eq!(
			DayCount::ActActIcma.year_fraction(s, e, None),
			Err(Error::MissingRegularPeriod)
		);
		let odd = RegularPeriod { start: s, end: e, months: 5, end_of_month: false };
		assert_eq!(
			DayCount::ActActIcma.year_fraction(s, e, Some(&odd)),
			Err(Error::InvalidFrequency)
		);
	}

	#[test]
	fn fractions_of_reversed_dates_are_refused() {
		let (s, e) = (date(2024, 1, 1), date(2024, 7, 1));
		for dc in
			[DayCount::Thirty360, DayCount::ThirtyE360, DayCount::Act365Fixed, DayCount::Act360]
		{
			assert_eq!(dc.year_fraction(e, s, None), Err(Error::DatesOutOfOrder));
		}
	}

	#[test]
	fn fractions_are_kept_in_lowest_terms_and_add_exactly() {
		assert_eq!(frac(180, 360), Fraction { numerator: 1, denominator: 2 });
		assert_eq!(frac(0, 7), Fraction::ZERO);
		assert_eq!(Fraction::new(1, 0), Err(Error::DivisionByZero));
		assert_eq!(frac(1, 6).checked_add(frac(1, 3)), Ok(frac(1, 2)));
		assert_eq!(frac(153, 368).checked_add(frac(181, 362)), Ok(frac(337, 368)));
	}
}
