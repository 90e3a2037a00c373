//! `citybond-dev`: the development stack in one process tree (see `citybond_e2e::stack`): a
//! `--dev` node whose chain persists in the data folder, the cash token, a demo green bond of
//! the City of Rotterdam with two KPI feeds, the digital twin, three oracle operators and the
//! API. Prints what is where; then tends the demo bond (Bob funds each coupon when due, the
//! investors claim). Ctrl-C (or SIGTERM) stops every process; a second run resumes.

use anyhow::{Context, Result};
use citybond_e2e::{
	api_client::Api,
	stack::{Stack, StackConfig},
};
use clap::Parser;
use std::{path::PathBuf, time::Duration};
use subxt_signer::{sr25519::Keypair, SecretUri};
use tokio::signal::unix::{signal, SignalKind};

/// Development stack: dev chain, contracts, demo bond, twin, oracles and API.
#[derive(Parser)]
struct Args {
	/// RPC port of the node, on 127.0.0.1.
	#[arg(long, env = "CITYBOND_RPC_PORT", default_value_t = 9944)]
	rpc_port: u16,
	/// HTTP port of the API, on 127.0.0.1.
	#[arg(long, env = "CITYBOND_API_PORT", default_value_t = 8080)]
	api_port: u16,
	/// HTTP port of the digital twin, on 127.0.0.1.
	#[arg(long, env = "CITYBOND_TWIN_PORT", default_value_t = 8081)]
	twin_port: u16,
	/// Folder for the chain, databases, keys, configs, logs and `state.json` (default
	/// `~/.local/share/citybond/dev`).
	#[arg(long, env = "CITYBOND_DATA_DIR")]
	data_dir: Option<PathBuf>,
	/// Length of a KPI period in seconds (a twin second is a simulated hour). Used when the
	/// feeds are created.
	#[arg(long, default_value_t = 60)]
	kpi_period_secs: u64,
	/// Length of a coupon period of the demo bond in seconds. Used when the bond is deployed.
	#[arg(long, default_value_t = 300)]
	coupon_period_secs: u64,
	/// Number of coupon periods of the demo bond.
	#[arg(long, default_value_t = 8)]
	coupons: u32,
	/// Instead of running the stack: sign in to the running stack's API as a dev account
	/// (`Bob`, `Charlie`, `//Alice//stash`...: a name is read as `//Name`) and print the session
	/// token, for `curl -H "authorization: Bearer $TOKEN"`.
	#[arg(long, value_name = "ACCOUNT")]
	sign_in: Option<String>,
}

/// Signs in to the API on `port` as the dev account `who`; prints the session token.
async fn sign_in(port: u16, who: &str) -> Result<()> {
	let uri = if who.starts_with("//") { who.to_string() } else { format!("//{who}") };
	let key = Keypair::from_uri(&uri.parse::<SecretUri>()?)
		.map_err(|e| anyhow::anyhow!("{uri} is not a dev account: {e}"))?;
	let api = Api::new(&format!("http://127.0.0.1:{port}"));
	let token = api
		.sign_in(&key)
		.await
		.with_context(|| format!("sign in to {} as {uri} (is the stack running?)", api.base))?;
	println!("{token}");
	Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
	let args = Args::parse();
	if let Some(who) = &args.sign_in {
		return sign_in(args.api_port, who).await;
	}
	let data_dir = match args.data_dir {
		Some(d) => d,
		None => PathBuf::from(std::env::var("HOME").context("HOME is not set")?)
			.join(".local/share/citybond/dev"),
	};
	let config = StackConfig {
		rpc_port: args.rpc_port,
		api_port: args.api_port,
		twin_port: args.twin_port,
		kpi_period_ms: args.kpi_period_secs.saturating_mul(1_000),
		coupon_period_ms: args.coupon_period_secs.saturating_mul(1_000),
		coupons: args.coupons,
		..StackConfig::new(data_dir)
	};
	let mut terminate = signal(SignalKind::terminate())?;
	let mut interrupt = signal(SignalKind::interrupt())?;
	let progress = |line: &str| println!("citybond-dev: {line}");
	// A signal during start-up drops the half-started stack, which stops what it started.
	let mut stack = tokio::select! {
		stack = Stack::up(config, &progress) => stack?,
		_ = interrupt.recv() => {
			println!("citybond-dev: interrupted during start-up, stopping");
			return Ok(());
		}
		_ = terminate.recv() => {
			println!("citybond-dev: terminated during start-up, stopping");
			return Ok(());
		}
	};
	println!();
	print!("{}", stack.summary());
	println!("Press Ctrl-C to stop.");
	let mut check = tokio::time::interval(Duration::from_secs(5));
	let outcome = loop {
		tokio::select! {
			_ = interrupt.recv() => break Ok(()),
			_ = terminate.recv() => break Ok(()),
			_ = check.tick() => {
				if let Some(exited) = stack.exited() {
					break Err(anyhow::anyhow!("{exited}"));
				}
				// The demo bond's coupons: funded by Bob, claimed by the investors, when due.
				tokio::select! {
					tended = stack.tend_demo_bond(&progress) => if let Err(e) = tended {
						println!("citybond-dev: {e:#} (trying again shortly)");
					},
					_ = interrupt.recv() => break Ok(()),
					_ = terminate.recv() => break Ok(()),
				}
			}
		}
	};
	println!("citybond-dev: stopping the oracles, the API, the twin and the node");
	stack.stop();
	println!("citybond-dev: stopped");
	outcome
}
