//! Sign-in with a chain key. A client asks for a challenge for its account; the API stores a
//! single-use nonce bound to the configured domain with a short expiry and returns the message
//! to sign; the client signs it with the account's sr25519 key (or ed25519: the account id is
//! the public key either way) and exchanges the signature for a session token. Tokens are
//! random 32 bytes; only their SHA-256 is stored. Roles are read from the indexed identity
//! registry on every request, so a suspended identity loses its access at once. A session ends
//! when it expires or when its holder signs out (one session, or all of the account's).
//!
//! The signature covers the message wrapped in `<Bytes>…</Bytes>` ([`signed_bytes`]), never
//! the bare message, so a sign-in signature cannot be replayed as a transaction's.

use crate::{
	db::{col, now_ms},
	error::{Error, Result},
	http::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Role bits of the identity pallet.
pub mod role {
	/// Registrar.
	pub const REGISTRAR: u8 = 1;
	/// Issuer.
	pub const ISSUER: u8 = 2;
	/// Investor.
	pub const INVESTOR: u8 = 4;
	/// Auditor.
	pub const AUDITOR: u8 = 8;
	/// Oracle operator.
	pub const ORACLE_OPERATOR: u8 = 16;
	/// Settlement agent.
	pub const SETTLEMENT_AGENT: u8 = 32;
}

/// The names of the roles in `bits`.
pub fn role_names(bits: u8) -> Vec<&'static str> {
	[
		(role::REGISTRAR, "registrar"),
		(role::ISSUER, "issuer"),
		(role::INVESTOR, "investor"),
		(role::AUDITOR, "auditor"),
		(role::ORACLE_OPERATOR, "oracle_operator"),
		(role::SETTLEMENT_AGENT, "settlement_agent"),
	]
	.into_iter()
	.filter(|(bit, _)| bits & bit != 0)
	.map(|(_, name)| name)
	.collect()
}

fn random_hex() -> String {
	let mut bytes = [0u8; 32];
	rand::thread_rng().fill_bytes(&mut bytes);
	hex::encode(bytes)
}

/// SHA-256 of a token, hex.
pub fn token_hash(token: &str) -> String {
	hex::encode(Sha256::digest(token.as_bytes()))
}

/// A challenge to sign.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Challenge {
	/// The nonce, to send back with the signature.
	pub nonce: String,
	/// The exact text to sign (UTF-8 bytes).
	pub message: String,
	/// When it stops being accepted.
	pub expires_at: String,
}

/// Creates and stores a challenge for `account` (0x-hex).
pub async fn create_challenge(state: &AppState, account: &str) -> Result<Challenge> {
	let nonce = random_hex();
	let now = now_ms();
	let ttl =
		i64::try_from(state.settings.challenge_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
	let expires = now.saturating_add(ttl);
	let ss58 = crate::http::ss58(account).unwrap_or_default();
	let issued = crate::http::rfc3339(now).unwrap_or_default();
	let expires_at = crate::http::rfc3339(expires).unwrap_or_default();
	let message = format!(
		"{domain} wants you to sign in with your CityBond account:\n{ss58}\n\nURI: https://{domain}\n\
		 Nonce: {nonce}\nIssued At: {issued}\nExpiration Time: {expires_at}",
		domain = state.settings.domain
	);
	// Expired challenges and sessions are of no use after a day: drop them as new ones come.
	let day_ago = now.saturating_sub(86_400_000);
	sqlx::query("DELETE FROM auth_challenges WHERE expires_at_ms < $1")
		.bind(day_ago)
		.execute(&state.pool)
		.await?;
	sqlx::query("DELETE FROM auth_sessions WHERE expires_at_ms < $1")
		.bind(day_ago)
		.execute(&state.pool)
		.await?;
	sqlx::query(
		"INSERT INTO auth_challenges (nonce, account, message, created_at_ms, expires_at_ms)
		 VALUES ($1, $2, $3, $4, $5)",
	)
	.bind(&nonce)
	.bind(account)
	.bind(&message)
	.bind(now)
	.bind(expires)
	.execute(&state.pool)
	.await?;
	Ok(Challenge { nonce, message, expires_at })
}

/// Signature schemes accepted for sign-in.
#[derive(Debug, Clone, Copy, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
	/// Schnorrkel (substrate signing context), what Substrate wallets use.
	Sr25519,
	/// Ed25519 (strict verification).
	Ed25519,
}

/// The bytes a sign-in signature covers: the challenge's message wrapped in `<Bytes>…</Bytes>`,
/// as Substrate wallets' `signRaw` wraps any message. This is the domain separation between a
/// sign-in and a transaction: an extrinsic's signed payload starts with its call's pallet index
/// and the wrapped message with `<` (60), which no pallet of the runtime uses, so the signature
/// of one can never be the signature of the other. A signature over the bare message is refused.
pub fn signed_bytes(message: &str) -> Vec<u8> {
	format!("<Bytes>{message}</Bytes>").into_bytes()
}

/// Checks `signature` by `account` over [`signed_bytes`] of `message`.
pub fn signature_ok(
	scheme: Scheme,
	account: &[u8; 32],
	message: &str,
	signature: &[u8; 64],
) -> bool {
	let signed = signed_bytes(message);
	match scheme {
		Scheme::Sr25519 => {
			let sig = subxt_signer::sr25519::Signature(*signature);
			let key = subxt_signer::sr25519::PublicKey(*account);
			subxt_signer::sr25519::verify(&sig, &signed, &key)
		}
		Scheme::Ed25519 => {
			let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(account) else { return false };
			let sig = ed25519_dalek::Signature::from_bytes(signature);
			key.verify_strict(&signed, &sig).is_ok()
		}
	}
}

/// A new session.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
	/// The bearer token (shown once).
	pub token: String,
	/// The account, 0x-hex.
	pub account: String,
	/// Roles now.
	pub roles: Vec<&'static str>,
	/// When the token stops working.
	pub expires_at: String,
}

/// Exchanges a signed challenge for a session. The challenge is consumed whatever the outcome,
/// so a signature can be tried once.
pub async fn open_session(
	state: &AppState,
	nonce: &str,
	scheme: Scheme,
	signature: &[u8; 64],
) -> Result<Session> {
	let row = sqlx::query(
		"SELECT account, message, expires_at_ms, used_at_ms FROM auth_challenges WHERE nonce = $1",
	)
	.bind(nonce)
	.fetch_optional(&state.pool)
	.await?
	.ok_or_else(|| Error::Unauthorized("unknown challenge: request a new one".into()))?;
	let account: String = col(&row, "account")?;
	let message: String = col(&row, "message")?;
	let expires: i64 = col(&row, "expires_at_ms")?;
	let used: Option<i64> = col(&row, "used_at_ms")?;
	let now = now_ms();
	if used.is_some() {
		return Err(Error::Unauthorized("challenge already used: request a new one".into()));
	}
	// Consume it first (atomically: only one request can), then judge.
	let consumed = sqlx::query(
		"UPDATE auth_challenges SET used_at_ms = $1 WHERE nonce = $2 AND used_at_ms IS NULL",
	)
	.bind(now)
	.bind(nonce)
	.execute(&state.pool)
	.await?
	.rows_affected();
	if consumed != 1 {
		return Err(Error::Unauthorized("challenge already used: request a new one".into()));
	}
	if now >= expires {
		return Err(Error::Unauthorized("challenge expired: request a new one".into()));
	}
	let key: [u8; 32] = crate::verify::hex_n(&account)
		.ok_or_else(|| Error::Internal("stored challenge account".into()))?;
	if !signature_ok(scheme, &key, &message, signature) {
		return Err(Error::Unauthorized(
			"signature does not verify for this account and challenge (sign the message \
			 wrapped as <Bytes>message</Bytes>, as a wallet's signRaw does)"
				.into(),
		));
	}
	let token = random_hex();
	let ttl =
		i64::try_from(state.settings.session_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
	let session_expires = now.saturating_add(ttl);
	sqlx::query(
		"INSERT INTO auth_sessions (token_hash, account, created_at_ms, expires_at_ms)
		 VALUES ($1, $2, $3, $4)",
	)
	.bind(token_hash(&token))
	.bind(&account)
	.bind(now)
	.bind(session_expires)
	.execute(&state.pool)
	.await?;
	let roles = role_names(roles_of(&state.pool, &account).await?);
	Ok(Session {
		token,
		account,
		roles,
		expires_at: crate::http::rfc3339(session_expires).unwrap_or_default(),
	})
}

/// Ends `caller`'s session, or every session of its account when `all`; returns how many.
pub async fn close_sessions(state: &AppState, caller: &Caller, all: bool) -> Result<u64> {
	let done = if all {
		sqlx::query("DELETE FROM auth_sessions WHERE account = $1")
			.bind(&caller.account)
			.execute(&state.pool)
			.await?
	} else {
		sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
			.bind(&caller.token_hash)
			.execute(&state.pool)
			.await?
	};
	Ok(done.rows_affected())
}

/// The role bits of an account's identity if it is active, else 0.
pub async fn roles_of(pool: &sqlx::AnyPool, account: &str) -> Result<u8> {
	let row = sqlx::query("SELECT status, roles FROM identities WHERE account = $1")
		.bind(account)
		.fetch_optional(pool)
		.await?;
	Ok(match row {
		Some(row) if col::<String>(&row, "status")? == "Active" => {
			u8::try_from(col::<i64>(&row, "roles")?).unwrap_or(0)
		}
		_ => 0,
	})
}

/// The signed-in caller: a valid bearer token's account and its current roles.
#[derive(Debug, Clone)]
pub struct Caller {
	/// The account, 0x-hex.
	pub account: String,
	/// Role bits (0 unless the identity is active).
	pub roles: u8,
	/// SHA-256 of the session token presented (hex): which session this is.
	pub token_hash: String,
}

impl Caller {
	/// Fails with 403 unless the caller holds `role`.
	pub fn require(&self, role: u8, name: &str) -> Result<()> {
		if self.roles & role == 0 {
			return Err(Error::Forbidden(format!(
				"this view is for accounts with the {name} role; yours has {:?}",
				role_names(self.roles)
			)));
		}
		Ok(())
	}
}

impl FromRequestParts<AppState> for Caller {
	type Rejection = Error;
	async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
		let header = parts
			.headers
			.get(axum::http::header::AUTHORIZATION)
			.ok_or_else(|| Error::Unauthorized("missing Authorization: Bearer <token>".into()))?;
		let token =
			header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")).ok_or_else(|| {
				Error::Unauthorized("Authorization must be 'Bearer <token>'".into())
			})?;
		let hash = token_hash(token.trim());
		let row =
			sqlx::query("SELECT account, expires_at_ms FROM auth_sessions WHERE token_hash = $1")
				.bind(&hash)
				.fetch_optional(&state.pool)
				.await?
				.ok_or_else(|| Error::Unauthorized("unknown or signed-out session token".into()))?;
		if col::<i64>(&row, "expires_at_ms")? <= now_ms() {
			return Err(Error::Unauthorized("session expired: sign in again".into()));
		}
		let account: String = col(&row, "account")?;
		let roles = roles_of(&state.pool, &account).await?;
		Ok(Caller { account, roles, token_hash: hash })
	}
}
