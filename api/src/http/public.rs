//! Public views: bonds, cash tokens and KPI time series. No sign-in.

use super::{parse_account, parse_int, rfc3339, AppState, Page, PageQuery, Paged, Q};
use crate::{
	bond::{dec, Facts},
	db::{col, now_ms},
	error::{Error, Result},
};
use axum::{
	extract::{Path, State},
	Json,
};
use serde_json::{json, Value as Json_};
use std::collections::BTreeMap;

/// `GET /health`: the process answers.
pub async fn health() -> Json<Json_> {
	Json(json!({ "status": "ok" }))
}

/// `GET /v1/status`: the indexer's cursor.
pub async fn status(State(state): State<AppState>) -> Result<Json<Json_>> {
	let cursor = crate::db::cursor(&state.pool).await?;
	Ok(Json(json!({
		"indexed_block": cursor.as_ref().map(|c| c.0),
		"indexed_hash": cursor.map(|c| c.1),
	})))
}

fn summary(f: &Facts) -> Json_ {
	json!({
		"address": f.row.address,
		"isin": f.row.isin,
		"issuer": f.row.issuer,
		"terms_hash": f.row.terms_hash,
		"issue_size": crate::db::money(&f.row.issue_size).unwrap_or_default(),
		"periods": f.row.periods,
		"status": f.phase,
		"current_rate_bps": f.current_rate_bps(),
		"created_block": f.row.block_number,
	})
}

/// `GET /v1/bonds`: every green bond, oldest first.
pub async fn bonds(
	State(state): State<AppState>,
	Q(q): Q<PageQuery>,
) -> Result<Json<Paged<Json_>>> {
	let page = Page::parse(&q)?;
	let stamp = crate::bond::stamp(&state.pool).await?;
	let addresses = state.facts.addresses(&state.pool, stamp).await?;
	let total = i64::try_from(addresses.len()).unwrap_or(i64::MAX);
	let mut items = Vec::new();
	for address in page.slice(&addresses) {
		items.push(summary(&*state.facts.facts(&state.pool, stamp, &address).await?));
	}
	Ok(Json(Paged { items, limit: page.limit, offset: page.offset, total }))
}

/// `GET /v1/bonds/{address}`: terms, terms hash, status, schedule with amounts, current rate.
pub async fn bond(
	State(state): State<AppState>,
	Path(address): Path<String>,
) -> Result<Json<Json_>> {
	let address = parse_account(&address, "address")?;
	let f = state.bond_facts(&address).await?;
	let mut out = summary(&f);
	out["terms"] = f.row.terms.clone();
	out["schedule"] = Json_::Array(f.schedule_with_amounts());
	out["units_issued"] = json!(dec(f.units_issued));
	out["units_outstanding"] = json!(dec(f.outstanding()));
	out["raised"] = json!(dec(f.raised));
	out["subscribers"] = json!(f.book.len());
	out["paused"] = json!(f.paused);
	Ok(Json(out))
}

/// An amount of minor units as a [`rust_decimal::Decimal`], exact or an error (never
/// saturated).
pub(super) fn amount(v: u128, what: &str) -> Result<rust_decimal::Decimal> {
	i128::try_from(v)
		.ok()
		.and_then(|i| rust_decimal::Decimal::try_from_i128_with_scale(i, 0).ok())
		.ok_or_else(|| Error::Internal(format!("{what} {v} is beyond rust_decimal's range")))
}

/// `GET /v1/cash/{address}`: a cash token's minted, burned and circulating supply and its
/// counts of mints, burns and transfers, folded from its indexed `Transfer` events up to the
/// indexer's cursor. No account's balance: a holder reads its own
/// ([`super::cash::balance`]), a settlement agent the ledger ([`super::cash::accounts`]).
pub async fn cash(
	State(state): State<AppState>,
	Path(address): Path<String>,
) -> Result<Json<Json_>> {
	let address = parse_account(&address, "address")?;
	let (block, s) = super::cash::supply(&state, &address).await?;
	Ok(Json(json!({
		"address": address,
		"minted": amount(s.minted, "minted")?,
		"burned": amount(s.burned, "burned")?,
		"supply": amount(s.supply()?, "supply")?,
		"mints": s.mints,
		"burns": s.burns,
		"transfers": s.transfers,
		"holders": s.balances.len(),
		"indexed_block": block,
	})))
}

fn feed_json(row: &sqlx::any::AnyRow) -> Result<Json_> {
	Ok(json!({
		"feed": col::<i64>(row, "feed_id")?,
		"owner": col::<Option<String>>(row, "owner")?,
		"description": col::<String>(row, "description")?,
		"entity_id": col::<String>(row, "entity_id")?,
		"attribute": col::<String>(row, "attribute")?,
		"unit": col::<String>(row, "unit")?,
		"decimals": col::<i64>(row, "decimals")?,
		"first_period_start": rfc3339(col(row, "first_start_ms")?),
		"period_ms": col::<i64>(row, "period_ms")?,
		"quorum": col::<i64>(row, "quorum")?,
		"max_report_age_ms": col::<i64>(row, "max_report_age_ms")?,
		"challenge_window_ms": col::<i64>(row, "challenge_window_ms")?,
	}))
}

/// `GET /v1/feeds`: every KPI feed.
pub async fn feeds(
	State(state): State<AppState>,
	Q(q): Q<PageQuery>,
) -> Result<Json<Paged<Json_>>> {
	let page = Page::parse(&q)?;
	let total: i64 =
		sqlx::query_scalar("SELECT COUNT(*) FROM kpi_feeds").fetch_one(&state.pool).await?;
	let rows = sqlx::query("SELECT * FROM kpi_feeds ORDER BY feed_id LIMIT $1 OFFSET $2")
		.bind(page.limit)
		.bind(page.offset)
		.fetch_all(&state.pool)
		.await?;
	let items = rows.iter().map(feed_json).collect::<Result<Vec<_>>>()?;
	Ok(Json(Paged { items, limit: page.limit, offset: page.offset, total }))
}

/// Query of [`kpis`].
#[derive(Debug, serde::Deserialize)]
pub struct KpiQuery {
	/// First period (default: 499 before `to_period`, or 0).
	pub from_period: Option<String>,
	/// Last period (default: the current one, or 499 after `from_period` if that is earlier;
	/// at most 500 periods at once).
	pub to_period: Option<String>,
}

/// The most periods one series request returns.
pub const MAX_PERIODS: i64 = 500;

/// The series of a feed over `[from, to]`: status, value and targets of every period.
pub async fn series(
	pool: &sqlx::AnyPool,
	feed: i64,
	from: Option<i64>,
	to: Option<i64>,
	issuer: Option<&str>,
) -> Result<Json_> {
	let feed_row = sqlx::query("SELECT * FROM kpi_feeds WHERE feed_id = $1")
		.bind(feed)
		.fetch_optional(pool)
		.await?
		.ok_or_else(|| Error::NotFound(format!("no KPI feed {feed}")))?;
	let first_start: i64 = col(&feed_row, "first_start_ms")?;
	let length: i64 = col(&feed_row, "period_ms")?;
	let max_age: i64 = col(&feed_row, "max_report_age_ms")?;
	let decimals: i64 = col(&feed_row, "decimals")?;
	let now = now_ms();
	let current = if length > 0 && now > first_start {
		now.saturating_sub(first_start).checked_div(length).unwrap_or(0)
	} else {
		0
	};
	// Without bounds: the latest MAX_PERIODS periods; with one bound, MAX_PERIODS periods from
	// (or up to) it. So the default request works whatever the feed's age.
	let span = MAX_PERIODS.saturating_sub(1);
	let (from, to) = match (from, to) {
		(Some(f), Some(t)) => (f, t),
		(Some(f), None) => (f, current.min(f.saturating_add(span)).max(f)),
		(None, Some(t)) => (t.saturating_sub(span).max(0), t),
		(None, None) => (current.saturating_sub(span).max(0), current),
	};
	if to < from {
		return Err(Error::bad("to_period", format!("{to} is before from_period {from}")));
	}
	if to.saturating_sub(from) >= MAX_PERIODS {
		return Err(Error::bad("to_period", format!("at most {MAX_PERIODS} periods at once")));
	}
	// Latest status and value, reports per period.
	let transitions = sqlx::query(
		"SELECT period, kind, status, value, detail FROM kpi_transitions
		 WHERE feed_id = $1 AND period >= $2 AND period <= $3 ORDER BY block_number, event_index",
	)
	.bind(feed)
	.bind(from)
	.bind(to)
	.fetch_all(pool)
	.await?;
	let mut state: BTreeMap<i64, (Option<String>, Option<String>, i64, u32)> = BTreeMap::new();
	for t in &transitions {
		let period: i64 = col(t, "period")?;
		let entry = state.entry(period).or_insert((None, None, 0, 0));
		let kind: String = col(t, "kind")?;
		if kind == "KpiAttested" {
			entry.3 = entry.3.saturating_add(1);
		}
		if let Some(s) = col::<Option<String>>(t, "status")? {
			entry.0 = Some(s);
		}
		if let Some(v) = col::<Option<String>>(t, "value")? {
			entry.1 = Some(v);
		}
		if kind == "KpiProvisional" {
			let detail: String = col(t, "detail")?;
			let d: Json_ = serde_json::from_str(&detail).unwrap_or_default();
			entry.2 = d["challenge_end_ms"].as_i64().unwrap_or(0);
		}
	}
	let counts = sqlx::query(
		"SELECT period, COUNT(*) AS n FROM kpi_reports WHERE feed_id = $1 AND period >= $2
		 AND period <= $3 GROUP BY period",
	)
	.bind(feed)
	.bind(from)
	.bind(to)
	.fetch_all(pool)
	.await?;
	let mut reports: BTreeMap<i64, i64> = BTreeMap::new();
	for c in &counts {
		reports.insert(col(c, "period")?, col(c, "n")?);
	}
	let targets = targets_for(pool, feed, issuer).await?;
	let scale = u32::try_from(decimals).unwrap_or(0);
	let mut points = Vec::new();
	for period in from..=to {
		let start = first_start.saturating_add(length.saturating_mul(period));
		let end = start.saturating_add(length);
		let deadline = end.saturating_add(max_age);
		let (status, value, challenge_end, attestations) =
			state.get(&period).cloned().unwrap_or((None, None, 0, 0));
		// What the chain would answer now: a Provisional value past its window reads Final, a
		// period past its deadline without a quorum reads Missing (the pallet records both when
		// its queue reaches them).
		let effective = match status.as_deref() {
			Some("Provisional") if now >= challenge_end => "final".to_string(),
			Some(s) => s.to_lowercase(),
			None if now >= deadline => "missing".to_string(),
			None if now < end => "open".to_string(),
			None => "collecting".to_string(),
		};
		let decimal = value
			.as_deref()
			.and_then(|v| v.parse::<i128>().ok())
			.and_then(|v| rust_decimal::Decimal::try_from_i128_with_scale(v, scale).ok());
		let period_targets: Vec<Json_> = targets
			.iter()
			.filter(|t| t["feed_period"].as_i64() == Some(period))
			.map(|t| {
				let mut t = t.clone();
				let target = t["target"]
					.as_i64()
					.map(i128::from)
					.or_else(|| t["target"].as_str().and_then(|s| s.parse().ok()));
				let met = match (value.as_deref().and_then(|v| v.parse::<i128>().ok()), target) {
					(Some(v), Some(target)) if effective != "voided" => {
						Some(if t["direction"] == "AtOrBelow" { v <= target } else { v >= target })
					}
					_ => None,
				};
				t["met"] = json!(met);
				t
			})
			.collect();
		points.push(json!({
			"period": period,
			"start": rfc3339(start),
			"end": rfc3339(end),
			"status": effective,
			"recorded_status": status,
			"value": value,
			"value_decimal": decimal,
			"reports": reports.get(&period).copied().unwrap_or(0),
			"attestations": attestations,
			"targets": period_targets,
		}));
	}
	let mut out = feed_json(&feed_row)?;
	out["current_period"] = json!(current);
	out["from_period"] = json!(from);
	out["to_period"] = json!(to);
	out["points"] = Json_::Array(points);
	Ok(out)
}

/// Every KPI target on `feed` in the green bonds' terms (of one issuer's bonds, if given).
async fn targets_for(pool: &sqlx::AnyPool, feed: i64, issuer: Option<&str>) -> Result<Vec<Json_>> {
	let mut out = Vec::new();
	for bond in crate::bond::list(pool, issuer).await? {
		for link in bond.terms["kpis"].as_array().into_iter().flatten() {
			if link["feed"].as_i64() != Some(feed) {
				continue;
			}
			for t in link["targets"].as_array().into_iter().flatten() {
				out.push(json!({
					"bond": bond.address,
					"isin": bond.isin,
					"direction": link["direction"],
					"step_bps": link["step_bps"],
					"observation_period": t["observation_period"],
					"feed_period": t["feed_period"],
					"target": t["target"],
					"observation_date": t["observation_date"],
				}));
			}
		}
	}
	Ok(out)
}

/// `GET /v1/feeds/{feed}/kpis`: a feed's KPI per period (status provisional, final, missing,
/// disputed, voided, or open/collecting before a decision) against the bonds' targets.
pub async fn kpis(
	State(state): State<AppState>,
	Path(feed): Path<String>,
	Q(q): Q<KpiQuery>,
) -> Result<Json<Json_>> {
	let feed = parse_int(Some(&feed), "feed", 0, i64::from(u32::MAX))?.unwrap_or(0);
	let from = parse_int(q.from_period.as_deref(), "from_period", 0, i64::from(u32::MAX))?;
	let to = parse_int(q.to_period.as_deref(), "to_period", 0, i64::from(u32::MAX))?;
	Ok(Json(series(&state.pool, feed, from, to, None).await?))
}
