#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh (pg_dump, custom format) into a PostgreSQL
# database, then check that its schema matches this code (`manage.py migrate --check`).
#
#   scripts/restore.sh FILE [TARGET_DATABASE_URL] [--force]
#
# TARGET_DATABASE_URL defaults to DATABASE_URL. A database that does not exist yet is
# created; one that already holds tables is refused unless --force, which drops everything
# in it first. The restore is one transaction: it either completes or changes nothing.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$REPO_DIR/.venv/bin/python"
die() { printf 'restore: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { die "usage: $0 FILE [TARGET_DATABASE_URL] [--force]"; }

force=0 args=()
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help) usage ;;
        -*) die "unknown option $arg" ;;
        *) args+=("$arg") ;;
    esac
done
((${#args[@]} >= 1 && ${#args[@]} <= 2)) || usage
file="${args[0]}"
url="${args[1]:-${DATABASE_URL:-}}"
[[ -f $file ]] || die "no such file: $file"
case "$url" in
    postgres://* | postgresql://*) ;;
    "" | sqlite:*)
        die "no PostgreSQL target: give TARGET_DATABASE_URL or set DATABASE_URL. The embedded" \
            "demo's data is the file var/db.sqlite3: stop the portal and copy a saved one back." ;;
    *) die "the target is not a PostgreSQL URL" ;;
esac

# The same URL with another database name (to create the target from the server's
# maintenance database), and the name itself.
url_with_db() { "$PY" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$1" "$2"; }
db_name() { "$PY" -c 'import sys, urllib.parse as u; print(u.unquote(u.urlsplit(sys.argv[1]).path.lstrip("/")))' "$1"; }

# Tools of the server's major version: pg_restore reads dumps of its own version or older.
psql_bin="$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n1 || true)"
psql_bin="${psql_bin:-$(command -v psql || true)}"
[[ -n $psql_bin ]] || die "psql not found (install postgresql-client)"
psql_at() { "$psql_bin" -XAtq -v ON_ERROR_STOP=1 "$@"; }

name="$(db_name "$url")"
[[ -n $name ]] || die "the target URL names no database"
maintenance="$(url_with_db "$url" postgres)"
major="$(psql_at -c 'SHOW server_version_num' "$maintenance" 2>/dev/null || true)"
[[ $major =~ ^[0-9]+$ ]] || die "cannot reach the PostgreSQL server of the target"
major=$((major / 10000))
pg_restore_bin=/usr/lib/postgresql/$major/bin/pg_restore
[[ -x $pg_restore_bin ]] || pg_restore_bin="$(command -v pg_restore)" \
    || die "no pg_restore (install postgresql-client-$major)"

"$pg_restore_bin" --list "$file" >/dev/null 2>&1 \
    || die "$file is not a pg_dump custom-format file (or is damaged)"

exists="$(psql_at -v name="$name" "$maintenance" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'name';
SQL
)"
if [[ $exists == 0 ]]; then
    printf 'restore: creating database %s\n' "$name" >&2
    psql_at -v name="$name" "$maintenance" <<'SQL' >/dev/null
CREATE DATABASE :"name";
SQL
else
    tables="$(psql_at -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "$url")"
    if ((tables > 0)); then
        ((force)) || die "database $name already holds $tables tables; restoring would overwrite" \
            "them. Add --force to drop everything in it first, or restore into a new database."
        printf 'restore: --force: dropping the %s tables of %s\n' "$tables" "$name" >&2
        PGOPTIONS='-c client_min_messages=warning' \
            psql_at -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' "$url" >/dev/null
    fi
fi

printf 'restore: restoring %s into %s\n' "$file" "$name" >&2
"$pg_restore_bin" --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$url" "$file" || die "pg_restore failed; the target was left as it was"

# Settings refuse to load without a SECRET_KEY unless in debug (then only on this machine).
if [[ -z ${SECRET_KEY:-} ]]; then export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"; fi
if ! DATABASE_URL="$url" "$PY" "$REPO_DIR/manage.py" migrate --check >/dev/null; then
    die "restored, but the schema is older than this code: run" \
        "\`DATABASE_URL=... python manage.py migrate\` against it before serving it"
fi
printf 'restore: done; the schema matches this code\n' >&2
