//! The day counts, schedules and business-day rolls against an independent reference:
//! QuantLib 1.44, whose results `vectors/quantlib_reference.py` wrote to `vectors/*.csv` (the
//! command is in the script). Every start date of February 2023 and of 2024 with ten spans, and
//! 168 bonds (month-end, 29th, 30th, 1st and 15th maturities, regular and short first coupons,
//! four frequencies) under every day count and business-day convention.
//!
//! Our fractions are exact rationals; QuantLib's are doubles, so they agree when they differ
//! by less than 1e-12 (a double holds these to about 1e-16).

// A test compares against floating-point reference values; nothing here computes money.
#![allow(clippy::arithmetic_side_effects, clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::cast_precision_loss, clippy::float_arithmetic)]

use green_bond_rules::{
	calendar::{BusinessDayConvention, Date},
	daycount::{DayCount, Fraction},
	schedule::{coupon_schedule, Frequency, ScheduleSpec},
};
use std::collections::BTreeMap;

const TOLERANCE: f64 = 1e-12;

fn vectors(name: &str) -> Vec<Vec<String>> {
	let path = format!("{}/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
	let text = std::fs::read_to_string(&path).expect(&path);
	text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

fn date(text: &str) -> Date {
	let parts: Vec<u32> = text.split('-').map(|p| p.parse().unwrap()).collect();
	Date::new(parts[0] as i32, parts[1] as u8, parts[2] as u8).unwrap()
}

fn value(f: Fraction) -> f64 {
	f.numerator as f64 / f.denominator as f64
}

const DAY_COUNTS: [(&str, DayCount); 4] = [
	("30/360", DayCount::Thirty360),
	("30E/360", DayCount::ThirtyE360),
	("ACT/365F", DayCount::Act365Fixed),
	("ACT/360", DayCount::Act360),
];

const CONVENTIONS: [BusinessDayConvention; 4] = [
	BusinessDayConvention::Unadjusted,
	BusinessDayConvention::Following,
	BusinessDayConvention::ModifiedFollowing,
	BusinessDayConvention::Preceding,
];

#[test]
fn day_counts_agree_with_quantlib_over_every_start_date_of_a_leap_year() {
	let rows = vectors("daycounts.csv");
	assert_eq!(rows.len(), (28 + 366) * 10);
	for row in &rows {
		let (start, end) = (date(&row[0]), date(&row[1]));
		for (i, (name, day_count)) in DAY_COUNTS.iter().enumerate() {
			let ours = value(day_count.year_fraction(start, end, None).unwrap());
			let reference: f64 = row[2 + i].parse().unwrap();
			assert!(
				(ours - reference).abs() < TOLERANCE,
				"{name} {} to {}: ours {ours}, QuantLib {reference}",
				row[0],
				row[1]
			);
		}
	}
}

#[test]
fn schedules_rolls_and_fractions_agree_with_quantlib() {
	// Rows grouped by bond: (maturity, issue, months) → its periods in order.
	let mut bonds: BTreeMap<(String, String, u8), Vec<Vec<String>>> = BTreeMap::new();
	for row in vectors("schedules.csv") {
		let key = (row[0].clone(), row[1].clone(), row[2].parse().unwrap());
		bonds.entry(key).or_default().push(row);
	}
	assert_eq!(bonds.len(), 14 * 4 * 3);
	let all_day_counts: Vec<(&str, DayCount)> =
		DAY_COUNTS.iter().copied().chain([("ACT/ACT ICMA", DayCount::ActActIcma)]).collect();
	let mut compared = 0usize;
	for ((maturity, issue, months), periods) in &bonds {
		let frequency = match months {
			12 => Frequency::Annual,
			6 => Frequency::SemiAnnual,
			3 => Frequency::Quarterly,
			1 => Frequency::Monthly,
			other => panic!("frequency of {other} months"),
		};
		for (c, convention) in CONVENTIONS.iter().enumerate() {
			for (d, (name, day_count)) in all_day_counts.iter().enumerate() {
				let spec = ScheduleSpec {
					issue_date: date(issue).to_unix_millis().unwrap(),
					maturity_date: date(maturity).to_unix_millis().unwrap(),
					frequency,
					day_count: *day_count,
					business_day_convention: *convention,
					record_date_offset_ms: 0,
				};
				let ours = coupon_schedule(&spec).unwrap();
				let case =
					format!("{issue} to {maturity}, every {months} months, {convention:?}, {name}");
				assert_eq!(ours.len(), periods.len(), "{case}: number of periods");
				for (period, row) in ours.iter().zip(periods) {
					let at = |text: &str| date(text).to_unix_millis().unwrap();
					assert_eq!(
						period.accrual_start,
						at(&row[4]),
						"{case}: period {} start",
						row[3]
					);
					assert_eq!(period.accrual_end, at(&row[5]), "{case}: period {} end", row[3]);
					assert_eq!(
						period.payment_date,
						at(&row[6 + c]),
						"{case}: period {} payment",
						row[3]
					);
					let reference: f64 = row[10 + d].parse().unwrap();
					let fraction = value(period.fraction);
					assert!(
						(fraction - reference).abs() < TOLERANCE,
						"{case}: period {} fraction ours {fraction}, QuantLib {reference}",
						row[3]
					);
					compared += 1;
				}
			}
		}
	}
	assert_eq!(compared, 2_380 * 4 * 5);
}

#[test]
fn under_act_act_icma_a_regular_period_accrues_exactly_one_over_the_frequency() {
	// Exactly, not within a tolerance: every period after the first of each reference bond,
	// and the first when the bond is issued on the grid (QuantLib's fraction is then 1/f too).
	let mut checked = 0usize;
	for row in vectors("schedules.csv") {
		let months: u8 = row[2].parse().unwrap();
		let per_year = u128::from(12 / months);
		let first = row[3] == "0";
		let reference: f64 = row[14].parse().unwrap();
		if first && (reference - 1.0 / per_year as f64).abs() > TOLERANCE {
			continue; // a short first coupon
		}
		let frequency = match months {
			12 => Frequency::Annual,
			6 => Frequency::SemiAnnual,
			3 => Frequency::Quarterly,
			_ => Frequency::Monthly,
		};
		let spec = ScheduleSpec {
			issue_date: date(&row[1]).to_unix_millis().unwrap(),
			maturity_date: date(&row[0]).to_unix_millis().unwrap(),
			frequency,
			day_count: DayCount::ActActIcma,
			business_day_convention: BusinessDayConvention::Unadjusted,
			record_date_offset_ms: 0,
		};
		let index: usize = row[3].parse().unwrap();
		let period = coupon_schedule(&spec).unwrap()[index];
		assert_eq!(period.fraction, Fraction::new(1, per_year).unwrap(), "{row:?}");
		checked += 1;
	}
	assert!(checked > 2_000, "{checked}");
}
