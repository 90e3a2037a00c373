//! The green bond from the tests' side: mirrors of its SCALE types (contracts/green_bond), field
//! for field, and helpers to call it.

// Times and amounts are small sums from the tests' own figures.
#![allow(clippy::arithmetic_side_effects)]

use crate::{account_id, contract, Client};
use anyhow::Result;
use codec::{Decode, Encode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subxt_signer::sr25519::{dev, Keypair};

/// `schedule::Frequency` (only the compressed variant is used here).
#[derive(Encode, Clone)]
pub enum Frequency {
	Annual,
	SemiAnnual,
	Quarterly,
	Monthly,
	EveryMillis { period_ms: u64, periods_per_year: u32 },
}

/// `kpi_link::KpiTarget`.
#[derive(Encode, Clone)]
pub struct KpiTarget {
	pub observation_period: u32,
	pub feed_period: u32,
	pub target: i128,
	pub observation_date: u64,
}

/// `kpi_link::KpiLink`; `direction` 0 is `AtOrAbove`.
#[derive(Encode, Clone)]
pub struct KpiLink {
	pub feed: u32,
	pub direction: u8,
	pub step_bps: i32,
	pub targets: Vec<KpiTarget>,
}

/// `terms::BondTerms<AccountId>`. Enums without data are written as their variant index:
/// `day_count_fraction` 0 = 30/360, `business_day_convention` 0 = unadjusted,
/// `use_of_proceeds` 1 = energy efficiency, investor category 0 = retail.
#[derive(Encode, Clone)]
pub struct BondTerms {
	pub isin: [u8; 12],
	pub cfi: [u8; 6],
	pub issuer: [u8; 32],
	pub currency: [u8; 32],
	pub denomination: u128,
	pub issue_size: u128,
	pub minimum_raise: u128,
	pub minimum_subscription: u128,
	pub subscription_start: u64,
	pub subscription_end: u64,
	pub issue_date: u64,
	pub maturity_date: u64,
	pub coupon_frequency: Frequency,
	pub day_count_fraction: u8,
	pub business_day_convention: u8,
	pub record_date_offset_ms: u64,
	pub coupon_rate_bps: u32,
	pub coupon_floor_bps: u32,
	pub coupon_cap_bps: u32,
	pub kpis: Vec<KpiLink>,
	pub use_of_proceeds: Vec<u8>,
	/// `DocumentHashes { framework, second_party_opinion }`.
	pub documents: ([u8; 32], Option<[u8; 32]>),
	/// `CallOption { date, premium_bps }`.
	pub call_schedule: Vec<(u64, u32)>,
	pub grace_period_ms: u64,
	pub claim_period_ms: u64,
	/// `InvestorCap { category, max_amount }`.
	pub investor_caps: Vec<(u8, u128)>,
	/// `ResidentPriority { jurisdiction, tranche }`.
	pub resident_priority: Option<([u8; 2], u128)>,
}

/// `data::Limits`.
#[derive(Encode, Clone, Copy)]
pub struct Limits {
	pub max_subscribers: u32,
	pub max_holders: u32,
}

/// `data::Payment`.
#[derive(Encode, Clone, Copy)]
pub enum Payment {
	Coupon(u32),
	Redemption,
}

/// `data::Phase`.
#[derive(Debug, PartialEq, Decode)]
pub enum Phase {
	Subscription,
	Cancelled,
	Active,
	Called,
	Defaulted,
	Redeemed,
}

/// `payout::Distribution` (decoded whole; the test reads some fields).
#[derive(Debug, Decode)]
pub struct Distribution {
	pub per_unit: u128,
	pub units: u128,
	pub funded: u128,
	pub paid: u128,
	pub claimed_units: u128,
	pub defaulted: bool,
	pub closed: bool,
}

/// A euro in cents, the cash token's minor unit.
pub const EURO: u128 = 100;
/// The bonds' denomination: 1,000.00.
pub const DENOM: u128 = 1_000 * EURO;

/// The dates of a [`plain_terms`] bond (ms since the Unix epoch).
#[derive(Debug, Clone, Copy)]
pub struct PlainDates {
	/// Subscriptions open.
	pub start: u64,
	/// Subscriptions close.
	pub sub_end: u64,
	/// The issue date; two coupon periods of `period_ms` follow it.
	pub issue: u64,
	/// The coupon period.
	pub period_ms: u64,
	/// How long before each payment date its record date is.
	pub record_offset_ms: u64,
}

/// A plain 4 % bond of `units` units of 1,000.00 with two coupon periods, no KPI, no caps,
/// the minimum raise one unit.
pub fn plain_terms(
	isin: [u8; 12],
	issuer: [u8; 32],
	currency: [u8; 32],
	units: u128,
	dates: PlainDates,
) -> BondTerms {
	BondTerms {
		isin,
		cfi: *b"DNFTFR",
		issuer,
		currency,
		denomination: DENOM,
		issue_size: units * DENOM,
		minimum_raise: DENOM,
		minimum_subscription: DENOM,
		subscription_start: dates.start,
		subscription_end: dates.sub_end,
		issue_date: dates.issue,
		maturity_date: dates.issue + 2 * dates.period_ms,
		coupon_frequency: Frequency::EveryMillis {
			period_ms: dates.period_ms,
			periods_per_year: 2,
		},
		day_count_fraction: 0,
		business_day_convention: 0,
		record_date_offset_ms: dates.record_offset_ms,
		coupon_rate_bps: 400,
		coupon_floor_bps: 400,
		coupon_cap_bps: 400,
		kpis: Vec::new(),
		use_of_proceeds: vec![1],
		documents: ([7; 32], None),
		call_schedule: Vec::new(),
		grace_period_ms: 60_000,
		claim_period_ms: 600_000,
		investor_caps: Vec::new(),
		resident_priority: None,
	}
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> Result<u64> {
	Ok(u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?)
}

/// Sleeps until the wall clock passes `at` (ms) by a second, so the next block is after it.
pub async fn sleep_past(at: u64) -> Result<()> {
	let wait = at.saturating_add(1_000).saturating_sub(now_ms()?);
	tokio::time::sleep(Duration::from_millis(wait)).await;
	Ok(())
}

/// Waits until the wall clock and then the chain's finalized clock are past `at` (ms): calls
/// made from then on are dry-run and executed after `at`.
pub async fn chain_past(client: &Client, at: u64) -> Result<()> {
	sleep_past(at).await?;
	crate::wait_chain_past(client, at).await
}

/// `kpi_link::TargetStatus`.
#[derive(Debug, PartialEq, Decode)]
pub enum TargetStatus {
	Met(i128),
	Missed(i128),
	MissedByFallback,
	Undetermined,
}

/// `kpi_link::KpiAssessment`.
#[derive(Debug, PartialEq, Decode)]
pub struct KpiAssessment {
	pub feed: u32,
	pub feed_period: u32,
	pub status: TargetStatus,
	pub applied_bps: i32,
}

/// `kpi_link::RateFixing`.
#[derive(Debug, Decode)]
pub struct RateFixing {
	pub period: u32,
	pub rate_bps: u32,
	pub assessments: Vec<KpiAssessment>,
}

/// Calls `message(args)` on `contract` as `signer` and fails on any error.
pub async fn call_ok(
	client: &Client,
	signer: &Keypair,
	bundle: &contract::Bundle,
	contract_id: [u8; 32],
	message: &str,
	args: impl Encode,
) -> Result<()> {
	let data = bundle.message(message, args)?;
	contract::call(client, signer, contract_id, data)
		.await
		.map_err(|e| anyhow::anyhow!("{message}: {e:?}"))?;
	Ok(())
}

/// `claim` by each of `holders`, all at once.
pub async fn claim_all(
	client: &Client,
	bundle: &contract::Bundle,
	bond: [u8; 32],
	holders: &[&Keypair],
) -> Result<()> {
	let claims =
		holders.iter().map(|who| call_ok(client, who, bundle, bond, "claim", (account_id(who),)));
	futures::future::try_join_all(claims).await?;
	Ok(())
}

/// Alice deploys the demo cash token (Tokenized Euro, EURC, 2 decimals) with Ferdie as its
/// settlement agent; returns its bundle and address.
pub async fn deploy_cash(client: &Client) -> Result<(contract::Bundle, [u8; 32])> {
	let ferdie = account_id(&dev::ferdie());
	let args = (Some("Tokenized Euro".to_string()), Some("EURC".to_string()), 2u8, ferdie);
	contract::deploy(client, &dev::alice(), "cash_token", "new", args).await
}
