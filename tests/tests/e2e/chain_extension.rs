//! A contract reads the identity registry through the CityBond chain extension on a real dev
//! node: the `chain_reads` contract answers with what the registry holds for the demo cast
//! (see `runtime/src/genesis_config_presets.rs`), and follows a suspension as it happens.

use anyhow::{ensure, Result};
use citybond_e2e::{account_id, contract, node::Node, submit_ok, Client};
use codec::{Decode, Encode};
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

/// `citybond_env::Role`.
#[derive(Encode)]
enum Role {
	#[allow(dead_code)]
	Registrar,
	Issuer,
	#[allow(dead_code)]
	Investor,
	Auditor,
	OracleOperator,
}

/// `citybond_env::ClaimKind`.
#[derive(Encode)]
enum ClaimKind {
	Kyc,
	Accreditation,
	Residency,
	Custom(Vec<u8>),
}

/// `citybond_env::InvestorCategory`.
#[derive(Debug, PartialEq, Decode)]
enum Category {
	Retail,
	Professional,
	Institutional,
}

/// The demo cast's claims expire at 2030-01-01T00:00:00Z.
const DEMO_CLAIM_EXPIRY: u64 = 1_893_456_000_000;

fn stash(name: &str) -> Result<Keypair> {
	Ok(Keypair::from_uri(&format!("//{name}//stash").parse::<SecretUri>()?)?)
}

/// The deployed `chain_reads` contract, queried by dry run as Alice.
struct Reads<'a> {
	client: &'a Client,
	bundle: contract::Bundle,
	address: [u8; 32],
}

impl Reads<'_> {
	async fn ask<T: Decode>(&self, message: &str, args: impl Encode) -> Result<T> {
		let data = self.bundle.message(message, args)?;
		contract::query(self.client, account_id(&dev::alice()), self.address, data).await
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_reads_identity_facts_through_the_chain_extension() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 3).await?;
	let client = node.client().await?;
	let alice = dev::alice();
	let (bundle, address) = contract::deploy(&client, &alice, "chain_reads", "new", ()).await?;
	let reads = Reads { client: &client, bundle, address };

	let (bob, charlie, dave, eve) = (
		account_id(&dev::bob()),
		account_id(&dev::charlie()),
		account_id(&dev::dave()),
		account_id(&dev::eve()),
	);
	let (auditor, operator, stranger) =
		(account_id(&stash("Alice")?), account_id(&stash("Bob")?), account_id(&stash("Eve")?));

	// Who is registered and active.
	ensure!(reads.ask::<bool>("is_active", charlie).await?, "Charlie should be active");
	ensure!(!reads.ask::<bool>("is_active", stranger).await?, "EveStash has no identity");

	// Roles, as the registry granted them.
	ensure!(reads.ask::<bool>("has_role", (bob, Role::Issuer)).await?, "Bob issues");
	ensure!(!reads.ask::<bool>("has_role", (charlie, Role::Issuer)).await?, "Charlie does not");
	ensure!(reads.ask::<bool>("has_role", (auditor, Role::Auditor)).await?, "AliceStash audits");
	ensure!(
		reads.ask::<bool>("has_role", (operator, Role::OracleOperator)).await?,
		"BobStash operates an oracle"
	);

	// Claims: held ones are valid now and until, not at, their expiry; others are absent.
	ensure!(reads.ask::<bool>("claim_valid_now", (charlie, ClaimKind::Kyc)).await?, "KYC");
	ensure!(
		reads.ask::<bool>("claim_valid_now", (charlie, ClaimKind::Residency)).await?,
		"Charlie's residency"
	);
	ensure!(
		!reads.ask::<bool>("claim_valid_now", (charlie, ClaimKind::Accreditation)).await?,
		"Charlie is a retail investor without accreditation"
	);
	ensure!(
		reads.ask::<bool>("claim_valid_now", (dave, ClaimKind::Accreditation)).await?,
		"Dave is accredited"
	);
	ensure!(
		!reads.ask::<bool>("claim_valid_now", (dave, ClaimKind::Custom(b"esg".to_vec()))).await?,
		"nobody holds a custom claim"
	);
	let before_expiry = DEMO_CLAIM_EXPIRY - 1;
	ensure!(
		reads.ask::<bool>("claim_valid_at", (charlie, ClaimKind::Kyc, before_expiry)).await?,
		"a claim holds until its expiry"
	);
	ensure!(
		!reads.ask::<bool>("claim_valid_at", (charlie, ClaimKind::Kyc, DEMO_CLAIM_EXPIRY)).await?,
		"an expired claim reads as absent"
	);

	// Jurisdictions and categories, across two countries and three categories.
	ensure!(reads.ask::<Option<[u8; 2]>>("jurisdiction", charlie).await? == Some(*b"NL"), "NL");
	ensure!(reads.ask::<Option<[u8; 2]>>("jurisdiction", eve).await? == Some(*b"DE"), "DE");
	ensure!(reads.ask::<Option<[u8; 2]>>("jurisdiction", stranger).await?.is_none(), "none");
	ensure!(reads.ask::<Option<Category>>("category", charlie).await? == Some(Category::Retail));
	ensure!(reads.ask::<Option<Category>>("category", dave).await? == Some(Category::Professional));
	ensure!(reads.ask::<Option<Category>>("category", eve).await? == Some(Category::Institutional));
	ensure!(reads.ask::<Option<Category>>("category", bob).await?.is_none(), "Bob is no investor");

	// KPI reads of a feed that does not exist answer `None`, not an error.
	ensure!(reads.ask::<Option<u32>>("current_period", 77u32).await?.is_none(), "no feed 77");

	// The registrar suspends Dave (an investor; Charlie sits on the council, whose members only
	// governance may suspend): the contract sees it at once, and the reactivation too.
	let target = || vec![Value::unnamed_variant("Id", [Value::from_bytes(dave)])];
	submit_ok(&client, &alice, "Identity", "suspend", target()).await?;
	ensure!(!reads.ask::<bool>("is_active", dave).await?, "a suspended identity is inactive");
	ensure!(
		!reads.ask::<bool>("claim_valid_now", (dave, ClaimKind::Kyc)).await?,
		"a suspended identity's claims do not count"
	);
	submit_ok(&client, &alice, "Identity", "reactivate", target()).await?;
	ensure!(reads.ask::<bool>("is_active", dave).await?, "reactivated");
	Ok(())
}
