// What the issue pages, tickets and alerts show about an issue besides its row: its latest event,
// where its events come from, hourly sparklines, its baseline, trends and suspect release — each
// judged by the core from what D1 holds.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { countWalk, walkEvents } from "./scan.js";

const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const MAX_POINTS = 72;

/** Hourly event counts per issue over the window's last MAX_POINTS hours, from the rollup: a
 *  Map "projectId:fingerprint" → [counts], with .from and .points. */
export async function sparklines(env, rows, from, to) {
  const end = Math.min(to, Date.now()) + HOUR - (Math.min(to, Date.now()) % HOUR);
  const start = Math.max(from - (from % HOUR), end - MAX_POINTS * HOUR);
  const points = Math.max(1, Math.round((end - start) / HOUR));
  const series = new Map(rows.map((r) => [`${r.project_id}:${r.fingerprint}`, new Array(points).fill(0)]));
  if (rows.length) {
    const hours = await db.issueHours(env.DB, rows.map((r) => ({ project_id: r.project_id, fingerprint: r.fingerprint })), start, end);
    for (const h of hours) {
      const line = series.get(`${h.project_id}:${h.fingerprint}`);
      const i = Math.floor((h.hour - start) / HOUR);
      if (line && i >= 0 && i < points) line[i] += h.events;
    }
  }
  return Object.assign(series, { from: start, points });
}

const DISTRIBUTION_SAMPLE = 20_000;
const DISTRIBUTION_FIELDS = ["env", "source", "release", "component", "endpoint", "user_id", "tags"];

/** Field and tag distributions among an issue's newest events, and its hourly histogram. */
async function issueDetail(env, project, row) {
  const projectId = project.id;
  const counts = new Map(); // field → Map value → events
  let sampled = 0;
  await countWalk(env, {
    projects: [project], from: row.first_seen, to: row.last_seen + 1, filter: { fingerprint: row.fingerprint },
    mode: "facets", request: { fields: DISTRIBUTION_FIELDS, top: 1000 }, maxEvents: DISTRIBUTION_SAMPLE,
    merge: (answer) => {
      sampled += answer.matched;
      for (const { field, value, events } of answer.facets) {
        const values = counts.get(field) ?? counts.set(field, new Map()).get(field);
        values.set(value, (values.get(value) ?? 0) + events);
      }
    },
  });
  const distributions = {};
  for (const [field, values] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
    distributions[field] = [...values].map(([value, events]) => ({ value, events }))
      .sort((a, b) => b.events - a.events || (a.value < b.value ? -1 : 1)).slice(0, 10);
  const series = await sparklines(env, [{ ...row, project_id: projectId }], Date.now() - 3 * DAY, Date.now());
  return {
    distributions, distribution_sample: sampled,
    histogram: { from: iso(series.from), bucket_ms: HOUR, counts: series.get(`${projectId}:${row.fingerprint}`) },
  };
}

/** What an issue's page and its ticket show: its latest event, its distributions over a sample,
 *  its histogram and the core's next step for its hint. */
export async function issueEvidence(env, project, row) {
  const latest = await walkEvents(env, { projects: [project], from: row.first_seen, to: row.last_seen + 1,
    filter: { fingerprint: row.fingerprint }, limit: 1 });
  const detail = await issueDetail(env, project, row);
  // The next step for its hint, which the core derives from these distributions.
  const { suggestion } = row.hint
    ? core.suggest({ hint: row.hint, sample: detail.distribution_sample, fields: detail.distributions })
    : { suggestion: null };
  return { latest: latest.rows[0] ?? null, detail, suggestion };
}

export const presentTicket = (t) => ({ status: t.status, tracker: t.tracker, url: t.url, key: t.key, auto: t.auto === 1,
  created_at: iso(t.created_at), error: t.error });

export const BASELINE_HISTORY_MS = 28 * 24 * HOUR;

/** The expected events per hour and their usual band, from the core's baseline over the 28-day
 *  history: [{hour, expected, low, high, basis}] for each hour of [from, to) (at most 28 days). */
export async function baselineSeries(env, { projectId, fingerprint = "", levels = [], from, to, firstSeen = null }) {
  const start = from - (from % HOUR);
  const { history, first } = await db.baselineHistory(env.DB, { projectId, fingerprint, levels, from: start - BASELINE_HISTORY_MS });
  // History covers hours from the first one it holds (or the issue's first event): before that,
  // hours are unknown, not quiet.
  const since = Math.min(...[first, firstSeen === null ? null : firstSeen - (firstSeen % HOUR)].filter((x) => x !== null), to);
  const answer = core.baseline({ history, since, from: start, to });
  return answer.hours.map((h) => ({ ...h, hour: iso(h.hour) }));
}

/** Issues growing most over their own previous week (the core ranks; the range does not apply:
 *  the last 24 hours against the 7 days before). Each row carries its `trend`. */
export async function trendingIssues(env, { projectId, statuses, minLevelRank, now, limit }) {
  const dayStart = now - (now % HOUR) - 23 * HOUR; // the current hour and the 23 before it
  const inputs = await db.trendInputs(env.DB, { projectId, dayStart, weekStart: dayStart - 7 * DAY });
  // Each item's key is its place in `inputs`: the ranking names issues by it.
  const { trending } = core.trending({ now, limit: 500,
    items: inputs.map((r, i) => ({ key: String(i), recent: r.recent, previous: r.previous, first_seen: r.first_seen })) });
  if (!trending.length) return [];
  const ranked = trending.map((t) => ({ ...t, issue: inputs[Number(t.key)] }));
  const rows = await db.issuesByKeys(env.DB, {
    keys: ranked.map((t) => ({ project_id: t.issue.project_id, fingerprint: t.issue.fingerprint })), statuses, minLevelRank });
  const byIssue = new Map(rows.map((r) => [`${r.project_id} ${r.fingerprint}`, r]));
  const rowOf = (t) => byIssue.get(`${t.issue.project_id} ${t.issue.fingerprint}`);
  return ranked.filter(rowOf).slice(0, limit).map((t) => ({ ...rowOf(t),
    trend: { recent: t.recent, expected_per_day: t.expected, growth: t.growth, is_new: t.is_new } }));
}

/** The core's suspect release for an issue, from when the project first saw each of its releases
 *  and their shares of its events (null when none fits). */
export async function suspectRelease(env, projectId, row, detail) {
  const shares = detail.distributions.release ?? [];
  if (!shares.length) return null;
  const firstSeen = new Map(await db.releasesFirstSeen(env.DB, projectId, shares.map((r) => r.value)));
  const regression = row.status === "regressed" && row.regressed_at !== null;
  const { suspect } = core.suspect({ began: regression ? row.regressed_at : row.first_seen, regression,
    sample: detail.distribution_sample,
    releases: shares.filter((r) => firstSeen.has(r.value))
      .map((r) => ({ release: r.value, first_seen: firstSeen.get(r.value), events: r.events })),
    endpoints: detail.distributions.endpoint ?? [] });
  return suspect && { ...suspect, first_seen: iso(suspect.first_seen) };
}

const STATUS_ACTIONS = { resolved: "issue.resolve", ignored: "issue.ignore", ongoing: "issue.reopen" };

/** A responder's change of an issue's status, from the API or a chat button: resolved (in the
 *  next release: the one after its latest event's), ignored (for `ignoreMinutes`, else for good)
 *  or ongoing. Answers what the audit log records ({action, before, after}), or {error:
 *  "no_release"} when the latest event names no release to wait past. */
export async function changeIssueStatus(env, project, row, { status, nextRelease = false, ignoreMinutes = null, now = Date.now() }) {
  let release = null;
  if (nextRelease) {
    release = await latestRelease(env, project, row);
    if (!release) return { error: "no_release" };
  }
  const until = ignoreMinutes === null ? null : now + ignoreMinutes * 60_000;
  await db.setIssueStatus(env.DB, project.id, row.fingerprint, status, now, release, until);
  return { action: STATUS_ACTIONS[status], release, until, before: { status: row.status },
    after: { status, ...(release ? { resolved_in_release: release } : {}), ...(until ? { ignored_until: new Date(until).toISOString() } : {}) } };
}

/** The release of an issue's latest event (whose events keep arriving until the next one ships),
 *  for "resolve in the next release"; null when it carries none. */
export async function latestRelease(env, project, row) {
  const latest = await walkEvents(env, { projects: [project], from: row.first_seen, to: Date.now() + DAY,
    filter: { fingerprint: row.fingerprint }, limit: 1 }); // last_seen may not be folded yet
  return latest.rows[0]?.release ?? null;
}

