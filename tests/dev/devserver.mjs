// `wrangler dev` as `make dev` runs it, on a temporary state directory and port, for the crash
// test and the soak: start, find its workerd, kill it with SIGKILL, start again on the same state.
import { spawn, spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
const ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Applies the migrations to the local D1 under `state`. */
export function migrate(state) {
  const run = spawnSync(WRANGLER, ["d1", "migrations", "apply", "edgelog", "--local", "--persist-to", state],
    { cwd: ROOT, env: ENV, encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`migrations failed: ${run.stdout}\n${run.stderr}`);
}

/** Runs SQL against the local D1 under `state` (the server stopped); answers the rows. */
export function query(state, sql) {
  const run = spawnSync(WRANGLER, ["d1", "execute", "edgelog", "--local", "--persist-to", state, "--json", "--command", sql],
    { cwd: ROOT, env: ENV, encoding: "utf8", timeout: 300_000, maxBuffer: 512 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`query failed: ${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout)[0].results;
}

/** The pids of a process's descendants. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

const commOf = (pid) => { try { return readFileSync(`/proc/${pid}/comm`, "utf8").trim(); } catch { return ""; } };

/** Resident memory of a process in MiB (from /proc), or null when it is gone. */
export function rssMiB(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

export class DevServer {
  constructor(state, { vars = {} } = {}) {
    this.state = state;
    this.adminToken = randomBytes(24).toString("hex");
    this.vars = { ADMIN_TOKEN: this.adminToken, EDGELOG_MASTER_KEY: randomBytes(32).toString("base64"), ...vars };
    this.log = "";
  }

  async start(timeoutMs = 90_000) {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const args = ["dev", "--ip", "127.0.0.1", "--port", String(this.port), "--persist-to", this.state,
      "--show-interactive-dev-session=false", ...(this.extraArgs ?? []), ...Object.entries(this.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])];
    this.proc = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk) => { this.log = (this.log + chunk).slice(-20_000); };
    this.proc.stdout.on("data", keep);
    this.proc.stderr.on("data", keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`wrangler dev exited: ${this.log}`);
      try {
        if ((await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200) return this;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`wrangler dev did not come up: ${this.log}`);
  }

  /** The workerd process serving requests (wrangler dev's child). */
  workerdPid() {
    return descendants(this.proc.pid).find((p) => commOf(p) === "workerd") ?? null;
  }

  /** SIGKILL to workerd alone, as a crash would; then wrangler goes too, so start() begins afresh. */
  crash() {
    const pid = this.workerdPid();
    if (pid === null) throw new Error("no workerd process to kill");
    process.kill(pid, "SIGKILL");
    return this.stop();
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once("exit", r));
    try { process.kill(-this.proc.pid, "SIGKILL"); } catch { /* gone */ }
    await exited;
  }

  admin(path, init = {}) {
    return fetch(`${this.url}${path}`, {
      ...init, headers: { Authorization: `Bearer ${this.adminToken}`, "Content-Type": "application/json", ...init.headers },
    });
  }

  /** A project with limits out of the way of a load test: {key, secret, id}. */
  async project(slug) {
    const res = await this.admin("/api/admin/projects", { method: "POST", body: JSON.stringify({ slug, name: slug }) });
    if (res.status !== 201) throw new Error(`project: ${res.status} ${await res.text()}`);
    const body = await res.json();
    const limits = { events_per_minute: 10_000_000, ip_requests_per_minute: 1_000_000, max_events_per_request: 1000 };
    const patch = await this.admin(`/api/admin/projects/${slug}`, { method: "PATCH", body: JSON.stringify(limits) });
    if (patch.status !== 200) throw new Error(`limits: ${patch.status} ${await patch.text()}`);
    return { slug, id: body.project.id, key: body.key, secret: body.secret };
  }
}

/** Sends a signed batch; answers the status (0 when the connection failed) and the body. */
export async function sendBatch(url, project, events, timeoutMs = 10_000) {
  const body = JSON.stringify(events);
  try {
    const res = await fetch(`${url}/api/log`, {
      method: "POST", body, signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "Content-Type": "application/json", "X-Project-Key": project.key,
        "X-Signature": createHmac("sha256", project.secret).update(body).digest("hex"),
      },
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  } catch {
    return { status: 0, body: null };
  }
}
