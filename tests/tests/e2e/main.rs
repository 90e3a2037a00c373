//! CityBond's end-to-end tests: each module drives real processes (nodes, the API, oracles, the
//! twin, the dev launcher) on loopback, through the harness in `citybond_e2e`.
//!
//! One test binary rather than one per file: they share the harness and its heavy dependencies
//! (subxt, sqlx, the API), which a binary per file would compile and link eleven times.
//! cargo-nextest still runs every test in a process of its own (`.config/nextest.toml`):
//! `cargo nextest run --release -p citybond-e2e -E 'test(/^lifecycle::/)'` runs one module.

mod api;
mod cash_token;
mod chain_extension;
mod cli;
mod green_bond;
mod issuance;
mod kpi_oracle;
mod lifecycle;
mod local_testnet;
mod oracle;
mod permissioned;
mod stack;
mod upgrades;
