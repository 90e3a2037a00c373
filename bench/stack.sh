#!/usr/bin/env bash
# Time to a usable dev stack and its resident memory, on a warm machine (everything built):
# runs citybond-dev (what scripts/dev.sh runs) on a fresh data folder with its default periods,
# measures the time until it prints that the stack is up, lets it run a minute, sums the RSS of
# the node, the three oracles, the twin and the API (ps), then stops it and measures a resumed
# start the same way. Writes bench/results/stack.md.
#   bash bench/stack.sh [--settle-secs 60]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$CITYBOND_ROOT"
settle=60
if [[ "${1:-}" == "--settle-secs" ]]; then settle="$2"; fi
launcher="$CARGO_TARGET_DIR/release/citybond-dev"
for bin in citybond-dev citybond-node citybond-oracle citybond-api; do
	[[ -x "$CARGO_TARGET_DIR/release/$bin" ]] || { echo "missing $bin: run scripts/dev.sh or cargo build --release first" >&2; exit 1; }
done
work="$(mktemp -d)"
ports=(--rpc-port 29944 --api-port 28080 --twin-port 28081)
pid=""
cleanup() {
	local rc=$?
	if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
	# On failure the logs stay for a look.
	if [[ $rc -eq 0 ]]; then rm -rf "$work"; else echo "logs kept in $work" >&2; fi
}
trap cleanup EXIT

# start <output file>: starts the launcher (pid in $pid), waits until the stack is up; the
# seconds it took in $elapsed.
start() {
	local out="$1" t0
	t0=$(date +%s.%N)
	"$launcher" --data-dir "$work/data" "${ports[@]}" >"$out" 2>&1 &
	pid=$!
	until grep -q "CityBond dev stack is up." "$out"; do
		kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; echo "the launcher exited" >&2; exit 1; }
		sleep 0.2
	done
	elapsed=$(echo "$(date +%s.%N) - $t0" | bc)
}

# rss <pattern>: RSS in MiB of the launcher's children whose command matches.
rss() {
	ps -o rss=,args= --ppid "$pid" | awk -v p="$1" '$0 ~ p { s += $1 } END { printf "%.0f", s / 1024 }'
}

stop() {
	kill -TERM "$pid"
	wait "$pid" || true
	pid=""
}

echo "== bench: first start (fresh data folder: node, deployments, bond live, API indexed)"
start "$work/first.out"
fresh=$elapsed
echo "   up after ${fresh} s; letting it run ${settle} s"
sleep "$settle"
node=$(rss citybond-node)
oracles=$(rss "citybond-oracle run")
twin=$(rss "citybond-oracle twin")
api=$(rss citybond-api)
launch=$(ps -o rss= -p "$pid" | awk '{ printf "%.0f", $1 / 1024 }')
total=$((node + oracles + twin + api))
stop
echo "== bench: resumed start (same data folder)"
start "$work/second.out"
resumed=$elapsed
stop

date=$(date -u +%Y-%m-%d)
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mkdir -p bench/results
cat >bench/results/stack.md <<MD
# Dev stack: time to usable, resident memory

Measured ${date} by \`bash bench/stack.sh\` on $(nproc) cores (${cpu}), warm (everything built),
default periods (60 s KPI periods, 300 s coupon periods), RSS after ${settle} s of running.

| figure | value |
| --- | ---: |
| first start, fresh data folder, to "stack is up" | $(printf '%.0f' "$fresh") s |
| resumed start, to "stack is up" | $(printf '%.0f' "$resumed") s |
| RSS: node | ${node} MiB |
| RSS: three oracle operators | ${oracles} MiB |
| RSS: digital twin | ${twin} MiB |
| RSS: API | ${api} MiB |
| RSS: the stack (node, oracles, twin, API) | **${total} MiB** |
| RSS: the launcher itself | ${launch} MiB |
MD
cat bench/results/stack.md
