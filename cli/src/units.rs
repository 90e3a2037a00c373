//! How a person writes the figures of a term sheet, and back: money and KPI values as decimal
//! strings (exact, through `rust_decimal`, never floating point), rates as percentages in whole
//! basis points, and durations as ISO 8601 durations.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// `text`, a non-negative decimal with at most `decimals` decimals, in minor units.
pub fn money(text: &str, decimals: u8) -> Result<u128, String> {
	let value = fixed(text, decimals)?;
	u128::try_from(value).map_err(|_| format!("`{text}` is negative"))
}

/// `amount` minor units written with exactly `decimals` decimals (`123456`, 2: `"1234.56"`).
pub fn format_money(amount: u128, decimals: u8) -> String {
	format_digits(&amount.to_string(), false, decimals)
}

/// `text`, a decimal with at most `decimals` decimals, as a fixed-point integer.
pub fn fixed(text: &str, decimals: u8) -> Result<i128, String> {
	let value = Decimal::from_str_exact(text.trim())
		.map_err(|e| format!("`{text}` is not a decimal number ({e})"))?;
	if text.trim() != text || text.contains(['e', 'E', '_']) {
		return Err(format!("`{text}` is not a plain decimal number"));
	}
	let value = value.normalize();
	if value.scale() > u32::from(decimals) {
		return Err(format!("`{text}` has more than {decimals} decimals"));
	}
	// mantissa × 10^(decimals - scale), checked.
	let mut units = value.mantissa();
	for _ in value.scale()..u32::from(decimals) {
		units = units.checked_mul(10).ok_or_else(|| format!("`{text}` is too large"))?;
	}
	Ok(units)
}

/// `value` (fixed point with `decimals` decimals) written with exactly `decimals` decimals.
pub fn format_fixed(value: i128, decimals: u8) -> String {
	format_digits(&value.unsigned_abs().to_string(), value < 0, decimals)
}

fn format_digits(digits: &str, negative: bool, decimals: u8) -> String {
	let decimals = usize::from(decimals);
	let padded = format!("{digits:0>width$}", width = decimals.saturating_add(1));
	let split = padded.len().saturating_sub(decimals);
	let (whole, fraction) = padded.split_at(split);
	let sign = if negative { "-" } else { "" };
	if fraction.is_empty() {
		format!("{sign}{whole}")
	} else {
		format!("{sign}{whole}.{fraction}")
	}
}

/// A percentage (`"4.25"`) in whole basis points (425); refuses negatives.
pub fn percent_bps(text: &str) -> Result<u32, String> {
	let bps = fixed(text, 2).map_err(|e| format!("{e} (a percentage in whole basis points)"))?;
	u32::try_from(bps).map_err(|_| format!("`{text}` is negative or too large"))
}

/// A signed percentage (`"-0.25"`) in whole basis points (-25).
pub fn percent_bps_signed(text: &str) -> Result<i32, String> {
	let bps = fixed(text, 2).map_err(|e| format!("{e} (a percentage in whole basis points)"))?;
	i32::try_from(bps).map_err(|_| format!("`{text}` is too large"))
}

/// `bps` written as a percentage with two decimals (425: `"4.25"`).
pub fn format_percent(bps: i64) -> String {
	format_fixed(i128::from(bps), 2)
}

/// A length of time, written as an ISO 8601 duration of days, hours, minutes and seconds
/// (`P90D`, `PT30S`, `P1DT12H`, `PT0.5S`), held in milliseconds.
///
/// Years, months and weeks are refused: the first two have no fixed length, and the chain
/// counts in milliseconds. (The `iso8601` crate caps days at 31 and `iso8601-duration` holds
/// floating point, so this small parser is our own.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(u64);

impl Duration {
	/// A duration of `ms` milliseconds.
	pub fn from_millis(ms: u64) -> Self {
		Self(ms)
	}

	/// The duration in milliseconds.
	pub fn millis(&self) -> u64 {
		self.0
	}
}

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

impl FromStr for Duration {
	type Err = String;

	fn from_str(text: &str) -> Result<Self, String> {
		let bad =
			|why: &str| format!("`{text}` is not an ISO 8601 duration such as P1D or PT30S: {why}");
		let rest = text.strip_prefix('P').ok_or_else(|| bad("it starts with P"))?;
		let (date, time) = match rest.split_once('T') {
			Some((_, "")) => return Err(bad("nothing follows T")),
			Some((d, t)) => (d, Some(t)),
			None => (rest, None),
		};
		if date.is_empty() && time.is_none() {
			return Err(bad("it is empty"));
		}
		let mut total: u64 = 0;
		let mut add = |amount: u64| -> Result<(), String> {
			total = total.checked_add(amount).ok_or_else(|| bad("it is too long"))?;
			Ok(())
		};
		if !date.is_empty() {
			let days = date.strip_suffix('D').ok_or_else(|| {
				bad("only days (D) may come before T; years, months and weeks have no fixed length")
			})?;
			let days: u64 = days.parse().map_err(|_| bad("days are a whole number"))?;
			add(days.checked_mul(DAY).ok_or_else(|| bad("it is too long"))?)?;
		}
		if let Some(mut time) = time {
			for (unit, ms) in [('H', HOUR), ('M', MINUTE)] {
				if let Some((n, tail)) = time.split_once(unit) {
					let n: u64 =
						n.parse().map_err(|_| bad("hours and minutes are whole numbers"))?;
					add(n.checked_mul(ms).ok_or_else(|| bad("it is too long"))?)?;
					time = tail;
				}
			}
			if !time.is_empty() {
				let seconds = time.strip_suffix('S').ok_or_else(|| bad("unknown unit"))?;
				let ms = fixed(seconds, 3).map_err(|_| bad("seconds have at most 3 decimals"))?;
				add(u64::try_from(ms).map_err(|_| bad("seconds are not negative"))?)?;
			}
		}
		Ok(Self(total))
	}
}

impl fmt::Display for Duration {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let ms = self.0;
		let (days, rest) = (ms / DAY, ms % DAY);
		let (hours, rest) = (rest / HOUR, rest % HOUR);
		let (minutes, rest) = (rest / MINUTE, rest % MINUTE);
		let (seconds, millis) = (rest / SECOND, rest % SECOND);
		write!(f, "P")?;
		if days > 0 {
			write!(f, "{days}D")?;
		}
		if rest > 0 || hours > 0 || minutes > 0 || ms == 0 {
			write!(f, "T")?;
			if hours > 0 {
				write!(f, "{hours}H")?;
			}
			if minutes > 0 {
				write!(f, "{minutes}M")?;
			}
			if millis > 0 {
				let fraction = format!("{millis:03}");
				write!(f, "{seconds}.{}S", fraction.trim_end_matches('0'))?;
			} else if seconds > 0 || ms == 0 {
				write!(f, "{seconds}S")?;
			}
		}
		Ok(())
	}
}

impl Serialize for Duration {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.collect_str(self)
	}
}

impl<'de> Deserialize<'de> for Duration {
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = String::deserialize(deserializer)?;
		text.parse().map_err(serde::de::Error::custom)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn money_is_exact_and_refuses_what_it_cannot_hold() {
		assert_eq!(money("1000.00", 2), Ok(100_000));
		assert_eq!(money("1000", 2), Ok(100_000));
		assert_eq!(money("0.07", 2), Ok(7));
		assert_eq!(format_money(100_000, 2), "1000.00");
		assert_eq!(format_money(7, 2), "0.07");
		assert_eq!(format_money(7, 0), "7");
		assert!(money("0.001", 2).unwrap_err().contains("more than 2 decimals"));
		assert!(money("-5", 2).unwrap_err().contains("negative"));
		assert!(money("1e3", 2).is_err());
		assert!(money("12,50", 2).is_err());
		assert!(money(" 1", 2).is_err());
		assert!(money("99999999999999999999999999999", 2).is_err());
	}

	#[test]
	fn percentages_are_whole_basis_points() {
		assert_eq!(percent_bps("4.25"), Ok(425));
		assert_eq!(percent_bps("4"), Ok(400));
		assert_eq!(percent_bps_signed("-0.25"), Ok(-25));
		assert_eq!(format_percent(425), "4.25");
		assert_eq!(format_percent(-25), "-0.25");
		assert_eq!(format_percent(0), "0.00");
		assert!(percent_bps("4.255").unwrap_err().contains("basis points"));
		assert!(percent_bps("-1").is_err());
	}

	#[test]
	fn kpi_values_keep_the_feeds_decimals() {
		assert_eq!(fixed("-12.5", 3), Ok(-12_500));
		assert_eq!(format_fixed(-12_500, 3), "-12.500");
		assert_eq!(format_fixed(5, 3), "0.005");
		assert_eq!(format_fixed(-5, 0), "-5");
	}

	#[test]
	fn durations_read_and_write_iso_8601_days_to_milliseconds() {
		for (text, ms) in [
			("P1D", DAY),
			("PT30S", 30 * SECOND),
			("P90D", 90 * DAY),
			("P1DT12H", DAY + 12 * HOUR),
			("PT1H30M", HOUR + 30 * MINUTE),
			("PT0.5S", 500),
			("PT0S", 0),
		] {
			let d: Duration = text.parse().unwrap();
			assert_eq!(d.millis(), ms, "{text}");
			assert_eq!(d.to_string(), text, "{text}");
		}
		assert_eq!("PT90M".parse::<Duration>().unwrap().to_string(), "PT1H30M");
		for bad in ["1D", "P1M", "P1Y", "P2W", "PT", "P", "PT1.0001S", "PT-1S", "P1.5D", "PTxS"] {
			assert!(bad.parse::<Duration>().is_err(), "{bad}");
		}
	}
}
