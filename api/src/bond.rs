//! A green bond's state, folded from its indexed events (the contract's own account of what
//! happened) and the terms and schedule read when it was created. Figures that are not in any
//! event are derived here the way the contract derives them (`contracts/green_bond/payout.rs`):
//! a coupon per unit is `denomination × rate_bps × accrual fraction / 10 000`, rounded half up
//! to the minor unit; a holding at a record date is the balance after every transfer in blocks
//! whose timestamp is before that date: as in the contract (`checkpoint.rs`), a transfer at the
//! record-date instant counts for the next record date, not this one.

use crate::{
	db::col,
	error::{Error, Result},
	ink::json_u128,
};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use sqlx::AnyPool;
use std::{
	collections::{BTreeMap, BTreeSet, HashMap},
	sync::{Arc, Mutex, RwLock},
};

/// An amount of minor units as a [`Decimal`] (saturating at `Decimal::MAX`, far above any
/// amount of a real bond).
pub fn dec(v: u128) -> Decimal {
	i128::try_from(v)
		.ok()
		.and_then(|i| Decimal::try_from_i128_with_scale(i, 0).ok())
		.unwrap_or(Decimal::MAX)
}

/// The `bonds` row.
#[derive(Debug, Clone)]
pub struct BondRow {
	/// Contract address.
	pub address: String,
	/// Issuer account.
	pub issuer: String,
	/// ISIN.
	pub isin: String,
	/// blake2-256 of the terms.
	pub terms_hash: String,
	/// Coupon periods.
	pub periods: i64,
	/// Issue size, minor units.
	pub issue_size: String,
	/// Terms JSON (null if the dry run failed).
	pub terms: Json,
	/// Schedule JSON (array of coupon periods).
	pub schedule: Json,
	/// Block of creation.
	pub block_number: i64,
}

impl BondRow {
	fn from_row(row: &sqlx::any::AnyRow) -> Result<Self> {
		let parse = |s: Option<String>| -> Json {
			s.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Json::Null)
		};
		Ok(Self {
			address: col(row, "address")?,
			issuer: col(row, "issuer")?,
			isin: col(row, "isin")?,
			terms_hash: col(row, "terms_hash")?,
			periods: col(row, "periods")?,
			issue_size: col(row, "issue_size")?,
			terms: parse(col(row, "terms")?),
			schedule: parse(col(row, "schedule")?),
			block_number: col(row, "block_number")?,
		})
	}
}

const BOND_COLUMNS: &str =
	"address, issuer, isin, terms_hash, periods, issue_size, terms, schedule, block_number";

/// All bonds (optionally of one issuer), oldest first.
pub async fn list(pool: &AnyPool, issuer: Option<&str>) -> Result<Vec<BondRow>> {
	let rows = match issuer {
		Some(i) => {
			sqlx::query(&format!(
			"SELECT {BOND_COLUMNS} FROM bonds WHERE issuer = $1 ORDER BY block_number, event_index"
		))
			.bind(i)
			.fetch_all(pool)
			.await?
		}
		None => {
			sqlx::query(&format!(
				"SELECT {BOND_COLUMNS} FROM bonds ORDER BY block_number, event_index"
			))
			.fetch_all(pool)
			.await?
		}
	};
	rows.iter().map(BondRow::from_row).collect()
}

/// Every bond's address, oldest first.
pub async fn addresses(pool: &AnyPool) -> Result<Vec<String>> {
	Ok(sqlx::query_scalar("SELECT address FROM bonds ORDER BY block_number, event_index")
		.fetch_all(pool)
		.await?)
}

/// One bond, or 404.
pub async fn get(pool: &AnyPool, address: &str) -> Result<BondRow> {
	let row = sqlx::query(&format!("SELECT {BOND_COLUMNS} FROM bonds WHERE address = $1"))
		.bind(address)
		.fetch_optional(pool)
		.await?
		.ok_or_else(|| Error::NotFound(format!("no green bond at {address}")))?;
	BondRow::from_row(&row)
}

/// A subscription in the book.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Subscription {
	/// Cash escrowed, minor units.
	pub amount: Decimal,
	/// In the resident tranche.
	pub priority: bool,
	/// Units allotted at closing.
	pub units: Decimal,
	/// Cash to refund.
	pub refund: Decimal,
	/// Refund withdrawn so far.
	pub refund_withdrawn: Decimal,
}

/// A unit transfer (issue: `from` None; burn: `to` None).
#[derive(Debug, Clone)]
pub struct Transfer {
	/// Block timestamp, ms.
	pub timestamp_ms: i64,
	/// Sender.
	pub from: Option<String>,
	/// Recipient.
	pub to: Option<String>,
	/// Units.
	pub value: u128,
}

impl Transfer {
	/// Reads a `Transfer` event's fields as the indexer stores them (the green bond's and the
	/// cash token's alike: `from` and `to` 0x-hex accounts or `null`, `value` a number or a
	/// decimal string). Fails, naming the field, on anything else.
	pub fn from_fields(fields: &Json, timestamp_ms: i64) -> Result<Self> {
		let account = |name: &str| match &fields[name] {
			Json::Null => Ok(None),
			Json::String(a) => Ok(Some(a.clone())),
			other => Err(Error::Internal(format!("Transfer.{name} is not an account: {other}"))),
		};
		let value = json_u128(&fields["value"]).ok_or_else(|| {
			Error::Internal(format!("Transfer.value is not a u128: {}", fields["value"]))
		})?;
		Ok(Self { timestamp_ms, from: account("from")?, to: account("to")?, value })
	}
}

/// A fixed coupon rate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RateFixed {
	/// Rate, basis points.
	pub rate_bps: u32,
	/// Cash per unit, minor units.
	pub per_unit: Decimal,
	/// How each KPI target moved it.
	pub assessments: Json,
}

/// A payment's funding.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Funding {
	/// Paid in so far.
	pub funded: Decimal,
	/// Owed in total.
	pub due: Decimal,
	/// Declared in default.
	pub defaulted: bool,
	/// Taken back by the issuer after the claim period (`Reclaimed`): what holders left.
	pub reclaimed: Decimal,
}

/// A claim paid.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClaimPaid {
	/// Holder at the record date.
	pub holder: String,
	/// Who was paid.
	pub beneficiary: String,
	/// Record (coupon period).
	pub record: u32,
	/// Units held at the record date.
	pub units: Decimal,
	/// Coupon paid.
	pub coupon: Decimal,
	/// Principal paid.
	pub principal: Decimal,
	/// Block.
	pub block_number: i64,
}

/// Everything the views need about one bond.
#[derive(Debug, Clone)]
pub struct Facts {
	/// The stored row.
	pub row: BondRow,
	/// `Subscription`, `Cancelled`, `Active`, `Called`, `Defaulted` or `Redeemed`.
	pub phase: String,
	/// The book, by investor.
	pub book: BTreeMap<String, Subscription>,
	/// Unit balances now.
	pub balances: BTreeMap<String, u128>,
	/// Unit transfers in order.
	pub transfers: Vec<Transfer>,
	/// Units issued at closing.
	pub units_issued: u128,
	/// Cash raised.
	pub raised: u128,
	/// Fixed coupon rates by period.
	pub rates: BTreeMap<u32, RateFixed>,
	/// Funding by payment (`coupon:<n>` or `redemption`).
	pub funding: BTreeMap<String, Funding>,
	/// Claims paid.
	pub claims: Vec<ClaimPaid>,
	/// Proceeds allocation reports (event fields).
	pub proceeds: Vec<Json>,
	/// Impact reports (event fields).
	pub impact: Vec<Json>,
	/// Call exercised (event fields).
	pub called: Option<Json>,
	/// Transfers and subscriptions paused by an agent (`Paused`, until `Unpaused`).
	pub paused: bool,
	/// Accounts an agent froze (`AddressFrozen`), until unfrozen.
	pub frozen: BTreeSet<String>,
	/// Units frozen per account (`TokensFrozen` less `TokensUnfrozen`).
	pub frozen_units: BTreeMap<String, u128>,
	/// Lost wallets recovered to new accounts (`RecoverySuccess` fields and block).
	pub recoveries: Vec<Json>,
	/// Units an agent moved without the holder (`ForcedTransfer` fields and block).
	pub forced_transfers: Vec<Json>,
}

/// The key of a `Payment` as the events encode it.
pub fn payment_key(v: &Json) -> String {
	match v {
		Json::Object(m) => match m.get("Coupon") {
			Some(n) => format!("coupon:{n}"),
			None => "unknown".into(),
		},
		Json::String(s) if s == "Redemption" => "redemption".into(),
		other => other.to_string(),
	}
}

fn u(v: &Json) -> u128 {
	json_u128(v).unwrap_or(0)
}

fn s(v: &Json) -> Option<String> {
	v.as_str().map(str::to_string)
}

impl Facts {
	/// Loads and folds a bond's events.
	pub async fn load(pool: &AnyPool, address: &str) -> Result<Self> {
		let row = get(pool, address).await?;
		let events = sqlx::query(
			"SELECT name, fields, timestamp_ms, block_number FROM contract_events
			 WHERE contract = $1 ORDER BY block_number, event_index",
		)
		.bind(address)
		.fetch_all(pool)
		.await?;
		let mut f = Facts {
			row,
			phase: "Subscription".into(),
			book: BTreeMap::new(),
			balances: BTreeMap::new(),
			transfers: Vec::new(),
			units_issued: 0,
			raised: 0,
			rates: BTreeMap::new(),
			funding: BTreeMap::new(),
			claims: Vec::new(),
			proceeds: Vec::new(),
			impact: Vec::new(),
			called: None,
			paused: false,
			frozen: BTreeSet::new(),
			frozen_units: BTreeMap::new(),
			recoveries: Vec::new(),
			forced_transfers: Vec::new(),
		};
		for e in &events {
			let name: String = col(e, "name")?;
			let fields: String = col(e, "fields")?;
			let ts: i64 = col(e, "timestamp_ms")?;
			let block: i64 = col(e, "block_number")?;
			let v: Json = serde_json::from_str(&fields)
				.map_err(|e| Error::Internal(format!("stored event fields: {e}")))?;
			f.apply(&name, &v, ts, block);
		}
		if f.phase == "Active" && f.units_issued > 0 && f.outstanding() == 0 {
			f.phase = "Redeemed".into();
		}
		Ok(f)
	}

	fn apply(&mut self, name: &str, v: &Json, ts: i64, block: i64) {
		match name {
			"Subscribed" => {
				if let Some(inv) = s(&v["investor"]) {
					let sub = self.book.entry(inv).or_default();
					sub.amount = dec(u(&v["total"]));
					sub.priority = v["priority"].as_bool().unwrap_or(false);
				}
			}
			"BookClosed" => {
				self.phase = match v["outcome"].as_str() {
					Some("Issued") => "Active".into(),
					_ => "Cancelled".into(),
				};
				self.units_issued = u(&v["units"]);
				self.raised = u(&v["raised"]);
			}
			"Allotted" => {
				if let Some(inv) = s(&v["investor"]) {
					let sub = self.book.entry(inv).or_default();
					sub.units = dec(u(&v["units"]));
					sub.refund = dec(u(&v["refund"]));
				}
			}
			"RefundWithdrawn" => {
				if let Some(inv) = s(&v["investor"]) {
					let sub = self.book.entry(inv).or_default();
					sub.refund_withdrawn =
						sub.refund_withdrawn.saturating_add(dec(u(&v["amount"])));
				}
			}
			"Transfer" => match Transfer::from_fields(v, ts) {
				Ok(t) => {
					if let Some(a) = &t.from {
						let b = self.balances.entry(a.clone()).or_default();
						*b = b.saturating_sub(t.value);
					}
					if let Some(a) = &t.to {
						let b = self.balances.entry(a.clone()).or_default();
						*b = b.saturating_add(t.value);
					}
					self.transfers.push(t);
				}
				// The indexer never stores such fields; a malformed one moves no units.
				Err(e) => tracing::warn!(bond = %self.row.address, block, error = %e, "skipped"),
			},
			"CouponRateFixed" => {
				let period = u32::try_from(u(&v["period"])).unwrap_or(u32::MAX);
				self.rates.insert(
					period,
					RateFixed {
						rate_bps: u32::try_from(u(&v["rate_bps"])).unwrap_or(0),
						per_unit: dec(u(&v["per_unit"])),
						assessments: v["assessments"].clone(),
					},
				);
			}
			"PaymentFunded" => {
				let f = self.funding.entry(payment_key(&v["payment"])).or_default();
				f.funded = dec(u(&v["funded"]));
				f.due = dec(u(&v["due"]));
			}
			"PaymentDefaulted" => {
				let f = self.funding.entry(payment_key(&v["payment"])).or_default();
				f.funded = dec(u(&v["funded"]));
				f.due = dec(u(&v["due"]));
				f.defaulted = true;
				self.phase = "Defaulted".into();
			}
			"Claimed" => self.claims.push(ClaimPaid {
				holder: s(&v["holder"]).unwrap_or_default(),
				beneficiary: s(&v["beneficiary"]).unwrap_or_default(),
				record: u32::try_from(u(&v["record"])).unwrap_or(u32::MAX),
				units: dec(u(&v["units"])),
				coupon: dec(u(&v["coupon"])),
				principal: dec(u(&v["principal"])),
				block_number: block,
			}),
			"Called" => {
				self.phase = "Called".into();
				self.called = Some(v.clone());
			}
			"ProceedsAllocated" => self.proceeds.push(v.clone()),
			"ImpactReported" => self.impact.push(v.clone()),
			"Reclaimed" => {
				let f = self.funding.entry(payment_key(&v["payment"])).or_default();
				f.reclaimed = f.reclaimed.saturating_add(dec(u(&v["amount"])));
			}
			"Paused" => self.paused = true,
			"Unpaused" => self.paused = false,
			"AddressFrozen" => {
				if let Some(who) = s(&v["who"]) {
					if v["frozen"].as_bool() == Some(true) {
						self.frozen.insert(who);
					} else {
						self.frozen.remove(&who);
					}
				}
			}
			"TokensFrozen" | "TokensUnfrozen" => {
				if let Some(who) = s(&v["who"]) {
					let units = self.frozen_units.entry(who.clone()).or_default();
					*units = if name == "TokensFrozen" {
						units.saturating_add(u(&v["amount"]))
					} else {
						units.saturating_sub(u(&v["amount"]))
					};
					if *units == 0 {
						self.frozen_units.remove(&who);
					}
				}
			}
			// The units themselves move with the `Transfer` the contract emits alongside.
			"RecoverySuccess" => self.recoveries.push(serde_json::json!({
				"lost": v["lost"],
				"new": v["new"],
				"units": dec(u(&v["units"])),
				"agent": v["agent"],
				"block_number": block,
			})),
			"ForcedTransfer" => self.forced_transfers.push(serde_json::json!({
				"agent": v["agent"],
				"from": v["from"],
				"to": v["to"],
				"units": dec(u(&v["value"])),
				"block_number": block,
			})),
			_ => {}
		}
	}

	/// Units outstanding now.
	pub fn outstanding(&self) -> u128 {
		self.balances.values().fold(0u128, |a, b| a.saturating_add(*b))
	}

	/// The register of a record date at `at_ms`: unit balances after every transfer strictly
	/// before it (the contract counts a transfer at the record-date instant for the next record
	/// date: `records_passed` counts the record dates at or before the transfer's time).
	pub fn holders_at(&self, at_ms: i64) -> BTreeMap<String, u128> {
		let mut balances: BTreeMap<String, u128> = BTreeMap::new();
		for t in self.transfers.iter().filter(|t| t.timestamp_ms < at_ms) {
			if let Some(a) = &t.from {
				let b = balances.entry(a.clone()).or_default();
				*b = b.saturating_sub(t.value);
			}
			if let Some(a) = &t.to {
				let b = balances.entry(a.clone()).or_default();
				*b = b.saturating_add(t.value);
			}
		}
		balances.retain(|_, b| *b > 0);
		balances
	}

	/// The terms' base coupon in basis points.
	pub fn base_rate_bps(&self) -> u32 {
		u32::try_from(u(&self.row.terms["coupon_rate_bps"])).unwrap_or(0)
	}

	/// The denomination, minor units.
	pub fn denomination(&self) -> u128 {
		u(&self.row.terms["denomination"])
	}

	/// The rate now: the latest fixed rate, or the base rate before any fixing.
	pub fn current_rate_bps(&self) -> u32 {
		self.rates.values().last().map_or_else(|| self.base_rate_bps(), |r| r.rate_bps)
	}

	/// The coupon periods of the schedule.
	pub fn periods(&self) -> Vec<Json> {
		self.row.schedule.as_array().cloned().unwrap_or_default()
	}

	/// Cash per unit for `period` at `rate_bps`, rounded half up (as the contract does).
	pub fn coupon_per_unit(&self, period: &Json, rate_bps: u32) -> u128 {
		let num = u(&period["fraction"]["numerator"]);
		let den = u(&period["fraction"]["denominator"]);
		let numerator =
			self.denomination().checked_mul(u128::from(rate_bps)).and_then(|x| x.checked_mul(num));
		let denominator = 10_000u128.checked_mul(den);
		match (numerator, denominator) {
			(Some(n), Some(d)) if d > 0 => {
				let q = n.checked_div(d).unwrap_or(0);
				let r = n.checked_rem(d).unwrap_or(0);
				if r.checked_mul(2).is_some_and(|twice| twice >= d) {
					q.saturating_add(1)
				} else {
					q
				}
			}
			_ => 0,
		}
	}

	/// The schedule with amounts: each period's rate (fixed, or projected at the current rate),
	/// cash per unit, and totals for the units outstanding.
	pub fn schedule_with_amounts(&self) -> Vec<Json> {
		let current = self.current_rate_bps();
		let units = dec(if self.units_issued > 0 { self.outstanding() } else { 0 });
		self.periods()
			.iter()
			.map(|p| {
				let index = u32::try_from(u(&p["index"])).unwrap_or(u32::MAX);
				let (rate, per_unit, fixed, assessments) = match self.rates.get(&index) {
					Some(r) => (r.rate_bps, r.per_unit, true, r.assessments.clone()),
					None => (current, dec(self.coupon_per_unit(p, current)), false, Json::Null),
				};
				let funding = self.funding.get(&format!("coupon:{index}")).cloned();
				serde_json::json!({
					"index": index,
					"accrual_start": p["accrual_start"],
					"accrual_end": p["accrual_end"],
					"record_date": p["record_date"],
					"payment_date": p["payment_date"],
					"fraction": p["fraction"],
					"rate_bps": rate,
					"rate_fixed": fixed,
					"assessments": assessments,
					"coupon_per_unit": per_unit,
					"coupon_total": per_unit.saturating_mul(units),
					"funding": funding,
				})
			})
			.collect()
	}
}

/// Where the indexer stands: its cursor's block and the time it last moved (`None` before the
/// first block). Every write of bond rows and events commits with a cursor move (one
/// transaction per block, `store::write_block`), so while the stamp is unchanged a bond's
/// events are too.
pub type Stamp = Option<(i64, i64)>;

/// Reads the [`Stamp`]: one row by primary key.
pub async fn stamp(pool: &AnyPool) -> Result<Stamp> {
	let row = sqlx::query("SELECT block_number, updated_at_ms FROM indexer_cursor WHERE id = 1")
		.fetch_optional(pool)
		.await?;
	match row {
		None => Ok(None),
		Some(row) => Ok(Some((col(&row, "block_number")?, col(&row, "updated_at_ms")?))),
	}
}

/// One bond's worked-out facts and the stamp read before they were loaded.
type Entry = Option<(Stamp, Arc<Facts>)>;

/// The worked-out [`Facts`] of each bond and the list of bonds, each kept with the [`Stamp`]
/// read just before it was loaded, and served only while a stamp read for the request is
/// equal. Loading after reading the stamp means the facts are at least as new as their stamp;
/// serving only on an equal stamp means they are no older than the request's own reading of
/// the cursor. So a request never sees less than what the indexer had committed when it read
/// the cursor, as if it had loaded the events itself. Concurrent misses of one bond load it
/// once (the others wait for that load). Entries are kept for bonds that exist only.
#[derive(Default)]
pub struct FactsCache {
	bonds: RwLock<HashMap<String, Arc<tokio::sync::Mutex<Entry>>>>,
	list: Mutex<Option<(Stamp, Arc<Vec<String>>)>>,
}

impl FactsCache {
	/// Every bond's address, oldest first, as of `stamp`.
	pub async fn addresses(&self, pool: &AnyPool, stamp: Stamp) -> Result<Arc<Vec<String>>> {
		let cached = self.list.lock().ok().and_then(|l| l.clone());
		if let Some((s, list)) = cached {
			if s == stamp {
				return Ok(list);
			}
		}
		let list = Arc::new(addresses(pool).await?);
		if let Ok(mut l) = self.list.lock() {
			*l = Some((stamp, list.clone()));
		}
		Ok(list)
	}

	/// The facts of the bond at `address` as of `stamp` (read by the caller just before), or
	/// 404.
	pub async fn facts(&self, pool: &AnyPool, stamp: Stamp, address: &str) -> Result<Arc<Facts>> {
		let existing = self.bonds.read().ok().and_then(|m| m.get(address).cloned());
		let slot = match existing {
			Some(slot) => Some(slot),
			None => self
				.bonds
				.write()
				.ok()
				.map(|mut m| m.entry(address.to_string()).or_default().clone()),
		};
		// A poisoned map (a panic while it was held) is bypassed, not trusted.
		let Some(slot) = slot else { return Ok(Arc::new(Facts::load(pool, address).await?)) };
		let mut entry = slot.lock().await;
		if let Some((s, f)) = entry.as_ref() {
			if *s == stamp {
				return Ok(f.clone());
			}
		}
		match Facts::load(pool, address).await {
			Ok(f) => {
				let f = Arc::new(f);
				*entry = Some((stamp, f.clone()));
				Ok(f)
			}
			Err(e) => {
				// Keep no slot for an address that was never loaded (e.g. no such bond).
				if entry.is_none() {
					drop(entry);
					if let Ok(mut m) = self.bonds.write() {
						if m.get(address).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
							m.remove(address);
						}
					}
				}
				Err(e)
			}
		}
	}
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
	use super::*;
	use crate::model::{BlockData, BondSnapshot, ChainEvent, ContractEvent, EventBody};
	use crate::store::write_block;
	use serde_json::json;

	const BOND: &str = "0xb0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

	fn event(index: i64, name: &str, fields: Json, bond: Option<BondSnapshot>) -> ChainEvent {
		ChainEvent {
			index,
			extrinsic: Some(1),
			body: EventBody::Contract(ContractEvent {
				contract: BOND.into(),
				kind: "green_bond".into(),
				name: name.into(),
				fields,
				bond,
			}),
		}
	}

	fn block(number: u64, events: Vec<ChainEvent>) -> BlockData {
		BlockData {
			number,
			hash: format!("0x{number:064x}"),
			parent_hash: format!("0x{:064x}", number.saturating_sub(1)),
			timestamp_ms: number.saturating_mul(6_000),
			events,
		}
	}

	fn subscribed(index: i64, investor: &str) -> ChainEvent {
		event(
			index,
			"Subscribed",
			json!({ "investor": investor, "amount": 100, "total": 100, "priority": false }),
			None,
		)
	}

	/// The cache serves the facts while the cursor stands, and reloads them as soon as the
	/// indexer commits a block (here one with a new subscription to the bond).
	#[tokio::test]
	async fn cached_facts_follow_every_committed_block() {
		let dir = tempfile::tempdir().unwrap();
		let url = format!("sqlite://{}?mode=rwc", dir.path().join("api.db").display());
		let pool = crate::db::connect(&url).await.unwrap();
		let cache = FactsCache::default();
		assert!(matches!(
			cache.facts(&pool, stamp(&pool).await.unwrap(), BOND).await,
			Err(Error::NotFound(_))
		));
		assert!(cache.bonds.read().unwrap().is_empty(), "no entry for a missing bond");
		write_block(&pool, &block(0, vec![])).await.unwrap();
		let created = event(
			0,
			"BondCreated",
			json!({ "issuer": BOND, "isin": "0x4e4c30303030303030303030", "terms_hash": BOND,
				"periods": 1, "issue_size": 1000 }),
			Some(BondSnapshot { terms: json!({}), schedule: json!([]) }),
		);
		write_block(&pool, &block(1, vec![created, subscribed(1, "0xaa")])).await.unwrap();

		let s1 = stamp(&pool).await.unwrap();
		let a = cache.facts(&pool, s1, BOND).await.unwrap();
		assert_eq!(a.book.keys().collect::<Vec<_>>(), ["0xaa"]);
		let b = cache.facts(&pool, stamp(&pool).await.unwrap(), BOND).await.unwrap();
		assert!(Arc::ptr_eq(&a, &b), "served from the cache while the cursor stands");
		assert_eq!(*cache.addresses(&pool, s1).await.unwrap(), [BOND]);

		write_block(&pool, &block(2, vec![subscribed(0, "0xbb")])).await.unwrap();
		let s2 = stamp(&pool).await.unwrap();
		assert_ne!(s1, s2);
		let c = cache.facts(&pool, s2, BOND).await.unwrap();
		assert_eq!(c.book.keys().collect::<Vec<_>>(), ["0xaa", "0xbb"]);
		// An empty block moves the cursor too: reloaded, same facts.
		write_block(&pool, &block(3, vec![])).await.unwrap();
		let d = cache.facts(&pool, stamp(&pool).await.unwrap(), BOND).await.unwrap();
		assert!(!Arc::ptr_eq(&c, &d));
		assert_eq!(d.book.len(), 2);
		pool.close().await;
	}
}
