#!/usr/bin/env bash
# Runs every CityBond test: contract unit tests, then the workspace's tests (pallets, runtime,
# oracle, API, and the end-to-end tests that start real nodes). Runs scripts/setup.sh first
# (quick once done).
#
# Tests run under cargo-nextest (.config/nextest.toml): each test in its own process, the
# real-node tests several at a time, each test's duration printed as it ends and again, with the
# total, at the end. The run ends with a budget: the time of each step and of the whole run.
#
# Everything builds in the release profile, so the node the end-to-end tests start and the test
# binaries share one build of every dependency.
#
# There are no doctests to run: the doc comments' code blocks are `text`, `toml` or `ignore`
# (nextest does not run doctests; `cargo test --doc` would only rebuild the crates for rustdoc).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CITYBOND_ROOT"

run_started=$(date +%s)
step_names=()
step_secs=()
step_name=""
step_started=0

end_step() {
	if [[ -n "$step_name" ]]; then
		step_names+=("$step_name")
		step_secs+=($(($(date +%s) - step_started)))
		step_name=""
	fi
}

step() {
	end_step
	step_name="$*"
	step_started=$(date +%s)
	printf '\n== test: %s\n' "$*"
}

budget() {
	local status=$?
	end_step
	printf '\n== test: budget (%s)\n' "$([[ $status -eq 0 ]] && echo passed || echo "FAILED, exit $status")"
	local i
	for i in "${!step_names[@]}"; do
		printf '  %6d s  %s\n' "${step_secs[$i]}" "${step_names[$i]}"
	done
	printf '  %6d s  total\n' "$(($(date +%s) - run_started))"
	if [[ -n "${pg_started:-}" ]]; then
		scripts/postgres.sh stop || true
	fi
	exit "$status"
}
trap budget EXIT

step "setup (apt packages, wasm toolchain, cargo-contract, cargo-nextest)"
bash scripts/setup.sh

step "contracts: unit tests (plain Rust rules and #[ink::test])"
# Their own workspace, with nextest's defaults (no real-node tests there).
cargo nextest run --locked --manifest-path contracts/Cargo.toml --workspace

step "contracts: wasm bundles (cargo-contract)"
scripts/build-contracts.sh

step "node, runtime, oracle, API and tests (release build)"
cargo build --locked --release --workspace
cargo nextest run --locked --release --workspace --no-run

step "pallet benchmarks, run once each as tests (runtime-benchmarks feature)"
cargo nextest run --locked --release -p pallet-citybond-identity -p pallet-citybond-kpi-oracle \
	-p pallet-citybond-validator-set -p pallet-citybond-upgrades -p pallet-citybond-issuance \
	--features runtime-benchmarks --profile ci

step "PostgreSQL for the API's tests (a throwaway cluster on 127.0.0.1)"
eval "$(scripts/postgres.sh start)"
pg_started=1

step "workspace tests: pallets, runtime, oracle, API, end-to-end (real nodes on loopback)"
export CITYBOND_NODE="$CARGO_TARGET_DIR/release/citybond-node"
export CITYBOND_CONTRACTS="$CARGO_TARGET_DIR/ink"
cargo nextest run --locked --release --workspace --profile ci
