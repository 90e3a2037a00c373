//! Investor views: only the caller's own holdings, subscriptions and coupons.

use super::{parse_account, AppState, Page, PageQuery, Paged, Q};
use crate::{
	auth::{role, Caller},
	bond::{dec, Facts},
	db::now_ms,
	error::Result,
	ink::json_u128,
};
use axum::{
	extract::{Path, State},
	Json,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// What one investor has in one bond.
pub fn position(f: &Facts, investor: &str) -> Value {
	let units = f.balances.get(investor).copied().unwrap_or(0);
	let outstanding = f.outstanding();
	let subscription = f.book.get(investor).cloned();
	let claimed: Vec<_> = f.claims.iter().filter(|c| c.holder == investor).cloned().collect();
	let now = now_ms();
	let mut claimable = Vec::new();
	let mut projected = Vec::new();
	let current = f.current_rate_bps();
	let periods = f.periods();
	let last_index = periods.len().checked_sub(1);
	for (i, p) in periods.iter().enumerate() {
		let index = u32::try_from(json_u128(&p["index"]).unwrap_or(0)).unwrap_or(u32::MAX);
		let record = i64::try_from(json_u128(&p["record_date"]).unwrap_or(0)).unwrap_or(i64::MAX);
		let payment_ms = i64::try_from(json_u128(&p["payment_date"]).unwrap_or(0)).unwrap_or(0);
		let is_last = Some(i) == last_index;
		let already = claimed.iter().any(|c| c.record == index);
		if let Some(rate) = f.rates.get(&index) {
			// Entitlement fixed at the record date; claimable once funded.
			let held = f.holders_at(record).get(investor).copied().unwrap_or(0);
			let funding = f.funding.get(&format!("coupon:{index}"));
			let funded = funding.is_some_and(|fu| fu.funded >= fu.due && fu.due > Decimal::ZERO);
			if held > 0 && !already {
				claimable.push(json!({
					"record": index,
					"units": dec(held),
					"coupon": rate.per_unit.saturating_mul(dec(held)),
					"funded": funded,
				}));
			}
		} else if payment_ms > now && units > 0 {
			let per_unit = dec(f.coupon_per_unit(p, current));
			let principal = if is_last {
				dec(f.denomination()).saturating_mul(dec(units))
			} else {
				Decimal::ZERO
			};
			projected.push(json!({
				"period": index,
				"payment_date": super::rfc3339(payment_ms),
				"rate_bps": current,
				"coupon": per_unit.saturating_mul(dec(units)),
				"principal": principal,
			}));
		}
	}
	// Share of reported impact: the holder's units over the units outstanding, applied to
	// every impact report's amounts.
	let share = if outstanding > 0 {
		dec(units).checked_div(dec(outstanding)).unwrap_or_default()
	} else {
		Decimal::ZERO
	};
	let impact: Vec<Value> = f
		.impact
		.iter()
		.map(|r| {
			let entries: Vec<Value> = r["entries"]
				.as_array()
				.into_iter()
				.flatten()
				.map(|e| {
					let amount = dec(json_u128(&e[1]).unwrap_or(0));
					json!({
						"category": e[0],
						"reported": amount,
						"holder_share": amount.saturating_mul(share).round_dp(6).normalize(),
					})
				})
				.collect();
			json!({ "index": r["index"], "document": r["document"], "entries": entries })
		})
		.collect();
	json!({
		"bond": f.row.address,
		"isin": f.row.isin,
		"status": f.phase,
		"units": dec(units),
		"frozen": f.frozen.contains(investor),
		"frozen_units": dec(f.frozen_units.get(investor).copied().unwrap_or(0)),
		"share_of_outstanding": share.round_dp(8).normalize(),
		"subscription": subscription,
		"coupons_claimed": claimed,
		"claimable": claimable,
		"projected_cash_flows": projected,
		"current_rate_bps": current,
		"impact": impact,
	})
}

/// `GET /v1/investor/holdings`: the caller's bonds (held now or subscribed).
pub async fn holdings(
	State(state): State<AppState>,
	caller: Caller,
	Q(q): Q<PageQuery>,
) -> Result<Json<Paged<Value>>> {
	caller.require(role::INVESTOR, "investor")?;
	let page = Page::parse(&q)?;
	let stamp = crate::bond::stamp(&state.pool).await?;
	let mut mine = Vec::new();
	for address in state.facts.addresses(&state.pool, stamp).await?.iter() {
		let f = state.facts.facts(&state.pool, stamp, address).await?;
		let involved = f.balances.get(&caller.account).is_some_and(|b| *b > 0)
			|| f.book.contains_key(&caller.account)
			|| f.claims.iter().any(|c| c.holder == caller.account);
		if involved {
			mine.push(f);
		}
	}
	let total = i64::try_from(mine.len()).unwrap_or(i64::MAX);
	let items = page
		.slice(&mine)
		.iter()
		.map(|f| {
			json!({
				"bond": f.row.address,
				"isin": f.row.isin,
				"status": f.phase,
				"units": dec(f.balances.get(&caller.account).copied().unwrap_or(0)),
				"current_rate_bps": f.current_rate_bps(),
			})
		})
		.collect();
	Ok(Json(Paged { items, limit: page.limit, offset: page.offset, total }))
}

/// `GET /v1/investor/bonds/{address}`: the caller's position in one bond: subscription,
/// coupons claimed and claimable, projected cash flows at the current rate, share of impact.
pub async fn bond(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
) -> Result<Json<Value>> {
	caller.require(role::INVESTOR, "investor")?;
	let address = parse_account(&address, "address")?;
	let f = state.bond_facts(&address).await?;
	Ok(Json(position(&f, &caller.account)))
}
