#!/usr/bin/env bash
# Figures of the HTTP API and indexer (issue #6), written to bench/results/api.md: requests/s and
# p50/p99 of a bond detail and an investor's holdings against a bare axum handler serving the
# same JSON in the same process, 10 concurrent keep-alive clients, on SQLite and PostgreSQL; then
# the indexer's catch-up from genesis in blocks/s against a dev node (`api/benches/http.rs`).
# About 4 minutes besides the build. Needs the release node and the contract bundles for the
# catch-up (scripts/test.sh, or scripts/build-contracts.sh and `cargo build --release`);
# without them that part says "not measured".
#   BENCH_SECS=10 BENCH_CLIENTS=10 BENCH_CATCHUP_SECS=90 bench/api.sh
# Starts the throwaway PostgreSQL cluster of scripts/postgres.sh, and stops it afterwards if it
# was not already running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$CITYBOND_ROOT"
export BENCH_CATCHUP_SECS="${BENCH_CATCHUP_SECS:-90}"
was_running=yes
scripts/postgres.sh url >/dev/null 2>&1 || was_running=no
eval "$(scripts/postgres.sh)"
[[ $was_running == no ]] && trap 'scripts/postgres.sh stop' EXIT
cargo bench -p citybond-api --bench http --no-run
mkdir -p bench/results
out=bench/results/api.md.new
{
	echo "# API figures"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), \`bench/api.sh\`."
	echo
	cargo bench -p citybond-api --bench http
} > "$out"
mv "$out" bench/results/api.md
cat bench/results/api.md
