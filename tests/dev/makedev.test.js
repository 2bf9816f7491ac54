// `make dev` as a new user meets it (scripts/dev.sh, on a temporary state directory and port):
// it comes up with a demo project, the printed first log is accepted and reads back, and the
// per-minute cron runs (wrangler dev does not run crons by itself: dev.sh ticks them).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ROOT, freePort } from "./devserver.mjs";

const state = mkdtempSync(join(tmpdir(), "edgelog-makedev-"));
let dev = null;
after(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((r) => dev.once("exit", r));
    process.kill(-dev.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try { process.kill(-dev.pid, "SIGKILL"); } catch { /* gone */ }
  }
  rmSync(state, { recursive: true, force: true });
});

test("make dev: the demo project takes the printed first log, and the per-minute cron runs", { timeout: 180_000 }, async () => {
  const port = await freePort();
  dev = spawn(join(ROOT, "scripts", "dev.sh"), [], {
    cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, EDGELOG_PORT: String(port), EDGELOG_STATE: state },
  });
  let out = "";
  dev.stdout.on("data", (c) => { out += c; });
  dev.stderr.on("data", (c) => { out += c; });
  const deadline = Date.now() + 150_000;
  while (!out.includes("edgelog is running") && Date.now() < deadline && dev.exitCode === null)
    await new Promise((r) => setTimeout(r, 250));
  assert.ok(out.includes("edgelog is running"), `dev.sh did not come up:\n${out}`);

  const env = Object.fromEntries(readFileSync(join(state, "dev.env"), "utf8").split("\n")
    .map((l) => /^export (\w+)=(.*)$/.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]));
  assert.equal(env.EDGELOG_URL, `http://127.0.0.1:${port}`);
  const body = '[{"level":"error","message":"hello from curl","source":"quickstart"}]';
  const sent = await fetch(`${env.EDGELOG_URL}/api/log`, {
    method: "POST", body,
    headers: { "Content-Type": "application/json", "X-Project-Key": env.EDGELOG_PROJECT_KEY,
      "X-Signature": createHmac("sha256", env.EDGELOG_SECRET).update(body).digest("hex") },
  });
  assert.equal(sent.status, 202);
  const admin = { Authorization: `Bearer ${env.EDGELOG_ADMIN_TOKEN}` };
  const logs = await (await fetch(`${env.EDGELOG_URL}/api/logs?limit=5`, { headers: admin })).json();
  assert.equal(logs.logs[0].message, "hello from curl");

  let minutely = null;
  for (const until = Date.now() + 30_000; Date.now() < until;) {
    const health = await (await fetch(`${env.EDGELOG_URL}/healthz?verbose=1`, { headers: admin })).json();
    minutely = health.maintenance["* * * * *"];
    if (minutely.last_success) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(minutely.stale, false, "the per-minute cron ran under make dev");
  const runs = (await (await fetch(`${env.EDGELOG_URL}/api/admin/maintenance?limit=5`, { headers: admin })).json()).runs;
  assert.ok(runs.some((r) => r.cron === "* * * * *" && r.trigger === "cron" && r.ok));
});
