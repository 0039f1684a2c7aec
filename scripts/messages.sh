#!/usr/bin/env bash
# Refresh the Spanish catalog from the code and compile it:  make messages
# New or changed strings come out untranslated; tests/test_translations.py fails until each
# has its Spanish (edit locale/es/LC_MESSAGES/django.po, then run this again).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
"$PY" manage.py makemessages -l es --no-obsolete --add-location=file \
  --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=var --ignore=scripts --ignore=node_modules
"$PY" manage.py compilemessages -l es --ignore=.venv
