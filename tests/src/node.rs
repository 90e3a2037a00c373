//! Starting and stopping real `citybond-node` processes on free loopback ports.

use crate::Client;
use anyhow::{bail, Context, Result};
use std::{
	fs::File,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The RPC view of the chain's types, for the legacy RPC methods.
type RpcConfig = subxt::config::RpcConfigFor<subxt::SubstrateConfig>;

/// How long a node may take from start to answering RPC (it compiles the runtime's wasm first).
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// The node binary under test.
pub fn binary() -> PathBuf {
	std::env::var_os("CITYBOND_NODE")
		.map(PathBuf::from)
		.unwrap_or_else(|| crate::target_dir().join("release").join("citybond-node"))
}

/// Ports handed out by [`free_port`]: below Linux's ephemeral range (32768 and up), so no
/// outgoing connection can take one between the moment it is chosen and the moment the process
/// it is meant for binds it.
const PORTS: std::ops::Range<u16> = 20_000..32_000;

/// The next port [`free_port`] tries in this process: a random start in [`PORTS`], so test
/// processes running at the same time (cargo-nextest runs several) walk different stretches.
static NEXT_PORT: std::sync::Mutex<Option<u16>> = std::sync::Mutex::new(None);

/// A port nobody listens on right now, on 127.0.0.1, and not handed out before by this process.
pub fn free_port() -> Result<u16> {
	let span = PORTS.end.saturating_sub(PORTS.start);
	let mut next = NEXT_PORT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
	let mut port = match *next {
		Some(port) => port,
		None => {
			// Seeded by the process id and the clock: tests need distinct stretches, not secrecy.
			let nanos = std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map(|d| d.subsec_nanos())
				.unwrap_or_default();
			let seed = std::process::id().wrapping_mul(2_654_435_761) ^ nanos;
			PORTS.start.saturating_add(
				u16::try_from(seed.checked_rem(u32::from(span)).unwrap_or(0)).unwrap_or(0),
			)
		}
	};
	for _ in 0..span {
		let candidate = port;
		let after = candidate.saturating_add(1);
		port = if after >= PORTS.end { PORTS.start } else { after };
		if TcpListener::bind(("127.0.0.1", candidate)).is_ok() {
			*next = Some(port);
			return Ok(candidate);
		}
	}
	bail!("no free port on 127.0.0.1 in {}..{}", PORTS.start, PORTS.end)
}

/// Whether a node's start-up log says one of its ports was taken.
fn port_taken(log: &str) -> bool {
	log.contains("Address already in use") || log.contains("AddrInUse")
}

/// How often [`Node::start`] picks new ports when a node it gave free ports finds one taken.
const START_ATTEMPTS: u32 = 3;

/// A running node; killed when dropped. Its log is kept in a file and printed on failures.
pub struct Node {
	child: Option<Child>,
	/// The node's name in logs.
	pub name: String,
	/// RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// P2P port on 127.0.0.1.
	pub p2p_port: u16,
	/// Where stdout and stderr go.
	pub log: PathBuf,
	args: Vec<String>,
}

/// Options for [`Node::start`].
pub struct NodeConfig<'a> {
	/// Name shown in the node's log and in the test's messages.
	pub name: &'a str,
	/// Arguments besides the ports, e.g. `["--dev", "--tmp"]`.
	pub args: Vec<String>,
	/// Folder for the log file.
	pub log_dir: &'a Path,
	/// A fixed RPC port, or `None` for a free one.
	pub rpc_port: Option<u16>,
	/// A fixed peer-to-peer port (so other nodes can be told the address in advance), or
	/// `None` for a free one.
	pub p2p_port: Option<u16>,
}

impl Node {
	/// Starts a node and waits until its RPC answers. When a port it chose itself (`None` in
	/// the config) turns out to be taken by the time the node binds it (another test process
	/// may have bound it in between), it starts again on new ports.
	pub async fn start(config: NodeConfig<'_>) -> Result<Self> {
		let mut attempt = 1;
		loop {
			match Self::start_once(&config).await {
				Err(e)
					if attempt < START_ATTEMPTS
						&& (config.rpc_port.is_none() || config.p2p_port.is_none())
						&& port_taken(&format!("{e:#}")) =>
				{
					eprintln!("{}: a port was taken, starting again on others: {e:#}", config.name);
					attempt = attempt.saturating_add(1);
				}
				outcome => return outcome,
			}
		}
	}

	async fn start_once(config: &NodeConfig<'_>) -> Result<Self> {
		let rpc_port = match config.rpc_port {
			Some(port) => port,
			None => free_port()?,
		};
		if TcpListener::bind(("127.0.0.1", rpc_port)).is_err() {
			bail!("RPC port {rpc_port} on 127.0.0.1 is in use: stop what uses it or choose another port");
		}
		let p2p_port = match config.p2p_port {
			Some(port) => port,
			None => free_port()?,
		};
		let mut node = Node {
			child: None,
			name: config.name.to_string(),
			rpc_port,
			p2p_port,
			log: config.log_dir.join(format!("{}.log", config.name)),
			args: config.args.clone(),
		};
		node.spawn()?;
		node.wait_for_rpc().await?;
		Ok(node)
	}

	/// Starts a throw-away `--dev --tmp` node logging into `log_dir`, and waits until it has
	/// finalized block `finalized`.
	pub async fn dev(log_dir: &Path, finalized: u64) -> Result<Self> {
		let node = Self::start(NodeConfig {
			name: "dev",
			args: vec!["--dev".into(), "--tmp".into()],
			log_dir,
			rpc_port: None,
			p2p_port: None,
		})
		.await?;
		node.wait_for_finalized(finalized, Duration::from_secs(120)).await?;
		Ok(node)
	}

	fn spawn(&mut self) -> Result<()> {
		let bin = binary();
		if !bin.exists() {
			bail!(
				"node binary {} not found: build it with `cargo build --release` (or run scripts/test.sh)",
				bin.display()
			);
		}
		let log = File::options().create(true).append(true).open(&self.log)?;
		let child = Command::new(&bin)
			.args(&self.args)
			.args([
				"--rpc-port",
				&self.rpc_port.to_string(),
				"--listen-addr",
				&format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port),
				"--no-telemetry",
				"--no-prometheus",
				"--no-mdns",
				"--name",
				&self.name,
			])
			.stdin(Stdio::null())
			.stdout(log.try_clone()?)
			.stderr(log)
			.spawn()
			.with_context(|| format!("start {}", bin.display()))?;
		self.child = Some(child);
		Ok(())
	}

	/// The node's websocket RPC address.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// A subxt client connected to this node.
	pub async fn client(&self) -> Result<Client> {
		Client::from_insecure_url(self.url())
			.await
			.with_context(|| format!("connect to {}", self.name))
	}

	async fn wait_for_rpc(&mut self) -> Result<()> {
		let started = Instant::now();
		loop {
			if let Some(child) = self.child.as_mut() {
				if let Some(status) = child.try_wait()? {
					bail!(
						"{} exited with {status} during start-up:\n{}",
						self.name,
						self.log_tail()
					);
				}
			}
			if self.client().await.is_ok() {
				return Ok(());
			}
			if started.elapsed() > START_TIMEOUT {
				bail!(
					"{} did not answer RPC within {START_TIMEOUT:?}:\n{}",
					self.name,
					self.log_tail()
				);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}

	/// Stops the node cleanly (SIGTERM), or kills it if it has not stopped after 20 s.
	pub fn stop(&mut self) {
		if let Some(child) = self.child.as_mut() {
			let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
			let started = Instant::now();
			while started.elapsed() < Duration::from_secs(20) {
				if let Ok(Some(_)) = child.try_wait() {
					self.child = None;
					return;
				}
				std::thread::sleep(Duration::from_millis(100));
			}
		}
		self.kill();
	}

	/// Stops the node (SIGKILL, as a crash would).
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Starts the node again with the same ports and arguments.
	pub async fn restart(&mut self) -> Result<()> {
		self.kill();
		self.spawn()?;
		self.wait_for_rpc().await
	}

	/// The last lines of the node's log.
	pub fn log_tail(&self) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = text.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}

	async fn rpc(&self) -> Result<subxt::rpcs::LegacyRpcMethods<RpcConfig>> {
		let rpc = subxt::rpcs::RpcClient::from_insecure_url(self.url()).await?;
		Ok(subxt::rpcs::LegacyRpcMethods::new(rpc))
	}

	/// Number of the latest finalized block.
	pub async fn finalized(&self) -> Result<u64> {
		let rpc = self.rpc().await?;
		let hash = rpc.chain_get_finalized_head().await?;
		let header = rpc.chain_get_header(Some(hash)).await?.context("no finalized header")?;
		Ok(header.number)
	}

	/// Number of the best block.
	pub async fn best(&self) -> Result<u64> {
		let header = self.rpc().await?.chain_get_header(None).await?.context("no best header")?;
		Ok(header.number)
	}

	/// Waits until the finalized block number is at least `target`.
	pub async fn wait_for_finalized(&self, target: u64, timeout: Duration) -> Result<u64> {
		let started = Instant::now();
		loop {
			let n = self.finalized().await.unwrap_or(0);
			if n >= target {
				return Ok(n);
			}
			if started.elapsed() > timeout {
				bail!(
					"{}: finalized #{n}, waited {timeout:?} for #{target}:\n{}",
					self.name,
					self.log_tail()
				);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
	}
}
