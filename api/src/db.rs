//! The database: one pool for SQLite or PostgreSQL (sqlx's `Any` driver, chosen by
//! `DATABASE_URL`), the migrations, and small helpers shared by the indexer and the views.
//!
//! The SQL is portable: the same migrations and queries run on both engines (numbered `$1`
//! parameters, `ON CONFLICT`, BIGINT and TEXT columns only).

use crate::error::{Error, Result};
use rust_decimal::Decimal;
use sqlx::{any::AnyPoolOptions, AnyPool, Row};
use std::str::FromStr;

/// The migrations, embedded at build time (`api/migrations`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens the pool and applies pending migrations. A SQLite file is created if missing when the
/// URL says `mode=rwc`.
pub async fn connect(url: &str) -> Result<AnyPool> {
	sqlx::any::install_default_drivers();
	let sqlite = url.starts_with("sqlite:");
	let pool = AnyPoolOptions::new()
		// SQLite allows one writer at a time; a single connection avoids `database is locked`
		// between the indexer and the API (reads are fast; the indexer writes a block at once).
		.max_connections(if sqlite { 1 } else { 8 })
		.after_connect(move |conn, _| {
			Box::pin(async move {
				if sqlite {
					sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
					sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
				}
				Ok(())
			})
		})
		.connect(url)
		.await?;
	MIGRATOR.run(&pool).await?;
	Ok(pool)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
	chrono::Utc::now().timestamp_millis()
}

/// A `u64` for a BIGINT column (values above `i64::MAX` never occur on this chain: block
/// numbers, periods and millisecond times).
pub fn int(v: u64) -> Result<i64> {
	i64::try_from(v).map_err(|_| Error::Internal(format!("{v} does not fit in BIGINT")))
}

/// Reads an amount stored as TEXT (integer minor units) as a [`Decimal`].
pub fn money(text: &str) -> Result<Decimal> {
	Decimal::from_str(text).map_err(|e| Error::Internal(format!("stored amount '{text}': {e}")))
}

/// A column by name, with the error naming it.
pub fn col<'r, T>(row: &'r sqlx::any::AnyRow, name: &str) -> Result<T>
where
	T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
	row.try_get::<T, _>(name).map_err(Error::Database)
}

/// The indexer's cursor: the last block whose rows are all written.
pub async fn cursor(pool: &AnyPool) -> Result<Option<(u64, String)>> {
	let row = sqlx::query("SELECT block_number, block_hash FROM indexer_cursor WHERE id = 1")
		.fetch_optional(pool)
		.await?;
	match row {
		None => Ok(None),
		Some(row) => {
			let n: i64 = col(&row, "block_number")?;
			let number = u64::try_from(n).map_err(|_| Error::Internal("negative cursor".into()))?;
			Ok(Some((number, col(&row, "block_hash")?)))
		}
	}
}
