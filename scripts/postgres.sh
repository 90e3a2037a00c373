#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the API's tests (trust auth on loopback only).
#   eval "$(scripts/postgres.sh)"        start (or reuse) it; exports CITYBOND_TEST_POSTGRES_URL
#   scripts/postgres.sh stop             stop it
#   scripts/postgres.sh url              print the URL of the running cluster
# The cluster lives in $CITYBOND_PG_DIR (default ~/.cache/citybond/pg, or /tmp/citybond-pg when
# run as root, because PostgreSQL refuses to run as root and runs as the `postgres` user, which
# cannot enter root's home). Messages go to stderr; stdout is only the export line.
set -euo pipefail

say() { printf 'postgres.sh: %s\n' "$*" >&2; }

bindir=""
for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && bindir="$d"; done
if [[ -z "$bindir" ]]; then
	say "PostgreSQL is not installed (apt-get install postgresql; scripts/setup.sh does it)"
	exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
	dir="${CITYBOND_PG_DIR:-/tmp/citybond-pg}"
	as_pg() { runuser -u postgres -- "$@"; }
else
	dir="${CITYBOND_PG_DIR:-$HOME/.cache/citybond/pg}"
	as_pg() { "$@"; }
fi
data="$dir/data"
portfile="$dir/port"

url() { echo "postgres://postgres@127.0.0.1:$(cat "$portfile")/postgres"; }

running() { [[ -f "$portfile" ]] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

free_port() {
	local p
	for p in $(seq 55432 55632); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	say "no free port in 55432..55632"
	exit 1
}

case "${1:-start}" in
start)
	if running; then
		say "already running on port $(cat "$portfile") ($data)"
	else
		mkdir -p "$dir"
		[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
		if [[ ! -f "$data/PG_VERSION" ]]; then
			as_pg "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=trust \
				-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
				{ say "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
		fi
		port=$(free_port)
		as_pg sh -c "echo $port > '$portfile'"
		as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
			start >/dev/null ||
			{ say "pg_ctl start failed:"; tail -20 "$dir/server.log" >&2; exit 1; }
		say "started on 127.0.0.1:$port ($data)"
	fi
	echo "export CITYBOND_TEST_POSTGRES_URL=$(url)"
	;;
stop)
	if running; then
		as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
		say "stopped"
	else
		say "not running"
	fi
	;;
url)
	running || { say "not running"; exit 1; }
	url
	;;
*)
	say "usage: $0 [start|stop|url]"
	exit 2
	;;
esac
