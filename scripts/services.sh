#!/usr/bin/env bash
# Start/stop PostgreSQL 15 and Redis on loopback, without systemd, for `make test` and
# `make up`.
#
#   scripts/services.sh start   # start (or reuse) both; prints `export ...` lines on stdout
#   scripts/services.sh stop    # stop only what `start` started in this services dir
#   scripts/services.sh env     # print the `export DATABASE_URL=... REDIS_URL=...` lines
#   scripts/services.sh status
#
# Progress messages go to stderr so that `eval "$(scripts/services.sh start)"` works.
#
# Environment:
#   BSC_SERVICES_DIR  where data, logs, sockets and markers live (default: var/services)
#   BSC_PG_PORT       PostgreSQL port (default 54329, away from a system server on 5432)
#   BSC_REDIS_PORT    Redis port (default 63799, away from a system server on 6379)
#   BSC_PG_FAST       1 (default): fsync/synchronous_commit/full_page_writes off. Safe for
#                     throwaway test data; a crash of the *machine* can corrupt the cluster.
#   BSC_READY_TIMEOUT seconds to wait for a server to accept connections (default 30)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_DIR="${BSC_SERVICES_DIR:-$REPO_DIR/var/services}"
PG_PORT="${BSC_PG_PORT:-54329}"
REDIS_PORT="${BSC_REDIS_PORT:-63799}"
PG_FAST="${BSC_PG_FAST:-1}"
READY_TIMEOUT="${BSC_READY_TIMEOUT:-30}"
PG_VERSION=15
PG_SYSTEM_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
DB_NAME=bsc
DB_USER=bsc

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }
# runuser/useradd live in sbin, which a CI job's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"

# Make the services dir absolute: postgres runs from / (see as_pg), so relative paths break.
mkdir -p "$SERVICES_DIR"
SERVICES_DIR="$(cd "$SERVICES_DIR" && pwd)"
PGDATA="$SERVICES_DIR/pg"
PG_SOCKET_DIR="$SERVICES_DIR/pg-socket"
PG_LOG="$SERVICES_DIR/postgres.log"
PG_MARKER="$SERVICES_DIR/postgres.started"   # exists => this script started it
REDIS_PIDFILE="$SERVICES_DIR/redis.pid"
REDIS_LOG="$SERVICES_DIR/redis.log"
REDIS_MARKER="$SERVICES_DIR/redis.started"

database_url() { echo "postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME"; }
redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }
print_env() {
    echo "export DATABASE_URL=$(database_url)"
    echo "export REDIS_URL=$(redis_url)"
}

# --- Locating / installing binaries ------------------------------------------------------

# The PostgreSQL server binaries to use: Debian's 15 if present, else a postgres/initdb/
# pg_ctl trio on PATH that really is version 15 (/usr/local/bin may hold wrappers or
# symlinks to some other version, or dangling ones when only the client is installed).
find_pg_bin() {
    local dir candidates=("$PG_SYSTEM_BIN")
    local on_path
    on_path="$(command -v postgres 2>/dev/null || true)"
    [[ -n $on_path ]] && candidates+=("$(dirname "$on_path")")
    for dir in "${candidates[@]}"; do
        local ok=1 tool version
        for tool in postgres initdb pg_ctl; do
            version="$("$dir/$tool" --version 2>/dev/null || true)"
            if [[ $version != *" $PG_VERSION."* ]]; then ok=0; break; fi
        done
        if ((ok)); then echo "$dir"; return 0; fi
    done
    return 1
}

# A client tool (psql, pg_isready): next to the server binaries if there, else on PATH.
pg_client() {
    local tool=$1
    if [[ -n ${PG_BIN:-} && -x $PG_BIN/$tool ]]; then echo "$PG_BIN/$tool"
    elif [[ -x $PG_SYSTEM_BIN/$tool ]]; then echo "$PG_SYSTEM_BIN/$tool"
    else command -v "$tool" || die "$tool not found"
    fi
}

apt_install() {
    local sudo=()
    if ! is_root; then
        command -v sudo >/dev/null || die "need root (or sudo) to apt-get install: $*"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null || die "apt-get not available; install by hand: $*"
    log "installing missing packages: $*"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Install only what is missing, with a single apt-get update (none if nothing is missing).
# Chromium/chromedriver are not used here but by the browser (e2e) tests.
ensure_packages() {
    local missing=()
    find_pg_bin >/dev/null || missing+=("postgresql-$PG_VERSION")
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
        || missing+=(redis-server)
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    [[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
    # xgettext/msgfmt: the test that the Spanish catalog holds every marked string.
    command -v xgettext >/dev/null && command -v msgfmt >/dev/null || missing+=(gettext)
    # WeasyPrint (report PDFs) loads Pango and HarfBuzz at run time and needs a font.
    local lib
    for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
        dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
    done
    ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
    PG_BIN="$(find_pg_bin)" || die "PostgreSQL $PG_VERSION server binaries not found (looked in $PG_SYSTEM_BIN and PATH)"
}

# --- PostgreSQL --------------------------------------------------------------------------

# PostgreSQL refuses to run as root, so as root run it as the `postgres` OS user (created
# by the Debian package; created here if the binaries came from elsewhere). From / so a
# cwd it cannot read (e.g. /root/...) does not produce warnings.
as_pg() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_isready_q() { "$(pg_client pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

psql_as() {
    local user=$1 db=$2; shift 2
    "$(pg_client psql)" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$user" -d "$db" "$@"
}

our_pg_running() {
    [[ -f $PGDATA/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

wait_for() {
    local what=$1; shift
    local deadline=$((SECONDS + READY_TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
    log "$what is ready"
}

pg_prepare_dirs() {
    if is_root; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql \
            --shell /bin/bash --user-group postgres
        # postgres must be able to walk down to its data dir (mktemp -d makes 0700 dirs).
        chmod a+x "$SERVICES_DIR"
        as_pg test -x "$SERVICES_DIR" || die "the postgres user cannot reach $SERVICES_DIR" \
            "(a parent directory is not world-executable); set BSC_SERVICES_DIR elsewhere," \
            "e.g. BSC_SERVICES_DIR=/var/tmp/bsc-services"
    fi
    mkdir -p "$PGDATA" "$PG_SOCKET_DIR"
    touch "$PG_LOG"
    chmod 700 "$PGDATA"
    if is_root; then chown postgres: "$PGDATA" "$PG_SOCKET_DIR" "$PG_LOG"; fi
}

pg_initdb() {
    [[ -f $PGDATA/PG_VERSION ]] && return 0
    log "initialising a PostgreSQL $PG_VERSION cluster in $PGDATA"
    # trust auth is fine: the server only listens on 127.0.0.1 and a private socket dir.
    # --no-locale: the C locale always exists, even on a minimal machine without locales.
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 \
        --no-locale --no-sync >"$SERVICES_DIR/initdb.log" 2>&1 \
        || { cat "$SERVICES_DIR/initdb.log" >&2; die "initdb failed"; }
}

pg_start() {
    # pg_ctl passes these through /bin/sh, hence the single quotes around the path.
    local opts=(-c listen_addresses=127.0.0.1 -p "$PG_PORT")
    # Unix sockets have a ~107-byte path limit; fall back to TCP only for deep paths.
    if ((${#PG_SOCKET_DIR} < 90)); then
        opts+=(-c "unix_socket_directories='$PG_SOCKET_DIR'")
    else
        opts+=(-c "unix_socket_directories=''")
    fi
    if [[ $PG_FAST == 1 ]]; then
        # Durability is pointless for test data and costs most of the test run time.
        opts+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$PG_LOG" -w -t "$READY_TIMEOUT" \
        -o "${opts[*]}" >/dev/null \
        || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (is port $PG_PORT taken?)"; }
    echo "$PG_PORT" >"$PG_MARKER"
}

# Role and database `bsc`. Superuser so pytest-django can create/drop `test_bsc`.
pg_ensure_db() {
    if psql_as "$DB_USER" "$DB_NAME" -tAc 'SELECT 1' >/dev/null 2>&1; then
        return 0
    fi
    log "creating role and database '$DB_NAME'"
    psql_as postgres postgres <<SQL >/dev/null || die "could not create role/database $DB_NAME on port $PG_PORT (a server not started by this script needs a trusted 'postgres' role)"
SELECT 'CREATE ROLE $DB_USER LOGIN SUPERUSER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER')\gexec
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
}

start_postgres() {
    if our_pg_running; then
        local port
        port="$(sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true)"
        [[ $port == "$PG_PORT" ]] || die "PostgreSQL from $PGDATA already runs on port $port," \
            "not $PG_PORT; run '$0 stop' or set BSC_PG_PORT=$port"
        log "PostgreSQL already running from $PGDATA; reusing it"
        echo "$PG_PORT" >"$PG_MARKER"
    elif pg_isready_q; then
        # Somebody else's server: use it, but never stop it.
        log "a PostgreSQL server already answers on 127.0.0.1:$PG_PORT; reusing it (won't stop it)"
        rm -f "$PG_MARKER"
    else
        rm -f "$PG_MARKER"
        pg_prepare_dirs
        pg_initdb
        pg_start
    fi
    wait_for "PostgreSQL" pg_isready_q || die "PostgreSQL on port $PG_PORT not ready after ${READY_TIMEOUT}s"
    pg_ensure_db
}

stop_postgres() {
    if [[ ! -f $PG_MARKER ]]; then
        log "PostgreSQL: not started by this script in $SERVICES_DIR; leaving it alone"
        return 0
    fi
    if our_pg_running; then
        log "stopping PostgreSQL ($PGDATA)"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$READY_TIMEOUT" >/dev/null \
            || die "could not stop PostgreSQL; see $PG_LOG"
    else
        log "PostgreSQL ($PGDATA) is not running"
    fi
    rm -f "$PG_MARKER"
}

# --- Redis -------------------------------------------------------------------------------

redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

# The pid from our pidfile, if that process is alive and is a redis-server.
our_redis_pid() {
    local pid
    [[ -f $REDIS_PIDFILE ]] || return 1
    pid="$(cat "$REDIS_PIDFILE")"
    [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server* ]] \
        || return 1
    echo "$pid"
}

start_redis() {
    if our_redis_pid >/dev/null; then
        local port
        port="$(cat "$REDIS_MARKER" 2>/dev/null || echo "$REDIS_PORT")"
        [[ $port == "$REDIS_PORT" ]] || die "Redis from $SERVICES_DIR already runs on port $port," \
            "not $REDIS_PORT; run '$0 stop' or set BSC_REDIS_PORT=$port"
        log "Redis already running from $SERVICES_DIR; reusing it"
        echo "$REDIS_PORT" >"$REDIS_MARKER"
    elif redis_ping "$REDIS_PORT"; then
        log "a Redis server already answers on 127.0.0.1:$REDIS_PORT; reusing it (won't stop it)"
        rm -f "$REDIS_MARKER"
    else
        rm -f "$REDIS_MARKER" "$REDIS_PIDFILE"
        log "starting Redis on 127.0.0.1:$REDIS_PORT (log: $REDIS_LOG)"
        # No persistence: Redis only holds the Celery queue and the cache.
        redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
            --dir "$SERVICES_DIR" --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" \
            --save '' --appendonly no >&2 \
            || die "redis-server failed to start; see $REDIS_LOG"
        echo "$REDIS_PORT" >"$REDIS_MARKER"
    fi
    wait_for "Redis" redis_ping "$REDIS_PORT" || {
        tail -n 20 "$REDIS_LOG" >&2 2>/dev/null || true
        die "Redis on port $REDIS_PORT not ready after ${READY_TIMEOUT}s"
    }
}

stop_redis() {
    if [[ ! -f $REDIS_MARKER ]]; then
        log "Redis: not started by this script in $SERVICES_DIR; leaving it alone"
        return 0
    fi
    local pid
    if pid="$(our_redis_pid)"; then
        log "stopping Redis (pid $pid)"
        kill -TERM "$pid"
        local deadline=$((SECONDS + READY_TIMEOUT))
        while kill -0 "$pid" 2>/dev/null; do
            ((SECONDS < deadline)) || die "Redis (pid $pid) did not exit"
            sleep 0.1
        done
    else
        log "Redis ($SERVICES_DIR) is not running"
    fi
    rm -f "$REDIS_MARKER" "$REDIS_PIDFILE"
}

# --- Main --------------------------------------------------------------------------------

case "${1:-}" in
    start)
        ensure_packages
        start_postgres
        start_redis
        log "DATABASE_URL=$(database_url)"
        log "REDIS_URL=$(redis_url)"
        print_env
        ;;
    stop)
        # Stop needs no installs; without PG binaries nothing of ours can be running.
        if PG_BIN="$(find_pg_bin)"; then stop_postgres; else rm -f "$PG_MARKER"; fi
        stop_redis
        ;;
    env)
        print_env
        ;;
    status)
        PG_BIN="$(find_pg_bin)" || true
        if [[ -n $PG_BIN ]] && pg_isready_q; then
            log "PostgreSQL: up on 127.0.0.1:$PG_PORT$([[ -f $PG_MARKER ]] && echo ' (started here)')"
        else
            log "PostgreSQL: down on 127.0.0.1:$PG_PORT"
        fi
        if command -v redis-cli >/dev/null && redis_ping "$REDIS_PORT"; then
            log "Redis: up on 127.0.0.1:$REDIS_PORT$([[ -f $REDIS_MARKER ]] && echo ' (started here)')"
        else
            log "Redis: down on 127.0.0.1:$REDIS_PORT"
        fi
        ;;
    *)
        echo "usage: $0 start|stop|env|status" >&2
        exit 2
        ;;
esac
