#!/usr/bin/env bash
# `make up`: the real stack on loopback, as deployed but on one machine.
# PostgreSQL + Redis (data kept in var/services; `make clean-services` stops them),
# Celery worker + beat in the background, gunicorn in the foreground on 127.0.0.1:8000.
# Ctrl-C stops gunicorn, the worker and beat; the databases keep running.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
export PATH="$REPO_DIR/.venv/bin:$PATH"
[[ -x .venv/bin/python ]] || { echo "error: no .venv; run 'make up' (or 'make install')" >&2; exit 1; }

mkdir -p var
export BSC_SERVICES_DIR="${BSC_SERVICES_DIR:-$REPO_DIR/var/services}"
# This data is meant to persist, so keep PostgreSQL durable (tests turn this off).
export BSC_PG_FAST="${BSC_PG_FAST:-0}"
eval "$(bash scripts/services.sh start)"

# A real secret, generated once and kept out of git (var/ is ignored).
if [[ ! -s var/secret_key ]]; then
    (umask 077 && python -c 'import secrets; print(secrets.token_urlsafe(50))' >var/secret_key)
fi
SECRET_KEY="$(cat var/secret_key)"
export SECRET_KEY
export DJANGO_DEBUG=false
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false  # plain http on loopback, no TLS proxy in front
export SECURE_COOKIES=false       # likewise: browsers drop Secure cookies over http

python manage.py migrate --noinput
python manage.py collectstatic --noinput

pids=()
stop_background() {
    trap - EXIT INT TERM
    if ((${#pids[@]})); then
        echo "up: stopping celery worker and beat" >&2
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap stop_background EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

celery -A bsc_portal worker -l info &
pids+=($!)
# The scheduler is django-celery-beat's (settings): schedules live in the database and the admin.
celery -A bsc_portal beat -l info &
pids+=($!)

echo "up: serving http://127.0.0.1:8000 (Ctrl-C to stop; 'make clean-services' stops the databases)" >&2
# Not exec: the shell must survive gunicorn to run the trap.
gunicorn bsc_portal.wsgi -b 127.0.0.1:8000 -w 2
