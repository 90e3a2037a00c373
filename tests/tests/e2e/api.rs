//! The API's indexer against a real dev node:
//! - identity, KPI oracle and contract events (the cash token's, decoded from its bundle's
//!   metadata) land in the database as the chain has them, report signatures re-verify, the
//!   genesis identities are read from storage;
//! - the indexer binary, killed (SIGKILL) again and again while the chain keeps producing
//!   events, resumes from its cursor: afterwards the database holds every event of every
//!   finalized block exactly once, and the identity registry as chain storage has it.

// Times are small sums of milliseconds from the wall clock; test code may panic.
#![allow(clippy::arithmetic_side_effects, clippy::unwrap_used, clippy::expect_used)]

use anyhow::{bail, ensure, Context, Result};
use citybond_api::{indexer::Indexer, ink::InkBundle};
use citybond_e2e::{
	account_id, contract,
	kpi::{self, FeedRules},
	node::Node,
	submit_ok, Client,
};
use codec::{Decode, Encode};
use ed25519_dalek::{Signer, SigningKey};
use sqlx::{AnyPool, Row};
use std::{
	collections::BTreeSet,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

const ROLE_INVESTOR: u8 = 4;

fn hex32(b: [u8; 32]) -> String {
	format!("0x{}", hex::encode(b))
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn bundle_path(name: &str) -> PathBuf {
	std::env::var_os("CITYBOND_CONTRACTS")
		.map(PathBuf::from)
		.unwrap_or_else(|| citybond_e2e::target_dir().join("ink"))
		.join(name)
		.join(format!("{name}.contract"))
}

fn bundles() -> Result<Vec<InkBundle>> {
	Ok(vec![
		InkBundle::load("green_bond", &bundle_path("green_bond"))?,
		InkBundle::load("cash_token", &bundle_path("cash_token"))?,
	])
}

async fn sqlite(dir: &Path) -> Result<(String, AnyPool)> {
	let url = format!("sqlite://{}?mode=rwc", dir.join("api.db").display());
	let pool = citybond_api::db::connect(&url).await?;
	Ok((url, pool))
}

fn keypair(uri: &str) -> Result<Keypair> {
	Ok(Keypair::from_uri(&uri.parse::<SecretUri>()?)?)
}

/// Alice, the registrar, registers `who` as a retail investor in NL.
async fn register_investor(client: &Client, who: [u8; 32]) -> Result<()> {
	let args = vec![
		Value::unnamed_variant("Id", [Value::from_bytes(who)]),
		Value::unnamed_variant("None", []),
		Value::from_bytes(b"NL"),
		Value::unnamed_variant("Some", [Value::unnamed_variant("Retail", [])]),
		Value::unnamed_composite([Value::u128(ROLE_INVESTOR.into())]),
	];
	submit_ok(client, &dev::alice(), "Identity", "register_identity", args).await?;
	Ok(())
}

/// Waits until block `n` is finalized, then lets the indexer write everything up to it.
async fn index_through(node: &Node, indexer: &Indexer, n: u64) -> Result<u64> {
	node.wait_for_finalized(n, Duration::from_secs(60)).await?;
	indexer.catch_up().await?.context("nothing indexed")
}

async fn best(client: &Client) -> Result<u64> {
	Ok(client.at_current_block().await?.block_number())
}

#[derive(Encode)]
struct Report {
	feed: u32,
	period: u32,
	value: i128,
	window_start: u64,
	window_end: u64,
	payload_hash: [u8; 32],
	devices_hash: [u8; 32],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexer_writes_identity_kpi_and_contract_events_as_the_chain_has_them() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (_url, pool) = sqlite(logs.path()).await?;
	let indexer = Indexer::connect(&node.url(), pool.clone(), bundles()?).await?;
	let genesis = client.genesis_hash().0;
	ensure!(indexer.genesis_hash() == genesis);

	// Identity: One becomes an investor, gets a KYC claim, and is suspended.
	let one = keypair("//One")?;
	register_investor(&client, account_id(&one)).await?;
	let claim = vec![
		Value::unnamed_variant("Id", [Value::from_bytes(account_id(&one))]),
		Value::unnamed_variant("Kyc", []),
		Value::u128((now_ms() + 86_400_000).into()),
	];
	submit_ok(&client, &dev::alice(), "Identity", "add_claim", claim).await?;
	let suspend = vec![Value::unnamed_variant("Id", [Value::from_bytes(account_id(&one))])];
	submit_ok(&client, &dev::alice(), "Identity", "suspend", suspend).await?;

	// KPI: a feed governance created, one operator (Bob's stash) with quorum 1; an auditor attests.
	let operator = keypair("//Bob//stash")?;
	let key = SigningKey::from_bytes(&[1u8; 32]);
	let first_start = now_ms() + 8_000;
	let length = 6_000;
	let rules = FeedRules {
		attribute: "energySaved",
		first_start,
		length,
		quorum: 1,
		max_report_age: 120_000,
		challenge_window: 120_000,
	};
	let feed = kpi::create_feed(
		&client,
		&rules,
		&[(account_id(&operator), key.verifying_key().to_bytes())],
	)
	.await?;
	let wait = (first_start + length + 1_000).saturating_sub(now_ms());
	tokio::time::sleep(Duration::from_millis(wait)).await;
	let report = Report {
		feed,
		period: 0,
		value: 1_250_000,
		window_start: first_start,
		window_end: first_start + length,
		payload_hash: [0xaa; 32],
		devices_hash: [0xbb; 32],
	};
	let signature = key.sign(&(*b"CITYBOND/KPI/v1", genesis, &report).encode()).to_bytes();
	let args = vec![
		Value::named_composite([
			("feed", Value::u128(feed.into())),
			("period", Value::u128(0)),
			("value", Value::i128(report.value)),
			("window_start", Value::u128(report.window_start.into())),
			("window_end", Value::u128(report.window_end.into())),
			("payload_hash", Value::from_bytes(report.payload_hash)),
			("devices_hash", Value::from_bytes(report.devices_hash)),
		]),
		Value::from_bytes(key.verifying_key().to_bytes()),
		Value::from_bytes(signature),
	];
	submit_ok(&client, &operator, "KpiOracle", "submit_report", args).await?;
	let auditor = keypair("//Alice//stash")?;
	let attest = vec![Value::u128(feed.into()), Value::u128(0)];
	submit_ok(&client, &auditor, "KpiOracle", "attest", attest).await?;

	// Contracts: the cash token, and a mint (its Transfer event, decoded from the metadata).
	let (ferdie, charlie) = (dev::ferdie(), dev::charlie());
	let (bundle, cash) = citybond_e2e::bond::deploy_cash(&client).await?;
	let mint = bundle.message("mint", (account_id(&charlie), 123_456u128))?;
	contract::call(&client, &ferdie, cash, mint)
		.await
		.map_err(|e| anyhow::anyhow!("mint: {e:?}"))?;

	let last = best(&client).await?;
	let indexed = index_through(&node, &indexer, last).await?;
	ensure!(indexed >= last, "indexed #{indexed}, expected at least #{last}");

	// Blocks: every one from genesis, the genesis hash what reports are signed over.
	let blocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blocks").fetch_one(&pool).await?;
	ensure!(blocks == indexed as i64 + 1, "{blocks} blocks for #0..=#{indexed}");
	let hash0: String =
		sqlx::query_scalar("SELECT hash FROM blocks WHERE number = 0").fetch_one(&pool).await?;
	ensure!(hash0 == hex32(genesis));

	// Identities: genesis ones from storage, One's history from events.
	let row = sqlx::query("SELECT status, roles, category FROM identities WHERE account = $1")
		.bind(hex32(account_id(&one)))
		.fetch_one(&pool)
		.await?;
	ensure!(row.try_get::<String, _>("status")? == "Suspended");
	ensure!(row.try_get::<i64, _>("roles")? == i64::from(ROLE_INVESTOR));
	ensure!(row.try_get::<Option<String>, _>("category")?.as_deref() == Some("Retail"));
	let kyc: i64 = sqlx::query_scalar(
		"SELECT COUNT(*) FROM identity_claims WHERE account = $1 AND kind = 'Kyc' AND revoked = 0",
	)
	.bind(hex32(account_id(&one)))
	.fetch_one(&pool)
	.await?;
	ensure!(kyc == 1, "One's KYC claim is missing");
	let bob_roles: i64 = sqlx::query_scalar("SELECT roles FROM identities WHERE account = $1")
		.bind(hex32(account_id(&dev::bob())))
		.fetch_one(&pool)
		.await?;
	ensure!(bob_roles == 2, "Bob (genesis issuer) has roles {bob_roles}");
	let identities: i64 =
		sqlx::query_scalar("SELECT COUNT(*) FROM identities").fetch_one(&pool).await?;
	ensure!(identities >= 11, "only {identities} identities (10 at genesis + One)");

	// KPI: the feed's metadata (from storage), the report with its signature, re-verified.
	let row = sqlx::query("SELECT description, unit, decimals FROM kpi_feeds WHERE feed_id = $1")
		.bind(i64::from(feed))
		.fetch_one(&pool)
		.await?;
	ensure!(row.try_get::<String, _>("description")? == "Rotterdam town hall: energySaved");
	ensure!(row.try_get::<String, _>("unit")? == "KWH");
	let row = sqlx::query(
		"SELECT operator, value, signature, extrinsic_index FROM kpi_reports WHERE feed_id = $1",
	)
	.bind(i64::from(feed))
	.fetch_one(&pool)
	.await?;
	ensure!(row.try_get::<String, _>("operator")? == hex32(account_id(&operator)));
	ensure!(row.try_get::<String, _>("value")? == "1250000");
	ensure!(
		row.try_get::<Option<String>, _>("signature")?
			== Some(format!("0x{}", hex::encode(signature)))
	);
	ensure!(row.try_get::<Option<i64>, _>("extrinsic_index")?.is_some());
	let payload = citybond_api::verify::ReportPayload {
		feed,
		period: 0,
		value: report.value,
		window_start: report.window_start,
		window_end: report.window_end,
		payload_hash: report.payload_hash,
		devices_hash: report.devices_hash,
	};
	ensure!(
		citybond_api::verify::verify_report(
			&payload,
			&genesis,
			&key.verifying_key().to_bytes(),
			&signature
		) == citybond_api::verify::Verdict::Valid
	);
	let kinds: Vec<String> = sqlx::query_scalar(
		"SELECT kind FROM kpi_transitions WHERE feed_id = $1 ORDER BY block_number, event_index",
	)
	.bind(i64::from(feed))
	.fetch_all(&pool)
	.await?;
	ensure!(kinds == ["KpiProvisional", "KpiAttested"], "transitions {kinds:?}");

	// Contracts: the cash token recognised by its code hash, its mint decoded.
	let kind: String = sqlx::query_scalar("SELECT kind FROM contracts WHERE address = $1")
		.bind(hex32(cash))
		.fetch_one(&pool)
		.await?;
	ensure!(kind == "cash_token");
	let fields: String = sqlx::query_scalar(
		"SELECT fields FROM contract_events WHERE contract = $1 AND name = 'Transfer'",
	)
	.bind(hex32(cash))
	.fetch_one(&pool)
	.await?;
	let fields: serde_json::Value = serde_json::from_str(&fields)?;
	ensure!(fields["to"] == hex32(account_id(&charlie)), "{fields}");
	ensure!(fields["from"].is_null(), "{fields}");
	ensure!(fields["value"] == 123_456, "{fields}");

	// Writing the same blocks again changes nothing.
	let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&pool).await?;
	for n in 0..=indexed {
		let block = indexer.read_block(n).await?;
		citybond_api::store::write_block(&pool, &block).await?;
	}
	let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&pool).await?;
	ensure!(events == again, "{events} events became {again}");
	Ok(())
}

/// The indexer binary, following `node` into the SQLite file `url`.
fn spawn_indexer(url: &str, node: &Node, log: &Path) -> Result<Child> {
	let bin = citybond_e2e::target_dir().join("release").join("citybond-api");
	if !bin.exists() {
		bail!("{} not found: build it with `cargo build --release -p citybond-api`", bin.display());
	}
	let log = std::fs::File::options().create(true).append(true).open(log)?;
	Ok(Command::new(bin)
		.args(["--no-http", "--database-url", url, "--node-url", &node.url()])
		.arg("--green-bond-bundle")
		.arg(bundle_path("green_bond"))
		.arg("--cash-token-bundle")
		.arg(bundle_path("cash_token"))
		.env("RUST_LOG", "info")
		.stdin(Stdio::null())
		.stdout(log.try_clone()?)
		.stderr(log)
		.spawn()?)
}

/// The (block, event index) of every event the indexer should write: our pallets' and the
/// contract pallet's instantiations, read from the chain with plain subxt.
async fn chain_events(client: &Client, through: u64) -> Result<BTreeSet<(i64, i64)>> {
	let mut out = BTreeSet::new();
	for n in 0..=through {
		let at = client.at_block(n).await?;
		for ev in at.events().fetch().await?.iter() {
			let ev = ev?;
			let ours = matches!(ev.pallet_name(), "Identity" | "KpiOracle")
				|| (ev.pallet_name() == "Contracts" && ev.event_name() == "Instantiated");
			if ours {
				out.insert((n as i64, i64::from(ev.index())));
			}
		}
	}
	Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_indexer_resumes_with_no_duplicate_and_no_missing_row() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 1).await?;
	let client = node.client().await?;
	let (url, pool) = sqlite(logs.path()).await?;
	let indexer_log = logs.path().join("indexer.log");

	// Traffic: Alice registers 12 new investors, one block after another, while the indexer is
	// killed every 0.4 to 1.5 s and started again.
	let traffic = {
		let client = client.clone();
		tokio::spawn(async move {
			for i in 0..12 {
				let who = keypair(&format!("//ApiInvestor{i}"))?;
				register_investor(&client, account_id(&who)).await?;
			}
			anyhow::Ok(())
		})
	};
	let mut kills = 0;
	let mut cursors = BTreeSet::new();
	let started = Instant::now();
	while !traffic.is_finished() {
		let mut child = spawn_indexer(&url, &node, &indexer_log)?;
		let pause = 400 + (kills * 370) % 1100;
		tokio::time::sleep(Duration::from_millis(pause)).await;
		child.kill()?;
		child.wait()?;
		kills += 1;
		cursors.insert(citybond_api::db::cursor(&pool).await?.map(|c| c.0));
		ensure!(started.elapsed() < Duration::from_secs(300), "traffic did not finish");
	}
	traffic.await??;
	ensure!(kills >= 3, "the indexer was killed only {kills} times");
	// It made progress between kills (so kills fell while it was working), not only at the end.
	ensure!(cursors.len() >= 3, "the cursor moved only through {cursors:?} in {kills} lives");

	// Let the binary catch up to the finalized head, then stop it.
	let last = best(&client).await?;
	node.wait_for_finalized(last, Duration::from_secs(60)).await?;
	let mut child = spawn_indexer(&url, &node, &indexer_log)?;
	let deadline = Instant::now() + Duration::from_secs(120);
	loop {
		let cursor = citybond_api::db::cursor(&pool).await?.map(|c| c.0).unwrap_or(0);
		if cursor >= last {
			break;
		}
		if Instant::now() > deadline {
			child.kill()?;
			let log = std::fs::read_to_string(&indexer_log).unwrap_or_default();
			bail!("indexer stuck at #{cursor} of #{last}:\n{log}");
		}
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
	child.kill()?;
	child.wait()?;
	let cursor = citybond_api::db::cursor(&pool).await?.context("no cursor")?.0;

	// Every block once, with the chain's hashes.
	let rows =
		sqlx::query("SELECT number, hash FROM blocks ORDER BY number").fetch_all(&pool).await?;
	ensure!(rows.len() as u64 == cursor + 1, "{} block rows for #0..=#{cursor}", rows.len());
	for (i, row) in rows.iter().enumerate() {
		let number: i64 = row.try_get("number")?;
		ensure!(number == i as i64, "block rows skip #{i}");
		let hash: String = row.try_get("hash")?;
		let at = client.at_block(i as u64).await?;
		ensure!(hash == hex32(at.block_hash().0), "block #{i} hash differs");
	}

	// Every event once: the same (block, index) set as the chain, no more, no less.
	let expected = chain_events(&client, cursor).await?;
	let stored: Vec<(i64, i64)> = sqlx::query(
		"SELECT block_number, event_index FROM events WHERE event_index >= 0
		 ORDER BY block_number, event_index",
	)
	.fetch_all(&pool)
	.await?
	.iter()
	.map(|r| Ok((r.try_get("block_number")?, r.try_get("event_index")?)))
	.collect::<Result<_>>()?;
	let stored_set: BTreeSet<(i64, i64)> = stored.iter().copied().collect();
	ensure!(stored.len() == stored_set.len(), "duplicate event rows");
	let missing: Vec<_> = expected.difference(&stored_set).collect();
	let extra: Vec<_> = stored_set.difference(&expected).collect();
	ensure!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
	ensure!(expected.len() >= 12, "only {} events on chain", expected.len());

	// The identity registry as chain storage has it at the cursor's block.
	let at = client.at_block(cursor).await?;
	let addr = subxt::dynamic::storage::<([u8; 32],), Value>("Identity", "Identities");
	let mut entries = at.storage().iter(addr, ()).await?;
	let mut on_chain = BTreeSet::new();
	while let Some(kv) = entries.next().await {
		let kv = kv?;
		let key = kv.key_bytes();
		let account: [u8; 32] = key[key.len() - 32..].try_into()?;
		// IdentityInfo { status, roles, .. }
		let (status, roles) = <(u8, u8)>::decode(&mut kv.value().bytes())?;
		let status = ["Active", "Suspended", "Revoked"][status as usize].to_string();
		on_chain.insert((hex32(account), status, i64::from(roles)));
	}
	let in_db: BTreeSet<(String, String, i64)> =
		sqlx::query("SELECT account, status, roles FROM identities")
			.fetch_all(&pool)
			.await?
			.iter()
			.map(|r| Ok((r.try_get("account")?, r.try_get("status")?, r.try_get("roles")?)))
			.collect::<Result<_>>()?;
	ensure!(on_chain == in_db, "identities differ:\nchain {on_chain:?}\ndb {in_db:?}");
	ensure!(on_chain.len() >= 22, "only {} identities", on_chain.len());
	Ok(())
}

/// The API served on a free port from `pool`.
async fn serve_api(pool: &AnyPool) -> Result<String> {
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
	let addr = listener.local_addr()?;
	let state = citybond_api::AppState::new(pool.clone(), Default::default());
	tokio::spawn(citybond_api::http::serve(listener, state));
	Ok(format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_serves_a_green_bonds_life_from_the_indexed_chain() -> Result<()> {
	use citybond_e2e::bond::{
		call_ok, chain_past, claim_all, deploy_cash, BondTerms, Frequency, KpiLink, KpiTarget,
		Limits, Payment, DENOM,
	};
	const PERIOD_MS: u64 = 30_000;
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (_url, pool) = sqlite(logs.path()).await?;
	let indexer = Indexer::connect(&node.url(), pool.clone(), bundles()?).await?;
	let (alice, bob, charlie, dave, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::ferdie());

	let (cash, cash_id) = deploy_cash(&client).await?;
	let demand = [(&charlie, 6u128), (&dave, 4u128)];
	for (who, units) in demand {
		call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(who), units * DENOM)).await?;
	}

	// Subscriptions for 75 s, then two 30 s coupon periods. One KPI feed nobody reports: its
	// period 0 is Missing, so coupon 1 steps up by 100 bp (the fallback clause).
	let start = now_ms();
	let sub_end = start + 75_000;
	let issue = sub_end + 20_000;
	let maturity = issue + 2 * PERIOD_MS;
	let record_offset = 5_000;
	let observed = |period: u64| issue + (period + 1) * PERIOD_MS;
	let operators = citybond_e2e::kpi::Operator::demo_three()?;
	let listed: Vec<_> = operators.iter().map(citybond_e2e::kpi::Operator::listing).collect();
	let rules = FeedRules {
		attribute: "energySaved",
		first_start: issue - 20_000,
		length: PERIOD_MS,
		quorum: 3,
		max_report_age: 5_000,
		challenge_window: 5_000,
	};
	let feed = kpi::create_feed(&client, &rules, &listed).await?;
	let terms = BondTerms {
		isin: *b"XS2407019798",
		cfi: *b"DNFTFR",
		issuer: account_id(&bob),
		currency: cash_id,
		denomination: DENOM,
		issue_size: 10 * DENOM,
		minimum_raise: 2 * DENOM,
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
		kpis: vec![KpiLink {
			feed,
			direction: 0,
			step_bps: 100,
			targets: vec![KpiTarget {
				observation_period: 0,
				feed_period: 0,
				target: 100_000,
				observation_date: observed(0),
			}],
		}],
		use_of_proceeds: vec![1],
		documents: ([7; 32], None),
		call_schedule: Vec::new(),
		grace_period_ms: 20_000,
		claim_period_ms: 120_000,
		investor_caps: Vec::new(),
		resident_priority: None,
	};
	let (bond, bond_id) = contract::deploy_as_issuer(
		&client,
		&alice,
		&bob,
		"green_bond",
		"new",
		(terms, vec![account_id(&alice)], Limits { max_subscribers: 10, max_holders: 20 }),
	)
	.await?;
	for (who, units) in demand {
		call_ok(&client, who, &cash, cash_id, "approve", (bond_id, units * DENOM)).await?;
		call_ok(&client, who, &bond, bond_id, "subscribe", (units * DENOM,)).await?;
	}
	chain_past(&client, sub_end).await?;
	call_ok(&client, &dave, &bond, bond_id, "close_book", ()).await?;
	call_ok(
		&client,
		&bob,
		&bond,
		bond_id,
		"allocate_proceeds",
		(vec![(1u8, 7 * DENOM)], [3u8; 32]),
	)
	.await?;

	// Coupon 0 at 4 %: 20.00 per unit, half a year. Coupon 1 at 5 %: 25.00. Then principal.
	let coupons = [10 * 2_000u128, 10 * 2_500];
	let principal = 10 * DENOM;
	let total: u128 = coupons.iter().sum::<u128>() + principal;
	call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), total)).await?;
	call_ok(&client, &bob, &cash, cash_id, "approve", (bond_id, total)).await?;
	chain_past(&client, observed(0) - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(0), coupons[0])).await?;
	claim_all(&client, &bond, bond_id, &[&charlie, &dave]).await?;
	call_ok(&client, &bob, &bond, bond_id, "report_impact", (vec![(1u8, 5_000u128)], [4u8; 32]))
		.await?;
	chain_past(&client, maturity - record_offset).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Coupon(1), coupons[1])).await?;
	call_ok(&client, &bob, &bond, bond_id, "fund", (Payment::Redemption, principal)).await?;
	claim_all(&client, &bond, bond_id, &[&charlie, &dave]).await?;

	let last = best(&client).await?;
	index_through(&node, &indexer, last).await?;
	let base = serve_api(&pool).await?;
	let api = citybond_e2e::api_client::Api::new(&base);
	let bond_hex = hex32(bond_id);

	// Public: the bond, its terms hash as the contract reports it, its schedule with amounts.
	let (status, list) = api.fetch("/v1/bonds", None).await?;
	ensure!(status == 200 && list["total"] == 1, "{list}");
	let (status, detail) = api.fetch(&format!("/v1/bonds/{bond_hex}"), None).await?;
	ensure!(status == 200, "{detail}");
	let terms_hash: Option<[u8; 32]> =
		contract::query(&client, account_id(&alice), bond_id, bond.message("terms_hash", ())?)
			.await?;
	ensure!(detail["terms_hash"] == hex32(terms_hash.context("no terms hash")?), "{detail}");
	ensure!(detail["isin"] == "XS2407019798", "{detail}");
	ensure!(detail["status"] == "Redeemed", "{detail}");
	ensure!(detail["raised"] == "1000000", "{detail}");
	let schedule = detail["schedule"].as_array().context("schedule")?;
	ensure!(schedule.len() == 2, "{detail}");
	ensure!(schedule[0]["rate_bps"] == 400 && schedule[0]["coupon_per_unit"] == "2000");
	ensure!(schedule[1]["rate_bps"] == 500 && schedule[1]["coupon_per_unit"] == "2500");
	ensure!(schedule[1]["rate_fixed"] == true, "{detail}");

	// KPI: the feed's period 0 is missing (recorded by the pallet), against the bond's target.
	let (status, series) =
		api.fetch(&format!("/v1/feeds/{feed}/kpis?from_period=0&to_period=0"), None).await?;
	ensure!(status == 200, "{series}");
	ensure!(series["points"][0]["status"] == "missing", "{series}");
	ensure!(series["points"][0]["recorded_status"] == "Missing", "{series}");
	ensure!(series["points"][0]["targets"][0]["bond"] == bond_hex, "{series}");

	// Investor: Charlie's coupons and principal, nothing of Dave's.
	let token = api.sign_in(&charlie).await?;
	let (status, pos) = api.fetch(&format!("/v1/investor/bonds/{bond_hex}"), Some(&token)).await?;
	ensure!(status == 200, "{pos}");
	let claimed = pos["coupons_claimed"].as_array().context("claims")?;
	ensure!(claimed.len() == 2, "{pos}");
	ensure!(claimed[0]["coupon"] == "12000" && claimed[1]["coupon"] == "15000", "{pos}");
	ensure!(claimed[1]["principal"] == "600000", "{pos}");
	ensure!(pos["subscription"]["units"] == "6", "{pos}");
	ensure!(!pos.to_string().contains(&hex32(account_id(&dave))), "{pos}");
	let (status, _) = api.fetch(&format!("/v1/issuer/bonds/{bond_hex}/book"), Some(&token)).await?;
	ensure!(status == 403, "an investor read the issuer's book");

	// Issuer: the book, the register at coupon 0's record date, the proceeds.
	let token = api.sign_in(&bob).await?;
	let (status, book) =
		api.fetch(&format!("/v1/issuer/bonds/{bond_hex}/book"), Some(&token)).await?;
	ensure!(status == 200 && book["total"] == 2, "{book}");
	let record = chrono::DateTime::from_timestamp_millis((observed(0) - record_offset) as i64)
		.context("record date")?
		.format("%Y-%m-%dT%H:%M:%S%.3fZ")
		.to_string();
	let (status, register) = api
		.fetch(&format!("/v1/issuer/bonds/{bond_hex}/holders?record_date={record}"), Some(&token))
		.await?;
	ensure!(status == 200 && register["total_units"] == "10", "{register}");
	let (_, now_register) =
		api.fetch(&format!("/v1/issuer/bonds/{bond_hex}/holders"), Some(&token)).await?;
	ensure!(now_register["holders"] == 0, "redeemed units were burned: {now_register}");
	let (_, proceeds) =
		api.fetch(&format!("/v1/issuer/bonds/{bond_hex}/proceeds"), Some(&token)).await?;
	ensure!(proceeds["allocated"] == "700000", "{proceeds}");

	// Auditor: the period's history holds the pallet's KpiMissing.
	let token = api.sign_in(&keypair("//Alice//stash")?).await?;
	let (status, audit) =
		api.fetch(&format!("/v1/auditor/feeds/{feed}/periods/0/reports"), Some(&token)).await?;
	ensure!(status == 200, "{audit}");
	ensure!(audit["history"][0]["event"] == "KpiMissing", "{audit}");
	Ok(())
}

/// A green bond of `issuer` (plain 4 %, two coupons) settling in `cash_id`, from `now`.
fn plain_bond(
	green: &contract::Bundle,
	isin: &[u8; 12],
	issuer: &Keypair,
	cash_id: [u8; 32],
	now: u64,
) -> Result<Vec<u8>> {
	use citybond_e2e::bond::{plain_terms, Limits, PlainDates};
	let issue = now + 600_000;
	let dates = PlainDates {
		start: now,
		sub_end: issue - 60_000,
		issue,
		period_ms: 60_000,
		record_offset_ms: 5_000,
	};
	let terms = plain_terms(*isin, account_id(issuer), cash_id, 100, dates);
	let limits = Limits { max_subscribers: 10, max_holders: 20 };
	green.constructor("new", (terms, vec![account_id(&dev::alice())], limits))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_bonds_of_approved_code_are_listed_and_another_chain_is_refused() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (_url, pool) = sqlite(logs.path()).await?;
	let indexer = Indexer::connect(&node.url(), pool.clone(), bundles()?).await?;
	let (alice, bob) = (dev::alice(), dev::bob());
	// Sign-in signatures cover `<Bytes>…`: no pallet of this runtime may have index `<` (60),
	// or a sign-in message could parse as one of its calls.
	let wrapped = citybond_api::auth::signed_bytes("x");
	ensure!(
		client.at_current_block().await?.metadata_ref().pallet_by_call_index(wrapped[0]).is_none(),
		"pallet index {} is in use: sign-in messages are no longer domain-separated",
		wrapped[0]
	);
	let (_cash, cash_id) = citybond_e2e::bond::deploy_cash(&client).await?;
	let green = contract::Bundle::load("green_bond")?;
	contract::upload(&client, &alice, &green)
		.await
		.map_err(|e| anyhow::anyhow!("upload: {e:?}"))?;
	let now = citybond_e2e::chain_now(&client).await?;

	// Governance makes Bob a contract deployer too: he can instantiate the audited green bond
	// code directly, before the council approved it for issuance.
	let add_bob = Value::unnamed_variant(
		"ContractDeployers",
		[Value::named_variant(
			"add_member",
			[("who", Value::unnamed_variant("Id", [Value::from_bytes(account_id(&bob))]))],
		)],
	);
	citybond_e2e::sudo(&client, &alice, add_bob).await?;
	let unapproved = plain_bond(&green, b"XS0000000017", &bob, cash_id, now)?;
	let (bypass, _) =
		contract::instantiate(&client, &bob, green.code_hash, unapproved, b"bypass".to_vec())
			.await?;

	// An impostor contract emits an event with the green bond's BondCreated topic and fields.
	let (reads, impostor) = contract::deploy(&client, &alice, "chain_reads", "new", ()).await?;
	let imitate = reads.message(
		"imitate_bond_created",
		(account_id(&bob), *b"XS0000000025", 2u32, 1_000_000u128),
	)?;
	contract::call(&client, &alice, impostor, imitate)
		.await
		.map_err(|e| anyhow::anyhow!("imitate: {e:?}"))?;

	// Then the council approves the code and Bob issues through Issuance: the one real bond.
	contract::approve_code_by_sudo(&client, &alice, green.code_hash, "green_bond").await?;
	let approved = plain_bond(&green, b"XS0000000033", &bob, cash_id, now)?;
	let (listed, _) =
		contract::issue(&client, &bob, green.code_hash, approved, b"issued".to_vec()).await?;

	let last = best(&client).await?;
	index_through(&node, &indexer, last).await?;

	// The look-alike is on chain, under the green bond's own BondCreated topic (so a reader of
	// topics alone would take it for a bond), and so is the unapproved bond's BondCreated.
	let topic = green.event_topic("BondCreated")?;
	let (mut imitations, mut bypassed) = (0, 0);
	for n in 0..=last {
		for ev in client.at_block(n).await?.events().fetch().await?.iter() {
			let ev = ev?;
			if ev.pallet_name() != "Contracts" || ev.event_name() != "ContractEmitted" {
				continue;
			}
			let emitter = <[u8; 32]>::decode(&mut ev.field_bytes())?;
			let first = ev.topics().first().map(|t| t.0);
			if emitter == impostor && first == Some(topic) {
				imitations += 1;
			}
			if emitter == bypass && first == Some(topic) {
				bypassed += 1;
			}
		}
	}
	ensure!(imitations == 1, "{imitations} look-alike BondCreated events on chain");
	ensure!(bypassed == 1, "{bypassed} BondCreated events of the unapproved bond on chain");

	// Indexed: the issued bond only; neither the impostor's nor the unapproved bond's events.
	let bonds: Vec<String> =
		sqlx::query_scalar("SELECT address FROM bonds").fetch_all(&pool).await?;
	ensure!(bonds == vec![hex32(listed)], "bonds listed: {bonds:?}");
	for (who, name) in [(impostor, "impostor"), (bypass, "unapproved bond")] {
		let rows: i64 =
			sqlx::query_scalar("SELECT COUNT(*) FROM contract_events WHERE contract = $1")
				.bind(hex32(who))
				.fetch_one(&pool)
				.await?;
		ensure!(rows == 0, "{rows} events of the {name} indexed");
	}
	let created: i64 = sqlx::query_scalar(
		"SELECT COUNT(*) FROM contract_events WHERE contract = $1 AND name = 'BondCreated'",
	)
	.bind(hex32(listed))
	.fetch_one(&pool)
	.await?;
	ensure!(created == 1, "the issued bond's BondCreated: {created} rows");

	// Another chain's database: its block #0 is not this node's genesis. The library refuses
	// to connect, and the binary exits at once naming both genesis hashes.
	let other = tempfile::tempdir()?;
	let (url, foreign) = sqlite(other.path()).await?;
	let block0 = citybond_api::model::BlockData {
		number: 0,
		hash: hex32([0xee; 32]),
		parent_hash: hex32([0; 32]),
		timestamp_ms: 0,
		events: vec![],
	};
	citybond_api::store::write_block(&foreign, &block0).await?;
	match Indexer::connect(&node.url(), foreign.clone(), bundles()?).await {
		Err(citybond_api::Error::WrongChain(m)) => {
			ensure!(m.contains(&hex32([0xee; 32])), "{m}")
		}
		Err(e) => bail!("expected WrongChain, got {e}"),
		Ok(_) => bail!("the indexer accepted another chain's database"),
	}
	foreign.close().await;
	let log = other.path().join("api.log");
	let mut child = spawn_indexer(&url, &node, &log)?;
	let deadline = Instant::now() + Duration::from_secs(60);
	let status = loop {
		if let Some(status) = child.try_wait()? {
			break status;
		}
		if Instant::now() > deadline {
			child.kill()?;
			bail!("the API kept running on another chain's database");
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	};
	ensure!(!status.success(), "exited with {status}");
	let said = std::fs::read_to_string(&log)?;
	ensure!(said.contains(&hex32(client.genesis_hash().0)), "log: {said}");
	let pool = citybond_api::db::connect(&url).await?;
	let blocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blocks").fetch_one(&pool).await?;
	ensure!(blocks == 1, "the foreign database now has {blocks} blocks");
	Ok(())
}
