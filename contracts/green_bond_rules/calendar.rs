//! Calendar dates in the proleptic Gregorian calendar, UTC.
//!
//! Contract time is milliseconds since the Unix epoch ([`Timestamp`]); bond terms speak in
//! dates. A [`Date`] converts to and from a day count since 1970-01-01 with Howard Hinnant's
//! `days_from_civil` / `civil_from_days` algorithms
//! (<https://howardhinnant.github.io/date_algorithms.html>), restricted to the years
//! [`MIN_YEAR`]..=[`MAX_YEAR`] so that every date is a non-negative number of milliseconds
//! and every intermediate value fits comfortably.
//!
//! Business days: Saturday and Sunday are the only holidays. A deployment with a public-holiday
//! calendar would extend [`Date::is_business_day`]; the conventions themselves stay the same.

use crate::{math::Checked, Error, Timestamp};

/// Milliseconds in a day (no leap seconds: Unix time).
pub const MILLIS_PER_DAY: u64 = 86_400_000;

/// The earliest year a [`Date`] may have: the Unix epoch's.
pub const MIN_YEAR: i32 = 1970;

/// The latest year a [`Date`] may have.
pub const MAX_YEAR: i32 = 9999;

/// Days from 0000-03-01 to 1970-01-01 in Hinnant's shifted calendar.
const EPOCH_SHIFT: u64 = 719_468;

/// Days in a 400-year Gregorian era.
const DAYS_PER_ERA: u64 = 146_097;

/// A day of the week.
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
pub enum Weekday {
	/// Monday.
	Monday,
	/// Tuesday.
	Tuesday,
	/// Wednesday.
	Wednesday,
	/// Thursday.
	Thursday,
	/// Friday.
	Friday,
	/// Saturday (a holiday).
	Saturday,
	/// Sunday (a holiday).
	Sunday,
}

/// A valid calendar date between [`MIN_YEAR`]-01-01 and [`MAX_YEAR`]-12-31. Ordering is
/// chronological (year, then month, then day). Not SCALE-decodable on purpose: decoding would
/// bypass [`Date::new`]'s checks; contracts store [`Timestamp`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
	year: i32,
	month: u8,
	day: u8,
}

/// Whether `year` is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
	let divisible = |n: i32| year.checked_rem(n) == Some(0);
	divisible(4) && (!divisible(100) || divisible(400))
}

/// Days in `month` (1..=12) of `year`; 0 for a month out of range.
pub fn days_in_month(year: i32, month: u8) -> u8 {
	match month {
		1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
		4 | 6 | 9 | 11 => 30,
		2 if is_leap_year(year) => 29,
		2 => 28,
		_ => 0,
	}
}

impl Date {
	/// The date `year-month-day`, or [`Error::InvalidDate`] if it does not exist or lies
	/// outside [`MIN_YEAR`]..=[`MAX_YEAR`].
	pub fn new(year: i32, month: u8, day: u8) -> Result<Self, Error> {
		if !(MIN_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
			return Err(Error::InvalidDate);
		}
		Ok(Self { year, month, day })
	}

	/// The year.
	pub fn year(&self) -> i32 {
		self.year
	}

	/// The month, 1..=12.
	pub fn month(&self) -> u8 {
		self.month
	}

	/// The day of the month, 1..=31.
	pub fn day(&self) -> u8 {
		self.day
	}

	/// Whether this is the last day of its month (e.g. 28 February 2023, 29 February 2024).
	pub fn is_last_day_of_month(&self) -> bool {
		self.day == days_in_month(self.year, self.month)
	}

	/// The last day of this date's month.
	pub fn last_day_of_month(&self) -> Self {
		Self { day: days_in_month(self.year, self.month), ..*self }
	}

	/// Days since 1970-01-01 (Hinnant's `days_from_civil`).
	pub fn days_since_epoch(&self) -> Result<u64, Error> {
		// The shifted year starts on 1 March, so the leap day is the last day of the year.
		let year = u64::try_from(self.year).map_err(|_| Error::InvalidDate)?;
		let month = u64::from(self.month);
		let year = if month <= 2 { year.sub_c(1)? } else { year };
		let era = year.div_c(400)?;
		let year_of_era = year.sub_c(era.mul_c(400)?)?;
		let shifted_month = if month > 2 { month.sub_c(3)? } else { month.add_c(9)? };
		let day_of_year = 153u64
			.mul_c(shifted_month)?
			.add_c(2)?
			.div_c(5)?
			.add_c(u64::from(self.day))?
			.sub_c(1)?;
		let day_of_era = year_of_era
			.mul_c(365)?
			.add_c(year_of_era.div_c(4)?)?
			.sub_c(year_of_era.div_c(100)?)?
			.add_c(day_of_year)?;
		era.mul_c(DAYS_PER_ERA)?.add_c(day_of_era)?.sub_c(EPOCH_SHIFT)
	}

	/// The date `days` days after 1970-01-01 (Hinnant's `civil_from_days`), or
	/// [`Error::InvalidDate`] past [`MAX_YEAR`].
	pub fn from_days_since_epoch(days: u64) -> Result<Self, Error> {
		let z = days.add_c(EPOCH_SHIFT)?;
		let era = z.div_c(DAYS_PER_ERA)?;
		let day_of_era = z.sub_c(era.mul_c(DAYS_PER_ERA)?)?;
		let year_of_era = day_of_era
			.sub_c(day_of_era.div_c(1460)?)?
			.add_c(day_of_era.div_c(36_524)?)?
			.sub_c(day_of_era.div_c(DAYS_PER_ERA.sub_c(1)?)?)?
			.div_c(365)?;
		let day_of_year = day_of_era.sub_c(
			year_of_era.mul_c(365)?.add_c(year_of_era.div_c(4)?)?.sub_c(year_of_era.div_c(100)?)?,
		)?;
		let shifted_month = day_of_year.mul_c(5)?.add_c(2)?.div_c(153)?;
		let day = day_of_year.sub_c(shifted_month.mul_c(153)?.add_c(2)?.div_c(5)?)?.add_c(1)?;
		let month =
			if shifted_month < 10 { shifted_month.add_c(3)? } else { shifted_month.sub_c(9)? };
		let year = year_of_era.add_c(era.mul_c(400)?)?;
		let year = if month <= 2 { year.add_c(1)? } else { year };
		let year = i32::try_from(year).map_err(|_| Error::InvalidDate)?;
		let month = u8::try_from(month).map_err(|_| Error::InvalidDate)?;
		let day = u8::try_from(day).map_err(|_| Error::InvalidDate)?;
		Self::new(year, month, day)
	}

	/// The date containing the instant `ms` (milliseconds since the Unix epoch, UTC).
	pub fn from_unix_millis(ms: Timestamp) -> Result<Self, Error> {
		Self::from_days_since_epoch(ms.div_c(MILLIS_PER_DAY)?)
	}

	/// Midnight (00:00 UTC) at the start of this date, in milliseconds since the Unix epoch.
	pub fn to_unix_millis(&self) -> Result<Timestamp, Error> {
		self.days_since_epoch()?.mul_c(MILLIS_PER_DAY)
	}

	/// The date at midnight `ms`, or [`Error::NotMidnight`] if `ms` is not the start of a day.
	pub fn from_midnight_millis(ms: Timestamp) -> Result<Self, Error> {
		if ms.rem_c(MILLIS_PER_DAY)? != 0 {
			return Err(Error::NotMidnight);
		}
		Self::from_unix_millis(ms)
	}

	/// The day of the week.
	pub fn weekday(&self) -> Result<Weekday, Error> {
		// 1970-01-01 was a Thursday (index 3 counting from Monday = 0).
		Ok(match self.days_since_epoch()?.add_c(3)?.rem_c(7)? {
			0 => Weekday::Monday,
			1 => Weekday::Tuesday,
			2 => Weekday::Wednesday,
			3 => Weekday::Thursday,
			4 => Weekday::Friday,
			5 => Weekday::Saturday,
			_ => Weekday::Sunday,
		})
	}

	/// Whether payments may settle on this date: any day but Saturday and Sunday.
	pub fn is_business_day(&self) -> Result<bool, Error> {
		Ok(!matches!(self.weekday()?, Weekday::Saturday | Weekday::Sunday))
	}

	/// The date `days` days later (or earlier, for a negative `days`).
	pub fn add_days(&self, days: i64) -> Result<Self, Error> {
		let current = i64::try_from(self.days_since_epoch()?).map_err(|_| Error::Overflow)?;
		let target = u64::try_from(current.add_c(days)?).map_err(|_| Error::InvalidDate)?;
		Self::from_days_since_epoch(target)
	}

	/// Days from `self` to `later`; [`Error::DatesOutOfOrder`] if `later` is earlier.
	pub fn days_until(&self, later: &Date) -> Result<u64, Error> {
		later
			.days_since_epoch()?
			.checked_sub(self.days_since_epoch()?)
			.ok_or(Error::DatesOutOfOrder)
	}

	/// The same day `months` months later (earlier if negative). A day the target month does
	/// not have becomes its last day: 31 January + 1 month is 28 (or 29) February.
	pub fn add_months(&self, months: i32) -> Result<Self, Error> {
		let index = i64::from(self.year)
			.mul_c(12)?
			.add_c(i64::from(self.month).sub_c(1)?)?
			.add_c(i64::from(months))?;
		let year = index.checked_div_euclid(12).ok_or(Error::Overflow)?;
		let month = index.checked_rem_euclid(12).ok_or(Error::Overflow)?.add_c(1)?;
		let year = i32::try_from(year).map_err(|_| Error::InvalidDate)?;
		let month = u8::try_from(month).map_err(|_| Error::InvalidDate)?;
		if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
			return Err(Error::InvalidDate);
		}
		let day = self.day.min(days_in_month(year, month));
		Self::new(year, month, day)
	}

	/// Like [`Date::add_months`], but under the end-of-month rule: when `eom` is set, the
	/// result is the last day of its month (a bond maturing on 30 April pays on 31 October).
	pub fn add_months_eom(&self, months: i32, eom: bool) -> Result<Self, Error> {
		let date = self.add_months(months)?;
		Ok(if eom { date.last_day_of_month() } else { date })
	}
}

/// How a payment date that falls on a holiday moves (ISDA 2006 Definitions, Section 4.12).
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
pub enum BusinessDayConvention {
	/// The date stays as it is, holiday or not.
	Unadjusted,
	/// The next business day.
	Following,
	/// The next business day, unless that falls in the next month: then the previous one.
	ModifiedFollowing,
	/// The previous business day.
	Preceding,
}

impl BusinessDayConvention {
	/// `date` moved to a business day under this convention.
	pub fn adjust(&self, date: Date) -> Result<Date, Error> {
		match self {
			Self::Unadjusted => Ok(date),
			Self::Following => roll(date, 1),
			Self::Preceding => roll(date, -1),
			Self::ModifiedFollowing => {
				let following = roll(date, 1)?;
				if following.month() == date.month() {
					Ok(following)
				} else {
					roll(date, -1)
				}
			}
		}
	}
}

/// The first business day from `date` on, stepping `step` days at a time (+1 or -1). With
/// only weekends as holidays this takes at most two steps; the bound keeps it total anyway.
fn roll(date: Date, step: i64) -> Result<Date, Error> {
	let mut current = date;
	for _ in 0..7 {
		if current.is_business_day()? {
			return Ok(current);
		}
		current = current.add_days(step)?;
	}
	Err(Error::NoBusinessDay)
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;

	fn date(y: i32, m: u8, d: u8) -> Date {
		Date::new(y, m, d).unwrap()
	}

	#[test]
	fn invalid_dates_are_refused() {
		assert_eq!(Date::new(2023, 2, 29), Err(Error::InvalidDate));
		assert_eq!(Date::new(2100, 2, 29), Err(Error::InvalidDate));
		assert_eq!(Date::new(2024, 4, 31), Err(Error::InvalidDate));
		assert_eq!(Date::new(2024, 13, 1), Err(Error::InvalidDate));
		assert_eq!(Date::new(2024, 0, 1), Err(Error::InvalidDate));
		assert_eq!(Date::new(2024, 1, 0), Err(Error::InvalidDate));
		assert_eq!(Date::new(1969, 12, 31), Err(Error::InvalidDate));
		assert_eq!(Date::new(10_000, 1, 1), Err(Error::InvalidDate));
		assert!(Date::new(2000, 2, 29).is_ok());
		assert!(Date::new(2024, 2, 29).is_ok());
	}

	#[test]
	fn leap_years_follow_the_gregorian_rule() {
		assert!(is_leap_year(2000));
		assert!(is_leap_year(2024));
		assert!(!is_leap_year(1900));
		assert!(!is_leap_year(2023));
		assert!(!is_leap_year(2100));
	}

	#[test]
	fn days_since_epoch_match_known_dates() {
		assert_eq!(date(1970, 1, 1).days_since_epoch(), Ok(0));
		assert_eq!(date(1970, 3, 1).days_since_epoch(), Ok(59));
		assert_eq!(date(2000, 3, 1).days_since_epoch(), Ok(11_017));
		// `date -u -d 2024-02-29 +%s` = 1709164800 = 19782 days.
		assert_eq!(date(2024, 2, 29).days_since_epoch(), Ok(19_782));
		assert_eq!(date(9999, 12, 31).days_since_epoch(), Ok(2_932_896));
	}

	#[test]
	fn every_day_round_trips_and_follows_its_predecessor() {
		// Walk 1970-01-01 .. 2100-12-31 and check the calendar is gap-free and consistent.
		let mut previous = date(1970, 1, 1);
		assert_eq!(Date::from_days_since_epoch(0), Ok(previous));
		for days in 1..=47_846u64 {
			let d = Date::from_days_since_epoch(days).unwrap();
			assert_eq!(d.days_since_epoch(), Ok(days));
			let expected_next = if previous.is_last_day_of_month() {
				if previous.month() == 12 {
					date(previous.year() + 1, 1, 1)
				} else {
					date(previous.year(), previous.month() + 1, 1)
				}
			} else {
				date(previous.year(), previous.month(), previous.day() + 1)
			};
			assert_eq!(d, expected_next);
			previous = d;
		}
		assert_eq!(previous, date(2100, 12, 31));
	}

	#[test]
	fn days_past_the_last_year_are_refused() {
		assert_eq!(Date::from_days_since_epoch(2_932_897), Err(Error::InvalidDate));
	}

	#[test]
	fn unix_millis_convert_both_ways_at_midnight_utc() {
		// 2024-02-29T00:00:00Z = 1_709_164_800_000 ms.
		let leap_day = date(2024, 2, 29);
		assert_eq!(leap_day.to_unix_millis(), Ok(1_709_164_800_000));
		assert_eq!(Date::from_unix_millis(1_709_164_800_000), Ok(leap_day));
		// One millisecond before midnight is still the previous day.
		assert_eq!(Date::from_unix_millis(1_709_164_799_999), Ok(date(2024, 2, 28)));
		assert_eq!(Date::from_unix_millis(1_709_164_800_000 + 43_200_000), Ok(leap_day));
		assert_eq!(Date::from_midnight_millis(1_709_164_800_000), Ok(leap_day));
		assert_eq!(Date::from_midnight_millis(1_709_164_800_001), Err(Error::NotMidnight));
	}

	#[test]
	fn weekdays_of_known_dates() {
		assert_eq!(date(1970, 1, 1).weekday(), Ok(Weekday::Thursday));
		assert_eq!(date(2000, 1, 1).weekday(), Ok(Weekday::Saturday));
		assert_eq!(date(2024, 2, 29).weekday(), Ok(Weekday::Thursday));
		assert_eq!(date(2025, 6, 15).weekday(), Ok(Weekday::Sunday));
		assert_eq!(date(2025, 6, 16).weekday(), Ok(Weekday::Monday));
		assert_eq!(date(2025, 6, 16).is_business_day(), Ok(true));
		assert_eq!(date(2025, 6, 14).is_business_day(), Ok(false));
	}

	#[test]
	fn add_months_clamps_to_the_end_of_shorter_months() {
		assert_eq!(date(2023, 1, 31).add_months(1), Ok(date(2023, 2, 28)));
		assert_eq!(date(2024, 1, 31).add_months(1), Ok(date(2024, 2, 29)));
		assert_eq!(date(2024, 3, 31).add_months(-1), Ok(date(2024, 2, 29)));
		assert_eq!(date(2024, 8, 31).add_months(6), Ok(date(2025, 2, 28)));
		assert_eq!(date(2024, 11, 15).add_months(3), Ok(date(2025, 2, 15)));
		assert_eq!(date(2024, 1, 15).add_months(-13), Ok(date(2022, 12, 15)));
		assert_eq!(date(1970, 1, 15).add_months(-1), Err(Error::InvalidDate));
		assert_eq!(date(9999, 12, 1).add_months(1), Err(Error::InvalidDate));
	}

	#[test]
	fn end_of_month_rule_keeps_month_ends() {
		let april_end = date(2024, 4, 30);
		assert_eq!(april_end.add_months(6), Ok(date(2024, 10, 30)));
		assert_eq!(april_end.add_months_eom(6, true), Ok(date(2024, 10, 31)));
		assert_eq!(april_end.add_months_eom(-2, true), Ok(date(2024, 2, 29)));
	}

	#[test]
	fn add_days_and_days_until_are_inverse() {
		let d = date(2024, 12, 30);
		assert_eq!(d.add_days(3), Ok(date(2025, 1, 2)));
		assert_eq!(d.add_days(-365), Ok(date(2023, 12, 31)));
		assert_eq!(d.days_until(&date(2025, 1, 2)), Ok(3));
		assert_eq!(date(2025, 1, 2).days_until(&d), Err(Error::DatesOutOfOrder));
		assert_eq!(date(1970, 1, 1).add_days(-1), Err(Error::InvalidDate));
	}

	#[test]
	fn following_moves_a_saturday_to_monday() {
		let saturday = date(2025, 6, 14);
		assert_eq!(BusinessDayConvention::Following.adjust(saturday), Ok(date(2025, 6, 16)));
		assert_eq!(BusinessDayConvention::Preceding.adjust(saturday), Ok(date(2025, 6, 13)));
		assert_eq!(BusinessDayConvention::Unadjusted.adjust(saturday), Ok(saturday));
		let monday = date(2025, 6, 16);
		for convention in [
			BusinessDayConvention::Following,
			BusinessDayConvention::ModifiedFollowing,
			BusinessDayConvention::Preceding,
		] {
			assert_eq!(convention.adjust(monday), Ok(monday));
		}
	}

	#[test]
	fn modified_following_stays_in_the_month() {
		// 31 May 2025 is a Saturday: Following gives Monday 2 June, which leaves May, so
		// Modified Following takes Friday 30 May.
		let saturday = date(2025, 5, 31);
		assert_eq!(saturday.weekday(), Ok(Weekday::Saturday));
		assert_eq!(BusinessDayConvention::Following.adjust(saturday), Ok(date(2025, 6, 2)));
		assert_eq!(
			BusinessDayConvention::ModifiedFollowing.adjust(saturday),
			Ok(date(2025, 5, 30))
		);
		// Mid-month, Modified Following is Following: Sunday 15 June 2025 -> Monday 16 June.
		assert_eq!(
			BusinessDayConvention::ModifiedFollowing.adjust(date(2025, 6, 15)),
			Ok(date(2025, 6, 16))
		);
	}
}
