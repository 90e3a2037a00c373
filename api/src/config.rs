//! Configuration: flags or environment variables, with defaults that work on a laptop next to
//! `scripts/dev.sh`.

use std::{net::SocketAddr, path::PathBuf};

/// The API server's and indexer's settings.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "citybond-api", about = "CityBond HTTP API and chain indexer")]
pub struct Config {
	/// Database: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
	#[arg(long, env = "DATABASE_URL", default_value = "sqlite://citybond-api.db?mode=rwc")]
	pub database_url: String,

	/// The node's websocket RPC address, followed for finalized blocks.
	#[arg(long, env = "CITYBOND_NODE_URL", default_value = "ws://127.0.0.1:9944")]
	pub node_url: String,

	/// Where the HTTP server listens.
	#[arg(long, env = "CITYBOND_API_LISTEN", default_value = "127.0.0.1:8080")]
	pub listen: SocketAddr,

	/// The green bond's cargo-contract bundle (default
	/// `$CARGO_TARGET_DIR/ink/green_bond/green_bond.contract`).
	#[arg(long, env = "CITYBOND_GREEN_BOND_BUNDLE")]
	pub green_bond_bundle: Option<PathBuf>,

	/// The cash token's cargo-contract bundle (default
	/// `$CARGO_TARGET_DIR/ink/cash_token/cash_token.contract`).
	#[arg(long, env = "CITYBOND_CASH_TOKEN_BUNDLE")]
	pub cash_token_bundle: Option<PathBuf>,

	/// Serve only, without following the chain.
	#[arg(long, env = "CITYBOND_API_NO_INDEXER")]
	pub no_indexer: bool,

	/// Index only, without serving HTTP.
	#[arg(long, env = "CITYBOND_API_NO_HTTP")]
	pub no_http: bool,

	/// The domain sign-in challenges are bound to (what the signer sees in the message).
	#[arg(long, env = "CITYBOND_API_DOMAIN", default_value = "api.citybond.local")]
	pub domain: String,

	/// How long a sign-in challenge stays valid, in seconds.
	#[arg(long, env = "CITYBOND_API_CHALLENGE_TTL", default_value_t = 300)]
	pub challenge_ttl_secs: u64,

	/// How long a session token stays valid, in seconds.
	#[arg(long, env = "CITYBOND_API_SESSION_TTL", default_value_t = 8 * 3600)]
	pub session_ttl_secs: u64,

	/// Requests per minute allowed from one client address.
	#[arg(long, env = "CITYBOND_API_RATE_LIMIT", default_value_t = 600)]
	pub rate_limit_per_minute: u32,

	/// Largest accepted request body, in bytes.
	#[arg(long, env = "CITYBOND_API_BODY_LIMIT", default_value_t = 16 * 1024)]
	pub body_limit_bytes: usize,
}

impl Config {
	/// The bundle path given, or its default under the cargo target directory.
	pub fn bundle_path(given: &Option<PathBuf>, name: &str) -> PathBuf {
		given.clone().unwrap_or_else(|| {
			let target = std::env::var_os("CARGO_TARGET_DIR")
				.map(PathBuf::from)
				.unwrap_or_else(|| PathBuf::from("target"));
			target.join("ink").join(name).join(format!("{name}.contract"))
		})
	}
}

/// Settings the HTTP layer needs, independent of the command line (tests build them directly).
#[derive(Debug, Clone)]
pub struct HttpSettings {
	/// See [`Config::domain`].
	pub domain: String,
	/// See [`Config::challenge_ttl_secs`].
	pub challenge_ttl_secs: u64,
	/// See [`Config::session_ttl_secs`].
	pub session_ttl_secs: u64,
	/// See [`Config::rate_limit_per_minute`].
	pub rate_limit_per_minute: u32,
	/// See [`Config::body_limit_bytes`].
	pub body_limit_bytes: usize,
}

impl Default for HttpSettings {
	fn default() -> Self {
		Self {
			domain: "api.citybond.local".into(),
			challenge_ttl_secs: 300,
			session_ttl_secs: 8 * 3600,
			rate_limit_per_minute: 600,
			body_limit_bytes: 16 * 1024,
		}
	}
}

impl From<&Config> for HttpSettings {
	fn from(c: &Config) -> Self {
		Self {
			domain: c.domain.clone(),
			challenge_ttl_secs: c.challenge_ttl_secs,
			session_ttl_secs: c.session_ttl_secs,
			rate_limit_per_minute: c.rate_limit_per_minute,
			body_limit_bytes: c.body_limit_bytes,
		}
	}
}
