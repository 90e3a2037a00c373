//! Writes a block's rows and the cursor in one transaction. Rows are keyed by where they
//! happened on chain (block number and event index) and inserted with `ON CONFLICT DO NOTHING`;
//! current-state rows (identities, claims) only change for a later event. So a block written
//! twice changes nothing, and a crash at any point leaves either all of a block or none of it.

use crate::{
	db::int,
	error::{Error, Result},
	model::{BlockData, ChainEvent, EventBody, IdentityEvent, KpiEvent},
};
use serde_json::Value as Json;
use sqlx::{Any, AnyPool, Transaction};

/// What [`write_block`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
	/// The block's rows and the cursor were written.
	Applied,
	/// The cursor was already at or past the block: nothing was written.
	AlreadyIndexed,
}

/// Writes `block` and moves the cursor to it, in one transaction. Blocks must come in order:
/// a block that does not follow the cursor is refused (so a gap can never be skipped over), and
/// so is one whose parent is not the cursor's block ([`Error::WrongChain`]: another chain).
pub async fn write_block(pool: &AnyPool, block: &BlockData) -> Result<Written> {
	let mut tx = pool.begin().await?;
	let cursor = sqlx::query("SELECT block_number, block_hash FROM indexer_cursor WHERE id = 1")
		.fetch_optional(&mut *tx)
		.await?
		.map(|row| {
			Ok::<_, Error>((
				crate::db::col::<i64>(&row, "block_number")?,
				crate::db::col::<String>(&row, "block_hash")?,
			))
		})
		.transpose()?;
	let number = int(block.number)?;
	match &cursor {
		Some((c, _)) if *c >= number => return Ok(Written::AlreadyIndexed),
		Some((c, _)) if c.checked_add(1) != Some(number) => {
			return Err(Error::Internal(format!("block #{number} does not follow cursor #{c}")))
		}
		Some((c, hash)) if *hash != block.parent_hash => {
			return Err(Error::WrongChain(format!(
				"block #{number}'s parent is {}, but the database's block #{c} is {hash}: the \
				 node follows another chain",
				block.parent_hash
			)))
		}
		None if number != 0 => {
			return Err(Error::Internal(format!("first block must be #0, got #{number}")))
		}
		_ => {}
	}
	sqlx::query(
		"INSERT INTO blocks (number, hash, parent_hash, timestamp_ms) VALUES ($1, $2, $3, $4)
		 ON CONFLICT DO NOTHING",
	)
	.bind(number)
	.bind(&block.hash)
	.bind(&block.parent_hash)
	.bind(int(block.timestamp_ms)?)
	.execute(&mut *tx)
	.await?;
	for event in &block.events {
		write_event(&mut tx, block, event).await?;
	}
	sqlx::query(
		"INSERT INTO indexer_cursor (id, block_number, block_hash, updated_at_ms)
		 VALUES (1, $1, $2, $3)
		 ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number,
		   block_hash = excluded.block_hash, updated_at_ms = excluded.updated_at_ms",
	)
	.bind(number)
	.bind(&block.hash)
	.bind(crate::db::now_ms())
	.execute(&mut *tx)
	.await?;
	tx.commit().await?;
	Ok(Written::Applied)
}

fn ext(e: &ChainEvent) -> Option<i64> {
	e.extrinsic.map(i64::from)
}

async fn write_event(
	tx: &mut Transaction<'static, Any>,
	block: &BlockData,
	event: &ChainEvent,
) -> Result<()> {
	let number = int(block.number)?;
	let (pallet, name) = event.body.names();
	let contract = match &event.body {
		EventBody::Contract(c) => Some(c.contract.clone()),
		EventBody::Instantiated(i) => Some(i.contract.clone()),
		_ => None,
	};
	let fields = serde_json::to_string(&event.body)
		.map_err(|e| Error::Internal(format!("encode event: {e}")))?;
	sqlx::query(
		"INSERT INTO events (block_number, event_index, extrinsic_index, pallet, name, contract,
		   fields) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
	)
	.bind(number)
	.bind(event.index)
	.bind(ext(event))
	.bind(pallet)
	.bind(&name)
	.bind(contract)
	.bind(fields)
	.execute(&mut **tx)
	.await?;
	match &event.body {
		EventBody::Identity(e) => write_identity(tx, number, event.index, e).await,
		EventBody::Kpi(e) => write_kpi(tx, number, event, e).await,
		EventBody::Instantiated(i) => {
			sqlx::query(
				"INSERT INTO contracts (address, deployer, kind, code_hash, block_number,
				   event_index) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
			)
			.bind(&i.contract)
			.bind(&i.deployer)
			.bind(&i.kind)
			.bind(&i.code_hash)
			.bind(number)
			.bind(event.index)
			.execute(&mut **tx)
			.await?;
			Ok(())
		}
		EventBody::Contract(c) => {
			sqlx::query(
				"INSERT INTO contract_events (block_number, event_index, extrinsic_index, contract,
				   contract_kind, name, fields, timestamp_ms)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
			)
			.bind(number)
			.bind(event.index)
			.bind(ext(event))
			.bind(&c.contract)
			.bind(&c.kind)
			.bind(&c.name)
			.bind(c.fields.to_string())
			.bind(int(block.timestamp_ms)?)
			.execute(&mut **tx)
			.await?;
			if c.kind == "green_bond" && c.name == "BondCreated" {
				let f = &c.fields;
				sqlx::query(
					"INSERT INTO bonds (address, issuer, isin, terms_hash, periods, issue_size,
					   terms, schedule, block_number, event_index)
					 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
				)
				.bind(&c.contract)
				.bind(str_field(f, "issuer"))
				.bind(isin_text(&f["isin"]))
				.bind(str_field(f, "terms_hash"))
				.bind(f["periods"].as_i64().unwrap_or(0))
				.bind(num_text(&f["issue_size"]))
				.bind(c.bond.as_ref().map(|b| b.terms.to_string()))
				.bind(c.bond.as_ref().map(|b| b.schedule.to_string()))
				.bind(number)
				.bind(event.index)
				.execute(&mut **tx)
				.await?;
			}
			Ok(())
		}
	}
}

/// A string field of a decoded event ("" if absent).
pub fn str_field(f: &Json, name: &str) -> String {
	f[name].as_str().unwrap_or_default().to_string()
}

/// An integer field (a JSON number or a decimal string) as decimal text.
pub fn num_text(v: &Json) -> String {
	match v {
		Json::Number(n) => n.to_string(),
		Json::String(s) => s.clone(),
		_ => "0".to_string(),
	}
}

/// An ISIN decoded as hex bytes back to its 12 ASCII characters.
pub fn isin_text(v: &Json) -> String {
	let s = v.as_str().unwrap_or_default();
	match hex::decode(s.trim_start_matches("0x")) {
		Ok(bytes) if bytes.iter().all(u8::is_ascii_alphanumeric) => {
			String::from_utf8_lossy(&bytes).into_owned()
		}
		_ => s.to_string(),
	}
}

/// `WHERE` clause fragment: the stored row was written by an earlier event than ($n, $n+1).
const EARLIER: &str = "(block_number < $2 OR (block_number = $2 AND event_index < $3))";

async fn write_identity(
	tx: &mut Transaction<'static, Any>,
	number: i64,
	index: i64,
	e: &IdentityEvent,
) -> Result<()> {
	match e {
		IdentityEvent::Registered {
			account, status, roles, lei, jurisdiction, category, ..
		} => {
			sqlx::query(
				"INSERT INTO identities (account, status, roles, lei, jurisdiction, category,
				   block_number, event_index) VALUES ($1, $4, $5, $6, $7, $8, $2, $3)
				 ON CONFLICT (account) DO UPDATE SET status = excluded.status,
				   roles = excluded.roles, lei = excluded.lei, jurisdiction = excluded.jurisdiction,
				   category = COALESCE(excluded.category, identities.category),
				   block_number = excluded.block_number,
				   event_index = excluded.event_index
				 WHERE identities.block_number < excluded.block_number
				   OR (identities.block_number = excluded.block_number
				       AND identities.event_index < excluded.event_index)",
			)
			.bind(account)
			.bind(number)
			.bind(index)
			.bind(status)
			.bind(i64::from(*roles))
			.bind(lei)
			.bind(jurisdiction)
			.bind(category)
			.execute(&mut **tx)
			.await?;
		}
		IdentityEvent::RolesSet { account, roles, category, keep_category } => {
			let sql = if *keep_category {
				format!(
					"UPDATE identities SET roles = $4, block_number = $2, event_index = $3
					 WHERE account = $1 AND {EARLIER}"
				)
			} else {
				format!(
					"UPDATE identities SET roles = $4, category = $5, block_number = $2,
					   event_index = $3 WHERE account = $1 AND {EARLIER}"
				)
			};
			let q =
				sqlx::query(&sql).bind(account).bind(number).bind(index).bind(i64::from(*roles));
			let q = if *keep_category { q } else { q.bind(category) };
			q.execute(&mut **tx).await?;
		}
		IdentityEvent::StatusSet { account, status } => {
			sqlx::query(&format!(
				"UPDATE identities SET status = $4, block_number = $2, event_index = $3
				 WHERE account = $1 AND {EARLIER}"
			))
			.bind(account)
			.bind(number)
			.bind(index)
			.bind(status)
			.execute(&mut **tx)
			.await?;
		}
		IdentityEvent::Claim { account, registrar, kind, expiry_ms, revoked } => {
			if *revoked {
				sqlx::query(&format!(
					"UPDATE identity_claims SET revoked = 1, block_number = $2, event_index = $3
					 WHERE account = $1 AND kind = $4 AND {EARLIER}"
				))
				.bind(account)
				.bind(number)
				.bind(index)
				.bind(kind)
				.execute(&mut **tx)
				.await?;
			} else {
				sqlx::query(
					"INSERT INTO identity_claims (account, kind, registrar, expiry_ms, revoked,
					   block_number, event_index) VALUES ($1, $4, $5, $6, 0, $2, $3)
					 ON CONFLICT (account, kind) DO UPDATE SET registrar = excluded.registrar,
					   expiry_ms = excluded.expiry_ms, revoked = 0,
					   block_number = excluded.block_number, event_index = excluded.event_index
					 WHERE identity_claims.block_number < excluded.block_number
					   OR (identity_claims.block_number = excluded.block_number
					       AND identity_claims.event_index < excluded.event_index)",
				)
				.bind(account)
				.bind(number)
				.bind(index)
				.bind(kind)
				.bind(registrar)
				.bind(int(expiry_ms.unwrap_or(0))?)
				.execute(&mut **tx)
				.await?;
			}
		}
	}
	Ok(())
}

async fn write_kpi(
	tx: &mut Transaction<'static, Any>,
	number: i64,
	event: &ChainEvent,
	e: &KpiEvent,
) -> Result<()> {
	let index = event.index;
	match e {
		KpiEvent::FeedCreated(f) => {
			sqlx::query(
				"INSERT INTO kpi_feeds (feed_id, owner, description, entity_id, attribute, unit,
				   decimals, first_start_ms, period_ms, quorum, max_report_age_ms,
				   challenge_window_ms, min_value, max_value, block_number, event_index)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				 ON CONFLICT DO NOTHING",
			)
			.bind(i64::from(f.feed))
			.bind(&f.owner)
			.bind(&f.description)
			.bind(&f.entity_id)
			.bind(&f.attribute)
			.bind(&f.unit)
			.bind(i64::from(f.decimals))
			.bind(int(f.first_start_ms)?)
			.bind(int(f.period_ms)?)
			.bind(i64::from(f.quorum))
			.bind(int(f.max_report_age_ms)?)
			.bind(int(f.challenge_window_ms)?)
			.bind(&f.min_value)
			.bind(&f.max_value)
			.bind(number)
			.bind(index)
			.execute(&mut **tx)
			.await?;
		}
		KpiEvent::OperatorKey { feed, operator, key, from_period, .. } => {
			sqlx::query(
				"INSERT INTO kpi_operator_keys (block_number, event_index, feed_id, operator,
				   operator_key, from_period) VALUES ($1, $2, $3, $4, $5, $6)
				 ON CONFLICT DO NOTHING",
			)
			.bind(number)
			.bind(index)
			.bind(i64::from(*feed))
			.bind(operator)
			.bind(key)
			.bind(i64::from(*from_period))
			.execute(&mut **tx)
			.await?;
		}
		KpiEvent::Report(r) => {
			sqlx::query(
				"INSERT INTO kpi_reports (block_number, event_index, extrinsic_index, feed_id,
				   period, operator, submitter, operator_key, value, window_start_ms,
				   window_end_ms, payload_hash, devices_hash, signature, readings)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
				 ON CONFLICT DO NOTHING",
			)
			.bind(number)
			.bind(index)
			.bind(ext(event))
			.bind(i64::from(r.feed))
			.bind(i64::from(r.period))
			.bind(&r.operator)
			.bind(&r.submitter)
			.bind(&r.key)
			.bind(&r.value)
			.bind(int(r.window_start_ms)?)
			.bind(int(r.window_end_ms)?)
			.bind(&r.payload_hash)
			.bind(&r.devices_hash)
			.bind(&r.signature)
			.bind(i64::from(r.readings))
			.execute(&mut **tx)
			.await?;
		}
		KpiEvent::Transition { kind, feed, period, status, value, actor, detail } => {
			sqlx::query(
				"INSERT INTO kpi_transitions (block_number, event_index, extrinsic_index, feed_id,
				   period, kind, status, value, actor, detail)
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
			)
			.bind(number)
			.bind(index)
			.bind(ext(event))
			.bind(i64::from(*feed))
			.bind(i64::from(*period))
			.bind(kind)
			.bind(status)
			.bind(value)
			.bind(actor)
			.bind(detail.to_string())
			.execute(&mut **tx)
			.await?;
		}
	}
	Ok(())
}
