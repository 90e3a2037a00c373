//! Figures of the KPI oracle service on a real dev node (issue #7; a benchmark, not a test):
//!
//! 1. latency: three operators (Bob's, Charlie's and Dave's stash accounts, each its own
//!    `citybond-oracle run` process, key and database) serve one feed of the embedded twin for
//!    `--periods` periods; for each operator and period, the delay from the period's end to the
//!    timestamp of the block that includes its report (seconds, and blocks after the last block
//!    before the period's end), and to the `included` event on the oracle's stdout (the report
//!    in a best block, wall clock);
//! 2. memory: one process serving `--feeds` feeds (one config, that many `[[feed]]` entries),
//!    its `VmRSS` sampled every second from `/proc/<pid>/status` and read after
//!    `--memory-periods` periods, with `VmHWM`.
//!
//! Prints Markdown on stdout; `bench/oracle.sh` writes it to `bench/results/oracle.md`.

// Times are small sums and differences of milliseconds from the wall and chain clocks.
#![allow(clippy::arithmetic_side_effects, clippy::cast_precision_loss)]

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id,
	kpi::{self, FeedRules},
	node::Node,
	Client,
};
use clap::Parser;
use serde_json::Value as Json;
use std::{
	collections::BTreeMap,
	io::{BufRead, BufReader},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::{Arc, Mutex},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use subxt_signer::{sr25519::Keypair, SecretUri};

#[derive(Parser)]
#[command(about = "Latency and memory of the KPI oracle service on a dev node")]
struct Args {
	/// Periods the three operators serve for the latency figures.
	#[arg(long, default_value_t = 10)]
	periods: u32,
	/// Feeds the single process serves for the memory figures.
	#[arg(long, default_value_t = 10)]
	feeds: u32,
	/// Periods after which the memory is read.
	#[arg(long, default_value_t = 4)]
	memory_periods: u32,
	/// Period length (ms): six twin readings, six simulated hours.
	#[arg(long, default_value_t = 6_000)]
	length: u64,
	/// The oracles' `settle_ms`: how long after a period's end they read it.
	#[arg(long, default_value_t = 1_500)]
	settle_ms: u64,
	/// The oracles' `poll_interval_ms`.
	#[arg(long, default_value_t = 1_000)]
	poll_interval_ms: u64,
}

/// How long after its end a period may be reported (ms): generous, so that a loaded machine
/// shows up as delay rather than as missed periods.
const MAX_REPORT_AGE: u64 = 90_000;

/// The oracle binary.
fn binary() -> PathBuf {
	std::env::var_os("CITYBOND_ORACLE")
		.map(PathBuf::from)
		.unwrap_or_else(|| citybond_e2e::target_dir().join("release").join("citybond-oracle"))
}

fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.ok()
		.and_then(|d| u64::try_from(d.as_millis()).ok())
		.unwrap_or(0)
}

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// The embedded twin (`citybond-oracle twin --port 0`) and its URL.
fn start_twin(dir: &Path) -> Result<(Process, String)> {
	let mut child = Command::new(binary())
		.args(["twin", "--port", "0", "--scenario", "on-target"])
		.stdout(Stdio::piped())
		.stderr(std::fs::File::create(dir.join("twin.log"))?)
		.spawn()
		.context("start the twin")?;
	let stdout = child.stdout.take().context("the twin's stdout")?;
	let mut line = String::new();
	BufReader::new(stdout).read_line(&mut line)?;
	let url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
	ensure!(url.starts_with("http://127.0.0.1:"), "the twin said {line:?}");
	Ok((Process(child), url))
}

/// An event line and the wall-clock time (ms) it was read.
type Timed = (u64, Json);

/// An operator: its account, its key file and the folder of its configs and databases.
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
		let out = Command::new(binary())
			.args(["keygen", "--out", &key_file.display().to_string()])
			.output()
			.context("citybond-oracle keygen")?;
		ensure!(out.status.success(), "keygen: {}", String::from_utf8_lossy(&out.stderr));
		let public: [u8; 32] = hex::decode(String::from_utf8(out.stdout)?.trim())?
			.try_into()
			.map_err(|_| anyhow::anyhow!("keygen printed no key"))?;
		Ok(Self { name, account, public, key_file, dir: dir.to_path_buf() })
	}

	fn listing(&self) -> ([u8; 32], [u8; 32]) {
		(account_id(&self.account), self.public)
	}

	/// Writes a config serving `feeds` into database `<label>.db`; returns its path.
	fn config(
		&self,
		args: &Args,
		label: &str,
		node: &str,
		twin: &str,
		feeds: &[u32],
	) -> Result<PathBuf> {
		let mut text = format!(
			"node = \"{node}\"\nkey_file = \"{key}\"\nsuri = \"//{name}//stash\"\n\
			 database = \"sqlite://{db}\"\npoll_interval_ms = {poll}\nsettle_ms = {settle}\n",
			key = self.key_file.display(),
			name = self.name,
			db = self.dir.join(format!("{label}.db")).display(),
			poll = args.poll_interval_ms,
			settle = args.settle_ms,
		);
		// The twin's pre-retrofit 50 kWh per simulated hour, a real second being an hour.
		let baseline = 50 * args.length / 1_000;
		for feed in feeds {
			text.push_str(&format!(
				r#"
[[feed]]
id = {feed}
broker = "{twin}"
entity = "urn:ngsi-ld:Building:rotterdam-town-hall"
attribute = "energyConsumed"
unit = "KWH"
max_gap_ms = 3000
formula = {{ kind = "reduction", consumption = "delta", baseline = "{baseline}" }}
"#
			));
		}
		let path = self.dir.join(format!("{label}.toml"));
		std::fs::write(&path, text)?;
		Ok(path)
	}

	/// Starts `citybond-oracle run`; its stdout lines are timestamped into `events` (and kept in
	/// `<label>.events`), its stderr goes to `<label>.log`.
	fn run(&self, config: &Path, label: &str, events: Arc<Mutex<Vec<Timed>>>) -> Result<Process> {
		let mut child = Command::new(binary())
			.args(["run", "--config", &config.display().to_string()])
			.stdout(Stdio::piped())
			.stderr(std::fs::File::create(self.dir.join(format!("{label}.log")))?)
			.spawn()
			.context("start citybond-oracle run")?;
		let stdout = child.stdout.take().context("the oracle's stdout")?;
		let copy = self.dir.join(format!("{label}.events"));
		std::thread::spawn(move || {
			let mut kept = String::new();
			for line in BufReader::new(stdout).lines().map_while(Result::ok) {
				let at = now_ms();
				kept.push_str(&line);
				kept.push('\n');
				let _ = std::fs::write(&copy, &kept);
				if let Ok(json) = serde_json::from_str(&line) {
					if let Ok(mut events) = events.lock() {
						events.push((at, json));
					}
				}
			}
		});
		Ok(Process(child))
	}

	fn log(&self, label: &str) -> String {
		std::fs::read_to_string(self.dir.join(format!("{label}.log"))).unwrap_or_default()
	}
}

fn rules(first_start: u64, length: u64, quorum: u32) -> FeedRules<'static> {
	FeedRules {
		attribute: "energySaved",
		first_start,
		length,
		quorum,
		max_report_age: MAX_REPORT_AGE,
		challenge_window: 120_000,
	}
}

/// `(feed, period)` of every `included` event, with its block hash and wall time.
fn included(events: &[Timed]) -> BTreeMap<(u32, u32), (String, u64)> {
	let mut out = BTreeMap::new();
	for (at, event) in events {
		if event["event"] != "included" {
			continue;
		}
		let (Some(feed), Some(period), Some(block)) =
			(event["feed"].as_u64(), event["period"].as_u64(), event["block_hash"].as_str())
		else {
			continue;
		};
		if let (Ok(feed), Ok(period)) = (u32::try_from(feed), u32::try_from(period)) {
			out.entry((feed, period)).or_insert((block.to_string(), *at));
		}
	}
	out
}

/// Block numbers and timestamps, read once each.
struct Blocks<'a> {
	client: &'a Client,
	timestamps: BTreeMap<u64, u64>,
}

impl Blocks<'_> {
	async fn timestamp(&mut self, number: u64) -> Result<u64> {
		if let Some(ts) = self.timestamps.get(&number) {
			return Ok(*ts);
		}
		let at = self.client.at_block(number).await?;
		let ts = at
			.storage()
			.fetch(subxt::dynamic::storage::<(), u64>("Timestamp", "Now"), ())
			.await
			.context("read Timestamp::Now")?
			.decode()?;
		self.timestamps.insert(number, ts);
		Ok(ts)
	}

	async fn number(&self, hash: &str) -> Result<u64> {
		let bytes: [u8; 32] = hex::decode(hash.trim_start_matches("0x"))?
			.try_into()
			.map_err(|_| anyhow::anyhow!("block hash {hash} is not 32 bytes"))?;
		Ok(self.client.at_block(subxt::utils::H256(bytes)).await?.block_number())
	}

	/// For a report included in block `hash` for a period ending at `end`: the block's number,
	/// its timestamp, and how many blocks after the last block before `end` it is.
	async fn inclusion(&mut self, hash: &str, end: u64) -> Result<(u64, u64, u64)> {
		let number = self.number(hash).await?;
		let ts = self.timestamp(number).await?;
		let mut before = number;
		while before > 0 && self.timestamp(before).await? >= end {
			before -= 1;
		}
		Ok((number, ts, number - before))
	}
}

/// One report's delays.
struct Delay {
	operator: &'static str,
	period: u32,
	block: u64,
	/// Period end to the inclusion block's timestamp (ms).
	to_block: i64,
	/// Blocks after the last block before the period's end.
	blocks: u64,
	/// Period end to the `included` event on stdout (ms; the report is in a best block).
	to_event: i64,
}

fn signed_ms(a: u64, b: u64) -> i64 {
	i64::try_from(a).unwrap_or(i64::MAX) - i64::try_from(b).unwrap_or(i64::MAX)
}

fn median(mut values: Vec<f64>) -> f64 {
	values.sort_by(f64::total_cmp);
	let n = values.len();
	match n {
		0 => f64::NAN,
		_ if n % 2 == 1 => values[n / 2],
		_ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
	}
}

fn max(values: &[f64]) -> f64 {
	values.iter().copied().fold(f64::NAN, f64::max)
}

/// Delays of every `included` report of `feeds` for periods `0..periods`; the missing ones.
async fn delays(
	blocks: &mut Blocks<'_>,
	runs: &[(&'static str, Arc<Mutex<Vec<Timed>>>)],
	feeds: &[(u32, u64)],
	length: u64,
	periods: u32,
) -> Result<(Vec<Delay>, Vec<String>)> {
	let mut out = Vec::new();
	let mut missing = Vec::new();
	for (operator, events) in runs {
		let events = events.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
		let included = included(&events);
		for &(feed, first_start) in feeds {
			for period in 0..periods {
				let end = first_start + length * (u64::from(period) + 1);
				let Some((hash, at)) = included.get(&(feed, period)) else {
					missing.push(format!("{operator} feed {feed} period {period}"));
					continue;
				};
				let (block, ts, count) = blocks.inclusion(hash, end).await?;
				out.push(Delay {
					operator,
					period,
					block,
					to_block: signed_ms(ts, end),
					blocks: count,
					to_event: signed_ms(*at, end),
				});
			}
		}
	}
	Ok((out, missing))
}

/// Waits until each run has an `included` event for periods `0..periods` of every feed, or
/// the deadline passes.
async fn wait_included(
	runs: &[(&'static str, Arc<Mutex<Vec<Timed>>>)],
	feeds: &[u32],
	periods: u32,
	deadline: u64,
) {
	loop {
		let done = runs.iter().all(|(_, events)| {
			events
				.lock()
				.map(|events| {
					let included = included(&events);
					feeds.iter().all(|&f| (0..periods).all(|p| included.contains_key(&(f, p))))
				})
				.unwrap_or(false)
		});
		if done || now_ms() > deadline {
			return;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// `VmRSS` and `VmHWM` (kB) of a process.
fn memory(pid: u32) -> Result<(u64, u64)> {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
	let field = |name: &str| -> Result<u64> {
		let line = status
			.lines()
			.find(|l| l.starts_with(name))
			.with_context(|| format!("no {name} in /proc/{pid}/status"))?;
		Ok(line.split_whitespace().nth(1).context("no value")?.parse()?)
	};
	Ok((field("VmRSS:")?, field("VmHWM:")?))
}

fn summary(delays: &[Delay]) -> (String, String) {
	let secs = |f: &dyn Fn(&Delay) -> i64| -> Vec<f64> {
		delays.iter().map(|d| f(d) as f64 / 1000.0).collect()
	};
	let to_block = secs(&|d| d.to_block);
	let to_event = secs(&|d| d.to_event);
	let blocks: Vec<f64> = delays.iter().map(|d| d.blocks as f64).collect();
	(
		format!(
			"{:.2} s, {} blocks | {:.2} s, {} blocks",
			median(to_block.clone()),
			median(blocks.clone()),
			max(&to_block),
			max(&blocks)
		),
		format!("{:.2} s | {:.2} s", median(to_event.clone()), max(&to_event)),
	)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
	let args = Args::parse();
	ensure!(
		binary().exists(),
		"{} not found: cargo build --release -p citybond-oracle",
		binary().display()
	);
	let dir = tempfile::tempdir()?;
	let dir = dir.path().to_path_buf();
	eprintln!("working in {}", dir.display());
	let node = Node::dev(&dir, 1).await?;
	let client = node.client().await?;
	let url = node.url();
	let (_twin, twin_url) = start_twin(&dir)?;
	let operators = [
		Operator::new(&dir, "Bob")?,
		Operator::new(&dir, "Charlie")?,
		Operator::new(&dir, "Dave")?,
	];

	// 1. Latency: three operators, one feed, quorum 3.
	let listing: Vec<_> = operators.iter().map(Operator::listing).collect();
	let start = now_ms() + 15_000;
	let feed = kpi::create_feed(&client, &rules(start, args.length, 3), &listing).await?;
	eprintln!("latency: feed {feed}, {} periods from {start}", args.periods);
	let mut runs = Vec::new();
	let mut processes = Vec::new();
	for op in &operators {
		let label = format!("{}-latency", op.name);
		let config = op.config(&args, &label, &url, &twin_url, &[feed])?;
		let events = Arc::new(Mutex::new(Vec::new()));
		processes.push(op.run(&config, &label, events.clone())?);
		runs.push((op.name, events));
	}
	let last_end = start + args.length * u64::from(args.periods);
	wait_included(&runs, &[feed], args.periods, last_end + 60_000).await;
	drop(processes);
	let mut blocks = Blocks { client: &client, timestamps: BTreeMap::new() };
	let (latency, latency_missing) =
		delays(&mut blocks, &runs, &[(feed, start)], args.length, args.periods).await?;
	if latency.is_empty() {
		bail!("no report was included; Bob's log:\n{}", operators[0].log("Bob-latency"));
	}

	// Report the latency now: the memory phase may be skipped (`--feeds 0`).
	println!("## On a dev node (3 s blocks), periods of {} s\n", args.length as f64 / 1000.0);
	println!(
		"Generated by `bench/oracle.sh` (`tests/src/bin/bench-oracle.rs`) on {} cores; periods of \
		 {} ms, `settle_ms = {}`, `poll_interval_ms = {}`, the embedded twin (`on-target`). \
		 Blocks: the inclusion block's number minus that of the last block stamped before the \
		 period's end (1 = the first block after the close).\n",
		std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
		args.length,
		args.settle_ms,
		args.poll_interval_ms
	);
	println!(
		"### Period close to inclusion: 3 operators (own processes), 1 feed, {} periods of {} s\n",
		args.periods,
		args.length as f64 / 1000.0
	);
	println!("Goal: the report on chain within 2 blocks (6 s) of the period's close.\n");
	let (block_line, event_line) = summary(&latency);
	println!("| delay from the period's end | median | max |");
	println!("|---|---:|---:|");
	println!("| to the inclusion block's timestamp | {block_line} |");
	println!("| to the `included` event (in a best block; wall clock) | {event_line} |");
	println!(
		"\n{} reports of {} expected{}.\n",
		latency.len(),
		operators.len() * usize::try_from(args.periods)?,
		if latency_missing.is_empty() {
			String::new()
		} else {
			format!("; missing: {}", latency_missing.join(", "))
		}
	);
	println!("| operator | period | block | to block timestamp (s) | blocks | to event (s) |");
	println!("|---|---:|---:|---:|---:|---:|");
	for d in &latency {
		println!(
			"| {} | {} | #{} | {:.2} | {} | {:.2} |",
			d.operator,
			d.period,
			d.block,
			d.to_block as f64 / 1000.0,
			d.blocks,
			d.to_event as f64 / 1000.0
		);
	}
	if args.feeds == 0 {
		return Ok(());
	}

	// 2. Memory: one process (Bob's stash account, its own key and database) serving many
	// feeds, quorum 1.
	let bob = &operators[0];
	// All feeds share their schedule, so every period closes for all of them at once; a
	// creation takes two to three blocks (finalized), so 12 s each leaves a margin.
	let memory_start = now_ms() + 15_000 + 12_000 * u64::from(args.feeds);
	let mut feeds = Vec::new();
	for _ in 0..args.feeds {
		let rules = rules(memory_start, args.length, 1);
		feeds.push((kpi::create_feed(&client, &rules, &[bob.listing()]).await?, memory_start));
	}
	eprintln!("memory: feeds {feeds:?}");
	let ids: Vec<u32> = feeds.iter().map(|&(feed, _)| feed).collect();
	let label = "Bob-memory";
	let config = bob.config(&args, label, &url, &twin_url, &ids)?;
	let events = Arc::new(Mutex::new(Vec::new()));
	let process = bob.run(&config, label, events.clone())?;
	let pid = process.0.id();
	let read_at =
		memory_start + args.length * u64::from(args.memory_periods) + args.settle_ms + 3_000;
	let mut peak_sampled = 0;
	let mut before_first_period = None;
	while now_ms() < read_at {
		tokio::time::sleep(Duration::from_secs(1)).await;
		let (rss, _) = memory(pid)?;
		peak_sampled = peak_sampled.max(rss);
		if before_first_period.is_none() && now_ms() >= memory_start {
			before_first_period = Some(rss);
		}
	}
	let (rss, hwm) = memory(pid)?;
	let done_at_read = included(&events.lock().map_err(|_| anyhow::anyhow!("poisoned"))?).len();
	let memory_runs = [(bob.name, events)];
	// Let it catch up a little for the delays below.
	wait_included(&memory_runs, &ids, args.memory_periods, now_ms() + 30_000).await;
	drop(process);
	let (memory_latency, memory_missing) =
		delays(&mut blocks, &memory_runs, &feeds, args.length, args.memory_periods).await?;

	println!(
		"\n### Memory: one oracle process serving {} feeds (same schedule, quorum 1)\n",
		args.feeds
	);
	println!("| figure | value |");
	println!("|---|---:|");
	if let Some(before) = before_first_period {
		println!(
			"| `VmRSS` when period 0 starts (feeds loaded) | {:.1} MiB |",
			before as f64 / 1024.0
		);
	}
	println!(
		"| `VmRSS` after {} periods ({} reports included by then) | **{:.1} MiB** |",
		args.memory_periods,
		done_at_read,
		rss as f64 / 1024.0
	);
	println!(
		"| highest `VmRSS` sampled (every second) | {:.1} MiB |",
		peak_sampled as f64 / 1024.0
	);
	println!("| `VmHWM` (peak resident) | {:.1} MiB |", hwm as f64 / 1024.0);
	let (block_line, event_line) = summary(&memory_latency);
	let expected = usize::try_from(args.feeds * args.memory_periods)?;
	println!(
		"\nThe same process's delays for periods 0 to {} of the {} feeds, 30 s after the \
		 reading: {} of {expected} reports included; median | max to the inclusion block \
		 {block_line}; to the `included` event {event_line}.{}",
		args.memory_periods.saturating_sub(1),
		args.feeds,
		memory_latency.len(),
		if memory_missing.is_empty() || memory_missing.len() > 6 {
			String::new()
		} else {
			format!(" Missing: {}.", memory_missing.join(", "))
		}
	);
	Ok(())
}
