#!/usr/bin/env bash
# Start a local PostgreSQL server for fanpin's case-store tests and print the
# environment line that points the tests at it.
#
# Usage (as root, non-interactive, safe to run again):
#     eval "$(scripts/ci_postgres.sh)"
#     pytest tests/workflow           # now also runs the PostgreSQL parameters
#
# Only the `export FANPIN_TEST_PG_URL=...` line goes to stdout; progress goes to
# stderr. Override the defaults with FANPIN_PG_USER, FANPIN_PG_PASSWORD and
# FANPIN_PG_DB. The tests create (and drop) one schema per test inside the database.
set -euo pipefail

PG_USER="${FANPIN_PG_USER:-fanpin}"
PG_PASSWORD="${FANPIN_PG_PASSWORD:-fanpin}"
PG_DB="${FANPIN_PG_DB:-fanpin_test}"

log() { echo "ci_postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (it installs packages and starts the server)"
    exit 1
fi

# 1. Install Debian's postgresql when it is missing.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# 2. Make sure a cluster exists (the package normally creates "<version> main").
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
CLUSTER=main
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {found = 1} END {exit !found}'; then
    log "creating cluster $VERSION/$CLUSTER"
    pg_createcluster "$VERSION" "$CLUSTER" >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $3}')"

# 3. Start it unless it is already running.
STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}')"
if [ "$STATUS" != "online" ]; then
    log "starting cluster $VERSION/$CLUSTER on port $PORT"
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    log "server did not accept connections on 127.0.0.1:$PORT within 30 s; see /var/log/postgresql/"
    exit 1
fi

# 4. Create (or reset the password of) the test role, and its database.
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres >&2 <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PG_USER}') THEN
        CREATE ROLE "${PG_USER}" LOGIN PASSWORD '${PG_PASSWORD}';
    ELSE
        ALTER ROLE "${PG_USER}" LOGIN PASSWORD '${PG_PASSWORD}';
    END IF;
END
\$\$;
SQL
if ! as_postgres psql -tA -p "$PORT" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'" | grep -q 1; then
    log "creating database $PG_DB"
    as_postgres createdb -p "$PORT" -O "$PG_USER" "$PG_DB" >&2
fi

echo "export FANPIN_TEST_PG_URL=postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${PORT}/${PG_DB}"
