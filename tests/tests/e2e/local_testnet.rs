//! The `local` chain as a real network of validator processes on loopback: it finalizes, keeps
//! finalizing with one validator down, the returning validator catches up, a node outside the
//! reserved peer set gets no blocks, and the council (not sudo) appoints a registrar and removes
//! and re-adds a validator, which the session rotation applies to block authoring.
//!
//! Peers are restricted: each validator runs with `--reserved-only` and the other validators as
//! `--reserved-nodes`, so it syncs and gossips with them alone.
//!
//! The `local_testnet` preset has four validators: GRANDPA finalizes with more than two thirds
//! of the votes, so three validators cannot lose one (two of three is not more than two thirds);
//! four is the smallest set that can (n = 3f + 1 with f = 1).

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id, council_motion, find_events,
	node::{binary, free_port, Node, NodeConfig},
	submit, submit_ok, Client, Failure,
};
use codec::Decode;
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
	// Every validator's address is known in advance: each accepts only the other three.
	let mut addresses = Vec::new();
	let mut keys = Vec::new();
	for i in 0..VALIDATORS.len() {
		let (key, peer_id) = node_key(i, dir.path())?;
		addresses.push(format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", free_port()?));
		keys.push(key);
	}
	let mut nodes: Vec<Node> = Vec::new();
	for (i, name) in VALIDATORS.iter().enumerate() {
		let mut args = vec![
			"--chain".to_string(),
			"local".to_string(),
			format!("--{name}"),
			"--base-path".to_string(),
			dir.path().join(name).display().to_string(),
			"--node-key".to_string(),
			keys[i].clone(),
			"--reserved-only".to_string(),
			"--reserved-nodes".to_string(),
		];
		args.extend(addresses.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| a.clone()));
		let node = Node::start(NodeConfig {
			name,
			args,
			log_dir: dir.path(),
			rpc_port: None,
			p2p_port: Some(port_of(&addresses[i])?),
		})
		.await?;
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

	// An outsider (not a reserved peer) that knows Alice's address gets no blocks: the
	// validators refuse to sync with it, while they go on finalizing.
	let (outsider_key, _) = node_key(VALIDATORS.len(), dir.path())?;
	let outsider = Node::start(NodeConfig {
		name: "outsider",
		args: vec![
			"--chain".into(),
			"local".into(),
			"--base-path".into(),
			dir.path().join("outsider").display().to_string(),
			"--node-key".into(),
			outsider_key,
			"--bootnodes".into(),
			addresses[0].clone(),
		],
		log_dir: dir.path(),
		rpc_port: None,
		p2p_port: None,
	})
	.await?;
	let before = nodes[0].finalized().await?;
	nodes[0].wait_for_finalized(before + 5, Duration::from_secs(120)).await?;
	ensure!(
		outsider.best().await? == 0,
		"a node outside the reserved set synced block #{}",
		outsider.best().await?
	);

	let client = nodes[1].client().await?;
	council_appoints_a_registrar(&client).await?;
	council_changes_the_validators(&client).await
}

/// The block authors of the best block's state (Aura's authorities), as sr25519 public keys.
async fn authors(client: &Client) -> Result<Vec<[u8; 32]>> {
	let at = client.at_current_block().await?;
	let bytes = at.runtime_apis().call_raw("AuraApi_authorities", None).await?;
	Ok(Vec::<[u8; 32]>::decode(&mut &bytes[..])?)
}

/// Waits until Aura's authorities are exactly `expected` (in any order).
async fn wait_for_authors(client: &Client, expected: &[[u8; 32]]) -> Result<()> {
	let mut want = expected.to_vec();
	want.sort();
	// Up to 150 s: two sessions of 30 s, with room for a slow machine.
	let mut now = Vec::new();
	for _ in 0..50 {
		now = authors(client).await?;
		now.sort();
		if now == want {
			return Ok(());
		}
		tokio::time::sleep(Duration::from_secs(3)).await;
	}
	bail!("authorities are still {} keys, expected {}", now.len(), want.len())
}

/// `ValidatorSet.<call>(Dave)` as a runtime call.
fn validator_call(call: &str, who: [u8; 32]) -> Value {
	Value::unnamed_variant(
		"ValidatorSet",
		[Value::named_variant(
			call,
			[("validator", Value::unnamed_variant("Id", [Value::from_bytes(who)]))],
		)],
	)
}

/// A council member alone cannot change the validators; a motion removes Dave, whose node stops
/// being an author at the next rotations while the chain keeps finalizing, and another motion
/// brings him back.
async fn council_changes_the_validators(client: &Client) -> Result<()> {
	let (alice, bob) = (dev::alice(), dev::bob());
	let all: Vec<[u8; 32]> =
		[dev::alice(), dev::bob(), dev::charlie(), dev::dave()].iter().map(account_id).collect();
	wait_for_authors(client, &all).await?;
	let dave = all[3];

	let direct = vec![Value::unnamed_variant("Id", [Value::from_bytes(dave)])];
	match submit(client, &bob, "ValidatorSet", "remove_validator", direct).await {
		Err(Failure::Dispatch(e)) => ensure!(e == "BadOrigin", "Bob's direct removal: {e}"),
		other => bail!("Bob alone removed a validator: {:?}", other.map(|_| ())),
	}

	let events =
		council_motion(client, &[&alice, &bob], validator_call("remove_validator", dave)).await?;
	ensure!(
		!find_events(&events, "ValidatorSet", "ValidatorRemoved")?.is_empty(),
		"no ValidatorRemoved event"
	);
	wait_for_authors(client, &all[..3]).await.context("Dave was not rotated out")?;

	let events =
		council_motion(client, &[&alice, &bob], validator_call("add_validator", dave)).await?;
	ensure!(
		!find_events(&events, "ValidatorSet", "ValidatorAdded")?.is_empty(),
		"no ValidatorAdded event"
	);
	wait_for_authors(client, &all).await.context("Dave was not rotated back in")?;
	Ok(())
}

/// The TCP port in a `/ip4/<ip>/tcp/<port>/p2p/<id>` address.
fn port_of(address: &str) -> Result<u16> {
	let port = address.split('/').nth(4).context("no port in the address")?;
	Ok(port.parse()?)
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
