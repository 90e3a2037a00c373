//! The bond's terms: fixed at issuance, validated field by field, and hashed.
//!
//! Field names follow the ICMA Bond Data Taxonomy where it has one (`isin`, `issuer`,
//! `currency`, `denomination`, `issue_size`, `issue_date`, `maturity_date`, `coupon_frequency`,
//! `day_count_fraction`, `business_day_convention`, `use_of_proceeds`), in snake case.
//!
//! [`BondTerms::validate`] refuses the first bad field it finds with the error named after it,
//! and returns the coupon schedule the terms define. [`BondTerms::hashing_payload`] is the
//! deterministic byte string whose hash the contract publishes: the SCALE encoding of a domain
//! tag and the terms (SCALE is canonical: fixed-width little-endian integers, fields in
//! declaration order, compact length prefixes, one encoding per value). The hash function
//! itself (blake2 in the contract) stays outside this crate.

use crate::{
	allocation::{BookRules, ClosedBook, Subscription},
	calendar::BusinessDayConvention,
	daycount::DayCount,
	kpi_link::{KpiLink, RateBounds},
	math::Checked,
	schedule::{coupon_schedule, period_ending_at, CouponPeriod, Frequency, ScheduleSpec},
	Balance, Bps, Error, Timestamp,
};
use alloc::vec::Vec;
use parity_scale_codec::Encode;

/// The domain tag that opens [`BondTerms::hashing_payload`]. A new layout gets a new tag.
pub const TERMS_TAG: [u8; 17] = *b"CITYBOND/TERMS/v1";

/// The most KPIs a bond may link its coupon to.
pub const MAX_KPIS: usize = 8;

/// The highest coupon, floor, cap or call premium: 100 %.
pub const MAX_RATE_BPS: Bps = 10_000;

/// An ISIN (ISO 6166): two-letter country code, nine alphanumeric characters, a check digit.
pub type Isin = [u8; 12];

/// A CFI code (ISO 10962): six uppercase letters.
pub type Cfi = [u8; 6];

/// A 32-byte document hash.
pub type DocumentHash = [u8; 32];

/// Eligible green project categories of the ICMA Green Bond Principles (June 2021).
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub enum UseOfProceeds {
	/// Renewable energy.
	RenewableEnergy,
	/// Energy efficiency.
	EnergyEfficiency,
	/// Pollution prevention and control.
	PollutionPreventionAndControl,
	/// Environmentally sustainable management of living natural resources and land use.
	LivingNaturalResourcesAndLandUse,
	/// Terrestrial and aquatic biodiversity.
	TerrestrialAndAquaticBiodiversity,
	/// Clean transportation.
	CleanTransportation,
	/// Sustainable water and wastewater management.
	SustainableWaterAndWastewaterManagement,
	/// Climate change adaptation.
	ClimateChangeAdaptation,
	/// Circular economy adapted products, production technologies and processes.
	CircularEconomy,
	/// Green buildings.
	GreenBuildings,
}

/// An investor category, as the identity registry records it: the chain extension's own type,
/// so what the registry answers is what the terms' caps name.
pub use citybond_primitives::InvestorCategory;

/// An issuer call: the bond may be redeemed early on `date` at par plus `premium_bps`.
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
pub struct CallOption {
	/// An unadjusted coupon date before maturity; the call settles on that coupon's payment
	/// date, together with the coupon.
	pub date: Timestamp,
	/// Premium over par, in bp of the denomination.
	pub premium_bps: Bps,
}

/// The most one investor of a category may subscribe (e.g. a retail cap).
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
pub struct InvestorCap {
	/// The category capped.
	pub category: InvestorCategory,
	/// The most one investor of it may have escrowed, in whole denominations.
	pub max_amount: Balance,
}

/// A tranche reserved for residents of a jurisdiction when the book is oversubscribed.
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
pub struct ResidentPriority {
	/// ISO 3166-1 alpha-2 code of the jurisdiction (two uppercase letters).
	pub jurisdiction: [u8; 2],
	/// Cash amount of the tranche, in whole denominations.
	pub tranche: Balance,
}

/// Hashes of the documents the bond refers to.
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
pub struct DocumentHashes {
	/// The issuer's green (or sustainability-linked) bond framework.
	pub framework: DocumentHash,
	/// The external reviewer's second-party opinion, if there is one.
	pub second_party_opinion: Option<DocumentHash>,
}

/// The bond's terms. `A` is the chain's account id (the issuer and the cash token contract).
#[derive(
	Debug,
	Clone,
	PartialEq,
	Eq,
	parity_scale_codec::Encode,
	parity_scale_codec::Decode,
	scale_info::TypeInfo,
)]
pub struct BondTerms<A> {
	/// The bond's ISIN.
	pub isin: Isin,
	/// Its CFI code; a debt instrument (`D...`).
	pub cfi: Cfi,
	/// The issuer's account: receives the proceeds, funds coupons and redemption.
	pub issuer: A,
	/// The cash token contract the bond settles in.
	pub currency: A,
	/// Nominal amount of one unit (one bond token), in the cash token's minor units.
	pub denomination: Balance,
	/// The most that is raised (the maximum raise), a whole number of denominations.
	pub issue_size: Balance,
	/// Below this total of subscriptions the issue is cancelled.
	pub minimum_raise: Balance,
	/// The smallest total one investor may subscribe (the minimum ticket).
	pub minimum_subscription: Balance,
	/// When subscriptions open.
	pub subscription_start: Timestamp,
	/// When subscriptions close; the book may then be closed.
	pub subscription_end: Timestamp,
	/// Start of the first accrual period; bonds are delivered from then on.
	pub issue_date: Timestamp,
	/// When principal is due.
	pub maturity_date: Timestamp,
	/// How often coupons are paid.
	pub coupon_frequency: Frequency,
	/// How accrual fractions are counted.
	pub day_count_fraction: DayCount,
	/// How payment dates move off holidays.
	pub business_day_convention: BusinessDayConvention,
	/// Record date = payment date minus this, in ms (whole days for calendar frequencies).
	pub record_date_offset_ms: u64,
	/// The base coupon, before KPI steps.
	pub coupon_rate_bps: Bps,
	/// The lowest the coupon may go.
	pub coupon_floor_bps: Bps,
	/// The highest the coupon may go.
	pub coupon_cap_bps: Bps,
	/// The KPIs the coupon is linked to (may be empty for a plain green bond).
	pub kpis: Vec<KpiLink>,
	/// The eligible green project categories the proceeds finance.
	pub use_of_proceeds: Vec<UseOfProceeds>,
	/// Hashes of the framework and the second-party opinion.
	pub documents: DocumentHashes,
	/// Issuer call dates, by strictly increasing date.
	pub call_schedule: Vec<CallOption>,
	/// How long after a payment date the issuer may still fund it before the bond defaults.
	pub grace_period_ms: u64,
	/// How long after a payment date holders may claim; then the issuer may reclaim the rest.
	pub claim_period_ms: u64,
	/// Per-investor caps by category.
	pub investor_caps: Vec<InvestorCap>,
	/// A priority tranche for residents, if any.
	pub resident_priority: Option<ResidentPriority>,
}

/// Checks an ISIN: format and ISO 6166 check digit (Luhn over the digits obtained by writing
/// each letter as its value A=10 .. Z=35).
pub fn validate_isin(isin: &Isin) -> Result<(), Error> {
	let (country, rest) = isin.split_at(2);
	let (nsin, check) = rest.split_at(9);
	let well_formed = country.iter().all(u8::is_ascii_uppercase)
		&& nsin.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
		&& check.iter().all(u8::is_ascii_digit);
	if !well_formed {
		return Err(Error::IsinMalformed);
	}
	// Expand to digits: at most 11 × 2 + 1 = 23 of them.
	let mut digits = [0u8; 24];
	let mut len: usize = 0;
	for &c in isin {
		let value = if c.is_ascii_digit() { c.sub_c(b'0')? } else { c.sub_c(b'A')?.add_c(10)? };
		if value >= 10 {
			*digits.get_mut(len).ok_or(Error::IsinMalformed)? = value.div_c(10)?;
			len = len.checked_add(1).ok_or(Error::Overflow)?;
		}
		*digits.get_mut(len).ok_or(Error::IsinMalformed)? = value.rem_c(10)?;
		len = len.checked_add(1).ok_or(Error::Overflow)?;
	}
	// Luhn: from the right, double every second digit, add the digits of the products.
	let mut sum: u32 = 0;
	for (position, &digit) in
		digits.get(..len).ok_or(Error::IsinMalformed)?.iter().rev().enumerate()
	{
		let mut d = u32::from(digit);
		if position.checked_rem(2) == Some(1) {
			d = d.mul_c(2)?;
			if d > 9 {
				d = d.sub_c(9)?;
			}
		}
		sum = sum.add_c(d)?;
	}
	if sum.rem_c(10)? != 0 {
		return Err(Error::IsinChecksumMismatch);
	}
	Ok(())
}

/// ISO 10962 (2021) categories: the first letter of a CFI code.
const CFI_CATEGORIES: &[u8] = b"ECDROFSHIJKLTM";

/// ISO 10962 (2021) groups of category D, debt instruments: bonds, convertible bonds, bonds
/// with warrants, medium-term notes, money market instruments, structured products with and
/// without capital protection, mortgage-backed, asset-backed, municipal bonds, depository
/// receipts on debt, others.
const CFI_DEBT_GROUPS: &[u8] = b"BCWTYSEGANDM";

/// Checks a CFI code: six uppercase letters, a known category, debt (`D`) with a known group.
/// The four attribute letters are not checked against the standard's tables (any letter, `X`
/// for "not applicable", is accepted).
pub fn validate_cfi(cfi: &Cfi) -> Result<(), Error> {
	if !cfi.iter().all(u8::is_ascii_uppercase) {
		return Err(Error::CfiMalformed);
	}
	let [category, group, ..] = *cfi;
	if !CFI_CATEGORIES.contains(&category) {
		return Err(Error::CfiUnknownCategory);
	}
	if category != b'D' {
		return Err(Error::CfiNotDebt);
	}
	if !CFI_DEBT_GROUPS.contains(&group) {
		return Err(Error::CfiUnknownGroup);
	}
	Ok(())
}

/// Whether `amount` is a positive whole number of `denomination`s.
fn whole_denominations(amount: Balance, denomination: Balance) -> Result<bool, Error> {
	Ok(amount > 0 && amount.rem_c(denomination)? == 0)
}

impl<A: Encode> BondTerms<A> {
	/// The schedule inputs of these terms.
	pub fn schedule_spec(&self) -> ScheduleSpec {
		ScheduleSpec {
			issue_date: self.issue_date,
			maturity_date: self.maturity_date,
			frequency: self.coupon_frequency,
			day_count: self.day_count_fraction,
			business_day_convention: self.business_day_convention,
			record_date_offset_ms: self.record_date_offset_ms,
		}
	}

	/// The coupon's base, floor and cap.
	pub fn rate_bounds(&self) -> RateBounds {
		RateBounds {
			base_bps: self.coupon_rate_bps,
			floor_bps: self.coupon_floor_bps,
			cap_bps: self.coupon_cap_bps,
		}
	}

	/// The parameters of the book.
	pub fn book_rules(&self) -> Result<BookRules, Error> {
		let priority_units = match self.resident_priority {
			Some(p) => p.tranche.div_c(self.denomination)?,
			None => 0,
		};
		Ok(BookRules {
			denomination: self.denomination,
			minimum_raise: self.minimum_raise,
			maximum_raise: self.issue_size,
			priority_units,
		})
	}

	/// Closes the book of `subscriptions` under these terms.
	pub fn close_book(&self, subscriptions: &[Subscription]) -> Result<ClosedBook, Error> {
		crate::allocation::close_book(&self.book_rules()?, subscriptions)
	}

	/// The cap on one investor of `category`, if any.
	pub fn investor_cap(&self, category: InvestorCategory) -> Option<Balance> {
		self.investor_caps.iter().find(|c| c.category == category).map(|c| c.max_amount)
	}

	/// Checks a subscription of `amount` by an investor of `category` who already has
	/// `existing` escrowed; returns the new total.
	pub fn check_subscription(
		&self,
		amount: Balance,
		existing: Balance,
		category: InvestorCategory,
	) -> Result<Balance, Error> {
		crate::allocation::check_subscription(
			amount,
			existing,
			self.denomination,
			self.minimum_subscription,
			self.investor_cap(category),
		)
	}

	/// The call option on `date`, if the terms have one.
	pub fn call_option(&self, date: Timestamp) -> Option<CallOption> {
		self.call_schedule.iter().find(|c| c.date == date).copied()
	}

	/// The bytes to hash: the SCALE encoding of `(TERMS_TAG, self)`.
	pub fn hashing_payload(&self) -> Vec<u8> {
		(TERMS_TAG, self).encode()
	}

	/// The hash of [`BondTerms::hashing_payload`] under `hash` (the contract passes blake2).
	pub fn hash_with<H>(&self, hash: impl FnOnce(&[u8]) -> H) -> H {
		hash(&self.hashing_payload())
	}

	/// Checks every field and returns the coupon schedule. The first bad field found is
	/// reported by its own error.
	pub fn validate(&self) -> Result<Vec<CouponPeriod>, Error> {
		validate_isin(&self.isin)?;
		validate_cfi(&self.cfi)?;
		self.validate_amounts()?;
		if self.subscription_start >= self.subscription_end {
			return Err(Error::SubscriptionWindowEmpty);
		}
		if self.subscription_end > self.issue_date {
			return Err(Error::SubscriptionEndsAfterIssue);
		}
		let schedule = coupon_schedule(&self.schedule_spec())?;
		self.validate_rates()?;
		self.validate_use_of_proceeds()?;
		if self.documents.framework == [0; 32] {
			return Err(Error::MissingFrameworkHash);
		}
		if self.documents.second_party_opinion == Some([0; 32]) {
			return Err(Error::ZeroSecondPartyOpinionHash);
		}
		self.validate_calls(&schedule)?;
		if self.claim_period_ms == 0 {
			return Err(Error::ZeroClaimPeriod);
		}
		self.validate_caps_and_priority()?;
		self.validate_kpis(&schedule)?;
		Ok(schedule)
	}

	fn validate_amounts(&self) -> Result<(), Error> {
		if self.denomination == 0 {
			return Err(Error::ZeroDenomination);
		}
		if !whole_denominations(self.issue_size, self.denomination)? {
			return Err(Error::IssueSizeNotWholeDenominations);
		}
		if self.minimum_raise == 0 {
			return Err(Error::ZeroMinimumRaise);
		}
		if self.minimum_raise > self.issue_size {
			return Err(Error::MinimumRaiseAboveIssueSize);
		}
		if !whole_denominations(self.minimum_subscription, self.denomination)? {
			return Err(Error::MinimumSubscriptionNotWholeDenominations);
		}
		if self.minimum_subscription > self.issue_size {
			return Err(Error::MinimumSubscriptionAboveIssueSize);
		}
		Ok(())
	}

	fn validate_rates(&self) -> Result<(), Error> {
		if self.coupon_cap_bps > MAX_RATE_BPS {
			return Err(Error::CouponCapTooHigh);
		}
		if self.coupon_floor_bps > self.coupon_cap_bps {
			return Err(Error::CouponFloorAboveCap);
		}
		if self.coupon_rate_bps < self.coupon_floor_bps {
			return Err(Error::CouponBelowFloor);
		}
		if self.coupon_rate_bps > self.coupon_cap_bps {
			return Err(Error::CouponAboveCap);
		}
		Ok(())
	}

	fn validate_use_of_proceeds(&self) -> Result<(), Error> {
		if self.use_of_proceeds.is_empty() {
			return Err(Error::NoUseOfProceeds);
		}
		for (i, category) in self.use_of_proceeds.iter().enumerate() {
			if self.use_of_proceeds.iter().skip(i.saturating_add(1)).any(|c| c == category) {
				return Err(Error::DuplicateUseOfProceeds);
			}
		}
		Ok(())
	}

	fn validate_calls(&self, schedule: &[CouponPeriod]) -> Result<(), Error> {
		let mut previous: Option<Timestamp> = None;
		for call in &self.call_schedule {
			if previous.is_some_and(|p| call.date <= p) {
				return Err(Error::CallDatesNotIncreasing);
			}
			if call.date >= self.maturity_date || period_ending_at(schedule, call.date).is_none() {
				return Err(Error::CallDateNotCouponDate);
			}
			if call.premium_bps > MAX_RATE_BPS {
				return Err(Error::CallPremiumTooHigh);
			}
			previous = Some(call.date);
		}
		Ok(())
	}

	fn validate_caps_and_priority(&self) -> Result<(), Error> {
		for (i, cap) in self.investor_caps.iter().enumerate() {
			if self
				.investor_caps
				.iter()
				.skip(i.saturating_add(1))
				.any(|c| c.category == cap.category)
			{
				return Err(Error::DuplicateInvestorCap);
			}
			if !whole_denominations(cap.max_amount, self.denomination)? {
				return Err(Error::InvestorCapNotWholeDenominations);
			}
			if cap.max_amount < self.minimum_subscription {
				return Err(Error::InvestorCapBelowMinimumSubscription);
			}
		}
		if let Some(priority) = self.resident_priority {
			if !priority.jurisdiction.iter().all(u8::is_ascii_uppercase) {
				return Err(Error::InvalidJurisdiction);
			}
			if !whole_denominations(priority.tranche, self.denomination)? {
				return Err(Error::PriorityTrancheNotWholeDenominations);
			}
			if priority.tranche > self.issue_size {
				return Err(Error::PriorityTrancheAboveIssueSize);
			}
		}
		Ok(())
	}

	fn validate_kpis(&self, schedule: &[CouponPeriod]) -> Result<(), Error> {
		if self.kpis.len() > MAX_KPIS {
			return Err(Error::TooManyKpis);
		}
		for link in &self.kpis {
			if link.step_bps == 0 {
				return Err(Error::ZeroKpiStep);
			}
			if link.step_bps.unsigned_abs() > MAX_RATE_BPS {
				return Err(Error::KpiStepTooLarge);
			}
			if link.targets.is_empty() {
				return Err(Error::NoKpiTargets);
			}
			let mut previous: Option<u32> = None;
			for target in &link.targets {
				if previous.is_some_and(|p| target.observation_period <= p) {
					return Err(Error::KpiTargetsNotIncreasing);
				}
				// The step applies to the next coupon, which must exist.
				let next = target.observation_period.add_c(1)?;
				let affected = schedule
					.get(usize::try_from(next).map_err(|_| Error::Overflow)?)
					.ok_or(Error::KpiTargetAfterLastCoupon)?;
				if target.observation_date <= self.issue_date {
					return Err(Error::KpiObservationBeforeIssue);
				}
				if target.observation_date > affected.record_date {
					return Err(Error::KpiObservationAfterRecordDate);
				}
				previous = Some(target.observation_period);
			}
		}
		Ok(())
	}

	/// The redemption amount per unit on `date`: the call premium for a call date, par at
	/// maturity.
	pub fn redemption_premium_bps(&self, date: Timestamp) -> Result<Bps, Error> {
		if date == self.maturity_date {
			return Ok(0);
		}
		self.call_option(date).map(|c| c.premium_bps).ok_or(Error::CallDateNotCouponDate)
	}
}

#[cfg(test)]
// An overflow in a test panics and fails it, which is what it should do.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
	use super::*;
	use crate::{
		calendar::{Date, MILLIS_PER_DAY},
		kpi_link::{Direction, KpiTarget},
	};

	fn ms(y: i32, m: u8, d: u8) -> Timestamp {
		Date::new(y, m, d).unwrap().to_unix_millis().unwrap()
	}

	const DENOM: Balance = 100_000;

	/// A 5-year semi-annual KPI-linked green bond of EUR 10m in EUR 1 000 units.
	fn terms() -> BondTerms<u8> {
		BondTerms {
			isin: *b"XS2407019798",
			cfi: *b"DNFTFR",
			issuer: 1,
			currency: 2,
			denomination: DENOM,
			issue_size: 10_000 * DENOM,
			minimum_raise: 5_000 * DENOM,
			minimum_subscription: DENOM,
			subscription_start: ms(2025, 6, 1),
			subscription_end: ms(2025, 6, 10),
			issue_date: ms(2025, 6, 16),
			maturity_date: ms(2030, 6, 16),
			coupon_frequency: Frequency::SemiAnnual,
			day_count_fraction: DayCount::Thirty360,
			business_day_convention: BusinessDayConvention::ModifiedFollowing,
			record_date_offset_ms: MILLIS_PER_DAY,
			coupon_rate_bps: 350,
			coupon_floor_bps: 300,
			coupon_cap_bps: 450,
			kpis: vec![KpiLink {
				feed: 0,
				direction: Direction::AtOrAbove,
				step_bps: 25,
				targets: vec![KpiTarget {
					observation_period: 1,
					feed_period: 0,
					target: 1_000,
					observation_date: ms(2026, 9, 1),
				}],
			}],
			use_of_proceeds: vec![UseOfProceeds::EnergyEfficiency, UseOfProceeds::GreenBuildings],
			documents: DocumentHashes { framework: [7; 32], second_party_opinion: Some([8; 32]) },
			call_schedule: vec![CallOption { date: ms(2028, 6, 16), premium_bps: 100 }],
			grace_period_ms: 5 * MILLIS_PER_DAY,
			claim_period_ms: 365 * MILLIS_PER_DAY,
			investor_caps: vec![InvestorCap {
				category: InvestorCategory::Retail,
				max_amount: 50 * DENOM,
			}],
			resident_priority: Some(ResidentPriority {
				jurisdiction: *b"DE",
				tranche: 2_000 * DENOM,
			}),
		}
	}

	fn refused_with(change: impl FnOnce(&mut BondTerms<u8>), error: Error) {
		let mut t = terms();
		change(&mut t);
		assert_eq!(t.validate().map(|_| ()), Err(error));
	}

	#[test]
	fn real_isins_pass_the_check_digit() {
		// Wikipedia's ISIN examples: Apple, Treasury Corporation of Victoria, BAE Systems.
		for isin in [b"US0378331005", b"AU0000XVGZA3", b"GB0002634946", b"US5949181045"] {
			assert_eq!(validate_isin(isin), Ok(()), "{}", core::str::from_utf8(isin).unwrap());
		}
	}

	#[test]
	fn isins_with_a_wrong_check_digit_or_format_are_refused() {
		assert_eq!(validate_isin(b"US0378331006"), Err(Error::IsinChecksumMismatch));
		assert_eq!(validate_isin(b"AU0000XVGZA4"), Err(Error::IsinChecksumMismatch));
		// Two adjacent digits swapped.
		assert_eq!(validate_isin(b"US0378313005"), Err(Error::IsinChecksumMismatch));
		assert_eq!(validate_isin(b"us0378331005"), Err(Error::IsinMalformed));
		assert_eq!(validate_isin(b"1S0378331005"), Err(Error::IsinMalformed));
		assert_eq!(validate_isin(b"US037833100A"), Err(Error::IsinMalformed));
		assert_eq!(validate_isin(b"US03783310-5"), Err(Error::IsinMalformed));
	}

	#[test]
	fn cfi_must_be_a_known_debt_group() {
		assert_eq!(validate_cfi(b"DBFTFB"), Ok(()));
		assert_eq!(validate_cfi(b"DNFTFR"), Ok(()));
		assert_eq!(validate_cfi(b"ESVUFR"), Err(Error::CfiNotDebt));
		assert_eq!(validate_cfi(b"ZBFTFB"), Err(Error::CfiUnknownCategory));
		assert_eq!(validate_cfi(b"DZFTFB"), Err(Error::CfiUnknownGroup));
		assert_eq!(validate_cfi(b"dbftfb"), Err(Error::CfiMalformed));
		assert_eq!(validate_cfi(b"DB1TFB"), Err(Error::CfiMalformed));
	}

	#[test]
	fn valid_terms_give_their_schedule() {
		let schedule = terms().validate().unwrap();
		assert_eq!(schedule.len(), 10);
		assert_eq!(schedule.last().map(|p| p.accrual_end), Some(ms(2030, 6, 16)));
	}

	#[test]
	fn each_bad_field_is_refused_with_its_own_error() {
		refused_with(|t| t.isin = *b"XS2407019799", Error::IsinChecksumMismatch);
		refused_with(|t| t.cfi = *b"ESVUFR", Error::CfiNotDebt);
		refused_with(|t| t.denomination = 0, Error::ZeroDenomination);
		refused_with(|t| t.issue_size = 0, Error::IssueSizeNotWholeDenominations);
		refused_with(|t| t.issue_size += 1, Error::IssueSizeNotWholeDenominations);
		refused_with(|t| t.minimum_raise = 0, Error::ZeroMinimumRaise);
		refused_with(|t| t.minimum_raise = t.issue_size + 1, Error::MinimumRaiseAboveIssueSize);
		refused_with(
			|t| t.minimum_subscription = DENOM / 2,
			Error::MinimumSubscriptionNotWholeDenominations,
		);
		refused_with(
			|t| t.minimum_subscription = 0,
			Error::MinimumSubscriptionNotWholeDenominations,
		);
		refused_with(
			|t| t.minimum_subscription = t.issue_size + DENOM,
			Error::MinimumSubscriptionAboveIssueSize,
		);
		refused_with(|t| t.subscription_end = t.subscription_start, Error::SubscriptionWindowEmpty);
		refused_with(|t| t.subscription_end = t.issue_date + 1, Error::SubscriptionEndsAfterIssue);
		refused_with(|t| t.maturity_date = t.issue_date, Error::MaturityNotAfterIssue);
		refused_with(|t| t.issue_date += 1, Error::IssueDateNotMidnight);
		refused_with(|t| t.coupon_cap_bps = 10_001, Error::CouponCapTooHigh);
		refused_with(|t| t.coupon_floor_bps = 460, Error::CouponFloorAboveCap);
		refused_with(|t| t.coupon_rate_bps = 299, Error::CouponBelowFloor);
		refused_with(|t| t.coupon_rate_bps = 451, Error::CouponAboveCap);
		refused_with(|t| t.use_of_proceeds.clear(), Error::NoUseOfProceeds);
		refused_with(
			|t| t.use_of_proceeds.push(UseOfProceeds::EnergyEfficiency),
			Error::DuplicateUseOfProceeds,
		);
		refused_with(|t| t.documents.framework = [0; 32], Error::MissingFrameworkHash);
		refused_with(
			|t| t.documents.second_party_opinion = Some([0; 32]),
			Error::ZeroSecondPartyOpinionHash,
		);
		refused_with(|t| t.call_schedule[0].date += MILLIS_PER_DAY, Error::CallDateNotCouponDate);
		refused_with(|t| t.call_schedule[0].date = t.maturity_date, Error::CallDateNotCouponDate);
		refused_with(|t| t.call_schedule[0].premium_bps = 10_001, Error::CallPremiumTooHigh);
		refused_with(
			|t| t.call_schedule.push(CallOption { date: ms(2027, 12, 16), premium_bps: 0 }),
			Error::CallDatesNotIncreasing,
		);
		refused_with(|t| t.claim_period_ms = 0, Error::ZeroClaimPeriod);
		refused_with(|t| t.investor_caps.push(t.investor_caps[0]), Error::DuplicateInvestorCap);
		refused_with(
			|t| t.investor_caps[0].max_amount = DENOM + 1,
			Error::InvestorCapNotWholeDenominations,
		);
		refused_with(
			|t| {
				t.minimum_subscription = 2 * DENOM;
				t.investor_caps[0].max_amount = DENOM;
			},
			Error::InvestorCapBelowMinimumSubscription,
		);
		refused_with(
			|t| {
				t.resident_priority =
					Some(ResidentPriority { jurisdiction: *b"de", tranche: DENOM })
			},
			Error::InvalidJurisdiction,
		);
		refused_with(
			|t| t.resident_priority = Some(ResidentPriority { jurisdiction: *b"DE", tranche: 0 }),
			Error::PriorityTrancheNotWholeDenominations,
		);
		refused_with(
			|t| {
				t.resident_priority =
					Some(ResidentPriority { jurisdiction: *b"DE", tranche: t.issue_size + DENOM })
			},
			Error::PriorityTrancheAboveIssueSize,
		);
		refused_with(|t| t.kpis[0].step_bps = 0, Error::ZeroKpiStep);
		refused_with(|t| t.kpis[0].step_bps = -10_001, Error::KpiStepTooLarge);
		refused_with(|t| t.kpis[0].targets.clear(), Error::NoKpiTargets);
		refused_with(|t| t.kpis = vec![t.kpis[0].clone(); MAX_KPIS + 1], Error::TooManyKpis);
		refused_with(
			|t| {
				let again = t.kpis[0].targets[0];
				t.kpis[0].targets.push(again);
			},
			Error::KpiTargetsNotIncreasing,
		);
		refused_with(
			|t| t.kpis[0].targets[0].observation_period = 9,
			Error::KpiTargetAfterLastCoupon,
		);
		refused_with(
			|t| t.kpis[0].targets[0].observation_date = t.issue_date,
			Error::KpiObservationBeforeIssue,
		);
		// Coupon 2 (observation period 1 + 1) pays 16 Jun 2026 + 6 months = 16 Dec 2026,
		// record date 15 Dec 2026.
		refused_with(
			|t| t.kpis[0].targets[0].observation_date = ms(2026, 12, 15) + 1,
			Error::KpiObservationAfterRecordDate,
		);
	}

	#[test]
	fn compressed_dev_chain_terms_validate_with_any_start_time() {
		// Ten-minute periods standing for half-years, from a non-midnight start.
		let mut t = terms();
		let start = 1_750_000_123_456;
		let period = 600_000;
		t.subscription_start = start;
		t.subscription_end = start + 60_000;
		t.issue_date = start + 120_000;
		t.maturity_date = t.issue_date + 10 * period;
		t.coupon_frequency = Frequency::EveryMillis { period_ms: period, periods_per_year: 2 };
		t.record_date_offset_ms = 30_000;
		t.call_schedule = vec![CallOption { date: t.issue_date + 6 * period, premium_bps: 50 }];
		t.kpis[0].targets[0].observation_date = t.issue_date + 2 * period + 1;
		let schedule = t.validate().unwrap();
		assert_eq!(schedule.len(), 10);
		assert_eq!(schedule[2].record_date, t.issue_date + 3 * period - 30_000);
		// 10 000 units of EUR 1 000 at 3.5 % for half a year: EUR 17.50 a unit.
		let per_unit =
			crate::payout::coupon_per_unit(DENOM, t.coupon_rate_bps, schedule[0].fraction);
		assert_eq!(per_unit, Ok(1_750));
	}

	#[test]
	fn observation_on_the_record_date_is_accepted() {
		let mut t = terms();
		t.kpis[0].targets[0].observation_date = ms(2026, 12, 15);
		assert!(t.validate().is_ok());
	}

	#[test]
	fn hashing_payload_is_deterministic_and_covers_every_field() {
		let t = terms();
		let payload = t.hashing_payload();
		assert_eq!(payload, t.clone().hashing_payload());
		// It opens with the tag, then the ISIN and CFI as raw bytes, then the accounts.
		assert_eq!(&payload[..17], b"CITYBOND/TERMS/v1");
		assert_eq!(&payload[17..29], b"XS2407019798");
		assert_eq!(&payload[29..35], b"DNFTFR");
		assert_eq!(&payload[35..37], &[1, 2]);
		// Then the denomination, little-endian u128.
		assert_eq!(&payload[37..53], &DENOM.to_le_bytes());
		// Any change changes the payload.
		let mut changed = t.clone();
		changed.kpis[0].targets[0].target += 1;
		assert_ne!(changed.hashing_payload(), payload);
		let mut changed = t.clone();
		changed.documents.second_party_opinion = None;
		assert_ne!(changed.hashing_payload(), payload);
		// The hash function is the caller's.
		assert_eq!(t.hash_with(|bytes| bytes.len()), payload.len());
	}

	#[test]
	fn terms_decode_back_to_themselves() {
		use parity_scale_codec::Decode;
		let t = terms();
		let bytes = t.encode();
		assert_eq!(BondTerms::<u8>::decode(&mut &bytes[..]), Ok(t));
	}

	#[test]
	fn subscription_checks_use_the_category_cap() {
		let t = terms();
		assert_eq!(t.check_subscription(50 * DENOM, 0, InvestorCategory::Retail), Ok(50 * DENOM));
		assert_eq!(
			t.check_subscription(51 * DENOM, 0, InvestorCategory::Retail),
			Err(Error::InvestorCapExceeded)
		);
		assert_eq!(
			t.check_subscription(5_000 * DENOM, 0, InvestorCategory::Institutional),
			Ok(5_000 * DENOM)
		);
	}

	#[test]
	fn book_rules_reserve_the_resident_tranche_in_units() {
		let rules = terms().book_rules().unwrap();
		assert_eq!(rules.priority_units, 2_000);
		assert_eq!(rules.maximum_raise, 10_000 * DENOM);
		let book = terms()
			.close_book(&[
				Subscription { amount: 9_000 * DENOM, priority: false },
				Subscription { amount: 3_000 * DENOM, priority: true },
			])
			.unwrap();
		// Residents get their 2 000 first, then 1 000 of their rest competes with 9 000 for the
		// remaining 8 000: 800 and 7 200.
		let units: Vec<_> = book.allotments.iter().map(|a| a.units).collect();
		assert_eq!(units, vec![7_200, 2_800]);
	}

	#[test]
	fn redemption_premium_is_par_at_maturity_and_the_call_premium_on_a_call_date() {
		let t = terms();
		assert_eq!(t.redemption_premium_bps(t.maturity_date), Ok(0));
		assert_eq!(t.redemption_premium_bps(ms(2028, 6, 16)), Ok(100));
		assert_eq!(t.redemption_premium_bps(ms(2028, 12, 16)), Err(Error::CallDateNotCouponDate));
	}
}
