//! The cash token on a real dev node: only the authorized deployer can upload and instantiate
//! it; the settlement agent mints; holders transfer; balances and events read back as expected.

use anyhow::{ensure, Result};
use citybond_e2e::{
	account_id,
	contract::{self, Bundle, ContractEvent},
	node::Node,
	Failure,
};
use codec::Decode;
use subxt_signer::sr25519::dev;

/// The payload of the cash token's `Transfer` event (fields in declaration order).
#[derive(Debug, PartialEq, Decode)]
struct Transfer {
	from: Option<[u8; 32]>,
	to: Option<[u8; 32]>,
	value: u128,
}

/// The topic ink! 5 records for an indexed `Option<AccountId>` field: the account itself when
/// `Some`, all zeros when `None` (an `Option` is indexed by its content, not its encoding).
fn account_topic(account: Option<[u8; 32]>) -> [u8; 32] {
	account.unwrap_or([0u8; 32])
}

fn transfer_events(
	bundle: &Bundle,
	token: [u8; 32],
	events: &[ContractEvent],
) -> Result<Vec<Transfer>> {
	let signature = bundle.event_topic("Transfer")?;
	let mut transfers = Vec::new();
	for ev in events.iter().filter(|e| e.topics.first() == Some(&signature)) {
		ensure!(ev.contract == token, "event from another contract");
		let t = Transfer::decode(&mut &ev.data[..])?;
		ensure!(
			ev.topics[1..] == [account_topic(t.from), account_topic(t.to)],
			"Transfer topics do not index from and to: {:?}",
			ev.topics
		);
		transfers.push(t);
	}
	Ok(transfers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cash_token_is_deployed_by_the_authorized_account_and_settles_transfers() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let bundle = Bundle::load("cash_token")?;

	// Bob is a funded account but not a contract deployer: his upload is refused by origin.
	let (alice, bob, charlie, dave, ferdie) =
		(dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::ferdie());
	match contract::upload(&client, &bob, &bundle).await {
		Err(Failure::Dispatch(e)) => ensure!(e == "BadOrigin", "Bob's upload failed with {e}"),
		Err(Failure::Other(e)) => return Err(e),
		Ok(_) => anyhow::bail!("an unauthorized account uploaded contract code"),
	}

	// Alice, the genesis deployer, uploads: the chain stores exactly the bundle's code hash.
	let events =
		contract::upload(&client, &alice, &bundle).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
	let stored = citybond_e2e::find_events(&events, "Contracts", "CodeStored")?;
	ensure!(stored.len() == 1, "expected one CodeStored event");
	ensure!(
		stored[0].fields[..32] == bundle.code_hash,
		"stored code hash differs from the bundle's"
	);

	// Ferdie is the settlement agent of a euro token with 2 decimals (amounts in cents).
	let ctor = bundle.constructor(
		"new",
		(Some("Tokenized Euro".to_string()), Some("EURC".to_string()), 2u8, account_id(&ferdie)),
	)?;
	// Bob may not instantiate the uploaded code either.
	let refused =
		contract::instantiate(&client, &bob, bundle.code_hash, ctor.clone(), vec![1]).await;
	ensure!(
		refused.as_ref().is_err_and(|e| e.to_string().contains("BadOrigin")),
		"Bob instantiated the contract: {:?}",
		refused.map(|(addr, _)| addr)
	);
	let (token, _) =
		contract::instantiate(&client, &alice, bundle.code_hash, ctor, vec![1]).await?;

	let decimals: u8 =
		contract::query(&client, account_id(&bob), token, bundle.message("token_decimals", ())?)
			.await?;
	ensure!(decimals == 2, "decimals {decimals}");

	// The agent mints 10,000.00 EURC to Charlie.
	let mint = bundle.message("mint", (account_id(&charlie), 1_000_000u128))?;
	let events = contract::call(&client, &ferdie, token, mint)
		.await
		.map_err(|e| anyhow::anyhow!("{e:?}"))?;
	let transfers = transfer_events(&bundle, token, &contract::emitted(&events)?)?;
	ensure!(
		transfers == [Transfer { from: None, to: Some(account_id(&charlie)), value: 1_000_000 }],
		"mint events: {transfers:?}"
	);

	// Charlie pays Dave 2,500.00 EURC.
	let pay = bundle.message("transfer", (account_id(&dave), 250_000u128, Vec::<u8>::new()))?;
	let events = contract::call(&client, &charlie, token, pay)
		.await
		.map_err(|e| anyhow::anyhow!("{e:?}"))?;
	let transfers = transfer_events(&bundle, token, &contract::emitted(&events)?)?;
	ensure!(
		transfers
			== [Transfer {
				from: Some(account_id(&charlie)),
				to: Some(account_id(&dave)),
				value: 250_000
			}],
		"transfer events: {transfers:?}"
	);

	// Bob is not the settlement agent: his mint reverts on chain and mints nothing.
	let mint = bundle.message("mint", (account_id(&bob), 5u128))?;
	let dry = contract::dry_run(&client, account_id(&bob), token, mint.clone()).await?;
	ensure!(dry.reverted, "Bob's mint did not revert");
	// ink! result: Ok(Err(Error::NotSettlementAgent)); the enum's fourth variant.
	ensure!(dry.data == [0, 1, 3], "Bob's mint returned 0x{}", hex::encode(&dry.data));
	match contract::call(&client, &bob, token, mint).await {
		Err(Failure::Dispatch(e)) => {
			ensure!(e.contains("ContractReverted"), "Bob's mint failed with {e}")
		}
		other => anyhow::bail!("Bob's mint was not refused: {:?}", other.map(|_| ())),
	}

	// Balances and supply read back from the chain.
	let balance = |who: [u8; 32]| {
		let data = bundle.message("balance_of", (who,));
		let client = client.clone();
		async move { contract::query::<u128>(&client, who, token, data?).await }
	};
	ensure!(balance(account_id(&charlie)).await? == 750_000, "Charlie's balance");
	ensure!(balance(account_id(&dave)).await? == 250_000, "Dave's balance");
	ensure!(balance(account_id(&bob)).await? == 0, "Bob's balance");
	let supply: u128 =
		contract::query(&client, account_id(&bob), token, bundle.message("total_supply", ())?)
			.await?;
	ensure!(supply == 1_000_000, "total supply {supply}");
	Ok(())
}
