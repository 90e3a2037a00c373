//! Runtime upgrades go through governance on a real dev node: a council member alone cannot
//! authorize one; a council motion authorizes a code hash; code that does not hash to it is
//! refused; the authorized code is then checked by `frame_system` (here the running runtime
//! itself, which is refused for not raising the spec version: an upgrade must be a newer
//! version of this chain's runtime).

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{council_motion, find_events, node::Node, submit, submit_ok, Failure};
use subxt::ext::scale_value::Value;
use subxt_signer::sr25519::dev;

/// BLAKE2b-256, the runtime's hashing.
fn blake2_256(data: &[u8]) -> [u8; 32] {
	use blake2::{digest::consts::U32, Blake2b, Digest};
	Blake2b::<U32>::digest(data).into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn council_authorizes_runtime_upgrades_and_the_chain_checks_the_code() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (alice, bob, charlie) = (dev::alice(), dev::bob(), dev::charlie());

	let at = client.at_current_block().await?;
	let code = at.storage().fetch_raw(b":code".to_vec()).await.context("read :code")?;
	ensure!(code.len() > 100_000, "the runtime code is only {} bytes", code.len());
	let hash = blake2_256(&code);

	// A member alone is not governance.
	let authorize = |hash: [u8; 32]| vec![Value::from_bytes(hash)];
	match submit(&client, &bob, "Upgrades", "authorize_upgrade", authorize(hash)).await {
		Err(Failure::Dispatch(e)) => ensure!(e == "BadOrigin", "Bob's authorization: {e}"),
		other => bail!("Bob alone authorized an upgrade: {:?}", other.map(|_| ())),
	}

	// A motion of two of the three members authorizes the hash, with the version check.
	let call = Value::unnamed_variant(
		"Upgrades",
		[Value::named_variant("authorize_upgrade", [("code_hash", Value::from_bytes(hash))])],
	);
	let events = council_motion(&client, &[&alice, &bob], call).await?;
	let authorized = find_events(&events, "System", "UpgradeAuthorized")?;
	let [authorized] = authorized.as_slice() else { bail!("no System.UpgradeAuthorized event") };
	ensure!(authorized.fields[..32] == hash, "another hash was authorized");
	ensure!(authorized.fields[32] == 1, "the authorization skips the version check");

	// Code that does not hash to the authorized hash is refused.
	let mut other = code.clone();
	other.push(0);
	let apply = |code: &[u8]| vec![Value::from_bytes(code)];
	match submit(&client, &charlie, "System", "apply_authorized_upgrade", apply(&other)).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("Unauthorized"), "{e}"),
		other => bail!("unauthorized code was applied: {:?}", other.map(|_| ())),
	}

	// The authorized code reaches frame_system's checks: the running runtime is not a newer
	// version, so it is rejected, and the authorization is used up.
	let events =
		submit_ok(&client, &charlie, "System", "apply_authorized_upgrade", apply(&code)).await?;
	ensure!(
		!find_events(&events, "System", "RejectedInvalidAuthorizedUpgrade")?.is_empty(),
		"the same spec version was not rejected"
	);
	ensure!(find_events(&events, "System", "CodeUpdated")?.is_empty(), "the code was replaced");
	match submit(&client, &charlie, "System", "apply_authorized_upgrade", apply(&code)).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("NothingAuthorized"), "{e}"),
		other => bail!("a used authorization was applied again: {:?}", other.map(|_| ())),
	}
	Ok(())
}
