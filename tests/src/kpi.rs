//! The KPI oracle from the tests' side: feeds created by Bob, the demo city.

use crate::{find_events, submit_ok, Client};
use anyhow::{bail, Result};
use codec::Decode;
use subxt::ext::scale_value::Value;
use subxt_signer::sr25519::dev;

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

/// Bob creates a feed with `operators` (account, ed25519 key); returns its id.
pub async fn create_feed(
	client: &Client,
	rules: &FeedRules<'_>,
	operators: &[([u8; 32], [u8; 32])],
) -> Result<u32> {
	let operators = operators.iter().map(|(account, key)| {
		Value::unnamed_composite([Value::from_bytes(account), Value::from_bytes(key)])
	});
	let spec = Value::named_composite([
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
	]);
	let events = submit_ok(client, &dev::bob(), "KpiOracle", "create_feed", vec![spec]).await?;
	let created = find_events(&events, "KpiOracle", "FeedCreated")?;
	let [created] = created.as_slice() else { bail!("expected one FeedCreated event") };
	Ok(u32::decode(&mut &created.fields[..])?)
}
