//! The HTTP layer: [`app`] builds the router (so tests call it without a socket), one module
//! per persona, shared extractors that turn every rejection into the API's error shape, the
//! body limit and the rate limiter.

pub mod auditor;
pub mod auth;
pub mod cash;
pub mod investor;
pub mod issuer;
pub mod openapi;
pub mod public;

use crate::{
	config::HttpSettings,
	error::{Error, Result},
};
use axum::{
	extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request, State},
	http::request::Parts,
	middleware::{self, Next},
	response::Response,
	routing::{get, post},
	Router,
};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::AnyPool;
use std::{
	collections::HashMap,
	net::{IpAddr, SocketAddr},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
	/// The database.
	pub pool: AnyPool,
	/// Limits and sign-in settings.
	pub settings: Arc<HttpSettings>,
	/// Each bond's worked-out facts, revalidated against the indexer's cursor per request.
	pub facts: Arc<crate::bond::FactsCache>,
	limiter: Arc<Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>>,
}

impl AppState {
	/// State over `pool` with `settings`.
	pub fn new(pool: AnyPool, settings: HttpSettings) -> Self {
		Self { pool, settings: Arc::new(settings), facts: Arc::default(), limiter: Arc::default() }
	}

	/// The facts of the bond at `address` as the database has them now (404 if none).
	pub async fn bond_facts(&self, address: &str) -> Result<Arc<crate::bond::Facts>> {
		let stamp = crate::bond::stamp(&self.pool).await?;
		self.facts.facts(&self.pool, stamp, address).await
	}
}

/// The API's router.
pub fn app(state: AppState) -> Router {
	let body_limit = state.settings.body_limit_bytes;
	Router::new()
		.route("/health", get(public::health))
		.route("/openapi.json", get(openapi::document))
		.route("/v1/status", get(public::status))
		.route("/v1/bonds", get(public::bonds))
		.route("/v1/bonds/{address}", get(public::bond))
		.route("/v1/cash/{address}", get(public::cash))
		.route("/v1/cash/{address}/balance", get(cash::balance))
		.route("/v1/agent/cash/{address}/accounts", get(cash::accounts))
		.route("/v1/feeds", get(public::feeds))
		.route("/v1/feeds/{feed}/kpis", get(public::kpis))
		.route("/v1/auth/challenge", post(auth::challenge))
		.route("/v1/auth/session", post(auth::session))
		.route("/v1/auth/logout", post(auth::logout))
		.route("/v1/me", get(auth::me))
		.route("/v1/investor/holdings", get(investor::holdings))
		.route("/v1/investor/bonds/{address}", get(investor::bond))
		.route("/v1/issuer/bonds", get(issuer::bonds))
		.route("/v1/issuer/bonds/{address}/book", get(issuer::book))
		.route("/v1/issuer/bonds/{address}/holders", get(issuer::holders))
		.route("/v1/issuer/bonds/{address}/obligations", get(issuer::obligations))
		.route("/v1/issuer/bonds/{address}/proceeds", get(issuer::proceeds))
		.route("/v1/issuer/bonds/{address}/kpis", get(issuer::kpis))
		.route("/v1/auditor/feeds/{feed}/periods/{period}/reports", get(auditor::reports))
		.route("/v1/auditor/feeds/{feed}/reports.csv", get(auditor::csv))
		.fallback(not_found)
		.method_not_allowed_fallback(method_not_allowed)
		.layer(DefaultBodyLimit::max(body_limit))
		.layer(middleware::from_fn_with_state(state.clone(), rate_limit))
		.with_state(state)
}

async fn not_found() -> Error {
	Error::NotFound("no such route".into())
}

async fn method_not_allowed() -> Response {
	crate::error::body(
		axum::http::StatusCode::METHOD_NOT_ALLOWED,
		"method_not_allowed",
		"method not allowed on this route",
	)
}

/// A fixed one-minute window per client address.
async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
	let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
	let limit = state.settings.rate_limit_per_minute;
	let refused = {
		let Ok(mut buckets) = state.limiter.lock() else {
			return axum::response::IntoResponse::into_response(Error::Internal(
				"rate limiter poisoned".into(),
			));
		};
		let now = Instant::now();
		if buckets.len() > 100_000 {
			buckets.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
		}
		let entry = buckets.entry(ip).or_insert((now, 0));
		if now.duration_since(entry.0) >= Duration::from_secs(60) {
			*entry = (now, 0);
		}
		entry.1 = entry.1.saturating_add(1);
		if entry.1 > limit {
			Some(60u64.saturating_sub(now.duration_since(entry.0).as_secs()))
		} else {
			None
		}
	};
	match refused {
		Some(retry) => axum::response::IntoResponse::into_response(Error::TooManyRequests(retry)),
		None => next.run(req).await,
	}
}

/// `Query<T>` whose rejection is the API's 400, naming the parameter.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Q<T> {
	type Rejection = Error;
	async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
		match axum::extract::Query::<T>::from_request_parts(parts, state).await {
			Ok(q) => Ok(Q(q.0)),
			Err(e) => Err(Error::BadRequest(format!("invalid query string: {}", e.body_text()))),
		}
	}
}

/// `Json<T>` whose rejection is the API's 400 (or 413 for an oversized body).
pub struct J<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for J<T> {
	type Rejection = Error;
	async fn from_request(req: Request, state: &AppState) -> Result<Self> {
		let limit = state.settings.body_limit_bytes;
		match axum::Json::<T>::from_request(req, state).await {
			Ok(j) => Ok(J(j.0)),
			Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
				Err(Error::PayloadTooLarge(limit))
			}
			Err(e) => Err(Error::BadRequest(format!("invalid JSON body: {}", e.body_text()))),
		}
	}
}

/// A list page: `limit` (1 to [`MAX_LIMIT`], default 50) and `offset` (0 to [`MAX_OFFSET`]).
#[derive(Debug, Clone, Copy)]
pub struct Page {
	/// Items per page.
	pub limit: i64,
	/// Items skipped.
	pub offset: i64,
}

/// Largest page.
pub const MAX_LIMIT: i64 = 500;
/// Largest offset.
pub const MAX_OFFSET: i64 = 1_000_000;

/// Raw pagination parameters, parsed by [`Page::parse`] so errors name the parameter.
#[derive(Debug, serde::Deserialize, Default)]
pub struct PageQuery {
	/// See [`Page::limit`].
	pub limit: Option<String>,
	/// See [`Page::offset`].
	pub offset: Option<String>,
}

impl Page {
	/// Checks the bounds.
	pub fn parse(q: &PageQuery) -> Result<Self> {
		let limit = parse_int(q.limit.as_deref(), "limit", 1, MAX_LIMIT)?.unwrap_or(50);
		let offset = parse_int(q.offset.as_deref(), "offset", 0, MAX_OFFSET)?.unwrap_or(0);
		Ok(Self { limit, offset })
	}

	/// The slice of `items` this page shows.
	pub fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
		let start = usize::try_from(self.offset).unwrap_or(usize::MAX);
		let take = usize::try_from(self.limit).unwrap_or(0);
		items.iter().skip(start).take(take).cloned().collect()
	}
}

/// Parses an optional integer parameter within `[min, max]`.
pub fn parse_int(v: Option<&str>, name: &str, min: i64, max: i64) -> Result<Option<i64>> {
	let Some(v) = v else { return Ok(None) };
	let n: i64 =
		v.trim().parse().map_err(|_| Error::bad(name, format!("'{v}' is not an integer")))?;
	if n < min || n > max {
		return Err(Error::bad(name, format!("{n} is outside {min}..={max}")));
	}
	Ok(Some(n))
}

/// A page of items with the total.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
	/// The items.
	pub items: Vec<T>,
	/// Items per page.
	pub limit: i64,
	/// Items skipped.
	pub offset: i64,
	/// Items in all pages.
	pub total: i64,
}

/// Parses an account (0x-hex of 32 bytes, or SS58) into the stored form (lowercase 0x-hex).
pub fn parse_account(v: &str, name: &str) -> Result<String> {
	let v = v.trim();
	if let Some(hex_part) = v.strip_prefix("0x") {
		let bytes = hex::decode(hex_part)
			.map_err(|_| Error::bad(name, "not hex (expected 0x and 64 hex digits, or SS58)"))?;
		if bytes.len() != 32 {
			return Err(Error::bad(name, format!("{} bytes, expected 32", bytes.len())));
		}
		return Ok(format!("0x{}", hex::encode(bytes)));
	}
	let id: subxt::utils::AccountId32 = v
		.parse()
		.map_err(|_| Error::bad(name, "neither 0x-hex of 32 bytes nor an SS58 address"))?;
	Ok(format!("0x{}", hex::encode(id.0)))
}

/// An account's SS58 form (prefix 42).
pub fn ss58(hex_account: &str) -> Option<String> {
	let bytes: [u8; 32] = crate::verify::hex_n(hex_account)?;
	Some(subxt::utils::AccountId32(bytes).to_string())
}

/// A millisecond time as RFC 3339 UTC.
pub fn rfc3339(ms: i64) -> Option<String> {
	chrono::DateTime::from_timestamp_millis(ms)
		.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Parses an RFC 3339 time or a date (`YYYY-MM-DD`, midnight UTC) into milliseconds.
pub fn parse_time(v: &str, name: &str) -> Result<i64> {
	if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
		return Ok(t.timestamp_millis());
	}
	if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
		if let Some(t) = d.and_hms_opt(0, 0, 0) {
			return Ok(t.and_utc().timestamp_millis());
		}
	}
	Err(Error::bad(name, format!("'{v}' is neither an RFC 3339 time nor a YYYY-MM-DD date")))
}

/// Serves [`app`] on `listener` until the task is dropped (with client addresses for the rate
/// limiter). The binary and full-stack tests use it.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
	axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await
}
