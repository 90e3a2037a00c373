//! The oracle's SQL store (SQLite by default): one row per period and operator key with its
//! state machine (see `migrations/0001_reports.sql`, and `0002_refusal_retries.sql`: a refusal
//! with a `retry_at` is evaluated again until the period's deadline), the readings used and the
//! broker's raw responses; and the audit export.

use crate::{kpi::Reading, ngsi::SourceDocument, report::SignedReport};
use chrono::Utc;
use serde::Serialize;
use sqlx::{
	sqlite::{SqliteConnectOptions, SqlitePoolOptions},
	Row, SqlitePool,
};
use std::str::FromStr;

/// Where a period stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
	/// The data failed a quality rule: evaluated again at `retry_at`, final without one.
	Refused,
	/// Signed, not yet sent.
	Pending,
	/// Sent, not known to be finalized.
	Submitted,
	/// Finalized on chain.
	Included,
	/// Rejected by the chain or past its deadline.
	Failed,
}

impl State {
	/// The stored name.
	pub fn as_str(&self) -> &'static str {
		match self {
			State::Refused => "refused",
			State::Pending => "pending",
			State::Submitted => "submitted",
			State::Included => "included",
			State::Failed => "failed",
		}
	}

	fn parse(text: &str) -> Result<Self, StoreError> {
		Ok(match text {
			"refused" => State::Refused,
			"pending" => State::Pending,
			"submitted" => State::Submitted,
			"included" => State::Included,
			"failed" => State::Failed,
			other => return Err(StoreError::Corrupt(format!("unknown state {other:?}"))),
		})
	}
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The database failed.
	#[error("database: {0}")]
	Sql(#[from] sqlx::Error),
	/// A migration failed.
	#[error("database migration: {0}")]
	Migrate(#[from] sqlx::migrate::MigrateError),
	/// A row holds something unexpected.
	#[error("database holds unexpected data: {0}")]
	Corrupt(String),
}

/// A period's row.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
	/// The feed.
	pub feed: u32,
	/// The period.
	pub period: u32,
	/// The operator key, hex.
	pub public_key: String,
	/// Its state.
	pub state: State,
	/// Window start, ms.
	pub window_start: u64,
	/// Window end, ms.
	pub window_end: u64,
	/// The decimal KPI.
	pub kpi: Option<String>,
	/// The fixed-point value.
	pub value: Option<String>,
	/// The signed report.
	pub signed_report: Option<SignedReport>,
	/// Why refused or failed (a code).
	pub reason_code: Option<String>,
	/// Why, in words.
	pub reason: Option<String>,
	/// The extrinsic hash.
	pub tx_hash: Option<String>,
	/// The finalized block.
	pub block_hash: Option<String>,
	/// Submission attempts.
	pub attempts: u32,
	/// How often the data was read and judged.
	pub evaluations: u32,
	/// For a refused period: when it is evaluated again, ms (none: the refusal is final).
	pub retry_at: Option<u64>,
	/// Last change.
	pub updated_at: String,
}

/// What a new period's row is.
pub enum Decision<'a> {
	/// Refused, with a code and a reason.
	Refused {
		/// The code.
		code: &'a str,
		/// The reason.
		reason: &'a str,
		/// When to evaluate the period again, ms; none: final.
		retry_at: Option<u64>,
	},
	/// Signed.
	Signed {
		/// The decimal KPI.
		kpi: &'a str,
		/// The report.
		report: &'a SignedReport,
		/// The readings per attribute.
		readings: &'a [(String, Vec<Reading>)],
	},
}

/// The store.
#[derive(Clone, Debug)]
pub struct Store {
	pool: SqlitePool,
}

fn now() -> String {
	Utc::now().to_rfc3339()
}

fn to_i64(value: u64) -> Result<i64, StoreError> {
	i64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{value} does not fit SQLite")))
}

impl Store {
	/// Opens (creating if needed) the database at `url` (`sqlite://path`, `sqlite::memory:` or
	/// a plain path) and applies the migrations.
	pub async fn open(url: &str) -> Result<Self, StoreError> {
		let url =
			if url.starts_with("sqlite:") { url.to_string() } else { format!("sqlite://{url}") };
		let options = SqliteConnectOptions::from_str(&url)?
			.create_if_missing(true)
			.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
			.busy_timeout(std::time::Duration::from_secs(10));
		let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
		sqlx::migrate!("./migrations").run(&pool).await?;
		Ok(Self { pool })
	}

	/// The row of `period` of `feed` for `key`, if any.
	pub async fn get(
		&self,
		feed: u32,
		period: u32,
		key: &str,
	) -> Result<Option<Record>, StoreError> {
		let row =
			sqlx::query("SELECT * FROM reports WHERE feed = ? AND period = ? AND public_key = ?")
				.bind(i64::from(feed))
				.bind(i64::from(period))
				.bind(key)
				.fetch_optional(&self.pool)
				.await?;
		row.map(|row| record(&row)).transpose()
	}

	/// The rows in `states`, by feed and period.
	pub async fn in_states(&self, key: &str, states: &[State]) -> Result<Vec<Record>, StoreError> {
		let rows = sqlx::query("SELECT * FROM reports WHERE public_key = ? ORDER BY feed, period")
			.bind(key)
			.fetch_all(&self.pool)
			.await?;
		let records = rows.iter().map(record).collect::<Result<Vec<_>, _>>()?;
		Ok(records.into_iter().filter(|record| states.contains(&record.state)).collect())
	}

	/// All rows, optionally of one feed and period, by feed and period.
	pub async fn all(
		&self,
		feed: Option<u32>,
		period: Option<u32>,
	) -> Result<Vec<Record>, StoreError> {
		let rows = sqlx::query(
			"SELECT * FROM reports WHERE (?1 IS NULL OR feed = ?1) AND (?2 IS NULL OR period = ?2)
			 ORDER BY feed, period, public_key",
		)
		.bind(feed.map(i64::from))
		.bind(period.map(i64::from))
		.fetch_all(&self.pool)
		.await?;
		rows.iter().map(record).collect()
	}

	/// Records a period's decision with its evidence, in one transaction: a new row, or in place
	/// of a refusal that awaits its retry (its evidence replaced by the new one). Returns `false`
	/// (and changes nothing) if the period already has any other row for this key: a signed
	/// period is never decided again.
	#[allow(clippy::too_many_arguments)]
	pub async fn record(
		&self,
		feed: u32,
		period: u32,
		key: &str,
		window: (u64, u64),
		decision: Decision<'_>,
		documents: &[SourceDocument],
	) -> Result<bool, StoreError> {
		let mut tx = self.pool.begin().await?;
		let stamp = now();
		let (state, kpi, value, payload_hash, devices_hash, report, code, reason, retry_at) =
			match &decision {
				Decision::Refused { code, reason, retry_at } => (
					State::Refused,
					None,
					None,
					None,
					None,
					None,
					Some(*code),
					Some(*reason),
					retry_at.map(to_i64).transpose()?,
				),
				Decision::Signed { kpi, report, .. } => (
					State::Pending,
					Some(*kpi),
					Some(report.value.as_str()),
					Some(report.payload_hash.as_str()),
					Some(report.devices_hash.as_str()),
					Some(
						serde_json::to_string(report)
							.map_err(|e| StoreError::Corrupt(e.to_string()))?,
					),
					None,
					None,
					None,
				),
			};
		// A retried refusal is the only row a decision replaces.
		let recorded = sqlx::query(
			"INSERT INTO reports (feed, period, public_key, state, window_start, window_end,
			 kpi, value, payload_hash, devices_hash, signed_report, reason_code, reason, attempts,
			 evaluations, retry_at, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?)
			 ON CONFLICT (feed, period, public_key) DO UPDATE SET
			 state = excluded.state, window_start = excluded.window_start,
			 window_end = excluded.window_end, kpi = excluded.kpi, value = excluded.value,
			 payload_hash = excluded.payload_hash, devices_hash = excluded.devices_hash,
			 signed_report = excluded.signed_report, reason_code = excluded.reason_code,
			 reason = excluded.reason, evaluations = reports.evaluations + 1,
			 retry_at = excluded.retry_at, updated_at = excluded.updated_at
			 WHERE reports.state = 'refused' AND reports.retry_at IS NOT NULL",
		)
		.bind(i64::from(feed))
		.bind(i64::from(period))
		.bind(key)
		.bind(state.as_str())
		.bind(to_i64(window.0)?)
		.bind(to_i64(window.1)?)
		.bind(kpi)
		.bind(value)
		.bind(payload_hash)
		.bind(devices_hash)
		.bind(report)
		.bind(code)
		.bind(reason)
		.bind(retry_at)
		.bind(&stamp)
		.bind(&stamp)
		.execute(&mut *tx)
		.await?
		.rows_affected();
		if recorded == 0 {
			return Ok(false);
		}
		for table in ["readings", "source_documents"] {
			sqlx::query(&format!(
				"DELETE FROM {table} WHERE feed = ? AND period = ? AND public_key = ?"
			))
			.bind(i64::from(feed))
			.bind(i64::from(period))
			.bind(key)
			.execute(&mut *tx)
			.await?;
		}
		if let Decision::Signed { readings, .. } = &decision {
			for (attribute, series) in readings.iter() {
				for reading in series {
					sqlx::query(
						"INSERT INTO readings (feed, period, public_key, attribute, observed_at,
						 value, unit, device, converted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					)
					.bind(i64::from(feed))
					.bind(i64::from(period))
					.bind(key)
					.bind(attribute)
					.bind(reading.at.timestamp_millis())
					.bind(reading.source_value.normalize().to_string())
					.bind(&reading.source_unit)
					.bind(&reading.device)
					.bind(reading.value.normalize().to_string())
					.execute(&mut *tx)
					.await?;
				}
			}
		}
		for document in documents {
			sqlx::query(
				"INSERT INTO source_documents (feed, period, public_key, url, fetched_at, body)
				 VALUES (?, ?, ?, ?, ?, ?)",
			)
			.bind(i64::from(feed))
			.bind(i64::from(period))
			.bind(key)
			.bind(&document.url)
			.bind(&stamp)
			.bind(&document.body)
			.execute(&mut *tx)
			.await?;
		}
		tx.commit().await?;
		Ok(true)
	}

	/// Moves a row to `state`, with the outcome's details.
	pub async fn transition(
		&self,
		feed: u32,
		period: u32,
		key: &str,
		state: State,
		outcome: Outcome<'_>,
	) -> Result<(), StoreError> {
		let attempt = i64::from(state == State::Submitted);
		sqlx::query(
			"UPDATE reports SET state = ?, attempts = attempts + ?,
			 tx_hash = COALESCE(?, tx_hash), block_hash = COALESCE(?, block_hash),
			 reason_code = COALESCE(?, reason_code), reason = COALESCE(?, reason), updated_at = ?
			 WHERE feed = ? AND period = ? AND public_key = ?",
		)
		.bind(state.as_str())
		.bind(attempt)
		.bind(outcome.tx_hash)
		.bind(outcome.block_hash)
		.bind(outcome.code)
		.bind(outcome.reason)
		.bind(now())
		.bind(i64::from(feed))
		.bind(i64::from(period))
		.bind(key)
		.execute(&self.pool)
		.await?;
		Ok(())
	}

	/// The readings and documents of a period, for the export.
	pub async fn evidence(
		&self,
		feed: u32,
		period: u32,
		key: &str,
	) -> Result<(Vec<ExportedReading>, Vec<SourceDocument>), StoreError> {
		let rows = sqlx::query(
			"SELECT attribute, observed_at, value, unit, device, converted FROM readings
			 WHERE feed = ? AND period = ? AND public_key = ? ORDER BY rowid",
		)
		.bind(i64::from(feed))
		.bind(i64::from(period))
		.bind(key)
		.fetch_all(&self.pool)
		.await?;
		let readings = rows
			.iter()
			.map(|row| {
				Ok(ExportedReading {
					attribute: row.try_get("attribute")?,
					observed_at_ms: row.try_get("observed_at")?,
					value: row.try_get("value")?,
					unit: row.try_get("unit")?,
					device: row.try_get("device")?,
					converted: row.try_get("converted")?,
				})
			})
			.collect::<Result<Vec<_>, sqlx::Error>>()?;
		let rows = sqlx::query(
			"SELECT url, body FROM source_documents WHERE feed = ? AND period = ? AND public_key = ?
			 ORDER BY rowid",
		)
		.bind(i64::from(feed))
		.bind(i64::from(period))
		.bind(key)
		.fetch_all(&self.pool)
		.await?;
		let documents = rows
			.iter()
			.map(|row| Ok(SourceDocument { url: row.try_get("url")?, body: row.try_get("body")? }))
			.collect::<Result<Vec<_>, sqlx::Error>>()?;
		Ok((readings, documents))
	}
}

/// Details recorded with a transition.
#[derive(Default, Clone, Copy)]
pub struct Outcome<'a> {
	/// The extrinsic hash.
	pub tx_hash: Option<&'a str>,
	/// The block.
	pub block_hash: Option<&'a str>,
	/// A reason code.
	pub code: Option<&'a str>,
	/// A reason.
	pub reason: Option<&'a str>,
}

/// A reading in the export.
#[derive(Clone, Debug, Serialize)]
pub struct ExportedReading {
	/// The attribute.
	pub attribute: String,
	/// `observedAt`, ms.
	pub observed_at_ms: i64,
	/// The value as read.
	pub value: String,
	/// The unit as read.
	pub unit: String,
	/// The device.
	pub device: String,
	/// The value in the feed's unit.
	pub converted: String,
}

fn record(row: &sqlx::sqlite::SqliteRow) -> Result<Record, StoreError> {
	let u32_of = |name: &str| -> Result<u32, StoreError> {
		let value: i64 = row.try_get(name)?;
		u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{name} = {value}")))
	};
	let u64_of = |name: &str| -> Result<u64, StoreError> {
		let value: i64 = row.try_get(name)?;
		u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{name} = {value}")))
	};
	let state: String = row.try_get("state")?;
	let signed: Option<String> = row.try_get("signed_report")?;
	let signed_report = signed
		.map(|text| serde_json::from_str(&text))
		.transpose()
		.map_err(|e| StoreError::Corrupt(format!("signed_report: {e}")))?;
	Ok(Record {
		feed: u32_of("feed")?,
		period: u32_of("period")?,
		public_key: row.try_get("public_key")?,
		state: State::parse(&state)?,
		window_start: u64_of("window_start")?,
		window_end: u64_of("window_end")?,
		kpi: row.try_get("kpi")?,
		value: row.try_get("value")?,
		signed_report,
		reason_code: row.try_get("reason_code")?,
		reason: row.try_get("reason")?,
		tx_hash: row.try_get("tx_hash")?,
		block_hash: row.try_get("block_hash")?,
		attempts: u32_of("attempts")?,
		evaluations: u32_of("evaluations")?,
		retry_at: row
			.try_get::<Option<i64>, _>("retry_at")?
			.map(|at| {
				u64::try_from(at).map_err(|_| StoreError::Corrupt(format!("retry_at = {at}")))
			})
			.transpose()?,
		updated_at: row.try_get("updated_at")?,
	})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
	use super::*;
	use crate::report::{OperatorKey, ReportPayload};
	use chrono::DateTime;
	use rust_decimal::Decimal;

	fn report() -> SignedReport {
		let payload = ReportPayload {
			feed: 1,
			period: 2,
			value: 1_500,
			window_start: 1_000,
			window_end: 2_000,
			payload_hash: [1; 32],
			devices_hash: [2; 32],
		};
		OperatorKey::from_secret([9; 32]).sign(&payload, &[3; 32])
	}

	#[tokio::test]
	async fn a_period_is_recorded_once_and_walks_the_state_machine_across_reopening() {
		let dir = tempfile::tempdir().unwrap();
		let url = format!("sqlite://{}", dir.path().join("oracle.db").display());
		let store = Store::open(&url).await.unwrap();
		let report = report();
		let key = report.public_key.clone();
		let reading = Reading {
			at: DateTime::from_timestamp(1, 0).unwrap(),
			source_value: Decimal::new(15, 1),
			source_unit: "MWH".into(),
			device: "urn:d".into(),
			value: Decimal::from(1_500),
		};
		let readings = vec![("energyConsumed".to_string(), vec![reading])];
		let documents = vec![SourceDocument { url: "http://twin/x".into(), body: "{}".into() }];
		let signed = || Decision::Signed { kpi: "1.5", report: &report, readings: &readings };
		assert!(store.record(1, 2, &key, (1_000, 2_000), signed(), &documents).await.unwrap());
		// A second decision for the same period and key changes nothing.
		let refused = Decision::Refused { code: "gap", reason: "a gap", retry_at: Some(1) };
		assert!(!store.record(1, 2, &key, (1_000, 2_000), refused, &[]).await.unwrap());
		store.transition(1, 2, &key, State::Submitted, Outcome::default()).await.unwrap();
		drop(store);

		let store = Store::open(&url).await.unwrap();
		let unfinished = store.in_states(&key, &[State::Pending, State::Submitted]).await.unwrap();
		assert_eq!(unfinished.len(), 1);
		assert_eq!(unfinished[0].state, State::Submitted);
		assert_eq!(unfinished[0].attempts, 1);
		assert_eq!(unfinished[0].signed_report.as_ref(), Some(&report));
		let included =
			Outcome { tx_hash: Some("0xaa"), block_hash: Some("0xbb"), ..Default::default() };
		store.transition(1, 2, &key, State::Included, included).await.unwrap();
		let record = store.get(1, 2, &key).await.unwrap().unwrap();
		assert_eq!((record.state, record.block_hash.as_deref()), (State::Included, Some("0xbb")));
		assert!(store
			.in_states(&key, &[State::Pending, State::Submitted])
			.await
			.unwrap()
			.is_empty());

		let (readings, documents) = store.evidence(1, 2, &key).await.unwrap();
		assert_eq!(readings.len(), 1);
		assert_eq!((readings[0].value.as_str(), readings[0].unit.as_str()), ("1.5", "MWH"));
		assert_eq!(readings[0].converted, "1500");
		assert_eq!(documents[0].url, "http://twin/x");
		assert_eq!(store.all(Some(1), None).await.unwrap().len(), 1);
		assert!(store.all(Some(2), None).await.unwrap().is_empty());
	}

	#[tokio::test]
	async fn a_refusal_awaiting_its_retry_is_replaced_and_a_final_one_or_a_signed_period_is_not() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(&dir.path().join("oracle.db").display().to_string()).await.unwrap();
		let report = report();
		let key = report.public_key.clone();
		let window = (1_000, 2_000);
		let documents =
			|body: &str| vec![SourceDocument { url: "http://twin/x".into(), body: body.into() }];
		let refused =
			|retry_at| Decision::Refused { code: "gap", reason: "a gap at the end", retry_at };
		let reading = Reading {
			at: DateTime::from_timestamp(1, 0).unwrap(),
			source_value: Decimal::new(15, 1),
			source_unit: "MWH".into(),
			device: "urn:d".into(),
			value: Decimal::from(1_500),
		};
		let readings = vec![("energyConsumed".to_string(), vec![reading])];
		let signed = || Decision::Signed { kpi: "1.5", report: &report, readings: &readings };

		// Refused while the readings of the window's end are still on their way: retried.
		assert!(store
			.record(1, 2, &key, window, refused(Some(5_000)), &documents("first"))
			.await
			.unwrap());
		assert!(store
			.record(1, 2, &key, window, refused(Some(9_000)), &documents("second"))
			.await
			.unwrap());
		let record = store.get(1, 2, &key).await.unwrap().unwrap();
		assert_eq!(
			(record.state, record.evaluations, record.retry_at),
			(State::Refused, 2, Some(9_000))
		);
		let (_, kept) = store.evidence(1, 2, &key).await.unwrap();
		assert_eq!(kept, documents("second"), "the latest evaluation's evidence, not a pile");
		// The data came whole: signed in place of the refusal.
		assert!(store.record(1, 2, &key, window, signed(), &documents("third")).await.unwrap());
		let record = store.get(1, 2, &key).await.unwrap().unwrap();
		assert_eq!((record.state, record.evaluations, record.retry_at), (State::Pending, 3, None));
		assert_eq!(record.signed_report.as_ref(), Some(&report));
		assert_eq!((record.reason_code, record.reason), (None, None));
		let (exported, kept) = store.evidence(1, 2, &key).await.unwrap();
		assert_eq!((exported.len(), kept), (1, documents("third")));
		// A signed period is never decided again, refused or signed.
		assert!(!store.record(1, 2, &key, window, refused(Some(1)), &[]).await.unwrap());
		assert!(!store.record(1, 2, &key, window, signed(), &[]).await.unwrap());
		assert_eq!(store.get(1, 2, &key).await.unwrap().unwrap().state, State::Pending);
		// A final refusal (no time left before the deadline) stays final.
		assert!(store.record(1, 3, &key, window, refused(None), &documents("late")).await.unwrap());
		assert!(!store.record(1, 3, &key, window, signed(), &[]).await.unwrap());
		let record = store.get(1, 3, &key).await.unwrap().unwrap();
		assert_eq!((record.state, record.retry_at, record.evaluations), (State::Refused, None, 1));
	}
}
