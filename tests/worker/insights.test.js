// Insight through the Worker: baselines (the hourly history folds into baseline_hours
// and outlives event retention; GET /api/issues/:fp/baseline draws it), anomaly alerts from the cron
// (driven with scheduledTime) that explain themselves, trending, suggestions and suspect releases.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "../support/harness.js";
import { startHook, until } from "../support/hooks.js";

const HOUR = 3_600_000;
let w, hook;

const post = (path, body) => w.admin(path, { method: "POST", body: JSON.stringify(body) });
const errors = (n, message) => Array.from({ length: n }, () => ({ level: "error", message }));

// Two weeks of history for a project: `perHour(hour)` error events each hour before `until`, as
// the fold would have left them (events that old cannot be sent: their timestamps would be
// replaced), for the project (level rows) and for one issue.
async function seedHistory(projectId, fingerprint, untilHour, perHour) {
  const rows = [];
  for (let h = untilHour - 14 * 24 * HOUR; h < untilHour; h += HOUR) rows.push([h, perHour(h)]);
  await w.db.prepare(`INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
    SELECT ?1, '', 'error', value ->> 0, value ->> 1 FROM json_each(?2)`).bind(projectId, JSON.stringify(rows)).run();
  await w.db.prepare(`INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
    SELECT ?1, ?3, '', value ->> 0, value ->> 1 FROM json_each(?2)`).bind(projectId, JSON.stringify(rows), fingerprint).run();
}

before(async () => {
  hook = await startHook();
  w = await startWorker();
});
after(async () => {
  await w?.dispose();
  await hook?.close();
});

describe("baselines", () => {
  test("events fold into hourly history per issue and per level, kept 28 days past retention", async () => {
    const p = await w.createProject("base-fold");
    assert.equal((await w.send(p, [...errors(3, "disk 1 full"), { level: "info", message: "ok" }])).status, 202);
    await w.fold();
    const { results } = await w.db.prepare(`SELECT fingerprint = '' AS project_row, level, events FROM baseline_hours
      WHERE project_id = (SELECT id FROM projects WHERE slug = 'base-fold') ORDER BY 1, 2`).all();
    const projectRows = results.filter((r) => r.project_row);
    assert.deepEqual(projectRows.map((r) => [r.level, r.events]), [["error", 3], ["info", 1]]);
    assert.deepEqual(results.filter((r) => !r.project_row).map((r) => r.events).sort(), [1, 3]);
    // Maintenance drops hours older than 28 days, and only those.
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'base-fold'").first()).id;
    const now = Date.now();
    await w.db.prepare(`INSERT INTO baseline_hours VALUES (?1, '', 'error', ?2, 5), (?1, '', 'error', ?3, 7)`)
      .bind(pid, now - now % HOUR - 29 * 24 * HOUR, now - now % HOUR - 27 * 24 * HOUR).run();
    assert.equal((await w.admin("/api/admin/purge", { method: "POST" })).status, 200);
    const left = await w.db.prepare("SELECT hour FROM baseline_hours WHERE project_id = ?1 AND events IN (5, 7)").bind(pid).all();
    assert.deepEqual(left.results.map((r) => r.hour), [now - now % HOUR - 27 * 24 * HOUR]);
  });

  test("GET /api/issues/:fp/baseline answers the expected band per hour from the same hour of past weeks", async () => {
    const p = await w.createProject("base-api");
    assert.equal((await w.send(p, errors(2, "queue 4 stalled"))).status, 202);
    const [issue] = (await (await w.admin("/api/issues?project=base-api")).json()).issues;
    const now = Date.now();
    const hour = now - (now % HOUR);
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'base-api'").first()).id;
    // 40 an hour at this hour of the day, 4 otherwise.
    await seedHistory(pid, issue.fingerprint, hour, (h) => ((h - hour) % (24 * HOUR) === 0 ? 40 : 4));
    const res = await w.admin(`/api/issues/${issue.fingerprint}/baseline?project=base-api&from=3h`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.bucket_ms, HOUR);
    assert.equal(body.hours.length, 4); // three past hours and the current one
    const current = body.hours[body.hours.length - 1];
    assert.equal(current.hour, new Date(hour).toISOString());
    assert.equal(current.basis, "weekly");
    assert.equal(current.expected, 40);
    assert.equal(body.hours[0].expected, 4);
    assert.ok(current.low <= current.expected && current.expected <= current.high);
    // Refusals: no project, an unknown issue, more than 28 days, a stranger.
    assert.equal((await w.admin(`/api/issues/${issue.fingerprint}/baseline`)).status, 400);
    assert.equal((await w.admin(`/api/issues/${"0".repeat(32)}/baseline?project=base-api`)).status, 404);
    assert.equal((await w.admin(`/api/issues/${issue.fingerprint}/baseline?project=base-api&from=40d`)).status, 400);
    assert.equal((await w.fetch(`/api/issues/${issue.fingerprint}/baseline?project=base-api`)).status, 401);
  });
});

describe("the project baseline", () => {
  test("GET /api/stats/baseline sums the projects' levels per hour; refuses a stranger", async () => {
    await w.createProject("base-stats");
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'base-stats'").first()).id;
    const now = Date.now();
    const hour = now - (now % HOUR);
    await seedHistory(pid, "e".repeat(32), hour, () => 9);
    await w.db.prepare(`INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
      SELECT ?1, '', 'info', value, 3 FROM json_each(?2)`)
      .bind(pid, JSON.stringify(Array.from({ length: 14 * 24 }, (_, k) => hour - (k + 1) * HOUR))).run();
    const res = await w.admin("/api/stats/baseline?project=base-stats&from=2h");
    assert.equal(res.status, 200);
    const { bucket_ms: bucket, hours } = await res.json();
    assert.equal(bucket, HOUR);
    assert.ok(hours.length >= 2);
    // Every hour expects 9 errors + 3 infos; the current hour has two full weeks behind it (the
    // earlier ones only one, so recent hours stand in).
    assert.ok(hours.every((x) => x.expected === 12), JSON.stringify(hours));
    assert.equal(hours[hours.length - 1].basis, "weekly");
    assert.equal((await w.fetch("/api/stats/baseline?project=base-stats")).status, 401);
    assert.equal((await w.admin("/api/stats/baseline?project=base-stats&from=40d")).status, 400);
  });
});

describe("anomaly alerts", () => {
  test("the per-minute run pages when the last 10 minutes hold far more errors than this hour usually does", async () => {
    const p = await w.createProject("anomaly");
    const rule = { kind: "anomaly", threshold: 10, window_s: 600, cooldown_s: 3600, min_level: "error", sensitivity: "medium" };
    const created = await post("/api/admin/projects/anomaly/alerts", rule);
    assert.equal(created.status, 201);
    assert.equal((await created.json()).rule.sensitivity, "medium");
    assert.equal((await post("/api/admin/projects/anomaly/alerts/destinations", { kind: "discord", url: hook.url("/anomaly") })).status, 201);
    const now = Date.now();
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'anomaly'").first()).id;
    await seedHistory(pid, "f".repeat(32), now - (now % HOUR), () => 6); // ~1 error per 10 minutes
    const worker = await w.mf.getWorker();

    // A usual amount: nothing.
    assert.equal((await w.send(p, errors(2, "charge 1 failed"))).status, 202);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/anomaly").length, 0);

    // Forty in the window: one alert, which says what is usual.
    assert.equal((await w.send(p, errors(40, "charge 2 failed"))).status, 202);
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    assert.ok(await until(() => hook.on("/anomaly").length === 1));
    const embed = hook.on("/anomaly")[0].json.embeds[0];
    assert.match(embed.title, /anomaly: unusual volume in anomaly/);
    assert.match(embed.description, /^(```\n)?42 error\+ events in 10 min; usually 1 ± 0 on \w+days at \d\d:00 UTC\.(\n```)?$/);
    // The cooldown holds it back on the next run.
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/anomaly").length, 1);
  });

  test("a per-issue rule pages for the issue far above its own usual rate, not for a new or a usual one", async () => {
    const p = await w.createProject("anomaly-issue");
    const created = await post("/api/admin/projects/anomaly-issue/alerts",
      { kind: "anomaly", scope: "issue", threshold: 10, window_s: 600, cooldown_s: 3600 });
    assert.equal(created.status, 201);
    assert.equal((await created.json()).rule.scope, "issue");
    const spikeScope = await post("/api/admin/projects/anomaly-issue/alerts", { kind: "spike", scope: "issue" });
    assert.equal(spikeScope.status, 400);
    assert.equal((await spikeScope.json()).field, "scope");
    assert.equal((await post("/api/admin/projects/anomaly-issue/alerts/destinations", { kind: "discord", url: hook.url("/anomaly-issue") })).status, 201);
    // Two old issues with two weeks of history (~1 and ~40 an hour in 10 min windows), one new.
    assert.equal((await w.send(p, [{ level: "error", message: "quiet queue stalled" }, { level: "error", message: "busy cache miss storm" }])).status, 202);
    const { issues } = await (await w.admin("/api/issues?project=anomaly-issue")).json();
    const quiet = issues.find((i) => /quiet/.test(i.title)).fingerprint;
    const busy = issues.find((i) => /busy/.test(i.title)).fingerprint;
    const now = Date.now();
    const hour = now - (now % HOUR);
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'anomaly-issue'").first()).id;
    await seedHistory(pid, quiet, hour, () => 6);
    await w.db.prepare(`INSERT INTO baseline_hours (project_id, fingerprint, level, hour, events)
      SELECT ?1, ?2, '', hour, 300 FROM baseline_hours WHERE project_id = ?1 AND fingerprint = ?3 AND hour < ?4`).bind(pid, busy, quiet, hour).run();
    await w.db.prepare("UPDATE issues SET first_seen = ?2 WHERE project_id = ?1").bind(pid, hour - 14 * 24 * HOUR).run();
    assert.equal((await w.send(p, [...errors(30, "quiet queue stalled"), ...errors(30, "busy cache miss storm"),
      ...errors(50, "brand new failure")])).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    assert.ok(await until(() => hook.on("/anomaly-issue").length >= 1));
    await new Promise((r) => setTimeout(r, 300));
    const sent = hook.on("/anomaly-issue");
    assert.equal(sent.length, 1);
    const embed = sent[0].json.embeds[0];
    assert.match(embed.title, /anomaly: quiet queue stalled/);
    assert.match(embed.description, /31 events of this issue in 10 min; usually 1 ± 0 on \w+days at \d\d:00 UTC\./);
  });

  test("a project without history does not page, however loud its first minutes", async () => {
    const p = await w.createProject("anomaly-new");
    assert.equal((await post("/api/admin/projects/anomaly-new/alerts", { kind: "anomaly", threshold: 5, window_s: 600 })).status, 201);
    assert.equal((await post("/api/admin/projects/anomaly-new/alerts/destinations", { kind: "discord", url: hook.url("/anomaly-new") })).status, 201);
    assert.equal((await w.send(p, errors(200, "boot 1 failed"))).status, 202);
    const worker = await w.mf.getWorker();
    await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/anomaly-new").length, 0);
  });

  test("an anomaly rule refuses an unknown sensitivity, and previews its message", async () => {
    await w.createProject("anomaly-form");
    const bad = await post("/api/admin/projects/anomaly-form/alerts", { kind: "anomaly", sensitivity: "loud" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, "sensitivity");
    const preview = await post("/api/admin/projects/anomaly-form/alerts/preview", { kind: "anomaly", threshold: 10, window_s: 600 });
    assert.equal(preview.status, 200);
    assert.match((await preview.json()).payloads.discord.embeds[0].description, /events in 10 min; usually 1 ± 0/);
    const perIssue = await post("/api/admin/projects/anomaly-form/alerts/preview", { kind: "anomaly", scope: "issue", threshold: 10, window_s: 600 });
    assert.equal(perIssue.status, 200);
    assert.match((await perIssue.json()).payloads.discord.embeds[0].description, /events of this issue in 10 min; usually 1 ± 0/);
  });
});

describe("trending", () => {
  test("issues growing over their own previous week come first; a steady one is not trending; new ones rank by count", async () => {
    const p = await w.createProject("trend");
    assert.equal((await w.send(p, [...errors(10, "steady 1 failed"), ...errors(50, "growing 1 failed"), ...errors(8, "fresh 1 failed")])).status, 202);
    await w.fold();
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'trend'").first()).id;
    const { results } = await w.db.prepare("SELECT fingerprint, template FROM issues WHERE project_id = ?1").bind(pid).all();
    const fp = (word) => results.find((r) => r.template.startsWith(word)).fingerprint;
    const now = Date.now();
    const dayStart = now - (now % HOUR) - 23 * HOUR;
    // They were first seen a month ago, and the week before today held 10 a day of "steady" and 1
    // a day of "growing" (history the fold would have left; such old events cannot be sent).
    await w.db.prepare("UPDATE issues SET first_seen = ?2 WHERE project_id = ?1 AND fingerprint IN (?3, ?4)")
      .bind(pid, now - 30 * 24 * HOUR, fp("steady"), fp("growing")).run();
    for (let k = 1; k <= 7; k++) {
      await w.db.prepare("INSERT INTO baseline_hours VALUES (?1, ?2, '', ?3, 10), (?1, ?4, '', ?3, 1)")
        .bind(pid, fp("steady"), dayStart - k * 24 * HOUR, fp("growing")).run();
    }
    const res = await w.admin("/api/issues?project=trend&sort=trending");
    assert.equal(res.status, 200);
    const { issues } = await res.json();
    assert.deepEqual(issues.map((i) => i.template), ["growing <int> failed", "fresh <int> failed"]);
    assert.deepEqual(issues[0].trend, { recent: 50, expected_per_day: 1, growth: 25.5, is_new: false });
    assert.equal(issues[1].trend.is_new, true);
    assert.equal((await w.admin("/api/issues?project=trend&sort=hot")).status, 400);
  });
});

describe("suggestions", () => {
  test("an issue's page answers the next step the core derives from its own evidence", async () => {
    const p = await w.createProject("suggest");
    const events = Array.from({ length: 10 }, (_, i) => ({ level: "error", message: `upstream timed out after ${i + 30} s`,
      endpoint: i < 9 ? "GET /v1/orders/:id" : "GET /v1/cart", tags: { upstream: "payments.internal" } }));
    assert.equal((await w.send(p, events)).status, 202);
    const [issue] = (await (await w.admin("/api/issues?project=suggest")).json()).issues;
    assert.equal(issue.hint, "timeout");
    const body = await (await w.admin(`/api/issues/${issue.fingerprint}?project=suggest`)).json();
    assert.deepEqual(body.suggestion, { hint: "timeout", text: "Timeouts concentrate on GET /v1/orders/:id (90 %) calling " +
      "payments.internal: check that upstream's latency and this call's timeout budget." });
    // No hint, no suggestion.
    assert.equal((await w.send(p, [{ level: "error", message: "plain failure" }])).status, 202);
    const plain = (await (await w.admin("/api/issues?project=suggest")).json()).issues.find((i) => !i.hint);
    assert.equal((await (await w.admin(`/api/issues/${plain.fingerprint}?project=suggest`)).json()).suggestion, null);
  });
});

describe("baselines of new scopes", () => {
  test("hours before an issue's first event are unknown, not quiet: no band there", async () => {
    const p = await w.createProject("base-new");
    assert.equal((await w.send(p, errors(3, "brand 1 new"))).status, 202);
    const [issue] = (await (await w.admin("/api/issues?project=base-new")).json()).issues;
    const { hours } = await (await w.admin(`/api/issues/${issue.fingerprint}/baseline?project=base-new&from=72h`)).json();
    assert.ok(hours.every((x) => x.basis === "none"), JSON.stringify(hours.filter((x) => x.basis !== "none")));
    const project = await (await w.admin("/api/stats/baseline?project=base-new&from=24h")).json();
    assert.ok(project.hours.every((x) => x.basis === "none"));
  });
});

describe("suspect releases", () => {
  test("a release first seen 12 minutes before an issue began, with most of its events, is named", async () => {
    const p = await w.createProject("suspect");
    const t = Date.now() - 60_000;
    const batch = [
      { level: "info", message: "warmup", release: "1.4.1", ts: t - 20 * 60_000 },
      { level: "info", message: "deployed", release: "1.4.2", ts: t - 12 * 60_000 },
      ...Array.from({ length: 10 }, () => ({ level: "error", message: "cart 1 broke", release: "1.4.2", endpoint: "GET /v1/cart", ts: t })),
      { level: "error", message: "cart 2 broke", release: "1.4.1", endpoint: "GET /v1/cart", ts: t },
    ];
    assert.equal((await w.send(p, batch)).status, 202);
    const { issues } = await (await w.admin("/api/issues?project=suspect")).json();
    const cart = issues.find((i) => i.template === "cart <int> broke");
    const body = await (await w.admin(`/api/issues/${cart.fingerprint}?project=suspect`)).json();
    assert.deepEqual(body.suspect_release, { release: "1.4.2", first_seen: new Date(t - 12 * 60_000).toISOString(), lag_ms: 12 * 60_000,
      share: 91, text: "1.4.2 first appeared 12 min before this issue began; 91 % of its events are from it, 100 % on GET /v1/cart." });
    // The warmup issue began with 1.4.1 itself, but only info; "deployed" has no earlier release: both
    // name their own release, which is what the rule says (first seen as the issue began).
    const warm = issues.find((i) => i.template === "warmup");
    assert.equal((await (await w.admin(`/api/issues/${warm.fingerprint}?project=suspect`)).json()).suspect_release.release, "1.4.1");
    // An issue without releases has no suspect.
    assert.equal((await w.send(p, [{ level: "error", message: "no release here" }])).status, 202);
    const plain = (await (await w.admin("/api/issues?project=suspect")).json()).issues.find((i) => i.template === "no release here");
    assert.equal((await (await w.admin(`/api/issues/${plain.fingerprint}?project=suspect`)).json()).suspect_release, null);
  });
});

describe("digests", () => {
  test("the hourly cron at the project's hour sends one daily digest per day to each destination", async () => {
    const p = await w.createProject("digest");
    assert.equal((await post("/api/admin/projects/digest/alerts/destinations", { kind: "discord", url: hook.url("/digest") })).status, 201);
    assert.equal((await post("/api/admin/projects/digest/alerts/destinations", { kind: "webhook", url: hook.url("/digest-hook") })).status, 201);
    const patch = await w.admin("/api/admin/projects/digest", { method: "PATCH", body: JSON.stringify({ digests: { daily: true, weekly: true, hour_utc: 7 } }) });
    assert.equal(patch.status, 200);
    assert.equal((await w.admin("/api/admin/projects/digest", { method: "PATCH", body: JSON.stringify({ digests: { hour_utc: 24 } }) })).status, 400);
    assert.equal((await w.send(p, [...errors(3, "invoice 1 lost"), { level: "info", message: "ok" }])).status, 202);
    // Over the rate limit once: the digest reports what ingest dropped.
    const pid = (await w.db.prepare("SELECT id FROM projects WHERE slug = 'digest'").first()).id;
    const now = Date.now();
    await w.db.prepare("INSERT INTO outcomes (project_id, minute, outcome, reason, events, requests) VALUES (?1, ?2, 'rate_limited', 'project', 40, 2)")
      .bind(pid, now - (now % 60_000)).run();
    const worker = await w.mf.getWorker();
    // The next 07:00 UTC after now (a Monday or not), driven as Cloudflare fires the hourly cron.
    const at = new Date(now - (now % HOUR) + HOUR);
    while (at.getUTCHours() !== 7) at.setTime(at.getTime() + HOUR);
    // Not at 06:00: nothing.
    await worker.scheduled({ cron: "0 * * * *", scheduledTime: new Date(at.getTime() - HOUR) });
    assert.equal(hook.on("/digest").length, 0);
    await worker.scheduled({ cron: "0 * * * *", scheduledTime: at });
    const monday = at.getUTCDay() === 1;
    assert.ok(await until(() => hook.on("/digest").length === (monday ? 2 : 1)));
    // The events were sent now, before the digest's day ends at `at` only if now is within it.
    const hooked = hook.on("/digest-hook").find((m) => m.json.period === "daily").json;
    assert.equal(hooked.type, "digest");
    assert.equal(hooked.project, "digest");
    assert.equal(hooked.to, at.toISOString());
    const inDay = now >= at.getTime() - 24 * HOUR;
    assert.equal(hooked.events, inDay ? 4 : 0);
    assert.equal(hooked.errors, inDay ? 3 : 0);
    assert.deepEqual(hooked.dropped, inDay ? { rate_limited: 40 } : {});
    const embed = hook.on("/digest").find((m) => /Daily digest/.test(m.json.embeds[0].title)).json.embeds[0];
    assert.match(embed.title, /^Daily digest for digest: \d+ events, \d+ errors$/);
    // Once: the same hour again (another isolate, a retried cron) sends nothing more.
    await worker.scheduled({ cron: "0 * * * *", scheduledTime: at });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.on("/digest").length, monday ? 2 : 1);
    const { deliveries } = await (await w.admin("/api/admin/projects/digest/alerts/deliveries")).json();
    assert.ok(deliveries.some((d) => d.kind === "daily digest" && d.outcome === "sent"));
  });
});
