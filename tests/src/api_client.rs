//! The CityBond API over HTTP, as a person using it would: public reads, sign-in with an
//! account's key (challenge, signature, bearer token) and the persona views behind it.

use anyhow::{bail, Context, Result};
use serde_json::Value as Json;
use std::{
	future::Future,
	time::{Duration, Instant},
};
use subxt_signer::sr25519::Keypair;

/// An API at a base URL (`http://127.0.0.1:<port>`).
#[derive(Clone)]
pub struct Api {
	/// The base URL, without a trailing slash.
	pub base: String,
	http: reqwest::Client,
}

impl Api {
	/// The API at `base`.
	pub fn new(base: &str) -> Self {
		Self { base: base.trim_end_matches('/').to_string(), http: reqwest::Client::new() }
	}

	/// `GET path` (signed in with `token` if given): the status and the JSON body.
	pub async fn fetch(&self, path: &str, token: Option<&str>) -> Result<(u16, Json)> {
		let url = format!("{}{path}", self.base);
		let mut req = self.http.get(&url);
		if let Some(t) = token {
			req = req.bearer_auth(t);
		}
		let res = req.send().await.with_context(|| format!("GET {url}"))?;
		let status = res.status().as_u16();
		let text = res.text().await.with_context(|| format!("GET {url}: body"))?;
		let body = serde_json::from_str(&text)
			.with_context(|| format!("GET {url}: {status}, not JSON: {text}"))?;
		Ok((status, body))
	}

	/// `GET path` as the public; fails unless it answers 200.
	pub async fn get(&self, path: &str) -> Result<Json> {
		self.get_as(path, None).await
	}

	/// `GET path` signed in with `token` (or as the public); fails unless it answers 200.
	pub async fn get_as(&self, path: &str, token: Option<&str>) -> Result<Json> {
		let (status, body) = self.fetch(path, token).await?;
		if status != 200 {
			bail!("GET {path}: {status} {body}");
		}
		Ok(body)
	}

	/// Signs in as `who` with its sr25519 key: asks for a challenge, signs its message (wrapped
	/// in `<Bytes>…</Bytes>`) and trades the signature for a session token.
	pub async fn sign_in(&self, who: &Keypair) -> Result<String> {
		let account = format!("0x{}", hex::encode(who.public_key().0));
		let challenge: Json = self
			.http
			.post(format!("{}/v1/auth/challenge", self.base))
			.json(&serde_json::json!({ "account": account }))
			.send()
			.await?
			.json()
			.await?;
		let message = challenge["message"].as_str().with_context(|| format!("{challenge}"))?;
		// As a wallet's signRaw does: the message wrapped in <Bytes>…</Bytes>.
		let signature = who.sign(&citybond_api::auth::signed_bytes(message));
		let session: Json = self
			.http
			.post(format!("{}/v1/auth/session", self.base))
			.json(&serde_json::json!({
				"nonce": challenge["nonce"],
				"signature": format!("0x{}", hex::encode(signature.0)),
			}))
			.send()
			.await?
			.json()
			.await?;
		Ok(session["token"].as_str().with_context(|| format!("no token: {session}"))?.to_string())
	}
}

/// Calls `check` every second until it returns `Ok(Ok(value))`, for at most `timeout`.
/// `Ok(Err(seen))` means "not yet" and says what was seen; an `Err` (the API unreachable, a
/// body that is not JSON) counts as not yet too. The error after `timeout` names `what` and
/// the last thing seen.
pub async fn poll<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Result<std::result::Result<T, String>>>,
{
	let started = Instant::now();
	loop {
		let seen = match check().await {
			Ok(Ok(value)) => return Ok(value),
			Ok(Err(seen)) => seen,
			Err(e) => format!("{e:#}"),
		};
		if started.elapsed() > timeout {
			bail!("{what}: not within {timeout:?}; last seen: {seen}");
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}
