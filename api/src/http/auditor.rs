//! Auditor views: every report of a feed's period with its signature re-verified here, the
//! attestations and disputes, and a CSV export.

use super::{parse_int, rfc3339, AppState, Q};
use crate::{
	auth::{role, Caller},
	db::col,
	error::{Error, Result},
	verify::{hex_n, verify_report, ReportPayload, Verdict},
};
use axum::{
	extract::{Path, State},
	http::header,
	response::{IntoResponse, Response},
	Json,
};
use serde_json::{json, Value};

async fn genesis_hash(pool: &sqlx::AnyPool) -> Result<[u8; 32]> {
	let hash: Option<String> =
		sqlx::query_scalar("SELECT hash FROM blocks WHERE number = 0").fetch_optional(pool).await?;
	hash.as_deref()
		.and_then(hex_n)
		.ok_or_else(|| Error::NotFound("the genesis block is not indexed yet".into()))
}

async fn feed_exists(pool: &sqlx::AnyPool, feed: i64) -> Result<()> {
	let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kpi_feeds WHERE feed_id = $1")
		.bind(feed)
		.fetch_one(pool)
		.await?;
	if n == 0 {
		return Err(Error::NotFound(format!("no KPI feed {feed}")));
	}
	Ok(())
}

/// Re-verifies one stored report row.
fn report_json(row: &sqlx::any::AnyRow, genesis: &[u8; 32]) -> Result<Value> {
	let value: String = col(row, "value")?;
	let payload_hash: String = col(row, "payload_hash")?;
	let devices_hash: String = col(row, "devices_hash")?;
	let key: String = col(row, "operator_key")?;
	let signature: Option<String> = col(row, "signature")?;
	let start: i64 = col(row, "window_start_ms")?;
	let end: i64 = col(row, "window_end_ms")?;
	let payload = ReportPayload {
		feed: u32::try_from(col::<i64>(row, "feed_id")?).unwrap_or(u32::MAX),
		period: u32::try_from(col::<i64>(row, "period")?).unwrap_or(u32::MAX),
		value: value.parse().unwrap_or_default(),
		window_start: u64::try_from(start).unwrap_or(0),
		window_end: u64::try_from(end).unwrap_or(0),
		payload_hash: hex_n(&payload_hash).unwrap_or_default(),
		devices_hash: hex_n(&devices_hash).unwrap_or_default(),
	};
	let verdict = match (hex_n::<32>(&key), signature.as_deref().and_then(hex_n::<64>)) {
		(Some(k), Some(s)) => verify_report(&payload, genesis, &k, &s),
		(None, _) => Verdict::MalformedKey,
		(_, None) => Verdict::Missing,
	};
	Ok(json!({
		"feed": payload.feed,
		"period": payload.period,
		"operator": col::<String>(row, "operator")?,
		"submitter": col::<String>(row, "submitter")?,
		"operator_key": key,
		"value": value,
		"window_start": rfc3339(start),
		"window_end": rfc3339(end),
		"payload_hash": payload_hash,
		"devices_hash": devices_hash,
		"signature": signature,
		"signature_check": verdict,
		"signed_message": format!("0x{}", hex::encode(payload.signing_payload(genesis))),
		"block_number": col::<i64>(row, "block_number")?,
		"event_index": col::<i64>(row, "event_index")?,
		"extrinsic_index": col::<Option<i64>>(row, "extrinsic_index")?,
		"readings": col::<i64>(row, "readings")?,
	}))
}

const REPORT_COLUMNS: &str =
	"block_number, event_index, extrinsic_index, feed_id, period, operator,
	submitter, operator_key, value, window_start_ms, window_end_ms, payload_hash, devices_hash,
	signature, readings";

/// `GET /v1/auditor/feeds/{feed}/periods/{period}/reports`.
pub async fn reports(
	State(state): State<AppState>,
	caller: Caller,
	Path((feed, period)): Path<(String, String)>,
) -> Result<Json<Value>> {
	caller.require(role::AUDITOR, "auditor")?;
	let feed = parse_int(Some(&feed), "feed", 0, i64::from(u32::MAX))?.unwrap_or(0);
	let period = parse_int(Some(&period), "period", 0, i64::from(u32::MAX))?.unwrap_or(0);
	feed_exists(&state.pool, feed).await?;
	let genesis = genesis_hash(&state.pool).await?;
	let rows = sqlx::query(&format!(
		"SELECT {REPORT_COLUMNS} FROM kpi_reports WHERE feed_id = $1 AND period = $2
		 ORDER BY block_number, event_index"
	))
	.bind(feed)
	.bind(period)
	.fetch_all(&state.pool)
	.await?;
	let reports = rows.iter().map(|r| report_json(r, &genesis)).collect::<Result<Vec<_>>>()?;
	let transitions = sqlx::query(
		"SELECT block_number, event_index, extrinsic_index, kind, status, value, actor, detail
		 FROM kpi_transitions WHERE feed_id = $1 AND period = $2 ORDER BY block_number, event_index",
	)
	.bind(feed)
	.bind(period)
	.fetch_all(&state.pool)
	.await?;
	let mut history = Vec::new();
	for t in &transitions {
		let detail: String = col(t, "detail")?;
		history.push(json!({
			"event": col::<String>(t, "kind")?,
			"status": col::<Option<String>>(t, "status")?,
			"value": col::<Option<String>>(t, "value")?,
			"auditor": col::<Option<String>>(t, "actor")?,
			"detail": serde_json::from_str::<Value>(&detail).unwrap_or(Value::Null),
			"block_number": col::<i64>(t, "block_number")?,
			"extrinsic_index": col::<Option<i64>>(t, "extrinsic_index")?,
		}));
	}
	let attestations: Vec<&Value> =
		history.iter().filter(|h| h["event"] == "KpiAttested").collect();
	let disputes: Vec<&Value> = history.iter().filter(|h| h["event"] == "KpiDisputed").collect();
	Ok(Json(json!({
		"feed": feed,
		"period": period,
		"genesis_hash": format!("0x{}", hex::encode(genesis)),
		"reports": reports,
		"attestations": attestations,
		"disputes": disputes,
		"history": history,
	})))
}

/// Query of [`csv`].
#[derive(Debug, serde::Deserialize)]
pub struct CsvQuery {
	/// First period (default 0).
	pub from_period: Option<String>,
	/// Last period (default: `from_period + 499`).
	pub to_period: Option<String>,
}

fn csv_field(v: &Value) -> String {
	let s = match v {
		Value::Null => String::new(),
		Value::String(s) => s.clone(),
		other => other.to_string(),
	};
	if s.contains([',', '"', '\n']) {
		format!("\"{}\"", s.replace('"', "\"\""))
	} else {
		s
	}
}

/// `GET /v1/auditor/feeds/{feed}/reports.csv`: every report of a range of periods, one row
/// each, with the re-verification verdict.
pub async fn csv(
	State(state): State<AppState>,
	caller: Caller,
	Path(feed): Path<String>,
	Q(q): Q<CsvQuery>,
) -> Result<Response> {
	caller.require(role::AUDITOR, "auditor")?;
	let feed = parse_int(Some(&feed), "feed", 0, i64::from(u32::MAX))?.unwrap_or(0);
	let from =
		parse_int(q.from_period.as_deref(), "from_period", 0, i64::from(u32::MAX))?.unwrap_or(0);
	let to = parse_int(q.to_period.as_deref(), "to_period", 0, i64::from(u32::MAX))?
		.unwrap_or(from.saturating_add(499));
	if to < from || to.saturating_sub(from) >= 500 {
		return Err(Error::bad("to_period", "must be within from_period..from_period+499"));
	}
	feed_exists(&state.pool, feed).await?;
	let genesis = genesis_hash(&state.pool).await?;
	let rows = sqlx::query(&format!(
		"SELECT {REPORT_COLUMNS} FROM kpi_reports WHERE feed_id = $1 AND period >= $2
		 AND period <= $3 ORDER BY period, block_number, event_index"
	))
	.bind(feed)
	.bind(from)
	.bind(to)
	.fetch_all(&state.pool)
	.await?;
	let columns = [
		"feed",
		"period",
		"operator",
		"submitter",
		"operator_key",
		"value",
		"window_start",
		"window_end",
		"payload_hash",
		"devices_hash",
		"signature",
		"signature_check",
		"block_number",
		"extrinsic_index",
	];
	let mut out = columns.join(",");
	out.push('\n');
	for row in &rows {
		let r = report_json(row, &genesis)?;
		let line: Vec<String> = columns.iter().map(|c| csv_field(&r[*c])).collect();
		out.push_str(&line.join(","));
		out.push('\n');
	}
	Ok((
		[
			(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
			(
				header::CONTENT_DISPOSITION,
				format!("attachment; filename=\"feed-{feed}-reports-{from}-{to}.csv\""),
			),
		],
		out,
	)
		.into_response())
}
