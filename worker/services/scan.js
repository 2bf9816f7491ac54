// The walks over segments that every event read shares. D1 hands over segment headers and texts;
// the core prunes segments by their filters and matches, orders and writes the events. Walks:
// newest first (search, export, an issue's latest event), oldest first (the events after one),
// arrival order (tail), one event by id, and counting walks (histogram, facets).
import * as db from "../db/index.js";
import { readPacks } from "../platform/cold.js";
import { core } from "../platform/core.js";
import { EVENTS_PER_SEGMENT } from "../platform/vocabulary.js";
import { convertRows } from "./legacy.js";

const MAX = Number.MAX_SAFE_INTEGER;
const FIRST_HEADERS = 32;
const MAX_HEADERS = 1024;
const FIRST_OPEN = 2;
const MAX_OPEN = 32;
const TIME_BUDGET_MS = 800;
const SCAN_BUDGET_EVENTS = 40_000;
const LEGACY_CHUNK = 500;

// What the core says of a filter (the read API's shape: levels, field values, not, globs, q): a
// problem, or what it looks for (terms), whether more than levels (narrows) and which segment
// filters can prune for it. Asked once per filter object.
const plans = new WeakMap();

/** The core's plan of a filter: {terms, narrows, levels, filters} or {error: {field, message}}. */
export function planOf(filter) {
  let plan = plans.get(filter);
  if (!plan) {
    const answer = core.prune({ filter, segments: [] }, []);
    plan = answer.error ? { error: answer.error }
      : { terms: answer.terms, narrows: answer.narrows, levels: answer.levels, filters: answer.filters };
    plans.set(filter, plan);
  }
  return plan;
}

/** The core's reading of a query bar: {filter (the read API's shape), terms} or {filter, error}. */
export function readTheQueryBar(text) {
  const answer = core.prune({ text, segments: [] }, []);
  const { q, levels, not, ...fields } = answer.reading;
  const filter = { ...fields, ...(q ? { q } : {}), ...(levels.length ? { level: levels.join(",") } : {}),
    ...(Object.keys(not).length ? { not } : {}) };
  return answer.error ? { filter, error: answer.error } : { filter, terms: answer.terms };
}

/** True when the filter looks at more than levels (rollups cannot answer it; segments are pruned). */
export const narrows = (filter) => planOf(filter).narrows;

// The headers that may hold a match, as the core judges from their levels and filters.
function prune(filter, headers) {
  if (!headers.length || (!narrows(filter) && !filter.levels)) return headers;
  return pruneCovering(filter, headers).candidates;
}

const READS = { rows: (r, t) => core.rows(r, t), forward: (r, t) => core.forward(r, t), histogram: (r, t) => core.histogram(r, t),
  facets: (r, t) => core.facets(r, t), aggregate: (r, t) => core.aggregate(r, t), rules: (r, t) => core.rulesPreview(r, t) };

// The stored texts of these segments, from D1 (hot) or from their packs on R2 (cold): Map id →
// text. One D1 query says where each is, so a segment moving meanwhile is read from one place.
async function storedTexts(env, ids) {
  const texts = new Map();
  const cold = [];
  for (const p of await db.segmentPlaces(env.DB, ids)) p.object ? cold.push(p) : texts.set(p.id, p.data);
  for (const [id, text] of await readPacks(env.COLD, cold)) texts.set(id, text);
  return texts;
}

// Runs one core read (`op`: rows, forward, histogram, facets or rules) over these segments'
// stored texts.
async function readSegments(env, op, request, headers) {
  const stored = headers.filter((h) => h.text === undefined);
  const texts = stored.length ? await storedTexts(env, stored.map((h) => h.id)) : new Map();
  for (const h of headers) if (h.text !== undefined) texts.set(h.id, h.text);
  const present = headers.filter((h) => texts.has(h.id)); // a purge may have taken one meanwhile
  const answer = READS[op]({
    ...request,
    now: Date.now(),
    segments: present.map((h) => ({ id: h.id, project: h.project, received_at: h.received_at, size: texts.get(h.id).length,
      retention_hours: h.retention_hours, retention_overrides: h.retention_overrides,
      ...(h.in_app_rules ? { in_app_rules: h.in_app_rules } : {}), ...(h.event_ids ? { event_ids: h.event_ids } : {}) })),
  }, present.map((h) => texts.get(h.id)));
  for (const d of answer.damaged ?? []) console.error("damaged segment", d.segment, d.code);
  return answer;
}

const newer = (a, b) => a.ts > b.ts || (a.ts === b.ts && a.id > b.id);

/** The best `limit` of two lists each already in `better` order (the core sorts each answer): one
 *  linear merge, no sort. */
export function mergeBest(a, b, better, limit) {
  const out = [];
  let i = 0, j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && !better(b[j], a[i]))) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

// Rows of the old layout (a row per event, until maintenance has converted them) are read as
// chunks the core turns into segments in memory, keeping the rows' ids. Whether any are left is
// checked at most once a minute per isolate.
let legacyCheckedAt = -Infinity;
let legacyLeft = true;
async function legacyLeftToRead(env) {
  if (Date.now() - legacyCheckedAt > 60_000) {
    legacyLeft = await db.hasLegacyRows(env.DB);
    legacyCheckedAt = Date.now();
  }
  return legacyLeft;
}

function legacyHeaders(rows) {
  const byProject = new Map();
  for (const r of rows) (byProject.get(r.project_id) ?? byProject.set(r.project_id, []).get(r.project_id)).push(r);
  const headers = [];
  for (const group of byProject.values()) {
    const { header, segments } = convertRows(group);
    // The rows the core read, in order (old rows were valid when stored; any it refuses now is left out).
    const refused = new Set((header.rejected ?? []).map((r) => r.index));
    const kept = group.filter((_, i) => !refused.has(i));
    let next = 0;
    for (const seg of segments) {
      const ids = kept.slice(next, next + seg.events).map((r) => r.id);
      next += seg.events;
      headers.push({ id: -ids[0], project: group[0].project, received_at: group[0].received_at, ts_min: seg.ts_min,
        ts_max: seg.ts_max, events: seg.events, levels: seg.levels, retention_hours: group[0].retention_hours,
        retention_overrides: group[0].retention_overrides, text: seg.data, event_ids: ids });
    }
  }
  return headers;
}

/** Events matching `filter` in [from, to) of `projects`, newest first below `before` (or oldest
 *  first above `after` with order "asc"), `limit` at most. Segments (and chunks of old rows) are
 *  opened in order of their newest (oldest) event, so events beyond the frontier of what is still
 *  unopened are final. Answers {rows, keys, next (key to continue from, or null), complete,
 *  scanned, matched, opened}. */
export async function walkEvents(env, { projects, from, to, before = null, after = null, filter = {}, limit,
  order = "desc", budgetMs = TIME_BUDGET_MS }) {
  const started = Date.now();
  const desc = order === "desc";
  const projectIds = projects.map((p) => p.id);
  const withFilters = planOf(filter).filters;
  const edge = (h) => (desc ? h.ts_max : h.ts_min);
  const beyond = (a, b) => (desc ? a > b : a < b); // a holds newer (older) events than b
  const start = desc ? { ts: MAX, id: MAX } : { ts: -MAX, id: -MAX };
  const range = desc ? { from, to, olderThan: before ? before.ts : MAX } : { from: after ? Math.max(from, after.ts) : from, to };
  // Each source hands over headers in edge order; lastEdge bounds what it has not handed over.
  const sources = [{
    position: start, lastEdge: start.ts, exhausted: false, step: FIRST_HEADERS,
    fetch: (position, limit) => (desc
      ? db.segmentsNewestFirst(env.DB, { projectIds, ...range, below: position, limit, filters: withFilters })
      : db.segmentsOldestFirst(env.DB, { projectIds, ...range, above: position, limit, filters: withFilters })),
    next: (headers) => ({ ts: edge(headers[headers.length - 1]), id: headers[headers.length - 1].id }),
  }];
  if (await legacyLeftToRead(env)) sources.push({
    position: start, lastEdge: start.ts, exhausted: false, step: LEGACY_CHUNK, legacy: true,
    fetch: async (position, limit) => (desc
      ? db.legacyNewestFirst(env.DB, { projectIds, ...range, below: position, limit })
      : db.legacyOldestFirst(env.DB, { projectIds, ...range, above: position, limit })),
    next: (rows) => ({ ts: rows[rows.length - 1].ts, id: rows[rows.length - 1].id }),
  });
  let openStep = FIRST_OPEN;
  let queue = [];
  let hits = [];
  let scanned = 0, matched = 0, opened = 0;
  // Orders hits best first and says whether a key is past the frontier (final).
  const better = (a, b) => (desc ? newer(a.key, b.key) : newer(b.key, a.key));
  const final = (key, frontier) => (desc ? key.ts > frontier : key.ts < frontier);
  for (;;) {
    // Fetch from the source whose unfetched part may hold events beyond the queue's best.
    const open = sources.filter((src) => !src.exhausted).sort((a, b) => (beyond(a.lastEdge, b.lastEdge) ? -1 : 1));
    const src = open[0];
    if (src && (!queue.length || !beyond(edge(queue[0]), src.lastEdge))) {
      const got = await src.fetch(src.position, src.step);
      if (got.length < src.step) src.exhausted = true;
      if (got.length) {
        src.position = src.next(got);
        src.lastEdge = src.position.ts;
      }
      queue = queue.concat(prune(filter, src.legacy ? legacyHeaders(got) : got))
        .sort((a, b) => (beyond(edge(a), edge(b)) ? -1 : beyond(edge(b), edge(a)) ? 1 : 0));
      if (!src.legacy) src.step = Math.min(src.step * 2, MAX_HEADERS);
      continue;
    }
    const frontier = queue.length ? edge(queue[0]) : (desc ? -Infinity : Infinity);
    if (hits.length >= limit && final(hits[limit - 1].key, frontier))
      return done({ next: hits[limit - 1].key, complete: false });
    if (!queue.length) return done({ next: null, complete: true });
    // A page's work is bounded by events looked at (the CPU the core spends) and by time (the
    // waits on D1); past either, it answers what is final and a cursor to continue from.
    if (Date.now() - started > budgetMs || scanned >= SCAN_BUDGET_EVENTS) {
      hits = hits.filter((h) => final(h.key, frontier));
      return done({ next: { ts: frontier, id: desc ? MAX : -MAX }, complete: false });
    }
    const batch = queue.splice(0, openStep);
    openStep = Math.min(openStep * 2, MAX_OPEN);
    const answer = await readSegments(env, "rows", {
      filter, from, to, limit, order: desc ? "newest" : "oldest", before, after,
    }, batch);
    opened += batch.length;
    scanned += answer.scanned;
    matched += answer.matched;
    hits = mergeBest(hits, answer.rows.map((row, i) => ({ row, key: answer.keys[i] })), better, limit);
  }

  function done({ next, complete }) {
    const page = hits.slice(0, limit);
    return { rows: page.map((h) => h.row), keys: page.map((h) => h.key), next, complete, scanned, matched, opened };
  }
}

/** One event by id, with its project id, or null. An old row not converted yet is found by its
 *  own id. */
export async function eventById(env, id) {
  const header = await db.segmentOfEvent(env.DB, id, EVENTS_PER_SEGMENT);
  const answer = header ? await readSegments(env, "rows", { ids: [id], limit: 1 }, [header]) : { rows: [] };
  if (answer.rows.length) return { row: answer.rows[0], key: answer.keys[0], projectId: header.project_id };
  const legacy = (await legacyLeftToRead(env)) ? await db.legacyRowById(env.DB, id) : null;
  if (!legacy) return null;
  const old = await readSegments(env, "rows", { ids: [id], limit: 1 }, legacyHeaders([legacy]));
  return old.rows.length ? { row: old.rows[0], key: old.keys[0], projectId: legacy.project_id } : null;
}

const TAIL_SEGMENTS = 64;
const TAIL_NEWEST_EVENTS = 1000;

// The core's pruning of every header handed over (even when the filter cannot prune): the
// candidates, and the highest event id the headers cover.
function pruneCovering(filter, headers) {
  const texts = [];
  const segments = headers.map((h) => {
    const fields = h.fields ?? "";
    const words = h.words ?? "";
    const ranges = h.ranges ?? "";
    texts.push(fields, words, ranges);
    return { id: h.id, levels: h.levels, fields: fields.length, words: words.length, ranges: ranges.length };
  });
  const answer = core.prune({ filter, segments }, texts);
  const keep = new Set(answer.candidates);
  return { candidates: headers.filter((h) => keep.has(h.id)), coveredId: answer.covered_id };
}

/** Events stored after event id `after` (arrival order) in these projects, matching the filter
 *  and in [from, to): the first `limit` of them, or with `newest` the last `limit` stored.
 *  Answers {rows, last (the highest event id looked at), caught_up}. */
export async function tailEvents(env, { projects, after, filter, from, to, limit, newest = false }) {
  const projectIds = projects.map((p) => p.id);
  const headers = await db.segmentsAfterEvent(env.DB, {
    projectIds, afterEvent: newest ? 0 : after, perSegment: EVENTS_PER_SEGMENT, limit: TAIL_SEGMENTS, newest,
  });
  if (newest) {
    // The newest segments holding at least TAIL_NEWEST_EVENTS events (a new tail shows what is
    // latest; it need not look further back).
    let events = 0;
    const keep = headers.findIndex((h) => (events += h.events) >= Math.max(limit, TAIL_NEWEST_EVENTS));
    if (keep >= 0) headers.splice(keep + 1);
    headers.reverse();
  }
  const { candidates, coveredId } = pruneCovering(filter, headers);
  const answer = candidates.length
    ? await readSegments(env, "rows", { filter, from, to, order: "arrival", after_id: newest ? -1 : after,
      limit: newest ? MAX : limit }, candidates)
    : { rows: [], keys: [] };
  let rows = answer.rows;
  let keys = answer.keys;
  if (newest) {
    rows = rows.slice(-limit);
    keys = keys.slice(-limit);
  }
  const full = !newest && rows.length === limit;
  const last = full ? keys[keys.length - 1].id : Math.max(after, coveredId);
  return { rows, last, caught_up: !full && (newest || headers.length < TAIL_SEGMENTS) };
}

/** The next batch of a forwarder: the events of `project` stored after event id `after` that
 *  match `filter`, as the core's forwarding body (`forward`: {format, index, max_bytes}), at most
 *  `limit`. Answers {body, count, last (the event id the cursor moves to once it is sent)}. */
export async function forwardBatch(env, { project, after, filter, limit, forward }) {
  const headers = await db.segmentsAfterEvent(env.DB, {
    projectIds: [project.id], afterEvent: after, perSegment: EVENTS_PER_SEGMENT, limit: TAIL_SEGMENTS,
  });
  const { candidates, coveredId } = pruneCovering(filter, headers);
  const answer = candidates.length
    ? await readSegments(env, "forward", { filter, after_id: after, limit, ...forward }, candidates)
    : { body: "", count: 0, last_id: -1, more: false };
  // All of these segments were looked at unless the batch stopped early: then the cursor stops
  // at its last event and the rest waits for the next batch.
  const last = answer.more ? answer.last_id : Math.max(after, coveredId);
  return { body: answer.body, count: answer.count, last, caught_up: !answer.more && headers.length < TAIL_SEGMENTS };
}

/** One core read (`op`, as readSegments) over a project's newest segments holding about `events`
 *  events (at most `maxSegments` of them, so tiny batches bound the work). Answers the core's
 *  answer. */
export async function readNewest(env, { project, op, request, events, maxSegments = 256 }) {
  const headers = await db.segmentsNewestFirst(env.DB, { projectIds: [project.id], from: -MAX, to: MAX, olderThan: MAX,
    below: { ts: MAX, id: MAX }, limit: maxSegments, filters: [] });
  const picked = [];
  let covered = 0;
  for (const h of headers) {
    if (covered >= events) break;
    picked.push(h);
    covered += h.events;
  }
  return readSegments(env, op, request, picked);
}

/** A counting walk, newest segments first, until `maxEvents` were looked at: per call of the core
 *  `mode` ("histogram" or "facets") with `request`, answers merged by `merge`. Answers
 *  {scanned, complete, covered_from}. */
export async function countWalk(env, { projects, from, to, filter, mode, request, maxEvents, merge }) {
  const projectIds = projects.map((p) => p.id);
  const withFilters = planOf(filter).filters;
  let position = { ts: MAX, id: MAX };
  let scanned = 0;
  let step = FIRST_OPEN * 4;
  for (;;) {
    const headers = await db.segmentsNewestFirst(env.DB, { projectIds, from, to, olderThan: MAX, below: position,
      limit: step, filters: withFilters });
    const candidates = prune(filter, headers);
    for (let i = 0; i < candidates.length; i += MAX_OPEN) {
      // `request` may be a function: what each read asks (an aggregation's state so far).
      const asked = typeof request === "function" ? request() : request;
      const answer = await readSegments(env, mode, { filter, from, to, ...asked }, candidates.slice(i, i + MAX_OPEN));
      scanned += answer.scanned;
      merge(answer);
      if (scanned >= maxEvents) {
        const rest = candidates[i + MAX_OPEN] ?? headers[headers.length - 1];
        return { scanned, complete: false, covered_from: Math.max(from, rest ? rest.ts_max : from) };
      }
    }
    if (headers.length < step) return { scanned, complete: true, covered_from: from };
    const last = headers[headers.length - 1];
    position = { ts: last.ts_max, id: last.id };
    step = Math.min(step * 2, MAX_HEADERS);
  }
}
