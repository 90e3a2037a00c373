#!/usr/bin/env bash
# The main job: set up, build what is missing, run the whole dev stack (citybond-dev): a dev
# chain with the cash token and a demo green bond of the City of Rotterdam whose coupons follow
# two KPI feeds, the digital twin, three oracle operators and the API.
#   scripts/dev.sh [--rpc-port 9944] [--api-port 8080] [--twin-port 8081] [--data-dir DIR]
#                  [--kpi-period-secs 60] [--coupon-period-secs 300] [--coupons 8]
# Everything persists in the data folder (default ~/.local/share/citybond/dev); run it again to
# resume. Remove that folder for a fresh chain. Ctrl-C stops every process.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CITYBOND_ROOT"
bash scripts/setup.sh
echo "== dev: building contracts"
scripts/build-contracts.sh
echo "== dev: building the node, oracle, API and launcher (release; the first build takes over an hour on 2 cores)"
cargo build --locked --release --workspace
export CITYBOND_NODE="$CARGO_TARGET_DIR/release/citybond-node"
export CITYBOND_CONTRACTS="$CARGO_TARGET_DIR/ink"
exec "$CARGO_TARGET_DIR/release/citybond-dev" "$@"
