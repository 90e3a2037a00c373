//! Term sheets: a bond's terms as a JSON document a person writes and reads.
//!
//! Field names follow the ICMA Bond Data Taxonomy (`isin`, `issuer`, `currency`,
//! `denomination`, `issueSize`, `issueDate`, `maturityDate`, `couponFrequency`,
//! `dayCountFraction`, `businessDayConvention`, `useOfProceeds`, `callSchedule`, ...), in the
//! taxonomy's camel case. Values are written as a person would write them:
//!
//! - accounts (the issuer, the cash token contract) as SS58 addresses;
//! - money as decimal strings in the currency's units (`"1000.00"`), with at most
//!   `currencyDecimals` decimals;
//! - rates, floors, caps, premiums and KPI coupon adjustments as percentages (`"4.25"` is
//!   4.25 %, 425 bp), in whole basis points;
//! - instants as RFC 3339 / ISO 8601 UTC date-times (`"2027-02-01T00:00:00Z"`), to the
//!   millisecond;
//! - durations (record date offset, grace and claim periods) as ISO 8601 durations in days,
//!   hours, minutes and seconds (`"P1D"`, `"PT30S"`, `"P90D"`); years and months are refused,
//!   since they have no fixed length;
//! - KPI targets as decimal strings with at most the feed's `decimals`.
//!
//! [`TermSheet::to_terms`] turns a term sheet into the contract's [`BondTerms`] and checks it
//! with the very rules the contract runs at instantiation ([`BondTerms::validate`], from
//! `green_bond_rules`); every error names the field (a JSON path such as
//! `kpis[0].targets[1].target`) and what is wrong with it. [`TermSheet::from_terms`] writes a
//! deployed bond's terms back in the same format, so that exporting a bond's terms and
//! importing them again gives the same terms, with the same hash.

use crate::units::{self, Duration};
use chrono::{DateTime, Utc};
use green_bond_rules::{
	calendar::BusinessDayConvention,
	daycount::DayCount,
	kpi_link::{Direction, KpiLink, KpiTarget},
	schedule::{CouponPeriod, Frequency},
	terms::{
		BondTerms, CallOption, DocumentHashes, InvestorCap, InvestorCategory, ResidentPriority,
		UseOfProceeds,
	},
	Error as RuleError,
};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use subxt::utils::AccountId32;

/// The terms a term sheet stands for: the contract's own type, with 32-byte account ids.
pub type Terms = BondTerms<[u8; 32]>;

/// What is wrong with a term sheet: the field, as a JSON path, and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct TermSheetError {
	/// Where the problem is, for example `kpis[0].targets[1].observationDate`.
	pub field: String,
	/// What is wrong, in words.
	pub problem: String,
}

impl TermSheetError {
	fn new(field: impl Into<String>, problem: impl fmt::Display) -> Self {
		Self { field: field.into(), problem: problem.to_string() }
	}
}

type Result<T> = std::result::Result<T, TermSheetError>;

/// A bond's term sheet. See the module documentation for how each value is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TermSheet {
	/// ISIN (ISO 6166), with its check digit.
	pub isin: String,
	/// CFI code (ISO 10962) of a debt instrument, for example `DBFTFR`.
	pub cfi: String,
	/// The issuer's account (SS58): receives the proceeds, funds coupons and redemption.
	pub issuer: String,
	/// The cash token contract the bond settles in (SS58).
	pub currency: String,
	/// Decimals of the cash token: money below is written with at most this many.
	pub currency_decimals: u8,
	/// Nominal amount of one bond (one token).
	pub denomination: String,
	/// The most that is raised, a whole number of denominations.
	pub issue_size: String,
	/// Below this total of subscriptions the issue is cancelled and everyone refunded.
	pub minimum_raise: String,
	/// The smallest total one investor may subscribe, a whole number of denominations.
	pub minimum_subscription: String,
	/// When subscriptions open.
	pub subscription_start: DateTime<Utc>,
	/// When subscriptions close.
	pub subscription_end: DateTime<Utc>,
	/// Start of the first accrual period.
	pub issue_date: DateTime<Utc>,
	/// When principal is due.
	pub maturity_date: DateTime<Utc>,
	/// `Annual`, `SemiAnnual`, `Quarterly`, `Monthly`, or compressed periods for a
	/// development chain: `{"every": "PT30S", "periodsPerYear": 2}`.
	pub coupon_frequency: CouponFrequency,
	/// `30/360`, `30E/360`, `ACT/365F`, `ACT/360` or `ACT/ACT ICMA`.
	pub day_count_fraction: String,
	/// `Unadjusted`, `Following`, `ModifiedFollowing` or `Preceding`.
	pub business_day_convention: String,
	/// How long before each payment date its record date is.
	pub record_date_offset: Duration,
	/// The base coupon, in percent a year.
	pub coupon_rate: String,
	/// The lowest the coupon may go, in percent.
	pub coupon_floor: String,
	/// The highest the coupon may go, in percent.
	pub coupon_cap: String,
	/// The KPIs the coupon is linked to, with their targets (may be empty).
	#[serde(default)]
	pub kpis: Vec<KpiLinkSheet>,
	/// ICMA Green Bond Principles categories: `RenewableEnergy`, `EnergyEfficiency`,
	/// `PollutionPreventionAndControl`, `LivingNaturalResourcesAndLandUse`,
	/// `TerrestrialAndAquaticBiodiversity`, `CleanTransportation`,
	/// `SustainableWaterAndWastewaterManagement`, `ClimateChangeAdaptation`,
	/// `CircularEconomy`, `GreenBuildings`.
	pub use_of_proceeds: Vec<String>,
	/// Hashes (hex, 32 bytes) of the bond framework and the second-party opinion.
	pub documents: Documents,
	/// Issuer calls: coupon dates on which the bond may be redeemed early, at a premium.
	#[serde(default)]
	pub call_schedule: Vec<Call>,
	/// How long after a payment date the issuer may still fund it before the bond defaults.
	pub grace_period: Duration,
	/// How long after a payment date holders may claim it.
	pub claim_period: Duration,
	/// The most one investor of a category may subscribe.
	#[serde(default)]
	pub investor_caps: Vec<Cap>,
	/// A tranche reserved for residents of a jurisdiction when the book is oversubscribed.
	#[serde(default)]
	pub resident_priority: Option<Priority>,
}

/// How often the bond pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CouponFrequency {
	/// A calendar frequency by name.
	Named(String),
	/// Compressed periods, for development chains.
	Compressed(CompressedPeriods),
}

/// Compressed periods: each `every` long, standing for one of `periodsPerYear` a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompressedPeriods {
	/// The length of each period.
	pub every: Duration,
	/// How many of these periods make a nominal year.
	pub periods_per_year: u32,
}

/// A KPI the coupon follows (ICMA Sustainability-Linked Bond Principles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KpiLinkSheet {
	/// The KPI oracle feed measuring it.
	pub feed: u32,
	/// The feed's decimals: targets are written with at most this many.
	pub decimals: u8,
	/// `AtOrAbove` (more is better) or `AtOrBelow` (less is better).
	pub direction: String,
	/// The coupon adjustment in percent: positive, a step-up when a target is missed;
	/// negative, a step-down when a target is met.
	pub coupon_adjustment: String,
	/// The sustainability performance targets.
	pub targets: Vec<Target>,
}

/// One sustainability performance target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
	/// The coupon period (from 0) whose performance it observes; the next coupon moves.
	pub observation_period: u32,
	/// The oracle period read.
	pub feed_period: u32,
	/// The target, in the feed's units.
	pub target: String,
	/// The observation date: from then on an unreported KPI counts as missed.
	pub observation_date: DateTime<Utc>,
}

/// The documents the bond refers to, by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Documents {
	/// The issuer's green or sustainability-linked bond framework.
	pub framework: String,
	/// The external reviewer's second-party opinion, if any.
	#[serde(default)]
	pub second_party_opinion: Option<String>,
}

/// An issuer call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Call {
	/// An unadjusted coupon date before maturity.
	pub date: DateTime<Utc>,
	/// The premium over par, in percent of the denomination.
	pub premium: String,
}

/// A per-investor cap for a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cap {
	/// `Retail`, `Professional` or `Institutional`.
	pub category: String,
	/// The most one investor of it may subscribe.
	pub max_amount: String,
}

/// The resident priority tranche.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Priority {
	/// ISO 3166-1 alpha-2 code of the jurisdiction.
	pub jurisdiction: String,
	/// The tranche reserved for its residents.
	pub tranche: String,
}

/// Names of the calendar frequencies, in the term sheet.
const FREQUENCIES: [(&str, Frequency); 4] = [
	("Annual", Frequency::Annual),
	("SemiAnnual", Frequency::SemiAnnual),
	("Quarterly", Frequency::Quarterly),
	("Monthly", Frequency::Monthly),
];

/// Names of the day counts (ICMA Bond Data Taxonomy `dayCountFraction`).
const DAY_COUNTS: [(&str, DayCount); 5] = [
	("30/360", DayCount::Thirty360),
	("30E/360", DayCount::ThirtyE360),
	("ACT/365F", DayCount::Act365Fixed),
	("ACT/360", DayCount::Act360),
	("ACT/ACT ICMA", DayCount::ActActIcma),
];

/// Names of the business-day conventions.
const CONVENTIONS: [(&str, BusinessDayConvention); 4] = [
	("Unadjusted", BusinessDayConvention::Unadjusted),
	("Following", BusinessDayConvention::Following),
	("ModifiedFollowing", BusinessDayConvention::ModifiedFollowing),
	("Preceding", BusinessDayConvention::Preceding),
];

/// Names of the ICMA Green Bond Principles categories.
const USES: [(&str, UseOfProceeds); 10] = [
	("RenewableEnergy", UseOfProceeds::RenewableEnergy),
	("EnergyEfficiency", UseOfProceeds::EnergyEfficiency),
	("PollutionPreventionAndControl", UseOfProceeds::PollutionPreventionAndControl),
	("LivingNaturalResourcesAndLandUse", UseOfProceeds::LivingNaturalResourcesAndLandUse),
	("TerrestrialAndAquaticBiodiversity", UseOfProceeds::TerrestrialAndAquaticBiodiversity),
	("CleanTransportation", UseOfProceeds::CleanTransportation),
	(
		"SustainableWaterAndWastewaterManagement",
		UseOfProceeds::SustainableWaterAndWastewaterManagement,
	),
	("ClimateChangeAdaptation", UseOfProceeds::ClimateChangeAdaptation),
	("CircularEconomy", UseOfProceeds::CircularEconomy),
	("GreenBuildings", UseOfProceeds::GreenBuildings),
];

/// Names of the investor categories.
const CATEGORIES: [(&str, InvestorCategory); 3] = [
	("Retail", InvestorCategory::Retail),
	("Professional", InvestorCategory::Professional),
	("Institutional", InvestorCategory::Institutional),
];

/// Names of the KPI directions.
const DIRECTIONS: [(&str, Direction); 2] =
	[("AtOrAbove", Direction::AtOrAbove), ("AtOrBelow", Direction::AtOrBelow)];

fn by_name<T: Copy>(field: &str, table: &[(&str, T)], name: &str) -> Result<T> {
	table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).ok_or_else(|| {
		let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
		TermSheetError::new(field, format!("`{name}` is not one of {}", names.join(", ")))
	})
}

fn name_of<T: PartialEq>(table: &[(&'static str, T)], value: &T) -> &'static str {
	table.iter().find(|(_, v)| v == value).map(|(n, _)| *n).unwrap_or("?")
}

fn account(field: &str, text: &str) -> Result<[u8; 32]> {
	AccountId32::from_str(text)
		.map(|a| a.0)
		.map_err(|e| TermSheetError::new(field, format!("`{text}` is not an SS58 address ({e})")))
}

fn address(id: &[u8; 32]) -> String {
	AccountId32(*id).to_string()
}

fn fixed<const N: usize>(field: &str, text: &str, what: &str) -> Result<[u8; N]> {
	<[u8; N]>::try_from(text.as_bytes())
		.map_err(|_| TermSheetError::new(field, format!("`{text}` is not {what} ({N} characters)")))
}

fn hash(field: &str, text: &str) -> Result<[u8; 32]> {
	let hex_text = text.strip_prefix("0x").unwrap_or(text);
	let bytes = hex::decode(hex_text)
		.map_err(|e| TermSheetError::new(field, format!("`{text}` is not hex ({e})")))?;
	<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
		TermSheetError::new(field, format!("a hash has 32 bytes; `{text}` has {}", bytes.len()))
	})
}

fn instant(field: &str, at: &DateTime<Utc>) -> Result<u64> {
	let ms = at.timestamp_millis();
	if !at.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
		return Err(TermSheetError::new(field, "instants are to the millisecond"));
	}
	u64::try_from(ms).map_err(|_| TermSheetError::new(field, "before 1970"))
}

fn date_time(ms: u64) -> DateTime<Utc> {
	i64::try_from(ms).ok().and_then(DateTime::from_timestamp_millis).unwrap_or_default()
}

impl TermSheet {
	/// Reads a term sheet from JSON; a syntax error or an unknown, missing or mistyped field is
	/// reported with its line and column.
	pub fn from_json(text: &str) -> Result<Self> {
		serde_json::from_str(text).map_err(|e| {
			TermSheetError::new(format!("line {}, column {}", e.line(), e.column()), e)
		})
	}

	/// The term sheet as pretty JSON.
	pub fn to_json(&self) -> String {
		// A struct of strings and numbers always serializes.
		serde_json::to_string_pretty(self).unwrap_or_default()
	}

	/// The contract's terms, checked field by field and then by the contract's own rules;
	/// returns them with the coupon schedule they define.
	pub fn to_terms(&self) -> Result<(Terms, Vec<CouponPeriod>)> {
		let terms = self.convert()?;
		let schedule = terms.validate().map_err(rule_error)?;
		Ok((terms, schedule))
	}

	fn convert(&self) -> Result<Terms> {
		let decimals = self.currency_decimals;
		let money = |field: &str, text: &str| {
			units::money(text, decimals).map_err(|e| TermSheetError::new(field, e))
		};
		let bps = |field: &str, text: &str| {
			units::percent_bps(text).map_err(|e| TermSheetError::new(field, e))
		};
		let coupon_frequency = match &self.coupon_frequency {
			CouponFrequency::Named(name) => by_name("couponFrequency", &FREQUENCIES, name)?,
			CouponFrequency::Compressed(c) => Frequency::EveryMillis {
				period_ms: c.every.millis(),
				periods_per_year: c.periods_per_year,
			},
		};
		let kpis = self
			.kpis
			.iter()
			.enumerate()
			.map(|(i, link)| kpi_link(i, link))
			.collect::<Result<Vec<_>>>()?;
		let use_of_proceeds = self
			.use_of_proceeds
			.iter()
			.enumerate()
			.map(|(i, name)| by_name(&format!("useOfProceeds[{i}]"), &USES, name))
			.collect::<Result<Vec<_>>>()?;
		let call_schedule = self
			.call_schedule
			.iter()
			.enumerate()
			.map(|(i, call)| {
				Ok(CallOption {
					date: instant(&format!("callSchedule[{i}].date"), &call.date)?,
					premium_bps: bps(&format!("callSchedule[{i}].premium"), &call.premium)?,
				})
			})
			.collect::<Result<Vec<_>>>()?;
		let investor_caps = self
			.investor_caps
			.iter()
			.enumerate()
			.map(|(i, cap)| {
				Ok(InvestorCap {
					category: by_name(
						&format!("investorCaps[{i}].category"),
						&CATEGORIES,
						&cap.category,
					)?,
					max_amount: money(&format!("investorCaps[{i}].maxAmount"), &cap.max_amount)?,
				})
			})
			.collect::<Result<Vec<_>>>()?;
		let resident_priority = match &self.resident_priority {
			None => None,
			Some(p) => Some(ResidentPriority {
				jurisdiction: fixed(
					"residentPriority.jurisdiction",
					&p.jurisdiction,
					"an ISO 3166-1 alpha-2 code",
				)?,
				tranche: money("residentPriority.tranche", &p.tranche)?,
			}),
		};
		Ok(BondTerms {
			isin: fixed("isin", &self.isin, "an ISIN")?,
			cfi: fixed("cfi", &self.cfi, "a CFI code")?,
			issuer: account("issuer", &self.issuer)?,
			currency: account("currency", &self.currency)?,
			denomination: money("denomination", &self.denomination)?,
			issue_size: money("issueSize", &self.issue_size)?,
			minimum_raise: money("minimumRaise", &self.minimum_raise)?,
			minimum_subscription: money("minimumSubscription", &self.minimum_subscription)?,
			subscription_start: instant("subscriptionStart", &self.subscription_start)?,
			subscription_end: instant("subscriptionEnd", &self.subscription_end)?,
			issue_date: instant("issueDate", &self.issue_date)?,
			maturity_date: instant("maturityDate", &self.maturity_date)?,
			coupon_frequency,
			day_count_fraction: by_name("dayCountFraction", &DAY_COUNTS, &self.day_count_fraction)?,
			business_day_convention: by_name(
				"businessDayConvention",
				&CONVENTIONS,
				&self.business_day_convention,
			)?,
			record_date_offset_ms: self.record_date_offset.millis(),
			coupon_rate_bps: bps("couponRate", &self.coupon_rate)?,
			coupon_floor_bps: bps("couponFloor", &self.coupon_floor)?,
			coupon_cap_bps: bps("couponCap", &self.coupon_cap)?,
			kpis,
			use_of_proceeds,
			documents: DocumentHashes {
				framework: hash("documents.framework", &self.documents.framework)?,
				second_party_opinion: match &self.documents.second_party_opinion {
					Some(h) => Some(hash("documents.secondPartyOpinion", h)?),
					None => None,
				},
			},
			call_schedule,
			grace_period_ms: self.grace_period.millis(),
			claim_period_ms: self.claim_period.millis(),
			investor_caps,
			resident_priority,
		})
	}

	/// The term sheet of `terms`, for a cash token of `currency_decimals` and KPI feeds whose
	/// decimals `feed_decimals` answers (the chain's, for a deployed bond).
	pub fn from_terms(
		terms: &Terms,
		currency_decimals: u8,
		feed_decimals: impl Fn(u32) -> u8,
	) -> Self {
		let money = |amount: u128| units::format_money(amount, currency_decimals);
		let coupon_frequency = match terms.coupon_frequency {
			Frequency::EveryMillis { period_ms, periods_per_year } => {
				CouponFrequency::Compressed(CompressedPeriods {
					every: Duration::from_millis(period_ms),
					periods_per_year,
				})
			}
			calendar => CouponFrequency::Named(name_of(&FREQUENCIES, &calendar).to_string()),
		};
		Self {
			isin: String::from_utf8_lossy(&terms.isin).into_owned(),
			cfi: String::from_utf8_lossy(&terms.cfi).into_owned(),
			issuer: address(&terms.issuer),
			currency: address(&terms.currency),
			currency_decimals,
			denomination: money(terms.denomination),
			issue_size: money(terms.issue_size),
			minimum_raise: money(terms.minimum_raise),
			minimum_subscription: money(terms.minimum_subscription),
			subscription_start: date_time(terms.subscription_start),
			subscription_end: date_time(terms.subscription_end),
			issue_date: date_time(terms.issue_date),
			maturity_date: date_time(terms.maturity_date),
			coupon_frequency,
			day_count_fraction: name_of(&DAY_COUNTS, &terms.day_count_fraction).to_string(),
			business_day_convention: name_of(&CONVENTIONS, &terms.business_day_convention)
				.to_string(),
			record_date_offset: Duration::from_millis(terms.record_date_offset_ms),
			coupon_rate: units::format_percent(i64::from(terms.coupon_rate_bps)),
			coupon_floor: units::format_percent(i64::from(terms.coupon_floor_bps)),
			coupon_cap: units::format_percent(i64::from(terms.coupon_cap_bps)),
			kpis: terms
				.kpis
				.iter()
				.map(|link| {
					let decimals = feed_decimals(link.feed);
					KpiLinkSheet {
						feed: link.feed,
						decimals,
						direction: name_of(&DIRECTIONS, &link.direction).to_string(),
						coupon_adjustment: units::format_percent(i64::from(link.step_bps)),
						targets: link
							.targets
							.iter()
							.map(|t| Target {
								observation_period: t.observation_period,
								feed_period: t.feed_period,
								target: units::format_fixed(t.target, decimals),
								observation_date: date_time(t.observation_date),
							})
							.collect(),
					}
				})
				.collect(),
			use_of_proceeds: terms
				.use_of_proceeds
				.iter()
				.map(|u| name_of(&USES, u).to_string())
				.collect(),
			documents: Documents {
				framework: format!("0x{}", hex::encode(terms.documents.framework)),
				second_party_opinion: terms
					.documents
					.second_party_opinion
					.map(|h| format!("0x{}", hex::encode(h))),
			},
			call_schedule: terms
				.call_schedule
				.iter()
				.map(|c| Call {
					date: date_time(c.date),
					premium: units::format_percent(i64::from(c.premium_bps)),
				})
				.collect(),
			grace_period: Duration::from_millis(terms.grace_period_ms),
			claim_period: Duration::from_millis(terms.claim_period_ms),
			investor_caps: terms
				.investor_caps
				.iter()
				.map(|c| Cap {
					category: name_of(&CATEGORIES, &c.category).to_string(),
					max_amount: money(c.max_amount),
				})
				.collect(),
			resident_priority: terms.resident_priority.map(|p| Priority {
				jurisdiction: String::from_utf8_lossy(&p.jurisdiction).into_owned(),
				tranche: money(p.tranche),
			}),
		}
	}
}

fn kpi_link(i: usize, link: &KpiLinkSheet) -> Result<KpiLink> {
	let at = |name: &str| format!("kpis[{i}].{name}");
	let step = units::percent_bps_signed(&link.coupon_adjustment)
		.map_err(|e| TermSheetError::new(at("couponAdjustment"), e))?;
	let targets = link
		.targets
		.iter()
		.enumerate()
		.map(|(j, t)| {
			Ok(KpiTarget {
				observation_period: t.observation_period,
				feed_period: t.feed_period,
				target: units::fixed(&t.target, link.decimals).map_err(|e| {
					TermSheetError::new(format!("kpis[{i}].targets[{j}].target"), e)
				})?,
				observation_date: instant(
					&format!("kpis[{i}].targets[{j}].observationDate"),
					&t.observation_date,
				)?,
			})
		})
		.collect::<Result<Vec<_>>>()?;
	Ok(KpiLink {
		feed: link.feed,
		direction: by_name(&at("direction"), &DIRECTIONS, &link.direction)?,
		step_bps: step,
		targets,
	})
}

/// The term sheet field a rule's error is about, and the problem in words.
fn rule_error(error: RuleError) -> TermSheetError {
	use RuleError::*;
	let field = match error {
		IsinMalformed | IsinChecksumMismatch => "isin",
		CfiMalformed | CfiUnknownCategory | CfiNotDebt | CfiUnknownGroup => "cfi",
		ZeroDenomination => "denomination",
		IssueSizeNotWholeDenominations => "issueSize",
		ZeroMinimumRaise | MinimumRaiseAboveIssueSize => "minimumRaise",
		MinimumSubscriptionNotWholeDenominations | MinimumSubscriptionAboveIssueSize => {
			"minimumSubscription"
		}
		SubscriptionWindowEmpty => "subscriptionEnd",
		SubscriptionEndsAfterIssue => "subscriptionEnd",
		MaturityNotAfterIssue | MaturityDateNotMidnight | MaturityOffPeriodGrid => "maturityDate",
		IssueDateNotMidnight => "issueDate",
		InvalidFrequency | ZeroPeriodLength => "couponFrequency",
		TooManyPeriods => "couponFrequency",
		MissingRegularPeriod => "dayCountFraction",
		RecordOffsetNotWholeDays | RecordDateBeforeAccrualStart | RecordDatesNotIncreasing => {
			"recordDateOffset"
		}
		NoBusinessDay => "businessDayConvention",
		CouponCapTooHigh => "couponCap",
		CouponFloorAboveCap => "couponFloor",
		CouponBelowFloor | CouponAboveCap => "couponRate",
		NoUseOfProceeds | DuplicateUseOfProceeds => "useOfProceeds",
		MissingFrameworkHash => "documents.framework",
		ZeroSecondPartyOpinionHash => "documents.secondPartyOpinion",
		CallDatesNotIncreasing | CallDateNotCouponDate => "callSchedule",
		CallPremiumTooHigh => "callSchedule",
		ZeroClaimPeriod => "claimPeriod",
		DuplicateInvestorCap
		| InvestorCapNotWholeDenominations
		| InvestorCapBelowMinimumSubscription => "investorCaps",
		InvalidJurisdiction => "residentPriority.jurisdiction",
		PriorityTrancheNotWholeDenominations | PriorityTrancheAboveIssueSize => {
			"residentPriority.tranche"
		}
		TooManyKpis => "kpis",
		ZeroKpiStep | KpiStepTooLarge => "kpis[].couponAdjustment",
		NoKpiTargets | KpiTargetsNotIncreasing | KpiTargetAfterLastCoupon => "kpis[].targets",
		KpiObservationBeforeIssue | KpiObservationAfterRecordDate => {
			"kpis[].targets[].observationDate"
		}
		_ => "terms",
	};
	TermSheetError::new(field, format!("{} ({error:?})", rule_text(error)))
}

/// What a rule's error means, in the words of the rules' own documentation.
fn rule_text(error: RuleError) -> &'static str {
	use RuleError::*;
	match error {
		IsinMalformed => "not two letters, nine letters or digits, and a check digit",
		IsinChecksumMismatch => "the ISIN's check digit is wrong",
		CfiMalformed => "not six uppercase letters",
		CfiUnknownCategory => "the first letter is not an ISO 10962 category",
		CfiNotDebt => "not a debt instrument (a CFI code starting with D)",
		CfiUnknownGroup => "the second letter is not an ISO 10962 debt group",
		ZeroDenomination => "the denomination is zero",
		IssueSizeNotWholeDenominations => "not a positive whole number of denominations",
		ZeroMinimumRaise => "the minimum raise is zero",
		MinimumRaiseAboveIssueSize => "the minimum raise exceeds the issue size",
		MinimumSubscriptionNotWholeDenominations => "not a positive whole number of denominations",
		MinimumSubscriptionAboveIssueSize => "the minimum subscription exceeds the issue size",
		SubscriptionWindowEmpty => "the subscription window does not end after it starts",
		SubscriptionEndsAfterIssue => "the subscription window ends after the issue date",
		MaturityNotAfterIssue => "the maturity date is not after the issue date",
		MaturityDateNotMidnight => "a calendar-frequency bond matures at midnight UTC",
		MaturityOffPeriodGrid => "not a whole number of periods after the issue date",
		IssueDateNotMidnight => "a calendar-frequency bond is issued at midnight UTC",
		InvalidFrequency => "the frequency does not divide the year",
		ZeroPeriodLength => "a compressed period's length is zero",
		TooManyPeriods => "the schedule would have more periods than a bond may have",
		MissingRegularPeriod => "ACT/ACT ICMA needs a calendar frequency",
		RecordOffsetNotWholeDays => "a calendar-frequency bond's offset is whole days",
		RecordDateBeforeAccrualStart => {
			"a record date would fall on or before the start of its accrual period"
		}
		RecordDatesNotIncreasing => "record dates would not increase from period to period",
		NoBusinessDay => "no business day near a payment date",
		CouponCapTooHigh => "the cap exceeds 100 %",
		CouponFloorAboveCap => "the floor exceeds the cap",
		CouponBelowFloor => "the base coupon is below the floor",
		CouponAboveCap => "the base coupon is above the cap",
		NoUseOfProceeds => "no use-of-proceeds category is given",
		DuplicateUseOfProceeds => "a category is listed twice",
		MissingFrameworkHash => "the framework hash is missing (all zero)",
		ZeroSecondPartyOpinionHash => "given but all zero",
		CallDatesNotIncreasing => "call dates are not strictly increasing",
		CallDateNotCouponDate => "a call date is not an unadjusted coupon date before maturity",
		CallPremiumTooHigh => "a call premium exceeds 100 %",
		ZeroClaimPeriod => "zero: holders could never claim",
		DuplicateInvestorCap => "a category is capped twice",
		InvestorCapNotWholeDenominations => "a cap is not a positive whole number of denominations",
		InvestorCapBelowMinimumSubscription => {
			"a cap is below the minimum subscription, so nobody of that category could subscribe"
		}
		InvalidJurisdiction => "not two uppercase letters",
		PriorityTrancheNotWholeDenominations => "not a positive whole number of denominations",
		PriorityTrancheAboveIssueSize => "the tranche exceeds the issue size",
		TooManyKpis => "more KPIs than a bond may link to",
		ZeroKpiStep => "a KPI's coupon adjustment is zero",
		KpiStepTooLarge => "a KPI's coupon adjustment exceeds 100 %",
		NoKpiTargets => "a KPI has no targets",
		KpiTargetsNotIncreasing => "targets are not by strictly increasing observation period",
		KpiTargetAfterLastCoupon => "a target observes the last coupon period: no coupon follows",
		KpiObservationBeforeIssue => "an observation date is not after the issue date",
		KpiObservationAfterRecordDate => {
			"an observation date is after the record date of the coupon it moves"
		}
		Overflow => "a figure is too large",
		_ => "refused by the green bond's rules",
	}
}
