#!/usr/bin/env bash
# Start a private PostgreSQL server for the tests (its own data folder and port) and print
# its URL. Idempotent: a server already running on the port is reused.
set -euo pipefail

PORT="${ONCOSPINE_PG_PORT:-55432}"
DATA="${ONCOSPINE_PG_DATA:-/tmp/oncospine-pg-$PORT}"
BINDIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! as_pg "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DATA"; fi
    as_pg "$BINDIR/initdb" -D "$DATA" -U oncospine --auth=trust -E UTF8 >/dev/null
  fi
  as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U oncospine -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'oncospine_test'" | grep -q 1 \
  || as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U oncospine oncospine_test
echo "postgresql+psycopg://oncospine@127.0.0.1:$PORT/oncospine_test"
