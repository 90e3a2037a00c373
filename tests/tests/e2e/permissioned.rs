//! Only registered identities transact on a real dev node: a funded account without an identity
//! is refused at the transaction pool with the documented code, a non-registrar cannot register
//! anyone, and once a registrar registers the account it can transact. A registrar cannot
//! suspend a council member; out of office, a suspended former member is refused like anyone.
//! A registered account cannot use the chain as bulk storage: a remark over 1 KiB is refused
//! and its bytes are charged all the same.

use anyhow::{bail, ensure, Result};
use citybond_e2e::{
	account_id, find_events, native_balance, node::Node, submit, submit_ok, Client, Failure,
};
use subxt::ext::scale_value::Value;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// `InvalidTransaction::Custom` code for "account is not a registered identity".
const IDENTITY_REQUIRED: &str = "Invalid transaction with custom error: 100";

/// Investor role bit in the registry's role set.
const ROLE_INVESTOR: u8 = 1 << 2;

fn dev_account(uri: &str) -> Result<Keypair> {
	Ok(Keypair::from_uri(&uri.parse::<SecretUri>()?)?)
}

fn remark(text: &str) -> Vec<Value> {
	vec![Value::from_bytes(text.as_bytes())]
}

/// `who`'s free native balance (CBT, 12 decimals), at the latest finalized block.
async fn free_balance(client: &Client, who: [u8; 32]) -> Result<u128> {
	Ok(native_balance(client, who).await?.free)
}

fn register_investor(who: [u8; 32]) -> Vec<Value> {
	vec![
		Value::unnamed_variant("Id", [Value::from_bytes(who)]),
		Value::unnamed_variant("None", []),
		Value::from_bytes(b"NL"),
		Value::unnamed_variant("Some", [Value::unnamed_variant("Retail", [])]),
		Value::unnamed_composite([Value::u128(ROLE_INVESTOR.into())]),
	]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_registered_identities_can_transact() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;

	// `//One` is endowed at genesis but has no identity: the pool refuses it with code 100.
	let one = dev_account("//One")?;
	match submit(&client, &one, "System", "remark", remark("hello")).await {
		Err(Failure::Other(e)) => {
			let message = format!("{e:#}");
			ensure!(message.contains(IDENTITY_REQUIRED), "unexpected refusal: {message}");
		}
		Err(Failure::Dispatch(e)) => bail!("refused in the block, not at the pool: {e}"),
		Ok(_) => bail!("an account without an identity transacted"),
	}

	// Bob is a registered issuer, not a registrar: he cannot register anyone.
	let bob = dev_account("//Bob")?;
	match submit(
		&client,
		&bob,
		"Identity",
		"register_identity",
		register_investor(account_id(&one)),
	)
	.await
	{
		Err(Failure::Dispatch(e)) => ensure!(e.contains("NotRegistrar"), "Bob's attempt: {e}"),
		other => bail!("Bob registered an identity: {:?}", other.map(|_| ())),
	}

	// Alice, the registrar, registers One as a retail investor; now One can transact.
	let alice = dev_account("//Alice")?;
	let events = submit_ok(
		&client,
		&alice,
		"Identity",
		"register_identity",
		register_investor(account_id(&one)),
	)
	.await?;
	ensure!(
		!find_events(&events, "Identity", "IdentityRegistered")?.is_empty(),
		"no IdentityRegistered event"
	);
	let events = submit_ok(&client, &one, "System", "remark_with_event", remark("hello")).await?;
	ensure!(!find_events(&events, "System", "Remarked")?.is_empty(), "One's remark left no event");

	// A registrar cannot suspend a council member (one registrar could otherwise disable
	// governance); governance removes Charlie from the council first. Then a member has no
	// exemption: suspended, Charlie cannot transact; reactivated, he can again.
	let charlie = dev_account("//Charlie")?;
	let charlie_id = || Value::unnamed_variant("Id", [Value::from_bytes(account_id(&charlie))]);
	match submit(&client, &alice, "Identity", "suspend", vec![charlie_id()]).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("TargetIsGovernor"), "suspending: {e}"),
		other => bail!("a registrar suspended a council member: {:?}", other.map(|_| ())),
	}
	let remove = Value::unnamed_variant(
		"CouncilMembership",
		[Value::named_variant("remove_member", [("who", charlie_id())])],
	);
	let events = submit_ok(&client, &alice, "Sudo", "sudo", vec![remove]).await?;
	ensure!(
		!find_events(&events, "CouncilMembership", "MemberRemoved")?.is_empty(),
		"Charlie is still on the council"
	);
	submit_ok(&client, &alice, "Identity", "suspend", vec![charlie_id()]).await?;
	match submit(&client, &charlie, "System", "remark", remark("council")).await {
		Err(Failure::Other(e)) => {
			let message = format!("{e:#}");
			ensure!(message.contains(IDENTITY_REQUIRED), "suspended member: {message}");
		}
		other => bail!("a suspended council member transacted: {:?}", other.map(|_| ())),
	}
	submit_ok(&client, &alice, "Identity", "reactivate", vec![charlie_id()]).await?;
	submit_ok(&client, &charlie, "System", "remark", remark("council")).await?;

	// A remark of 1 KiB goes through; one byte more is refused, and the sender pays for the
	// bytes anyway (0.0001 CBT each): the chain is not free bulk storage.
	let kib = "x".repeat(1024);
	submit_ok(&client, &charlie, "System", "remark", remark(&kib)).await?;
	let before = free_balance(&client, account_id(&charlie)).await?;
	let oversized = "x".repeat(64 * 1024 + 1);
	match submit(&client, &charlie, "System", "remark", remark(&oversized)).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("CallFiltered"), "oversized remark: {e}"),
		other => bail!("a 64 KiB remark was accepted: {:?}", other.map(|_| ())),
	}
	let paid = before - free_balance(&client, account_id(&charlie)).await?;
	// 65,537 bytes at 100 micro-CBT: at least 6.55 CBT (12 decimals).
	ensure!(paid >= 65_537 * 100_000_000, "a refused 64 KiB remark cost only {paid}");
	Ok(())
}
