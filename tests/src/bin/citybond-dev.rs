//! `citybond-dev`: the development stack in one process tree. Starts a `--dev` node whose chain
//! persists in the data folder, deploys the cash token once (a later run finds and reuses it),
//! prints what is where, and stops the node cleanly on Ctrl-C.

use anyhow::{Context, Result};
use citybond_e2e::{
	account_id,
	contract::{self, Bundle},
	node::{Node, NodeConfig},
};
use clap::Parser;
use std::{path::PathBuf, time::Duration};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::dev;

/// Development stack: a dev chain with the cash token deployed.
#[derive(Parser)]
struct Args {
	/// RPC port of the node, on 127.0.0.1.
	#[arg(long, env = "CITYBOND_RPC_PORT", default_value_t = 9944)]
	rpc_port: u16,
	/// Folder for the chain database, logs and the deployment record.
	#[arg(long, env = "CITYBOND_DATA_DIR")]
	data_dir: Option<PathBuf>,
}

/// Where the deployed contracts are, kept between runs.
#[derive(serde::Serialize, serde::Deserialize)]
struct Deployment {
	cash_token: String,
}

fn ss58(account: [u8; 32]) -> String {
	AccountId32(account).to_string()
}

#[tokio::main]
async fn main() -> Result<()> {
	let args = Args::parse();
	let data_dir = match args.data_dir {
		Some(d) => d,
		None => PathBuf::from(std::env::var("HOME").context("HOME is not set")?)
			.join(".local/share/citybond/dev"),
	};
	std::fs::create_dir_all(&data_dir)
		.with_context(|| format!("create data folder {}", data_dir.display()))?;

	println!("citybond-dev: starting the dev node (log: {})", data_dir.join("node.log").display());
	let mut node = Node::start(NodeConfig {
		name: "node",
		args: vec![
			"--dev".into(),
			"--base-path".into(),
			data_dir.join("chain").display().to_string(),
		],
		log_dir: &data_dir,
		rpc_port: Some(args.rpc_port),
		p2p_port: None,
	})
	.await?;
	node.wait_for_finalized(1, Duration::from_secs(120)).await?;
	let client = node.client().await?;
	let bundle = Bundle::load("cash_token")?;
	let (alice, ferdie) = (dev::alice(), dev::ferdie());

	let record = data_dir.join("deployment.json");
	let existing = match std::fs::read_to_string(&record) {
		Ok(text) => {
			let d: Deployment = serde_json::from_str(&text).context("deployment.json")?;
			let addr: [u8; 32] = hex::decode(&d.cash_token)?
				.try_into()
				.map_err(|_| anyhow::anyhow!("deployment.json: bad cash_token address"))?;
			let symbol = bundle.message("token_symbol", ())?;
			match contract::query::<Option<String>>(&client, account_id(&alice), addr, symbol).await
			{
				Ok(_) => Some(addr),
				Err(e) => {
					println!("citybond-dev: recorded cash token not found on this chain ({e}); redeploying");
					None
				}
			}
		}
		Err(_) => None,
	};
	let token = match existing {
		Some(addr) => {
			println!("citybond-dev: reusing the cash token deployed earlier");
			addr
		}
		None => {
			println!("citybond-dev: deploying cash_token as Alice (the genesis contract deployer)");
			contract::upload(&client, &alice, &bundle)
				.await
				.map_err(|e| anyhow::anyhow!("upload cash_token: {e:?}"))?;
			let ctor = bundle.constructor(
				"new",
				(
					Some("Tokenized Euro".to_string()),
					Some("EURC".to_string()),
					2u8,
					account_id(&ferdie),
				),
			)?;
			let (addr, _) =
				contract::instantiate(&client, &alice, bundle.code_hash, ctor, vec![]).await?;
			let d = Deployment { cash_token: hex::encode(addr) };
			std::fs::write(&record, serde_json::to_string_pretty(&d)?)?;
			addr
		}
	};

	println!();
	println!("CityBond dev chain is up.");
	println!("  RPC (websocket)    {}", node.url());
	println!("  cash token (EURC)  {}  (0x{})", ss58(token), hex::encode(token));
	println!("  settlement agent   Ferdie {}", ss58(account_id(&ferdie)));
	println!("  contract deployer  Alice  {}", ss58(account_id(&alice)));
	println!("  data               {}", data_dir.display());
	println!("Press Ctrl-C to stop.");

	tokio::signal::ctrl_c().await?;
	println!("citybond-dev: stopping the node");
	node.stop();
	Ok(())
}
