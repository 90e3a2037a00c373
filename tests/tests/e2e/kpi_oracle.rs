//! The KPI oracle on a real dev node, fed by reports signed off chain with ed25519-dalek (as the
//! oracle service signs them):
//! - three operators' reports make a `Provisional` KPI (the median, with the spread) that an
//!   auditor attests and that becomes `Final` when its challenge window ends;
//! - a period with one report by its deadline becomes `Missing`; a forged report is refused;
//! - an auditor disputes a KPI and a council motion (not sudo) replaces its value;
//! - a contract reads each outcome through the chain extension;
//! - the issuer that creates a feed (and is paid by its numbers) cannot appoint, retire or
//!   re-key its operators; governance can, only from a period that has not started;
//! - an issuer's feed holds a deposit of 100 CBT; another account cannot retire it; retired
//!   and settled, anyone removes it and the deposit goes back.

// Times are small sums of milliseconds from the wall clock.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id, contract, council_motion, find_events,
	kpi::{
		self, add_operator_call, report_all, report_args, FeedRules, Operator, Report, REPORT_TAG,
	},
	native_balance,
	node::Node,
	submit, submit_ok, sudo, Client, Failure,
};
use codec::{Decode, Encode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

/// `pallet_citybond_kpi_oracle::KpiStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Decode)]
enum Status {
	Provisional,
	Disputed,
	Final,
	// Voiding is covered by the pallet's tests; the variant keeps the mirror's indices right.
	#[allow(dead_code)]
	Voided,
	Missing,
}

/// `pallet_citybond_kpi_oracle::Dispute`.
#[derive(Debug, Decode)]
struct Dispute {
	auditor: [u8; 32],
	reason_hash: [u8; 32],
	_at: u64,
}

/// `pallet_citybond_kpi_oracle::Resolution`.
#[derive(Debug, PartialEq, Decode)]
#[allow(dead_code)]
enum Resolution {
	Uphold,
	Replace(i128),
	Void,
}

/// `pallet_citybond_kpi_oracle::KpiRecord`, as the `KpiOracleApi_kpi` runtime API returns it.
#[derive(Debug, Decode)]
struct KpiRecord {
	status: Status,
	value: Option<i128>,
	median: Option<i128>,
	readings: u32,
	spread: u128,
	outliers: Vec<[u8; 32]>,
	_decided_at: u64,
	challenge_end: u64,
	attestations: Vec<[u8; 32]>,
	dispute: Option<Dispute>,
	resolution: Option<Resolution>,
}

/// `citybond_env::KpiView`, what a contract sees.
#[derive(Debug, PartialEq, Decode)]
struct KpiView {
	status: Status,
	value: Option<i128>,
	readings: u32,
	decided_at: u64,
	challenge_end: u64,
}

fn now_ms() -> Result<u64> {
	Ok(u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?)
}

/// Sleeps until the wall clock passes `at` (ms) by a second. The dev node stamps each block with
/// the wall clock when it builds it, so a transaction sent after that lands in a block whose
/// timestamp is past `at`.
async fn sleep_past(at: u64) -> Result<()> {
	let now = now_ms()?;
	let wait = at.saturating_add(1_000).saturating_sub(now);
	tokio::time::sleep(Duration::from_millis(wait)).await;
	Ok(())
}

/// A feed's schedule: when its periods start and how long they last.
#[derive(Clone, Copy)]
struct Schedule {
	first_start: u64,
	length: u64,
}

impl Schedule {
	fn start(&self, period: u32) -> u64 {
		self.first_start + self.length * u64::from(period)
	}
	fn end(&self, period: u32) -> u64 {
		self.start(period + 1)
	}
}

/// Bob, the city, creates a feed with the three oracle operators; returns its id.
async fn create_feed(
	client: &Client,
	attribute: &str,
	schedule: Schedule,
	(quorum, max_report_age, challenge_window): (u32, u64, u64),
	operators: &[Operator],
) -> Result<u32> {
	let rules = FeedRules {
		attribute,
		first_start: schedule.first_start,
		length: schedule.length,
		quorum,
		max_report_age,
		challenge_window,
	};
	let keys: Vec<_> = operators.iter().map(Operator::listing).collect();
	kpi::create_feed(client, &rules, &keys).await
}

/// The report operator `index` makes of `value` for the whole of `period`.
fn reading(feed: u32, period: u32, schedule: Schedule, index: u8, value: i128) -> Report {
	Report {
		feed,
		period,
		value,
		window_start: schedule.start(period),
		window_end: schedule.end(period),
		payload_hash: [index; 32],
		devices_hash: [0xd0 | index; 32],
	}
}

/// The KPI as the `KpiOracleApi` runtime API reports it.
async fn kpi(client: &Client, feed: u32, period: u32) -> Result<Option<KpiRecord>> {
	let at = client.at_current_block().await?;
	let bytes =
		at.runtime_apis().call_raw("KpiOracleApi_kpi", Some(&(feed, period).encode())).await?;
	Option::<KpiRecord>::decode(&mut &bytes[..]).context("decode KpiOracleApi_kpi")
}

async fn decided(client: &Client, feed: u32, period: u32) -> Result<KpiRecord> {
	kpi(client, feed, period).await?.with_context(|| format!("feed {feed} period {period}"))
}

/// The deployed `chain_reads` contract.
struct Reads<'a> {
	client: &'a Client,
	bundle: contract::Bundle,
	address: [u8; 32],
}

impl Reads<'_> {
	async fn kpi(&self, feed: u32, period: u32) -> Result<Option<KpiView>> {
		let data = self.bundle.message("kpi", (feed, period))?;
		contract::query(self.client, account_id(&dev::alice()), self.address, data).await
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_reports_become_final_missing_periods_are_marked_and_governance_resolves_disputes(
) -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let genesis: [u8; 32] = client.genesis_hash().0;
	let (bundle, address) =
		contract::deploy(&client, &dev::alice(), "chain_reads", "new", ()).await?;
	let reads = Reads { client: &client, bundle, address };
	let operators = Operator::demo_three()?;
	let auditor = Keypair::from_uri(&"//Alice//stash".parse::<SecretUri>()?)?;

	// Energy saved: all three operators must report; 12 s periods; 30 s challenge window.
	let energy_schedule = Schedule { first_start: now_ms()? + 15_000, length: 12_000 };
	let energy =
		create_feed(&client, "energySaved", energy_schedule, (3, 120_000, 30_000), &operators)
			.await?;
	// Water losses: two of three; a period is Missing 40 s after its end without a quorum.
	let water_schedule = Schedule { first_start: now_ms()? + 15_000, length: 12_000 };
	let water =
		create_feed(&client, "waterLoss", water_schedule, (2, 40_000, 30_000), &operators).await?;

	// The message the chain verifies is exactly what the operators sign.
	let sample = reading(energy, 0, energy_schedule, 1, 1);
	let at = client.at_current_block().await?;
	let message =
		at.runtime_apis().call_raw("KpiOracleApi_report_message", Some(&sample.encode())).await?;
	ensure!(
		Vec::<u8>::decode(&mut &message[..])? == (REPORT_TAG, genesis, sample).encode(),
		"the runtime signs over different bytes than the operators"
	);

	// Period 0 of the energy feed closes; the three operators report.
	sleep_past(energy_schedule.end(0)).await?;
	ensure!(kpi(&client, energy, 0).await?.is_none(), "no KPI before the quorum");
	let values = [1_250_000, 1_240_000, 1_262_000];
	let reports: Vec<Report> = (0u8..3)
		.map(|i| reading(energy, 0, energy_schedule, i + 1, values[usize::from(i)]))
		.collect();
	report_all(&client, genesis, &operators, &reports).await?;
	let provisional = decided(&client, energy, 0).await?;
	ensure!(provisional.status == Status::Provisional, "{provisional:?}");
	ensure!(provisional.value == Some(1_250_000), "the median of three: {provisional:?}");
	ensure!(provisional.readings == 3 && provisional.spread == 22_000, "{provisional:?}");
	ensure!(provisional.outliers.is_empty(), "all within 5%: {provisional:?}");
	let seen = reads.kpi(energy, 0).await?.context("the contract sees no KPI")?;
	ensure!(
		seen.status == Status::Provisional
			&& seen.value == Some(1_250_000)
			&& seen.readings == 3
			&& seen.challenge_end == provisional.challenge_end,
		"the contract sees {seen:?}"
	);
	ensure!(seen.decided_at < seen.challenge_end, "{seen:?}");

	// A fourth report for a decided period is refused by name.
	let late = reading(energy, 0, energy_schedule, 1, 1_250_000);
	let args = report_args(&late, operators[0].public(), operators[0].sign(genesis, &late));
	match submit(&client, &operators[0].account, "KpiOracle", "submit_report", args).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("PeriodAlreadyDecided"), "{e}"),
		other => bail!("a report for a decided period: {:?}", other.map(|_| ())),
	}

	// The auditor attests it during the window.
	let kpi_ref =
		|feed: u32, period: u32| vec![Value::u128(feed.into()), Value::u128(period.into())];
	submit_ok(&client, &auditor, "KpiOracle", "attest", kpi_ref(energy, 0)).await?;
	let attested = decided(&client, energy, 0).await?;
	ensure!(attested.attestations == vec![account_id(&auditor)], "{attested:?}");

	// Water, period 0: one valid report, and one forged (Charlie's report under Dave's key).
	sleep_past(water_schedule.end(0)).await?;
	let only = reading(water, 0, water_schedule, 1, 300_000);
	submit_ok(
		&client,
		&operators[0].account,
		"KpiOracle",
		"submit_report",
		report_args(&only, operators[0].public(), operators[0].sign(genesis, &only)),
	)
	.await?;
	let forged = reading(water, 0, water_schedule, 2, 310_000);
	let args = report_args(&forged, operators[1].public(), operators[2].sign(genesis, &forged));
	match submit(&client, &operators[1].account, "KpiOracle", "submit_report", args).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("InvalidSignature"), "{e}"),
		other => bail!("a forged report was accepted: {:?}", other.map(|_| ())),
	}
	ensure!(kpi(&client, water, 0).await?.is_none(), "undecided before the deadline");

	// Energy, period 1: one operator is far off; the auditor disputes.
	sleep_past(energy_schedule.end(1)).await?;
	let values = [900_000, 905_000, 1_500_000];
	let reports: Vec<Report> = (0u8..3)
		.map(|i| reading(energy, 1, energy_schedule, i + 1, values[usize::from(i)]))
		.collect();
	report_all(&client, genesis, &operators, &reports).await?;
	let contested = decided(&client, energy, 1).await?;
	ensure!(contested.value == Some(905_000), "{contested:?}");
	ensure!(contested.outliers == vec![account_id(&operators[2].account)], "{contested:?}");
	let reason = [0xaa; 32];
	// An investor may not dispute; the auditor may.
	let dispute = |feed: u32, period: u32| {
		vec![Value::u128(feed.into()), Value::u128(period.into()), Value::from_bytes(reason)]
	};
	match submit(&client, &dev::charlie(), "KpiOracle", "dispute", dispute(energy, 1)).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("NotAuditor"), "{e}"),
		other => bail!("an investor disputed a KPI: {:?}", other.map(|_| ())),
	}
	submit_ok(&client, &auditor, "KpiOracle", "dispute", dispute(energy, 1)).await?;
	let disputed = decided(&client, energy, 1).await?;
	ensure!(disputed.status == Status::Disputed, "{disputed:?}");
	let filed = disputed.dispute.as_ref().context("no dispute recorded")?;
	ensure!(filed.auditor == account_id(&auditor) && filed.reason_hash == reason, "{filed:?}");
	ensure!(
		reads.kpi(energy, 1).await?.map(|v| v.status) == Some(Status::Disputed),
		"the contract does not see the dispute"
	);

	// The council (Alice and Bob: two of three) replaces the value.
	let resolve = Value::unnamed_variant(
		"KpiOracle",
		[Value::named_variant(
			"resolve_dispute",
			[
				("feed", Value::u128(energy.into())),
				("period", Value::u128(1)),
				("resolution", Value::unnamed_variant("Replace", [Value::i128(902_500)])),
			],
		)],
	);
	let events = council_motion(&client, &[&dev::alice(), &dev::bob()], resolve).await?;
	ensure!(
		find_events(&events, "KpiOracle", "DisputeResolved")?.len() == 1,
		"no DisputeResolved event"
	);
	let resolved = decided(&client, energy, 1).await?;
	ensure!(
		resolved.status == Status::Final
			&& resolved.value == Some(902_500)
			&& resolved.median == Some(905_000)
			&& resolved.resolution == Some(Resolution::Replace(902_500)),
		"{resolved:?}"
	);
	let seen = reads.kpi(energy, 1).await?.context("the contract sees no KPI")?;
	ensure!(seen.status == Status::Final && seen.value == Some(902_500), "{seen:?}");

	// Water period 0 passed its deadline with one reading: Missing, for the chain and contracts.
	// Read as of the chain's clock, not the test's: the latest block may be a slot behind.
	citybond_e2e::wait_chain_past(&client, water_schedule.end(0) + 40_000).await?;
	let missing = decided(&client, water, 0).await?;
	ensure!(
		missing.status == Status::Missing && missing.value.is_none() && missing.readings == 1,
		"{missing:?}"
	);
	let seen = reads.kpi(water, 0).await?.context("the contract sees no KPI")?;
	ensure!(seen.status == Status::Missing && seen.value.is_none(), "{seen:?}");

	// Energy period 0's window has ended without a dispute: Final, value unchanged.
	citybond_e2e::wait_chain_past(&client, provisional.challenge_end).await?;
	let settled = decided(&client, energy, 0).await?;
	ensure!(settled.status == Status::Final && settled.value == Some(1_250_000), "{settled:?}");
	ensure!(settled.dispute.is_none(), "{settled:?}");
	let seen = reads.kpi(energy, 0).await?.context("the contract sees no KPI")?;
	ensure!(seen.status == Status::Final && seen.value == Some(1_250_000), "{seen:?}");
	Ok(())
}

/// `who`'s reserved native balance (CBT, 12 decimals): holds, feed deposits among them.
async fn reserved(client: &Client, who: [u8; 32]) -> Result<u128> {
	Ok(native_balance(client, who).await?.reserved)
}

/// A feed's deposit: 100 CBT.
const FEED_DEPOSIT: u128 = 100 * 1_000_000_000_000;

/// Expects `outcome` to be refused by the runtime with an error naming `error`.
fn refused<T>(outcome: std::result::Result<T, Failure>, error: &str, what: &str) -> Result<()> {
	match outcome {
		Err(Failure::Dispatch(e)) if e.contains(error) => Ok(()),
		Err(Failure::Dispatch(e)) => bail!("{what}: refused with {e}, not {error}"),
		Err(Failure::Other(e)) => Err(e.context(what.to_string())),
		Ok(_) => bail!("{what} was accepted"),
	}
}

/// The operators of `feed` as governance left them: each one's key count and retirement.
async fn operator_state(client: &Client, feed: u32, operator: [u8; 32]) -> Result<Option<Value>> {
	let at = client.at_current_block().await?;
	Ok(at
		.storage()
		.try_fetch(
			subxt::dynamic::storage::<(u32, [u8; 32]), Value>("KpiOracle", "FeedOperators"),
			(feed, operator),
		)
		.await?
		.map(|value| value.decode())
		.transpose()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issuer_cannot_choose_who_measures_its_feed() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let operators = Operator::demo_three()?;
	let listing: Vec<_> = operators.iter().map(Operator::listing).collect();
	let bob = dev::bob();
	let rules = FeedRules {
		attribute: "energySaved",
		first_start: now_ms()? + 45_000,
		// Long enough that period 1 has not started when governance appoints from it.
		length: 60_000,
		quorum: 2,
		max_report_age: 60_000,
		challenge_window: 30_000,
	};

	// Bob, the issuer, names the operators of his own feed: refused, nothing created.
	let spec = |operators: &[([u8; 32], [u8; 32])]| vec![kpi::feed_spec(&rules, operators)];
	let outcome = submit(&client, &bob, "KpiOracle", "create_feed", spec(&listing)).await;
	refused(outcome, "OperatorsAppointedByGovernance", "an issuer naming its feed's operators")?;
	// He creates it bare, and it holds his deposit.
	let held = reserved(&client, account_id(&bob)).await?;
	let events = submit_ok(&client, &bob, "KpiOracle", "create_feed", spec(&[])).await?;
	let created = find_events(&events, "KpiOracle", "FeedCreated")?;
	let [created] = created.as_slice() else { bail!("expected one FeedCreated event") };
	let feed = u32::decode(&mut &created.fields[..])?;
	let deposit = reserved(&client, account_id(&bob)).await? - held;
	ensure!(deposit == FEED_DEPOSIT, "the feed holds {deposit}, not 100 CBT");

	// He appoints an operator himself: refused.
	let add = |op: &Operator, from: u32| {
		vec![
			Value::u128(feed.into()),
			Value::unnamed_variant("Id", [Value::from_bytes(account_id(&op.account))]),
			Value::from_bytes(op.public()),
			Value::u128(from.into()),
		]
	};
	let outcome = submit(&client, &bob, "KpiOracle", "add_operator", add(&operators[0], 0)).await;
	refused(outcome, "BadOrigin", "the issuer appointing an operator")?;
	ensure!(operator_state(&client, feed, listing[0].0).await?.is_none(), "appointed anyway");

	// Governance appoints two of them.
	for (account, key) in &listing[..2] {
		sudo(&client, &dev::alice(), add_operator_call(feed, *account, *key, 0)).await?;
	}
	ensure!(operator_state(&client, feed, listing[0].0).await?.is_some(), "not appointed");

	// Bob retires one, or re-keys one to a key he holds: refused, nothing changed.
	let target =
		|op: &Operator| Value::unnamed_variant("Id", [Value::from_bytes(account_id(&op.account))]);
	let retire = vec![Value::u128(feed.into()), target(&operators[1]), Value::u128(1)];
	let outcome = submit(&client, &bob, "KpiOracle", "retire_operator", retire).await;
	refused(outcome, "BadOrigin", "the issuer retiring an operator")?;
	let bobs_key = ed25519_dalek::SigningKey::from_bytes(&[0xb0; 32]).verifying_key().to_bytes();
	let rekey = vec![
		Value::u128(feed.into()),
		target(&operators[0]),
		Value::from_bytes(bobs_key),
		Value::u128(1),
	];
	let before = operator_state(&client, feed, listing[0].0).await?;
	let outcome = submit(&client, &bob, "KpiOracle", "rotate_key", rekey).await;
	refused(outcome, "NotOperatorItself", "the issuer re-keying an operator")?;
	ensure!(operator_state(&client, feed, listing[0].0).await? == before, "re-keyed anyway");

	// Once period 0 has started, not even governance changes who reports it: from period 1.
	sleep_past(rules.first_start).await?;
	let (account, key) = listing[2];
	match sudo(&client, &dev::alice(), add_operator_call(feed, account, key, 0)).await {
		Err(e) => ensure!(format!("{e:#}").contains("FromPeriodInPast"), "{e:#}"),
		Ok(_) => bail!("governance appointed an operator to a period that had started"),
	}
	ensure!(operator_state(&client, feed, account).await?.is_none(), "appointed anyway");
	sudo(&client, &dev::alice(), add_operator_call(feed, account, key, 1)).await?;
	ensure!(operator_state(&client, feed, account).await?.is_some(), "not appointed from 1");

	// Another issuer's feed is not Charlie's to retire; Bob retires his from a period that has
	// not started. It cannot be removed while its periods can still be reported.
	let from = u32::try_from((now_ms()? - rules.first_start) / rules.length)? + 2;
	let retire = |from: u32| vec![Value::u128(feed.into()), Value::u128(from.into())];
	let outcome = submit(&client, &dev::charlie(), "KpiOracle", "retire_feed", retire(from)).await;
	refused(outcome, "NotFeedOwner", "retiring another's feed")?;
	submit_ok(&client, &bob, "KpiOracle", "retire_feed", retire(from)).await?;
	let remove = || vec![Value::u128(feed.into())];
	let outcome = submit(&client, &dev::charlie(), "KpiOracle", "remove_feed", remove()).await;
	refused(outcome, "FeedNotSettled", "removing a feed whose period 0 is open")?;

	// A feed retired before it starts has nothing to settle: anyone removes it, and the
	// deposit goes back to its owner.
	let later = FeedRules { first_start: now_ms()? + 600_000, ..rules };
	let events =
		submit_ok(&client, &bob, "KpiOracle", "create_feed", vec![kpi::feed_spec(&later, &[])])
			.await?;
	let created = find_events(&events, "KpiOracle", "FeedCreated")?;
	let [created] = created.as_slice() else { bail!("expected one FeedCreated event") };
	let unused = u32::decode(&mut &created.fields[..])?;
	let with_two = reserved(&client, account_id(&bob)).await?;
	ensure!(with_two == held + 2 * FEED_DEPOSIT, "two feeds hold {with_two} - {held}");
	let args = vec![Value::u128(unused.into()), Value::u128(0)];
	submit_ok(&client, &bob, "KpiOracle", "retire_feed", args).await?;
	let events = submit_ok(
		&client,
		&dev::charlie(),
		"KpiOracle",
		"remove_feed",
		vec![Value::u128(unused.into())],
	)
	.await?;
	ensure!(find_events(&events, "KpiOracle", "FeedRemoved")?.len() == 1, "no FeedRemoved");
	let after = reserved(&client, account_id(&bob)).await?;
	ensure!(after == held + FEED_DEPOSIT, "the deposit did not come back: {after} - {held}");
	Ok(())
}
