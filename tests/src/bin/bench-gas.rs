//! Gas figures of the green bond on a real dev node (issue #5; a benchmark, not a test):
//!
//! 1. a bond `transfer` against a cash token `transfer` (goal: at most 2x), each to an account
//!    that holds nothing yet and to one that already holds some;
//! 2. a coupon `claim` on a bond with 10 holders against the same claim on a bond with 1,000
//!    holders (goal: equal within 10%).
//!
//! Figures are the dry run's `gas_required` (ref_time in picoseconds of the runtime's weights,
//! proof_size in bytes) at the latest block. Both bonds share their terms and timeline; Eve
//! subscribes the whole issue of each, then transfers one unit to each other holder (Charlie and
//! fresh investors `//Holder/{i}` the registrar registers for the run). Run it with
//! `bench/gas.sh`, which writes `bench/results/gas.md`.

// Figures and times are small sums from the benchmark's own constants.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{ensure, Result};
use citybond_e2e::{
	account_id,
	bond::{
		call_ok, chain_past, deploy_cash, now_ms, plain_terms, Limits, Payment, PlainDates, DENOM,
		EURO,
	},
	contract::{self, Bundle},
	node::Node,
	submit_batch, Call, Client,
};
use clap::Parser;
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

/// `Roles` bit of an investor (pallet-citybond-identity).
const ROLE_INVESTOR: u8 = 1 << 2;
/// Claims of the run's investors expire at 2030-01-01T00:00:00Z.
const CLAIM_EXPIRY: u64 = 1_893_456_000_000;
/// The coupon period: long enough for a thousand transfers before the record date.
const PERIOD_MS: u64 = 240_000;
const RECORD_OFFSET_MS: u64 = 10_000;
/// Units of each bond, all subscribed by Eve.
const ISSUE_UNITS: u128 = 2_000;

#[derive(Parser)]
#[command(about = "Gas of green bond transfers and claims on a dev node")]
struct Args {
	/// Holders of the small bond.
	#[arg(long, default_value_t = 10)]
	small: usize,
	/// Holders of the large bond.
	#[arg(long, default_value_t = 1_000)]
	large: usize,
}

/// A dry run's gas: (ref_time, proof_size).
type Gas = (u64, u64);

struct Bond {
	bundle: Bundle,
	address: [u8; 32],
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
	let args = Args::parse();
	ensure!(args.small >= 2 && args.large >= args.small, "need 2 <= small <= large holders");
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (alice, bob, charlie, eve, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::eve(), dev::ferdie());

	// Eve and Charlie are two of each bond's holders; the others are fresh investors.
	let fresh = args.large - 2;
	eprintln!("registering {fresh} investors");
	let holders: Vec<[u8; 32]> = (0..fresh)
		.map(|i| {
			Ok(account_id(&Keypair::from_uri(&format!("//Holder/{i}").parse::<SecretUri>()?)?))
		})
		.collect::<Result<_>>()?;
	let mut registrations: Vec<Call> = Vec::new();
	for who in &holders {
		registrations.push(("Identity", "register_identity", register_investor(*who)));
		registrations.push(("Identity", "add_claim", kyc_claim(*who)));
	}
	submit_batch(&client, &alice, registrations).await?;

	let (cash, cash_id) = deploy_cash(&client).await?;
	// Both issues, and the cent Eve sends Charlie below.
	let mint = 2 * ISSUE_UNITS * DENOM + EURO;
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&eve), mint)).await?;

	// Cash transfers, to an account holding nothing, then to one holding some.
	let cash_transfer = cash.message("transfer", (account_id(&charlie), EURO, Vec::<u8>::new()))?;
	let cash_new = gas(&client, &eve, cash_id, &cash_transfer).await?;
	call_ok(
		&client,
		&eve,
		&cash,
		cash_id,
		"transfer",
		(account_id(&charlie), EURO, Vec::<u8>::new()),
	)
	.await?;
	let cash_existing = gas(&client, &eve, cash_id, &cash_transfer).await?;

	let start = now_ms()?;
	let sub_end = start + 180_000;
	// Closing after the issue date cancels an issue: leave time to close both.
	let issue = sub_end + 60_000;
	let mut bonds = Vec::new();
	for (holders_max, isin) in [(args.small, *b"XS2407019798"), (args.large, *b"XS0000000009")] {
		let dates = PlainDates {
			start,
			sub_end,
			issue,
			period_ms: PERIOD_MS,
			record_offset_ms: RECORD_OFFSET_MS,
		};
		let terms = plain_terms(isin, account_id(&bob), cash_id, ISSUE_UNITS, dates);
		let limits = Limits { max_subscribers: 10, max_holders: u32::try_from(holders_max)? };
		let (bundle, address) = contract::deploy_as_issuer(
			&client,
			&alice,
			&bob,
			"green_bond",
			"new",
			(terms, vec![account_id(&alice)], limits),
		)
		.await?;
		call_ok(&client, &eve, &cash, cash_id, "approve", (address, ISSUE_UNITS * DENOM)).await?;
		call_ok(&client, &eve, &bundle, address, "subscribe", (ISSUE_UNITS * DENOM,)).await?;
		bonds.push(Bond { bundle, address });
	}
	chain_past(&client, sub_end).await?;
	for bond in &bonds {
		call_ok(&client, &eve, &bond.bundle, bond.address, "close_book", ()).await?;
	}

	// Bond transfers: Eve to Charlie (nothing held yet, then some), then one unit to each other
	// holder, in batches.
	let [small, large] = &bonds[..] else { anyhow::bail!("expected two bonds") };
	let transfer =
		|bond: &Bond, to: [u8; 32]| bond.bundle.message("transfer", (to, 1u128, Vec::<u8>::new()));
	let bond_new =
		gas(&client, &eve, large.address, &transfer(large, account_id(&charlie))?).await?;
	for (bond, count) in [(small, args.small), (large, args.large)] {
		let dry = contract::dry_run(
			&client,
			account_id(&eve),
			bond.address,
			transfer(bond, account_id(&charlie))?,
		)
		.await?;
		call_ok(
			&client,
			&eve,
			&bond.bundle,
			bond.address,
			"transfer",
			(account_id(&charlie), 1u128, Vec::<u8>::new()),
		)
		.await?;
		let calls = holders[..count - 2]
			.iter()
			.map(|to| {
				let data = transfer(bond, *to)?;
				Ok((
					"Contracts",
					"call",
					contract::call_args(bond.address, dry.gas_required, dry.deposit.max(1), &data),
				))
			})
			.collect::<Result<Vec<Call>>>()?;
		eprintln!("transferring to {} holders", calls.len());
		submit_batch(&client, &eve, calls).await?;
		// Every transfer must have landed: the bond has exactly `count` holders.
		for to in &holders[..count - 2] {
			let data = bond.bundle.message("balance_of", (*to,))?;
			let held: u128 =
				contract::query(&client, account_id(&alice), bond.address, data).await?;
			ensure!(held == 1, "a holder of the {count}-holder bond holds {held} units");
		}
	}
	let bond_existing =
		gas(&client, &eve, large.address, &transfer(large, account_id(&charlie))?).await?;
	ensure!(now_ms()? < issue + PERIOD_MS - RECORD_OFFSET_MS, "transfers ran past the record date");

	// Bob funds coupon 0 of both bonds after the record date.
	let coupon = ISSUE_UNITS * 20 * EURO;
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), 2 * coupon)).await?;
	chain_past(&client, issue + PERIOD_MS - RECORD_OFFSET_MS).await?;
	for bond in &bonds {
		call_ok(&client, &bob, &cash, cash_id, "approve", (bond.address, coupon)).await?;
		call_ok(&client, &bob, &bond.bundle, bond.address, "fund", (Payment::Coupon(0), coupon))
			.await?;
	}
	let claim = |bond: &Bond, who: &Keypair| bond.bundle.message("claim", (account_id(who),));
	let mut claims = Vec::new();
	for (label, who) in [
		("Charlie (1 unit, 1 transfer in)", &charlie),
		("Eve (subscriber, sent every transfer)", &eve),
	] {
		let on_small = gas(&client, who, small.address, &claim(small, who)?).await?;
		let on_large = gas(&client, who, large.address, &claim(large, who)?).await?;
		claims.push((label, on_small, on_large));
	}

	println!("## Green bond gas (dry runs on a dev node)\n");
	println!("Generated by `bench/gas.sh`; ref_time in ps of weight, proof_size in bytes.\n");
	println!("### Transfer: bond against cash token (goal <= 2x)\n");
	println!("| transfer | cash_token ref_time | green_bond ref_time | ratio | cash proof | bond proof | ratio |");
	println!("|---|---:|---:|---:|---:|---:|---:|");
	for (label, c, b) in [
		("to an account holding none", cash_new, bond_new),
		("to an account already holding", cash_existing, bond_existing),
	] {
		println!(
			"| {label} | {} | {} | {} | {} | {} | {} |",
			c.0,
			b.0,
			ratio(b.0, c.0),
			c.1,
			b.1,
			ratio(b.1, c.1)
		);
	}
	println!(
		"\n### Claim of coupon 0: {} holders against {} holders (goal: within 10%)\n",
		args.small, args.large
	);
	println!(
		"| claimant | ref_time ({}) | ref_time ({}) | ratio | proof ({}) | proof ({}) | ratio |",
		args.small, args.large, args.small, args.large
	);
	println!("|---|---:|---:|---:|---:|---:|---:|");
	for (label, s, l) in claims {
		println!(
			"| {label} | {} | {} | {} | {} | {} | {} |",
			s.0,
			l.0,
			ratio(l.0, s.0),
			s.1,
			l.1,
			ratio(l.1, s.1)
		);
	}
	Ok(())
}

/// `a / b` with two decimals, in integer arithmetic.
fn ratio(a: u64, b: u64) -> String {
	if b == 0 {
		return "n/a".into();
	}
	let hundredths = (u128::from(a) * 100 + u128::from(b) / 2) / u128::from(b);
	format!("{}.{:02}x", hundredths / 100, hundredths % 100)
}

/// The gas a dry run of `data` on `contract` as `who` requires.
async fn gas(client: &Client, who: &Keypair, contract: [u8; 32], data: &[u8]) -> Result<Gas> {
	let dry = contract::dry_run(client, account_id(who), contract, data.to_vec()).await?;
	ensure!(!dry.reverted, "dry run reverted: 0x{}", hex::encode(&dry.data));
	Ok(dry.gas_required)
}

fn register_investor(who: [u8; 32]) -> Vec<Value> {
	vec![
		Value::unnamed_variant("Id", [Value::from_bytes(who)]),
		Value::unnamed_variant("None", []),
		Value::from_bytes(b"NL"),
		Value::unnamed_variant("Some", [Value::unnamed_variant("Professional", [])]),
		Value::unnamed_composite([Value::u128(ROLE_INVESTOR.into())]),
	]
}

fn kyc_claim(who: [u8; 32]) -> Vec<Value> {
	vec![
		Value::unnamed_variant("Id", [Value::from_bytes(who)]),
		Value::unnamed_variant("Kyc", []),
		Value::u128(CLAIM_EXPIRY.into()),
	]
}
