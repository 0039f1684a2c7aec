#!/usr/bin/env bash
# The whole check, as CI runs it (`make test`, `.ci/run`): install the locked deps, start a
# throwaway PostgreSQL and Redis, then ruff, migrations check, `manage.py check`, pytest.
# Arguments are passed to pytest: scripts/test.sh -k foo -x
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
started_at=$SECONDS

step() { printf '\n==> %s\n' "$*" >&2; }

step "Installing locked dependencies into .venv"
make --no-print-directory install
export PATH="$REPO_DIR/.venv/bin:$PATH"
export VIRTUAL_ENV="$REPO_DIR/.venv"

# A fresh services dir per run, so tests never touch the data of `make up`.
services_dir="$(mktemp -d "${TMPDIR:-/tmp}/bsc-test-services.XXXXXX")"
export BSC_SERVICES_DIR="$services_dir"

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    step "Stopping test services"
    bash scripts/services.sh stop || echo "warning: could not stop test services" >&2
    rm -rf "$services_dir"
    printf '\n==> %s after %ss (exit %s)\n' "$( ((rc == 0)) && echo PASSED || echo FAILED)" \
        "$((SECONDS - started_at))" "$rc" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free ports unless given: the default ports may be serving `make up` (whose servers
# services.sh would otherwise reuse), and parallel runs on one machine must not collide.
if [[ -z ${BSC_PG_PORT:-} || -z ${BSC_REDIS_PORT:-} ]]; then
    read -r pg_port redis_port < <(python - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
    export BSC_PG_PORT="${BSC_PG_PORT:-$pg_port}" BSC_REDIS_PORT="${BSC_REDIS_PORT:-$redis_port}"
fi

step "Starting PostgreSQL and Redis in $services_dir"
export BSC_PG_FAST=1
eval "$(bash scripts/services.sh start)"

export DJANGO_DEBUG=false
export SECRET_KEY=test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz
export DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1
export SECURE_SSL_REDIRECT=false
export STATIC_MANIFEST=false          # no collectstatic needed for tests
export DJANGO_ALLOW_ASYNC_UNSAFE=true # Playwright's event loop + the ORM in live_server tests
export CELERY_TASK_ALWAYS_EAGER=true

step "ruff check ."
ruff check .

step "manage.py makemigrations --check --dry-run"
python manage.py makemigrations --check --dry-run

step "manage.py check"
python manage.py check

# Tests run in parallel (pytest-xdist), one worker per core up to four: each worker has its
# own test database and its own pair of Redis databases (see settings). `-n 0` in the
# arguments runs them in one process.
workers="${BSC_TEST_WORKERS:-$(python -c 'import os; print(max(1, min(4, len(os.sched_getaffinity(0)))))')}"
step "pytest -n $workers $*"
rc=0
python -m pytest -n "$workers" "$@" || rc=$?
if ((rc == 5)); then
    echo "error: pytest collected no tests (exit 5); an empty test run is a failure" >&2
fi
exit "$rc"
