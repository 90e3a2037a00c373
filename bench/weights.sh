#!/usr/bin/env bash
# Measures the weights of CityBond's pallets with frame benchmarks on this machine and writes
# them into runtime/pallets/*/src/weights.rs (from bench/weight-template.hbs). Also benchmarks
# `Balances::transfer_keep_alive` in the same run and prints the KPI report's weight against it,
# and how many reports fit in a block, to bench/results/weights.md.
#
# Needs a node built with `--features runtime-benchmarks`. That build shares the target
# directory with the normal one but replaces target/release/citybond-node, so this script keeps
# the benchmark node under $CARGO_TARGET_DIR/bench-node and rebuilds the normal node afterwards.
#
#   bash bench/weights.sh            # build, measure, write
#   STEPS=50 REPEAT=20 bash bench/weights.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$CITYBOND_ROOT"

steps=${STEPS:-20}
repeat=${REPEAT:-10}
bench_node="$CARGO_TARGET_DIR/bench-node/citybond-node"
results=bench/results
mkdir -p "$results" "$(dirname "$bench_node")"

echo "== weights: building the node with runtime-benchmarks"
cargo build --locked --release -p citybond-node --features runtime-benchmarks
cp "$CARGO_TARGET_DIR/release/citybond-node" "$bench_node"

run() {
	local pallet=$1 output=$2
	echo "== weights: $pallet ($steps steps, $repeat repeats)"
	local args=(benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*'
		--steps "$steps" --repeat "$repeat" --wasm-execution compiled
		--json-file "$results/$pallet.json")
	if [[ -n "$output" ]]; then
		args+=(--template bench/weight-template.hbs --output "$output")
	fi
	"$bench_node" "${args[@]}" >"$results/$pallet.log" 2>&1 || {
		tail -30 "$results/$pallet.log" >&2
		exit 1
	}
}

run pallet_citybond_identity runtime/pallets/identity/src/weights.rs
run pallet_citybond_kpi_oracle runtime/pallets/kpi-oracle/src/weights.rs
run pallet_citybond_validator_set runtime/pallets/validator-set/src/weights.rs
run pallet_citybond_upgrades runtime/pallets/upgrades/src/weights.rs
run pallet_citybond_issuance runtime/pallets/issuance/src/weights.rs
run pallet_balances ""

echo "== weights: figures"
python3 bench/figures.py "$results" | tee "$results/weights.md"

echo "== weights: rebuilding the normal node"
cargo build --locked --release --workspace
