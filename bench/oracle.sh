#!/usr/bin/env bash
# Figures of the KPI oracle service (issue #7), written to bench/results/oracle.md:
# - signing and verification against raw ed25519-dalek (criterion, `oracle/benches/signing.rs`);
# - on a dev node (3 s blocks; `tests/src/bin/bench-oracle.rs`): the delay from a period's close to
#   its report's inclusion with three oracle processes, and the resident memory of one process
#   serving ten feeds. About 6 minutes besides the builds. Needs the release node
#   (`cargo build --release`).
#   bench/oracle.sh [bench-oracle options, e.g. --periods 10 --feeds 10]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$CITYBOND_ROOT"
mkdir -p bench/results
out=bench/results/oracle.md.new
cargo build --release -p citybond-oracle -p citybond-e2e --bin citybond-oracle --bin bench-oracle
{
	echo "# KPI oracle service figures"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))."
	echo
	echo "## Signing and verification (criterion, 151-byte report message)"
	echo
	echo '```'
	cargo bench -p citybond-oracle --bench signing 2>/dev/null | grep -E '^(sign|verify)/|time:|thrpt:'
	echo '```'
	echo
	"$CARGO_TARGET_DIR/release/bench-oracle" "$@"
} > "$out"
mv "$out" bench/results/oracle.md
cat bench/results/oracle.md
