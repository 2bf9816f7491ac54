// make deploy DOMAIN=… offline: scripts/domain.mjs against a stand-in wrangler creates what is
// missing, finds what exists on a re-run, writes one [env.<name>] block with every binding, sets
// the secrets once; the real (pinned) wrangler accepts the result with `deploy --dry-run`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ROOT } from "./devserver.mjs";

const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const dir = mkdtempSync(join(tmpdir(), "edgelog-deploy-"));
// The config stays beside worker.js (its paths are relative); a copy per test.
const configs = [];
const configCopy = () => {
  const path = join(ROOT, `.wrangler-deploy-test-${process.pid}-${configs.length}.toml`);
  copyFileSync(join(ROOT, "wrangler.toml"), path);
  configs.push(path);
  return path;
};
after(() => {
  for (const c of configs) rmSync(c, { force: true });
  rmSync(dir, { recursive: true, force: true });
});

const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
const deploy = (config, args, extra = {}) => spawnSync("bash", [join(ROOT, "scripts/domain.sh"), ...args],
  { cwd: ROOT, encoding: "utf8", env: { ...env, EDGELOG_CONFIG: config, ...extra }, timeout: 180_000 });

test("creates the domain's resources, writes its block, sets secrets once; a re-run changes nothing", () => {
  const config = configCopy();
  const fake = { WRANGLER: join(ROOT, "tests/dev/fake-wrangler.mjs"), FAKE_WRANGLER_STATE: join(dir, "state.json") };
  const first = deploy(config, ["logger.example.com"], fake);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /ADMIN_TOKEN \(shown once[^\n]*\n {2}[0-9a-f]{48}\n/);
  const state = JSON.parse(readFileSync(fake.FAKE_WRANGLER_STATE, "utf8"));
  const text = readFileSync(config, "utf8");
  const block = text.slice(text.indexOf("# --- edgelog for logger.example.com"), text.indexOf("# --- end of edgelog for logger.example.com"));
  const e = "env.logger-example-com";
  assert.match(block, new RegExp(`^\\[${e}\\]\\nname = "edgelog-logger-example-com"\\nroutes = \\[\\{ pattern = "logger.example.com", custom_domain = true \\}\\]`, "m"));
  assert.match(block, /EDGELOG_PUBLIC_URL = "https:\/\/logger\.example\.com"/);
  assert.match(block, /EDGELOG_WORKER_NAME = "edgelog-logger-example-com"/); // what producers name in tail_consumers
  assert.match(block, new RegExp(`\\[\\[${e}\\.d1_databases\\]\\]\\nbinding = "DB"\\ndatabase_name = "edgelog-logger-example-com"\\ndatabase_id = "${state.d1[0].uuid}"`));
  assert.match(block, new RegExp(`\\[\\[${e}\\.kv_namespaces\\]\\]\\nbinding = "CACHE"\\nid = "${state.kv[0].id}"`));
  assert.match(block, new RegExp(`\\[\\[${e}\\.r2_buckets\\]\\]\\nbinding = "COLD"\\nbucket_name = "edgelog-logger-example-com-cold"`));
  assert.match(block, new RegExp(`\\[\\[${e}\\.queues\\.producers\\]\\]\\nbinding = "INGEST_QUEUE"\\nqueue = "edgelog-logger-example-com-ingest"`));
  assert.match(block, /queue = "edgelog-logger-example-com-ingest"\nmax_batch_size = 10\nmax_batch_timeout = 1\nmax_retries = 10\ndead_letter_queue = "edgelog-logger-example-com-ingest-dlq"/);
  assert.match(block, /crons = \["\* \* \* \* \*", "0 \* \* \* \*"\]/);
  assert.deepEqual(Object.keys(state.secrets["logger-example-com"]).sort(), ["ADMIN_TOKEN", "EDGELOG_MASTER_KEY"]);
  assert.ok(state.calls.includes("d1 migrations apply edgelog-logger-example-com --remote --env logger-example-com"));
  assert.ok(state.calls.includes("deploy --env logger-example-com"));

  const second = deploy(config, ["logger.example.com"], fake);
  assert.equal(second.status, 0, second.stdout + second.stderr);
  assert.doesNotMatch(second.stdout, /shown once/);
  const again = JSON.parse(readFileSync(fake.FAKE_WRANGLER_STATE, "utf8"));
  assert.equal(again.d1.length, 1);
  assert.equal(again.kv.length, 1);
  assert.deepEqual(again.r2, ["edgelog-logger-example-com-cold"]);
  assert.deepEqual(again.queues, ["edgelog-logger-example-com-ingest", "edgelog-logger-example-com-ingest-dlq"]);
  assert.equal(again.calls.filter((c) => c.startsWith("secret put")).length, 2);
  assert.equal(readFileSync(config, "utf8").split("# --- edgelog for logger.example.com").length, 2, "one block");

  const check = spawnSync(WRANGLER, ["deploy", "--dry-run", "--env", "logger-example-com", "--config", config,
    "--outdir", join(dir, "out")], { cwd: ROOT, encoding: "utf8", env, timeout: 180_000 });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout + check.stderr, /env\.INGEST_QUEUE/);
});

test("team settings (Access, OIDC, the owner, Slack) go into the block and the secrets, and survive a re-run", () => {
  const config = configCopy();
  const fake = { WRANGLER: join(ROOT, "tests/dev/fake-wrangler.mjs"), FAKE_WRANGLER_STATE: join(dir, "team-state.json") };
  const team = { ACCESS_TEAM_DOMAIN: "https://acme.cloudflareaccess.com", ACCESS_AUD: "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2",
    OWNER_EMAIL: "maria@example.com", SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5" };
  const first = deploy(config, ["team.example.com"], { ...fake, ...team });
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const block = () => { const t = readFileSync(config, "utf8"); return t.slice(t.indexOf("# --- edgelog for team.example.com"), t.indexOf("# --- end of edgelog for team.example.com")); };
  for (const key of ["ACCESS_TEAM_DOMAIN", "ACCESS_AUD", "OWNER_EMAIL"]) assert.ok(block().includes(`${key} = "${team[key]}"`), key);
  assert.ok(!block().includes(team.SLACK_SIGNING_SECRET), "a secret is no var");
  const state = JSON.parse(readFileSync(fake.FAKE_WRANGLER_STATE, "utf8"));
  assert.ok(Object.keys(state.secrets["team-example-com"]).includes("SLACK_SIGNING_SECRET"));
  const again = deploy(config, ["team.example.com"], fake); // nothing in the environment this time
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.ok(block().includes(`OWNER_EMAIL = "maria@example.com"`));
  assert.ok(block().includes(`ACCESS_AUD = "${team.ACCESS_AUD}"`));
  const bad = deploy(config, ["team.example.com"], { ...fake, OWNER_EMAIL: 'x"y@example.com' });
  assert.notEqual(bad.status, 0);
});

test("--dry-run writes the block and checks it with the real wrangler, touching nothing remote", () => {
  const config = configCopy();
  const run = deploy(config, ["logs.shop.example", "--dry-run"]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /passes `wrangler deploy --dry-run`/);
  assert.match(readFileSync(config, "utf8"), /^\[env\.logs-shop-example\]$/m);
});

test("a bad domain is refused with usage", () => {
  const run = deploy(configCopy(), ["https://logger.example.com/"]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /usage: make deploy DOMAIN=/);
});
