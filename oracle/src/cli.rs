//! The command line: subcommands, settings from flags, environment and the config file, and
//! exit codes.

use anyhow::{bail, Context, Result};
use chrono::{Duration, Utc};
use citybond_oracle::{
	chain::{Chain, ChainError},
	config::{ConfigError, FeedConfig, FileConfig},
	exit, ngsi,
	report::{KeyError, OperatorKey, SignedReport},
	service::{self, emit, EvalError, Event, Oracle, OracleError, Target},
	store::Store,
	twin::{self, Scenario, Twin, TwinConfig},
};
use clap::{Args, Parser, Subcommand};
use std::{io::Write, path::PathBuf, sync::Arc};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The CityBond KPI oracle. Events go to stdout as JSON lines, logs to stderr
/// (`RUST_LOG=debug` for more).
#[derive(Parser, Debug)]
#[command(name = "citybond-oracle", version, about)]
pub struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// Write a new ed25519 report key to a file (mode 0600) and print its public key, hex.
	Keygen {
		/// The file to create; never overwritten.
		#[arg(long)]
		out: PathBuf,
	},
	/// Serve the configured feeds: sign and submit each closed period once.
	Run(RunArgs),
	/// Submit a signed report (the JSON `run --dry-run` prints) as it is, and print the outcome.
	Submit {
		#[command(flatten)]
		common: Common,
		/// The report's JSON file, `-` for stdin.
		#[arg(long)]
		report: PathBuf,
	},
	/// Write everything recorded (reports, readings, the broker's responses) as JSON.
	Export {
		#[command(flatten)]
		common: Common,
		/// The file to write, `-` for stdout.
		#[arg(long, default_value = "-")]
		out: PathBuf,
		/// Only this feed.
		#[arg(long)]
		feed: Option<u32>,
		/// Only this period.
		#[arg(long)]
		period: Option<u32>,
	},
	/// Check that the node and the brokers answer; non-zero exit when one is down.
	Health {
		#[command(flatten)]
		common: Common,
	},
	/// Serve the embedded digital twin on 127.0.0.1.
	Twin(TwinArgs),
}

#[derive(Args, Debug)]
struct Common {
	/// The TOML configuration file.
	#[arg(long, env = "CITYBOND_ORACLE_CONFIG")]
	config: Option<PathBuf>,
	/// The node's RPC URL [default: ws://127.0.0.1:9944].
	#[arg(long, env = "CITYBOND_ORACLE_NODE")]
	node: Option<String>,
	/// The ed25519 report key file (mode 0600).
	#[arg(long, env = "CITYBOND_ORACLE_KEY_FILE")]
	key_file: Option<PathBuf>,
	/// The submitting account's secret URI, e.g. `//Bob//stash` (prefer --suri-file).
	#[arg(long, env = "CITYBOND_ORACLE_SURI", hide_env_values = true)]
	suri: Option<String>,
	/// A file (mode 0600) holding the submitting account's secret URI.
	#[arg(long, env = "CITYBOND_ORACLE_SURI_FILE")]
	suri_file: Option<PathBuf>,
	/// The database [default: sqlite://citybond-oracle.db].
	#[arg(long, env = "CITYBOND_ORACLE_DATABASE")]
	database: Option<String>,
}

#[derive(Args, Debug)]
struct RunArgs {
	#[command(flatten)]
	common: Common,
	/// Do one round and exit (6: a period was refused, 7: the chain rejected a report).
	#[arg(long)]
	once: bool,
	/// Print the signed reports as JSON; submit and record nothing.
	#[arg(long)]
	dry_run: bool,
	/// Only this feed.
	#[arg(long)]
	feed: Option<u32>,
	/// Only this period.
	#[arg(long)]
	period: Option<u32>,
}

#[derive(Args, Debug)]
struct TwinArgs {
	/// The port on 127.0.0.1; 0 for any free one.
	#[arg(long, env = "CITYBOND_TWIN_PORT", default_value_t = 0)]
	port: u16,
	/// Seeds the readings.
	#[arg(long, env = "CITYBOND_TWIN_SEED", default_value_t = 7)]
	seed: u64,
	/// The scenario at start.
	#[arg(long, env = "CITYBOND_TWIN_SCENARIO", value_enum, default_value = "on-target")]
	scenario: Scenario,
	/// Real milliseconds between meter readings.
	#[arg(long, env = "CITYBOND_TWIN_SAMPLE_MS", default_value_t = 1_000)]
	sample_ms: i64,
	/// Simulated seconds per real second (3600: a simulated hour per second).
	#[arg(long, env = "CITYBOND_TWIN_TIME_SCALE", default_value_t = 3_600)]
	time_scale: i64,
	/// Split temporal answers with more instances of an attribute than this into pages
	/// (206 Partial Content, NGSI-LD temporal pagination); 0: never.
	#[arg(long, env = "CITYBOND_TWIN_PAGE_SIZE", default_value_t = 0)]
	page_size: usize,
}

/// The settings, after flags, environment and the file.
struct Settings {
	file: FileConfig,
	node: String,
	key_file: Option<PathBuf>,
	suri: Option<String>,
	suri_file: Option<PathBuf>,
	database: String,
}

impl Settings {
	fn resolve(common: Common) -> Result<Self> {
		let file = match &common.config {
			Some(path) => FileConfig::read(path)?,
			None => FileConfig::default(),
		};
		Ok(Self {
			node: common
				.node
				.or_else(|| file.node.clone())
				.unwrap_or_else(|| "ws://127.0.0.1:9944".into()),
			key_file: common.key_file.or_else(|| file.key_file.clone()),
			suri: common.suri.or_else(|| file.suri.clone()),
			suri_file: common.suri_file.or_else(|| file.suri_file.clone()),
			database: common
				.database
				.or_else(|| file.database.clone())
				.unwrap_or_else(|| "sqlite://citybond-oracle.db".into()),
			file,
		})
	}

	fn key(&self) -> Result<OperatorKey> {
		let path = self.key_file.as_ref().ok_or_else(|| {
			ConfigError::Invalid("no key file: give --key-file or key_file in the config".into())
		})?;
		let key = OperatorKey::read(path)?;
		tracing::info!(public_key = %key.public_hex(), "operator key loaded");
		Ok(key)
	}

	fn signer(&self) -> Result<Keypair> {
		let text = match (&self.suri, &self.suri_file) {
			(Some(suri), _) => suri.clone(),
			(None, Some(path)) => {
				use std::os::unix::fs::PermissionsExt;
				let mode = std::fs::metadata(path)
					.with_context(|| format!("suri file {}", path.display()))?
					.permissions()
					.mode();
				if mode & 0o077 != 0 {
					return Err(KeyError::Permissions {
						path: path.display().to_string(),
						mode: mode & 0o777,
					}
					.into());
				}
				std::fs::read_to_string(path)
					.with_context(|| format!("suri file {}", path.display()))?
					.trim()
					.to_string()
			}
			(None, None) => return Err(ConfigError::Invalid(
				"no submitting account: give --suri, --suri-file or suri/suri_file in the config"
					.into(),
			)
			.into()),
		};
		// The URI is a secret: errors name the problem, never the text.
		let uri: SecretUri = text.parse().map_err(|_| {
			ConfigError::Invalid("the submitting account's secret URI is malformed".into())
		})?;
		let signer = Keypair::from_uri(&uri).map_err(|_| {
			ConfigError::Invalid("the submitting account's secret URI is invalid".into())
		})?;
		Ok(signer)
	}

	fn poll(&self) -> std::time::Duration {
		std::time::Duration::from_millis(self.file.poll_interval_ms.unwrap_or(2_000))
	}

	fn settle_ms(&self) -> u64 {
		self.file.settle_ms.unwrap_or(1_500)
	}

	fn max_skew(&self) -> Duration {
		Duration::milliseconds(self.file.max_clock_skew_ms.unwrap_or(30_000))
	}
}

async fn connect(url: &str) -> Result<Chain> {
	match tokio::time::timeout(std::time::Duration::from_secs(15), Chain::connect(url)).await {
		Ok(chain) => Ok(chain?),
		Err(_) => {
			Err(ChainError::Unreachable { url: url.into(), reason: "timed out".into() }.into())
		}
	}
}

fn broker(feed: &FeedConfig) -> Result<ngsi::Client> {
	let client = ngsi::Client::new(&feed.broker, std::time::Duration::from_secs(15))?;
	Ok(client.with_max_body(feed.max_response_bytes))
}

async fn targets(chain: &Chain, feeds: &[FeedConfig]) -> Result<Vec<Target>> {
	if feeds.is_empty() {
		return Err(
			ConfigError::Invalid("no feeds configured ([[feed]] in the config)".into()).into()
		);
	}
	let mut targets = Vec::new();
	for config in feeds {
		let info = chain.feed(config.id).await?.ok_or_else(|| {
			ConfigError::Invalid(format!("feed {} does not exist on chain", config.id))
		})?;
		service::check_feed(config, &info)?;
		let client = broker(config)?;
		service::check_source(config, &client).await?;
		tracing::info!(
			feed = config.id,
			entity = %config.entity,
			attribute = %config.attribute,
			schedule = ?info.params.schedule,
			"serving feed"
		);
		targets.push(Target { config: config.clone(), info, client });
	}
	Ok(targets)
}

/// Runs a command; the exit code on success.
pub async fn run(cli: Cli) -> Result<u8> {
	match cli.command {
		Command::Keygen { out } => {
			let key = OperatorKey::generate()?;
			key.write(&out)?;
			println!("{}", key.public_hex());
			Ok(0)
		}
		Command::Run(args) => run_oracle(args).await,
		Command::Submit { common, report } => submit(common, report).await,
		Command::Export { common, out, feed, period } => export(common, out, feed, period).await,
		Command::Health { common } => health(common).await,
		Command::Twin(args) => serve_twin(args).await,
	}
}

async fn run_oracle(args: RunArgs) -> Result<u8> {
	let settings = Settings::resolve(args.common)?;
	let feeds: Vec<FeedConfig> = settings
		.file
		.feeds
		.iter()
		.filter(|feed| args.feed.is_none_or(|only| feed.id == only))
		.cloned()
		.collect();
	let key = settings.key()?;
	let chain = connect(&settings.node).await?;
	let targets = targets(&chain, &feeds).await?;

	if args.dry_run {
		return dry_run(&chain, &key, &targets, args.period, &settings).await;
	}
	let signer = settings.signer()?;
	let store = Store::open(&settings.database).await?;
	// The operator is the account the key is registered for; the signer may be a relayer.
	let operator = match chain.key_owner(key.public()).await? {
		Some(owner) => owner,
		None => {
			tracing::warn!(
				public_key = %key.public_hex(),
				"the key is not registered on chain: reports will be rejected (UnknownKey) until \
				 the feed's owner adds it"
			);
			signer.public_key().0
		}
	};
	let chain_now = chain.now_ms().await?;
	let local_now = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
	// The finalized block trails the wall clock by a few blocks; far more is a wrong clock.
	if chain_now.abs_diff(local_now) > 120_000 {
		tracing::warn!(chain_now, local_now, "the chain's clock and ours differ by over 2 minutes");
	}
	let oracle = Oracle {
		chain,
		key,
		signer,
		operator,
		store,
		targets,
		settle_ms: settings.settle_ms(),
		max_skew: settings.max_skew(),
		attempts: 4,
		only_period: args.period,
		finality: Default::default(),
	};
	let mut summary = oracle.recover().await?;
	loop {
		let round = oracle.round(Utc::now()).await?;
		// Sending failed this round: if the node is gone, stop (exit 3) and let a supervisor
		// restart the oracle, which resumes from its database.
		if round.events.iter().any(|event| matches!(event, Event::Deferred { .. })) {
			let probe =
				tokio::time::timeout(std::time::Duration::from_secs(15), oracle.chain.now_ms());
			match probe.await {
				Ok(Ok(_)) => {}
				Ok(Err(error)) => return Err(error.into()),
				Err(_) => {
					let url = oracle.chain.url().to_string();
					return Err(ChainError::Unreachable { url, reason: "timed out".into() }.into());
				}
			}
		}
		summary.events.extend(round.events);
		summary.broker_errors.extend(round.broker_errors);
		if args.once {
			// Ends once its reports are final (or sent back to `pending`).
			summary.events.extend(oracle.followed(true).await);
			break;
		}
		tokio::select! {
			_ = tokio::time::sleep(settings.poll()) => {}
			_ = tokio::signal::ctrl_c() => {
				tracing::info!("interrupted; stopping");
				break;
			}
		}
	}
	Ok(if args.once && !summary.broker_errors.is_empty() {
		exit::BROKER_DOWN
	} else if summary.rejected() {
		exit::REJECTED
	} else if summary.refused() {
		exit::REFUSED
	} else if summary.events.iter().any(|event| matches!(event, Event::Deferred { .. })) {
		exit::FAILURE
	} else {
		0
	})
}

async fn dry_run(
	chain: &Chain,
	key: &OperatorKey,
	targets: &[Target],
	period: Option<u32>,
	settings: &Settings,
) -> Result<u8> {
	let now = Utc::now();
	let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
	let mut refused = false;
	for target in targets {
		let params = &target.info.params;
		let periods = match period {
			Some(period) => {
				let end = params.schedule.end(period).unwrap_or(u64::MAX);
				if end > now_ms {
					bail!("feed {} period {period} has not ended yet", target.config.id);
				}
				vec![period]
			}
			None => service::open_periods(params, now_ms, settings.settle_ms()),
		};
		for period in periods {
			let decimals = target.info.metadata.decimals;
			let evaluated = service::evaluate(
				&target.config,
				params,
				decimals,
				&target.client,
				period,
				now,
				settings.max_skew(),
			)
			.await;
			match evaluated {
				Ok(evaluation) => {
					let report = key.sign(&evaluation.payload, &chain.genesis());
					emit(&Event::Signed { kpi: evaluation.kpi.normalize().to_string(), report });
				}
				Err(EvalError::Refused { refusal, .. }) => {
					refused = true;
					tracing::warn!(feed = target.config.id, period, %refusal, "refused to sign");
					emit(&Event::Refused {
						feed: target.config.id,
						period,
						code: refusal.code().into(),
						reason: refusal.to_string(),
						retry_at_ms: None,
					});
				}
				Err(error) => return Err(error.into()),
			}
		}
	}
	Ok(if refused { exit::REFUSED } else { 0 })
}

async fn submit(common: Common, path: PathBuf) -> Result<u8> {
	let settings = Settings::resolve(common)?;
	let text = if path.as_os_str() == "-" {
		std::io::read_to_string(std::io::stdin()).context("read the report from stdin")?
	} else {
		std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?
	};
	let json: serde_json::Value =
		serde_json::from_str(text.trim()).context("the report is not JSON")?;
	let report: SignedReport = serde_json::from_value(json.get("report").cloned().unwrap_or(json))
		.context("the JSON is not a signed report")?;
	let chain = connect(&settings.node).await?;
	let signer = settings.signer()?;
	let genesis = chain.genesis();
	if report.genesis()? != genesis {
		tracing::warn!("the report was signed for another chain (genesis hash differs)");
	}
	if !report.verify(&genesis)? {
		tracing::warn!(
			"the signature does not verify locally; submitting anyway, the chain decides"
		);
	}
	let payload = report.payload()?;
	let (feed, period) = (payload.feed, payload.period);
	match chain.submit(&signer, &report).await {
		Ok(included) => {
			emit(&Event::Included {
				feed,
				period,
				value: report.value.clone(),
				tx_hash: Some(included.tx_hash),
				block_hash: Some(included.block_hash),
				recovered: false,
			});
			match included.finality.wait().await {
				Ok(block) => {
					emit(&Event::Finalized { feed, period, block_hash: Some(block) });
					Ok(0)
				}
				Err(reason) => {
					eprintln!("the report was in a best block but is not known final: {reason}");
					Ok(exit::FAILURE)
				}
			}
		}
		Err(citybond_oracle::chain::SubmitError::Rejected { error, meaning }) => {
			eprintln!("rejected by the chain: {error}: {meaning}");
			emit(&Event::Rejected { feed, period, error, meaning: meaning.into() });
			Ok(exit::REJECTED)
		}
		Err(error) => Err(error.into()),
	}
}

async fn export(
	common: Common,
	out: PathBuf,
	feed: Option<u32>,
	period: Option<u32>,
) -> Result<u8> {
	let settings = Settings::resolve(common)?;
	let store = Store::open(&settings.database).await?;
	let mut reports = Vec::new();
	for record in store.all(feed, period).await? {
		let (readings, documents) =
			store.evidence(record.feed, record.period, &record.public_key).await?;
		reports.push(serde_json::json!({
			"record": record,
			"readings": readings,
			"source_documents": documents,
		}));
	}
	let export = serde_json::json!({
		"exported_at": Utc::now().to_rfc3339(),
		"payload_hash_encoding": "see citybond_oracle::provenance: blake2_256 of SCALE(b\"CITYBOND/SRC/v1\", feed, period, window_start, window_end, entity, [(attribute, [(observed_at_ms, value, unit, device)])])",
		"reports": reports,
	});
	let text = serde_json::to_string_pretty(&export)?;
	if out.as_os_str() == "-" {
		println!("{text}");
	} else {
		let mut file =
			std::fs::File::create(&out).with_context(|| format!("create {}", out.display()))?;
		writeln!(file, "{text}")?;
		tracing::info!(reports = reports.len(), file = %out.display(), "exported");
	}
	Ok(0)
}

async fn health(common: Common) -> Result<u8> {
	let settings = Settings::resolve(common)?;
	let mut code = 0;
	match connect(&settings.node).await {
		Ok(chain) => {
			println!(
				"{}",
				serde_json::json!({"check": "node", "url": settings.node, "ok": true,
					"genesis_hash": hex::encode(chain.genesis())})
			);
			for feed in &settings.file.feeds {
				let found = chain.feed(feed.id).await;
				let ok = matches!(found, Ok(Some(_)));
				println!("{}", serde_json::json!({"check": "feed", "feed": feed.id, "ok": ok}));
				if !ok && code == 0 {
					code = exit::CONFIG;
				}
			}
		}
		Err(error) => {
			println!(
				"{}",
				serde_json::json!({"check": "node", "url": settings.node, "ok": false, "error": format!("{error:#}")})
			);
			code = exit::NODE_DOWN;
		}
	}
	for feed in &settings.file.feeds {
		let result = match broker(feed) {
			Ok(client) => service::check_source(feed, &client).await.map_err(anyhow::Error::from),
			Err(error) => Err(error),
		};
		let line = match &result {
			Ok(()) => {
				serde_json::json!({"check": "broker", "feed": feed.id, "url": feed.broker, "ok": true})
			}
			Err(error) => {
				serde_json::json!({"check": "broker", "feed": feed.id, "url": feed.broker,
				"ok": false, "error": format!("{error:#}")})
			}
		};
		println!("{line}");
		if result.is_err() && code == 0 {
			code = exit::BROKER_DOWN;
		}
	}
	Ok(code)
}

async fn serve_twin(args: TwinArgs) -> Result<u8> {
	let config = TwinConfig {
		seed: args.seed,
		sample_ms: args.sample_ms,
		time_scale: args.time_scale,
		scenario: args.scenario,
		page_size: args.page_size,
	};
	let twin = Arc::new(Twin::new(config));
	let (address, task) = twin::serve(twin, args.port)
		.await
		.with_context(|| format!("bind 127.0.0.1:{}", args.port))?;
	println!("citybond-oracle twin listening on http://{address}");
	std::io::stdout().flush()?;
	tracing::info!(%address, scenario = ?args.scenario, seed = args.seed, "twin serving");
	tokio::select! {
		served = task => { served??; }
		_ = tokio::signal::ctrl_c() => { tracing::info!("interrupted; stopping"); }
	}
	Ok(0)
}

/// The exit code for an error: the first cause that has one.
pub fn exit_code(error: &anyhow::Error) -> u8 {
	for cause in error.chain() {
		if let Some(error) = cause.downcast_ref::<ChainError>() {
			return match error {
				ChainError::Unreachable { .. } => exit::NODE_DOWN,
				ChainError::Read(_) => exit::FAILURE,
			};
		}
		if cause.is::<ngsi::NgsiError>() {
			return exit::BROKER_DOWN;
		}
		if cause.is::<KeyError>() {
			return exit::KEY;
		}
		if cause.is::<ConfigError>() || cause.is::<clap::Error>() {
			return exit::CONFIG;
		}
		if let Some(error) = cause.downcast_ref::<EvalError>() {
			return match error {
				EvalError::Broker(_) => exit::BROKER_DOWN,
				EvalError::Config(_) => exit::CONFIG,
				EvalError::Refused { .. } => exit::REFUSED,
			};
		}
		if let Some(error) = cause.downcast_ref::<OracleError>() {
			return match error {
				OracleError::Broker(_) => exit::BROKER_DOWN,
				OracleError::Config(_) => exit::CONFIG,
				OracleError::Chain(ChainError::Unreachable { .. }) => exit::NODE_DOWN,
				OracleError::Chain(_) | OracleError::Store(_) => exit::FAILURE,
			};
		}
	}
	exit::FAILURE
}
