//! A green bond's whole life on the running stack, seen only through the API over HTTP and
//! done only with signed extrinsics, each by the persona whose act it is.
//!
//! The stack (`citybond_e2e::stack`, what `scripts/dev.sh` runs) is a dev node, the cash token,
//! two KPI feeds (energy saved at the town hall, non-revenue water of DMA Noord), the digital
//! twin, three `citybond-oracle` processes reading it over NGSI-LD and the API on SQLite. On it:
//!
//! 1. **Issue.** Alice, the platform's contract deployer, deploys the City of Rotterdam's (Bob's)
//!    bond: 500 units of 1,000.00, 4 % base coupon, three coupon periods of 100 s (each standing
//!    for half a year), energy savings linked at +25 bp and non-revenue water at +50 bp.
//! 2. **Oversubscription.** Ferdie, the cash token's settlement agent, mints cash to Charlie,
//!    Dave and Eve, who ask for 25 + 300 + 275 = 600 units. Ferdie's own subscription is
//!    refused (not an investor). The book closes: units are allotted pro rata by largest
//!    remainder (computed here), the rest refunded.
//! 3. **Under-performance, one operator down.** Dave's oracle is stopped at the start: the
//!    feeds' quorum is two of three, so Bob's and Charlie's operators decide every period
//!    without it. The twin is switched to `under-performing` for the feed period observed for
//!    coupon 1: the two oracles measure it, both KPIs miss their targets, the energy KPI is
//!    attested by the auditor and becomes Final below target.
//! 4. **Audit and governance.** The auditor disputes the water KPI of that period; the council
//!    (Alice and Bob) resolves the dispute by replacing the value with the audited figure, which
//!    meets the ceiling: so coupon 1 steps up for energy only (4.25 %).
//! 5. **Sensor outage.** The twin loses its sensors for the period observed for coupon 2: the
//!    oracles refuse to report, both KPIs become Missing and the fallback clause steps coupon 2
//!    up for both links (4.75 %).
//! 6. **Coupons and redemption.** Bob funds each coupon and the principal; the holders claim;
//!    every amount the API shows is the one computed here from the day-count rule (a regular
//!    period accrues 1/2 of a year).
//! 7. **Cash conserved.** Charlie takes 1,000.00 out (transfers it to Ferdie, who burns it).
//!    The cash token's supply is what Ferdie minted less what he burned, and each account holds
//!    exactly what its flows say.
//!
//! Every check reads the API (public, investor, issuer and auditor views); the chain is only
//! written to. Wall time about 9 minutes.

// Test code: sums of milliseconds and minor units; a failed expectation may panic.
#![allow(clippy::arithmetic_side_effects, clippy::unwrap_used, clippy::expect_used)]

use anyhow::{anyhow, bail, ensure, Context, Result};
use citybond_e2e::{
	account_id,
	api_client::{poll, Api},
	bond::{
		call_ok, chain_past, claim_all, now_ms, sleep_past, BondTerms, Frequency, KpiLink,
		KpiTarget, Limits, Payment, DENOM, EURO,
	},
	contract::{self, Bundle},
	council_motion,
	stack::{Stack, StackConfig},
	submit, submit_ok, Client, Failure,
};
use rust_decimal::{prelude::ToPrimitive, Decimal, RoundingStrategy};
use serde_json::Value as Json;
use std::time::Duration;
use subxt::ext::scale_value::Value;
use subxt_signer::sr25519::{dev, Keypair};

/// A KPI feed period: 20 s of wall clock, 20 simulated hours of the twin.
const KPI_PERIOD_MS: u64 = 20_000;
/// The feeds' challenge window: long enough for an auditor to read the reports in the API
/// (which indexes finalized blocks only) and dispute, and for the council to resolve it.
const CHALLENGE_MS: u64 = 40_000;
/// A coupon period: five feed periods.
const COUPON_PERIOD_MS: u64 = 5 * KPI_PERIOD_MS;
/// From a coupon period's start to the start of the feed period observed for it; the feed
/// period then ends 65 s before the observation date, time for reports, the challenge window
/// and a dispute.
const LEAD_IN_MS: u64 = 15_000;
/// From the investors' cash being minted to the end of the subscription window: time to deploy
/// the bond and for three investors to approve and subscribe (a few blocks each).
const SUBSCRIPTION_MS: u64 = 45_000;
/// Record date: this long before each payment date.
const RECORD_OFFSET_MS: u64 = 10_000;
/// Coupons (the last one paid with the principal at maturity).
const COUPONS: u64 = 3;
/// Units offered.
const ISSUE_UNITS: u128 = 500;
/// Base coupon, step-ups, floor and cap (bp a year), half-yearly coupons.
const BASE_BPS: u32 = 400;
const ENERGY_STEP_BPS: u32 = 25;
const WATER_STEP_BPS: u32 = 50;
const PER_YEAR: u32 = 2;
/// Simulated hours in a feed period (a twin second is an hour).
const HOURS: i128 = KPI_PERIOD_MS as i128 / 1_000;
/// Targets per feed period (3 decimals): at least 15 kWh saved an hour, at most 25 m3 of
/// non-revenue water an hour.
const ENERGY_TARGET: i128 = 15 * HOURS * 1_000;
const WATER_CEILING: i128 = 25 * HOURS * 1_000;
/// The water figure the council puts in place of the disputed one (23.5 m3 an hour: meets the
/// ceiling).
const AUDITED_WATER: i128 = 235 * HOURS * 100;

fn hex32(bytes: [u8; 32]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn keypair(uri: &str) -> Result<Keypair> {
	Ok(Keypair::from_uri(&uri.parse::<subxt_signer::SecretUri>()?)?)
}

/// Pro-rata allotment by largest remainder: each subscriber gets `asked × size / total`
/// rounded down; the units left go one each to the largest remainders. (The demand below has
/// no tie between remainders.)
fn pro_rata(asked: &[u128], size: u128) -> Vec<u128> {
	let total: u128 = asked.iter().sum();
	if total <= size {
		return asked.to_vec();
	}
	let mut units: Vec<u128> = asked.iter().map(|a| a * size / total).collect();
	let mut order: Vec<usize> = (0..asked.len()).collect();
	order.sort_by_key(|&i| std::cmp::Reverse(asked[i] * size % total));
	let left = size - units.iter().sum::<u128>();
	for &i in order.iter().take(usize::try_from(left).unwrap()) {
		units[i] += 1;
	}
	units
}

/// The coupon per unit of a regular period: denomination × annual rate × 1/`per_year` (the
/// fraction 30/360 and ACT/ACT ICMA both give a regular period), rounded half up to the cent.
fn coupon_per_unit(denomination: u128, rate_bps: u32, per_year: u32) -> Result<u128> {
	let exact = Decimal::from(denomination) * Decimal::from(rate_bps)
		/ Decimal::from(10_000)
		/ Decimal::from(per_year);
	exact
		.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
		.to_u128()
		.context("coupon out of range")
}

/// An amount as the API writes it: minor units, a decimal string.
fn money(json: &Json) -> Option<u128> {
	json.as_str().and_then(|s| s.parse().ok()).or_else(|| json.as_u64().map(u128::from))
}

/// Milliseconds since the epoch from an RFC 3339 time the API wrote.
fn millis(json: &Json) -> Result<u64> {
	let text = json.as_str().with_context(|| format!("{json} is not a time"))?;
	Ok(u64::try_from(chrono::DateTime::parse_from_rfc3339(text)?.timestamp_millis())?)
}

/// The API's view of one period of a feed.
async fn kpi_point(api: &Api, feed: u32, period: u64) -> Result<Json> {
	let series =
		api.get(&format!("/v1/feeds/{feed}/kpis?from_period={period}&to_period={period}")).await?;
	Ok(series["points"][0].clone())
}

/// Waits until the API shows `feed`'s `period` with status `status` (as the API names it).
async fn wait_kpi(api: &Api, feed: u32, period: u64, status: &str) -> Result<Json> {
	poll(&format!("feed {feed} period {period} {status}"), Duration::from_secs(90), || async {
		let point = kpi_point(api, feed, period).await?;
		Ok(if point["status"] == status { Ok(point) } else { Err(point.to_string()) })
	})
	.await
}

/// Switches the twin's scenario (its own HTTP interface, as an operator of the demo would).
async fn scenario(twin: &str, name: &str) -> Result<()> {
	let res = reqwest::Client::new()
		.post(format!("{twin}/twin/scenario"))
		.json(&serde_json::json!({ "scenario": name }))
		.send()
		.await?;
	ensure!(res.status().is_success(), "twin scenario {name}: {}", res.status());
	Ok(())
}

/// A council motion of Alice and Bob resolving a KPI dispute with `resolution`.
async fn resolve(client: &Client, feed: u32, period: u64, resolution: Value) -> Result<()> {
	let call = Value::unnamed_variant(
		"KpiOracle",
		[Value::named_variant(
			"resolve_dispute",
			[
				("feed", Value::u128(feed.into())),
				("period", Value::u128(period.into())),
				("resolution", resolution),
			],
		)],
	);
	council_motion(client, &[&dev::alice(), &dev::bob()], call).await?;
	Ok(())
}

/// `KpiOracle.settle(feed, period)` as `who`; a period the pallet already recorded is fine.
async fn settle(client: &Client, who: &Keypair, feed: u32, period: u64) -> Result<()> {
	let args = vec![Value::u128(feed.into()), Value::u128(period.into())];
	match submit(client, who, "KpiOracle", "settle", args).await {
		Ok(_) => Ok(()),
		Err(Failure::Dispatch(e)) if e.contains("NothingToSettle") => Ok(()),
		Err(e) => Err(anyhow!("settle feed {feed} period {period}: {e:?}")),
	}
}

/// A rate fixing's assessment of one link as the API shows it: (feed, feed period, status,
/// bp applied).
fn assessment(json: &Json) -> (u64, u64, Json, i64) {
	(
		json["feed"].as_u64().unwrap_or(u64::MAX),
		json["feed_period"].as_u64().unwrap_or(u64::MAX),
		json["status"].clone(),
		json["applied_bps"].as_i64().unwrap_or(i64::MIN),
	)
}

/// Logs the start of a step with the time from the issue date, for reading a failure.
fn step(issue: u64, what: &str) {
	let now = now_ms().unwrap_or_default();
	let (sign, ms) = if now >= issue { ('+', now - issue) } else { ('-', issue - now) };
	eprintln!("lifecycle: issue date {sign}{}.{:03} s: {what}", ms / 1_000, ms % 1_000);
}

/// Bob, the issuer, pays `amount` in for `payment`.
async fn fund(
	client: &Client,
	green: &Bundle,
	bond: [u8; 32],
	payment: Payment,
	amount: u128,
) -> Result<()> {
	call_ok(client, &dev::bob(), green, bond, "fund", (payment, amount)).await
}

/// Waits until the API's schedule of `bond` shows coupon `k`'s rate fixed; returns the schedule.
async fn fixed_schedule(api: &Api, bond: &str, k: usize) -> Result<Json> {
	poll(&format!("coupon {k}'s rate fixed"), Duration::from_secs(60), || async {
		let d = api.get(&format!("/v1/bonds/{bond}")).await?;
		let schedule = d["schedule"].clone();
		Ok(if schedule[k]["rate_fixed"] == true { Ok(schedule) } else { Err(schedule.to_string()) })
	})
	.await
}

/// The assessments behind coupon `k`'s rate in `schedule`, as (feed, feed period, status, bp).
fn assessments(schedule: &Json, k: usize) -> Vec<(u64, u64, Json, i64)> {
	schedule[k]["assessments"].as_array().into_iter().flatten().map(assessment).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_green_bond_lives_its_life_through_the_api_and_signed_extrinsics() -> Result<()> {
	let dir = tempfile::tempdir()?;
	let free = citybond_e2e::node::free_port;
	let config = StackConfig {
		rpc_port: free()?,
		api_port: free()?,
		twin_port: free()?,
		kpi_period_ms: KPI_PERIOD_MS,
		challenge_window_ms: Some(CHALLENGE_MS),
		demo_bond: false,
		..StackConfig::new(dir.path().join("stack"))
	};
	let mut stack = Stack::up(config, &|line| eprintln!("stack: {line}")).await?;
	let client = stack.node.client().await?;
	let api = Api::new(&stack.api_url);
	let twin = stack.twin_url.clone();
	let cash_id: [u8; 32] = hex::decode(
		stack.state.cash_token.as_deref().context("no cash token")?.trim_start_matches("0x"),
	)?
	.try_into()
	.map_err(|_| anyhow!("cash token address"))?;
	let cash = Bundle::load("cash_token")?;
	let green = Bundle::load("green_bond")?;
	let (alice, bob, charlie, dave, eve, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve(), dev::ferdie());
	let auditor = keypair("//Alice//stash")?;
	let operators: Vec<String> = ["Bob", "Charlie", "Dave"]
		.iter()
		.map(|n| Ok(hex32(account_id(&keypair(&format!("//{n}//stash"))?))))
		.collect::<Result<_>>()?;

	// The feeds as the public API describes them.
	let feeds = poll("the two feeds indexed", Duration::from_secs(60), || async {
		let feeds = api.get("/v1/feeds").await?;
		Ok(if feeds["total"] == 2 { Ok(feeds) } else { Err(feeds.to_string()) })
	})
	.await?;
	let feed = |attribute: &str| -> Result<(u32, u64)> {
		let f = feeds["items"]
			.as_array()
			.into_iter()
			.flatten()
			.find(|f| f["attribute"] == attribute)
			.with_context(|| format!("no {attribute} feed in {feeds}"))?;
		ensure!(f["period_ms"] == KPI_PERIOD_MS && f["challenge_window_ms"] == CHALLENGE_MS);
		ensure!(f["quorum"] == 2, "two of three operators decide a period: {f}");
		Ok((
			u32::try_from(f["feed"].as_u64().context("feed id")?)?,
			millis(&f["first_period_start"])?,
		))
	};
	let (energy, first_start) = feed("energySaved")?;
	let (water, water_start) = feed("nonRevenueWater")?;
	ensure!(first_start == water_start, "the feeds' periods are not aligned");
	// Dave's oracle goes down for good: the quorum of two of three decides every period without
	// it (step 3 checks who signed).
	stack.stop_oracle("Dave")?;
	let reporting = &operators[..2];

	// Ferdie pays in the investors' cash.
	let demand = [(&charlie, 25u128), (&dave, 300), (&eve, 275)];
	let mut minted = 0;
	for (who, units) in demand {
		call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(who), units * DENOM)).await?;
		minted += units * DENOM;
	}

	// The timeline. Coupon period k runs [issue + k·C, issue + (k+1)·C); its rate k+1 is fixed
	// from the feed period starting LEAD_IN into it.
	let start = now_ms()?;
	let sub_end = start + SUBSCRIPTION_MS;
	let earliest = sub_end + 25_000 + LEAD_IN_MS - first_start;
	let issue = first_start + earliest.div_ceil(KPI_PERIOD_MS) * KPI_PERIOD_MS - LEAD_IN_MS;
	let maturity = issue + COUPONS * COUPON_PERIOD_MS;
	let payment = |k: u64| issue + (k + 1) * COUPON_PERIOD_MS;
	let observed = |k: u64| {
		let start = issue + LEAD_IN_MS + k * COUPON_PERIOD_MS;
		((start - first_start) / KPI_PERIOD_MS, start, start + KPI_PERIOD_MS)
	};
	let target = |k: u64, target: i128| KpiTarget {
		observation_period: u32::try_from(k).unwrap(),
		feed_period: u32::try_from(observed(k).0).unwrap(),
		target,
		observation_date: payment(k),
	};
	let terms = BondTerms {
		isin: *b"NL00CBLIF014",
		cfi: *b"DNFTFR",
		issuer: account_id(&bob),
		currency: cash_id,
		denomination: DENOM,
		issue_size: ISSUE_UNITS * DENOM,
		minimum_raise: ISSUE_UNITS / 2 * DENOM,
		minimum_subscription: DENOM,
		subscription_start: start - 60_000,
		subscription_end: sub_end,
		issue_date: issue,
		maturity_date: maturity,
		coupon_frequency: Frequency::EveryMillis {
			period_ms: COUPON_PERIOD_MS,
			periods_per_year: PER_YEAR,
		},
		day_count_fraction: 0,
		business_day_convention: 0,
		record_date_offset_ms: RECORD_OFFSET_MS,
		coupon_rate_bps: BASE_BPS,
		coupon_floor_bps: BASE_BPS,
		coupon_cap_bps: 500,
		kpis: vec![
			// Energy saved at or above target, observed for coupons 1 and 2.
			KpiLink {
				feed: energy,
				direction: 0,
				step_bps: ENERGY_STEP_BPS.try_into()?,
				targets: vec![target(0, ENERGY_TARGET), target(1, ENERGY_TARGET)],
			},
			// Non-revenue water at or below the ceiling, observed for coupons 1 and 2.
			KpiLink {
				feed: water,
				direction: 1,
				step_bps: WATER_STEP_BPS.try_into()?,
				targets: vec![target(0, WATER_CEILING), target(1, WATER_CEILING)],
			},
		],
		use_of_proceeds: vec![1, 6],
		documents: ([7; 32], None),
		call_schedule: Vec::new(),
		grace_period_ms: 60_000,
		claim_period_ms: 30 * 60_000,
		// Retail investors (Charlie) at most 25 units.
		investor_caps: vec![(0, 25 * DENOM)],
		resident_priority: None,
	};

	// The twin's script: under-performing through the period observed for coupon 1, sensors
	// out through the one observed for coupon 2.
	let (p0, s0, e0) = observed(0);
	let (p1, s1, e1) = observed(1);
	let script = {
		let twin = twin.clone();
		tokio::spawn(async move {
			for (at, name) in [
				(s0 - 5_000, "under-performing"),
				(e0 + 3_000, "on-target"),
				(s1 - 5_000, "sensor-outage"),
				(e1 + 3_000, "on-target"),
			] {
				ensure!(now_ms()? < at, "the test is late for the twin's {name} switch");
				sleep_past(at - 1_000).await?;
				scenario(&twin, name).await?;
			}
			Ok::<_, anyhow::Error>(())
		})
	};

	// 1. Issue: governance (sudo, Alice) approves the green bond's code; Bob issues his bond.
	step(issue, "1. issue");
	let ctor = green.constructor(
		"new",
		(terms, vec![account_id(&alice)], Limits { max_subscribers: 20, max_holders: 50 }),
	)?;
	contract::approve_code_by_sudo(&client, &alice, green.code_hash, "green_bond").await?;
	let (bond_id, _) = contract::issue(&client, &bob, green.code_hash, ctor, b"life".to_vec())
		.await
		.context("issue the bond")?;
	let bond = hex32(bond_id);

	// 2. Subscriptions: 600 units asked for 500; Ferdie may not subscribe.
	step(issue, "2. subscriptions");
	let subscriptions = demand.iter().map(|(who, units)| {
		let (client, cash, green) = (&client, &cash, &green);
		async move {
			call_ok(client, who, cash, cash_id, "approve", (bond_id, units * DENOM)).await?;
			call_ok(client, who, green, bond_id, "subscribe", (units * DENOM,)).await
		}
	});
	futures::future::try_join_all(subscriptions).await?;
	let refused =
		contract::call(&client, &ferdie, bond_id, green.message("subscribe", (DENOM,))?).await;
	ensure!(
		matches!(refused, Err(Failure::Dispatch(ref e)) if e.contains("ContractReverted")),
		"Ferdie, not an investor, subscribed"
	);
	let issuer = api.sign_in(&bob).await?;
	let book_path = format!("/v1/issuer/bonds/{bond}/book");
	let book = poll("the book with three subscriptions", Duration::from_secs(60), || async {
		let book = api.get_as(&book_path, Some(&issuer)).await?;
		Ok(if book["total"] == 3 { Ok(book) } else { Err(book.to_string()) })
	})
	.await?;
	let detail = api.get(&format!("/v1/bonds/{bond}")).await?;
	ensure!(detail["status"] == "Subscription" && detail["isin"] == "NL00CBLIF014", "{detail}");
	ensure!(book.to_string().contains(&hex32(account_id(&eve))), "{book}");

	// The book closes (Dave, as anyone may); each investor withdraws the refund.
	chain_past(&client, sub_end).await?;
	call_ok(&client, &dave, &green, bond_id, "close_book", ()).await?;
	let refunds = demand.iter().map(|(who, _)| {
		call_ok(&client, who, &green, bond_id, "withdraw_refund", (account_id(who),))
	});
	futures::future::try_join_all(refunds).await?;
	let asked: Vec<u128> = demand.iter().map(|(_, units)| *units).collect();
	let allotted = pro_rata(&asked, ISSUE_UNITS);
	ensure!(allotted == vec![21, 250, 229], "allotment computed: {allotted:?}");
	let book = poll("the book closed, refunds withdrawn", Duration::from_secs(60), || async {
		let book = api.get_as(&book_path, Some(&issuer)).await?;
		let done = book["items"].as_array().into_iter().flatten().all(|i| {
			let s = &i["subscription"];
			money(&s["refund"]).is_some() && s["refund"] == s["refund_withdrawn"]
		});
		let closed = book["items"][0]["subscription"]["units"] != "0";
		Ok(if done && closed { Ok(book) } else { Err(book.to_string()) })
	})
	.await?;
	for ((who, units), allotted) in demand.iter().zip(&allotted) {
		let entry = book["items"]
			.as_array()
			.into_iter()
			.flatten()
			.find(|i| i["investor"] == hex32(account_id(who)))
			.with_context(|| format!("{book}"))?;
		let s = &entry["subscription"];
		ensure!(money(&s["amount"]) == Some(units * DENOM), "asked: {s}");
		ensure!(money(&s["units"]) == Some(*allotted), "allotted {allotted}: {s}");
		ensure!(money(&s["refund"]) == Some((units - allotted) * DENOM), "refund: {s}");
	}
	let detail = api.get(&format!("/v1/bonds/{bond}")).await?;
	ensure!(detail["status"] == "Active", "{detail}");
	ensure!(money(&detail["units_issued"]) == Some(ISSUE_UNITS), "{detail}");
	ensure!(money(&detail["raised"]) == Some(ISSUE_UNITS * DENOM), "{detail}");

	// The coupons the terms promise, per unit, from the day-count rule: coupon 1 steps up for
	// the missed energy target only (the council's water figure meets the ceiling), coupon 2
	// for both KPIs missing.
	let rates = [BASE_BPS, BASE_BPS + ENERGY_STEP_BPS, BASE_BPS + ENERGY_STEP_BPS + WATER_STEP_BPS];
	let per_unit: Vec<u128> =
		rates.iter().map(|r| coupon_per_unit(DENOM, *r, PER_YEAR)).collect::<Result<_>>()?;
	ensure!(per_unit == vec![20 * EURO, 2_125, 2_375], "coupons computed: {per_unit:?}");
	let coupon_cash: u128 = per_unit.iter().map(|p| p * ISSUE_UNITS).sum();
	let principal = ISSUE_UNITS * DENOM;
	// The city's budget pays the coupons; the principal comes back from the proceeds.
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), coupon_cash)).await?;
	minted += coupon_cash;
	call_ok(&client, &bob, &cash, cash_id, "approve", (bond_id, coupon_cash + principal)).await?;

	// 3. Under-performance in feed period p0: the two running oracles report, both KPIs miss.
	step(issue, "3. under-performing period's reports");
	let auditor_token = api.sign_in(&auditor).await?;
	for feed in [energy, water] {
		let point = poll(
			&format!("two reports of feed {feed} period {p0}"),
			Duration::from_secs(e0.saturating_sub(now_ms()?) / 1_000 + 40),
			|| async {
				let p = kpi_point(&api, feed, p0).await?;
				let ready = p["recorded_status"] == "Provisional" && p["reports"] == 2;
				Ok(if ready { Ok(p) } else { Err(p.to_string()) })
			},
		)
		.await?;
		let value: i128 = point["value"].as_str().context("value")?.parse()?;
		if feed == energy {
			ensure!(value < ENERGY_TARGET, "energy saved while under-performing: {point}");
		} else {
			ensure!(value > WATER_CEILING, "water lost while under-performing: {point}");
		}
	}
	// 4. The auditor checks who signed what, disputes the water figure, attests the energy one.
	step(issue, "4. audit, dispute and council");
	for feed in [energy, water] {
		let audit = api
			.get_as(&format!("/v1/auditor/feeds/{feed}/periods/{p0}/reports"), Some(&auditor_token))
			.await?;
		let reports = audit["reports"].as_array().context("reports")?;
		ensure!(reports.len() == 2, "{audit}");
		let mut signers: Vec<String> =
			reports.iter().map(|r| r["operator"].as_str().unwrap_or_default().into()).collect();
		signers.sort();
		let mut expected = reporting.to_vec();
		expected.sort();
		ensure!(signers == expected, "reports by the two running operators: {audit}");
		ensure!(reports.iter().all(|r| r["signature_check"] == "valid"), "{audit}");
	}
	let reason = [0x5e; 32];
	let dispute_args =
		vec![Value::u128(water.into()), Value::u128(p0.into()), Value::from_bytes(reason)];
	submit_ok(&client, &auditor, "KpiOracle", "dispute", dispute_args).await?;
	submit_ok(
		&client,
		&auditor,
		"KpiOracle",
		"attest",
		vec![Value::u128(energy.into()), Value::u128(p0.into())],
	)
	.await?;
	resolve(&client, water, p0, Value::unnamed_variant("Replace", [Value::i128(AUDITED_WATER)]))
		.await?;
	let point = wait_kpi(&api, water, p0, "final").await?;
	ensure!(point["value"] == AUDITED_WATER.to_string(), "the council's figure: {point}");
	let audit = api
		.get_as(&format!("/v1/auditor/feeds/{water}/periods/{p0}/reports"), Some(&auditor_token))
		.await?;
	let events: Vec<&str> = audit["history"]
		.as_array()
		.into_iter()
		.flatten()
		.filter_map(|h| h["event"].as_str())
		.collect();
	ensure!(
		events.contains(&"KpiDisputed") && events.contains(&"DisputeResolved"),
		"the water period's history: {audit}"
	);
	ensure!(audit["disputes"][0]["auditor"] == hex32(account_id(&auditor)), "{audit}");
	let point = wait_kpi(&api, energy, p0, "final").await?;
	ensure!(point["attestations"] == 1, "the auditor's attestation: {point}");
	let energy_p0: i128 = point["value"].as_str().context("value")?.parse()?;

	// Coupon 0 at the base rate: Bob funds it after the record date, the holders claim it.
	step(issue, "coupon 0");
	chain_past(&client, payment(0) - RECORD_OFFSET_MS).await?;
	fund(&client, &green, bond_id, Payment::Coupon(0), per_unit[0] * ISSUE_UNITS).await?;
	chain_past(&client, payment(0)).await?;
	let holders = [&charlie, &dave, &eve];
	claim_all(&client, &green, bond_id, &holders).await?;
	call_ok(&client, &bob, &green, bond_id, "fix_coupon_rate", (1u32,)).await?;

	// 5. Sensor outage in feed period p1: no reports, Missing after the deadline (the auditor
	// records it on chain).
	step(issue, "5. sensor outage");
	sleep_past(e1 + KPI_PERIOD_MS).await?;
	for feed in [energy, water] {
		settle(&client, &auditor, feed, p1).await?;
		let point = poll("the outage period recorded Missing", Duration::from_secs(60), || async {
			let p = kpi_point(&api, feed, p1).await?;
			Ok(if p["recorded_status"] == "Missing" { Ok(p) } else { Err(p.to_string()) })
		})
		.await?;
		ensure!(point["status"] == "missing" && point["reports"] == 0, "{point}");
	}

	// Coupon 1 stepped up for energy only: the API names why.
	step(issue, "coupon 1");
	let schedule = fixed_schedule(&api, &bond, 1).await?;
	ensure!(schedule[0]["rate_bps"] == BASE_BPS, "{schedule}");
	ensure!(schedule[1]["rate_bps"] == rates[1], "{schedule}");
	ensure!(money(&schedule[1]["coupon_per_unit"]) == Some(per_unit[1]), "{schedule}");
	let fixing = assessments(&schedule, 1);
	ensure!(
		fixing
			== vec![
				(energy.into(), p0, serde_json::json!({ "Missed": energy_p0 }), 25),
				(water.into(), p0, serde_json::json!({ "Met": AUDITED_WATER }), 0),
			],
		"coupon 1's assessments: {schedule}"
	);

	chain_past(&client, payment(1) - RECORD_OFFSET_MS).await?;
	fund(&client, &green, bond_id, Payment::Coupon(1), per_unit[1] * ISSUE_UNITS).await?;
	chain_past(&client, payment(1)).await?;
	claim_all(&client, &green, bond_id, &holders).await?;
	call_ok(&client, &bob, &green, bond_id, "fix_coupon_rate", (2u32,)).await?;
	let schedule = fixed_schedule(&api, &bond, 2).await?;
	ensure!(schedule[2]["rate_bps"] == rates[2], "{schedule}");
	let fixing = assessments(&schedule, 2);
	let fallback = Json::from("MissedByFallback");
	ensure!(
		fixing
			== vec![(energy.into(), p1, fallback.clone(), 25), (water.into(), p1, fallback, 50),],
		"coupon 2's assessments: {schedule}"
	);

	// 6. Maturity: the last coupon and the principal.
	step(issue, "6. maturity");
	chain_past(&client, maturity - RECORD_OFFSET_MS).await?;
	fund(&client, &green, bond_id, Payment::Coupon(2), per_unit[2] * ISSUE_UNITS).await?;
	fund(&client, &green, bond_id, Payment::Redemption, principal).await?;
	chain_past(&client, maturity).await?;
	claim_all(&client, &green, bond_id, &holders).await?;

	// 7. Charlie takes 1,000.00 out: to Ferdie, who burns it.
	step(issue, "7. cash out and final checks");
	let out = 1_000 * EURO;
	call_ok(
		&client,
		&charlie,
		&cash,
		cash_id,
		"transfer",
		(account_id(&ferdie), out, Vec::<u8>::new()),
	)
	.await?;
	call_ok(&client, &ferdie, &cash, cash_id, "burn", (out,)).await?;

	// Each investor's claims as the investor view shows them: the coupons computed above on
	// the units allotted, the principal with the last.
	for ((who, _), units) in demand.iter().zip(&allotted) {
		let token = api.sign_in(who).await?;
		let path = format!("/v1/investor/bonds/{bond}");
		let position = poll("three claims paid", Duration::from_secs(60), || async {
			let p = api.get_as(&path, Some(&token)).await?;
			let n = p["coupons_claimed"].as_array().map_or(0, Vec::len);
			Ok(if n == 3 { Ok(p) } else { Err(p.to_string()) })
		})
		.await?;
		for (k, claim) in position["coupons_claimed"].as_array().into_iter().flatten().enumerate() {
			ensure!(claim["record"] == k, "{position}");
			ensure!(money(&claim["units"]) == Some(*units), "{position}");
			ensure!(money(&claim["coupon"]) == Some(per_unit[k] * units), "coupon {k}: {position}");
			let owed = if k == 2 { units * DENOM } else { 0 };
			ensure!(money(&claim["principal"]) == Some(owed), "principal: {position}");
		}
		ensure!(position["claimable"].as_array().is_some_and(Vec::is_empty), "{position}");
	}
	let detail = api.get(&format!("/v1/bonds/{bond}")).await?;
	ensure!(detail["status"] == "Redeemed", "{detail}");

	// Cash conserved: the supply is what was minted less what was burned; each account holds
	// what its flows say; the bond, Bob and Ferdie hold nothing.
	let coupons_per_unit: u128 = per_unit.iter().sum();
	let mut expected: Vec<(String, u128)> = demand
		.iter()
		.zip(&allotted)
		.map(|((who, asked), units)| {
			let taken_out = if account_id(who) == account_id(&charlie) { out } else { 0 };
			(hex32(account_id(who)), asked * DENOM + units * coupons_per_unit - taken_out)
		})
		.collect();
	expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
	let cash_path = format!("/v1/cash/{}", hex32(cash_id));
	let view = poll("the burn indexed", Duration::from_secs(60), || async {
		let v = api.get(&cash_path).await?;
		Ok(if v["burns"] == 1 { Ok(v) } else { Err(v.to_string()) })
	})
	.await?;
	ensure!(money(&view["minted"]) == Some(minted), "minted: {view}");
	ensure!(money(&view["burned"]) == Some(out), "burned: {view}");
	ensure!(money(&view["supply"]) == Some(minted - out), "supply: {view}");
	ensure!(view.get("accounts").is_none(), "the public view lists balances: {view}");
	// The ledger is the settlement agent's (Ferdie's) to see; each holder sees its own.
	let agent = api.sign_in(&ferdie).await?;
	let ledger =
		api.get_as(&format!("/v1/agent/cash/{}/accounts", hex32(cash_id)), Some(&agent)).await?;
	let charlie_token = api.sign_in(&charlie).await?;
	let own = api.get_as(&format!("{cash_path}/balance"), Some(&charlie_token)).await?;
	let charlies = expected.iter().find(|(a, _)| *a == hex32(account_id(&charlie)));
	ensure!(money(&own["balance"]) == charlies.map(|(_, b)| *b), "Charlie's own: {own}");
	let balances: Vec<(String, u128)> = ledger["accounts"]["items"]
		.as_array()
		.into_iter()
		.flatten()
		.map(|a| {
			Ok((
				a["account"].as_str().context("account")?.to_string(),
				money(&a["balance"]).context("balance")?,
			))
		})
		.collect::<Result<_>>()?;
	ensure!(balances == expected, "balances {balances:?}, expected {expected:?}");
	ensure!(balances.iter().map(|(_, b)| b).sum::<u128>() == minted - out, "{view}");

	match script.await? {
		Ok(()) => Ok(()),
		Err(e) => bail!("the twin's script: {e:#}"),
	}
}
