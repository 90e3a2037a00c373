//! `citybond-api`: serves the HTTP API and follows the chain. See the crate docs of
//! `citybond_api` and `citybond-api --help`.

use anyhow::Context;
use citybond_api::{
	config::{Config, HttpSettings},
	indexer::Indexer,
	ink::InkBundle,
	AppState,
};
use clap::Parser;
use std::time::Duration;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "info,citybond_api=info".into()),
		)
		.init();
	let config = Config::parse();
	let pool = citybond_api::db::connect(&config.database_url)
		.await
		.with_context(|| format!("open database {}", config.database_url))?;
	let mut tasks = tokio::task::JoinSet::new();
	if !config.no_indexer {
		let green = Config::bundle_path(&config.green_bond_bundle, "green_bond");
		let cash = Config::bundle_path(&config.cash_token_bundle, "cash_token");
		let bundles = vec![
			InkBundle::load("green_bond", &green)
				.with_context(|| format!("load {}", green.display()))?,
			InkBundle::load("cash_token", &cash)
				.with_context(|| format!("load {}", cash.display()))?,
		];
		let pool = pool.clone();
		let url = config.node_url.clone();
		tasks.spawn(async move {
			let indexer = loop {
				match Indexer::connect(&url, pool.clone(), bundles.clone()).await {
					Ok(i) => break i,
					Err(e @ citybond_api::error::Error::WrongChain(_)) => {
						return Err(anyhow::Error::new(e).context("indexer refused to start"));
					}
					Err(e) => {
						tracing::warn!(error = %e, url, "indexer: node not reachable, retrying");
						tokio::time::sleep(Duration::from_secs(2)).await;
					}
				}
			};
			tracing::info!(url, "indexer: following finalized blocks");
			indexer.run(Duration::from_secs(1)).await.context("indexer")
		});
	}
	if !config.no_http {
		let state = AppState::new(pool.clone(), HttpSettings::from(&config));
		let listener = tokio::net::TcpListener::bind(config.listen)
			.await
			.with_context(|| format!("listen on {}", config.listen))?;
		tracing::info!(addr = %listener.local_addr()?, "http: listening");
		tasks.spawn(async move {
			citybond_api::http::serve(listener, state).await.context("http server")
		});
	}
	tokio::select! {
		Some(done) = tasks.join_next() => done.context("task panicked")?,
		_ = tokio::signal::ctrl_c() => Ok(()),
	}
}
