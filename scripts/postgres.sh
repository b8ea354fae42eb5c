#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on loopback only.
#
#   bash scripts/postgres.sh        install Debian's server if missing, start it (once), and
#                                   print the SQLAlchemy URL of an empty test database
#   bash scripts/postgres.sh stop   stop it
#
# The cluster lives in $TALENTMATCH_PG_DIR (default: /tmp/talentmatch-pg-$PORT) and listens
# on 127.0.0.1:$TALENTMATCH_PG_PORT (default 54329), trusting local connections. fsync is off:
# it holds test data only. PostgreSQL refuses to run as root, so as root the server runs as
# the `postgres` user the Debian package creates.
set -euo pipefail
port="${TALENTMATCH_PG_PORT:-54329}"
dir="${TALENTMATCH_PG_DIR:-/tmp/talentmatch-pg-$port}"
user=talentmatch
database=talentmatch_test

server_bin() {
    find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1
}

bin="$(server_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL's server is not installed: apt-get install postgresql (as root)" >&2
        exit 1
    fi
    echo "Installing PostgreSQL (Debian package)…" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(server_bin)"
fi

as_owner=()
if [ "$(id -u)" = 0 ]; then
    as_owner=(runuser -u postgres --)
fi

if [ "${1:-start}" = stop ]; then
    if [ -f "$dir/postmaster.pid" ]; then
        "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2
    fi
    exit 0
fi

if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$dir"
    fi
    chmod 700 "$dir"
    "${as_owner[@]}" "$bin/initdb" -D "$dir" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; exit 1; }
fi

if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir" -w -t 60 -l "$dir/server.log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
        start >&2 || { tail -n 20 "$dir/server.log" >&2; exit 1; }
fi

if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$database"
fi
echo "postgresql+psycopg://$user@127.0.0.1:$port/$database"
