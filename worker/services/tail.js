// Cloudflare Workers with no SDK: a customer's Worker names edgelog as its Tail Worker, and the
// runtime hands tail() the TraceItems of its invocations. Each producer's items go, by script name,
// to the project it is mapped to ('*': any producer without a mapping of its own), through the same
// decision, limits, write and alerts as any ingest; the core's Tail reader makes the events. Items of
// producers mapped nowhere are counted against the producer and dropped.
import * as db from "../db/index.js";
import { ingestTrusted } from "./ingest.js";

export const ANY_WORKER = "*";
// A mapping is used for at most 30 s after it was read, so a change is seen everywhere within 30 s.
const ROUTES_FRESH_MS = 30_000;
// What was received is added to the producers' rows this long after the first invocation not yet
// written (one write per isolate per 10 s, however busy the producers).
const NOTE_EVERY_MS = 10_000;

let routes = { readAt: -Infinity, byScript: new Map() };
const seen = new Map(); // script → {script, events, dropped, at}, not yet written
let noting = null; // the pending write of `seen`

/** Forgets the cached mappings of this isolate (after a change made here). */
export function forgetTailRoutes() {
  routes = { readAt: -Infinity, byScript: new Map() };
}

async function routesFor(env, scripts, now) {
  const known = scripts.every((s) => routes.byScript.has(s));
  if (!known || now - routes.readAt >= ROUTES_FRESH_MS) {
    const rows = await db.tailRoutes(env.DB, scripts);
    const byScript = new Map(scripts.map((s) => [s, null])); // null: no row of its own
    for (const row of rows) byScript.set(row.script, row);
    routes = { readAt: now, byScript };
  }
  // A producer's own mapping, else '*' (a producer once seen unmapped has a row without a project).
  return (script) => {
    const own = routes.byScript.get(script);
    return own?.project ? own : routes.byScript.get(ANY_WORKER) ?? own ?? null;
  };
}

/** Upper bound of the events one item gives: one per exception and console line, one outcome. */
const eventsOf = (item) => (item.exceptions?.length ?? 0) + (item.logs?.length ?? 0) + 1;

/** The items as bodies the core reads ({log_sample, items}), each within the project's events per
 *  request and body size. An item with more lines than one request takes is cut into pieces; the
 *  pieces after the first carry only lines (`continued`), so its exceptions and outcome count once. */
export function tailBodies(items, { logSample, maxEvents, maxBytes }) {
  const pieces = [];
  for (const item of items) {
    if (eventsOf(item) <= maxEvents) {
      pieces.push(item);
      continue;
    }
    const logs = item.logs ?? [];
    const first = Math.max(1, maxEvents - (item.exceptions?.length ?? 0) - 1);
    pieces.push({ ...item, logs: logs.slice(0, first) });
    for (let i = first; i < logs.length; i += maxEvents - 1)
      pieces.push({ ...item, exceptions: [], logs: logs.slice(i, i + maxEvents - 1), continued: true });
  }
  const bodies = [];
  let texts = [], events = 0, bytes = 0;
  const flush = () => {
    if (texts.length) bodies.push(`{"log_sample":${logSample},"items":[${texts.join(",")}]}`);
    texts = [];
    events = bytes = 0;
  };
  for (const piece of pieces) {
    const text = JSON.stringify(piece);
    const n = eventsOf(piece);
    if (texts.length && (events + n > maxEvents || bytes + text.length + 64 > maxBytes)) flush();
    texts.push(text);
    events += n;
    bytes += text.length + 1;
  }
  flush();
  return bodies;
}

function note(script, events, dropped, at) {
  if (!script) return; // no name (a local run): nothing to show it by
  const entry = seen.get(script) ?? { script, events: 0, dropped: 0, at };
  entry.events += events;
  entry.dropped += dropped;
  entry.at = Math.max(entry.at, at);
  seen.set(script, entry);
}

/** The tail() handler: every producer's items into its project. Never throws (the runtime would
 *  only log it); what fails is logged. */
export async function receiveTail(items, env, ctx) {
  const now = Date.now();
  try {
    const byScript = new Map();
    for (const item of items) {
      const script = item?.scriptName ?? "";
      if (!byScript.has(script)) byScript.set(script, []);
      byScript.get(script).push(item);
    }
    const routeOf = await routesFor(env, [...byScript.keys()].filter(Boolean), now);
    const encoder = new TextEncoder();
    for (const [script, theirs] of byScript) {
      const route = routeOf(script);
      if (!route?.project) {
        note(script, 0, theirs.length, now);
        continue;
      }
      let events = 0;
      const { project } = route;
      for (const body of tailBodies(theirs, { logSample: route.log_sample, maxEvents: project.max_events_per_request,
        maxBytes: project.max_body_bytes })) {
        const header = await ingestTrusted(env, ctx, { project, body: encoder.encode(body), format: "cloudflare_tail",
          rid: `tail-${crypto.randomUUID()}` });
        if (header.stored) events += header.accepted ?? 0;
        else if (header.status !== 202) console.error("tail batch refused", script, header.status, header.error ?? "");
      }
      note(script || (route.script === ANY_WORKER ? ANY_WORKER : ""), events, 0, now);
    }
  } catch (err) {
    console.error("tail failed", err);
  }
  if (seen.size && !noting) {
    noting = new Promise((resolve) => setTimeout(resolve, Number(env.TAIL_NOTE_EVERY_MS ?? NOTE_EVERY_MS)))
      .then(() => {
        const batch = [...seen.values()];
        seen.clear();
        return db.noteTailProducers(env.DB, batch);
      })
      .catch((err) => console.error("tail producers not noted", err))
      .finally(() => { noting = null; });
    ctx.waitUntil(noting);
  }
}
