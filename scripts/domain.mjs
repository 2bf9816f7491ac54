// make deploy DOMAIN=logger.example.com (scripts/domain.sh): one edgelog per customer domain.
// Creates what the domain needs with wrangler (a D1 database, a KV namespace, an R2 bucket for the
// cold tier, the ingest queue and its dead-letter queue) or finds them when they exist, writes the domain's [env.<name>] block into
// wrangler.toml (rewriting its own block on a re-run), applies the migrations remotely, sets
// ADMIN_TOKEN and EDGELOG_MASTER_KEY as secrets when they are not set yet (generated, printed once)
// and deploys. Team settings (Access, OIDC, OWNER_EMAIL, Discord, Slack) come from the environment
// and stay in the block across re-runs. Re-running it is safe. With --dry-run nothing remote is touched: the block is
// written with placeholder ids and `wrangler deploy --dry-run` checks it.
//   WRANGLER (default: the pinned one in node_modules) and EDGELOG_CONFIG (default: wrangler.toml)
//   can be overridden; the tests run it against a stand-in wrangler.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = process.env.WRANGLER ?? join(ROOT, "node_modules", ".bin", "wrangler");
const CONFIG = process.env.EDGELOG_CONFIG ?? join(ROOT, "wrangler.toml");
const ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const domain = args.find((a) => !a.startsWith("--"));
if (!domain || !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domain)) {
  console.error("usage: make deploy DOMAIN=logger.example.com [DRY_RUN=1]   (a host name, no scheme or path)");
  process.exit(2);
}
const name = domain.toLowerCase().replace(/[^a-z0-9]+/g, "-"); // the [env.<name>] and resource names
const resources = {
  worker: `edgelog-${name}`, db: `edgelog-${name}`, kv: `edgelog-${name}-cache`,
  queue: `edgelog-${name}-ingest`, dlq: `edgelog-${name}-ingest-dlq`, bucket: `edgelog-${name}-cold`,
};
const say = (text) => console.log(`deploy ${domain}: ${text}`);

function wrangler(argv, { input, allowFail = false } = {}) {
  const run = spawnSync(WRANGLER, [...argv, "--config", CONFIG], { cwd: ROOT, env: ENV, input, encoding: "utf8", timeout: 600_000 });
  if (run.status !== 0 && !allowFail) {
    console.error(`wrangler ${argv.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
    process.exit(1);
  }
  return { ok: run.status === 0, out: `${run.stdout ?? ""}${run.stderr ?? ""}`, stdout: run.stdout ?? "" };
}

/** The first JSON value in wrangler's output (it may print a banner first). */
function jsonOf(text) {
  const start = text.search(/[[{]/);
  if (start < 0) throw new Error(`no JSON in: ${text.slice(0, 300)}`);
  return JSON.parse(text.slice(start));
}

function d1Id() {
  const found = jsonOf(wrangler(["d1", "list", "--json"]).stdout).find((d) => d.name === resources.db);
  if (found) {
    say(`D1 database ${resources.db} exists (${found.uuid})`);
    return found.uuid;
  }
  const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(wrangler(["d1", "create", resources.db]).out)?.[0];
  if (!id) throw new Error("wrangler d1 create printed no database id");
  say(`created D1 database ${resources.db} (${id})`);
  return id;
}

function kvId() {
  const found = jsonOf(wrangler(["kv", "namespace", "list"]).stdout).find((n) => n.title === resources.kv || n.title.endsWith(`-${resources.kv}`));
  if (found) {
    say(`KV namespace ${resources.kv} exists (${found.id})`);
    return found.id;
  }
  const id = /\b[0-9a-f]{32}\b/.exec(wrangler(["kv", "namespace", "create", resources.kv]).out)?.[0];
  if (!id) throw new Error("wrangler kv namespace create printed no id");
  say(`created KV namespace ${resources.kv} (${id})`);
  return id;
}

function ensureQueues() {
  const listed = wrangler(["queues", "list"]).out;
  for (const queue of [resources.queue, resources.dlq]) {
    if (new RegExp(`(^|[\\s│|])${queue}([\\s│|]|$)`, "m").test(listed)) {
      say(`queue ${queue} exists`);
      continue;
    }
    wrangler(["queues", "create", queue]);
    say(`created queue ${queue}`);
  }
}

function ensureBucket() {
  const listed = wrangler(["r2", "bucket", "list"]).out;
  if (new RegExp(`^name:\\s*${resources.bucket}\\s*$`, "m").test(listed)) {
    say(`R2 bucket ${resources.bucket} exists`);
    return;
  }
  wrangler(["r2", "bucket", "create", resources.bucket]);
  say(`created R2 bucket ${resources.bucket}`);
}

// Team settings (docs/teams.md): taken from the environment of `make deploy`, else kept from the
// block a previous run wrote (the block is rewritten each run, so hand edits there would be lost).
const TEAM_VARS = ["ACCESS_TEAM_DOMAIN", "ACCESS_AUD", "OWNER_EMAIL", "DEFAULT_ROLE", "BREAK_GLASS", "OIDC_ISSUER",
  "OIDC_CLIENT_ID", "OIDC_SCOPES", "DISCORD_PUBLIC_KEY", "AUDIT_RETENTION_DAYS"];
const TEAM_SECRETS = ["OIDC_CLIENT_SECRET", "SLACK_SIGNING_SECRET"];

function teamVars() {
  const text = readFileSync(CONFIG, "utf8");
  const start = text.indexOf(`# --- edgelog for ${domain}:`);
  const block = start >= 0 ? text.slice(start, text.indexOf(`# --- end of edgelog for ${domain} ---`, start)) : "";
  const vars = [];
  for (const key of TEAM_VARS) {
    const value = process.env[key] ?? new RegExp(`^${key} = "([^"]*)"$`, "m").exec(block)?.[1];
    if (value === undefined || value === "") continue;
    if (!/^[^"\\\n]{1,500}$/.test(value)) throw new Error(`${key} holds characters a wrangler.toml string cannot`);
    vars.push(`${key} = "${value}"`);
  }
  return vars;
}

/** The domain's block of wrangler.toml. */
function envBlock({ dbId, kvNamespaceId }) {
  const e = `env.${name}`;
  const consumer = (queue, dlq) => [`[[${e}.queues.consumers]]`, `queue = "${queue}"`, "max_batch_size = 10",
    "max_batch_timeout = 1", "max_retries = 10", ...(dlq ? [`dead_letter_queue = "${dlq}"`] : []), ""];
  return [
    `# --- edgelog for ${domain}: written by scripts/domain.sh, which rewrites this block when re-run ---`,
    `[${e}]`, `name = "${resources.worker}"`, `routes = [{ pattern = "${domain}", custom_domain = true }]`, "",
    `[${e}.vars]`, `EDGELOG_PUBLIC_URL = "https://${domain}"`, `EDGELOG_WORKER_NAME = "${resources.worker}"`, ...teamVars(), "",
    `[[${e}.d1_databases]]`, 'binding = "DB"', `database_name = "${resources.db}"`, `database_id = "${dbId}"`,
    'migrations_dir = "migrations"', "",
    `[[${e}.kv_namespaces]]`, 'binding = "CACHE"', `id = "${kvNamespaceId}"`, "",
    `[[${e}.r2_buckets]]`, 'binding = "COLD"', `bucket_name = "${resources.bucket}"`, "",
    `[[${e}.queues.producers]]`, 'binding = "INGEST_QUEUE"', `queue = "${resources.queue}"`, "",
    ...consumer(resources.queue, resources.dlq), ...consumer(resources.dlq, null),
    `[${e}.triggers]`, 'crons = ["* * * * *", "0 * * * *"]',
    `# --- end of edgelog for ${domain} ---`,
  ].join("\n");
}

/** wrangler.toml with the domain's block written (replacing the one a previous run wrote). */
function writeBlock(block) {
  const text = readFileSync(CONFIG, "utf8");
  const start = text.indexOf(`# --- edgelog for ${domain}:`);
  const endMarker = `# --- end of edgelog for ${domain} ---`;
  let next;
  if (start >= 0) {
    const end = text.indexOf(endMarker, start);
    if (end < 0) throw new Error(`${CONFIG}: the block for ${domain} has no end marker; fix it by hand`);
    next = text.slice(0, start) + block + text.slice(end + endMarker.length);
  } else {
    if (new RegExp(`^\\[env\\.${name}\\]`, "m").test(text))
      throw new Error(`${CONFIG} has an [env.${name}] block this script did not write; remove or rename it first`);
    next = `${text.replace(/\n*$/, "\n")}\n${block}\n`;
  }
  writeFileSync(CONFIG, next);
  say(`wrote [env.${name}] into ${CONFIG}`);
}

function ensureSecrets() {
  const listed = wrangler(["secret", "list", "--env", name], { allowFail: true });
  const have = new Set(listed.ok ? jsonOf(listed.stdout).map((s) => s.name) : []);
  const made = {};
  for (const [secret, value] of [["ADMIN_TOKEN", () => randomBytes(24).toString("hex")],
    ["EDGELOG_MASTER_KEY", () => randomBytes(32).toString("base64")]]) {
    if (have.has(secret)) {
      say(`secret ${secret} is set (kept)`);
      continue;
    }
    made[secret] = value();
    wrangler(["secret", "put", secret, "--env", name], { input: made[secret] });
    say(`set secret ${secret}`);
  }
  for (const secret of TEAM_SECRETS) {
    if (!process.env[secret]) continue; // given to this run: set (or replaced)
    wrangler(["secret", "put", secret, "--env", name], { input: process.env[secret] });
    say(`set secret ${secret}`);
  }
  return made;
}

if (dryRun) {
  writeBlock(envBlock({ dbId: "00000000-0000-4000-8000-00000000d1d1", kvNamespaceId: "0".repeat(31) + "1" }));
  wrangler(["deploy", "--dry-run", "--env", name, "--outdir", join(ROOT, "build", `deploy-${name}`)]);
  say("the configuration passes `wrangler deploy --dry-run` (nothing was created or deployed)");
} else {
  const dbId = d1Id();
  const kvNamespaceId = kvId();
  ensureQueues();
  ensureBucket();
  writeBlock(envBlock({ dbId, kvNamespaceId }));
  wrangler(["d1", "migrations", "apply", resources.db, "--remote", "--env", name]);
  say("applied the migrations");
  const made = ensureSecrets();
  wrangler(["deploy", "--env", name]);
  say(`deployed ${resources.worker} at https://${domain}`);
  if (made.ADMIN_TOKEN) {
    console.log(`\nADMIN_TOKEN (shown once; the dashboard at https://${domain}/ asks for it):\n  ${made.ADMIN_TOKEN}`);
    console.log(`Create a first project:\n  EDGELOG_URL=https://${domain} EDGELOG_ADMIN_TOKEN=${made.ADMIN_TOKEN} scripts/project.sh myapp`);
  }
  if (made.EDGELOG_MASTER_KEY)
    console.log(`\nEDGELOG_MASTER_KEY (seals key secrets; keep a copy somewhere safe, it is not shown again):\n  ${made.EDGELOG_MASTER_KEY}`);
}
