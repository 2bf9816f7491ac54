// The core per 200-event batch in each input format, through the Worker's JS loader: edgelog's
// own JSON (the standard batch), a Sentry envelope of error events, an OTLP/JSON export and a
// Logtail record array, each as its SDK sends it, unsigned (the formats differ in their readers).
// With --vs DIR, another checkout's loader and wasm (built with make wasm) run in the same process,
// round by round in turn, and the median of the per-round ratios is quoted.
// Usage: node bench/formats.mjs [--rounds 5] [--runs 200] [--vs DIR]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg("rounds", 5));
const RUNS = Number(arg("runs", 200));
const VS = arg("vs", null);
const N = 200;
const NOW = 1_795_000_000_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const hex32 = (i) => i.toString(16).padStart(32, "0");

async function coreOf(dir) {
  const { Core } = await import(pathToFileURL(join(dir, "bindings/loader.js")));
  return new Core(new WebAssembly.Module(readFileSync(join(dir, "wasm/edgelog.wasm"))));
}

// What @sentry/node sends for an unhandled error: exception with frames, user, tags, contexts,
// request, breadcrumbs.
function sentryEvent(i) {
  return {
    event_id: hex32(i + 1), timestamp: (NOW - i * 1000) / 1000, level: i % 5 ? "error" : "warning", platform: "node",
    logger: "checkout", environment: "production", release: `shop@1.4.${i % 3}`, transaction: `POST /api/orders/${i}`,
    server_name: `web-${i % 4}`,
    exception: { values: [{ type: "TypeError", value: `Cannot read properties of undefined (reading 'id${i % 7}')`,
      mechanism: { type: "onunhandledrejection", handled: false },
      stacktrace: { frames: Array.from({ length: 8 }, (_, f) => ({ function: `fn${f}`, abs_path: `/app/src/mod${f}.js`, lineno: 10 + f, colno: 5 })) } }] },
    user: { id: `u${i % 50}`, ip_address: `203.0.113.${i % 200}` },
    tags: { region: "eu-west", runtime: "node 22" },
    contexts: { trace: { trace_id: hex32(1000 + i), span_id: "abcdef0123456789" }, os: { name: "Linux" } },
    request: { url: `https://shop.example.com/api/orders/${i}`, method: "POST", headers: { "user-agent": "Mozilla/5.0" } },
    breadcrumbs: { values: Array.from({ length: 5 }, (_, b) => ({ category: "fetch", message: `GET /api/cart ${b}`, timestamp: NOW / 1000 })) },
    sdk: { name: "sentry.javascript.node", version: "11.12.0" },
  };
}

function envelope() {
  const lines = [JSON.stringify({ event_id: hex32(9999), sent_at: new Date(NOW).toISOString() })];
  for (let i = 0; i < N; i++) {
    const payload = JSON.stringify(sentryEvent(i));
    lines.push(JSON.stringify({ type: "event", length: Buffer.byteLength(payload) }), payload);
  }
  return Buffer.from(lines.join("\n"));
}

const attr = (key, value) => ({ key, value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value } });
function otlp() {
  return Buffer.from(JSON.stringify({ resourceLogs: [{
    resource: { attributes: [attr("service.name", "checkout"), attr("service.version", "1.4.2"),
      attr("deployment.environment.name", "production"), attr("host.name", "web-1")] },
    scopeLogs: [{ scope: { name: "app", version: "1" }, logRecords: Array.from({ length: N }, (_, i) => ({
      timeUnixNano: String((NOW - i * 1000) * 1e6), severityNumber: i % 5 ? 9 : 17, severityText: i % 5 ? "INFO" : "ERROR",
      body: { stringValue: `order ${i} placed for customer ${i % 50} in 12${i % 10} ms` },
      traceId: hex32(2000 + i), spanId: "abcdef0123456789",
      attributes: [attr("http.route", "/api/orders/:id"), attr("http.status_code", 200), attr("user.id", `u${i % 50}`),
        attr("cart.items", i % 9)] })) }] }] }));
}

function logtail() {
  return Buffer.from(JSON.stringify(Array.from({ length: N }, (_, i) => ({
    dt: new Date(NOW - i * 1000).toISOString(), level: i % 5 ? "info" : "error", message: `order ${i} placed for customer ${i % 50}`,
    context: { runtime: { file: "src/orders.js", line: 42 }, system: { pid: 1234, main_file: "server.js" } },
    order_id: i, customer: `c${i % 50}`, durationMs: 120 + (i % 10) }))));
}

const bodies = {
  "edgelog JSON (standard batch)": [readFileSync("bench/out/batch.json"), "json"],
  "Sentry envelope": [envelope(), "sentry_envelope"],
  "OTLP/JSON": [otlp(), "otlp_json"],
  "Logtail (JSON)": [logtail(), "logtail_json"],
};

// Median ms of one ingest call; the same request context for either checkout (one names the
// body limits `settings`, an older one `limits`).
function time(core, body, format) {
  const limits = { max_body_bytes: 4 << 20, max_events: 1000 };
  const context = { now_ms: NOW, unsigned: true, format, settings: limits, limits };
  const times = [];
  for (let i = 0; i < RUNS + 20; i++) {
    const t0 = performance.now();
    const decision = core.ingest(context, body);
    const t1 = performance.now();
    decision.release?.();
    if (decision.header.accepted !== N) throw new Error(`${format}: ${JSON.stringify(decision.header).slice(0, 300)}`);
    if (i >= 20) times.push(t1 - t0);
  }
  return median(times);
}

const cores = { this: await coreOf(resolve(".")), ...(VS ? { vs: await coreOf(resolve(VS)) } : {}) };
const rounds = Object.fromEntries(Object.keys(bodies).map((k) => [k, { this: [], vs: [] }]));
for (let r = 0; r < ROUNDS; r++)
  for (const [name, [body, format]] of Object.entries(bodies))
    for (const which of r % 2 ? ["vs", "this"] : ["this", "vs"])
      if (cores[which]) rounds[name][which].push(time(cores[which], body, format));

console.log(`core per ${N}-event batch through the loader, median ms over ${ROUNDS} rounds of ${RUNS} calls` +
  (VS ? ` (vs ${VS}: median of per-round ratios)` : ""));
console.log(`| format | bytes | ms |${VS ? " vs ms | ratio |" : ""}\n|--|--:|--:|${VS ? "--:|--:|" : ""}`);
for (const [name, [body]] of Object.entries(bodies)) {
  const t = rounds[name];
  const row = `| ${name} | ${body.length} | ${median(t.this).toFixed(2)} |`;
  console.log(VS ? `${row} ${median(t.vs).toFixed(2)} | ${median(t.this.map((x, i) => x / t.vs[i])).toFixed(3)} |` : row);
}
