#!/usr/bin/env node
// `npx @edgelog/client sourcemaps upload ./dist --release 1.4.2`: the command line of the client
// package. Settings come from flags or the environment (EDGELOG_URL, EDGELOG_PROJECT,
// EDGELOG_TOKEN, EDGELOG_RELEASE).
import { parseArgs } from "node:util";
import { upload } from "./sourcemaps/upload.js";

const USAGE = `usage: edgelog sourcemaps upload <dir> [options]

Injects debug IDs into the bundles under <dir> that have a map but none (the same content, the same
ID; the files are rewritten: upload what you deploy), then uploads the bundles and maps.

  --url <url>          the deployment (EDGELOG_URL), e.g. https://logger.example.com
  --project <slug>     the project (EDGELOG_PROJECT)
  --token <token>      an admin token (EDGELOG_TOKEN)
  --release <name>     the release the files belong to (EDGELOG_RELEASE); optional with debug IDs
  --url-prefix <path>  where <dir> is served from, e.g. assets/ when dist/app.js is /assets/app.js
  --no-inject          upload as they are, without adding debug IDs
  --dry-run            say what would be injected and sent; change and send nothing
`;

function fail(message, code = 2) {
  process.stderr.write(`edgelog: ${message}\n`);
  process.exit(code);
}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      url: { type: "string" }, project: { type: "string" }, token: { type: "string" }, release: { type: "string" },
      "url-prefix": { type: "string", default: "" }, "no-inject": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
    } });
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`);
  }
  const { values: o, positionals } = parsed;
  const [group, command, dir, ...extra] = positionals;
  if (o.help || !group) {
    process.stdout.write(USAGE);
    return;
  }
  if (group !== "sourcemaps" || command !== "upload" || !dir || extra.length) fail(`unknown command: ${positionals.join(" ")}\n\n${USAGE}`);
  const env = process.env;
  const settings = { url: o.url ?? env.EDGELOG_URL, project: o.project ?? env.EDGELOG_PROJECT, token: o.token ?? env.EDGELOG_TOKEN };
  if (!o["dry-run"]) {
    const lacking = Object.entries(settings).filter(([, v]) => !v).map(([k]) => `--${k} (EDGELOG_${k.toUpperCase()})`);
    if (lacking.length) fail(`missing ${lacking.join(", ")}`);
  }
  const result = await upload({ dir, ...settings, release: o.release ?? env.EDGELOG_RELEASE ?? null,
    urlPrefix: o["url-prefix"], injectIds: !o["no-inject"], dryRun: o["dry-run"], log: (line) => process.stdout.write(`${line}\n`) });
  for (const f of result.files) process.stdout.write(`${o["dry-run"] ? "would send" : "kept"} ${f.url}${f.debug_id ? ` (debug ID ${f.debug_id})` : ""}\n`);
  for (const r of result.refused) process.stdout.write(`refused ${r.name}: ${r.code}: ${r.message}\n`);
  process.stdout.write(`${result.files.length} files ${o["dry-run"] ? "to send" : "kept"}, ${result.refused.length} refused, `
    + `${result.injected} debug IDs injected, ${result.requests} request${result.requests === 1 ? "" : "s"}\n`);
  if (result.refused.length) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((err) => fail(err.message, 1));
