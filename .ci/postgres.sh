#!/usr/bin/env bash
# A throwaway PostgreSQL server (Debian's postgresql package) for the station's storage
# tests. `postgres.sh start` creates a cluster in a temporary folder, listening only on a
# Unix socket there, and prints its SQLAlchemy URL; `postgres.sh stop URL` stops it.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}
case "${1:-}" in
  start)
    root=$(mktemp -d /tmp/station-pg.XXXXXX)
    chown postgres "$root"
    as_postgres "$bin/initdb" -D "$root/data" -A trust -U postgres -E UTF8 >"$root/initdb.log"
    as_postgres "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
      -o "-c listen_addresses='' -k $root -c fsync=off" start >/dev/null
    as_postgres "$bin/createdb" -h "$root" -U postgres station_test
    echo "postgresql+psycopg://postgres@/station_test?host=$root"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "${2##*host=}/data" stop -m fast >/dev/null
    ;;
  *)
    echo "usage: postgres.sh start | stop URL" >&2
    exit 2
    ;;
esac
