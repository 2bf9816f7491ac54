// The client: a bounded buffer, batches by count, size and interval, per-level sampling from the
// project's GET /config, one batch in flight at a time with retries, and an account of every
// event it did not deliver (client.stats(), and a warning event in the next batch).
import { debugMetaOf } from "./debug-ids.js";
import { watchLifecycle } from "./lifecycle.js";
import { backoffMs, prepare, randomId, sendOnce } from "./transport.js";
import { LEVELS } from "./vocabulary.js";

const DEFAULTS = {
  batchSize: 100, // events per request (the project's /config may lower it)
  flushIntervalMs: 5000,
  maxBufferEvents: 10_000,
  dropPolicy: "oldest", // when the buffer is full: "oldest" makes room, "newest" refuses the new event
  maxBatchBytes: 400_000, // uncompressed JSON per request, under the 512 KiB a project takes by default
  timeoutMs: 10_000,
  compress: true,
  config: true, // fetch GET /config for sampling and batch size
  configTtlMs: 300_000,
};
/** A FIFO with O(1) removal at the head (Array.prototype.shift is O(n) on a 10,000-event buffer). */
class Fifo {
  #items = [];
  #head = 0;
  get length() { return this.#items.length - this.#head; }
  push(x) { this.#items.push(x); }
  peek() { return this.#items[this.#head]; }
  shift() {
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }
  /** Puts `xs` back at the head, in order. */
  unshiftAll(xs) {
    this.#items = [...xs, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }
}

const isBrowser = () => typeof window !== "undefined" && typeof document !== "undefined" && typeof process === "undefined";

/** A client for one project. `secret` is for signed keys, and never in a browser. */
export function createClient(options) {
  const o = { ...DEFAULTS, ...options };
  if (!o.url || !o.key) throw new TypeError("createClient needs url and key");
  if (o.secret && isBrowser())
    throw new Error("edgelog: never ship a key's secret to a browser; create an unsigned key for it");
  if (!["oldest", "newest"].includes(o.dropPolicy)) throw new TypeError('dropPolicy is "oldest" or "newest"');
  const url = String(o.url).replace(/\/+$/, "");
  const fetchImpl = o.fetch ?? globalThis.fetch.bind(globalThis);

  const buffer = new Fifo();
  const stats = {
    buffered: 0, sent_events: 0, sent_batches: 0, queued_batches: 0, retries: 0, rejected_events: 0,
    dropped: { buffer_full: 0, sampled: 0, refused: 0, too_large: 0 }, last_error: null,
  };
  const unreported = { buffer_full: 0, refused: 0, too_large: 0 }; // dropped since the last batch said so
  let config = null, configAt = 0, configLoading = null;
  let flushing = null, timer = null, closed = false;

  async function loadConfig() {
    if (!o.config || (configAt && Date.now() - configAt < o.configTtlMs)) return config;
    configLoading ??= fetchImpl(`${url}/config`, { headers: { "X-Project-Key": o.key }, signal: AbortSignal.timeout(o.timeoutMs) })
      .then(async (res) => { if (res.ok) config = (await res.json()).client ?? null; })
      .catch(() => {})
      .then(() => { configAt = Date.now(); }) // a failed fetch is not retried before the TTL either
      .finally(() => { configLoading = null; });
    await configLoading;
    return config;
  }

  const sampled = (level) => {
    const rate = config?.sample_rates?.[level];
    return rate === undefined || rate >= 1 || Math.random() < rate;
  };
  const batchSize = () => Math.max(1, Math.min(o.batchSize, config?.batch_size ?? o.batchSize));

  /** Buffers one event (edgelog's event fields); false when it was dropped. */
  function capture(event) {
    if (closed) return false;
    const level = LEVELS.includes(event.level) ? event.level : "info";
    if (!sampled(level)) {
      stats.dropped.sampled++;
      return false;
    }
    if (buffer.length >= o.maxBufferEvents) {
      stats.dropped.buffer_full++;
      unreported.buffer_full++;
      if (o.dropPolicy === "newest") return false;
      buffer.shift();
    }
    // Serialized once, here: the batch is these strings joined, and their lengths are its size.
    const debug_meta = event.debug_meta ?? debugMetaOf(event.stack);
    buffer.push(JSON.stringify({ ...event, level, ts: event.ts ?? new Date().toISOString(), ...(debug_meta && { debug_meta }) }));
    stats.buffered = buffer.length;
    if (buffer.length >= batchSize()) void flush();
    else schedule();
    return true;
  }

  function schedule() {
    if (timer || closed) return;
    timer = setTimeout(() => { timer = null; void flush(); }, o.flushIntervalMs);
    timer.unref?.();
  }

  // The next batch (events as JSON text): up to batchSize events within maxBatchBytes, plus a
  // warning event when events were dropped since the last batch said so.
  function takeBatch() {
    const events = [];
    let bytes = 0;
    while (events.length < batchSize() && buffer.length) {
      const size = buffer.peek().length;
      if (events.length && bytes + size > o.maxBatchBytes) break;
      events.push(buffer.shift());
      bytes += size;
    }
    const lost = Object.entries(unreported).filter(([, n]) => n > 0);
    if (lost.length && events.length) {
      const counts = Object.fromEntries(lost);
      events.push(JSON.stringify({ level: "warn", source: "edgelog-client", ts: new Date().toISOString(),
        message: `edgelog client dropped ${lost.reduce((n, [, k]) => n + k, 0)} events (${lost.map(([r, n]) => `${r}: ${n}`).join(", ")})`,
        ctx: { edgelog_client: { dropped: counts } } }));
      events.warning = true; // the last one is the client's own: not put back if the batch waits
      for (const [reason] of lost) unreported[reason] = 0;
    }
    stats.buffered = buffer.length;
    return events;
  }

  // Delivers one batch, retrying until it is accepted, refused for good, or `deadline` passes
  // (then it goes back to the head of the buffer). A 413 splits the batch.
  async function deliver(events, { deadline = Infinity, keepalive = false } = {}) {
    const prepared = await prepare(events, { key: o.key, secret: o.secret, idempotencyKey: randomId(), compress: o.compress });
    for (let attempt = 1; ; attempt++) {
      const answer = await sendOnce(fetchImpl, url, prepared, { timeoutMs: o.timeoutMs, keepalive });
      if (answer.outcome === "accepted") {
        stats.sent_events += answer.accepted;
        stats.sent_batches++;
        stats.rejected_events += answer.rejected.length;
        if (answer.queued) stats.queued_batches++;
        return true;
      }
      if (answer.outcome === "refused") {
        if (answer.status === 413 && events.length > 1) {
          const half = Math.ceil(events.length / 2);
          return (await deliver(events.slice(0, half), { deadline, keepalive }))
            && deliver(events.slice(half), { deadline, keepalive });
        }
        const reason = answer.status === 413 ? "too_large" : "refused";
        stats.dropped[reason] += events.length;
        unreported[reason] += events.length;
        stats.last_error = `${answer.status} ${answer.code}: ${answer.message}`;
        o.onError?.(new Error(`edgelog refused a batch: ${stats.last_error}`));
        return true; // gone: retrying cannot help
      }
      stats.retries++;
      stats.last_error = answer.reason;
      const wait = Math.max(answer.delayMs, backoffMs(attempt));
      if (Date.now() + wait > deadline) {
        buffer.unshiftAll(events.warning ? events.slice(0, -1) : events);
        stats.buffered = buffer.length;
        return false;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Sends everything buffered; resolves when done, or at `timeoutMs` with the rest still buffered. */
  function flush({ timeoutMs = 30_000, keepalive = false } = {}) {
    const run = async () => {
      if (!buffer.length) return;
      await loadConfig();
      const deadline = Date.now() + timeoutMs;
      while (buffer.length) {
        if (!(await deliver(takeBatch(), { deadline, keepalive }))) break;
      }
    };
    // One flush at a time; a flush asked for meanwhile runs after it.
    flushing = (flushing ?? Promise.resolve()).then(run).finally(() => { if (!buffer.length) flushing = null; });
    return flushing;
  }

  async function close(options) {
    await flush(options);
    closed = true;
    clearTimeout(timer);
    unwatch();
  }

  const api = {
    capture,
    log: (level, message, fields = {}) => capture({ ...fields, level, message }),
    stats: () => structuredClone({ ...stats, buffered: buffer.length }),
    flush,
    close,
  };
  for (const level of LEVELS) api[level] = (message, fields) => api.log(level, message, fields);
  const unwatch = watchLifecycle(api, { browser: isBrowser() });
  return api;
}
