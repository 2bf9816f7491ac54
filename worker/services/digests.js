// Digests, from the hourly cron: at each project's hour (UTC), a daily digest of the last 24 hours
// (and on Mondays, when enabled, a weekly one of the last 7 days) to its alert destinations. The
// core writes the messages (within Discord's and Slack's limits) and ranks what grows; this module
// gathers the counts and claims each digest once in D1.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { DESTINATION_KINDS } from "../platform/vocabulary.js";
import { sendToDestinations } from "./alerting.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const LIST = 5;

/** Sends the digests due at `now`; answers {sent: [{project, period}]}. */
export async function sendDigests(env, now) {
  const hour = now - (now % HOUR);
  const report = { sent: [] };
  for (const project of await db.projectsWithDestinations(env.DB)) {
    const settings = { daily: true, weekly: false, hour_utc: 8, ...JSON.parse(project.digests || "{}") };
    if (new Date(hour).getUTCHours() !== settings.hour_utc) continue;
    const periods = [];
    if (settings.daily) periods.push(["daily", DAY]);
    if (settings.weekly && new Date(hour).getUTCDay() === 1) periods.push(["weekly", WEEK]);
    for (const [period, span] of periods) {
      if (!(await db.claimDigest(env.DB, project.id, period, hour, now))) continue; // another run sent it
      const digest = await digestOf(env, project, period, hour - span, hour);
      const { payloads } = core.digest({ ...digest, project: project.slug, now_ms: now, kinds: DESTINATION_KINDS,
        dashboard_url: (env.EDGELOG_PUBLIC_URL ?? "").replace(/\/+$/, "") });
      await sendToDestinations(env, project, payloads, `${period} digest`, now);
      report.sent.push({ project: project.slug, period });
    }
  }
  return report;
}

async function digestOf(env, project, period, from, to) {
  const [now, before, fresh, regressed, anomalies, outcomes, trendRows] = await Promise.all([
    db.digestCounts(env.DB, project.id, from, to),
    db.digestCounts(env.DB, project.id, from - WEEK, to - WEEK),
    db.digestIssues(env.DB, project.id, "new", from, to, LIST),
    db.digestIssues(env.DB, project.id, "regressed", from, to, LIST),
    db.anomalyAlertsSent(env.DB, project.id, from, to),
    db.listOutcomes(env.DB, { projectId: project.id, from, to }),
    db.trendInputs(env.DB, { projectId: project.id, dayStart: to - DAY, weekStart: to - DAY - WEEK }),
  ]);
  const item = (r) => ({ title: r.title, level: r.level, events: r.count });
  // What grows most over its own previous week, as the Trending tab ranks it.
  const { trending } = core.trending({ now: to, limit: LIST,
    items: trendRows.map((r) => ({ key: r.fingerprint, recent: r.recent, previous: r.previous, first_seen: r.first_seen })) });
  const titles = trending.length ? await db.issuesByKeys(env.DB, {
    keys: trending.map((t) => ({ project_id: project.id, fingerprint: t.key })), statuses: null, minLevelRank: 0 }) : [];
  const byFp = new Map(titles.map((r) => [r.fingerprint, r]));
  return {
    period, from, to, events: now.events, errors: now.errors, events_before: before.events, errors_before: before.errors,
    new_issues: fresh.rows.map(item), new_total: fresh.total, regressions: regressed.rows.map(item), regressions_total: regressed.total,
    growing: trending.filter((t) => byFp.has(t.key) && !t.is_new)
      .map((t) => ({ title: byFp.get(t.key).title, level: byFp.get(t.key).level, events: t.recent, growth: t.growth })),
    anomalies, outcomes: outcomes.map((o) => ({ outcome: o.outcome, events: o.events })), // the core keeps the drops
  };
}
