#!/usr/bin/env bash
# make deploy DOMAIN=logger.example.com: one edgelog per customer domain (scripts/domain.mjs does
# the work: resources, its [env.<name>] block, migrations, secrets, deploy). --dry-run touches
# nothing remote and checks the configuration with `wrangler deploy --dry-run`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/toolchain/node_modules/.bin:$PATH"  # the project's Node (make setup)
exec node scripts/domain.mjs "$@"
