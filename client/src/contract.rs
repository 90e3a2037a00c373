//! ink! contracts on the real node, driven through their cargo-contract bundle: the wasm code,
//! and the metadata that gives each constructor's and message's selector and each event's
//! signature topic.

use crate::{find_events, submit, submit_ok, Client, Failure, TxEvents};
use anyhow::{anyhow, bail, ensure, Context, Result};
use codec::{Decode, Encode};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use subxt::ext::{scale_decode::DecodeAsType, scale_value::Value};
use subxt_signer::sr25519::Keypair;

/// Gas limit (`ref_time`, `proof_size`) for a contract extrinsic: the dry run's estimate, with
/// this much headroom, since state may change between the dry run and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 50;

/// The most storage deposit a dry run may use (100 CBT): high enough for any of our contracts,
/// so the dry run reports what is really needed, which the extrinsic then allows exactly.
const DRY_RUN_DEPOSIT_CAP: u128 = 100_000_000_000_000;

/// A contract's cargo-contract bundle (`<name>.contract`): code plus metadata.
pub struct Bundle {
	/// The optimized wasm code.
	pub code: Vec<u8>,
	/// The code hash cargo-contract computed (blake2-256 of the code).
	pub code_hash: [u8; 32],
	metadata: Json,
}

impl Bundle {
	/// Loads `<dir>/<name>/<name>.contract`; `dir` defaults to `$CITYBOND_CONTRACTS` or
	/// `$CARGO_TARGET_DIR/ink`.
	pub fn load(name: &str) -> Result<Self> {
		let dir = std::env::var_os("CITYBOND_CONTRACTS")
			.map(PathBuf::from)
			.unwrap_or_else(|| crate::target_dir().join("ink"));
		Self::from_file(&dir.join(name).join(format!("{name}.contract")))
	}

	/// Loads a `.contract` bundle file.
	pub fn from_file(path: &Path) -> Result<Self> {
		let text = std::fs::read_to_string(path).with_context(|| {
			format!(
				"read contract bundle {} (build it with scripts/build-contracts.sh)",
				path.display()
			)
		})?;
		let metadata: Json = serde_json::from_str(&text).context("contract bundle is not JSON")?;
		let code = hex_field(&metadata["source"]["wasm"]).context("source.wasm")?;
		let code_hash: [u8; 32] = hex_field(&metadata["source"]["hash"])
			.context("source.hash")?
			.try_into()
			.map_err(|_| anyhow!("source.hash is not 32 bytes"))?;
		Ok(Self { code, code_hash, metadata })
	}

	fn selector(&self, section: &str, label: &str) -> Result<Vec<u8>> {
		let items = self.metadata["spec"][section]
			.as_array()
			.ok_or_else(|| anyhow!("metadata has no spec.{section}"))?;
		let item = items
			.iter()
			.find(|c| c["label"] == label)
			.ok_or_else(|| anyhow!("metadata has no {section} entry '{label}'"))?;
		hex_field(&item["selector"]).with_context(|| format!("selector of {label}"))
	}

	/// Call data for constructor `label`: its selector followed by the SCALE-encoded arguments.
	pub fn constructor(&self, label: &str, args: impl Encode) -> Result<Vec<u8>> {
		let mut data = self.selector("constructors", label)?;
		args.encode_to(&mut data);
		Ok(data)
	}

	/// Call data for message `label`.
	pub fn message(&self, label: &str, args: impl Encode) -> Result<Vec<u8>> {
		let mut data = self.selector("messages", label)?;
		args.encode_to(&mut data);
		Ok(data)
	}

	/// The signature topic ink! records first with every event named `label`.
	pub fn event_topic(&self, label: &str) -> Result<[u8; 32]> {
		let events = self.metadata["spec"]["events"]
			.as_array()
			.ok_or_else(|| anyhow!("metadata has no spec.events"))?;
		let event = events
			.iter()
			.find(|e| e["label"] == label)
			.ok_or_else(|| anyhow!("metadata has no event '{label}'"))?;
		hex_field(&event["signature_topic"])?
			.try_into()
			.map_err(|_| anyhow!("signature topic of {label} is not 32 bytes"))
	}
}

fn hex_field(v: &Json) -> Result<Vec<u8>> {
	let s = v.as_str().ok_or_else(|| anyhow!("expected a hex string, found {v}"))?;
	hex::decode(s.trim_start_matches("0x")).context("invalid hex")
}

/// A contract event as ink! emits it: the contract, its topics, its SCALE-encoded fields.
#[derive(Debug, Clone)]
pub struct ContractEvent {
	/// The emitting contract.
	pub contract: [u8; 32],
	/// Topics; the first is the event's signature topic.
	pub topics: Vec<[u8; 32]>,
	/// The event's fields, SCALE encoded in declaration order.
	pub data: Vec<u8>,
}

/// The `Contracts.ContractEmitted` events among `events`.
pub fn emitted(events: &TxEvents) -> Result<Vec<ContractEvent>> {
	find_events(events, "Contracts", "ContractEmitted")?
		.into_iter()
		.map(|raw| {
			let (contract, data) = <([u8; 32], Vec<u8>)>::decode(&mut &raw.fields[..])
				.context("decode ContractEmitted")?;
			Ok(ContractEvent { contract, topics: raw.topics, data })
		})
		.collect()
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct Weight {
	ref_time: u64,
	proof_size: u64,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ExecReturnValue {
	flags: ReturnFlags,
	data: Vec<u8>,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ReturnFlags {
	bits: u32,
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct InstantiateReturnValue {
	result: ExecReturnValue,
	account_id: [u8; 32],
}

/// What a call charges or refunds in storage deposit.
#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
enum StorageDeposit {
	// The amount is decoded to match the runtime's type; a refund needs no deposit limit.
	Refund(#[allow(dead_code)] u128),
	Charge(u128),
}

impl StorageDeposit {
	/// The deposit limit an extrinsic needs for this outcome.
	fn limit(&self) -> u128 {
		match self {
			StorageDeposit::Refund(_) => 0,
			StorageDeposit::Charge(amount) => *amount,
		}
	}
}

#[derive(Debug, DecodeAsType)]
#[decode_as_type(crate_path = "subxt::ext::scale_decode")]
struct ContractResult<Ret> {
	gas_required: Weight,
	storage_deposit: StorageDeposit,
	result: Result<Ret, Value>,
}

/// The outcome of a contract call's dry run.
#[derive(Debug)]
pub struct DryRun {
	/// What the contract returned (SCALE encoded), if it ran to completion.
	pub data: Vec<u8>,
	/// Whether the contract reverted its changes.
	pub reverted: bool,
	/// The gas the call needs.
	pub gas_required: (u64, u64),
	/// The storage deposit the call needs.
	pub deposit: u128,
}

fn weight_value((ref_time, proof_size): (u64, u64)) -> Value {
	let with_headroom = |w: u64| w.saturating_add(w.saturating_mul(GAS_HEADROOM_PERCENT) / 100);
	Value::named_composite([
		("ref_time", Value::u128(with_headroom(ref_time).into())),
		("proof_size", Value::u128(with_headroom(proof_size).into())),
	])
}

/// Uploads `bundle`'s code as `signer`. Returns the events, or how it failed.
pub async fn upload(
	client: &Client,
	signer: &Keypair,
	bundle: &Bundle,
) -> std::result::Result<TxEvents, Failure> {
	submit(
		client,
		signer,
		"Contracts",
		"upload_code",
		vec![
			Value::from_bytes(&bundle.code),
			Value::unnamed_variant("None", []),
			Value::unnamed_variant("Enforced", []),
		],
	)
	.await
}

/// What instantiating would do, by dry run.
#[derive(Debug, Clone)]
pub struct InstantiatePreview {
	/// The new contract's address.
	pub address: [u8; 32],
	/// The gas it needs (ref_time, proof_size).
	pub gas_required: (u64, u64),
	/// The storage deposit it needs.
	pub deposit: u128,
}

/// Dry-runs instantiating uploaded code as `origin` with constructor call `data`. Answers the
/// preview, or (inner `Err`) the constructor's revert output; an outer error is the runtime
/// refusing the dry run itself (for example code that is not on the chain).
pub async fn instantiate_dry_run(
	client: &Client,
	origin: [u8; 32],
	code_hash: [u8; 32],
	data: Vec<u8>,
	salt: Vec<u8>,
) -> Result<std::result::Result<InstantiatePreview, Vec<u8>>> {
	let at = client.at_current_block().await?;
	let code = Value::unnamed_variant("Existing", [Value::from_bytes(code_hash)]);
	let dry: ContractResult<InstantiateReturnValue> = at
		.runtime_apis()
		.call(subxt::dynamic::runtime_api_call::<_, ContractResult<InstantiateReturnValue>>(
			"ContractsApi",
			"instantiate",
			(origin, 0u128, None::<()>, Some(DRY_RUN_DEPOSIT_CAP), code, data, salt),
		))
		.await
		.context("dry-run instantiate")?;
	let ret = dry
		.result
		.map_err(|e| crate::DispatchFailed(format!("Contracts.instantiate (dry run): {e}")))?;
	if ret.result.flags.bits & 1 != 0 {
		return Ok(Err(ret.result.data));
	}
	Ok(Ok(InstantiatePreview {
		address: ret.account_id,
		gas_required: (dry.gas_required.ref_time, dry.gas_required.proof_size),
		deposit: dry.storage_deposit.limit(),
	}))
}

/// Who instantiates code, and through which call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
	/// A member of `ContractDeployers`, any uploaded code: `Contracts.instantiate`.
	Deployer,
	/// An account holding the `Issuer` role, governance-approved code only:
	/// `Issuance.instantiate`.
	Issuer,
}

/// Instantiates uploaded code as `signer` with constructor call `data`, after a dry run.
/// Answers the new contract's address and the events, or (inner `Err`) the constructor's
/// revert output, in which case nothing was sent.
pub async fn instantiate_checked(
	client: &Client,
	signer: &Keypair,
	code_hash: [u8; 32],
	data: Vec<u8>,
	salt: Vec<u8>,
) -> Result<std::result::Result<([u8; 32], TxEvents), Vec<u8>>> {
	instantiate_via(client, signer, Via::Deployer, code_hash, data, salt).await
}

/// Like [`instantiate_checked`], through the call `via` names.
pub async fn instantiate_via(
	client: &Client,
	signer: &Keypair,
	via: Via,
	code_hash: [u8; 32],
	data: Vec<u8>,
	salt: Vec<u8>,
) -> Result<std::result::Result<([u8; 32], TxEvents), Vec<u8>>> {
	let origin = crate::account_id(signer);
	// The dry run runs the constructor only: the pallet's own check would fail the call on
	// chain, fee paid.
	if via == Via::Issuer && !is_approved(client, code_hash).await? {
		return Err(crate::DispatchFailed(format!(
			"Issuance.CodeNotApproved: code 0x{} is not approved for issuers (nothing sent)",
			hex::encode(code_hash)
		))
		.into());
	}
	let preview =
		match instantiate_dry_run(client, origin, code_hash, data.clone(), salt.clone()).await? {
			Ok(preview) => preview,
			Err(output) => return Ok(Err(output)),
		};
	let mut args = vec![
		weight_value(preview.gas_required),
		Value::unnamed_variant("Some", [Value::u128(preview.deposit)]),
		Value::from_bytes(code_hash),
		Value::from_bytes(&data),
		Value::from_bytes(&salt),
	];
	let events = match via {
		Via::Deployer => {
			args.insert(0, Value::u128(0));
			submit_ok(client, signer, "Contracts", "instantiate", args).await?
		}
		Via::Issuer => submit_ok(client, signer, "Issuance", "instantiate", args).await?,
	};
	let instantiated = find_events(&events, "Contracts", "Instantiated")?;
	let [event] = instantiated.as_slice() else {
		bail!("expected one Contracts.Instantiated event, got {}", instantiated.len());
	};
	let (_deployer, contract) = <([u8; 32], [u8; 32])>::decode(&mut &event.fields[..])?;
	ensure!(contract == preview.address, "dry run and chain disagree on the contract address");
	Ok(Ok((contract, events)))
}

/// Instantiates uploaded code as `signer` with constructor call `data`; returns the new
/// contract's address and the events. A constructor that reverts is an error.
pub async fn instantiate(
	client: &Client,
	signer: &Keypair,
	code_hash: [u8; 32],
	data: Vec<u8>,
	salt: Vec<u8>,
) -> Result<([u8; 32], TxEvents)> {
	instantiate_checked(client, signer, code_hash, data, salt)
		.await?
		.map_err(|output| anyhow!("constructor reverted: 0x{}", hex::encode(output)))
}

/// Instantiates governance-approved code as `signer`, an issuer, with constructor call `data`
/// (`Issuance.instantiate`); returns the new contract's address and the events. A constructor
/// that reverts is an error.
pub async fn issue(
	client: &Client,
	signer: &Keypair,
	code_hash: [u8; 32],
	data: Vec<u8>,
	salt: Vec<u8>,
) -> Result<([u8; 32], TxEvents)> {
	instantiate_via(client, signer, Via::Issuer, code_hash, data, salt)
		.await?
		.map_err(|output| anyhow!("constructor reverted: 0x{}", hex::encode(output)))
}

/// The call `Issuance.approve_code(code_hash, label)`, for governance to dispatch (a council
/// motion, or sudo on a test chain).
pub fn approve_code_call(code_hash: [u8; 32], label: &str) -> Value {
	Value::unnamed_variant(
		"Issuance",
		[Value::named_variant(
			"approve_code",
			[("code_hash", Value::from_bytes(code_hash)), ("label", Value::from_bytes(label))],
		)],
	)
}

/// The call `Issuance.revoke_code(code_hash)`, for governance to dispatch.
pub fn revoke_code_call(code_hash: [u8; 32]) -> Value {
	Value::unnamed_variant(
		"Issuance",
		[Value::named_variant("revoke_code", [("code_hash", Value::from_bytes(code_hash))])],
	)
}

/// Whether governance has approved `code_hash` for issuers (`Issuance::ApprovedCode`).
pub async fn is_approved(client: &Client, code_hash: [u8; 32]) -> Result<bool> {
	let at = client.at_current_block().await?;
	let approval = at
		.storage()
		.try_fetch(
			subxt::dynamic::storage::<([u8; 32],), Value>("Issuance", "ApprovedCode"),
			(code_hash,),
		)
		.await
		.context("read Issuance::ApprovedCode")?;
	Ok(approval.is_some())
}

/// Approves `code_hash` for issuers through sudo, unless it is approved already: for dev and
/// test chains, whose genesis has a sudo key. (On a chain without one the council approves it
/// by motion: [`crate::council_motion`] with [`approve_code_call`].)
pub async fn approve_code_by_sudo(
	client: &Client,
	sudo: &Keypair,
	code_hash: [u8; 32],
	label: &str,
) -> Result<()> {
	if is_approved(client, code_hash).await? {
		return Ok(());
	}
	crate::sudo(client, sudo, approve_code_call(code_hash, label))
		.await
		.with_context(|| format!("sudo approving code 0x{}", hex::encode(code_hash)))?;
	Ok(())
}

/// Uploads `bundle`'s code as `deployer` (a contract deployer) unless it is on chain already,
/// and has governance (`sudo`: dev and test chains) approve it for issuers, labelled with the
/// bundle's name.
pub async fn upload_and_approve(
	client: &Client,
	deployer: &Keypair,
	sudo: &Keypair,
	bundle: &Bundle,
	label: &str,
) -> Result<()> {
	// Uploading code already on chain succeeds and changes nothing.
	upload(client, deployer, bundle).await.map_err(|e| anyhow!("upload {label}: {e:?}"))?;
	approve_code_by_sudo(client, sudo, bundle.code_hash, label).await
}

/// Uploads the bundle `name` as `deployer`, has it approved (by `deployer` as sudo: dev and
/// test chains), and instantiates it as `issuer` with constructor `constructor(args)`. Returns
/// the bundle and the contract's address.
pub async fn deploy_as_issuer(
	client: &Client,
	deployer: &Keypair,
	issuer: &Keypair,
	name: &str,
	constructor: &str,
	args: impl Encode,
) -> Result<(Bundle, [u8; 32])> {
	let bundle = Bundle::load(name)?;
	upload_and_approve(client, deployer, deployer, &bundle, name).await?;
	let data = bundle.constructor(constructor, args)?;
	let (address, _events) =
		issue(client, issuer, bundle.code_hash, data, name.as_bytes().to_vec()).await?;
	Ok((bundle, address))
}

/// Uploads the bundle `name` as `signer` (a contract deployer) and instantiates it with
/// constructor `constructor(args)`. Returns the bundle and the contract's address.
pub async fn deploy(
	client: &Client,
	signer: &Keypair,
	name: &str,
	constructor: &str,
	args: impl Encode,
) -> Result<(Bundle, [u8; 32])> {
	let bundle = Bundle::load(name)?;
	upload(client, signer, &bundle).await.map_err(|e| anyhow!("upload {name}: {e:?}"))?;
	let data = bundle.constructor(constructor, args)?;
	let (address, _events) =
		instantiate(client, signer, bundle.code_hash, data, name.as_bytes().to_vec()).await?;
	Ok((bundle, address))
}

/// Dry-runs message call `data` on `contract` as `origin`, at the latest finalized block.
pub async fn dry_run(
	client: &Client,
	origin: [u8; 32],
	contract: [u8; 32],
	data: Vec<u8>,
) -> Result<DryRun> {
	dry_run_with_cap(client, origin, contract, data, Some(DRY_RUN_DEPOSIT_CAP)).await
}

/// Reads a message's result by dry run as nobody in particular (the all-zero account, with no
/// storage deposit allowed): for views, which need no key and change nothing.
pub async fn read<T: Decode>(client: &Client, contract: [u8; 32], data: Vec<u8>) -> Result<T> {
	let dry = dry_run_with_cap(client, [0; 32], contract, data, None).await?;
	ensure!(!dry.reverted, "query reverted: 0x{}", hex::encode(&dry.data));
	let result = <Result<T, u8>>::decode(&mut &dry.data[..]).context("decode query result")?;
	result.map_err(|lang_error| anyhow!("ink! LangError {lang_error}"))
}

async fn dry_run_with_cap(
	client: &Client,
	origin: [u8; 32],
	contract: [u8; 32],
	data: Vec<u8>,
	deposit_cap: Option<u128>,
) -> Result<DryRun> {
	let at = client.at_current_block().await?;
	let dry: ContractResult<ExecReturnValue> = at
		.runtime_apis()
		.call(subxt::dynamic::runtime_api_call::<_, ContractResult<ExecReturnValue>>(
			"ContractsApi",
			"call",
			(origin, contract, 0u128, None::<()>, deposit_cap, data),
		))
		.await
		.context("dry-run call")?;
	let ret =
		dry.result.map_err(|e| crate::DispatchFailed(format!("Contracts.call (dry run): {e}")))?;
	Ok(DryRun {
		data: ret.data,
		reverted: ret.flags.bits & 1 == 1,
		gas_required: (dry.gas_required.ref_time, dry.gas_required.proof_size),
		deposit: dry.storage_deposit.limit(),
	})
}

/// Reads a message's result by dry run and decodes ink!'s `Result<T, LangError>` wrapper.
pub async fn query<T: Decode>(
	client: &Client,
	origin: [u8; 32],
	contract: [u8; 32],
	data: Vec<u8>,
) -> Result<T> {
	let dry = dry_run(client, origin, contract, data).await?;
	ensure!(!dry.reverted, "query reverted: 0x{}", hex::encode(&dry.data));
	let result = <Result<T, u8>>::decode(&mut &dry.data[..]).context("decode query result")?;
	result.map_err(|lang_error| anyhow!("ink! LangError {lang_error}"))
}

/// Calls message `data` on `contract` as `signer`, with gas from a dry run. Returns the events,
/// or how it failed.
pub async fn call(
	client: &Client,
	signer: &Keypair,
	contract: [u8; 32],
	data: Vec<u8>,
) -> std::result::Result<TxEvents, Failure> {
	let dry = dry_run(client, crate::account_id(signer), contract, data.clone())
		.await
		.map_err(Failure::Other)?;
	// A message that reverts in the dry run would revert on chain too; the dry run's output
	// says why (ink!'s `Ok(Err(error))`: 0x0001 then the contract's error), the chain does not.
	if dry.reverted {
		return Err(Failure::Dispatch(format!(
			"Contracts::ContractReverted (dry run output 0x{})",
			hex::encode(&dry.data)
		)));
	}
	submit_call(client, signer, contract, dry.gas_required, dry.deposit, &data).await
}

/// Sends message `data` to `contract` as `signer` with a gas limit (ref_time, proof_size; a
/// dry run's figures, to which headroom is added) and a storage deposit limit, and waits for
/// finality.
pub async fn submit_call(
	client: &Client,
	signer: &Keypair,
	contract: [u8; 32],
	gas: (u64, u64),
	deposit: u128,
	data: &[u8],
) -> std::result::Result<TxEvents, Failure> {
	submit(client, signer, "Contracts", "call", call_args(contract, gas, deposit, data)).await
}

/// The arguments of `Contracts.call` for message `data` on `contract`, with a gas limit
/// (ref_time, proof_size) and a storage deposit limit.
pub fn call_args(contract: [u8; 32], gas: (u64, u64), deposit: u128, data: &[u8]) -> Vec<Value> {
	vec![
		Value::unnamed_variant("Id", [Value::from_bytes(contract)]),
		Value::u128(0),
		weight_value(gas),
		Value::unnamed_variant("Some", [Value::u128(deposit)]),
		Value::from_bytes(data),
	]
}
