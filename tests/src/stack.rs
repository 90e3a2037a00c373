//! The development stack behind `scripts/dev.sh` and `citybond-dev`: a persistent `--dev` node,
//! the cash token and a demo green bond of the City of Rotterdam whose coupons follow two KPI
//! feeds, the embedded digital twin, three oracle operator processes and the API, all children
//! of one process and stopped together.
//!
//! What was deployed is recorded in `state.json` in the data folder (contract addresses, feed
//! ids, the operators' key files, the chain's genesis hash), so a second run resumes the chain
//! and reuses it all instead of deploying again. A record of another chain (the chain folder
//! was removed) is set aside and everything is deployed afresh.

// Times and amounts are small sums of the demo's own figures.
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	account_id,
	bond::{
		BondTerms, Distribution, Frequency, KpiLink, KpiTarget, Limits, Payment, Phase, DENOM, EURO,
	},
	contract::{self, Bundle},
	find_events, kpi,
	node::{Node, NodeConfig},
	submit_batch, submit_ok, Call, Client,
};
use anyhow::{anyhow, bail, ensure, Context, Result};
use codec::{Decode, Encode};
use std::{
	fs::File,
	io::{BufRead, BufReader, Write},
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use subxt::{ext::scale_value::Value, utils::AccountId32};
use subxt_signer::sr25519::{dev, Keypair};

/// What to run and where.
#[derive(Debug, Clone)]
pub struct StackConfig {
	/// Folder for the chain, the databases, keys, configs, logs and `state.json`.
	pub data_dir: PathBuf,
	/// The node's RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// The API's HTTP port on 127.0.0.1.
	pub api_port: u16,
	/// The digital twin's HTTP port on 127.0.0.1.
	pub twin_port: u16,
	/// Length of a KPI feed period (ms, whole seconds: a twin second is a simulated hour).
	pub kpi_period_ms: u64,
	/// Length of a coupon period (ms; at least three KPI periods).
	pub coupon_period_ms: u64,
	/// Number of coupon periods of the demo bond (at least two).
	pub coupons: u32,
	/// The feeds' challenge window (ms); `None`: half a KPI period, so that each period is
	/// final before the next one ends.
	pub challenge_window_ms: Option<u64>,
	/// Whether to deploy the demo bond (off for tests that issue their own bonds on the
	/// stack's cash token and feeds).
	pub demo_bond: bool,
}

impl StackConfig {
	/// The defaults of `scripts/dev.sh`: RPC 9944, API 8080, twin 8081, one-minute KPI periods,
	/// eight five-minute coupon periods.
	pub fn new(data_dir: PathBuf) -> Self {
		Self {
			data_dir,
			rpc_port: 9944,
			api_port: 8080,
			twin_port: 8081,
			kpi_period_ms: 60_000,
			coupon_period_ms: 300_000,
			coupons: 8,
			challenge_window_ms: None,
			demo_bond: true,
		}
	}

	/// The feeds' challenge window (ms).
	pub fn challenge_window(&self) -> u64 {
		self.challenge_window_ms.unwrap_or(self.kpi_period_ms / 2)
	}

	fn check(&self) -> Result<()> {
		ensure!(
			self.kpi_period_ms >= 5_000 && self.kpi_period_ms.is_multiple_of(1_000),
			"the KPI period must be whole seconds, at least 5"
		);
		ensure!(
			self.coupon_period_ms >= 3 * self.kpi_period_ms,
			"a coupon period must be at least three KPI periods"
		);
		ensure!(self.coupons >= 2, "the demo bond needs at least two coupons");
		ensure!(self.challenge_window() > 0, "the challenge window must not be zero");
		Ok(())
	}
}

/// One oracle operator of the demo: the demo cast's `//{name}//stash` account, and the ed25519
/// report key `citybond-oracle keygen` wrote.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OperatorRecord {
	/// `Bob`, `Charlie` or `Dave`: the operator account is `//{name}//stash`.
	pub name: String,
	/// The key file (mode 0600).
	pub key_file: PathBuf,
	/// Its public key, hex.
	pub public: String,
}

/// What the stack deployed, kept in `state.json` between runs.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct State {
	/// Genesis hash (hex) of the chain the rest was deployed on.
	pub genesis: String,
	/// The operators and their report keys.
	pub operators: Vec<OperatorRecord>,
	/// The cash token (hex address).
	pub cash_token: Option<String>,
	/// The energy-savings feed (town hall of the retrofit portfolio).
	pub energy_feed: Option<u32>,
	/// The non-revenue-water feed (DMA Noord).
	pub water_feed: Option<u32>,
	/// When the feeds' period 0 starts (ms) and how long a period is.
	pub feed_first_start: Option<u64>,
	/// Feed period length (ms).
	pub feed_period_ms: Option<u64>,
	/// The demo green bond (hex address).
	pub green_bond: Option<String>,
	/// Whether its book was closed and it is issued.
	pub bond_live: bool,
	/// Its issue date and maturity (ms).
	pub issue_date: Option<u64>,
	/// Its maturity (ms).
	pub maturity_date: Option<u64>,
	/// Its coupon period (ms).
	pub coupon_period_ms: Option<u64>,
	/// Coupons of the demo bond Bob has funded (the last one with the principal).
	pub funded: Vec<u32>,
	/// Coupons the demo investors have claimed.
	pub claimed: Vec<u32>,
}

impl State {
	fn load(path: &Path) -> Result<Option<Self>> {
		match std::fs::read_to_string(path) {
			Ok(text) => Ok(Some(
				serde_json::from_str(&text).with_context(|| format!("read {}", path.display()))?,
			)),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(anyhow!(e).context(format!("read {}", path.display()))),
		}
	}

	fn save(&self, path: &Path) -> Result<()> {
		let tmp = path.with_extension("json.tmp");
		std::fs::write(&tmp, serde_json::to_string_pretty(self)?)?;
		std::fs::rename(&tmp, path).with_context(|| format!("write {}", path.display()))
	}
}

/// The ISIN of the demo bond (check digit valid).
pub const DEMO_ISIN: &[u8; 12] = b"NL00CBRTM261";
/// Units of 1,000.00 in the demo issue.
pub const DEMO_ISSUE_UNITS: u128 = 500;
/// Subscription window of the demo bond, from its deployment (ms).
const SUBSCRIPTION_MS: u64 = 60_000;
/// The demo bond's record dates: this long before each payment date (ms).
const RECORD_OFFSET_MS: u64 = 30_000;
/// From the end of subscriptions to the issue date: time to close the book (ms).
const CLOSE_MS: u64 = 60_000;
/// The twin's pre-retrofit consumption of the town hall, kWh per simulated hour (a second).
const TOWN_HALL_BASELINE_KWH_PER_HOUR: u64 = 50;
/// Energy-savings target: kWh saved per simulated hour (on target the twin saves 17.5, under-
/// performing 4).
const ENERGY_TARGET_KWH_PER_HOUR: i128 = 15;
/// Non-revenue water ceiling: m3 per simulated hour (on target 18, under-performing 36).
const WATER_TARGET_M3_PER_HOUR: i128 = 25;

/// A child process of the stack (twin, oracle, API), stopped with SIGTERM.
struct Service {
	name: String,
	child: Child,
	log: PathBuf,
}

/// The running stack. Dropping it stops every process.
pub struct Stack {
	/// Its settings.
	pub config: StackConfig,
	/// The node.
	pub node: Node,
	/// What is deployed.
	pub state: State,
	/// The twin's base URL.
	pub twin_url: String,
	/// The API's base URL.
	pub api_url: String,
	services: Vec<Service>,
}

fn now_ms() -> Result<u64> {
	Ok(u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?)
}

fn hex32(bytes: [u8; 32]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn parse32(text: &str) -> Result<[u8; 32]> {
	hex::decode(text.trim_start_matches("0x"))?
		.try_into()
		.map_err(|_| anyhow!("{text} is not 32 bytes"))
}

/// The SS58 form (prefix 42) of an account.
pub fn ss58(account: [u8; 32]) -> String {
	AccountId32(account).to_string()
}

/// The binary `name` next to the node: `$CARGO_TARGET_DIR/release/<name>`, or `$CITYBOND_<NAME>`
/// (`CITYBOND_ORACLE`, `CITYBOND_API`).
pub fn binary(name: &str, env: &str) -> PathBuf {
	std::env::var_os(env)
		.map(PathBuf::from)
		.unwrap_or_else(|| crate::target_dir().join("release").join(name))
}

fn oracle_binary() -> PathBuf {
	binary("citybond-oracle", "CITYBOND_ORACLE")
}

fn api_binary() -> PathBuf {
	binary("citybond-api", "CITYBOND_API")
}

fn bundle_path(name: &str) -> PathBuf {
	std::env::var_os("CITYBOND_CONTRACTS")
		.map(PathBuf::from)
		.unwrap_or_else(|| crate::target_dir().join("ink"))
		.join(name)
		.join(format!("{name}.contract"))
}

fn append(path: &Path) -> Result<File> {
	File::options()
		.create(true)
		.append(true)
		.open(path)
		.with_context(|| format!("open {}", path.display()))
}

fn ensure_port_free(port: u16, what: &str) -> Result<()> {
	if TcpListener::bind(("127.0.0.1", port)).is_err() {
		bail!(
			"{what} port {port} on 127.0.0.1 is in use: stop what uses it or choose another port"
		);
	}
	Ok(())
}

/// Pids of the stack's children, kept so that a run after a crash of the launcher (SIGKILL,
/// which leaves its children running) stops the leftovers first.
fn pid_file(data_dir: &Path) -> PathBuf {
	data_dir.join("pids.json")
}

/// The environment variable that marks the stack's children with their data folder.
const MARKER: &str = "CITYBOND_DEV_DATA_DIR";

/// Whether process `pid` is one a stack on `data_dir` started: a service carrying the marker in
/// its environment, or the node whose base path is in `data_dir`.
fn ours(pid: u32, data_dir: &Path) -> bool {
	let dir = data_dir.to_string_lossy();
	let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
	let marker = format!("{MARKER}={dir}");
	if environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()) {
		return true;
	}
	let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
	let args: Vec<String> =
		cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
	let chain = format!("{dir}/chain");
	args.first().is_some_and(|bin| bin.ends_with("citybond-node"))
		&& args.windows(2).any(|w| w[0] == "--base-path" && w[1] == chain)
}

/// Stops what a previous run left running (the launcher was killed with SIGKILL, so it could
/// not stop its children): the processes recorded in the pid file that are still ours, and a
/// node still running on the data folder's chain.
fn stop_leftovers(data_dir: &Path, progress: &dyn Fn(&str)) -> Result<()> {
	let mut pids: Vec<u32> = std::fs::read_to_string(pid_file(data_dir))
		.ok()
		.and_then(|text| serde_json::from_str(&text).ok())
		.unwrap_or_default();
	for entry in std::fs::read_dir("/proc")?.flatten() {
		if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) {
			let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
			if cmdline.starts_with(b"/")
				&& String::from_utf8_lossy(&cmdline).contains("citybond-node")
			{
				pids.push(pid);
			}
		}
	}
	pids.sort_unstable();
	pids.dedup();
	for pid in pids {
		if pid != std::process::id() && alive(pid) && ours(pid, data_dir) {
			progress(&format!("stopping process {pid} left over from an earlier run"));
			terminate(pid, Duration::from_secs(20));
		}
	}
	std::fs::remove_file(pid_file(data_dir)).ok();
	Ok(())
}

fn alive(pid: u32) -> bool {
	// A zombie (exited, not yet reaped by its parent) no longer runs.
	std::fs::read_to_string(format!("/proc/{pid}/stat"))
		.map(|stat| !stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z'))
		.unwrap_or(false)
}

/// SIGTERM to a process that is not our child, then SIGKILL after `grace`.
fn terminate(pid: u32, grace: Duration) {
	let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
	let started = Instant::now();
	while alive(pid) && started.elapsed() < grace {
		std::thread::sleep(Duration::from_millis(100));
	}
	if alive(pid) {
		let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
	}
}

impl Service {
	fn spawn(name: &str, command: &mut Command, log: PathBuf) -> Result<Self> {
		let out = append(&log)?;
		let child = command
			.stdin(Stdio::null())
			.stdout(out.try_clone()?)
			.stderr(out)
			.spawn()
			.with_context(|| format!("start {name}"))?;
		Ok(Self { name: name.to_string(), child, log })
	}

	/// SIGTERM, then SIGKILL if it has not exited within `grace`.
	fn stop(&mut self, grace: Duration) {
		if let Ok(Some(_)) = self.child.try_wait() {
			return;
		}
		let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
		let started = Instant::now();
		while started.elapsed() < grace {
			if let Ok(Some(_)) = self.child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// Runs `citybond-oracle keygen` into `path`; returns the public key (hex).
fn keygen(path: &Path) -> Result<String> {
	let bin = oracle_binary();
	ensure!(bin.exists(), "{} not found: cargo build --release -p citybond-oracle", bin.display());
	let out = Command::new(&bin)
		.args(["keygen", "--out"])
		.arg(path)
		.output()
		.with_context(|| format!("run {} keygen", bin.display()))?;
	ensure!(out.status.success(), "keygen: {}", String::from_utf8_lossy(&out.stderr));
	let public = String::from_utf8(out.stdout)?.trim().to_string();
	ensure!(parse32(&public).is_ok(), "keygen printed {public:?}");
	Ok(public)
}

fn operator_account(name: &str) -> Result<Keypair> {
	Ok(Keypair::from_uri(&format!("//{name}//stash").parse::<subxt_signer::SecretUri>()?)?)
}

/// A feed's description on chain.
struct FeedSpec<'a> {
	description: &'a str,
	entity: &'a str,
	attribute: &'a str,
	unit: &'a str,
}

/// Bob, the City of Rotterdam, creates a feed (3 decimals, outliers beyond 5%) with a quorum of
/// two: of the three operators, any two decide a period, so one can be down. It names no
/// operators: governance appoints them ([`appoint_operators`]).
async fn create_feed(
	client: &Client,
	spec: &FeedSpec<'_>,
	(first_start, length, challenge_window): (u64, u64, u64),
) -> Result<u32> {
	let spec = Value::named_composite([
		(
			"metadata",
			Value::named_composite([
				("description", Value::from_bytes(spec.description)),
				("entity_id", Value::from_bytes(spec.entity)),
				("attribute", Value::from_bytes(spec.attribute)),
				("unit", Value::from_bytes(spec.unit)),
				("decimals", Value::u128(3)),
			]),
		),
		(
			"params",
			Value::named_composite([
				(
					"schedule",
					Value::named_composite([
						("first_start", Value::u128(first_start.into())),
						("length", Value::u128(length.into())),
					]),
				),
				("quorum", Value::u128(2)),
				// Reports are accepted for a period's length after its end.
				("max_report_age", Value::u128(length.into())),
				("min_value", Value::i128(0)),
				("max_value", Value::i128(10_000_000_000)),
				("outlier_tolerance", Value::u128(50_000)),
				("challenge_window", Value::u128(challenge_window.into())),
			]),
		),
		("operators", Value::unnamed_composite([])),
	]);
	let events = submit_ok(client, &dev::bob(), "KpiOracle", "create_feed", vec![spec]).await?;
	let created = find_events(&events, "KpiOracle", "FeedCreated")?;
	let [created] = created.as_slice() else { bail!("expected one FeedCreated event") };
	Ok(u32::decode(&mut &created.fields[..])?)
}

/// Governance (Alice, the sudo key of the dev chain; a council motion elsewhere) appoints the
/// demo's operators to `feeds` from period 0 on, in one block, and checks each feed has them.
async fn appoint_operators(
	client: &Client,
	feeds: &[u32],
	operators: &[([u8; 32], [u8; 32])],
) -> Result<()> {
	let calls = feeds
		.iter()
		.flat_map(|feed| {
			operators.iter().map(|(account, key)| {
				let call = kpi::add_operator_call(*feed, *account, *key, 0);
				("Sudo", "sudo", vec![call])
			})
		})
		.collect();
	submit_batch(client, &dev::alice(), calls).await?;
	for feed in feeds {
		let appointed = feed_operators(client, *feed).await?;
		ensure!(
			usize::try_from(appointed)? == operators.len(),
			"feed {feed} has {appointed} operators after governance appointed {}; did period 0 \
			 start first?",
			operators.len()
		);
	}
	Ok(())
}

/// How many operators feed `feed` has had (`FeedInfo::operators`, its last field).
async fn feed_operators(client: &Client, feed: u32) -> Result<u32> {
	let at = client.at_current_block().await?;
	let bytes = at.runtime_apis().call_raw("KpiOracleApi_feed", Some(&feed.encode())).await?;
	let last = bytes.len().checked_sub(4).context("KpiOracleApi_feed: no feed")?;
	Ok(u32::decode(&mut &bytes[last..])?)
}

/// Whether the chain knows feed `feed` (`KpiOracleApi_feed` answers `Some`).
async fn feed_exists(client: &Client, feed: u32) -> Result<bool> {
	let at = client.at_current_block().await?;
	let bytes = at.runtime_apis().call_raw("KpiOracleApi_feed", Some(&feed.encode())).await?;
	Ok(bytes.first() == Some(&1))
}

/// Calls of `message(args)` on `contract` as `signer`, dry-run for their gas, for
/// [`submit_batch`].
async fn contract_calls(
	client: &Client,
	signer: &Keypair,
	bundle: &Bundle,
	contract_id: [u8; 32],
	calls: Vec<(&str, Vec<u8>)>,
) -> Result<Vec<Call>> {
	let mut out = Vec::new();
	for (message, args) in calls {
		let mut data = bundle.message(message, ())?;
		data.extend(args);
		let dry = contract::dry_run(client, account_id(signer), contract_id, data.clone()).await?;
		ensure!(!dry.reverted, "{message} would revert: 0x{}", hex::encode(&dry.data));
		out.push((
			"Contracts",
			"call",
			contract::call_args(contract_id, dry.gas_required, dry.deposit, &data),
		));
	}
	Ok(out)
}

async fn call_ok(
	client: &Client,
	signer: &Keypair,
	bundle: &Bundle,
	contract_id: [u8; 32],
	message: &str,
	args: impl Encode,
) -> Result<()> {
	crate::bond::call_ok(client, signer, bundle, contract_id, message, args).await
}

/// The demo investors: (who, units subscribed, cash minted in cents).
fn demo_investors() -> [(Keypair, u128, u128); 3] {
	[
		// Charlie, retail: within the retail cap of 25 units.
		(dev::charlie(), 20, 30_000 * EURO),
		(dev::dave(), 180, 250_000 * EURO),
		(dev::eve(), 300, 400_000 * EURO),
	]
}

impl Stack {
	/// Starts (or resumes) the whole stack; `progress` gets a line per step.
	pub async fn up(config: StackConfig, progress: &dyn Fn(&str)) -> Result<Self> {
		config.check()?;
		let dir = config.data_dir.clone();
		std::fs::create_dir_all(dir.join("oracles"))
			.with_context(|| format!("create data folder {}", dir.display()))?;
		let dir = dir.canonicalize()?;
		let config = StackConfig { data_dir: dir.clone(), ..config };
		stop_leftovers(&dir, progress)?;
		for (port, what) in [(config.api_port, "API"), (config.twin_port, "twin")] {
			ensure_port_free(port, what)?;
		}
		for (name, bin) in [("citybond-oracle", oracle_binary()), ("citybond-api", api_binary())] {
			ensure!(
				bin.exists(),
				"{} not found: build it with `cargo build --release -p {name}`",
				bin.display()
			);
		}
		let green = Bundle::from_file(&bundle_path("green_bond"))?;
		let cash = Bundle::from_file(&bundle_path("cash_token"))?;

		progress(&format!("starting the dev node (log {})", dir.join("node.log").display()));
		let node = Node::start(NodeConfig {
			name: "node",
			args: vec![
				"--dev".into(),
				"--base-path".into(),
				dir.join("chain").display().to_string(),
				// The API's indexer reads contract storage at old blocks when it (re)builds its
				// database from genesis.
				"--state-pruning".into(),
				"archive-canonical".into(),
			],
			log_dir: &dir,
			rpc_port: Some(config.rpc_port),
			p2p_port: None,
		})
		.await?;
		node.wait_for_finalized(1, Duration::from_secs(120)).await?;
		let client = node.client().await?;
		let genesis = hex32(client.genesis_hash().0);

		let state_path = dir.join("state.json");
		let state = match State::load(&state_path)? {
			Some(s) if s.genesis == genesis => {
				progress("resuming: found state.json of this chain");
				s
			}
			Some(_) => {
				progress("state.json belongs to another chain: setting it and the databases aside");
				for name in ["state.json", "api.db"] {
					std::fs::rename(dir.join(name), dir.join(format!("{name}.old"))).ok();
				}
				std::fs::remove_dir_all(dir.join("oracles")).ok();
				std::fs::create_dir_all(dir.join("oracles"))?;
				State { genesis: genesis.clone(), ..State::default() }
			}
			None => State { genesis: genesis.clone(), ..State::default() },
		};
		state.save(&state_path)?;

		let mut stack = Stack {
			api_url: format!("http://127.0.0.1:{}", config.api_port),
			twin_url: String::new(),
			config,
			node,
			state,
			services: Vec::new(),
		};
		// From here on, a failure drops `stack`, which stops what was started.
		stack.start_api(progress)?;
		stack.start_twin(progress)?;
		stack.deploy(&client, &cash, &green, progress).await?;
		stack.start_oracles(progress)?;
		stack.make_bond_live(&client, &cash, &green, progress).await?;
		stack.wait_for_api(progress).await?;
		Ok(stack)
	}

	fn dir(&self) -> &Path {
		&self.config.data_dir
	}

	fn save(&self) -> Result<()> {
		self.state.save(&self.dir().join("state.json"))
	}

	fn record_pids(&self) -> Result<()> {
		let pids: Vec<u32> = self.services.iter().map(|s| s.child.id()).collect();
		std::fs::write(pid_file(self.dir()), serde_json::to_string(&pids)?)?;
		Ok(())
	}

	fn start_api(&mut self, progress: &dyn Fn(&str)) -> Result<()> {
		let log = self.dir().join("api.log");
		progress(&format!(
			"starting the API on port {} (log {})",
			self.config.api_port,
			log.display()
		));
		let db = format!("sqlite://{}?mode=rwc", self.dir().join("api.db").display());
		let mut command = Command::new(api_binary());
		command
			.arg("--database-url")
			.arg(&db)
			.arg("--node-url")
			.arg(self.node.url())
			.arg("--listen")
			.arg(format!("127.0.0.1:{}", self.config.api_port))
			.arg("--green-bond-bundle")
			.arg(bundle_path("green_bond"))
			.arg("--cash-token-bundle")
			.arg(bundle_path("cash_token"))
			.env(MARKER, self.dir())
			.env("RUST_LOG", "info");
		let service = Service::spawn("api", &mut command, log)?;
		self.services.push(service);
		self.record_pids()
	}

	fn start_twin(&mut self, progress: &dyn Fn(&str)) -> Result<()> {
		let log = self.dir().join("twin.log");
		progress(&format!(
			"starting the digital twin on port {} (log {})",
			self.config.twin_port,
			log.display()
		));
		let mut child = Command::new(oracle_binary())
			.args(["twin", "--port", &self.config.twin_port.to_string()])
			.env(MARKER, self.dir())
			.stdin(Stdio::null())
			.stdout(Stdio::piped())
			.stderr(append(&log)?)
			.spawn()
			.context("start the twin")?;
		let stdout = child.stdout.take().context("the twin's stdout")?;
		let mut lines = BufReader::new(stdout).lines();
		let first = lines.next().transpose()?.unwrap_or_default();
		// The rest of what it prints goes to its log.
		let mut out = append(&log)?;
		writeln!(out, "{first}")?;
		std::thread::spawn(move || {
			for line in lines.map_while(std::result::Result::ok) {
				let _ = writeln!(out, "{line}");
			}
		});
		self.services.push(Service { name: "twin".into(), child, log });
		self.record_pids()?;
		let url = first.trim().rsplit(' ').next().unwrap_or_default().to_string();
		ensure!(url.starts_with("http://"), "the twin said {first:?}");
		self.twin_url = url;
		Ok(())
	}

	/// The operators' keys, the cash token and the two feeds: each reused if recorded and
	/// present on chain, made otherwise.
	async fn deploy(
		&mut self,
		client: &Client,
		cash: &Bundle,
		green: &Bundle,
		progress: &dyn Fn(&str),
	) -> Result<()> {
		let feeds_known = match (self.state.energy_feed, self.state.water_feed) {
			(Some(e), Some(w)) => feed_exists(client, e).await? && feed_exists(client, w).await?,
			_ => false,
		};
		let keys_ok = self.state.operators.len() == 3
			&& self.state.operators.iter().all(|op| op.key_file.exists());
		if !feeds_known || !keys_ok {
			self.state.operators.clear();
			for name in ["Bob", "Charlie", "Dave"] {
				let key_file = self.dir().join("oracles").join(format!("{name}.key"));
				std::fs::remove_file(&key_file).ok();
				let public = keygen(&key_file)?;
				progress(&format!("operator //{name}//stash: new report key {public}"));
				self.state.operators.push(OperatorRecord { name: name.into(), key_file, public });
			}
			self.save()?;
		}

		let cash_known = match &self.state.cash_token {
			Some(addr) => {
				let symbol = cash.message("token_symbol", ())?;
				contract::query::<Option<String>>(
					client,
					account_id(&dev::alice()),
					parse32(addr)?,
					symbol,
				)
				.await
				.is_ok()
			}
			None => false,
		};
		if cash_known {
			progress("reusing the cash token deployed earlier");
		}
		if feeds_known {
			progress("reusing the KPI feeds created earlier");
		}
		let bond_live = self.state.bond_live && self.bond_phase(client, green).await?.is_some();

		let deploy_contracts = async {
			if cash_known && bond_live {
				return Ok::<_, anyhow::Error>(None);
			}
			progress("uploading the cash token's and the green bond's code as Alice");
			let uploads = [cash, green]
				.into_iter()
				.map(|bundle| {
					let args = vec![
						Value::from_bytes(&bundle.code),
						Value::unnamed_variant("None", []),
						Value::unnamed_variant("Enforced", []),
					];
					("Contracts", "upload_code", args)
				})
				.collect();
			// Code already on chain (an earlier run) makes its upload fail: harmless.
			submit_batch(client, &dev::alice(), uploads).await?;
			if cash_known {
				return Ok(None);
			}
			progress("deploying the cash token (EURC, settlement agent Ferdie)");
			let ctor = cash.constructor(
				"new",
				(
					Some("Tokenized Euro".to_string()),
					Some("EURC".to_string()),
					2u8,
					account_id(&dev::ferdie()),
				),
			)?;
			let salt = now_ms()?.to_le_bytes().to_vec();
			let (addr, _) =
				contract::instantiate(client, &dev::alice(), cash.code_hash, ctor, salt).await?;
			Ok(Some(addr))
		};
		let create_feeds = async {
			if feeds_known {
				return Ok::<_, anyhow::Error>(None);
			}
			let length = self.config.kpi_period_ms;
			let window = self.config.challenge_window();
			// Far enough ahead that both creations and governance's appointment of the
			// operators (after Alice's deployment) land before it, on a 10 s boundary.
			let first_start = (now_ms()? + 50_000).div_ceil(10_000) * 10_000;
			let listing = self
				.state
				.operators
				.iter()
				.map(|op| Ok((account_id(&operator_account(&op.name)?), parse32(&op.public)?)))
				.collect::<Result<Vec<_>>>()?;
			progress("creating the energy-savings KPI feed as Bob (City of Rotterdam)");
			let energy = create_feed(
				client,
				&FeedSpec {
					description: "Rotterdam green retrofit portfolio: energy saved against the \
					              pre-retrofit baseline (town hall)",
					entity: "urn:ngsi-ld:Building:rotterdam-town-hall",
					attribute: "energySaved",
					unit: "KWH",
				},
				(first_start, length, window),
			)
			.await?;
			progress("creating the non-revenue-water KPI feed as Bob");
			let water = create_feed(
				client,
				&FeedSpec {
					description: "Rotterdam water network, DMA Noord: non-revenue water (inflow \
					              minus billed volume)",
					entity: "urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord",
					attribute: "nonRevenueWater",
					unit: "MTQ",
				},
				(first_start, length, window),
			)
			.await?;
			Ok(Some((energy, water, first_start, length, listing)))
		};
		let (deployed, created) = tokio::try_join!(deploy_contracts, create_feeds)?;
		// After Alice's deployment: her transactions take consecutive nonces.
		if let Some((energy, water, _, _, listing)) = &created {
			progress("governance (Alice, sudo) appoints the three operators to both feeds");
			appoint_operators(client, &[*energy, *water], listing).await?;
		}
		if let Some(addr) = deployed {
			self.state.cash_token = Some(hex32(addr));
			self.state.green_bond = None;
			self.state.bond_live = false;
		}
		if let Some((energy, water, first_start, length, _)) = created {
			self.state.energy_feed = Some(energy);
			self.state.water_feed = Some(water);
			self.state.feed_first_start = Some(first_start);
			self.state.feed_period_ms = Some(length);
			// New feeds: a bond linked to the old ones is not the demo any more.
			self.state.green_bond = None;
			self.state.bond_live = false;
		}
		if !bond_live {
			self.state.bond_live = false;
		}
		self.save()
	}

	async fn bond_phase(&self, client: &Client, green: &Bundle) -> Result<Option<Phase>> {
		let Some(addr) = &self.state.green_bond else { return Ok(None) };
		let data = green.message("phase", ())?;
		Ok(contract::query::<Option<Phase>>(
			client,
			account_id(&dev::alice()),
			parse32(addr)?,
			data,
		)
		.await
		.ok()
		.flatten())
	}

	fn write_oracle_config(&self, op: &OperatorRecord) -> Result<PathBuf> {
		let (Some(energy), Some(water), Some(length)) =
			(self.state.energy_feed, self.state.water_feed, self.state.feed_period_ms)
		else {
			bail!("no feeds to serve");
		};
		let hours = length / 1_000;
		let path = self.dir().join("oracles").join(format!("{}.toml", op.name));
		let text = format!(
			r#"# Written by citybond-dev on every start.
node = "{node}"
key_file = "{key}"
suri = "//{name}//stash"
database = "sqlite://{db}"
poll_interval_ms = 2000
settle_ms = 1500

[[feed]]                           # energy saved by the town hall's retrofit
id = {energy}
broker = "{twin}"
entity = "urn:ngsi-ld:Building:rotterdam-town-hall"
attribute = "energyConsumed"
unit = "KWH"
max_gap_ms = 3000
# {hours} simulated hours at the pre-retrofit {base} kWh/h.
formula = {{ kind = "reduction", consumption = "delta", baseline = "{baseline}" }}

[[feed]]                           # non-revenue water of DMA Noord: inflow minus billed
id = {water}
broker = "{twin}"
entity = "urn:ngsi-ld:WaterNetwork:rotterdam-dma-noord"
attribute = "billedVolume"
unit = "MTQ"
max_gap_ms = 3000
formula = {{ kind = "reduction", baseline_attribute = "inflowVolume" }}
"#,
			node = self.node.url(),
			key = op.key_file.display(),
			name = op.name,
			db = self.dir().join("oracles").join(format!("{}.db", op.name)).display(),
			twin = self.twin_url,
			base = TOWN_HALL_BASELINE_KWH_PER_HOUR,
			baseline = TOWN_HALL_BASELINE_KWH_PER_HOUR * hours,
		);
		std::fs::write(&path, text)?;
		Ok(path)
	}

	fn start_oracles(&mut self, progress: &dyn Fn(&str)) -> Result<()> {
		for op in self.state.operators.clone() {
			let config = self.write_oracle_config(&op)?;
			let log = self.dir().join("oracles").join(format!("{}.log", op.name));
			let events = self.dir().join("oracles").join(format!("{}.events", op.name));
			progress(&format!(
				"starting oracle operator //{}//stash (config {}, log {})",
				op.name,
				config.display(),
				log.display()
			));
			let child = Command::new(oracle_binary())
				.arg("run")
				.arg("--config")
				.arg(&config)
				.env(MARKER, self.dir())
				.env("RUST_LOG", "info")
				.stdin(Stdio::null())
				.stdout(append(&events)?)
				.stderr(append(&log)?)
				.spawn()
				.context("start an oracle")?;
			self.services.push(Service { name: format!("oracle-{}", op.name), child, log });
		}
		self.record_pids()
	}

	/// Deploys the demo bond, mints cash to the investors, lets them subscribe and closes the
	/// book: unless it is recorded live and on chain.
	async fn make_bond_live(
		&mut self,
		client: &Client,
		cash: &Bundle,
		green: &Bundle,
		progress: &dyn Fn(&str),
	) -> Result<()> {
		if !self.config.demo_bond {
			return Ok(());
		}
		if self.state.bond_live {
			progress("reusing the demo green bond deployed earlier");
			return Ok(());
		}
		let (Some(cash_addr), Some(energy), Some(water), Some(first_start), Some(length)) = (
			self.state.cash_token.as_deref(),
			self.state.energy_feed,
			self.state.water_feed,
			self.state.feed_first_start,
			self.state.feed_period_ms,
		) else {
			bail!("the cash token and feeds are not deployed");
		};
		let cash_id = parse32(cash_addr)?;
		let (alice, bob, ferdie) = (dev::alice(), dev::bob(), dev::ferdie());
		let investors = demo_investors();

		// The timeline: subscriptions for a minute from now, a minute to close the book, then
		// the coupon periods.
		let start = now_ms()?;
		let sub_end = start + SUBSCRIPTION_MS;
		let issue = sub_end + CLOSE_MS;
		let period = self.config.coupon_period_ms;
		let coupons = self.config.coupons;
		let maturity = issue + u64::from(coupons) * period;
		let record_offset = RECORD_OFFSET_MS;
		// Each coupon's rate follows the previous period's KPIs: for coupon period k, the last
		// feed period that is final (reported within a period, then the challenge window) by
		// the period's end.
		let decided_after = length + length + self.config.challenge_window();
		let targets = |per_hour: i128| -> Vec<KpiTarget> {
			(0..coupons - 1)
				.map(|k| {
					let observed = issue + u64::from(k + 1) * period;
					let feed_period = observed.saturating_sub(first_start + decided_after) / length;
					KpiTarget {
						observation_period: k,
						feed_period: u32::try_from(feed_period).unwrap_or(u32::MAX),
						target: per_hour * 1_000 * i128::from(length / 1_000),
						observation_date: observed,
					}
				})
				.collect()
		};
		let terms = BondTerms {
			isin: *DEMO_ISIN,
			cfi: *b"DNFTFR",
			issuer: account_id(&bob),
			currency: cash_id,
			denomination: DENOM,
			issue_size: DEMO_ISSUE_UNITS * DENOM,
			minimum_raise: DEMO_ISSUE_UNITS / 2 * DENOM,
			minimum_subscription: DENOM,
			subscription_start: start - 60_000,
			subscription_end: sub_end,
			issue_date: issue,
			maturity_date: maturity,
			coupon_frequency: Frequency::EveryMillis { period_ms: period, periods_per_year: 2 },
			day_count_fraction: 0,
			business_day_convention: 0,
			record_date_offset_ms: record_offset,
			coupon_rate_bps: 350,
			coupon_floor_bps: 350,
			coupon_cap_bps: 450,
			kpis: vec![
				// Energy saved at or above the target, else +25 bp.
				KpiLink {
					feed: energy,
					direction: 0,
					step_bps: 25,
					targets: targets(ENERGY_TARGET_KWH_PER_HOUR),
				},
				// Non-revenue water at or below the ceiling, else +25 bp.
				KpiLink {
					feed: water,
					direction: 1,
					step_bps: 25,
					targets: targets(WATER_TARGET_M3_PER_HOUR),
				},
			],
			// Energy efficiency, sustainable water management, green buildings.
			use_of_proceeds: vec![1, 6, 9],
			documents: (
				blake2_256(b"City of Rotterdam Green Finance Framework (demo)"),
				Some(blake2_256(b"Second-party opinion on the framework (demo)")),
			),
			call_schedule: Vec::new(),
			grace_period_ms: 120_000,
			claim_period_ms: 30 * 60_000,
			// Retail investors: at most 25 units each.
			investor_caps: vec![(0, 25 * DENOM)],
			resident_priority: None,
		};
		let limits = Limits { max_subscribers: 50, max_holders: 200 };
		progress(&format!(
			"Bob issues the demo green bond {}: subscriptions until {}, then {coupons} \
			 coupon periods of {} s",
			String::from_utf8_lossy(DEMO_ISIN),
			rfc3339(sub_end),
			period / 1_000
		));
		let ctor = green.constructor("new", (terms, vec![account_id(&alice)], limits))?;
		let mint = async {
			progress("Ferdie (settlement agent) mints demo cash to Charlie, Dave and Eve");
			let mints = investors
				.iter()
				.map(|(who, _, amount)| ("mint", (account_id(who), *amount).encode()))
				.collect();
			let calls = contract_calls(client, &ferdie, cash, cash_id, mints).await?;
			submit_batch(client, &ferdie, calls).await
		};
		let salt = now_ms()?.to_le_bytes().to_vec();
		let instantiate = async {
			progress(
				"governance (sudo, Alice) approves the green bond's code; Bob issues the bond",
			);
			contract::approve_code_by_sudo(client, &alice, green.code_hash, "green_bond").await?;
			contract::issue(client, &bob, green.code_hash, ctor, salt).await
		};
		let ((bond_id, _), ()) = tokio::try_join!(instantiate, mint)?;
		self.state.green_bond = Some(hex32(bond_id));
		self.state.issue_date = Some(issue);
		self.state.maturity_date = Some(maturity);
		self.state.coupon_period_ms = Some(period);
		self.state.funded.clear();
		self.state.claimed.clear();
		self.save()?;

		progress("Charlie, Dave and Eve approve the bond and subscribe (500 units of 1,000.00)");
		let subscriptions = investors.iter().map(|(who, units, _)| async move {
			let amount = units * DENOM;
			call_ok(client, who, cash, cash_id, "approve", (bond_id, amount)).await?;
			call_ok(client, who, green, bond_id, "subscribe", (amount,)).await
		});
		futures::future::try_join_all(subscriptions).await?;

		progress(&format!("waiting for the subscription window to end ({})", rfc3339(sub_end)));
		crate::bond::chain_past(client, sub_end).await?;
		progress("closing the book: the bond is issued, the proceeds go to Bob");
		call_ok(client, &alice, green, bond_id, "close_book", ()).await?;
		let phase = self.bond_phase(client, green).await?;
		ensure!(phase == Some(Phase::Active), "the demo bond is {phase:?} after closing");
		self.state.bond_live = true;
		self.save()
	}

	/// Waits until the API serves the demo bond as issued (its indexer has caught up with the
	/// closing of the book).
	async fn wait_for_api(&self, progress: &dyn Fn(&str)) -> Result<()> {
		let Some(bond) = &self.state.green_bond else { return Ok(()) };
		progress("waiting for the API to index the bond");
		let http = reqwest::Client::new();
		let url = format!("{}/v1/bonds/{bond}", self.api_url);
		let started = Instant::now();
		let mut seen: String;
		loop {
			match http.get(&url).send().await {
				Ok(res) => {
					let code = res.status();
					let body: serde_json::Value = res.json().await.unwrap_or_default();
					if body["status"].as_str().is_some_and(|s| s != "Subscription") {
						return Ok(());
					}
					let indexed = http.get(format!("{}/v1/status", self.api_url)).send().await;
					let indexed = match indexed {
						Ok(r) => r.text().await.unwrap_or_default(),
						Err(e) => e.to_string(),
					};
					seen = format!("{code}, bond status {}, indexer {indexed}", body["status"]);
				}
				Err(e) => seen = e.to_string(),
			}
			if started.elapsed() > Duration::from_secs(180) {
				bail!(
					"the API did not serve {url} as issued within 3 minutes (last: {seen}); see {}",
					self.log("api")
				);
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
	}

	/// Does what is due for the demo bond, as its cast would, so that the demo lives its life
	/// instead of defaulting: after each record date Bob (the city) fixes the coupon's rate,
	/// has Ferdie mint the coupon from the city's budget and funds it (the last one with the
	/// principal, paid back from the proceeds); after each payment date Charlie, Dave and Eve
	/// claim. `citybond-dev` calls it every few seconds; what is done is kept in `state.json`,
	/// so a resumed stack does not do it twice. A step that fails is reported and tried again
	/// at the next call.
	pub async fn tend_demo_bond(&mut self, progress: &dyn Fn(&str)) -> Result<()> {
		let (Some(bond), Some(cash), Some(issue), Some(maturity), Some(period)) = (
			self.state.green_bond.clone(),
			self.state.cash_token.clone(),
			self.state.issue_date,
			self.state.maturity_date,
			self.state.coupon_period_ms,
		) else {
			return Ok(());
		};
		if !self.state.bond_live || period == 0 {
			return Ok(());
		}
		let (bond_id, cash_id) = (parse32(&bond)?, parse32(&cash)?);
		let coupons = u32::try_from(maturity.saturating_sub(issue) / period)?;
		let now = now_ms()?;
		let pay = |k: u32| issue + u64::from(k + 1) * period;
		// A margin past each date, so that the next block's timestamp is past it too.
		let margin = 6_000;
		let due_to_fund = (0..coupons)
			.find(|k| !self.state.funded.contains(k) && now >= pay(*k) - RECORD_OFFSET_MS + margin);
		let due_to_claim = (0..coupons).find(|k| {
			self.state.funded.contains(k)
				&& !self.state.claimed.contains(k)
				&& now >= pay(*k) + margin
		});
		if due_to_fund.is_none() && due_to_claim.is_none() {
			return Ok(());
		}
		let client = self.node.client().await?;
		let green = Bundle::from_file(&bundle_path("green_bond"))?;
		let cash = Bundle::from_file(&bundle_path("cash_token"))?;
		let (alice, bob, ferdie) = (dev::alice(), dev::bob(), dev::ferdie());
		if let Some(k) = due_to_fund {
			// Fixing may already have happened (anyone may fix a rate): then this reverts.
			let fix = green.message("fix_coupon_rate", (k,))?;
			let _ = contract::call(&client, &bob, bond_id, fix).await;
			let data = green.message("distribution", (Payment::Coupon(k),))?;
			let d: Option<Distribution> =
				contract::query(&client, account_id(&alice), bond_id, data).await?;
			let d = d.with_context(|| format!("coupon {k} has no rate yet"))?;
			let coupon = d.per_unit.saturating_mul(d.units).saturating_sub(d.funded);
			let last = k + 1 == coupons;
			let principal = if last { DEMO_ISSUE_UNITS * DENOM } else { 0 };
			progress(&format!(
				"coupon {k}: {} per unit on {} units; Ferdie mints it to Bob, who funds it{}",
				euros(d.per_unit),
				d.units,
				if last { " and the principal" } else { "" }
			));
			call_ok(&client, &ferdie, &cash, cash_id, "mint", (account_id(&bob), coupon)).await?;
			call_ok(&client, &bob, &cash, cash_id, "approve", (bond_id, coupon + principal))
				.await?;
			call_ok(&client, &bob, &green, bond_id, "fund", (Payment::Coupon(k), coupon)).await?;
			if last {
				call_ok(&client, &bob, &green, bond_id, "fund", (Payment::Redemption, principal))
					.await?;
			}
			self.state.funded.push(k);
			self.save()?;
		}
		if let Some(k) = due_to_claim {
			progress(&format!("coupon {k} is paid: Charlie, Dave and Eve claim"));
			for (who, _, _) in demo_investors() {
				let claim = green.message("claim", (account_id(&who),))?;
				if let Err(e) = contract::call(&client, &who, bond_id, claim).await {
					// Reported, not retried: the API's investor view shows what is claimable.
					progress(&format!(
						"{}'s claim of coupon {k} failed: {e:?}",
						ss58(account_id(&who))
					));
				}
			}
			self.state.claimed.push(k);
			self.save()?;
		}
		Ok(())
	}

	fn log(&self, name: &str) -> String {
		self.services
			.iter()
			.find(|s| s.name == name)
			.map(|s| s.log.display().to_string())
			.unwrap_or_default()
	}

	/// The first child that exited on its own, with its status.
	pub fn exited(&mut self) -> Option<String> {
		self.services.iter_mut().find_map(|s| match s.child.try_wait() {
			Ok(Some(status)) => {
				Some(format!("{} exited ({status}); see {}", s.name, s.log.display()))
			}
			_ => None,
		})
	}

	/// Process ids of the node and every service.
	pub fn pids(&self) -> Vec<u32> {
		self.services.iter().map(|s| s.child.id()).collect()
	}

	/// What is where, for people.
	pub fn summary(&self) -> String {
		let api = &self.api_url;
		let bond = self.state.green_bond.clone().unwrap_or_default();
		let bond_ss58 = parse32(&bond).map(ss58).unwrap_or_default();
		let cash = self.state.cash_token.clone().unwrap_or_default();
		let cash_ss58 = parse32(&cash).map(ss58).unwrap_or_default();
		let (energy, water) =
			(self.state.energy_feed.unwrap_or_default(), self.state.water_feed.unwrap_or_default());
		let dir = self.dir();
		let mut s = String::new();
		let mut line = |text: String| {
			s.push_str(&text);
			s.push('\n');
		};
		line("CityBond dev stack is up.".into());
		line(format!("  node RPC (websocket)  {}", self.node.url()));
		line(format!("  API                   {api}   (OpenAPI: {api}/openapi.json)"));
		line(format!("    bonds               {api}/v1/bonds"));
		line(format!("    the demo bond       {api}/v1/bonds/{bond}"));
		line(format!("    energy KPI          {api}/v1/feeds/{energy}/kpis"));
		line(format!("    water KPI           {api}/v1/feeds/{water}/kpis"));
		line(format!("    cash token          {api}/v1/cash/{cash}"));
		line(format!("    indexer status      {api}/v1/status"));
		line(format!(
			"    sign in as a dev account: TOKEN=$({} --api-port {} --sign-in Bob), then curl -H \
			 \"authorization: Bearer $TOKEN\" {api}/v1/issuer/bonds",
			std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
			self.config.api_port
		));
		line(format!(
			"  digital twin          {}   (switch: curl -X POST {}/twin/scenario -H \
			 'content-type: application/json' -d '{{\"scenario\":\"under-performing\"}}')",
			self.twin_url, self.twin_url
		));
		line(format!("  green bond {}   {bond_ss58} ({bond})", String::from_utf8_lossy(DEMO_ISIN)));
		if let (Some(issue), Some(maturity)) = (self.state.issue_date, self.state.maturity_date) {
			line(format!(
				"    issued {}, matures {}, {} coupon periods of {} s",
				rfc3339(issue),
				rfc3339(maturity),
				self.config.coupons,
				self.config.coupon_period_ms / 1_000
			));
		}
		line(format!("  cash token (EURC)     {cash_ss58} ({cash})"));
		if let Ok(green) = Bundle::from_file(&bundle_path("green_bond")) {
			line(format!(
				"  green bond code       0x{}   (approved for issuers; issue another bond: the \
				 README's walkthrough, `citybond term-sheet template`)",
				hex::encode(green.code_hash)
			));
		}
		line(format!(
			"  KPI feeds             {energy} energy saved (kWh, town hall), {water} non-revenue \
			 water (m3, DMA Noord); periods of {} s",
			self.state.feed_period_ms.unwrap_or_default() / 1_000
		));
		line("  accounts (dev keys //Name):".into());
		let who = [
			("Alice", "registrar, sudo, contract deployer, bond agent", dev::alice()),
			("Bob", "issuer: City of Rotterdam", dev::bob()),
			("Charlie", "retail investor NL, 20 units", dev::charlie()),
			("Dave", "professional investor NL, 180 units", dev::dave()),
			("Eve", "institutional investor DE, 300 units", dev::eve()),
			("Ferdie", "settlement agent of the cash token", dev::ferdie()),
		];
		for (name, role, key) in who {
			line(format!("    {name:<8} {}  {role}", ss58(account_id(&key))));
		}
		if let Ok(auditor) = operator_account("Alice") {
			line(format!("    //Alice//stash {}  auditor", ss58(account_id(&auditor))));
		}
		for op in &self.state.operators {
			if let Ok(account) = operator_account(&op.name) {
				line(format!(
					"    //{}//stash {}  oracle operator, key {}",
					op.name,
					ss58(account_id(&account)),
					op.key_file.display()
				));
			}
		}
		line(format!("  logs                  {}", dir.display()));
		line(format!("    node                {}", self.node.log.display()));
		for service in &self.services {
			line(format!("    {:<19} {}", service.name, service.log.display()));
		}
		line(format!("  state                 {}", dir.join("state.json").display()));
		s
	}

	/// Stops the oracle of operator `//{name}//stash` (SIGTERM), as if its machine went down.
	pub fn stop_oracle(&mut self, name: &str) -> Result<()> {
		let service = format!("oracle-{name}");
		let index = self
			.services
			.iter()
			.position(|s| s.name == service)
			.with_context(|| format!("no running {service}"))?;
		let mut stopped = self.services.remove(index);
		stopped.stop(Duration::from_secs(10));
		Ok(())
	}

	/// Stops every process: the services with SIGTERM (then SIGKILL after 10 s), then the
	/// node (SIGTERM, SIGKILL after 20 s).
	pub fn stop(&mut self) {
		for service in self.services.iter_mut().rev() {
			service.stop(Duration::from_secs(10));
		}
		self.services.clear();
		self.node.stop();
		std::fs::remove_file(pid_file(&self.config.data_dir)).ok();
	}
}

impl Drop for Stack {
	fn drop(&mut self) {
		self.stop();
	}
}

fn blake2_256(data: &[u8]) -> [u8; 32] {
	use blake2::{digest::consts::U32, Blake2b, Digest};
	Blake2b::<U32>::digest(data).into()
}

/// Minor units as euros: `1234567` is `12345.67`.
fn euros(cents: u128) -> String {
	format!("{}.{:02}", cents / EURO, cents % EURO)
}

fn rfc3339(ms: u64) -> String {
	i64::try_from(ms)
		.ok()
		.and_then(chrono::DateTime::from_timestamp_millis)
		.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
		.unwrap_or_default()
}
