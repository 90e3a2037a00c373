//! One sample bond for the tests of the rules (`data`) and of the contract (`green_bond`):
//! compressed half-year periods, a 4% coupon stepping up 100 bp when the KPI misses, a call,
//! a retail cap and a resident tranche.

// Small sums of test values; an overflow would panic and fail the test using it.
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	calendar::BusinessDayConvention,
	daycount::DayCount,
	kpi_link::{Direction, KpiLink, KpiTarget},
	schedule::Frequency,
	terms::{
		BondTerms, CallOption, DocumentHashes, InvestorCap, InvestorCategory, ResidentPriority,
		UseOfProceeds,
	},
	Balance, Timestamp,
};
use alloc::vec;

/// One unit: 1 000 minor units.
pub const DENOM: Balance = 1_000;
/// The issue date.
pub const T0: Timestamp = 1_750_000_000_000;
/// A coupon period (compressed time), standing for half a year.
pub const P: u64 = 1_000_000;
/// Record dates fall this long before payment dates.
pub const R: u64 = 10_000;
/// Grace period of a payment.
pub const GRACE: u64 = 20_000;
/// How long holders may claim a payment.
pub const CLAIM_PERIOD: u64 = 300_000;
/// The subscription window.
pub const SUB_START: Timestamp = T0 - 500_000;
/// End of the subscription window.
pub const SUB_END: Timestamp = T0 - 100_000;
/// The KPI feed the bond links to.
pub const KPI_FEED: u32 = 7;

/// The sample terms of a bond of `issuer` settling in `currency`, with a resident tranche for
/// `resident_jurisdiction`.
pub fn terms<A>(issuer: A, currency: A, resident_jurisdiction: [u8; 2]) -> BondTerms<A> {
	BondTerms {
		isin: *b"XS2407019798",
		cfi: *b"DNFTFR",
		issuer,
		currency,
		denomination: DENOM,
		issue_size: 100 * DENOM,
		minimum_raise: 20 * DENOM,
		minimum_subscription: DENOM,
		subscription_start: SUB_START,
		subscription_end: SUB_END,
		issue_date: T0,
		maturity_date: T0 + 4 * P,
		coupon_frequency: Frequency::EveryMillis { period_ms: P, periods_per_year: 2 },
		day_count_fraction: DayCount::Thirty360,
		business_day_convention: BusinessDayConvention::Unadjusted,
		record_date_offset_ms: R,
		coupon_rate_bps: 400,
		coupon_floor_bps: 300,
		coupon_cap_bps: 600,
		kpis: vec![KpiLink {
			feed: KPI_FEED,
			direction: Direction::AtOrAbove,
			step_bps: 100,
			targets: vec![KpiTarget {
				observation_period: 0,
				feed_period: 0,
				target: 100,
				observation_date: T0 + P,
			}],
		}],
		use_of_proceeds: vec![UseOfProceeds::EnergyEfficiency, UseOfProceeds::GreenBuildings],
		documents: DocumentHashes { framework: [7; 32], second_party_opinion: None },
		call_schedule: vec![CallOption { date: T0 + 2 * P, premium_bps: 200 }],
		grace_period_ms: GRACE,
		claim_period_ms: CLAIM_PERIOD,
		investor_caps: vec![InvestorCap {
			category: InvestorCategory::Retail,
			max_amount: 30 * DENOM,
		}],
		resident_priority: Some(ResidentPriority {
			jurisdiction: resident_jurisdiction,
			tranche: 10 * DENOM,
		}),
	}
}
