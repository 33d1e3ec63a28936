#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 in a temporary folder and print its URL.
# Usage: eval "$(.ci/postgres.sh start)"   ...   .ci/postgres.sh stop "$PGDATA_DIR"
set -euo pipefail
cmd=${1:-start}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "no PostgreSQL server found under /usr/lib/postgresql" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    dir=$(mktemp -d /tmp/orderwf-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_pg "$bindir/initdb" -D "$dir/data" -U orderwf -A trust --no-sync >/dev/null
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" start >/dev/null
    as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U orderwf orderwf
    echo "export PGDATA_DIR=$dir"
    echo "export ORDERWF_TEST_PG_URL=postgresql+psycopg://orderwf@127.0.0.1:$port/orderwf"
    ;;
  stop)
    dir=${2:?the folder printed by start}
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
esac
