#!/usr/bin/env bash
# Gas figures of the green bond on a dev node (issue #5): a bond transfer against a cash token
# transfer, and a coupon claim with 10 against 1,000 holders. About 8 minutes; writes
# bench/results/gas.md. Needs the release node and the contract bundles (scripts/test.sh, or
# scripts/build-contracts.sh and `cargo build --release`).
#   bench/gas.sh [--small N] [--large N]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$CITYBOND_ROOT"
cargo build --release -p citybond-e2e --bin bench-gas
mkdir -p bench/results
"$CARGO_TARGET_DIR/release/bench-gas" "$@" | tee bench/results/gas.md.new
mv bench/results/gas.md.new bench/results/gas.md
