#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests: a fresh cluster in a temporary directory, listening on
# 127.0.0.1 only (a free port, password auth), fsync off because nothing in it needs to survive.
#
#   export BREACHLENS_TEST_PG_URL="$(scripts/pg-test-cluster.sh)"   # start; prints the URL, nothing else on stdout
#   scripts/pg-test-cluster.sh stop "$BREACHLENS_TEST_PG_URL"       # stop it and remove its directory
#
# Installs Debian's `postgresql` package with apt-get when initdb is missing (idempotent: nothing is done when it
# is there). As root, the server runs as the `postgres` user the package creates (initdb refuses root).
set -euo pipefail

log() { echo "pg-test-cluster: $*" >&2; }

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = stop ]; then
    url="${2:?usage: $0 stop URL}"
    port="$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port)' "$url")"
    for dir in "${TMPDIR:-/tmp}"/breachlens-pg.*; do
        if [ -f "$dir/port" ] && [ "$(cat "$dir/port")" = "$port" ]; then
            as_owner "$(find_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
            rm -rf "$dir"
            log "stopped the cluster on port $port"
        fi
    done
    exit 0
fi

bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
        log "PostgreSQL is not installed and installing it needs root: apt-get install postgresql"
        exit 1
    fi
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/breachlens-pg.XXXXXX")"
password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
printf '%s\n' "$password" > "$dir/pwfile"
echo "$port" > "$dir/port"
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$dir"
fi
chmod 700 "$dir"

as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$dir/pwfile"
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
PGPASSWORD="$password" "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE breachlens_test" >&2
log "running in $dir (port $port); stop with: $0 stop URL"
echo "postgresql://postgres:$password@127.0.0.1:$port/breachlens_test"
