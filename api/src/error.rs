//! The one error type of the API: every failure becomes `{ "error": { "code", "message" } }`
//! with a status chosen here. Internal details are logged, never returned.

use axum::{
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde_json::json;

/// Everything a request or the indexer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A request parameter or body field is malformed or out of range; the message names it.
	#[error("{0}")]
	BadRequest(String),
	/// No valid session token was presented, or the sign-in failed.
	#[error("{0}")]
	Unauthorized(String),
	/// The caller is signed in but may not see this object.
	#[error("{0}")]
	Forbidden(String),
	/// The object does not exist (or is not visible to the caller).
	#[error("{0}")]
	NotFound(String),
	/// The body is larger than the configured limit.
	#[error("request body is larger than {0} bytes")]
	PayloadTooLarge(usize),
	/// The caller sent too many requests.
	#[error("too many requests; retry after {0} s")]
	TooManyRequests(u64),
	/// The database failed.
	#[error("database: {0}")]
	Database(#[from] sqlx::Error),
	/// A migration failed.
	#[error("migration: {0}")]
	Migration(#[from] sqlx::migrate::MigrateError),
	/// The chain client failed.
	#[error("chain: {0}")]
	Chain(String),
	/// The indexed chain data contradicts itself (e.g. a transfer of more than the sender
	/// holds): a 500 whose message says what, naming only public chain data.
	#[error("{0}")]
	Inconsistent(String),
	/// The database was filled from another chain (its block 0 differs from the node's genesis):
	/// the indexer refuses to mix two chains' data and stops.
	#[error("{0}")]
	WrongChain(String),
	/// Anything else that is our fault.
	#[error("internal: {0}")]
	Internal(String),
}

/// The API's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
	/// A bad request naming the parameter: `bad(“limit”, “must be at most 500”)`.
	pub fn bad(param: &str, why: impl std::fmt::Display) -> Self {
		Error::BadRequest(format!("invalid parameter '{param}': {why}"))
	}

	fn status_and_code(&self) -> (StatusCode, &'static str) {
		match self {
			Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
			Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
			Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
			Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
			Error::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
			Error::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
			Error::Inconsistent(_) => (StatusCode::INTERNAL_SERVER_ERROR, "inconsistent_data"),
			Error::Database(_)
			| Error::Migration(_)
			| Error::Chain(_)
			| Error::WrongChain(_)
			| Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
		}
	}
}

/// The JSON error body.
pub fn body(status: StatusCode, code: &str, message: &str) -> Response {
	(status, Json(json!({ "error": { "code": code, "message": message } }))).into_response()
}

impl IntoResponse for Error {
	fn into_response(self) -> Response {
		let (status, code) = self.status_and_code();
		if status.is_server_error() {
			tracing::error!(error = %self, "request failed");
			if let Error::Inconsistent(message) = &self {
				return body(status, code, message);
			}
			return body(status, code, "internal error; the operator has the details in the log");
		}
		let mut response = body(status, code, &self.to_string());
		if let Error::TooManyRequests(secs) = self {
			if let Ok(v) = secs.to_string().parse() {
				response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
			}
		}
		response
	}
}
