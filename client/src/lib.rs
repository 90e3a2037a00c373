//! CityBond's chain client: one place where off-chain code talks to the chain. Signed
//! extrinsics that wait for finality and answer with the runtime's error in words, council
//! motions, events, the chain's clock, and ink! contracts through their cargo-contract bundles
//! (dry runs first, so a call that would revert is reported and never sent).
//!
//! Used by the `citybond` CLI, the dev launcher and the end-to-end tests.

pub mod bond;
pub mod contract;
pub mod identity;

use anyhow::{bail, ensure, Context, Result};
use codec::Decode;
use futures::StreamExt;
use std::path::PathBuf;
use subxt::{
	error::{DispatchError, TransactionEventsError, TransactionFinalizedSuccessError},
	ext::scale_value::Value,
	OnlineClient, SubstrateConfig,
};
use subxt_signer::sr25519::Keypair;

/// The chain client the tests use.
pub type Client = OnlineClient<SubstrateConfig>;

/// Events of a successful extrinsic.
pub type TxEvents = subxt::extrinsics::ExtrinsicEvents<SubstrateConfig>;

/// The cargo target directory the workspace builds into.
pub fn target_dir() -> PathBuf {
	std::env::var_os("CARGO_TARGET_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

/// A 32-byte account id, as the runtime and contracts see it.
pub fn account_id(signer: &Keypair) -> [u8; 32] {
	signer.public_key().0
}

/// An account id written as an SS58 address (generic prefix 42), as users read it.
pub fn address(id: &[u8; 32]) -> String {
	subxt::utils::AccountId32(*id).to_string()
}

/// An SS58 address (or `0x` and 64 hex digits) read as an account id; the error names the text.
pub fn parse_address(text: &str) -> Result<[u8; 32]> {
	if let Some(hex_text) = text.strip_prefix("0x") {
		let bytes = hex::decode(hex_text).with_context(|| format!("`{text}` is not hex"))?;
		return <[u8; 32]>::try_from(bytes.as_slice())
			.map_err(|_| anyhow::anyhow!("`{text}` is not 32 bytes"));
	}
	text.parse::<subxt::utils::AccountId32>()
		.map(|a| a.0)
		.map_err(|e| anyhow::anyhow!("`{text}` is not an SS58 address: {e}"))
}

/// How a submitted extrinsic ended, when it did not succeed.
#[derive(Debug)]
pub enum Failure {
	/// The runtime dispatched it and it failed: `pallet.error`, or a general error such as
	/// `BadOrigin`; or, for a contract call, its dry run reverted (then it is not submitted).
	Dispatch(String),
	/// It never got into a finalized block, or something else went wrong.
	Other(anyhow::Error),
}

/// Signs `call` with `signer`, submits it and waits until it is in a finalized block.
pub async fn submit(
	client: &Client,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	args: Vec<Value>,
) -> std::result::Result<TxEvents, Failure> {
	let payload = subxt::dynamic::tx(pallet, call, args);
	let at = client.at_current_block().await.map_err(|e| Failure::Other(e.into()))?;
	let progress =
		at.transactions().sign_and_submit_then_watch_default(&payload, signer).await.map_err(
			|e| Failure::Other(anyhow::Error::from(e).context(format!("submit {pallet}.{call}"))),
		)?;
	match progress.wait_for_finalized_success().await {
		Ok(events) => Ok(events),
		Err(TransactionFinalizedSuccessError::SuccessError(
			TransactionEventsError::ExtrinsicFailed(err),
		)) => Err(Failure::Dispatch(describe_dispatch_error(&err))),
		Err(e) => Err(Failure::Other(anyhow::Error::from(e).context(format!("{pallet}.{call}")))),
	}
}

/// The runtime dispatched an extrinsic and it failed (`pallet.call: Pallet.Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchFailed(pub String);

impl std::fmt::Display for DispatchFailed {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "failed on chain: {}", self.0)
	}
}

impl std::error::Error for DispatchFailed {}

/// Like [`submit`], but any failure is an error ([`DispatchFailed`] when the runtime refused).
pub async fn submit_ok(
	client: &Client,
	signer: &Keypair,
	pallet: &str,
	call: &str,
	args: Vec<Value>,
) -> Result<TxEvents> {
	match submit(client, signer, pallet, call, args).await {
		Ok(events) => Ok(events),
		Err(Failure::Dispatch(e)) => Err(DispatchFailed(format!("{pallet}.{call}: {e}")).into()),
		Err(Failure::Other(e)) => Err(e),
	}
}

fn describe_dispatch_error(err: &DispatchError) -> String {
	match err {
		DispatchError::Module(m) => m.details_string(),
		other => format!("{other:?}"),
	}
}

/// Upper bound of a council motion's encoded length, for `propose` and `close`.
pub const MOTION_LENGTH_BOUND: u32 = 1_000;

/// `key`, the sudo key (dev and test chains only), dispatches `call` as root. Fails with
/// [`DispatchFailed`] when the call itself failed (`Sudo.Sudid` carries its error).
pub async fn sudo(client: &Client, key: &Keypair, call: Value) -> Result<TxEvents> {
	let events = submit_ok(client, key, "Sudo", "sudo", vec![call]).await?;
	let sudid = find_events(&events, "Sudo", "Sudid")?;
	// `Sudid { sudo_result }`: the first byte is 0 for `Ok`, then the dispatch error.
	match sudid.as_slice() {
		[sudid] if sudid.fields.first() == Some(&0) => Ok(events),
		[sudid] => {
			let bytes = sudid.fields.get(1..).unwrap_or_default();
			let metadata = client.at_current_block().await?.metadata();
			// The error in words (`Pallet.Error`), as for a signed call; its bytes otherwise.
			let error = match DispatchError::decode_from(bytes, metadata) {
				Ok(error) => describe_dispatch_error(&error),
				Err(_) => format!("0x{}", hex::encode(bytes)),
			};
			Err(DispatchFailed(format!("sudo dispatched it and it failed: {error}")).into())
		}
		_ => bail!("no Sudo.Sudid event"),
	}
}

/// A council motion: its index and the hash of the call it proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Motion {
	/// The motion's index (counts every motion ever proposed).
	pub index: u32,
	/// The hash of the proposed call, which names the motion in votes.
	pub hash: [u8; 32],
}

/// The council's members now (`Council::Members`).
pub async fn council_members(client: &Client) -> Result<Vec<[u8; 32]>> {
	let at = client.at_current_block().await?;
	let members = at
		.storage()
		.fetch(subxt::dynamic::storage::<(), Vec<[u8; 32]>>("Council", "Members"), ())
		.await
		.context("read Council::Members")?;
	members.decode().context("decode Council::Members")
}

/// An open council motion and its votes so far (`Council::Voting`).
#[derive(Debug, Clone, PartialEq, Eq, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct Votes {
	/// The motion's index.
	pub index: u32,
	/// The ayes it needs.
	pub threshold: u32,
	/// Who voted aye.
	pub ayes: Vec<[u8; 32]>,
	/// Who voted nay.
	pub nays: Vec<[u8; 32]>,
	/// The block after which it may be closed whatever the votes.
	pub end: u32,
}

/// The council's open motions: each proposal's hash and its votes.
pub async fn council_motions(client: &Client) -> Result<Vec<([u8; 32], Votes)>> {
	let at = client.at_current_block().await?;
	let hashes: Vec<[u8; 32]> = at
		.storage()
		.fetch(subxt::dynamic::storage::<(), Vec<[u8; 32]>>("Council", "Proposals"), ())
		.await
		.context("read Council::Proposals")?
		.decode()
		.context("decode Council::Proposals")?;
	let mut motions = Vec::with_capacity(hashes.len());
	for hash in hashes {
		let votes: Votes = at
			.storage()
			.fetch(subxt::dynamic::storage::<([u8; 32],), Votes>("Council", "Voting"), (hash,))
			.await
			.context("read Council::Voting")?
			.decode()
			.context("decode Council::Voting")?;
		motions.push((hash, votes));
	}
	Ok(motions)
}

/// The votes a motion needs to carry as governance: two thirds of `members`, rounded up.
pub fn governance_threshold(members: usize) -> u32 {
	u32::try_from(members.saturating_mul(2).div_ceil(3)).unwrap_or(u32::MAX)
}

/// What proposing a council motion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposed {
	/// The motion is open for votes; the proposer still has to vote.
	Open(Motion),
	/// A threshold of one: the call executed at once (successfully).
	Executed,
}

/// `signer`, a council member, proposes `call` with `threshold` votes needed.
pub async fn council_propose(
	client: &Client,
	signer: &Keypair,
	threshold: u32,
	call: Value,
) -> Result<Proposed> {
	let events = submit_ok(
		client,
		signer,
		"Council",
		"propose",
		vec![Value::u128(threshold.into()), call, Value::u128(MOTION_LENGTH_BOUND.into())],
	)
	.await?;
	if let [executed] = find_events(&events, "Council", "Executed")?.as_slice() {
		// `Executed { proposal_hash, result }`: the result's first byte is 0 for `Ok`.
		if executed.fields.get(32) != Some(&0) {
			bail!(
				"the call executed at once and failed: 0x{}",
				hex::encode(&executed.fields[32..])
			);
		}
		return Ok(Proposed::Executed);
	}
	let proposed = find_events(&events, "Council", "Proposed")?;
	let [proposed] = proposed.as_slice() else { bail!("expected one Council.Proposed event") };
	let (_who, index, hash, _threshold) =
		<([u8; 32], u32, [u8; 32], u32)>::decode(&mut &proposed.fields[..])?;
	Ok(Proposed::Open(Motion { index, hash }))
}

/// `signer`, a council member, votes on `motion`.
pub async fn council_vote(
	client: &Client,
	signer: &Keypair,
	motion: Motion,
	aye: bool,
) -> Result<TxEvents> {
	submit_ok(
		client,
		signer,
		"Council",
		"vote",
		vec![Value::from_bytes(motion.hash), Value::u128(motion.index.into()), Value::bool(aye)],
	)
	.await
}

/// `signer` (any council member) closes `motion`: it executes if carried. Returns the events,
/// which carry the call's own; fails unless the motion executed and its call succeeded.
pub async fn council_close(client: &Client, signer: &Keypair, motion: Motion) -> Result<TxEvents> {
	let weight_bound = Value::named_composite([
		("ref_time", Value::u128(10_000_000_000)),
		("proof_size", Value::u128(1_000_000)),
	]);
	let events = submit_ok(
		client,
		signer,
		"Council",
		"close",
		vec![
			Value::from_bytes(motion.hash),
			Value::u128(motion.index.into()),
			weight_bound,
			Value::u128(MOTION_LENGTH_BOUND.into()),
		],
	)
	.await?;
	if !find_events(&events, "Council", "Disapproved")?.is_empty() {
		bail!("the motion was not carried (disapproved)");
	}
	let executed = find_events(&events, "Council", "Executed")?;
	let [executed] = executed.as_slice() else { bail!("the motion was not executed") };
	// `Executed { proposal_hash, result }`: the result's first byte is 0 for `Ok`.
	if executed.fields.get(32) != Some(&0) {
		bail!("the motion executed but its call failed: 0x{}", hex::encode(&executed.fields[32..]));
	}
	Ok(events)
}

/// Passes `call` through the council: `voters[0]` proposes it with a threshold of
/// `voters.len()`, every voter votes aye, and the last one closes the vote. Returns the events
/// of `close`, which carry the call's own events; fails unless the call executed successfully.
pub async fn council_motion(client: &Client, voters: &[&Keypair], call: Value) -> Result<TxEvents> {
	let Some((proposer, _)) = voters.split_first() else { bail!("a motion needs a voter") };
	let threshold = u32::try_from(voters.len())?;
	ensure!(voters.len() >= 2, "one voter's motion executes on proposal: use council_propose");
	let Proposed::Open(motion) = council_propose(client, proposer, threshold, call).await? else {
		bail!("the motion executed on proposal");
	};
	// Proposing is not voting: every member votes, the proposer included.
	for voter in voters {
		council_vote(client, voter, motion, true).await?;
	}
	council_close(client, voters.last().unwrap_or(proposer), motion).await
}

/// The events of `pallet.name` among `events`, as raw field bytes with their topics.
pub fn find_events(events: &TxEvents, pallet: &str, name: &str) -> Result<Vec<RawEvent>> {
	let mut found = Vec::new();
	for ev in events.iter() {
		let ev = ev.context("decode event")?;
		if ev.pallet_name() == pallet && ev.event_name() == name {
			found.push(RawEvent {
				fields: ev.field_bytes().to_vec(),
				topics: ev.topics().iter().map(|t| t.0).collect(),
			});
		}
	}
	Ok(found)
}

/// An event's SCALE-encoded fields and its topics.
#[derive(Debug, Clone)]
pub struct RawEvent {
	/// The event's fields, SCALE encoded.
	pub fields: Vec<u8>,
	/// The topics the runtime recorded with the event.
	pub topics: Vec<[u8; 32]>,
}

/// A call to submit: pallet, call name and arguments.
pub type Call = (&'static str, &'static str, Vec<Value>);

/// Signs each of `calls` with `signer` at consecutive nonces from its next one (at the latest
/// finalized block), submits them all to the pool, and waits until the signer's finalized nonce
/// shows every one in a block. For setting up a benchmark's population fast: it does not watch
/// each transaction (a thousand watchers outrun the client's pinned blocks), so it does not tell
/// whether each one succeeded; the caller checks the state they should have made.
pub async fn submit_batch(client: &Client, signer: &Keypair, calls: Vec<Call>) -> Result<()> {
	let account: subxt::utils::AccountId32 = signer.public_key().into();
	let at = client.at_current_block().await?;
	let first = at.transactions().account_nonce(&account).await?;
	let count = u64::try_from(calls.len())?;
	// Immortal: submitting a thousand takes longer than a mortal transaction's default era.
	let submissions = (first..).zip(calls).map(|(nonce, (pallet, call, args))| {
		let at = &at;
		async move {
			let params = subxt::config::SubstrateExtrinsicParamsBuilder::new()
				.nonce(nonce)
				.immortal()
				.build();
			at.transactions()
				.sign_and_submit(&subxt::dynamic::tx(pallet, call, args), signer, params)
				.await
				.with_context(|| format!("submit {pallet}.{call} at nonce {nonce}"))
		}
	});
	let mut pending = futures::stream::iter(submissions).buffer_unordered(16);
	while let Some(outcome) = pending.next().await {
		outcome?;
	}
	let expected = first.checked_add(count).context("nonce overflow")?;
	// A few seconds a block, and a block holds at least a hundred of these.
	let timeout = std::time::Duration::from_secs(60_u64.saturating_add(count / 10));
	let started = std::time::Instant::now();
	loop {
		let done = client.at_current_block().await?.transactions().account_nonce(&account).await?;
		if done >= expected {
			return Ok(());
		}
		if started.elapsed() > timeout {
			bail!(
				"{} of {count} transactions finalized in {timeout:?}",
				done.saturating_sub(first)
			);
		}
		tokio::time::sleep(std::time::Duration::from_secs(1)).await;
	}
}

/// An account's native balance (CBT, 12 decimals): `pallet_balances::AccountData`, as
/// `System::Account` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
pub struct NativeBalance {
	/// What it can spend (fees come out of it).
	pub free: u128,
	/// What is held or reserved (feed deposits among them).
	pub reserved: u128,
}

/// `frame_system::AccountInfo`, only its balances.
#[derive(subxt::ext::scale_decode::DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct AccountInfo {
	data: NativeBalance,
}

/// `who`'s native balance at the latest finalized block.
pub async fn native_balance(client: &Client, who: [u8; 32]) -> Result<NativeBalance> {
	let at = client.at_current_block().await?;
	let info = at
		.storage()
		.try_fetch(subxt::dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account"), (who,))
		.await
		.context("read System::Account")?
		.context("no System::Account entry")?;
	Ok(info.decode().context("decode System::Account")?.data)
}

/// The chain's clock: `Timestamp::Now` (ms since the Unix epoch) at the latest finalized block,
/// the state that dry runs and queries read.
pub async fn chain_now(client: &Client) -> Result<u64> {
	let at = client.at_current_block().await?;
	let now = at
		.storage()
		.fetch(subxt::dynamic::storage::<(), u64>("Timestamp", "Now"), ())
		.await
		.context("read Timestamp::Now")?;
	now.decode().context("decode Timestamp::Now")
}

/// Waits until the latest finalized block's timestamp is past `at` (ms), so that calls dry-run
/// and executed from now on see the chain's clock past it.
pub async fn wait_chain_past(client: &Client, at: u64) -> Result<()> {
	let started = std::time::Instant::now();
	while chain_now(client).await? <= at {
		if started.elapsed() > std::time::Duration::from_secs(120) {
			bail!("the chain's finalized clock did not pass {at} within 2 minutes");
		}
		tokio::time::sleep(std::time::Duration::from_millis(500)).await;
	}
	Ok(())
}
