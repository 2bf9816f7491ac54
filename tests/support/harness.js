// Runs the real worker.js and the built wasm in Miniflare, with the real migrations applied.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_splitSqlQuery as splitSql } from "wrangler";
import { foldPending } from "../../worker/services/rollups.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const MASTER_KEY = Buffer.alloc(32, 7).toString("base64");
/** The Workers runtime version the Worker is deployed with: wrangler.toml's compatibility_date. */
export const COMPATIBILITY_DATE = readFileSync(join(ROOT, "wrangler.toml"), "utf8").match(/^compatibility_date = "([\d-]+)"/m)[1];

/** Starts the Worker; with `http` it also listens on 127.0.0.1 (an ephemeral port) for a browser.
 *  `producers` ([{name, script}]: module source) run beside it as Workers whose Tail Worker is
 *  edgelog, as a customer's `tail_consumers` makes them; `harness.producer(name)` calls one. */
export async function startWorker({ bindings = {}, http = false, persist = null, migrate = true, queue = null, cold = true, producers = [] } = {}) {
  const edgelog = {
    name: "edgelog",
    rootPath: ROOT,
    scriptPath: "worker.js",
    modules: true,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: { DB: "edgelog-test" },
    kvNamespaces: ["CACHE"],
    ...(cold ? { r2Buckets: ["COLD"] } : {}),
    // `queue` ({maxRetries, consumers}) binds the ingest queue and its dead-letter queue, as
    // wrangler.toml does; with `consumers: false` nothing consumes them (a test delivers by hand).
    ...(queue ? {
      queueProducers: { INGEST_QUEUE: { queueName: "edgelog-ingest" } },
      queueConsumers: queue.consumers === false ? {} : {
        "edgelog-ingest": { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: queue.maxRetries ?? 10,
          deadLetterQueue: "edgelog-ingest-dlq", retryDelay: 0 },
        "edgelog-ingest-dlq": { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 10, retryDelay: 0 },
      },
    } : {}),
    bindings: { ADMIN_TOKEN, EDGELOG_MASTER_KEY: MASTER_KEY, ...bindings },
    assets: {
      directory: join(ROOT, "dashboard"),
      binding: "ASSETS",
      routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true },
    },
  };
  const shared = {
    host: "127.0.0.1",
    ...(http ? { port: 0 } : {}),
    ...(persist ? { d1Persist: join(persist, "d1"), kvPersist: join(persist, "kv"), r2Persist: join(persist, "r2") } : {}),
  };
  const mf = new Miniflare(producers.length ? {
    ...shared,
    workers: [edgelog, ...producers.map(({ name, script }) => ({
      name, modules: true, script, compatibilityDate: COMPATIBILITY_DATE, tails: ["edgelog"], routes: [`${name}.producer.test/*`],
    }))],
  } : { ...edgelog, ...shared });
  try {
    const db = await mf.getD1Database("DB");
    if (migrate) await applyMigrations(db);
    const harness = new Harness(mf, db);
    if (http) harness.url = (await mf.ready).origin;
    return harness;
  } catch (err) {
    await mf.dispose();
    throw err;
  }
}

export async function applyMigrations(db) {
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) await applySqlFile(db, join(dir, file));
}

/** Runs a .sql file (migrations, or a fault-injection fixture under tests/worker/fixtures). */
export async function applySqlFile(db, path) {
  const statements = splitSql(readFileSync(path, "utf8"));
  await db.batch(statements.map((s) => db.prepare(s)));
}

export function sign(secret, body) {
  return createHmac("sha256", secret).update(body).digest("hex");
}

class Harness {
  constructor(mf, db) {
    this.mf = mf;
    this.db = db;
  }

  /** Calls a producer Worker (startWorker's `producers`) at `path`, as a client would: an uncaught
   *  exception answers 500. */
  producer(name, path, init = {}) {
    return this.mf.dispatchFetch(`http://${name}.producer.test${path}`, init);
  }

  fetch(path, init = {}) {
    return this.mf.dispatchFetch(`http://edgelog.test${path}`, init);
  }

  admin(path, init = {}) {
    return this.fetch(path, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers ?? {}) },
    });
  }

  async createProject(slug) {
    const res = await this.admin("/api/admin/projects", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ slug, name: `Project ${slug}` }),
    });
    if (res.status !== 201) throw new Error(`createProject: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** A new unsigned ingest key of a project: {key, key_info, dsn}. */
  async createUnsignedKey(slug, settings = {}) {
    const res = await this.admin(`/api/admin/projects/${slug}/keys`, {
      method: "POST", body: JSON.stringify({ label: "unsigned", ...settings, signed: false }),
    });
    if (res.status !== 201) throw new Error(`createUnsignedKey: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** GET /api/logs for one project as the operator: the events. */
  async logs(slug, query = "") {
    const res = await this.admin(`/api/logs?project=${slug}&limit=100&${query}`);
    if (res.status !== 200) throw new Error(`logs: ${res.status} ${await res.text()}`);
    return (await res.json()).logs;
  }

  /** Sends `body` (a string, bytes, or a value to JSON-encode) signed with the project's secret. */
  send(project, body, { headers = {}, signature } = {}) {
    const text = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
    return this.fetch("/api/log", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Project-Key": project.key,
        "X-Signature": signature ?? sign(project.secret, text),
        ...headers,
      },
      body: text,
    });
  }

  /** Folds what segments hold into the issue and rollup tables, as the cron does (tests that
   *  read those tables directly call it first; reads through the API add what is pending). */
  fold() {
    return foldPending({ DB: this.db });
  }

  dispose() {
    return this.mf.dispose();
  }
}
