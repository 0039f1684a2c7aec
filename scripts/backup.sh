#!/usr/bin/env bash
# Back up the portal's PostgreSQL database (DATABASE_URL) with pg_dump, custom format.
#
#   scripts/backup.sh                  # writes var/backups/bsc-YYYYmmdd-HHMMSS.dump
#   scripts/backup.sh path/to/file.dump
#
# Restore with scripts/restore.sh (`make restore`). The file holds personal data about
# children and their carers: it is written readable by its owner only; keep it that way.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { printf 'backup: ERROR: %s\n' "$*" >&2; exit 1; }

url="${DATABASE_URL:-}"
case "$url" in
    postgres://* | postgresql://*) ;;
    "" | sqlite:*)
        die "no PostgreSQL DATABASE_URL. The embedded demo keeps everything in one SQLite file" \
            "(var/db.sqlite3): stop the portal and copy that file to back it up." ;;
    *) die "DATABASE_URL is not a PostgreSQL URL" ;;
esac

# pg_dump refuses a server newer than itself: take the tools of the server's major version
# (Debian keeps each in /usr/lib/postgresql/<major>/bin; scripts/services.sh starts 15).
pg_tool() {
    local psql_bin major
    psql_bin="$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1 || true)"
    major="$("${psql_bin:-psql}" -XAtqc 'SHOW server_version_num' "$url" 2>/dev/null || true)"
    [[ $major =~ ^[0-9]+$ ]] || die "cannot reach the database at DATABASE_URL"
    major=$((major / 10000))
    if [[ -x /usr/lib/postgresql/$major/bin/$1 ]]; then echo "/usr/lib/postgresql/$major/bin/$1"
    elif command -v "$1" >/dev/null && [[ $("$1" --version | grep -oE '[0-9]+' | head -n1) -ge $major ]]
    then command -v "$1"
    else die "no $1 of PostgreSQL $major or newer (install postgresql-client-$major)"
    fi
}
pg_dump_bin="$(pg_tool pg_dump)"

target="${1:-$REPO_DIR/var/backups/bsc-$(date +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$target")"
partial="$target.partial"
umask 077
# To a partial file first: a failed dump never leaves a file that looks like a backup.
"$pg_dump_bin" --format=custom --no-owner --no-privileges --file="$partial" --dbname="$url" \
    || { rm -f "$partial"; die "pg_dump failed"; }
mv "$partial" "$target"
printf 'backup: wrote %s (%s)\n' "$target" "$(du -h "$target" | cut -f1)" >&2
echo "$target"
