#!/usr/bin/env bash
# Lighthouse (mobile, its default simulated throttling) against a running demo, signed in as a
# member: prints performance and accessibility for every page a member uses.
#
#   scripts/lighthouse.sh [BASE_URL] [USER]        # default http://127.0.0.1:8000 member-a
#
# Needs Node and Chromium. Lighthouse is installed on first use under $LH_PREFIX (default
# /tmp/bsc-lighthouse): `npm install --prefix "$LH_PREFIX" lighthouse@12`. The demo must serve
# compressed static files for honest numbers — see the README ("Fast on a phone").
# Reports (JSON) go to $LH_OUT (default /tmp/bsc-lighthouse/reports). Extra pages: LH_PAGES="/a/ /b/".
set -euo pipefail

BASE=${1:-http://127.0.0.1:8000}
BASE=${BASE%/}
USER_NAME=${2:-member-a}
PASSWORD=${BSC_DEMO_PASSWORD:-bsc-demo-2026}
LH_PREFIX=${LH_PREFIX:-/tmp/bsc-lighthouse}
LH_OUT=${LH_OUT:-$LH_PREFIX/reports}
CHROME=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}

LH="$LH_PREFIX/node_modules/.bin/lighthouse"
if [[ ! -x "$LH" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$LH_PREFIX" lighthouse@12 >&2
fi
mkdir -p "$LH_OUT"
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT

# Sign in through Django's login form, as a person would.
csrf=$(curl -s -c "$jar" -b "$jar" "$BASE/accounts/login/" \
  | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
home=$(curl -s -o /dev/null -w '%{url_effective}' -L -c "$jar" -b "$jar" -e "$BASE/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$USER_NAME" \
  --data-urlencode "password=$PASSWORD" "$BASE/accounts/login/")
session=$(awk '$6 == "sessionid" {print $7}' "$jar")
[[ -n "$session" ]] || { echo "could not sign in as $USER_NAME at $BASE" >&2; exit 1; }
cookie="sessionid=$session; csrftoken=$(awk '$6 == "csrftoken" {print $7}' "$jar")"

get() { curl -s -b "$jar" "$BASE$1"; }
first() { grep -o "href=\"$1\"" | head -1 | sed 's/^href="//; s/"$//' || true; }

# The member's pages, found by following the links a member would.
team=$(get /teams/ | first '/teams/[0-9]*/') ; team=${team:-${home#"$BASE"}}
charts=$(get "$team" | first '/teams/[0-9]*/charts/')
data=$(get "$team" | first '/teams/[0-9]*/data/')
cycles=$(get "$team" | first '/teams/[0-9]*/cycles/')
reports=$(get "$team" | first '/teams/[0-9]*/reports/')
month=$(get "$data" | first '/teams/[0-9]*/data/[0-9-]*/')
collaborative=$(get "$team" | first '/collaboratives/[0-9]*/')
measure=$(get "${collaborative}measures/" | first '/measures/[0-9]*/')
cycle=$(get "$cycles" | first '/cycles/[0-9]*/')
stage=$(get "$cycle" | first '/cycles/[0-9]*/stages/[a-z]*/')
report=$(get "$reports" | first '/reports/[0-9]*/')
pages=("$team" "$charts" "$measure" "$data" "$month" "$cycles" "$cycle" "$stage" "$reports" "$report")
read -r -a extra <<< "${LH_PAGES:-}"

printf '%-44s %11s %13s %8s %8s %8s\n' page performance accessibility LCP TBT CLS
for path in "${pages[@]}" "${extra[@]}"; do
  [[ -n "$path" ]] || continue
  name=$(echo "$path" | tr '/' '_' | sed 's/^_//; s/_$//')
  out="$LH_OUT/${name:-home}.json"
  # A trace now and then comes back without its start (NO_NAVSTART): try up to three times.
  for _try in 1 2 3; do
    "$LH" "$BASE$path" --quiet --output=json --output-path="$out" \
      --only-categories=performance,accessibility \
      --extra-headers="{\"Cookie\": \"$cookie\"}" \
      --chrome-path="$CHROME" --chrome-flags="--headless=new --no-sandbox" >/dev/null 2>&1 \
      && node -e 'process.exit(require(process.argv[1]).runtimeError ? 1 : 0)' "$out" && break
  done
  node -e 'process.exit(require(process.argv[1]).runtimeError ? 1 : 0)' "$out" 2>/dev/null \
    || { printf '%-44s %s\n' "$path" "lighthouse failed"; continue; }
  node -e '
    const r = require(process.argv[1]);
    const score = c => Math.round(r.categories[c].score * 100);
    const audit = a => r.audits[a].displayValue || "";
    const failed = Object.values(r.audits).filter(a => a.score !== null && a.score < 1
      && r.categories.accessibility.auditRefs.some(ref => ref.id === a.id && ref.weight > 0)).map(a => a.id);
    console.log(process.argv[2].padEnd(44), String(score("performance")).padStart(11),
      String(score("accessibility")).padStart(13), audit("largest-contentful-paint").padStart(8),
      audit("total-blocking-time").padStart(8), audit("cumulative-layout-shift").padStart(8),
      failed.length ? "  a11y: " + failed.join(", ") : "");
  ' "$out" "$path"
done
