//! Harness for CityBond's end-to-end tests: starts the real node binary on free loopback ports,
//! connects with the chain client (`citybond-client`, re-exported here), and drives ink!
//! contracts through their cargo-contract metadata.
//!
//! Where things are found (set by `scripts/test.sh`, with defaults for a plain `cargo test`):
//! - `CITYBOND_NODE`: the node binary (default `$CARGO_TARGET_DIR/release/citybond-node`).
//! - `CITYBOND_CONTRACTS`: the folder holding `<name>/<name>.contract` bundles (default
//!   `$CARGO_TARGET_DIR/ink`).

pub mod api_client;
pub mod bond;
pub mod kpi;
pub mod node;
pub mod stack;

pub use citybond_client::*;
