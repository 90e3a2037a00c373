//! Sign-in routes: challenge, session, and who am I.

use super::{parse_account, AppState, J};
use crate::{
	auth::{self, Caller, Scheme},
	error::{Error, Result},
};
use axum::{extract::State, Json};
use serde_json::{json, Value};

/// Body of `POST /v1/auth/challenge`.
#[derive(Debug, serde::Deserialize)]
pub struct ChallengeRequest {
	/// The account to sign in as (0x-hex or SS58).
	pub account: String,
}

/// `POST /v1/auth/challenge`: a single-use message to sign.
pub async fn challenge(
	State(state): State<AppState>,
	J(req): J<ChallengeRequest>,
) -> Result<Json<auth::Challenge>> {
	let account = parse_account(&req.account, "account")?;
	Ok(Json(auth::create_challenge(&state, &account).await?))
}

/// Body of `POST /v1/auth/session`.
#[derive(Debug, serde::Deserialize)]
pub struct SessionRequest {
	/// The challenge's nonce.
	pub nonce: String,
	/// The signature over the challenge's message, 0x-hex of 64 bytes.
	pub signature: String,
	/// `sr25519` (default) or `ed25519`.
	pub scheme: Option<String>,
}

/// `POST /v1/auth/session`: a session token for a signed challenge.
pub async fn session(
	State(state): State<AppState>,
	J(req): J<SessionRequest>,
) -> Result<Json<auth::Session>> {
	let scheme = match req.scheme.as_deref().unwrap_or("sr25519") {
		"sr25519" => Scheme::Sr25519,
		"ed25519" => Scheme::Ed25519,
		other => return Err(Error::bad("scheme", format!("'{other}': use sr25519 or ed25519"))),
	};
	let signature: [u8; 64] = crate::verify::hex_n(&req.signature)
		.ok_or_else(|| Error::bad("signature", "expected 0x and 128 hex digits"))?;
	if req.nonce.len() != 64 || !req.nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
		return Err(Error::bad("nonce", "expected the 64 hex digits of a challenge's nonce"));
	}
	Ok(Json(auth::open_session(&state, &req.nonce, scheme, &signature).await?))
}

/// Body of `POST /v1/auth/logout` (optional).
#[derive(Debug, Default, serde::Deserialize)]
pub struct LogoutRequest {
	/// End every session of the account, not only this one (default false).
	pub all: Option<bool>,
}

/// `POST /v1/auth/logout`: ends this session (or, with `{"all": true}`, every session of the
/// account); the token stops working at once.
pub async fn logout(
	State(state): State<AppState>,
	caller: Caller,
	body: axum::body::Bytes,
) -> Result<Json<Value>> {
	let req: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
		LogoutRequest::default()
	} else {
		serde_json::from_slice(&body)
			.map_err(|e| Error::BadRequest(format!("invalid JSON body: {e}")))?
	};
	let all = req.all.unwrap_or(false);
	let ended = auth::close_sessions(&state, &caller, all).await?;
	Ok(Json(json!({ "account": caller.account, "sessions_ended": ended })))
}

/// `GET /v1/me`: the signed-in account and its roles.
pub async fn me(caller: Caller) -> Json<Value> {
	Json(json!({
		"account": caller.account,
		"ss58": super::ss58(&caller.account),
		"roles": auth::role_names(caller.roles),
	}))
}
