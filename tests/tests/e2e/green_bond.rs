//! The green bond's life on a real dev node, against the real cash token and the real KPI oracle
//! (read through the chain extension).
//!
//! - Alice (the deployer) deploys a cash token with Ferdie as settlement agent and uploads the
//!   green bond's code, which governance (sudo) approves; Bob issues his green bond from it, with
//!   Alice as the bond's agent and two KPI feeds governance creates, each with the three demo oracle
//!   operators:
//!   - energy saved (step-up 100 bp): its first period is reported BELOW target and becomes
//!     Final, so coupon 1 steps up to 5 %; its second period is reported on target, so coupon 2
//!     goes back to the base rate;
//!   - water loss avoided (step-up 50 bp): nobody reports it, so its period is Missing and the
//!     fallback clause steps coupon 2 up to 4.5 %;
//! - Ferdie mints cash to Charlie, Dave and Eve, who subscribe 130 units for an issue of 100:
//!   the book is oversubscribed, units are allotted pro rata (largest remainder) and the rest is
//!   refunded; Ferdie, a settlement agent and not an investor, is refused;
//! - Bob receives the proceeds, funds each coupon and the redemption; holders claim; cash is
//!   conserved to the minor unit.
//!
//! Times are compressed (`Frequency::EveryMillis`): a coupon period is 30 s of wall clock.

// Times are small sums of milliseconds from the wall clock.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id,
	bond::{
		call_ok, chain_past, claim_all, deploy_cash, now_ms, sleep_past, BondTerms, Distribution,
		Frequency, KpiAssessment, KpiLink, KpiTarget, Limits, Payment, Phase, RateFixing,
		TargetStatus, DENOM, EURO,
	},
	contract,
	kpi::{self, report_all, FeedRules, Operator, Report},
	node::Node,
	Client, Failure,
};
use subxt_signer::sr25519::dev;

/// A coupon period on the compressed clock.
const PERIOD_MS: u64 = 30_000;

/// Feed periods: as long as coupon periods, but each ends 20 s before the coupon period it is
/// observed for, so its reports are in and final by the observation date.
const FEED_LEAD_MS: u64 = 20_000;

/// Governance creates a KPI feed on `attribute` with the demo operators and a quorum of three; its
/// periods are `PERIOD_MS` long from `first_start`. Returns its id.
async fn create_feed(
	client: &Client,
	attribute: &str,
	first_start: u64,
	operators: &[Operator],
) -> Result<u32> {
	let rules = FeedRules {
		attribute,
		first_start,
		length: PERIOD_MS,
		quorum: 3,
		max_report_age: 15_000,
		challenge_window: 5_000,
	};
	let listed: Vec<_> = operators.iter().map(Operator::listing).collect();
	kpi::create_feed(client, &rules, &listed).await
}

/// The three operators' reports of `value` (kWh, 3 decimals) for `period` of `feed`, with
/// distinct source hashes.
fn readings(feed: u32, period: u32, first_start: u64, values: [i128; 3]) -> Vec<Report> {
	let start = first_start + PERIOD_MS * u64::from(period);
	(0u8..3)
		.zip(values)
		.map(|(i, value)| Report {
			feed,
			period,
			value,
			window_start: start,
			window_end: start + PERIOD_MS,
			payload_hash: [i + 1; 32],
			devices_hash: [0xd0 | i; 32],
		})
		.collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn green_bond_allots_pro_rata_and_steps_up_on_a_missed_target_and_a_missing_period(
) -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let genesis: [u8; 32] = client.genesis_hash().0;
	let (alice, bob, charlie, dave, eve, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie());
	let operators = Operator::demo_three()?;

	// The cash token: Ferdie is its settlement agent.
	let (cash, cash_id) = deploy_cash(&client).await?;

	// Ferdie pays cash in to the investors (before the bond exists, to keep its window short).
	let demand = [(&charlie, 30u128), (&dave, 60), (&eve, 40)];
	for (who, units) in demand {
		call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(who), units * DENOM)).await?;
	}

	// The schedule: subscriptions for 90 s, closing within 20 s, then three 30 s coupon periods.
	let start = now_ms()?;
	let sub_end = start + 90_000;
	let issue = sub_end + 20_000;
	let maturity = issue + 3 * PERIOD_MS;
	let record_offset = 5_000;
	let observed = |period: u64| issue + (period + 1) * PERIOD_MS;
	let feed_start = issue - FEED_LEAD_MS;
	let energy = create_feed(&client, "energySaved", feed_start, &operators).await?;
	let water = create_feed(&client, "waterLossAvoided", feed_start, &operators).await?;
	let target = |observation_period: u32, target: i128| KpiTarget {
		observation_period,
		feed_period: observation_period,
		target,
		observation_date: observed(observation_period.into()),
	};
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
		// Energy saved must reach 100 kWh in feed periods 0 and 1 (observed for coupon periods
		// 0 and 1); water loss avoided must reach 50 m3 in feed period 1.
		kpis: vec![
			KpiLink {
				feed: energy,
				direction: 0,
				step_bps: 100,
				targets: vec![target(0, 100_000), target(1, 100_000)],
			},
			KpiLink { feed: water, direction: 0, step_bps: 50, targets: vec![target(1, 50_000)] },
		],
		use_of_proceeds: vec![1],
		documents: ([7; 32], None),
		call_schedule: Vec::new(),
		grace_period_ms: 20_000,
		claim_period_ms: 120_000,
		investor_caps: vec![(0, 30 * DENOM)],
		resident_priority: None,
	};
	let limits = Limits { max_subscribers: 10, max_holders: 20 };
	// Observing a KPI one millisecond before it could be final (feed period 0 ends 20 s before
	// the observation date; reports take up to 15 s, disputes 5 s) is refused at set-up.
	let mut early = terms.clone();
	early.kpis[0].targets[0].observation_date -= 1;
	let (bond, bond_id) = contract::deploy_as_issuer(
		&client,
		&alice,
		&bob,
		"green_bond",
		"new",
		(terms, vec![account_id(&alice)], limits),
	)
	.await?;
	let data = bond.constructor("new", (early, vec![account_id(&alice)], limits))?;
	match contract::instantiate_dry_run(
		&client,
		account_id(&bob),
		bond.code_hash,
		data,
		b"e".to_vec(),
	)
	.await?
	{
		Err(output) => {
			let why = citybond_client::bond::revert_of_bond(&output).to_string();
			ensure!(why.contains("ObservationBeforeVerification"), "early terms: {why}");
		}
		Ok(preview) => {
			bail!("terms observing a KPI too early were accepted: {:?}", preview.address)
		}
	}

	// The investors approve the bond and subscribe 130 units in all: oversubscribed.
	// Eve is an institutional investor with KYC in the demo cast: she may subscribe too.
	let approvals = demand.iter().map(|(who, units)| {
		call_ok(&client, who, &cash, cash_id, "approve", (bond_id, units * DENOM))
	});
	futures::future::try_join_all(approvals).await?;
	let subscriptions = demand
		.iter()
		.map(|(who, units)| call_ok(&client, who, &bond, bond_id, "subscribe", (units * DENOM,)));
	futures::future::try_join_all(subscriptions).await?;
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
	let units_of = |who: [u8; 32]| {
		let data = bond.message("balance_of", (who,));
		let client = client.clone();
		async move { contract::query::<u128>(&client, reader, bond_id, data?).await }
	};
	let rate = |period: u32| {
		let data = bond.message("coupon_rate", (period,));
		let client = client.clone();
		async move {
			let fixing: Result<RateFixing, u8> =
				contract::query(&client, reader, bond_id, data?).await?;
			fixing.map_err(|e| anyhow::anyhow!("coupon_rate({period}) failed: error {e}"))
		}
	};
	ensure!(cash_balance(bond_id).await? == 130 * DENOM, "escrow held by the bond");

	// The window ends; anyone closes the book. 100 units for 130 asked: pro rata by largest
	// remainder, 30×100/130 = 23.08, 60×100/130 = 46.15, 40×100/130 = 30.77; the floors make 99
	// and the one unit left goes to the largest remainder, Eve's.
	chain_past(&client, sub_end).await?;
	call_ok(&client, &dave, &bond, bond_id, "close_book", ()).await?;
	let phase: Option<Phase> =
		contract::query(&client, account_id(&bob), bond_id, bond.message("phase", ())?).await?;
	ensure!(phase == Some(Phase::Active), "phase after closing: {phase:?}");
	let allotted = [(&charlie, 23u128), (&dave, 46), (&eve, 31)];
	let refunds = demand.iter().map(|(who, _)| {
		call_ok(&client, who, &bond, bond_id, "withdraw_refund", (account_id(who),))
	});
	futures::future::try_join_all(refunds).await?;
	for ((who, units), (_, asked)) in allotted.into_iter().zip(demand) {
		ensure!(units_of(account_id(who)).await? == units, "units allotted");
		ensure!(
			cash_balance(account_id(who)).await? == (asked - units) * DENOM,
			"refund of the unallotted subscription"
		);
	}
	ensure!(cash_balance(account_id(&bob)).await? == 100 * DENOM, "proceeds to the issuer");
	ensure!(cash_balance(bond_id).await? == 0, "bond holds nothing after closing");

	// Energy period 0 is reported below target (a median of 81 kWh against 100 kWh); the KPI
	// is final before the observation date.
	sleep_past(feed_start + PERIOD_MS).await?;
	let below = readings(energy, 0, feed_start, [80_000, 82_000, 81_000]);
	report_all(&client, genesis, &operators, &below).await?;

	// Coupon 0 at the base 4 %: 20.00 per unit for half a year. Bob funds it after the record
	// date.
	let per_unit = [20 * EURO, 25 * EURO, 2_250];
	let coupons: Vec<u128> = per_unit.iter().map(|p| 100 * p).collect();
	let principal = 100 * DENOM;
	let coupon_cash = coupons.iter().sum::<u128>();
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), coupon_cash)).await?;
	call_ok(&client, &bob, &cash, cash_id, "approve", (bond_id, coupon_cash + principal)).await?;
	chain_past(&client, observed(0) - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(0), coupons[0])).await?;

	// Energy period 1 is reported on target (120 kWh); nobody reports water period 1.
	sleep_past(feed_start + 2 * PERIOD_MS).await?;
	let on_target = readings(energy, 1, feed_start, [120_000, 118_000, 121_000]);
	report_all(&client, genesis, &operators, &on_target).await?;
	claim_all(&client, &bond, bond_id, &[&charlie, &dave, &eve]).await?;

	// Coupon 1: the missed energy target steps it up by 100 bp to 5 %.
	let fixing = rate(1).await?;
	ensure!(
		fixing.period == 1
			&& fixing.rate_bps == 500
			&& fixing.assessments
				== vec![KpiAssessment {
					feed: energy,
					feed_period: 0,
					status: TargetStatus::Missed(81_000),
					applied_bps: 100,
				}],
		"coupon 1 should step up for the missed target: {fixing:?}"
	);
	chain_past(&client, observed(1) - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(1), coupons[1])).await?;
	claim_all(&client, &bond, bond_id, &[&charlie, &dave, &eve]).await?;

	// Coupon 2: energy met its target (no step) but water's period is Missing, so the fallback
	// clause steps it up by 50 bp to 4.5 %.
	chain_past(&client, observed(1)).await?;
	let fixing = rate(2).await?;
	ensure!(
		fixing.rate_bps == 450
			&& fixing.assessments
				== vec![
					KpiAssessment {
						feed: energy,
						feed_period: 1,
						status: TargetStatus::Met(120_000),
						applied_bps: 0,
					},
					KpiAssessment {
						feed: water,
						feed_period: 1,
						status: TargetStatus::MissedByFallback,
						applied_bps: 50,
					},
				],
		"coupon 2 should step up for the missing water KPI only: {fixing:?}"
	);

	// Coupon 2 and the redemption.
	chain_past(&client, maturity - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(2), coupons[2])).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Redemption, principal)).await?;
	for (index, expected) in per_unit.into_iter().enumerate() {
		let payment = Payment::Coupon(u32::try_from(index)?);
		let d: Option<Distribution> =
			contract::query(&client, reader, bond_id, bond.message("distribution", (payment,))?)
				.await?;
		let d = d.with_context(|| format!("coupon {index} has no distribution"))?;
		ensure!(
			d.per_unit == expected && d.units == 100 && !d.defaulted,
			"coupon {index} should pay {expected} on each of 100 units: {d:?}"
		);
	}
	claim_all(&client, &bond, bond_id, &[&charlie, &dave, &eve]).await?;
	let phase: Option<Phase> =
		contract::query(&client, account_id(&bob), bond_id, bond.message("phase", ())?).await?;
	ensure!(phase == Some(Phase::Redeemed), "phase after redemption: {phase:?}");

	// Cash conserved: each investor got its refund, its principal back, and 20.00 + 25.00 +
	// 22.50 per unit; Bob paid out all he raised and was minted; the bond holds nothing.
	for ((who, units), (_, asked)) in allotted.into_iter().zip(demand) {
		let expected = asked * DENOM + units * per_unit.iter().sum::<u128>();
		ensure!(cash_balance(account_id(who)).await? == expected, "investor's cash at the end");
	}
	ensure!(cash_balance(account_id(&bob)).await? == 0, "the issuer paid out everything");
	ensure!(cash_balance(bond_id).await? == 0, "the bond holds no cash at the end");
	Ok(())
}
