// The client's cost per logged event, and its memory with a full buffer. Sends go to a stub fetch
// that answers 202 at once, so what is measured is the client: buffering, batching, JSON, gzip and
// the HMAC. The reference in the same run is JSON.stringify of each event alone (the least any
// client pays). Medians of 5 rounds.
//   node --expose-gc bench/client.mjs [--events 100000]
import { parseArgs } from "node:util";
import { createClient } from "../clients/js/src/index.js";

const { values: opt } = parseArgs({ options: { events: { type: "string", default: "100000" } } });
const N = Number(opt.events);
const ROUNDS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stubFetch = async (url) => (String(url).endsWith("/config")
  ? new Response('{"client":{"batch_size":100}}', { status: 200 })
  : new Response('{"accepted":100,"rejected":[]}', { status: 202 }));

const fields = (i) => ({ request_id: `req-${i}`, source: "checkout", endpoint: "/v1/orders/:id",
  ctx: { order: i, items: [i % 7, i % 11], user: { id: `u-${i % 1000}`, plan: "pro" } } });
const message = (i) => `order ${i} took ${(i * 37) % 900} ms at step ${i % 12}`;

function cpuMicros(fn) {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return Promise.resolve(fn()).then(() => {
    const cpu = process.cpuUsage(start);
    return { wallUs: (performance.now() - t0) * 1000, cpuUs: cpu.user + cpu.system };
  });
}

async function roundClient() {
  const client = createClient({ url: "http://bench.invalid", key: "elk_bench", secret: "bench-secret", fetch: stubFetch,
    flushIntervalMs: 60_000, maxBufferEvents: N + 1 });
  const r = await cpuMicros(async () => {
    for (let i = 0; i < N; i++) client.info(message(i), fields(i));
    await client.flush();
  });
  await client.close();
  return r;
}

async function roundCaptureOnly() {
  const client = createClient({ url: "http://bench.invalid", key: "elk_bench", fetch: stubFetch,
    batchSize: N + 1, flushIntervalMs: 600_000, maxBufferEvents: N + 1, config: false });
  const r = await cpuMicros(() => { for (let i = 0; i < N; i++) client.info(message(i), fields(i)); });
  client.close({ timeoutMs: 0 }).catch(() => {});
  return r;
}

async function roundReference() {
  let bytes = 0;
  return cpuMicros(() => {
    for (let i = 0; i < N; i++) bytes += JSON.stringify({ level: "info", message: message(i), ...fields(i) }).length;
  }).then((r) => ({ ...r, bytes }));
}

async function fullBufferMemory() {
  const size = 10_000;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const client = createClient({ url: "http://bench.invalid", key: "elk_bench", fetch: stubFetch,
    batchSize: size + 1, flushIntervalMs: 600_000, maxBufferEvents: size, config: false });
  for (let i = 0; i < size * 2; i++) client.info(message(i), fields(i)); // half of them push the oldest out
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  const stats = client.stats();
  client.close({ timeoutMs: 0 }).catch(() => {});
  return { events: stats.buffered, dropped: stats.dropped.buffer_full, mib: (after - before) / 1048576 };
}

const results = { client: [], capture: [], reference: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.reference.push((await roundReference()).cpuUs / N);
  results.capture.push((await roundCaptureOnly()).cpuUs / N);
  results.client.push((await roundClient()).cpuUs / N);
}
const memory = await fullBufferMemory();
const out = {
  events_per_round: N,
  us_per_event_median: {
    client_end_to_end: +median(results.client).toFixed(2), // capture + batch JSON + gzip + HMAC + the stub's answer
    capture_only: +median(results.capture).toFixed(2),
    reference_json_stringify: +median(results.reference).toFixed(2),
  },
  ratio_client_to_reference: +(median(results.client) / median(results.reference)).toFixed(2),
  full_buffer: { ...memory, mib: +memory.mib.toFixed(1), gc: typeof globalThis.gc === "function" },
  rounds: results,
};
console.log(JSON.stringify(out, null, 2));
