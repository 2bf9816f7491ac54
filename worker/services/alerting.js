// Alert evaluation and delivery. The core decides (rules, cooldowns, summaries, payloads); this
// module gathers its inputs, claims each alert atomically in D1 so one isolate sends it, and
// delivers with retries, Discord's 429 handling and per-destination pacing. Never on the ingest
// path: callers run it in ctx.waitUntil or the cron.
import * as db from "../db/index.js";
import { core } from "../platform/core.js";
import { unseal } from "../platform/secrets.js";
import { DESTINATION_KINDS, INGEST_ALERT_KINDS, LEVELS } from "../platform/vocabulary.js";
import { aggregateEvents } from "./aggregate.js";
import { countWalk, planOf } from "./scan.js";

const PACE_WINDOW_MS = 2000;
const PACE_MAX = 5;
const MAX_ATTEMPTS = 3;
// A destination gets this long per attempt (three attempts and their backoff stay well inside the
// 30 s a Worker's waitUntil may run after its answer).
const ATTEMPT_TIMEOUT_MS = 5_000;
const MAX_WAIT_MS = 10_000;
const pacing = new Map(); // destination id → send times in the current window
const digests = new Map(); // destination id → { headlines, timer }
const encoder = new TextEncoder();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const RULES_FRESH_MS = 10_000;
const rulesCache = new Map(); // project id → { rules, readAt }

/** Enabled and not muted. */
const live = (rule, now) => rule.enabled === 1 && !(rule.muted_until > now);

/** A project's enabled rules, read from D1 at most every 10 s per isolate (most projects have none,
 *  and this runs after every accepted request). Rule changes made here drop the entry at once. */
async function enabledRules(env, projectId, now) {
  const hit = rulesCache.get(projectId);
  if (hit && now - hit.readAt < RULES_FRESH_MS) return hit.rules;
  const rules = (await db.alertRules(env.DB, projectId)).filter((r) => live(r, now));
  if (rulesCache.size >= 1000) rulesCache.delete(rulesCache.keys().next().value);
  rulesCache.set(projectId, { rules, readAt: now });
  return rules;
}

/** False only when this isolate knows, freshly, that the project has no enabled rules: the core
 *  then leaves the alert details (latest stack, env, …) out of its issue summaries. */
export function mayAlert(projectId, now) {
  const hit = rulesCache.get(projectId);
  return !hit || now - hit.readAt >= RULES_FRESH_MS || hit.rules.length > 0;
}

/** Forgets a project's cached rules (after the admin API changed them). */
export function forgetRules(projectId) {
  rulesCache.delete(projectId);
}

const dashboardUrl = (env) => (env.EDGELOG_PUBLIC_URL ?? "").replace(/\/+$/, "");

function ruleForCore(r) {
  return { id: r.id, kind: r.kind, threshold: r.threshold, window_s: r.window_s, cooldown_s: r.cooldown_s,
    silence_minutes: r.silence_minutes, min_level: r.min_level, env: r.env ?? "", source: r.source ?? "",
    component: r.component ?? "", sensitivity: r.sensitivity ?? "medium", scope: r.scope ?? "project",
    ...(r.query ? { query: r.query } : {}),
    ...(r.kind === "aggregate" ? { by: r.by ?? "", agg: r.agg ?? "count", op: r.op ?? ">" } : {}) };
}

/** Discord shows a webhook message's buttons only when asked to (and the application made it). */
function withComponents(url, d) {
  if (d.kind !== "discord" || d.interactive !== 1) return url;
  const u = new URL(url);
  u.searchParams.set("with_components", "true");
  return u.toString();
}

/** The kinds whose messages carry buttons: those whose app this deployment answers. */
const actionKinds = (env) => [...(env.DISCORD_PUBLIC_KEY ? ["discord"] : []), ...(env.SLACK_SIGNING_SECRET ? ["slack"] : [])];

async function destinationsOf(env, projectId) {
  const rows = (await db.alertDestinations(env.DB, projectId)).filter((d) => d.enabled === 1);
  return Promise.all(rows.map(async (d) => ({
    id: d.id, kind: d.kind, url: withComponents(await unseal(env, d.url_enc), d),
    secret: d.secret_enc ? await unseal(env, d.secret_enc) : null,
  })));
}

/** After an accepted request: new issues, regressions, spikes. `issues` is the core's summary. */
export async function alertOnIngest(env, project, issues, receivedAt, { created, regressed }) {
  if (!issues.length) return;
  const rules = (await enabledRules(env, project.id, receivedAt)).filter((r) => INGEST_ALERT_KINDS.includes(r.kind));
  if (!rules.length) return;
  // Each window the rules use, widest first: spike rules are judged on the count of their own.
  const windows = [...new Set(rules.map((r) => r.window_s))].sort((a, b) => b - a);
  const inputs = await db.alertInputs(env.DB, project.id, issues.map((i) => i.fingerprint),
    windows.map((w) => receivedAt - w * 1000), rules.map((r) => r.id));
  const byFp = (rows, fp) => rows.find((r) => r.fingerprint === fp);
  // Newness and regressions are what this request's own transaction did to the issues table.
  const candidates = issues.map((i) => {
    const row = byFp(inputs.issues, i.fingerprint) ?? {};
    const share = byFp(inputs.shares, i.fingerprint) ?? {};
    return {
      fingerprint: i.fingerprint, title: i.title, template: i.template, level: i.level, env: i.env,
      source: i.source, component: i.component, endpoint: i.endpoint, hint: i.hint ?? "", stack: i.stack,
      count_in_window: share.in_window ?? i.count, count_in_request: i.count,
      window_counts: windows.map((w, k) => ({ window_s: w, count: byFp(inputs.windows[k], i.fingerprint)?.in_window ?? i.count })),
      total: (row.count ?? 0) + (share.pending ?? i.count), first_seen: row.first_seen ?? i.first_ts,
      last_seen: Math.max(row.last_seen ?? 0, i.last_ts),
      is_new: created.includes(i.fingerprint),
      is_regression: regressed.includes(i.fingerprint),
    };
  });
  await decideAndDeliver(env, project, rules, candidates, inputs.states, receivedAt, "ingest");
}

const ERROR_RATE_SCAN = 100_000; // events looked at per rule and minute, at most
const HOUR_MS = 3_600_000;
const BASELINE_MS = 28 * 24 * HOUR_MS;

/** The events an error_rate or anomaly rule counts in [from, to): at its `min_level` or worse,
 *  matching its globs and its query (bounded: past the bound, a count that has long passed any
 *  sensible threshold). */
async function ruleCount(env, project, rule, from, to) {
  const lowest = LEVELS.indexOf(rule.min_level || "error");
  const filter = { levels: LEVELS.slice(lowest < 0 ? 4 : lowest) };
  const globs = Object.fromEntries(["env", "source", "component"].filter((k) => rule[k]).map((k) => [k, rule[k]]));
  if (Object.keys(globs).length) filter.globs = globs;
  if (rule.query) filter.q = rule.query;
  // A query checked when saved that the core no longer reads counts nothing rather than failing the run.
  if (planOf(filter).error) {
    console.error("alert rule query refused", rule.id, planOf(filter).error.message);
    return 0;
  }
  let count = 0;
  await countWalk(env, {
    projects: [project], from, to, filter, mode: "facets",
    request: { fields: [], top: 0 }, maxEvents: ERROR_RATE_SCAN, merge: (answer) => { count += answer.matched; },
  });
  return count;
}

const windowCount = (env, project, rule, now) => ruleCount(env, project, rule, now - rule.window_s * 1000, now + 1);

// Whole hours a query's anomaly rule counts per tick, at most (newest first): its history fills
// over the first ticks after it is made, as far back as the project keeps events.
const RULE_HOURS_PER_TICK = 6;

/** A query's anomaly rule's hourly history ({history, first}): the hours it has counted, after
 *  counting up to RULE_HOURS_PER_TICK of the whole hours it lacks within the project's retention
 *  and the 28 days a baseline reads. */
async function queryHistory(env, project, rule, now) {
  const hour = now - (now % HOUR_MS);
  const kept = Math.max(1, Math.floor((project.retention_hours ?? 72)));
  const start = Math.max(hour - BASELINE_MS, hour - kept * HOUR_MS);
  const stored = await db.ruleHours(env.DB, rule.id, start);
  const have = new Set(stored.map(([h]) => h));
  const missing = [];
  for (let h = hour - HOUR_MS; h >= start && missing.length < RULE_HOURS_PER_TICK; h -= HOUR_MS) if (!have.has(h)) missing.push(h);
  const counted = [];
  for (const h of missing) counted.push([h, await ruleCount(env, project, rule, h, h + HOUR_MS)]);
  if (counted.length) await db.saveRuleHours(env.DB, rule.id, counted, hour - BASELINE_MS);
  const history = [...stored, ...counted].sort((a, b) => a[0] - b[0]);
  return { history, first: history.length ? history[0][0] : null };
}

/** An aggregate rule's candidates: each group of the events its query matches in its window, with
 *  the rule's measure and the group's events; the core compares and decides. A rule whose query or
 *  measure the core no longer reads yields none. */
async function aggregateCandidates(env, project, rule, now) {
  const a = await aggregateEvents(env, { projects: [project], from: now - rule.window_s * 1000, to: now + 1,
    filter: rule.query ? { q: rule.query } : {}, by: rule.by ?? "", agg: `${rule.agg ?? "count"}, count`, limit: 1000 });
  if (a.problem) {
    console.error("aggregate rule refused", rule.id, a.problem.message);
    return [];
  }
  return a.rows.map((r) => ({ fingerprint: JSON.stringify(r.key), rule_id: rule.id, group: r.key, measured: r.values[0],
    count_in_window: r.values[1] ?? 0 }));
}

// Issues judged per anomaly rule and minute, at most: the busiest in the window.
const MAX_ANOMALY_ISSUES = 1000;

/** A per-issue anomaly rule's candidates: each issue with events in the rule's window (its level,
 *  env, source and component), with its count there and the hours of its history the core's
 *  estimator reads. Issues without an event in the window cannot be anomalous and are not read. */
async function issueAnomalyCandidates(env, project, rule, now) {
  const from = LEVELS.indexOf(rule.min_level || "error");
  const filter = { levels: LEVELS.slice(from < 0 ? 4 : from) };
  const globs = Object.fromEntries(["env", "source", "component"].filter((k) => rule[k]).map((k) => [k, rule[k]]));
  if (Object.keys(globs).length) filter.globs = globs;
  const counts = new Map();
  await countWalk(env, {
    projects: [project], from: now - rule.window_s * 1000, to: now + 1, filter, mode: "facets",
    request: { fields: ["fingerprint"], top: MAX_ANOMALY_ISSUES }, maxEvents: ERROR_RATE_SCAN,
    merge: (answer) => { for (const { value, events } of answer.facets) counts.set(value, (counts.get(value) ?? 0) + events); },
  });
  const busiest = [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_ANOMALY_ISSUES);
  if (!busiest.length) return [];
  const hour = now - (now % HOUR_MS);
  const { issues, history } = await db.issueAnomalyInputs(env.DB, { projectId: project.id,
    fingerprints: busiest.map(([fp]) => fp), hour });
  const byFp = new Map(issues.map((i) => [i.fingerprint, i]));
  return busiest.filter(([fp]) => byFp.has(fp)).map(([fp, n]) => {
    const i = byFp.get(fp);
    return { fingerprint: fp, rule_id: rule.id, count_in_window: n, title: i.title, template: i.template, level: i.level,
      hint: i.hint ?? "", first_seen: i.first_seen, history_base: hour, history_ago: history.get(fp) ?? [],
      history_since: i.first_seen - (i.first_seen % HOUR_MS) };
  });
}

/** Every minute: summaries due after a cooldown, error rates and silences. */
export async function alertTick(env, now) {
  const report = { projects: 0, sent: 0 };
  for (const project of await db.projectsWithAlertRules(env.DB)) {
    const rules = (await db.alertRules(env.DB, project.id)).filter((r) => live(r, now));
    const inputs = await db.alertTickInputs(env.DB, project.id, rules.map((r) => r.id));
    const candidates = [];
    const summaries = inputs.states.filter((s) => s.suppressed > 0 && s.fingerprint);
    if (summaries.length) {
      const rows = (await db.alertInputs(env.DB, project.id, summaries.map((s) => s.fingerprint), now, [])).issues;
      for (const r of rows) candidates.push({ fingerprint: r.fingerprint, title: r.fingerprint, count_in_request: 0,
        total: r.count, first_seen: r.first_seen, last_seen: r.last_seen });
      const issues = await Promise.all(rows.map((r) => db.issueByFingerprint(env.DB, project.id, r.fingerprint)));
      for (const [i, issue] of issues.entries())
        if (issue) Object.assign(candidates[i], { title: issue.title, template: issue.template, level: issue.level, hint: issue.hint ?? "" });
    }
    // Error rate: each rule's count over its own window with its own level, env, source and
    // component (globs, matched by the core); silence needs the latest event.
    for (const rule of rules.filter((r) => r.kind === "error_rate"))
      candidates.push({ fingerprint: "", rule_id: rule.id, count_in_window: await windowCount(env, project, rule, now) });
    if (rules.some((r) => r.kind === "silence") && inputs.latest) candidates.push({ fingerprint: "", last_event_at: inputs.latest });
    // Aggregate: each group's measure over the rule's window, one candidate per group.
    for (const rule of rules.filter((r) => r.kind === "aggregate"))
      candidates.push(...await aggregateCandidates(env, project, rule, now));
    // Anomaly: the rule's count now, and the project's hourly history at its levels (28 days);
    // the core computes the baseline for this hour of the week and judges.
    for (const rule of rules.filter((r) => r.kind === "anomaly" && r.scope === "issue"))
      candidates.push(...await issueAnomalyCandidates(env, project, rule, now));
    // With a query, the rule's own hourly counts of what it matches are its history.
    for (const rule of rules.filter((r) => r.kind === "anomaly" && r.scope !== "issue")) {
      const levels = LEVELS.slice(Math.max(0, LEVELS.indexOf(rule.min_level || "error")));
      const { history, first } = rule.query ? await queryHistory(env, project, rule, now)
        : await db.baselineHistory(env.DB, { projectId: project.id, levels, from: now - BASELINE_MS });
      candidates.push({ fingerprint: "", rule_id: rule.id, count_in_window: await windowCount(env, project, rule, now),
        history, history_since: first ?? now - (now % HOUR_MS) });
    }
    report.projects++;
    report.sent += await decideAndDeliver(env, project, rules, candidates, inputs.states, now, "tick");
  }
  return report;
}

async function decideAndDeliver(env, project, rules, candidates, states, now, mode) {
  const { decisions } = core.alerts({
    now_ms: now, mode, project: project.slug, project_id: project.id, dashboard_url: dashboardUrl(env),
    kinds: DESTINATION_KINDS, actions: actionKinds(env), rules: rules.map(ruleForCore), candidates, states,
  });
  // Destinations (and their sealed URLs) are only read when something is to be sent.
  const destinations = decisions.some((d) => d.action !== "suppress") ? await destinationsOf(env, project.id) : [];
  let sent = 0;
  for (const d of decisions) {
    if (d.action === "suppress") {
      await db.countSuppressed(env.DB, d.rule_id, d.fingerprint, d.count, now);
      await db.recordDelivery(env.DB, { projectId: project.id, ruleId: d.rule_id, fingerprint: d.fingerprint,
        kind: "alert", outcome: "suppressed", createdAt: now });
      continue;
    }
    const claimed = d.action === "summary"
      ? await db.claimSummary(env.DB, d.rule_id, d.fingerprint, d.count, now)
      : await db.claimAlert(env.DB, d.rule_id, d.fingerprint, now, d.cooldown_ms);
    if (!claimed) continue; // another isolate sent it
    // Destinations in parallel: one that never answers holds back no other.
    await Promise.all(destinations.map((dest) => deliver(env, project, dest, d.payloads[dest.kind], {
      ruleId: d.rule_id, fingerprint: d.fingerprint, kind: d.action === "summary" ? "summary" : "alert", now,
    })));
    sent += destinations.length;
  }
  // Digests wait for their pacing window; keep the caller's waitUntil alive until they are out.
  await Promise.all([...digests.values()].map((d) => d.promise));
  return sent;
}

/** Sends `payloads` (a body per destination kind, from the core) to every enabled destination of
 *  the project, recorded as `kind`; answers how many were sent. */
export async function sendToDestinations(env, project, payloads, kind, now) {
  const destinations = await destinationsOf(env, project.id);
  const results = await Promise.all(destinations.map((dest) => deliver(env, project, dest, payloads[dest.kind], { kind, now })));
  return results.filter((r) => r?.outcome === "sent").length;
}

/** Sends a clearly marked test message to every destination and answers each outcome. */
export async function sendTest(env, project) {
  const destinations = await destinationsOf(env, project.id);
  const { decisions } = core.alerts({ now_ms: Date.now(), mode: "test", project: project.slug,
    dashboard_url: dashboardUrl(env), kinds: [...new Set(destinations.map((d) => d.kind))] });
  return Promise.all(destinations.map(async (dest) => ({ destination_id: dest.id, kind: dest.kind,
    ...(await deliver(env, project, dest, decisions[0].payloads[dest.kind], { kind: "test", now: Date.now() })) })));
}

/** The storage alert (`trend` from the size job) to every enabled destination of every live
 *  project, each URL once; answers how many were sent. */
export async function sendStorageAlert(env, trend, now) {
  const seen = new Set();
  const targets = [];
  for (const project of await db.liveProjects(env.DB))
    for (const dest of await destinationsOf(env, project.id))
      if (!seen.has(dest.url)) {
        seen.add(dest.url);
        targets.push({ project, dest });
      }
  if (!targets.length) return 0;
  const { decisions } = core.alerts({ now_ms: now, mode: "storage", project: "", dashboard_url: dashboardUrl(env),
    kinds: [...new Set(targets.map((t) => t.dest.kind))],
    storage: { bytes: trend.bytes, limit_bytes: trend.limit_bytes, growth_bytes_per_day: trend.growth_bytes_per_day,
      days_to_full: trend.days_to_full, cold_tier: Boolean(env.COLD) } });
  const results = await Promise.all(targets.map(({ project, dest }) =>
    deliver(env, project, dest, decisions[0].payloads[dest.kind], { kind: "storage", now })));
  return results.filter((r) => r.outcome === "sent").length;
}

async function signed(dest, body) {
  if (dest.kind !== "webhook" || !dest.secret) return {};
  const t = Math.floor(Date.now() / 1000);
  const key = await crypto.subtle.importKey("raw", encoder.encode(dest.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${t}.${body}`)));
  return { "X-Edgelog-Signature": `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}` };
}

// At most PACE_MAX sends per destination per PACE_WINDOW_MS in this isolate; the rest are folded
// into one digest sent when the window frees.
function paced(dest, now) {
  const times = (pacing.get(dest.id) ?? []).filter((t) => now - t < PACE_WINDOW_MS);
  pacing.set(dest.id, times);
  if (times.length >= PACE_MAX) return false;
  times.push(now);
  return true;
}

/** Delivers one payload, recording the outcome; answers {outcome, http_status, attempts}. */
async function deliver(env, project, dest, payload, meta) {
  const record = (outcome, extra = {}) => db.recordDelivery(env.DB, {
    projectId: project.id, ruleId: meta.ruleId, destinationId: dest.id, fingerprint: meta.fingerprint,
    kind: meta.kind, outcome, createdAt: Date.now(), ...extra,
  }).catch((err) => console.error("delivery record failed", err));
  if (meta.kind !== "digest" && !paced(dest, Date.now())) {
    queueDigest(env, project, dest, payload);
    await record("digested");
    return { outcome: "digested", http_status: null, attempts: 0 };
  }
  const body = JSON.stringify(payload);
  let attempts = 0, status = null, error = null;
  while (attempts < MAX_ATTEMPTS) {
    attempts++;
    try {
      // Each attempt has its own deadline, the answer's body included.
      const signal = AbortSignal.timeout(Number(env.ALERT_ATTEMPT_TIMEOUT_MS) || ATTEMPT_TIMEOUT_MS);
      const res = await fetch(dest.url, { method: "POST", body, signal,
        headers: { "Content-Type": "application/json", "User-Agent": "edgelog", ...(await signed(dest, body)) } });
      status = res.status;
      const text = await res.text().catch(() => "");
      if (res.ok) {
        await record("sent", { httpStatus: status, attempts });
        return { outcome: "sent", http_status: status, attempts };
      }
      error = text.slice(0, 200);
      if (status === 429) {
        let wait = Number(res.headers.get("retry-after")) * 1000;
        try { wait = Math.max(wait || 0, Number(JSON.parse(text).retry_after) * 1000 || 0); } catch {}
        await sleep(Math.min(Math.max(wait, 100), MAX_WAIT_MS));
        continue;
      }
      if (status < 500) break; // the destination refuses this message; retrying will not help
    } catch (err) {
      error = String(err?.message ?? err).slice(0, 200);
    }
    await sleep(250 * 2 ** attempts);
  }
  await record("failed", { httpStatus: status, attempts, error });
  return { outcome: "failed", http_status: status, attempts, error };
}

function queueDigest(env, project, dest, payload) {
  const entry = digests.get(dest.id) ?? { headlines: [], promise: null };
  entry.headlines.push(payload?.content ?? payload?.text ?? payload?.title ?? "alert");
  digests.set(dest.id, entry);
  if (!entry.promise) {
    entry.promise = sleep(PACE_WINDOW_MS).then(async () => {
      digests.delete(dest.id);
      const lines = entry.headlines.slice(0, 20).map((h) => `• ${String(h).slice(0, 90)}`);
      const text = `edgelog: ${entry.headlines.length} more alerts for ${project.slug} (paced)\n${lines.join("\n")}`.slice(0, 1900);
      const digest = dest.kind === "discord" ? { username: "edgelog", content: text }
        : dest.kind === "slack" ? { text } : { type: "digest", project: project.slug, count: entry.headlines.length, headlines: entry.headlines.slice(0, 50) };
      await deliver(env, project, dest, digest, { kind: "digest", now: Date.now() });
    });
  }
}
