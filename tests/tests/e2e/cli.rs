//! The `citybond` command line on a real dev node, run as a user runs it: a subprocess, with
//! its key in the environment, answering JSON. Every chain action below goes through the CLI;
//! the test only starts the node, writes the term sheet as the README tells a person to
//! (`term-sheet template`), and waits for the chain's clock.
//!
//! Alice (a contract deployer) uploads the contract code and deploys the cash token; the
//! council (Alice proposes, Bob votes, Bob closes) approves the green bond's code for issuers;
//! Ferdie (the settlement agent) mints cash; Bob (the City of Rotterdam) issues his own green
//! bond from a term sheet; Charlie, Dave and Eve subscribe; Bob closes the book, fixes and
//! funds the first coupon; Charlie claims exactly what the term sheet's schedule says. The
//! exported terms equal the sheet imported and hash to the bond's `terms_hash`; a 10-year
//! ACT/ACT ICMA bond's schedule computed on chain equals the one computed off chain. Refusals:
//! code before governance approved it, code that is on the chain but not approved, a term
//! sheet naming another issuer than the key's (offline), an account without the Issuer role
//! naming itself (the contract's dry run), an amount that is not whole denominations (nothing
//! sent, the contract's reason named), a KPI attestation by a non-auditor. The registrar's
//! commands register an investor with a KYC claim and suspend it; a non-registrar and a
//! registrar suspending a council member are refused.

// Times and amounts are small sums of the test's own figures.
#![allow(clippy::arithmetic_side_effects)]

use anyhow::{ensure, Context, Result};
use citybond_e2e::{bond::chain_past, node::Node, target_dir};
use serde_json::{json, Value as Json};
use std::{
	path::{Path, PathBuf},
	process::Command,
};

/// The `citybond` binary: `$CITYBOND_CLI`, or the release build in the target directory.
fn cli_binary() -> PathBuf {
	std::env::var_os("CITYBOND_CLI")
		.map(PathBuf::from)
		.unwrap_or_else(|| target_dir().join("release").join("citybond"))
}

/// The contracts' bundles: `$CITYBOND_CONTRACTS/<name>/<name>.contract`.
fn bundle(name: &str) -> PathBuf {
	std::env::var_os("CITYBOND_CONTRACTS")
		.map(PathBuf::from)
		.unwrap_or_else(|| target_dir().join("ink"))
		.join(name)
		.join(format!("{name}.contract"))
}

struct Outcome {
	code: i32,
	json: Json,
	stderr: String,
}

/// Runs `citybond --json ARGS` against `url`, signed by `suri` (if any).
fn citybond(url: &str, suri: Option<&str>, args: &[&str]) -> Result<Outcome> {
	let mut command = Command::new(cli_binary());
	command.arg("--json").arg("--url").arg(url).args(args).env_remove("CITYBOND_SURI");
	if let Some(suri) = suri {
		command.env("CITYBOND_SURI", suri);
	}
	let out = command.output().with_context(|| format!("run {}", cli_binary().display()))?;
	let stdout = String::from_utf8_lossy(&out.stdout);
	let json = serde_json::from_str(&stdout).unwrap_or(Json::Null);
	Ok(Outcome {
		code: out.status.code().unwrap_or(-1),
		json,
		stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
	})
}

/// Like [`citybond`], and the command must succeed.
fn ok(url: &str, suri: Option<&str>, args: &[&str]) -> Result<Json> {
	let out = citybond(url, suri, args)?;
	ensure!(out.code == 0, "citybond {args:?} exited {}: {}", out.code, out.stderr);
	Ok(out.json)
}

fn text(v: &Json) -> Result<String> {
	v.as_str().map(str::to_string).with_context(|| format!("expected a string, got {v}"))
}

/// SS58 addresses of the dev accounts.
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
const EVE: &str = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw";
const FERDIE: &str = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL";

fn write(dir: &Path, name: &str, doc: &Json) -> Result<String> {
	let path = dir.join(name);
	std::fs::write(&path, serde_json::to_string_pretty(doc)?)?;
	Ok(path.to_string_lossy().into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personas_issue_subscribe_fund_and_claim_through_the_cli() -> Result<()> {
	let logs = tempfile::tempdir()?;
	let node = Node::dev(logs.path(), 1).await?;
	let client = node.client().await?;
	let url = node.url();
	let url = url.as_str();

	// Alice, a contract deployer, uploads the code and deploys the cash token.
	let cash_code =
		ok(url, Some("//Alice"), &["code", "upload", bundle("cash_token").to_str().unwrap()])?;
	let cash_code = text(&cash_code["codeHash"])?;
	let bond_code =
		ok(url, Some("//Alice"), &["code", "upload", bundle("green_bond").to_str().unwrap()])?;
	let bond_code = text(&bond_code["codeHash"])?;
	let cash = ok(
		url,
		Some("//Alice"),
		&[
			"cash",
			"deploy",
			"--code-hash",
			&cash_code,
			"--name",
			"Tokenized Euro",
			"--symbol",
			"EURC",
			"--decimals",
			"2",
			"--settlement-agent",
			FERDIE,
		],
	)?;
	let cash = text(&cash["address"])?;

	// Ferdie, the settlement agent, mints cash to the investors and to the issuer.
	for who in [CHARLIE, DAVE, EVE, BOB] {
		ok(url, Some("//Ferdie"), &["cash", "mint", &cash, who, "50000.00"])?;
	}
	let balance = ok(url, None, &["cash", "balance", &cash, "--holder", CHARLIE])?;
	ensure!(balance["balance"] == json!("50000.00"), "{balance}");

	// Uploaded is not approved.
	let status = ok(url, None, &["code", "status", &bond_code])?;
	ensure!(status["approved"] == json!(false) && status["onChain"] == json!(true), "{status}");

	// The council approves the green bond's code: Alice proposes (and votes aye), Bob votes,
	// Bob closes. Two of the three members are the two thirds governance needs.
	let proposed = ok(
		url,
		Some("//Alice"),
		&["code", "approve", &bond_code, "--label", "green_bond 0.1.0 (audited)"],
	)?;
	ensure!(proposed["threshold"] == json!(2), "{proposed}");
	let motion = text(&proposed["motion"])?;
	let index = proposed["index"].to_string();
	let open = ok(url, None, &["council", "motions"])?;
	ensure!(open["motions"][0]["motion"] == json!(motion), "{open}");
	ensure!(open["motions"][0]["ayes"] == json!(1), "{open}");
	// Dave is not on the council.
	let out = citybond(url, Some("//Dave"), &["council", "vote", &motion, "--index", &index])?;
	ensure!(out.code == 4 && out.stderr.contains("NotMember"), "exit {} {}", out.code, out.stderr);
	ok(url, Some("//Bob"), &["council", "vote", &motion, "--index", &index])?;
	ok(url, Some("//Bob"), &["council", "close", &motion, "--index", &index])?;
	let status = ok(url, None, &["code", "status", &bond_code])?;
	ensure!(status["approved"] == json!(true) && status["onChain"] == json!(true), "{status}");
	let status = ok(url, None, &["code", "status", &cash_code])?;
	ensure!(status["approved"] == json!(false), "{status}");

	// The term sheet, checked offline: its schedule and terms hash.
	let dir = tempfile::tempdir()?;
	// Subscriptions open from now for 150 s: room for the issue, the refusals and three
	// subscriptions (each an approval and a subscription) on a loaded machine; then two 30 s
	// coupon periods.
	let sheet = ok(
		url,
		None,
		&[
			"term-sheet",
			"template",
			"--issuer",
			BOB,
			"--currency",
			&cash,
			"--subscription",
			"PT150S",
			"--periods",
			"2",
		],
	)?;
	let sub_end = chrono::DateTime::parse_from_rfc3339(&text(&sheet["subscriptionEnd"])?)?;
	let sheet_file = write(dir.path(), "bond.json", &sheet)?;
	let checked = ok(url, None, &["term-sheet", "check", &sheet_file])?;
	let terms_hash = text(&checked["termsHash"])?;
	let coupon_per_bond = text(&checked["schedule"][0]["baseCouponPerDenomination"])?;
	// 4 % a year on 1,000.00 for half a year.
	ensure!(coupon_per_bond == "20.00", "{checked}");
	let record_date =
		chrono::DateTime::parse_from_rfc3339(&text(&checked["schedule"][0]["recordDate"])?)?;
	let payment_date =
		chrono::DateTime::parse_from_rfc3339(&text(&checked["schedule"][0]["paymentDate"])?)?;

	// Refused: code on the chain but not approved (the cash token's); a term sheet naming Bob
	// signed by Alice (offline: nothing is sent); Alice naming herself, who holds no Issuer
	// role (the contract's dry run says so).
	let out = citybond(
		url,
		Some("//Bob"),
		&["bond", "issue", &sheet_file, "--code-hash", &cash_code, "--agent", ALICE],
	)?;
	ensure!(
		out.code == 4 && out.stderr.contains("not approved"),
		"exit {} {}",
		out.code,
		out.stderr
	);
	let issue_as_alice =
		["bond", "issue", &sheet_file, "--code-hash", &bond_code, "--agent", ALICE];
	let out = citybond(url, Some("//Alice"), &issue_as_alice)?;
	ensure!(out.code == 3 && out.stderr.contains("issuer"), "exit {} {}", out.code, out.stderr);
	let mut own = sheet.clone();
	own["issuer"] = json!(ALICE);
	let own_file = write(dir.path(), "alice.json", &own)?;
	let out = citybond(
		url,
		Some("//Alice"),
		&["bond", "issue", &own_file, "--code-hash", &bond_code, "--agent", ALICE],
	)?;
	ensure!(
		out.code == 4 && out.stderr.contains("IssuerNotRegistered"),
		"exit {} {}",
		out.code,
		out.stderr
	);

	// A dry run sends nothing and names the address; then Bob issues it.
	let issue = ["bond", "issue", &sheet_file, "--code-hash", &bond_code, "--agent", ALICE];
	let preview = ok(url, Some("//Bob"), &[&issue[..], &["--dry-run"]].concat())?;
	let issued = ok(url, Some("//Bob"), &issue)?;
	let bond = text(&issued["address"])?;
	ensure!(preview["address"] == issued["address"], "{preview} vs {issued}");
	ensure!(issued["termsHash"] == json!(terms_hash), "{issued}");

	// The terms exported are the terms imported.
	let exported = ok(url, None, &["bond", "terms", &bond])?;
	ensure!(exported == sheet, "exported {exported}\nimported {sheet}");

	// A bond with calendar coupon dates (the shipped 10-year ACT/ACT ICMA example, settling in
	// this cash token): the schedule the contract computed on chain is the one the CLI computed
	// off chain, date for date and fraction for fraction.
	let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../cli/examples/green-bond-10y-act-act-icma.json");
	let mut ten_year: Json = serde_json::from_str(&std::fs::read_to_string(example)?)?;
	ten_year["currency"] = json!(cash);
	let ten_year_file = write(dir.path(), "ten-year.json", &ten_year)?;
	let off_chain = ok(url, None, &["term-sheet", "check", &ten_year_file])?;
	let ten_year_issue =
		["bond", "issue", &ten_year_file, "--code-hash", &bond_code, "--agent", ALICE];
	let calendar_bond = text(&ok(url, Some("//Bob"), &ten_year_issue)?["address"])?;
	let on_chain = ok(url, None, &["bond", "show", &calendar_bond])?;
	ensure!(
		on_chain["schedule"] == off_chain["schedule"]
			&& on_chain["schedule"].as_array().map(Vec::len) == Some(20),
		"on chain {}\noff chain {}",
		on_chain["schedule"],
		off_chain["schedule"]
	);
	// Paying monthly: 120 periods, which the contract answers in pages of 64.
	ten_year["couponFrequency"] = json!("Monthly");
	ten_year["callSchedule"] = json!([]);
	let monthly_file = write(dir.path(), "monthly.json", &ten_year)?;
	let off_chain = ok(url, None, &["term-sheet", "check", &monthly_file])?;
	let monthly_issue =
		["bond", "issue", &monthly_file, "--code-hash", &bond_code, "--agent", ALICE];
	let monthly_bond = text(&ok(url, Some("//Bob"), &monthly_issue)?["address"])?;
	let on_chain = ok(url, None, &["bond", "show", &monthly_bond])?;
	ensure!(
		on_chain["schedule"] == off_chain["schedule"]
			&& on_chain["schedule"].as_array().map(Vec::len) == Some(120),
		"monthly: on chain {} periods, off chain {}",
		on_chain["schedule"].as_array().map(Vec::len).unwrap_or_default(),
		off_chain["schedule"].as_array().map(Vec::len).unwrap_or_default()
	);
	// The API's indexer reads the whole schedule too, page after page: all 120 periods, the
	// principal in the last.
	let indexed = indexed_schedule(url, dir.path(), &monthly_bond).await?;
	ensure!(indexed.len() == 120, "the indexer read {} periods of 120", indexed.len());
	// Period by period, the payment dates the API will serve are the contract's, as `bond
	// show` prints them.
	for (index, (stored, shown)) in
		indexed.iter().zip(on_chain["schedule"].as_array().into_iter().flatten()).enumerate()
	{
		let shown = chrono::DateTime::parse_from_rfc3339(&text(&shown["paymentDate"])?)?;
		let paid = citybond_api::ink::json_u128(&stored["payment_date"]);
		ensure!(
			stored["index"] == json!(index)
				&& paid == u128::try_from(shown.timestamp_millis()).ok(),
			"period {index}: indexed {stored}, `bond show` {shown}"
		);
	}

	// A subscription that is not whole denominations is refused by the dry run, in the
	// contract's words, and nothing is sent.
	let out = citybond(url, Some("//Charlie"), &["bond", "subscribe", &bond, "1500.00"])?;
	ensure!(
		out.code == 4 && out.stderr.contains("NotWholeDenominations"),
		"exit {} {}",
		out.code,
		out.stderr
	);
	let position = ok(url, None, &["bond", "position", &bond, "--holder", CHARLIE])?;
	ensure!(
		position["subscribed"].is_null() && position["cash"] == json!("50000.00"),
		"{position}"
	);

	for (who, amount) in [("//Charlie", "20000.00"), ("//Dave", "30000.00"), ("//Eve", "10000.00")]
	{
		ok(url, Some(who), &["bond", "subscribe", &bond, amount])?;
	}

	// Bob closes the book once subscriptions have closed.
	chain_past(&client, sub_end.timestamp_millis() as u64).await?;
	let closed = ok(url, Some("//Bob"), &["bond", "close-book", &bond])?;
	ensure!(closed["phase"] == json!("Active") && closed["unitsIssued"] == json!("60"), "{closed}");
	let position = ok(url, None, &["bond", "position", &bond, "--holder", CHARLIE])?;
	ensure!(
		position["units"] == json!("20") && position["cash"] == json!("30000.00"),
		"{position}"
	);

	// After the first record date Bob fixes and funds the first coupon.
	chain_past(&client, record_date.timestamp_millis() as u64).await?;
	let fixed = ok(url, Some("//Bob"), &["bond", "fix-coupon", &bond, "0"])?;
	ensure!(fixed["rate"] == json!("4.00"), "{fixed}");
	let funded = ok(url, Some("//Bob"), &["bond", "fund", &bond, "--coupon", "0"])?;
	// 60 bonds × 20.00.
	ensure!(funded["funded"] == json!("1200.00"), "{funded}");

	// Charlie claims on the payment date exactly what the schedule says: 20 bonds × 20.00.
	chain_past(&client, payment_date.timestamp_millis() as u64).await?;
	let claimed = ok(url, Some("//Charlie"), &["bond", "claim", &bond])?;
	ensure!(claimed["paid"] == json!("400.00"), "{claimed}");
	let balance = ok(url, None, &["cash", "balance", &cash, "--holder", CHARLIE])?;
	ensure!(balance["balance"] == json!("30400.00"), "{balance}");

	// Only auditors attest KPIs: Charlie is refused by the chain.
	let out = citybond(url, Some("//Charlie"), &["kpi", "attest", "1", "0"])?;
	ensure!(out.code == 4, "exit {} {}", out.code, out.stderr);

	// The registrar's commands. Alice registers //Two as a retail investor and attests its KYC
	// until 2030; Bob, no registrar, cannot suspend it; Alice can; revoking asks for
	// --for-good; Bob, a council member, cannot be suspended by a registrar.
	let two = citybond_e2e::address(&citybond_e2e::account_id(
		&subxt_signer::sr25519::Keypair::from_uri(&"//Two".parse()?)?,
	));
	let shown = ok(url, None, &["identity", "show", &two])?;
	ensure!(shown["identity"].is_null(), "{shown}");
	ok(
		url,
		Some("//Alice"),
		&[
			"identity",
			"register",
			&two,
			"--jurisdiction",
			"NL",
			"--role",
			"investor",
			"--category",
			"retail",
		],
	)?;
	ok(
		url,
		Some("//Alice"),
		&["identity", "add-claim", &two, "--kind", "kyc", "--expires", "2030-01-01T00:00:00Z"],
	)?;
	let shown = ok(url, None, &["identity", "show", &two])?;
	ensure!(
		shown["status"] == json!("Active")
			&& shown["roles"] == json!(["Investor"])
			&& shown["category"] == json!("Retail")
			&& shown["claims"][0]["kind"] == json!("kyc")
			&& shown["claims"][0]["expires"] == json!("2030-01-01T00:00:00.000Z")
			&& shown["claims"][0]["attestedBy"] == json!(ALICE),
		"{shown}"
	);
	let out = citybond(url, Some("//Bob"), &["identity", "suspend", &two])?;
	ensure!(
		out.code == 4 && out.stderr.contains("NotRegistrar"),
		"exit {} {}",
		out.code,
		out.stderr
	);
	ok(url, Some("//Alice"), &["identity", "suspend", &two])?;
	ensure!(ok(url, None, &["identity", "show", &two])?["status"] == json!("Suspended"));
	let out = citybond(url, Some("//Alice"), &["identity", "revoke", &two])?;
	ensure!(out.code == 3 && out.stderr.contains("--for-good"), "exit {} {}", out.code, out.stderr);
	let out = citybond(url, Some("//Alice"), &["identity", "suspend", BOB])?;
	ensure!(
		out.code == 4 && out.stderr.contains("TargetIsGovernor"),
		"exit {} {}",
		out.code,
		out.stderr
	);
	let out = citybond(
		url,
		Some("//Alice"),
		&["identity", "register", &two, "--jurisdiction", "NL", "--role", "investor"],
	)?;
	ensure!(out.code == 3 && out.stderr.contains("--category"), "exit {} {}", out.code, out.stderr);

	// No key, a node that does not answer: documented exit codes, nothing sent.
	let out = citybond(url, None, &["bond", "claim", &bond])?;
	ensure!(out.code == 3 && out.stderr.contains("--suri"), "exit {} {}", out.code, out.stderr);
	let out = citybond("ws://127.0.0.1:1", None, &["bond", "terms", &bond])?;
	ensure!(out.code == 5, "exit {} {}", out.code, out.stderr);
	Ok(())
}

#[test]
fn the_clients_selectors_are_the_contracts_metadata() -> Result<()> {
	for (name, label, selector) in citybond_client::bond::selectors::ALL {
		let text = std::fs::read_to_string(bundle(name))?;
		let metadata: Json = serde_json::from_str(&text)?;
		let spec = &metadata["spec"];
		let found = spec["messages"]
			.as_array()
			.into_iter()
			.chain(spec["constructors"].as_array())
			.flatten()
			.find(|m| m["label"] == json!(label))
			.with_context(|| format!("{name} has no message {label}"))?;
		let expected = format!("0x{}", hex::encode(selector));
		ensure!(
			found["selector"] == json!(expected),
			"{name}::{label}: {} vs {expected}",
			found["selector"]
		);
	}
	Ok(())
}

/// The schedule the API's indexer stores for `bond` after indexing the chain at `url` into a
/// new SQLite database in `dir`.
async fn indexed_schedule(url: &str, dir: &Path, bond: &str) -> Result<Vec<Json>> {
	use citybond_api::{indexer::Indexer, ink::InkBundle};
	let load = |name: &str| InkBundle::load(name, &bundle(name));
	let db = format!("sqlite://{}?mode=rwc", dir.join("indexed.db").display());
	let pool = citybond_api::db::connect(&db).await?;
	let indexer =
		Indexer::connect(url, pool.clone(), vec![load("green_bond")?, load("cash_token")?]).await?;
	// The bond was issued in a finalized block by now (the CLI waits for finality).
	indexer.catch_up().await?;
	let account = citybond_e2e::parse_address(bond)?;
	let schedule: Option<String> =
		sqlx::query_scalar("SELECT schedule FROM bonds WHERE address = $1")
			.bind(format!("0x{}", hex::encode(account)))
			.fetch_optional(&pool)
			.await?
			.flatten();
	let schedule: Json = serde_json::from_str(&schedule.context("the bond is not indexed")?)?;
	Ok(schedule.as_array().cloned().unwrap_or_default())
}
