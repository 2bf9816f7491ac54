#!/usr/bin/env bash
# Creates a project through the admin API and prints its credentials as shell exports.
# Against the local dev server it reads .edgelog/dev.env; against a deployment set
# EDGELOG_URL and EDGELOG_ADMIN_TOKEN. Usage: scripts/project.sh <slug>
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/toolchain/node_modules/.bin:$PATH"  # the project's Node (make setup)
slug=${1:-}
[ -n "$slug" ] || { echo "usage: make project NAME=<slug>   (slug: a-z, 0-9 and -)" >&2; exit 2; }
if [ -z "${EDGELOG_URL:-}" ] && [ -f .edgelog/dev.env ]; then
  # shellcheck disable=SC1091
  source .edgelog/dev.env
fi
: "${EDGELOG_URL:?set EDGELOG_URL (or run make dev first)}"
: "${EDGELOG_ADMIN_TOKEN:?set EDGELOG_ADMIN_TOKEN (or run make dev first)}"

answer=$(curl -sS -X POST "$EDGELOG_URL/api/admin/projects" \
  -H "Authorization: Bearer $EDGELOG_ADMIN_TOKEN" -H "Content-Type: application/json" \
  --data-binary "{\"slug\":\"$slug\",\"name\":\"$slug\"}" -w '\n%{http_code}')
status=${answer##*$'\n'}
body=${answer%$'\n'*}
if [ "$status" != 201 ]; then
  echo "project: $status $body" >&2
  exit 1
fi
node -e '
const a = JSON.parse(process.argv[1]);
console.log(`export EDGELOG_PROJECT=${a.project.slug}`);
console.log(`export EDGELOG_PROJECT_KEY=${a.key}`);
console.log(`export EDGELOG_SECRET=${a.secret}`);
' "$body"
