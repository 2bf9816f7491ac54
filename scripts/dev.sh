#!/usr/bin/env bash
# make dev: migrate the local D1, serve the Worker on 127.0.0.1, create a demo project on the
# first run and print how to send a first log. Local state lives in .edgelog/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/toolchain/node_modules/.bin:$PATH"  # the project's Node (make setup)

STATE=${EDGELOG_STATE:-.edgelog}
PORT=${EDGELOG_PORT:-8787}
URL="http://127.0.0.1:$PORT"
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
mkdir -p "$STATE"

# Secrets for the local Worker: wrangler dev reads .dev.vars.
if [ ! -f .dev.vars ] || ! grep -q '^ADMIN_TOKEN=' .dev.vars; then
  printf 'ADMIN_TOKEN="%s"\n' "$(openssl rand -hex 24)" >> .dev.vars
fi
if ! grep -q '^EDGELOG_MASTER_KEY=' .dev.vars; then
  printf 'EDGELOG_MASTER_KEY="%s"\n' "$(openssl rand -base64 32)" >> .dev.vars
fi
ADMIN_TOKEN=$(sed -n 's/^ADMIN_TOKEN="\(.*\)"$/\1/p' .dev.vars)

echo "dev: applying migrations to the local D1"
npx wrangler d1 migrations apply edgelog --local --persist-to "$STATE/state" >"$STATE/migrate.log" 2>&1 \
  || { cat "$STATE/migrate.log"; exit 1; }

echo "dev: starting wrangler dev on $URL"
npx wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE/state" --test-scheduled \
  --var "EDGELOG_PUBLIC_URL:$URL" --show-interactive-dev-session=false >"$STATE/wrangler.log" 2>&1 &
server=$!
ticker=
trap 'kill $server $ticker 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 120); do
  curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$STATE/wrangler.log"; exit 1; }
  sleep 0.5
done
curl -fsS "$URL/healthz" >/dev/null || { echo "dev: the server did not come up"; cat "$STATE/wrangler.log"; exit 1; }

# wrangler dev does not run cron triggers by itself: tick both on their schedule, as Cloudflare
# does (at :00 both fire), through the route --test-scheduled adds. One minutely tick at start.
tick() { curl -fsS "$URL/__scheduled?cron=$1" >/dev/null 2>&1 || echo "dev: the $1 cron tick failed" >&2; }
(
  tick '*+*+*+*+*'
  while sleep $(( 60 - $(date +%s) % 60 )); do
    tick '*+*+*+*+*'
    [ "$(date +%M)" = "00" ] && tick '0+*+*+*+*'
  done
) &
ticker=$!

if [ ! -f "$STATE/dev.env" ]; then
  EDGELOG_URL="$URL" EDGELOG_ADMIN_TOKEN="$ADMIN_TOKEN" scripts/project.sh demo > "$STATE/dev.env.tmp" \
    || EDGELOG_URL="$URL" EDGELOG_ADMIN_TOKEN="$ADMIN_TOKEN" scripts/project.sh "demo-$(openssl rand -hex 3)" > "$STATE/dev.env.tmp"
  printf 'export EDGELOG_URL=%s\nexport EDGELOG_ADMIN_TOKEN=%s\n' "$URL" "$ADMIN_TOKEN" >> "$STATE/dev.env.tmp"
  mv "$STATE/dev.env.tmp" "$STATE/dev.env"
  echo "dev: created the demo project; credentials are in $STATE/dev.env"
fi

cat <<TXT

edgelog is running on $URL (logs: $STATE/wrangler.log, Ctrl-C to stop; the crons tick each minute and hour)

Send a first signed log:

  source $STATE/dev.env
  body='[{"level":"error","message":"hello from curl","source":"quickstart"}]'
  curl -sS "\$EDGELOG_URL/api/log" -H "Content-Type: application/json" \\
    -H "X-Project-Key: \$EDGELOG_PROJECT_KEY" \\
    -H "X-Signature: \$(printf '%s' "\$body" | openssl dgst -sha256 -hmac "\$EDGELOG_SECRET" -r | cut -d' ' -f1)" \\
    --data-binary "\$body"

Read it back:

  curl -sS "\$EDGELOG_URL/api/logs?limit=5" -H "Authorization: Bearer \$EDGELOG_ADMIN_TOKEN"

Open the dashboard at $URL/ and log in with the admin token:

  $ADMIN_TOKEN

TXT
wait $server
