#!/usr/bin/env bash
# The main job: set up, build what is missing, start a dev chain with the cash token deployed.
#   scripts/dev.sh [--rpc-port 9944] [--data-dir DIR]
# The chain persists in the data folder (default ~/.local/share/citybond/dev); run it again to
# resume. Remove that folder for a fresh chain.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CITYBOND_ROOT"
bash scripts/setup.sh
echo "== dev: building contracts"
scripts/build-contracts.sh
echo "== dev: building the node (release; the first build takes over an hour on 2 cores)"
cargo build --locked --release --workspace
export CITYBOND_NODE="$CARGO_TARGET_DIR/release/citybond-node"
export CITYBOND_CONTRACTS="$CARGO_TARGET_DIR/ink"
exec "$CARGO_TARGET_DIR/release/citybond-dev" "$@"
