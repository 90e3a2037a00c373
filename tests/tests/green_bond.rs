//! The green bond's life on a real dev node, against the real cash token and the real KPI oracle
//! (read through the chain extension).
//!
//! - Alice (the deployer) deploys a cash token with Ferdie as settlement agent, and a green bond
//!   issued by Bob, with Alice as the bond's agent and one KPI feed Bob creates (no operator
//!   reports it, so its target is missed by the fallback clause and the second coupon steps up);
//! - Ferdie mints cash to Charlie, Dave and Eve, who approve the bond and subscribe; Ferdie, a
//!   settlement agent and not an investor, is refused;
//! - the book closes, Bob receives the proceeds; Bob funds each coupon and the redemption;
//!   holders claim; cash is conserved to the minor unit.
//!
//! Times are compressed (`Frequency::EveryMillis`): a coupon period is 30 s of wall clock.

// Times are small sums of milliseconds from the wall clock.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{ensure, Context, Result};
use citybond_e2e::{
	account_id, contract,
	kpi::{self, FeedRules},
	node::Node,
	Client, Failure,
};
use codec::{Decode, Encode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

// ---------------------------------------------------------------------------------------------
// Mirrors of the green bond's SCALE types (contracts/green_bond), field for field.

/// `schedule::Frequency` (only the compressed variant is used here).
#[derive(Encode)]
#[allow(dead_code)]
enum Frequency {
	Annual,
	SemiAnnual,
	Quarterly,
	Monthly,
	EveryMillis { period_ms: u64, periods_per_year: u32 },
}

/// `kpi_link::KpiTarget`.
#[derive(Encode)]
struct KpiTarget {
	observation_period: u32,
	feed_period: u32,
	target: i128,
	observation_date: u64,
}

/// `kpi_link::KpiLink`; `direction` 0 is `AtOrAbove`.
#[derive(Encode)]
struct KpiLink {
	feed: u32,
	direction: u8,
	step_bps: i32,
	targets: Vec<KpiTarget>,
}

/// `terms::BondTerms<AccountId>`. Enums without data are written as their variant index:
/// `day_count_fraction` 0 = 30/360, `business_day_convention` 0 = unadjusted,
/// `use_of_proceeds` 1 = energy efficiency, investor category 0 = retail.
#[derive(Encode)]
struct BondTerms {
	isin: [u8; 12],
	cfi: [u8; 6],
	issuer: [u8; 32],
	currency: [u8; 32],
	denomination: u128,
	issue_size: u128,
	minimum_raise: u128,
	minimum_subscription: u128,
	subscription_start: u64,
	subscription_end: u64,
	issue_date: u64,
	maturity_date: u64,
	coupon_frequency: Frequency,
	day_count_fraction: u8,
	business_day_convention: u8,
	record_date_offset_ms: u64,
	coupon_rate_bps: u32,
	coupon_floor_bps: u32,
	coupon_cap_bps: u32,
	kpis: Vec<KpiLink>,
	use_of_proceeds: Vec<u8>,
	/// `DocumentHashes { framework, second_party_opinion }`.
	documents: ([u8; 32], Option<[u8; 32]>),
	/// `CallOption { date, premium_bps }`.
	call_schedule: Vec<(u64, u32)>,
	grace_period_ms: u64,
	claim_period_ms: u64,
	/// `InvestorCap { category, max_amount }`.
	investor_caps: Vec<(u8, u128)>,
	/// `ResidentPriority { jurisdiction, tranche }`.
	resident_priority: Option<([u8; 2], u128)>,
}

/// `data::Limits`.
#[derive(Encode)]
struct Limits {
	max_subscribers: u32,
	max_holders: u32,
}

/// `data::Payment`.
#[derive(Encode, Clone, Copy)]
enum Payment {
	Coupon(u32),
	Redemption,
}

/// `data::Phase`.
#[derive(Debug, PartialEq, Decode)]
enum Phase {
	Subscription,
	Cancelled,
	Active,
	Called,
	Defaulted,
	Redeemed,
}

/// `payout::Distribution` (decoded whole; the test reads some fields).
#[derive(Debug, Decode)]
#[allow(dead_code)]
struct Distribution {
	per_unit: u128,
	units: u128,
	funded: u128,
	paid: u128,
	claimed_units: u128,
	defaulted: bool,
	closed: bool,
}

// ---------------------------------------------------------------------------------------------

const EURO: u128 = 100; // cents
const DENOM: u128 = 1_000 * EURO;
const PERIOD_MS: u64 = 30_000;

fn now_ms() -> Result<u64> {
	Ok(u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?)
}

/// Sleeps until the wall clock passes `at` (ms) by a second, so the next block is after it.
async fn sleep_past(at: u64) -> Result<()> {
	let wait = at.saturating_add(1_000).saturating_sub(now_ms()?);
	tokio::time::sleep(Duration::from_millis(wait)).await;
	Ok(())
}

/// Bob creates a KPI feed of 30 s periods starting at `first_start`, with the three demo
/// operators and a quorum of three; returns its id. Nobody reports it.
async fn create_feed(client: &Client, first_start: u64) -> Result<u32> {
	let mut operators = Vec::new();
	for uri in ["//Bob//stash", "//Charlie//stash", "//Dave//stash"] {
		let operator = account_id(&Keypair::from_uri(&uri.parse::<SecretUri>()?)?);
		// Any well-formed ed25519 key: no report is signed in this test.
		let key = ed25519_dalek::SigningKey::from_bytes(&[operator[0]; 32]).verifying_key();
		operators.push((operator, key.to_bytes()));
	}
	let rules = FeedRules {
		attribute: "solarYield",
		first_start,
		length: PERIOD_MS,
		quorum: 3,
		max_report_age: 5_000,
		challenge_window: 5_000,
	};
	kpi::create_feed(client, &rules, &operators).await
}

/// Calls `message(args)` on `contract` as `signer` and fails on any error.
async fn call_ok(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn green_bond_lives_from_subscription_to_redemption_against_real_cash() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let (alice, bob, charlie, dave, eve, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie());

	// The cash token: Ferdie is its settlement agent.
	let (cash, cash_id) = contract::deploy(
		&client,
		&alice,
		"cash_token",
		"new",
		(Some("Tokenized Euro".to_string()), Some("EURC".to_string()), 2u8, account_id(&ferdie)),
	)
	.await?;

	// Ferdie pays cash in to the investors (before the bond exists, to keep its window short).
	for (who, amount) in [(&charlie, 30 * DENOM), (&dave, 40 * DENOM), (&eve, 10 * DENOM)] {
		call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(who), amount)).await?;
	}

	// The schedule: subscriptions for 90 s, closing within 20 s, then two 30 s coupon periods.
	let start = now_ms()?;
	let sub_end = start + 90_000;
	let issue = sub_end + 20_000;
	let maturity = issue + 2 * PERIOD_MS;
	let record_offset = 5_000;
	let feed = create_feed(&client, issue).await?;
	let terms = BondTerms {
		isin: *b"XS2407019798",
		cfi: *b"DNFTFR",
		issuer: account_id(&bob),
		currency: cash_id,
		denomination: DENOM,
		issue_size: 100 * DENOM,
		minimum_raise: 20 * DENOM,
		minimum_subscription: DENOM,
		subscription_start: start,
		subscription_end: sub_end,
		issue_date: issue,
		maturity_date: maturity,
		coupon_frequency: Frequency::EveryMillis { period_ms: PERIOD_MS, periods_per_year: 2 },
		day_count_fraction: 0,
		business_day_convention: 0,
		record_date_offset_ms: record_offset,
		coupon_rate_bps: 400,
		coupon_floor_bps: 300,
		coupon_cap_bps: 600,
		// Feed period 0 must reach 100 kWh by the end of coupon period 0; nobody reports it,
		// so the fallback clause counts it missed and coupon 1 steps up by 100 bp.
		kpis: vec![KpiLink {
			feed,
			direction: 0,
			step_bps: 100,
			targets: vec![KpiTarget {
				observation_period: 0,
				feed_period: 0,
				target: 100_000,
				observation_date: issue + PERIOD_MS,
			}],
		}],
		use_of_proceeds: vec![1],
		documents: ([7; 32], None),
		call_schedule: Vec::new(),
		grace_period_ms: 20_000,
		claim_period_ms: 60_000,
		investor_caps: vec![(0, 30 * DENOM)],
		resident_priority: None,
	};
	let limits = Limits { max_subscribers: 10, max_holders: 20 };
	let (bond, bond_id) = contract::deploy(
		&client,
		&alice,
		"green_bond",
		"new",
		(terms, vec![account_id(&alice)], limits),
	)
	.await?;

	// The investors approve the bond and subscribe.
	for (who, amount) in [(&charlie, 30 * DENOM), (&dave, 40 * DENOM), (&eve, 10 * DENOM)] {
		call_ok(&client, who, &cash, cash_id, "approve", (bond_id, amount)).await?;
	}
	call_ok(&client, &charlie, &bond, bond_id, "subscribe", (30 * DENOM,)).await?;
	call_ok(&client, &dave, &bond, bond_id, "subscribe", (40 * DENOM,)).await?;
	// Eve is an institutional investor with KYC in the demo cast: she may subscribe too.
	call_ok(&client, &eve, &bond, bond_id, "subscribe", (10 * DENOM,)).await?;
	// Ferdie is a settlement agent, not an investor: refused before any cash moves.
	let refused =
		contract::call(&client, &ferdie, bond_id, bond.message("subscribe", (DENOM,))?).await;
	ensure!(
		matches!(refused, Err(Failure::Dispatch(ref e)) if e.contains("ContractReverted")),
		"Ferdie's subscription was not refused"
	);

	// Read as Alice: a dry run's origin must be able to cover its deposit limit.
	let reader = account_id(&alice);
	let cash_balance = |who: [u8; 32]| {
		let data = cash.message("balance_of", (who,));
		let client = client.clone();
		async move { contract::query::<u128>(&client, reader, cash_id, data?).await }
	};
	ensure!(cash_balance(bond_id).await? == 80 * DENOM, "escrow held by the bond");

	// The window ends; anyone closes the book: 80 units issued, Bob receives the proceeds.
	sleep_past(sub_end).await?;
	call_ok(&client, &dave, &bond, bond_id, "close_book", ()).await?;
	let phase: Option<Phase> =
		contract::query(&client, account_id(&bob), bond_id, bond.message("phase", ())?).await?;
	ensure!(phase == Some(Phase::Active), "phase after closing: {phase:?}");
	ensure!(cash_balance(account_id(&bob)).await? == 80 * DENOM, "proceeds to the issuer");
	ensure!(cash_balance(bond_id).await? == 0, "bond holds nothing after closing");

	// Coupon 0: 4 % on 1,000.00 for half a year = 20.00 per unit. Bob funds it after the
	// record date; holders claim.
	let coupon0 = 80 * 20 * EURO;
	let coupon1 = 80 * 25 * EURO; // stepped up to 5 %: the KPI was never reported
	let principal = 80 * DENOM;
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), coupon0 + coupon1))
		.await?;
	call_ok(&client, &bob, &cash, cash_id, "approve", (bond_id, coupon0 + coupon1 + principal))
		.await?;
	sleep_past(issue + PERIOD_MS - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(0), coupon0)).await?;
	for who in [&charlie, &dave, &eve] {
		call_ok(&client, who, &bond, bond_id, "claim", (account_id(who),)).await?;
	}

	// Coupon 1 and the redemption, past the observation date: the rate is fixed at 5 %.
	sleep_past(maturity - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(1), coupon1)).await?;
	let d: Option<Distribution> = contract::query(
		&client,
		account_id(&bob),
		bond_id,
		bond.message("distribution", (Payment::Coupon(1),))?,
	)
	.await?;
	let d = d.context("coupon 1 has no distribution")?;
	ensure!(
		d.per_unit == 25 * EURO && d.units == 80 && d.funded == coupon1 && !d.defaulted,
		"coupon 1 should pay 25.00 on each of 80 units, funded in full: {d:?}"
	);
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Redemption, principal)).await?;
	for who in [&charlie, &dave, &eve] {
		call_ok(&client, who, &bond, bond_id, "claim", (account_id(who),)).await?;
	}
	let phase: Option<Phase> =
		contract::query(&client, account_id(&bob), bond_id, bond.message("phase", ())?).await?;
	ensure!(phase == Some(Phase::Redeemed), "phase after redemption: {phase:?}");

	// Cash conserved: each investor got back principal plus 20.00 + 25.00 per unit.
	for (who, units) in [(&charlie, 30u128), (&dave, 40), (&eve, 10)] {
		let expected = units * (DENOM + 45 * EURO);
		ensure!(cash_balance(account_id(who)).await? == expected, "investor's cash at the end");
	}
	ensure!(cash_balance(bond_id).await? == 0, "the bond holds no cash at the end");
	Ok(())
}
