//! Issuers issue their own bonds on a real dev node, from code governance approved, and nobody
//! issues in another's name.
//!
//! Alice (a contract deployer) uploads the green bond's and the cash token's code. Refused,
//! each with the reason named and no contract made: Bob (an issuer) instantiating code the
//! council has not approved; Charlie (an investor, no Issuer role) instantiating approved code;
//! Bob sending terms that name Charlie (the bond's constructor reverts);
//! Alice, a deployer, setting up a bond whose terms name Bob (the contract's own check, seen
//! in its dry run and on chain); an account whose Issuer role the registrar replaced; and a
//! registrar cannot suspend Bob, a council member. The council approves the green bond's code by
//! motion; Bob issues and the bond is his; the council revokes the approval: no new bonds, the
//! existing one keeps answering.

// Times are small sums of milliseconds from the chain's clock.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{bail, ensure, Context, Result};
use citybond_e2e::{
	account_id,
	bond::{deploy_cash, plain_terms, BondTerms, Limits, PlainDates},
	chain_now,
	contract::{self, Bundle},
	council_motion, find_events,
	node::Node,
	submit, submit_ok, Failure,
};
use codec::Decode;
use subxt::ext::scale_value::Value;
use subxt_signer::sr25519::{dev, Keypair};

/// Terms of a plain 4 % bond of `issuer` settling in `cash`, subscriptions open from `now`.
fn terms(issuer: [u8; 32], cash: [u8; 32], now: u64) -> BondTerms {
	let issue = now + 600_000;
	let dates = PlainDates {
		start: now,
		sub_end: issue - 60_000,
		issue,
		period_ms: 60_000,
		record_offset_ms: 5_000,
	};
	plain_terms(*b"XS2407019798", issuer, cash, 100, dates)
}

/// The arguments of `Issuance.instantiate`, with generous limits (no dry run: the pallet's
/// refusals come before the contract runs).
fn instantiate_args(code_hash: [u8; 32], data: &[u8], salt: &[u8]) -> Vec<Value> {
	vec![
		Value::named_composite([
			("ref_time", Value::u128(50_000_000_000)),
			("proof_size", Value::u128(1_000_000)),
		]),
		Value::unnamed_variant("Some", [Value::u128(10_000_000_000_000)]),
		Value::from_bytes(code_hash),
		Value::from_bytes(data),
		Value::from_bytes(salt),
	]
}

/// `who` sends `Issuance.instantiate`; it must fail on chain with an error naming `expected`.
async fn refused(
	client: &citybond_e2e::Client,
	who: &Keypair,
	code_hash: [u8; 32],
	data: &[u8],
	expected: &str,
) -> Result<()> {
	match submit(client, who, "Issuance", "instantiate", instantiate_args(code_hash, data, b"x"))
		.await
	{
		Err(Failure::Dispatch(e)) => {
			ensure!(e.contains(expected), "expected {expected}, the chain said {e}");
			Ok(())
		}
		Err(Failure::Other(e)) => bail!("not dispatched: {e:#}"),
		Ok(events) => {
			let made = find_events(&events, "Contracts", "Instantiated")?.len();
			bail!("instantiated ({made} contracts) where {expected} was expected")
		}
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuers_issue_approved_code_in_their_own_name_only() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 2).await?;
	let client = node.client().await?;
	let (alice, bob, charlie) = (dev::alice(), dev::bob(), dev::charlie());

	let (cash, cash_id) = deploy_cash(&client).await?;
	let green = Bundle::load("green_bond")?;
	contract::upload(&client, &alice, &green)
		.await
		.map_err(|e| anyhow::anyhow!("upload: {e:?}"))?;
	let now = chain_now(&client).await?;
	let limits = || Limits { max_subscribers: 10, max_holders: 20 };
	let bobs = green.constructor(
		"new",
		(terms(account_id(&bob), cash_id, now), vec![account_id(&alice)], limits()),
	)?;

	// Uploaded is not approved: Bob is refused.
	ensure!(!contract::is_approved(&client, green.code_hash).await?, "approved at upload");
	refused(&client, &bob, green.code_hash, &bobs, "CodeNotApproved").await?;

	// A member alone is not governance; a motion of two of the three is.
	match submit(&client, &bob, "Issuance", "approve_code", {
		vec![Value::from_bytes(green.code_hash), Value::from_bytes(b"mine")]
	})
	.await
	{
		Err(Failure::Dispatch(e)) => ensure!(e == "BadOrigin", "Bob's approval: {e}"),
		other => bail!("Bob alone approved code: {:?}", other.map(|_| ())),
	}
	let events = council_motion(
		&client,
		&[&alice, &bob],
		contract::approve_code_call(green.code_hash, "green_bond 0.1.0"),
	)
	.await?;
	ensure!(
		find_events(&events, "Issuance", "CodeApproved")?.len() == 1,
		"no Issuance.CodeApproved event"
	);
	ensure!(contract::is_approved(&client, green.code_hash).await?, "not approved");

	// Refused: the cash token's code (on chain, not approved); Charlie, who holds no Issuer
	// role, with terms naming himself.
	refused(&client, &bob, cash.code_hash, &bobs, "CodeNotApproved").await?;
	let charlies = green.constructor(
		"new",
		(terms(account_id(&charlie), cash_id, now), vec![account_id(&alice)], limits()),
	)?;
	refused(&client, &charlie, green.code_hash, &charlies, "NotAnIssuer").await?;
	// Bob, an issuer, sending terms that name Charlie: the pallet lets him through, the bond
	// refuses (its constructor reverts), and nothing is made.
	refused(&client, &bob, green.code_hash, &charlies, "ContractReverted").await?;

	// Alice, a contract deployer, may instantiate any code directly, but the bond refuses
	// terms naming another issuer than its caller: in the dry run, in the contract's words,
	// and on chain.
	let dry = contract::instantiate_dry_run(
		&client,
		account_id(&alice),
		green.code_hash,
		bobs.clone(),
		b"a".to_vec(),
	)
	.await?;
	match dry {
		Err(output) => {
			let why = citybond_client::bond::revert_of_bond(&output).to_string();
			ensure!(why.contains("NotIssuer"), "Alice's dry run: {why}");
		}
		Ok(preview) => bail!("Alice could set up Bob's bond at {:?}", preview.address),
	}
	let direct = vec![
		Value::u128(0),
		Value::named_composite([
			("ref_time", Value::u128(50_000_000_000)),
			("proof_size", Value::u128(1_000_000)),
		]),
		Value::unnamed_variant("Some", [Value::u128(10_000_000_000_000)]),
		Value::from_bytes(green.code_hash),
		Value::from_bytes(&bobs),
		Value::from_bytes(b"a"),
	];
	match submit(&client, &alice, "Contracts", "instantiate", direct).await {
		Err(Failure::Dispatch(e)) => ensure!(e.contains("ContractReverted"), "Alice: {e}"),
		other => bail!("Alice set up Bob's bond on chain: {:?}", other.map(|_| ())),
	}

	// The role is read when it is used: Alice (the registrar) registers One as an issuer, then
	// makes it an auditor instead; its identity stays active, so it still transacts, but the
	// pallet refuses it as an issuer. (A council member such as Bob cannot be suspended by a
	// registrar at all: `TargetIsGovernor`.)
	let one = Keypair::from_uri(&"//One".parse()?)?;
	let one_id = || Value::unnamed_variant("Id", [Value::from_bytes(account_id(&one))]);
	let roles = |bits: u8| Value::unnamed_composite([Value::u128(bits.into())]);
	submit_ok(
		&client,
		&alice,
		"Identity",
		"register_identity",
		vec![
			one_id(),
			Value::unnamed_variant("None", []),
			Value::from_bytes(b"NL"),
			Value::unnamed_variant("None", []),
			roles(1 << 1),
		],
	)
	.await?;
	let ones = green.constructor(
		"new",
		(terms(account_id(&one), cash_id, now), vec![account_id(&alice)], limits()),
	)?;
	ensure!(
		contract::instantiate_dry_run(
			&client,
			account_id(&one),
			green.code_hash,
			ones.clone(),
			b"1".to_vec()
		)
		.await?
		.is_ok(),
		"One, an issuer, could not set up its own bond in a dry run"
	);
	submit_ok(
		&client,
		&alice,
		"Identity",
		"set_roles",
		vec![one_id(), roles(1 << 3), Value::unnamed_variant("None", [])],
	)
	.await?;
	refused(&client, &one, green.code_hash, &ones, "NotAnIssuer").await?;
	match submit(
		&client,
		&alice,
		"Identity",
		"suspend",
		vec![Value::unnamed_variant("Id", [Value::from_bytes(account_id(&bob))])],
	)
	.await
	{
		Err(Failure::Dispatch(e)) => ensure!(e.contains("TargetIsGovernor"), "suspending Bob: {e}"),
		other => bail!("a registrar suspended Bob, a council member: {:?}", other.map(|_| ())),
	}

	// Bob issues his bond, as himself.
	let (bond, events) =
		contract::issue(&client, &bob, green.code_hash, bobs.clone(), b"bob".to_vec()).await?;
	let issued = find_events(&events, "Issuance", "Issued")?;
	let [issued] = issued.as_slice() else { bail!("expected one Issuance.Issued event") };
	let (issuer, code_hash, contract_id) =
		<([u8; 32], [u8; 32], [u8; 32])>::decode(&mut &issued.fields[..])?;
	ensure!(
		(issuer, code_hash, contract_id) == (account_id(&bob), green.code_hash, bond),
		"Issuance.Issued names another issuer, code or contract"
	);
	let instantiated = find_events(&events, "Contracts", "Instantiated")?;
	let deployer = <[u8; 32]>::decode(&mut &instantiated[0].fields[..])?;
	ensure!(deployer == account_id(&bob), "the bond's deployer is not Bob");
	let bond_view = citybond_client::bond::GreenBond(bond);
	let state = bond_view.state(&client).await?.context("the bond has no state")?;
	ensure!(state.issuer == account_id(&bob), "the bond's issuer is not Bob");

	// Revoked: no new bonds; the existing one keeps answering.
	council_motion(&client, &[&alice, &bob], contract::revoke_code_call(green.code_hash)).await?;
	ensure!(!contract::is_approved(&client, green.code_hash).await?, "still approved");
	refused(&client, &bob, green.code_hash, &bobs, "CodeNotApproved").await?;
	ensure!(bond_view.state(&client).await?.is_some(), "the bond stopped answering");
	Ok(())
}
