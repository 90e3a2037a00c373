//! Issuer views: only the caller's own bonds (403 for another issuer's).

use super::{
	parse_account, parse_time, public::MAX_PERIODS, rfc3339, AppState, Page, PageQuery, Paged, Q,
};
use crate::{
	auth::{role, Caller},
	bond::{dec, Facts},
	db::now_ms,
	error::{Error, Result},
	ink::json_u128,
};
use axum::{
	extract::{Path, State},
	Json,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;

async fn own_bond(state: &AppState, caller: &Caller, address: &str) -> Result<Arc<Facts>> {
	caller.require(role::ISSUER, "issuer")?;
	let address = parse_account(address, "address")?;
	let f = state.bond_facts(&address).await?;
	if f.row.issuer != caller.account {
		return Err(Error::Forbidden(format!(
			"bond {address} is not issued by the signed-in account"
		)));
	}
	Ok(f)
}

/// `GET /v1/issuer/bonds`: the caller's bonds.
pub async fn bonds(
	State(state): State<AppState>,
	caller: Caller,
	Q(q): Q<PageQuery>,
) -> Result<Json<Paged<Value>>> {
	caller.require(role::ISSUER, "issuer")?;
	let page = Page::parse(&q)?;
	let stamp = crate::bond::stamp(&state.pool).await?;
	let rows = crate::bond::list(&state.pool, Some(&caller.account)).await?;
	let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
	let mut items = Vec::new();
	for row in page.slice(&rows) {
		let f = state.facts.facts(&state.pool, stamp, &row.address).await?;
		items.push(json!({
			"bond": f.row.address,
			"isin": f.row.isin,
			"status": f.phase,
			"raised": dec(f.raised),
			"units_outstanding": dec(f.outstanding()),
			"current_rate_bps": f.current_rate_bps(),
		}));
	}
	Ok(Json(Paged { items, limit: page.limit, offset: page.offset, total }))
}

/// `GET /v1/issuer/bonds/{address}/book`: every subscription and its allotment.
pub async fn book(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
	Q(q): Q<PageQuery>,
) -> Result<Json<Paged<Value>>> {
	let f = own_bond(&state, &caller, &address).await?;
	let page = Page::parse(&q)?;
	let all: Vec<Value> = f
		.book
		.iter()
		.map(|(investor, s)| json!({ "investor": investor, "subscription": s }))
		.collect();
	let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
	Ok(Json(Paged { items: page.slice(&all), limit: page.limit, offset: page.offset, total }))
}

/// Query of [`holders`].
#[derive(Debug, serde::Deserialize)]
pub struct HoldersQuery {
	/// RFC 3339 time or `YYYY-MM-DD` (default: now).
	pub record_date: Option<String>,
	/// Page size.
	pub limit: Option<String>,
	/// Page offset.
	pub offset: Option<String>,
}

/// `GET /v1/issuer/bonds/{address}/holders?record_date=`: the holder register at a date.
pub async fn holders(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
	Q(q): Q<HoldersQuery>,
) -> Result<Json<Value>> {
	let f = own_bond(&state, &caller, &address).await?;
	let page = Page::parse(&PageQuery { limit: q.limit.clone(), offset: q.offset.clone() })?;
	let at = match q.record_date.as_deref() {
		Some(d) => parse_time(d, "record_date")?,
		None => now_ms(),
	};
	let register = f.holders_at(at);
	let total_units = register.values().fold(0u128, |a, b| a.saturating_add(*b));
	let all: Vec<Value> = register
		.iter()
		.map(|(holder, units)| {
			json!({
				"holder": holder,
				"units": dec(*units),
				// As of now, not as of the record date.
				"frozen": f.frozen.contains(holder),
				"frozen_units": dec(f.frozen_units.get(holder).copied().unwrap_or(0)),
			})
		})
		.collect();
	Ok(Json(json!({
		"bond": f.row.address,
		"record_date": rfc3339(at),
		"total_units": dec(total_units),
		"holders": all.len(),
		"recoveries": f.recoveries,
		"forced_transfers": f.forced_transfers,
		"items": page.slice(&all),
		"limit": page.limit,
		"offset": page.offset,
	})))
}

/// `GET /v1/issuer/bonds/{address}/obligations`: every payment not yet fully paid out, what it
/// costs (fixed, or projected at the current rate) and whether it is funded.
pub async fn obligations(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
) -> Result<Json<Value>> {
	let f = own_bond(&state, &caller, &address).await?;
	let now = now_ms();
	let units = dec(f.outstanding());
	let mut items = Vec::new();
	for p in f.schedule_with_amounts() {
		let payment =
			json_u128(&p["payment_date"]).and_then(|v| i64::try_from(v).ok()).unwrap_or(0);
		let key = format!("coupon:{}", p["index"]);
		let funding = f.funding.get(&key).cloned().unwrap_or_default();
		let due = if funding.due > Decimal::ZERO {
			funding.due
		} else {
			serde_json::from_value::<Decimal>(p["coupon_total"].clone()).unwrap_or_default()
		};
		let claimed_all = payment <= now && funding.funded >= due && due > Decimal::ZERO;
		if payment > now || !claimed_all {
			items.push(json!({
				"payment": key,
				"payment_date": rfc3339(payment),
				"rate_bps": p["rate_bps"],
				"rate_fixed": p["rate_fixed"],
				"due": due,
				"funded": funding.funded,
				"fully_funded": funding.funded >= due && due > Decimal::ZERO,
				"defaulted": funding.defaulted,
				"reclaimed": funding.reclaimed,
			}));
		}
	}
	let redemption = f.funding.get("redemption").cloned().unwrap_or_default();
	let principal = dec(f.denomination()).saturating_mul(units);
	let due = if redemption.due > Decimal::ZERO { redemption.due } else { principal };
	items.push(json!({
		"payment": "redemption",
		"payment_date": rfc3339(json_u128(&f.row.terms["maturity_date"]).and_then(|v| i64::try_from(v).ok()).unwrap_or(0)),
		"due": due,
		"funded": redemption.funded,
		"fully_funded": redemption.funded >= due && due > Decimal::ZERO,
		"defaulted": redemption.defaulted,
		"reclaimed": redemption.reclaimed,
	}));
	// What the issuer took back of each payment holders left unclaimed, paid out or not.
	let reclaimed: serde_json::Map<String, Value> = f
		.funding
		.iter()
		.filter(|(_, funding)| funding.reclaimed > Decimal::ZERO)
		.map(|(payment, funding)| (payment.clone(), json!(funding.reclaimed)))
		.collect();
	Ok(Json(json!({
		"bond": f.row.address,
		"status": f.phase,
		"paused": f.paused,
		"items": items,
		"reclaimed": reclaimed,
	})))
}

/// `GET /v1/issuer/bonds/{address}/proceeds`: use-of-proceeds allocation reports against the
/// amount raised.
pub async fn proceeds(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
) -> Result<Json<Value>> {
	let f = own_bond(&state, &caller, &address).await?;
	let allocated = f.proceeds.last().and_then(|p| json_u128(&p["total_allocated"])).unwrap_or(0);
	Ok(Json(json!({
		"bond": f.row.address,
		"raised": dec(f.raised),
		"allocated": dec(allocated),
		"unallocated": dec(f.raised.saturating_sub(allocated)),
		"use_of_proceeds": f.row.terms["use_of_proceeds"],
		"reports": f.proceeds,
	})))
}

/// `GET /v1/issuer/bonds/{address}/kpis`: each KPI link of the bond against its targets.
pub async fn kpis(
	State(state): State<AppState>,
	caller: Caller,
	Path(address): Path<String>,
) -> Result<Json<Value>> {
	let f = own_bond(&state, &caller, &address).await?;
	let mut links = Vec::new();
	for link in f.row.terms["kpis"].as_array().into_iter().flatten() {
		let Some(feed) = link["feed"].as_i64() else { continue };
		// The observed periods only, read in windows of at most `MAX_PERIODS` periods: one
		// series request per window, however many targets it holds, while targets years of
		// feed periods apart never make a window longer than one request may span.
		let periods: Vec<i64> = link["targets"]
			.as_array()
			.into_iter()
			.flatten()
			.filter_map(|t| t["feed_period"].as_i64())
			.collect::<std::collections::BTreeSet<i64>>()
			.into_iter()
			.collect();
		let mut series = json!(null);
		let mut rest = periods.as_slice();
		while let Some(&from) = rest.first() {
			let last = from.saturating_add(MAX_PERIODS.saturating_sub(1));
			let count = rest.iter().take_while(|p| **p <= last).count();
			let (window, later) = rest.split_at(count);
			rest = later;
			let to = window.last().copied().unwrap_or(from);
			let one = match crate::http::public::series(
				&state.pool,
				feed,
				Some(from),
				Some(to),
				Some(&caller.account),
			)
			.await
			{
				Ok(s) => s,
				Err(Error::NotFound(_)) => break,
				Err(e) => return Err(e),
			};
			let observed = one["points"]
				.as_array()
				.into_iter()
				.flatten()
				.filter(|p| p["period"].as_i64().is_some_and(|p| window.binary_search(&p).is_ok()))
				.cloned()
				.collect::<Vec<_>>();
			match series["points"].as_array_mut() {
				Some(points) => points.extend(observed),
				None => {
					series = one;
					series["points"] = Value::Array(observed);
				}
			}
		}
		if let Some(obj) = series.as_object_mut() {
			obj.remove("from_period");
			obj.remove("to_period");
		}
		links.push(json!({ "link": link, "series": series }));
	}
	Ok(Json(json!({ "bond": f.row.address, "kpi_links": links })))
}
