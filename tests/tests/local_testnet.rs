//! The `local` chain as a real network of validator processes on loopback: it finalizes, keeps
//! finalizing with one validator down, the returning validator catches up, and the council (not
//! sudo) appoints a registrar.
//!
//! The `local_testnet` preset has four validators: GRANDPA finalizes with more than two thirds
//! of the votes, so three validators cannot lose one (two of three is not more than two thirds);
//! four is the smallest set that can (n = 3f + 1 with f = 1).

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id, council_motion, find_events,
	node::{binary, Node, NodeConfig},
	submit, submit_ok, Client, Failure,
};
use std::{path::Path, process::Command, time::Duration};
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

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
async fn local_network_survives_a_validator_down_and_its_council_appoints_a_registrar() -> Result<()>
{
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

	council_appoints_a_registrar(&nodes[1].client().await?).await
}

/// `Identity.appoint_registrar` for `who`, with jurisdiction DE and no LEI, as a runtime call.
fn appoint_registrar(who: [u8; 32]) -> Value {
	Value::unnamed_variant(
		"Identity",
		[Value::named_variant(
			"appoint_registrar",
			[
				("account", Value::unnamed_variant("Id", [Value::from_bytes(who)])),
				("lei", Value::unnamed_variant("None", [])),
				("jurisdiction", Value::from_bytes(b"DE")),
			],
		)],
	)
}

/// The council (Alice, Bob, Charlie; two thirds carry a motion) appoints `//EveStash`, who had
/// no identity, as a registrar; a single member cannot.
async fn council_appoints_a_registrar(client: &Client) -> Result<()> {
	let (alice, bob) = (dev::alice(), dev::bob());
	let candidate = Keypair::from_uri(&"//Eve//stash".parse::<SecretUri>()?)?;
	let call = appoint_registrar(account_id(&candidate));

	// Bob alone is not governance.
	let direct = vec![
		Value::unnamed_variant("Id", [Value::from_bytes(account_id(&candidate))]),
		Value::unnamed_variant("None", []),
		Value::from_bytes(b"DE"),
	];
	match submit(client, &bob, "Identity", "appoint_registrar", direct).await {
		Err(Failure::Dispatch(e)) => ensure!(e == "BadOrigin", "Bob's direct appointment: {e}"),
		other => bail!("Bob alone appointed a registrar: {:?}", other.map(|_| ())),
	}

	// A motion of Alice and Bob: two of three carry it.
	let events = council_motion(client, &[&alice, &bob], call).await?;
	let appointed = find_events(&events, "Identity", "RegistrarAppointed")?;
	let [appointed] = appointed.as_slice() else { bail!("no Identity.RegistrarAppointed event") };
	ensure!(appointed.fields[..32] == account_id(&candidate), "a different account was appointed");

	// The new registrar has an identity now, so it may transact.
	submit_ok(client, &candidate, "System", "remark", vec![Value::from_bytes(b"registrar")])
		.await?;
	Ok(())
}
