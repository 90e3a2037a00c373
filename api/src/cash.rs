//! A cash token's supply and balances, folded from its indexed `Transfer` events (PSP22: a mint
//! is a transfer from nobody, a burn one to nobody). The fold is exact: `u128` with checked
//! arithmetic, and a transfer of more than its sender holds (or a sum past `u128::MAX`) means
//! the indexed data is inconsistent, an error rather than a number.

use crate::{
	bond::Transfer,
	db::col,
	error::{Error, Result},
};
use serde_json::Value as Json;
use sqlx::AnyPool;
use std::collections::BTreeMap;

/// What a cash token's transfers add up to, as of one indexed block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Supply {
	/// Minted in all, minor units.
	pub minted: u128,
	/// Burned in all, minor units.
	pub burned: u128,
	/// Mints (transfers from nobody).
	pub mints: u64,
	/// Burns (transfers to nobody).
	pub burns: u64,
	/// Every `Transfer` event, mints and burns included.
	pub transfers: u64,
	/// Accounts with a non-zero balance: largest first, then by account.
	pub balances: Vec<(String, u128)>,
}

impl Supply {
	/// Tokens in circulation: minted less burned.
	pub fn supply(&self) -> Result<u128> {
		self.minted.checked_sub(self.burned).ok_or_else(|| {
			Error::Inconsistent(format!(
				"{} burned but only {} minted: the indexed transfers are inconsistent",
				self.burned, self.minted
			))
		})
	}

	/// Folds `transfers` in chain order; `at(i)` says where the `i`-th happened, for errors.
	pub fn fold(transfers: &[Transfer], at: impl Fn(usize) -> String) -> Result<Self> {
		let mut s = Supply::default();
		let mut balances: BTreeMap<&str, u128> = BTreeMap::new();
		let inconsistent = |i: usize, what: String| {
			Error::Inconsistent(format!("{} {what}; the indexed transfers are inconsistent", at(i)))
		};
		for (i, t) in transfers.iter().enumerate() {
			s.transfers = s.transfers.saturating_add(1);
			match &t.from {
				None => {
					s.mints = s.mints.saturating_add(1);
					s.minted = s.minted.checked_add(t.value).ok_or_else(|| {
						inconsistent(i, format!("mints {} past the largest supply", t.value))
					})?;
				}
				Some(from) => {
					let held = balances.get(from.as_str()).copied().unwrap_or(0);
					let left = held.checked_sub(t.value).ok_or_else(|| {
						inconsistent(i, format!("moves {} from {from}, who holds {held}", t.value))
					})?;
					balances.insert(from, left);
				}
			}
			match &t.to {
				None if t.from.is_none() => {
					return Err(inconsistent(i, "has neither sender nor recipient".into()));
				}
				None => {
					s.burns = s.burns.saturating_add(1);
					s.burned = s.burned.checked_add(t.value).ok_or_else(|| {
						inconsistent(i, format!("burns {} past the largest supply", t.value))
					})?;
				}
				Some(to) => {
					let held = balances.get(to.as_str()).copied().unwrap_or(0);
					let now = held.checked_add(t.value).ok_or_else(|| {
						inconsistent(
							i,
							format!("gives {to} {} more than the largest balance", t.value),
						)
					})?;
					balances.insert(to, now);
				}
			}
		}
		let mut nonzero: Vec<(String, u128)> =
			balances.into_iter().filter(|(_, b)| *b > 0).map(|(a, b)| (a.to_string(), b)).collect();
		nonzero.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
		s.balances = nonzero;
		Ok(s)
	}

	/// Loads the cash token at `address` (lowercase 0x-hex) as of block `at`: 404 unless it is
	/// an indexed cash token created at or before `at`. Only events at or before `at` count, so
	/// the figures are exactly those of that block even while the indexer writes the next.
	pub async fn load(pool: &AnyPool, address: &str, at: i64) -> Result<Self> {
		let kind: Option<String> = sqlx::query_scalar(
			"SELECT kind FROM contracts WHERE address = $1 AND block_number <= $2",
		)
		.bind(address)
		.bind(at)
		.fetch_optional(pool)
		.await?;
		if kind.as_deref() != Some("cash_token") {
			return Err(Error::NotFound(format!("no cash token at {address}")));
		}
		let rows = sqlx::query(
			"SELECT block_number, event_index, fields, timestamp_ms FROM contract_events
			 WHERE contract = $1 AND name = 'Transfer' AND contract_kind = 'cash_token'
			   AND block_number <= $2
			 ORDER BY block_number, event_index",
		)
		.bind(address)
		.bind(at)
		.fetch_all(pool)
		.await?;
		let place = |block: i64, index: i64| {
			format!("cash token {address}: the Transfer at block {block}, event {index},")
		};
		let mut transfers = Vec::with_capacity(rows.len());
		let mut places = Vec::with_capacity(rows.len());
		for row in &rows {
			let block: i64 = col(row, "block_number")?;
			let index: i64 = col(row, "event_index")?;
			let fields: String = col(row, "fields")?;
			let v: Json = serde_json::from_str(&fields).map_err(|e| {
				Error::Internal(format!("{} stored fields: {e}", place(block, index)))
			})?;
			let t = Transfer::from_fields(&v, col(row, "timestamp_ms")?)
				.map_err(|e| Error::Inconsistent(format!("{} {e}", place(block, index))))?;
			transfers.push(t);
			places.push((block, index));
		}
		Self::fold(&transfers, |i| places.get(i).map(|(b, e)| place(*b, *e)).unwrap_or_default())
	}
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::expect_used)]
	use super::*;

	fn t(from: Option<&str>, to: Option<&str>, value: u128) -> Transfer {
		Transfer { timestamp_ms: 0, from: from.map(String::from), to: to.map(String::from), value }
	}

	fn at(i: usize) -> String {
		format!("transfer #{i}")
	}

	#[test]
	fn fold_counts_mints_burns_and_orders_balances_largest_first() {
		let s = Supply::fold(
			&[
				t(None, Some("0xaa"), 100_000),
				t(None, Some("0xbb"), 50_000),
				t(Some("0xaa"), Some("0xbb"), 20_000),
				t(Some("0xbb"), None, 10_000),
				t(None, Some("0xcc"), 5),
				t(Some("0xcc"), Some("0xdd"), 5),
				t(Some("0xdd"), Some("0xee"), 0),
			],
			at,
		)
		.unwrap();
		assert_eq!((s.minted, s.burned, s.supply().unwrap()), (150_005, 10_000, 140_005));
		assert_eq!((s.mints, s.burns, s.transfers), (3, 1, 7));
		let expected = [("0xaa", 80_000), ("0xbb", 60_000), ("0xdd", 5)];
		assert_eq!(s.balances, expected.map(|(a, b)| (a.to_string(), b)));
	}

	#[test]
	fn equal_balances_are_ordered_by_account() {
		let s = Supply::fold(&[t(None, Some("0xbb"), 7), t(None, Some("0xaa"), 7)], at).unwrap();
		assert_eq!(s.balances, [("0xaa".to_string(), 7), ("0xbb".to_string(), 7)]);
	}

	#[test]
	fn inconsistent_transfers_are_errors_not_numbers() {
		let overdraw = [t(None, Some("0xaa"), 10), t(Some("0xaa"), Some("0xbb"), 11)];
		let e = Supply::fold(&overdraw, at).unwrap_err().to_string();
		assert!(e.contains("transfer #1 moves 11 from 0xaa, who holds 10"), "{e}");
		let overflow = [t(None, Some("0xaa"), u128::MAX), t(None, Some("0xbb"), 1)];
		let e = Supply::fold(&overflow, at).unwrap_err().to_string();
		assert!(e.contains("transfer #1 mints 1"), "{e}");
		let nobody = [t(None, None, 1)];
		let e = Supply::fold(&nobody, at).unwrap_err().to_string();
		assert!(e.contains("neither sender nor recipient"), "{e}");
		assert!(Supply::fold(&[t(Some("0xaa"), None, 1)], at).is_err(), "burn from nothing");
	}
}
