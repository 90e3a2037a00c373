//! The oracle service (`citybond-oracle`) against a real dev node and its embedded digital twin:
//! - three operators, each its own process with its own key and database, read the twin, sign
//!   and submit every period of a feed; each period reaches the quorum of three and is
//!   `Provisional` with the value all three computed (spread 0);
//! - one operator is killed mid-run and restarted: across both runs it reports every period
//!   exactly once, and the chain holds its report for each;
//! - on a second feed, a forged report, a duplicate and a stale one are rejected, with the
//!   pallet's error in the oracle's output;
//! - a twin reporting a tamper alarm gets nothing signed, and the refusal is printed;
//! - `health` exits non-zero when the broker, then the node, is down.

// Times are small sums of milliseconds from the wall clock; tests unwrap freely.
#![allow(clippy::arithmetic_side_effects, clippy::unwrap_used, clippy::expect_used)]

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id,
	kpi::{self, FeedRules},
	node::Node,
	Client,
};
use codec::{Decode, Encode};
use serde_json::Value as Json;
use std::{
	io::{BufRead, BufReader},
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Period length of the test feeds (ms): six twin readings, six simulated hours.
const LENGTH: u64 = 6_000;
/// How long after a period's end reports are accepted (ms) on the feed the rejections use: its
/// stale report waits this long.
const MAX_REPORT_AGE: u64 = 30_000;
/// The same on the served feed: generous, so a slow (loaded) machine does not make periods
/// miss their deadline.
const SERVED_MAX_REPORT_AGE: u64 = 90_000;

/// The oracle binary under test.
fn binary() -> PathBuf {
	std::env::var_os("CITYBOND_ORACLE")
		.map(PathBuf::from)
		.unwrap_or_else(|| citybond_e2e::target_dir().join("release").join("citybond-oracle"))
}

fn now_ms() -> u64 {
	u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

async fn sleep_until(at: u64) {
	tokio::time::sleep(Duration::from_millis(at.saturating_sub(now_ms()))).await;
}

/// For the blocking thread that relays reports.
fn block_until(at: u64) {
	std::thread::sleep(Duration::from_millis(at.saturating_sub(now_ms())));
}

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// Runs the oracle binary to completion.
fn oracle(args: &[&str]) -> Result<Output> {
	let bin = binary();
	ensure!(bin.exists(), "{} not found: cargo build --release -p citybond-oracle", bin.display());
	Ok(Command::new(&bin).args(args).env("RUST_LOG", "warn").output()?)
}

/// The JSON lines an oracle printed.
fn events(stdout: &[u8]) -> Vec<Json> {
	String::from_utf8_lossy(stdout)
		.lines()
		.filter_map(|line| serde_json::from_str(line).ok())
		.collect()
}

/// The embedded twin, started as `citybond-oracle twin --port 0`; returns it and its URL.
fn start_twin(dir: &Path, scenario: &str) -> Result<(Process, String)> {
	let mut child = Command::new(binary())
		.args(["twin", "--port", "0", "--scenario", scenario])
		.stdout(Stdio::piped())
		.stderr(std::fs::File::create(dir.join(format!("twin-{scenario}.log")))?)
		.spawn()
		.context("start the twin")?;
	let stdout = child.stdout.take().context("the twin's stdout")?;
	let mut line = String::new();
	BufReader::new(stdout).read_line(&mut line)?;
	let url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
	ensure!(url.starts_with("http://127.0.0.1:"), "the twin said {line:?}");
	Ok((Process(child), url))
}

/// An operator: its account, its key file, config file and database.
struct Operator {
	name: &'static str,
	account: Keypair,
	public: [u8; 32],
	key_file: PathBuf,
	dir: PathBuf,
}

impl Operator {
	fn new(dir: &Path, name: &'static str) -> Result<Self> {
		let account = Keypair::from_uri(&format!("//{name}//stash").parse::<SecretUri>()?)?;
		let key_file = dir.join(format!("{name}.key"));
		let out = oracle(&["keygen", "--out", key_file.to_str().unwrap()])?;
		ensure!(out.status.success(), "keygen: {}", String::from_utf8_lossy(&out.stderr));
		let public: [u8; 32] = hex::decode(String::from_utf8(out.stdout)?.trim())?
			.try_into()
			.map_err(|_| anyhow::anyhow!("keygen printed no key"))?;
		Ok(Self { name, account, public, key_file, dir: dir.to_path_buf() })
	}

	/// Writes the config serving `feed` and returns its path.
	fn config(&self, node: &str, twin: &str, feed: u32) -> Result<PathBuf> {
		let path = self.dir.join(format!("{}-feed{feed}.toml", self.name));
		let text = format!(
			r#"node = "{node}"
key_file = "{key}"
suri = "//{name}//stash"
database = "sqlite://{db}"
poll_interval_ms = 1000
settle_ms = 1500

[[feed]]
id = {feed}
broker = "{twin}"
entity = "urn:ngsi-ld:Building:rotterdam-town-hall"
attribute = "energyConsumed"
unit = "KWH"
max_gap_ms = 3000
# Six simulated hours at the pre-retrofit 50 kWh/h.
formula = {{ kind = "reduction", consumption = "delta", baseline = "300" }}
"#,
			key = self.key_file.display(),
			name = self.name,
			db = self.dir.join(format!("{}.db", self.name)).display(),
		);
		std::fs::write(&path, text)?;
		Ok(path)
	}

	/// Starts `citybond-oracle run` with `config`, appending its events to `<name>.events`.
	fn run(&self, config: &Path) -> Result<Process> {
		let events = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(self.dir.join(format!("{}.events", self.name)))?;
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(self.dir.join(format!("{}.log", self.name)))?;
		let child = Command::new(binary())
			.args(["run", "--config", config.to_str().unwrap()])
			.stdout(events)
			.stderr(log)
			.spawn()?;
		Ok(Process(child))
	}

	fn events(&self) -> Result<Vec<Json>> {
		Ok(events(&std::fs::read(self.dir.join(format!("{}.events", self.name)))?))
	}

	fn log(&self) -> String {
		std::fs::read_to_string(self.dir.join(format!("{}.log", self.name))).unwrap_or_default()
	}
}

/// The start of `pallet_citybond_kpi_oracle::KpiRecord` (status, value, median, readings,
/// spread), as `KpiOracleApi_kpi` returns it; the rest is not decoded.
#[derive(Debug, Decode)]
struct Kpi {
	status: u8,
	value: Option<i128>,
	_median: Option<i128>,
	readings: u32,
	spread: u128,
}

async fn kpi(client: &Client, feed: u32, period: u32) -> Result<Option<Kpi>> {
	let at = client.at_current_block().await?;
	let bytes =
		at.runtime_apis().call_raw("KpiOracleApi_kpi", Some(&(feed, period).encode())).await?;
	Ok(Option::<Kpi>::decode(&mut &bytes[..])?)
}

async fn report_on_chain(
	client: &Client,
	feed: u32,
	period: u32,
	operator: [u8; 32],
) -> Result<Option<bool>> {
	let at = client.at_current_block().await?;
	let args = (feed, period, operator).encode();
	let bytes = at.runtime_apis().call_raw("KpiOracleApi_verify_report", Some(&args)).await?;
	Ok(Option::<bool>::decode(&mut &bytes[..])?)
}

/// The state of `period` of `feed` in an oracle's database, read with `export` (SQLite lets
/// it read while the oracle writes).
fn state_of(database: &str, feed: u32, period: u32) -> Result<Option<String>> {
	let (feed, period) = (feed.to_string(), period.to_string());
	let out = oracle(&["export", "--database", database, "--feed", &feed, "--period", &period])?;
	ensure!(out.status.success(), "export: {}", String::from_utf8_lossy(&out.stderr));
	let export: Json = serde_json::from_slice(&out.stdout)?;
	Ok(export["reports"][0]["record"]["state"].as_str().map(str::to_string))
}

/// `citybond-oracle submit` of `report` by Eve as a relayer: exit code and events.
fn relay(dir: &Path, node: &str, name: &str, report: &Json) -> Result<(Option<i32>, Vec<Json>)> {
	let path = dir.join(format!("{name}.json"));
	std::fs::write(&path, report.to_string())?;
	let out =
		oracle(&["submit", "--node", node, "--suri", "//Eve", "--report", path.to_str().unwrap()])?;
	Ok((out.status.code(), events(&out.stdout)))
}

fn rejected_with(outcome: &(Option<i32>, Vec<Json>), error: &str) -> bool {
	outcome.0 == Some(7)
		&& outcome.1.iter().any(|e| {
			e["event"] == "rejected" && e["error"].as_str().is_some_and(|e| e.ends_with(error))
		})
}

/// On a feed no oracle process serves: a forged report, the genuine one, a duplicate, and the
/// genuine one again once stale. Returns the four outcomes. Blocking: it waits for processes.
fn rejections(
	dir: PathBuf,
	node: String,
	config: PathBuf,
	end: u64,
) -> Result<[(Option<i32>, Vec<Json>); 4]> {
	block_until(end + 1_500);
	let out = oracle(&[
		"run",
		"--once",
		"--dry-run",
		"--period",
		"0",
		"--config",
		config.to_str().unwrap(),
	])?;
	ensure!(out.status.success(), "dry run: {}", String::from_utf8_lossy(&out.stderr));
	let signed = events(&out.stdout);
	let [signed] = signed.as_slice() else { bail!("dry run printed {signed:?}") };
	ensure!(signed["event"] == "signed", "{signed}");
	let genuine = signed["report"].clone();

	let mut forged = genuine.clone();
	let value: i128 = genuine["value"].as_str().context("value")?.parse()?;
	forged["value"] = Json::String((value + 1).to_string());
	let forged = relay(&dir, &node, "forged", &forged)?;
	let accepted = relay(&dir, &node, "genuine", &genuine)?;
	let duplicate = relay(&dir, &node, "duplicate", &genuine)?;
	block_until(end + MAX_REPORT_AGE + 1_000);
	let stale = relay(&dir, &node, "stale", &genuine)?;
	Ok([forged, accepted, duplicate, stale])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_oracles_reach_quorum_survive_a_restart_and_surface_the_pallets_rejections(
) -> Result<()> {
	let dir = tempfile::tempdir()?;
	let dir = dir.path().to_path_buf();
	let node = Node::dev(&dir, 1).await?;
	let client = node.client().await?;
	let url = node.url();
	let (twin, twin_url) = start_twin(&dir, "on-target")?;
	let operators = [
		Operator::new(&dir, "Bob")?,
		Operator::new(&dir, "Charlie")?,
		Operator::new(&dir, "Dave")?,
	];
	let listing: Vec<_> = operators.iter().map(|op| (account_id(&op.account), op.public)).collect();
	let rules = |first_start: u64, max_report_age: u64| FeedRules {
		attribute: "energySaved",
		first_start,
		length: LENGTH,
		quorum: 3,
		max_report_age,
		challenge_window: 120_000,
	};
	let served_start = now_ms() + 15_000;
	let served =
		kpi::create_feed(&client, &rules(served_start, SERVED_MAX_REPORT_AGE), &listing).await?;
	let other_start = now_ms() + 15_000;
	let other = kpi::create_feed(&client, &rules(other_start, MAX_REPORT_AGE), &listing).await?;
	let end = |start: u64, period: u64| start + LENGTH * (period + 1);

	// The rejections run alongside, on the feed nobody serves, relayed by Eve.
	let other_config = operators[1].config(&url, &twin_url, other)?;
	let (relay_dir, relay_node) = (dir.clone(), url.clone());
	let rejected = tokio::task::spawn_blocking(move || {
		rejections(relay_dir, relay_node, other_config, end(other_start, 0))
	});

	let configs = operators
		.iter()
		.map(|op| op.config(&url, &twin_url, served))
		.collect::<Result<Vec<_>>>()?;
	let health = oracle(&["health", "--config", configs[0].to_str().unwrap()])?;
	ensure!(health.status.success(), "health: {}", String::from_utf8_lossy(&health.stdout));
	let mut running = operators
		.iter()
		.zip(&configs)
		.map(|(op, config)| op.run(config))
		.collect::<Result<Vec<_>>>()?;

	// Bob's oracle dies while its report for period 2 is in flight (`submitted` in its
	// database), and comes back after period 3 has ended.
	sleep_until(end(served_start, 2) + 1_000).await;
	let bob_db = format!("sqlite://{}", dir.join("Bob.db").display());
	let in_flight = Instant::now() + Duration::from_secs(20);
	let caught = loop {
		let state = state_of(&bob_db, served, 2)?;
		if state.as_deref() == Some("submitted") {
			break true;
		}
		if Instant::now() > in_flight || state.as_deref() == Some("included") {
			break false;
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	};
	eprintln!("Bob killed with period 2 in flight: {caught}");
	running[0].0.kill()?;
	running[0].0.wait()?;
	let before_restart = operators[0].events()?.len();
	sleep_until(end(served_start, 3) + 500).await;
	running[0] = operators[0].run(&configs[0])?;

	// Periods 0 to 4 reach the quorum with the value every operator computed.
	let last = 4u32;
	let deadline = Instant::now() + Duration::from_secs(90);
	for period in 0..=last {
		let decided = loop {
			if let Some(decided) = kpi(&client, served, period).await? {
				break decided;
			}
			if Instant::now() > deadline {
				bail!(
					"period {period} has no KPI; Bob's log:\n{}\nCharlie's log:\n{}",
					operators[0].log(),
					operators[1].log()
				);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		};
		ensure!(decided.status == 0, "period {period} is Provisional: {decided:?}");
		ensure!(decided.readings == 3 && decided.spread == 0, "period {period}: {decided:?}");
		// 300 kWh of baseline minus five increments of about 32.5 kWh, 3 decimals.
		let value = decided.value.context("a value")?;
		ensure!((100_000..=200_000).contains(&value), "period {period}: {value}");
	}
	drop(running);

	// Across both runs Bob reported each period exactly once, and the chain holds each report.
	for op in &operators {
		ensure!(op.log().contains("operator key loaded"), "{}", op.log());
		ensure!(!op.log().contains("not registered on chain"), "{}", op.log());
		// Periods after `last` were still in flight when the oracles were stopped.
		let events: Vec<Json> = op
			.events()?
			.into_iter()
			.filter(|e| e["period"].as_u64() <= Some(last.into()))
			.collect();
		ensure!(
			!events.iter().any(|e| e["event"] == "rejected" || e["event"] == "refused"),
			"{}: {events:?}\n{}",
			op.name,
			op.log()
		);
		for period in 0..=last {
			let included = events
				.iter()
				.filter(|e| {
					e["event"] == "included" && e["period"] == period && e["feed"] == served
				})
				.count();
			ensure!(
				included == 1,
				"{} reported period {period} {included} times: {events:?}\n{}",
				op.name,
				op.log()
			);
			let stored = report_on_chain(&client, served, period, account_id(&op.account)).await?;
			ensure!(stored == Some(true), "{}'s report for period {period}: {stored:?}", op.name);
		}
	}
	// When Bob died with period 2 in flight, it was the restarted oracle that settled it.
	if caught {
		let resumed = operators[0]
			.events()?
			.into_iter()
			.skip(before_restart)
			.any(|e| e["event"] == "included" && e["period"] == 2 && e["feed"] == served);
		ensure!(resumed, "the restart did not settle period 2: {:?}", operators[0].events()?);
	}
	// Bob's database has the evidence: the readings and the twin's responses, per period.
	let export =
		oracle(&["export", "--database", &format!("sqlite://{}", dir.join("Bob.db").display())])?;
	ensure!(export.status.success(), "export: {}", String::from_utf8_lossy(&export.stderr));
	let export: Json = serde_json::from_slice(&export.stdout)?;
	let reports = export["reports"].as_array().context("reports")?;
	for period in 0..=last {
		let report = reports
			.iter()
			.find(|r| r["record"]["period"] == period)
			.with_context(|| format!("period {period} exported"))?;
		ensure!(report["record"]["state"] == "included", "{report}");
		ensure!(report["readings"].as_array().is_some_and(|r| r.len() == 6), "{report}");
		ensure!(report["source_documents"].as_array().is_some_and(|d| !d.is_empty()), "{report}");
	}

	// The pallet's errors, in the oracle's output.
	let [forged, accepted, duplicate, stale] = rejected.await??;
	ensure!(rejected_with(&forged, "InvalidSignature"), "forged: {forged:?}");
	ensure!(
		accepted.0 == Some(0) && accepted.1.iter().any(|e| e["event"] == "included"),
		"{accepted:?}"
	);
	ensure!(rejected_with(&duplicate, "DuplicateReport"), "duplicate: {duplicate:?}");
	ensure!(rejected_with(&stale, "StaleReport"), "stale: {stale:?}");

	// A twin whose meter reports a tamper alarm: nothing is signed, the refusal is printed.
	let (_tampered, tampered_url) = start_twin(&dir, "tampered-meter")?;
	let config = operators[2].config(&url, &tampered_url, served)?;
	let out = oracle(&[
		"run",
		"--once",
		"--dry-run",
		"--period",
		"1",
		"--config",
		config.to_str().unwrap(),
	])?;
	let printed = events(&out.stdout);
	ensure!(out.status.code() == Some(6), "tampered: {out:?}");
	ensure!(
		matches!(printed.as_slice(), [refused] if refused["event"] == "refused" && refused["code"] == "flagged"),
		"tampered: {printed:?}"
	);

	// Health: the broker down, then the node down.
	drop(twin);
	let health = oracle(&["health", "--config", configs[0].to_str().unwrap()])?;
	ensure!(health.status.code() == Some(4), "broker down: {health:?}");
	drop(client);
	drop(node);
	let health = oracle(&["health", "--config", configs[0].to_str().unwrap()])?;
	ensure!(health.status.code() == Some(3), "node down: {health:?}");
	Ok(())
}
