//! The KPI oracle from the tests' side: feeds created by governance with their operators, reports
//! signed as the oracle service signs them.

use crate::{account_id, find_events, submit_ok, sudo, Client};
use anyhow::{bail, Result};
use codec::{Decode, Encode};
use ed25519_dalek::{Signer, SigningKey};
use subxt::ext::scale_value::Value;
use subxt_signer::{
	sr25519::{dev, Keypair},
	SecretUri,
};

/// `pallet_citybond_kpi_oracle::REPORT_TAG`.
pub const REPORT_TAG: [u8; 15] = *b"CITYBOND/KPI/v1";

/// `pallet_citybond_kpi_oracle::ReportPayload`.
#[derive(Debug, Clone, Copy, Encode)]
pub struct Report {
	/// The feed reported.
	pub feed: u32,
	/// Its period.
	pub period: u32,
	/// The value, fixed point with the feed's decimals.
	pub value: i128,
	/// Start of the measured window (ms).
	pub window_start: u64,
	/// End of the measured window (ms).
	pub window_end: u64,
	/// Hash of the source data.
	pub payload_hash: [u8; 32],
	/// Hash of the measuring devices' ids.
	pub devices_hash: [u8; 32],
}

/// An oracle operator: its account (with the oracle-operator role) and its ed25519 report key.
pub struct Operator {
	/// The account that submits its reports.
	pub account: Keypair,
	/// The key that signs them.
	pub key: SigningKey,
}

impl Operator {
	/// The demo cast's operator `//{name}//stash`, with a report key made of `seed`.
	pub fn new(name: &str, seed: u8) -> Result<Self> {
		let account = Keypair::from_uri(&format!("//{name}//stash").parse::<SecretUri>()?)?;
		Ok(Self { account, key: SigningKey::from_bytes(&[seed; 32]) })
	}

	/// The demo cast's three operators (Bob's, Charlie's and Dave's stash accounts).
	pub fn demo_three() -> Result<[Self; 3]> {
		Ok([Self::new("Bob", 1)?, Self::new("Charlie", 2)?, Self::new("Dave", 3)?])
	}

	/// The report key's public half.
	pub fn public(&self) -> [u8; 32] {
		self.key.verifying_key().to_bytes()
	}

	/// Its (account, report key) pair, as a feed lists it.
	pub fn listing(&self) -> ([u8; 32], [u8; 32]) {
		(account_id(&self.account), self.public())
	}

	/// Signs `report` for the chain with genesis hash `genesis`, as the oracle service does.
	pub fn sign(&self, genesis: [u8; 32], report: &Report) -> [u8; 64] {
		self.key.sign(&(REPORT_TAG, genesis, report).encode()).to_bytes()
	}
}

/// The arguments of `KpiOracle.submit_report`.
pub fn report_args(report: &Report, key: [u8; 32], signature: [u8; 64]) -> Vec<Value> {
	vec![
		Value::named_composite([
			("feed", Value::u128(report.feed.into())),
			("period", Value::u128(report.period.into())),
			("value", Value::i128(report.value)),
			("window_start", Value::u128(report.window_start.into())),
			("window_end", Value::u128(report.window_end.into())),
			("payload_hash", Value::from_bytes(report.payload_hash)),
			("devices_hash", Value::from_bytes(report.devices_hash)),
		]),
		Value::from_bytes(key),
		Value::from_bytes(signature),
	]
}

/// Each operator signs and submits its own report, all at once; fails if any is refused.
pub async fn report_all(
	client: &Client,
	genesis: [u8; 32],
	operators: &[Operator],
	reports: &[Report],
) -> Result<()> {
	let submissions = operators.iter().zip(reports).map(|(op, report)| {
		let args = report_args(report, op.public(), op.sign(genesis, report));
		submit_ok(client, &op.account, "KpiOracle", "submit_report", args)
	});
	for outcome in futures::future::join_all(submissions).await {
		outcome?;
	}
	Ok(())
}

/// The rules of a test feed of the Rotterdam town hall (kWh, 3 decimals, values 0 to 10^7 kWh,
/// outliers beyond 5%).
pub struct FeedRules<'a> {
	/// The NGSI-LD attribute, e.g. `energySaved`.
	pub attribute: &'a str,
	/// When period 0 starts (ms since the Unix epoch).
	pub first_start: u64,
	/// Period length (ms).
	pub length: u64,
	/// Reports that make a KPI.
	pub quorum: u32,
	/// How long after a period's end reports are accepted (ms).
	pub max_report_age: u64,
	/// How long auditors may attest or dispute (ms).
	pub challenge_window: u64,
}

/// The `FeedSpec` of a feed with `rules` and `operators` (account, ed25519 key).
pub fn feed_spec(rules: &FeedRules<'_>, operators: &[([u8; 32], [u8; 32])]) -> Value {
	let operators = operators.iter().map(|(account, key)| {
		Value::unnamed_composite([Value::from_bytes(account), Value::from_bytes(key)])
	});
	Value::named_composite([
		(
			"metadata",
			Value::named_composite([
				(
					"description",
					Value::from_bytes(format!("Rotterdam town hall: {}", rules.attribute)),
				),
				("entity_id", Value::from_bytes(b"urn:ngsi-ld:Building:rotterdam-town-hall")),
				("attribute", Value::from_bytes(rules.attribute)),
				("unit", Value::from_bytes(b"KWH")),
				("decimals", Value::u128(3)),
			]),
		),
		(
			"params",
			Value::named_composite([
				(
					"schedule",
					Value::named_composite([
						("first_start", Value::u128(rules.first_start.into())),
						("length", Value::u128(rules.length.into())),
					]),
				),
				("quorum", Value::u128(rules.quorum.into())),
				("max_report_age", Value::u128(rules.max_report_age.into())),
				("min_value", Value::i128(0)),
				("max_value", Value::i128(10_000_000_000)),
				// 5% (parts per million).
				("outlier_tolerance", Value::u128(50_000)),
				("challenge_window", Value::u128(rules.challenge_window.into())),
			]),
		),
		("operators", Value::unnamed_composite(operators)),
	])
}

/// Governance (Alice, the dev chain's sudo key) creates a feed with `operators` (account,
/// ed25519 key); returns its id. An issuer's own feed gets its operators the same way (it names
/// none itself): see the dev stack's feeds.
pub async fn create_feed(
	client: &Client,
	rules: &FeedRules<'_>,
	operators: &[([u8; 32], [u8; 32])],
) -> Result<u32> {
	let spec = feed_spec(rules, operators);
	let call = Value::unnamed_variant(
		"KpiOracle",
		[Value::named_variant("create_feed", [("spec", spec)])],
	);
	let events = sudo(client, &dev::alice(), call).await?;
	let created = find_events(&events, "KpiOracle", "FeedCreated")?;
	let [created] = created.as_slice() else { bail!("expected one FeedCreated event") };
	Ok(u32::decode(&mut &created.fields[..])?)
}

/// The call `KpiOracle.add_operator(feed, operator, key, from_period)`, which only governance
/// may dispatch: `operator` signs `feed`'s reports with `key` from `from_period` on.
pub fn add_operator_call(feed: u32, operator: [u8; 32], key: [u8; 32], from_period: u32) -> Value {
	Value::unnamed_variant(
		"KpiOracle",
		[Value::named_variant(
			"add_operator",
			[
				("feed", Value::u128(feed.into())),
				("operator", Value::unnamed_variant("Id", [Value::from_bytes(operator)])),
				("key", Value::from_bytes(key)),
				("from_period", Value::u128(from_period.into())),
			],
		)],
	)
}
