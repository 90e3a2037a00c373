//! The `local` chain as a real network of validator processes on loopback: it finalizes, keeps
//! finalizing with one validator down, and the returning validator catches up.
//!
//! The `local_testnet` preset has four validators: GRANDPA finalizes with more than two thirds
//! of the votes, so three validators cannot lose one (two of three is not more than two thirds);
//! four is the smallest set that can (n = 3f + 1 with f = 1).

use anyhow::{ensure, Context, Result};
use citybond_e2e::node::{binary, Node, NodeConfig};
use std::{path::Path, process::Command, time::Duration};

const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// A deterministic node key for validator `i`, and the peer id it gives.
fn node_key(i: usize, dir: &Path) -> Result<(String, String)> {
	let key = format!("{:064x}", i.saturating_add(1));
	let file = dir.join(format!("node-key-{i}"));
	std::fs::write(&file, &key)?;
	let out =
		Command::new(binary()).args(["key", "inspect-node-key", "--file"]).arg(&file).output()?;
	ensure!(out.status.success(), "inspect-node-key: {}", String::from_utf8_lossy(&out.stderr));
	let peer_id = String::from_utf8(out.stdout)?.trim().to_string();
	Ok((key, peer_id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_finalize_survive_one_down_and_resync_it() -> Result<()> {
	let dir = tempfile::tempdir()?;
	let mut nodes: Vec<Node> = Vec::new();
	let mut bootnode: Option<String> = None;
	for (i, name) in VALIDATORS.iter().enumerate() {
		let (key, peer_id) = node_key(i, dir.path())?;
		let mut args = vec![
			"--chain".to_string(),
			"local".to_string(),
			format!("--{name}"),
			"--base-path".to_string(),
			dir.path().join(name).display().to_string(),
			"--node-key".to_string(),
			key,
		];
		if let Some(addr) = &bootnode {
			args.extend(["--bootnodes".to_string(), addr.clone()]);
		}
		let node =
			Node::start(NodeConfig { name, args, log_dir: dir.path(), rpc_port: None }).await?;
		if bootnode.is_none() {
			bootnode = Some(format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", node.p2p_port));
		}
		nodes.push(node);
	}

	// All four finalize together.
	let first = nodes[0].wait_for_finalized(3, Duration::from_secs(180)).await?;

	// Dave goes down; the other three still hold more than two thirds of the votes.
	nodes[3].kill();
	let during = nodes[0].wait_for_finalized(first + 5, Duration::from_secs(120)).await?;
	let bob = nodes[1].wait_for_finalized(first + 5, Duration::from_secs(60)).await?;
	ensure!(bob >= first + 5, "Bob stopped finalizing while Dave was down");

	// Dave comes back with his database and catches up with what was finalized without him.
	nodes[3].restart().await.context("restart Dave")?;
	let caught_up = nodes[3].wait_for_finalized(during + 2, Duration::from_secs(120)).await?;
	let best = nodes[3].best().await?;
	ensure!(best >= caught_up, "Dave's best block #{best} is behind his finalized #{caught_up}");
	Ok(())
}
