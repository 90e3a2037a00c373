//! The coupon schedule: for each coupon period its accrual dates, record date, payment date and
//! accrual fraction.
//!
//! ## Calendar frequencies (annual, semi-annual, quarterly, monthly)
//!
//! - Coupon dates are generated **backwards from the maturity date** in whole months, each
//!   computed from the maturity date itself (so a 31st does not drift to the 30th). If the
//!   issue date is not on that grid, the first period is a **short first coupon** from the
//!   issue date to the first coupon date.
//! - **End-of-month rule**: when the maturity date is the last day of a month other than
//!   February, every coupon date is the last day of its month (30 April maturity → 31 October
//!   coupons). A February month-end maturity keeps its day number.
//! - **Accrual** runs between unadjusted coupon dates (bond market practice: a coupon amount
//!   does not change when its payment date moves).
//! - **Payment dates** are the unadjusted dates moved by the business-day convention.
//! - **Record date**: the payment date minus `record_date_offset_ms`, which must be whole days.
//! - Issue and maturity dates must be midnight UTC (dates, not times).
//!
//! ## Compressed periods (development chains)
//!
//! [`Frequency::EveryMillis`] runs the same life in minutes: period `k` accrues over
//! `[issue + k·period_ms, issue + (k+1)·period_ms)` and the maturity must lie on that grid.
//! Each period **stands for one regular coupon period of a bond paying `periods_per_year`
//! coupons**, so it accrues exactly `1 / periods_per_year`, whatever the day count: the value
//! every listed convention gives a regular period of a regular schedule under 30/360, and that
//! ACT/ACT ICMA gives always. Coupon amounts on a dev chain are thus those of the real bond;
//! only the clock is fast. Payment date = accrual end (compressed time has no weekends); record
//! date = payment date minus `record_date_offset_ms`.

use crate::{
	calendar::{BusinessDayConvention, Date, MILLIS_PER_DAY},
	daycount::{DayCount, Fraction, RegularPeriod},
	math::Checked,
	Error, Timestamp,
};
use alloc::vec::Vec;

/// The most coupon periods a schedule may have (100 years of monthly coupons).
pub const MAX_PERIODS: u32 = 1_200;

/// How often the bond pays a coupon (ICMA Bond Data Taxonomy: `couponFrequency`).
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
pub enum Frequency {
	/// Once a year.
	Annual,
	/// Twice a year.
	SemiAnnual,
	/// Four times a year.
	Quarterly,
	/// Twelve times a year.
	Monthly,
	/// Compressed time for development chains: a period every `period_ms` milliseconds, each
	/// standing for one of `periods_per_year` regular periods (see the module docs).
	EveryMillis {
		/// Length of every period, in milliseconds; never zero.
		period_ms: u64,
		/// How many of these periods make a nominal year; never zero.
		periods_per_year: u32,
	},
}

impl Frequency {
	/// Months in a period, for calendar frequencies; `None` for compressed periods.
	pub fn months(&self) -> Option<u8> {
		match self {
			Self::Annual => Some(12),
			Self::SemiAnnual => Some(6),
			Self::Quarterly => Some(3),
			Self::Monthly => Some(1),
			Self::EveryMillis { .. } => None,
		}
	}
}

/// What a schedule is computed from (all of it part of the bond's terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleSpec {
	/// Start of the first accrual period.
	pub issue_date: Timestamp,
	/// End of the last accrual period, when principal is due.
	pub maturity_date: Timestamp,
	/// Coupon frequency.
	pub frequency: Frequency,
	/// How accrual fractions are counted (calendar frequencies only).
	pub day_count: DayCount,
	/// How payment dates move off holidays (calendar frequencies only).
	pub business_day_convention: BusinessDayConvention,
	/// How long before a payment date its record date is, in ms (whole days for calendar
	/// frequencies).
	pub record_date_offset_ms: u64,
}

/// One coupon period.
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
pub struct CouponPeriod {
	/// Position in the schedule, from 0.
	pub index: u32,
	/// Accrual start (inclusive): the issue date or the previous unadjusted coupon date.
	pub accrual_start: Timestamp,
	/// Accrual end (exclusive): the unadjusted coupon date.
	pub accrual_end: Timestamp,
	/// Holders at this instant are entitled to the coupon.
	pub record_date: Timestamp,
	/// When the coupon is due (the adjusted coupon date).
	pub payment_date: Timestamp,
	/// The fraction of a year the period accrues.
	pub fraction: Fraction,
}

/// The coupon schedule of `spec`, in order. Errors name the offending input.
pub fn coupon_schedule(spec: &ScheduleSpec) -> Result<Vec<CouponPeriod>, Error> {
	if spec.maturity_date <= spec.issue_date {
		return Err(Error::MaturityNotAfterIssue);
	}
	let schedule = match spec.frequency {
		Frequency::EveryMillis { period_ms, periods_per_year } => {
			compressed_schedule(spec, period_ms, periods_per_year)
		}
		calendar => {
			let months = calendar.months().ok_or(Error::InvalidFrequency)?;
			calendar_schedule(spec, months)
		}
	}?;
	// Entitlements are checkpointed record date by record date, so they must come in order.
	// Rolled payment dates could otherwise put a record date before the previous one.
	if schedule.windows(2).any(|pair| matches!(pair, [a, b] if b.record_date <= a.record_date)) {
		return Err(Error::RecordDatesNotIncreasing);
	}
	Ok(schedule)
}

fn compressed_schedule(
	spec: &ScheduleSpec,
	period_ms: u64,
	periods_per_year: u32,
) -> Result<Vec<CouponPeriod>, Error> {
	if period_ms == 0 {
		return Err(Error::ZeroPeriodLength);
	}
	if periods_per_year == 0 {
		return Err(Error::InvalidFrequency);
	}
	let life = spec.maturity_date.sub_c(spec.issue_date)?;
	if life.rem_c(period_ms)? != 0 {
		return Err(Error::MaturityOffPeriodGrid);
	}
	let count = life.div_c(period_ms)?;
	if count > u64::from(MAX_PERIODS) {
		return Err(Error::TooManyPeriods);
	}
	let fraction = Fraction::new(1, u128::from(periods_per_year))?;
	let mut periods = Vec::new();
	let mut start = spec.issue_date;
	for index in 0..u32::try_from(count).map_err(|_| Error::TooManyPeriods)? {
		let end = start.add_c(period_ms)?;
		let record_date = record_date(end, start, spec.record_date_offset_ms)?;
		periods.push(CouponPeriod {
			index,
			accrual_start: start,
			accrual_end: end,
			record_date,
			payment_date: end,
			fraction,
		});
		start = end;
	}
	Ok(periods)
}

fn calendar_schedule(spec: &ScheduleSpec, months: u8) -> Result<Vec<CouponPeriod>, Error> {
	let issue = Date::from_midnight_millis(spec.issue_date).map_err(|e| match e {
		Error::NotMidnight => Error::IssueDateNotMidnight,
		other => other,
	})?;
	let maturity = Date::from_midnight_millis(spec.maturity_date).map_err(|e| match e {
		Error::NotMidnight => Error::MaturityDateNotMidnight,
		other => other,
	})?;
	if spec.record_date_offset_ms.rem_c(MILLIS_PER_DAY)? != 0 {
		return Err(Error::RecordOffsetNotWholeDays);
	}
	let end_of_month = maturity.is_last_day_of_month() && maturity.month() != 2;
	let step = i32::from(months);

	// Unadjusted coupon dates after the issue date, latest first: maturity, maturity - 1
	// period, ... Each is computed from the maturity date itself, and so is the start of the
	// regular period it ends (the grid date one step earlier): for every period but a short
	// first one that is the previous coupon date, so a regular period is exactly one period of
	// the grid even where a day was clipped to a month's end (a 29 February maturity: 29 August
	// to 28 February is a regular half year).
	let grid = |steps: i32| -> Result<Date, Error> {
		let offset = step.mul_c(steps)?.checked_neg().ok_or(Error::Overflow)?;
		maturity.add_months_eom(offset, end_of_month)
	};
	let mut coupon_dates = Vec::new();
	let mut k: i32 = 0;
	loop {
		let date = match grid(k) {
			Ok(date) => date,
			// Before the calendar's first year: certainly before the issue date.
			Err(Error::InvalidDate) => break,
			Err(other) => return Err(other),
		};
		if date <= issue {
			break;
		}
		if coupon_dates.len() >= MAX_PERIODS as usize {
			return Err(Error::TooManyPeriods);
		}
		coupon_dates.push((date, k));
		k = k.add_c(1)?;
	}
	coupon_dates.reverse();

	let mut periods = Vec::with_capacity(coupon_dates.len());
	let mut start = issue;
	for (index, (end, k)) in coupon_dates.into_iter().enumerate() {
		// The regular period ending on this coupon date: the period itself, or for a short
		// first coupon the notional period it falls in (ACT/ACT ICMA).
		let regular = RegularPeriod { start: grid(k.add_c(1)?)?, end, months, end_of_month };
		let fraction = spec.day_count.year_fraction(start, end, Some(&regular))?;
		let accrual_start = start.to_unix_millis()?;
		let payment_date = spec.business_day_convention.adjust(end)?.to_unix_millis()?;
		periods.push(CouponPeriod {
			index: u32::try_from(index).map_err(|_| Error::TooManyPeriods)?,
			accrual_start,
			accrual_end: end.to_unix_millis()?,
			record_date: record_date(payment_date, accrual_start, spec.record_date_offset_ms)?,
			payment_date,
			fraction,
		});
		start = end;
	}
	Ok(periods)
}

/// `payment_date - offset`, which must fall after the accrual start so each period's record
/// date comes after the previous period's.
fn record_date(
	payment_date: Timestamp,
	accrual_start: Timestamp,
	offset: u64,
) -> Result<Timestamp, Error> {
	match payment_date.checked_sub(offset) {
		Some(record) if record > accrual_start => Ok(record),
		_ => Err(Error::RecordDateBeforeAccrualStart),
	}
}

/// The period whose accrual ends exactly at `accrual_end` (an unadjusted coupon date).
pub fn period_ending_at(
	schedule: &[CouponPeriod],
	accrual_end: Timestamp,
) -> Option<&CouponPeriod> {
	schedule.iter().find(|p| p.accrual_end == accrual_end)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	fn ms(y: i32, m: u8, d: u8) -> Timestamp {
		Date::new(y, m, d).unwrap().to_unix_millis().unwrap()
	}

	fn frac(n: u128, d: u128) -> Fraction {
		Fraction::new(n, d).unwrap()
	}

	fn spec(issue: Timestamp, maturity: Timestamp, frequency: Frequency) -> ScheduleSpec {
		ScheduleSpec {
			issue_date: issue,
			maturity_date: maturity,
			frequency,
			day_count: DayCount::Thirty360,
			business_day_convention: BusinessDayConvention::ModifiedFollowing,
			record_date_offset_ms: MILLIS_PER_DAY,
		}
	}

	#[test]
	fn semi_annual_30_360_schedule_has_regular_halves_and_rolled_payment_dates() {
		// 3-year bond, 15 Jun 2025 - 15 Jun 2028, semi-annual.
		let s = coupon_schedule(&spec(ms(2025, 6, 15), ms(2028, 6, 15), Frequency::SemiAnnual))
			.unwrap();
		assert_eq!(s.len(), 6);
		let ends: Vec<_> = s.iter().map(|p| p.accrual_end).collect();
		assert_eq!(
			ends,
			vec![
				ms(2025, 12, 15),
				ms(2026, 6, 15),
				ms(2026, 12, 15),
				ms(2027, 6, 15),
				ms(2027, 12, 15),
				ms(2028, 6, 15)
			]
		);
		assert!(s.iter().all(|p| p.fraction == frac(1, 2)));
		assert_eq!(s[0].accrual_start, ms(2025, 6, 15));
		for pair in s.windows(2) {
			assert_eq!(pair[0].accrual_end, pair[1].accrual_start);
		}
		// All six coupon dates are weekdays, so they are paid as they fall.
		assert!(s.iter().all(|p| p.payment_date == p.accrual_end));
		assert_eq!(s[5].record_date, ms(2028, 6, 14));
		assert_eq!(s.iter().map(|p| p.index).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5]);
	}

	#[test]
	fn act_act_icma_regular_periods_are_whole_even_where_a_leap_day_was_clipped() {
		// Maturity 29 February 2032, semi-annual: coupon dates 29 August and 28 February
		// (29 February in leap years). 29 August 2029 to 28 February 2030 is a regular half
		// year of the grid, so it accrues exactly 1/2, as QuantLib says; measured against a
		// notional period stepped back from 28 February (28 August) it would be 183/368.
		let icma = ScheduleSpec {
			day_count: DayCount::ActActIcma,
			..spec(ms(2029, 2, 28), ms(2032, 2, 29), Frequency::SemiAnnual)
		};
		let s = coupon_schedule(&icma).unwrap();
		assert_eq!(s.len(), 6);
		assert_eq!((s[1].accrual_start, s[1].accrual_end), (ms(2029, 8, 29), ms(2030, 2, 28)));
		assert!(s.iter().all(|p| p.fraction == frac(1, 2)), "{s:?}");
		// Monthly to 29 March: 29 January to 28 February is one regular month: 1/12.
		let monthly = ScheduleSpec {
			day_count: DayCount::ActActIcma,
			..spec(ms(2029, 1, 29), ms(2030, 3, 29), Frequency::Monthly)
		};
		let s = coupon_schedule(&monthly).unwrap();
		assert_eq!((s[0].accrual_start, s[0].accrual_end), (ms(2029, 1, 29), ms(2029, 2, 28)));
		assert!(s.iter().all(|p| p.fraction == frac(1, 12)), "{s:?}");
	}

	#[test]
	fn payment_on_a_saturday_moves_and_the_record_date_follows_it() {
		// Annual coupons on 31 May; 31 May 2025 is a Saturday, 31 May 2026 a Sunday.
		let s =
			coupon_schedule(&spec(ms(2024, 5, 31), ms(2026, 5, 31), Frequency::Annual)).unwrap();
		assert_eq!(s.len(), 2);
		// Modified Following stays in May: Friday 30 May 2025, Friday 29 May 2026.
		assert_eq!(s[0].payment_date, ms(2025, 5, 30));
		assert_eq!(s[0].record_date, ms(2025, 5, 29));
		assert_eq!(s[1].payment_date, ms(2026, 5, 29));
		// Accrual stays on the unadjusted dates.
		assert_eq!(s[0].accrual_end, ms(2025, 5, 31));
		assert_eq!(s[1].accrual_start, ms(2025, 5, 31));
		let mut following = spec(ms(2024, 5, 31), ms(2026, 5, 31), Frequency::Annual);
		following.business_day_convention = BusinessDayConvention::Following;
		let s = coupon_schedule(&following).unwrap();
		assert_eq!(s[0].payment_date, ms(2025, 6, 2));
		assert_eq!(s[1].payment_date, ms(2026, 6, 1));
	}

	#[test]
	fn issue_off_the_grid_gives_a_short_first_coupon() {
		// ACT/ACT ICMA annual on 1 July, issued 1 Feb 1999: the first period is the ISDA 1998
		// short-first example, 150/365; the second a whole year.
		let mut s = spec(ms(1999, 2, 1), ms(2001, 7, 1), Frequency::Annual);
		s.day_count = DayCount::ActActIcma;
		s.business_day_convention = BusinessDayConvention::Unadjusted;
		let s = coupon_schedule(&s).unwrap();
		assert_eq!(s.len(), 3);
		assert_eq!((s[0].accrual_start, s[0].accrual_end), (ms(1999, 2, 1), ms(1999, 7, 1)));
		assert_eq!(s[0].fraction, frac(150, 365));
		assert_eq!(s[1].fraction, frac(1, 1));
		assert_eq!(s[2].fraction, frac(1, 1));
	}

	#[test]
	fn end_of_month_maturity_keeps_coupons_on_month_ends() {
		// Matures 30 Apr 2027, semi-annual: coupons 31 Oct, 30 Apr.
		let mut sp = spec(ms(2025, 4, 30), ms(2027, 4, 30), Frequency::SemiAnnual);
		sp.business_day_convention = BusinessDayConvention::Unadjusted;
		sp.day_count = DayCount::ActActIcma;
		let s = coupon_schedule(&sp).unwrap();
		let ends: Vec<_> = s.iter().map(|p| p.accrual_end).collect();
		assert_eq!(
			ends,
			vec![ms(2025, 10, 31), ms(2026, 4, 30), ms(2026, 10, 31), ms(2027, 4, 30)]
		);
		// Every period is regular, so ACT/ACT ICMA gives exactly 1/2 each time.
		assert!(s.iter().all(|p| p.fraction == frac(1, 2)));
	}

	#[test]
	fn act_act_icma_short_stub_in_an_end_of_month_bond_uses_the_month_end_notional_period() {
		// Issued 15 Jan 2024, coupons 30 Apr / 31 Oct: the stub 15 Jan - 30 Apr 2024 (106
		// days) lies in the notional period 31 Oct 2023 - 30 Apr 2024 (182 days).
		let mut sp = spec(ms(2024, 1, 15), ms(2025, 4, 30), Frequency::SemiAnnual);
		sp.day_count = DayCount::ActActIcma;
		let s = coupon_schedule(&sp).unwrap();
		assert_eq!(s.len(), 3);
		assert_eq!(s[0].fraction, frac(106, 364));
	}

	#[test]
	fn quarterly_and_monthly_schedules_count_their_periods() {
		let q = coupon_schedule(&spec(ms(2025, 1, 15), ms(2030, 1, 15), Frequency::Quarterly));
		assert_eq!(q.map(|s| s.len()), Ok(20));
		let m =
			coupon_schedule(&spec(ms(2025, 1, 15), ms(2026, 1, 15), Frequency::Monthly)).unwrap();
		assert_eq!(m.len(), 12);
		assert!(m.iter().all(|p| p.fraction == frac(1, 12)));
	}

	#[test]
	fn act_365_fixed_fractions_follow_actual_days() {
		let mut sp = spec(ms(2024, 1, 15), ms(2025, 1, 15), Frequency::SemiAnnual);
		sp.day_count = DayCount::Act365Fixed;
		let s = coupon_schedule(&sp).unwrap();
		// 15 Jan - 15 Jul 2024 is 182 days, 15 Jul 2024 - 15 Jan 2025 is 184.
		assert_eq!(s[0].fraction, frac(182, 365));
		assert_eq!(s[1].fraction, frac(184, 365));
	}

	#[test]
	fn calendar_schedules_need_midnight_dates_and_whole_day_record_offsets() {
		let base = spec(ms(2025, 1, 15), ms(2026, 1, 15), Frequency::Annual);
		let mut s = base;
		s.issue_date += 1;
		assert_eq!(coupon_schedule(&s), Err(Error::IssueDateNotMidnight));
		let mut s = base;
		s.maturity_date += 1;
		assert_eq!(coupon_schedule(&s), Err(Error::MaturityDateNotMidnight));
		let mut s = base;
		s.record_date_offset_ms = 3_600_000;
		assert_eq!(coupon_schedule(&s), Err(Error::RecordOffsetNotWholeDays));
		let mut s = base;
		s.record_date_offset_ms = 400 * MILLIS_PER_DAY;
		assert_eq!(coupon_schedule(&s), Err(Error::RecordDateBeforeAccrualStart));
		let mut s = base;
		s.maturity_date = s.issue_date;
		assert_eq!(coupon_schedule(&s), Err(Error::MaturityNotAfterIssue));
	}

	#[test]
	fn compressed_periods_accrue_one_nominal_period_each() {
		// Ten-minute periods standing for quarters; record date 1 minute before payment.
		let issue = 1_750_000_000_000;
		let frequency = Frequency::EveryMillis { period_ms: 600_000, periods_per_year: 4 };
		let mut sp = spec(issue, issue + 8 * 600_000, frequency);
		sp.record_date_offset_ms = 60_000;
		let s = coupon_schedule(&sp).unwrap();
		assert_eq!(s.len(), 8);
		for (k, p) in s.iter().enumerate() {
			let k = k as u64;
			assert_eq!(p.accrual_start, issue + k * 600_000);
			assert_eq!(p.accrual_end, issue + (k + 1) * 600_000);
			assert_eq!(p.payment_date, p.accrual_end);
			assert_eq!(p.record_date, p.accrual_end - 60_000);
			assert_eq!(p.fraction, frac(1, 4));
		}
	}

	#[test]
	fn compressed_schedules_refuse_bad_grids() {
		let issue = 1_750_000_000_000;
		let every =
			|period_ms, periods_per_year| Frequency::EveryMillis { period_ms, periods_per_year };
		let mut sp = spec(issue, issue + 1_000, every(0, 4));
		sp.record_date_offset_ms = 0;
		assert_eq!(coupon_schedule(&sp), Err(Error::ZeroPeriodLength));
		sp.frequency = every(100, 0);
		assert_eq!(coupon_schedule(&sp), Err(Error::InvalidFrequency));
		sp.frequency = every(300, 4);
		assert_eq!(coupon_schedule(&sp), Err(Error::MaturityOffPeriodGrid));
		sp.frequency = every(1, 4);
		sp.maturity_date = issue + u64::from(MAX_PERIODS) + 1;
		assert_eq!(coupon_schedule(&sp), Err(Error::TooManyPeriods));
		sp.frequency = every(100, 4);
		sp.maturity_date = issue + 1_000;
		sp.record_date_offset_ms = 100;
		assert_eq!(coupon_schedule(&sp), Err(Error::RecordDateBeforeAccrualStart));
	}

	#[test]
	fn record_dates_strictly_increase_for_every_frequency_and_convention() {
		// The checkpoint logic relies on it. (The guard in `coupon_schedule` cannot trigger
		// with weekends as the only holidays: periods are far longer than a weekend roll.)
		let conventions = [
			BusinessDayConvention::Unadjusted,
			BusinessDayConvention::Following,
			BusinessDayConvention::ModifiedFollowing,
			BusinessDayConvention::Preceding,
		];
		let frequencies =
			[Frequency::Annual, Frequency::SemiAnnual, Frequency::Quarterly, Frequency::Monthly];
		for convention in conventions {
			for frequency in frequencies {
				for offset_days in [0, 1, 5] {
					let mut sp = spec(ms(2025, 5, 31), ms(2029, 8, 31), frequency);
					sp.business_day_convention = convention;
					sp.record_date_offset_ms = offset_days * MILLIS_PER_DAY;
					let s = coupon_schedule(&sp).unwrap();
					assert!(s.windows(2).all(|p| p[0].record_date < p[1].record_date));
					assert!(s.iter().all(|p| p.record_date > p.accrual_start));
				}
			}
		}
	}

	#[test]
	fn period_ending_at_finds_coupon_dates_only() {
		let s =
			coupon_schedule(&spec(ms(2025, 1, 15), ms(2027, 1, 15), Frequency::Annual)).unwrap();
		assert_eq!(period_ending_at(&s, ms(2026, 1, 15)).map(|p| p.index), Some(0));
		assert_eq!(period_ending_at(&s, ms(2026, 1, 16)), None);
	}
}
