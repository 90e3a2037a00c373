//! KPI-linked coupons (ICMA Sustainability-Linked Bond Principles): targets, the fallback
//! clause, and the coupon rate of each period.
//!
//! ## Rule
//!
//! Each [`KpiLink`] names an oracle feed, a direction and a step in basis points (positive: a
//! step-up when the target is missed; negative: a step-down, i.e. a reward, when it is met —
//! see [`KpiLink::step_bps`]). Its [`KpiTarget`]s each belong to an **observation period**
//! `k` (a coupon period index) and name the oracle period to read and the target value. The
//! outcome observed for period `k` moves the coupon of period `k + 1` only:
//!
//! ```text
//! rate(k + 1) = clamp(base + Σ steps triggered for observation period k, floor, cap)
//! rate(0)     = clamp(base, floor, cap)
//! ```
//!
//! ## Fallback clause
//!
//! | outcome read        | before the observation date | at or after it            |
//! |---------------------|-----------------------------|---------------------------|
//! | `Final(v)`          | decided by `v`              | decided by `v`            |
//! | `Provisional(v)`    | undetermined (may be disputed) | **missed**             |
//! | `Disputed`          | undetermined                | **missed**                |
//! | `Pending`           | undetermined                | **missed**                |
//! | `Missing`, `Voided` | **missed**                  | **missed**                |
//!
//! A coupon is never fixed from a value auditors may still dispute: only a `Final` value
//! decides a target (the oracle reports a `Provisional` one whose challenge window has passed
//! undisputed as final). `Missing` and `Voided` are
//! terminal in the oracle, so waiting cannot help. The observation date is the terms' deadline:
//! whatever is not final by then, `Provisional`, `Disputed` or `Pending`, counts as missed, so
//! the rate can always be fixed by the observation date and no party gains by delaying a
//! dispute's resolution past it. Terms are refused at set-up when an observation date comes
//! before its feed period could be final, undisputed ([`FeedTiming::final_by`]: the period's
//! end, plus the oracle's report deadline, plus its challenge window; ICMA SLBP: verification
//! before the trigger date), so an honest, undisputed KPI is always final in time. Once fixed,
//! the contract stores the rate; later changes in the oracle do not move it.

use crate::{math::Checked, Bps, Error, Timestamp};
use alloc::vec::Vec;

/// An oracle feed's id (as in the KPI oracle pallet).
pub type FeedId = u32;

/// An oracle feed's period index (as in the KPI oracle pallet).
pub type FeedPeriod = u32;

/// A KPI value: fixed point with the feed's decimals (as in the KPI oracle pallet).
pub type KpiValue = i128;

/// Which side of the target is good.
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
pub enum Direction {
	/// Met when the value is at or above the target (e.g. renewable MWh produced).
	AtOrAbove,
	/// Met when the value is at or below the target (e.g. tonnes of CO2 emitted).
	AtOrBelow,
}

impl Direction {
	/// Whether `value` meets `target`.
	pub fn is_met(&self, value: KpiValue, target: KpiValue) -> bool {
		match self {
			Self::AtOrAbove => value >= target,
			Self::AtOrBelow => value <= target,
		}
	}
}

/// One sustainability performance target of a KPI.
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
pub struct KpiTarget {
	/// The coupon period whose performance this observes; the step applies to the next one.
	pub observation_period: u32,
	/// The oracle period to read.
	pub feed_period: FeedPeriod,
	/// The target, fixed point with the feed's decimals.
	pub target: KpiValue,
	/// The target observation date: from then on the fallback clause applies.
	pub observation_date: Timestamp,
}

/// A KPI the coupon is linked to (ICMA SLBP: KPI, SPT, coupon adjustment).
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct KpiLink {
	/// The oracle feed measuring it.
	pub feed: FeedId,
	/// Which side of the target is good.
	pub direction: Direction,
	/// The coupon adjustment in bp. Positive: a step-up, triggered when the target is
	/// **missed** (the usual SLB penalty). Negative: a step-down, triggered when the target is
	/// **met** (a reward). Never zero.
	pub step_bps: i32,
	/// The targets, by strictly increasing observation period.
	pub targets: Vec<KpiTarget>,
}

/// The outcome of one oracle period, as the contract reads it through the chain extension.
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
pub enum KpiOutcome {
	/// Nothing decided yet (no quorum, deadline not reached).
	Pending,
	/// A quorum's median, still within the auditors' challenge window.
	Provisional(KpiValue),
	/// Settled.
	Final(KpiValue),
	/// Disputed by an auditor, not yet resolved.
	Disputed,
	/// No quorum by the oracle's deadline.
	Missing,
	/// Voided by governance.
	Voided,
}

/// What one target's outcome came to.
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
pub enum TargetStatus {
	/// The value met the target.
	Met(KpiValue),
	/// The value missed the target.
	Missed(KpiValue),
	/// No usable value: the fallback clause counts the target as missed.
	MissedByFallback,
	/// Too early to tell.
	Undetermined,
}

impl TargetStatus {
	/// Whether the target counts as met; `None` while undetermined.
	pub fn met(&self) -> Option<bool> {
		match self {
			Self::Met(_) => Some(true),
			Self::Missed(_) | Self::MissedByFallback => Some(false),
			Self::Undetermined => None,
		}
	}
}

/// Applies the fallback clause (see the module docs) to `outcome` read at `now`.
pub fn assess(
	direction: Direction,
	target: &KpiTarget,
	outcome: KpiOutcome,
	now: Timestamp,
) -> TargetStatus {
	let observed = now >= target.observation_date;
	let decide = |value| {
		if direction.is_met(value, target.target) {
			TargetStatus::Met(value)
		} else {
			TargetStatus::Missed(value)
		}
	};
	match outcome {
		KpiOutcome::Final(value) => decide(value),
		KpiOutcome::Missing | KpiOutcome::Voided => TargetStatus::MissedByFallback,
		KpiOutcome::Provisional(_) | KpiOutcome::Disputed | KpiOutcome::Pending if observed => {
			TargetStatus::MissedByFallback
		}
		KpiOutcome::Provisional(_) | KpiOutcome::Disputed | KpiOutcome::Pending => {
			TargetStatus::Undetermined
		}
	}
}

/// When a feed's periods run and how long their KPIs take to settle, as the KPI oracle has
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedTiming {
	/// When period 0 starts (ms since the Unix epoch).
	pub first_start: Timestamp,
	/// How long every period is (ms).
	pub period_length: Timestamp,
	/// How long after a period's end its reports are accepted (ms).
	pub max_report_age: Timestamp,
	/// How long auditors may dispute a new KPI (ms).
	pub challenge_window: Timestamp,
}

impl FeedTiming {
	/// The latest instant at which the KPI of `period` can still be provisional when no one
	/// disputes it: the period's end, plus the report deadline, plus the challenge window.
	pub fn final_by(&self, period: FeedPeriod) -> Result<Timestamp, Error> {
		let periods = Timestamp::from(period).add_c(1)?;
		self.first_start
			.add_c(periods.mul_c(self.period_length)?)?
			.add_c(self.max_report_age)?
			.add_c(self.challenge_window)
	}
}

/// The coupon bounds of the terms.
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
pub struct RateBounds {
	/// The base coupon.
	pub base_bps: Bps,
	/// The lowest the coupon may go.
	pub floor_bps: Bps,
	/// The highest the coupon may go.
	pub cap_bps: Bps,
}

/// How one target moved a coupon.
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
pub struct KpiAssessment {
	/// The feed read.
	pub feed: FeedId,
	/// The oracle period read.
	pub feed_period: FeedPeriod,
	/// What the outcome came to.
	pub status: TargetStatus,
	/// The step it triggered (0 when none).
	pub applied_bps: i32,
}

/// A coupon period's rate and why.
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct RateFixing {
	/// The coupon period.
	pub period: u32,
	/// Its rate, after the floor and cap.
	pub rate_bps: Bps,
	/// The targets observed for the previous period, one entry each.
	pub assessments: Vec<KpiAssessment>,
}

/// The step a target with `status` triggers under a link's `step_bps`.
fn triggered_step(step_bps: i32, status: TargetStatus) -> Result<i32, Error> {
	let met = status.met().ok_or(Error::KpiUndetermined)?;
	// Step-ups punish a miss; step-downs reward a hit.
	Ok(if (step_bps > 0 && !met) || (step_bps < 0 && met) { step_bps } else { 0 })
}

/// The rate of coupon period `period`: the base, moved by every target observed for
/// `period - 1`, clamped to the floor and cap. `outcome_of(feed, feed_period)` reads the oracle
/// (the contract passes its chain-extension read). [`Error::KpiUndetermined`] while any of
/// those targets cannot be told yet; the contract then waits (at the latest until the
/// observation date, after which the fallback clause always decides).
pub fn coupon_rate(
	bounds: &RateBounds,
	links: &[KpiLink],
	period: u32,
	now: Timestamp,
	mut outcome_of: impl FnMut(FeedId, FeedPeriod) -> KpiOutcome,
) -> Result<RateFixing, Error> {
	let mut rate = i64::from(bounds.base_bps);
	let mut assessments = Vec::new();
	if let Some(observed) = period.checked_sub(1) {
		for link in links {
			for target in link.targets.iter().filter(|t| t.observation_period == observed) {
				let status =
					assess(link.direction, target, outcome_of(link.feed, target.feed_period), now);
				let applied_bps = triggered_step(link.step_bps, status)?;
				rate = rate.add_c(i64::from(applied_bps))?;
				assessments.push(KpiAssessment {
					feed: link.feed,
					feed_period: target.feed_period,
					status,
					applied_bps,
				});
			}
		}
	}
	let clamped = rate.clamp(i64::from(bounds.floor_bps), i64::from(bounds.cap_bps));
	let rate_bps = Bps::try_from(clamped).map_err(|_| Error::Overflow)?;
	Ok(RateFixing { period, rate_bps, assessments })
}

/// The targets to read for the rate of coupon period `period`: `(feed, target)` pairs for
/// observation period `period - 1`, so the contract knows which oracle periods to read.
pub fn targets_for_period(links: &[KpiLink], period: u32) -> Vec<(FeedId, KpiTarget)> {
	let Some(observed) = period.checked_sub(1) else {
		return Vec::new();
	};
	links
		.iter()
		.flat_map(|link| {
			link.targets
				.iter()
				.filter(move |t| t.observation_period == observed)
				.map(move |t| (link.feed, *t))
		})
		.collect()
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use std::collections::BTreeMap;

	const DAY: u64 = 86_400_000;
	const OBS: Timestamp = 100 * DAY;
	const BOUNDS: RateBounds = RateBounds { base_bps: 400, floor_bps: 300, cap_bps: 500 };

	fn target(observation_period: u32, feed_period: u32, target: i128) -> KpiTarget {
		KpiTarget { observation_period, feed_period, target, observation_date: OBS }
	}

	/// Energy saved (MWh, 3 decimals) at or above 1 000.000 in periods 0 and 1, +25 bp if not.
	fn energy() -> KpiLink {
		KpiLink {
			feed: 7,
			direction: Direction::AtOrAbove,
			step_bps: 25,
			targets: vec![target(0, 10, 1_000_000), target(1, 11, 1_100_000)],
		}
	}

	/// CO2 emitted (t, 0 decimals) at or below 500 in period 0, +50 bp if not.
	fn emissions() -> KpiLink {
		KpiLink {
			feed: 9,
			direction: Direction::AtOrBelow,
			step_bps: 50,
			targets: vec![target(0, 3, 500)],
		}
	}

	fn oracle(
		entries: &[((FeedId, FeedPeriod), KpiOutcome)],
	) -> impl FnMut(FeedId, FeedPeriod) -> KpiOutcome {
		let map: BTreeMap<_, _> = entries.iter().copied().collect();
		move |feed, period| map.get(&(feed, period)).copied().unwrap_or(KpiOutcome::Pending)
	}

	#[test]
	fn directions_include_the_target_itself() {
		assert!(Direction::AtOrAbove.is_met(100, 100));
		assert!(!Direction::AtOrAbove.is_met(99, 100));
		assert!(Direction::AtOrBelow.is_met(100, 100));
		assert!(!Direction::AtOrBelow.is_met(101, 100));
		assert!(Direction::AtOrBelow.is_met(-5, -4));
	}

	#[test]
	fn fallback_clause_before_and_after_the_observation_date() {
		let t = target(0, 0, 10);
		let d = Direction::AtOrAbove;
		let before = OBS - 1;
		use KpiOutcome::*;
		use TargetStatus::*;
		assert_eq!(assess(d, &t, Final(10), before), Met(10));
		assert_eq!(assess(d, &t, Final(9), before), Missed(9));
		assert_eq!(assess(d, &t, Provisional(10), before), Undetermined);
		assert_eq!(assess(d, &t, Disputed, before), Undetermined);
		assert_eq!(assess(d, &t, Pending, before), Undetermined);
		assert_eq!(assess(d, &t, Missing, before), MissedByFallback);
		assert_eq!(assess(d, &t, Voided, before), MissedByFallback);
		assert_eq!(assess(d, &t, Final(11), OBS), Met(11));
		// Still disputable at the observation date: never decided by its value, whichever
		// side of the target it is on.
		assert_eq!(assess(d, &t, Provisional(11), OBS), MissedByFallback);
		assert_eq!(assess(d, &t, Provisional(1), OBS), MissedByFallback);
		assert_eq!(assess(d, &t, Disputed, OBS), MissedByFallback);
		assert_eq!(assess(d, &t, Pending, OBS), MissedByFallback);
		assert_eq!(assess(d, &t, Missing, OBS), MissedByFallback);
		assert_eq!(assess(d, &t, Voided, OBS), MissedByFallback);
	}

	#[test]
	fn a_kpi_is_final_by_its_periods_end_report_deadline_and_challenge_window() {
		let timing = FeedTiming {
			first_start: 1_000,
			period_length: 100,
			max_report_age: 30,
			challenge_window: 50,
		};
		// Period 0 ends at 1,100; reports until 1,130; disputable until 1,180.
		assert_eq!(timing.final_by(0), Ok(1_180));
		assert_eq!(timing.final_by(9), Ok(2_080));
		let huge = FeedTiming { period_length: u64::MAX, ..timing };
		assert_eq!(huge.final_by(1), Err(Error::Overflow));
	}

	#[test]
	fn first_period_pays_the_base_rate() {
		let fixing = coupon_rate(&BOUNDS, &[energy(), emissions()], 0, 0, oracle(&[])).unwrap();
		assert_eq!(fixing, RateFixing { period: 0, rate_bps: 400, assessments: vec![] });
	}

	#[test]
	fn targets_met_keep_the_base_rate() {
		let read =
			oracle(&[((7, 10), KpiOutcome::Final(1_000_000)), ((9, 3), KpiOutcome::Final(480))]);
		let fixing = coupon_rate(&BOUNDS, &[energy(), emissions()], 1, OBS, read).unwrap();
		assert_eq!(fixing.rate_bps, 400);
		assert_eq!(fixing.assessments.len(), 2);
		assert!(fixing.assessments.iter().all(|a| a.applied_bps == 0));
	}

	#[test]
	fn missed_target_steps_up_the_next_coupon_only() {
		let read = oracle(&[
			((7, 10), KpiOutcome::Final(999_999)),
			((9, 3), KpiOutcome::Final(500)),
			((7, 11), KpiOutcome::Final(1_100_000)),
		]);
		let links = [energy(), emissions()];
		let mut read = read;
		let second = coupon_rate(&BOUNDS, &links, 1, OBS, &mut read).unwrap();
		assert_eq!(second.rate_bps, 425);
		assert_eq!(
			second.assessments[0],
			KpiAssessment {
				feed: 7,
				feed_period: 10,
				status: TargetStatus::Missed(999_999),
				applied_bps: 25
			}
		);
		// Period 1's target was met: coupon 2 is back to the base.
		let third = coupon_rate(&BOUNDS, &links, 2, OBS, &mut read).unwrap();
		assert_eq!(third.rate_bps, 400);
	}

	#[test]
	fn missing_kpi_counts_as_missed_and_steps_add_up() {
		let read = oracle(&[((7, 10), KpiOutcome::Missing), ((9, 3), KpiOutcome::Final(501))]);
		let fixing = coupon_rate(&BOUNDS, &[energy(), emissions()], 1, OBS, read).unwrap();
		assert_eq!(fixing.rate_bps, 475);
		assert_eq!(fixing.assessments[0].status, TargetStatus::MissedByFallback);
		assert_eq!(fixing.assessments[1].status, TargetStatus::Missed(501));
	}

	#[test]
	fn disputed_kpi_waits_until_the_observation_date_then_counts_as_missed() {
		let links = [energy()];
		let read = || oracle(&[((7, 10), KpiOutcome::Disputed)]);
		assert_eq!(coupon_rate(&BOUNDS, &links, 1, OBS - 1, read()), Err(Error::KpiUndetermined));
		assert_eq!(coupon_rate(&BOUNDS, &links, 1, OBS, read()).map(|f| f.rate_bps), Ok(425));
	}

	#[test]
	fn the_cap_limits_step_ups() {
		let bounds = RateBounds { base_bps: 400, floor_bps: 300, cap_bps: 440 };
		let read = oracle(&[((7, 10), KpiOutcome::Voided), ((9, 3), KpiOutcome::Voided)]);
		let fixing = coupon_rate(&bounds, &[energy(), emissions()], 1, OBS, read).unwrap();
		assert_eq!(fixing.rate_bps, 440);
	}

	#[test]
	fn step_down_rewards_a_met_target_down_to_the_floor() {
		let reward = KpiLink {
			feed: 7,
			direction: Direction::AtOrAbove,
			step_bps: -150,
			targets: vec![target(0, 10, 1_000)],
		};
		let met = oracle(&[((7, 10), KpiOutcome::Final(2_000))]);
		assert_eq!(
			coupon_rate(&BOUNDS, std::slice::from_ref(&reward), 1, OBS, met).map(|f| f.rate_bps),
			Ok(300)
		);
		let missed = oracle(&[((7, 10), KpiOutcome::Final(999))]);
		assert_eq!(coupon_rate(&BOUNDS, &[reward], 1, OBS, missed).map(|f| f.rate_bps), Ok(400));
	}

	#[test]
	fn a_floor_of_zero_keeps_the_rate_non_negative() {
		let bounds = RateBounds { base_bps: 50, floor_bps: 0, cap_bps: 500 };
		let reward = KpiLink {
			feed: 1,
			direction: Direction::AtOrBelow,
			step_bps: -200,
			targets: vec![target(0, 0, 10)],
		};
		let read = oracle(&[((1, 0), KpiOutcome::Final(5))]);
		assert_eq!(coupon_rate(&bounds, &[reward], 1, OBS, read).map(|f| f.rate_bps), Ok(0));
	}

	#[test]
	fn targets_for_period_lists_the_previous_periods_observations() {
		let links = [energy(), emissions()];
		assert!(targets_for_period(&links, 0).is_empty());
		let first = targets_for_period(&links, 1);
		assert_eq!(first, vec![(7, target(0, 10, 1_000_000)), (9, target(0, 3, 500))]);
		assert_eq!(targets_for_period(&links, 2), vec![(7, target(1, 11, 1_100_000))]);
		assert!(targets_for_period(&links, 3).is_empty());
	}
}
