#!/usr/bin/env bash
# Runs every CityBond test: contract unit tests, then the workspace's tests (runtime, and the
# end-to-end tests that start real nodes). Runs scripts/setup.sh first (quick once done).
#
# Everything builds in the release profile, so the node the end-to-end tests start and the test
# binaries share one build of every dependency.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CITYBOND_ROOT"

step() { printf '\n== test: %s\n' "$*"; }

bash scripts/setup.sh

step "contracts: unit tests (plain Rust rules and #[ink::test])"
cargo test --locked --manifest-path contracts/Cargo.toml --workspace

step "contracts: wasm bundles (cargo-contract)"
scripts/build-contracts.sh

step "node and runtime (release build)"
cargo build --locked --release --workspace

step "pallet benchmarks, run once each as tests (runtime-benchmarks feature)"
cargo test --locked --release -p pallet-citybond-identity -p pallet-citybond-kpi-oracle \
	-p pallet-citybond-validator-set -p pallet-citybond-upgrades \
	--features runtime-benchmarks

step "PostgreSQL for the API's tests (a throwaway cluster on 127.0.0.1)"
eval "$(scripts/postgres.sh start)"
trap 'scripts/postgres.sh stop || true' EXIT

step "workspace tests: pallets, runtime, oracle, API, end-to-end (real nodes on loopback)"
export CITYBOND_NODE="$CARGO_TARGET_DIR/release/citybond-node"
export CITYBOND_CONTRACTS="$CARGO_TARGET_DIR/ink"
cargo test --locked --release --workspace -- --test-threads=1
